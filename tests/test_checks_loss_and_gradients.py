"""The checks of notebook 01 (loss, gradients, numerical gradient).

The right answer passes the visible and hidden checks; each typical wrong answer,
written the way a learner would write it, fails with the hint that names its mistake.
"""
import itertools

import numpy as np
import pytest

from optimlab.checks import ExerciseFailure
from optimlab.checks import loss_and_gradients as C
from optimlab.models import QuadraticModel


# ---------------------------------------------------------------------------
# Learner-style solutions: right and wrong
# ---------------------------------------------------------------------------

def loss_right(w, x, y):
    pred = w[0] * x ** 2 + w[1] * x + w[2]
    return np.mean((pred - y) ** 2)


def grad_right(w, x, y):
    r = w[0] * x ** 2 + w[1] * x + w[2] - y
    return 2 * np.array([np.mean(r * x ** 2), np.mean(r * x), np.mean(r)])


def numgrad_right(f, w, h=1e-5):
    # in place on the caller's float array, restored exactly (asarray copies only integer input)
    w = np.asarray(w, dtype=float)
    grad = np.zeros_like(w, dtype=float)
    for idx in np.ndindex(w.shape):
        old = w[idx]
        w[idx] = old + h
        fp = f(w)
        w[idx] = old - h
        fm = f(w)
        w[idx] = old
        grad[idx] = (fp - fm) / (2 * h)
    return grad


def numgrad_copies(f, w, h=1e-5):
    """Another right answer: perturbed copies instead of in-place perturbation."""
    grad = np.zeros(w.shape)
    for i in range(w.size):
        e = np.zeros(w.size)
        e[i] = h
        e = e.reshape(w.shape)
        grad.flat[i] = (f(w + e) - f(w - e)) / (2 * h)
    return grad


def _unimplemented(*args, **kwargs):
    raise NotImplementedError()


def _pred(w, x):
    return w[0] * x ** 2 + w[1] * x + w[2]


WRONG_LOSSES = {
    "sum": (lambda w, x, y: np.sum((_pred(w, x) - y) ** 2), "summed, not averaged"),
    "half": (lambda w, x, y: 0.5 * np.mean((_pred(w, x) - y) ** 2), "a factor 1/2"),
    "no square": (lambda w, x, y: np.mean(_pred(w, x) - y), "not squared"),
    "abs": (lambda w, x, y: np.mean(np.abs(y - _pred(w, x))), "mean absolute error"),
    "square of mean": (lambda w, x, y: np.mean(_pred(w, x) - y) ** 2, "the mean was squared"),
    "rmse": (lambda w, x, y: np.sqrt(np.mean((_pred(w, x) - y) ** 2)), "RMSE"),
    "order": (lambda w, x, y: np.mean((w[2] * x ** 2 + w[1] * x + w[0] - y) ** 2), "wrong order"),
    "no return": (lambda w, x, y: None, "forget the `return`"),
    "per-sample": (lambda w, x, y: (_pred(w, x) - y) ** 2, "shape"),
}


def _g(w, x, y, f1, scale=2.0, n=None):
    r = _pred(w, x) - y
    n = len(x) if n is None else n
    return scale / n * np.array([np.sum(r * f1), np.sum(r * x), np.sum(r)])


