"""Answers of assignment 07_rmsprop_adadelta (format: README.md here).

MUTANTS: typical wrong answers; each must lose points, and its feedback must contain `expect`
(the hint that optimlab.checks.rmsprop prints for that mistake). CORRECT: right answers written
differently; each must pass. COMPOSITE: a right adadelta_first_step that calls a wrong
adadelta_step; it must pass, with a message that names the helper.
"""


def _rms(body):
    return "def rmsprop_step(w, V, g, lr, alpha, eps):\n" + body


def _ad(body):
    return "def adadelta_step(w, V, U, g, lr, rho, eps):\n" + body


def _first(body):
    return "def adadelta_first_step(g, rho, eps):\n" + body


MUTANTS = [
    # --- rmsprop_step ---------------------------------------------------------------
    {"exercise": "rmsprop_step", "name": "eps inside the root (Keras)",
     "code": _rms("    V = alpha * V + (1 - alpha) * g**2\n"
                  "    return w - lr * g / np.sqrt(V + eps), V\n"),
     "expect": "eps is inside the square root"},
    {"exercise": "rmsprop_step", "name": "alpha and 1-alpha swapped",
     "code": _rms("    V = (1 - alpha) * V + alpha * g**2\n"
                  "    return w - lr * g / (np.sqrt(V) + eps), V\n"),
     "expect": "alpha and 1 - alpha are swapped"},
    {"exercise": "rmsprop_step", "name": "no (1-alpha) factor",
     "code": _rms("    V = alpha * V + g * g\n"
                  "    return w - lr * g / (np.sqrt(V) + eps), V\n"),
     "expect": "alpha * V + g**2 instead of"},
    {"exercise": "rmsprop_step", "name": "AdaGrad's running sum",
     "code": _rms("    V = V + g**2\n"
                  "    return w - lr * g / (np.sqrt(V) + eps), V\n"),
     "expect": "AdaGrad's running sum"},
    {"exercise": "rmsprop_step", "name": "no square root",
     "code": _rms("    V = alpha * V + (1 - alpha) * g**2\n"
                  "    return w - lr * g / (V + eps), V\n"),
     "expect": "the square root is missing"},
    {"exercise": "rmsprop_step", "name": "steps with the old V",
     "code": _rms("    w_new = w - lr * g / (np.sqrt(V) + eps)\n"
                  "    V = alpha * V + (1 - alpha) * g**2\n"
                  "    return w_new, V\n"),
     "expect": "the step used the old V"},
    {"exercise": "rmsprop_step", "name": "eps forgotten",
     "code": _rms("    V = alpha * V + (1 - alpha) * g**2\n"
                  "    return w - lr * g / np.sqrt(V), V\n"),
     "expect": "eps is missing"},
    {"exercise": "rmsprop_step", "name": "V updated in place",
     "code": _rms("    V *= alpha\n"
                  "    V += (1 - alpha) * g**2\n"
                  "    return w - lr * g / (np.sqrt(V) + eps), V\n"),
     "expect": "modified its input `V` in place"},
    {"exercise": "rmsprop_step", "name": "returns (V, w)",
     "code": _rms("    V = alpha * V + (1 - alpha) * g**2\n"
                  "    return V, w - lr * g / (np.sqrt(V) + eps)\n"),
     "expect": "return (w, V), parameters first"},
    # --- adadelta_step --------------------------------------------------------------
    {"exercise": "adadelta_step", "name": "U averages g**2",
     "code": _ad("    V = rho * V + (1 - rho) * g**2\n"
                 "    dx = np.sqrt(U + eps) / np.sqrt(V + eps) * g\n"
                 "    U = rho * U + (1 - rho) * g**2\n"
                 "    return w - lr * dx, V, U\n"),
     "expect": "U was updated with g**2"},
    {"exercise": "adadelta_step", "name": "ratio upside down",
     "code": _ad("    V = rho * V + (1 - rho) * g**2\n"
                 "    dx = np.sqrt(V + eps) / np.sqrt(U + eps) * g\n"
                 "    U = rho * U + (1 - rho) * dx**2\n"
                 "    return w - lr * dx, V, U\n"),
     "expect": "the ratio is upside down"},
    {"exercise": "adadelta_step", "name": "no eps in the numerator",
     "code": _ad("    V = rho * V + (1 - rho) * g**2\n"
                 "    dx = np.sqrt(U) / np.sqrt(V + eps) * g\n"
                 "    U = rho * U + (1 - rho) * dx**2\n"
                 "    return w - lr * dx, V, U\n"),
     "expect": "eps is missing in the numerator"},
    {"exercise": "adadelta_step", "name": "eps outside the roots",
     "code": _ad("    V = rho * V + (1 - rho) * g**2\n"
                 "    dx = (np.sqrt(U) + eps) / (np.sqrt(V) + eps) * g\n"
                 "    U = rho * U + (1 - rho) * dx**2\n"
                 "    return w - lr * dx, V, U\n"),
     "expect": "eps was added outside the square roots"},
    {"exercise": "adadelta_step", "name": "U accumulates lr*dx",
     "code": _ad("    V = rho * V + (1 - rho) * g**2\n"
                 "    step = lr * np.sqrt(U + eps) / np.sqrt(V + eps) * g\n"
                 "    U = rho * U + (1 - rho) * step**2\n"
                 "    return w - step, V, U\n"),
     "expect": "U accumulated the step lr * dx"},
    {"exercise": "adadelta_step", "name": "rho and 1-rho swapped",
     "code": _ad("    V = (1 - rho) * V + rho * g**2\n"
                 "    dx = np.sqrt(U + eps) / np.sqrt(V + eps) * g\n"
                 "    U = (1 - rho) * U + rho * dx**2\n"
                 "    return w - lr * dx, V, U\n"),
     "expect": "rho and 1 - rho are swapped"},
    {"exercise": "adadelta_step", "name": "dx with the old V",
     "code": _ad("    dx = np.sqrt(U + eps) / np.sqrt(V + eps) * g\n"
                 "    V = rho * V + (1 - rho) * g**2\n"
                 "    U = rho * U + (1 - rho) * dx**2\n"
                 "    return w - lr * dx, V, U\n"),
     "expect": "dx used the old V"},
    {"exercise": "adadelta_step", "name": "no lr (the paper's lr = 1)",
     "code": _ad("    V = rho * V + (1 - rho) * g**2\n"
                 "    dx = np.sqrt(U + eps) / np.sqrt(V + eps) * g\n"
                 "    U = rho * U + (1 - rho) * dx**2\n"
                 "    return w - dx, V, U\n"),
     "expect": "lr is missing"},
    {"exercise": "adadelta_step", "name": "returns (w, U, V)",
     "code": _ad("    V = rho * V + (1 - rho) * g**2\n"
                 "    dx = np.sqrt(U + eps) / np.sqrt(V + eps) * g\n"
                 "    U = rho * U + (1 - rho) * dx**2\n"
                 "    return w - lr * dx, U, V\n"),
     "expect": "V and U are swapped in the result"},
    {"exercise": "adadelta_step", "name": "U updated in place",
     "code": _ad("    V = rho * V + (1 - rho) * g**2\n"
                 "    dx = np.sqrt(U + eps) / np.sqrt(V + eps) * g\n"
                 "    U *= rho\n"
                 "    U += (1 - rho) * dx**2\n"
                 "    return w - lr * dx, V, U\n"),
     "expect": "modified its input `U` in place"},
    # --- adadelta_first_step --------------------------------------------------------
    {"exercise": "adadelta_first_step", "name": "the approximation",
     "code": _first("    return np.sqrt(eps / (1 - rho)) * np.sign(g)\n"),
     "expect": "this is the approximation sqrt(eps / (1 - rho)) * sign(g)"},
    {"exercise": "adadelta_first_step", "name": "eps left out of the denominator",
     "code": _first("    g = np.asarray(g, dtype=float)\n"
                    "    return np.sqrt(eps) / np.sqrt((1 - rho) * g**2) * g\n"),
     "expect": "eps was left out of the denominator"},
    {"exercise": "adadelta_first_step", "name": "size without the sign",
     "code": _first("    g = np.asarray(g, dtype=float)\n"
                    "    return np.sqrt(eps) * np.abs(g) / np.sqrt((1 - rho) * g**2 + eps)\n"),
     "expect": "the sign of g is lost"},
    {"exercise": "adadelta_first_step", "name": "no (1-rho)",
     "code": _first("    return np.sqrt(eps) / np.sqrt(g**2 + eps) * g\n"),
     "expect": "the factor (1 - rho) is missing"},
    {"exercise": "adadelta_first_step", "name": "rho instead of 1-rho",
     "code": _first("    return np.sqrt(eps) / np.sqrt(rho * g**2 + eps) * g\n"),
     "expect": "rho instead of 1 - rho"},
    {"exercise": "adadelta_first_step", "name": "U_0 = 0 so no step",
     "code": _first("    U0 = np.zeros_like(np.asarray(g, dtype=float))\n"
                    "    V1 = (1 - rho) * g**2\n"
                    "    return np.sqrt(U0) / np.sqrt(V1 + eps) * g\n"),
     "expect": "the numerator is sqrt(U_0 + eps) = sqrt(eps), not 0"},
    {"exercise": "adadelta_first_step", "name": "ratio upside down",
     "code": _first("    return np.sqrt((1 - rho) * g**2 + eps) / np.sqrt(eps) * g\n"),
     "expect": "the ratio is upside down"},
    {"exercise": "adadelta_first_step", "name": "returns w_1 - w_0",
     "code": _first("    w0 = np.zeros_like(np.asarray(g, dtype=float))\n"
                    "    w1 = w0 - np.sqrt(eps) / np.sqrt((1 - rho) * g**2 + eps) * g\n"
                    "    return w1 - w0\n"),
     "expect": "dx_1 is the update that is subtracted"},
    {"exercise": "adadelta_first_step", "name": "returns U_1",
     "code": _first("    dx = np.sqrt(eps) / np.sqrt((1 - rho) * g**2 + eps) * g\n"
                    "    return (1 - rho) * dx**2\n"),
     "expect": "this is U_1 = (1 - rho) * dx_1**2"},
    {"exercise": "adadelta_first_step", "name": "no square roots",
     "code": _first("    return eps / ((1 - rho) * g**2 + eps) * g\n"),
     "expect": "the square roots are missing"},
]

