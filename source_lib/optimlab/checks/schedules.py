r"""Checks for notebook 10, schedules, averaging and early stopping: ``warmup_cosine_lr``,
``iterate_average`` and ``early_stopping``.

The exercises, with the formulas the learner implements (the library's, in the course notation
where step ``t = 1, 2, ...`` uses the rate ``eta_t = schedule(t - 1)``):

.. code-block:: text

    warmup_cosine_lr(t, lr0, warmup_steps, total_steps, lr_min)      W = warmup_steps, T = total_steps
        t <= W:        lr0 * t / W
        W < t <= T:    lr_min + (lr0 - lr_min) * (1 + cos(pi * (t - 1 - W) / (T - W))) / 2
        t > T:         lr_min
        = optimlab.schedules.warmup_cosine(lr0, W, T, lr_min)(t - 1)
    iterate_average(ws, start)          rows w_0 .. w_T; row t of the result:
        t < start:     w_t
        t >= start:    (w_start + ... + w_t) / (t - start + 1)
        = optimlab.averaging.polyak_average(ws, start)
    early_stopping(val_losses, patience, min_delta)                  epochs 1, 2, ...
        an epoch improves when loss < best - min_delta (then best = loss, wait = 0), else wait += 1;
        stop after the epoch where wait reaches patience; -> (stop_epoch, best_epoch)
        = optimlab.stopping.stopping_epochs(val_losses, patience, min_delta)

The schedule cases walk through the steps where mistakes show: the first step (a warm-up
from 0), the end of the warm-up (``t = W``, ``t = W + 1``), the middle and the last step of the
cosine, and steps after ``T``; ``lr_min`` is not 0. The averaging cases start late, on iterates
of two coordinates. The early-stopping losses contain ties, improvements smaller than
``min_delta``, a lower loss after the stop, and runs that never stop.

The ``check_*`` functions print a one-line success message and return ``None`` (nbgrader reads a
number shown by a test cell as partial credit).
"""
from __future__ import annotations

import math

import numpy as np

from ..averaging import polyak_average as _polyak_average
from ..schedules import warmup_cosine as _warmup_cosine
from ..stopping import stopping_epochs as _stopping_epochs
from .engine import Case, ExerciseFailure, Variant, check_function

__all__ = ["reference_warmup_cosine_lr", "reference_iterate_average", "reference_early_stopping",
           "check_warmup_cosine_lr", "check_iterate_average", "check_early_stopping"]


# ---------------------------------------------------------------------------
# warmup_cosine_lr
# ---------------------------------------------------------------------------

def reference_warmup_cosine_lr(t, lr0, warmup_steps, total_steps, lr_min):
    """The rate of step ``t = 1, 2, ...``: ``optimlab.schedules.warmup_cosine(...)(t - 1)``."""
    return _warmup_cosine(lr0, int(warmup_steps), int(total_steps), lr_min)(int(t) - 1)


def _wc(t, lr0, W, T, lr_min, *, warm=lambda t, W: t / W, warm_end="le", shift=1, denom="T-W", half=True,
        period=1.0, floor=True, use_min=True, min_mode="blend", after="min", decay="cos"):
    # One parametrised warm-up + cosine for the wrong variants; the defaults give the right rate.
    in_warmup = t <= W if warm_end == "le" else t < W
    if in_warmup:
        return lr0 * warm(t, W)
    if floor and t > T and after == "min":
        return lr_min
    s = (t - shift - W) / ((T - W) if denom == "T-W" else T)
    if decay == "linear":
        shape = 1 - s
    else:
        shape = (1 + math.cos(math.pi * s * period)) * (0.5 if half else 1.0)
    if not use_min:
        return lr0 * shape
    if min_mode == "add":
        return lr_min + lr0 * shape
    return lr_min + (lr0 - lr_min) * shape


def _wc_t_not_shifted(t, lr0, W, T, lr_min):
    return _wc(t, lr0, W, T, lr_min, shift=0)


def _wc_zero_based_warmup(t, lr0, W, T, lr_min):
    return _wc(t, lr0, W, T, lr_min, warm=lambda t, W: (t - 1) / W)


def _wc_warmup_ends_early(t, lr0, W, T, lr_min):
    return _wc(t, lr0, W, T, lr_min, warm_end="lt")


