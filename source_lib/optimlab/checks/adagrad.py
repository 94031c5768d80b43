r"""Checks for notebook 06, AdaGrad: ``adagrad_step``, ``effective_lr`` and ``steps_until_rate_below``.

The exercises, with the formulas the learner implements (PyTorch's ``torch.optim.Adagrad``,
``eps`` outside the square root; squares, roots and divisions are elementwise):

.. code-block:: text

    adagrad_step(w, V, g, lr, eps)          V <- V + g**2
                                            w <- w - lr * g / (sqrt(V) + eps)          -> (w, V)
    effective_lr(grads, lr, eps)            grads = (g_1, ..., g_T) along the first axis, V_0 = 0,
                                            V_t = g_1**2 + ... + g_t**2,
                                            returns the rates lr / (sqrt(V_t) + eps), one row per step
    steps_until_rate_below(lr, g, target, eps)
                                            a coordinate whose gradient is g at every step, V_0 = 0:
                                            the smallest t >= 1 with lr / (sqrt(t) * |g| + eps) < target

Cases start from non-zero ``V`` and run several steps, with ``lr`` far from 1 and ``eps`` large
(0.1 to 1) so that putting ``eps`` inside the root (Keras's placement) or leaving it out changes
the numbers. The theory cases keep ``((lr/target - eps)/|g|)**2`` away from whole numbers, so that
a closed form and a loop that tries t = 1, 2, ... agree exactly.

The ``check_*`` functions print a one-line success message and return ``None`` (nbgrader reads a
number shown by a test cell as partial credit).
"""
from __future__ import annotations

import math

import numpy as np

from ..optimizers import adagrad_step as _adagrad_step
from .cases import quadratic as _quadratic, random_shape
from .engine import Case, Variant, check_function, check_steps

__all__ = ["reference_effective_lr", "reference_steps_until_rate_below", "check_adagrad_step",
           "check_effective_lr", "check_steps_until_rate_below"]


# ---------------------------------------------------------------------------
# adagrad_step
# ---------------------------------------------------------------------------

def _ref_adagrad_step(w, V, g, lr, eps):
    # Positional: the library's second-moment argument is being renamed (s -> V).
    return _adagrad_step.unchecked(np.asarray(w, float), np.asarray(V, float), np.asarray(g, float), lr, eps)


def _ag_eps_inside(w, V, g, lr, eps):
    V = V + g * g
    return w - lr * g / np.sqrt(V + eps), V


def _ag_old_V(w, V, g, lr, eps):
    return w - lr * g / (np.sqrt(V) + eps), V + g * g


def _ag_no_sqrt(w, V, g, lr, eps):
    V = V + g * g
    return w - lr * g / (V + eps), V


def _ag_replaced(w, V, g, lr, eps):
    V = g * g
    return w - lr * g / (np.sqrt(V) + eps), V


def _ag_ema(alpha):
    def step(w, V, g, lr, eps):
        V = alpha * V + (1 - alpha) * g * g
        return w - lr * g / (np.sqrt(V) + eps), V
    return step


def _ag_abs(w, V, g, lr, eps):
    V = V + np.abs(g)
    return w - lr * g / (np.sqrt(V) + eps), V


def _ag_no_g(w, V, g, lr, eps):
    V = V + g * g
    return w - lr / (np.sqrt(V) + eps), V


def _ag_sign(w, V, g, lr, eps):
    V = V + g * g
    return w + lr * g / (np.sqrt(V) + eps), V


def _ag_no_lr(w, V, g, lr, eps):
    V = V + g * g
    return w - g / (np.sqrt(V) + eps), V


def _ag_eps_after(w, V, g, lr, eps):
    V = V + g * g
    return w - lr * g / np.sqrt(V) + eps, V


def _ag_eps_after_division(w, V, g, lr, eps):
    V = V + g * g
    return w - lr * (g / np.sqrt(V) + eps), V


