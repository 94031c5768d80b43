r"""Checks for notebook 09, Adam's failures and repairs: ``amsgrad_step``, ``adamax_step``,
``radam_rectifier`` and ``adam_period_drift``.

The exercises, with the formulas the learner implements (PyTorch's conventions; ``t = 1, 2, ...``;
squares, roots, divisions and maxima elementwise):

.. code-block:: text

    amsgrad_step(w, m, V, V_max, g, t, lr, beta1, beta2, eps)      torch.optim.Adam(amsgrad=True)
        m <- beta1 * m + (1 - beta1) * g
        V <- beta2 * V + (1 - beta2) * g**2
        V_max <- max(V_max, V)                                    # of the raw V
        w <- w - lr * m_hat / (sqrt(V_max / (1 - beta2**t)) + eps)     -> (w, m, V, V_max)
    adamax_step(w, m, u, g, t, lr, beta1, beta2, eps)              torch.optim.Adamax
        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)                            # eps inside the max
        w <- w - lr / (1 - beta1**t) * m / u                         -> (w, m, u)
    radam_rectifier(t, beta2)                                      torch.optim.RAdam
        rho_inf = 2 / (1 - beta2) - 1
        rho_t   = rho_inf - 2 t beta2**t / (1 - beta2**t)
        r_t     = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))  if rho_t > 5
                  None                                               otherwise   -> (rho_t, r_t)
    adam_period_drift(C, beta2)                                    Reddi et al.'s problem, beta1 = 0
        V_c = (1 - beta2)(beta2**2 C**2 + beta2 + 1) / (1 - beta2**3),  V_a = beta2 V_c + (1 - beta2) C**2,
        V_b = beta2 V_a + (1 - beta2)
        drift = -C / sqrt(V_a) + 1 / sqrt(V_b) + 1 / sqrt(V_c)

The step cases start from non-zero state at ``t > 1`` and run several steps, with a large ``eps``
(0.1 to 0.5), betas far from 0.5 and from each other, and ``V_max`` (or ``u``) sometimes above and
sometimes below the new value, so that the maximum's two branches both show.

The ``check_*`` functions print a one-line success message and return ``None`` (nbgrader reads a
number shown by a test cell as partial credit).
"""
from __future__ import annotations

import math

import numpy as np

from ..online import adam_period_drift as _adam_period_drift
from ..online import stationary_V as _stationary_V
from ..optimizers import adamax_step as _adamax_step
from ..optimizers import amsgrad_step as _amsgrad_step
from .cases import quadratic as _quadratic, random_shape
from .engine import Case, ExerciseFailure, Variant, _call, _require_callable, check_function, check_steps

__all__ = ["reference_radam_rectifier", "reference_adam_period_drift", "check_amsgrad_step", "check_adamax_step",
           "check_radam_rectifier", "check_adam_period_drift"]


# ---------------------------------------------------------------------------
# amsgrad_step
# ---------------------------------------------------------------------------

def _ref_amsgrad_step(w, m, V, V_max, g, t, lr, beta1, beta2, eps):
    # Positional: the library's argument names may change, the order of the formula does not.
    return _amsgrad_step.unchecked(np.asarray(w, float), np.asarray(m, float), np.asarray(V, float),
                                   np.asarray(V_max, float), np.asarray(g, float), t, lr, beta1, beta2, eps)


def _ams(w, m, V, V_max, g, t, lr, beta1, beta2, eps, *, of="V", after_correction=False, step_with="max",
         correct_m=True, correct_V=True, old_V=False, eps_inside=False, scalar_max=False, state_V="V"):
    """AMSGrad with one part changed: the building block of the known wrong variants."""
    m_new = beta1 * m + (1 - beta1) * g
    V_new = beta2 * V + (1 - beta2) * g * g
    bc1, bc2 = 1 - beta1**t, 1 - beta2**t
    source = {"V": V if old_V else V_new, "m": m_new, "m2": m_new * m_new, "g2": g * g,
              "V_hat": V_new / bc2}[of]
    if scalar_max:
        source = np.max(source)
    V_max_new = np.maximum(V_max, source)
    if step_with == "max":
        denom_V = V_max_new if after_correction else (V_max_new / bc2 if correct_V else V_max_new)
    else:
        denom_V = V_new / bc2
    m_hat = m_new / bc1 if correct_m else m_new
    denom = np.sqrt(denom_V + eps) if eps_inside else np.sqrt(denom_V) + eps
    w_new = w - lr * m_hat / denom
    V_out = V_max_new if state_V == "max" else V_new
    return w_new, m_new, V_out, V_max_new


