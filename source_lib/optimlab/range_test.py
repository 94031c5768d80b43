r"""The learning-rate range test (学习率范围测试; Smith, 2017; the "LR finder" of fastai).

One short training run in which the learning rate grows exponentially, from ``lr_min`` to
``lr_max`` over ``steps`` mini-batch updates:

.. code-block:: text

    lr_i = lr_min * (lr_max / lr_min) ** (i / (steps - 1))        i = 0 .. steps - 1 (update i + 1)

The mini-batch loss is recorded before every update and smoothed by an exponentially
weighted average with bias correction (``smoothed_i = avg_i / (1 - beta**(i + 1))``,
``avg_i = beta avg_{i-1} + (1 - beta) loss_i``). The run stops once the smoothed loss exceeds
``diverge_factor`` times its lowest value (or the loss is not finite). Plotted against
``lr`` on a log axis the loss first stays flat (too small a rate), then falls, then shoots up
(too large). Two common readings:

* ``lr_steepest``: the rate where the smoothed loss falls fastest per decade of ``lr``;
* ``lr_at_min / 10``: a tenth of the rate of the lowest smoothed loss (fastai's
  ``minimum / 10``), which :attr:`RangeTestResult.suggestion` returns.

Both are rules of thumb for the *largest useful* rate of a schedule (a one-cycle ``max_lr``,
or the top of a warm-up), not an optimum.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import validation as V
from .models import Model
from .training import _as_optimizer, batch_indices

__all__ = ["RangeTestResult", "lr_range_test"]


@dataclass(repr=False)
class RangeTestResult:
    """What :func:`lr_range_test` measured, one entry per update it ran."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    stopped_early: bool
    lr_steepest: float
    lr_at_min: float

    @property
    def suggestion(self) -> float:
        """``lr_at_min / 10``: a tenth of the rate at the lowest smoothed loss."""
        return self.lr_at_min / 10.0

    def __repr__(self):
        return (f"RangeTestResult({len(self.lrs)} updates, lr {self.lrs[0]:.3g} .. {self.lrs[-1]:.3g}, "
                f"stopped_early={self.stopped_early}, lr_steepest={self.lr_steepest:.3g}, "
                f"lr_at_min={self.lr_at_min:.3g}, suggestion={self.suggestion:.3g})")


def lr_range_test(model, optimizer, X, y, *, lr_min=1e-4, lr_max=10.0, steps=100, batch_size=32, beta=0.9,
                  diverge_factor=4.0, seed=0, w0=None, **hyper) -> RangeTestResult:
    """Run the range test of the module docstring for ``model`` on ``(X, y)``.

    ``optimizer`` is a registry name, a step function or an :class:`optimlab.Optimizer`, with
    ``**hyper`` for its other hyperparameters (its ``lr`` is set by the test). The mini-batches
    are reshuffled every pass over the data, from ``seed``; ``w0`` defaults to
    ``model.init_params(seed)``. ``beta`` in ``[0, 1)`` smooths the loss; ``diverge_factor > 1``.
    """
    if not isinstance(model, Model):
        raise TypeError(f"model must be an optimlab.models model, got {model!r} of type {type(model).__name__}")
    lr_min = V.check_positive(lr_min, "lr_min")
    lr_max = V.check_positive(lr_max, "lr_max")
    if not lr_max > lr_min:
        raise ValueError(f"lr_max ({lr_max!r}) must be larger than lr_min ({lr_min!r})")
    steps = V.check_int(steps, "steps", minimum=3)
    beta = V.check_beta(beta, "beta")
    diverge_factor = V.check_positive(diverge_factor, "diverge_factor")
    if diverge_factor <= 1:
        raise ValueError(f"diverge_factor must be > 1 (a multiple of the lowest loss), got {diverge_factor!r}")
    Xt, yt = model.check_data(X, y)
    n = Xt.shape[0]
    batch_size = min(V.check_int(batch_size, "batch_size", minimum=1), n)
    opt = _as_optimizer(optimizer, hyper)
    if "lr" not in opt.hyperparameters:
        raise ValueError(f"{opt.name} has no learning rate to test (hyperparameters {sorted(opt.hyperparameters)})")
    w = np.asarray(model.init_params(seed) if w0 is None else model._check_w(w0), dtype=np.float64).copy()
    state = opt.init(w)
    rng = np.random.default_rng(seed)
    lrs = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))
    losses, smoothed = [], []
    avg, best, stopped = 0.0, math.inf, False
    batches = []
    with np.errstate(all="ignore"):
        for i, lr in enumerate(lrs):
            if not batches:
                batches = list(batch_indices(n, batch_size, rng=rng))[::-1]
            idx = batches.pop()
            loss, g = model._loss_grad(w, Xt[idx], yt[idx])
            if not math.isfinite(loss):
                stopped = True
                break
            avg = beta * avg + (1 - beta) * loss
            s = avg / (1 - beta ** (i + 1))
            losses.append(float(loss))
            smoothed.append(float(s))
            best = min(best, s)
            if s > diverge_factor * best:
                stopped = True
                break
            w, state = opt.update(w, g, state, lr=float(lr), check=i == 0)
            if not np.isfinite(w).all():
                stopped = True
                break
    k = len(losses)
    lrs = lrs[:k]
    sm = np.array(smoothed)
    losses = np.array(losses)
    i_min = int(np.argmin(sm))
    # Steepest fall per decade, up to the minimum (after it the loss only rises).
    if i_min >= 1:
        slope = np.diff(sm[: i_min + 1]) / np.diff(np.log10(lrs[: i_min + 1]))
        lr_steepest = float(lrs[int(np.argmin(slope)) + 1])
    else:
        lr_steepest = float(lrs[0])
    return RangeTestResult(lrs=lrs, losses=losses, smoothed=sm, stopped_early=stopped, lr_steepest=lr_steepest,
                           lr_at_min=float(lrs[i_min]))
