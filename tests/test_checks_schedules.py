"""Notebook 10's checks and the library pieces behind it: the warm-up + cosine rate, iterate averaging
(optimlab.averaging), the early-stopping rule (optimlab.stopping, the one optimlab.train applies), the
learning-rate range test (optimlab.range_test) and the schedule explorer (optimlab.widgets.schedule).

The wrong answers and correct alternatives of autograder/mutants/10_schedules.py are run through the
notebook by tests/test_catalogue.py; here every one of them is also run directly on the check functions.
"""
import math

import numpy as np
import pytest

import optimlab
from optimlab import datasets, schedules
from optimlab.averaging import polyak_average
from optimlab.checks import ExerciseFailure
from optimlab.checks import schedules as checks
from optimlab.checks.engine import coinciding_variants
from optimlab.range_test import lr_range_test
from optimlab.stopping import stopping_epochs

import mutant_catalogue

catalogue = mutant_catalogue.load("10_schedules")

CHECKS = {"warmup_cosine_lr": checks.check_warmup_cosine_lr, "iterate_average": checks.check_iterate_average,
          "early_stopping": checks.check_early_stopping}
NAMES = {"warmup_cosine_lr": "warmup_cosine_lr", "iterate_average": "iterate_average",
         "early_stopping": "early_stopping"}


def define(code: str, name: str):
    return mutant_catalogue.define(code, name, optimlab=optimlab)


# --------------------------------------------------------------------------- values by hand

def test_warmup_cosine_hand_values():
    # lr0 = 0.2, W = 5, T = 25, lr_min = 0.01
    ref = lambda t: checks.reference_warmup_cosine_lr(t, 0.2, 5, 25, 0.01)
    assert ref(1) == pytest.approx(0.04, abs=1e-15)          # lr0 / W: the first step moves
    assert ref(5) == pytest.approx(0.2, abs=1e-15)           # t = W: the full rate
    assert ref(6) == pytest.approx(0.2, abs=1e-15)           # t = W + 1: s = 0
    assert ref(16) == pytest.approx(0.01 + 0.19 * 0.5, abs=1e-15)    # s = 10/20: the middle
    assert ref(25) == pytest.approx(0.01 + 0.19 * 0.5 * (1 + math.cos(math.pi * 19 / 20)), abs=1e-15)
    assert ref(25) > 0.01 and ref(26) == 0.01 and ref(100) == 0.01
    # W = 0 is cosine_decay, step t = schedule(t - 1)
    c = schedules.cosine_decay(0.05, 12, 0.001)
    for t in range(1, 15):
        assert checks.reference_warmup_cosine_lr(t, 0.05, 0, 12, 0.001) == pytest.approx(c(t - 1), rel=1e-14)


def test_polyak_average_hand_values():
    ws = np.array([[4.0, 0.0], [2.0, 2.0], [0.0, 4.0], [6.0, 2.0]])
    out = polyak_average(ws, start=1)
    np.testing.assert_array_equal(out, [[4, 0], [2, 2], [1, 3], [8 / 3, 8 / 3]])
    np.testing.assert_array_equal(polyak_average(ws), [[4, 0], [3, 1], [2, 2], [3, 2]])
    np.testing.assert_array_equal(polyak_average(ws, start=10), ws)
    np.testing.assert_array_equal(polyak_average([1.0, 3.0, 8.0], 0), [1, 2, 4])    # 1-D, a list
    assert polyak_average(ws, 1) is not ws and ws[2, 0] == 0.0                       # a new array


def test_polyak_average_bad_input():
    with pytest.raises(ValueError, match="start"):
        polyak_average(np.zeros((3, 2)), -1)
    with pytest.raises(ValueError, match=r"shape \(T \+ 1,\) or \(T \+ 1, n\)"):
        polyak_average(np.zeros((3, 2, 2)), 0)
    with pytest.raises(ValueError, match="ws"):
        polyak_average([[1.0, np.nan]], 0)


