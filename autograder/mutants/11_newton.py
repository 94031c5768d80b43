"""Answers of assignment 11_newton (format: README.md here).

MUTANTS: typical wrong answers; each must lose points, and its feedback must contain `expect`
(the hint that optimlab.checks.newton prints for that mistake). CORRECT: right answers written
differently; each must pass.
"""


def _nt(body):
    return "def newton_step(w, g, H, lr, damping):\n" + body


def _ls(body):
    return "def backtracking_line_search(f, w, g, direction, lr0, c, shrink):\n" + body


def _hv(body):
    return "def hessian_vector_product(grad_fn, w, v, h):\n" + body


def _bf(body):
    return "def bfgs_update(H_inv, s, y):\n" + body


_ARMIJO = "f(w - lr * direction) > f(w) - c * lr * (g @ direction)"

MUTANTS = [
    # --- newton_step ----------------------------------------------------------------
    {"exercise": "newton_step", "name": "multiplies by H",
     "code": _nt("    return w - lr * (H + damping * np.eye(len(w))) @ g\n"),
     "expect": "multiplies by H + damping * I instead of solving"},
    {"exercise": "newton_step", "name": "damping added to g",
     "code": _nt("    return w - lr * np.linalg.solve(H, g + damping)\n"),
     "expect": "damping was added to g"},
    {"exercise": "newton_step", "name": "lr missing",
     "code": _nt("    return w - np.linalg.solve(H + damping * np.eye(len(w)), g)\n"),
     "expect": "lr is missing"},
    {"exercise": "newton_step", "name": "ascent",
     "code": _nt("    return w + lr * np.linalg.solve(H + damping * np.eye(len(w)), g)\n"),
     "expect": "the sign: the step goes against the gradient"},
    {"exercise": "newton_step", "name": "damping broadcast to every entry",
     "code": _nt("    return w - lr * np.linalg.solve(H + damping, g)\n"),
     "expect": "added to every entry of H"},
    {"exercise": "newton_step", "name": "diagonal of H only",
     "code": _nt("    return w - lr * g / (np.diag(H) + damping)\n"),
     "expect": "only the diagonal of H was used"},
    {"exercise": "newton_step", "name": "lr divides",
     "code": _nt("    return w - np.linalg.solve(H + damping * np.eye(len(w)), g) / lr\n"),
     "expect": "lr divides the step"},
    {"exercise": "newton_step", "name": "returns the step",
     "code": _nt("    return lr * np.linalg.solve(H + damping * np.eye(len(w)), g)\n"),
     "expect": "this is the step lr * solve"},
    {"exercise": "newton_step", "name": "inverse of H without damping",
     "code": _nt("    return w - lr * np.linalg.inv(H) @ g\n"),
     "expect": "damping is missing"},
    {"exercise": "newton_step", "name": "Marquardt's diag(H) scaling",
     "code": _nt("    A = H + damping * np.diag(np.diag(H))\n"
                 "    return w - lr * np.linalg.solve(A, g)\n"),
     "expect": "Marquardt's scaled damping"},
    {"exercise": "newton_step", "name": "damping subtracted",
     "code": _nt("    return w - lr * np.linalg.solve(H - damping * np.eye(len(w)), g)\n"),
     "expect": "damping was subtracted"},
    {"exercise": "newton_step", "name": "w updated in place",
     "code": _nt("    w -= lr * np.linalg.solve(H + damping * np.eye(len(w)), g)\n"
                 "    return w\n"),
     "expect": "in place"},
    # --- backtracking_line_search ---------------------------------------------------
    {"exercise": "backtracking_line_search", "name": "plus sign in the condition",
     "code": _ls("    lr = lr0\n"
                 "    while f(w - lr * direction) > f(w) + c * lr * (g @ direction):\n"
                 "        lr = shrink * lr\n"
                 "    return lr\n"),
     "expect": "the sign of the sufficient-decrease term"},
    {"exercise": "backtracking_line_search", "name": "shrinks once too many",
     "code": _ls("    lr = lr0\n"
                 "    while True:\n"
                 "        ok = f(w - lr * direction) <= f(w) - c * lr * (g @ direction)\n"
                 "        lr = shrink * lr\n"
                 "        if ok:\n"
                 "            return lr\n"),
     "expect": "one shrink too many"},
    {"exercise": "backtracking_line_search", "name": "shrinks before the first test",
     "code": _ls("    lr = lr0\n"
                 "    while True:\n"
                 "        lr = shrink * lr\n"
                 "        if f(w - lr * direction) <= f(w) - c * lr * (g @ direction):\n"
                 "            return lr\n"),
     "expect": "the first trial was shrink * lr0"},
    {"exercise": "backtracking_line_search", "name": "any decrease (no c term)",
     "code": _ls("    lr = lr0\n"
                 "    while f(w - lr * direction) > f(w):\n"
                 "        lr = shrink * lr\n"
                 "    return lr\n"),
     "expect": "compares with f(w) alone"},
    {"exercise": "backtracking_line_search", "name": "lr missing in the decrease term",
     "code": _ls("    lr = lr0\n"
                 "    while f(w - lr * direction) > f(w) - c * (g @ direction):\n"
                 "        lr = shrink * lr\n"
                 "    return lr\n"),
     "expect": "the loop does not stop"},
    {"exercise": "backtracking_line_search", "name": "g . g instead of g . p",
     "code": _ls("    lr = lr0\n"
                 "    while f(w - lr * direction) > f(w) - c * lr * (g @ g):\n"
                 "        lr = shrink * lr\n"
                 "    return lr\n"),
     "expect": "the decrease term used g . g"},
    {"exercise": "backtracking_line_search", "name": "trial point w + lr p",
     "code": _ls("    lr = lr0\n"
                 "    while f(w + lr * direction) > f(w) - c * lr * (g @ direction):\n"
                 "        lr = shrink * lr\n"
                 "    return lr\n"),
     "expect": "moved along +direction"},
    {"exercise": "backtracking_line_search", "name": "1 - c",
     "code": _ls("    lr = lr0\n"
                 "    while f(w - lr * direction) > f(w) - (1 - c) * lr * (g @ direction):\n"
                 "        lr = shrink * lr\n"
                 "    return lr\n"),
     "expect": "1 - c in place of c"},
    {"exercise": "backtracking_line_search", "name": "if instead of while",
     "code": _ls("    lr = lr0\n"
                 f"    if {_ARMIJO}:\n"
                 "        lr = shrink * lr\n"
                 "    return lr\n"),
     "expect": "shrank at most once"},
    {"exercise": "backtracking_line_search", "name": "returns the new point",
     "code": _ls("    lr = lr0\n"
                 f"    while {_ARMIJO}:\n"
                 "        lr = shrink * lr\n"
                 "    return w - lr * direction\n"),
     "expect": "probably the new point"},
    {"exercise": "backtracking_line_search", "name": "returns the number of shrinks",
     "code": _ls("    lr, k = lr0, 0\n"
                 f"    while {_ARMIJO}:\n"
                 "        lr, k = shrink * lr, k + 1\n"
                 "    return k\n"),
     "expect": "the number of shrinks k"},
    # --- hessian_vector_product -----------------------------------------------------
    {"exercise": "hessian_vector_product", "name": "forward differences",
     "code": _hv("    return (grad_fn(w + h * v) - grad_fn(w)) / h\n"),
     "expect": "forward differences"},
    {"exercise": "hessian_vector_product", "name": "backward differences",
     "code": _hv("    return (grad_fn(w) - grad_fn(w - h * v)) / h\n"),
     "expect": "backward differences"},
    {"exercise": "hessian_vector_product", "name": "divided by h",
     "code": _hv("    return (grad_fn(w + h * v) - grad_fn(w - h * v)) / h\n"),
     "expect": "divided by h instead of 2h"},
    {"exercise": "hessian_vector_product", "name": "points in the wrong order",
     "code": _hv("    return (grad_fn(w - h * v) - grad_fn(w + h * v)) / (2 * h)\n"),
     "expect": "the later point first"},
    {"exercise": "hessian_vector_product", "name": "shift by h in every coordinate",
     "code": _hv("    return (grad_fn(w + h) - grad_fn(w - h)) / (2 * h)\n"),
     "expect": "shifted by h in every coordinate"},
    {"exercise": "hessian_vector_product", "name": "v normalised",
     "code": _hv("    u = v / np.linalg.norm(v)\n"
                 "    return (grad_fn(w + h * u) - grad_fn(w - h * u)) / (2 * h)\n"),
     "expect": "v was normalised"},
    {"exercise": "hessian_vector_product", "name": "divided by 2 h^2",
     "code": _hv("    return (grad_fn(w + h * v) - grad_fn(w - h * v)) / (2 * h**2)\n"),
     "expect": "divided by 2h^2"},
    {"exercise": "hessian_vector_product", "name": "no division",
     "code": _hv("    return grad_fn(w + h * v) - grad_fn(w - h * v)\n"),
     "expect": "the division by 2h is missing"},
    {"exercise": "hessian_vector_product", "name": "gradient times v",
     "code": _hv("    return grad_fn(w) * v\n"),
     "expect": "grad(w) * v elementwise"},
    {"exercise": "hessian_vector_product", "name": "around 0 instead of w",
     "code": _hv("    return (grad_fn(h * v) - grad_fn(-h * v)) / (2 * h)\n"),
     "expect": "around 0 instead of around w"},
    {"exercise": "hessian_vector_product", "name": "shift by v, not h v",
     "code": _hv("    return (grad_fn(w + v) - grad_fn(w - v)) / (2 * h)\n"),
     "expect": "the shift is h * v"},
    {"exercise": "hessian_vector_product", "name": "w shifted in place",
     "code": _hv("    w += h * v\n"
                 "    plus = grad_fn(w)\n"
                 "    w -= 2 * h * v\n"
                 "    minus = grad_fn(w)\n"
                 "    return (plus - minus) / (2 * h)\n"),
     "expect": "in place"},
    # --- bfgs_update ----------------------------------------------------------------
    {"exercise": "bfgs_update", "name": "the Hessian's BFGS update",
     "code": _bf("    Bs = H_inv @ s\n"
                 "    return H_inv + np.outer(y, y) / (y @ s) - np.outer(Bs, Bs) / (s @ Bs)\n"),
     "expect": "the BFGS update of the Hessian B itself"},
    {"exercise": "bfgs_update", "name": "DFP",
     "code": _bf("    Hy = H_inv @ y\n"
                 "    return H_inv + np.outer(s, s) / (s @ y) - np.outer(Hy, Hy) / (y @ Hy)\n"),
     "expect": "the DFP update"},
    {"exercise": "bfgs_update", "name": "s and y swapped",
     "code": _bf("    rho = 1.0 / (y @ s)\n"
                 "    L = np.eye(len(s)) - rho * np.outer(y, s)\n"
                 "    return L @ H_inv @ L.T + rho * np.outer(y, y)\n"),
     "expect": "s and y are swapped"},
    {"exercise": "bfgs_update", "name": "last term missing",
     "code": _bf("    rho = 1.0 / (y @ s)\n"
                 "    L = np.eye(len(s)) - rho * np.outer(s, y)\n"
                 "    return L @ H_inv @ L.T\n"),
     "expect": "the last term + rho * s s^T is missing"},
    {"exercise": "bfgs_update", "name": "factors transposed",
     "code": _bf("    rho = 1.0 / (y @ s)\n"
                 "    I = np.eye(len(s))\n"
                 "    return (I - rho * np.outer(y, s)) @ H_inv @ (I - rho * np.outer(s, y)) + rho * np.outer(s, s)\n"),
     "expect": "the outer products are transposed"},
    {"exercise": "bfgs_update", "name": "rho = 1 / (s . s)",
     "code": _bf("    rho = 1.0 / (s @ s)\n"
                 "    L = np.eye(len(s)) - rho * np.outer(s, y)\n"
                 "    return L @ H_inv @ L.T + rho * np.outer(s, s)\n"),
     "expect": "rho = 1 / (s . s)"},
    {"exercise": "bfgs_update", "name": "rho not inverted",
     "code": _bf("    rho = y @ s\n"
                 "    L = np.eye(len(s)) - rho * np.outer(s, y)\n"
                 "    return L @ H_inv @ L.T + rho * np.outer(s, s)\n"),
     "expect": "rho = y . s; it is 1 / (y . s)"},
    {"exercise": "bfgs_update", "name": "left factor only",
     "code": _bf("    rho = 1.0 / (y @ s)\n"
                 "    return (np.eye(len(s)) - rho * np.outer(s, y)) @ H_inv + rho * np.outer(s, s)\n"),
     "expect": "only the left factor was applied"},
    {"exercise": "bfgs_update", "name": "minus rho s s^T",
     "code": _bf("    rho = 1.0 / (y @ s)\n"
                 "    L = np.eye(len(s)) - rho * np.outer(s, y)\n"
                 "    return L @ H_inv @ L.T - rho * np.outer(s, s)\n"),
     "expect": "the sign of the last term"},
    {"exercise": "bfgs_update", "name": "elementwise products",
     "code": _bf("    rho = 1.0 / (y @ s)\n"
                 "    L = np.eye(len(s)) - rho * s * y\n"
                 "    return L @ H_inv @ L.T + rho * s * s\n"),
     "expect": "elementwise products"},
    {"exercise": "bfgs_update", "name": "plus inside the factors",
     "code": _bf("    rho = 1.0 / (y @ s)\n"
                 "    L = np.eye(len(s)) + rho * np.outer(s, y)\n"
                 "    return L @ H_inv @ L.T + rho * np.outer(s, s)\n"),
     "expect": "the sign inside the factors"},
]

