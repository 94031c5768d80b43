r"""Checks for notebook 11, Newton's method and second-order ideas: ``newton_step``,
``backtracking_line_search``, ``hessian_vector_product`` and ``bfgs_update``.

The exercises, with the formulas the learner implements (a direction ``p`` is always
subtracted, ``w_t = w_{t-1} - lr * p``):

.. code-block:: text

    newton_step(w, g, H, lr, damping)            w - lr * solve(H + damping * I, g)   (optimlab.newton_step)
    backtracking_line_search(f, w, g, direction, lr0, c, shrink)
                                                 lr = lr0
                                                 while f(w - lr * p) > f(w) - c * lr * (g . p):  lr = shrink * lr
                                                 return lr        (optimlab.second_order.backtracking_line_search)
    hessian_vector_product(grad_fn, w, v, h)     (grad_fn(w + h v) - grad_fn(w - h v)) / (2 h)
    bfgs_update(H_inv, s, y)                     rho = 1 / (y . s)
                                                 (I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T

The cases are chosen so that the usual mistakes change the numbers: Hessians that are not
diagonal, ``damping`` and ``lr`` both away from 0 and 1; line searches where several shrinks
happen, where ``lr0`` itself is accepted, with a direction that is not the gradient and a
large ``c`` (the sufficient-decrease term matters); gradients that are not linear (on a
quadratic forward and central differences agree) with a large ``h``; inverse-Hessian
estimates that are not the identity and pairs with ``y`` not parallel to ``s``.

The ``check_*`` functions print a one-line success message and return ``None`` (nbgrader
reads a number displayed at the end of a test cell as partial credit).
"""
from __future__ import annotations

import contextlib
import copy
import io

import numpy as np

from .. import second_order as _so
from ..optimizers import newton_step as _newton_step
from .engine import Case, ExerciseFailure, Variant, _require_callable, check_function

__all__ = ["check_newton_step", "check_backtracking_line_search", "check_hessian_vector_product",
           "check_bfgs_update"]


def _eye(H, damping):
    return np.asarray(H, float) + damping * np.eye(len(H))


# ---------------------------------------------------------------------------
# newton_step
# ---------------------------------------------------------------------------

def _ref_newton_step(w, g, H, lr, damping):
    # Positional, as the library's argument names may change.
    return _newton_step(np.asarray(w, float), np.asarray(g, float), np.asarray(H, float), lr, damping)


def _nt_times_H(w, g, H, lr, damping):
    return w - lr * _eye(H, damping) @ g


def _nt_damping_on_g(w, g, H, lr, damping):
    return w - lr * np.linalg.solve(np.asarray(H, float), g + damping)


def _nt_no_lr(w, g, H, lr, damping):
    return w - np.linalg.solve(_eye(H, damping), g)


def _nt_sign(w, g, H, lr, damping):
    return w + lr * np.linalg.solve(_eye(H, damping), g)


def _nt_damping_everywhere(w, g, H, lr, damping):
    return w - lr * np.linalg.solve(np.asarray(H, float) + damping, g)


def _nt_marquardt(w, g, H, lr, damping):
    H = np.asarray(H, float)
    return w - lr * np.linalg.solve(H + damping * np.diag(np.diag(H)), g)


def _nt_diagonal(w, g, H, lr, damping):
    return w - lr * g / (np.diag(np.asarray(H, float)) + damping)


def _nt_lr_divides(w, g, H, lr, damping):
    return w - np.linalg.solve(_eye(H, damping), g) / lr


def _nt_no_damping(w, g, H, lr, damping):
    return w - lr * np.linalg.solve(np.asarray(H, float), g)


def _nt_minus_damping(w, g, H, lr, damping):
    return w - lr * np.linalg.solve(_eye(H, -damping), g)


def _nt_step_only(w, g, H, lr, damping):
    return lr * np.linalg.solve(_eye(H, damping), g)


def _nt_damping_as_lr(w, g, H, lr, damping):
    return w - damping * np.linalg.solve(np.asarray(H, float) + lr * np.eye(len(H)), g)


