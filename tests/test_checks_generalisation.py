"""The checks of notebook 13 (generalisation): references by hand, every wrong answer of the catalogue
caught and named by the checks alone, every correct alternative passing, first cases that separate the
known mistakes, and the numbers notebook 13's text states, recomputed.
"""

import numpy as np
import pytest

import optimlab
from optimlab import regularisation as reg
from optimlab.checks import ExerciseFailure
from optimlab.checks import generalisation as checks
from optimlab.checks.engine import coinciding_variants

import mutant_catalogue

catalogue = mutant_catalogue.load("13_generalisation")

CHECKS = {"l2_loss_grad": checks.check_l2_loss_grad, "adamw_step": checks.check_adamw_step,
          "select_best": checks.check_select_best}


def define(code: str, name: str):
    return mutant_catalogue.define(code, name)


# --------------------------------------------------------------------------- references by hand

def test_l2_reference_by_hand():
    loss, g = checks.reference_l2_loss_grad(0.75, np.array([0.2, -0.1, 0.4, 0.3]), np.array([1.5, -2.0, 0.5, 3.0]),
                                            0.3, np.array([1.0, 1.0, 1.0, 0.0]))
    # penalty 0.15 * (2.25 + 4 + 0.25) = 0.975; the bias 3.0 is not penalised
    assert loss == pytest.approx(1.725, abs=1e-14)
    np.testing.assert_allclose(g, [0.65, -0.7, 0.55, 0.3], atol=1e-14)


def test_adamw_reference_by_hand():
    # t=1 from m = V = 0, g = 2: m = 0.2, V = 0.004, m_hat = 2, V_hat = 4; w' = 3 * (1 - 0.1 * 0.5) = 2.85
    w, m, V = checks.reference_adamw_step(np.array(3.0), np.array(0.0), np.array(0.0), np.array(2.0), 1, 0.1,
                                          0.9, 0.999, 0.0, 0.5)
    assert float(m) == pytest.approx(0.2, abs=1e-15) and float(V) == pytest.approx(0.004, abs=1e-15)
    assert float(w) == pytest.approx(2.85 - 0.1 * 2 / 2, abs=1e-14)


def test_select_best_reference_by_hand():
    L = [[1.0, 0.8, 0.7, 0.75, 0.9], [0.9, 0.6, 0.5, 0.55, 0.58], [1.2, 1.0, 0.52, 0.51, 0.56]]
    assert checks.reference_select_best(L) == (1, 3)
    assert checks.reference_select_best([[0.9, 0.5, 0.6, 0.7], [0.5, 0.8, 0.5, 0.6]]) == (1, 1)


# --------------------------------------------------------------------------- the checks

@pytest.mark.parametrize("exercise", list(CHECKS))
def test_reference_passes(exercise, capsys):
    ref = {"l2_loss_grad": checks.reference_l2_loss_grad, "adamw_step": checks.reference_adamw_step,
           "select_best": checks.reference_select_best}[exercise]
    CHECKS[exercise](ref)
    CHECKS[exercise](ref, hidden=True)
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize("entry", catalogue.MUTANTS, ids=lambda e: f"{e['exercise']}-{e['name']}")
def test_wrong_answer_caught_and_named(entry):
    fn = define(entry["code"], entry["exercise"])
    with pytest.raises(ExerciseFailure) as info:
        CHECKS[entry["exercise"]](fn, hidden=True)
    assert entry["expect"] in str(info.value)


@pytest.mark.parametrize("entry", catalogue.CORRECT, ids=lambda e: f"{e['exercise']}-{e['name']}")
def test_correct_answer_passes(entry):
    fn = define(entry["code"], entry["exercise"])
    CHECKS[entry["exercise"]](fn)
    CHECKS[entry["exercise"]](fn, hidden=True)


def test_catalogue_size():
    for ex in CHECKS:
        assert sum(e["exercise"] == ex for e in catalogue.MUTANTS) >= 8
        assert sum(e["exercise"] == ex for e in catalogue.CORRECT) >= 3


