"""The checks of notebook 03 (minibatches, train_sgd).

The right answers (and other right ways to write them) pass the visible and hidden
checks; each typical wrong answer, written the way a learner would write it, fails with
an ExerciseFailure whose message names its mistake; an unimplemented answer is reported
as "not implemented yet". The reference itself is pinned to hand-checked numbers and to
optimlab.training.
"""
import numpy as np
import pytest

from optimlab import training
from optimlab.checks import ExerciseFailure
from optimlab.checks import minibatch as C
from optimlab.models import LinearRegression

H = C.HINTS


def _unimplemented(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------------------
# minibatches: right answers
# ---------------------------------------------------------------------------

def minibatches(X, y, batch_size, rng):
    """The notebook's solution (train_sgd below calls it by this name, as in the notebook)."""
    perm = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = perm[start:start + batch_size]
        yield X[idx], y[idx]


def mb_list(X, y, batch_size, rng):
    """A list instead of a generator is fine."""
    return list(minibatches(X, y, batch_size, rng))


def mb_shuffle_indices(X, y, batch_size, rng):
    """rng.shuffle of np.arange(N) draws the same permutation as rng.permutation(N)."""
    idx = np.arange(len(X))
    rng.shuffle(idx)
    Xs, ys = X[idx], y[idx]
    return [(Xs[s:s + batch_size], ys[s:s + batch_size]) for s in range(0, len(X), batch_size)]


def mb_ceil_loop(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    for k in range(int(np.ceil(len(X) / batch_size))):
        idx = perm[k * batch_size:(k + 1) * batch_size]
        yield X[idx], y[idx]


@pytest.mark.parametrize("fn", [minibatches, mb_list, mb_shuffle_indices, mb_ceil_loop, C.reference_minibatches])
@pytest.mark.parametrize("hidden", [False, True])
def test_minibatches_right_answers_pass(fn, hidden, capsys):
    # None, not a count: nbgrader would read a number shown by the test cell as partial credit
    assert C.check_minibatches(fn, hidden=hidden) is None
    n = 8 if hidden else 3
    assert capsys.readouterr().out == f"minibatches: all {n} cases passed (and a second epoch from the same rng).\n"


def test_reference_minibatches_is_the_library_and_the_pseudo_code():
    # The library's iterator, the notebook's pseudo-code and a hand-made example agree.
    X = np.arange(7.0) * 10
    y = np.arange(7.0)
    for seed in range(5):
        a = list(C.reference_minibatches(X, y, 3, np.random.default_rng(seed)))
        b = list(minibatches(X, y, 3, np.random.default_rng(seed)))
        c = list(training.minibatches(X, y, 3, rng=np.random.default_rng(seed)))
        perm = np.random.default_rng(seed).permutation(7)
        assert [len(xb) for xb, _ in a] == [3, 3, 1]
        for (xa, ya), (xb, yb), (xc, yc), idx in zip(a, b, c, (perm[:3], perm[3:6], perm[6:])):
            np.testing.assert_array_equal(xa, X[idx])
            np.testing.assert_array_equal(ya, y[idx])
            np.testing.assert_array_equal(xa, xb)
            np.testing.assert_array_equal(xa, xc)
            np.testing.assert_array_equal(ya * 10, xa)  # the pairs survive the shuffle
    assert C.iterations_per_epoch(5, 2) == 3
    assert C.iterations_per_epoch(4, 2) == 2
    assert C.iterations_per_epoch(1000, 32) == 32
    assert C.iterations_per_epoch(3, 10) == 1


# ---------------------------------------------------------------------------
# minibatches: wrong answers
# ---------------------------------------------------------------------------

def mb_no_shuffle(X, y, batch_size, rng):
    for s in range(0, len(X), batch_size):
        yield X[s:s + batch_size], y[s:s + batch_size]


def mb_drop_last(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    for k in range(len(X) // batch_size):
        idx = perm[k * batch_size:(k + 1) * batch_size]
        yield X[idx], y[idx]


def mb_unpaired(X, y, batch_size, rng):
    Xs = rng.permutation(X)
    ys = rng.permutation(y)
    for s in range(0, len(X), batch_size):
        yield Xs[s:s + batch_size], ys[s:s + batch_size]


def mb_own_rng(X, y, batch_size, rng):
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(X))
    for s in range(0, len(X), batch_size):
        yield X[perm[s:s + batch_size]], y[perm[s:s + batch_size]]


def mb_own_rng_seed_11(X, y, batch_size, rng):
    # the seed of the first case: the first epoch is right, the rng argument is never used
    rng = np.random.default_rng(11)
    perm = rng.permutation(len(X))
    for s in range(0, len(X), batch_size):
        yield X[perm[s:s + batch_size]], y[perm[s:s + batch_size]]


def mb_global_rng(X, y, batch_size, rng):
    perm = np.random.permutation(len(X))
    for s in range(0, len(X), batch_size):
        yield X[perm[s:s + batch_size]], y[perm[s:s + batch_size]]


def mb_overlap(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    for s in range(0, len(X), batch_size):
        idx = perm[s:s + batch_size + 1]
        yield X[idx], y[idx]


def mb_gap(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    for s in range(0, len(X), batch_size):
        idx = perm[s + 1:s + batch_size]
        yield X[idx], y[idx]


def mb_resample(X, y, batch_size, rng):
    for s in range(0, len(X), batch_size):
        idx = rng.choice(len(X), size=min(batch_size, len(X) - s), replace=False)
        yield X[idx], y[idx]


def mb_return_in_loop(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    for s in range(0, len(X), batch_size):
        idx = perm[s:s + batch_size]
        return X[idx], y[idx]


def mb_shuffle_in_place(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    X[:] = X[perm]
    y[:] = y[perm]
    for s in range(0, len(X), batch_size):
        yield X[s:s + batch_size], y[s:s + batch_size]


def mb_extra_draw(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    rng.random()
    for s in range(0, len(X), batch_size):
        yield X[perm[s:s + batch_size]], y[perm[s:s + batch_size]]


def mb_swapped(X, y, batch_size, rng):
    for X_b, y_b in minibatches(X, y, batch_size, rng):
        yield y_b, X_b


def mb_reversed(X, y, batch_size, rng):
    perm = rng.permutation(len(X))[::-1]
    for s in range(0, len(X), batch_size):
        yield X[perm[s:s + batch_size]], y[perm[s:s + batch_size]]


def mb_batch_size_off(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    step = max(batch_size - 1, 1)
    for s in range(0, len(X), step):
        yield X[perm[s:s + step]], y[perm[s:s + step]]


def mb_whole_data(X, y, batch_size, rng):
    rng.permutation(len(X))
    for _ in range(0, len(X), batch_size):
        yield X, y


def mb_no_return(X, y, batch_size, rng):
    rng.permutation(len(X))


def mb_only_X(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    for s in range(0, len(X), batch_size):
        yield X[perm[s:s + batch_size]]


WRONG_MINIBATCHES = {
    "no shuffle": (mb_no_shuffle, H["no_shuffle"]),
    "drop short last batch": (mb_drop_last, H["drop_last"]),
    "X and y shuffled separately": (mb_unpaired, H["unpaired"]),
    "own generator, seed 0": (mb_own_rng, H["own_rng"]),
    "own generator, the case's seed": (mb_own_rng_seed_11, H["own_rng"]),
    "global numpy rng": (mb_global_rng, H["global_rng"]),
    "overlapping slices": (mb_overlap, H["overlap"]),
    "slices with gaps": (mb_gap, H["gap"]),
    "each batch drawn on its own": (mb_resample, H["resample"]),
    "return inside the loop": (mb_return_in_loop, H["return_in_loop"]),
    "shuffled X in place": (mb_shuffle_in_place, "modified its input `X` in place"),
    "extra random draw": (mb_extra_draw, H["extra_draws"]),
    "pair swapped": (mb_swapped, H["swapped"]),
    "another order": (mb_reversed, H["other_shuffle"]),
    "batch size off by one": (mb_batch_size_off, H["batch_size"]),
    "whole data every batch": (mb_whole_data, H["whole_data"]),
    "no return": (mb_no_return, "returned None"),
    "only X yielded": (mb_only_X, "not a pair (X_batch, y_batch)"),
}


@pytest.mark.parametrize("name", list(WRONG_MINIBATCHES))
@pytest.mark.parametrize("hidden", [False, True])
def test_minibatches_wrong_answer_is_named(name, hidden):
    fn, hint = WRONG_MINIBATCHES[name]
    with pytest.raises(ExerciseFailure, match="minibatches, case") as info:
        C.check_minibatches(fn, hidden=hidden)
    assert hint in str(info.value), str(info.value)


def test_minibatches_failure_shows_expected_and_got():
    with pytest.raises(ExerciseFailure) as info:
        C.check_minibatches(mb_no_shuffle)
    text = str(info.value)
    # the first case is the source articles' data, X = [1..5], cut into batches of 2
    assert "case the 5 points of the source articles, batch_size=2" in text
    assert "expected: 3 batches of sizes [2, 2, 1]" in text
    assert "got:      3 batches of sizes [2, 2, 1]; batch 0: X_batch = [1., 2.], y_batch = [2., 3.]" in text


def test_minibatches_unimplemented():
    with pytest.raises(ExerciseFailure, match="minibatches: not implemented yet"):
        C.check_minibatches(_unimplemented)


def test_minibatches_crash_is_reported():
    def crashes(X, y, batch_size, rng):
        perm = rng.permutation(len(X))
        yield X[perm[:batch_size]], y[perm[:batch_size]]
        raise KeyError("oops")

    with pytest.raises(ExerciseFailure, match="your function raised KeyError"):
        C.check_minibatches(crashes)


# ---------------------------------------------------------------------------
# train_sgd: right answers
# ---------------------------------------------------------------------------

def train_sgd(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            w = w - lr * grad_fn(w, X_b, y_b)
            path.append(w)
    return w, np.array(path)


def sgd_copies(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    """In-place updates are fine when w starts as a copy and the path stores copies."""
    from optimlab import gd_step
    rng = np.random.default_rng(seed)
    w = w0.copy()
    path = [w.copy()]
    for _ in range(epochs):
        for X_b, y_b in training.minibatches(X, y, batch_size, rng=rng):
            w[:] = gd_step(w, grad_fn(w, X_b, y_b), lr)
            path.append(w.copy())
    return w, path


@pytest.mark.parametrize("fn", [train_sgd, sgd_copies, C.reference_train_sgd])
@pytest.mark.parametrize("hidden", [False, True])
def test_train_sgd_right_answers_pass(fn, hidden, capsys):
    assert C.check_train_sgd(fn, hidden=hidden) is None
    assert capsys.readouterr().out == f"train_sgd: all {6 if hidden else 2} cases passed.\n"


def test_reference_train_sgd_by_hand_and_against_library_train():
    X = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    y = np.array([2.0, 3.0, 5.0, 7.0, 11.0])
    model = LinearRegression()
    # batch_size = N: batch gradient descent. From (0, 0) the gradient is
    # (2/5) * sum(-y_i * x_i, -y_i) = (2/5) * (-106, -28) = (-42.4, -11.2), so lr=0.01 gives (0.424, 0.112).
    w, path = C.reference_train_sgd(model.grad, np.zeros(2), X, y, 0.01, 1, 5, 0)
    np.testing.assert_allclose(path, [[0.0, 0.0], [0.424, 0.112]], rtol=1e-12, atol=1e-15)
    # batch_size = 1: one example per update, in the order of rng.permutation(5); from w = (0, 0) the first
    # update on example i is w - lr * 2 * (0 - y_i) * (x_i, 1) = lr * 2 * y_i * (x_i, 1).
    w, path = C.reference_train_sgd(model.grad, np.zeros(2), X, y, 0.01, 2, 1, 3)
    first = np.random.default_rng(3).permutation(5)[0]
    np.testing.assert_allclose(path[1], 0.02 * y[first] * np.array([X[first], 1.0]), rtol=1e-12)
    assert path.shape == (2 * 5 + 1, 2)
    np.testing.assert_array_equal(w, path[-1])
    # the library's train() takes the same path (same shuffling, same gradient) when batch_size < N
    for b, epochs, seed in ((2, 4, 0), (1, 3, 5), (3, 2, 9)):
        _, path = C.reference_train_sgd(model.grad, np.array([0.5, -0.3]), X, y, 0.02, epochs, b, seed)
        hist = training.train(model, "gd", X, y, epochs=epochs, batch_size=b, lr=0.02, seed=seed,
                              w0=np.array([0.5, -0.3]), record_params=True, progress=False)
        np.testing.assert_allclose(hist.params, path, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------
# train_sgd: wrong answers
# ---------------------------------------------------------------------------

def sgd_rng_in_epoch_loop(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        rng = np.random.default_rng(seed)
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            w = w - lr * grad_fn(w, X_b, y_b)
            path.append(w)
    return w, np.array(path)


def sgd_fresh_rng_argument(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        for X_b, y_b in minibatches(X, y, batch_size, np.random.default_rng(seed)):
            w = w - lr * grad_fn(w, X_b, y_b)
            path.append(w)
    return w, np.array(path)


def sgd_no_shuffle(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        for s in range(0, len(X), batch_size):
            w = w - lr * grad_fn(w, X[s:s + batch_size], y[s:s + batch_size])
            path.append(w)
    return w, np.array(path)


def sgd_once_per_epoch(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        w = w - lr * grad_fn(w, X, y)
        path.append(w)
    return w, np.array(path)


def sgd_update_after_batch_loop(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            g = grad_fn(w, X_b, y_b)
        w = w - lr * g
        path.append(w)
    return w, np.array(path)


def sgd_full_gradient(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            w = w - lr * grad_fn(w, X, y)
            path.append(w)
    return w, np.array(path)


def sgd_one_epoch_more(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs + 1):
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            w = w - lr * grad_fn(w, X_b, y_b)
            path.append(w)
    return w, np.array(path)


def sgd_one_epoch_less(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(1, epochs):
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            w = w - lr * grad_fn(w, X_b, y_b)
            path.append(w)
    return w, np.array(path)


def sgd_no_w0(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    w, path = train_sgd(grad_fn, w0, X, y, lr, epochs, batch_size, seed)
    return w, path[1:]


def sgd_modifies_w0(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    w = w0
    path = [w.copy()]
    for epoch in range(epochs):
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            w -= lr * grad_fn(w, X_b, y_b)
            path.append(w.copy())
    return w, np.array(path)


def sgd_same_array(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    w = w0.copy()
    path = [w]
    for epoch in range(epochs):
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            w -= lr * grad_fn(w, X_b, y_b)
            path.append(w)
    return w, np.array(path)


def sgd_unseeded(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng()
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            w = w - lr * grad_fn(w, X_b, y_b)
            path.append(w)
    return w, np.array(path)


def sgd_fixed_seed(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    return train_sgd(grad_fn, w0, X, y, lr, epochs, batch_size, 42)


def sgd_ascent(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            w = w + lr * grad_fn(w, X_b, y_b)
            path.append(w)
    return w, np.array(path)


def sgd_path_per_epoch(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            w = w - lr * grad_fn(w, X_b, y_b)
        path.append(w)
    return w, np.array(path)


def sgd_returns_w_only(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    return train_sgd(grad_fn, w0, X, y, lr, epochs, batch_size, seed)[0]


def sgd_summed_gradient(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            w = w - lr * len(X_b) * grad_fn(w, X_b, y_b)
            path.append(w)
    return w, np.array(path)


WRONG_TRAIN_SGD = {
    "rng created inside the epoch loop": (sgd_rng_in_epoch_loop, H["rng_in_loop"]),
    "fresh rng passed each epoch": (sgd_fresh_rng_argument, H["rng_in_loop"]),
    "no shuffling": (sgd_no_shuffle, H["sgd_no_shuffle"]),
    "one full-batch update per epoch": (sgd_once_per_epoch, H["once_per_epoch"]),
    "update after the batch loop": (sgd_update_after_batch_loop, H["once_per_epoch"]),
    "full-data gradient": (sgd_full_gradient, H["full_gradient"]),
    "one epoch too many": (sgd_one_epoch_more, H["epochs_plus_one"]),
    "one epoch too few": (sgd_one_epoch_less, H["epochs_minus_one"]),
    "path without w0": (sgd_no_w0, H["path_no_w0"]),
    "w0 modified in place": (sgd_modifies_w0, "modified its input `w0` in place"),
    "same array appended": (sgd_same_array, H["same_array"]),
    "unseeded generator": (sgd_unseeded, H["sgd_not_reproducible"]),
    "fixed seed": (sgd_fixed_seed, H["sgd_seed_ignored"]),
    "gradient ascent": (sgd_ascent, H["sgd_sign"]),
    "path once per epoch": (sgd_path_per_epoch, H["path_per_epoch"]),
    "returns only w": (sgd_returns_w_only, "must return the pair (w, path)"),
    "summed instead of averaged": (sgd_summed_gradient, "path row 1 (the parameters after update 1: epoch 1"),
}


@pytest.mark.parametrize("name", list(WRONG_TRAIN_SGD))
@pytest.mark.parametrize("hidden", [False, True])
def test_train_sgd_wrong_answer_is_named(name, hidden):
    fn, hint = WRONG_TRAIN_SGD[name]
    with pytest.raises(ExerciseFailure, match="train_sgd, case") as info:
        C.check_train_sgd(fn, hidden=hidden)
    assert hint in str(info.value), str(info.value)


def test_train_sgd_failure_names_iteration_and_epoch():
    with pytest.raises(ExerciseFailure) as info:
        C.check_train_sgd(sgd_rng_in_epoch_loop)
    text = str(info.value)
    # 5 examples in batches of 2: 3 updates per epoch; epoch 1 is right, update 4 opens epoch 2
    assert "path row 4 (the parameters after update 4: epoch 2, mini-batch 1 of 3) is wrong" in text
    with pytest.raises(ExerciseFailure) as info:
        C.check_train_sgd(sgd_one_epoch_more)
    assert "path has 13 rows, but it should have 10 rows = epochs * ceil(N / batch_size) + 1" in str(info.value)


def test_train_sgd_unimplemented():
    with pytest.raises(ExerciseFailure, match="train_sgd: not implemented yet") as info:
        C.check_train_sgd(_unimplemented)
    assert "that it calls" not in str(info.value)


def test_train_sgd_with_unimplemented_minibatches_says_so():
    def minibatches(X, y, batch_size, rng):  # noqa: F811 - the learner's unfinished first exercise
        raise NotImplementedError()

    def uses_it(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
        rng = np.random.default_rng(seed)
        for X_b, y_b in minibatches(X, y, batch_size, rng):
            pass

    with pytest.raises(ExerciseFailure, match="train_sgd: not implemented yet") as info:
        C.check_train_sgd(uses_it)
    assert "the function `minibatches` that it calls is not implemented yet" in str(info.value)


def test_checks_refuse_non_functions():
    with pytest.raises(ExerciseFailure, match="expected your function"):
        C.check_minibatches(None)
    with pytest.raises(ExerciseFailure, match="expected your function"):
        C.check_train_sgd(42)
