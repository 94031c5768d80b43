r"""Checks for notebook 04, momentum: ``ema``, ``momentum_step`` and ``heavy_ball_step``.

The exercises, with the formulas the learner implements:

.. code-block:: text

    ema(values, beta)                  v_0 = 0,  v_t = beta * v_{t-1} + (1 - beta) * x_t,
                                       returns the array (v_1, ..., v_T)
    momentum_step(w, v, g, lr, beta)   v <- beta * v + (1 - beta) * g;  w <- w - lr * v   -> (w, v)
    heavy_ball_step(w, v, g, lr, mu)   v <- mu * v + g;                 w <- w - lr * v   -> (w, v)

Cases start from non-zero state and run several steps, with ``beta`` far from 0.5
(at 0.5, swapping ``beta`` and ``1 - beta`` changes nothing) and ``lr`` far from 1,
so that each known mistake changes the numbers and can be named.

The ``check_*`` functions print a one-line success message and return ``None``: they
are the last line of nbgrader test cells, and nbgrader reads a number displayed there
as partial credit.
"""
from __future__ import annotations

import numpy as np

from ..optimizers import heavy_ball_step as _heavy_ball_step
from ..optimizers import momentum_step as _momentum_step
from .cases import quadratic as _quadratic, random_shape
from .engine import Case, ExerciseFailure, Variant, _call, check_function, check_steps

__all__ = ["reference_ema", "check_ema", "check_momentum_step", "check_heavy_ball_step"]


# ---------------------------------------------------------------------------
# ema
# ---------------------------------------------------------------------------

def reference_ema(values, beta):
    r"""The exponentially weighted moving average (指数加权移动平均) of a sequence.

    .. code-block:: text

        v_0 = 0
        v_t = beta * v_{t-1} + (1 - beta) * x_t        for t = 1, ..., T

    ``values`` is the 1-D array ``(x_1, ..., x_T)``; returns the array ``(v_1, ..., v_T)``
    (float64, same length), without bias correction.
    """
    x = np.asarray(values, dtype=float)
    out = np.empty_like(x)
    v = 0.0
    for t in range(x.shape[0]):
        v = beta * v + (1.0 - beta) * x[t]
        out[t] = v
    return out


def _ema_loop(values, beta, update, v0=0.0):
    # Helper for the wrong variants: same loop, different update rule or start.
    x = np.asarray(values, dtype=float)
    out = np.empty_like(x)
    v = v0
    for t in range(x.shape[0]):
        v = update(v, x[t])
        out[t] = v
    return out


def _ema_swapped(values, beta):
    return _ema_loop(values, beta, lambda v, x: (1.0 - beta) * v + beta * x)


def _ema_no_damping(values, beta):
    return _ema_loop(values, beta, lambda v, x: beta * v + x)


def _ema_bias_corrected(values, beta):
    v = reference_ema(values, beta)
    return v / (1.0 - beta ** np.arange(1, len(v) + 1))


def _ema_bias_corrected_from_zero(values, beta):
    v = reference_ema(values, beta)
    with np.errstate(divide="ignore"):
        return v / (1.0 - beta ** np.arange(0, len(v)))


def _ema_start_at_first(values, beta):
    x = np.asarray(values, dtype=float)
    return _ema_loop(values, beta, lambda v, xt: beta * v + (1.0 - beta) * xt, v0=x[0])


def _ema_shifted(values, beta):
    v = reference_ema(values, beta)
    return np.concatenate([[0.0], v[:-1]])


def _ema_reversed_weights(values, beta):
    # The closed form v_t = (1 - beta) * sum_k beta**(t-k) x_k written with beta**(k-1): the oldest value
    # gets the largest weight.
    x = np.asarray(values, dtype=float)
    return np.array([(1 - beta) * np.sum(beta ** np.arange(t) * x[:t]) for t in range(1, len(x) + 1)])


