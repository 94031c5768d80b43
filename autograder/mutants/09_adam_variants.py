"""Answers of assignment 09_adam_variants (format: README.md here).

MUTANTS: typical wrong answers; each must lose points, and its feedback must contain `expect`
(the hint that optimlab.checks.adam_variants, or the engine's own diagnosis, prints for that mistake).
CORRECT: right answers written differently; each must pass.
"""


def _drift(body):
    return "def adam_period_drift(C, beta2):\n" + body


def _ams(body):
    return "def amsgrad_step(w, m, V, V_max, g, t, lr, beta1, beta2, eps):\n" + body


def _amax(body):
    return "def adamax_step(w, m, u, g, t, lr, beta1, beta2, eps):\n" + body


def _rect(body):
    return "def radam_rectifier(t, beta2):\n" + body


_V = ("    b = beta2\n"
      "    V_c = (1 - b) * (b**2 * C**2 + b + 1) / (1 - b**3)\n"
      "    V_a = b * V_c + (1 - b) * C**2\n"
      "    V_b = b * V_a + (1 - b)\n")

_MOMENTS = ("    m = beta1 * m + (1 - beta1) * g\n"
            "    V = beta2 * V + (1 - beta2) * g**2\n")

_RHO = ("    rho_inf = 2 / (1 - beta2) - 1\n"
        "    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)\n")

_R = "np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))"

