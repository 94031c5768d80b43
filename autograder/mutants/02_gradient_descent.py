"""Answers to the exercises of assignment 02_gradient_descent (format: autograder/mutants/README.md).

MUTANTS: wrong answers learners write; each must lose points and its feedback must contain
`expect`, a keyword that describes the actual mistake. COMPOSITE: a right run_gd whose gd_step
is wrong; it must get its points with a message saying that gd_step is wrong. CORRECT: right
answers written differently; each must pass. `"pending"` marks what the checks do not handle yet
(tests/test_catalogue.py runs them as xfail). The run_gd MUTANTS do not call gd_step, so they
are judged on their own mistake whatever gd_step does.
"""

_RUN_HEAD = "def run_gd(grad_fn, w0, lr, steps):\n"

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
    {"exercise": "gd_step", "name": "gradient forgotten",
     "code": "def gd_step(w, g, lr):\n    return w - lr\n",
     "expect": "the gradient is missing"},
    # sign-only gradient (signSGD): a learner who read "move against the sign of the slope"
    {"exercise": "gd_step", "name": "sign of the gradient only",
     "code": "def gd_step(w, g, lr):\n    return w - lr * np.sign(g)\n",
     "expect": "np.sign(g)"},
    # gradient clipping copied from a training loop
    {"exercise": "gd_step", "name": "clipped gradient",
     "code": "def gd_step(w, g, lr):\n    return w - lr * np.clip(g, -1.0, 1.0)\n",
     "expect": "clip"},
    # on f(x) = x^2 the learner multiplies by the 2 of 2x a second time
    {"exercise": "gd_step", "name": "gradient doubled",
     "code": "def gd_step(w, g, lr):\n    return w - 2 * lr * g\n",
     "expect": "factor 2"},
    # the notebook's example uses lr = 0.1
    {"exercise": "gd_step", "name": "learning rate hard-coded 0.1",
     "code": "def gd_step(w, g, lr):\n    return w - 0.1 * g\n",
     "expect": "ignores lr"},
    # a loop over the entries: fine for vectors, breaks on a 0-d array (a scalar w)
    {"exercise": "gd_step", "name": "loop over len(w)",
     "code": ("def gd_step(w, g, lr):\n"
              "    new = np.zeros(len(w))\n"
              "    for i in range(len(w)):\n"
              "        new[i] = w[i] - lr * g[i]\n"
              "    return new\n"),
     "expect": "any shape"},
    {"exercise": "gd_step", "name": "no return",
     "code": "def gd_step(w, g, lr):\n    w = w - lr * g\n",
     "expect": "`return`"},
    # the new value is computed under another name, and the old w returned
    {"exercise": "gd_step", "name": "returns the old w",
     "code": "def gd_step(w, g, lr):\n    w_new = w - lr * g\n    return w\n",
     "expect": "unchanged"},
    # --- run_gd ---------------------------------------------------------------------
    {"exercise": "run_gd", "name": "start row missing",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = []\n"
              "    for _ in range(steps):\n"
              "        w = w - lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "the start w0 is missing"},
    # w0 left out, one update too many: the right shape, every row one step ahead
    {"exercise": "run_gd", "name": "rows w_1 ... w_(T+1)",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = []\n"
              "    for _ in range(steps + 1):\n"
              "        w = w - lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "the start w0 is missing"},
    {"exercise": "run_gd", "name": "one step too few",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = [w]\n"
              "    for _ in range(steps - 1):\n"
              "        w = w - lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "one step too few"},
    {"exercise": "run_gd", "name": "one step too many",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = [w]\n"
              "    for _ in range(steps + 1):\n"
              "        w = w - lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "too many"},
    # w is stored at the top of the loop, so the last w_T is never stored
    {"exercise": "run_gd", "name": "stores w before each update",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = []\n"
              "    for _ in range(steps):\n"
              "        trajectory.append(w)\n"
              "        w = w - lr * grad_fn(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "last"},
    {"exercise": "run_gd", "name": "never updates w",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = [w]\n"
              "    for _ in range(steps):\n"
              "        w_new = w - lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "w never changes"},
    {"exercise": "run_gd", "name": "mutates w0",
     "code": (_RUN_HEAD +
              "    w = w0\n"
              "    trajectory = [w.copy()]\n"
              "    for _ in range(steps):\n"
              "        w -= lr * grad_fn(w)\n"
              "        trajectory.append(w.copy())\n"
              "    return np.array(trajectory)\n"),
     "expect": "`w = w0` does not copy"},
    {"exercise": "run_gd", "name": "gradient ascent (+)",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = [w]\n"
              "    for _ in range(steps):\n"
              "        w = w + lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "gradient ascent"},
    # `w -= ...` on a copy of w0, but the same array object is appended every time
    {"exercise": "run_gd", "name": "same array appended each step",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = [w]\n"
              "    for _ in range(steps):\n"
              "        w -= lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "same array"},
    {"exercise": "run_gd", "name": "gradient computed once at w0",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    g = grad_fn(w)\n"
              "    trajectory = [w]\n"
              "    for _ in range(steps):\n"
              "        w = w - lr * g\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "expect": "computed once"},
    {"exercise": "run_gd", "name": "returns the list",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = [w]\n"
              "    for _ in range(steps):\n"
              "        w = w - lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return trajectory\n"),
     "expect": "not a numpy array"},
    # preallocated rows of len(w0): only right for 1-D w0
    {"exercise": "run_gd", "name": "rows of len(w0)",
     "code": (_RUN_HEAD +
              "    trajectory = np.zeros((steps + 1, len(w0)))\n"
              "    trajectory[0] = w0\n"
              "    w = np.array(w0, dtype=float)\n"
              "    for t in range(steps):\n"
              "        w = w - lr * grad_fn(w)\n"
              "        trajectory[t + 1] = w\n"
              "    return trajectory\n"),
     "expect": "len(w0)"},
    # np.vstack glues the rows of a 2-D w0 together (and turns a 0-d w0 into a column)
    {"exercise": "run_gd", "name": "rows stacked with np.vstack",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    rows = [w]\n"
              "    for _ in range(steps):\n"
              "        w = w - lr * grad_fn(w)\n"
              "        rows.append(w)\n"
              "    return np.vstack(rows)\n"),
     "expect": "vstack"},
    # transposed to get one row per coordinate, as for plotting x and y
    {"exercise": "run_gd", "name": "trajectory transposed",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    rows = [w]\n"
              "    for _ in range(steps):\n"
              "        w = w - lr * grad_fn(w)\n"
              "        rows.append(w)\n"
              "    return np.array(rows).T\n"),
     "expect": "transposed"},
    # w0.copy() keeps an integer dtype, and `w -= lr * g` cannot write floats into it
    {"exercise": "run_gd", "name": "integer w0 kept integer",
     "code": (_RUN_HEAD +
              "    w = w0.copy()\n"
              "    trajectory = [w.copy()]\n"
              "    for _ in range(steps):\n"
              "        w -= lr * grad_fn(w)\n"
              "        trajectory.append(w.copy())\n"
              "    return np.array(trajectory)\n"),
     "expect": "integer"},
    {"exercise": "run_gd", "name": "returns only the final w",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    for _ in range(steps):\n"
              "        w = w - lr * grad_fn(w)\n"
              "    return w\n"),
     "expect": "only the final"},
    {"exercise": "run_gd", "name": "rows concatenated",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = [w]\n"
              "    for _ in range(steps):\n"
              "        w = w - lr * grad_fn(w)\n"
              "        trajectory.append(w)\n"
              "    return np.concatenate(trajectory)\n"),
     "expect": "np.concatenate"},
]

# Both wrong: a wrong run_gd that calls a wrong gd_step must still be told about its own mistake.
MUTANTS += [
    {"exercise": "run_gd", "name": "one step too few, and gd_step ascends",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = [w]\n"
              "    for _ in range(steps - 1):\n"
              "        w = gd_step(w, grad_fn(w), lr)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "helper_broken": {"gd_step": "def gd_step(w, g, lr):\n    return w + lr * g\n"},
     "expect": "one step too few"},
    {"exercise": "run_gd", "name": "start row missing, and gd_step not implemented",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float)\n"
              "    trajectory = []\n"
              "    for _ in range(steps):\n"
              "        w = gd_step(w, grad_fn(w), lr)\n"
              "        trajectory.append(w)\n"
              "    return np.array(trajectory)\n"),
     "helper_broken": {"gd_step": "def gd_step(w, g, lr):\n    raise NotImplementedError()\n"},
     "expect": "the start w0 is missing"},
]

_RUN_GD_SOLUTION = (_RUN_HEAD +
                    "    w = np.array(w0, dtype=float)\n"
                    "    trajectory = [w]\n"
                    "    for _ in range(steps):\n"
                    "        w = gd_step(w, grad_fn(w), lr)\n"
                    "        trajectory.append(w)\n"
                    "    return np.array(trajectory)\n")

# A right run_gd (the solution, which calls the learner's gd_step) with a wrong gd_step.
COMPOSITE = [
    {"exercise": "run_gd", "name": "gd_step ascent", "code": _RUN_GD_SOLUTION,
     "helper_broken": {"gd_step": "def gd_step(w, g, lr):\n    return w + lr * g\n"},
     "expect": "your `gd_step`, which is wrong"},
    {"exercise": "run_gd", "name": "gd_step in place", "code": _RUN_GD_SOLUTION,
     "helper_broken": {"gd_step": "def gd_step(w, g, lr):\n    w -= lr * g\n    return w\n"},
     "expect": "your `gd_step`, which is wrong"},
    {"exercise": "run_gd", "name": "gd_step not implemented", "code": _RUN_GD_SOLUTION,
     "helper_broken": {"gd_step": "def gd_step(w, g, lr):\n    raise NotImplementedError()\n"},
     "expect": "your `gd_step`, which is wrong"},
    {"exercise": "run_gd", "name": "gd_step returns the step", "code": _RUN_GD_SOLUTION,
     "helper_broken": {"gd_step": "def gd_step(w, g, lr):\n    return -lr * g\n"},
     "expect": "your `gd_step`, which is wrong"},
]

CORRECT = [
    # --- gd_step --------------------------------------------------------------------
    {"exercise": "gd_step", "name": "np.subtract",
     "code": "def gd_step(w, g, lr):\n    return np.subtract(w, np.multiply(lr, g))\n"},
    {"exercise": "gd_step", "name": "plus a negative step",
     "code": "def gd_step(w, g, lr):\n    step = -lr * np.asarray(g, dtype=float)\n    return np.asarray(w, dtype=float) + step\n"},
    {"exercise": "gd_step", "name": "loop over every entry of a copy",
     "code": ("def gd_step(w, g, lr):\n"
              "    new = np.array(w, dtype=float)\n"
              "    for i in np.ndindex(new.shape):\n"
              "        new[i] -= lr * g[i]\n"
              "    return new\n")},
    {"exercise": "gd_step", "name": "in place on a float copy",
     "code": "def gd_step(w, g, lr):\n    w = w.astype(float)\n    w -= g * lr\n    return w\n"},
    # --- run_gd ---------------------------------------------------------------------
    {"exercise": "run_gd", "name": "preallocated rows",
     "code": (_RUN_HEAD +
              "    w = np.asarray(w0, dtype=float)\n"
              "    trajectory = np.empty((steps + 1,) + w.shape)\n"
              "    trajectory[0] = w\n"
              "    for t in range(1, steps + 1):\n"
              "        w = w - lr * np.asarray(grad_fn(w))\n"
              "        trajectory[t] = w\n"
              "    return trajectory\n")},
    {"exercise": "run_gd", "name": "in place on a copy, rows copied",
     "code": (_RUN_HEAD +
              "    w = np.array(w0, dtype=float, copy=True)\n"
              "    rows = [w.copy()]\n"
              "    for _ in range(steps):\n"
              "        w -= lr * grad_fn(w)\n"
              "        rows.append(w.copy())\n"
              "    return np.stack(rows)\n")},
    {"exercise": "run_gd", "name": "recursive",
     "code": (_RUN_HEAD +
              "    w0 = np.array(w0, dtype=float)\n"
              "    if steps == 0:\n"
              "        return w0[None]\n"
              "    rest = run_gd(grad_fn, w0 - lr * grad_fn(w0), lr, steps - 1)\n"
              "    return np.concatenate([w0[None], rest])\n")},
    {"exercise": "run_gd", "name": "while loop, gd_step on a copy",
     "code": (_RUN_HEAD +
              "    w = np.copy(w0).astype(float)\n"
              "    trajectory = [w]\n"
              "    t = 0\n"
              "    while t < steps:\n"
              "        w = gd_step(w, grad_fn(w), lr)\n"
              "        trajectory.append(w)\n"
              "        t += 1\n"
              "    return np.array(trajectory)\n")},
]