def _ema_plain_mean(values, beta):
    x = np.asarray(values, dtype=float)
    return np.cumsum(x) / np.arange(1, len(x) + 1)


_EMA_VARIANTS = [
    Variant(_ema_swapped,
            "beta and 1 - beta are swapped: the old average is multiplied by beta, the new value by "
            "(1 - beta): v_t = beta * v_{t-1} + (1 - beta) * x_t"),
    Variant(_ema_no_damping,
            "beta * v + x instead of beta * v + (1 - beta) * x: without the factor (1 - beta) the weights "
            "add up to about 1/(1 - beta) instead of 1, so this is a running sum, not an average"),
    Variant(_ema_bias_corrected,
            "bias correction v_t / (1 - beta**t) was applied, but this exercise asks for the raw average "
            "v_t; the bias correction is a separate step later in the notebook"),
    Variant(_ema_bias_corrected_from_zero,
            "a bias correction v_t / (1 - beta**t) with t counted from 0 (1 - beta**0 = 0 divides by zero); this "
            "exercise asks for the raw average, and a bias correction counts t from 1"),
    Variant(_ema_start_at_first,
            "the average was started at v_0 = x_1 (so v_1 = x_1); start from v_0 = 0, so that "
            "v_1 = (1 - beta) * x_1"),
    Variant(_ema_shifted,
            "the outputs are shifted by one step: the array must hold v_1, ..., v_T (the average after "
            "each value has been added), not v_0, ..., v_{T-1}"),
    Variant(_ema_reversed_weights,
            "the weights are reversed: in the closed form v_t = (1 - beta) * sum_k beta**(t - k) * x_k the "
            "NEWEST value x_t has the largest weight (1 - beta) and x_k's weight shrinks with its age t - k; "
            "beta**(k - 1) gives the oldest value the largest weight"),
    Variant(_ema_plain_mean,
            "this is the plain running mean (x_1 + ... + x_t) / t, which weights all values equally; the "
            "EMA weights x_{t-k} by (1 - beta) * beta**k"),
]


def _ema_cases(hidden: bool):
    rng = np.random.default_rng(41 if hidden else 40)
    cases = [
        # The source article's y data; beta = 0.8 makes every listed mistake give different numbers.
        Case("x = [2, 3, 5, 7, 11], beta=0.8", {"values": np.array([2.0, 3.0, 5.0, 7.0, 11.0]), "beta": 0.8}),
        Case("constant x_t = 1 (T=6), beta=0.9", {"values": np.ones(6), "beta": 0.9},
             note="for a constant sequence the raw EMA is 1 - beta**t, below 1 at the start: the bias"),
        Case("a noisy sequence (T=20), beta=0.95", {"values": np.round(rng.normal(3.0, 1.0, size=20), 3),
                                                    "beta": 0.95}),
    ]
    if hidden:
        for beta in (0.3, 0.7, 0.99):
            T = int(rng.integers(2, 40))
            cases.append(Case(f"random sequence (T={T}), beta={beta}",
                              {"values": rng.normal(rng.uniform(-2, 2), 2.0, size=T), "beta": beta}))
        cases.append(Case("a single value x = [4.0], beta=0.6", {"values": np.array([4.0]), "beta": 0.6}))
        cases.append(Case("beta=0 (no memory: v_t = x_t)", {"values": np.array([1.5, -2.0, 0.25]), "beta": 0.0}))
    return cases


