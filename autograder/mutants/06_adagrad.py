"""Answers to the exercises of assignment 06_adagrad (format: autograder/mutants/README.md).

MUTANTS: wrong answers learners write; each must lose points and its feedback must contain
`expect`, words of the hint that optimlab.checks.adagrad prints for that mistake (or of the
engine's message for in-place changes and wrong shapes). CORRECT: right answers written
differently; each must pass. The code runs after the notebook's first cells, so `np` is defined;
answers that need `math` import it.
"""

_STEP = "def adagrad_step(w, V, g, lr, eps):\n"
_RATE = "def effective_lr(grads, lr, eps):\n"
_STEPS = "def steps_until_rate_below(lr, g, target, eps):\n"

MUTANTS = [
    # --- adagrad_step ---------------------------------------------------------------
    {"exercise": "adagrad_step", "name": "eps inside the root (Keras)",
     "code": _STEP + "    V = V + g**2\n    return w - lr * g / np.sqrt(V + eps), V\n",
     "expect": "eps is inside the square root"},
    {"exercise": "adagrad_step", "name": "divides by the old V",
     "code": _STEP + "    w_new = w - lr * g / (np.sqrt(V) + eps)\n    V = V + g**2\n    return w_new, V\n",
     "expect": "the step used the old V"},
    {"exercise": "adagrad_step", "name": "no square root",
     "code": _STEP + "    V = V + g**2\n    return w - lr * g / (V + eps), V\n",
     "expect": "the square root is missing"},
    {"exercise": "adagrad_step", "name": "V replaced, not accumulated",
     "code": _STEP + "    V = g**2\n    return w - lr * g / (np.sqrt(V) + eps), V\n",
     "expect": "V was replaced by g**2 instead of accumulated"},
    {"exercise": "adagrad_step", "name": "RMSprop average",
     "code": _STEP + "    V = 0.99 * V + 0.01 * g**2\n    return w - lr * g / (np.sqrt(V) + eps), V\n",
     "expect": "that is RMSprop"},
    {"exercise": "adagrad_step", "name": "accumulates |g|",
     "code": _STEP + "    V = V + np.abs(g)\n    return w - lr * g / (np.sqrt(V) + eps), V\n",
     "expect": "V accumulated |g| instead of g**2"},
    {"exercise": "adagrad_step", "name": "gradient left out of the step",
     "code": _STEP + "    V = V + g * g\n    rate = lr / (np.sqrt(V) + eps)\n    return w - rate, V\n",
     "expect": "the gradient is missing from the step"},
    {"exercise": "adagrad_step", "name": "eps added to w (brackets)",
     "code": _STEP + "    V = V + g**2\n    w = w - lr * g / np.sqrt(V) + eps\n    return w, V\n",
     "expect": "eps was added to w"},
    {"exercise": "adagrad_step", "name": "sign step",
     "code": _STEP + "    V = V + g**2\n    return w - lr * np.sign(g), V\n",
     "expect": "the step is lr * sign(g)"},
    {"exercise": "adagrad_step", "name": "plus sign",
     "code": _STEP + "    V = V + g**2\n    return w + lr * g / (np.sqrt(V) + eps), V\n",
     "expect": "the step goes against the gradient"},
    {"exercise": "adagrad_step", "name": "returns (V, w)",
     "code": _STEP + "    V = V + g**2\n    return V, w - lr * g / (np.sqrt(V) + eps)\n",
     "expect": "return (w, V), parameters first"},
    {"exercise": "adagrad_step", "name": "old V returned",
     "code": _STEP + "    w_new = w - lr * g / (np.sqrt(V + g**2) + eps)\n    return w_new, V\n",
     "expect": "V comes back unchanged"},
    {"exercise": "adagrad_step", "name": "V updated in place",
     "code": _STEP + "    V += g**2\n    return w - lr * g / (np.sqrt(V) + eps), V\n",
     "expect": "modified its input `V` in place"},
    # --- effective_lr ---------------------------------------------------------------
    {"exercise": "effective_lr", "name": "eps inside the root (Keras)",
     "code": _RATE + "    V = np.cumsum(grads**2, axis=0)\n    return lr / np.sqrt(V + eps)\n",
     "expect": "eps is inside the square root"},
    {"exercise": "effective_lr", "name": "no square root",
     "code": _RATE + "    V = np.cumsum(grads**2, axis=0)\n    return lr / (V + eps)\n",
     "expect": "the square root is missing"},
    {"exercise": "effective_lr", "name": "V before the current gradient",
     "code": (_RATE +
              "    V, rates = np.zeros_like(grads[0]), []\n"
              "    for g in grads:\n"
              "        rates.append(lr / (np.sqrt(V) + eps))\n"
              "        V = V + g**2\n"
              "    return np.array(rates)\n"),
     "expect": "shifted by one step"},
    {"exercise": "effective_lr", "name": "mean of the squares",
     "code": (_RATE +
              "    V, rates = 0.0, []\n"
              "    for t, g in enumerate(grads, start=1):\n"
              "        V = V + g**2\n"
              "        rates.append(lr / (np.sqrt(V / t) + eps))\n"
              "    return np.array(rates)\n"),
     "expect": "the mean of the squared gradients"},
    {"exercise": "effective_lr", "name": "square of the sum",
     "code": _RATE + "    return lr / (np.sqrt(np.cumsum(grads, axis=0)**2) + eps)\n",
     "expect": "squares the sum of the gradients"},
    {"exercise": "effective_lr", "name": "np.sum instead of np.cumsum",
     "code": _RATE + "    V = np.sum(grads**2, axis=0)\n    return lr / (np.sqrt(V) + eps) * np.ones_like(grads)\n",
     "expect": "every row used the final V_T"},
    {"exercise": "effective_lr", "name": "one V for all coordinates",
     "code": (_RATE +
              "    V = np.cumsum(np.sum(grads**2, axis=-1, keepdims=True), axis=0)\n"
              "    return lr / (np.sqrt(V) + eps) * np.ones_like(grads)\n"),
     "expect": "all coordinates share one rate"},
    {"exercise": "effective_lr", "name": "returns the step",
     "code": _RATE + "    V = np.cumsum(grads**2, axis=0)\n    return lr * grads / (np.sqrt(V) + eps)\n",
     "expect": "this is the step lr * g_t"},
    {"exercise": "effective_lr", "name": "eps after the division",
     "code": _RATE + "    V = np.cumsum(grads**2, axis=0)\n    return lr / np.sqrt(V) + eps\n",
     "expect": "eps was added after the division"},
    {"exercise": "effective_lr", "name": "cumsum without axis (flattened)",
     "code": _RATE + "    V = np.cumsum(grads**2)\n    return lr / (np.sqrt(V) + eps)\n",
     "expect": "has shape"},
    {"exercise": "effective_lr", "name": "squares grads in place",
     "code": _RATE + "    grads **= 2\n    return lr / (np.sqrt(np.cumsum(grads, axis=0)) + eps)\n",
     "expect": "modified its input `grads` in place"},
    # --- steps_until_rate_below -----------------------------------------------------
    {"exercise": "steps_until_rate_below", "name": "sqrt(V) taken as t |g|",
     "code": _STEPS + "    import math\n    return math.floor((lr / target - eps) / abs(g)) + 1\n",
     "expect": "the square is missing"},
    {"exercise": "steps_until_rate_below", "name": "eps ignored",
     "code": _STEPS + "    import math\n    return math.floor((lr / (target * abs(g)))**2) + 1\n",
     "expect": "eps was left out"},
    {"exercise": "steps_until_rate_below", "name": "eps inside the root",
     "code": (_STEPS +
              "    t = 1\n"
              "    while lr / np.sqrt(t * g**2 + eps) >= target:\n"
              "        t += 1\n"
              "    return t\n"),
     "expect": "eps is inside the square root"},
    {"exercise": "steps_until_rate_below", "name": "no square root",
     "code": (_STEPS +
              "    t = 1\n"
              "    while lr / (t * g**2 + eps) >= target:\n"
              "        t += 1\n"
              "    return t\n"),
     "expect": "the square root is missing"},
    {"exercise": "steps_until_rate_below", "name": "one too few (floor)",
     "code": _STEPS + "    import math\n    return max(1, math.floor(((lr / target - eps) / abs(g))**2))\n",
     "expect": "one step too few"},
    {"exercise": "steps_until_rate_below", "name": "not a whole number",
     "code": _STEPS + "    return ((lr / target - eps) / abs(g))**2\n",
     "expect": "not a whole number of steps"},
    {"exercise": "steps_until_rate_below", "name": "rounded to nearest",
     "code": _STEPS + "    return max(1, round(((lr / target - eps) / abs(g))**2))\n",
     "expect": "rounded to the nearest integer"},
    {"exercise": "steps_until_rate_below", "name": "lr forgotten",
     "code": (_STEPS +
              "    t = 1\n"
              "    while 1 / (np.sqrt(t) * abs(g) + eps) >= target:\n"
              "        t += 1\n"
              "    return t\n"),
     "expect": "the learning rate is missing"},
    {"exercise": "steps_until_rate_below", "name": "no t = 1 when already below",
     "code": _STEPS + "    import math\n    return math.floor(((lr / target - eps) / abs(g))**2) + 1\n",
     "expect": "already be below target at the first step"},
    {"exercise": "steps_until_rate_below", "name": "g instead of |g| in a loop",
     "code": (_STEPS +
              "    t = 1\n"
              "    while lr / (np.sqrt(t) * g + eps) >= target:\n"
              "        t += 1\n"
              "    return t\n"),
     "expect": "with the absolute value of g"},
    {"exercise": "steps_until_rate_below", "name": "|g| squared twice",
     "code": _STEPS + "    import math\n    return max(1, math.floor(((lr / target - eps) / g**2)**2) + 1)\n",
     "expect": "squared once too often"},
]

