"""Answers to the exercises of assignment 08_adam (format: autograder/mutants/README.md).

MUTANTS: wrong answers learners write; each must lose points and its feedback must contain
`expect`, words of the hint that optimlab.checks.adam (or the engine) prints for that mistake.
CORRECT: right answers written differently; each must pass. The code runs after the notebook's
first cells, so `np` is defined.
"""

_ADAM = "def adam_step(w, m, V, g, t, lr, beta1, beta2, eps):\n"
_SOFTMAX = "def softmax_ce_grad(W, b, X, y):\n"


def _adam(m="beta1 * m + (1 - beta1) * g", V="beta2 * V + (1 - beta2) * g**2", m_hat="m / (1 - beta1**t)",
          V_hat="V / (1 - beta2**t)", step="w - lr * m_hat / (np.sqrt(V_hat) + eps)", ret="w_new, m, V"):
    return (_ADAM + f"    m = {m}\n    V = {V}\n    m_hat = {m_hat}\n    V_hat = {V_hat}\n"
            f"    w_new = {step}\n    return {ret}\n")


_RULES = '''def first_moment(method, m, g, t, beta1):
    if method in ("sgd", "adagrad", "rmsprop"):
        return g, g
    m = {m_rule}
    return m, ({m_hat} if method == "adam" else m)


def second_moment(method, V, g, t, beta2):
    if method in ("sgd", "sgdm"):
        return np.ones_like(g), np.ones_like(g)
    if method == "adagrad":
        V = {sum_rule}
        return V, V
    V = {V_rule}
    return V, ({V_hat} if method == "adam" else V)


def frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps):
    m, m_used = first_moment(method, m, g, t, beta1)
    V, V_used = second_moment(method, V, g, t, beta2)
{step}
'''
_STEP = '''    if method in ("sgd", "sgdm"):
        return w - lr * m_used, m, V
    return w - lr * m_used / (np.sqrt(V_used) + eps), m, V'''


def _frame(m_rule="beta1 * m + (1 - beta1) * g", m_hat="m / (1 - beta1**t)", sum_rule="V + g**2",
           V_rule="beta2 * V + (1 - beta2) * g**2", V_hat="V / (1 - beta2**t)", step=_STEP):
    return _RULES.format(m_rule=m_rule, m_hat=m_hat, sum_rule=sum_rule, V_rule=V_rule, V_hat=V_hat, step=step)


def _softmax(P="E / E.sum(axis=1, keepdims=True)", E="np.exp(Z - Z.max(axis=1, keepdims=True))",
             G="(P - np.eye(W.shape[1])[y]) / X.shape[0]", ret="X.T @ G, G.sum(axis=0)"):
    return _SOFTMAX + f"    Z = X @ W + b\n    E = {E}\n    P = {P}\n    G = {G}\n    return {ret}\n"


