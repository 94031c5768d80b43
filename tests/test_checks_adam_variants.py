"""The checks of notebook 09 (Adam's failures and repairs): the reference passes, hand-computed values,
every wrong answer of the catalogue is caught and named, every correct alternative passes; and the
numbers the notebook's text states.

The catalogue (autograder/mutants/09_adam_variants.py) is written the way learners write code,
independently of the variants inside optimlab.checks.adam_variants.
"""
import math

import numpy as np
import pytest

import optimlab
from optimlab.checks import ExerciseFailure
from optimlab.checks import adam_variants as checks
from optimlab.checks.engine import coinciding_variants
from optimlab.online import adam_period_drift, run_online

import mutant_catalogue

catalogue = mutant_catalogue.load("09_adam_variants")

CHECKS = {"adam_period_drift": checks.check_adam_period_drift, "amsgrad_step": checks.check_amsgrad_step,
          "adamax_step": checks.check_adamax_step, "radam_rectifier": checks.check_radam_rectifier}


def define(code: str, name: str):
    return mutant_catalogue.define(code, name, optimlab=optimlab)


# --------------------------------------------------------------------------- reference values by hand

def test_amsgrad_reference_hand_values():
    # m = 0.8*0.5 + 0.2*2 = 0.8; V = 0.9*1 + 0.1*4 = 1.3 < V_max = 2; step t=2:
    # w = 1 - 0.1 * (0.8/0.36) / (sqrt(2/0.19) + 0.1)
    w, m, V, V_max = checks._ref_amsgrad_step(np.array(1.0), np.array(0.5), np.array(1.0), np.array(2.0),
                                              np.array(2.0), 2, 0.1, 0.8, 0.9, 0.1)
    assert (float(m), float(V), float(V_max)) == pytest.approx((0.8, 1.3, 2.0), abs=1e-14)
    assert float(w) == pytest.approx(1 - 0.1 * (0.8 / 0.36) / (math.sqrt(2 / 0.19) + 0.1), abs=1e-14)


def test_adamax_reference_hand_values():
    # m = 0.9*0.5 + 0.1*(-3) = 0.15; u = max(0.7*2, |-3| + 0.1) = 3.1; w = -3 - 0.2/(1-0.81) * 0.15/3.1
    w, m, u = checks._ref_adamax_step(np.array(-3.0), np.array(0.5), np.array(2.0), np.array(-3.0), 2, 0.2,
                                      0.9, 0.7, 0.1)
    assert (float(m), float(u)) == pytest.approx((0.15, 3.1), abs=1e-14)
    assert float(w) == pytest.approx(-3 - 0.2 / 0.19 * 0.15 / 3.1, abs=1e-14)


def test_rectifier_hand_values_and_threshold():
    assert checks.reference_radam_rectifier(1, 0.999) == (pytest.approx(1.0, abs=1e-9), None)  # rho_1 = 1 always
    rho_inf = 2 / 0.1 - 1
    rho_10 = rho_inf - 20 * 0.9**10 / (1 - 0.9**10)
    r = math.sqrt((rho_10 - 4) * (rho_10 - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_10))
    assert checks.reference_radam_rectifier(10, 0.9) == (pytest.approx(rho_10, rel=1e-14), pytest.approx(r, rel=1e-14))
    # torch's first rectified step at beta2 = 0.999 is t = 6 (rho_5 = 4.996, rho_6 = 5.994)
    assert checks.reference_radam_rectifier(5, 0.999)[1] is None
    assert checks.reference_radam_rectifier(6, 0.999)[1] == pytest.approx(0.0258, abs=5e-5)
    # and it agrees with the library's radam_step: the rectified step is Adam's times r_t (eps negligible)
    w, m, V = np.array([1.0]), np.array([0.3]), np.array([0.2])
    g, t = np.array([0.7]), 40
    w_r, *_ = optimlab.radam_step(w, m, V, g, t, 0.01, 0.9, 0.99, 1e-12)
    w_a, *_ = optimlab.adam_step(w, m, V, g, t, 0.01, 0.9, 0.99, 1e-12)
    assert (w - w_r)[0] == pytest.approx(checks.reference_radam_rectifier(t, 0.99)[1] * (w - w_a)[0], rel=1e-9)


# --------------------------------------------------------------------------- the checks

