"""optimlab.training: mini-batches, the training loop, schedules, early stopping and divergence."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import optimlab
from optimlab import schedules as S
from optimlab.datasets import digits, source_articles_data, synthetic_linear, train_val_split
from optimlab.models import MLP, LinearRegression, SoftmaxRegression
from optimlab.training import (DivergenceError, DivergenceWarning, EarlyStopping, History, batch_indices,
                               minibatches, train)

X5, Y5 = source_articles_data()


# ---------------------------------------------------------------------------
# Mini-batches
# ---------------------------------------------------------------------------

def test_every_example_exactly_once_per_epoch_with_short_last_batch():
    X = np.arange(10.0).reshape(10, 1) * 10
    y = np.arange(10)
    batches = list(minibatches(X, y, 3, seed=0))
    assert [len(yb) for _, yb in batches] == [3, 3, 3, 1]  # the short last batch is kept
    seen = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), np.arange(10))
    for Xb, yb in batches:  # rows stay with their targets
        np.testing.assert_array_equal(Xb[:, 0], 10 * yb)
    assert not np.array_equal(seen, np.arange(10))  # shuffled


def test_batch_gd_and_sgd_batch_sizes():
    X, y = np.arange(7.0), np.arange(7.0)
    assert [len(b) for b, _ in minibatches(X, y, 7, seed=1)] == [7]  # batch GD
    assert [len(b) for b, _ in minibatches(X, y, 1, seed=1)] == [1] * 7  # SGD
    assert [len(b) for b, _ in minibatches(X, y, 50, seed=1)] == [7]  # batch_size > N: one batch of all N
    np.testing.assert_array_equal(np.concatenate([b for b, _ in minibatches(X, y, 2, shuffle=False)]), X)


def test_orders_differ_between_epochs_and_repeat_with_a_seed():
    rng = np.random.default_rng(42)
    epoch1 = np.concatenate(batch_indices(20, 4, rng=rng))
    epoch2 = np.concatenate(batch_indices(20, 4, rng=rng))
    assert not np.array_equal(epoch1, epoch2)  # one generator across epochs: a new order each epoch
    np.testing.assert_array_equal(np.sort(epoch2), np.arange(20))
    # the same seed gives the same order; so does a fresh generator from the same seed
    a = np.concatenate(batch_indices(20, 4, seed=7))
    b = np.concatenate(batch_indices(20, 4, seed=7))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.concatenate(batch_indices(20, 4, rng=np.random.default_rng(42))), epoch1)
    assert not np.array_equal(a, np.concatenate(batch_indices(20, 4, seed=8)))


def test_minibatches_bad_input():
    with pytest.raises(ValueError, match="X has 5 rows .* but y has 4"):
        minibatches(X5, Y5[:4], 2)  # raised at the call, not at the first next()
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        minibatches(X5, Y5, 0)
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        minibatches(X5, Y5, 2.5)
    with pytest.raises(ValueError, match="either seed or rng"):
        minibatches(X5, Y5, 2, seed=1, rng=np.random.default_rng(1))


# ---------------------------------------------------------------------------
# train(): convergence to the exact answers
# ---------------------------------------------------------------------------

def test_gd_converges_to_least_squares_on_the_source_data():
    h = train(LinearRegression(), "gd", X5, Y5, epochs=2000, batch_size=5, lr=0.05, w0=[1.0, 0.0])
    A = np.column_stack([X5, np.ones(5)])
    ref = np.linalg.lstsq(A, Y5, rcond=None)[0]
    np.testing.assert_allclose(h.w, ref, atol=1e-9)
    np.testing.assert_allclose(ref, [2.2, -1.0], atol=1e-12)
    assert h.train_loss[0] == pytest.approx(51 / 5, rel=1e-15)  # loss at w0 = (1, 0), by hand in test_models
    assert h.final_loss == pytest.approx(0.56, rel=1e-9)
    assert h.n_iterations == 2000 and h.epochs_run == 2000 and h.iterations_per_epoch == 1
    assert isinstance(h, History) and not h.diverged and not h.stopped_early
    np.testing.assert_array_equal(h.lr, np.full(2000, 0.05))
    # full batch: the mini-batch loss is the full loss before each update
    np.testing.assert_allclose(h.batch_loss, h.train_loss[:-1], rtol=1e-14)


def test_one_newton_step_solves_linear_regression():
    h = train(LinearRegression(), "newton", X5, Y5, epochs=1)
    np.testing.assert_allclose(h.w, [2.2, -1.0], atol=1e-12)
    with pytest.raises(ValueError, match="needs the Hessian.*has no hessian"):
        train(MLP([1, 3, 2]), "newton", X5, [0, 1, 0, 1, 1], epochs=1)


def test_sgd_path_uses_one_example_per_update_and_each_once_per_epoch():
    lr = 0.01
    h = train(LinearRegression(), "gd", X5, Y5, epochs=2, batch_size=1, lr=lr, record_params=True, seed=3)
    m = LinearRegression()
    assert h.params.shape == (11, 2) and h.n_iterations == 10
    np.testing.assert_array_equal(h.params[0], m.init_params(3))
    np.testing.assert_array_equal(h.params[-1], h.w)
    orders = []
    for epoch in range(2):
        used = []
        for i in range(5 * epoch, 5 * epoch + 5):
            step = h.params[i] - h.params[i + 1]
            # exactly one example j explains the step: lr * grad of the loss on example j alone
            js = [j for j in range(5) if np.allclose(step, lr * m.grad(h.params[i], X5[j:j + 1], Y5[j:j + 1]),
                                                     rtol=1e-12, atol=0)]
            assert len(js) == 1
            used.append(js[0])
            assert h.batch_loss[i] == pytest.approx(m.loss(h.params[i], X5[js[0]:js[0] + 1], Y5[js[0]:js[0] + 1]))
        assert sorted(used) == [0, 1, 2, 3, 4]
        orders.append(used)
    assert orders[0] != orders[1]  # reshuffled between epochs


def test_same_seed_same_history_other_seed_other_order():
    X, y = synthetic_linear(40, noise=0.5, seed=0)
    a = train(LinearRegression(), "momentum", X, y, epochs=3, batch_size=8, lr=0.05, seed=1)
    b = train(LinearRegression(), "momentum", X, y, epochs=3, batch_size=8, lr=0.05, seed=1)
    # seed 2 with seed 1's initial parameters: only the order of the examples differs
    c = train(LinearRegression(), "momentum", X, y, epochs=3, batch_size=8, lr=0.05, seed=2,
              w0=LinearRegression().init_params(1))
    np.testing.assert_array_equal(a.batch_loss, b.batch_loss)
    np.testing.assert_array_equal(a.w, b.w)
    assert not np.array_equal(a.batch_loss, c.batch_loss)
    assert a.n_iterations == 15 and a.iterations_per_epoch == 5
    h = train(LinearRegression(), "gd", X5, Y5, epochs=2, batch_size=99, lr=0.01)
    assert h.batch_size == 5 and h.iterations_per_epoch == 1  # batch_size > N: one batch of all N


def test_learners_own_step_function_and_optimizer_objects():
    def my_gd(w, g, lr=0.1):
        return w - lr * g

    ref = train(LinearRegression(), "gd", X5, Y5, epochs=30, lr=0.02)
    mine = train(LinearRegression(), my_gd, X5, Y5, epochs=30, lr=0.02)
    np.testing.assert_allclose(mine.w, ref.w, rtol=1e-15)
    opt = optimlab.make("adam", lr=0.1)
    h = train(LinearRegression(), opt, X5, Y5, epochs=5, lr=0.01)
    assert h.hyperparameters["lr"] == 0.01 and opt.hyperparameters["lr"] == 0.1  # the object is not modified
    np.testing.assert_array_equal(h.lr, np.full(5, 0.01))


# ---------------------------------------------------------------------------
# Schedules inside train()
# ---------------------------------------------------------------------------

def test_schedule_sets_the_lr_of_every_iteration():
    X, y = synthetic_linear(40, noise=0.5, seed=0)
    sched = S.step_decay(0.1, step_size=4, gamma=0.5)
    h = train(LinearRegression(), "gd", X, y, epochs=3, batch_size=8, lr_schedule=sched, lr=123.0)
    assert h.n_iterations == 15
    np.testing.assert_array_equal(h.lr, S.schedule_values(sched, 15))
    # the schedule, not lr=123, drove the updates: that lr would have diverged
    assert not h.diverged and h.final_loss < h.train_loss[0]
    with pytest.raises(ValueError, match=r"lr_schedule\(0\) returned -0.1"):
        train(LinearRegression(), "gd", X, y, epochs=1, lr_schedule=lambda t: -0.1)
    with pytest.raises(ValueError, match="has no 'lr' hyperparameter"):
        train(LinearRegression(), lambda w, g, step=0.1: w - step * g, X, y, epochs=1, lr_schedule=S.constant(0.1))


def test_reduce_on_plateau_in_train():
    sched = S.ReduceLROnPlateau(0.05, factor=0.5, patience=3)
    h = train(LinearRegression(), "gd", X5, Y5, epochs=400, lr_schedule=sched)
    assert len(sched.reductions) >= 1
    # full batch: iteration e is the first update after e epochs, so it uses the rate after e plateau steps
    for e in range(h.n_iterations):
        n_drops = sum(1 for r in sched.reductions if r <= e)
        assert h.lr[e] == pytest.approx(0.05 * 0.5**n_drops, rel=1e-15)
    # train() resets the schedule: the same object gives the same run again
    h2 = train(LinearRegression(), "gd", X5, Y5, epochs=400, lr_schedule=sched)
    np.testing.assert_array_equal(h.lr, h2.lr)


# ---------------------------------------------------------------------------
# Early stopping
# ---------------------------------------------------------------------------

def _plain_gd_val_losses(lr, epochs, Xv, yv):
    """Independent full-batch GD on y = 2x (train), val loss on y = x: by hand, without the library."""
    w, b = 0.0, 0.0
    out = [np.mean((w * Xv + b - yv) ** 2)]
    for _ in range(epochs):
        r = w * X5 + b - 2 * X5
        w, b = w - lr * 2 * np.mean(r * X5), b - lr * 2 * np.mean(r)
        out.append(np.mean((w * Xv + b - yv) ** 2))
    return np.array(out)


def test_early_stopping_triggers_and_restores_the_best():
    # Training targets lie on y = 2x, validation targets on y = x: from w = 0 the validation loss
    # falls while w passes 1, then rises again: classic overfitting to the training set.
    Xv, yv = X5, X5.copy()
    m = LinearRegression()
    h = train(m, "gd", X5, 2 * X5, X_val=Xv, y_val=yv, epochs=500, lr=0.01, w0=[0.0, 0.0],
              early_stopping=EarlyStopping(patience=3))
    ref = _plain_gd_val_losses(0.01, 500, Xv, yv)
    best = int(np.argmin(ref))
    assert 0 < best < 100
    assert h.stopped_early
    assert h.best_epoch == best and h.epochs_run == best + 3
    np.testing.assert_allclose(h.val_loss, ref[: best + 4], rtol=1e-12)
    np.testing.assert_array_equal(h.w, h.best_w)  # restored
    assert m.loss(h.w, Xv, yv) == pytest.approx(ref[best], rel=1e-12)
    assert "stopped early after epoch" in h.message and f"restored the parameters of epoch {best}" in h.message
    # without restoring, the last parameters come back (3 epochs past the best)
    h2 = train(m, "gd", X5, 2 * X5, X_val=Xv, y_val=yv, epochs=500, lr=0.01, w0=[0.0, 0.0],
               early_stopping={"patience": 3, "restore_best": False})
    assert m.loss(h2.w, Xv, yv) == pytest.approx(ref[best + 3], rel=1e-12) and ref[best + 3] > ref[best]
    # an int is a patience
    assert train(m, "gd", X5, 2 * X5, X_val=Xv, y_val=yv, epochs=500, lr=0.01, w0=[0.0, 0.0],
                 early_stopping=5).epochs_run == best + 5


def test_early_stopping_min_delta_on_training_loss():
    # Without validation data the training loss is monitored; with a large min_delta nothing counts as progress
    h = train(LinearRegression(), "gd", X5, Y5, epochs=100, lr=0.05, early_stopping=EarlyStopping(2, min_delta=1e6))
    assert h.stopped_early and h.epochs_run == 3 and h.best_epoch == 1  # epoch 1 beats +inf; 2 and 3 do not


# ---------------------------------------------------------------------------
# Divergence
# ---------------------------------------------------------------------------

def test_divergence_at_a_big_lr_names_the_iteration():
    lr = 0.2  # above 2 / L = 2 / 23.66 for the Hessian [[22, 6], [6, 2]]
    w = np.array([0.0, 0.0])
    expected = None
    for i in range(200):  # plain GD by hand: the first update that takes |w| beyond 1e12
        r = w[0] * X5 + w[1] - Y5
        w = w - lr * np.array([2 * np.mean(r * X5), 2 * np.mean(r)])
        if np.abs(w).max() > 1e12:
            expected = i
            break
    with pytest.warns(DivergenceWarning, match=f"diverged at iteration {expected} "):
        h = train(LinearRegression(), "gd", X5, Y5, epochs=200, lr=lr, w0=[0.0, 0.0])
    assert h.diverged and h.diverged_at == expected and h.diverged_epoch == expected + 1
    assert h.n_iterations == expected and np.isfinite(h.w).all()
    assert "lr=0.2" in h.message and "try a smaller one, e.g. lr=0.02" in h.message
    with pytest.raises(DivergenceError, match=f"iteration {expected}") as info:
        train(LinearRegression(), "gd", X5, Y5, epochs=200, lr=lr, w0=[0.0, 0.0], on_divergence="raise")
    assert info.value.result.diverged_at == expected
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = train(LinearRegression(), "gd", X5, Y5, epochs=200, lr=lr, w0=[0.0, 0.0], on_divergence="ignore")
    assert quiet.diverged


def test_non_finite_loss_stops_before_the_update():
    # (1e160 * 5)**2 overflows: the very first mini-batch loss is inf
    with pytest.warns(DivergenceWarning, match="iteration 0 .*the mini-batch loss became inf"):
        h = train(LinearRegression(), "gd", X5 * 1e160, Y5, epochs=3, lr=0.1, w0=[1.0, 0.0])
    assert h.diverged_at == 0 and h.n_iterations == 0
    np.testing.assert_array_equal(h.w, [1.0, 0.0])


# ---------------------------------------------------------------------------
# A real network on real data
# ---------------------------------------------------------------------------

def test_mlp_learns_digits_quickly():
    X, y = digits()
    Xtr, Xva, ytr, yva = train_val_split(X / 16.0, y, val_fraction=0.2, seed=0)
    model = MLP([64, 32, 10], "relu")
    h = train(model, "adam", Xtr, ytr, X_val=Xva, y_val=yva, epochs=5, batch_size=32, lr=3e-3, seed=0)
    assert h.val_loss[0] > 2.0  # about ln 10 = 2.30 before training
    assert model.accuracy(h.w, Xva, yva) > 0.9
    assert h.val_loss[-1] < 0.5 and h.n_iterations == 5 * 45  # 1438 examples / 32 -> 45 batches


def test_softmax_regression_on_iris_with_sgd_momentum():
    from optimlab.datasets import iris, standardize
    X, y = iris()
    h = train(SoftmaxRegression(4, 3), "heavy_ball", standardize(X), y, epochs=30, batch_size=16, lr=0.05)
    assert SoftmaxRegression(4, 3).accuracy(h.w, standardize(X), y) > 0.9
    assert h.final_loss < 0.3 < h.train_loss[0]


# ---------------------------------------------------------------------------
# Progress bar and bad input
# ---------------------------------------------------------------------------

def test_progress_bar_only_when_asked_or_long(capsys):
    train(LinearRegression(), "gd", X5, Y5, epochs=20, lr=0.01, progress=True)
    assert "epoch" in capsys.readouterr().err
    train(LinearRegression(), "gd", X5, Y5, epochs=20, lr=0.01)  # "auto": a short run shows nothing
    train(LinearRegression(), "gd", X5, Y5, epochs=20, lr=0.01, progress=False)
    assert capsys.readouterr().err == ""


def test_auto_progress_bar_appears_for_a_long_predicted_run(capsys, monkeypatch):
    from optimlab import training

    # "auto" opens the bar after the first epoch when epochs * (time of epoch 1) exceeds the threshold
    monkeypatch.setattr(training, "_PROGRESS_AFTER_SECONDS", 0.0)
    train(LinearRegression(), "gd", X5, Y5, epochs=20, lr=0.01)
    assert "epoch" in capsys.readouterr().err
    train(LinearRegression(), "gd", X5, Y5, epochs=20, lr=0.01, progress=False)
    assert capsys.readouterr().err == ""


def test_bad_train_arguments_are_named():
    m = LinearRegression()
    with pytest.raises(ValueError, match="epochs must be an integer >= 1, got 0"):
        train(m, "gd", X5, Y5, epochs=0)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        train(m, "gd", X5, Y5, batch_size=0)
    with pytest.raises(ValueError, match="y has 4 targets but X has 5 rows"):
        train(m, "gd", X5, Y5[:4])
    with pytest.raises(ValueError, match="pass both X_val and y_val"):
        train(m, "gd", X5, Y5, X_val=X5)
    with pytest.raises(TypeError, match="model must be an optimlab.models model"):
        train("linear", "gd", X5, Y5)
    with pytest.raises(ValueError, match="unknown|Unknown|not a registered|adamm"):
        train(m, "adamm", X5, Y5)
    with pytest.raises(TypeError, match="unknown hyperparameter"):
        train(m, "gd", X5, Y5, beta=0.9)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        train(m, "gd", X5, Y5, lr=-1)
    with pytest.raises(ValueError, match=r"w has shape \(3,\)"):
        train(m, "gd", X5, Y5, w0=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="on_divergence must be one of"):
        train(m, "gd", X5, Y5, on_divergence="stop")
    with pytest.raises(ValueError, match="progress must be 'auto', True or False"):
        train(m, "gd", X5, Y5, progress="yes")
    with pytest.raises(TypeError, match="early_stopping must be None, a patience"):
        train(m, "gd", X5, Y5, early_stopping="yes")
    with pytest.raises(ValueError, match="patience must be an integer >= 1, got 0"):
        EarlyStopping(patience=0)
    with pytest.raises(TypeError, match="lr_schedule must be a function"):
        train(m, "gd", X5, Y5, lr_schedule=0.1)


@pytest.mark.parametrize("name, hyper", [("nesterov_lookahead", dict(lr=0.01, mu=0.9)),
                                         ("rmsprop_full", dict(lr=0.01, centered=True, momentum=0.5))])
def test_every_optimizer_trains_by_name(name, hyper):
    # The look-ahead form gets its gradient function from the mini-batch; full-batch Nesterov in
    # both forms reaches the least-squares line y = 2.2 x - 1 (loss 0.56) of the source articles' data.
    h = train(LinearRegression(), name, X5, Y5, epochs=300, batch_size=5, progress=False, **hyper)
    assert h.train_loss[-1] < h.train_loss[0] / 10
    if name == "nesterov_lookahead":
        np.testing.assert_allclose(h.w, [2.2, -1.0], atol=1e-6)
        same = train(LinearRegression(), "nesterov", X5, Y5, epochs=300, batch_size=5, progress=False, **hyper)
        assert h.train_loss[-1] == pytest.approx(0.56, abs=1e-9) and same.train_loss[-1] == pytest.approx(0.56, abs=1e-9)


def test_module_doctests():
    import doctest

    import optimlab.training as training_module

    result = doctest.testmod(training_module)
    assert result.attempted >= 4 and result.failed == 0


def test_switches_of_train_and_batches_must_be_true_or_false():
    # shuffle="False" is truthy: it would shuffle while the learner asked for the data order.
    with pytest.raises(TypeError, match=r"^shuffle must be True or False, got 'False' of type str \(a string: write "
                                        r"False without quotes\)$"):
        train(LinearRegression(), "gd", X5, Y5, epochs=1, shuffle="False")
    with pytest.raises(TypeError, match=r"^record_params must be True or False, got 1 of type int$"):
        train(LinearRegression(), "gd", X5, Y5, epochs=1, record_params=1)
    with pytest.raises(TypeError, match=r"^shuffle must be True or False, got 0 of type int$"):
        batch_indices(5, 2, shuffle=0)
    np.testing.assert_array_equal(np.concatenate(batch_indices(5, 2, shuffle=np.bool_(False))), np.arange(5))