def check_ema(ema, hidden: bool = False) -> None:
    """``ema(values, beta)`` must return ``(v_1, ..., v_T)`` with ``v_0 = 0`` and
    ``v_t = beta * v_{t-1} + (1 - beta) * x_t``, without modifying ``values``."""
    cases = _ema_cases(hidden)
    if callable(ema):
        # One mistake the engine can only report as "wrong shape": returning v_0 too.
        first = cases[0]
        got = _call(ema, "ema", first.label, {k: (v.copy() if isinstance(v, np.ndarray) else v)
                                               for k, v in first.inputs.items()})
        T = len(first.inputs["values"])
        if got is not None and np.ndim(got) == 1 and len(got) == T + 1:
            raise ExerciseFailure(
                f"ema, case {first.label}: your function returned {T + 1} values for {T} inputs. "
                f"Likely mistake: v_0 = 0 was included in the output; return only v_1, ..., v_T, "
                f"one average per input value."
            )
    check_function(ema, reference_ema, cases, exercise="ema", returns=("v",), variants=_EMA_VARIANTS)


# ---------------------------------------------------------------------------
# momentum_step (EMA form)
# ---------------------------------------------------------------------------

def _ref_momentum_step(w, v, g, lr, beta):
    return _momentum_step.unchecked(np.asarray(w, float), np.asarray(v, float), np.asarray(g, float), lr, beta)


def _mom_swapped(w, v, g, lr, beta):
    v = (1 - beta) * v + beta * g
    return w - lr * v, v


def _mom_heavy_ball(w, v, g, lr, beta):
    v = beta * v + g
    return w - lr * v, v


def _mom_uses_g(w, v, g, lr, beta):
    return w - lr * g, beta * v + (1 - beta) * g


def _mom_old_v(w, v, g, lr, beta):
    return w - lr * v, beta * v + (1 - beta) * g


