r"""Comparing optimizers fairly: a learning-rate search, repeated runs, and the Adam-to-SGD switch.

A comparison of optimizers at one shared learning rate measures the learning rate as much as
the optimizer. The pieces here are the three steps of a fair one (notebook 14):

* :func:`log_grid` and :func:`best_lr`: tune each optimizer's ``lr`` on a logarithmic grid and
  keep the lowest *finite* final loss (a diverged run, ``nan`` or ``inf``, never wins; of equal
  losses the smaller ``lr``, the safer one, wins);
  :func:`lr_search` runs a function ``lr -> final loss`` over the grid.
* :func:`repeat` and :func:`summarise`: the same run over several seeds; the mean curve, the
  sample standard deviation over the seeds (``ddof=1``, as pandas and R: numpy's ``std``
  defaults to ``ddof=0``) and the best seed's final loss.
* :func:`switch_run` and :func:`adam_to_sgd`: Adam for the first ``switch_epoch`` epochs,
  plain SGD for the rest (seed 004's advice: Adam to get close fast, SGD with a small rate to
  fine-tune).

Epochs count from 1; a loss curve has ``epochs + 1`` entries, entry ``e`` the loss after ``e``
epochs (entry 0 before training), as :attr:`optimlab.training.History.train_loss`.
"""
from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from . import validation as V
from .optimizers import adam_step

__all__ = ["log_grid", "best_lr", "lr_search", "LRSearch", "repeat", "summarise", "Summary", "switch_run",
           "adam_to_sgd", "SwitchResult"]


def log_grid(low: float, high: float, per_decade: int = 2) -> np.ndarray:
    """Learning rates from ``low`` to ``high`` (both included), ``per_decade`` points per factor 10.

    ``log_grid(1e-3, 1, 2)`` is ``[0.001, 0.00316, 0.01, 0.0316, 0.1, 0.316, 1]``.
    """
    low = V.check_positive(low, "low")
    high = V.check_positive(high, "high")
    if not high > low:
        raise ValueError(f"high must be larger than low, got low={low!r}, high={high!r}")
    per_decade = V.check_int(per_decade, "per_decade", minimum=1)
    n = int(round(math.log10(high / low) * per_decade)) + 1
    return np.logspace(math.log10(low), math.log10(high), n)


def best_lr(lrs, losses) -> float:
    """The learning rate of the lowest finite loss, ``lrs[i]`` for ``losses[i]`` the smallest.

    ``losses[i]`` is the final loss of the run at ``lrs[i]`` (the grid in any order); ``nan`` and
    ``inf`` (diverged runs) are left out. Of equal losses the smallest ``lr`` wins (the safer
    choice). Raises ``ValueError`` when every run diverged.
    """
    lrs = np.asarray(lrs, dtype=float)
    losses = np.asarray(losses, dtype=float)
    if lrs.ndim != 1 or losses.shape != lrs.shape:
        raise ValueError(f"lrs and losses must be 1-D of the same length, got shapes {lrs.shape} and {losses.shape}")
    finite = np.isfinite(losses)
    if not finite.any():
        raise ValueError(f"every run diverged (losses {losses.tolist()}): try smaller learning rates")
    lowest = np.min(losses[finite])
    return float(np.min(lrs[finite & (losses == lowest)]))


@dataclass
class LRSearch:
    """What :func:`lr_search` found: the grid, the final loss at each ``lr``, the best ``lr`` and its loss."""

    lrs: np.ndarray
    losses: np.ndarray
    best_lr: float
    best_loss: float

    def __repr__(self):
        return f"LRSearch(best_lr={self.best_lr:.3g}, best_loss={self.best_loss:.4g}, {len(self.lrs)} rates)"


def lr_search(loss_of_lr: Callable[[float], float], lrs) -> LRSearch:
    """Call ``loss_of_lr(lr)`` (the final loss of a run) for every ``lr`` of the grid; keep the best.

    A run that raises ``FloatingPointError`` or returns a non-finite number counts as diverged (``nan``).
    """
    lrs = np.asarray(lrs, dtype=float)
    if lrs.ndim != 1 or lrs.size < 1:
        raise ValueError(f"lrs must be a non-empty 1-D sequence of learning rates, got shape {lrs.shape}")
    losses = np.empty(lrs.shape)
    for i, lr in enumerate(lrs):
        try:
            with np.errstate(all="ignore"):
                value = float(loss_of_lr(float(lr)))
        except FloatingPointError:
            value = math.nan
        losses[i] = value if math.isfinite(value) else math.nan
    lr = best_lr(lrs, losses)
    return LRSearch(lrs, losses, lr, float(losses[np.flatnonzero(lrs == lr)[0]]))


def repeat(run: Callable[[int], Sequence[float]], seeds) -> np.ndarray:
    """``run(seed)`` (a loss curve) for every seed, stacked: shape ``(n_seeds, n_epochs + 1)``.

    A curve shorter than the longest (a run that diverged and stopped) is padded with ``nan``.
    """
    curves = [np.asarray(run(int(s)), dtype=float).ravel() for s in seeds]
    if not curves:
        raise ValueError("seeds must hold at least one seed")
    n = max(len(c) for c in curves)
    out = np.full((len(curves), n), np.nan)
    for i, c in enumerate(curves):
        out[i, : len(c)] = c
    return out


@dataclass
class Summary:
    """Runs over seeds summarised: per epoch ``mean`` and ``std`` (over the seeds), and ``best``.

    ``best`` is the best seed's final loss; ``final_mean`` and ``final_std`` are ``mean[-1]`` and
    ``std[-1]``; ``ddof`` the standard deviation's delta degrees of freedom.
    """

    mean: np.ndarray
    std: np.ndarray
    best: float
    n_seeds: int
    ddof: int = 1

    @property
    def final_mean(self) -> float:
        return float(self.mean[-1])

    @property
    def final_std(self) -> float:
        return float(self.std[-1])

    def __repr__(self):
        return (f"Summary({self.n_seeds} seeds: final loss {self.final_mean:.4g} +- {self.final_std:.2g} "
                f"(std, ddof={self.ddof}), best {self.best:.4g})")


