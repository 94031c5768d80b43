"""optimlab.regularisation: the L2 term, decoupled decay, the training loop, model selection, the grid.

Expected values by hand, or against the library's step functions run step by step.
"""
import numpy as np
import pytest

import optimlab
from optimlab import regularisation as reg


def _data(n_train=30, n_val=40):
    d = optimlab.datasets.digits()
    order = np.random.default_rng(0).permutation(len(d.X))
    X = d.X / 16
    tr, va = order[:n_train], order[n_train:n_train + n_val]
    return X[tr], d.y[tr], X[va], d.y[va]


def test_weight_mask_layouts():
    np.testing.assert_array_equal(reg.weight_mask(optimlab.SoftmaxRegression(2, 3)), [1, 1, 1, 1, 1, 1, 0, 0, 0])
    # MLP [2, 3, 2]: W1 (6), b1 (3), W2 (6), b2 (2)
    np.testing.assert_array_equal(reg.weight_mask(optimlab.MLP([2, 3, 2])), [1] * 6 + [0] * 3 + [1] * 6 + [0] * 2)
    np.testing.assert_array_equal(reg.weight_mask(optimlab.LinearRegression(2)), [1, 1, 0])
    with pytest.raises(TypeError, match="weight_mask knows"):
        reg.weight_mask(optimlab.QuadraticModel())


def test_mlp_mask_matches_unpack():
    model = optimlab.MLP([4, 5, 3])
    parts = model.unpack(np.arange(model.n_params, dtype=float))
    mask = reg.weight_mask(model)
    biases = np.concatenate([parts["b1"], parts["b2"]]).astype(int)
    assert set(np.nonzero(mask == 0)[0]) == set(biases)


def test_regularised_loss_grad_by_hand():
    loss, g = reg.regularised_loss_grad(0.75, np.array([0.2, -0.1, 0.3]), np.array([1.5, -2.0, 3.0]), 0.3,
                                        np.array([1.0, 1.0, 0.0]))
    # penalty 0.15 * (2.25 + 4) = 0.9375; gradient term 0.3 * [1.5, -2, 0]
    assert loss == pytest.approx(0.75 + 0.9375, abs=1e-15)
    np.testing.assert_allclose(g, [0.65, -0.7, 0.3], atol=1e-15)


def test_decoupled_decay_by_hand():
    np.testing.assert_allclose(reg.decoupled_decay(np.array([2.0, 4.0]), 0.1, 0.5, np.array([1.0, 0.0])),
                               [1.9, 4.0], atol=1e-15)


def test_gd_l2_equals_decoupled_decay():
    X, y, Xv, yv = _data()
    model = optimlab.SoftmaxRegression(64, 10)
    a = reg.train_regularised(model, "gd", X, y, Xv, yv, epochs=40, lr=0.5, l2=0.004)
    b = reg.train_regularised(model, "gd", X, y, Xv, yv, epochs=40, lr=0.5, weight_decay=0.004)
    assert np.abs(a.w - b.w).max() < 1e-12
    c = reg.train_regularised(model, "gd", X, y, Xv, yv, epochs=40, lr=0.5)
    assert np.abs(a.w - c.w).max() > 1e-3  # the decay does something


def test_adam_l2_differs_from_decoupled():
    X, y, Xv, yv = _data()
    model = optimlab.SoftmaxRegression(64, 10)
    a = reg.train_regularised(model, "adam", X, y, Xv, yv, epochs=40, lr=0.05, l2=0.01)
    b = reg.train_regularised(model, "adam", X, y, Xv, yv, epochs=40, lr=0.05, weight_decay=0.01)
    assert np.abs(a.w - b.w).max() > 0.1


def test_decoupled_adam_is_adamw_step():
    X, y, Xv, yv = _data()
    model = optimlab.SoftmaxRegression(64, 10)
    r = reg.train_regularised(model, "adam", X, y, Xv, yv, epochs=10, lr=0.05, weight_decay=0.2,
                              mask=np.ones(model.n_params))
    w, m, V = model.init_params(0), np.zeros(model.n_params), np.zeros(model.n_params)
    for t in range(1, 11):
        w, m, V = optimlab.adamw_step(w, m, V, model.grad(w, X, y), t, 0.05, 0.9, 0.999, 1e-8, 0.2)
    np.testing.assert_allclose(r.w, w, rtol=0, atol=1e-13)
    assert r.val_loss.shape == (11,) and r.train_loss.shape == (11,)


def test_biases_not_decayed_by_default():
    X, y, Xv, yv = _data()
    model = optimlab.SoftmaxRegression(64, 10)
    w0 = model.init_params(0)
    w0[-10:] = 1.0
    # lr tiny: the data barely move the biases; a decay of lr * wd = 0.5 per step would halve them
    r = reg.train_regularised(model, "gd", X, y, Xv, yv, epochs=1, lr=1e-6, weight_decay=5e5, w0=w0)
    np.testing.assert_allclose(r.w[-10:], 1.0, atol=1e-5)
    np.testing.assert_allclose(r.w[:-10], 0.5 * w0[:-10], atol=1e-6)


def test_minibatch_runs_are_seeded():
    X, y, Xv, yv = _data()
    model = optimlab.SoftmaxRegression(64, 10)
    a = reg.train_regularised(model, "adam", X, y, Xv, yv, epochs=3, lr=0.05, batch_size=8, seed=3)
    b = reg.train_regularised(model, "adam", X, y, Xv, yv, epochs=3, lr=0.05, batch_size=8, seed=3)
    np.testing.assert_array_equal(a.w, b.w)


def test_bad_arguments_are_named():
    X, y, Xv, yv = _data()
    model = optimlab.SoftmaxRegression(64, 10)
    with pytest.raises(ValueError, match="l2"):
        reg.train_regularised(model, "gd", X, y, Xv, yv, epochs=1, lr=0.1, l2=-1.0)
    with pytest.raises(ValueError, match="mask"):
        reg.train_regularised(model, "gd", X, y, Xv, yv, epochs=1, lr=0.1, mask=np.ones(3))
    with pytest.raises(ValueError, match="method"):
        reg.decay_grid(X, y, Xv, yv, [0.1], [0.1], method="sgd", epochs=1)
    with pytest.raises(ValueError, match="2-D"):
        reg.select_best([0.1, 0.2])


def test_select_best_ties_and_numbering():
    assert reg.select_best([[0.9, 0.5, 0.6], [0.5, 0.8, 0.5]]) == (1, 1)
    assert reg.select_best([[0.9, 0.4, 0.6], [0.5, 0.8, 0.5]]) == (0, 2)
    assert reg.select_best([[0.3]]) == (0, 1)
    assert reg.select_best([[0.7, 0.4, 0.4], [0.4, 0.5, 0.6], [0.9, 0.8, 0.4]]) == (1, 1)


@pytest.mark.parametrize("method", ["adam_l2", "adamw"])
def test_decay_grid_matches_the_loop(method):
    X, y, Xv, yv = _data()
    model = optimlab.SoftmaxRegression(64, 10)
    lrs, decays = [0.01, 0.1], [1e-3, 0.05, 0.5]
    G = reg.decay_grid(X, y, Xv, yv, lrs, decays, method=method, epochs=15)
    assert G.shape == (2, 3, 16)
    for i, lr in enumerate(lrs):
        for j, d in enumerate(decays):
            kw = {"l2": d} if method == "adam_l2" else {"weight_decay": d}
            r = reg.train_regularised(model, "adam", X, y, Xv, yv, epochs=15, lr=lr, **kw)
            np.testing.assert_allclose(G[i, j], r.val_loss, rtol=0, atol=1e-12)
