"""optimlab.models and optimlab.gradcheck: losses, gradients and Hessians checked by hand and by central differences."""
from __future__ import annotations

import math

import numpy as np
import pytest

from optimlab import models as M
from optimlab.datasets import iris, source_articles_data
from optimlab.gradcheck import GradCheckResult, gradient_check, numerical_gradient, numerical_hessian

X5 = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
Y5 = np.array([2.0, 3.0, 5.0, 7.0, 11.0])


@pytest.fixture(scope="module")
def iris_std():
    X, y = iris()
    return (X - X.mean(0)) / X.std(0), y


# ---------------------------------------------------------------------------
# Linear regression on the source-article data, by hand
# ---------------------------------------------------------------------------

def test_source_data_is_the_articles_data():
    X, y = source_articles_data()
    np.testing.assert_array_equal(X, X5)
    np.testing.assert_array_equal(y, Y5)


def test_linear_regression_loss_and_gradient_by_hand():
    m = M.LinearRegression()
    # At w = 1, b = 0: predictions [1, 2, 3, 4, 5]; residuals pred - y = [-1, -1, -2, -3, -6].
    # loss = (1 + 1 + 4 + 9 + 36) / 5 = 51 / 5
    # dL/dw = 2/5 * (-1*1 - 1*2 - 2*3 - 3*4 - 6*5) = 2/5 * (-51)
    # dL/db = 2/5 * (-1 - 1 - 2 - 3 - 6) = 2/5 * (-13)
    assert m.loss([1.0, 0.0], X5, Y5) == pytest.approx(51 / 5, rel=1e-15)
    np.testing.assert_allclose(m.grad([1.0, 0.0], X5, Y5), [2 / 5 * -51, 2 / 5 * -13], rtol=1e-15)
    # At w = 2, b = -1: predictions [1, 3, 5, 7, 9]; residuals [-1, 0, 0, 0, -2].
    # loss = (1 + 4) / 5;  dL/dw = 2/5 * (-1*1 - 2*5) = 2/5 * (-11);  dL/db = 2/5 * (-3)
    loss, g = m.loss_and_grad(np.array([2.0, -1.0]), X5, Y5)
    assert loss == pytest.approx(1.0, rel=1e-15)
    np.testing.assert_allclose(g, [2 / 5 * -11, 2 / 5 * -3], rtol=1e-15)
    np.testing.assert_allclose(m.predict([2.0, -1.0], X5), [1, 3, 5, 7, 9])


def test_linear_regression_hessian_and_newton_step():
    m = M.LinearRegression()
    # H = 2/n [[sum x^2, sum x], [sum x, n]] = 2/5 [[55, 15], [15, 5]]
    H = m.hessian([0.3, 0.7], X5, Y5)
    np.testing.assert_allclose(H, [[22.0, 6.0], [6.0, 2.0]], rtol=1e-15)
    # One Newton step from anywhere lands on the least-squares solution w = 2.2, b = -1
    # (slope = sum (x - 3)(y - 5.6) / sum (x - 3)^2 = 22 / 10, intercept 5.6 - 2.2 * 3).
    w = np.array([-3.0, 4.0])
    w_new = w - np.linalg.solve(H, m.grad(w, X5, Y5))
    np.testing.assert_allclose(w_new, [2.2, -1.0], atol=1e-12)
    np.testing.assert_allclose(m.least_squares(X5, Y5), [2.2, -1.0], atol=1e-12)
    assert m.loss(w_new, X5, Y5) == pytest.approx(0.56, rel=1e-12)  # residuals [-.8, .4, .6, .8, -1]


