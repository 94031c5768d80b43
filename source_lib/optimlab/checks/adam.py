r"""Checks for notebook 08, Adam and the one frame: ``adam_step``, ``frame_step`` and ``softmax_ce_grad``.

The exercises, with the formulas the learner implements (PyTorch's ``torch.optim.Adam``, ``eps``
added to ``sqrt(V_hat)``; squares, roots and divisions elementwise; ``t = 1, 2, ...``):

.. code-block:: text

    adam_step(w, m, V, g, t, lr, beta1, beta2, eps)
        m <- beta1 * m + (1 - beta1) * g
        V <- beta2 * V + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t),  V_hat = V / (1 - beta2**t)
        w <- w - lr * m_hat / (sqrt(V_hat) + eps)                          -> (w, m, V)
    frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps)
        one step of "sgd", "sgdm", "adagrad", "rmsprop" or "adam" in seed 004's frame
        w_t = w_{t-1} - lr * m_t / sqrt(V_t) (optimlab.frame's table)      -> (w, m, V)
    softmax_ce_grad(W, b, X, y)
        Z = X W + b, P = softmax(Z) row by row, G = (P - onehot(y)) / N
        returns (dW, db) = (X^T G, sum of the rows of G): the gradient of the mean cross-entropy

Cases start from non-zero moments at a step index t > 1 and run several steps, with ``eps`` large
(0.1 to 0.5, so that where it goes shows), ``beta1`` and ``beta2`` far from 0.5 and from each other
and ``lr`` far from 1. The softmax cases include logits near 800, where ``exp`` overflows unless the
row maximum is subtracted first.

The ``check_*`` functions print a one-line success message and return ``None`` (nbgrader reads a
number shown by a test cell as partial credit).
"""
from __future__ import annotations

import numpy as np

from ..frame import frame_step as _frame_step
from ..models import softmax as _softmax
from ..optimizers import adam_step as _adam_step
from .cases import quadratic as _quadratic, random_shape
from .engine import Case, Variant, check_function, check_steps

__all__ = ["reference_frame_step", "reference_softmax_ce_grad", "check_adam_step", "check_frame_step",
           "check_softmax_ce_grad"]


# ---------------------------------------------------------------------------
# adam_step
# ---------------------------------------------------------------------------

def _ref_adam_step(w, m, V, g, t, lr, beta1, beta2, eps):
    # Positional: the library's argument names may change, the order of the formula does not.
    return _adam_step.unchecked(np.asarray(w, float), np.asarray(m, float), np.asarray(V, float),
                                np.asarray(g, float), t, lr, beta1, beta2, eps, True)


def _adam(w, m, V, g, t, lr, beta1, beta2, eps, *, m_rule=None, V_rule=None, correct_m=True, correct_V=True,
          bc1=None, denom=None, state="raw", old=False):
    """Adam with one part replaced: the building block of the known wrong variants.

    ``m_rule(m, g, beta1, beta2)`` and ``V_rule(V, g, beta1, beta2)`` replace the moments' updates,
    ``bc1(t, beta)`` the correction factor ``1 - beta**t`` (of both), ``denom(V_hat, eps)`` the denominator.
    """
    m_new = m_rule(m, g, beta1, beta2) if m_rule else beta1 * m + (1 - beta1) * g
    V_new = V_rule(V, g, beta1, beta2) if V_rule else beta2 * V + (1 - beta2) * g * g
    mu, Vu = (m, V) if old else (m_new, V_new)
    b1 = bc1(t, beta1) if bc1 else 1 - beta1**t
    b2 = bc1(t, beta2) if bc1 else 1 - beta2**t
    m_hat = mu / b1 if correct_m else mu
    V_hat = Vu / b2 if correct_V else Vu
    d = denom(V_hat, eps) if denom else np.sqrt(V_hat) + eps
    w_new = w - lr * m_hat / d
    if state == "corrected":
        return w_new, m_hat, V_hat
    return w_new, m_new, V_new


def _v(hint, **parts):
    return Variant(lambda w, m, V, g, t, lr, beta1, beta2, eps: _adam(w, m, V, g, t, lr, beta1, beta2, eps,
                                                                       **parts), hint)


