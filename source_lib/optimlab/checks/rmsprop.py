r"""Checks for notebook 07, RMSprop and AdaDelta: ``rmsprop_step``, ``adadelta_step`` and
``adadelta_first_step``.

The exercises, with the formulas the learner implements (PyTorch's conventions):

.. code-block:: text

    rmsprop_step(w, V, g, lr, alpha, eps)        V <- alpha * V + (1 - alpha) * g**2
                                                 w <- w - lr * g / (sqrt(V) + eps)          -> (w, V)
    adadelta_step(w, V, U, g, lr, rho, eps)      V  <- rho * V + (1 - rho) * g**2
                                                 dx <- sqrt(U + eps) / sqrt(V + eps) * g
                                                 U  <- rho * U + (1 - rho) * dx**2
                                                 w  <- w - lr * dx                          -> (w, V, U)
    adadelta_first_step(g, rho, eps)             dx_1 from V_0 = U_0 = 0:
                                                 sqrt(eps) / sqrt((1 - rho) * g**2 + eps) * g

Cases start from non-zero state and run several steps, with a large ``eps`` (0.05 to 0.5,
so that putting it inside or outside the square root changes the numbers), ``alpha`` and
``rho`` far from 0.5 (where swapping them with ``1 - alpha`` changes nothing) and ``lr``
not 1 (AdaDelta's ``lr`` must multiply the step but not enter ``U``).

The ``check_*`` functions print a one-line success message and return ``None`` (nbgrader
reads a number displayed at the end of a test cell as partial credit).
"""
from __future__ import annotations

import numpy as np

from ..optimizers import adadelta_step as _adadelta_step
from ..optimizers import rmsprop_step as _rmsprop_step
from .cases import quadratic as _quadratic, random_shape
from .engine import Case, Variant, check_function, check_steps

__all__ = ["reference_adadelta_first_step", "check_rmsprop_step", "check_adadelta_step",
           "check_adadelta_first_step"]


# ---------------------------------------------------------------------------
# rmsprop_step
# ---------------------------------------------------------------------------

def _ref_rmsprop_step(w, V, g, lr, alpha, eps):
    # Positional: the library's state arguments are being renamed (v -> V).
    return _rmsprop_step.unchecked(np.asarray(w, float), np.asarray(V, float), np.asarray(g, float),
                                   lr, alpha, eps)


def _rms_eps_inside(w, V, g, lr, alpha, eps):
    V = alpha * V + (1 - alpha) * g * g
    return w - lr * g / np.sqrt(V + eps), V


def _rms_swapped(w, V, g, lr, alpha, eps):
    V = (1 - alpha) * V + alpha * g * g
    return w - lr * g / (np.sqrt(V) + eps), V


def _rms_no_damping(w, V, g, lr, alpha, eps):
    V = alpha * V + g * g
    return w - lr * g / (np.sqrt(V) + eps), V


def _rms_adagrad(w, V, g, lr, alpha, eps):
    V = V + g * g
    return w - lr * g / (np.sqrt(V) + eps), V


def _rms_no_sqrt(w, V, g, lr, alpha, eps):
    V = alpha * V + (1 - alpha) * g * g
    return w - lr * g / (V + eps), V


def _rms_old_V(w, V, g, lr, alpha, eps):
    return w - lr * g / (np.sqrt(V) + eps), alpha * V + (1 - alpha) * g * g


def _rms_no_eps(w, V, g, lr, alpha, eps):
    V = alpha * V + (1 - alpha) * g * g
    return w - lr * g / np.sqrt(V), V


def _rms_sign(w, V, g, lr, alpha, eps):
    V = alpha * V + (1 - alpha) * g * g
    return w + lr * g / (np.sqrt(V) + eps), V


def _rms_no_lr(w, V, g, lr, alpha, eps):
    V = alpha * V + (1 - alpha) * g * g
    return w - g / (np.sqrt(V) + eps), V


def _rms_lr_in_denominator(w, V, g, lr, alpha, eps):
    V = alpha * V + (1 - alpha) * g * g
    return w - g / (lr * (np.sqrt(V) + eps)), V


def _rms_swapped_return(w, V, g, lr, alpha, eps):
    V = alpha * V + (1 - alpha) * g * g
    return V, w - lr * g / (np.sqrt(V) + eps)