_FIRST_VIA_STEP = _first("    z = np.zeros_like(np.asarray(g, dtype=float))\n"
                         "    w1, V1, U1 = adadelta_step(z, z, z, g, 1.0, rho, eps)\n"
                         "    return -w1\n")

CORRECT = [
    # --- rmsprop_step ---------------------------------------------------------------
    {"exercise": "rmsprop_step", "name": "incremental EMA V += (1-alpha)(g^2 - V)",
     "code": _rms("    V = V + (1 - alpha) * (np.square(g) - V)\n"
                  "    return w - lr * g / (V**0.5 + eps), V\n")},
    {"exercise": "rmsprop_step", "name": "effective rate first",
     "code": _rms("    V_new = alpha * V + (1 - alpha) * g * g\n"
                  "    rate = lr / (np.sqrt(V_new) + eps)\n"
                  "    return w - rate * g, V_new\n")},
    {"exercise": "rmsprop_step", "name": "float arrays, multiply by the reciprocal",
     "code": _rms("    w, V, g = (np.asarray(x, dtype=float) for x in (w, V, g))\n"
                  "    V = alpha * V + (1.0 - alpha) * g**2\n"
                  "    return w - lr * g * np.reciprocal(np.sqrt(V) + eps), V\n")},
    # --- adadelta_step --------------------------------------------------------------
    {"exercise": "adadelta_step", "name": "an rms helper",
     "code": _ad("    def rms(x):\n"
                 "        return np.sqrt(x + eps)\n"
                 "    V = rho * V + (1 - rho) * g**2\n"
                 "    dx = rms(U) / rms(V) * g\n"
                 "    U = rho * U + (1 - rho) * dx**2\n"
                 "    return w - lr * dx, V, U\n")},
    {"exercise": "adadelta_step", "name": "one root of the ratio, incremental EMAs",
     "code": _ad("    V_new = V + (1 - rho) * (g * g - V)\n"
                 "    dx = np.sqrt((U + eps) / (V_new + eps)) * g\n"
                 "    U_new = U + (1 - rho) * (dx * dx - U)\n"
                 "    return w - lr * dx, V_new, U_new\n")},
    {"exercise": "adadelta_step", "name": "update named delta, w updated last",
     "code": _ad("    V = rho * V + (1 - rho) * np.square(g)\n"
                 "    delta = -np.sqrt(U + eps) / np.sqrt(V + eps) * g\n"
                 "    U = rho * U + (1 - rho) * np.square(delta)\n"
                 "    w = w + lr * delta\n"
                 "    return w, V, U\n")},
    # --- adadelta_first_step --------------------------------------------------------
    {"exercise": "adadelta_first_step", "name": "one step of adadelta_step from zero", "code": _FIRST_VIA_STEP},
    {"exercise": "adadelta_first_step", "name": "g over a single root",
     "code": _first("    g = np.asarray(g, dtype=float)\n"
                    "    return g / np.sqrt(((1 - rho) * g**2 + eps) / eps)\n")},
    {"exercise": "adadelta_first_step", "name": "sign times size",
     "code": _first("    g = np.asarray(g, dtype=float)\n"
                    "    V1 = (1 - rho) * g * g\n"
                    "    return np.sign(g) * np.sqrt(eps * g * g / (V1 + eps))\n")},
]