MUTANTS = [
    # --- adam_step --------------------------------------------------------------------------
    {"exercise": "adam_step", "name": "eps inside the root",
     "code": _adam(step="w - lr * m_hat / np.sqrt(V_hat + eps)"),
     "expect": "eps is inside the square root"},
    {"exercise": "adam_step", "name": "Keras's epsilon hat",
     "code": _adam(step="w - lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (np.sqrt(V) + eps)"),
     "expect": "this is Keras's Adam"},
    {"exercise": "adam_step", "name": "no bias correction",
     "code": _adam(m_hat="m", V_hat="V"),
     "expect": "the bias correction is missing"},
    {"exercise": "adam_step", "name": "corrected moments returned as the state",
     "code": _adam(ret="w_new, m_hat, V_hat"),
     "expect": "the bias correction was applied to the state"},
    {"exercise": "adam_step", "name": "state overwritten by the corrected moments",
     "code": (_ADAM + "    m = beta1 * m + (1 - beta1) * g\n    V = beta2 * V + (1 - beta2) * g**2\n"
              "    m = m / (1 - beta1**t)\n    V = V / (1 - beta2**t)\n"
              "    return w - lr * m / (np.sqrt(V) + eps), m, V\n"),
     "expect": "the bias correction was applied to the state"},
    {"exercise": "adam_step", "name": "only m corrected",
     "code": _adam(V_hat="V"),
     "expect": "only m was bias-corrected"},
    {"exercise": "adam_step", "name": "t counted from 0",
     "code": _adam(m_hat="m / (1 - beta1**(t + 1))", V_hat="V / (1 - beta2**(t + 1))"),
     "expect": "the bias correction uses t + 1"},
    {"exercise": "adam_step", "name": "power t missing",
     "code": _adam(m_hat="m / (1 - beta1)", V_hat="V / (1 - beta2)"),
     "expect": "the power t is missing"},
    {"exercise": "adam_step", "name": "beta1 swapped with 1 - beta1",
     "code": _adam(m="(1 - beta1) * m + beta1 * g"),
     "expect": "beta1 and 1 - beta1 are swapped"},
    {"exercise": "adam_step", "name": "heavy-ball first moment",
     "code": _adam(m="beta1 * m + g"),
     "expect": "m has no (1 - beta1) factor"},
    {"exercise": "adam_step", "name": "beta1 for both moments",
     "code": _adam(V="beta1 * V + (1 - beta1) * g**2", V_hat="V / (1 - beta1**t)"),
     "expect": "beta1 was used for V too"},
    {"exercise": "adam_step", "name": "V averages |g|",
     "code": _adam(V="beta2 * V + (1 - beta2) * np.abs(g)"),
     "expect": "V averages |g| instead of g**2"},
    {"exercise": "adam_step", "name": "no square root",
     "code": _adam(step="w - lr * m_hat / (V_hat + eps)"),
     "expect": "the square root is missing"},
    {"exercise": "adam_step", "name": "eps dropped",
     "code": _adam(step="w - lr * m_hat / np.sqrt(V_hat)"),
     "expect": "eps is missing"},
    {"exercise": "adam_step", "name": "plus sign",
     "code": _adam(step="w + lr * m_hat / (np.sqrt(V_hat) + eps)"),
     "expect": "the step goes downhill"},
    {"exercise": "adam_step", "name": "returns (w, V, m)",
     "code": _adam(ret="w_new, V, m"),
     "expect": "wrong order"},
    {"exercise": "adam_step", "name": "moments updated in place",
     "code": (_ADAM + "    m *= beta1\n    m += (1 - beta1) * g\n    V *= beta2\n    V += (1 - beta2) * g**2\n"
              "    m_hat = m / (1 - beta1**t)\n    V_hat = V / (1 - beta2**t)\n"
              "    return w - lr * m_hat / (np.sqrt(V_hat) + eps), m, V\n"),
     "expect": "modified its input"},
    # --- frame_step --------------------------------------------------------------------------
    {"exercise": "frame_step", "name": "eps for SGD and SGDM too",
     "code": _frame(step="    return w - lr * m_used / (np.sqrt(V_used) + eps), m, V"),
     "expect": "SGD and SGDM got eps in the denominator"},
    {"exercise": "frame_step", "name": "eps inside the root",
     "code": _frame(step=_STEP.replace("(np.sqrt(V_used) + eps)", "np.sqrt(V_used + eps)")),
     "expect": "eps is inside the square root"},
    {"exercise": "frame_step", "name": "Adam without bias correction",
     "code": _frame(m_hat="m", V_hat="V"),
     "expect": "Adam's bias correction is missing"},
    {"exercise": "frame_step", "name": "Adam's corrected moments as the state",
     "code": _frame(step='''    if method == "adam":
        m, V = m_used, V_used
''' + _STEP),
     "expect": "Adam's bias correction was applied to the state"},
    {"exercise": "frame_step", "name": "bias correction for SGDM and RMSProp too",
     "code": _frame().replace('if method == "adam" else m)', 'if method in ("adam", "sgdm") else m)')
                     .replace('if method == "adam" else V)', 'if method in ("adam", "rmsprop") else V)'),
     "expect": "a bias correction was applied to SGDM or RMSProp"},
    {"exercise": "frame_step", "name": "heavy-ball first moment",
     "code": _frame(m_rule="beta1 * m + g"),
     "expect": "the first moment has no (1 - beta1) factor"},
    {"exercise": "frame_step", "name": "RMSProp as AdaGrad's sum",
     "code": _frame(V_rule='V + g**2 if method == "rmsprop" else beta2 * V + (1 - beta2) * g**2'),
     "expect": "RMSProp's V is a running sum"},
    {"exercise": "frame_step", "name": "AdaGrad as an average",
     "code": _frame(sum_rule="beta2 * V + (1 - beta2) * g**2"),
     "expect": "AdaGrad's V is an average"},
    {"exercise": "frame_step", "name": "m passed through for SGD",
     "code": _frame().replace('        return g, g\n', '        return m, g\n'),
     "expect": "m came back unchanged"},
    {"exercise": "frame_step", "name": "step with the old moments",
     "code": '''def frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps):
    if method == "sgd":
        return w - lr * g, g, np.ones_like(g)
    if method == "sgdm":
        w_new = w - lr * m
        m = beta1 * m + (1 - beta1) * g
        return w_new, m, np.ones_like(g)
    if method == "adagrad":
        w_new = w - lr * g / (np.sqrt(V) + eps)
        return w_new, g, V + g**2
    if method == "rmsprop":
        w_new = w - lr * g / (np.sqrt(V) + eps)
        return w_new, g, beta2 * V + (1 - beta2) * g**2
    w_new = w - lr * (m / (1 - beta1**t)) / (np.sqrt(V / (1 - beta2**t)) + eps)
    return w_new, beta1 * m + (1 - beta1) * g, beta2 * V + (1 - beta2) * g**2
''',
     "expect": "the step used the old moments"},
    {"exercise": "frame_step", "name": "no square root",
     "code": _frame(step=_STEP.replace("(np.sqrt(V_used) + eps)", "(V_used + eps)")),
     "expect": "the square root is missing"},
    {"exercise": "frame_step", "name": "t counted from 0 in Adam",
     "code": _frame(m_hat="m / (1 - beta1**(t + 1))", V_hat="V / (1 - beta2**(t + 1))"),
     "expect": "the step counter is off by one"},
    {"exercise": "frame_step", "name": "SGDM with beta2",
     "code": '''def frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps):
    if method == "sgd":
        return w - lr * g, g, np.ones_like(g)
    if method == "sgdm":
        m = beta2 * m + (1 - beta2) * g
        return w - lr * m, m, np.ones_like(g)
    if method in ("adagrad", "rmsprop"):
        V = V + g**2 if method == "adagrad" else beta2 * V + (1 - beta2) * g**2
        return w - lr * g / (np.sqrt(V) + eps), g, V
    m = beta1 * m + (1 - beta1) * g
    V = beta2 * V + (1 - beta2) * g**2
    return w - lr * (m / (1 - beta1**t)) / (np.sqrt(V / (1 - beta2**t)) + eps), m, V
''',
     "expect": "SGDM averaged with beta2"},
    # --- softmax_ce_grad ----------------------------------------------------------------------
    {"exercise": "softmax_ce_grad", "name": "exp without the row maximum",
     "code": _softmax(E="np.exp(Z)"),
     "expect": "exp overflowed"},
    {"exercise": "softmax_ce_grad", "name": "sum instead of mean",
     "code": _softmax(G="P - np.eye(W.shape[1])[y]"),
     "expect": "the mean over the N examples is missing"},
    {"exercise": "softmax_ce_grad", "name": "targets minus probabilities",
     "code": _softmax(G="(np.eye(W.shape[1])[y] - P) / X.shape[0]"),
     "expect": "the sign"},
    {"exercise": "softmax_ce_grad", "name": "one-hot not subtracted",
     "code": _softmax(G="P / X.shape[0]"),
     "expect": "onehot(y) was not subtracted"},
    {"exercise": "softmax_ce_grad", "name": "softmax down the columns",
     "code": _softmax(E="np.exp(Z - Z.max(axis=0))", P="E / E.sum(axis=0)"),
     "expect": "the wrong axis"},
    {"exercise": "softmax_ce_grad", "name": "seed 004's MSE gradient",
     "code": (_SOFTMAX + "    Z = X @ W + b\n    E = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
              "    P = E / E.sum(axis=1, keepdims=True)\n"
              "    D = 2 * (P - np.eye(W.shape[1])[y]) / P.size\n"
              "    G = P * (D - np.sum(P * D, axis=1, keepdims=True))\n"
              "    return X.T @ G, G.sum(axis=0)\n"),
     "expect": "mean squared error on the softmax outputs"},
    {"exercise": "softmax_ce_grad", "name": "labels instead of one-hot rows",
     "code": _softmax(G="(P - y[:, None]) / X.shape[0]"),
     "expect": "the targets are the labels themselves"},
    {"exercise": "softmax_ce_grad", "name": "logits instead of probabilities",
     "code": _softmax(G="(Z - np.eye(W.shape[1])[y]) / X.shape[0]"),
     "expect": "the softmax is missing"},
    {"exercise": "softmax_ce_grad", "name": "db averaged again",
     "code": _softmax(ret="X.T @ G, G.mean(axis=0)"),
     "expect": "db was divided by N twice"},
    {"exercise": "softmax_ce_grad", "name": "bias gradient left at zero",
     "code": _softmax(ret="X.T @ G, np.zeros(W.shape[1])"),
     "expect": "db is zero"},
    {"exercise": "softmax_ce_grad", "name": "dW averaged twice",
     "code": _softmax(ret="X.T @ G / X.shape[0], G.sum(axis=0)"),
     "expect": "dW was divided by N twice"},
    {"exercise": "softmax_ce_grad", "name": "mean over every entry (divided by N * C)",
     "code": _softmax(G="(P - np.eye(W.shape[1])[y]) / P.size"),
     "expect": "the mean was taken over all N * C entries"},
]