def _wc_warmup_w_plus_1(t, lr0, W, T, lr_min):
    return _wc(t, lr0, W, T, lr_min, warm=lambda t, W: t / (W + 1))


def _wc_denominator_T(t, lr0, W, T, lr_min):
    return _wc(t, lr0, W, T, lr_min, denom="T")


def _wc_no_half(t, lr0, W, T, lr_min):
    return _wc(t, lr0, W, T, lr_min, half=False)


def _wc_full_period(t, lr0, W, T, lr_min):
    return _wc(t, lr0, W, T, lr_min, period=2.0)


def _wc_no_lr_min(t, lr0, W, T, lr_min):
    return _wc(t, lr0, W, T, lr_min, use_min=False)


def _wc_lr_min_added(t, lr0, W, T, lr_min):
    return _wc(t, lr0, W, T, lr_min, min_mode="add")


def _wc_linear(t, lr0, W, T, lr_min):
    return _wc(t, lr0, W, T, lr_min, decay="linear")


def _wc_no_floor(t, lr0, W, T, lr_min):
    return _wc(t, lr0, W, T, lr_min, after="cos")


def _wc_zero_based_t(t, lr0, W, T, lr_min):
    return reference_warmup_cosine_lr(t + 1, lr0, W, T, lr_min)


def _wc_warmup_from_lr_min(t, lr0, W, T, lr_min):
    if t <= W:
        return lr_min + (lr0 - lr_min) * t / W
    return _wc(t, lr0, W, T, lr_min)


_WC_VARIANTS = [
    Variant(_wc_zero_based_t,
            "t is used as the library's 0-based index (the updates already taken): here t = 1, 2, ... is the step, "
            "and step t has the rate schedule(t - 1); your numbers are those of step t + 1"),
    Variant(_wc_t_not_shifted,
            "the cosine starts one step late or early: step t = W + 1, the first after the warm-up, has s = 0, so "
            "s = (t - 1 - W) / (T - W) (with s = (t - W) / (T - W) the rate lr0 is never used after the warm-up)"),
    Variant(_wc_zero_based_warmup,
            "the warm-up is off by one: step t uses lr0 * t / W (the first step already moves, lr0 / W; "
            "(t - 1) / W gives the first step a rate of 0)"),
    Variant(_wc_warmup_ends_early,
            "the warm-up ends one step early: it covers t <= W (t = W has the rate lr0); with t < W the step t = W "
            "already takes the cosine branch"),
    Variant(_wc_warmup_w_plus_1,
            "the warm-up divides by W + 1: step t of the warm-up has lr0 * t / W, reaching lr0 at t = W"),
    Variant(_wc_denominator_T,
            "the cosine runs over T instead of T - W steps: s = (t - 1 - W) / (T - W), so that it reaches lr_min "
            "at the end of training"),
    Variant(_wc_no_half,
            "the factor 1/2 is missing: (1 + cos(pi s)) / 2 goes from 1 to 0; 1 + cos(pi s) starts at 2 lr0"),
    Variant(_wc_full_period,
            "a full cosine period, cos(2 pi s): the decay is half a period, cos(pi s), from lr0 down to lr_min "
            "(with 2 pi it climbs back up)"),
    Variant(_wc_no_lr_min,
            "lr_min is left out of the cosine: lr_min + (lr0 - lr_min) (1 + cos(pi s)) / 2 ends at lr_min, "
            "lr0 (1 + cos(pi s)) / 2 at 0"),
    Variant(_wc_lr_min_added,
            "lr_min is added on top: the cosine part has the amplitude lr0 - lr_min, lr_min + (lr0 - lr_min) "
            "(1 + cos(pi s)) / 2, so that the rate starts at lr0, not lr0 + lr_min"),
    Variant(_wc_linear,
            "a linear decay, lr0 (1 - s): the decay after the warm-up is a half cosine, (1 + cos(pi s)) / 2"),
    Variant(_wc_no_floor,
            "after step T the rate must stay at lr_min: the cosine formula beyond s = 1 climbs again "
            "(as torch's CosineAnnealingLR does); return lr_min for t > T"),
    Variant(_wc_warmup_from_lr_min,
            "the warm-up climbs from lr_min: here it is lr0 * t / W, a straight line from 0 (step 0) to lr0 "
            "(step W)"),
]