MUTANTS = [
    # --- adam_period_drift ------------------------------------------------------------
    {"exercise": "adam_period_drift", "name": "sign flipped (change of the loss)",
     "code": _drift(_V + "    return C / np.sqrt(V_a) - 1 / np.sqrt(V_b) - 1 / np.sqrt(V_c)\n"),
     "expect": "the sign is flipped"},
    {"exercise": "adam_period_drift", "name": "V is the plain mean",
     "code": _drift("    V = (C**2 + 2) / 3\n"
                    "    return (-C + 2) / np.sqrt(V)\n"),
     "expect": "V is the plain mean (C**2 + 2) / 3"},
    {"exercise": "adam_period_drift", "name": "each step divided by the old V",
     "code": _drift(_V + "    return -C / np.sqrt(V_c) + 1 / np.sqrt(V_a) + 1 / np.sqrt(V_b)\n"),
     "expect": "the old V"},
    {"exercise": "adam_period_drift", "name": "fixed point weights reversed",
     "code": _drift("    b = beta2\n"
                    "    V_c = (1 - b) * (C**2 + b + b**2) / (1 - b**3)\n"
                    "    V_a = b * V_c + (1 - b) * C**2\n"
                    "    V_b = b * V_a + (1 - b)\n"
                    "    return -C / np.sqrt(V_a) + 1 / np.sqrt(V_b) + 1 / np.sqrt(V_c)\n"),
     "expect": "the weights of the fixed point are in the wrong order"},
    {"exercise": "adam_period_drift", "name": "one period from V = 0",
     "code": _drift("    V_a = (1 - beta2) * C**2\n"
                    "    V_b = beta2 * V_a + (1 - beta2)\n"
                    "    V_c = beta2 * V_b + (1 - beta2)\n"
                    "    return -C / np.sqrt(V_a) + 1 / np.sqrt(V_b) + 1 / np.sqrt(V_c)\n"),
     "expect": "V was started from 0 for one period"},
    {"exercise": "adam_period_drift", "name": "no square roots",
     "code": _drift(_V + "    return -C / V_a + 1 / V_b + 1 / V_c\n"),
     "expect": "the square root is missing"},
    {"exercise": "adam_period_drift", "name": "AMSGrad's maximum for every step",
     "code": _drift(_V + "    return (-C + 2) / np.sqrt(V_a)\n"),
     "expect": "AMSGrad's running maximum"},
    {"exercise": "adam_period_drift", "name": "one -1 step only",
     "code": _drift(_V + "    return -C / np.sqrt(V_a) + 1 / np.sqrt(V_b)\n"),
     "expect": "only one of the two -1 steps"},
    {"exercise": "adam_period_drift", "name": "EMA without (1 - beta2)",
     "code": _drift("    b = beta2\n"
                    "    V_c = (b**2 * C**2 + b + 1) / (1 - b**3)\n"
                    "    V_a = b * V_c + C**2\n"
                    "    V_b = b * V_a + 1\n"
                    "    return -C / np.sqrt(V_a) + 1 / np.sqrt(V_b) + 1 / np.sqrt(V_c)\n"),
     "expect": "the factor (1 - beta2) is missing"},
    {"exercise": "adam_period_drift", "name": "average per step instead of per period",
     "code": _drift(_V + "    return (-C / np.sqrt(V_a) + 1 / np.sqrt(V_b) + 1 / np.sqrt(V_c)) / 3\n"),
     "expect": "the average per step"},
    # --- amsgrad_step -----------------------------------------------------------------
    {"exercise": "amsgrad_step", "name": "max after the bias correction (optax)",
     "code": _ams(_MOMENTS +
                  "    V_max = np.maximum(V_max, V / (1 - beta2**t))\n"
                  "    return w - lr * m / (1 - beta1**t) / (np.sqrt(V_max) + eps), m, V, V_max\n"),
     "expect": "the maximum was taken after the bias correction"},
    {"exercise": "amsgrad_step", "name": "max of m_hat instead of V",
     "code": _ams(_MOMENTS +
                  "    m_hat = m / (1 - beta1**t)\n"
                  "    V_max = np.maximum(V_max, m)\n"
                  "    return w - lr * m_hat / (np.sqrt(V_max / (1 - beta2**t)) + eps), m, V, V_max\n"),
     "expect": "the running maximum was taken of m instead of V"},
    {"exercise": "amsgrad_step", "name": "max of g**2",
     "code": _ams(_MOMENTS +
                  "    V_max = np.maximum(V_max, g**2)\n"
                  "    return w - lr * m / (1 - beta1**t) / (np.sqrt(V_max / (1 - beta2**t)) + eps), m, V, V_max\n"),
     "expect": "the running maximum was taken of g**2"},
    {"exercise": "amsgrad_step", "name": "max with the old V",
     "code": _ams("    V_max = np.maximum(V_max, V)\n" + _MOMENTS +
                  "    return w - lr * m / (1 - beta1**t) / (np.sqrt(V_max / (1 - beta2**t)) + eps), m, V, V_max\n"),
     "expect": "the maximum used the old V"},
    {"exercise": "amsgrad_step", "name": "Adam's step, V_max only stored",
     "code": _ams(_MOMENTS +
                  "    V_max = np.maximum(V_max, V)\n"
                  "    return w - lr * m / (1 - beta1**t) / (np.sqrt(V / (1 - beta2**t)) + eps), m, V, V_max\n"),
     "expect": "Adam's step, not by the running maximum"},
    {"exercise": "amsgrad_step", "name": "V_max not bias-corrected",
     "code": _ams(_MOMENTS +
                  "    V_max = np.maximum(V_max, V)\n"
                  "    return w - lr * m / (1 - beta1**t) / (np.sqrt(V_max) + eps), m, V, V_max\n"),
     "expect": "V_max is not bias-corrected"},
    {"exercise": "amsgrad_step", "name": "np.max over all coordinates",
     "code": _ams(_MOMENTS +
                  "    V_max = np.maximum(V_max, np.max(V))\n"
                  "    return w - lr * m / (1 - beta1**t) / (np.sqrt(V_max / (1 - beta2**t)) + eps), m, V, V_max\n"),
     "expect": "over all coordinates at once"},
    {"exercise": "amsgrad_step", "name": "V replaced by the maximum",
     "code": _ams(_MOMENTS +
                  "    V = np.maximum(V_max, V)\n"
                  "    return w - lr * m / (1 - beta1**t) / (np.sqrt(V / (1 - beta2**t)) + eps), m, V, V\n"),
     "expect": "the running maximum was returned as V"},
    {"exercise": "amsgrad_step", "name": "eps inside the root",
     "code": _ams(_MOMENTS +
                  "    V_max = np.maximum(V_max, V)\n"
                  "    return w - lr * m / (1 - beta1**t) / np.sqrt(V_max / (1 - beta2**t) + eps), m, V, V_max\n"),
     "expect": "eps is inside the square root"},
    {"exercise": "amsgrad_step", "name": "V_max updated in place",
     "code": _ams(_MOMENTS +
                  "    np.maximum(V_max, V, out=V_max)\n"
                  "    return w - lr * m / (1 - beta1**t) / (np.sqrt(V_max / (1 - beta2**t)) + eps), m, V, V_max\n"),
     "expect": "modified its input `V_max` in place"},
    {"exercise": "amsgrad_step", "name": "bias correction with t + 1",
     "code": _ams(_MOMENTS +
                  "    V_max = np.maximum(V_max, V)\n"
                  "    m_hat = m / (1 - beta1**(t + 1))\n"
                  "    return w - lr * m_hat / (np.sqrt(V_max / (1 - beta2**(t + 1))) + eps), m, V, V_max\n"),
     "expect": "the step counter is off by one"},
    {"exercise": "amsgrad_step", "name": "returns (w, m, V_max, V)",
     "code": _ams(_MOMENTS +
                  "    V_max = np.maximum(V_max, V)\n"
                  "    return w - lr * m / (1 - beta1**t) / (np.sqrt(V_max / (1 - beta2**t)) + eps), m, V_max, V\n"),
     "expect": "V and V_max are swapped in the result"},
    # --- adamax_step ------------------------------------------------------------------
    {"exercise": "adamax_step", "name": "eps forgotten (the paper)",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = np.maximum(beta2 * u, np.abs(g))\n"
                   "    return w - lr / (1 - beta1**t) * m / u, m, u\n"),
     "expect": "eps is missing"},
    {"exercise": "adamax_step", "name": "eps in the denominator (Keras)",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = np.maximum(beta2 * u, np.abs(g))\n"
                   "    return w - lr / (1 - beta1**t) * m / (u + eps), m, u\n"),
     "expect": "eps was added to the denominator"},
    {"exercise": "adamax_step", "name": "(1 - beta2) |g| in the max",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = np.maximum(beta2 * u, (1 - beta2) * np.abs(g) + eps)\n"
                   "    return w - lr / (1 - beta1**t) * m / u, m, u\n"),
     "expect": "|g| got a factor (1 - beta2)"},
    {"exercise": "adamax_step", "name": "u not decayed",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = np.maximum(u, np.abs(g) + eps)\n"
                   "    return w - lr / (1 - beta1**t) * m / u, m, u\n"),
     "expect": "u is not decayed"},
    {"exercise": "adamax_step", "name": "g instead of |g|",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = np.maximum(beta2 * u, g + eps)\n"
                   "    return w - lr / (1 - beta1**t) * m / u, m, u\n"),
     "expect": "the maximum took g, not |g|"},
    {"exercise": "adamax_step", "name": "an EMA of |g|",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = beta2 * u + (1 - beta2) * np.abs(g) + eps\n"
                   "    return w - lr / (1 - beta1**t) * m / u, m, u\n"),
     "expect": "u was averaged"},
    {"exercise": "adamax_step", "name": "g**2 in the max",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = np.maximum(beta2 * u, g**2 + eps)\n"
                   "    return w - lr / (1 - beta1**t) * m / u, m, u\n"),
     "expect": "the maximum took g**2"},
    {"exercise": "adamax_step", "name": "u bias-corrected",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = np.maximum(beta2 * u, np.abs(g) + eps)\n"
                   "    return w - lr * (m / (1 - beta1**t)) / (u / (1 - beta2**t)), m, u\n"),
     "expect": "u was bias-corrected"},
    {"exercise": "adamax_step", "name": "m not bias-corrected",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = np.maximum(beta2 * u, np.abs(g) + eps)\n"
                   "    return w - lr * m / u, m, u\n"),
     "expect": "m is not bias-corrected"},
    {"exercise": "adamax_step", "name": "sqrt(u) as if it were V",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = np.maximum(beta2 * u, np.abs(g) + eps)\n"
                   "    return w - lr / (1 - beta1**t) * m / np.sqrt(u), m, u\n"),
     "expect": "divides by sqrt(u)"},
    {"exercise": "adamax_step", "name": "Python's max (not elementwise)",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = max(beta2 * u, np.abs(g) + eps)\n"
                   "    return w - lr / (1 - beta1**t) * m / u, m, u\n"),
     "expect": "ValueError"},
    {"exercise": "adamax_step", "name": "returns (w, u, m)",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = np.maximum(beta2 * u, np.abs(g) + eps)\n"
                   "    return w - lr / (1 - beta1**t) * m / u, u, m\n"),
     "expect": "m and u are swapped in the result"},
    # --- radam_rectifier --------------------------------------------------------------
    {"exercise": "radam_rectifier", "name": "rho_inf with + 1",
     "code": _rect("    rho_inf = 2 / (1 - beta2) + 1\n"
                   "    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)\n"
                   "    if rho_t <= 5:\n        return rho_t, None\n"
                   f"    return rho_t, {_R}\n"),
     "expect": "not 2 / (1 - beta2) + 1"},
    {"exercise": "radam_rectifier", "name": "no factor 2 in rho_t",
     "code": _rect("    rho_inf = 2 / (1 - beta2) - 1\n"
                   "    rho_t = rho_inf - t * beta2**t / (1 - beta2**t)\n"
                   "    if rho_t <= 5:\n        return rho_t, None\n"
                   f"    return rho_t, {_R}\n"),
     "expect": "the factor 2 is missing in rho_t"},
    {"exercise": "radam_rectifier", "name": "(1 - beta2) instead of (1 - beta2**t)",
     "code": _rect("    rho_inf = 2 / (1 - beta2) - 1\n"
                   "    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2)\n"
                   "    if rho_t <= 5:\n        return rho_t, None\n"
                   f"    return rho_t, {_R}\n"),
     "expect": "not by (1 - beta2**t)"},
    {"exercise": "radam_rectifier", "name": "no square root",
     "code": _rect(_RHO + "    if rho_t <= 5:\n        return rho_t, None\n"
                   "    return rho_t, (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)\n"),
     "expect": "the square root is missing"},
    {"exercise": "radam_rectifier", "name": "r_t upside down",
     "code": _rect(_RHO + "    if rho_t <= 5:\n        return rho_t, None\n"
                   "    return rho_t, np.sqrt((rho_inf - 4) * (rho_inf - 2) * rho_t / "
                   "((rho_t - 4) * (rho_t - 2) * rho_inf))\n"),
     "expect": "r_t is upside down"},
    {"exercise": "radam_rectifier", "name": "threshold rho_t > 4",
     "code": _rect(_RHO + "    if rho_t <= 4:\n        return rho_t, None\n"
                   f"    return rho_t, {_R}\n"),
     "expect": "Is the threshold right?"},
    {"exercise": "radam_rectifier", "name": "threshold on t instead of rho_t",
     "code": _rect(_RHO + "    if t <= 5:\n        return rho_t, None\n"
                   f"    return rho_t, {_R}\n"),
     "expect": "Is the threshold right?"},
    {"exercise": "radam_rectifier", "name": "0 instead of None",
     "code": _rect(_RHO + "    if rho_t <= 5:\n        return rho_t, 0.0\n"
                   f"    return rho_t, {_R}\n"),
     "expect": "Return None, not 0"},
    {"exercise": "radam_rectifier", "name": "step index from 0 (t - 1)",
     "code": _rect("    t = t - 1\n"
                   "    rho_inf = 2 / (1 - beta2) - 1\n"
                   "    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t) if t > 0 else 1.0\n"
                   "    if rho_t <= 5:\n        return rho_t, None\n"
                   f"    return rho_t, {_R}\n"),
     "expect": "the step counter is off by one"},
    {"exercise": "radam_rectifier", "name": "returns (r_t, rho_t)",
     "code": _rect(_RHO + "    if rho_t <= 5:\n        return None, rho_t\n"
                   f"    return {_R}, rho_t\n"),
     "expect": "the pair is in the wrong order"},
    {"exercise": "radam_rectifier", "name": "rho_inf without the - 1",
     "code": _rect("    rho_inf = 2 / (1 - beta2)\n"
                   "    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)\n"
                   "    if rho_t <= 5:\n        return rho_t, None\n"
                   f"    return rho_t, {_R}\n"),
     "expect": "the - 1 is missing"},
]