def _va(hint, **parts):
    return Variant(lambda w, m, V, V_max, g, t, lr, beta1, beta2, eps: _ams(w, m, V, V_max, g, t, lr, beta1, beta2,
                                                                             eps, **parts), hint)


def _ams_return_order(*a):
    w, m, V, V_max = _ref_amsgrad_step(*a)
    return w, m, V_max, V


def _ams_ema_of_max(w, m, V, V_max, g, t, lr, beta1, beta2, eps):
    # The average is taken of the running maximum: V <- beta2 * V_max + ...
    m = beta1 * m + (1 - beta1) * g
    V = beta2 * V_max + (1 - beta2) * g * g
    V_max = np.maximum(V_max, V)
    return w - lr * m / (1 - beta1**t) / (np.sqrt(V_max / (1 - beta2**t)) + eps), m, V, V_max


_AMSGRAD_VARIANTS = [
    _va("the maximum was taken after the bias correction, V_max <- max(V_max, V_hat) (optax's AMSGrad); "
        "PyTorch, asked for here, keeps the maximum of the RAW V and corrects it in the step: "
        "sqrt(V_max / (1 - beta2**t)) + eps", of="V_hat", after_correction=True),
    _va("the maximum of V_hat was divided by (1 - beta2**t) again: keep the maximum of the raw V, "
        "V_max <- max(V_max, V), and correct it once, in the step", of="V_hat"),
    _va("the running maximum was taken of m instead of V: V_max <- max(V_max, V), the second moment", of="m"),
    _va("the running maximum was taken of m**2 (the squared first moment) instead of V: "
        "V_max <- max(V_max, V)", of="m2"),
    _va("the running maximum was taken of g**2 instead of the average V: V_max <- max(V_max, V), with the "
        "V of this step", of="g2"),
    _va("the maximum used the old V: update V <- beta2 * V + (1 - beta2) * g**2 first, then "
        "V_max <- max(V_max, V) with the NEW V", old_V=True),
    _va("the step divides by sqrt(V_hat), Adam's step, not by the running maximum: "
        "w <- w - lr * m_hat / (sqrt(V_max / (1 - beta2**t)) + eps)", step_with="V"),
    _va("V_max is not bias-corrected in the step: divide it by (1 - beta2**t), sqrt(V_max / (1 - beta2**t)) + eps",
        correct_V=False),
    _va("m is not bias-corrected: m_hat = m / (1 - beta1**t)", correct_m=False),
    _va("the bias correction is missing: m / (1 - beta1**t) and V_max / (1 - beta2**t)", correct_m=False,
        correct_V=False),
    _va("eps is inside the square root: PyTorch adds it outside, sqrt(V_max / (1 - beta2**t)) + eps",
        eps_inside=True),
    _va("the maximum was taken over all coordinates at once (np.max): AMSGrad keeps one maximum per "
        "coordinate, np.maximum(V_max, V)", scalar_max=True),
    _va("the running maximum was returned as V (the state V must stay the plain average "
        "V <- beta2 * V + (1 - beta2) * g**2, the maximum is kept apart in V_max)", state_V="max"),
    Variant(_ams_ema_of_max,
            "V was averaged from V_max instead of from its own old value: V <- beta2 * V + (1 - beta2) * g**2, "
            "then V_max <- max(V_max, V)"),
    Variant(_ams_return_order, "V and V_max are swapped in the result: return (w, m, V, V_max)"),
]


