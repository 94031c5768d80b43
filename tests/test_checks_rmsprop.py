"""The checks of notebook 07 (RMSprop and AdaDelta): the reference passes, hand-computed values,
every wrong answer of the catalogue is caught and named, every correct alternative passes.

The catalogue (autograder/mutants/07_rmsprop_adadelta.py) is written the way learners write
code, independently of the variants inside optimlab.checks.rmsprop.
"""

import numpy as np
import pytest

import optimlab
from optimlab.checks import ExerciseFailure
from optimlab.checks import rmsprop as checks
from optimlab.checks.engine import coinciding_variants

import mutant_catalogue

catalogue = mutant_catalogue.load("07_rmsprop_adadelta")

CHECKS = {"rmsprop_step": checks.check_rmsprop_step, "adadelta_step": checks.check_adadelta_step,
          "adadelta_first_step": checks.check_adadelta_first_step}


def define(code: str, name: str, extra: dict | None = None):
    return mutant_catalogue.define(code, name, **(extra or {}))


# --------------------------------------------------------------------------- reference values by hand

def test_rmsprop_reference_hand_values():
    # V = 0.9*4 + 0.1*36 = 7.2; w = 3 - 0.1*6/(sqrt(7.2) + 0.5) = 3 - 0.6/3.18328157... = 2.81151526
    w, V = checks._ref_rmsprop_step(np.array(3.0), np.array(4.0), np.array(6.0), 0.1, 0.9, 0.5)
    assert float(V) == pytest.approx(7.2, abs=1e-14)
    assert float(w) == pytest.approx(3 - 0.6 / (np.sqrt(7.2) + 0.5), abs=1e-14)
    assert float(w) == pytest.approx(2.81151526, abs=1e-8)


def test_adadelta_reference_hand_values():
    # V = 0.9*4 + 0.1*36 = 7.2; dx = sqrt(0.35)/sqrt(7.3)*6 = 1.31378...; U = 0.9*0.25 + 0.1*dx^2
    w, V, U = checks._ref_adadelta_step(np.array(3.0), np.array(4.0), np.array(0.25), np.array(6.0), 0.5, 0.9, 0.1)
    dx = np.sqrt(0.35 / 7.3) * 6
    assert float(V) == pytest.approx(7.2, abs=1e-14)
    assert float(U) == pytest.approx(0.225 + 0.1 * dx**2, abs=1e-14)
    assert float(w) == pytest.approx(3 - 0.5 * dx, abs=1e-14)
    assert dx == pytest.approx(1.3137836, abs=1e-7)


def test_first_step_formula_and_its_approximation():
    g = np.array([-100.0, -1.0, 1e-3, 0.0, 5.0])
    dx = checks.reference_adadelta_first_step(g, 0.9, 1e-6)
    w1, _, _ = optimlab.adadelta_step(np.zeros(5), np.zeros(5), np.zeros(5), g, 1.0, 0.9, 1e-6)
    np.testing.assert_allclose(dx, -w1, rtol=1e-15, atol=0)
    # |g| >> sqrt(eps/(1-rho)) = 0.00316: the size is sqrt(eps/(1-rho)) whatever g; g = 1e-3 is shorter
    np.testing.assert_allclose(np.abs(dx[[0, 1, 4]]), np.sqrt(1e-5), rtol=1e-4)
    assert dx[2] == pytest.approx(1e-3 * 1e-3 / np.sqrt(1e-7 + 1e-6), rel=1e-12) and dx[3] == 0.0


# --------------------------------------------------------------------------- the checks

@pytest.mark.parametrize("hidden, n_cases, n_steps", [(False, 2, 7), (True, 6, 25)])
def test_library_passes(hidden, n_cases, n_steps, capsys):
    # None, not a count: nbgrader reads a number at the end of a test cell as partial credit.
    assert checks.check_rmsprop_step(optimlab.rmsprop_step, hidden=hidden) is None
    assert checks.check_adadelta_step(optimlab.adadelta_step, hidden=hidden) is None
    assert checks.check_adadelta_first_step(checks.reference_adadelta_first_step, hidden=hidden) is None
    assert capsys.readouterr().out.splitlines() == [
        f"rmsprop_step: all {n_cases} cases passed ({n_steps} steps checked).",
        f"adadelta_step: all {n_cases} cases passed ({n_steps} steps checked).",
        f"adadelta_first_step: all {n_cases} cases passed."]


@pytest.mark.parametrize("reference, variants, cases, returns", [
    (checks._ref_rmsprop_step, checks._RMSPROP_VARIANTS, checks._rmsprop_cases, ("w", "V")),
    (checks._ref_adadelta_step, checks._ADADELTA_VARIANTS, checks._adadelta_cases, ("w", "V", "U")),
    (checks.reference_adadelta_first_step, checks._FIRST_VARIANTS, checks._first_cases, ("dx",)),
], ids=["rmsprop_step", "adadelta_step", "adadelta_first_step"])
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
    helpers = {"adadelta_step": optimlab.adadelta_step}
    fn = define(entry["code"], entry["exercise"], helpers)
    CHECKS[entry["exercise"]](fn, hidden=hidden)


@pytest.mark.parametrize("entry", catalogue.COMPOSITE, ids=lambda e: e["name"])
def test_first_step_graded_on_its_own_when_adadelta_step_is_wrong(entry, capsys):
    (helper, code), = entry["helper_broken"].items()
    fn = define(entry["code"], "adadelta_first_step", {helper: define(code, helper)})
    checks.check_adadelta_first_step(fn, hidden=True)
    assert entry["expect"] in capsys.readouterr().out


def test_failure_message_names_case_step_and_numbers():
    keras = define(catalogue.MUTANTS[0]["code"], "rmsprop_step")
    with pytest.raises(ExerciseFailure) as info:
        checks.check_rmsprop_step(keras)
    msg = str(info.value)
    assert msg.startswith("rmsprop_step, case scalar parabola f(w)=w^2 from w=3, V=4, lr=0.1, alpha=0.9, eps=0.5, "
                          "step 1 of 3: `w` is wrong.")
    # expected 3 - 0.6/(sqrt(7.2) + 0.5) = 2.81151526; Keras: 3 - 0.6/sqrt(7.7) = 2.783775009
    assert "expected: 2.81151526" in msg and "got:      2.783775009" in msg