_RMSPROP_VARIANTS = [
    Variant(_rms_eps_inside,
            "eps is inside the square root, g / sqrt(V + eps) (Keras's convention); PyTorch's RMSprop, "
            "asked for here, adds eps outside: g / (sqrt(V) + eps)"),
    Variant(_rms_swapped,
            "alpha and 1 - alpha are swapped: V <- alpha * V + (1 - alpha) * g**2 (alpha multiplies the old "
            "average, as in notebook 04's EMA)"),
    Variant(_rms_no_damping,
            "alpha * V + g**2 instead of alpha * V + (1 - alpha) * g**2: without the factor (1 - alpha), V "
            "grows to about g**2 / (1 - alpha), so the steps are sqrt(1 - alpha) times too short"),
    Variant(_rms_adagrad,
            "V <- V + g**2 is AdaGrad's running sum (notebook 06); RMSprop replaces it by the average "
            "V <- alpha * V + (1 - alpha) * g**2"),
    Variant(_rms_no_sqrt,
            "the square root is missing: divide by sqrt(V) + eps, not V + eps (V is a mean of squares; its "
            "root has the units of g)"),
    Variant(_rms_old_V,
            "the step used the old V: first update V <- alpha * V + (1 - alpha) * g**2, then divide by "
            "sqrt of the NEW V"),
    Variant(_rms_no_eps, "eps is missing: divide by sqrt(V) + eps, not by sqrt(V)"),
    Variant(_rms_sign, "the sign: the step goes downhill, w - lr * g / (sqrt(V) + eps), not w + ..."),
    Variant(_rms_no_lr, "the learning rate is missing: the step is lr * g / (sqrt(V) + eps)"),
    Variant(_rms_lr_in_denominator,
            "lr divides the step instead of multiplying it: w - lr * g / (sqrt(V) + eps)"),
    Variant(_rms_swapped_return, "the results are in the wrong order: return (w, V), parameters first"),
]


def _rmsprop_cases(hidden: bool):
    rng = np.random.default_rng(71 if hidden else 70)
    cases = [
        Case("scalar parabola f(w)=w^2 from w=3, V=4, lr=0.1, alpha=0.9, eps=0.5",
             {"w": np.array(3.0), "V": np.array(4.0), "g": None, "lr": 0.1, "alpha": 0.9, "eps": 0.5},
             steps=3, grad=lambda w: 2 * w,
             note="eps is large on purpose, so that where it goes (inside or outside the root) shows"),
        Case("3 coordinates on f = 0.1 x^2 + 2 y^2 + 0.75 z^2, V=[0.5, 2, 0.01], lr=0.03, alpha=0.99, eps=0.1",
             {"w": np.array([1.0, -2.0, 0.5]), "V": np.array([0.5, 2.0, 0.01]), "g": None, "lr": 0.03,
              "alpha": 0.99, "eps": 0.1},
             steps=4, grad=_quadratic([0.2, 4.0, 1.5])),
    ]
    if hidden:
        for alpha in (0.8, 0.95, 0.999):
            shape = random_shape(rng)
            lr = float(np.round(10 ** rng.uniform(-2.5, -0.5), 4))
            eps = float(np.round(10 ** rng.uniform(-1.3, -0.3), 3))
            cases.append(Case(
                f"random shape {shape}, lr={lr}, alpha={alpha}, eps={eps}",
                {"w": rng.normal(size=shape), "V": rng.uniform(0.05, 3.0, size=shape), "g": None, "lr": lr,
                 "alpha": alpha, "eps": eps},
                steps=5, grad=_quadratic(rng.uniform(0.1, 3.0, size=shape), rng.normal(size=shape))))
        cases.append(Case("from V = 0 (the first steps), lr=0.01, alpha=0.99, eps=1e-8",
                          {"w": np.array([2.0, -1.0]), "V": np.zeros(2), "g": None, "lr": 0.01, "alpha": 0.99,
                           "eps": 1e-8}, steps=3, grad=_quadratic([1.0, 10.0]),
                          note="from V = 0 the first step is lr * g / (sqrt(1 - alpha) * |g|) = 10 lr"))
    return cases


def check_rmsprop_step(rmsprop_step, hidden: bool = False) -> None:
    """``rmsprop_step(w, V, g, lr, alpha, eps)``: ``V <- alpha*V + (1-alpha)*g**2``,
    ``w <- w - lr*g/(sqrt(V) + eps)``; returns ``(w, V)``."""
    check_steps(rmsprop_step, _ref_rmsprop_step, _rmsprop_cases(hidden), exercise="rmsprop_step",
                returns=("w", "V"), variants=_RMSPROP_VARIANTS)


# ---------------------------------------------------------------------------
# adadelta_step
# ---------------------------------------------------------------------------

def _ref_adadelta_step(w, V, U, g, lr, rho, eps):
    return _adadelta_step.unchecked(np.asarray(w, float), np.asarray(V, float), np.asarray(U, float),
                                    np.asarray(g, float), lr, rho, eps)


