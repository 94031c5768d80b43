"""The checks of notebook 06 (AdaGrad): references by hand, every catalogued mistake named, correct
alternatives passing, cases that make the mistakes visible.

The wrong and correct answers are the catalogue autograder/mutants/06_adagrad.py, run here in-process
(fast) against optimlab.checks.adagrad; tests/test_grading_mutants.py grades the same MUTANTS with the
real nbgrader.
"""
import math

import numpy as np
import pytest

import optimlab
from optimlab.checks import ExerciseFailure
from optimlab.checks import adagrad as checks
from optimlab.checks.engine import coinciding_variants

import mutant_catalogue

CHECKS = {"adagrad_step": checks.check_adagrad_step, "effective_lr": checks.check_effective_lr,
          "steps_until_rate_below": checks.check_steps_until_rate_below}


CAT = mutant_catalogue.load("06_adagrad")


def _define(entry):
    """The entry's function, defined as in the notebook (np imported, the reference adagrad_step
    available for answers that call the earlier exercise)."""
    return mutant_catalogue.define(entry["code"], entry["exercise"],
                                   filename=f"<{entry['exercise']} / {entry['name']}>",
                                   adagrad_step=optimlab.adagrad_step)


# --------------------------------------------------------------------------- references by hand

def test_reference_step_by_hand():
    # V = 4 + 6**2 = 40, w = 3 - 0.5 * 6 / (sqrt(40) + 0.5) = 3 - 3 / 6.82456 = 2.5604109
    w, V = checks._ref_adagrad_step(np.array(3.0), np.array(4.0), np.array(6.0), 0.5, 0.5)
    assert float(V) == 40.0
    assert float(w) == pytest.approx(3 - 3 / (math.sqrt(40) + 0.5), abs=1e-15)
    assert float(w) == pytest.approx(2.5604109, abs=1e-7)


def test_reference_effective_lr_by_hand():
    # g = 3, -4: V = 9, 25; rate = 0.05 / (3 + 0.1), 0.05 / (5 + 0.1)
    rates = checks.reference_effective_lr(np.array([3.0, -4.0]), 0.05, 0.1)
    np.testing.assert_allclose(rates, [0.05 / 3.1, 0.05 / 5.1], rtol=0, atol=1e-16)
    # per coordinate, along the first axis only; a coordinate with no gradient yet has lr / eps
    rates = checks.reference_effective_lr(np.array([[2.0, 0.0], [-1.0, 0.0]]), 0.3, 0.5)
    np.testing.assert_allclose(rates, [[0.3 / 2.5, 0.6], [0.3 / (math.sqrt(5) + 0.5), 0.6]], atol=1e-15)


@pytest.mark.parametrize("lr, g, target, eps, t", [
    (0.1, 0.3, 0.01, 0.0, 1112),     # sqrt(t) > 0.1 / (0.01 * 0.3) = 33.33, t > 1111.1
    (0.5, -0.35, 0.2, 0.7, 27),      # sqrt(t) > (2.5 - 0.7) / 0.35 = 5.143, t > 26.45
    (0.01, 0.5, 0.01, 3.0, 1),       # 0.01 / 3.5 < 0.01 already at t = 1
    (1.0, 1.0, 0.1, 0.0, 101),       # rate 1 / sqrt(t) = 0.1 at t = 100, exactly: not below yet
])
def test_reference_steps_by_hand(lr, g, target, eps, t):
    got = checks.reference_steps_until_rate_below(lr, g, target, eps)
    assert got == t
    assert lr / (math.sqrt(t) * abs(g) + eps) < target
    assert t == 1 or lr / (math.sqrt(t - 1) * abs(g) + eps) >= target


def test_reference_steps_refuses_zero_gradient():
    with pytest.raises(ValueError, match="g must not be 0"):
        checks.reference_steps_until_rate_below(0.1, 0.0, 0.01, 1e-10)


# --------------------------------------------------------------------------- the cases

def test_step_cases_expose_the_mistakes():
    for hidden in (False, True):
        cases = checks._adagrad_cases(hidden)
        assert all(c.steps >= 3 and c.inputs["lr"] != 1.0 for c in cases)
        # large eps (eps placement visible) and non-zero state in all but the one "from V = 0" case
        assert sum(c.inputs["eps"] >= 0.1 and np.all(c.inputs["V"] > 0) for c in cases) >= 2
    assert len(checks._adagrad_cases(True)) > len(checks._adagrad_cases(False))