CORRECT = [
    # --- adagrad_step ---------------------------------------------------------------
    {"exercise": "adagrad_step", "name": "effective rate first",
     "code": _STEP + "    V = V + g * g\n    rate = lr / (np.sqrt(V) + eps)\n    return w - rate * g, V\n"},
    {"exercise": "adagrad_step", "name": "np.add / np.square on copies",
     "code": (_STEP +
              "    V_new = np.add(V, np.square(g))\n"
              "    w_new = np.array(w, dtype=float, copy=True)\n"
              "    w_new -= lr * g / (V_new**0.5 + eps)\n"
              "    return w_new, V_new\n")},
    {"exercise": "adagrad_step", "name": "loop over entries",
     "code": (_STEP +
              "    import math\n"
              "    w_new = np.array(w, dtype=float)\n"
              "    V_new = np.array(V, dtype=float)\n"
              "    for i in np.ndindex(w_new.shape):\n"
              "        V_new[i] = V_new[i] + g[i] ** 2\n"
              "        w_new[i] = w_new[i] - lr * g[i] / (math.sqrt(V_new[i]) + eps)\n"
              "    return w_new, V_new\n")},
    {"exercise": "adagrad_step", "name": "the library's own",
     "code": "import optimlab\n\n" + _STEP + "    return optimlab.adagrad_step(w, V, g, lr, eps)\n"},
    # --- effective_lr ---------------------------------------------------------------
    {"exercise": "effective_lr", "name": "loop over steps",
     "code": (_RATE +
              "    V, rates = 0.0, []\n"
              "    for g in grads:\n"
              "        V = V + g**2\n"
              "        rates.append(lr / (np.sqrt(V) + eps))\n"
              "    return np.array(rates)\n")},
    {"exercise": "effective_lr", "name": "np.add.accumulate",
     "code": _RATE + "    return lr / (np.add.accumulate(np.square(grads), axis=0)**0.5 + eps)\n"},
    {"exercise": "effective_lr", "name": "with the learner's adagrad_step",
     "code": (_RATE +
              "    w, V, rates = np.zeros_like(grads[0]), np.zeros_like(grads[0]), []\n"
              "    for g in grads:\n"
              "        w, V = adagrad_step(w, V, g, lr, eps)\n"
              "        rates.append(lr / (np.sqrt(V) + eps))\n"
              "    return np.stack(rates)\n")},
    # --- steps_until_rate_below -----------------------------------------------------
    {"exercise": "steps_until_rate_below", "name": "try t = 1, 2, ...",
     "code": (_STEPS +
              "    t = 1\n"
              "    while lr / (np.sqrt(t) * abs(g) + eps) >= target:\n"
              "        t += 1\n"
              "    return t\n")},
    {"exercise": "steps_until_rate_below", "name": "simulate the sum V",
     "code": (_STEPS +
              "    V, t = 0.0, 0\n"
              "    while True:\n"
              "        t += 1\n"
              "        V += g * g\n"
              "        if lr / (np.sqrt(V) + eps) < target:\n"
              "            return t\n")},
    {"exercise": "steps_until_rate_below", "name": "closed form with ceil",
     "code": (_STEPS +
              "    import math\n"
              "    r = lr / target - eps\n"
              "    if r <= 0:\n"
              "        return 1\n"
              "    return max(1, math.ceil((r / abs(g))**2))\n")},
]
