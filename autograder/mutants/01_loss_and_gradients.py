"""Answers to the exercises of assignment 01_loss_and_gradients (format: autograder/mutants/README.md).

MUTANTS: wrong answers learners write; each must lose points and its feedback must contain
`expect`, a keyword that describes the actual mistake. CORRECT: right answers written
differently; each must pass. `"pending"` marks what the checks do not handle yet
(tests/test_catalogue.py runs them as xfail).
"""

_LOSS = "def quadratic_loss(w, x, y):\n"
_GRAD = "def quadratic_grad(w, x, y):\n"
_NUM = "def numerical_gradient(f, w, h=1e-5):\n"
_PRED = "    y_hat = w[0] * x**2 + w[1] * x + w[2]\n"
_R = "    r = w[0] * x**2 + w[1] * x + w[2] - y\n"

MUTANTS = [
    # --- quadratic_loss -------------------------------------------------------------
    {"exercise": "quadratic_loss", "name": "sum instead of mean",
     "code": _LOSS + _PRED + "    return np.sum((y_hat - y) ** 2)\n",
     "expect": "summed, not averaged"},
    {"exercise": "quadratic_loss", "name": "factor 1/2",
     "code": _LOSS + _PRED + "    return 0.5 * np.mean((y_hat - y) ** 2)\n",
     "expect": "a factor 1/2 crept in"},
    {"exercise": "quadratic_loss", "name": "missing square",
     "code": _LOSS + _PRED + "    return np.mean(y_hat - y)\n",
     "expect": "the errors are not squared"},
    {"exercise": "quadratic_loss", "name": "wrong parameter order",
     "code": _LOSS + "    y_hat = w[2] * x**2 + w[1] * x + w[0]\n    return np.mean((y_hat - y) ** 2)\n",
     "expect": "the parameters are in the wrong order"},
    {"exercise": "quadratic_loss", "name": "mean absolute error",
     "code": _LOSS + _PRED + "    return np.mean(np.abs(y_hat - y))\n",
     "expect": "mean absolute error"},
    {"exercise": "quadratic_loss", "name": "square of the mean",
     "code": _LOSS + _PRED + "    return np.mean(y_hat - y) ** 2\n",
     "expect": "the mean was squared"},
    {"exercise": "quadratic_loss", "name": "root mean squared error",
     "code": _LOSS + _PRED + "    return np.sqrt(np.mean((y_hat - y) ** 2))\n",
     "expect": "root mean squared error"},
    # the sample variance's divisor
    {"exercise": "quadratic_loss", "name": "divides by N - 1",
     "code": _LOSS + _PRED + "    return np.sum((y_hat - y) ** 2) / (len(x) - 1)\n",
     "expect": "N - 1"},
    # the number of parameters, not of samples
    {"exercise": "quadratic_loss", "name": "divides by len(w)",
     "code": _LOSS + _PRED + "    return np.sum((y_hat - y) ** 2) / len(w)\n",
     "expect": "len(w)"},
    {"exercise": "quadratic_loss", "name": "x and x**2 swapped",
     "code": _LOSS + "    y_hat = w[0] * x + w[1] * x**2 + w[2]\n    return np.mean((y_hat - y) ** 2)\n",
     "expect": "x and x**2"},
    # in Python x^2 is the bitwise XOR, not a power: a TypeError for floats, nonsense for integers
    {"exercise": "quadratic_loss", "name": "x^2 (XOR) for the square",
     "code": _LOSS + "    y_hat = w[0] * x^2 + w[1] * x + w[2]\n    return np.mean((y_hat - y) ** 2)\n",
     "expect": "XOR"},
    {"exercise": "quadratic_loss", "name": "constant term w[2] left out",
     "code": _LOSS + "    y_hat = w[0] * x**2 + w[1] * x\n    return np.mean((y_hat - y) ** 2)\n",
     "expect": "constant"},
    # --- quadratic_grad -------------------------------------------------------------
    {"exercise": "quadratic_grad", "name": "sign flipped (y - y_hat)",
     "code": (_GRAD +
              "    r = y - (w[0] * x**2 + w[1] * x + w[2])\n"
              "    return 2 * np.array([np.mean(r * x**2), np.mean(r * x), np.mean(r)])\n"),
     "expect": "the sign is flipped"},
    {"exercise": "quadratic_grad", "name": "missing factor 2",
     "code": _GRAD + _R + "    return np.array([np.mean(r * x**2), np.mean(r * x), np.mean(r)])\n",
     "expect": "the factor 2 is missing"},
    {"exercise": "quadratic_grad", "name": "x instead of x^2 for w1",
     "code": _GRAD + _R + "    return 2 * np.array([np.mean(r * x), np.mean(r * x), np.mean(r)])\n",
     "expect": "chain-rule slip"},
    {"exercise": "quadratic_grad", "name": "sum instead of mean",
     "code": _GRAD + _R + "    return 2 * np.array([np.sum(r * x**2), np.sum(r * x), np.sum(r)])\n",
     "expect": "summed over the samples, not averaged"},
    # d(x^2)/dx = 2x where d(w1 x^2)/dw1 = x^2 was meant
    {"exercise": "quadratic_grad", "name": "differentiated x**2 with respect to x",
     "code": _GRAD + _R + "    return 2 * np.array([np.mean(r * 2 * x), np.mean(r * x), np.mean(r)])\n",
     "expect": "respect to x"},
    {"exercise": "quadratic_grad", "name": "components in reverse order",
     "code": _GRAD + _R + "    return 2 * np.array([np.mean(r), np.mean(r * x), np.mean(r * x**2)])\n",
     "expect": "order"},
    # the chain rule's outer factor 2 r dropped: the derivative of the model alone
    {"exercise": "quadratic_grad", "name": "residual dropped",
     "code": _GRAD + "    return 2 * np.array([np.mean(x**2), np.mean(x), 1.0])\n",
     "expect": "residual"},
    {"exercise": "quadratic_grad", "name": "product of the means",
     "code": _GRAD + _R + "    return 2 * np.mean(r) * np.array([np.mean(x**2), np.mean(x), 1.0])\n",
     "expect": "product of the means"},
    {"exercise": "quadratic_grad", "name": "divides by N - 1",
     "code": _GRAD + _R + "    return 2 / (len(x) - 1) * np.array([np.sum(r * x**2), np.sum(r * x), np.sum(r)])\n",
     "expect": "N - 1"},
    {"exercise": "quadratic_grad", "name": "divides by len(w)",
     "code": _GRAD + _R + "    return 2 / len(w) * np.array([np.sum(r * x**2), np.sum(r * x), np.sum(r)])\n",
     "expect": "len(w)"},
    # the mean taken over the three features instead of over the samples
    {"exercise": "quadratic_grad", "name": "averaged over the wrong axis",
     "code": (_GRAD + _R +
              "    features = np.stack([x**2, x, np.ones_like(x)])\n"
              "    return 2 * np.mean(r * features, axis=0)\n"),
     "expect": "axis"},
    # np.zeros_like(w) holds integers when w does: every component truncated
    {"exercise": "quadratic_grad", "name": "np.zeros_like(w) truncates integers",
     "code": (_GRAD + _R +
              "    grad = np.zeros_like(w)\n"
              "    grad[0] = 2 * np.mean(r * x**2)\n"
              "    grad[1] = 2 * np.mean(r * x)\n"
              "    grad[2] = 2 * np.mean(r)\n"
              "    return grad\n"),
     "expect": "integer"},
    # the prediction inside the residual forgets w[2]
    {"exercise": "quadratic_grad", "name": "constant term left out of the residual",
     "code": (_GRAD +
              "    r = w[0] * x**2 + w[1] * x - y\n"
              "    return 2 * np.array([np.mean(r * x**2), np.mean(r * x), np.mean(r)])\n"),
     "expect": "constant"},
    # --- numerical_gradient ---------------------------------------------------------
    {"exercise": "numerical_gradient", "name": "forward difference",
     "code": (_NUM +
              "    grad = np.zeros(w.shape)\n"
              "    f0 = f(w)\n"
              "    for j in np.ndindex(w.shape):\n"
              "        w_plus = w.copy()\n"
              "        w_plus[j] += h\n"
              "        grad[j] = (f(w_plus) - f0) / h\n"
              "    return grad\n"),
     "expect": "that is the forward difference"},
    {"exercise": "numerical_gradient", "name": "divides by h instead of 2h",
     "code": (_NUM +
              "    grad = np.zeros(w.shape)\n"
              "    for j in np.ndindex(w.shape):\n"
              "        w_plus, w_minus = w.copy(), w.copy()\n"
              "        w_plus[j] += h\n"
              "        w_minus[j] -= h\n"
              "        grad[j] = (f(w_plus) - f(w_minus)) / h\n"
              "    return grad\n"),
     "expect": "divide by 2h, not by h"},
    {"exercise": "numerical_gradient", "name": "w not restored (in place)",
     "code": (_NUM +
              "    grad = np.zeros(w.shape)\n"
              "    for j in np.ndindex(w.shape):\n"
              "        w[j] += h\n"
              "        f_plus = f(w)\n"
              "        w[j] -= 2 * h\n"
              "        f_minus = f(w)\n"
              "        grad[j] = (f_plus - f_minus) / (2 * h)\n"
              "    return grad\n"),
     "expect": "your function left `w` modified"},
    {"exercise": "numerical_gradient", "name": "loops over rows only",
     "code": (_NUM +
              "    grad = np.zeros(w.shape)\n"
              "    for i in range(len(w)):\n"
              "        w_plus, w_minus = w.copy(), w.copy()\n"
              "        w_plus[i] += h\n"
              "        w_minus[i] -= h\n"
              "        grad[i] = (f(w_plus) - f(w_minus)) / (2 * h)\n"
              "    return grad\n"),
     "expect": "perturbs a whole row"},
    {"exercise": "numerical_gradient", "name": "backward difference",
     "code": (_NUM +
              "    grad = np.zeros(w.shape)\n"
              "    for j in np.ndindex(w.shape):\n"
              "        w_minus = w.copy()\n"
              "        w_minus[j] -= h\n"
              "        grad[j] = (f(w) - f(w_minus)) / h\n"
              "    return grad\n"),
     "expect": "backward difference"},
    {"exercise": "numerical_gradient", "name": "operator precedence / 2 * h",
     "code": (_NUM +
              "    grad = np.zeros(w.shape)\n"
              "    for j in np.ndindex(w.shape):\n"
              "        w_plus, w_minus = w.copy(), w.copy()\n"
              "        w_plus[j] += h\n"
              "        w_minus[j] -= h\n"
              "        grad[j] = (f(w_plus) - f(w_minus)) / 2 * h\n"
              "    return grad\n"),
     "expect": "/ (2 * h)"},
    {"exercise": "numerical_gradient", "name": "every entry perturbed at once",
     "code": (_NUM +
              "    return (f(w + h) - f(w - h)) / (2 * h) * np.ones(np.shape(w))\n"),
     "expect": "at once"},
    # a list comprehension over the first axis: right for vectors only
    {"exercise": "numerical_gradient", "name": "list over range(len(w))",
     "code": (_NUM +
              "    def partial(i):\n"
              "        e = np.zeros(len(w))\n"
              "        e[i] = h\n"
              "        return (f(w + e) - f(w - e)) / (2 * h)\n"
              "    return np.array([partial(i) for i in range(len(w))])\n"),
     "expect": "range(len(w))"},
    # the step is fixed inside, whatever h the caller passes
    {"exercise": "numerical_gradient", "name": "h hard-coded 1e-5",
     "code": (_NUM +
              "    eps = 1e-5\n"
              "    grad = np.zeros(w.shape)\n"
              "    for j in np.ndindex(w.shape):\n"
              "        w_plus, w_minus = w.copy(), w.copy()\n"
              "        w_plus[j] += eps\n"
              "        w_minus[j] -= eps\n"
              "        grad[j] = (f(w_plus) - f(w_minus)) / (2 * eps)\n"
              "    return grad\n"),
     "expect": "ignores h"},
    # np.zeros_like and w.copy() keep an integer dtype: w + h is truncated back to w
    {"exercise": "numerical_gradient", "name": "integer w: zeros_like and copy",
     "code": (_NUM +
              "    grad = np.zeros_like(w)\n"
              "    for j in np.ndindex(w.shape):\n"
              "        w_plus, w_minus = w.copy(), w.copy()\n"
              "        w_plus[j] += h\n"
              "        w_minus[j] -= h\n"
              "        grad[j] = (f(w_plus) - f(w_minus)) / (2 * h)\n"
              "    return grad\n"),
     "expect": "integer"},
    # `w_plus = w` gives the same array two names: both "copies" are w itself
    {"exercise": "numerical_gradient", "name": "w_plus = w does not copy",
     "code": (_NUM +
              "    grad = np.zeros(w.shape)\n"
              "    for j in np.ndindex(w.shape):\n"
              "        w_plus = w\n"
              "        w_plus[j] += h\n"
              "        w_minus = w\n"
              "        w_minus[j] -= h\n"
              "        grad[j] = (f(w_plus) - f(w_minus)) / (2 * h)\n"
              "    return grad\n"),
     "expect": "does not copy"},
]