WRONG_GRADS = {
    "sign": (lambda w, x, y: 2 / len(x) * np.array([np.sum((y - _pred(w, x)) * x ** 2),
                                                     np.sum((y - _pred(w, x)) * x),
                                                     np.sum(y - _pred(w, x))]), "sign is flipped"),
    "no 2": (lambda w, x, y: _g(w, x, y, x ** 2, scale=1.0), "factor 2 is missing"),
    "x for w1": (lambda w, x, y: _g(w, x, y, x), "d pred / d w1 = x^2"),
    "2x for w1": (lambda w, x, y: _g(w, x, y, 2 * x), "derivative of x^2 with respect to x"),
    "dpred/dx": (lambda w, x, y: _g(w, x, y, 2 * w[0] * x + w[1]), "with respect to the parameters"),
    "sum": (lambda w, x, y: _g(w, x, y, x ** 2, n=1), "summed over the samples"),
    "sum no 2": (lambda w, x, y: _g(w, x, y, x ** 2, scale=1.0, n=1), "summed instead of averaged, and the factor"),
    "reversed": (lambda w, x, y: _g(w, x, y, x ** 2)[::-1], "entries are in the wrong order"),
    "param order": (lambda w, x, y: (lambda r: 2 * np.array([np.mean(r * x ** 2), np.mean(r * x), np.mean(r)]))(
        w[2] * x ** 2 + w[1] * x + w[0] - y)[::-1], "parameters are in the wrong order"),
    "list of 2": (lambda w, x, y: _g(w, x, y, x ** 2)[:2], "shape"),
}


def ng_forward(f, w, h=1e-5):
    g = np.zeros(w.shape)
    f0 = f(w)
    for idx in np.ndindex(w.shape):
        wp = w.copy()
        wp[idx] += h
        g[idx] = (f(wp) - f0) / h
    return g


def ng_backward(f, w, h=1e-5):
    g = np.zeros(w.shape)
    for idx in np.ndindex(w.shape):
        wm = w.copy()
        wm[idx] -= h
        g[idx] = (f(w) - f(wm)) / h
    return g


def ng_over_h(f, w, h=1e-5):
    g = np.zeros(w.shape)
    for idx in np.ndindex(w.shape):
        wp, wm = w.copy(), w.copy()
        wp[idx] += h
        wm[idx] -= h
        g[idx] = (f(wp) - f(wm)) / h
    return g


def ng_precedence(f, w, h=1e-5):
    g = np.zeros(w.shape)
    for idx in np.ndindex(w.shape):
        wp, wm = w.copy(), w.copy()
        wp[idx] += h
        wm[idx] -= h
        g[idx] = (f(wp) - f(wm)) / 2 * h
    return g


def ng_not_restored(f, w, h=1e-5):
    g = np.zeros(w.shape)
    for idx in np.ndindex(w.shape):
        w[idx] += h
        fp = f(w)
        w[idx] -= 2 * h
        fm = f(w)
        g[idx] = (fp - fm) / (2 * h)
    return g


def ng_restored_by_arithmetic(f, w, h=1e-5):
    """Puts w back with += h / -= 2h / += h: the round-off leaves w changed in the last bits."""
    g = np.zeros(w.shape)
    for idx in np.ndindex(w.shape):
        w[idx] += h
        fp = f(w)
        w[idx] -= 2 * h
        fm = f(w)
        w[idx] += h
        g[idx] = (fp - fm) / (2 * h)
    return g


def ng_all_at_once(f, w, h=1e-5):
    return np.full(w.shape, (f(w + h) - f(w - h)) / (2 * h))


def ng_rows(f, w, h=1e-5):
    g = np.zeros(w.shape)
    for i in range(len(w)):
        wp, wm = w.copy(), w.copy()
        wp[i] += h
        wm[i] -= h
        g[i] = (f(wp) - f(wm)) / (2 * h)
    return g


WRONG_NUMGRADS = {
    "forward": (ng_forward, "forward difference"),
    "backward": (ng_backward, "backward difference"),
    "divide by h": (ng_over_h, "divide by 2h, not by h"),
    "precedence": (ng_precedence, "operator precedence"),
    "not restored": (ng_not_restored, "left `w` modified"),
    "restored by arithmetic": (ng_restored_by_arithmetic, "`w[j] -= h` is not enough"),
    "all at once": (ng_all_at_once, "perturbed at once"),
    "rows": (ng_rows, "perturbs a whole row"),
}


