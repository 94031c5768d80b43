"""optimlab.layers: the dense layer, activations, initialisation, clipping and the tracked SGD loop,
against values derived by hand."""
import math

import numpy as np
import pytest

import optimlab
from optimlab import layers
from optimlab.gradcheck import numerical_gradient


def test_activation_values_and_derivatives_by_hand():
    z = np.array([-1.0, 0.0, 2.0])
    s, ds = layers.activation(z, "sigmoid")
    # sigma(0) = 1/2, sigma'(0) = 1/4; sigma(2) = 1/(1+e^-2) = 0.880797077977882
    np.testing.assert_allclose(s, [1 / (1 + math.e), 0.5, 0.8807970779778823], rtol=1e-15)
    np.testing.assert_allclose(ds, [math.e / (1 + math.e) ** 2, 0.25, 0.8807970779778823 * 0.11920292202211769],
                               rtol=1e-14)
    t, dt = layers.activation(z, "tanh")
    np.testing.assert_allclose(dt, [1 - math.tanh(1) ** 2, 1.0, 1 - math.tanh(2) ** 2], rtol=1e-14)
    r, dr = layers.activation(z, "relu")
    assert r.tolist() == [0.0, 0.0, 2.0] and dr.tolist() == [0.0, 0.0, 1.0]   # 0 at the kink, as torch
    with pytest.raises(ValueError, match="name must be one of"):
        layers.activation(z, "softplus")


def test_sigmoid_derivative_is_at_most_a_quarter():
    z = np.linspace(-20, 20, 40001)
    d = layers.activation(z, "sigmoid")[1]
    assert d.max() == 0.25 and z[d.argmax()] == 0.0


def test_dense_forward_and_backward_by_hand():
    x = np.array([[1.0, 2.0], [3.0, -1.0]])          # B = 2, n_in = 2
    W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]])  # n_out = 3
    b = np.array([0.5, 0.0, -0.5])
    np.testing.assert_array_equal(layers.dense_forward(x, W, b), [[5.5, 2.0, -0.5], [1.5, -1.0, -4.0]])
    G = np.array([[1.0, 0.0, 2.0], [0.0, -1.0, 1.0]])
    dx, dW, db = layers.dense_backward(x, W, b, G)
    # dx = G W^T: row 1 = [1*1 + 2*(-1), 1*2 + 2*0.5] = [-1, 3]; row 2 = [0 - 1, -1 + 0.5] = [-1, -0.5]
    np.testing.assert_array_equal(dx, [[-1.0, 3.0], [-1.0, -0.5]])
    # dW = x^T G = x_1^T G_1 + x_2^T G_2
    np.testing.assert_array_equal(dW, [[1.0, -3.0, 5.0], [2.0, 1.0, 3.0]])
    np.testing.assert_array_equal(db, [1.0, -1.0, 3.0])


def test_dense_backward_is_the_gradient_of_a_mean_loss():
    rng = np.random.default_rng(3)
    x, W, b, T = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(5, 2))
    loss = lambda x_, W_, b_: 0.5 * np.mean(np.sum((x_ @ W_ + b_ - T) ** 2, axis=1))
    G = (x @ W + b - T) / 5                             # dL/dz carries the 1/B of the mean
    dx, dW, db = layers.dense_backward(x, W, b, G)
    np.testing.assert_allclose(dW, numerical_gradient(lambda W_: loss(x, W_, b), W), atol=1e-9)
    np.testing.assert_allclose(db, numerical_gradient(lambda b_: loss(x, W, b_), b), atol=1e-9)
    np.testing.assert_allclose(dx, numerical_gradient(lambda x_: loss(x_, W, b), x), atol=1e-9)


def test_dense_shapes_are_checked():
    with pytest.raises(ValueError, match="shapes do not fit"):
        layers.dense_forward(np.ones((2, 3)), np.ones((2, 3)), np.ones(3))
    with pytest.raises(ValueError, match="G must have the shape of z"):
        layers.dense_backward(np.ones((2, 3)), np.ones((3, 4)), np.ones(4), np.ones((4, 2)))