CORRECT = [
    # --- adam_period_drift ------------------------------------------------------------
    {"exercise": "adam_period_drift", "name": "iterate the EMA to its cycle",
     "code": _drift("    V = 0.0\n"
                    "    for t in range(1, 30001):\n"
                    "        g = C if t % 3 == 1 else -1.0\n"
                    "        V = beta2 * V + (1 - beta2) * g * g\n"
                    "    V_c = V\n"
                    "    V_a = beta2 * V_c + (1 - beta2) * C * C\n"
                    "    V_b = beta2 * V_a + (1 - beta2)\n"
                    "    return -C / V_a**0.5 + 1 / V_b**0.5 + 1 / V_c**0.5\n")},
    {"exercise": "adam_period_drift", "name": "with the library's stationary_V",
     "code": _drift("    from optimlab.online import stationary_V\n"
                    "    V_a, V_b, V_c = stationary_V(C, beta2)\n"
                    "    return float(-C / np.sqrt(V_a) + 1 / np.sqrt(V_b) + 1 / np.sqrt(V_c))\n")},
    {"exercise": "adam_period_drift", "name": "gradients and their V in arrays",
     "code": _drift(_V + "    g = np.array([C, -1.0, -1.0])\n"
                    "    V = np.array([V_a, V_b, V_c])\n"
                    "    return float(np.sum(-g / np.sqrt(V)))\n")},
    # --- amsgrad_step -----------------------------------------------------------------
    {"exercise": "amsgrad_step", "name": "PyTorch's form: sqrt(V_max) / sqrt(1 - beta2**t)",
     "code": _ams(_MOMENTS +
                  "    V_max = np.maximum(V_max, V)\n"
                  "    step = lr / (1 - beta1**t)\n"
                  "    denom = np.sqrt(V_max) / np.sqrt(1 - beta2**t) + eps\n"
                  "    return w - step * m / denom, m, V, V_max\n")},
    {"exercise": "amsgrad_step", "name": "np.where for the maximum, incremental EMAs",
     "code": _ams("    m = m + (1 - beta1) * (g - m)\n"
                  "    V = V + (1 - beta2) * (g * g - V)\n"
                  "    V_max = np.where(V > V_max, V, V_max)\n"
                  "    m_hat, V_hat = m / (1 - beta1**t), V_max / (1 - beta2**t)\n"
                  "    return w - lr * m_hat / (V_hat**0.5 + eps), m, V, V_max\n")},
    {"exercise": "amsgrad_step", "name": "float arrays, np.fmax, corrected moments named",
     "code": _ams("    w, m, V, V_max, g = (np.asarray(x, dtype=float) for x in (w, m, V, V_max, g))\n"
                  "    m_new = beta1 * m + (1 - beta1) * g\n"
                  "    V_new = beta2 * V + (1 - beta2) * g**2\n"
                  "    V_max_new = np.fmax(V_max, V_new)\n"
                  "    m_hat = m_new / (1 - beta1**t)\n"
                  "    V_max_hat = V_max_new / (1 - beta2**t)\n"
                  "    return w - lr * m_hat / (np.sqrt(V_max_hat) + eps), m_new, V_new, V_max_new\n")},
    # --- adamax_step ------------------------------------------------------------------
    {"exercise": "adamax_step", "name": "the corrected rate first",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = np.maximum(beta2 * u, np.abs(g) + eps)\n"
                   "    clr = lr / (1 - beta1**t)\n"
                   "    return w - clr * m / u, m, u\n")},
    {"exercise": "adamax_step", "name": "stacked max over an axis",
     "code": _amax("    m = beta1 * m + (1 - beta1) * g\n"
                   "    u = np.max(np.stack([beta2 * np.asarray(u, float), np.abs(g) + eps]), axis=0)\n"
                   "    return w - lr * (m / (1 - beta1**t)) / u, m, u\n")},
    {"exercise": "adamax_step", "name": "np.fmax and m_hat",
     "code": _amax("    m_new = beta1 * m + (1.0 - beta1) * g\n"
                   "    u_new = np.fmax(beta2 * u, np.abs(g) + eps)\n"
                   "    m_hat = m_new / (1.0 - beta1**t)\n"
                   "    return w - lr * m_hat / u_new, m_new, u_new\n")},
    # --- radam_rectifier --------------------------------------------------------------
    {"exercise": "radam_rectifier", "name": "math module and one root per factor",
     "code": _rect("    import math\n" + _RHO +
                   "    if not rho_t > 5:\n        return rho_t, None\n"
                   "    r = math.sqrt((rho_t - 4) / (rho_inf - 4)) * math.sqrt((rho_t - 2) / (rho_inf - 2)) \\\n"
                   "        * math.sqrt(rho_inf / rho_t)\n"
                   "    return rho_t, r\n")},
    {"exercise": "radam_rectifier", "name": "beta2**t computed once",
     "code": _rect("    bt = beta2**t\n"
                   "    rho_inf = 2.0 / (1.0 - beta2) - 1.0\n"
                   "    rho_t = rho_inf - 2.0 * t * bt / (1.0 - bt)\n"
                   "    r_t = None\n"
                   "    if rho_t > 5.0:\n"
                   f"        r_t = float({_R})\n"
                   "    return rho_t, r_t\n")},
    {"exercise": "radam_rectifier", "name": "returns a list",
     "code": _rect(_RHO +
                   f"    return [rho_t, {_R} if rho_t > 5 else None]\n")},
]