def test_stopping_epochs_hand_values():
    assert stopping_epochs([1.0, 0.7, 0.55, 0.545, 0.542, 0.56, 0.52], 3, 0.01) == (6, 3)
    assert stopping_epochs([0.9, 0.8, 0.8, 0.82, 0.7], 2, 0.0) == (4, 2)       # a tie is no improvement
    assert stopping_epochs([2.0, 1.5, 1.6, 1.2, 1.0], 2, 0.0) == (5, 5)       # never fires
    assert stopping_epochs([0.3], 1) == (1, 1)
    with pytest.raises(ValueError, match="patience"):
        stopping_epochs([1.0], 0)
    with pytest.raises(ValueError, match="min_delta"):
        stopping_epochs([1.0], 1, -0.1)
    with pytest.raises(ValueError, match="nan at epoch 2"):
        stopping_epochs([1.0, float("nan")], 1)


@pytest.mark.parametrize("patience, min_delta", [(1, 0.0), (3, 0.0), (4, 0.01), (8, 0.002)])
def test_train_stops_where_stopping_epochs_says(patience, min_delta):
    # The notebook's overfitting network: train's own rule and the pure rule on its validation losses agree.
    d = datasets.digits()
    X, Xv, y, yv = datasets.train_val_split(d.X / 16.0, d.y, val_fraction=0.3, seed=0)
    mlp = optimlab.MLP([64, 16, 10], "relu")
    full = optimlab.train(mlp, "adam", X[:40], y[:40], epochs=60, lr=0.03, X_val=Xv[:200], y_val=yv[:200],
                          progress=False)
    stop, best = stopping_epochs(full.val_loss[1:], patience, min_delta)
    es = optimlab.train(mlp, "adam", X[:40], y[:40], epochs=60, lr=0.03, X_val=Xv[:200], y_val=yv[:200],
                        progress=False, early_stopping=optimlab.EarlyStopping(patience, min_delta))
    assert (es.epochs_run, es.best_epoch) == (stop, best)
    assert es.stopped_early == (stop < 60)
    if es.stopped_early:
        np.testing.assert_allclose(mlp.loss(es.w, Xv[:200], yv[:200]), full.val_loss[best], rtol=1e-12)


# --------------------------------------------------------------------------- the range test

def test_range_test_rates_and_readings():
    d = datasets.digits()
    mlp = optimlab.MLP([64, 16, 10], "relu")
    r = lr_range_test(mlp, "momentum", d.X[:320] / 16.0, d.y[:320], lr_min=1e-3, lr_max=100.0, steps=80,
                      batch_size=64, beta=0.9)
    k = len(r.lrs)
    np.testing.assert_allclose(r.lrs, 1e-3 * (1e5) ** (np.arange(k) / 79), rtol=1e-12)
    assert r.stopped_early and k < 80            # the loss blew up before lr_max
    # the smoothed loss is the bias-corrected EMA of the recorded losses
    avg, sm = 0.0, []
    for i, loss in enumerate(r.losses):
        avg = 0.9 * avg + 0.1 * loss
        sm.append(avg / (1 - 0.9 ** (i + 1)))
    np.testing.assert_allclose(r.smoothed, sm, rtol=1e-12)
    assert r.smoothed[-1] > 4 * r.smoothed.min()
    assert r.lr_at_min == r.lrs[int(np.argmin(r.smoothed))] and r.suggestion == r.lr_at_min / 10
    assert r.lrs[0] < r.lr_steepest <= r.lr_at_min
    assert r.losses[0] == pytest.approx(mlp.loss(mlp.init_params(0), d.X[:320] / 16.0, d.y[:320]), rel=0.3)


def test_range_test_bad_input():
    m = optimlab.LinearRegression()
    X, y = np.arange(5.0), np.arange(5.0)
    with pytest.raises(ValueError, match="lr_max"):
        lr_range_test(m, "gd", X, y, lr_min=1.0, lr_max=0.5)
    with pytest.raises(ValueError, match="diverge_factor"):
        lr_range_test(m, "gd", X, y, diverge_factor=1.0)
    with pytest.raises(TypeError, match="model"):
        lr_range_test("mlp", "gd", X, y)


# --------------------------------------------------------------------------- the checks

def test_references_pass_their_checks():
    for name, check in CHECKS.items():
        ref = getattr(checks, f"reference_{name}")
        check(ref)
        check(ref, hidden=True)