def _adadelta(w, V, U, g, lr, rho, eps, *, ratio=None, u_source=None, v_for_dx="new", lr_in_U=False,
              sign=-1.0, use_lr=True, swap=False, no_damping=False):
    # One parametrised AdaDelta for the wrong variants; the defaults give the correct step.
    a, b = (1 - rho, rho) if swap else (rho, 1 - rho)
    if no_damping:
        b = 1.0
    V_new = a * V + b * g * g
    Vd = V_new if v_for_dx == "new" else V
    dx = (ratio or (lambda U_, V_: np.sqrt(U_ + eps) / np.sqrt(V_ + eps)))(U, Vd) * g
    step = lr * dx if use_lr else dx
    src = step if lr_in_U else (dx if u_source is None else u_source(g, dx))
    U_new = a * U + b * src * src
    return w + sign * step, V_new, U_new


def _ad_g_in_U(*a):
    return _adadelta(*a, u_source=lambda g, dx: g)


def _ad_inverted(*a):
    eps = a[-1]
    return _adadelta(*a, ratio=lambda U, V: np.sqrt(V + eps) / np.sqrt(U + eps))


def _ad_no_eps_top(*a):
    eps = a[-1]
    return _adadelta(*a, ratio=lambda U, V: np.sqrt(U) / np.sqrt(V + eps))


def _ad_eps_outside(*a):
    eps = a[-1]
    return _adadelta(*a, ratio=lambda U, V: (np.sqrt(U) + eps) / (np.sqrt(V) + eps))


def _ad_lr_in_U(*a):
    return _adadelta(*a, lr_in_U=True)


def _ad_swapped(*a):
    return _adadelta(*a, swap=True)


def _ad_no_damping(*a):
    return _adadelta(*a, no_damping=True)


def _ad_old_V(*a):
    return _adadelta(*a, v_for_dx="old")


def _ad_sign(*a):
    return _adadelta(*a, sign=+1.0)


def _ad_no_lr(*a):
    return _adadelta(*a, use_lr=False)


def _ad_rmsprop(w, V, U, g, lr, rho, eps):
    V = rho * V + (1 - rho) * g * g
    return w - lr * g / np.sqrt(V + eps), V, U


def _ad_swapped_state(*a):
    w, V, U = _adadelta(*a)
    return w, U, V


_ADADELTA_VARIANTS = [
    Variant(_ad_g_in_U,
            "U was updated with g**2; U is the average of the squared UPDATES: "
            "U <- rho * U + (1 - rho) * dx**2, with the dx of this step"),
    Variant(_ad_inverted,
            "the ratio is upside down: dx = sqrt(U + eps) / sqrt(V + eps) * g (past updates on top, "
            "gradients below)"),
    Variant(_ad_no_eps_top,
            "eps is missing in the numerator: dx = sqrt(U + eps) / sqrt(V + eps) * g. With sqrt(U) alone, "
            "U = 0 at the start gives dx = 0 and AdaDelta never moves"),
    Variant(_ad_eps_outside,
            "eps was added outside the square roots, (sqrt(U) + eps) / (sqrt(V) + eps); AdaDelta (PyTorch, "
            "Keras and the paper alike) puts it inside both: sqrt(U + eps) / sqrt(V + eps)"),
    Variant(_ad_lr_in_U,
            "U accumulated the step lr * dx; it accumulates dx itself, before the multiplication by lr "
            "(U <- rho * U + (1 - rho) * dx**2, then w <- w - lr * dx)"),
    Variant(_ad_swapped,
            "rho and 1 - rho are swapped: V <- rho * V + (1 - rho) * g**2 and U <- rho * U + (1 - rho) * dx**2"),
    Variant(_ad_no_damping,
            "the factor (1 - rho) is missing: V <- rho * V + (1 - rho) * g**2, U <- rho * U + (1 - rho) * dx**2"),
    Variant(_ad_old_V,
            "dx used the old V: first update V <- rho * V + (1 - rho) * g**2, then dx = sqrt(U + eps) / "
            "sqrt(V + eps) * g with the NEW V and the OLD U"),
    Variant(_ad_sign, "the sign: the step goes downhill, w - lr * dx, not w + lr * dx"),
    Variant(_ad_no_lr, "lr is missing: the step is w - lr * dx (lr = 1 in the paper, but not in these cases)"),
    Variant(_ad_rmsprop,
            "this is RMSprop with eps inside the root, g / sqrt(V + eps): AdaDelta replaces lr by "
            "sqrt(U + eps), the RMS of the past updates, and must update U"),
    Variant(_ad_swapped_state, "V and U are swapped in the result: return (w, V, U)"),
]


