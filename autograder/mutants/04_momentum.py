"""Typical wrong answers of assignment 04_momentum, for the "wrong implementations score less"
test: each must lose points, and its feedback must contain `expect` (the hint that
optimlab.checks.momentum prints for that mistake)."""

MUTANTS = [
    # --- ema ------------------------------------------------------------------------
    {"exercise": "ema", "name": "beta and 1-beta swapped",
     "code": ("def ema(values, beta):\n"
              "    v, out = 0.0, []\n"
              "    for x in values:\n"
              "        v = (1 - beta) * v + beta * x\n"
              "        out.append(v)\n"
              "    return np.array(out)\n"),
     "expect": "beta and 1 - beta are swapped"},
    {"exercise": "ema", "name": "no (1-beta) factor",
     "code": ("def ema(values, beta):\n"
              "    v, out = 0.0, []\n"
              "    for x in values:\n"
              "        v = beta * v + x\n"
              "        out.append(v)\n"
              "    return np.array(out)\n"),
     "expect": "beta * v + x instead of beta * v + (1 - beta) * x"},
    {"exercise": "ema", "name": "bias correction applied",
     "code": ("def ema(values, beta):\n"
              "    v, out = 0.0, []\n"
              "    for t, x in enumerate(values, start=1):\n"
              "        v = beta * v + (1 - beta) * x\n"
              "        out.append(v / (1 - beta**t))\n"
              "    return np.array(out)\n"),
     "expect": "bias correction v_t / (1 - beta**t) was applied"},
    {"exercise": "ema", "name": "starts at v_0 = x_1",
     "code": ("def ema(values, beta):\n"
              "    v, out = values[0], []\n"
              "    for x in values:\n"
              "        v = beta * v + (1 - beta) * x\n"
              "        out.append(v)\n"
              "    return np.array(out)\n"),
     "expect": "started at v_0 = x_1"},
    {"exercise": "ema", "name": "overwrites values in place",
     "code": ("def ema(values, beta):\n"
              "    v = 0.0\n"
              "    for t in range(len(values)):\n"
              "        v = beta * v + (1 - beta) * values[t]\n"
              "        values[t] = v\n"
              "    return values\n"),
     "expect": "modified its input `values` in place"},
    # --- momentum_step --------------------------------------------------------------
    {"exercise": "momentum_step", "name": "beta and 1-beta swapped",
     "code": ("def momentum_step(w, v, g, lr, beta):\n"
              "    v = (1 - beta) * v + beta * g\n"
              "    return w - lr * v, v\n"),
     "expect": "beta and 1 - beta are swapped"},
    {"exercise": "momentum_step", "name": "heavy-ball velocity (no 1-beta)",
     "code": ("def momentum_step(w, v, g, lr, beta):\n"
              "    v = beta * v + g\n"
              "    return w - lr * v, v\n"),
     "expect": "beta * v + g instead of beta * v + (1 - beta) * g"},
    {"exercise": "momentum_step", "name": "steps with g instead of v",
     "code": ("def momentum_step(w, v, g, lr, beta):\n"
              "    v_new = beta * v + (1 - beta) * g\n"
              "    return w - lr * g, v_new\n"),
     "expect": "updated with the gradient g instead of the velocity v"},
    {"exercise": "momentum_step", "name": "steps with the old v",
     "code": ("def momentum_step(w, v, g, lr, beta):\n"
              "    w_new = w - lr * v\n"
              "    v = beta * v + (1 - beta) * g\n"
              "    return w_new, v\n"),
     "expect": "updated with the old v"},
    {"exercise": "momentum_step", "name": "velocity updated in place",
     "code": ("def momentum_step(w, v, g, lr, beta):\n"
              "    v *= beta\n"
              "    v += (1 - beta) * g\n"
              "    return w - lr * v, v\n"),
     "expect": "modified its input `v` in place"},
    # --- heavy_ball_step ------------------------------------------------------------
    {"exercise": "heavy_ball_step", "name": "EMA factor (1-mu)",
     "code": ("def heavy_ball_step(w, v, g, lr, mu):\n"
              "    v = mu * v + (1 - mu) * g\n"
              "    return w - lr * v, v\n"),
     "expect": "mu * v + (1 - mu) * g instead of mu * v + g"},
    {"exercise": "heavy_ball_step", "name": "steps with the old v",
     "code": ("def heavy_ball_step(w, v, g, lr, mu):\n"
              "    return w - lr * v, mu * v + g\n"),
     "expect": "updated with the old v"},
    {"exercise": "heavy_ball_step", "name": "lr inside the velocity (Keras)",
     "code": ("def heavy_ball_step(w, v, g, lr, mu):\n"
              "    v = mu * v + lr * g\n"
              "    return w - v, v\n"),
     "expect": "lr went into the velocity"},
    {"exercise": "heavy_ball_step", "name": "returns (v, w)",
     "code": ("def heavy_ball_step(w, v, g, lr, mu):\n"
              "    v = mu * v + g\n"
              "    return v, w - lr * v\n"),
     "expect": "return (w, v), parameters first"},
]