def _ag_sign_step(w, V, g, lr, eps):
    return w - lr * np.sign(g), V + g * g


def _ag_V_not_returned(w, V, g, lr, eps):
    return w - lr * g / (np.sqrt(V + g * g) + eps), V


def _ag_swapped_return(w, V, g, lr, eps):
    V = V + g * g
    return V, w - lr * g / (np.sqrt(V) + eps)


_ADAGRAD_VARIANTS = [
    Variant(_ag_eps_inside,
            "eps is inside the square root, lr * g / sqrt(V + eps): that is Keras's and optax's placement. "
            "This exercise follows PyTorch: lr * g / (sqrt(V) + eps), eps added to the root"),
    Variant(_ag_old_V,
            "the step used the old V: first add g**2 to V, then divide by sqrt of the NEW V "
            "(that is why the first step is about lr * sign(g) and never a division by eps alone)"),
    Variant(_ag_no_sqrt,
            "the square root is missing: divide by sqrt(V) + eps, not by V + eps (sqrt(V) has the units "
            "of g, so g / sqrt(V) is a pure number)"),
    Variant(_ag_replaced,
            "V was replaced by g**2 instead of accumulated: AdaGrad keeps the running SUM, V <- V + g**2"),
    Variant(_ag_ema(0.99),
            "V is an exponential average (alpha * V + (1 - alpha) * g**2, alpha = 0.99): that is RMSprop "
            "(notebook 07). AdaGrad keeps the plain running sum, V <- V + g**2"),
    Variant(_ag_ema(0.9),
            "V is an exponential average (rho * V + (1 - rho) * g**2, rho = 0.9): that is RMSprop "
            "(notebook 07). AdaGrad keeps the plain running sum, V <- V + g**2"),
    Variant(_ag_abs, "V accumulated |g| instead of g**2: V <- V + g**2, the squared gradient"),
    Variant(_ag_no_g,
            "the gradient is missing from the step: w - lr * g / (sqrt(V) + eps); lr / (sqrt(V) + eps) alone "
            "is the effective rate, which still has to multiply g"),
    Variant(_ag_sign, "the sign: the step goes against the gradient, w - lr * g / (...), not w + ..."),
    Variant(_ag_no_lr, "the learning rate is missing: the step is lr * g / (sqrt(V) + eps)"),
    Variant(_ag_eps_after,
            "eps was added to w (w - lr * g / sqrt(V) + eps): put brackets around the denominator, "
            "lr * g / (np.sqrt(V) + eps)"),
    Variant(_ag_eps_after_division,
            "eps was added after the division (lr * (g / sqrt(V) + eps)): eps belongs in the denominator, "
            "lr * g / (sqrt(V) + eps)"),
    Variant(_ag_sign_step,
            "the step is lr * sign(g): that is only the FIRST step from V = 0, approximately; in general "
            "the step is lr * g / (sqrt(V) + eps) with the accumulated V"),
    Variant(_ag_V_not_returned,
            "the step is right but V comes back unchanged: return the NEW V = V + g**2, so that the next step "
            "divides by the sum including this gradient"),
    Variant(_ag_swapped_return, "the results are in the wrong order: return (w, V), parameters first"),
]


