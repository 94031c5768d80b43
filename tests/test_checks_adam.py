"""The checks of notebook 08 (Adam and the one frame): references by hand, every catalogued mistake named,
correct alternatives passing, cases that make the mistakes visible, and the numbers the notebook states.

The wrong and correct answers are the catalogue autograder/mutants/08_adam.py, run here in-process
(fast) against optimlab.checks.adam; tests/test_grading_mutants.py grades the same MUTANTS with the
real nbgrader.
"""
import math
from pathlib import Path

import numpy as np
import pytest

import optimlab
from optimlab.checks import ExerciseFailure
from optimlab.checks import adam as checks
from optimlab.checks.engine import coinciding_variants
from optimlab.frame import frame_step

import mutant_catalogue

CHECKS = {"adam_step": checks.check_adam_step, "frame_step": checks.check_frame_step,
          "softmax_ce_grad": checks.check_softmax_ce_grad}


CAT = mutant_catalogue.load("08_adam")


def _define(entry):
    return mutant_catalogue.define(entry["code"], entry["exercise"],
                                   filename=f"<{entry['exercise']} / {entry['name']}>")


# --------------------------------------------------------------------------- references by hand

def test_reference_adam_step_by_hand():
    # m = 0.8*0.5 + 0.2*(-6) = -0.8, V = 0.95*2 + 0.05*36 = 3.7, t = 3:
    # m_hat = -0.8/(1 - 0.512) = -1.639344, V_hat = 3.7/(1 - 0.857375) = 25.94215
    # w = -3 - 0.2 * m_hat / (sqrt(V_hat) + 0.3) = -3 + 0.2 * 1.639344 / 5.393344 = -2.939208...
    w, m, V = checks._ref_adam_step(np.array(-3.0), np.array(0.5), np.array(2.0), np.array(-6.0), 3, 0.2, 0.8,
                                    0.95, 0.3)
    assert float(m) == pytest.approx(-0.8, abs=1e-15) and float(V) == pytest.approx(3.7, abs=1e-14)
    m_hat, V_hat = -0.8 / (1 - 0.8**3), 3.7 / (1 - 0.95**3)
    assert float(w) == pytest.approx(-3 - 0.2 * m_hat / (math.sqrt(V_hat) + 0.3), abs=1e-15)
    assert float(w) == pytest.approx(-2.939208618, abs=1e-9)


def test_reference_softmax_gradient_by_hand():
    # One example, W = 0, b = 0: P = (1/3, 1/3, 1/3), y = 1: G = (1/3, -2/3, 1/3); dW = x^T G, db = G
    dW, db = checks.reference_softmax_ce_grad(np.zeros((2, 3)), np.zeros(3), np.array([[2.0, -1.0]]), np.array([1]))
    np.testing.assert_allclose(db, [1 / 3, -2 / 3, 1 / 3], atol=1e-15)
    np.testing.assert_allclose(dW, [[2 / 3, -4 / 3, 2 / 3], [-1 / 3, 2 / 3, -1 / 3]], atol=1e-15)


def test_reference_softmax_gradient_is_the_models_and_a_finite_difference():
    data = optimlab.datasets.iris()
    model = optimlab.SoftmaxRegression(n_features=4, n_classes=3)
    w = np.random.default_rng(8).normal(size=15)
    dW, db = checks.reference_softmax_ce_grad(w[:12].reshape(4, 3), w[12:], data.X, data.y)
    np.testing.assert_allclose(np.concatenate([dW.ravel(), db]), model.grad(w, data.X, data.y), atol=1e-14)
    e = np.zeros(15)
    e[5] = 1e-6
    numerical = (model.loss(w + e, data.X, data.y) - model.loss(w - e, data.X, data.y)) / 2e-6
    assert dW.ravel()[5] == pytest.approx(numerical, abs=1e-8)


def test_softmax_large_logits_case_overflows_naively():
    case = checks._softmax_cases(False)[1]
    Z = case.inputs["X"] @ case.inputs["W"] + case.inputs["b"]
    assert Z.max() > 790
    with np.errstate(all="ignore"):
        assert not np.all(np.isfinite(np.exp(Z)))
    assert all(np.all(np.isfinite(a)) for a in checks.reference_softmax_ce_grad(*case.inputs.values()))


# --------------------------------------------------------------------------- the cases

def test_step_cases_expose_the_mistakes():
    for hidden in (False, True):
        cases = checks._adam_cases(hidden)
        assert all(c.steps >= 3 and c.inputs["lr"] != 1.0 for c in cases)
        assert any(c.inputs["t"] > 1 and np.all(c.inputs["m"] != 0) and c.inputs["eps"] >= 0.1 for c in cases)
        assert all(abs(c.inputs["beta1"] - 0.5) >= 0.2 - 1e-12 and c.inputs["beta1"] != c.inputs["beta2"]
                   for c in cases)
        frames = checks._frame_cases(hidden)
        assert {c.inputs["method"] for c in frames} == {"sgd", "sgdm", "adagrad", "rmsprop", "adam"}
        assert all(c.steps >= 3 for c in frames)
    assert len(checks._adam_cases(True)) > len(checks._adam_cases(False))
    assert len(checks._frame_cases(True)) > len(checks._frame_cases(False))