# ---------------------------------------------------------------------------
# The right answers pass
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("hidden", [False, True])
def test_right_answers_pass(hidden, capsys):
    assert C.check_quadratic_loss(loss_right, hidden=hidden) is None
    assert f"quadratic_loss: all {6 if hidden else 3} cases passed" in capsys.readouterr().out
    assert C.check_quadratic_grad(grad_right, hidden=hidden) is None
    assert f"all {6 if hidden else 3} cases passed" in capsys.readouterr().out
    assert C.check_numerical_gradient(numgrad_right, hidden=hidden) is None
    assert f"numerical_gradient: all {7 if hidden else 4} cases passed" in capsys.readouterr().out
    assert C.check_numerical_gradient(numgrad_copies, hidden=hidden) is None
    assert f"all {7 if hidden else 4} cases passed" in capsys.readouterr().out


def test_reference_functions_pass_their_own_checks():
    C.check_quadratic_loss(C.reference_quadratic_loss, hidden=True)
    C.check_quadratic_grad(C.reference_quadratic_grad, hidden=True)
    C.check_numerical_gradient(C.reference_numerical_gradient, hidden=True)


# ---------------------------------------------------------------------------
# Hand-computed values: the references are the formulas of the notebook
# ---------------------------------------------------------------------------

def test_reference_values_by_hand():
    # x=[1,2,3,4,5], y=[2,3,5,7,11], w=[0.5,-1,2]: pred = [1.5, 2, 3.5, 6, 9.5], r = [-.5,-1,-1.5,-1,-1.5]
    x = np.array([1.0, 2, 3, 4, 5])
    y = np.array([2.0, 3, 5, 7, 11])
    w = np.array([0.5, -1.0, 2.0])
    assert C.reference_quadratic_loss(w, x, y) == pytest.approx((0.25 + 1 + 2.25 + 1 + 2.25) / 5)  # 1.35
    # sum r x^2 = -.5 - 4 - 13.5 - 16 - 37.5 = -71.5; sum r x = -.5-2-4.5-4-7.5 = -18.5; sum r = -5.5
    np.testing.assert_allclose(C.reference_quadratic_grad(w, x, y), [2 / 5 * -71.5, 2 / 5 * -18.5, 2 / 5 * -5.5])
    # f(w) = w0^2 + 3 w0 w1: gradient (2 w0 + 3 w1, 3 w0); central differences are exact for quadratics
    g = C.reference_numerical_gradient(lambda v: v[0] ** 2 + 3 * v[0] * v[1], np.array([1.0, 2.0]), h=0.5)
    np.testing.assert_allclose(g, [8.0, 3.0], rtol=1e-12)


def test_quadratic_model_agrees_with_the_exercise_formulas():
    """models.QuadraticModel must be the y = w1 x^2 + w2 x + w3 of the exercises (same order, same mean)."""
    rng = np.random.default_rng(0)
    x, y, w = rng.normal(size=9), rng.normal(size=9), rng.normal(size=3)
    m = QuadraticModel()
    assert m.loss(w, x, y) == pytest.approx(loss_right(w, x, y), rel=1e-12)
    np.testing.assert_allclose(m.grad(w, x, y), grad_right(w, x, y), rtol=1e-12)
    np.testing.assert_allclose(m.predict(w, x), _pred(w, x), rtol=1e-12)


# ---------------------------------------------------------------------------
# Each wrong answer fails with its hint
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(WRONG_LOSSES))
def test_wrong_loss_is_named(name):
    fn, hint = WRONG_LOSSES[name]
    with pytest.raises(ExerciseFailure, match="quadratic_loss, case") as info:
        C.check_quadratic_loss(fn)
    assert hint in str(info.value), str(info.value)


@pytest.mark.parametrize("name", list(WRONG_GRADS))
def test_wrong_grad_is_named(name):
    fn, hint = WRONG_GRADS[name]
    with pytest.raises(ExerciseFailure, match="quadratic_grad, case") as info:
        C.check_quadratic_grad(fn)
    assert hint in str(info.value), str(info.value)


