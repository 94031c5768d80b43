r"""Checks for notebook 05, Nesterov accelerated gradient: ``nesterov_step``.

The exercise is PyTorch's form (``torch.optim.SGD(momentum=mu, nesterov=True)``):

.. code-block:: text

    nesterov_step(w, v, g, lr, mu)     v <- mu * v + g
                                       w <- w - lr * (g + mu * v)       (the new v)   -> (w, v)

Cases start from non-zero ``v`` and run several steps on quadratics, with ``mu`` not 0.5
and ``lr`` not 1. Note that "the old ``v`` in the look-ahead term",
``w - lr * (g + mu * v_old)``, is exactly the heavy-ball step ``w - lr * (mu * v_old + g)``,
so both mistakes get one hint.
"""
from __future__ import annotations

import numpy as np

from ..optimizers import nesterov_step as _nesterov_step
from .engine import Case, Variant, check_steps
from .momentum import _step_cases

__all__ = ["check_nesterov_step"]


def _ref_nesterov_step(w, v, g, lr, mu):
    return _nesterov_step.unchecked(np.asarray(w, float), np.asarray(v, float), np.asarray(g, float), lr, mu)


def _nag_heavy_ball(w, v, g, lr, mu):
    v = mu * v + g
    return w - lr * v, v


def _nag_no_mu(w, v, g, lr, mu):
    v = mu * v + g
    return w - lr * (g + v), v


def _nag_ema(w, v, g, lr, mu):
    v = mu * v + (1 - mu) * g
    return w - lr * (g + mu * v), v


def _nag_sign(w, v, g, lr, mu):
    v = mu * v + g
    return w + lr * (g + mu * v), v


def _nag_sign_momentum_term(w, v, g, lr, mu):
    v = mu * v + g
    return w - lr * (g - mu * v), v


def _nag_negative_velocity(w, v, g, lr, mu):
    v = mu * v - g
    return w + lr * (mu * v - g), v


def _nag_lr_inside(w, v, g, lr, mu):
    v = mu * v + lr * g
    return w - (lr * g + mu * v), v


def _nag_swapped_return(w, v, g, lr, mu):
    v = mu * v + g
    return v, w - lr * (g + mu * v)


_NESTEROV_VARIANTS = [
    # Using the old v in the look-ahead term, w - lr * (g + mu * v_old), is the same function: one hint for both.
    Variant(_nag_heavy_ball,
            "this is the plain heavy-ball update: w - lr * v with the new v equals w - lr * (g + mu * v_old) "
            "with the old one. Nesterov's PyTorch form first updates v = mu * v + g and then uses the NEW v "
            "in the look-ahead term: w - lr * (g + mu * v)"),
    Variant(_nag_no_mu,
            "g + v instead of g + mu * v: the velocity in the look-ahead term is multiplied by mu"),
    Variant(_nag_ema,
            "mu * v + (1 - mu) * g: the factor (1 - mu) belongs to the EMA form of notebook 04; PyTorch's "
            "Nesterov form accumulates v = mu * v + g"),
    Variant(_nag_sign, "the sign: the step goes downhill, w - lr * (g + mu * v), not w + lr * (...)"),
    Variant(_nag_sign_momentum_term,
            "the sign of the momentum term: w - lr * (g + mu * v), with + mu * v, not - mu * v"),
    Variant(_nag_negative_velocity,
            "v has the opposite sign (v = mu * v - g, as in Keras's convention m = mu * m - lr * g); here "
            "v accumulates +g and is subtracted: v = mu * v + g, w - lr * (g + mu * v)"),
    Variant(_nag_lr_inside,
            "lr went into the velocity (v = mu * v + lr * g, the Keras / Sutskever convention); here v "
            "accumulates plain gradients and lr multiplies the whole step, w - lr * (g + mu * v)"),
    Variant(lambda w, v, g, lr, mu: (w - lr * ((1 + mu) * g + mu * v), mu * v + g),
            "expanded with the OLD v, the look-ahead step is w - lr * ((1 + mu) * g + mu**2 * v_old): the old "
            "velocity gets mu**2, not mu (g + mu * v_new = g + mu * (mu * v_old + g))"),
    Variant(lambda w, v, g, lr, mu: (w - lr * g - mu * (mu * v + g), mu * v + g),
            "lr multiplies only g: w - lr * g - mu * v leaves the momentum term without the learning rate; the step "
            "is w - lr * (g + mu * v), lr multiplying both terms (lr is missing from the momentum term mu * v)"),
    Variant(_nag_swapped_return, "the results are in the wrong order: return (w, v), parameters first"),
]


def check_nesterov_step(nesterov_step, hidden: bool = False) -> None:
    """``nesterov_step(w, v, g, lr, mu)``: ``v <- mu*v + g``, ``w <- w - lr*(g + mu*v)``; returns ``(w, v)``."""
    cases = _step_cases(hidden, "mu", (0.9, 0.75), (0.3, 0.6, 0.99), (0.05, 0.02), seed=52)
    # No return value: nbgrader would read a number at the end of a test cell as partial credit.
    check_steps(nesterov_step, _ref_nesterov_step, cases, exercise="nesterov_step", returns=("w", "v"),
                variants=_NESTEROV_VARIANTS)