def test_first_cases_tell_the_mistakes_apart():
    # On the first case every catalogued mistake of the two formula exercises gives its own numbers, so
    # a learner's first failure names exactly one. (For the integer answer of the theory exercise that
    # cannot be: rounding to the nearest whole number agrees with floor or with floor + 1.)
    step_case = checks._adagrad_cases(False)[0]
    assert coinciding_variants(checks._ref_adagrad_step, checks._ADAGRAD_VARIANTS, step_case, ("w", "V")) == []
    rate_case = checks._effective_lr_cases(False)[0]
    assert coinciding_variants(checks.reference_effective_lr, checks._EFFECTIVE_LR_VARIANTS, rate_case,
                               ("rates",)) == []
    theory_case = checks._steps_cases(False)[0]
    pairs = coinciding_variants(checks.reference_steps_until_rate_below, checks._STEPS_VARIANTS, theory_case,
                                ("t",), rtol=0.0, atol=1e-9)
    assert {a if a == "reference" else a[:20] for pair in pairs for a in pair} == {
        "reference", "x = ((lr/target - ep", "the rate may already"}


def test_theory_cases_avoid_whole_numbers():
    # x = ((lr/target - eps) / |g|)**2 not a whole number: a closed form with ceil, one with
    # floor + 1 and a loop over t all give the same answer.
    for case in checks._steps_cases(True):
        lr, g, target, eps = case.inputs.values()
        r = lr / target - eps
        if r > 0:
            x = (r / abs(g)) ** 2
            assert 0.01 < x - math.floor(x) < 0.99, case.label
            assert checks.reference_steps_until_rate_below(lr, g, target, eps) == math.floor(x) + 1


# --------------------------------------------------------------------------- the catalogue

def test_catalogue_size():
    for exercise in CHECKS:
        assert sum(m["exercise"] == exercise for m in CAT.MUTANTS) >= 8, exercise
        assert sum(c["exercise"] == exercise for c in CAT.CORRECT) >= 3, exercise
    names = [(m["exercise"], m["name"]) for m in CAT.MUTANTS + CAT.CORRECT]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("entry", CAT.MUTANTS, ids=lambda m: f"{m['exercise']}/{m['name']}")
@pytest.mark.parametrize("hidden", [False, True])
def test_mistake_is_named(entry, hidden):
    fn = _define(entry)
    with pytest.raises(ExerciseFailure) as info:
        CHECKS[entry["exercise"]](fn, hidden=hidden)
    assert entry["expect"] in str(info.value)


@pytest.mark.parametrize("entry", CAT.CORRECT, ids=lambda m: f"{m['exercise']}/{m['name']}")
def test_correct_alternative_passes(entry, capsys):
    fn = _define(entry)
    for hidden in (False, True):
        assert CHECKS[entry["exercise"]](fn, hidden=hidden) is None
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all("passed" in line for line in out)


def test_success_messages(capsys):
    checks.check_adagrad_step(optimlab.adagrad_step)
    checks.check_adagrad_step(optimlab.adagrad_step, hidden=True)
    checks.check_effective_lr(checks.reference_effective_lr)
    checks.check_steps_until_rate_below(checks.reference_steps_until_rate_below, hidden=True)
    out = capsys.readouterr().out.splitlines()
    assert out == ["adagrad_step: all 2 cases passed (7 steps checked).",
                   "adagrad_step: all 6 cases passed (25 steps checked).",
                   "effective_lr: all 2 cases passed.",
                   "steps_until_rate_below: all 8 cases passed."]


def test_failure_message_shows_case_expected_and_got():
    keras = _define(next(m for m in CAT.MUTANTS if m["exercise"] == "adagrad_step"
                         and m["name"] == "eps inside the root (Keras)"))
    with pytest.raises(ExerciseFailure) as info:
        checks.check_adagrad_step(keras)
    msg = str(info.value)
    assert msg.startswith("adagrad_step, case scalar parabola f(w)=w^2 from w=3, V=4, lr=0.5, eps=0.5, "
                          "step 1 of 3: `w` is wrong.")
    # torch: 3 - 0.5*6/(sqrt(40) + 0.5) = 2.5604; Keras: 3 - 0.5*6/sqrt(40.5) = 2.5286
    assert "expected: 2.560410919" in msg and "got:      2.528595" in msg


def test_not_implemented_and_small_errors():
    def not_done(w, V, g, lr, eps):
        raise NotImplementedError()

    with pytest.raises(ExerciseFailure, match="not implemented yet"):
        checks.check_adagrad_step(not_done)

    def slightly_off(grads, lr, eps):
        rates = checks.reference_effective_lr(grads, lr, eps)
        return rates + 1e-5 * np.arange(rates.size).reshape(rates.shape)

    with pytest.raises(ExerciseFailure, match="`rates` is wrong"):
        checks.check_effective_lr(slightly_off)


# --------------------------------------------------------------------------- numbers notebook 06 states
# Each test recomputes with the library a statement of the notebook's text (its cells print the same numbers).

from optimlab.datasets import source_articles_data  # noqa: E402
from optimlab.landscapes import get_landscape  # noqa: E402
from optimlab.runner import run  # noqa: E402

SPARSE = get_landscape("sparse_features")