COMPOSITE = [
    {"exercise": "adadelta_first_step", "name": "adadelta_step without eps on top", "code": _FIRST_VIA_STEP,
     "helper_broken": {"adadelta_step": _ad("    V = rho * V + (1 - rho) * g**2\n"
                                            "    dx = np.sqrt(U) / np.sqrt(V + eps) * g\n"
                                            "    U = rho * U + (1 - rho) * dx**2\n"
                                            "    return w - lr * dx, V, U\n")},
     "expect": "your `adadelta_step`, which is wrong"},
    {"exercise": "adadelta_first_step", "name": "adadelta_step not implemented", "code": _FIRST_VIA_STEP,
     "helper_broken": {"adadelta_step": _ad("    raise NotImplementedError()\n")},
     "expect": "your `adadelta_step`, which is wrong"},
    {"exercise": "adadelta_first_step", "name": "adadelta_step ascends", "code": _FIRST_VIA_STEP,
     "helper_broken": {"adadelta_step": _ad("    V = rho * V + (1 - rho) * g**2\n"
                                            "    dx = np.sqrt(U + eps) / np.sqrt(V + eps) * g\n"
                                            "    U = rho * U + (1 - rho) * dx**2\n"
                                            "    return w + lr * dx, V, U\n")},
     "expect": "your `adadelta_step`, which is wrong"},
]