@pytest.mark.parametrize("name", list(WRONG_NUMGRADS))
def test_wrong_numerical_gradient_is_named(name):
    fn, hint = WRONG_NUMGRADS[name]
    with pytest.raises(ExerciseFailure, match="numerical_gradient, case") as info:
        C.check_numerical_gradient(fn)
    assert hint in str(info.value), str(info.value)


def test_failure_message_shows_expected_and_got():
    with pytest.raises(ExerciseFailure) as info:
        C.check_quadratic_loss(WRONG_LOSSES["sum"][0])
    msg = str(info.value)
    assert "expected: 1.35" in msg and "got:      6.75" in msg  # 1.35 * 5 samples


@pytest.mark.parametrize("check", [C.check_quadratic_loss, C.check_quadratic_grad, C.check_numerical_gradient])
def test_unimplemented_says_so(check):
    with pytest.raises(ExerciseFailure, match="not implemented yet"):
        check(_unimplemented)


def test_a_crash_is_reported_with_the_inputs():
    def crashes(f, w, h=1e-5):
        return f(w[5])

    with pytest.raises(ExerciseFailure, match="raised IndexError"):
        C.check_numerical_gradient(crashes)


def test_not_a_function_is_refused():
    for check in (C.check_quadratic_loss, C.check_numerical_gradient):
        with pytest.raises(ExerciseFailure, match="expected your function"):
            check(3.0)


# ---------------------------------------------------------------------------
# The cases separate the variants: every known mistake changes the numbers, differently
# ---------------------------------------------------------------------------

def _distinct_on_every_case(reference, variants, cases, rtol, applies=lambda case, variant: True):
    """On every case, the right answer and each variant that applies give different numbers,
    and variants with different hints differ from each other (else the hint could be wrong)."""
    for case in cases:
        args = list(case.inputs.values())
        outs = [(None, np.asarray(reference(*args), dtype=float))]
        outs += [(v.hint, np.asarray(v.fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args]),
                                     dtype=float))
                 for v in variants if applies(case, v)]
        for (hint_a, a), (hint_b, b) in itertools.combinations(outs, 2):
            if hint_a == hint_b:
                continue
            same = a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=1e-9)
            assert not same, f"case {case.label}: {hint_a!r} and {hint_b!r} give the same numbers"


@pytest.mark.parametrize("hidden", [False, True])
def test_variants_differ_on_every_case(hidden):
    _distinct_on_every_case(C.reference_quadratic_loss, C._LOSS_VARIANTS, C._data_cases(hidden, 11), 1e-6)
    _distinct_on_every_case(C.reference_quadratic_grad, C._GRAD_VARIANTS, C._data_cases(hidden, 12), 1e-6)
    # looping over rows only differs from the right answer when w has two or more axes
    _distinct_on_every_case(C.reference_numerical_gradient, C._NUMGRAD_VARIANTS, C._numgrad_cases(hidden), 1e-5,
                            applies=lambda case, v: "whole row" not in v.hint or case.inputs["w"].ndim > 1)


def test_forward_difference_error_is_first_order_central_second_order():
    """The claim of the notebook: halving h halves the forward error and quarters the central error."""
    f, df, x = np.exp, np.exp, np.array([1.0])
    errs = {}
    for h in (1e-2, 5e-3):
        errs[h] = (abs(ng_forward(lambda v: f(v[0]), x, h)[0] - df(1.0)),
                   abs(C.reference_numerical_gradient(lambda v: f(v[0]), x, h)[0] - df(1.0)))
    assert errs[1e-2][0] / errs[5e-3][0] == pytest.approx(2.0, rel=0.01)
    assert errs[1e-2][1] / errs[5e-3][1] == pytest.approx(4.0, rel=0.01)