CORRECT = [
    {"exercise": "adam_step", "name": "corrections folded into the rate, eps rescaled",
     "code": (_ADAM + "    m = beta1 * m + (1 - beta1) * g\n    V = beta2 * V + (1 - beta2) * g * g\n"
              "    bc1, bc2 = 1 - beta1**t, 1 - beta2**t\n"
              "    return w - (lr / bc1) * m / (np.sqrt(V) / np.sqrt(bc2) + eps), m, V\n")},
    {"exercise": "adam_step", "name": "torch's in-place style on copies",
     "code": (_ADAM + "    m, V = np.array(m, dtype=float), np.array(V, dtype=float)\n"
              "    m += (1 - beta1) * (g - m)\n    V += (1 - beta2) * (g * g - V)\n"
              "    denom = np.sqrt(V / (1 - beta2**t)) + eps\n"
              "    return w - lr * (m / (1 - beta1**t)) / denom, m, V\n")},
    {"exercise": "adam_step", "name": "the library positionally",
     "code": (_ADAM + "    import optimlab\n"
              "    return optimlab.adam_step(np.asarray(w, float), np.asarray(m, float), np.asarray(V, float),\n"
              "                              np.asarray(g, float), t, lr, beta1, beta2, eps)\n")},
    {"exercise": "frame_step", "name": "one function with if/elif",
     "code": '''def frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps):
    if method == "sgd":
        return w - lr * g, g, np.ones_like(g)
    if method == "sgdm":
        m = beta1 * m + (1 - beta1) * g
        return w - lr * m, m, np.ones_like(g)
    if method == "adagrad":
        V = V + g * g
        return w - lr * g / (np.sqrt(V) + eps), g, V
    if method == "rmsprop":
        V = beta2 * V + (1 - beta2) * g * g
        return w - lr * g / (np.sqrt(V) + eps), g, V
    m = beta1 * m + (1 - beta1) * g
    V = beta2 * V + (1 - beta2) * g * g
    return w - lr * (m / (1 - beta1**t)) / (np.sqrt(V / (1 - beta2**t)) + eps), m, V
'''},
    {"exercise": "frame_step", "name": "rules in a table of lambdas",
     "code": '''FIRST = {
    "sgd": lambda m, g, b: g, "adagrad": lambda m, g, b: g, "rmsprop": lambda m, g, b: g,
    "sgdm": lambda m, g, b: b * m + (1 - b) * g, "adam": lambda m, g, b: b * m + (1 - b) * g,
}
SECOND = {
    "sgd": lambda V, g, b: np.ones_like(g), "sgdm": lambda V, g, b: np.ones_like(g),
    "adagrad": lambda V, g, b: V + g**2,
    "rmsprop": lambda V, g, b: b * V + (1 - b) * g**2, "adam": lambda V, g, b: b * V + (1 - b) * g**2,
}


def frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps):
    m = FIRST[method](m, g, beta1)
    V = SECOND[method](V, g, beta2)
    if method == "adam":
        return w - lr * (m / (1 - beta1**t)) / (np.sqrt(V / (1 - beta2**t)) + eps), m, V
    if method in ("sgd", "sgdm"):
        return w - lr * m, m, V
    return w - lr * m / (np.sqrt(V) + eps), m, V
'''},
    {"exercise": "frame_step", "name": "eps zero for SGD, one formula",
     "code": _frame(step='''    eps = 0.0 if method in ("sgd", "sgdm") else eps
    return w - lr * m_used / (np.sqrt(V_used) + eps), m, V''')},
    {"exercise": "softmax_ce_grad", "name": "log-sum-exp probabilities",
     "code": (_SOFTMAX + "    Z = X @ W + b\n    Z = Z - Z.max(axis=1, keepdims=True)\n"
              "    P = np.exp(Z - np.log(np.exp(Z).sum(axis=1, keepdims=True)))\n"
              "    P[np.arange(len(y)), y] -= 1\n    G = P / len(X)\n"
              "    return X.T @ G, G.sum(axis=0)\n")},
    {"exercise": "softmax_ce_grad", "name": "loop over the examples",
     "code": (_SOFTMAX + "    dW, db = np.zeros(W.shape), np.zeros(W.shape[1])\n"
              "    for x_i, y_i in zip(X, y):\n"
              "        z = x_i @ W + b\n        p = np.exp(z - z.max())\n        p = p / p.sum()\n"
              "        p[y_i] -= 1\n        dW += np.outer(x_i, p) / len(X)\n        db += p / len(X)\n"
              "    return dW, db\n")},
    {"exercise": "softmax_ce_grad", "name": "the library's softmax and einsum",
     "code": (_SOFTMAX + "    from optimlab.models import softmax\n"
              "    G = (softmax(X @ W + b) - np.eye(W.shape[1])[y]) / X.shape[0]\n"
              "    return np.einsum('nd,nc->dc', X, G), G.sum(axis=0)\n")},
]