def _adagrad_cases(hidden: bool):
    rng = np.random.default_rng(61 if hidden else 60)
    cases = [
        Case("scalar parabola f(w)=w^2 from w=3, V=4, lr=0.5, eps=0.5",
             {"w": np.array(3.0), "V": np.array(4.0), "g": None, "lr": 0.5, "eps": 0.5},
             steps=3, grad=lambda w: 2 * w),
        Case("3 coordinates on f = 0.1 x^2 + 2 y^2 + 0.75 z^2, V = [1, 0.25, 9], lr=0.2, eps=0.1",
             {"w": np.array([1.0, -2.0, 0.5]), "V": np.array([1.0, 0.25, 9.0]), "g": None, "lr": 0.2,
              "eps": 0.1},
             steps=4, grad=_quadratic([0.2, 4.0, 1.5])),
    ]
    if hidden:
        cases.append(Case("from V = 0 with eps=1e-10 (the first step is about lr * sign(g)), lr=0.3",
                          {"w": np.array([2.0, -1.0, 0.25]), "V": np.zeros(3), "g": None, "lr": 0.3,
                           "eps": 1e-10},
                          steps=3, grad=_quadratic([1.0, 0.01, 3.0], [0.5, -0.2, 0.0])))
        for eps in (0.3, 1.0, 1e-3):
            shape = random_shape(rng)
            lr = float(np.round(10 ** rng.uniform(-2, -0.3), 4))
            cases.append(Case(
                f"random shape {shape}, lr={lr}, eps={eps}",
                {"w": rng.normal(size=shape), "V": rng.uniform(0.1, 3.0, size=shape), "g": None, "lr": lr,
                 "eps": eps},
                steps=5, grad=_quadratic(rng.uniform(0.1, 3.0, size=shape), rng.normal(size=shape))))
    return cases


def check_adagrad_step(adagrad_step, hidden: bool = False) -> None:
    """``adagrad_step(w, V, g, lr, eps)``: ``V <- V + g**2``, ``w <- w - lr*g/(sqrt(V) + eps)``; returns ``(w, V)``."""
    check_steps(adagrad_step, _ref_adagrad_step, _adagrad_cases(hidden), exercise="adagrad_step",
                returns=("w", "V"), variants=_ADAGRAD_VARIANTS)


# ---------------------------------------------------------------------------
# effective_lr
# ---------------------------------------------------------------------------

def reference_effective_lr(grads, lr, eps):
    r"""AdaGrad's effective learning rate (有效学习率) after each step of a gradient history.

    .. code-block:: text

        V_0 = 0,   V_t = V_{t-1} + g_t**2 = g_1**2 + ... + g_t**2
        rate_t = lr / (sqrt(V_t) + eps)                         for t = 1, ..., T

    ``grads`` holds ``g_1, ..., g_T`` along its first axis (shape ``(T,)`` or ``(T, d)``);
    returns the rates in an array of the same shape. Each coordinate's rate never increases.
    """
    g = np.asarray(grads, dtype=float)
    return lr / (np.sqrt(np.cumsum(g * g, axis=0)) + eps)


def _cum(g):
    return np.cumsum(np.asarray(g, float) ** 2, axis=0)


def _el_shifted(grads, lr, eps):
    V = _cum(grads)
    V_prev = np.concatenate([np.zeros_like(V[:1]), V[:-1]])
    return lr / (np.sqrt(V_prev) + eps)


def _el_mean(grads, lr, eps):
    V = _cum(grads)
    t = np.arange(1, len(V) + 1).reshape((-1,) + (1,) * (V.ndim - 1))
    return lr / (np.sqrt(V / t) + eps)


def _el_square_of_sum(grads, lr, eps):
    return lr / (np.abs(np.cumsum(np.asarray(grads, float), axis=0)) + eps)


def _el_final(grads, lr, eps):
    V = _cum(grads)
    return np.broadcast_to(lr / (np.sqrt(V[-1]) + eps), V.shape).copy()


def _el_all_coordinates(grads, lr, eps):
    V = _cum(grads)
    if V.ndim < 2:
        return lr / (np.sqrt(V) + eps)
    shared = V.reshape(len(V), -1).sum(axis=1).reshape((-1,) + (1,) * (V.ndim - 1))
    return np.broadcast_to(lr / (np.sqrt(shared) + eps), V.shape).copy()


def _el_abs_sum(grads, lr, eps):
    return lr / (np.cumsum(np.abs(np.asarray(grads, float)), axis=0) + eps)


def _el_step(grads, lr, eps):
    return np.asarray(grads, float) * reference_effective_lr(grads, lr, eps)


