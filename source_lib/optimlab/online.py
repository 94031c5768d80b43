r"""Reddi, Kale and Kumar's online problem, on which Adam converges to the wrong point (ICLR 2018).

The feasible set is the interval ``[-1, 1]``; at step ``t = 1, 2, ...`` the loss is linear,

.. code-block:: text

    f_t(x) = C * x    if t % 3 == 1      (once every three steps, a large gradient C > 2)
    f_t(x) = -x       otherwise          (twice, a small gradient -1)

so the gradients cycle ``C, -1, -1, C, -1, -1, ...``. Over one period the losses add up to
``(C - 2) x``: the best fixed point is ``x = -1``. An online method's *regret* after ``T`` steps
is ``sum_t f_t(x_{t-1}) - min_x sum_t f_t(x)``; a method that converges to the right point has an
average regret ``R_T / T`` tending to 0. With ``beta1 = 0`` and a small ``beta2`` (Reddi et al.
take ``beta2 = 1 / (1 + C**2)``), Adam's second moment forgets the rare large gradient before it
comes back, the two small gradients win, and Adam drifts to ``x = +1``, the worst point, where
the average regret stays ``2 (C - 2) / 3`` per step. AMSGrad's running maximum of ``V`` keeps
the large gradient's scale and converges to ``x = -1``.

:func:`run_online` drives any optimizer of the registry (or a learner's step function) on it,
with a projection onto ``[-1, 1]`` after each step and the learning rate ``lr / sqrt(t)`` of
the paper's analysis (``decay=False`` for a constant one).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["reddi_gradient", "reddi_loss", "OnlineResult", "run_online", "stationary_V", "adam_period_drift"]


def _check_C(C) -> float:
    if isinstance(C, bool) or not isinstance(C, (int, float, np.integer, np.floating)) or not math.isfinite(C):
        raise TypeError(f"C must be a finite number, got {C!r}")
    if C <= 2:
        raise ValueError(f"C must be > 2 (then the best point is x = -1), got C={C!r}")
    return float(C)


def reddi_gradient(t: int, C: float) -> float:
    """The gradient of ``f_t`` (it does not depend on ``x``): ``C`` if ``t % 3 == 1``, else ``-1``."""
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
        raise ValueError(f"t must be an integer >= 1 (the step index counts from 1), got t={t!r}")
    return _check_C(C) if t % 3 == 1 else -1.0


def reddi_loss(x, t: int, C: float):
    """``f_t(x)``: ``C * x`` once every three steps (``t % 3 == 1``), ``-x`` otherwise."""
    return reddi_gradient(t, C) * np.asarray(x, dtype=float)


@dataclass
class OnlineResult:
    """A run on the online problem: ``x[t]`` is ``x_t`` (``x[0]`` the start), ``T + 1`` entries;
    ``regret[t - 1]`` is ``R_t = sum_{s <= t} f_s(x_{s-1}) - min_x sum_{s <= t} f_s(x)``."""

    x: np.ndarray
    regret: np.ndarray

    @property
    def average_regret(self) -> np.ndarray:
        """``R_t / t`` for ``t = 1..T``."""
        return self.regret / np.arange(1, self.regret.size + 1)


def run_online(optimizer, T: int, C: float = 3.0, *, lr: float = 0.1, decay: bool = True, x0: float = 1.0,
               **hyper) -> OnlineResult:
    """Run ``optimizer`` (a registry name or a step function) for ``T`` steps on Reddi's problem.

    Step ``t`` uses the gradient :func:`reddi_gradient` ``(t, C)`` at ``x_{t-1}``, the learning rate
    ``lr / sqrt(t)`` (``decay=True``, as in the paper's theorems) or ``lr``, and projects the result
    onto ``[-1, 1]`` (the optimizer's state is kept as it is: only ``x`` is clipped).
    ``**hyper`` goes to :func:`optimlab.make` (``beta1=0, beta2=0.1``, ...).
    """
    from .stateful import make

    C = _check_C(C)
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T must be an integer >= 1, got T={T!r}")
    if not -1.0 <= float(x0) <= 1.0:
        raise ValueError(f"x0 must lie in the feasible set [-1, 1], got x0={x0!r}")
    opt = make(optimizer, lr=lr, **hyper)
    w = np.array([float(x0)])
    state = opt.init(w)
    xs = np.empty(T + 1)
    xs[0] = w[0]
    losses = np.empty(T)
    for t in range(1, T + 1):
        g = reddi_gradient(t, C)
        losses[t - 1] = g * w[0]
        # Only the first step is checked (gradients and rates are ours, finite and positive): 3x faster.
        w, state = opt.update(w, np.array([g]), state, lr=lr / math.sqrt(t) if decay else lr, check=t == 1)
        w = np.clip(w, -1.0, 1.0)
        xs[t] = w[0]
    # The best fixed point in hindsight: the sum of the gradients is linear in x, so min over [-1, 1] is -|G_t|.
    G = np.cumsum([reddi_gradient(t, C) for t in range(1, T + 1)])
    return OnlineResult(xs, np.cumsum(losses) + np.abs(G))


def stationary_V(C: float, beta2: float) -> tuple[float, float, float]:
    """Adam's second moment ``V`` on Reddi's problem once the bias correction has worn off, at the three
    steps of a period: ``(V_a, V_b, V_c)`` right after the gradient ``C`` and after each ``-1``.

    .. code-block:: text

        V_c = (1 - beta2) (beta2**2 C**2 + beta2 + 1) / (1 - beta2**3)   # the fixed point of three EMA steps
        V_a = beta2 V_c + (1 - beta2) C**2
        V_b = beta2 V_a + (1 - beta2)                                     # and V_c = beta2 V_b + (1 - beta2)
    """
    C = _check_C(C)
    if isinstance(beta2, bool) or not isinstance(beta2, (int, float, np.integer, np.floating)) \
            or not 0.0 <= beta2 < 1.0:
        raise ValueError(f"beta2 must be a number in [0, 1), got beta2={beta2!r}")
    b = float(beta2)
    V_c = (1 - b) * (b * b * C * C + b + 1) / (1 - b**3)
    V_a = b * V_c + (1 - b) * C * C
    V_b = b * V_a + (1 - b)
    return V_a, V_b, V_c


def adam_period_drift(C: float, beta2: float) -> float:
    """The change of ``x`` over one period of Reddi's problem, in units of the learning rate, for Adam with
    ``beta1 = 0`` in its stationary regime (bias correction worn off, ``lr`` constant over the period):

    .. code-block:: text

        drift = -C / sqrt(V_a) + 1 / sqrt(V_b) + 1 / sqrt(V_c)      (V_a, V_b, V_c: stationary_V)

    ``drift > 0``: Adam moves towards ``x = +1``, the worst point; ``drift < 0``: towards the best,
    ``x = -1``. With ``beta2`` near 1, ``V`` is about the mean ``(C**2 + 2) / 3`` at every step and the drift
    is ``(2 - C) / sqrt(V) < 0``; with a small ``beta2`` the large gradient is divided by its own size and
    each period ends up about ``-1 + 2``.
    """
    V_a, V_b, V_c = stationary_V(C, beta2)
    return -float(C) / math.sqrt(V_a) + 1 / math.sqrt(V_b) + 1 / math.sqrt(V_c)
