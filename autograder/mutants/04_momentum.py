"""Answers to the exercises of assignment 04_momentum (format: autograder/mutants/README.md).

MUTANTS: wrong answers learners write; each must lose points and its feedback must contain
`expect`, a keyword that describes the actual mistake. CORRECT: right answers written
differently; each must pass. `"pending"` marks what the checks do not handle yet
(tests/test_catalogue.py runs them as xfail).
"""

_EMA = "def ema(values, beta):\n"
_MOM = "def momentum_step(w, v, g, lr, beta):\n"
_HB = "def heavy_ball_step(w, v, g, lr, mu):\n"

MUTANTS = [
    # --- ema ------------------------------------------------------------------------
    {"exercise": "ema", "name": "beta and 1-beta swapped",
     "code": (_EMA +
              "    v, out = 0.0, []\n"
              "    for x in values:\n"
              "        v = (1 - beta) * v + beta * x\n"
              "        out.append(v)\n"
              "    return np.array(out)\n"),
     "expect": "beta and 1 - beta are swapped"},
    {"exercise": "ema", "name": "no (1-beta) factor",
     "code": (_EMA +
              "    v, out = 0.0, []\n"
              "    for x in values:\n"
              "        v = beta * v + x\n"
              "        out.append(v)\n"
              "    return np.array(out)\n"),
     "expect": "beta * v + x instead of beta * v + (1 - beta) * x"},
    {"exercise": "ema", "name": "bias correction applied",
     "code": (_EMA +
              "    v, out = 0.0, []\n"
              "    for t, x in enumerate(values, start=1):\n"
              "        v = beta * v + (1 - beta) * x\n"
              "        out.append(v / (1 - beta**t))\n"
              "    return np.array(out)\n"),
     "expect": "bias correction v_t / (1 - beta**t) was applied"},
    # bias correction, with t counted from 0: a division by zero at the first step
    {"exercise": "ema", "name": "bias correction from t = 0",
     "code": (_EMA +
              "    v, out = 0.0, []\n"
              "    for t, x in enumerate(values):\n"
              "        v = beta * v + (1 - beta) * x\n"
              "        out.append(v / (1 - beta**t))\n"
              "    return np.array(out)\n"),
     "expect": "bias correction"},
    {"exercise": "ema", "name": "starts at v_0 = x_1",
     "code": (_EMA +
              "    v, out = values[0], []\n"
              "    for x in values:\n"
              "        v = beta * v + (1 - beta) * x\n"
              "        out.append(v)\n"
              "    return np.array(out)\n"),
     "expect": "started at v_0 = x_1"},
    {"exercise": "ema", "name": "overwrites values in place",
     "code": (_EMA +
              "    v = 0.0\n"
              "    for t in range(len(values)):\n"
              "        v = beta * v + (1 - beta) * values[t]\n"
              "        values[t] = v\n"
              "    return values\n"),
     "expect": "modified its input `values` in place"},
    # np.zeros_like keeps the dtype of an integer array: every average is truncated
    {"exercise": "ema", "name": "np.zeros_like truncates integers",
     "code": (_EMA +
              "    out = np.zeros_like(values)\n"
              "    v = 0.0\n"
              "    for t in range(len(values)):\n"
              "        v = beta * v + (1 - beta) * values[t]\n"
              "        out[t] = v\n"
              "    return out\n"),
     "expect": "integer"},
    {"exercise": "ema", "name": "stores v before updating it",
     "code": (_EMA +
              "    v, out = 0.0, []\n"
              "    for x in values:\n"
              "        out.append(v)\n"
              "        v = beta * v + (1 - beta) * x\n"
              "    return np.array(out)\n"),
     "expect": "shifted by one step"},
    {"exercise": "ema", "name": "plain running mean",
     "code": (_EMA +
              "    values = np.asarray(values, dtype=float)\n"
              "    return np.cumsum(values) / np.arange(1, len(values) + 1)\n"),
     "expect": "running mean"},
    {"exercise": "ema", "name": "v_0 included in the output",
     "code": (_EMA +
              "    v, out = 0.0, [0.0]\n"
              "    for x in values:\n"
              "        v = beta * v + (1 - beta) * x\n"
              "        out.append(v)\n"
              "    return np.array(out)\n"),
     "expect": "v_0 = 0 was included"},
    {"exercise": "ema", "name": "returns only the last average",
     "code": (_EMA +
              "    v = 0.0\n"
              "    for x in values:\n"
              "        v = beta * v + (1 - beta) * x\n"
              "    return v\n"),
     "expect": "only the last"},
    # v = 0 inside the loop: the average forgets everything at every step
    {"exercise": "ema", "name": "v reset inside the loop",
     "code": (_EMA +
              "    out = []\n"
              "    for x in values:\n"
              "        v = 0.0\n"
              "        v = beta * v + (1 - beta) * x\n"
              "        out.append(v)\n"
              "    return np.array(out)\n"),
     "expect": "reset"},
    # values[t - 1] with t counting from 0: x_T is used first, every input one place late
    {"exercise": "ema", "name": "values[t - 1] off by one",
     "code": (_EMA +
              "    out = np.empty(len(values))\n"
              "    v = 0.0\n"
              "    for t in range(len(values)):\n"
              "        v = beta * v + (1 - beta) * values[t - 1]\n"
              "        out[t] = v\n"
              "    return out\n"),
     "expect": "off by one"},
    # the closed form with the weights the wrong way round: beta**k on x_k instead of beta**(t-k)
    {"exercise": "ema", "name": "closed form with reversed weights",
     "code": (_EMA +
              "    x = np.asarray(values, dtype=float)\n"
              "    return np.array([(1 - beta) * sum(beta**k * x[k] for k in range(t + 1))\n"
              "                     for t in range(len(x))])\n"),
     "expect": "reversed"},
    # single precision, as in torch's default dtype: about 7 significant digits
    {"exercise": "ema", "name": "float32 arrays",
     "code": (_EMA +
              "    x = np.asarray(values, dtype=np.float32)\n"
              "    out = np.zeros(len(x), dtype=np.float32)\n"
              "    v = 0.0\n"
              "    for t in range(len(x)):\n"
              "        v = beta * v + (1 - beta) * x[t]\n"
              "        out[t] = v\n"
              "    return out\n"),
     "expect": "float32"},
    # the second moment of RMSprop / Adam (V_t, of g**2) instead of the average of the values
    {"exercise": "ema", "name": "average of the squares",
     "code": (_EMA +
              "    v, out = 0.0, []\n"
              "    for x in values:\n"
              "        v = beta * v + (1 - beta) * x**2\n"
              "        out.append(v)\n"
              "    return np.array(out)\n"),
     "expect": "squared"},
    # --- momentum_step --------------------------------------------------------------
    {"exercise": "momentum_step", "name": "beta and 1-beta swapped",
     "code": (_MOM +
              "    v = (1 - beta) * v + beta * g\n"
              "    return w - lr * v, v\n"),
     "expect": "beta and 1 - beta are swapped"},
    {"exercise": "momentum_step", "name": "heavy-ball velocity (no 1-beta)",
     "code": (_MOM +
              "    v = beta * v + g\n"
              "    return w - lr * v, v\n"),
     "expect": "beta * v + g instead of beta * v + (1 - beta) * g"},
    {"exercise": "momentum_step", "name": "steps with g instead of v",
     "code": (_MOM +
              "    v_new = beta * v + (1 - beta) * g\n"
              "    return w - lr * g, v_new\n"),
     "expect": "updated with the gradient g instead of the velocity v"},
    {"exercise": "momentum_step", "name": "steps with the old v",
     "code": (_MOM +
              "    w_new = w - lr * v\n"
              "    v = beta * v + (1 - beta) * g\n"
              "    return w_new, v\n"),
     "expect": "updated with the old v"},
    {"exercise": "momentum_step", "name": "velocity updated in place",
     "code": (_MOM +
              "    v *= beta\n"
              "    v += (1 - beta) * g\n"
              "    return w - lr * v, v\n"),
     "expect": "modified its input `v` in place"},
    # the source article's loop, `w -= alpha * v_w`, copied into a function
    {"exercise": "momentum_step", "name": "w updated in place (article's loop)",
     "code": (_MOM +
              "    v = beta * v + (1 - beta) * g\n"
              "    w -= lr * v\n"
              "    return w, v\n"),
     "expect": "modified its input `w` in place"},
    {"exercise": "momentum_step", "name": "plus sign",
     "code": (_MOM +
              "    v = beta * v + (1 - beta) * g\n"
              "    return w + lr * v, v\n"),
     "expect": "the sign"},
    {"exercise": "momentum_step", "name": "learning rate forgotten",
     "code": (_MOM +
              "    v = beta * v + (1 - beta) * g\n"
              "    return w - v, v\n"),
     "expect": "the learning rate is missing"},
    {"exercise": "momentum_step", "name": "returns (v, w)",
     "code": (_MOM +
              "    v = beta * v + (1 - beta) * g\n"
              "    return v, w - lr * v\n"),
     "expect": "wrong order"},
    {"exercise": "momentum_step", "name": "lr inside the velocity",
     "code": (_MOM +
              "    v = beta * v + (1 - beta) * lr * g\n"
              "    return w - v, v\n"),
     "expect": "lr went into the velocity"},
    {"exercise": "momentum_step", "name": "returns only w",
     "code": (_MOM +
              "    v = beta * v + (1 - beta) * g\n"
              "    return w - lr * v\n"),
     "expect": "tuple (w, v)"},
    # CS231n's sign convention (v = mu * v - lr * dx; x += v) mixed into the EMA form
    {"exercise": "momentum_step", "name": "velocity with the opposite sign",
     "code": (_MOM +
              "    v = beta * v - (1 - beta) * g\n"
              "    return w + lr * v, v\n"),
     "expect": "opposite sign"},
    {"exercise": "momentum_step", "name": "returns the old w",
     "code": (_MOM +
              "    v = beta * v + (1 - beta) * g\n"
              "    w_new = w - lr * v\n"
              "    return w, v\n"),
     "expect": "unchanged"},
    # np.zeros_like(v) holds integers when v does: the new velocity is truncated
    {"exercise": "momentum_step", "name": "np.zeros_like(v) truncates integers",
     "code": (_MOM +
              "    v_new = np.zeros_like(v)\n"
              "    v_new[...] = beta * v + (1 - beta) * g\n"
              "    return w - lr * v_new, v_new\n"),
     "expect": "integer"},
    # --- heavy_ball_step ------------------------------------------------------------
    {"exercise": "heavy_ball_step", "name": "EMA factor (1-mu)",
     "code": (_HB +
              "    v = mu * v + (1 - mu) * g\n"
              "    return w - lr * v, v\n"),
     "expect": "mu * v + (1 - mu) * g instead of mu * v + g"},
    {"exercise": "heavy_ball_step", "name": "steps with the old v",
     "code": (_HB +
              "    return w - lr * v, mu * v + g\n"),
     "expect": "updated with the old v"},
    {"exercise": "heavy_ball_step", "name": "lr inside the velocity (Keras)",
     "code": (_HB +
              "    v = mu * v + lr * g\n"
              "    return w - v, v\n"),
     "expect": "lr went into the velocity"},
    {"exercise": "heavy_ball_step", "name": "returns (v, w)",
     "code": (_HB +
              "    v = mu * v + g\n"
              "    return v, w - lr * v\n"),
     "expect": "return (w, v), parameters first"},
    {"exercise": "heavy_ball_step", "name": "steps with g instead of v",
     "code": (_HB +
              "    v = mu * v + g\n"
              "    return w - lr * g, v\n"),
     "expect": "instead of the velocity"},
    {"exercise": "heavy_ball_step", "name": "plus sign",
     "code": (_HB +
              "    v = mu * v + g\n"
              "    return w + lr * v, v\n"),
     "expect": "the sign"},
    {"exercise": "heavy_ball_step", "name": "Nesterov's step",
     "code": (_HB +
              "    v = mu * v + g\n"
              "    return w - lr * (g + mu * v), v\n"),
     "expect": "Nesterov"},
    # CS231n: v = mu * v - learning_rate * dx; x += v
    {"exercise": "heavy_ball_step", "name": "CS231n convention (v = mu*v - lr*g)",
     "code": (_HB +
              "    v = mu * v - lr * g\n"
              "    return w + v, v\n"),
     "expect": "lr went into the velocity"},
    {"exercise": "heavy_ball_step", "name": "velocity updated in place",
     "code": (_HB +
              "    v *= mu\n"
              "    v += g\n"
              "    return w - lr * v, v\n"),
     "expect": "modified its input `v` in place"},
    {"exercise": "heavy_ball_step", "name": "learning rate forgotten",
     "code": (_HB +
              "    v = mu * v + g\n"
              "    return w - v, v\n"),
     "expect": "the learning rate is missing"},
    # a copy keeps an integer dtype, and `*= mu` cannot store floats in it
    {"exercise": "heavy_ball_step", "name": "in place on an integer copy",
     "code": (_HB +
              "    v = v.copy()\n"
              "    v *= mu\n"
              "    v += g\n"
              "    return w - lr * v, v\n"),
     "expect": "integer"},
    # mu and lr exchanged in the velocity: v = lr * v + g
    {"exercise": "heavy_ball_step", "name": "lr and mu exchanged",
     "code": (_HB +
              "    v = lr * v + g\n"
              "    return w - mu * v, v\n"),
     "expect": "exchanged"},
]