_EFFECTIVE_LR_VARIANTS = [
    Variant(lambda grads, lr, eps: lr / np.sqrt(_cum(grads) + eps),
            "eps is inside the square root, lr / sqrt(V + eps) (Keras's placement); here, as in PyTorch, "
            "the rate is lr / (sqrt(V) + eps)"),
    Variant(lambda grads, lr, eps: lr / (_cum(grads) + eps),
            "the square root is missing: the rate is lr / (sqrt(V_t) + eps), not lr / (V_t + eps)"),
    Variant(_el_shifted,
            "the rates are shifted by one step: row t must use V_t, which already contains g_t**2 "
            "(the first row is lr / (|g_1| + eps), not lr / eps)"),
    Variant(_el_mean,
            "V_t was divided by t (the mean of the squared gradients): AdaGrad uses the running SUM "
            "V_t = g_1**2 + ... + g_t**2, which is why its rate keeps falling"),
    Variant(_el_square_of_sum,
            "this squares the sum of the gradients, (g_1 + ... + g_t)**2; AdaGrad sums the squares, "
            "g_1**2 + ... + g_t**2 (then gradients of opposite signs cannot cancel)"),
    Variant(_el_final,
            "every row used the final V_T: row t must use the sum up to step t only (np.cumsum along "
            "axis 0, not np.sum)"),
    Variant(_el_all_coordinates,
            "the squares were summed over the coordinates too, so all coordinates share one rate: "
            "AdaGrad keeps one V per coordinate (np.cumsum(grads**2, axis=0))"),
    Variant(lambda grads, lr, eps: 1.0 / (np.sqrt(_cum(grads)) + eps),
            "the learning rate is missing: the rate is lr / (sqrt(V_t) + eps)"),
    Variant(_el_step,
            "this is the step lr * g_t / (sqrt(V_t) + eps); the exercise asks for the rate alone, "
            "lr / (sqrt(V_t) + eps), without the factor g_t"),
    Variant(lambda grads, lr, eps: lr / np.sqrt(_cum(grads)) + eps,
            "eps was added after the division (lr / sqrt(V) + eps): put brackets around the denominator, "
            "lr / (np.sqrt(V) + eps)"),
    Variant(_el_abs_sum,
            "the rate divides by the sum of |g|; AdaGrad divides by the root of the sum of the squares, "
            "sqrt(g_1**2 + ... + g_t**2)"),
]


def _effective_lr_cases(hidden: bool):
    rng = np.random.default_rng(63 if hidden else 62)
    cases = [
        Case("T=5 steps of 2 coordinates, the second one sparse, lr=0.3, eps=0.5",
             {"grads": np.array([[2.0, 0.0], [-1.0, 0.0], [1.5, 0.4], [0.5, 0.0], [-2.0, -0.3]]),
              "lr": 0.3, "eps": 0.5},
             note="a coordinate whose gradients were all 0 so far has the rate lr / eps"),
        Case("one coordinate, T=4, shape (4,), lr=0.05, eps=0.1",
             {"grads": np.array([3.0, -4.0, 0.5, 1.0]), "lr": 0.05, "eps": 0.1}),
    ]
    if hidden:
        for eps in (1.0, 0.2, 1e-8):
            T, d = int(rng.integers(2, 30)), int(rng.integers(1, 5))
            g = rng.normal(0.0, 2.0, size=(T, d)) * (rng.random((T, d)) < 0.6)   # sparse: many zeros
            g[0] += 0.1   # no coordinate starts at exactly 0 (with eps=1e-8 that would be lr/eps)
            lr = float(np.round(10 ** rng.uniform(-2, 0), 3))
            cases.append(Case(f"random sparse gradients, shape {(T, d)}, lr={lr}, eps={eps}",
                              {"grads": g, "lr": lr, "eps": eps}))
        cases.append(Case("a single step, shape (1, 3), lr=0.01, eps=0.25",
                          {"grads": np.array([[0.5, -2.0, 1e-3]]), "lr": 0.01, "eps": 0.25}))
    return cases


