"""optimlab.checks.capstone: the reference answers pass, every known wrong variant is named, the cases separate them."""
import numpy as np
import pytest

from optimlab import compare
from optimlab.checks import capstone as C
from optimlab.checks.engine import ExerciseFailure, coinciding_variants

CHECKS = [(C.check_best_lr, C.reference_best_lr, C._LR_VARIANTS, C._lr_cases, ("lr",)),
          (C.check_summarise, C.reference_summarise, C._SUMMARY_VARIANTS, C._summary_cases, ("mean", "std", "best")),
          (C.check_train_switch, C.reference_train_switch, C._SWITCH_VARIANTS, C._switch_cases, ("w", "losses"))]


@pytest.mark.parametrize("check, reference, variants, cases, returns", CHECKS)
@pytest.mark.parametrize("hidden", [False, True])
def test_reference_passes(check, reference, variants, cases, returns, hidden, capsys):
    check(reference, hidden=hidden)
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize("check, reference, variants, cases, returns", CHECKS)
def test_every_variant_is_named(check, reference, variants, cases, returns):
    for v in variants:
        if "t = 0" in v.hint:   # optimlab.adam_step refuses t = 0 itself; a learner's own Adam gives nan
            continue
        with pytest.raises(ExerciseFailure) as info:
            check(v.fn)
        assert v.hint in str(info.value), (v.hint, str(info.value))


def test_no_two_lr_variants_coincide_on_the_cases_that_test_them():
    cases = C._lr_cases(False)
    for v in C._LR_VARIANTS:
        named = [c for c in cases if not coinciding_variants(C.reference_best_lr, [v], c, ("lr",))]
        assert named, v.hint


def test_first_summary_case_separates_every_variant():
    assert coinciding_variants(C.reference_summarise, C._SUMMARY_VARIANTS, C._summary_cases(False)[0],
                               ("mean", "std", "best")) == []


def test_references_are_the_library():
    lrs, losses = np.array([0.1, 0.01, 1.0]), np.array([0.3, 0.3, np.nan])
    assert C.reference_best_lr(lrs, losses) == 0.01
    curves = np.array([[1.0, 0.5], [1.0, 0.3], [1.0, 0.4]])
    mean, std, best = C.reference_summarise(curves)
    np.testing.assert_allclose(mean, [1.0, 0.4]) and np.testing.assert_allclose(std, [0.0, 0.1])
    assert best == 0.3


def test_wrong_axis_and_missing_start_loss_are_named():
    with pytest.raises(ExerciseFailure, match="wrong axis"):
        C.check_summarise(lambda c: (c.mean(axis=1), c.std(axis=1, ddof=1), c[:, -1].min()))
    with pytest.raises(ExerciseFailure, match="only the last entry"):
        C.check_summarise(lambda c: (c[:, -1].mean(), c.std(axis=0, ddof=1), c[:, -1].min()))

    def no_start(grad, loss, w0, epochs, switch_epoch, adam_lr, sgd_lr):
        w, losses = compare.switch_run(grad, loss, w0, epochs, switch_epoch, adam_lr, sgd_lr)
        return w, losses[1:]
    with pytest.raises(ExerciseFailure, match=r"loss before training \(epoch 0"):
        C.check_train_switch(no_start)
