r"""Stability theory of gradient methods on quadratics, drawn on top of the explorers.

On a quadratic :math:`f(w) = \tfrac12 w^\top H w` every method below is a *linear* iteration,
and along each eigenvector of :math:`H` (eigenvalue :math:`\lambda`) it reduces to a small
recurrence :math:`z_{t} = A z_{t-1}`. The iterates go to the minimum exactly when the
spectral radius :math:`\rho(A)` (the largest :math:`|\text{eigenvalue}|` of :math:`A`) is
below 1, and :math:`\rho(A)` is the factor by which the error shrinks per step in the long run.

Iteration matrices (state :math:`z = (w, v)`, one eigen-direction with curvature :math:`\lambda`):

* gradient descent :math:`w_t = w_{t-1} - \eta g_t`:
  :math:`A = [1 - \eta\lambda]`, stable iff :math:`0 < \eta\lambda < 2`.
* heavy ball (PyTorch form) :math:`v_t = \mu v_{t-1} + g_t,\ w_t = w_{t-1} - \eta v_t`:
  :math:`A = \begin{pmatrix} 1-\eta\lambda & -\eta\mu \\ \lambda & \mu \end{pmatrix}`,
  :math:`\operatorname{tr} A = 1 + \mu - \eta\lambda`, :math:`\det A = \mu`.
* momentum, EMA form :math:`v_t = \beta v_{t-1} + (1-\beta) g_t,\ w_t = w_{t-1} - \eta v_t`:
  :math:`A = \begin{pmatrix} 1-(1-\beta)\eta\lambda & -\eta\beta \\ (1-\beta)\lambda & \beta \end{pmatrix}`,
  :math:`\operatorname{tr} A = 1 + \beta - (1-\beta)\eta\lambda`, :math:`\det A = \beta`.
  Since :math:`v^{\text{EMA}}_t = (1-\beta) v^{\text{HB}}_t` when both start at 0, this *is* the heavy
  ball with :math:`\mu = \beta` and learning rate :math:`(1-\beta)\eta`.
* Nesterov (PyTorch form) :math:`v_t = \mu v_{t-1} + g_t,\ w_t = w_{t-1} - \eta (g_t + \mu v_t)`:
  :math:`A = \begin{pmatrix} 1-(1+\mu)\eta\lambda & -\eta\mu^2 \\ \lambda & \mu \end{pmatrix}`,
  :math:`\operatorname{tr} A = 1 + \mu - (1+\mu)\eta\lambda`, :math:`\det A = \mu(1 - \eta\lambda)`.

A real 2x2 matrix has both eigenvalues inside the unit circle iff (Jury's conditions)
:math:`|\det A| < 1`, :math:`1 - \operatorname{tr} A + \det A > 0` and
:math:`1 + \operatorname{tr} A + \det A > 0`. With :math:`0 \le \mu, \beta < 1` and
:math:`\eta\lambda > 0`:

* :math:`1 - \operatorname{tr} A + \det A` is :math:`\eta\lambda` (heavy ball, Nesterov) or
  :math:`(1-\beta)\eta\lambda` (EMA form): always positive;
* :math:`|\det A|` is :math:`\mu` (heavy ball) or :math:`\beta` (EMA form): always below 1. For
  Nesterov it is :math:`\mu|1 - \eta\lambda|`, below 1 only for :math:`\eta\lambda < (1+\mu)/\mu`;
  this does not bind, because the third condition already needs
  :math:`\eta\lambda < 2(1+\mu)/(1+2\mu)`, which is smaller
  (:math:`2\mu < 1 + 2\mu`);
* so the third condition, :math:`1 + \operatorname{tr} A + \det A > 0`, gives the largest stable
  learning rate:

==========================  ==========================================================
method                      stable iff (for every eigenvalue :math:`\lambda > 0`)
==========================  ==========================================================
gradient descent            :math:`\eta\lambda < 2`
heavy ball                  :math:`\eta\lambda < 2(1+\mu)`
momentum (EMA form)         :math:`(1-\beta)\eta\lambda < 2(1+\beta)`
Nesterov (PyTorch form)     :math:`\eta\lambda < 2(1+\mu)/(1+2\mu)`
==========================  ==========================================================

The binding eigenvalue is the largest one, :math:`\lambda_{\max}`. At the boundary an eigenvalue of
:math:`A` sits at :math:`-1`: the iterates flip sign every step without shrinking.

Best constant settings on a quadratic whose eigenvalues lie in
:math:`[\lambda_{\min}, \lambda_{\max}]`, :math:`\lambda_{\min} > 0`
(condition number :math:`\kappa = \lambda_{\max}/\lambda_{\min}`):

* gradient descent: :math:`\eta^* = 2/(\lambda_{\max}+\lambda_{\min})`,
  rate :math:`\rho = (\kappa-1)/(\kappa+1)`;
* heavy ball (Polyak): :math:`\eta^* = 4/(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2`,
  :math:`\mu^* = \left(\frac{\sqrt\kappa-1}{\sqrt\kappa+1}\right)^2`, rate :math:`\rho = \sqrt{\mu^*}`.

Adaptive methods (AdaGrad, RMSprop, Adam, ...) divide by a running gradient scale, so their
iteration is not linear and there is no threshold of this kind: the functions here refuse them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import validation as V

__all__ = [
    "THEORY_OPTIMIZERS",
    "iteration_matrix",
    "spectral_radius",
    "gd_max_lr",
    "gd_optimal_lr",
    "heavy_ball_max_lr",
    "momentum_max_lr",
    "nesterov_max_lr",
    "max_stable_lr",
    "optimal_heavy_ball",
    "optimal_momentum",
    "Stability",
    "stability",
]

#: Optimizers whose iteration on a quadratic is linear, with the name of their momentum coefficient.
THEORY_OPTIMIZERS = {"gd": None, "momentum": "beta", "heavy_ball": "mu", "nesterov": "mu"}


def _check_optimizer(optimizer) -> str:
    if optimizer not in THEORY_OPTIMIZERS:
        raise ValueError(
            f"optimizer={optimizer!r} has no linear stability theory here; "
            f"allowed: {', '.join(THEORY_OPTIMIZERS)} (adaptive methods have no fixed threshold)"
        )
    return optimizer


def _momentum_of(optimizer: str, hyper: dict) -> float:
    key = THEORY_OPTIMIZERS[optimizer]
    if key is None:
        extra = set(hyper) - {"lr"}
        if extra:
            raise TypeError(f"gd has no hyperparameter(s) {sorted(extra)}; it only has lr")
        return 0.0
    if key not in hyper:
        raise TypeError(f"{optimizer} needs its momentum coefficient {key}=... (0 <= {key} < 1)")
    return V.check_beta(hyper[key], key)


def iteration_matrix(optimizer: str, lr: float, lam: float, **hyper) -> np.ndarray:
    r"""The matrix :math:`A` of one step along an eigen-direction with curvature ``lam``.

    ``optimizer`` is ``"gd"`` (1x1 matrix :math:`[1-\eta\lambda]`), ``"heavy_ball"``
    (``mu=``), ``"momentum"`` (EMA form, ``beta=``) or ``"nesterov"`` (``mu=``); the state is
    :math:`(w, v)` and the matrices are those in the module docstring.
    """
    _check_optimizer(optimizer)
    lr = V.check_positive(lr, "lr")
    lam = V.check_in_range(lam, "lam (the curvature, an eigenvalue of the Hessian)", -math.inf, math.inf,
                           low_open=True, high_open=True)
    c = _momentum_of(optimizer, hyper)
    if optimizer == "gd":
        return np.array([[1.0 - lr * lam]])
    if optimizer == "heavy_ball":
        return np.array([[1.0 - lr * lam, -lr * c], [lam, c]])
    if optimizer == "momentum":
        return np.array([[1.0 - (1.0 - c) * lr * lam, -lr * c], [(1.0 - c) * lam, c]])
    return np.array([[1.0 - (1.0 + c) * lr * lam, -lr * c * c], [lam, c]])  # nesterov


def spectral_radius(optimizer: str, lr: float, eigenvalues, **hyper) -> float:
    """``max |eig(A)|`` over the iteration matrices of all ``eigenvalues`` (a number or a list).

    Below 1: the method converges on the quadratic and the error shrinks by about this
    factor per step. Above 1: it diverges. Exactly 1: it neither converges nor diverges.
    """
    lams = np.atleast_1d(V.as_float_array(eigenvalues, "eigenvalues"))
    if lams.size == 0:
        raise ValueError("eigenvalues must contain at least one eigenvalue, got an empty list")
    return max(float(np.max(np.abs(np.linalg.eigvals(iteration_matrix(optimizer, lr, lam, **hyper)))))
               for lam in lams)


def _check_lam_max(lam_max) -> float:
    return V.check_positive(lam_max, "lam_max (the largest eigenvalue of the Hessian)")


def _check_lam_range(lam_max, lam_min) -> tuple[float, float]:
    lam_max = _check_lam_max(lam_max)
    lam_min = V.check_positive(lam_min, "lam_min (the smallest eigenvalue of the Hessian)")
    if lam_min > lam_max:
        raise ValueError(f"lam_min (smallest eigenvalue) = {lam_min} must not exceed "
                         f"lam_max (largest eigenvalue) = {lam_max}")
    return lam_max, lam_min


def gd_max_lr(lam_max: float) -> float:
    r"""Largest stable learning rate of gradient descent: :math:`\eta < 2/\lambda_{\max}`."""
    return 2.0 / _check_lam_max(lam_max)


def gd_optimal_lr(lam_max: float, lam_min: float) -> float:
    r"""Fastest constant learning rate of gradient descent on eigenvalues in
    ``[lam_min, lam_max]``: :math:`2/(\lambda_{\max}+\lambda_{\min})`.

    It balances the two extreme directions,
    :math:`|1-\eta\lambda_{\min}| = |1-\eta\lambda_{\max}|`, giving the rate
    :math:`(\kappa-1)/(\kappa+1)` with :math:`\kappa = \lambda_{\max}/\lambda_{\min}`.
    """
    lam_max, lam_min = _check_lam_range(lam_max, lam_min)
    return 2.0 / (lam_max + lam_min)


def heavy_ball_max_lr(lam_max: float, mu: float) -> float:
    r"""Largest stable learning rate of the heavy ball (:math:`v_t = \mu v_{t-1} + g_t`):
    :math:`2(1+\mu)/\lambda_{\max}`."""
    return 2.0 * (1.0 + V.check_beta(mu, "mu")) / _check_lam_max(lam_max)


def momentum_max_lr(lam_max: float, beta: float) -> float:
    r"""Largest stable learning rate of the EMA form (:math:`v_t = \beta v_{t-1} + (1-\beta) g_t`).

    :math:`(1-\beta)\eta\lambda_{\max} < 2(1+\beta)`, i.e.
    :math:`\eta < 2(1+\beta)/((1-\beta)\lambda_{\max})`.
    """
    beta = V.check_beta(beta, "beta")
    return 2.0 * (1.0 + beta) / ((1.0 - beta) * _check_lam_max(lam_max))


def nesterov_max_lr(lam_max: float, mu: float) -> float:
    r"""Largest stable learning rate of Nesterov momentum (PyTorch form):
    :math:`2(1+\mu)/((1+2\mu)\lambda_{\max})`."""
    mu = V.check_beta(mu, "mu")
    return 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * _check_lam_max(lam_max))


def max_stable_lr(optimizer: str, lam_max: float, **hyper) -> float:
    """The threshold for ``optimizer`` by name (``gd``, ``momentum``, ``heavy_ball``, ``nesterov``)."""
    c = _momentum_of(_check_optimizer(optimizer), hyper)
    return {"gd": lambda: gd_max_lr(lam_max), "heavy_ball": lambda: heavy_ball_max_lr(lam_max, c),
            "momentum": lambda: momentum_max_lr(lam_max, c),
            "nesterov": lambda: nesterov_max_lr(lam_max, c)}[optimizer]()


def optimal_heavy_ball(lam_max: float, lam_min: float) -> tuple[float, float]:
    r"""Polyak's optimal heavy-ball setting ``(lr, mu)`` for eigenvalues in ``[lam_min, lam_max]``.

    :math:`\eta^* = 4/(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2` and
    :math:`\mu^* = \left(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\right)^2`,
    :math:`\kappa = \lambda_{\max}/\lambda_{\min}`.
    Both extreme directions then have complex eigenvalues of modulus :math:`\sqrt{\mu^*}`, the
    rate, against :math:`(\kappa-1)/(\kappa+1)` for the best gradient descent.
    """
    lam_max, lam_min = _check_lam_range(lam_max, lam_min)
    sk = math.sqrt(lam_max / lam_min)
    return 4.0 / (math.sqrt(lam_max) + math.sqrt(lam_min)) ** 2, ((sk - 1.0) / (sk + 1.0)) ** 2


def optimal_momentum(lam_max: float, lam_min: float) -> tuple[float, float]:
    r"""The same optimum for the EMA form, ``(lr, beta)``: :math:`\beta^* = \mu^*`,
    :math:`\eta = \eta^*_{HB}/(1-\beta^*)`."""
    lr, mu = optimal_heavy_ball(lam_max, lam_min)
    return lr / (1.0 - mu), mu


def _fmt(x: float) -> str:
    return f"{x:.3g}"


@dataclass(frozen=True)
class Stability:
    """What theory says about one setting on one quadratic (see :func:`stability`)."""

    optimizer: str
    lr: float
    max_lr: float | None  # None when some eigenvalue is <= 0 (no lr is stable)
    rate: float  # spectral radius
    verdict: str  # "converges", "diverges", "on the edge"
    text: str  # one line for the plot

    @property
    def stable(self) -> bool:
        return self.verdict == "converges"


_BOUND_TEXT = {"gd": "2/λ_max", "heavy_ball": "2(1+μ)/λ_max", "momentum": "2(1+β)/((1-β)λ_max)",
               "nesterov": "2(1+μ)/((1+2μ)λ_max)"}


def stability(optimizer: str, lr: float, eigenvalues, *, rtol: float = 1e-9, **hyper) -> Stability:
    """Verdict and a one-line text for ``optimizer`` at ``lr`` on a quadratic with these Hessian eigenvalues.

    Example text: ``"gd: lr = 0.6 > 2/λ_max = 0.5: diverges"``. Within ``rtol`` of the threshold
    the verdict is ``"on the edge"`` (an eigenvalue of the iteration at -1). A non-positive
    eigenvalue (a saddle or a maximum) makes every learning rate move away along that direction.
    """
    _check_optimizer(optimizer)
    lr = V.check_positive(lr, "lr")
    lams = np.atleast_1d(V.as_float_array(eigenvalues, "eigenvalues"))
    rate = spectral_radius(optimizer, lr, lams, **hyper)
    lam_max = float(lams.max())
    if lams.min() < 0:
        text = (f"{optimizer}: Hessian eigenvalue {_fmt(float(lams.min()))} < 0 (a saddle or maximum): "
                f"every lr escapes along it, no lr is stable")
        return Stability(optimizer, lr, None, rate, "diverges", text)
    if lams.min() == 0:
        text = f"{optimizer}: the Hessian has eigenvalue 0: no lr converges along that flat direction"
        return Stability(optimizer, lr, None, rate, "on the edge", text)
    bound = max_stable_lr(optimizer, lam_max, **hyper)
    name = _BOUND_TEXT[optimizer]
    if abs(lr - bound) <= rtol * bound:
        verdict, text = "on the edge", f"{optimizer}: lr = {_fmt(lr)} = {name} = {_fmt(bound)}: oscillates, does not converge"
    elif lr < bound:
        verdict = "converges"
        text = f"{optimizer}: lr = {_fmt(lr)} < {name} = {_fmt(bound)}: converges (error × {rate:.3f} per step)"
    else:
        verdict, text = "diverges", f"{optimizer}: lr = {_fmt(lr)} > {name} = {_fmt(bound)}: diverges"
    return Stability(optimizer, lr, bound, rate, verdict, text)