def _adadelta_cases(hidden: bool):
    rng = np.random.default_rng(73 if hidden else 72)
    cases = [
        Case("scalar parabola f(w)=w^2 from w=3, V=4, U=0.25, lr=0.5, rho=0.9, eps=0.1",
             {"w": np.array(3.0), "V": np.array(4.0), "U": np.array(0.25), "g": None, "lr": 0.5, "rho": 0.9,
              "eps": 0.1}, steps=3, grad=lambda w: 2 * w,
             note="eps is large and lr is not 1 on purpose, so that more mistakes show"),
        Case("3 coordinates on f = 0.1 x^2 + 2 y^2 + 0.75 z^2, non-zero V and U, lr=2, rho=0.95, eps=0.05",
             {"w": np.array([1.0, -2.0, 0.5]), "V": np.array([0.5, 2.0, 0.01]), "U": np.array([0.02, 0.3, 1.0]),
              "g": None, "lr": 2.0, "rho": 0.95, "eps": 0.05},
             steps=4, grad=_quadratic([0.2, 4.0, 1.5])),
    ]
    if hidden:
        for rho in (0.8, 0.9, 0.99):
            shape = random_shape(rng)
            lr = float(np.round(10 ** rng.uniform(-1, 0.4), 3))
            eps = float(np.round(10 ** rng.uniform(-1.5, -0.5), 3))
            cases.append(Case(
                f"random shape {shape}, lr={lr}, rho={rho}, eps={eps}",
                {"w": rng.normal(size=shape), "V": rng.uniform(0.05, 3.0, size=shape),
                 "U": rng.uniform(0.0, 0.5, size=shape), "g": None, "lr": lr, "rho": rho, "eps": eps},
                steps=5, grad=_quadratic(rng.uniform(0.1, 3.0, size=shape), rng.normal(size=shape))))
        cases.append(Case("from V = U = 0 (the first steps), lr=1, rho=0.9, eps=1e-6",
                          {"w": np.array([2.0, -1.0]), "V": np.zeros(2), "U": np.zeros(2), "g": None, "lr": 1.0,
                           "rho": 0.9, "eps": 1e-6}, steps=3, grad=_quadratic([1.0, 10.0]),
                          note="from V = U = 0 the first dx is about sqrt(eps / (1 - rho)) = 0.0032 per coordinate"))
    return cases


def check_adadelta_step(adadelta_step, hidden: bool = False) -> None:
    """``adadelta_step(w, V, U, g, lr, rho, eps)`` as :func:`optimlab.adadelta_step`; returns ``(w, V, U)``."""
    check_steps(adadelta_step, _ref_adadelta_step, _adadelta_cases(hidden), exercise="adadelta_step",
                returns=("w", "V", "U"), variants=_ADADELTA_VARIANTS)


# ---------------------------------------------------------------------------
# adadelta_first_step (theory)
# ---------------------------------------------------------------------------

def reference_adadelta_first_step(g, rho, eps):
    r"""AdaDelta's first update ``dx_1`` from ``V_0 = U_0 = 0`` (then ``w_1 = w_0 - lr * dx_1``).

    .. code-block:: text

        V_1  = (1 - rho) * g**2
        dx_1 = sqrt(U_0 + eps) / sqrt(V_1 + eps) * g = sqrt(eps) / sqrt((1 - rho) * g**2 + eps) * g

    For ``(1 - rho) * g**2 >> eps`` this is about ``sqrt(eps / (1 - rho)) * sign(g)``, whatever the
    size of ``g``. Elementwise; returns a float64 array of the shape of ``g``.
    """
    g = np.asarray(g, dtype=float)
    return np.sqrt(eps) / np.sqrt((1.0 - rho) * g * g + eps) * g


def _first_approx(g, rho, eps):
    return np.sqrt(eps / (1 - rho)) * np.sign(g)