def _schedule_cases(hidden: bool):
    base = {"lr0": 0.2, "warmup_steps": 5, "total_steps": 25, "lr_min": 0.01}
    where = {1: "the first step", 3: "inside the warm-up", 5: "t = W, the last warm-up step",
             6: "t = W + 1, the first step after the warm-up", 7: "the second step of the cosine",
             15: "the middle of the cosine", 25: "t = T, the last step of training",
             26: "t = T + 1, after training", 40: "long after T"}
    order = (1, 3, 5, 6, 7, 15, 25, 26, 40) if not hidden else (2, 4, 8, 20, 24, 30)
    cases = [Case(f"t={t} ({where.get(t, 'a step')}), lr0=0.2, W=5, T=25, lr_min=0.01", {"t": t, **base})
             for t in order]
    if hidden:
        for t in (1, 3, 4, 12, 30):
            cases.append(Case(f"t={t}, lr0=1.5, W=3, T=30, lr_min=0.1",
                              {"t": t, "lr0": 1.5, "warmup_steps": 3, "total_steps": 30, "lr_min": 0.1}))
        for t in (1, 2, 11, 12):
            cases.append(Case(f"t={t}, no warm-up (W=0): plain cosine decay, lr0=0.05, T=12, lr_min=0.001",
                              {"t": t, "lr0": 0.05, "warmup_steps": 0, "total_steps": 12, "lr_min": 0.001},
                              note="W = 0: no warm-up; step 1 has the rate lr0"))
        cases.append(Case("t=9, lr_min=0, lr0=0.3, W=4, T=10",
                          {"t": 9, "lr0": 0.3, "warmup_steps": 4, "total_steps": 10, "lr_min": 0.0}))
    return cases