def _adam_keras(w, m, V, g, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    V = beta2 * V + (1 - beta2) * g * g
    alpha = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return w - alpha * m / (np.sqrt(V) + eps), m, V


def _adam_beta1_everywhere(w, m, V, g, t, lr, beta1, beta2, eps):
    return _ref_adam_step(w, m, V, g, t, lr, beta1, beta1, eps)


def _adam_swapped_return(w, m, V, g, t, lr, beta1, beta2, eps):
    w, m, V = _ref_adam_step(w, m, V, g, t, lr, beta1, beta2, eps)
    return w, V, m


def _adam_sign(w, m, V, g, t, lr, beta1, beta2, eps):
    w_new, m, V = _ref_adam_step(w, m, V, g, t, lr, beta1, beta2, eps)
    return 2 * np.asarray(w, float) - w_new, m, V


def _adam_no_lr(w, m, V, g, t, lr, beta1, beta2, eps):
    w_new, m, V = _ref_adam_step(w, m, V, g, t, lr, beta1, beta2, eps)
    return w - (w - w_new) / lr, m, V


_ADAM_VARIANTS = [
    _v("eps is inside the square root, m_hat / sqrt(V_hat + eps): PyTorch's Adam, asked for here, adds eps to "
       "the root, m_hat / (sqrt(V_hat) + eps)",
       denom=lambda V_hat, eps: np.sqrt(V_hat + eps)),
    Variant(_adam_keras,
            "this is Keras's Adam: the corrections folded into the rate, lr * sqrt(1 - beta2**t) / (1 - beta1**t), "
            "and eps added to sqrt(V) of the RAW V (\"epsilon hat\"). PyTorch, asked for here, adds eps to "
            "sqrt(V_hat): lr * m_hat / (sqrt(V_hat) + eps)"),
    _v("the bias correction is missing: divide m by (1 - beta1**t) and V by (1 - beta2**t) before the step",
       correct_m=False, correct_V=False),
    _v("the bias correction was applied to the state: return the raw m and V (the next step averages them "
       "again); only the step uses m_hat = m / (1 - beta1**t) and V_hat = V / (1 - beta2**t)",
       state="corrected"),
    _v("only m was bias-corrected: V_hat = V / (1 - beta2**t) as well", correct_V=False),
    _v("only V was bias-corrected: m_hat = m / (1 - beta1**t) as well", correct_m=False),
    _v("the bias correction uses t + 1: the step index t counts from 1, and step t divides by 1 - beta**t",
       bc1=lambda t, beta: 1 - beta ** (t + 1)),
    _v("the bias correction uses t - 1: the step index t counts from 1, and step t divides by 1 - beta**t "
       "(at t = 1 that is 1 - beta, never 0)",
       bc1=lambda t, beta: 1 - beta ** (t - 1)),
    _v("the correction divides by (1 - beta), not by (1 - beta**t): the power t is missing",
       bc1=lambda t, beta: 1 - beta),
    _v("beta1 and 1 - beta1 are swapped in m: m <- beta1 * m + (1 - beta1) * g",
       m_rule=lambda m, g, b1, b2: (1 - b1) * m + b1 * g),
    _v("beta2 and 1 - beta2 are swapped in V: V <- beta2 * V + (1 - beta2) * g**2",
       V_rule=lambda V, g, b1, b2: (1 - b2) * V + b2 * g * g),
    _v("m has no (1 - beta1) factor, beta1 * m + g (PyTorch's heavy-ball buffer): Adam's first moment is the "
       "average beta1 * m + (1 - beta1) * g", m_rule=lambda m, g, b1, b2: b1 * m + g),
    _v("V has no (1 - beta2) factor: V <- beta2 * V + (1 - beta2) * g**2", V_rule=lambda V, g, b1, b2: b2 * V + g * g),
    _v("beta1 was used for V too: the second moment averages with beta2, V <- beta2 * V + (1 - beta2) * g**2",
       V_rule=lambda V, g, b1, b2: b1 * V + (1 - b1) * g * g),
    Variant(_adam_beta1_everywhere,
            "beta1 was used for V too, in its average and its correction: the second moment uses beta2, "
            "V <- beta2 * V + (1 - beta2) * g**2 and V_hat = V / (1 - beta2**t)"),
    _v("V averages g instead of g**2: the second moment is the average of the SQUARED gradient",
       V_rule=lambda V, g, b1, b2: b2 * V + (1 - b2) * g),
    _v("V averages |g| instead of g**2: the second moment is the average of the squared gradient",
       V_rule=lambda V, g, b1, b2: b2 * V + (1 - b2) * np.abs(g)),
    _v("V is AdaGrad's running sum V + g**2: Adam averages, V <- beta2 * V + (1 - beta2) * g**2",
       V_rule=lambda V, g, b1, b2: V + g * g),
    _v("the square root is missing: divide by sqrt(V_hat) + eps, not V_hat + eps",
       denom=lambda V_hat, eps: V_hat + eps),
    _v("eps is missing: divide by sqrt(V_hat) + eps, not by sqrt(V_hat) alone",
       denom=lambda V_hat, eps: np.sqrt(V_hat)),
    _v("the step used the old m and V: update both moments first, then step with the new ones", old=True),
    Variant(_adam_sign, "the sign: the step goes downhill, w - lr * m_hat / (sqrt(V_hat) + eps), not w + ..."),
    Variant(_adam_no_lr, "the learning rate is missing: the step is lr * m_hat / (sqrt(V_hat) + eps)"),
    Variant(_adam_swapped_return, "the results are in the wrong order: return (w, m, V)"),
]
def _adam_cases(hidden: bool):
    rng = np.random.default_rng(81 if hidden else 80)
    cases = [
        Case("scalar parabola f(w)=w^2 from w=-3, m=0.5, V=2, t=3, lr=0.2, beta1=0.8, beta2=0.95, eps=0.3",
             {"w": np.array(-3.0), "m": np.array(0.5), "V": np.array(2.0), "g": None, "t": 3, "lr": 0.2,
              "beta1": 0.8, "beta2": 0.95, "eps": 0.3},
             steps=3, grad=lambda w: 2 * w,
             note="eps is large on purpose, so that where it goes shows; t starts at 3 (earlier steps were taken)"),
        Case("3 coordinates on f = 0.1 x^2 + 2 y^2 + 0.75 z^2 from zero moments, t=1, lr=0.05, beta1=0.9, "
             "beta2=0.99, eps=0.1",
             {"w": np.array([1.0, -2.0, 0.5]), "m": np.zeros(3), "V": np.zeros(3), "g": None, "t": 1, "lr": 0.05,
              "beta1": 0.9, "beta2": 0.99, "eps": 0.1},
             steps=4, grad=_quadratic([0.2, 4.0, 1.5])),
    ]
    if hidden:
        for beta1, beta2, t in ((0.7, 0.999, 1), (0.95, 0.9, 5), (0.85, 0.98, 12)):
            shape = random_shape(rng)
            lr = float(np.round(10 ** rng.uniform(-2.5, -0.5), 4))
            eps = float(np.round(10 ** rng.uniform(-1.3, -0.3), 3))
            cases.append(Case(
                f"random shape {shape}, t={t}, lr={lr}, beta1={beta1}, beta2={beta2}, eps={eps}",
                {"w": rng.normal(size=shape), "m": rng.normal(0, 0.5, size=shape),
                 "V": rng.uniform(0.1, 2.0, size=shape), "g": None, "t": t, "lr": lr, "beta1": beta1,
                 "beta2": beta2, "eps": eps},
                steps=5, grad=_quadratic(rng.uniform(0.1, 3.0, size=shape), rng.normal(size=shape))))
        cases.append(Case("PyTorch's defaults from zero moments, t=1, lr=0.001, eps=1e-8",
                          {"w": np.array([2.0, -1.0]), "m": np.zeros(2), "V": np.zeros(2), "g": None, "t": 1,
                           "lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                          steps=3, grad=_quadratic([1.0, 0.01])))
    return cases


def check_adam_step(adam_step, hidden: bool = False) -> None:
    """``adam_step(w, m, V, g, t, lr, beta1, beta2, eps)`` as ``optimlab.adam_step``; returns ``(w, m, V)``."""
    check_steps(adam_step, _ref_adam_step, _adam_cases(hidden), exercise="adam_step", returns=("w", "m", "V"),
                variants=_ADAM_VARIANTS)


# ---------------------------------------------------------------------------
# frame_step
# ---------------------------------------------------------------------------

def reference_frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps):
    """One step of ``method`` in seed 004's frame: :func:`optimlab.frame.frame_step`."""
    return _frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps)


def _fv(hint, change):
    """A wrong frame step: ``change(method, w, m, V, g, t, lr, beta1, beta2, eps)`` returns its result, or
    None where it agrees with the reference."""
    def fn(w, m, V, g, t, lr, method, beta1, beta2, eps):
        w, m, V, g = (np.asarray(x, float) for x in (w, m, V, g))
        out = change(method, w, m, V, g, t, lr, beta1, beta2, eps)
        return out if out is not None else reference_frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps)
    return Variant(fn, hint)


def _ema(x, y, beta):
    return beta * x + (1 - beta) * y


def _sgd_eps(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method in ("sgd", "sgdm"):
        mm = g if method == "sgd" else _ema(m, g, beta1)
        return w - lr * mm / (1.0 + eps), mm, np.ones_like(w)


def _eps_inside(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method in ("adagrad", "rmsprop", "adam"):
        _, mm, VV = reference_frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps)
        m_used = mm / (1 - beta1**t) if method == "adam" else mm
        V_used = VV / (1 - beta2**t) if method == "adam" else VV
        return w - lr * m_used / np.sqrt(V_used + eps), mm, VV


def _adam_no_correction(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method == "adam":
        mm, VV = _ema(m, g, beta1), _ema(V, g * g, beta2)
        return w - lr * mm / (np.sqrt(VV) + eps), mm, VV


def _adam_corrected_state(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method == "adam":
        w_new, mm, VV = reference_frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps)
        return w_new, mm / (1 - beta1**t), VV / (1 - beta2**t)


def _corrected_everywhere(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method == "sgdm":
        mm = _ema(m, g, beta1)
        return w - lr * mm / (1 - beta1**t), mm, np.ones_like(w)
    if method == "rmsprop":
        VV = _ema(V, g * g, beta2)
        return w - lr * g / (np.sqrt(VV / (1 - beta2**t)) + eps), g, VV


def _sgdm_heavy_ball(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method in ("sgdm", "adam"):
        mm = beta1 * m + g
        if method == "sgdm":
            return w - lr * mm, mm, np.ones_like(w)
        VV = _ema(V, g * g, beta2)
        return w - lr * (mm / (1 - beta1**t)) / (np.sqrt(VV / (1 - beta2**t)) + eps), mm, VV


def _sgdm_beta2(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method == "sgdm":
        mm = _ema(m, g, beta2)
        return w - lr * mm, mm, np.ones_like(w)


def _rmsprop_beta1(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method == "rmsprop":
        VV = _ema(V, g * g, beta1)
        return w - lr * g / (np.sqrt(VV) + eps), g, VV


def _rmsprop_sum(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method == "rmsprop":
        VV = V + g * g
        return w - lr * g / (np.sqrt(VV) + eps), g, VV


def _adagrad_ema(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method == "adagrad":
        VV = _ema(V, g * g, beta2)
        return w - lr * g / (np.sqrt(VV) + eps), g, VV


def _m_unchanged(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method in ("sgd", "adagrad", "rmsprop"):
        w_new, _, VV = reference_frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps)
        return w_new, m, VV


def _old_moments(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method in ("sgdm", "adagrad", "rmsprop", "adam"):
        _, mm, VV = reference_frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps)
        m_used = m if method in ("sgdm", "adam") else g
        V_used = V if method != "sgdm" else np.ones_like(w)
        if method == "adam":
            m_used, V_used = m_used / (1 - beta1**t), V_used / (1 - beta2**t)
        denom = 1.0 if method == "sgdm" else np.sqrt(V_used) + eps
        return w - lr * m_used / denom, mm, VV


def _no_sqrt(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method in ("adagrad", "rmsprop", "adam"):
        _, mm, VV = reference_frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps)
        m_used = mm / (1 - beta1**t) if method == "adam" else mm
        V_used = VV / (1 - beta2**t) if method == "adam" else VV
        return w - lr * m_used / (V_used + eps), mm, VV


def _V_of_g(method, w, m, V, g, t, lr, beta1, beta2, eps):
    if method in ("adagrad", "rmsprop", "adam"):
        VV = V + np.abs(g) if method == "adagrad" else _ema(V, np.abs(g), beta2)
        mm = _ema(m, g, beta1) if method == "adam" else g
        m_used = mm / (1 - beta1**t) if method == "adam" else mm
        V_used = VV / (1 - beta2**t) if method == "adam" else VV
        return w - lr * m_used / (np.sqrt(V_used) + eps), mm, VV


_FRAME_VARIANTS = [
    _fv("SGD and SGDM got eps in the denominator (lr * m / (1 + eps)): their V_t is 1 and they have no eps, "
        "the step is exactly lr * m_t; only AdaGrad, RMSProp and Adam add eps", _sgd_eps),
    _fv("eps is inside the square root, m / sqrt(V + eps): in the library (PyTorch's convention) AdaGrad, "
        "RMSProp and Adam add eps to the root, m / (sqrt(V) + eps)", _eps_inside),
    _fv("Adam's bias correction is missing: its step uses m_hat = m / (1 - beta1**t) and "
        "V_hat = V / (1 - beta2**t)", _adam_no_correction),
    _fv("Adam's bias correction was applied to the state: return the raw m_t and V_t (the next step averages "
        "them again); only the step uses m_hat and V_hat", _adam_corrected_state),
    _fv("a bias correction was applied to SGDM or RMSProp: in the library only Adam divides by 1 - beta**t "
        "(momentum_step and rmsprop_step use the raw averages)", _corrected_everywhere),
    _fv("the first moment has no (1 - beta1) factor, beta1 * m + g (PyTorch's heavy-ball buffer): in the frame "
        "SGDM's and Adam's m_t is the average beta1 * m + (1 - beta1) * g", _sgdm_heavy_ball),
    _fv("SGDM averaged with beta2: the first moment's coefficient is beta1", _sgdm_beta2),
    _fv("RMSProp averaged with beta1: the second moment's coefficient is beta2 (torch's alpha)", _rmsprop_beta1),
    _fv("RMSProp's V is a running sum V + g**2 (that is AdaGrad): RMSProp averages, beta2 * V + (1 - beta2) * g**2",
        _rmsprop_sum),
    _fv("AdaGrad's V is an average (that is RMSProp): AdaGrad keeps the running sum V + g**2", _adagrad_ema),
    _fv("m came back unchanged for SGD, AdaGrad or RMSProp: their first moment is m_t = g_t, return it",
        _m_unchanged),
    _fv("the step used the old moments m_{t-1}, V_{t-1}: update m and V first, then step with m_t and V_t",
        _old_moments),
    _fv("the square root is missing: the frame divides by sqrt(V_t), not V_t", _no_sqrt),
    _fv("the second moment averages |g| (or g) instead of g**2", _V_of_g),
]


def _frame_cases(hidden: bool):
    rng = np.random.default_rng(83 if hidden else 82)
    grad = _quadratic([0.4, 3.0, 1.5], [0.1, 0.0, -0.2])
    w0 = np.array([1.0, -2.0, 0.5])
    states = {  # the state each method would have after some steps (SGD's m is the last gradient)
        "sgd": (np.array([0.3, -1.0, 0.2]), np.ones(3)),
        "sgdm": (np.array([0.3, -1.0, 0.2]), np.ones(3)),
        "adagrad": (np.array([0.3, -1.0, 0.2]), np.array([1.0, 4.0, 0.25])),
        "rmsprop": (np.array([0.3, -1.0, 0.2]), np.array([0.5, 2.0, 0.05])),
        "adam": (np.array([0.3, -1.0, 0.2]), np.array([0.5, 2.0, 0.05])),
    }
    cases = []
    for method in ("sgd", "sgdm", "adagrad", "rmsprop", "adam"):
        m, V = states[method]
        cases.append(Case(
            f"method={method!r} on f = 0.2 x^2 + 1.5 y^2 + 0.75 z^2 (+ a linear term), t=3, lr=0.1, beta1=0.8, "
            f"beta2=0.95, eps=0.3",
            {"w": w0.copy(), "m": m.copy(), "V": V.copy(), "g": None, "t": 3, "lr": 0.1, "method": method,
             "beta1": 0.8, "beta2": 0.95, "eps": 0.3},
            steps=3, grad=grad, note="eps is large on purpose: where it goes (and where it does not) shows"))
    if hidden:
        for method in ("sgd", "sgdm", "adagrad", "rmsprop", "adam", "adam", "rmsprop", "sgdm"):
            shape = random_shape(rng)
            lr = float(np.round(10 ** rng.uniform(-2, -0.5), 4))
            eps = float(np.round(10 ** rng.uniform(-1.3, -0.3), 3))
            beta1, beta2 = float(rng.choice([0.7, 0.85, 0.9])), float(rng.choice([0.9, 0.97, 0.999]))
            t = int(rng.integers(1, 8))
            V = np.ones(shape) if method in ("sgd", "sgdm") else rng.uniform(0.1, 2.0, size=shape)
            cases.append(Case(
                f"method={method!r}, random shape {shape}, t={t}, lr={lr}, beta1={beta1}, beta2={beta2}, eps={eps}",
                {"w": rng.normal(size=shape), "m": rng.normal(0, 0.5, size=shape), "V": V, "g": None, "t": t,
                 "lr": lr, "method": method, "beta1": beta1, "beta2": beta2, "eps": eps},
                steps=4, grad=_quadratic(rng.uniform(0.1, 3.0, size=shape), rng.normal(size=shape))))
    return cases


def check_frame_step(frame_step, hidden: bool = False) -> None:
    """``frame_step(w, m, V, g, t, lr, method, beta1, beta2, eps)`` as :func:`optimlab.frame.frame_step`."""
    check_steps(frame_step, reference_frame_step, _frame_cases(hidden), exercise="frame_step",
                returns=("w", "m", "V"), variants=_FRAME_VARIANTS, rtol=0.0, atol=1e-12)


# ---------------------------------------------------------------------------
# softmax_ce_grad
# ---------------------------------------------------------------------------

def _onehot(y, C):
    return np.eye(C)[np.asarray(y, dtype=int)]


def reference_softmax_ce_grad(W, b, X, y):
    r"""The gradient of the mean cross-entropy (交叉熵) of softmax regression.

    .. code-block:: text

        Z = X W + b                    (N, C) logits
        P = softmax(Z)                 row by row, computed as exp(Z - max) / sum
        G = (P - onehot(y)) / N
        dL/dW = X^T G   (d, C),   dL/db = sum of the rows of G   (C,)

    ``L = (1/N) sum_i [log sum_c exp(Z_ic) - Z_i,y_i]``. Returns ``(dW, db)``.
    """
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    G = (_softmax(X @ W + b, axis=1) - _onehot(y, W.shape[1])) / X.shape[0]
    return X.T @ G, G.sum(axis=0)


def _naive_softmax(Z):
    with np.errstate(all="ignore"):
        E = np.exp(Z)
        return E / E.sum(axis=1, keepdims=True)


def _sg(hint, G_of):
    """A wrong gradient from a wrong G = dL/dZ."""
    def fn(W, b, X, y):
        X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
        G = G_of(X @ W + b, _onehot(y, W.shape[1]), X.shape[0])
        return X.T @ G, G.sum(axis=0)
    return Variant(fn, hint)


def _mse_G(Z, Y, N):
    # The gradient of seed 004's mean((Y - P)**2) over all N*C entries, through the softmax Jacobian.
    P = _softmax(Z, axis=1)
    D = 2 * (P - Y) / (N * Y.shape[1])
    return P * (D - np.sum(P * D, axis=1, keepdims=True))


def _db_mean(W, b, X, y):
    dW, db = reference_softmax_ce_grad(W, b, X, y)
    return dW, db / np.asarray(X).shape[0]


def _dW_mean(W, b, X, y):
    dW, db = reference_softmax_ce_grad(W, b, X, y)
    return dW / np.asarray(X).shape[0], db


def _db_zero(W, b, X, y):
    dW, db = reference_softmax_ce_grad(W, b, X, y)
    return dW, np.zeros_like(db)


_SOFTMAX_VARIANTS = [
    _sg("exp overflowed: subtract each row's maximum from Z before np.exp (softmax(Z) = softmax(Z - max), and "
        "exp(800) is inf in float64)", lambda Z, Y, N: (_naive_softmax(Z) - Y) / N),
    _sg("the mean over the N examples is missing: G = (P - onehot(y)) / N (the loss is the MEAN cross-entropy)",
        lambda Z, Y, N: _softmax(Z, axis=1) - Y),
    _sg("the sign: G = P - onehot(y) (probabilities minus targets), not onehot(y) - P",
        lambda Z, Y, N: (Y - _softmax(Z, axis=1)) / N),
    _sg("onehot(y) was not subtracted: dL/dZ = (P - onehot(y)) / N", lambda Z, Y, N: _softmax(Z, axis=1) / N),
    _sg("the softmax was taken over the wrong axis (down the examples, axis 0): each ROW of Z is one example's "
        "class scores, normalise along axis=1",
        lambda Z, Y, N: (np.exp(Z - Z.max(axis=0)) / np.exp(Z - Z.max(axis=0)).sum(axis=0) - Y) / N),
    _sg("this is the gradient of the mean squared error on the softmax outputs (seed 004's loss), not of the "
        "cross-entropy: for the cross-entropy dL/dZ = (P - onehot(y)) / N", _mse_G),
    _sg("the targets are the labels themselves (P - y), not one-hot rows: onehot(y) = np.eye(C)[y]",
        lambda Z, Y, N: (_softmax(Z, axis=1) - np.argmax(Y, axis=1)[:, None]) / N),
    _sg("the softmax is missing: dL/dZ = (softmax(Z) - onehot(y)) / N, with probabilities, not the logits Z",
        lambda Z, Y, N: (Z - Y) / N),
    _sg("the mean was taken over all N * C entries of G (P.size): the cross-entropy is averaged over the N "
        "examples only, G = (P - onehot(y)) / N", lambda Z, Y, N: (_softmax(Z, axis=1) - Y) / Z.size),
    Variant(_dW_mean, "dW was divided by N twice: dW = X^T G, where G = (P - onehot(y)) / N already holds the 1/N"),
    Variant(_db_mean, "db was divided by N twice: db is the SUM over the examples of G = (P - onehot(y)) / N"),
    Variant(_db_zero, "db is zero: the bias gradient is the sum of the rows of G = (P - onehot(y)) / N"),
]


def _softmax_cases(hidden: bool):
    rng = np.random.default_rng(85 if hidden else 84)
    cases = [
        Case("N=5 examples, d=2 features, C=3 classes",
             {"W": np.array([[0.5, -0.2, 0.1], [0.3, 0.8, -0.6]]), "b": np.array([0.1, 0.0, -0.3]),
              "X": np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.3], [2.0, 0.0], [0.0, -0.7]]),
              "y": np.array([0, 2, 1, 1, 0])}),
        Case("large logits, around 800 (np.exp(800) overflows to inf)",
             {"W": np.array([[400.0, 395.0, 398.0], [0.5, -0.2, 0.1]]), "b": np.array([0.0, 1.0, -2.0]),
              "X": np.array([[2.0, 1.0], [2.0, -1.0], [1.99, 0.5]]), "y": np.array([1, 0, 2])},
             note="softmax(Z) = softmax(Z - max of each row): subtract the maximum before np.exp"),
    ]
    if hidden:
        for N, d, C in ((7, 4, 3), (12, 3, 4), (1, 2, 2), (30, 4, 3)):
            y = rng.integers(0, C, size=N)
            y[: min(N, C)] = np.arange(min(N, C))
            cases.append(Case(f"random N={N}, d={d}, C={C}",
                              {"W": rng.normal(size=(d, C)), "b": rng.normal(size=C), "X": rng.normal(size=(N, d)),
                               "y": y}))
    return cases


def check_softmax_ce_grad(softmax_ce_grad, hidden: bool = False) -> None:
    """``softmax_ce_grad(W, b, X, y)``: ``(X^T G, sum of G's rows)`` with ``G = (softmax(XW + b) - onehot(y)) / N``."""
    check_function(softmax_ce_grad, reference_softmax_ce_grad, _softmax_cases(hidden), exercise="softmax_ce_grad",
                   returns=("dW", "db"), variants=_SOFTMAX_VARIANTS)
