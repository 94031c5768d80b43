"""Typical wrong answers of assignment 01_loss_and_gradients, for the "wrong implementations
score less" test: each must lose points, and its feedback must contain `expect` (the hint that
optimlab.checks.loss_and_gradients prints for that mistake)."""

MUTANTS = [
    # --- quadratic_loss -------------------------------------------------------------
    {"exercise": "quadratic_loss", "name": "sum instead of mean",
     "code": ("def quadratic_loss(w, x, y):\n"
              "    y_hat = w[0] * x**2 + w[1] * x + w[2]\n"
              "    return np.sum((y_hat - y) ** 2)\n"),
     "expect": "summed, not averaged"},
    {"exercise": "quadratic_loss", "name": "factor 1/2",
     "code": ("def quadratic_loss(w, x, y):\n"
              "    y_hat = w[0] * x**2 + w[1] * x + w[2]\n"
              "    return 0.5 * np.mean((y_hat - y) ** 2)\n"),
     "expect": "a factor 1/2 crept in"},
    {"exercise": "quadratic_loss", "name": "missing square",
     "code": ("def quadratic_loss(w, x, y):\n"
              "    y_hat = w[0] * x**2 + w[1] * x + w[2]\n"
              "    return np.mean(y_hat - y)\n"),
     "expect": "the errors are not squared"},
    {"exercise": "quadratic_loss", "name": "wrong parameter order",
     "code": ("def quadratic_loss(w, x, y):\n"
              "    y_hat = w[2] * x**2 + w[1] * x + w[0]\n"
              "    return np.mean((y_hat - y) ** 2)\n"),
     "expect": "the parameters are in the wrong order"},
    # --- quadratic_grad -------------------------------------------------------------
    {"exercise": "quadratic_grad", "name": "sign flipped (y - y_hat)",
     "code": ("def quadratic_grad(w, x, y):\n"
              "    r = y - (w[0] * x**2 + w[1] * x + w[2])\n"
              "    return 2 * np.array([np.mean(r * x**2), np.mean(r * x), np.mean(r)])\n"),
     "expect": "the sign is flipped"},
    {"exercise": "quadratic_grad", "name": "missing factor 2",
     "code": ("def quadratic_grad(w, x, y):\n"
              "    r = w[0] * x**2 + w[1] * x + w[2] - y\n"
              "    return np.array([np.mean(r * x**2), np.mean(r * x), np.mean(r)])\n"),
     "expect": "the factor 2 is missing"},
    {"exercise": "quadratic_grad", "name": "x instead of x^2 for w1",
     "code": ("def quadratic_grad(w, x, y):\n"
              "    r = w[0] * x**2 + w[1] * x + w[2] - y\n"
              "    return 2 * np.array([np.mean(r * x), np.mean(r * x), np.mean(r)])\n"),
     "expect": "chain-rule slip"},
    {"exercise": "quadratic_grad", "name": "sum instead of mean",
     "code": ("def quadratic_grad(w, x, y):\n"
              "    r = w[0] * x**2 + w[1] * x + w[2] - y\n"
              "    return 2 * np.array([np.sum(r * x**2), np.sum(r * x), np.sum(r)])\n"),
     "expect": "summed over the samples, not averaged"},
    # --- numerical_gradient ---------------------------------------------------------
    {"exercise": "numerical_gradient", "name": "forward difference",
     "code": ("def numerical_gradient(f, w, h=1e-5):\n"
              "    grad = np.zeros(w.shape)\n"
              "    f0 = f(w)\n"
              "    for j in np.ndindex(w.shape):\n"
              "        w_plus = w.copy()\n"
              "        w_plus[j] += h\n"
              "        grad[j] = (f(w_plus) - f0) / h\n"
              "    return grad\n"),
     "expect": "that is the forward difference"},
    {"exercise": "numerical_gradient", "name": "divides by h instead of 2h",
     "code": ("def numerical_gradient(f, w, h=1e-5):\n"
              "    grad = np.zeros(w.shape)\n"
              "    for j in np.ndindex(w.shape):\n"
              "        w_plus, w_minus = w.copy(), w.copy()\n"
              "        w_plus[j] += h\n"
              "        w_minus[j] -= h\n"
              "        grad[j] = (f(w_plus) - f(w_minus)) / h\n"
              "    return grad\n"),
     "expect": "divide by 2h, not by h"},
    {"exercise": "numerical_gradient", "name": "w not restored (in place)",
     "code": ("def numerical_gradient(f, w, h=1e-5):\n"
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
     "code": ("def numerical_gradient(f, w, h=1e-5):\n"
              "    grad = np.zeros(w.shape)\n"
              "    for i in range(len(w)):\n"
              "        w_plus, w_minus = w.copy(), w.copy()\n"
              "        w_plus[i] += h\n"
              "        w_minus[i] -= h\n"
              "        grad[i] = (f(w_plus) - f(w_minus)) / (2 * h)\n"
              "    return grad\n"),
     "expect": "perturbs a whole row"},
]