_NEWTON_VARIANTS = [
    Variant(_nt_times_H,
            "the step multiplies by H + damping * I instead of solving with it: Newton's step is "
            "(H + damping * I)^-1 g, so use np.linalg.solve(H + damping * np.eye(n), g), not (H + ...) @ g"),
    Variant(_nt_damping_on_g,
            "damping was added to g, not to the diagonal of H: the damped step is "
            "solve(H + damping * I, g)"),
    Variant(_nt_no_lr, "lr is missing: w_t = w_{t-1} - lr * solve(H + damping * I, g)"),
    Variant(_nt_sign,
            "the sign: the step goes against the gradient, w - lr * solve(H + damping * I, g), not w + ..."),
    Variant(_nt_damping_everywhere,
            "damping was added to every entry of H (H + damping broadcasts); it belongs on the diagonal "
            "only: H + damping * np.eye(n)"),
    Variant(_nt_marquardt,
            "this is Marquardt's scaled damping, H + damping * diag(H); the exercise (and optimlab.newton_step) "
            "adds damping times the identity: H + damping * np.eye(n)"),
    Variant(_nt_diagonal,
            "only the diagonal of H was used (g / (diag(H) + damping), elementwise); Newton's step uses the "
            "whole matrix: solve(H + damping * I, g)"),
    Variant(_nt_lr_divides, "lr divides the step instead of multiplying it: w - lr * solve(H + damping * I, g)"),
    Variant(_nt_no_damping, "damping is missing: solve with H + damping * I, not with H alone"),
    Variant(_nt_minus_damping, "damping was subtracted: the damped matrix is H + damping * I"),
    Variant(_nt_step_only,
            "this is the step lr * solve(H + damping * I, g), not the new parameters: return w - that step"),
    Variant(_nt_damping_as_lr, "lr and damping are swapped: w - lr * solve(H + damping * I, g)"),
]


def _spd(rng, n):
    M = rng.normal(size=(n, n))
    return M @ M.T + n * np.diag(rng.uniform(0.3, 2.0, size=n))


def _newton_cases(hidden: bool):
    rng = np.random.default_rng(111 if hidden else 110)
    H2 = np.array([[4.0, 1.0], [1.0, 2.0]])
    cases = [
        Case("2 coordinates, H = [[4, 1], [1, 2]], lr=0.5, damping=0.3",
             {"w": np.array([1.0, -2.0]), "g": np.array([2.0, -3.0]), "H": H2, "lr": 0.5, "damping": 0.3},
             note="H is not diagonal on purpose, so that inverting only its diagonal shows"),
        Case("3 coordinates, a full positive definite H, lr=0.8, damping=1.5",
             {"w": np.array([0.5, 1.0, -1.0]), "g": np.array([1.0, -0.5, 2.0]),
              "H": np.array([[3.0, 0.5, -1.0], [0.5, 2.0, 0.25], [-1.0, 0.25, 5.0]]), "lr": 0.8,
              "damping": 1.5}),
        Case("pure Newton (lr=1, damping=0) on the quadratic 1/2 w^T H w from w = (1, -2): lands on 0",
             {"w": np.array([1.0, -2.0]), "g": H2 @ np.array([1.0, -2.0]), "H": H2, "lr": 1.0,
              "damping": 0.0}),
    ]
    if hidden:
        for n, lr, damping in ((2, 0.3, 2.0), (4, 0.9, 0.05), (5, 0.6, 0.7)):
            cases.append(Case(f"random positive definite {n}x{n} H, lr={lr}, damping={damping}",
                              {"w": rng.normal(size=n), "g": rng.normal(size=n), "H": _spd(rng, n), "lr": lr,
                               "damping": damping}))
        cases.append(Case("one coordinate, H = [[0.25]] (a flat direction: a long step), lr=0.5, damping=0.5",
                          {"w": np.array([3.0]), "g": np.array([1.0]), "H": np.array([[0.25]]), "lr": 0.5,
                           "damping": 0.5}))
        cases.append(Case("the saddle f = x^2 - y^2 at (-2, 0.5): H = diag(2, -2) is indefinite, lr=1, "
                          "damping=0.5",
                          {"w": np.array([-2.0, 0.5]), "g": np.array([-4.0, -1.0]),
                           "H": np.array([[2.0, 0.0], [0.0, -2.0]]), "lr": 1.0, "damping": 0.5}))
    return cases