def _steps_to(name, lr, tol=1e-6):
    hit = np.nonzero(run(name, SPARSE, steps=1000, lr=lr).losses < tol)[0]
    return int(hit[0])


def test_06_sparse_features_numbers():
    gd_best, gd_1, ada_05, ada_1 = _steps_to("gd", 1.8), _steps_to("gd", 1.0), _steps_to("adagrad", 0.5), \
        _steps_to("adagrad", 1.0)
    assert (gd_best, gd_1, ada_05, ada_1) == (295, 534, 92, 28)
    assert 0.28 < ada_05 / gd_best < 0.36 and 0.08 < ada_1 / gd_best < 0.12     # "a third", "a tenth"
    # after 20 GD steps the rare coordinate has covered less than a third of its way
    for lr in (1.0, 1.8):
        share = (run("gd", SPARSE, steps=20, lr=lr).trajectory[20] - SPARSE.start) / (1.0 - SPARSE.start)
        assert share[0] > 0.98 and share[1] < 1 / 3
    # the rare coordinate's rate is 100 times the frequent one's at every step; lr = 3 lands in one step
    path = run("adagrad", SPARSE, steps=100, lr=0.5, eps=1e-10).trajectory
    rates = checks.reference_effective_lr(SPARSE.grad(path[:-1].T).T, 0.5, 1e-10)
    np.testing.assert_allclose(rates[:, 1] / rates[:, 0], 100.0, rtol=1e-6)   # up to eps
    assert np.all(np.diff(rates, axis=0) <= 0)
    w1, _ = optimlab.adagrad_step(SPARSE.start, np.zeros(2), SPARSE.grad(SPARSE.start), 3.0, 1e-10)
    np.testing.assert_allclose(w1, [1.0, 1.0], atol=1e-9)


def _line(x):
    y = source_articles_data().y
    A = np.stack([x, np.ones_like(x)], axis=1)
    return 2 * A.T @ A / len(x), np.linalg.lstsq(A, y, rcond=None)[0]


def _fit(step, w0, lr, x, max_steps=20000, **hyper):
    H, p = _line(x)
    w, V, sq = np.array(w0, float), np.zeros(2), np.zeros(2)
    for t in range(1, max_steps + 1):
        g = H @ (w - p)
        sq += g * g
        w, V = step(w, V, g, lr, **hyper)
        if 0.5 * (w - p) @ H @ (w - p) < 1e-6:
            return t, sq
    return None, sq


def _gd(w, V, g, lr):
    return w - lr * g, V


def _kappa(H):
    lam = np.linalg.eigvalsh(H)
    return lam[-1] / lam[0]


def test_06_line_fit_numbers():
    x = source_articles_data().X
    H_raw, p = _line(x)
    np.testing.assert_allclose(p, [2.2, -1.0])
    x_std = (x - x.mean()) / x.std()
    D = np.diag(1 / np.sqrt(np.diag(H_raw)))
    assert 69.9 < _kappa(H_raw) < 70.1 and abs(_kappa(_line(x_std)[0]) - 1) < 1e-12   # "about 70 to exactly 1"
    assert 19.5 < _kappa(D @ H_raw @ D) < 20.5                                         # "about 20"
    # the stall: AdaGrad needs more than 20 times GD's steps from (20, -20); GD's count grows slowly
    counts = [(_fit(_gd, [s, -s], 0.08, x)[0], _fit(optimlab.adagrad_step, [s, -s], 1.0, x, eps=1e-10)[0])
              for s in (0, 10, 20)]
    assert counts == [(236, 297), (307, 1638), (334, 7810)]
    assert counts[2][1] > 20 * counts[2][0]
    # standardised: GD at lr = 1/2 in one step, AdaGrad slower than GD; AdaGrad's P does no better than Jacobi
    assert _fit(_gd, [0, 0], 0.5, x_std)[0] == 1
    assert _fit(optimlab.adagrad_step, [0, 0], 1.0, x_std, eps=1e-10)[0] == 92
    n, sq = _fit(optimlab.adagrad_step, [0, 0], 1.0, x, eps=1e-10)
    P = np.diag(sq ** -0.25)
    assert _kappa(P @ H_raw @ P) > _kappa(D @ H_raw @ D)


def test_06_first_steps_and_keras():
    # PyTorch's first step is lr whatever g; Keras's V_0 = 0.1 shortens a first step of g = 1e-3 over 300 times
    g = np.array([1e-3])
    torch_step = abs(optimlab.adagrad_step(np.zeros(1), np.zeros(1), g, 0.01, 1e-10)[0][0])
    keras_step = 0.01 * 1e-3 / np.sqrt(0.1 + 1e-6 + 1e-7)
    assert torch_step == pytest.approx(0.01, rel=1e-6) and torch_step / keras_step > 300
    assert [checks.reference_steps_until_rate_below(1.0, 1.0, tg, 1e-10) for tg in (0.1, 0.03, 0.01)] == \
        [100, 1112, 10000]
