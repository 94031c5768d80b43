r"""Checks for notebook 14, choosing an optimizer fairly: ``best_lr``, ``summarise`` and ``train_switch``.

The exercises, with the rules the learner implements (:mod:`optimlab.compare` is the reference):

.. code-block:: text

    best_lr(lrs, losses)            losses[i]: final loss of the run at lrs[i] (grid in any order)
        the lr of the lowest finite loss (nan, inf: diverged, left out); of equal losses the smaller lr
        = optimlab.compare.best_lr
    summarise(curves)               curves[s, e]: loss of seed s after e epochs
        mean = curves.mean(axis=0)            the mean curve, one entry per epoch
        std  = curves.std(axis=0, ddof=1)     over the seeds, the sample standard deviation
        best = curves[:, -1].min()            the best seed's final loss
        = optimlab.compare.summarise
    train_switch(grad, loss, w0, epochs, switch_epoch, adam_lr, sgd_lr)     epochs e = 1 .. epochs
        g = grad(w) (the full-batch gradient, one step per epoch)
        e <= switch_epoch: Adam (t = e, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, lr = adam_lr)
        e >  switch_epoch: w = w - sgd_lr * g
        -> (w, losses), losses[e] = loss(w_e), e = 0 .. epochs
        = optimlab.compare.switch_run

The learning-rate cases hold diverged runs (``nan``, ``inf``) at the large rates, a ``nan`` before the
minimum of a grid given from large to small, ties, and a maximum away from the grid's ends. The
curves over seeds have more epochs than seeds (so an axis mistake changes the shape), a seed whose
loss rises at the end (so the lowest loss of a run is not its final one) and a mean curve whose
minimum is not its last entry. The switch cases start from non-zero weights, switch in the middle,
and (hidden) at 0 and at the last epoch, on Iris and on digits, with a softmax regression and an MLP.

The ``check_*`` functions print a one-line success message and return ``None``.
"""
from __future__ import annotations

import copy

import numpy as np

from .. import compare as _compare
from ..compare import switch_run as _switch_run
from ..optimizers import adam_step as _adam_step
from .engine import Case, ExerciseFailure, Variant, check_function, _call, _require_callable

__all__ = ["reference_best_lr", "reference_summarise", "reference_train_switch", "check_best_lr",
           "check_summarise", "check_train_switch"]


# ---------------------------------------------------------------------------
# best_lr
# ---------------------------------------------------------------------------

def reference_best_lr(lrs, losses):
    """:func:`optimlab.compare.best_lr`."""
    return _compare.best_lr(lrs, losses)


def _finite_pick(lrs, losses, *, tie="smallest"):
    lrs, losses = np.asarray(lrs, float), np.asarray(losses, float)
    ok = np.isfinite(losses)
    low = losses[ok].min()
    tied = np.flatnonzero(ok & (losses == low))
    i = {"smallest": tied[np.argmin(lrs[tied])], "first": tied[0], "last": tied[-1],
         "largest": tied[np.argmax(lrs[tied])]}[tie]
    return lrs, losses, ok, int(i)


def _v_argmax(lrs, losses):
    lrs, losses, ok, _ = _finite_pick(lrs, losses)
    return float(lrs[np.flatnonzero(ok)[np.argmax(losses[ok])]])


def _v_nan_argmin(lrs, losses):
    return float(np.asarray(lrs, float)[np.argmin(np.asarray(losses, float))])


def _v_nan_to_num(lrs, losses):
    return float(np.asarray(lrs, float)[np.argmin(np.nan_to_num(np.asarray(losses, float)))])


def _v_filtered_index(lrs, losses):
    losses = np.asarray(losses, float)
    return float(np.asarray(lrs, float)[np.argmin(losses[np.isfinite(losses)])])


def _v_tie(which):
    def fn(lrs, losses):
        lrs, _, _, i = _finite_pick(lrs, losses, tie=which)
        return float(lrs[i])
    return fn


def _v_index(lrs, losses):
    return float(_finite_pick(lrs, losses)[3])


def _v_loss(lrs, losses):
    lrs, losses, _, i = _finite_pick(lrs, losses)
    return float(losses[i])


def _v_last_lr(lrs, losses):
    return float(np.asarray(lrs, float)[-1])


def _v_largest_stable(lrs, losses):
    lrs, losses = np.asarray(lrs, float), np.asarray(losses, float)
    return float(lrs[np.isfinite(losses)].max())