def test_linear_regression_several_features():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 3))
    y = rng.normal(size=20)
    m = M.LinearRegression(n_features=3)
    assert m.n_params == 4
    w = rng.normal(size=4)
    # The layout [w_1, w_2, w_3, b]: predictions are X @ w[:3] + w[3].
    np.testing.assert_allclose(m.predict(w, X), X @ w[:3] + w[3], rtol=1e-14)
    assert gradient_check(lambda v: m.loss(v, X, y), lambda v: m.grad(v, X, y), w) < 1e-8
    Hn = numerical_hessian(lambda v: m.grad(v, X, y), w)
    np.testing.assert_allclose(m.hessian(w, X, y), Hn, atol=1e-7)
    ref = np.linalg.lstsq(np.column_stack([X, np.ones(20)]), y, rcond=None)[0]
    np.testing.assert_allclose(m.least_squares(X, y), ref, rtol=1e-12)
    parts = m.unpack(w)
    np.testing.assert_array_equal(parts["w"], w[:3])
    assert parts["b"] == w[3]


def test_unpack_one_feature_gives_numbers():
    assert M.LinearRegression().unpack([2.2, -1.0]) == {"w": 2.2, "b": -1.0}
    assert M.QuadraticModel().unpack([1.0, 2.0, 3.0]) == {"w1": 1.0, "w2": 2.0, "w3": 3.0}


# ---------------------------------------------------------------------------
# The quadratic model
# ---------------------------------------------------------------------------

def test_quadratic_model_by_hand():
    m = M.QuadraticModel()
    # w = (1, 0, 0): predictions x^2 = [1, 4, 9, 16, 25]; residuals pred - y = [-1, 1, 4, 9, 14].
    # loss = (1 + 1 + 16 + 81 + 196) / 5 = 295 / 5
    # dL/dw1 = 2/5 * sum r x^2 = 2/5 * (-1 + 4 + 36 + 144 + 350) = 2/5 * 533
    # dL/dw2 = 2/5 * sum r x   = 2/5 * (-1 + 2 + 12 + 36 + 70)  = 2/5 * 119
    # dL/dw3 = 2/5 * sum r     = 2/5 * 27
    w = np.array([1.0, 0.0, 0.0])
    assert m.loss(w, X5, Y5) == pytest.approx(59.0, rel=1e-15)
    np.testing.assert_allclose(m.grad(w, X5, Y5), [2 / 5 * 533, 2 / 5 * 119, 2 / 5 * 27], rtol=1e-15)


def test_quadratic_model_gradient_and_hessian_vs_central_differences():
    m = M.QuadraticModel()
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, 30)
    y = 0.5 * x**2 - x + 1 + 0.1 * rng.normal(size=30)
    w = np.array([0.3, -0.2, 0.9])
    err = gradient_check(lambda v: m.loss(v, x, y), lambda v: m.grad(v, x, y), w)
    assert err < 1e-9, str(err)
    np.testing.assert_allclose(m.hessian(w, x, y), numerical_hessian(lambda v: m.grad(v, x, y), w), atol=1e-7)
    # Newton: one step to the least-squares fit (the loss is quadratic in w)
    w1 = w - np.linalg.solve(m.hessian(w, x, y), m.grad(w, x, y))
    ref = np.linalg.lstsq(np.column_stack([x**2, x, np.ones_like(x)]), y, rcond=None)[0]
    np.testing.assert_allclose(w1, ref, atol=1e-12)
    # X of shape (n, 1) means the same thing as (n,)
    assert m.loss(w, x[:, None], y) == m.loss(w, x, y)


# ---------------------------------------------------------------------------
# Softmax regression and the MLP
# ---------------------------------------------------------------------------

def test_softmax_regression_at_zero_by_hand(iris_std):
    X, y = iris_std
    m = M.SoftmaxRegression(4, 3)
    w = np.zeros(m.n_params)
    # All logits 0: p = 1/3 for every class, so the loss is ln 3 for every example.
    assert m.loss(w, X, y) == pytest.approx(math.log(3), rel=1e-15)
    g = m.grad(w, X, y)
    # db_c = mean_i (1/3 - [y_i = c]) = 1/3 - 50/150 = 0 for the balanced Iris classes
    np.testing.assert_allclose(g[-3:], 0.0, atol=1e-15)
    # dW[j, c] = mean_i x_ij (1/3 - [y_i = c]) = -mean of feature j over class c (X is centred)
    for c in range(3):
        np.testing.assert_allclose(g[:-3].reshape(4, 3)[:, c], -X[y == c].sum(0) / 150, atol=1e-15)


