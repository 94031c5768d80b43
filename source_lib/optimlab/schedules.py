r"""Learning-rate schedules (学习率调度): callables ``schedule(t) -> lr``.

``t`` is the **iteration index, starting at 0** (as in torch's schedulers): the learning
rate of the first parameter update is ``schedule(0)``. In the course notation, where step
``t = 1, 2, ...`` turns ``w_{t-1}`` into ``w_t``, step ``t`` uses ``eta_t = schedule(t - 1)``. :func:`optimlab.training.train` calls the schedule
once per iteration (mini-batch), not once per epoch, and passes the value to
``opt.update(..., lr=schedule(t))``. To change the rate per epoch, use
``step_size = iterations_per_epoch`` in :func:`step_decay` (or any schedule of
``t // iterations_per_epoch``).

Stateless schedules (the value depends on ``t`` only):

=========================  ================================================================
``constant(lr)``           ``lr``
``step_decay``             ``lr0 * gamma ** floor(t / step_size)``
``exponential_decay``      ``lr0 * gamma ** t``
``inverse_time_decay``     ``lr0 / (1 + k t)``
``cosine_decay``           ``lr_min + (lr0 - lr_min) (1 + cos(pi t / T)) / 2``
``warmup_cosine``          linear warm-up, then cosine decay
``cyclic``                 triangular cycles between ``base_lr`` and ``max_lr`` (Smith, 2017)
``one_cycle``              one warm-up to ``max_lr`` and one long anneal (Smith & Topin, 2019)
=========================  ================================================================

:class:`ReduceLROnPlateau` is stateful: it lowers the rate when a monitored loss stops
improving. Call ``.step(metric)`` once per epoch; ``train`` does that for you.

Any function of ``t`` works as a schedule in ``train`` too, e.g. ``lambda t: 0.1 / (1 + t) ** 0.5``.
Use :func:`schedule_values` to tabulate or plot a schedule.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from . import validation as V

__all__ = [
    "Schedule",
    "constant",
    "step_decay",
    "exponential_decay",
    "inverse_time_decay",
    "cosine_decay",
    "warmup_cosine",
    "cyclic",
    "one_cycle",
    "ReduceLROnPlateau",
    "schedule_values",
]


def _check_t(t) -> int:
    if isinstance(t, (bool, np.bool_)) or not isinstance(t, numbers.Integral):
        raise TypeError(
            f"t (the iteration index, 0 for the first update) must be an integer, got {t!r} of type {type(t).__name__}"
        )
    if t < 0:
        raise ValueError(f"t (the iteration index, 0 for the first update) must be >= 0, got {t}")
    return int(t)


class Schedule:
    """Base class: ``schedule(t)`` checks ``t`` and returns ``self.value(t)`` as a float."""

    def __call__(self, t) -> float:
        return float(self.value(_check_t(t)))

    def value(self, t: int) -> float:  # pragma: no cover - subclasses override it
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class constant(Schedule):
    r"""``lr(t) = lr``: the same rate at every iteration."""

    def __init__(self, lr):
        self.lr = V.check_positive(lr, "lr")

    def value(self, t):
        return self.lr


class step_decay(Schedule):
    r"""Step decay (阶梯衰减), as ``torch.optim.lr_scheduler.StepLR``:

    ``lr(t) = lr0 * gamma ** floor(t / step_size)``

    The rate is multiplied by ``gamma`` every ``step_size`` iterations.
    """

    def __init__(self, lr0, step_size, gamma=0.1):
        self.lr0 = V.check_positive(lr0, "lr0")
        self.step_size = V.check_int(step_size, "step_size", minimum=1)
        self.gamma = V.check_in_range(gamma, "gamma", 0.0, 1.0, low_open=True)

    def value(self, t):
        return self.lr0 * self.gamma ** (t // self.step_size)


class exponential_decay(Schedule):
    r"""Exponential decay (指数衰减), as ``torch.optim.lr_scheduler.ExponentialLR`` stepped every iteration:

    ``lr(t) = lr0 * gamma ** t``

    ``gamma`` is in ``(0, 1]``. The rate halves every ``ln 2 / -ln(gamma)`` iterations.
    """

    def __init__(self, lr0, gamma):
        self.lr0 = V.check_positive(lr0, "lr0")
        self.gamma = V.check_in_range(gamma, "gamma", 0.0, 1.0, low_open=True)

    def value(self, t):
        return self.lr0 * self.gamma**t


class inverse_time_decay(Schedule):
    r"""Inverse-time decay (逆时衰减): ``lr(t) = lr0 / (1 + k t)``.

    The rate falls like ``1/t``: slower than exponential decay. For ``k > 0`` its sum
    diverges and the sum of its squares converges: the Robbins-Monro conditions. They are
    *sufficient* for SGD to converge to the minimum instead of hovering in a noise floor,
    under assumptions (a convex, smooth loss; gradient noise of bounded variance); they are
    not necessary, and they say nothing about speed: with a small ``lr0`` or a large ``k``
    the rate shrinks before the iterates get near the minimum. ``k >= 0``; ``k = 0`` is a
    constant rate.
    """

    def __init__(self, lr0, k):
        self.lr0 = V.check_positive(lr0, "lr0")
        self.k = V.check_nonnegative(k, "k")

    def value(self, t):
        return self.lr0 / (1.0 + self.k * t)


class cosine_decay(Schedule):
    r"""Cosine decay (余弦退火), one half cosine from ``lr0`` down to ``lr_min`` over ``total_steps``:

    ``lr(t) = lr_min + (lr0 - lr_min) * (1 + cos(pi * t / total_steps)) / 2``   for ``t <= total_steps``

    and ``lr(t) = lr_min`` after that (``torch``'s ``CosineAnnealingLR`` would climb again;
    this schedule stays at the bottom). With ``total_steps`` equal to the number of
    iterations, the last update (``t = total_steps - 1``) still has a rate above ``lr_min``.
    """

    def __init__(self, lr0, total_steps, lr_min=0.0):
        self.lr0 = V.check_positive(lr0, "lr0")
        self.total_steps = V.check_int(total_steps, "total_steps", minimum=1)
        self.lr_min = V.check_nonnegative(lr_min, "lr_min")
        if self.lr_min > self.lr0:
            raise ValueError(f"lr_min must be <= lr0 ({lr0!r}), got {lr_min!r}")

    def value(self, t):
        if t >= self.total_steps:
            return self.lr_min
        return self.lr_min + (self.lr0 - self.lr_min) * 0.5 * (1.0 + math.cos(math.pi * t / self.total_steps))


class warmup_cosine(Schedule):
    r"""Linear warm-up (预热) for ``warmup_steps`` iterations, then cosine decay to ``lr_min`` at ``total_steps``:

    .. code-block:: text

        lr(t) = lr0 * (t + 1) / warmup_steps                          t < warmup_steps
        lr(t) = lr_min + (lr0 - lr_min) (1 + cos(pi s)) / 2,           warmup_steps <= t <= total_steps,
                s = (t - warmup_steps) / (total_steps - warmup_steps)
        lr(t) = lr_min                                                t > total_steps

    The warm-up starts at ``lr0 / warmup_steps``, not 0, so the first update already
    moves, and reaches ``lr0`` at ``t = warmup_steps - 1``. ``warmup_steps = 0`` is
    plain :class:`cosine_decay`.
    """

    def __init__(self, lr0, warmup_steps, total_steps, lr_min=0.0):
        self.lr0 = V.check_positive(lr0, "lr0")
        self.warmup_steps = V.check_int(warmup_steps, "warmup_steps", minimum=0)
        self.total_steps = V.check_int(total_steps, "total_steps", minimum=1)
        if self.warmup_steps >= self.total_steps:
            raise ValueError(
                f"warmup_steps ({warmup_steps}) must be smaller than total_steps ({total_steps}), "
                f"or nothing is left for the decay"
            )
        self.lr_min = V.check_nonnegative(lr_min, "lr_min")
        if self.lr_min > self.lr0:
            raise ValueError(f"lr_min must be <= lr0 ({lr0!r}), got {lr_min!r}")

    def value(self, t):
        if t < self.warmup_steps:
            return self.lr0 * (t + 1) / self.warmup_steps
        if t >= self.total_steps:
            return self.lr_min
        s = (t - self.warmup_steps) / (self.total_steps - self.warmup_steps)
        return self.lr_min + (self.lr0 - self.lr_min) * 0.5 * (1.0 + math.cos(math.pi * s))


class cyclic(Schedule):
    r"""Cyclical learning rate (循环学习率; Smith, 2017), as ``torch.optim.lr_scheduler.CyclicLR``.

    .. code-block:: text

        cycle = floor(1 + t / (2 step_size))
        x     = |t / step_size - 2 cycle + 1|                  (1 at a cycle's ends, 0 in its middle)
        lr(t) = base_lr + (max_lr - base_lr) * max(0, 1 - x) * scale

    ``scale = 1`` for ``mode="triangular"``. ``scale = 1 / 2**(cycle - 1)`` for
    ``"triangular2"``, which halves the amplitude every cycle. ``scale = gamma**t`` for
    ``"exp_range"``. The rate climbs from ``base_lr`` at ``t = 0`` to ``max_lr`` at
    ``t = step_size`` and is back at ``base_lr`` at ``t = 2 step_size``. A cycle lasts
    ``2 step_size`` iterations.
    """

    def __init__(self, base_lr, max_lr, step_size, mode="triangular", gamma=1.0):
        self.base_lr = V.check_positive(base_lr, "base_lr")
        self.max_lr = V.check_positive(max_lr, "max_lr")
        if self.max_lr < self.base_lr:
            raise ValueError(f"max_lr ({max_lr!r}) must be >= base_lr ({base_lr!r})")
        self.step_size = V.check_int(step_size, "step_size", minimum=1)
        if mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(f"mode must be 'triangular', 'triangular2' or 'exp_range', got {mode!r}")
        self.mode = mode
        self.gamma = V.check_in_range(gamma, "gamma", 0.0, 1.0, low_open=True)

    def value(self, t):
        cycle = math.floor(1 + t / (2 * self.step_size))
        x = abs(t / self.step_size - 2 * cycle + 1)
        if self.mode == "triangular":
            scale = 1.0
        elif self.mode == "triangular2":
            scale = 1.0 / 2.0 ** (cycle - 1)
        else:
            scale = self.gamma**t
        return self.base_lr + (self.max_lr - self.base_lr) * max(0.0, 1.0 - x) * scale


class one_cycle(Schedule):
    r"""The one-cycle policy (Smith & Topin, 2019), as ``torch.optim.lr_scheduler.OneCycleLR`` (two phases).

    .. code-block:: text

        initial_lr = max_lr / div_factor,   min_lr = initial_lr / final_div_factor
        t1 = pct_start * total_steps - 1                 (end of phase 1, may be fractional)
        phase 1, t <= t1:   anneal from initial_lr to max_lr,  p = t / t1
        phase 2, t >  t1:   anneal from max_lr to min_lr,      p = (t - t1) / (total_steps - 1 - t1)
        cos anneal:     lr = end + (start - end) (1 + cos(pi p)) / 2
        linear anneal:  lr = start + p (end - start)
        t >= total_steps - 1:  lr = min_lr

    So the rate rises (half a cosine) from ``max_lr / 25`` to ``max_lr`` over the first 30 %
    of the iterations. It then falls (half a cosine) to ``max_lr / 25 / 1e4`` at the last
    iteration ``t = total_steps - 1``. After that it stays at ``min_lr`` (PyTorch would
    raise an error).
    """

    def __init__(self, max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
                 anneal="cos"):
        self.max_lr = V.check_positive(max_lr, "max_lr")
        self.total_steps = V.check_int(total_steps, "total_steps", minimum=2)
        self.pct_start = V.check_in_range(pct_start, "pct_start", 0.0, 1.0, low_open=True, high_open=True)
        self.div_factor = V.check_positive(div_factor, "div_factor")
        self.final_div_factor = V.check_positive(final_div_factor, "final_div_factor")
        if anneal not in ("cos", "linear"):
            raise ValueError(f"anneal must be 'cos' or 'linear', got {anneal!r}")
        self.anneal = anneal
        t1 = self.pct_start * self.total_steps - 1
        if not 0 < t1 < self.total_steps - 1:
            raise ValueError(
                f"pct_start * total_steps - 1 = {t1:g} must lie strictly between 0 and total_steps - 1 "
                f"= {self.total_steps - 1}; choose a larger total_steps or another pct_start"
            )
        self._t1 = t1
        self._initial = self.max_lr / self.div_factor
        self._min = self._initial / self.final_div_factor

    def _anneal(self, start, end, p):
        if self.anneal == "cos":
            return end + (start - end) * 0.5 * (1.0 + math.cos(math.pi * p))
        return start + p * (end - start)

    def value(self, t):
        last = self.total_steps - 1
        if t >= last:
            return self._min
        if t <= self._t1:
            return self._anneal(self._initial, self.max_lr, t / self._t1)
        return self._anneal(self.max_lr, self._min, (t - self._t1) / (last - self._t1))


class ReduceLROnPlateau:
    r"""Lower the rate when a monitored loss stops improving (as ``torch.optim.lr_scheduler.ReduceLROnPlateau``).

    Call ``step(metric)`` once per epoch with the monitored value (``train`` passes the
    validation loss, or the training loss when there is no validation set).
    ``schedule(t)`` returns the current rate for any ``t``.

    .. code-block:: text

        improved     = metric < best * (1 - threshold)     threshold_mode="rel" (default)
                       metric < best - threshold           threshold_mode="abs"
        if improved:   best = metric, bad_epochs = 0   else: bad_epochs += 1
        if in cooldown: bad_epochs = 0
        if bad_epochs > patience:
            lr = max(lr * factor, min_lr), cooldown starts, bad_epochs = 0

    The rate drops after ``patience + 1`` epochs in a row without improvement; at
    most once per ``cooldown + 1`` epochs. ``best`` starts at ``+inf``. Defaults are
    PyTorch's (``mode="min"``; ``mode="max"`` for a metric such as accuracy).
    :meth:`reset` restores the initial state; ``train`` calls it before training.
    """

    def __init__(self, lr0, factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, mode="min", eps=1e-8):
        self.lr0 = V.check_positive(lr0, "lr0")
        self.factor = V.check_in_range(factor, "factor", 0.0, 1.0, low_open=True, high_open=True)
        self.patience = V.check_int(patience, "patience", minimum=0)
        self.threshold = V.check_nonnegative(threshold, "threshold")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        self.threshold_mode = threshold_mode
        self.cooldown = V.check_int(cooldown, "cooldown", minimum=0)
        self.min_lr = V.check_nonnegative(min_lr, "min_lr")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' (a loss) or 'max' (e.g. accuracy), got {mode!r}")
        self.mode = mode
        self.eps = V.check_nonnegative(eps, "eps")
        self.reset()

    def reset(self):
        """Back to ``lr0``: forget the best value, the bad-epoch count and the cooldown."""
        self.lr = self.lr0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.reductions = []  # epochs (1-based count of step calls) at which the rate was lowered
        self._epoch = 0

    def _is_better(self, metric):
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return metric < self.best * (1.0 - self.threshold)
            return metric < self.best - self.threshold
        if self.threshold_mode == "rel":
            return metric > self.best * (1.0 + self.threshold)
        return metric > self.best + self.threshold

    def step(self, metric) -> float:
        """Record one epoch's ``metric``; returns the (possibly lowered) rate."""
        if isinstance(metric, (bool, np.bool_)) or not isinstance(metric, numbers.Real):
            raise TypeError(f"metric must be a real number (a loss per epoch), got {metric!r}")
        value = float(metric)
        if math.isnan(value):
            raise ValueError("metric is nan: the monitored loss is undefined (has training diverged?)")
        self._epoch += 1
        if self._is_better(value):
            self.best = value
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
                self.reductions.append(self._epoch)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.lr

    def __call__(self, t) -> float:
        _check_t(t)
        return self.lr

    def __repr__(self):
        return (f"ReduceLROnPlateau(lr0={self.lr0!r}, factor={self.factor!r}, patience={self.patience!r}, "
                f"threshold={self.threshold!r}, min_lr={self.min_lr!r}; current lr={self.lr!r})")


def schedule_values(schedule, n) -> np.ndarray:
    """``np.array([schedule(0), ..., schedule(n - 1)])``: the rates of the first ``n`` iterations, for plots.

    For a :class:`ReduceLROnPlateau` this is its current rate ``n`` times (its future
    depends on the losses it will see).
    """
    if not callable(schedule):
        raise TypeError(f"schedule must be a function of the iteration index t, got {schedule!r}")
    n = V.check_int(n, "n", minimum=0)
    return np.array([float(schedule(t)) for t in range(n)], dtype=np.float64)