def test_init_std_by_hand_and_draws_from_the_rng():
    assert layers.init_std(8, 2, "xavier") == math.sqrt(0.2)
    assert layers.init_std(8, 2, "he") == 0.5
    assert (layers.init_std(8, 2, "small"), layers.init_std(8, 2, "large"), layers.init_std(8, 2, "zeros")) == (0.01, 1.0, 0.0)
    W = layers.init_weights(8, 2, "he", np.random.default_rng(5))
    np.testing.assert_array_equal(W, 0.5 * np.random.default_rng(5).standard_normal((8, 2)))
    rng = np.random.default_rng(5)
    assert not layers.init_weights(8, 2, "zeros", rng).any()
    assert rng.standard_normal() == np.random.default_rng(5).standard_normal()    # zeros draws nothing
    with pytest.raises(ValueError, match="scheme must be one of"):
        layers.init_weights(8, 2, "glorot", np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        layers.init_weights(8, 2, "he", 0)


def test_init_statistics_on_a_large_layer():
    W = layers.init_weights(400, 300, "xavier", np.random.default_rng(0))
    assert W.std() == pytest.approx(math.sqrt(2 / 700), rel=0.01) and abs(W.mean()) < 0.002


def test_init_mlp_layout_and_zero_biases():
    net = optimlab.MLP([3, 4, 2], "relu")
    w = layers.init_mlp(net, "he", seed=7)
    p = net.unpack(w)
    rng = np.random.default_rng(7)
    np.testing.assert_array_equal(p["W1"], math.sqrt(2 / 3) * rng.standard_normal((3, 4)))
    np.testing.assert_array_equal(p["W2"], math.sqrt(2 / 4) * rng.standard_normal((4, 2)))
    assert not p["b1"].any() and not p["b2"].any()


def test_clip_by_global_norm_by_hand():
    grads = [np.array([3.0, 0.0]), np.array([[0.0], [4.0]])]    # global norm 5
    clipped, norm = layers.clip_by_global_norm(grads, 1.0)
    assert norm == 5.0
    np.testing.assert_allclose(clipped[0], [0.6, 0.0], rtol=1e-15)
    np.testing.assert_allclose(clipped[1], [[0.0], [0.8]], rtol=1e-15)
    assert grads[0].tolist() == [3.0, 0.0]                          # inputs untouched
    same, norm = layers.clip_by_global_norm(grads, 10.0)           # below max_norm: unchanged
    assert norm == 5.0 and same[1].tolist() == [[0.0], [4.0]]
    zero, norm = layers.clip_by_global_norm([np.zeros(3)], 1.0)
    assert norm == 0.0 and not zero[0].any()
    with pytest.raises(ValueError, match="max_norm"):
        layers.clip_by_global_norm(grads, 0.0)


def test_layer_grad_norms_match_the_flat_gradient():
    net = optimlab.MLP([4, 3, 3, 2], "tanh")
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(6, 4)), rng.integers(0, 2, size=6)
    w = net.init_params(seed=2)
    n = layers.layer_grad_norms(net, w, X, y)
    g = net.unpack(net.grad(w, X, y))
    np.testing.assert_allclose(n, [np.linalg.norm(g["W1"]), np.linalg.norm(g["W2"]), np.linalg.norm(g["W3"])])
    A = layers.hidden_activations(net, w, X)
    p = net.unpack(w)
    np.testing.assert_allclose(A[1], np.tanh(np.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]))


def test_train_tracked_is_plain_sgd_and_clips():
    net = optimlab.MLP([4, 3, 2], "sigmoid")
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(8, 4)), rng.integers(0, 2, size=8)
    w0 = net.init_params(seed=0)
    run = layers.train_tracked(net, X, y, w0, lr=0.3, epochs=2, batch_size=8)
    w = w0 - 0.3 * net.grad(w0, X, y)
    w = w - 0.3 * net.grad(w, X, y)                       # full batch: the order does not matter
    np.testing.assert_allclose(run.w, w, rtol=1e-13)
    assert run.layer_norms.shape == (2, 2) and run.epoch_loss.shape == (3,) and not run.diverged
    clipped = layers.train_tracked(net, X, y, w0, lr=0.3, epochs=1, batch_size=8, max_norm=1e-3)
    g = net.grad(w0, X, y)
    np.testing.assert_allclose(clipped.w, w0 - 0.3 * g * 1e-3 / np.linalg.norm(g), rtol=1e-12)
    assert clipped.global_norms[0] == pytest.approx(np.linalg.norm(g), rel=1e-14)


def test_zero_initialisation_keeps_hidden_units_identical():
    net = optimlab.MLP([5, 4, 3], "sigmoid")
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 5)), rng.integers(0, 3, size=30)
    run = layers.train_tracked(net, X, y, np.zeros(net.n_params), lr=0.5, epochs=5, batch_size=10)
    W1 = net.unpack(run.w)["W1"]
    assert np.abs(W1).max() > 1e-3 and np.abs(W1 - W1[:, :1]).max() == 0.0


# --- the figures notebook 12 and the README state ----------------------------------------------

@pytest.fixture(scope="module")
def digits600():
    d = optimlab.datasets.digits()
    return optimlab.datasets.standardize(d.X), d.y


def test_notebook_12_vanishing_gradient_ratios(digits600):
    X, y = digits600[0][:600], digits600[1][:600]
    ratio = {}
    for act in ("sigmoid", "tanh", "relu"):
        net = optimlab.MLP([64] + [32] * 7 + [10], act)
        n = layers.layer_grad_norms(net, net.init_params(seed=0), X, y)
        ratio[act] = n[0] / n[-1]
    assert 1.4e-4 < ratio["sigmoid"] < 1.8e-4                 # "about 1/6000", "thousands of times smaller"
    assert 0.5 < ratio["tanh"] < 2 and 0.5 < ratio["relu"] < 2   # "within a factor 2"


def test_notebook_12_clipping_at_lr_2(digits600):
    X, y = digits600
    net = optimlab.MLP([64, 32, 32, 10], "relu")
    w0 = layers.init_mlp(net, "he", seed=0)
    runs = {m: layers.train_tracked(net, X, y, w0, lr=2.0, epochs=10, batch_size=64, max_norm=m) for m in (None, 1.0)}
    acc = {m: net.accuracy(r.w, X, y) for m, r in runs.items()}
    assert acc[None] < 0.3 and acc[1.0] > 0.98                 # "25 % accuracy without, 99 % with max_norm = 1"
    dead = {m: int(np.sum(~layers.hidden_activations(net, r.w, X)[1].any(axis=0))) for m, r in runs.items()}
    assert dead[None] > 16 and dead[1.0] <= 2                  # "most units of the second hidden layer" dead


def test_notebook_12_initial_losses(digits600):
    X, y = digits600
    net = optimlab.MLP([64, 32, 32, 10], "relu")
    loss = {s: net.loss(layers.init_mlp(net, s, seed=0), X, y) for s in ("small", "he", "large")}
    assert loss["small"] == pytest.approx(math.log(10), abs=5e-5)   # ln 10 to four digits
    assert 1.2 < loss["he"] / math.log(10) < 1.5                     # "somewhat above"
    assert 75 < loss["large"] / math.log(10) < 85                    # "about 80 times ln 10"