def _first_no_eps_below(g, rho, eps):
    g = np.asarray(g, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(eps) / np.sqrt((1 - rho) * g * g) * g


def _first_abs(g, rho, eps):
    return np.abs(reference_adadelta_first_step(g, rho, eps))


def _first_no_damping(g, rho, eps):
    return np.sqrt(eps) / np.sqrt(g * g + eps) * g


def _first_rho(g, rho, eps):
    return np.sqrt(eps) / np.sqrt(rho * g * g + eps) * g


def _first_zero(g, rho, eps):
    return np.zeros_like(np.asarray(g, dtype=float))


def _first_no_sqrt(g, rho, eps):
    return eps / ((1 - rho) * g * g + eps) * g


def _first_inverted(g, rho, eps):
    return np.sqrt((1 - rho) * g * g + eps) / np.sqrt(eps) * g


def _first_displacement(g, rho, eps):
    return -reference_adadelta_first_step(g, rho, eps)


def _first_U(g, rho, eps):
    return (1 - rho) * reference_adadelta_first_step(g, rho, eps) ** 2


def _first_eps_outside(g, rho, eps):
    return eps / (np.sqrt((1 - rho) * g * g) + eps) * g


_FIRST_VARIANTS = [
    Variant(_first_approx,
            "this is the approximation sqrt(eps / (1 - rho)) * sign(g), right only where (1 - rho) * g**2 is "
            "much larger than eps; return the exact dx_1 = sqrt(eps) / sqrt((1 - rho) * g**2 + eps) * g, "
            "which also covers small gradients"),
    Variant(_first_no_eps_below,
            "eps was left out of the denominator, sqrt(eps) / sqrt((1 - rho) * g**2) * g: that is "
            "sqrt(eps / (1 - rho)) * sign(g), wrong for small g and 0/0 at g = 0; the denominator is "
            "sqrt(V_1 + eps) = sqrt((1 - rho) * g**2 + eps)"),
    Variant(_first_abs,
            "the sign of g is lost: dx_1 has the sign of g (return the update, not its size)"),
    Variant(_first_no_damping,
            "the factor (1 - rho) is missing: V_1 = rho * 0 + (1 - rho) * g**2"),
    Variant(_first_rho, "rho instead of 1 - rho: V_1 = rho * V_0 + (1 - rho) * g**2 = (1 - rho) * g**2"),
    Variant(_first_zero,
            "all zeros: U_0 = 0, but the numerator is sqrt(U_0 + eps) = sqrt(eps), not 0"),
    Variant(_first_no_sqrt, "the square roots are missing: dx_1 = sqrt(eps) / sqrt((1 - rho) * g**2 + eps) * g"),
    Variant(_first_inverted,
            "the ratio is upside down: dx_1 = sqrt(U_0 + eps) / sqrt(V_1 + eps) * g, past updates on top"),
    Variant(_first_displacement,
            "the sign: dx_1 is the update that is subtracted, w_1 = w_0 - lr * dx_1, so it has the sign of g"),
    Variant(_first_U,
            "this is U_1 = (1 - rho) * dx_1**2, the new average of squared updates; return dx_1 itself"),
    Variant(_first_eps_outside,
            "eps was added outside the square roots; AdaDelta puts it inside: sqrt(eps) / sqrt(V_1 + eps)"),
]


def _first_cases(hidden: bool):
    rng = np.random.default_rng(75 if hidden else 74)
    cases = [
        Case("gradients from -100 to 5, rho=0.9, eps=1e-6",
             {"g": np.array([-100.0, -1.0, -1e-3, 0.0, 1e-2, 5.0]), "rho": 0.9, "eps": 1e-6},
             note="for |g| >> sqrt(eps / (1 - rho)) = 0.0032 the result is about +-0.0032; not for smaller |g|"),
        Case("a scalar g = 0.3, rho=0.95, eps=1e-2 (large eps)", {"g": np.array(0.3), "rho": 0.95, "eps": 1e-2}),
    ]
    if hidden:
        for rho in (0.5, 0.8, 0.99):
            shape = tuple(int(s) for s in rng.integers(1, 5, size=rng.integers(1, 3)))
            g = rng.normal(size=shape) * 10 ** rng.uniform(-4, 2, size=shape)
            eps = float(10 ** rng.uniform(-8, -1))
            cases.append(Case(f"random g of shape {shape} over six orders of magnitude, rho={rho}, eps={eps:.3g}",
                              {"g": g, "rho": rho, "eps": eps}))
        cases.append(Case("Keras's defaults rho=0.95, eps=1e-7, g = [0.5, -2]",
                          {"g": np.array([0.5, -2.0]), "rho": 0.95, "eps": 1e-7}))
    return cases


def check_adadelta_first_step(adadelta_first_step, hidden: bool = False) -> None:
    """``adadelta_first_step(g, rho, eps)``: ``sqrt(eps) / sqrt((1 - rho)*g**2 + eps) * g``, elementwise."""
    # Composite when the learner's function calls their own adadelta_step from zero state.
    check_function(adadelta_first_step, reference_adadelta_first_step, _first_cases(hidden),
                   exercise="adadelta_first_step", returns=("dx",), variants=_FIRST_VARIANTS,
                   rtol=1e-9, atol=1e-15, helpers={"adadelta_step": _ref_adadelta_step})