def check_effective_lr(effective_lr, hidden: bool = False) -> None:
    """``effective_lr(grads, lr, eps)``: ``lr / (sqrt(V_t) + eps)`` with ``V_t`` the running sum of ``g**2``."""
    check_function(effective_lr, reference_effective_lr, _effective_lr_cases(hidden), exercise="effective_lr",
                   returns=("rates",), variants=_EFFECTIVE_LR_VARIANTS)


# ---------------------------------------------------------------------------
# steps_until_rate_below
# ---------------------------------------------------------------------------

def _rate(t, lr, g, eps):
    return lr / (math.sqrt(t) * abs(g) + eps)


def reference_steps_until_rate_below(lr, g, target, eps):
    r"""Steps until AdaGrad's effective rate falls below ``target``, for a constant gradient ``g``.

    With ``g_t = g`` at every step and ``V_0 = 0``, ``V_t = t g**2`` and the rate is
    ``lr / (sqrt(t) |g| + eps)``. It is below ``target`` exactly when
    ``sqrt(t) > (lr/target - eps) / |g|``, so the answer is ``1`` if
    ``lr/target - eps <= 0`` and otherwise ``floor(x) + 1`` with ``x = ((lr/target - eps)/|g|)**2``
    (the smallest whole ``t >= 1`` above ``x``). ``g`` must not be 0.
    """
    if g == 0:
        raise ValueError("g must not be 0: with a zero gradient the rate stays lr / eps for ever")
    r = lr / target - eps
    if r <= 0:
        return 1
    t = max(1, math.floor((r / abs(g)) ** 2))
    # Settle the last unit with the defining inequality itself (rounding of the square).
    while _rate(t, lr, g, eps) >= target:
        t += 1
    while t > 1 and _rate(t - 1, lr, g, eps) < target:
        t -= 1
    return t


def _x(lr, g, target, eps):
    return ((lr / target - eps) / abs(g)) ** 2


def _steps_signed_g(lr, g, target, eps):
    # A loop with g in place of |g|: for g < 0 the denominator soon turns negative, and so the "rate".
    if g > 0:
        return reference_steps_until_rate_below(lr, g, target, eps)
    t = 1
    while lr / (math.sqrt(t) * g + eps) >= target:
        t += 1
    return t


_STEPS_VARIANTS = [
    Variant(lambda lr, g, target, eps: math.floor((lr / target - eps) / abs(g)) + 1,
            "the square is missing: V_t = t * g**2, so sqrt(V_t) = sqrt(t) * |g| (not t * |g|); the rate "
            "falls below target when sqrt(t) > (lr/target - eps) / |g|, i.e. t > ((lr/target - eps) / |g|)**2"),
    Variant(lambda lr, g, target, eps: math.floor((lr / (target * abs(g))) ** 2) + 1,
            "eps was left out: the rate is lr / (sqrt(t) * |g| + eps), so t > ((lr/target - eps) / |g|)**2"),
    Variant(lambda lr, g, target, eps: math.floor(max(lr * lr / (target * target) - eps, 0.0) / (g * g)) + 1,
            "eps is inside the square root, lr / sqrt(t * g**2 + eps) (Keras's placement); here, as in "
            "PyTorch, the rate is lr / (sqrt(t) * |g| + eps)"),
    Variant(lambda lr, g, target, eps: math.floor(max(lr / target - eps, 0.0) / (g * g)) + 1,
            "the square root is missing: the rate is lr / (sqrt(V_t) + eps) with V_t = t * g**2, "
            "not lr / (V_t + eps)"),
    Variant(lambda lr, g, target, eps: math.floor(_x(lr, g, target, eps)),
            "one step too few: floor(x) is the last step at which the rate is still at or above target "
            "(x = ((lr/target - eps) / |g|)**2); the answer is the first step below it, floor(x) + 1"),
    Variant(lambda lr, g, target, eps: _x(lr, g, target, eps),
            "the result is not a whole number of steps: return the smallest integer t above "
            "x = ((lr/target - eps) / |g|)**2, that is floor(x) + 1"),
    Variant(lambda lr, g, target, eps: round(_x(lr, g, target, eps)),
            "x = ((lr/target - eps) / |g|)**2 was rounded to the nearest integer; the answer is the first "
            "whole t ABOVE x, floor(x) + 1"),
    Variant(lambda lr, g, target, eps: math.floor(max(1.0 / target - eps, 0.0) ** 2 / (g * g)) + 1,
            "the learning rate is missing: the rate is lr / (sqrt(t) * |g| + eps)"),
    Variant(lambda lr, g, target, eps: math.floor(_x(lr, g, target, eps)) + 1,
            "the rate may already be below target at the first step: when lr/target - eps <= 0 every t "
            "works and the answer is 1 (squaring a negative (lr/target - eps) / |g| made it positive)"),
    Variant(_steps_signed_g,
            "a negative gradient gave a negative \"rate\": sqrt(V_t) = sqrt(t * g**2) = sqrt(t) * |g|, so the rate "
            "is lr / (sqrt(t) * abs(g) + eps), with the absolute value of g"),
    Variant(lambda lr, g, target, eps: math.floor(((lr / target - eps) / (g * g)) ** 2) + 1,
            "|g| was squared once too often: sqrt(V_t) = sqrt(t * g**2) = sqrt(t) * |g|, so "
            "t > ((lr/target - eps) / |g|)**2"),
]