_LR_VARIANTS = [
    Variant(_v_argmax, "np.argmax where the lowest loss is wanted: the best learning rate is the one with the "
                       "smallest final loss (np.argmin, or min)"),
    Variant(_v_nan_argmin, "a diverged run (nan) was not left out: np.argmin (and np.min) return the position of "
                           "a nan when there is one. Keep only the finite losses first (np.isfinite), or use "
                           "np.nanargmin and treat inf as diverged too"),
    Variant(_v_nan_to_num, "np.nan_to_num turned a diverged run's nan into 0, the lowest loss of all: leave "
                           "non-finite losses out (np.isfinite) instead of replacing them"),
    Variant(_v_filtered_index, "the position was found in the filtered losses (losses[np.isfinite(losses)]) but "
                               "used to index the unfiltered lrs: filter lrs with the same mask, "
                               "lrs[finite][np.argmin(losses[finite])]"),
    Variant(_v_tie("last"), "of equal losses you kept the last one (a `<=` comparison, or a reversed search): "
                            "keep the smaller learning rate, the safer choice"),
    Variant(_v_tie("first"), "of equal losses you kept the first on the grid, but the grid here runs from large "
                             "to small: keep the smaller learning rate of the tied ones, whatever the grid's order"),
    Variant(_v_tie("largest"), "of equal losses you kept the larger learning rate: keep the smaller, the safer "
                               "choice"),
    Variant(_v_index, "you returned the position in the grid (an index), not the learning rate: return "
                      "lrs[i]"),
    Variant(_v_loss, "you returned the lowest loss, not the learning rate that reached it"),
    Variant(_v_last_lr, "you returned the last learning rate of the grid (the last one tried), not the best"),
    Variant(_v_largest_stable, "you returned the largest learning rate that did not diverge: near the edge of "
                               "stability a run is usually worse than at a smaller rate; compare the losses"),
]


def _lr_cases(hidden: bool):
    grid = _compare.log_grid(1e-3, 1.0, 2)
    cases = [
        Case("an ascending grid, every run finite", {"lrs": grid,
             "losses": np.array([2.1, 1.4, 0.62, 0.31, 0.27, 0.9, 0.5])}),
        Case("the largest rates diverged (nan, inf)", {"lrs": grid,
             "losses": np.array([1.9, 0.8, 0.35, 0.12, 0.16, np.inf, np.nan])}),
        Case("a grid from large to small, a nan first", {"lrs": grid[::-1].copy(),
             "losses": np.array([np.nan, np.inf, 0.2, 0.08, 0.3, 0.7, 1.5])}),
        Case("two rates tie", {"lrs": grid[:5].copy(), "losses": np.array([0.9, 0.4, 0.25, 0.25, 0.6])},
             note="of equal losses the smaller lr wins"),
        Case("two rates tie on a grid from large to small", {"lrs": grid[:5][::-1].copy(),
             "losses": np.array([np.nan, 0.3, 0.3, 0.5, 0.8])}, note="of equal losses the smaller lr wins"),
    ]
    if hidden:
        rng = np.random.default_rng(1414)
        fine = _compare.log_grid(1e-4, 10.0, 3)
        losses = np.abs(np.log10(fine) + 1.3) + rng.uniform(0.01, 0.05, fine.size)
        losses[fine > 2.0] = np.nan
        losses[np.argmax(fine > 1.0)] = np.inf
        cases += [
            Case("a fine grid, 16 rates, the last ones diverged", {"lrs": fine, "losses": losses}),
            Case("one finite run", {"lrs": np.array([0.01, 0.1, 1.0]), "losses": np.array([np.nan, np.nan, 0.7])[::-1]
                                    .copy()}),
            Case("three rates tie", {"lrs": np.array([0.3, 0.03, 0.1, 0.01]),
                                     "losses": np.array([0.2, 0.2, 0.2, 0.9])}),
        ]
    return cases


def check_best_lr(best_lr, hidden: bool = False) -> None:
    """``best_lr(lrs, losses)`` -> the ``lr`` of the lowest finite loss; of ties, the smallest ``lr``."""
    check_function(best_lr, reference_best_lr, _lr_cases(hidden), exercise="best_lr", returns=("lr",),
                   variants=_LR_VARIANTS, list_args=("lrs", "losses"))


# ---------------------------------------------------------------------------
# summarise
# ---------------------------------------------------------------------------

def reference_summarise(curves):
    """``(mean, std, best)`` of :func:`optimlab.compare.summarise` (``ddof=1``)."""
    s = _compare.summarise(curves)
    return s.mean, s.std, s.best