def check_newton_step(newton_step, hidden: bool = False) -> None:
    """``newton_step(w, g, H, lr, damping)``: ``w - lr * solve(H + damping * I, g)``, as
    :func:`optimlab.newton_step`."""
    check_function(newton_step, _ref_newton_step, _newton_cases(hidden), exercise="newton_step",
                   returns=("w",), variants=_NEWTON_VARIANTS)


# ---------------------------------------------------------------------------
# backtracking_line_search
# ---------------------------------------------------------------------------

def _ref_line_search(f, w, g, direction, lr0, c, shrink):
    return float(_so.backtracking_line_search(_raw(f), np.asarray(w, float), np.asarray(g, float),
                                              np.asarray(direction, float), lr0, c, shrink))


def _search(accept, f, w, g, p, lr0, shrink, first_shrink=False, extra_shrink=False, limit=2000):
    # One parametrised backtracking loop for the wrong variants; accept(f_new, f0, lr, slope).
    w, g, p = (np.asarray(x, float) for x in (w, g, p))
    f = _raw(f)
    f0, slope, lr = float(f(w)), float(g @ p), float(lr0)
    if first_shrink:
        lr *= shrink
    for _ in range(limit):
        if accept(float(f(w - lr * p)), f0, lr, slope):
            break
        lr *= shrink
    return lr * shrink if extra_shrink else lr


def _ls_plus(f, w, g, p, lr0, c, shrink):
    return _search(lambda fn, f0, lr, s: fn <= f0 + c * lr * s, f, w, g, p, lr0, shrink)


def _ls_extra(f, w, g, p, lr0, c, shrink):
    return _search(lambda fn, f0, lr, s: fn <= f0 - c * lr * s, f, w, g, p, lr0, shrink, extra_shrink=True)


def _ls_first(f, w, g, p, lr0, c, shrink):
    return _search(lambda fn, f0, lr, s: fn <= f0 - c * lr * s, f, w, g, p, lr0, shrink, first_shrink=True)


def _ls_no_c(f, w, g, p, lr0, c, shrink):
    return _search(lambda fn, f0, lr, s: fn <= f0, f, w, g, p, lr0, shrink)


def _ls_no_lr(f, w, g, p, lr0, c, shrink):
    return _search(lambda fn, f0, lr, s: fn <= f0 - c * s, f, w, g, p, lr0, shrink)


def _ls_gg(f, w, g, p, lr0, c, shrink):
    gg = float(np.asarray(g, float) @ np.asarray(g, float))
    return _search(lambda fn, f0, lr, s: fn <= f0 - c * lr * gg, f, w, g, p, lr0, shrink)


def _ls_ascent(f, w, g, p, lr0, c, shrink):
    return _search(lambda fn, f0, lr, s: fn <= f0 - c * lr * s, f, w, g, -np.asarray(p, float), lr0, shrink)


def _ls_one_minus_c(f, w, g, p, lr0, c, shrink):
    return _search(lambda fn, f0, lr, s: fn <= f0 - (1 - c) * lr * s, f, w, g, p, lr0, shrink)


def _ls_lr0(f, w, g, p, lr0, c, shrink):
    return float(lr0)


def _ls_once(f, w, g, p, lr0, c, shrink):
    return _search(lambda fn, f0, lr, s: fn <= f0 - c * lr * s, f, w, g, p, lr0, shrink, limit=1)


def _ls_count(f, w, g, p, lr0, c, shrink):
    lr = _ref_line_search(f, w, g, p, lr0, c, shrink)
    return float(round(np.log(lr / lr0) / np.log(shrink)))