def _mom_sign(w, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    return w + lr * v, v


def _mom_no_lr(w, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    return w - v, v


def _mom_swapped_return(w, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    return v, w - lr * v


_MOMENTUM_VARIANTS = [
    Variant(_mom_swapped,
            "beta and 1 - beta are swapped: v <- beta * v + (1 - beta) * g (beta multiplies the old velocity)"),
    Variant(_mom_heavy_ball,
            "beta * v + g instead of beta * v + (1 - beta) * g: that is the heavy-ball (PyTorch) form, the "
            "next exercise; the EMA form damps the new gradient by (1 - beta)"),
    Variant(_mom_uses_g,
            "w was updated with the gradient g instead of the velocity v: the step is w - lr * v, "
            "with the new v"),
    Variant(_mom_old_v,
            "w was updated with the old v: first compute the new v = beta * v + (1 - beta) * g, then "
            "step with it, w - lr * v"),
    Variant(_mom_sign, "the sign: the step goes against the velocity, w - lr * v, not w + lr * v"),
    Variant(_mom_no_lr, "the learning rate is missing: the step is lr * v, not v"),
    Variant(_mom_swapped_return, "the results are in the wrong order: return (w, v), parameters first"),
]


def _step_cases(hidden: bool, coeff: str, visible_coeffs, hidden_coeffs, lrs, seed):
    """Cases for a (w, v, g, lr, coeff) step function: non-zero v, several steps on a quadratic."""
    rng = np.random.default_rng(seed + (1 if hidden else 0))
    (c1, c2), (lr1, lr2) = visible_coeffs, lrs
    # The first case has distinct values in every coordinate, so that the usual mistakes (and the
    # conventions for v) give numbers different from each other there; a scalar case follows.
    cases = [
        Case(f"3 coordinates on f = 0.1 x^2 + 2 y^2 + 0.75 z^2, non-zero v, lr={lr2}, {coeff}={c2}",
             {"w": np.array([1.0, -2.0, 0.5]), "v": np.array([0.5, -1.0, 2.0]), "g": None, "lr": lr2, coeff: c2},
             steps=4, grad=_quadratic([0.2, 4.0, 1.5])),
        Case(f"scalar parabola f(w)=w^2 from w=5, v=1, lr={lr1}, {coeff}={c1}",
             {"w": np.array(5.0), "v": np.array(1.0), "g": None, "lr": lr1, coeff: c1},
             steps=3, grad=lambda w: 2 * w),
    ]
    if hidden:
        for c in hidden_coeffs:
            shape = random_shape(rng)
            lr = float(np.round(10 ** rng.uniform(-2, -0.3), 4))
            cases.append(Case(
                f"random shape {shape}, lr={lr}, {coeff}={c}",
                {"w": rng.normal(size=shape), "v": rng.normal(size=shape), "g": None, "lr": lr, coeff: c},
                steps=5, grad=_quadratic(rng.uniform(0.1, 3.0, size=shape), rng.normal(size=shape))))
    return cases


def check_momentum_step(momentum_step, hidden: bool = False) -> None:
    """``momentum_step(w, v, g, lr, beta)``: ``v <- beta*v + (1-beta)*g``, ``w <- w - lr*v``; returns ``(w, v)``."""
    cases = _step_cases(hidden, "beta", (0.8, 0.95), (0.3, 0.7, 0.99), (0.1, 0.3), seed=44)
    check_steps(momentum_step, _ref_momentum_step, cases, exercise="momentum_step", returns=("w", "v"),
                variants=_MOMENTUM_VARIANTS)


# ---------------------------------------------------------------------------
# heavy_ball_step (PyTorch form)
# ---------------------------------------------------------------------------

def _ref_heavy_ball_step(w, v, g, lr, mu):
    return _heavy_ball_step.unchecked(np.asarray(w, float), np.asarray(v, float), np.asarray(g, float), lr, mu)


def _hb_ema(w, v, g, lr, mu):
    v = mu * v + (1 - mu) * g
    return w - lr * v, v


def _hb_uses_g(w, v, g, lr, mu):
    return w - lr * g, mu * v + g


def _hb_old_v(w, v, g, lr, mu):
    return w - lr * v, mu * v + g


def _hb_sign(w, v, g, lr, mu):
    v = mu * v + g
    return w + lr * v, v


def _hb_nesterov(w, v, g, lr, mu):
    v = mu * v + g
    return w - lr * (g + mu * v), v


def _hb_lr_inside(w, v, g, lr, mu):
    v = mu * v + lr * g
    return w - v, v


def _hb_swapped_return(w, v, g, lr, mu):
    v = mu * v + g
    return v, w - lr * v


_HEAVY_BALL_VARIANTS = [
    Variant(_hb_ema,
            "mu * v + (1 - mu) * g instead of mu * v + g: the factor (1 - mu) belongs to the EMA form; "
            "the heavy-ball form adds the whole gradient"),
    Variant(_hb_uses_g,
            "w was updated with the gradient g instead of the velocity v: the step is w - lr * v, with the new v"),
    Variant(_hb_old_v,
            "w was updated with the old v: first compute the new v = mu * v + g, then step with it, w - lr * v"),
    Variant(_hb_sign, "the sign: the step goes against the velocity, w - lr * v, not w + lr * v"),
    Variant(_hb_nesterov,
            "the step is w - lr * (g + mu * v): that is Nesterov's update (notebook 05); heavy ball steps "
            "by w - lr * v"),
    Variant(_hb_lr_inside,
            "lr went into the velocity (v = mu * v + lr * g, w - v: the Keras / Sutskever convention); "
            "here v accumulates plain gradients and lr multiplies v in the step, w - lr * v"),
    Variant(_hb_swapped_return, "the results are in the wrong order: return (w, v), parameters first"),
]


def check_heavy_ball_step(heavy_ball_step, hidden: bool = False) -> None:
    """``heavy_ball_step(w, v, g, lr, mu)``: ``v <- mu*v + g``, ``w <- w - lr*v``; returns ``(w, v)``."""
    cases = _step_cases(hidden, "mu", (0.9, 0.75), (0.3, 0.6, 0.99), (0.05, 0.02), seed=48)
    check_steps(heavy_ball_step, _ref_heavy_ball_step, cases, exercise="heavy_ball_step",
                returns=("w", "v"), variants=_HEAVY_BALL_VARIANTS)