def _summ(curves, *, mean="mean", std="ddof1", best="final_min"):
    c = np.asarray(curves, float)
    m = {"mean": c.mean(axis=0), "median": np.median(c, axis=0)}[mean]
    s = {"ddof1": c.std(axis=0, ddof=1), "ddof0": c.std(axis=0), "var": c.var(axis=0, ddof=1),
         "var0": c.var(axis=0), "sem": c.std(axis=0, ddof=1) / np.sqrt(c.shape[0]),
         "range": c.max(axis=0) - c.min(axis=0)}[std]
    b = {"final_min": c[:, -1].min(), "all_min": c.min(), "mean_min": c.mean(axis=0).min(),
         "argmin": float(np.argmin(c[:, -1])), "final_max": c[:, -1].max(), "mean_final": c[:, -1].mean(),
         "run_min_mean": c.min(axis=1).mean()}[best]
    return m, s, float(b)


def _sv(hint, **kw):
    return Variant(lambda curves, kw=kw: _summ(curves, **kw), hint)


_SUMMARY_VARIANTS = [
    _sv("np.std's default ddof=0 divides by the number of seeds n; the spread of a few seeds is the sample "
        "standard deviation, dividing by n - 1: np.std(curves, axis=0, ddof=1)", std="ddof0"),
    _sv("the variance (np.var), not the standard deviation: take its square root, or use np.std(..., ddof=1)",
        std="var"),
    _sv("the variance with ddof=0, not the standard deviation with ddof=1: np.std(curves, axis=0, ddof=1)",
        std="var0"),
    _sv("the standard error of the mean, std / sqrt(n): the bands show the spread of the runs, the standard "
        "deviation itself", std="sem"),
    _sv("the range (max - min) over the seeds, not the standard deviation", std="range"),
    _sv("the median over the seeds, not the mean", mean="median"),
    _sv("`best` is the lowest loss of any seed at any epoch (curves.min()); the best seed's final loss is "
        "curves[:, -1].min(): a run can be lower earlier and rise again", best="all_min"),
    _sv("`best` is the minimum of the mean curve: it is the best seed's final loss, curves[:, -1].min()",
        best="mean_min"),
    _sv("`best` is the index of the best seed (np.argmin), not its final loss", best="argmin"),
    _sv("`best` is the largest final loss (max instead of min)", best="final_max"),
    _sv("`best` is the mean of the final losses, the last entry of the mean curve, not the best seed's",
        best="mean_final"),
    _sv("`best` is the mean of each seed's lowest loss, not the best seed's final loss", best="run_min_mean"),
]


def _curves(rng, n_seeds, n_epochs):
    e = np.arange(n_epochs + 1)
    rates = rng.uniform(0.25, 0.6, (n_seeds, 1))
    c = 0.2 + 2.0 * np.exp(-rates * e) + rng.uniform(0.0, 0.05, (n_seeds, n_epochs + 1))
    c[0, -3:] = [0.1, 0.35, 0.6]      # one seed dips lowest of all, then rises: its lowest is not its final loss
    c[:, 0] = 2.3                     # every run starts from the same loss: std 0 at epoch 0
    return np.round(c, 4)


def _summary_cases(hidden: bool):
    rng = np.random.default_rng(14 if not hidden else 1414)
    cases = [Case("5 seeds, 8 epochs", {"curves": _curves(rng, 5, 8)}),
             Case("6 seeds, 11 epochs", {"curves": _curves(rng, 6, 11)})]
    if hidden:
        cases += [Case("2 seeds, 4 epochs", {"curves": _curves(rng, 2, 4)}),
                  Case("10 seeds, 20 epochs", {"curves": _curves(rng, 10, 20)})]
    return cases


def _axis_check(fn, cases):
    # Before the numbers: a mean or std with one entry per seed was taken over the epochs (axis=1).
    for case in cases:
        curves = case.inputs["curves"]
        n_seeds, n_points = curves.shape
        got = _call(fn, "summarise", case.label, {"curves": curves.copy()})
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            return
        for name, value in zip(("mean", "std"), got[:2]):
            if np.shape(value) == (n_seeds,):
                raise ExerciseFailure(
                    f"summarise, case {case.label} (curves of shape {curves.shape}, one row per seed): `{name}` has "
                    f"shape ({n_seeds},), one entry per seed, but it should have one entry per epoch, shape "
                    f"({n_points},).\nLikely mistake: `{name}` was taken over the wrong axis: axis=1 runs along a "
                    f"row, over the epochs of one seed; the spread between seeds is over the rows, axis=0")


def check_summarise(summarise, hidden: bool = False) -> None:
    """``summarise(curves)`` -> ``(mean, std, best)``: over the seeds (axis 0), std with ddof=1."""
    _require_callable(summarise, "summarise")
    cases = _summary_cases(hidden)
    _axis_check(summarise, cases)
    check_function(summarise, reference_summarise, cases, exercise="summarise", returns=("mean", "std", "best"),
                   variants=_SUMMARY_VARIANTS)