_LINE_SEARCH_VARIANTS = [
    Variant(_ls_plus,
            "the sign of the sufficient-decrease term: accept when f(w - lr * p) <= f(w) - c * lr * (g . p); "
            "with + c * lr * (g . p) a step that raises the loss a little is accepted"),
    Variant(_ls_extra,
            "one shrink too many: return the step size that passed the test, not shrink times it (shrink only "
            "while the condition fails)"),
    Variant(_ls_first,
            "the first trial was shrink * lr0: try lr0 itself first, and shrink only when it fails"),
    Variant(_ls_no_c,
            "the condition compares with f(w) alone (any decrease is accepted): Armijo's condition asks for a "
            "decrease of at least c * lr * (g . p): f(w - lr * p) <= f(w) - c * lr * (g . p)"),
    Variant(_ls_no_lr,
            "lr is missing in the sufficient-decrease term: f(w) - c * lr * (g . p), which shrinks with the step"),
    Variant(_ls_gg,
            "the decrease term used g . g; it is g . p, the slope along the direction p (here p is not g)"),
    Variant(_ls_ascent,
            "the trial point moved along +direction: the step subtracts it, f(w - lr * direction)"),
    Variant(_ls_one_minus_c,
            "1 - c in place of c: accept when f(w - lr * p) <= f(w) - c * lr * (g . p)"),
    Variant(_ls_once,
            "the step size shrank at most once (an `if` where a `while` loop belongs): shrink again and again "
            "while the condition fails"),
    Variant(_ls_lr0, "lr0 was returned without testing it: shrink while the condition fails"),
    Variant(_ls_count,
            "this is the number of shrinks k; return the step size itself, lr0 * shrink**k"),
]


class _Loss:
    """A loss for the cases, with a readable repr (the check shows its inputs) and a guard against a
    backtracking loop that cannot end (lr missing in the decrease term, so that the bound does not move
    towards f(w) as lr shrinks): once lr has underflowed, such a loop evaluates f at exactly the case's
    ``w`` again and again. Past ``BUDGET`` evaluations there, the check stops it with a message. Only the
    learner's calls count (the reference and the wrong variants call ``fn`` directly), and the guard
    counts calls, not seconds, as each call may be a round trip to a sandboxed kernel."""

    BUDGET = 4000

    def __init__(self, fn, text, w):
        self.fn, self.text, self.w, self.calls_at_w = fn, text, np.array(w, dtype=float), 0

    def __call__(self, w):
        w = np.asarray(w, float)
        if w.shape == self.w.shape and np.array_equal(w, self.w):
            self.calls_at_w += 1
            if self.calls_at_w > self.BUDGET:
                raise ExerciseFailure(
                    f"backtracking_line_search: the loss {self.text} was evaluated {self.BUDGET:,} times at w "
                    f"itself (lr has shrunk to nothing): the loop does not stop. As lr shrinks, both sides of the "
                    f"test must meet at lr = 0: f(w - lr * p) tends to f(w), and so must the bound "
                    f"f(w) - c * lr * (g . p); a decrease term without lr never lets it pass")
        return self.fn(w)

    def __repr__(self):
        return self.text

    def __deepcopy__(self, memo):
        return self


def _raw(f):
    # The reference and the variants bypass the guard's counter.
    return getattr(f, "fn", f)