def test_first_cases_tell_the_mistakes_apart():
    assert coinciding_variants(checks._ref_adam_step, checks._ADAM_VARIANTS, checks._adam_cases(False)[0],
                               ("w", "m", "V")) == []
    pairs = coinciding_variants(checks.reference_softmax_ce_grad, checks._SOFTMAX_VARIANTS,
                                checks._softmax_cases(False)[0], ("dW", "db"))
    assert pairs == [("reference", checks._SOFTMAX_VARIANTS[0].hint)]   # overflow: only the second case shows it


def test_every_frame_variant_is_wrong_for_some_method():
    cases = checks._frame_cases(False)
    for variant in checks._FRAME_VARIANTS:
        assert any(coinciding_variants(checks.reference_frame_step, [variant], c, ("w", "m", "V"),
                                       rtol=0, atol=1e-12) == [] for c in cases), variant.hint


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
    checks.check_adam_step(optimlab.adam_step)
    checks.check_adam_step(optimlab.adam_step, hidden=True)
    checks.check_frame_step(frame_step)
    checks.check_softmax_ce_grad(checks.reference_softmax_ce_grad, hidden=True)
    assert capsys.readouterr().out.splitlines() == [
        "adam_step: all 2 cases passed (7 steps checked).",
        "adam_step: all 6 cases passed (25 steps checked).",
        "frame_step: all 5 cases passed (15 steps checked).",
        "softmax_ce_grad: all 6 cases passed."]


def test_failure_message_shows_case_expected_and_got():
    keras = _define(next(m for m in CAT.MUTANTS if m["name"] == "Keras's epsilon hat"))
    with pytest.raises(ExerciseFailure) as info:
        checks.check_adam_step(keras)
    msg = str(info.value)
    assert msg.startswith("adam_step, case scalar parabola f(w)=w^2 from w=-3, m=0.5, V=2, t=3")
    assert "step 1 of 3: `w` is wrong." in msg and "expected: -2.939208618" in msg
    assert "`m`, `V` are right" in msg


def test_not_implemented_helper_is_named():
    def first_moment(method, m, g, t, beta1):
        raise NotImplementedError()

    def frame_step_calling(w, m, V, g, t, lr, method, beta1, beta2, eps):
        m, m_used = first_moment(method, m, g, t, beta1)
        return w - lr * m_used, m, V

    with pytest.raises(ExerciseFailure, match="it calls `first_moment`, which is not implemented yet"):
        checks.check_frame_step(frame_step_calling)


# --------------------------------------------------------------------------- numbers notebook 08 states
# Each test recomputes with the library a statement of the notebook's text (its cells print the same numbers).

from optimlab.landscapes import get_landscape  # noqa: E402
from optimlab.runner import run  # noqa: E402

ILL, ROT = get_landscape("ill_conditioned"), get_landscape("rotated_quadratic")


def _steps_to(result, tol=1e-6):
    hit = np.nonzero(result.losses < tol)[0]
    return int(hit[0]) if hit.size else None


def test_first_step_without_correction_is_3_16_lr():
    assert 0.1 / math.sqrt(0.001) == pytest.approx(3.1623, abs=1e-4)
    w1, _, _ = optimlab.adam_step(np.zeros(3), np.zeros(3), np.zeros(3), np.array([0.01, 1.0, 100.0]), 1, lr=0.1,
                                  bias_correction=False)
    np.testing.assert_allclose(-w1 / 0.1, 3.1623, atol=2e-4)    # "3.16 times", whatever the gradient
    # "after 10 steps its weights sum to 0.01"; beta1 = beta2 = 0.9 gives 0.32 instead
    assert 1 - 0.999**10 == pytest.approx(0.01, abs=1e-4) and 0.1 / math.sqrt(0.1) == pytest.approx(0.316, abs=1e-3)


def test_a_gradient_after_a_long_silence_reaches_the_bound():
    w, _, _ = optimlab.adam_step(np.zeros(1), np.zeros(1), np.zeros(1), np.ones(1), 10001, lr=0.01)
    assert abs(w[0]) / 0.01 == pytest.approx(3.162, abs=1e-3)