def test_softmax_regression_gradient_and_hessian(iris_std):
    X, y = iris_std
    m = M.SoftmaxRegression(4, 3)
    w = np.random.default_rng(1).normal(scale=0.5, size=m.n_params)
    assert gradient_check(lambda v: m.loss(v, X, y), lambda v: m.grad(v, X, y), w) < 1e-6
    H = m.hessian(w, X, y)
    np.testing.assert_allclose(H, numerical_hessian(lambda v: m.grad(v, X, y), w), atol=1e-7)
    np.testing.assert_allclose(H, H.T, atol=1e-15)
    # Adding the same vector to every class's column of [W; b] changes nothing: H has it in its null space.
    shift = np.repeat(np.array([0.3, -1.0, 2.0, 0.5, 1.5])[:, None], 3, axis=1).ravel()
    np.testing.assert_allclose(H @ shift, 0.0, atol=1e-12)
    assert m.loss(w + shift, X, y) == pytest.approx(m.loss(w, X, y), rel=1e-12)
    assert np.linalg.eigvalsh(H).min() > -1e-12  # convex


def test_softmax_regression_outputs(iris_std):
    X, y = iris_std
    m = M.SoftmaxRegression(4, 3)
    w = m.init_params(0)
    P = m.predict_proba(w, X)
    assert P.shape == (150, 3)
    np.testing.assert_allclose(P.sum(1), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(m.predict(w, X), P.argmax(1))
    assert m.accuracy(w, X, y) == np.mean(P.argmax(1) == y)
    parts = m.unpack(w)
    assert parts["W"].shape == (4, 3) and parts["b"].shape == (3,)
    np.testing.assert_array_equal(m.logits(w, X), X @ parts["W"] + parts["b"])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "gelu"])
def test_mlp_gradient_matches_central_differences(activation, iris_std):
    X, y = iris_std
    X, y = X[::5], y[::5]  # 30 examples keep the 2 * n_params loss evaluations cheap
    m = M.MLP([4, 6, 5, 3], activation)
    w = m.init_params(seed=2)
    w[m._slices[0][1][0]:m._slices[0][1][1]] += 0.1  # non-zero biases, so their gradient is exercised
    err = gradient_check(lambda v: m.loss(v, X, y), lambda v: m.grad(v, X, y), w)
    assert err < 1e-6, f"{activation}: {err}"


def test_mlp_without_hidden_layer_is_softmax_regression(iris_std):
    X, y = iris_std
    mlp, soft = M.MLP([4, 3]), M.SoftmaxRegression(4, 3)
    assert mlp.n_params == soft.n_params == 15
    w = np.random.default_rng(5).normal(size=15)  # same layout: [W.ravel(), b]
    assert mlp.loss(w, X, y) == pytest.approx(soft.loss(w, X, y), rel=1e-14)
    np.testing.assert_allclose(mlp.grad(w, X, y), soft.grad(w, X, y), rtol=1e-12, atol=1e-15)


def test_mlp_layout_and_forward_by_hand():
    m = M.MLP([2, 2, 2], "relu")
    # W1 = [[1, -1], [0, 2]], b1 = [0, -1], W2 = [[1, 0], [0, 1]], b2 = [0.5, 0]
    w = np.array([1.0, -1.0, 0.0, 2.0, 0.0, -1.0, 1.0, 0.0, 0.0, 1.0, 0.5, 0.0])
    parts = m.unpack(w)
    np.testing.assert_array_equal(parts["W1"], [[1, -1], [0, 2]])
    np.testing.assert_array_equal(parts["b2"], [0.5, 0])
    # x = [1, 1]: Z1 = [1, 1] + [0, -1] = [1, 0]; relu -> [1, 0]; logits = [1.5, 0]
    np.testing.assert_allclose(m.logits(w, [[1.0, 1.0]]), [[1.5, 0.0]])
    # loss for label 0: logsumexp(1.5, 0) - 1.5 = ln(1 + e^-1.5)
    assert m.loss(w, [[1.0, 1.0]], [0]) == pytest.approx(math.log(1 + math.exp(-1.5)), rel=1e-14)