CORRECT = [
    # --- ema ------------------------------------------------------------------------
    {"exercise": "ema", "name": "list of floats, accepts a list",
     "code": (_EMA +
              "    v, out = 0.0, []\n"
              "    for x in list(values):\n"
              "        v = beta * v + (1 - beta) * float(x)\n"
              "        out.append(v)\n"
              "    return np.array(out)\n")},
    {"exercise": "ema", "name": "v += (1 - beta) * (x - v)",
     "code": (_EMA +
              "    x = np.asarray(values, dtype=float)\n"
              "    out = np.zeros(x.shape)\n"
              "    v = 0.0\n"
              "    for t, xt in enumerate(x):\n"
              "        v += (1 - beta) * (xt - v)\n"
              "        out[t] = v\n"
              "    return out\n")},
    {"exercise": "ema", "name": "vectorised weights (1 - beta) beta**(t-k)",
     "code": (_EMA +
              "    x = np.asarray(values, dtype=float)\n"
              "    t = np.arange(len(x))\n"
              "    lag = t[:, None] - t[None, :]\n"
              "    weights = np.where(lag >= 0, (1 - beta) * float(beta) ** np.maximum(lag, 0), 0.0)\n"
              "    return weights @ x\n")},
    {"exercise": "ema", "name": "recursion on the prefix",
     "code": (_EMA +
              "    x = np.asarray(values, dtype=float)\n"
              "    if len(x) == 0:\n"
              "        return x\n"
              "    head = ema(x[:-1], beta)\n"
              "    last = beta * (head[-1] if len(head) else 0.0) + (1 - beta) * x[-1]\n"
              "    return np.append(head, last)\n")},
    # --- momentum_step --------------------------------------------------------------
    {"exercise": "momentum_step", "name": "expanded velocity",
     "code": (_MOM +
              "    v_new = beta * v + g - beta * g\n"
              "    return w - lr * v_new, v_new\n")},
    {"exercise": "momentum_step", "name": "v += (1 - beta) * (g - v)",
     "code": (_MOM +
              "    v = v + (1 - beta) * (g - v)\n"
              "    w = w - v * lr\n"
              "    return (w, v)\n")},
    {"exercise": "momentum_step", "name": "in place on float copies",
     "code": (_MOM +
              "    v, w = v.astype(float), w.astype(float)\n"
              "    v *= beta\n"
              "    v += (1 - beta) * g\n"
              "    w -= lr * v\n"
              "    return w, v\n")},
    {"exercise": "momentum_step", "name": "returns a list [w, v]",
     "code": (_MOM +
              "    v = np.add(np.multiply(beta, v), np.multiply(1 - beta, g))\n"
              "    return [np.subtract(w, lr * v), v]\n")},
    # --- heavy_ball_step ------------------------------------------------------------
    {"exercise": "heavy_ball_step", "name": "g + mu * v",
     "code": (_HB +
              "    v = g + mu * v\n"
              "    return w - lr * v, v\n")},
    {"exercise": "heavy_ball_step", "name": "step expanded with the old v",
     "code": (_HB +
              "    w_new = w - lr * mu * v - lr * g\n"
              "    return w_new, mu * v + g\n")},
    {"exercise": "heavy_ball_step", "name": "in place on copies",
     "code": (_HB +
              "    v = np.array(v, dtype=float)\n"
              "    v *= mu\n"
              "    v += g\n"
              "    w = np.array(w, dtype=float)\n"
              "    w -= lr * v\n"
              "    return w, v\n")},
]
