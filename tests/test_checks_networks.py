"""The checks of notebook 12 (fully connected networks): the references pass, hand-computed values,
every wrong answer of the catalogue is caught and named, every correct alternative passes.

The catalogue (autograder/mutants/12_networks.py) is written the way learners write code,
independently of the variants inside optimlab.checks.networks.
"""
import itertools

import numpy as np
import pytest

import optimlab
from optimlab import layers
from optimlab.checks import ExerciseFailure
from optimlab.checks import networks as checks
from optimlab.checks.engine import coinciding_variants

import mutant_catalogue

catalogue = mutant_catalogue.load("12_networks")

CHECKS = {"activation": checks.check_activation, "dense_backward": checks.check_dense_backward,
          "mlp_loss_and_grad": checks.check_mlp_loss_and_grad, "init_weights": checks.check_init_weights,
          "clip_by_global_norm": checks.check_clip_by_global_norm}
HELPERS = {"activation": layers.activation, "dense_backward": layers.dense_backward}


def define(code: str, name: str, helpers: dict | None = None):
    return mutant_catalogue.define(code, name, optimlab=optimlab, **{**HELPERS, **(helpers or {})})


def test_reference_values_by_hand():
    # clipping: global norm sqrt(19.25 + 0.5 + 3.5) = sqrt(23.25); factor 2 / sqrt(23.25) = 0.41478
    case = checks._clip_cases(False)[0]
    clipped, norm = checks.reference_clip_by_global_norm(*case.inputs.values())
    assert norm == pytest.approx(np.sqrt(23.25), rel=1e-15)
    np.testing.assert_allclose(clipped[0][0], [3 * 2 / np.sqrt(23.25), -2 / np.sqrt(23.25)], rtol=1e-15)
    # dense: db is the column sum of G
    x, W, b, G = checks._dense_cases(False)[0].inputs.values()
    np.testing.assert_allclose(checks.reference_dense_backward(x, W, b, G)[2], [0.3, 0.0, 0.55], atol=1e-15)
    a, da = checks.reference_activation(np.array([0.0]), "sigmoid")
    assert (a[0], da[0]) == (0.5, 0.25)


@pytest.mark.parametrize("hidden, counts", [(False, (3, 2, 2, 5, 3)), (True, (8, 6, 6, 11, 7))])
def test_library_passes(hidden, counts, capsys):
    # None, not a count: nbgrader reads a number at the end of a test cell as partial credit.
    assert checks.check_activation(layers.activation, hidden=hidden) is None
    assert checks.check_dense_backward(layers.dense_backward, hidden=hidden) is None
    assert checks.check_mlp_loss_and_grad(
        lambda w, X, y, sizes, name: optimlab.MLP(sizes, name).loss_and_grad(w, X, y), hidden=hidden) is None
    assert checks.check_init_weights(layers.init_weights, hidden=hidden) is None
    assert checks.check_clip_by_global_norm(layers.clip_by_global_norm, hidden=hidden) is None
    assert capsys.readouterr().out.splitlines() == [
        f"{name}: all {n} cases passed." for name, n in zip(CHECKS, counts)]


def _flat_reference(grads, max_norm):
    return checks._flat(checks.reference_clip_by_global_norm(grads, max_norm))


@pytest.mark.parametrize("reference, variants, cases, returns", [
    (checks.reference_activation, checks._ACTIVATION_VARIANTS, checks._act_cases, ("a", "da")),
    (checks.reference_dense_backward, checks._DENSE_VARIANTS, checks._dense_cases, ("dx", "dW", "db")),
    (checks.reference_mlp_loss_and_grad, checks._MLP_VARIANTS, checks._mlp_cases, ("loss", "grad")),
    (checks.reference_init_weights, checks._INIT_VARIANTS, checks._init_cases, ("W",)),
    (_flat_reference, checks._CLIP_VARIANTS, checks._clip_cases, ("clipped", "norm")),
], ids=list(CHECKS))
def test_visible_cases_tell_every_mistake_apart(reference, variants, cases, returns):
    # Each known mistake differs from the reference on some visible case, and no two mistakes give the
    # same numbers on every visible case (a case of one activation cannot tell the others' mistakes apart).
    pairs = None
    for case in cases(False):
        found = set(coinciding_variants(reference, variants, case, returns))
        pairs = found if pairs is None else pairs & found
    assert sorted(pairs) == []


def test_catalogue_size():
    for exercise in CHECKS:
        assert sum(m["exercise"] == exercise for m in catalogue.MUTANTS) >= 8, exercise
        assert sum(m["exercise"] == exercise for m in catalogue.CORRECT) >= 3, exercise


MUTANTS = [(m["exercise"], m["name"], m) for m in catalogue.MUTANTS]


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
    with np.errstate(over="ignore"):
        CHECKS[entry["exercise"]](define(entry["code"], entry["exercise"]), hidden=hidden)


def test_failure_message_names_case_and_numbers():
    per_tensor = define(catalogue.MUTANTS[[m["name"] for m in catalogue.MUTANTS].index("per-tensor norms")]["code"],
                        "clip_by_global_norm")
    with pytest.raises(ExerciseFailure) as info:
        checks.check_clip_by_global_norm(per_tensor)
    msg = str(info.value)
    assert msg.startswith("clip_by_global_norm, case three tensors, global norm sqrt(23.25) = 4.82, max_norm=2: "
                          "`clipped (all tensors concatenated)` is wrong.")
    # W1's own norm sqrt(19.25) > 2: its first entry becomes 3 * 2 / sqrt(19.25) = 1.3675269; globally 1.2443420
    assert "1.24434203" in msg and "1.36752692" in msg


def test_other_random_generator_is_named_only_when_the_spread_is_right():
    def other_rng(fan_in, fan_out, scheme, rng):
        std = layers.init_std(fan_in, fan_out, scheme)
        return std * np.random.default_rng(99).standard_normal((fan_in, fan_out))
    with pytest.raises(ExerciseFailure, match="not the draws of the `rng` passed in"):
        checks.check_init_weights(other_rng)

    def wrong_spread(fan_in, fan_out, scheme, rng):
        return 3 * other_rng(fan_in, fan_out, scheme, rng)
    with pytest.raises(ExerciseFailure) as info:
        checks.check_init_weights(wrong_spread)
    assert "not the draws of the `rng`" not in str(info.value)


def test_unimplemented_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()
    for name, check in CHECKS.items():
        with pytest.raises(ExerciseFailure, match="not implemented yet"):
            check(todo)


@pytest.mark.parametrize("entry", catalogue.COMPOSITE, ids=lambda e: e["name"])
def test_mlp_graded_on_its_own_when_a_helper_is_wrong(entry, capsys):
    (helper, code), = entry["helper_broken"].items()
    solution = define(catalogue._MLP, "mlp_loss_and_grad", {helper: define(code, helper)})
    checks.check_mlp_loss_and_grad(solution, hidden=True)
    assert entry["expect"] in capsys.readouterr().out


def test_mlp_reference_is_the_gradient():
    case = checks._mlp_cases(False)[0]
    w, X, y, sizes, name = case.inputs.values()
    model = optimlab.MLP(sizes, name)
    loss, g = checks.reference_mlp_loss_and_grad(w, X, y, sizes, name)
    g_num = np.array([(model.loss(w + h, X, y) - model.loss(w - h, X, y)) / 2e-6 for h in 1e-6 * np.eye(len(w))])
    np.testing.assert_allclose(g, g_num, atol=1e-8)