@pytest.mark.parametrize("name, cases, returns", [
    ("warmup_cosine_lr", checks._schedule_cases(False), ("lr",)),
    ("iterate_average", checks._average_cases(False), ("wbar",)),
    ("early_stopping", checks._stopping_cases(False), ("stop_epoch", "best_epoch")),
])
def test_every_variant_shows_in_the_visible_cases(name, cases, returns):
    ref = getattr(checks, f"reference_{name}")
    variants = {"warmup_cosine_lr": checks._WC_VARIANTS, "iterate_average": checks._IA_VARIANTS,
                "early_stopping": checks._ES_VARIANTS}[name]
    for v in variants:
        assert any(("reference", v.hint) not in coinciding_variants(ref, [v], c, returns) for c in cases), v.hint


@pytest.mark.parametrize("entry", catalogue.MUTANTS, ids=lambda e: f"{e['exercise']}-{e['name']}")
def test_wrong_answer_fails_with_its_name(entry):
    fn = define(entry["code"], NAMES[entry["exercise"]])
    with pytest.raises(ExerciseFailure) as info:
        CHECKS[entry["exercise"]](fn)
    assert entry["expect"] in str(info.value)


@pytest.mark.parametrize("entry", catalogue.CORRECT, ids=lambda e: f"{e['exercise']}-{e['name']}")
def test_correct_alternative_passes(entry):
    fn = define(entry["code"], NAMES[entry["exercise"]])
    CHECKS[entry["exercise"]](fn)
    CHECKS[entry["exercise"]](fn, hidden=True)


def test_catalogue_size():
    for name in CHECKS:
        assert sum(e["exercise"] == name for e in catalogue.MUTANTS) >= 8
        assert sum(e["exercise"] == name for e in catalogue.CORRECT) >= 3


def test_unfinished_exercise_is_reported():
    def warmup_cosine_lr(t, lr0, warmup_steps, total_steps, lr_min):
        raise NotImplementedError()
    with pytest.raises(ExerciseFailure, match="not implemented"):
        checks.check_warmup_cosine_lr(warmup_cosine_lr)


# --------------------------------------------------------------------------- the explorer

def test_schedule_explorer_static(tmp_path):
    from optimlab.widgets.schedule import SCHEDULES, schedule_explorer

    ex = schedule_explorer("warmup_cosine", lr=3.0, epochs=4, static=True)
    assert ex.widget is None and ex.total == 40
    h = ex.history
    expected = [schedules.warmup_cosine(3.0, 5, 40, 0.01)(t) for t in range(40)]
    np.testing.assert_allclose(h.lr, expected, rtol=1e-12)
    np.testing.assert_allclose(ex.lr_line.get_data()[1], expected, rtol=1e-12)
    assert np.all(ex.baseline.lr == 3.0)
    png = ex.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    texts = ex.notes.visible_texts
    assert texts[0].startswith("warmup_cosine(lr0=3, warmup_steps=5, lr_min=0.01)") and "validation accuracy" in texts[1]
    for name in SCHEDULES:
        ex.set(schedule=name)
        assert len(ex.history.lr) == 40 and np.all(ex.history.lr > 0)
    ex.set(schedule="ReduceLROnPlateau", factor=0.5, patience=0)
    assert "lowered the rate" in ex.notes.visible_texts[0]
    ex.set(schedule="step_decay", step_size=10, gamma=0.5)
    np.testing.assert_allclose(ex.history.lr, [3.0 * 0.5 ** (t // 10) for t in range(40)])
    with pytest.raises(ValueError, match="has no parameter"):
        ex.set(k=0.1)
    with pytest.raises(ValueError, match="not known"):
        schedule_explorer("linear")


def test_schedule_explorer_widgets():
    pytest.importorskip("ipympl")
    from optimlab.widgets.schedule import schedule_explorer

    ex = schedule_explorer("cosine_decay", lr=2.0, epochs=3, static=False)
    assert ex.widget is not None
    before = ex.history.lr.copy()
    ex.lr_slider.value = 1.0
    assert ex.lr == 1.0 and not np.allclose(ex.history.lr, before)
    ex.schedule_dropdown.value = "step_decay"
    assert set(ex.param_sliders) == {"step_size", "gamma"}
    ex.param_sliders["gamma"].value = 0.25
    assert ex.params["step_decay"]["gamma"] == 0.25
    assert ex.history.lr[-1] == pytest.approx(1.0 * 0.25 ** (29 // 20))
