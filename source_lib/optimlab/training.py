r"""Mini-batches and the training loop: any optimizer on any model of :mod:`optimlab.models`.

One **epoch** (轮次) is one pass over the training set. It is cut into mini-batches
(小批量) of ``batch_size`` examples, and each mini-batch gives one **iteration**
(迭代): a gradient of the loss averaged over the batch, then one optimizer step.

* ``batch_size = N`` (all examples): batch gradient descent, 1 iteration per epoch;
* ``batch_size = 1``: stochastic gradient descent (SGD), N iterations per epoch;
* in between: mini-batch gradient descent, ``ceil(N / batch_size)`` iterations per
  epoch. The last batch is shorter when ``batch_size`` does not divide ``N``.

The step function is the same in all three cases. Only the number of examples behind
``g`` changes, and with it the noise in ``g``.

>>> import optimlab
>>> from optimlab.models import LinearRegression
>>> from optimlab.datasets import source_articles_data
>>> X, y = source_articles_data()
>>> h = train(LinearRegression(), "gd", X, y, epochs=2000, batch_size=5, lr=0.05)
>>> h.w.round(6).tolist()            # the least-squares line y = 2.2 x - 1
[2.2, -1.0]
"""
from __future__ import annotations

import math
import numbers
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import validation as V
from .models import Model
from .runner import DIVERGENCE_BOUND, DivergenceError, DivergenceWarning
from .stateful import Optimizer, make
from .stopping import improves

__all__ = [
    "minibatches",
    "batch_indices",
    "train",
    "History",
    "EarlyStopping",
    "DivergenceWarning",
    "DivergenceError",
]

# progress="auto" shows a bar when the first epoch predicts a run longer than this (seconds).
_PROGRESS_AFTER_SECONDS = 2.0
_ON_DIVERGENCE = ("warn", "raise", "ignore")


# ---------------------------------------------------------------------------
# Mini-batches
# ---------------------------------------------------------------------------

def _rng_from(seed, rng) -> np.random.Generator:
    if rng is not None and seed is not None:
        raise ValueError("pass either seed or rng, not both: rng already fixes the random order")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {rng!r}")
        return rng
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an integer or None, got {seed!r}")
    return np.random.default_rng(seed)