@pytest.mark.parametrize("hidden", [False, True])
def test_library_passes(hidden, capsys):
    # None, not a count: nbgrader reads a number at the end of a test cell as partial credit.
    assert checks.check_adam_period_drift(adam_period_drift, hidden=hidden) is None
    assert checks.check_amsgrad_step(optimlab.amsgrad_step, hidden=hidden) is None
    assert checks.check_adamax_step(optimlab.adamax_step, hidden=hidden) is None
    assert checks.check_radam_rectifier(checks.reference_radam_rectifier, hidden=hidden) is None
    n, steps, warm = (3, 8, 2) if not hidden else (8, 26, 6)
    assert capsys.readouterr().out.splitlines() == [
        f"adam_period_drift: all {n} cases passed.",
        f"amsgrad_step: all {2 if not hidden else 6} cases passed ({steps} steps checked).",
        f"adamax_step: all {2 if not hidden else 6} cases passed ({steps} steps checked).",
        f"radam_rectifier: all {5 if not hidden else 13} cases passed ({warm} of them in the warm-up, r_t = None)."]


@pytest.mark.parametrize("reference, variants, cases, returns", [
    (checks._ref_amsgrad_step, checks._AMSGRAD_VARIANTS, checks._amsgrad_cases, ("w", "m", "V", "V_max")),
    (checks._ref_adamax_step, checks._ADAMAX_VARIANTS, checks._adamax_cases, ("w", "m", "u")),
    (checks.reference_radam_rectifier, checks._RECTIFIER_VARIANTS, checks._rectifier_cases, ("rho_t", "r_t")),
    (checks.reference_adam_period_drift, checks._DRIFT_VARIANTS, checks._drift_cases, ("drift",)),
], ids=["amsgrad_step", "adamax_step", "radam_rectifier", "adam_period_drift"])
def test_first_case_tells_every_mistake_apart(reference, variants, cases, returns):
    # On the first visible case every known mistake gives its own numbers, so a hint names one mistake.
    assert coinciding_variants(reference, variants, cases(False)[0], returns) == []


MUTANTS = [(m["exercise"], m["name"], m) for m in catalogue.MUTANTS]


def test_catalogue_size():
    for exercise in CHECKS:
        assert sum(m["exercise"] == exercise for m in catalogue.MUTANTS) >= 8, exercise
        assert sum(m["exercise"] == exercise for m in catalogue.CORRECT) >= 3, exercise


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("exercise, name, mutant", MUTANTS, ids=[f"{e}: {n}" for e, n, _ in MUTANTS])
def test_wrong_answers_are_named(exercise, name, mutant, hidden):
    fn = define(mutant["code"], exercise)
    with pytest.raises(ExerciseFailure) as info, np.errstate(all="ignore"):
        CHECKS[exercise](fn, hidden=hidden)
    assert mutant["expect"] in str(info.value)


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("entry", catalogue.CORRECT, ids=lambda e: f"{e['exercise']}: {e['name']}")
def test_correct_alternatives_pass(entry, hidden):
    CHECKS[entry["exercise"]](define(entry["code"], entry["exercise"]), hidden=hidden)


# --------------------------------------------------------------------------- numbers notebook 09 states

def _boundary(C):
    lo, hi = 0.0, 0.999
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if adam_period_drift(C, mid) > 0 else (lo, mid)
    return lo


def test_notebook_numbers_reddi():
    C = 3.0
    assert adam_period_drift(C, 0.0) == pytest.approx(1.0)
    assert adam_period_drift(C, 0.1) == pytest.approx(0.6809, abs=1e-4)
    assert round(_boundary(C), 2) == 0.47                                  # "about 0.47 at C = 3"
    adam = run_online("adam", 2000, C, lr=0.5, beta1=0.0, beta2=0.1)
    ams = run_online("amsgrad", 2000, C, lr=0.5, beta1=0.0, beta2=0.1)
    assert adam.x[-1] > 0.99 and adam.average_regret[-1] == pytest.approx(2 * (C - 2) / 3, abs=0.02)
    assert ams.x[-1] < -0.99 and ams.average_regret[-1] < 0.05


def test_notebook_numbers_rectifier_and_adamax():
    first = next(t for t in range(1, 100) if checks.reference_radam_rectifier(t, 0.999)[1] is not None)
    assert first == 6                                                      # "the first five steps are momentum steps"
    assert 0.02 < checks.reference_radam_rectifier(6, 0.999)[1] < 0.05     # "a few per cent of Adam's"
    assert round(math.log(100) / math.log(1 / 0.999)) == 4603              # "about 4600 steps later"
    mu = [0.9 * (1 - 0.5 * 0.96 ** (t * 0.004)) for t in (1, 100_000)]
    assert mu[0] == pytest.approx(0.45, abs=1e-3) and mu[1] == pytest.approx(0.9, abs=1e-4)   # "about beta1 / 2"
