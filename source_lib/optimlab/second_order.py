r"""Second-order tools (notebook 11): backtracking line search, Hessian-vector products by finite
differences of the gradient, the BFGS update and L-BFGS's two-loop recursion, and a small
quasi-Newton driver.

The course's convention for a step holds here too: ``w_t = w_{t-1} - lr * p_t`` with a
*direction* ``p_t`` that is subtracted (``p = g`` for gradient descent, ``p = H^{-1} g`` for
Newton, ``p = H_t^{inv} g`` for quasi-Newton methods). ``p`` is a descent direction when
``g . p > 0``: then a short enough step lowers the loss.

All functions are pure (they never modify their inputs) and work on float64 vectors of shape
``(n,)``. Bad input raises ``ValueError`` / ``TypeError`` naming the argument.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import validation as V

__all__ = ["backtracking_line_search", "hessian_vector_product", "bfgs_update", "lbfgs_direction",
           "QuasiNewtonResult", "quasi_newton"]


def _vector(value, name: str) -> np.ndarray:
    arr = V.as_float_array(value, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a vector of shape (n,), got shape {arr.shape}")
    V.check_finite(arr, name)
    return arr


def backtracking_line_search(f: Callable, w, g, direction, lr0: float = 1.0, c: float = 1e-4,
                             shrink: float = 0.5, max_iter: int = 60) -> float:
    r"""Backtracking line search (回溯线搜索) with Armijo's sufficient-decrease condition.

    .. code-block:: text

        lr = lr0
        while f(w - lr * p) > f(w) - c * lr * (g . p):     # not enough decrease yet
            lr = shrink * lr
        return lr                                        # the accepted step size

    ``p = direction`` is subtracted, as in every step of the course (``p = g`` for gradient
    descent, ``H^{-1} g`` for Newton); ``g . p > 0`` is required (a descent direction). The
    condition asks the loss to fall by at least the fraction ``c`` of what the linear model
    ``f(w) - lr * g . p`` predicts; ``c = 1e-4`` is the textbook value (Nocedal and Wright), and
    ``torch.optim.LBFGS``'s strong-Wolfe search uses the same ``c1 = 1e-4``. The first step
    size tried is ``lr0``; the answer is ``lr0 * shrink**k`` for the smallest ``k >= 0`` that
    satisfies the condition. After ``max_iter`` shrinks without success a ``ValueError`` is raised.

    Parameters
    ----------
    f : callable, ``f(w) -> float``, the loss.
    w, g, direction : arrays of shape (n,), the point, the gradient at ``w`` and ``p``.
    lr0 : float > 0, c in (0, 1), shrink in (0, 1), max_iter : int >= 1.
    """
    V.check_callable(f, "f", "the loss, f(w) -> float")
    w, g, p = _vector(w, "w"), _vector(g, "g"), _vector(direction, "direction")
    V.check_same_shape(w, g, "w", "g")
    V.check_same_shape(w, p, "w", "direction")
    lr = V.check_positive(lr0, "lr0")
    c = V.check_in_range(c, "c", 0.0, 1.0, low_open=True, high_open=True)
    shrink = V.check_in_range(shrink, "shrink", 0.0, 1.0, low_open=True, high_open=True)
    max_iter = V.check_int(max_iter, "max_iter", 1)
    slope = float(g @ p)
    if not slope > 0:
        raise ValueError(f"direction is not a descent direction: g . direction = {slope:.4g} <= 0, so no step "
                         f"w - lr * direction lowers the loss to first order (the step subtracts the direction: "
                         f"pass g, or H^-1 g with H positive definite)")
    f0 = float(f(w))
    for _ in range(max_iter + 1):
        if float(f(w - lr * p)) <= f0 - c * lr * slope:
            return lr
        lr *= shrink
    raise ValueError(f"backtracking_line_search: no step size down to lr0 * shrink**{max_iter} = "
                     f"{lr / shrink:.3g} satisfies the sufficient-decrease condition (c={c})")


def hessian_vector_product(grad_fn: Callable, w, v, h: float = 1e-5) -> np.ndarray:
    r"""The Hessian-vector product (黑塞向量积) ``H(w) v`` from two gradients, without ``H``.

    .. code-block:: text

        H v  ~  (grad(w + h v) - grad(w - h v)) / (2 h)

    A central difference of the gradient along ``v``: its error is ``O(h^2)`` (times the third
    derivatives; exact for a quadratic up to rounding), and rounding adds about ``eps_machine * |g| / h``,
    so ``h`` around ``1e-5`` (for ``|v|`` about 1) is a good compromise. The cost is two gradient
    evaluations and ``O(n)`` memory, whatever ``n``: the ``n x n`` Hessian is never formed.

    Parameters
    ----------
    grad_fn : callable, ``grad_fn(w) -> array (n,)``.
    w, v : arrays of shape (n,); h : float > 0.
    """
    V.check_callable(grad_fn, "grad_fn", "the gradient, grad_fn(w) -> array of the shape of w")
    w, v = _vector(w, "w"), _vector(v, "v")
    V.check_same_shape(w, v, "w", "v")
    h = V.check_positive(h, "h")
    plus = np.asarray(grad_fn(w + h * v), dtype=float)
    minus = np.asarray(grad_fn(w - h * v), dtype=float)
    if plus.shape != w.shape or minus.shape != w.shape:
        raise ValueError(f"grad_fn must return an array of shape {w.shape}, got {plus.shape}")
    return (plus - minus) / (2.0 * h)


def bfgs_update(H_inv, s, y) -> np.ndarray:
    r"""One BFGS update (Broyden, Fletcher, Goldfarb, Shanno, 1970) of the inverse-Hessian estimate.

    .. code-block:: text

        s = w_t - w_{t-1},  y = g_{t+1} - g_t   (the gradients at w_t and w_{t-1}),  rho = 1 / (y . s)
        H_inv <- (I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T

    The new estimate satisfies the secant equation ``H_inv y = s`` (a change ``y`` of the
    gradient comes from a move ``s``, as for a quadratic with Hessian ``H``: ``y = H s``) and stays
    symmetric positive definite when ``H_inv`` is and ``y . s > 0`` (which a line search on a
    convex stretch guarantees). ``y . s <= 0`` raises ``ValueError``: skip the update then, as
    ``torch.optim.LBFGS`` does below 1e-10.
    """
    H_inv = V.as_float_array(H_inv, "H_inv")
    s, y = _vector(s, "s"), _vector(y, "y")
    n = s.size
    if H_inv.shape != (n, n):
        raise ValueError(f"H_inv must have shape ({n}, {n}) for s of shape {s.shape}, got {H_inv.shape}")
    V.check_same_shape(s, y, "s", "y")
    ys = float(y @ s)
    if not ys > 0:
        raise ValueError(f"y . s = {ys:.4g} <= 0: the curvature along s is not positive, and the BFGS update "
                         f"would lose positive definiteness; skip this update")
    rho = 1.0 / ys
    left = np.eye(n) - rho * np.outer(s, y)
    return left @ H_inv @ left.T + rho * np.outer(s, s)


def lbfgs_direction(g, s_history, y_history) -> np.ndarray:
    r"""L-BFGS's two-loop recursion (有限内存 BFGS; Nocedal, 1980): ``p = H_inv g`` from the last m pairs.

    .. code-block:: text

        q = g
        for i = newest .. oldest:   rho_i = 1 / (y_i . s_i);  a_i = rho_i s_i . q;  q = q - a_i y_i
        r = gamma q,  gamma = (s . y) / (y . y) of the newest pair   (1 when there is none)
        for i = oldest .. newest:   b = rho_i y_i . r;  r = r + s_i (a_i - b)
        return r                    # the direction to subtract: w_t = w_{t-1} - lr * r

    This is the product of the BFGS inverse estimate, built from ``H_0 = gamma I`` by the
    stored pairs in order, with ``g``, in ``O(m n)`` time and memory (``torch.optim.LBFGS``'s
    recursion, whose ``history_size`` is m). ``s_history`` and ``y_history`` list the pairs
    oldest first; each needs ``y . s > 0``.
    """
    g = _vector(g, "g")
    if len(s_history) != len(y_history):
        raise ValueError(f"s_history and y_history must have the same length, got {len(s_history)} and "
                         f"{len(y_history)}")
    pairs = [(_vector(s, "s_history item"), _vector(y, "y_history item")) for s, y in zip(s_history, y_history)]
    for s, y in pairs:
        V.check_same_shape(g, s, "g", "s_history item")
        V.check_same_shape(g, y, "g", "y_history item")
        if not float(y @ s) > 0:
            raise ValueError(f"a stored pair has y . s = {float(y @ s):.4g} <= 0; store only pairs with y . s > 0")
    q = g.copy()
    alphas = []
    for s, y in reversed(pairs):
        rho = 1.0 / float(y @ s)
        a = rho * float(s @ q)
        q = q - a * y
        alphas.append((rho, a))
    gamma = float(pairs[-1][0] @ pairs[-1][1]) / float(pairs[-1][1] @ pairs[-1][1]) if pairs else 1.0
    r = gamma * q
    for (s, y), (rho, a) in zip(pairs, reversed(alphas)):
        b = rho * float(y @ r)
        r = r + s * (a - b)
    return r


@dataclass
class QuasiNewtonResult:
    """What :func:`quasi_newton` returns: the iterates (rows ``w_0 .. w_T``), the losses, the
    step sizes the line search accepted, and the numbers of loss and gradient evaluations."""

    trajectory: np.ndarray
    losses: np.ndarray
    step_sizes: np.ndarray
    n_loss_evals: int
    n_grad_evals: int
    method: str
    message: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def final_w(self) -> np.ndarray:
        return self.trajectory[-1].copy()


def quasi_newton(f: Callable, grad_fn: Callable, w0, steps: int = 100, method: str = "bfgs",
                 history_size: int = 10, c: float = 1e-4, shrink: float = 0.5, gtol: float = 1e-10
                 ) -> QuasiNewtonResult:
    r"""Minimise ``f`` with BFGS or L-BFGS and a backtracking line search; returns a :class:`QuasiNewtonResult`.

    .. code-block:: text

        step t:  g_t = grad(w_{t-1});  p_t = H_inv g_t     (BFGS: the matrix; L-BFGS: the two-loop recursion)
                 lr_t = backtracking_line_search(f, w_{t-1}, g_t, p_t, 1, c, shrink)
                 w_t = w_{t-1} - lr_t p_t
                 s = w_t - w_{t-1}, y = grad(w_t) - g_t;  update with (s, y) if y . s > 1e-10

    BFGS starts from ``H_inv = I`` and rescales it by ``(s . y) / (y . y)`` before its first update
    (Nocedal and Wright's choice); L-BFGS keeps the last ``history_size`` pairs. Stops early
    when ``max |g| <= gtol`` or the line search fails.
    """
    V.check_callable(f, "f", "the loss, f(w) -> float")
    V.check_callable(grad_fn, "grad_fn", "the gradient, grad_fn(w) -> array")
    if method not in ("bfgs", "lbfgs"):
        raise ValueError(f"method must be 'bfgs' or 'lbfgs', got {method!r}")
    steps = V.check_int(steps, "steps", 0)
    history_size = V.check_int(history_size, "history_size", 1)
    w = _vector(w0, "w0").copy()
    counts = {"f": 0, "g": 0}

    def loss(x):
        counts["f"] += 1
        return float(f(x))

    def grad(x):
        counts["g"] += 1
        return np.asarray(grad_fn(x), dtype=float)

    traj, losses, sizes = [w.copy()], [loss(w)], []
    g = grad(w)
    H_inv, s_hist, y_hist, message, restarts = np.eye(w.size), [], [], "", 0
    for _ in range(steps):
        if np.max(np.abs(g)) <= gtol:
            message = f"stopped: max |g| <= gtol = {gtol:g}"
            break
        p = H_inv @ g if method == "bfgs" else lbfgs_direction(g, s_hist, y_hist)
        try:
            lr = backtracking_line_search(loss, w, g, p, 1.0, c, shrink)
        except ValueError as exc:
            message = f"stopped: {exc}"
            break
        w_new = w - lr * p
        g_new = grad(w_new)
        s, y = w_new - w, g_new - g
        if float(y @ s) > 1e-10:
            if method == "bfgs":
                if not s_hist:           # first update: scale H_0 to the curvature just measured
                    H_inv = float(s @ y) / float(y @ y) * np.eye(w.size)
                H_inv = bfgs_update(H_inv, s, y)
            s_hist.append(s)
            y_hist.append(y)
            if len(s_hist) > history_size:
                s_hist.pop(0)
                y_hist.pop(0)
        elif method == "lbfgs":
            # Armijo alone does not guarantee y . s > 0 (a Wolfe search would); a skipped pair would
            # leave the same short direction in place step after step, so L-BFGS restarts instead.
            s_hist, y_hist = [], []
            restarts += 1
        w, g = w_new, g_new
        traj.append(w.copy())
        losses.append(float(f(w)))
        sizes.append(lr)
    return QuasiNewtonResult(np.array(traj), np.array(losses), np.array(sizes), counts["f"], counts["g"],
                             method, message, {"restarts": restarts})