def batch_indices(n, batch_size, *, shuffle=True, seed=None, rng=None) -> list:
    """The index arrays of one epoch's mini-batches over ``n`` examples.

    Every index ``0 .. n-1`` appears in exactly one batch. The batches have
    ``batch_size`` indices, except the last one, which keeps the remainder
    (``n % batch_size``) and is not dropped. ``batch_size > n`` gives one batch of all ``n``
    (like a PyTorch ``DataLoader``). With ``shuffle=True`` the order is a random permutation:

    * ``rng``: a ``np.random.Generator`` that the caller keeps across epochs. Each call
      draws a new permutation, so every epoch has a different order;
    * ``seed``: a fresh generator from ``seed``. The same seed gives the same order;
    * neither: an unpredictable order.

    ``shuffle=False`` keeps the order ``0, 1, ..., n-1``.
    """
    n = V.check_int(n, "n (the number of examples)", minimum=1)
    batch_size = V.check_int(batch_size, "batch_size", minimum=1)
    shuffle = V.check_bool(shuffle, "shuffle")
    gen = _rng_from(seed, rng)
    order = gen.permutation(n) if shuffle else np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def minibatches(X, y, batch_size, *, shuffle=True, seed=None, rng=None):
    """Iterate over ONE epoch of mini-batches ``(X_batch, y_batch)``.

    The rows of ``X`` are the examples; ``y`` has one entry (or row) per example.
    Batches follow :func:`batch_indices`. Each example is in exactly one batch, and
    the short last batch is kept. ``batch_size = len(X)`` is batch gradient descent and
    ``batch_size = 1`` is SGD. For a new order in every epoch, pass the same ``rng``
    each epoch:

    >>> rng = np.random.default_rng(0)
    >>> for epoch in range(3):                                    # doctest: +SKIP
    ...     for Xb, yb in minibatches(X, y, 32, rng=rng):
    ...         ...

    Arguments are checked when this function is called, not at the first ``next()``.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError("X and y must be arrays with one row per example, got a scalar")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} rows (examples) but y has {y.shape[0]}; each example needs one target"
        )
    if X.shape[0] == 0:
        raise ValueError("X has no rows (examples): there is nothing to cut into batches")
    batches = batch_indices(X.shape[0], batch_size, shuffle=shuffle, seed=seed, rng=rng)
    return ((X[idx], y[idx]) for idx in batches)


# ---------------------------------------------------------------------------
# Early stopping and the history of a run
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class EarlyStopping:
    """Stop when the monitored loss has not improved for ``patience`` epochs in a row (早停).

    The monitored loss is the validation loss when ``train`` gets ``X_val, y_val``,
    otherwise the training loss on the whole training set, evaluated after every epoch.
    An epoch improves when ``loss < best - min_delta``. With ``restore_best=True`` the
    returned parameters are those of the best epoch, not of the last one.
    """

    patience: int = 5
    min_delta: float = 0.0
    restore_best: bool = True

    def __post_init__(self):
        V.check_int(self.patience, "patience", minimum=1)
        V.check_nonnegative(self.min_delta, "min_delta")
        if not isinstance(self.restore_best, (bool, np.bool_)):
            raise TypeError(f"restore_best must be True or False, got {self.restore_best!r}")


def _as_early_stopping(value):
    if value is None or value is False:
        return None
    if isinstance(value, EarlyStopping):
        return value
    if isinstance(value, dict):
        unknown = set(value) - {"patience", "min_delta", "restore_best"}
        if unknown:
            raise TypeError(f"early_stopping got unknown key(s) {sorted(unknown)}; "
                            f"use patience, min_delta, restore_best")
        return EarlyStopping(**value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return EarlyStopping(patience=int(value))
    raise TypeError(
        f"early_stopping must be None, a patience (int), a dict or an EarlyStopping(patience, min_delta, "
        f"restore_best), got {value!r}"
    )


@dataclass(repr=False)
class History:
    """What :func:`train` did, iteration by iteration and epoch by epoch.

    Per iteration (index ``i = 0 .. n_iterations - 1``, the ``t`` of the schedules):

    * ``batch_loss[i]``: the mini-batch loss at the parameters *before* update ``i``
      (noisy for small batches);
    * ``lr[i]``: the learning rate used for update ``i`` (``nan`` if the optimizer has none);
    * ``params[i]`` (with ``record_params=True``): the parameters before update ``i``.
      ``params`` has ``n_iterations + 1`` rows; the last row holds the final parameters.

    Per epoch (index ``e = 0 .. epochs_run``, **0 = before training**):

    * ``train_loss[e]``: the loss on the whole training set after ``e`` epochs;
    * ``val_loss[e]``: the same on the validation set (``None`` without one).

    The outcome: ``w`` (the returned parameters: the best epoch's if early stopping
    restored them, else the last good ones), ``best_w``, ``best_epoch`` and ``best_loss``
    (lowest monitored loss: the validation loss if there is a validation set, else the
    training loss), ``stopped_early``, ``diverged``, ``diverged_at`` (iteration),
    ``diverged_epoch`` (1-based), ``message`` (a one-line summary), ``elapsed`` (seconds).
    """

    optimizer: str
    model: str
    batch_size: int
    iterations_per_epoch: int
    batch_loss: np.ndarray
    lr: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray | None
    w: np.ndarray
    best_w: np.ndarray
    best_epoch: int
    best_loss: float
    stopped_early: bool = False
    diverged: bool = False
    diverged_at: int | None = None
    diverged_epoch: int | None = None
    message: str = ""
    params: np.ndarray | None = None
    elapsed: float = 0.0
    hyperparameters: dict = field(default_factory=dict)

    @property
    def n_iterations(self) -> int:
        """Updates actually taken."""
        return int(self.batch_loss.shape[0])

    @property
    def epochs_run(self) -> int:
        """Epochs completed (``len(train_loss) - 1``)."""
        return int(self.train_loss.shape[0]) - 1

    @property
    def final_loss(self) -> float:
        """Training loss on the whole training set after the last completed epoch."""
        return float(self.train_loss[-1])

    def __repr__(self):
        return f"History({self.message})"


# ---------------------------------------------------------------------------
# The training loop
# ---------------------------------------------------------------------------

def _as_optimizer(optimizer, hyper) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        if not hyper:
            return optimizer
        # make() would return the Optimizer unchanged and silently drop the new values.
        return Optimizer(optimizer.step, optimizer.name, state_init=optimizer.state_init,
                         **{**optimizer.hyperparameters, **hyper})
    if not isinstance(optimizer, str) and not callable(optimizer):
        raise TypeError(
            f"optimizer must be a registry name (e.g. 'adam'), a step function or an optimlab.Optimizer, "
            f"got {optimizer!r} of type {type(optimizer).__name__}"
        )
    return make(optimizer, **hyper)


def _check_progress(progress):
    if progress is None:
        return "auto"
    if progress == "auto" or progress is True or progress is False:
        return progress
    raise ValueError(f"progress must be 'auto', True or False, got {progress!r}")


def _fmt(x) -> str:
    return f"{x:.4g}"


def _divergence_message(opt, what, it, epoch, batch, n_batches, lr, has_schedule) -> str:
    where = f"iteration {it} (epoch {epoch}, batch {batch + 1} of {n_batches})"
    text = f"{opt.name} diverged at {where}: {what}."
    if opt.needs_hessian:
        damping = opt.hyperparameters.get("damping", 0.0)
        return text + (f" Newton's step is safe only where the Hessian is positive definite: use damping > 0 "
                       f"(now {damping:g}) or a smaller lr")
    if lr is not None and math.isfinite(lr) and lr > 0:
        source = "the schedule gave " if has_schedule else ""
        return text + (f" The learning rate is too large for this problem ({source}lr={lr:g}): "
                       f"try a smaller one, e.g. lr={lr / 10:g}")
    return text + " Lower the learning rate"


def train(model, optimizer, X, y, *, epochs=10, batch_size=None, lr_schedule=None, X_val=None, y_val=None,
          early_stopping=None, seed=0, w0=None, shuffle=True, progress="auto", on_divergence="warn",
          record_params=False, **hyper) -> History:
    """Train ``model`` on ``(X, y)`` with ``optimizer`` and return a :class:`History`.

    Parameters
    ----------
    model : optimlab.models.Model
        E.g. ``LinearRegression()``, ``MLP([64, 32, 10], "relu")``.
    optimizer : str, callable or Optimizer
        A registry name (``"adam"``), a step function (a learner's own too) or an
        :class:`optimlab.Optimizer`; ``**hyper`` (``lr=0.01``, ``beta1=0.9``, ...) go to
        :func:`optimlab.make`. Given with an ``Optimizer``, they replace its values.
    X, y : arrays
        Training data, one row per example.
    epochs : int >= 1
        Passes over the training set.
    batch_size : int >= 1 or None
        Examples per mini-batch. ``None`` (default) or ``>= len(X)``: the whole set
        (batch gradient descent, and no shuffling, which could only change rounding).
        ``1``: SGD. A short last batch is kept.
    lr_schedule : callable, optional
        ``lr_schedule(t)`` gives the learning rate of iteration ``t`` (0-based, counting
        across epochs), passed to ``opt.update(..., lr=...)``. See :mod:`optimlab.schedules`.
        A schedule with a ``step`` method (:class:`~optimlab.schedules.ReduceLROnPlateau`)
        is reset first, then stepped after every epoch with the monitored loss.
    X_val, y_val : arrays, optional
        Validation data: its loss is recorded after every epoch and drives early
        stopping and ``ReduceLROnPlateau``.
    early_stopping : EarlyStopping, int, dict or None
        ``EarlyStopping(patience=5, min_delta=0.0, restore_best=True)``; an int is a patience.
    seed : int or None
        Seeds the shuffling and, when ``w0`` is None, ``model.init_params(seed)``.
    w0 : array, optional
        Initial parameters (default: ``model.init_params(seed)``).
    shuffle : bool
        Reshuffle the examples every epoch (default). ``False`` keeps the data order.
    progress : "auto", True or False
        A tqdm progress bar over epochs. ``"auto"`` shows it only when the first epoch
        predicts a run longer than 2 seconds.
    on_divergence : "warn", "raise" or "ignore"
        Training stops at the first non-finite loss or parameter, or at a parameter
        above ``1e12`` in absolute value. Then ``train`` issues a ``DivergenceWarning``,
        raises a ``DivergenceError`` (its ``.result`` is the History), or does neither.
        The message names the iteration and suggests a smaller learning rate. (The two
        classes are those of :mod:`optimlab.runner`, so one ``except`` serves both.)
    record_params : bool
        Keep the parameters of every iteration in ``History.params``, e.g. to plot the
        noisy path of SGD in the ``(w, b)`` plane.
    """
    if not isinstance(model, Model):
        raise TypeError(
            f"model must be an optimlab.models model (e.g. LinearRegression()), got {model!r} of type "
            f"{type(model).__name__}"
        )
    if not isinstance(on_divergence, str) or on_divergence not in _ON_DIVERGENCE:
        raise ValueError(f"on_divergence must be one of {', '.join(map(repr, _ON_DIVERGENCE))}, got {on_divergence!r}")
    progress = _check_progress(progress)
    shuffle = V.check_bool(shuffle, "shuffle")
    record_params = V.check_bool(record_params, "record_params")
    epochs = V.check_int(epochs, "epochs", minimum=1)
    Xt, yt = model.check_data(X, y)
    n = Xt.shape[0]
    if batch_size is None:
        batch_size = n
    batch_size = min(V.check_int(batch_size, "batch_size", minimum=1), n)
    if (X_val is None) != (y_val is None):
        raise ValueError("pass both X_val and y_val (the validation inputs and their targets), or neither")
    has_val = X_val is not None
    if has_val:
        Xv, yv = model.check_data(X_val, y_val)
    stopper = _as_early_stopping(early_stopping)
    if lr_schedule is not None and not callable(lr_schedule):
        raise TypeError(
            f"lr_schedule must be a function of the iteration index t (see optimlab.schedules), got {lr_schedule!r}"
        )
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    opt = _as_optimizer(optimizer, hyper)
    if lr_schedule is not None and "lr" not in opt.hyperparameters:
        raise ValueError(
            f"lr_schedule sets the learning rate, but {opt.name} has no 'lr' hyperparameter "
            f"(it has {sorted(opt.hyperparameters)})"
        )
    if opt.needs_hessian and not model.has_hessian:
        raise ValueError(f"{opt.name} needs the Hessian, but {model!r} has no hessian(); use a first-order optimizer")
    rng = _rng_from(seed, None)
    if w0 is None:
        w = np.asarray(model.init_params(seed), dtype=np.float64)
    else:
        w = model._check_w(w0).copy()
        V.check_finite(w, "w0")
    plateau = lr_schedule if callable(getattr(lr_schedule, "step", None)) else None
    if plateau is not None and callable(getattr(plateau, "reset", None)):
        plateau.reset()

    n_batches = -(-n // batch_size)
    total = epochs * n_batches
    batch_loss = np.empty(total)
    lrs = np.full(total, np.nan)
    params = np.empty((total + 1, model.n_params)) if record_params else None
    default_lr = opt.hyperparameters.get("lr")
    default_lr = float(default_lr) if isinstance(default_lr, numbers.Real) else math.nan
    full_batch = batch_size >= n

    started = time.perf_counter()
    with np.errstate(all="ignore"):  # overflow is expected when training diverges; it is detected below
        train_loss = [float(model._loss(w, Xt, yt))]
        val_loss = [float(model._loss(w, Xv, yv))] if has_val else None
    best_w, best_epoch, best_loss = w.copy(), 0, math.inf
    wait = 0
    state = opt.init(w)
    it = 0                # updates applied so far = index of the next iteration
    diverged = None       # (what happened, iteration, epoch, batch, lr) once training diverges
    stopped_early = False
    bar = _make_bar(opt, epochs, 0) if progress is True else None

    try:
        for epoch in range(1, epochs + 1):
            order = None if (full_batch or not shuffle) else rng.permutation(n)
            with np.errstate(all="ignore"):
                for b in range(n_batches):
                    if full_batch:
                        Xb, yb = Xt, yt
                    elif order is None:
                        Xb, yb = Xt[b * batch_size:(b + 1) * batch_size], yt[b * batch_size:(b + 1) * batch_size]
                    else:
                        idx = order[b * batch_size:(b + 1) * batch_size]
                        Xb, yb = Xt[idx], yt[idx]
                    lr_t = None if lr_schedule is None else _scheduled_lr(lr_schedule, it)
                    loss, g = model._loss_grad(w, Xb, yb)
                    if record_params:
                        params[it] = w
                    if not math.isfinite(loss):
                        diverged = (f"the mini-batch loss became {loss}", it, epoch, b, lr_t)
                        break
                    hessian_fn = (lambda v, Xb=Xb, yb=yb: model.hessian(v, Xb, yb)) if opt.needs_hessian else None
                    grad_fn = ((lambda v, Xb=Xb, yb=yb: model._loss_grad(v, Xb, yb)[1])
                               if opt.needs_grad_fn else None)
                    first = it == 0
                    try:
                        # The first update runs every check (a learner's step function fails there with
                        # the library's message); later ones skip them and divergence is watched below.
                        w_new, state = opt.update(w, g, state, lr=lr_t, hessian_fn=hessian_fn, grad_fn=grad_fn,
                                                  check=first)
                    except (ValueError, np.linalg.LinAlgError) as exc:
                        if np.isfinite(g).all():
                            raise
                        diverged = (f"the gradient became non-finite ({exc})", it, epoch, b, lr_t)
                        break
                    if first and np.shape(w_new) != w.shape:
                        raise ValueError(
                            f"{opt.name} returned w of shape {np.shape(w_new)} for w of shape {w.shape}; a step "
                            f"must return the parameters with the shape they came in"
                        )
                    big = float(np.max(np.abs(w_new)))
                    if not big <= DIVERGENCE_BOUND:  # also catches nan
                        what = ("the parameters became non-finite" if not math.isfinite(big)
                                else f"|w| reached {big:.2g} > {DIVERGENCE_BOUND:.0e}")
                        diverged = (f"{what} (mini-batch loss before the update: {loss:.4g})", it, epoch, b, lr_t)
                        break
                    batch_loss[it] = loss
                    lrs[it] = default_lr if lr_t is None else lr_t
                    w = w_new
                    it += 1
            if diverged is not None:
                break

            # End of the epoch: full-data losses, best epoch, early stopping, plateau schedule, progress.
            with np.errstate(all="ignore"):
                tl = float(model._loss(w, Xt, yt))
                vl = float(model._loss(w, Xv, yv)) if has_val else None
            if not math.isfinite(tl) or (has_val and not math.isfinite(vl)):
                which, value = ("training", tl) if not math.isfinite(tl) else ("validation", vl)
                diverged = (f"the {which} loss after epoch {epoch} is {value}", it - 1, epoch, n_batches - 1,
                            lrs[it - 1])
                break
            train_loss.append(tl)
            if has_val:
                val_loss.append(vl)
            monitored = vl if has_val else tl
            min_delta = stopper.min_delta if stopper is not None else 0.0
            if improves(monitored, best_loss, min_delta):  # Keras' rule (optimlab.stopping)
                best_loss, best_w, best_epoch, wait = monitored, w.copy(), epoch, 0
            else:
                wait += 1
            if plateau is not None:
                plateau.step(monitored)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{monitored:.4g}", refresh=False)
            elif (progress == "auto" and epoch < epochs
                  and (time.perf_counter() - started) / epoch * epochs > _PROGRESS_AFTER_SECONDS):
                bar = _make_bar(opt, epochs, epoch)
            if stopper is not None and wait >= stopper.patience:
                stopped_early = True
                break
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - started

    if best_epoch == 0:  # no epoch completed
        best_loss = val_loss[0] if has_val else train_loss[0]
    w_out = best_w.copy() if (stopped_early and stopper.restore_best) else w.copy()
    if record_params:
        params = params[: it + 1]
        params[it] = w
    hist = History(
        optimizer=opt.name,
        model=repr(model),
        batch_size=batch_size,
        iterations_per_epoch=n_batches,
        batch_loss=batch_loss[:it].copy(),
        lr=lrs[:it].copy(),
        train_loss=np.array(train_loss),
        val_loss=np.array(val_loss) if has_val else None,
        w=w_out,
        best_w=best_w,
        best_epoch=best_epoch,
        best_loss=float(best_loss),
        stopped_early=stopped_early,
        params=params,
        elapsed=elapsed,
        hyperparameters=dict(opt.hyperparameters),
    )
    if diverged is not None:
        what, at, epoch_at, batch_at, lr_at = diverged
        hist.diverged, hist.diverged_at, hist.diverged_epoch = True, int(at), int(epoch_at)
        lr_at = default_lr if lr_at is None else float(lr_at)
        hist.message = _divergence_message(opt, what, int(at), int(epoch_at), batch_at, n_batches, lr_at,
                                           lr_schedule is not None)
        if on_divergence == "raise":
            raise DivergenceError(hist.message, hist)
        if on_divergence == "warn":
            warnings.warn(hist.message, DivergenceWarning, stacklevel=2)
        return hist
    monitored_name = "val loss" if has_val else "train loss"
    summary = (f"{opt.name} on {model!r}: {hist.epochs_run} epoch(s), {hist.n_iterations} iterations of batch "
               f"size {batch_size}; train loss {_fmt(train_loss[0])} -> {_fmt(train_loss[-1])}")
    if has_val:
        summary += f", val loss {_fmt(val_loss[0])} -> {_fmt(val_loss[-1])}"
    summary += f"; best {monitored_name} {_fmt(hist.best_loss)} at epoch {best_epoch}"
    if stopped_early:
        summary += (f"; stopped early after epoch {hist.epochs_run}: no improvement by more than "
                    f"min_delta={stopper.min_delta:g} for {stopper.patience} epoch(s)")
        if stopper.restore_best:
            summary += f", restored the parameters of epoch {best_epoch}"
    hist.message = summary
    return hist


def _scheduled_lr(schedule, t: int) -> float:
    lr = schedule(t)
    if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, numbers.Real) or not (lr >= 0 and math.isfinite(lr)):
        raise ValueError(f"lr_schedule({t}) returned {lr!r}; a learning rate must be a finite number >= 0")
    return float(lr)


def _make_bar(opt, epochs: int, done: int):
    from tqdm.auto import tqdm

    return tqdm(total=epochs, initial=done, desc=opt.name, unit="epoch", leave=False)