def test_init_params_deterministic_and_scaled():
    m = M.MLP([64, 32, 10], "relu")
    a, b, c = m.init_params(0), m.init_params(0), m.init_params(1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    W1 = m.unpack(a)["W1"]
    assert W1.std() == pytest.approx(math.sqrt(2 / 64), rel=0.06)  # He: 2048 draws, 6 % is > 3 sigma
    np.testing.assert_array_equal(m.unpack(a)["b1"], 0.0)
    Wt = M.MLP([64, 32, 10], "tanh").unpack(M.MLP([64, 32, 10], "tanh").init_params(0))["W1"]
    assert Wt.std() == pytest.approx(math.sqrt(2 / 96), rel=0.06)  # Glorot
    np.testing.assert_array_equal(M.LinearRegression().init_params(7), M.LinearRegression().init_params(7))


def test_has_hessian():
    assert M.LinearRegression().has_hessian and M.QuadraticModel().has_hessian
    assert M.SoftmaxRegression(2, 2).has_hessian
    assert not M.MLP([2, 3, 2]).has_hessian


# ---------------------------------------------------------------------------
# Activation functions
# ---------------------------------------------------------------------------

def test_activation_values_by_hand():
    assert M.sigmoid(0.0) == 0.5 and M.sigmoid_grad(0.0) == 0.25
    assert M.sigmoid(math.log(3)) == pytest.approx(0.75, rel=1e-15)  # 1 / (1 + 1/3)
    assert M.tanh(0.0) == 0.0 and M.tanh_grad(0.0) == 1.0
    np.testing.assert_array_equal(M.relu([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(M.relu_grad([-2.0, 0.0, 3.0]), [0.0, 0.0, 1.0])  # 0 at the kink, as PyTorch
    # GELU(x) = x Phi(x); Phi(1) = 0.8413447460685429, Phi(-1) = 1 - Phi(1)
    assert M.gelu(1.0) == pytest.approx(0.8413447460685429, rel=1e-15)
    assert M.gelu(-1.0) == pytest.approx(-(1 - 0.8413447460685429), rel=1e-14)
    assert M.gelu(0.0) == 0.0 and M.gelu_grad(0.0) == 0.5
    # gelu'(1) = Phi(1) + phi(1) = 0.8413447460685429 + exp(-1/2) / sqrt(2 pi)
    assert M.gelu_grad(1.0) == pytest.approx(0.8413447460685429 + math.exp(-0.5) / math.sqrt(2 * math.pi), rel=1e-14)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "gelu", "gelu_tanh"])
def test_activation_derivatives_match_central_differences(name):
    if name == "gelu_tanh":
        f, fp = (lambda z: M.gelu(z, "tanh")), (lambda z: M.gelu_grad(z, "tanh"))
    else:
        f, fp = M.ACTIVATIONS[name]
    z = np.arange(-4.0, 4.0, 0.05) + 0.0123  # no point within h of 0 (the ReLU kink)
    h = 1e-6
    numeric = (f(z + h) - f(z - h)) / (2 * h)
    np.testing.assert_allclose(fp(z), numeric, atol=1e-8)


def test_gelu_tanh_approximation_is_close_to_exact():
    z = np.linspace(-6, 6, 2001)
    gap = np.abs(M.gelu(z) - M.gelu(z, approximate="tanh")).max()
    assert 1e-5 < gap < 1e-3  # an approximation, a good one
    with pytest.raises(ValueError, match="approximate"):
        M.gelu(z, approximate="fast")


def test_sigmoid_is_stable_for_large_inputs():
    with np.errstate(over="raise", under="ignore"):
        s = M.sigmoid(np.array([-1000.0, -40.0, 40.0, 1000.0]))
    assert s[0] == 0.0 and s[3] == 1.0
    assert s[1] == pytest.approx(math.exp(-40), rel=1e-12)  # not rounded to 0 by 1 / (1 + e^40)


def test_softmax_is_stable_with_large_logits():
    expected = [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]  # e^i / (1 + e + e^2)
    with np.errstate(over="raise"):
        np.testing.assert_allclose(M.softmax(np.array([1000.0, 1001.0, 1002.0])), expected, rtol=1e-14)
        np.testing.assert_allclose(M.softmax(np.array([-1000.0, -999.0, -998.0])), expected, rtol=1e-14)
        assert M.logsumexp(np.array([1000.0, 1000.0])) == pytest.approx(1000 + math.log(2), rel=1e-15)
        np.testing.assert_allclose(M.log_softmax(np.array([1000.0, 1000.0])), [-math.log(2)] * 2, rtol=1e-15)
        # cross-entropy of a confidently wrong prediction: logsumexp - z_y = 1000 (finite, not inf)
        assert M.cross_entropy(np.array([[1000.0, 0.0]]), [1]) == pytest.approx(1000.0, rel=1e-15)
        m = M.SoftmaxRegression(1, 2)
        loss, g = m.loss_and_grad([1000.0, -1000.0, 0.0, 0.0], [[1.0]], [1])
    assert loss == pytest.approx(2000.0, rel=1e-15) and np.isfinite(g).all()
    P = M.softmax(np.array([[1.0, 2.0], [3.0, 3.0]]))
    np.testing.assert_allclose(P[1], [0.5, 0.5])


def test_softmax_jacobian():
    z = np.array([0.2, -1.0, 0.5])
    J = M.softmax_jacobian(z)
    h = 1e-6
    numeric = np.column_stack([(M.softmax(z + h * e) - M.softmax(z - h * e)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(J, numeric, atol=1e-9)
    np.testing.assert_allclose(J.sum(0), 0.0, atol=1e-15)  # probabilities keep summing to 1
    assert M.softmax_jacobian(np.zeros((4, 3))).shape == (4, 3, 3)


def test_accuracy():
    assert M.accuracy([0, 1, 2, 1], [0, 1, 1, 1]) == 0.75
    assert M.accuracy([1, 0], np.array([[0.2, 0.8], [0.9, 0.1]])) == 1.0
    with pytest.raises(ValueError, match="y_pred"):
        M.accuracy([0, 1, 2], [0, 1])


# ---------------------------------------------------------------------------
# Bad input: messages name the argument, the value and what is expected
# ---------------------------------------------------------------------------

def test_bad_w_is_named():
    m = M.LinearRegression()
    with pytest.raises(ValueError, match=r"w has shape \(3,\).*shape \(2,\).*\[w, b\]"):
        m.loss([1.0, 2.0, 3.0], X5, Y5)
    with pytest.raises(ValueError, match=r"w has shape \(2, 1\).*w.ravel\(\)"):
        m.grad(np.zeros((2, 1)), X5, Y5)
    with pytest.raises(TypeError, match="w must be a real number"):
        m.loss("ab", X5, Y5)
    # MLP([2, 2, 2]): W1 (2x2) + b1 (2) + W2 (2x2) + b2 (2) = 12 parameters
    with pytest.raises(ValueError, match=r"w has shape \(10,\).*shape \(12,\)"):
        M.MLP([2, 2, 2]).loss(np.zeros(10), np.zeros((1, 2)), [0])


def test_bad_X_y_are_named():
    m = M.LinearRegression()
    with pytest.raises(ValueError, match="y has 4 targets but X has 5 rows"):
        m.loss([1.0, 0.0], X5, Y5[:4])
    with pytest.raises(ValueError, match=r"y has shape \(5, 1\).*y.ravel\(\)"):
        m.loss([1.0, 0.0], X5, Y5[:, None])
    with pytest.raises(ValueError, match=r"X has shape \(5, 2\).*expects shape \(n, 1\)"):
        m.loss([1.0, 0.0], np.ones((5, 2)), Y5)
    with pytest.raises(ValueError, match="X contains a non-finite value"):
        m.loss([1.0, 0.0], [1.0, np.nan, 3.0, 4.0, 5.0], Y5)
    s = M.SoftmaxRegression(2, 3)
    with pytest.raises(ValueError, match="y contains label 3, outside 0..2"):
        s.loss(np.zeros(9), np.zeros((2, 2)), [0, 3])
    with pytest.raises(ValueError, match="found 0.5"):
        s.loss(np.zeros(9), np.zeros((2, 2)), [0, 0.5])
    with pytest.raises(ValueError, match=r"one-hot.*argmax"):
        s.loss(np.zeros(9), np.zeros((2, 2)), np.eye(3)[[0, 1]])
    with pytest.raises(ValueError, match="y has 3 labels but X has 2 rows"):
        s.loss(np.zeros(9), np.zeros((2, 2)), [0, 1, 2])


def test_bad_model_arguments_are_named():
    with pytest.raises(ValueError, match="activation must be one of.*'softplus'"):
        M.MLP([4, 3], "softplus")
    with pytest.raises(ValueError, match="layer_sizes needs at least"):
        M.MLP([4])
    with pytest.raises(ValueError, match=r"layer_sizes\[1\] must be an integer >= 1, got 0"):
        M.MLP([4, 0, 3])
    with pytest.raises(ValueError, match="number of classes and must be >= 2"):
        M.MLP([4, 1])
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2"):
        M.SoftmaxRegression(4, 1)
    with pytest.raises(TypeError, match="n_features must be an integer"):
        M.LinearRegression(1.5)


# ---------------------------------------------------------------------------
# gradcheck
# ---------------------------------------------------------------------------

def test_numerical_gradient_any_shape_and_no_mutation():
    w = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    before = w.copy()
    g = numerical_gradient(lambda v: float(np.sum(v**2) + v[0, 1] * v[1, 2]), w)
    expected = 2 * w
    expected[0, 1] += w[1, 2]
    expected[1, 2] += w[0, 1]
    np.testing.assert_allclose(g, expected, atol=1e-8)
    np.testing.assert_array_equal(w, before)
    assert g.shape == w.shape
    # central differences are exact (up to rounding) for a quadratic, even with a huge h
    np.testing.assert_allclose(numerical_gradient(lambda v: float(v @ v), np.array([1.0, 2.0]), h=0.5), [2.0, 4.0])


def test_gradient_check_reports_the_worst_coordinate():
    f = lambda v: float(np.sum(v**3))  # noqa: E731
    w = np.array([1.0, -2.0, 0.5])
    good = gradient_check(f, lambda v: 3 * v**2, w)
    assert isinstance(good, GradCheckResult) and good < 1e-9
    wrong = gradient_check(f, lambda v: 3 * v**2 * np.array([1.0, 1.1, 1.0]), w)  # 10 % off in w[1]
    # analytic 13.2 vs numerical 12: |a - n| = 1.2, ||a|| + ||n|| = |(3, 13.2, .75)| + |(3, 12, .75)|
    expected = 1.2 / (np.linalg.norm([3, 13.2, 0.75]) + np.linalg.norm([3, 12, 0.75]))
    assert wrong.relative_error == pytest.approx(expected, rel=1e-6)
    assert wrong.worst_index == (1,)
    assert wrong.worst_analytic == pytest.approx(13.2) and wrong.worst_numerical == pytest.approx(12.0)
    assert "worst coordinate w[1]" in str(wrong) and "analytic 13.2" in str(wrong)
    assert gradient_check(lambda v: 0.0, lambda v: np.zeros(2), np.ones(2)) == 0.0


def test_gradcheck_bad_input():
    with pytest.raises(ValueError, match="must return one real number"):
        numerical_gradient(lambda v: v * 2, np.ones(2))
    with pytest.raises(ValueError, match=r"grad_f\(w\) has shape \(3,\) but w has shape \(2,\)"):
        gradient_check(lambda v: float(v @ v), lambda v: np.zeros(3), np.ones(2))
    with pytest.raises(ValueError, match="h must be a finite number > 0"):
        numerical_gradient(lambda v: 0.0, np.ones(2), h=0)