CORRECT = [
    # --- newton_step ----------------------------------------------------------------
    {"exercise": "newton_step", "name": "the inverse (slower, same numbers)",
     "code": _nt("    return w - lr * np.linalg.inv(H + damping * np.eye(w.size)) @ g\n")},
    {"exercise": "newton_step", "name": "lr inside the right-hand side, diag of a full vector",
     "code": _nt("    A = np.asarray(H, dtype=float) + np.diag(np.full(len(w), float(damping)))\n"
                 "    return w - np.linalg.solve(A, lr * g)\n")},
    {"exercise": "newton_step", "name": "eigendecomposition of the symmetric matrix",
     "code": _nt("    lam, Q = np.linalg.eigh(H + damping * np.eye(len(w)))\n"
                 "    return w - lr * (Q @ ((Q.T @ g) / lam))\n")},
    {"exercise": "newton_step", "name": "least squares",
     "code": _nt("    p = np.linalg.lstsq(H + damping * np.identity(len(w)), g, rcond=None)[0]\n"
                 "    return w - lr * p\n")},
    # --- backtracking_line_search ---------------------------------------------------
    {"exercise": "backtracking_line_search", "name": "for loop over k",
     "code": _ls("    f0, slope = f(w), np.dot(g, direction)\n"
                 "    lr = lr0\n"
                 "    for k in range(10000):\n"
                 "        if f(w - lr * direction) <= f0 - c * lr * slope:\n"
                 "            return lr\n"
                 "        lr *= shrink\n")},
    {"exercise": "backtracking_line_search", "name": "recursive",
     "code": _ls("    if f(w - lr0 * direction) <= f(w) - c * lr0 * float(np.sum(g * direction)):\n"
                 "        return lr0\n"
                 "    return backtracking_line_search(f, w, g, direction, shrink * lr0, c, shrink)\n")},
    {"exercise": "backtracking_line_search", "name": "while not accepted",
     "code": _ls("    lr = lr0\n"
                 "    def accepted(lr):\n"
                 "        return f(w - lr * direction) <= f(w) - c * lr * (g @ direction)\n"
                 "    while not accepted(lr):\n"
                 "        lr = lr * shrink\n"
                 "    return float(lr)\n")},
    # --- hessian_vector_product -----------------------------------------------------
    {"exercise": "hessian_vector_product", "name": "half the difference over h",
     "code": _hv("    d = h * v\n"
                 "    return 0.5 * (grad_fn(w + d) - grad_fn(w - d)) / h\n")},
    {"exercise": "hessian_vector_product", "name": "np.subtract over h + h",
     "code": _hv("    return np.subtract(grad_fn(w + v * h), grad_fn(w - v * h)) / (h + h)\n")},
    {"exercise": "hessian_vector_product", "name": "a loop over the two signs",
     "code": _hv("    plus, minus = (np.asarray(grad_fn(w + sign * h * v), dtype=float) for sign in (1, -1))\n"
                 "    return (plus - minus) / (2.0 * h)\n")},
    # --- bfgs_update ----------------------------------------------------------------
    {"exercise": "bfgs_update", "name": "the expanded formula",
     "code": _bf("    sy = s @ y\n"
                 "    Hy = H_inv @ y\n"
                 "    return (H_inv + (sy + y @ Hy) * np.outer(s, s) / sy**2\n"
                 "            - (np.outer(Hy, s) + np.outer(s, Hy)) / sy)\n")},
    {"exercise": "bfgs_update", "name": "V^T H V with V = I - rho y s^T",
     "code": _bf("    rho = 1 / np.dot(y, s)\n"
                 "    V = np.identity(s.size) - rho * np.outer(y, s)\n"
                 "    return V.T @ H_inv @ V + rho * np.outer(s, s)\n")},
    {"exercise": "bfgs_update", "name": "broadcast outer products",
     "code": _bf("    rho = 1.0 / float(np.sum(y * s))\n"
                 "    L = np.eye(len(s)) - rho * s[:, None] * y[None, :]\n"
                 "    return L @ H_inv @ L.T + rho * s[:, None] * s[None, :]\n")},
]