def _rosen(w):
    return (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2


def _rosen_grad(w):
    return np.array([-2 * (1 - w[0]) - 400 * w[0] * (w[1] - w[0] ** 2), 200 * (w[1] - w[0] ** 2)])


def _rosen_hess(w):
    return np.array([[2 - 400 * w[1] + 1200 * w[0] ** 2, -400 * w[0]], [-400 * w[0], 200.0]])


def _line_cases(hidden: bool):
    w_q = np.array([2.0, 1.0])
    g_q = np.array([2.0, 4.0])
    w_r = np.array([-1.2, 1.0])
    g_r = _rosen_grad(w_r)

    def quad():
        return _Loss(lambda w: float(0.5 * w[0] ** 2 + 2.0 * w[1] ** 2), "f(w) = 0.5 x^2 + 2 y^2", w_q)

    def rosen(w):
        return _Loss(_rosen, "Rosenbrock (1 - x)^2 + 100 (y - x^2)^2", w)

    cases = [
        Case("gradient direction on f = 0.5 x^2 + 2 y^2 from (2, 1), lr0=1, c=0.3, shrink=0.5",
             {"f": quad(), "w": w_q, "g": g_q, "direction": g_q, "lr0": 1.0, "c": 0.3, "shrink": 0.5},
             note="lr0 = 1 overshoots along y; the loop must shrink until the decrease is large enough"),
        Case("a direction that is not the gradient, p = (1, 0.25), on f = 0.5 x^2 + 2 y^2 from (2, 1), lr0=4, "
             "c=0.4, shrink=0.6",
             {"f": quad(), "w": w_q, "g": g_q, "direction": np.array([1.0, 0.25]), "lr0": 4.0, "c": 0.4,
              "shrink": 0.6}),
        Case("Newton's direction H^-1 g on Rosenbrock from (-1.2, 1), lr0=1, c=1e-4, shrink=0.5",
             {"f": rosen(w_r), "w": w_r, "g": g_r, "direction": np.linalg.solve(_rosen_hess(w_r), g_r), "lr0": 1.0,
              "c": 1e-4, "shrink": 0.5},
             note="here the first trial, the full Newton step, is accepted"),
        Case("the gradient direction on Rosenbrock from (-1.2, 1), lr0=1, c=1e-4, shrink=0.5",
             {"f": rosen(w_r), "w": w_r, "g": g_r, "direction": g_r, "lr0": 1.0, "c": 1e-4, "shrink": 0.5},
             note="|g| is about 230: about ten shrinks are needed"),
    ]
    if hidden:
        rng = np.random.default_rng(113)
        for c, shrink in ((0.2, 0.7), (0.45, 0.4), (1e-3, 0.8)):
            a = rng.uniform(0.5, 5.0, size=3)
            w = rng.normal(size=3) * 2
            f = _Loss(lambda w, a=a: float(0.5 * np.sum(a * w * w) + 0.1 * np.sum(w ** 4)),
                      f"f(w) = sum(a w^2 / 2 + w^4 / 10), a = {np.round(a, 3).tolist()}", w)
            g = a * w + 0.4 * w ** 3
            p = g * rng.uniform(0.3, 2.0, size=3)
            cases.append(Case(f"a random quartic in 3 coordinates, a scaled-gradient direction, lr0=2, c={c}, "
                              f"shrink={shrink}",
                              {"f": f, "w": w, "g": g, "direction": p, "lr0": 2.0, "c": c, "shrink": shrink}))
        w = np.array([0.5, 0.5])
        g = _rosen_grad(w)
        cases.append(Case("Rosenbrock from (0.5, 0.5), gradient direction, lr0=0.01, c=0.5, shrink=0.3",
                          {"f": rosen(w), "w": w, "g": g, "direction": g, "lr0": 0.01, "c": 0.5, "shrink": 0.3}))
    return cases


def check_backtracking_line_search(backtracking_line_search, hidden: bool = False) -> None:
    """``backtracking_line_search(f, w, g, direction, lr0, c, shrink)``: the step size Armijo's backtracking
    accepts, as :func:`optimlab.second_order.backtracking_line_search`."""
    _require_callable(backtracking_line_search, "backtracking_line_search")
    first = _line_cases(False)[0]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            out = backtracking_line_search(*copy.deepcopy(list(first.inputs.values())))
    except Exception:  # noqa: BLE001 - check_function explains crashes
        out = None
    if out is not None and np.shape(out) == first.inputs["w"].shape:
        # A common slip the shape check alone would word as a reduction over the wrong axis.
        raise ExerciseFailure(f"backtracking_line_search, case {first.label}: it returned an array of the shape of "
                              f"w, {np.shape(out)}, probably the new point w - lr * direction; return the accepted "
                              f"step size lr itself, a number")
    check_function(backtracking_line_search, _ref_line_search, _line_cases(hidden),
                   exercise="backtracking_line_search", returns=("lr",), variants=_LINE_SEARCH_VARIANTS,
                   rtol=1e-9, atol=1e-14)


# ---------------------------------------------------------------------------
# hessian_vector_product
# ---------------------------------------------------------------------------

def _ref_hvp(grad_fn, w, v, h):
    return _so.hessian_vector_product(grad_fn, np.asarray(w, float), np.asarray(v, float), h)


def _g(grad_fn, x):
    return np.asarray(grad_fn(np.asarray(x, float)), float)


def _hv_forward(grad_fn, w, v, h):
    return (_g(grad_fn, w + h * v) - _g(grad_fn, w)) / h


def _hv_backward(grad_fn, w, v, h):
    return (_g(grad_fn, w) - _g(grad_fn, w - h * v)) / h


def _hv_over_h(grad_fn, w, v, h):
    return (_g(grad_fn, w + h * v) - _g(grad_fn, w - h * v)) / h


def _hv_sign(grad_fn, w, v, h):
    return (_g(grad_fn, w - h * v) - _g(grad_fn, w + h * v)) / (2 * h)


def _hv_no_v(grad_fn, w, v, h):
    return (_g(grad_fn, w + h) - _g(grad_fn, w - h)) / (2 * h)


def _hv_no_v_times_v(grad_fn, w, v, h):
    return (_g(grad_fn, w + h) - _g(grad_fn, w - h)) / (2 * h) * v


def _hv_unit_v(grad_fn, w, v, h):
    u = np.asarray(v, float) / np.linalg.norm(v)
    return (_g(grad_fn, w + h * u) - _g(grad_fn, w - h * u)) / (2 * h)


def _hv_h_squared(grad_fn, w, v, h):
    return (_g(grad_fn, w + h * v) - _g(grad_fn, w - h * v)) / (2 * h * h)


def _hv_no_division(grad_fn, w, v, h):
    return _g(grad_fn, w + h * v) - _g(grad_fn, w - h * v)


def _hv_g_times_v(grad_fn, w, v, h):
    return _g(grad_fn, w) * v


def _hv_no_w(grad_fn, w, v, h):
    return (_g(grad_fn, h * v) - _g(grad_fn, -h * v)) / (2 * h)


def _hv_shift_by_v(grad_fn, w, v, h):
    return (_g(grad_fn, w + v) - _g(grad_fn, w - v)) / (2 * h)


_HVP_VARIANTS = [
    Variant(_hv_forward,
            "forward differences (grad(w + h v) - grad(w)) / h: their error is O(h); the exercise asks for "
            "central differences (grad(w + h v) - grad(w - h v)) / (2h), whose error is O(h^2)"),
    Variant(_hv_backward,
            "backward differences (grad(w) - grad(w - h v)) / h; use central differences "
            "(grad(w + h v) - grad(w - h v)) / (2h)"),
    Variant(_hv_over_h,
            "divided by h instead of 2h: the two points w + h v and w - h v are 2h apart"),
    Variant(_hv_sign, "the sign: (grad(w + h v) - grad(w - h v)) / (2h), the later point first"),
    Variant(_hv_no_v,
            "w was shifted by h in every coordinate (w + h), which gives H times a vector of ones; shift along "
            "v: w + h * v"),
    Variant(_hv_no_v_times_v,
            "w was shifted by h in every coordinate and the result multiplied by v afterwards; H v needs the "
            "shift along v itself: (grad(w + h * v) - grad(w - h * v)) / (2h)"),
    Variant(_hv_unit_v,
            "v was normalised to length 1; H v is linear in v, so use v as given (its length scales the result)"),
    Variant(_hv_h_squared,
            "divided by 2h^2: that is the scale of a second difference of the LOSS; a difference of GRADIENTS "
            "is divided by 2h"),
    Variant(_hv_no_division, "the division by 2h is missing: (grad(w + h v) - grad(w - h v)) / (2h)"),
    Variant(_hv_g_times_v,
            "this is grad(w) * v elementwise; H v needs the change of the gradient along v: "
            "(grad(w + h v) - grad(w - h v)) / (2h)"),
    Variant(_hv_no_w,
            "the gradient was taken at h v and -h v, around 0 instead of around w: grad(w + h v), grad(w - h v)"),
    Variant(_hv_shift_by_v,
            "the points are w + v and w - v: the shift is h * v, so that it is small"),
]


def _quartic_grad(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)

    def grad(w):
        w = np.asarray(w, float)
        return a * w + b * w ** 3 + 0.5 * np.roll(w, 1) ** 2
    return grad


class _Grad:
    """A gradient function for the cases, with a readable repr."""

    def __init__(self, fn, text):
        self.fn, self.text = fn, text

    def __call__(self, w):
        return self.fn(np.asarray(w, float))

    def __repr__(self):
        return self.text

    def __deepcopy__(self, memo):
        return self


def _hvp_cases(hidden: bool):
    rosen = _Grad(_rosen_grad, "the gradient of Rosenbrock's function")
    quart = _Grad(_quartic_grad([1.0, 2.0, 0.5], [0.3, -0.2, 0.1]),
                  "grad of a quartic: a w + b w^3 + (roll(w, 1))^2 / 2, a = (1, 2, 0.5), b = (0.3, -0.2, 0.1)")
    cases = [
        Case("Rosenbrock's gradient at (-1.2, 1), v = (0.6, 0.8), h=0.01",
             {"grad_fn": rosen, "w": np.array([-1.2, 1.0]), "v": np.array([0.6, 0.8]), "h": 0.01},
             note="the gradient is not linear in w, so forward and central differences differ"),
        Case("a quartic in 3 coordinates at (1, -2, 0.5), v = (2, 1, -3), h=0.1",
             {"grad_fn": quart, "w": np.array([1.0, -2.0, 0.5]), "v": np.array([2.0, 1.0, -3.0]), "h": 0.1},
             note="v is not of length 1 on purpose"),
    ]
    if hidden:
        rng = np.random.default_rng(115)
        for h in (0.05, 0.2, 1e-3):
            a, b = rng.uniform(0.5, 3.0, size=4), rng.normal(size=4) * 0.5
            cases.append(Case(f"a random quartic in 4 coordinates, h={h}",
                              {"grad_fn": _Grad(_quartic_grad(a, b), f"a quartic's gradient, a = "
                                                f"{np.round(a, 3).tolist()}, b = {np.round(b, 3).tolist()}"),
                               "w": rng.normal(size=4) * 2, "v": rng.normal(size=4) * 2, "h": h}))
        cases.append(Case("Rosenbrock's gradient at (1, 1), the minimum (gradient zero), v = (1, -1), h=0.05",
                          {"grad_fn": rosen, "w": np.array([1.0, 1.0]), "v": np.array([1.0, -1.0]), "h": 0.05}))
    return cases


def check_hessian_vector_product(hessian_vector_product, hidden: bool = False) -> None:
    """``hessian_vector_product(grad_fn, w, v, h)``: ``(grad_fn(w + h v) - grad_fn(w - h v)) / (2h)``."""
    check_function(hessian_vector_product, _ref_hvp, _hvp_cases(hidden), exercise="hessian_vector_product",
                   returns=("Hv",), variants=_HVP_VARIANTS, rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------------------
# bfgs_update
# ---------------------------------------------------------------------------

def _ref_bfgs(H_inv, s, y):
    return _so.bfgs_update(np.asarray(H_inv, float), np.asarray(s, float), np.asarray(y, float))


def _bf_direct(H_inv, s, y):
    B = np.asarray(H_inv, float)
    Bs = B @ s
    return B + np.outer(y, y) / (y @ s) - np.outer(Bs, Bs) / (s @ Bs)


def _bf_dfp(H_inv, s, y):
    H = np.asarray(H_inv, float)
    Hy = H @ y
    return H + np.outer(s, s) / (s @ y) - np.outer(Hy, Hy) / (y @ Hy)


def _bf_swapped(H_inv, s, y):
    return _ref_bfgs(H_inv, y, s)


def _bf_no_last(H_inv, s, y):
    rho = 1.0 / (y @ s)
    L = np.eye(len(s)) - rho * np.outer(s, y)
    return L @ H_inv @ L.T


def _bf_transposed(H_inv, s, y):
    rho = 1.0 / (y @ s)
    L = np.eye(len(s)) - rho * np.outer(y, s)
    return L @ H_inv @ L.T + rho * np.outer(s, s)


def _bf_rho_ss(H_inv, s, y):
    rho = 1.0 / (s @ s)
    L = np.eye(len(s)) - rho * np.outer(s, y)
    return L @ H_inv @ L.T + rho * np.outer(s, s)


def _bf_rho_not_inverted(H_inv, s, y):
    rho = y @ s
    L = np.eye(len(s)) - rho * np.outer(s, y)
    return L @ H_inv @ L.T + rho * np.outer(s, s)


def _bf_one_side(H_inv, s, y):
    rho = 1.0 / (y @ s)
    return (np.eye(len(s)) - rho * np.outer(s, y)) @ H_inv + rho * np.outer(s, s)


def _bf_minus(H_inv, s, y):
    rho = 1.0 / (y @ s)
    L = np.eye(len(s)) - rho * np.outer(s, y)
    return L @ H_inv @ L.T - rho * np.outer(s, s)


def _bf_elementwise(H_inv, s, y):
    rho = 1.0 / (y @ s)
    L = np.eye(len(s)) - rho * s * y
    return L @ H_inv @ L.T + rho * s * s


def _bf_plus_inside(H_inv, s, y):
    rho = 1.0 / (y @ s)
    L = np.eye(len(s)) + rho * np.outer(s, y)
    return L @ H_inv @ L.T + rho * np.outer(s, s)


_BFGS_VARIANTS = [
    Variant(_bf_direct,
            "this is the BFGS update of the Hessian B itself, B + y y^T/(y.s) - B s s^T B/(s^T B s); the exercise "
            "updates the INVERSE estimate H_inv: (I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T"),
    Variant(_bf_dfp,
            "this is the DFP update, H_inv + s s^T/(s.y) - H_inv y y^T H_inv/(y^T H_inv y); BFGS's is "
            "(I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T"),
    Variant(_bf_swapped, "s and y are swapped: s is the move w_t - w_{t-1}, y the change of the gradient"),
    Variant(_bf_no_last, "the last term + rho * s s^T is missing"),
    Variant(_bf_transposed,
            "the outer products are transposed: (I - rho s y^T) on the left, (I - rho y s^T) on the right"),
    Variant(_bf_rho_ss, "rho = 1 / (s . s); it is 1 / (y . s)"),
    Variant(_bf_rho_not_inverted, "rho = y . s; it is 1 / (y . s)"),
    Variant(_bf_one_side,
            "only the left factor was applied: (I - rho s y^T) H_inv (I - rho y s^T), both sides"),
    Variant(_bf_minus, "the sign of the last term: + rho * s s^T"),
    Variant(_bf_elementwise,
            "s * y and s * s are elementwise products; the update needs outer products, np.outer(s, y) and "
            "np.outer(s, s)"),
    Variant(_bf_plus_inside, "the sign inside the factors: I - rho s y^T, not I + rho s y^T"),
]


def _bfgs_cases(hidden: bool):
    cases = [
        Case("2 coordinates, H_inv = [[1, 0.2], [0.2, 0.5]], s = (1, -0.5), y = (2, 0.3)",
             {"H_inv": np.array([[1.0, 0.2], [0.2, 0.5]]), "s": np.array([1.0, -0.5]), "y": np.array([2.0, 0.3])},
             note="y . s = 1.85 > 0, as after a successful line search"),
        Case("3 coordinates, H_inv a full positive definite matrix, s = (0.5, 1, -1), y = (1, 2.5, -0.5)",
             {"H_inv": np.array([[2.0, 0.3, -0.1], [0.3, 1.0, 0.2], [-0.1, 0.2, 0.5]]),
              "s": np.array([0.5, 1.0, -1.0]), "y": np.array([1.0, 2.5, -0.5])}),
    ]
    if hidden:
        rng = np.random.default_rng(117)
        for n in (2, 4, 5):
            A, H0 = _spd(rng, n), np.linalg.inv(_spd(rng, n))
            s = rng.normal(size=n)
            cases.append(Case(f"random {n}x{n} H_inv, y = A s for a positive definite A",
                              {"H_inv": H0, "s": s, "y": A @ s}))
        cases.append(Case("from H_inv = I (the first update), s = (0.3, 0.1), y = (0.9, 0.5)",
                          {"H_inv": np.eye(2), "s": np.array([0.3, 0.1]), "y": np.array([0.9, 0.5])}))
    return cases


def check_bfgs_update(bfgs_update, hidden: bool = False) -> None:
    """``bfgs_update(H_inv, s, y)``: ``(I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T``, ``rho = 1/(y.s)``."""
    check_function(bfgs_update, _ref_bfgs, _bfgs_cases(hidden), exercise="bfgs_update", returns=("H_inv",),
                   variants=_BFGS_VARIANTS)