def _amsgrad_cases(hidden: bool):
    rng = np.random.default_rng(91 if hidden else 90)
    cases = [
        Case("3 coordinates on f = 0.1 x^2 + 2 y^2 + 0.75 z^2, t=4, V_max above V in x, below in y and z, lr=0.05, "
             "beta1=0.8, beta2=0.95, eps=0.2",
             {"w": np.array([1.0, -2.0, 0.5]), "m": np.array([0.3, -0.5, 0.2]), "V": np.array([0.5, 2.0, 0.01]),
              "V_max": np.array([3.0, 2.1, 0.02]), "g": None, "t": 4, "lr": 0.05, "beta1": 0.8, "beta2": 0.95,
              "eps": 0.2},
             steps=4, grad=_quadratic([0.2, 4.0, 1.5]),
             note="eps is large on purpose, so that where it goes shows; t starts at 4 (earlier steps were taken)"),
        Case("scalar, the gradient shrinks so that V falls below V_max, t=2, lr=0.1, beta1=0.9, beta2=0.7, eps=0.1",
             {"w": np.array(4.0), "m": np.array(1.0), "V": np.array(9.0), "V_max": np.array(9.0), "g": None, "t": 2,
              "lr": 0.1, "beta1": 0.9, "beta2": 0.7, "eps": 0.1},
             steps=4, grad=lambda w: 0.25 * w),
    ]
    if hidden:
        for beta1, beta2, t in ((0.7, 0.999, 1), (0.95, 0.9, 5), (0.85, 0.98, 12)):
            shape = random_shape(rng)
            lr = float(np.round(10 ** rng.uniform(-2.5, -0.5), 4))
            eps = float(np.round(10 ** rng.uniform(-1.3, -0.3), 3))
            V = rng.uniform(0.1, 2.0, size=shape)
            cases.append(Case(
                f"random shape {shape}, t={t}, lr={lr}, beta1={beta1}, beta2={beta2}, eps={eps}",
                {"w": rng.normal(size=shape), "m": rng.normal(0, 0.5, size=shape), "V": V,
                 "V_max": V * rng.uniform(0.5, 3.0, size=shape), "g": None, "t": t, "lr": lr, "beta1": beta1,
                 "beta2": beta2, "eps": eps},
                steps=5, grad=_quadratic(rng.uniform(0.1, 3.0, size=shape), rng.normal(size=shape))))
        cases.append(Case("PyTorch's defaults from zero state, t=1, lr=0.001, eps=1e-8",
                          {"w": np.array([2.0, -1.0]), "m": np.zeros(2), "V": np.zeros(2), "V_max": np.zeros(2),
                           "g": None, "t": 1, "lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                          steps=3, grad=_quadratic([1.0, 0.01])))
    return cases


def check_amsgrad_step(amsgrad_step, hidden: bool = False) -> None:
    """``amsgrad_step(w, m, V, V_max, g, t, lr, beta1, beta2, eps)`` as ``optimlab.amsgrad_step``;
    returns ``(w, m, V, V_max)``."""
    check_steps(amsgrad_step, _ref_amsgrad_step, _amsgrad_cases(hidden), exercise="amsgrad_step",
                returns=("w", "m", "V", "V_max"), variants=_AMSGRAD_VARIANTS)


# ---------------------------------------------------------------------------
# adamax_step
# ---------------------------------------------------------------------------

def _ref_adamax_step(w, m, u, g, t, lr, beta1, beta2, eps):
    return _adamax_step.unchecked(np.asarray(w, float), np.asarray(m, float), np.asarray(u, float),
                                  np.asarray(g, float), t, lr, beta1, beta2, eps)


def _amax(w, m, u, g, t, lr, beta1, beta2, eps, *, u_rule=None, eps_where="max", correct_m=True, correct_u=False,
          root=False):
    m_new = beta1 * m + (1 - beta1) * g
    e = eps if eps_where == "max" else 0.0
    u_new = u_rule(u, g, beta2, e) if u_rule else np.maximum(beta2 * u, np.abs(g) + e)
    d = u_new / (1 - beta2**t) if correct_u else u_new
    if root:
        d = np.sqrt(d)
    if eps_where == "denominator":
        d = d + eps
    m_hat = m_new / (1 - beta1**t) if correct_m else m_new
    return w - lr * m_hat / d, m_new, u_new


def _vx(hint, **parts):
    return Variant(lambda w, m, u, g, t, lr, beta1, beta2, eps: _amax(w, m, u, g, t, lr, beta1, beta2, eps,
                                                                       **parts), hint)


def _amax_swapped_return(*a):
    w, m, u = _ref_adamax_step(*a)
    return w, u, m


_ADAMAX_VARIANTS = [
    _vx("eps is missing: PyTorch's Adamax puts it inside the maximum, u <- max(beta2 * u, |g| + eps)",
        eps_where="none"),
    _vx("eps was added to the denominator, m_hat / (u + eps) (Keras's Adamax); PyTorch's, asked for here, puts it "
        "inside the maximum: u <- max(beta2 * u, |g| + eps), then m_hat / u", eps_where="denominator"),
    _vx("|g| got a factor (1 - beta2): the infinity norm takes max(beta2 * u, |g| + eps), the new |g| unweighted",
        u_rule=lambda u, g, b2, e: np.maximum(b2 * u, (1 - b2) * np.abs(g) + e)),
    _vx("u is not decayed: u <- max(beta2 * u, |g| + eps), the old u multiplied by beta2",
        u_rule=lambda u, g, b2, e: np.maximum(u, np.abs(g) + e)),
    _vx("the maximum took g, not |g|: a large negative gradient must count, u <- max(beta2 * u, |g| + eps)",
        u_rule=lambda u, g, b2, e: np.maximum(b2 * u, g + e)),
    _vx("u was averaged, beta2 * u + (1 - beta2) * |g|, instead of maximised: the infinity norm is "
        "u <- max(beta2 * u, |g| + eps)",
        u_rule=lambda u, g, b2, e: b2 * u + (1 - b2) * np.abs(g) + e),
    _vx("the maximum took g**2: AdaMax's u replaces sqrt(V) and has the units of g, u <- max(beta2 * u, |g| + eps)",
        u_rule=lambda u, g, b2, e: np.maximum(b2 * u, g * g + e)),
    _vx("u was bias-corrected: a maximum is not pulled towards its zero start, so only m is corrected, "
        "lr / (1 - beta1**t) * m / u", correct_u=True),
    _vx("m is not bias-corrected: the step is lr / (1 - beta1**t) * m / u", correct_m=False),
    _vx("the step divides by sqrt(u): u already has the units of g (it replaces sqrt(V)), divide by u itself",
        root=True),
    Variant(_amax_swapped_return, "m and u are swapped in the result: return (w, m, u)"),
]


def _adamax_cases(hidden: bool):
    rng = np.random.default_rng(93 if hidden else 92)
    cases = [
        Case("3 coordinates on f = 0.1 x^2 + 2 y^2 + 0.75 z^2 - 1.2 z, t=3, u above |g| + eps in x, below in y and z, "
             "lr=0.05, beta1=0.8, beta2=0.95, eps=0.3",
             {"w": np.array([1.0, -2.0, 0.5]), "m": np.array([0.3, -0.5, 0.2]), "u": np.array([2.5, 0.2, 0.4]),
              "g": None, "t": 3, "lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 0.3},
             steps=4, grad=_quadratic([0.2, 4.0, 1.5], np.array([0.0, 0.0, -1.2])),
             note="eps is large on purpose, so that where it goes shows; t starts at 3 (earlier steps were taken); "
                  "the z gradient is negative"),
        Case("scalar parabola f(w)=w^2 from w=-3, m=0.5, u=2, t=2, lr=0.2, beta1=0.9, beta2=0.7, eps=0.1",
             {"w": np.array(-3.0), "m": np.array(0.5), "u": np.array(2.0), "g": None, "t": 2, "lr": 0.2,
              "beta1": 0.9, "beta2": 0.7, "eps": 0.1},
             steps=4, grad=lambda w: 2 * w),
    ]
    if hidden:
        for beta1, beta2, t in ((0.7, 0.999, 1), (0.95, 0.9, 5), (0.85, 0.98, 12)):
            shape = random_shape(rng)
            lr = float(np.round(10 ** rng.uniform(-2.5, -0.5), 4))
            eps = float(np.round(10 ** rng.uniform(-1.3, -0.3), 3))
            cases.append(Case(
                f"random shape {shape}, t={t}, lr={lr}, beta1={beta1}, beta2={beta2}, eps={eps}",
                {"w": rng.normal(size=shape), "m": rng.normal(0, 0.5, size=shape),
                 "u": rng.uniform(0.1, 3.0, size=shape), "g": None, "t": t, "lr": lr, "beta1": beta1,
                 "beta2": beta2, "eps": eps},
                steps=5, grad=_quadratic(rng.uniform(0.1, 3.0, size=shape), rng.normal(size=shape))))
        cases.append(Case("PyTorch's defaults from zero state, t=1, lr=0.002, eps=1e-8",
                          {"w": np.array([2.0, -1.0]), "m": np.zeros(2), "u": np.zeros(2), "g": None, "t": 1,
                           "lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                          steps=3, grad=_quadratic([1.0, 0.01])))
    return cases


def check_adamax_step(adamax_step, hidden: bool = False) -> None:
    """``adamax_step(w, m, u, g, t, lr, beta1, beta2, eps)`` as ``optimlab.adamax_step``; returns ``(w, m, u)``."""
    check_steps(adamax_step, _ref_adamax_step, _adamax_cases(hidden), exercise="adamax_step",
                returns=("w", "m", "u"), variants=_ADAMAX_VARIANTS)


# ---------------------------------------------------------------------------
# radam_rectifier
# ---------------------------------------------------------------------------

def reference_radam_rectifier(t, beta2):
    r"""RAdam's length of the approximated SMA ``rho_t`` and its rectifier ``r_t`` (``None`` while
    ``rho_t <= 5``, when ``torch.optim.RAdam`` takes an un-adapted momentum step).

    .. code-block:: text

        rho_inf = 2 / (1 - beta2) - 1
        rho_t   = rho_inf - 2 t beta2**t / (1 - beta2**t)
        r_t     = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))   if rho_t > 5
    """
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho_inf - 2.0 * t * beta2**t / (1.0 - beta2**t)
    if rho_t > 5.0:
        return rho_t, math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    return rho_t, None


def _rect(t, beta2, *, rho_inf=None, rho_t=None, r=None, threshold=lambda rho: rho > 5.0, none=None):
    ri = rho_inf(beta2) if rho_inf else 2.0 / (1.0 - beta2) - 1.0
    rt = rho_t(t, beta2, ri) if rho_t else ri - 2.0 * t * beta2**t / (1.0 - beta2**t)
    if threshold(rt):
        with np.errstate(all="ignore"):
            val = r(rt, ri) if r else math.sqrt((rt - 4) * (rt - 2) * ri / ((ri - 4) * (ri - 2) * rt))
        return rt, val
    return rt, none


def _vr(hint, **parts):
    return Variant(lambda t, beta2: _rect(t, beta2, **parts), hint)


_RECTIFIER_VARIANTS = [
    _vr("rho_inf is 2 / (1 - beta2) - 1, not 2 / (1 - beta2) + 1", rho_inf=lambda b: 2 / (1 - b) + 1),
    _vr("rho_inf is 2 / (1 - beta2) - 1: the - 1 is missing", rho_inf=lambda b: 2 / (1 - b)),
    _vr("rho_inf is 2 / (1 - beta2) - 1, not 1 / (1 - beta2) - 1", rho_inf=lambda b: 1 / (1 - b) - 1),
    _vr("the factor 2 is missing in rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)",
        rho_t=lambda t, b, ri: ri - t * b**t / (1 - b**t)),
    _vr("the factor t is missing in rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)",
        rho_t=lambda t, b, ri: ri - 2 * b**t / (1 - b**t)),
    _vr("rho_t divides by (1 - beta2), not by (1 - beta2**t): rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)",
        rho_t=lambda t, b, ri: ri - 2 * t * b**t / (1 - b)),
    _vr("the square root is missing: r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))",
        r=lambda rt, ri: (rt - 4) * (rt - 2) * ri / ((ri - 4) * (ri - 2) * rt)),
    _vr("r_t is upside down: (rho_t - 4)(rho_t - 2) rho_inf on top, (rho_inf - 4)(rho_inf - 2) rho_t below",
        r=lambda rt, ri: math.sqrt((ri - 4) * (ri - 2) * rt / ((rt - 4) * (rt - 2) * ri))),
    _vr("rho_t and rho_inf are exchanged in the last factor: r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / "
        "((rho_inf - 4)(rho_inf - 2) rho_t))",
        r=lambda rt, ri: math.sqrt((rt - 4) * (rt - 2) * rt / ((ri - 4) * (ri - 2) * ri))),
]


def _rectifier_cases(hidden: bool):
    cases = [Case(f"t={t}, beta2={b}", {"t": t, "beta2": b}) for t, b in
             ((7, 0.999), (10, 0.9), (3, 0.999), (40, 0.99), (8, 0.7))]
    if hidden:
        cases += [Case(f"t={t}, beta2={b}", {"t": t, "beta2": b}) for t, b in
                  ((6, 0.999), (5, 0.999), (1, 0.9), (1000, 0.999), (25, 0.95), (5, 0.9), (6, 0.5), (200, 0.98))]
    return cases


def check_radam_rectifier(radam_rectifier, hidden: bool = False) -> None:
    """``radam_rectifier(t, beta2)`` returns ``(rho_t, r_t)``, ``r_t = None`` while ``rho_t <= 5``."""
    exercise = "radam_rectifier"
    _require_callable(radam_rectifier, exercise)
    cases = _rectifier_cases(hidden)

    def rho_only(t, beta2):
        return radam_rectifier(t, beta2)[0]

    def check_rho(cases_):
        # rho_t alone, with the engine's diagnosis and the known mistakes in rho_inf and rho_t
        check_function(rho_only, lambda t, beta2: reference_radam_rectifier(t, beta2)[0], cases_, exercise=exercise,
                       returns=("rho_t",), variants=rho_variants, quiet=True)

    rho_variants = [Variant(lambda t, beta2, v=v: v.fn(t, beta2)[0], v.hint) for v in _RECTIFIER_VARIANTS[:6]]
    # First the threshold: which steps are rectified and which are plain momentum steps (r_t = None).
    for case in cases:
        t, beta2 = case.inputs["t"], case.inputs["beta2"]
        rho_t, r_t = reference_radam_rectifier(t, beta2)
        got = _call(radam_rectifier, exercise, case.label, dict(case.inputs))
        if got is None:
            raise ExerciseFailure(f"{exercise}, case {case.label}: your function returned None: did you forget the "
                                  f"`return` statement?")
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise ExerciseFailure(f"{exercise}, case {case.label}: return the pair (rho_t, r_t), got {got!r:.80}")
        if got[0] is None or (r_t is not None and np.ndim(got[0]) == 0 and np.ndim(got[1]) == 0
                              and got[1] is not None and np.isclose(float(got[1]), rho_t)
                              and not np.isclose(float(got[0]), rho_t)):
            raise ExerciseFailure(f"{exercise}, case {case.label}: the pair is in the wrong order: return "
                                  f"(rho_t, r_t), rho_t first (expected rho_t = {rho_t:.6g}, r_t = {r_t!r}), got "
                                  f"{tuple(got)!r:.80}")
        got_r = got[1]
        if (r_t is None) != (got_r is None):
            check_rho([case])  # a wrong rho_t moves the threshold: name that mistake first
        if r_t is None and got_r is not None:
            try:
                what = "0" if float(got_r) == 0.0 else f"{float(got_r):.6g}"
            except (TypeError, ValueError):
                what = f"{got_r!r:.40}"
            raise ExerciseFailure(
                f"{exercise}, case {case.label}: r_t should be None here, where rho_t = {rho_t:.6g} <= 5 (RAdam takes "
                f"a plain momentum step then), but your function returned r_t = {what}."
                + (" Return None, not 0: r_t = 0 would stop the step, RAdam still moves by lr * m_hat."
                   if what == "0" else
                   " Is the threshold right? Rectify only when rho_t > 5 (rho_t, not t, and 5, not 4)."))
        if r_t is not None and got_r is None:
            raise ExerciseFailure(
                f"{exercise}, case {case.label}: r_t should be a number here, where rho_t = {rho_t:.6g} > 5, but your "
                f"function returned None. Is the threshold right? Rectify when rho_t > 5 (rho_t, not t).")
    # Then the numbers, with the engine's diagnosis; the warm-up cases compare rho_t alone.
    rectified = [c for c in cases if reference_radam_rectifier(**c.inputs)[1] is not None]
    warmup = [c for c in cases if reference_radam_rectifier(**c.inputs)[1] is None]
    check_function(radam_rectifier, reference_radam_rectifier, rectified, exercise=exercise,
                   returns=("rho_t", "r_t"), variants=_RECTIFIER_VARIANTS, quiet=True)

    check_rho(warmup)
    print(f"{exercise}: all {len(cases)} cases passed ({len(warmup)} of them in the warm-up, r_t = None).")


# ---------------------------------------------------------------------------
# adam_period_drift (theory)
# ---------------------------------------------------------------------------

def reference_adam_period_drift(C, beta2):
    """:func:`optimlab.online.adam_period_drift`: the change of ``x`` over one period, in units of ``lr``."""
    return _adam_period_drift(C, beta2)


def _drift(C, beta2, *, V=None, signs=(-1, 1, 1), root=True, order=None):
    Va, Vb, Vc = V(C, beta2) if V else _stationary_V(C, beta2)
    if order == "old":
        Va, Vb, Vc = Vc, Va, Vb
    f = np.sqrt if root else (lambda x: x)
    return signs[0] * C / f(Va) + signs[1] / f(Vb) + signs[2] / f(Vc)


def _vd(hint, **parts):
    return Variant(lambda C, beta2: _drift(C, beta2, **parts), hint)


def _V_mean(C, b):
    v = (C * C + 2) / 3
    return v, v, v


def _V_reversed(C, b):
    # the weights of the fixed point in the wrong order: the large gradient taken as the most recent at V_c
    Vc = (1 - b) * (C * C + b + b * b) / (1 - b**3)
    Va = b * Vc + (1 - b) * C * C
    Vb = b * Va + (1 - b)
    return Va, Vb, Vc


def _V_swapped(C, b):
    return _stationary_V(C, 1 - b) if 0 < b < 1 else _stationary_V(C, b)


def _V_from_zero(C, b):
    # one period of the EMA from V = 0, without the fixed point
    Va = (1 - b) * C * C
    Vb = b * Va + (1 - b)
    Vc = b * Vb + (1 - b)
    return Va, Vb, Vc


def _V_no_damping(C, b):
    Vc = (b * b * C * C + b + 1) / (1 - b**3)
    Va = b * Vc + C * C
    Vb = b * Va + 1
    return Va, Vb, Vc


def _V_amsgrad(C, b):
    Va, _, _ = _stationary_V(C, b)
    return Va, Va, Va


_DRIFT_VARIANTS = [
    _vd("the sign is flipped: the change of x is -lr * g / sqrt(V) per step, so the C step moves x by "
        "-C / sqrt(V_a) and each -1 step by +1 / sqrt(V)", signs=(1, -1, -1)),
    _vd("V is the plain mean (C**2 + 2) / 3 at every step: that is the limit beta2 -> 1; for a smaller beta2, V "
        "follows the cycle, use the stationary V_a, V_b, V_c of the EMA", V=_V_mean),
    _vd("each step used the V from BEFORE its gradient (the old V): V_a, which contains C**2, divides the C step, "
        "V_b and V_c the two -1 steps", order="old"),
    _vd("the weights of the fixed point are in the wrong order: just before the C step the most recent gradients "
        "are the two -1's, so V_c = (1 - beta2)(beta2**2 C**2 + beta2 + 1) / (1 - beta2**3)", V=_V_reversed),
    _vd("beta2 and 1 - beta2 are swapped in the EMA: V <- beta2 * V + (1 - beta2) * g**2", V=_V_swapped),
    _vd("V was started from 0 for one period: the stationary regime is the fixed point of three EMA steps, "
        "V_c = beta2**3 V_c + (1 - beta2)(beta2**2 C**2 + beta2 + 1)", V=_V_from_zero),
    _vd("the factor (1 - beta2) is missing in the EMA: V <- beta2 * V + (1 - beta2) * g**2", V=_V_no_damping),
    _vd("the square root is missing: each step is g / sqrt(V), not g / V", root=False),
    _vd("this divides every step by V_a, AMSGrad's running maximum (then the drift is (2 - C) / sqrt(V_a) < 0): "
        "Adam divides each step by its own V_a, V_b, V_c", V=_V_amsgrad),
    _vd("only one of the two -1 steps was counted: the period is C, -1, -1", signs=(-1, 1, 0)),
    Variant(lambda C, beta2: _drift(C, beta2) / 3,
            "this is the average per step, a third of the drift: the drift is the change over the whole period, "
            "the sum of its three steps"),
]


def _drift_cases(hidden: bool):
    cases = [Case(f"C={C}, beta2={b}", {"C": C, "beta2": b}) for C, b in ((4.0, 0.3), (5.0, 0.8), (10.0, 0.05))]
    if hidden:
        cases += [Case(f"C={C}, beta2={b}", {"C": C, "beta2": b}) for C, b in
                  ((3.0, 0.1), (2.5, 0.9), (20.0, 0.02), (4.0, 0.999), (7.0, 0.6))]
    return cases


def check_adam_period_drift(adam_period_drift, hidden: bool = False) -> None:
    """``adam_period_drift(C, beta2)``: the change of ``x`` over one period of Reddi's problem, in units of
    ``lr``, for Adam with ``beta1 = 0`` in its stationary regime."""
    check_function(adam_period_drift, reference_adam_period_drift, _drift_cases(hidden),
                   exercise="adam_period_drift", returns=("drift",), variants=_DRIFT_VARIANTS)