def _steps_cases(hidden: bool):
    cases = [
        # x = ((lr/target - eps)/|g|)**2 is never a whole number here (fractional part 0.1 .. 0.9).
        Case("lr=0.5, g=-0.35, target=0.2, eps=0.65 (a negative gradient, a large eps)",
             {"lr": 0.5, "g": -0.35, "target": 0.2, "eps": 0.65}),
        Case("lr=0.1, g=0.3, target=0.01, eps=0 (rate 0.1 / (0.3 sqrt(t)))",
             {"lr": 0.1, "g": 0.3, "target": 0.01, "eps": 0.0}),
        Case("lr=0.01, g=0.5, target=0.01, eps=3.0 (already below target at the first step)",
             {"lr": 0.01, "g": 0.5, "target": 0.01, "eps": 3.0},
             note="the rate at t = 1 is lr / (|g| + eps) = 0.01 / 3.5, already below 0.01"),
    ]
    if hidden:
        cases += [
            Case("lr=1.0, g=3.0, target=0.004, eps=0.35", {"lr": 1.0, "g": 3.0, "target": 0.004, "eps": 0.35}),
            Case("lr=0.05, g=0.21, target=0.002, eps=1e-10",
                 {"lr": 0.05, "g": 0.21, "target": 0.002, "eps": 1e-10}),
            Case("lr=0.2, g=-0.9, target=0.05, eps=2.0", {"lr": 0.2, "g": -0.9, "target": 0.05, "eps": 2.0}),
            Case("lr=0.3, g=1.7, target=0.15, eps=0.2 (small: x < 1)",
                 {"lr": 0.3, "g": 1.7, "target": 0.15, "eps": 0.2}),
            Case("lr=0.02, g=0.012, target=0.1, eps=0.05", {"lr": 0.02, "g": 0.012, "target": 0.1, "eps": 0.05}),
        ]
    return cases


def check_steps_until_rate_below(steps_until_rate_below, hidden: bool = False) -> None:
    """``steps_until_rate_below(lr, g, target, eps)``: the smallest ``t >= 1`` with
    ``lr / (sqrt(t)*|g| + eps) < target``."""
    check_function(steps_until_rate_below, reference_steps_until_rate_below, _steps_cases(hidden),
                   exercise="steps_until_rate_below", returns=("t",), variants=_STEPS_VARIANTS,
                   rtol=0.0, atol=1e-9)