# ---------------------------------------------------------------------------
# train_switch
# ---------------------------------------------------------------------------

def reference_train_switch(grad, loss, w0, epochs, switch_epoch, adam_lr, sgd_lr):
    """:func:`optimlab.compare.switch_run` with Adam's (torch) defaults beta1=0.9, beta2=0.999, eps=1e-8."""
    return _switch_run(grad, loss, w0, int(epochs), int(switch_epoch), adam_lr, sgd_lr)


def _switch(grad, loss, w0, epochs, switch_epoch, adam_lr, sgd_lr, *, adam_epochs=None, t0=1, sgd="plain",
            lr_a=None, lr_s=None, sgd_from="adam", record="after", correct=True, order="adam_first"):
    # One parametrised Adam-then-SGD run for the wrong variants; the defaults give the right one.
    epochs, switch_epoch = int(epochs), int(switch_epoch)
    k = switch_epoch if adam_epochs is None else adam_epochs(switch_epoch)
    lr_a = adam_lr if lr_a is None else {"sgd": sgd_lr}[lr_a]
    lr_s = sgd_lr if lr_s is None else {"adam": adam_lr}[lr_s]
    w = np.array(w0, dtype=float)
    m, V = np.zeros_like(w), np.zeros_like(w)
    losses = [float(loss(w))]
    for e in range(1, epochs + 1):
        g = np.asarray(grad(w), dtype=float)
        use_adam = (e <= k) if order == "adam_first" else (e > epochs - k)
        if use_adam:
            t = e - 1 + t0
            if correct:
                w, m, V = _adam_step(w, m, V, g, t, lr_a, 0.9, 0.999, 1e-8)
            else:
                m = 0.9 * m + 0.1 * g
                V = 0.999 * V + 0.001 * g**2
                w = w - lr_a * m / (np.sqrt(V) + 1e-8)
        else:
            if sgd_from == "w0" and e == k + 1:
                w = np.array(w0, dtype=float)
            if sgd == "plain":
                w = w - lr_s * g
            elif sgd == "momentum":
                m = 0.9 * m + 0.1 * g
                w = w - lr_s * m
            elif sgd == "scaled":      # Adam's last V kept as a preconditioner
                w = w - lr_s * g / (np.sqrt(V) + 1e-8)
        losses.append(float(loss(w)))
    if record == "before":
        losses = losses[:-1]
    elif record == "no_start":
        losses = losses[1:]
    return w, np.array(losses)


def _tv(hint, **kw):
    return Variant(lambda grad, loss, w0, epochs, switch_epoch, adam_lr, sgd_lr, kw=kw:
                   _switch(grad, loss, w0, epochs, switch_epoch, adam_lr, sgd_lr, **kw), hint)


_SWITCH_VARIANTS = [
    _tv("Adam ran one epoch too long (switch_epoch + 1 epochs; a 0-based loop with `e <= switch_epoch`?): Adam "
        "takes epochs 1 .. switch_epoch, SGD starts at epoch switch_epoch + 1", adam_epochs=lambda s: s + 1),
    _tv("Adam ran one epoch too short (switch_epoch - 1 epochs; `e < switch_epoch` with e from 1?): Adam takes "
        "epochs 1 .. switch_epoch", adam_epochs=lambda s: max(s - 1, 0)),
    _tv("Adam's step counter started at t = 0 (1 - beta1**0 = 0 divides by zero): the first Adam step has t = 1",
        t0=0),
    _tv("Adam's step counter started at t = 2: the first Adam step has t = 1", t0=2),
    _tv("Adam without its bias correction (m_hat = m / (1 - beta1**t), V_hat = V / (1 - beta2**t)): call "
        "optimlab.adam_step, which applies it", correct=False),
    _tv("after the switch the first moment m was kept (SGD with momentum): the SGD phase is plain SGD, "
        "w = w - sgd_lr * g, Adam's m and V are dropped", sgd="momentum"),
    _tv("after the switch the step was still divided by Adam's sqrt(V): plain SGD is w = w - sgd_lr * g",
        sgd="scaled"),
    _tv("SGD used adam_lr: after the switch the rate is sgd_lr", lr_s="adam"),
    _tv("Adam used sgd_lr: before the switch the rate is adam_lr", lr_a="sgd"),
    _tv("the SGD phase started again from w0: it continues from Adam's last weights", sgd_from="w0"),
    _tv("SGD ran first and Adam last: Adam takes the first switch_epoch epochs, then SGD", order="sgd_first"),
]