def check_warmup_cosine_lr(warmup_cosine_lr, hidden: bool = False) -> None:
    """``warmup_cosine_lr(t, lr0, warmup_steps, total_steps, lr_min)``: the rate of step ``t = 1, 2, ...``."""
    check_function(warmup_cosine_lr, reference_warmup_cosine_lr, _schedule_cases(hidden),
                   exercise="warmup_cosine_lr", returns=("lr",), variants=_WC_VARIANTS, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------
# iterate_average
# ---------------------------------------------------------------------------

def reference_iterate_average(ws, start):
    """``optimlab.averaging.polyak_average(ws, start)``."""
    return _polyak_average(np.asarray(ws, dtype=float), int(start))


def _ia_cumsum(ws, start, *, count_shift=0, ignore_start=False, before="copy"):
    ws = np.asarray(ws, dtype=float)
    s = 0 if ignore_start else start
    out = ws.copy() if before == "copy" else np.zeros_like(ws)
    if s < len(ws):
        n = np.arange(1, len(ws) - s + 1, dtype=float) + count_shift
        n = np.where(n == 0, 1.0, n)
        out[s:] = np.cumsum(ws[s:], axis=0) / n.reshape((-1,) + (1,) * (ws.ndim - 1))
    return out


def _ia_ignore_start(ws, start):
    return _ia_cumsum(ws, start, ignore_start=True)


def _ia_count_minus_one(ws, start):
    return _ia_cumsum(ws, start, count_shift=-1)


def _ia_count_plus_one(ws, start):
    return _ia_cumsum(ws, start, count_shift=1)


def _ia_divide_by_t(ws, start):
    # The sum from `start`, divided by the row index t (or t + 1) as if the average ran from row 0.
    ws = np.asarray(ws, dtype=float)
    out = ws.copy()
    t = np.arange(len(ws), dtype=float)
    out[start:] = np.cumsum(ws[start:], axis=0) / (t[start:] + 1).reshape((-1,) + (1,) * (ws.ndim - 1))
    return out


def _ia_zeros_before(ws, start):
    return _ia_cumsum(ws, start, before="zeros")


def _ia_no_division(ws, start):
    ws = np.asarray(ws, dtype=float)
    out = ws.copy()
    out[start:] = np.cumsum(ws[start:], axis=0)
    return out


def _ia_ema(ws, start):
    ws = np.asarray(ws, dtype=float)
    out = ws.copy()
    for t in range(start + 1, len(ws)):
        out[t] = 0.9 * out[t - 1] + 0.1 * ws[t]
    return out


def _ia_from_start_plus_1(ws, start):
    ws = np.asarray(ws, dtype=float)
    return _ia_cumsum(ws, start + 1) if start + 1 < len(ws) else ws.copy()


def _ia_mean_of_all(ws, start):
    ws = np.asarray(ws, dtype=float)
    out = ws.copy()
    out[start:] = ws[start:].mean(axis=0)
    return out


def _ia_wrong_axis(ws, start):
    ws = np.asarray(ws, dtype=float)
    out = ws.copy()
    if ws.ndim == 2:
        n = np.arange(1, ws.shape[1] + 1, dtype=float)
        out[start:] = np.cumsum(ws[start:], axis=1) / n
    return out


_IA_VARIANTS = [
    Variant(_ia_ignore_start,
            "the average starts at row 0: it must start at row `start` (the rows before it are left out of the "
            "average and returned unchanged)"),
    Variant(_ia_count_minus_one,
            "the count is one too small: from row `start` to row t there are t - start + 1 iterates"),
    Variant(_ia_from_start_plus_1,
            "the average starts one row late (in the recursive form: a division by t - start instead of "
            "t - start + 1): row `start` itself is the first iterate averaged, wbar_start = w_start"),
    Variant(_ia_count_plus_one,
            "the count is one too large: from row `start` to row t there are t - start + 1 iterates, not "
            "t - start + 2"),
    Variant(_ia_divide_by_t,
            "the sum from `start` is divided by t + 1 (the count from row 0): divide by the number of iterates "
            "averaged, t - start + 1"),
    Variant(_ia_zeros_before,
            "the rows before `start` are zeros: before the average starts, the averaged iterate is the iterate "
            "itself, w_t"),
    Variant(_ia_no_division,
            "a running sum, not an average: divide the sum of w_start .. w_t by t - start + 1"),
    Variant(_ia_ema,
            "an exponentially weighted average (notebook 04): Polyak-Ruppert averaging weighs every iterate since "
            "`start` equally, wbar_t = wbar_{t-1} + (w_t - wbar_{t-1}) / (t - start + 1)"),
    Variant(_ia_mean_of_all,
            "every row from `start` on holds the mean of ALL the iterates: row t averages only w_start .. w_t "
            "(a running average)"),
    Variant(_ia_wrong_axis,
            "the average runs over the coordinates (axis=1): average over the steps, the rows (axis=0)"),
]


def _average_cases(hidden: bool):
    rng = np.random.default_rng(1011 if hidden else 1010)
    # Noisy iterates around (1, -2) of two coordinates that differ: a mistake over axes shows.
    ws = np.array([1.0, -2.0]) + rng.normal(size=(12, 2)) * np.array([0.3, 1.0])
    ws[0] = [4.0, 3.0]
    cases = [
        Case("12 iterates (rows w_0 .. w_11) of 2 coordinates, start=3", {"ws": ws.round(3), "start": 3}),
        Case("the same iterates, start=0 (average from w_0)", {"ws": ws.round(3), "start": 0}),
    ]
    if hidden:
        for start in (1, 5, 9):
            n = int(rng.integers(start + 2, start + 9))
            d = int(rng.integers(1, 4))
            cases.append(Case(f"{n} random iterates of {d} coordinates, start={start}",
                              {"ws": rng.normal(size=(n, d)) * rng.uniform(0.5, 2, size=d), "start": start}))
        cases.append(Case("scalar iterates (shape (8,)), start=2", {"ws": np.arange(8.0) ** 2, "start": 2}))
        cases.append(Case("start = the last row (index 5): only that row is averaged",
                          {"ws": rng.normal(size=(6, 2)), "start": 5}))
    return cases


def check_iterate_average(iterate_average, hidden: bool = False) -> None:
    """``iterate_average(ws, start)``: the running Polyak-Ruppert averages of the rows of ``ws`` from ``start``."""
    check_function(iterate_average, reference_iterate_average, _average_cases(hidden), exercise="iterate_average",
                   returns=("wbar",), variants=_IA_VARIANTS, list_args=("ws",))


# ---------------------------------------------------------------------------
# early_stopping
# ---------------------------------------------------------------------------

def reference_early_stopping(val_losses, patience, min_delta):
    """``optimlab.stopping.stopping_epochs(val_losses, patience, min_delta)``: ``(stop_epoch, best_epoch)``."""
    return _stopping_epochs(val_losses, patience, min_delta)


def _es(losses, patience, min_delta, *, better=lambda l, best, d: l < best - d, stop=lambda wait, p: wait >= p,
        update_best="on_improve", base=1, last_epoch=False):
    # One parametrised early-stopping rule for the wrong variants; the defaults give the right answer.
    best, best_epoch, wait = math.inf, 0, 0
    for k, loss in enumerate(np.asarray(losses, dtype=float)):
        epoch = k + base
        if better(loss, best, min_delta):
            best, best_epoch, wait = loss, epoch, 0
        else:
            if update_best == "always" and loss < best:
                best = loss
            wait += 1
        if stop(wait, patience):
            return epoch, (epoch if last_epoch else best_epoch)
    end = len(losses) - 1 + base
    return end, (end if last_epoch else best_epoch)


def _es_zero_based(losses, patience, min_delta):
    return _es(losses, patience, min_delta, base=0)


def _es_le(losses, patience, min_delta):
    return _es(losses, patience, min_delta, better=lambda l, best, d: l <= best - d)


def _es_late(losses, patience, min_delta):
    return _es(losses, patience, min_delta, stop=lambda wait, p: wait > p)


def _es_no_min_delta(losses, patience, min_delta):
    return _es(losses, patience, min_delta, better=lambda l, best, d: l < best)


def _es_relative(losses, patience, min_delta):
    return _es(losses, patience, min_delta, better=lambda l, best, d: l < best * (1 - d))


def _es_best_always(losses, patience, min_delta):
    return _es(losses, patience, min_delta, update_best="always")


def _es_last_weights(losses, patience, min_delta):
    return _es(losses, patience, min_delta, last_epoch=True)


def _es_no_reset(losses, patience, min_delta):
    # Counts every epoch without an improvement, not only those in a row.
    best, best_epoch, bad = math.inf, 0, 0
    for epoch, loss in enumerate(np.asarray(losses, dtype=float), start=1):
        if loss < best - min_delta:
            best, best_epoch = loss, epoch
        else:
            bad += 1
        if bad >= patience:
            return epoch, best_epoch
    return len(losses), best_epoch


def _es_vs_previous(losses, patience, min_delta):
    losses = np.asarray(losses, dtype=float)
    prev, wait, best, best_epoch = math.inf, 0, math.inf, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < prev - min_delta:
            wait = 0
        else:
            wait += 1
        if loss < best:
            best, best_epoch = loss, epoch
        prev = loss
        if wait >= patience:
            return epoch, best_epoch
    return len(losses), best_epoch


def _es_global_argmin(losses, patience, min_delta):
    stop, _ = _stopping_epochs(losses, patience, min_delta)
    return stop, int(np.argmin(np.asarray(losses, dtype=float))) + 1


def _es_swapped(losses, patience, min_delta):
    stop, best = _stopping_epochs(losses, patience, min_delta)
    return best, stop


_ES_VARIANTS = [
    Variant(_es_zero_based,
            "the epochs are counted from 0: val_losses[0] is the loss after epoch 1, so epoch = index + 1"),
    Variant(_es_le,
            "a tie counts as an improvement (<=): an epoch improves only when loss < best - min_delta, strictly"),
    Variant(_es_late,
            "training stops one epoch late (wait > patience): it stops after the epoch where wait reaches "
            "patience, wait >= patience"),
    Variant(_es_no_min_delta,
            "min_delta is ignored: an improvement must be larger than min_delta, loss < best - min_delta"),
    Variant(_es_relative,
            "min_delta is used as a relative threshold, best * (1 - min_delta): it is absolute, best - min_delta "
            "(Keras's and optimlab.train's rule)"),
    Variant(_es_best_always,
            "best was lowered by an epoch that did not improve by more than min_delta: best (and best_epoch) move "
            "only when loss < best - min_delta"),
    Variant(_es_last_weights,
            "best_epoch is the epoch training stopped at: restoring the best weights keeps the epoch with the "
            "lowest loss (the last improvement), not the last epoch"),
    Variant(_es_no_reset,
            "wait is not reset to 0 when the loss improves: patience counts epochs without improvement IN A ROW"),
    Variant(_es_vs_previous,
            "the loss is compared with the previous epoch's, not with the best so far: an epoch improves when "
            "loss < best - min_delta"),
    Variant(_es_global_argmin,
            "best_epoch is the argmin of the whole list: training stopped earlier, so the epochs after "
            "stop_epoch were never run; look only at the epochs up to the stop"),
    Variant(_es_swapped, "the results are in the wrong order: return (stop_epoch, best_epoch)"),
]


def _stopping_cases(hidden: bool):
    L = np.array
    cases = [
        Case("losses falling, a plateau of small improvements, then rising; patience=3, min_delta=0.01",
             {"val_losses": L([1.0, 0.7, 0.55, 0.545, 0.542, 0.56, 0.52, 0.6, 0.65, 0.5]), "patience": 3,
              "min_delta": 0.01},
             note="0.545 and 0.542 improve on 0.55 by less than min_delta; 0.5 comes after the stop"),
        Case("a slow decline, by less than min_delta per epoch; patience=3, min_delta=0.01",
             {"val_losses": L([1.0, 0.996, 0.991, 0.984, 0.979, 0.976]), "patience": 3, "min_delta": 0.01},
             note="only epoch 4 improves on the best (1.0) by more than min_delta"),
        Case("a tie with the best, patience=2, min_delta=0",
             {"val_losses": L([0.9, 0.8, 0.8, 0.82, 0.7]), "patience": 2, "min_delta": 0.0},
             note="epoch 3 equals the best: not an improvement"),
        Case("never stops (the loss keeps falling): patience=2, min_delta=0",
             {"val_losses": L([2.0, 1.5, 1.6, 1.2, 1.0, 0.9]), "patience": 2, "min_delta": 0.0},
             note="the rule never fires: training runs to the last epoch, 6"),
        Case("improvement, dip, improvement; patience=4, min_delta=0.001",
             {"val_losses": L([0.5, 0.45, 0.46, 0.47, 0.44, 0.48, 0.49, 0.5, 0.51, 0.43, 0.42]), "patience": 4,
              "min_delta": 0.001}),
    ]
    if hidden:
        rng = np.random.default_rng(1012)
        for patience, min_delta in ((1, 0.0), (3, 0.02), (5, 0.005)):
            curve = 1.0 / (1 + 0.3 * np.arange(25)) + 0.004 * np.arange(25) + rng.normal(0, 0.02, 25)
            cases.append(Case(f"a noisy U-shaped validation curve of 25 epochs, patience={patience}, "
                              f"min_delta={min_delta}",
                              {"val_losses": curve.round(5), "patience": patience, "min_delta": min_delta}))
        cases.append(Case("one epoch only, patience=1", {"val_losses": L([0.3]), "patience": 1, "min_delta": 0.0}))
        cases.append(Case("constant loss, patience=3, min_delta=0",
                          {"val_losses": L([0.7] * 6), "patience": 3, "min_delta": 0.0},
                          note="epoch 1 improves on +inf; epochs 2-4 are ties: stop after epoch 4"))
        cases.append(Case("min_delta larger than every improvement after epoch 1, patience=2",
                          {"val_losses": L([1.0, 0.95, 0.91, 0.88, 0.86]), "patience": 2, "min_delta": 0.1}))
    return cases


def _require_int_epochs(early_stopping):
    """Named checks the engine cannot make: a ``None`` for "never stopped", floats for epochs."""
    losses = np.array([2.0, 1.5, 1.2])
    try:
        out = early_stopping(losses.copy(), 2, 0.0)
    except Exception:
        return  # the engine reports the crash with the learner's line
    if isinstance(out, tuple) and len(out) == 2 and out[0] is None:
        raise ExerciseFailure(
            "early_stopping, case never stops (losses [2.0, 1.5, 1.2], patience=2, min_delta=0): stop_epoch is "
            "None. When the rule never fires, training runs to the end: return the last epoch, len(val_losses) = 3")


def check_early_stopping(early_stopping, hidden: bool = False) -> None:
    """``early_stopping(val_losses, patience, min_delta)`` -> ``(stop_epoch, best_epoch)``, epochs from 1."""
    if callable(early_stopping):
        _require_int_epochs(early_stopping)
    check_function(early_stopping, reference_early_stopping, _stopping_cases(hidden), exercise="early_stopping",
                   returns=("stop_epoch", "best_epoch"), variants=_ES_VARIANTS, list_args=("val_losses",))