@pytest.mark.parametrize("cases, ref, variants, returns", [
    (checks._l2_cases(False), checks.reference_l2_loss_grad, checks._L2_VARIANTS, ("loss", "g")),
    (checks._adamw_cases(False), checks.reference_adamw_step, checks._ADAMW_VARIANTS, ("w", "m", "V")),
])
def test_first_case_separates_the_variants(cases, ref, variants, returns):
    assert coinciding_variants(ref, variants, cases[0], returns) == []


def test_unimplemented_is_reported():
    def l2_loss_grad(loss, g, w, lam, mask):
        raise NotImplementedError()
    with pytest.raises(ExerciseFailure, match="not implemented yet"):
        checks.check_l2_loss_grad(l2_loss_grad)


# --------------------------------------------------------------------------- the notebook's numbers

@pytest.fixture(scope="module")
def split():
    d = optimlab.datasets.digits()
    order = np.random.default_rng(0).permutation(len(d.X))
    X = d.X / 16
    return X[order[:60]], d.y[order[:60]], X[order[60:360]], d.y[order[60:360]]


def test_notebook_overfitting_numbers(split):
    model = optimlab.SoftmaxRegression(64, 10)
    mask = reg.weight_mask(model)
    plain = reg.train_regularised(model, "adam", *split, epochs=150, lr=0.05)
    assert plain.best_epoch == 29
    assert round(plain.val_loss[29], 3) == 0.624 and round(plain.val_loss[-1], 3) == 0.746
    assert round(float(np.linalg.norm(mask * plain.w))) == 23
    early = reg.train_regularised(model, "adam", *split, epochs=29, lr=0.05)
    assert round(float(np.linalg.norm(mask * early.w))) == 17
    l2 = {lam: reg.train_regularised(model, "adam", *split, epochs=150, lr=0.05, l2=lam) for lam in (0.001, 0.01, 0.1)}
    assert round(l2[0.001].val_loss[-1], 3) == 0.659 and l2[0.001].val_loss.min() < plain.val_loss.min()
    assert l2[0.01].val_loss[-1] > plain.val_loss[-1]
    assert l2[0.1].val_loss.min() > 1.2
    wd = reg.train_regularised(model, "adam", *split, epochs=150, lr=0.05, weight_decay=0.01)
    assert round(float(np.linalg.norm(mask * l2[0.01].w)), 2) == 7.68
    assert round(float(np.linalg.norm(mask * wd.w)), 2) == 22.05
    assert round(l2[0.01].val_loss[-1], 3) == 0.780 and round(wd.val_loss[-1], 3) == 0.738


def test_notebook_grid_numbers(split):
    lrs, decays = np.logspace(-2.5, -0.5, 6), np.logspace(-4, 0, 6)
    best = {}
    for method in ("adam_l2", "adamw"):
        F = reg.decay_grid(*split, lrs, decays, method=method, epochs=100)[:, :, -1]
        best[method] = decays[F.argmin(axis=1)]
    # Adam + L2: between 1e-4 and 6.3e-4 at every lr
    assert set(np.round(best["adam_l2"], 5)) <= {1e-4, 6.3e-4}
    # AdamW: 1e-4 up to lr = 0.02, 2.5e-2 at 0.05 and 0.126, 0.16 at 0.316
    np.testing.assert_allclose(best["adamw"], [1e-4, 1e-4, 1e-4, 10**-1.6, 10**-1.6, 10**-0.8])
    # without decay, the runs at lr <= 0.008 are still improving at epoch 100
    G = reg.decay_grid(*split, lrs[:2], [0.0], method="adamw", epochs=100)
    assert list(G[:, 0, :].argmin(axis=1)) == [100, 100]


def test_notebook_selection_numbers(split):
    lrs, decays = np.logspace(-2.5, -0.5, 6), np.logspace(-4, 0, 6)
    settings = [(lr, d) for lr in lrs for d in decays]
    found = {}
    for method in ("adam_l2", "adamw"):
        table = reg.decay_grid(*split, lrs, decays, method=method, epochs=100)[:, :, 1:].reshape(36, -1)
        i, epoch = reg.select_best(table)
        found[method] = (round(settings[i][0], 3), round(settings[i][1], 4), epoch, round(table[i, epoch - 1], 3),
                         round(table[i, -1], 3))
    assert found["adam_l2"] == (0.126, 0.004, 20, 0.520, 0.688)
    assert found["adamw"] == (0.126, 0.1585, 22, 0.547, 0.663)
