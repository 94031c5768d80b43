"""optimlab.compare: the learning-rate search, the summary over seeds and the Adam-to-SGD switch."""
import math

import numpy as np
import pytest

import optimlab
from optimlab import compare


def _iris():
    d = optimlab.datasets.iris()
    return optimlab.SoftmaxRegression(4, 3), (d.X - d.X.mean(axis=0)) / d.X.std(axis=0), d.y


def test_log_grid_two_per_decade():
    np.testing.assert_allclose(compare.log_grid(1e-3, 1.0, 2), [1e-3, 10**-2.5, 1e-2, 10**-1.5, 0.1, 10**-0.5, 1.0])
    assert len(compare.log_grid(1e-4, 1.0, 3)) == 13
    with pytest.raises(ValueError, match="high must be larger than low"):
        compare.log_grid(1.0, 0.1)


def test_best_lr_skips_diverged_runs_and_takes_the_smallest_of_tied_rates():
    lrs = [0.001, 0.01, 0.1, 1.0, 10.0]
    assert compare.best_lr(lrs, [0.5, 0.2, 0.2, np.nan, np.inf]) == 0.01
    assert compare.best_lr(lrs, [np.nan, 0.3, 0.1, -np.inf, 0.4]) == 0.1
    assert compare.best_lr(lrs[::-1], [np.nan, 0.2, 0.3, 0.2, 0.5]) == 0.01   # descending grid, tie
    with pytest.raises(ValueError, match="every run diverged"):
        compare.best_lr([0.1, 1.0], [np.nan, np.inf])
    with pytest.raises(ValueError, match="same length"):
        compare.best_lr([0.1, 1.0], [0.2])


def test_lr_search_on_gradient_descent_of_a_parabola():
    # x_T = x_0 (1 - 2 lr)^T on f = x^2 from x_0 = 1: the best grid lr is the one nearest 0.5; lr > 1 diverges.
    def final(lr):
        return float((1 - 2 * lr) ** 40) ** 2 if lr < 1 else math.inf
    s = compare.lr_search(final, [0.1, 0.3, 0.45, 0.6, 1.5])
    assert s.best_lr == 0.45 and s.best_loss == pytest.approx(0.1**80)
    assert math.isnan(s.losses[-1])


def test_summarise_uses_the_seeds_axis_and_ddof_one():
    curves = np.array([[2.0, 1.0, 0.5], [2.0, 0.8, 0.1], [2.0, 1.2, 0.3]])
    s = compare.summarise(curves)
    np.testing.assert_allclose(s.mean, [2.0, 1.0, 0.3])
    np.testing.assert_allclose(s.std, [0.0, 0.2, 0.2])       # sqrt(((0.2)^2 + 0 + 0.2^2) / 2)
    assert s.best == 0.1 and s.final_mean == pytest.approx(0.3) and s.n_seeds == 3
    assert compare.summarise(curves, ddof=0).std[1] == pytest.approx(0.2 * math.sqrt(2 / 3))
    with pytest.raises(ValueError, match="needs more than 1 seeds"):
        compare.summarise(curves[:1])


def test_repeat_pads_a_diverged_run_with_nan():
    out = compare.repeat(lambda s: [1.0, 0.5] if s == 0 else [1.0, 0.4, 0.2], [0, 1])
    assert out.shape == (2, 3) and math.isnan(out[0, 2]) and out[1, 2] == 0.2


def test_switch_run_matches_train_and_its_two_limits():
    model, X, y = _iris()
    w0 = np.zeros(15)
    grad, loss = (lambda w: model.grad(w, X, y)), (lambda w: model.loss(w, X, y))
    w, losses = compare.switch_run(grad, loss, w0, 12, 5, 0.05, 0.5)
    r = compare.adam_to_sgd(model, X, y, epochs=12, switch_epoch=5, adam_lr=0.05, sgd_lr=0.5, w0=w0)
    np.testing.assert_allclose(r.w, w, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.train_loss, losses, rtol=0, atol=1e-12)
    assert len(losses) == 13 and losses[0] == pytest.approx(math.log(3))
    adam = optimlab.train(model, "adam", X, y, epochs=12, lr=0.05, w0=w0, progress=False)
    np.testing.assert_allclose(compare.switch_run(grad, loss, w0, 12, 12, 0.05, 0.5)[1], adam.train_loss, atol=1e-12)
    sgd = optimlab.train(model, "gd", X, y, epochs=12, lr=0.5, w0=w0, progress=False)
    np.testing.assert_allclose(compare.switch_run(grad, loss, w0, 12, 0, 0.05, 0.5)[1], sgd.train_loss, atol=1e-12)
    # The first SGD step is plain SGD from Adam's weights: no momentum carried over.
    w5, _ = compare.switch_run(grad, loss, w0, 5, 5, 0.05, 0.5)
    np.testing.assert_allclose(compare.switch_run(grad, loss, w0, 6, 5, 0.05, 0.5)[0],
                               w5 - 0.5 * model.grad(w5, X, y), atol=1e-12)


def test_adam_to_sgd_with_minibatches_and_validation():
    model, X, y = _iris()
    r = compare.adam_to_sgd(model, X, y, epochs=6, switch_epoch=4, adam_lr=0.05, sgd_lr=0.1, batch_size=30, seed=3,
                             X_val=X[:20], y_val=y[:20])
    assert r.train_loss.shape == (7,) and r.val_loss.shape == (7,) and len(r.phases) == 2
    assert r.phases[0].optimizer == "adam" and r.phases[1].optimizer == "gd"
    assert r.train_loss[-1] < r.train_loss[0]
    with pytest.raises(ValueError, match="switch_epoch must be between 0 and epochs=6"):
        compare.adam_to_sgd(model, X, y, epochs=6, switch_epoch=7, adam_lr=0.05, sgd_lr=0.1)