def summarise(curves, ddof: int = 1) -> Summary:
    """Mean and standard deviation over the seeds (axis 0) at every epoch, and the best final loss.

    ``curves[s, e]`` is the loss of seed ``s`` after ``e`` epochs. ``std`` uses ``ddof=1`` (the
    sample standard deviation, an unbiased variance from a few seeds), unlike numpy's default 0.
    """
    curves = np.asarray(curves, dtype=float)
    if curves.ndim != 2:
        raise ValueError(f"curves must be 2-D, (n_seeds, n_epochs + 1), got shape {curves.shape}")
    ddof = V.check_int(ddof, "ddof", minimum=0)
    if curves.shape[0] <= ddof:
        raise ValueError(f"a standard deviation with ddof={ddof} needs more than {ddof} seeds, got {curves.shape[0]}")
    return Summary(curves.mean(axis=0), curves.std(axis=0, ddof=ddof), float(curves[:, -1].min()),
                   curves.shape[0], ddof)


def switch_run(grad_fn, loss_fn, w0, epochs: int, switch_epoch: int, adam_lr: float, sgd_lr: float,
               beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
    """Full-batch Adam for epochs ``1 .. switch_epoch``, then plain SGD: returns ``(w, losses)``.

    One step per epoch with the whole training set's gradient ``g_e = grad_fn(w_{e-1})``:

    * ``e <= switch_epoch``: ``w_e = adam_step(w_{e-1}, m, V, g_e, t=e, adam_lr, beta1, beta2, eps)``;
    * ``e > switch_epoch``:  ``w_e = w_{e-1} - sgd_lr * g_e`` (Adam's moments are dropped).

    ``losses[e] = loss_fn(w_e)`` for ``e = 0 .. epochs``. ``switch_epoch = 0`` is SGD throughout,
    ``switch_epoch = epochs`` Adam throughout. For a model: ``grad_fn = lambda w: model.grad(w, X, y)``,
    ``loss_fn = lambda w: model.loss(w, X, y)``.
    """
    epochs = V.check_int(epochs, "epochs", minimum=1)
    switch_epoch = V.check_int(switch_epoch, "switch_epoch", minimum=0)
    if switch_epoch > epochs:
        raise ValueError(f"switch_epoch must be between 0 and epochs={epochs}, got {switch_epoch}")
    w = np.array(w0, dtype=float)
    m, Vt = np.zeros_like(w), np.zeros_like(w)
    losses = [float(loss_fn(w))]
    for e in range(1, epochs + 1):
        g = np.asarray(grad_fn(w), dtype=float)
        if e <= switch_epoch:
            w, m, Vt = adam_step(w, m, Vt, g, e, adam_lr, beta1, beta2, eps)
        else:
            w = w - sgd_lr * g
        losses.append(float(loss_fn(w)))
    return w, np.array(losses)


@dataclass
class SwitchResult:
    """A run of :func:`adam_to_sgd`: the final ``w``, the loss per epoch, the time, and both phases."""

    w: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray | None
    elapsed: float
    phases: list = field(default_factory=list)

    @property
    def final_loss(self) -> float:
        return float(self.train_loss[-1])


def adam_to_sgd(model, X, y, *, epochs: int, switch_epoch: int, adam_lr: float, sgd_lr: float,
                 batch_size=None, seed=0, w0=None, X_val=None, y_val=None, **adam_hyper) -> SwitchResult:
    """:func:`optimlab.train` with Adam for ``switch_epoch`` epochs, then with plain SGD (``"gd"``) to ``epochs``.

    The SGD phase starts from Adam's last parameters with fresh state and shuffles with the seed
    ``seed + 1`` (so that its epochs do not repeat the Adam phase's batch orders). With
    ``batch_size=None`` it is :func:`switch_run` with the model's full-batch gradient and loss.
    ``train_loss`` (and ``val_loss``) join both phases: ``epochs + 1`` entries, fewer if a phase
    diverged.
    """
    from .training import train

    epochs = V.check_int(epochs, "epochs", minimum=1)
    switch_epoch = V.check_int(switch_epoch, "switch_epoch", minimum=0)
    if switch_epoch > epochs:
        raise ValueError(f"switch_epoch must be between 0 and epochs={epochs}, got {switch_epoch}")
    w = model.init_params(seed) if w0 is None else np.array(w0, dtype=float)
    common = dict(batch_size=batch_size, X_val=X_val, y_val=y_val, progress=False, on_divergence="ignore")
    phases, started = [], time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if switch_epoch > 0:
            phases.append(train(model, "adam", X, y, epochs=switch_epoch, seed=seed, w0=w, lr=adam_lr, **common,
                                **adam_hyper))
            w = phases[-1].w
        if switch_epoch < epochs and not (phases and phases[-1].diverged):
            phases.append(train(model, "gd", X, y, epochs=epochs - switch_epoch, seed=seed + 1, w0=w, lr=sgd_lr,
                                **common))
    elapsed = time.perf_counter() - started
    train_loss = np.concatenate([phases[0].train_loss] + [h.train_loss[1:] for h in phases[1:]])
    val_loss = None
    if X_val is not None:
        val_loss = np.concatenate([phases[0].val_loss] + [h.val_loss[1:] for h in phases[1:]])
    return SwitchResult(phases[-1].w, train_loss, val_loss, elapsed, phases)
