"""Typical wrong answers of assignment 02_gradient_descent, for the "wrong implementations
score less" test: each must lose points, and its feedback must contain `expect` (the hint that
optimlab.checks.gradient_descent prints for that mistake). The run_gd mutants do not call
gd_step, so they are judged on their own mistake whatever gd_step does."""

MUTANTS = [
    # --- gd_step --------------------------------------------------------------------
    {"exercise": "gd_step", "name": "plus sign (ascent)",
     "code": "def gd_step(w, g, lr):\n    return w + lr * g\n",
     "expect": "gradient descent moves against the gradient"},
    {"exercise": "gd_step", "name": "learning rate forgotten",
     "code": "def gd_step(w, g, lr):\n    return w - g\n",
     "expect": "the learning rate is missing"},
    {"exercise": "gd_step", "name": "returns the step, not the new w",
     "code": "def gd_step(w, g, lr):\n    return -lr * g\n",
     "expect": "returned the step"},
    {"exercise": "gd_step", "name": "updates w in place",
     "code": "def gd_step(w, g, lr):\n    w -= lr * g\n    return w\n",
     "expect": "modified its input `w` in place"},
    # --- run_gd ---------------------------------------------------------------------
    {"exercise": "run_gd", "name": "start row missing",
     "code": ("def run_gd(grad_fn, w0, lr, steps):\n"
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = []\n"
              "    for _ in range(steps):\n"
              "        w = w - lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "the start w0 is missing"},
    {"exercise": "run_gd", "name": "one step too few",
     "code": ("def run_gd(grad_fn, w0, lr, steps):\n"
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = [w]\n"
              "    for _ in range(steps - 1):\n"
              "        w = w - lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "one step too few"},
    {"exercise": "run_gd", "name": "never updates w",
     "code": ("def run_gd(grad_fn, w0, lr, steps):\n"
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = [w]\n"
              "    for _ in range(steps):\n"
              "        w_new = w - lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "w never changes"},
    {"exercise": "run_gd", "name": "mutates w0",
     "code": ("def run_gd(grad_fn, w0, lr, steps):\n"
              "    w = w0\n"
              "    trajectory = [w.copy()]\n"
              "    for _ in range(steps):\n"
              "        w -= lr * grad_fn(w)\n"
              "        trajectory.append(w.copy())\n"
              "    return np.array(trajectory)\n"),
     "expect": "`w = w0` does not copy"},
    {"exercise": "run_gd", "name": "gradient ascent (+)",
     "code": ("def run_gd(grad_fn, w0, lr, steps):\n"
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = [w]\n"
              "    for _ in range(steps):\n"
              "        w = w + lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "gradient ascent"},
]