def test_loss_times_1000_gd_diverges_adam_unchanged():
    def path(name, c, steps, **hyper):
        opt = optimlab.make(name, **hyper)
        w = ILL.start.copy()
        state, out = opt.init(w), [w]
        for _ in range(steps):
            w, state = opt.update(w, c * ILL.grad(w), state)
            out.append(w)
            if np.abs(w).max() > 1e6:
                break
        return np.array(out)

    assert len(path("gd", 1000, 100, lr=0.4)) == 3          # passes 1e6 at its second step
    assert np.linalg.norm(path("gd", 1, 100, lr=0.4)[-1]) < 2e-3
    diff = np.abs(path("adam", 1, 100, lr=0.1) - path("adam", 1000, 100, lr=0.1)).max()
    assert 1e-9 < diff < 1e-7                                  # "differ by less than 1e-7" (eps)


def test_rotation_costs_the_adaptive_methods_not_gd():
    counts = {name: [_steps_to(run(name, land, steps=2000, lr=lr)) for land in (ILL, ROT)]
              for name, lr in (("gd", 0.4), ("adagrad", 0.5), ("rmsprop", 0.05), ("adam", 0.1))}
    assert counts["gd"][0] == counts["gd"][1] == 88
    for name in ("rmsprop", "adam"):
        assert 1.7 < counts[name][1] / counts[name][0] < 2.0     # "about twice as many"
    assert counts["adagrad"][1] / counts["adagrad"][0] > 2.0      # "AdaGrad more than twice"


def test_eps_sweep():
    n = {eps: _steps_to(run("adam", ILL, steps=300, lr=0.1, eps=eps)) for eps in (1e-8, 1e-4, 1e-2, 0.1, 1.0)}
    assert n[1e-8] == n[1e-4] == 124
    assert n[1e-2] > 124 and n[0.1] > 124 and n[1.0] is None


def test_parabola_gd_beats_adam():
    gd = run("gd", "parabola", start=[5.0], steps=100, lr=0.1).trajectory[:, 0]
    adam = run("adam", "parabola", start=[5.0], steps=100, lr=0.1).trajectory[:, 0]
    assert abs(gd[100]) == pytest.approx(1.02e-9, rel=0.01)
    assert adam[10] == pytest.approx(4.0, abs=0.01) and adam[100] == pytest.approx(-0.039, abs=5e-4)
    assert int(np.argmax(adam < 0)) == 87


def test_mse_gradient_is_two_ninths_at_the_start_and_keras_first_step():
    data = optimlab.datasets.iris()
    X = (data.X - data.X.mean(axis=0)) / data.X.std(axis=0)
    dW, db = checks.reference_softmax_ce_grad(np.zeros((4, 3)), np.zeros(3), X, data.y)
    P = np.full((150, 3), 1 / 3)
    D = 2 * (P - np.eye(3)[data.y]) / P.size
    G = P * (D - np.sum(P * D, axis=1, keepdims=True))
    ratio = np.linalg.norm(np.concatenate([(X.T @ G).ravel(), G.sum(axis=0)])) / np.linalg.norm(
        np.concatenate([dW.ravel(), db]))
    assert ratio == pytest.approx(2 / 9, abs=1e-12)
    # Keras: eps added to the raw root; a gradient of 1e-6 gets less than a third of lr at t = 1
    g = 1e-6
    keras = 1e-3 * math.sqrt(0.001) / 0.1 * (0.1 * g) / (math.sqrt(0.001) * g + 1e-7) / 1e-3
    torch_ = g / (g + 1e-8)
    assert keras == pytest.approx(0.2403, abs=1e-4) and torch_ == pytest.approx(0.9901, abs=1e-4)


def test_iris_five_members_of_the_frame():
    data = optimlab.datasets.iris()
    X = (data.X - data.X.mean(axis=0)) / data.X.std(axis=0)
    model = optimlab.SoftmaxRegression(n_features=4, n_classes=3)
    acc = {}
    for method, lr in {"sgd": 0.5, "sgdm": 0.5, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.05}.items():
        w = m = V = np.zeros(15)
        for t in range(1, 201):
            w, m, V = frame_step(w, m, V, model.grad(w, X, data.y), t, lr, method, 0.9, 0.999, 1e-8)
        acc[method] = model.accuracy(w, X, data.y)
    assert all(0.96 <= a <= 0.975 for a in acc.values()), acc       # "about 96 to 97 %"


def test_notebook_explorer_offers_the_optimizers_taught_so_far():
    import ast
    import json
    nb = json.loads((Path(__file__).resolve().parents[1] / "solutions" / "08_adam" / "08_adam.ipynb").read_text())
    src = next("".join(c["source"]) for c in nb["cells"] if "landscape_explorer(" in "".join(c["source"])
               and c["cell_type"] == "code" and "import" not in "".join(c["source"]).splitlines()[-1])
    call = next(n for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Call)
                and getattr(n.func, "id", "") == "landscape_explorer")
    kw = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    taught = {"gd", "momentum", "heavy_ball", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"}
    assert set(kw["available"]) == taught and set(kw["optimizers"]) <= taught