def _switch_length_check(fn, case, expected_losses, got):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return
    losses = np.asarray(got[1], dtype=float) if np.ndim(got[1]) == 1 else None
    if losses is None or losses.shape == expected_losses.shape:
        return
    n = len(expected_losses) - 1
    if losses.shape == (n,):
        if np.allclose(losses, expected_losses[1:], rtol=1e-7, atol=1e-10):
            why = ("the loss before training (epoch 0, loss(w0)) is missing: `losses` starts with it, "
                   "then one entry after each epoch")
        elif np.allclose(losses, expected_losses[:-1], rtol=1e-7, atol=1e-10):
            why = ("each loss was recorded before its step, so the loss after the last epoch is missing: record "
                   "loss(w0) first, then the loss after every step")
        else:
            why = "`losses` needs epochs + 1 entries: the loss before training, then one after every epoch"
        raise ExerciseFailure(f"train_switch, case {case.label}: `losses` has {n} entries, it should have epochs + 1 "
                              f"= {n + 1}.\nLikely mistake: {why}")


def _problem(model, X, y):
    # The full-batch gradient and loss of a model on (X, y), as the exercise receives them.
    def grad(w):
        return model.grad(w, X, y)

    def loss(w):
        return model.loss(w, X, y)
    return grad, loss


def _switch_cases(hidden: bool):
    from ..datasets import digits, iris
    from ..models import MLP, SoftmaxRegression

    d = iris()
    X = (d.X - d.X.mean(axis=0)) / d.X.std(axis=0)
    rng = np.random.default_rng(14)
    soft = SoftmaxRegression(4, 3)
    g_iris, l_iris = _problem(soft, X, d.y)
    g_40, l_40 = _problem(soft, X[::4].copy(), d.y[::4].copy())
    cases = [
        Case("Iris, softmax regression, 10 epochs, switch after 6",
             {"grad": g_iris, "loss": l_iris, "w0": rng.normal(0.0, 0.3, 15), "epochs": 10, "switch_epoch": 6,
              "adam_lr": 0.05, "sgd_lr": 0.3}),
        Case("Iris, 40 rows, 6 epochs, switch after 2",
             {"grad": g_40, "loss": l_40, "w0": rng.normal(0.0, 0.3, 15), "epochs": 6, "switch_epoch": 2,
              "adam_lr": 0.1, "sgd_lr": 0.8}),
    ]
    if hidden:
        g = digits()
        g_dig, l_dig = _problem(SoftmaxRegression(64, 10), g.X[:200] / 16.0, g.y[:200].copy())
        mlp = MLP([4, 5, 3], "tanh")
        g_mlp, l_mlp = _problem(mlp, X, d.y)
        cases += [
            Case("digits, 200 rows, softmax regression, 5 epochs, switch after 3",
                 {"grad": g_dig, "loss": l_dig, "w0": rng.normal(0.0, 0.05, 650), "epochs": 5, "switch_epoch": 3,
                  "adam_lr": 0.02, "sgd_lr": 0.5}),
            Case("Iris, an MLP 4-5-3, 8 epochs, switch after 4",
                 {"grad": g_mlp, "loss": l_mlp, "w0": mlp.init_params(3), "epochs": 8, "switch_epoch": 4,
                  "adam_lr": 0.03, "sgd_lr": 0.2}),
            Case("switch_epoch = 0: SGD throughout",
                 {"grad": g_iris, "loss": l_iris, "w0": rng.normal(0.0, 0.3, 15), "epochs": 4, "switch_epoch": 0,
                  "adam_lr": 0.05, "sgd_lr": 0.3}),
            Case("switch_epoch = epochs: Adam throughout",
                 {"grad": g_iris, "loss": l_iris, "w0": rng.normal(0.0, 0.3, 15), "epochs": 4, "switch_epoch": 4,
                  "adam_lr": 0.05, "sgd_lr": 0.3}),
        ]
    return cases


def check_train_switch(train_switch, hidden: bool = False) -> None:
    """``train_switch(grad, loss, w0, epochs, switch_epoch, adam_lr, sgd_lr)`` -> ``(w, losses)``."""
    _require_callable(train_switch, "train_switch")
    cases = _switch_cases(hidden)
    for case in cases:
        got = _call(train_switch, "train_switch", case.label, copy.deepcopy(case.inputs))
        _switch_length_check(train_switch, case, reference_train_switch(*case.inputs.values())[1], got)
    check_function(train_switch, reference_train_switch, cases, exercise="train_switch", returns=("w", "losses"),
                   variants=_SWITCH_VARIANTS, rtol=1e-7, atol=1e-10)