CORRECT = [
    # --- quadratic_loss -------------------------------------------------------------
    {"exercise": "quadratic_loss", "name": "residual y - y_hat, dot product",
     "code": (_LOSS +
              "    r = y - (w[0] * x * x + w[1] * x + w[2])\n"
              "    return r @ r / len(x)\n")},
    {"exercise": "quadratic_loss", "name": "np.polyval",
     "code": _LOSS + "    return np.mean((np.polyval(w, x) - y) ** 2)\n"},
    {"exercise": "quadratic_loss", "name": "plain Python loop, lists accepted",
     "code": (_LOSS +
              "    total = 0.0\n"
              "    for xi, yi in zip(x, y):\n"
              "        total += (w[0] * xi**2 + w[1] * xi + w[2] - yi) ** 2\n"
              "    return total / len(x)\n")},
    {"exercise": "quadratic_loss", "name": "design matrix",
     "code": (_LOSS +
              "    X = np.column_stack([np.square(x), x, np.ones(len(x))])\n"
              "    return float(np.mean((X @ np.asarray(w, dtype=float) - y) ** 2))\n")},
    # --- quadratic_grad -------------------------------------------------------------
    {"exercise": "quadratic_grad", "name": "design matrix A.T @ r",
     "code": (_GRAD +
              "    x = np.asarray(x, dtype=float)\n"
              "    A = np.stack([x**2, x, np.ones_like(x)], axis=1)\n"
              "    r = A @ np.asarray(w, dtype=float) - np.asarray(y, dtype=float)\n"
              "    return 2 * A.T @ r / len(x)\n")},
    {"exercise": "quadratic_grad", "name": "-2 times y - y_hat",
     "code": (_GRAD +
              "    e = y - (w[0] * x**2 + w[1] * x + w[2])\n"
              "    return -2 * np.array([np.mean(e * x**2), np.mean(e * x), np.mean(e)])\n")},
    {"exercise": "quadratic_grad", "name": "loop over the samples",
     "code": (_GRAD +
              "    grad = np.zeros(3)\n"
              "    for xi, yi in zip(x, y):\n"
              "        r = w[0] * xi**2 + w[1] * xi + w[2] - yi\n"
              "        grad += 2 * r * np.array([xi**2, xi, 1.0])\n"
              "    return grad / len(x)\n")},
    # --- numerical_gradient ---------------------------------------------------------
    {"exercise": "numerical_gradient", "name": "flat view of a float copy",
     "code": (_NUM +
              "    w = np.array(w, dtype=float)\n"
              "    flat = w.reshape(-1)\n"
              "    grad = np.empty(flat.size)\n"
              "    for j in range(flat.size):\n"
              "        old = flat[j]\n"
              "        flat[j] = old + h\n"
              "        up = f(w)\n"
              "        flat[j] = old - h\n"
              "        down = f(w)\n"
              "        flat[j] = old\n"
              "        grad[j] = (up - down) / (2 * h)\n"
              "    return grad.reshape(w.shape)\n")},
    {"exercise": "numerical_gradient", "name": "unit arrays e_j",
     "code": (_NUM +
              "    w = np.asarray(w, dtype=float)\n"
              "    grad = np.zeros(w.shape)\n"
              "    for j in np.ndindex(w.shape):\n"
              "        e = np.zeros(w.shape)\n"
              "        e[j] = 1.0\n"
              "        grad[j] = (f(w + h * e) - f(w - h * e)) / (2 * h)\n"
              "    return grad\n")},
    {"exercise": "numerical_gradient", "name": "np.eye rows reshaped",
     "code": (_NUM +
              "    w = np.asarray(w, dtype=float)\n"
              "    basis = np.eye(w.size).reshape((w.size,) + w.shape)\n"
              "    diffs = [f(w + h * e) - f(w - h * e) for e in basis]\n"
              "    return np.array(diffs).reshape(w.shape) / (2 * h)\n")},
]
