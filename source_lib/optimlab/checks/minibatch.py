r"""Checks for notebook 03, batch, mini-batch and stochastic gradient descent.

Two exercises, ``minibatches`` and ``train_sgd``. The notebook fixes how the data are
shuffled so that a learner's batches can be compared with the reference one for one:

.. code-block:: text

    minibatches(X, y, batch_size, rng)          one epoch; N = len(X), B = batch_size
        perm = rng.permutation(N)               exactly one call on the rng passed in
        for k in 0, 1, ..., ceil(N / B) - 1:
            idx = perm[k*B : (k+1)*B]           the last slice is shorter when B does not divide N
            yield X[idx], y[idx]                the same indices for X and y keep the pairs

    train_sgd(grad_fn, w0, X, y, lr, epochs, batch_size, seed)
        rng = np.random.default_rng(seed)       once, before the epoch loop
        w = w0;  path = [w0]
        for epoch in range(epochs):
            for X_b, y_b in minibatches(X, y, batch_size, rng):
                w = w - lr * grad_fn(w, X_b, y_b)
                path.append(w)
        return w, path                          path: array (epochs * ceil(N/B) + 1, len(w0))

This is the convention of ``torch.utils.data.DataLoader(shuffle=True, drop_last=False)``
(a new permutation every epoch, the short last batch kept) and exactly that of
:func:`optimlab.training.minibatches` called with ``rng=rng``, which
:func:`reference_minibatches` therefore uses. :func:`optimlab.training.train` with
``batch_size < N`` follows the same path as :func:`reference_train_sgd`.

A minibatch iterator is not a function of numbers alone, so :func:`check_minibatches`
does not use :func:`~optimlab.checks.engine.check_function`: it collects the batches,
then explains a difference from the reference by what the batches show (pairs
broken, original order, short batch missing, examples repeated or skipped, the
``rng`` ignored or used differently). :func:`check_train_sgd` compares the whole
parameter path and explains a difference by its length (updates per epoch, epochs
off by one), by which known wrong loop reproduces it, and by the batches the
learner's loop passed to ``grad_fn``.
"""
from __future__ import annotations

import copy

import numpy as np

from .. import training as _training
from .engine import ExerciseFailure, _fmt, check_composite

__all__ = [
    "reference_minibatches",
    "reference_train_sgd",
    "iterations_per_epoch",
    "check_minibatches",
    "check_train_sgd",
    "HINTS",
]


# ---------------------------------------------------------------------------
# Reference implementations
# ---------------------------------------------------------------------------

def iterations_per_epoch(n_examples: int, batch_size: int) -> int:
    """``ceil(n_examples / batch_size)``: one parameter update per mini-batch, short last batch included."""
    return -(-int(n_examples) // int(batch_size))


def _reference_gd_step(w, g, lr):
    return w - lr * g


def reference_minibatches(X, y, batch_size, rng):
    """One epoch of mini-batches: ``perm = rng.permutation(len(X))``, then ``perm[k*B:(k+1)*B]``.

    Yields ``(X[idx], y[idx])`` for ``k = 0 .. ceil(N/B) - 1``; the last batch holds the
    ``N % B`` remaining examples when ``B`` does not divide ``N``. This is
    :func:`optimlab.training.minibatches` with ``rng=rng`` (the tests check that it equals
    the pseudo-code above).
    """
    return _training.minibatches(X, y, batch_size, rng=rng)


def reference_train_sgd(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    """Mini-batch SGD with ``w <- w - lr * grad_fn(w, X_b, y_b)`` after every batch.

    Returns ``(w, path)``: the final parameters and the array of shape
    ``(epochs * ceil(N / batch_size) + 1, len(w0))`` holding ``w0`` and the parameters
    after every iteration.
    """
    rng = np.random.default_rng(seed)
    w = np.asarray(w0, dtype=float)
    path = [w]
    for _ in range(epochs):
        for X_b, y_b in reference_minibatches(X, y, batch_size, rng):
            w = w - lr * np.asarray(grad_fn(w, X_b, y_b), dtype=float)
            path.append(w)
    return w, np.array(path)


# ---------------------------------------------------------------------------
# The hints (tests and autograder/mutants/03_minibatch_sgd.py match on these texts)
# ---------------------------------------------------------------------------

HINTS = {
    "no_shuffle": ("the batches are in the original order of the data: shuffle first with "
                   "`perm = rng.permutation(len(X))`, then take the rows perm[k*batch_size:(k+1)*batch_size]"),
    "drop_last": ("the short last batch is missing: when len(X) is not a multiple of batch_size, the last "
                  "len(X) % batch_size examples form one shorter batch, and it must be yielded too "
                  "(loop with range(0, len(X), batch_size))"),
    "unpaired": ("X and y were shuffled with different permutations, so the (x, y) pairs are broken: draw "
                 "ONE permutation and index both arrays with the same indices, X[idx] and y[idx]"),
    "swapped": "the batch holds rows of y where rows of X belong: yield the pair in the order (X_batch, y_batch)",
    "whole_data": ("every batch is the whole data set: yield only the rows of this batch, X[idx] and y[idx] "
                   "with idx = perm[k*batch_size:(k+1)*batch_size]"),
    "overlap": ("batches overlap: some examples appear in more than one batch. Batch k is "
                "perm[k*batch_size:(k+1)*batch_size]; a Python slice excludes its end, so consecutive slices "
                "neither overlap nor leave gaps"),
    "gap": ("some examples are in no batch: the batch boundaries skip rows. Batch k is "
            "perm[k*batch_size:(k+1)*batch_size], for k = 0, 1, ... until every example is used once"),
    "resample": ("some examples appear twice and others never: each batch was drawn on its own (a new "
                 "permutation, rng.choice or rng.integers for every batch). One epoch uses every example exactly "
                 "once: draw one permutation per epoch and cut it into consecutive slices"),
    "strided": ("the batches take every n-th entry of the permutation, perm[k::n_batches]: batch k must be the "
                "consecutive slice perm[k*batch_size:(k+1)*batch_size]"),
    "empty_batch": ("the last batch is an empty batch (0 examples): the loop runs one slice too far. Loop with "
                    "`for start in range(0, len(X), batch_size)`, which stops before len(X)"),
    "n_batches": ("the number of batches is batch_size instead of ceil(len(X) / batch_size): "
                  "np.array_split(perm, batch_size) cuts perm into batch_size pieces. Cut it into pieces OF "
                  "batch_size: perm[k*batch_size:(k+1)*batch_size]"),
    "batch_size": ("the batches have the wrong size: every batch has batch_size examples, except the last one, "
                   "which holds the len(X) % batch_size remaining examples when batch_size does not divide len(X)"),
    "global_rng": ("the order changes between two calls with identically seeded generators: you used numpy's "
                   "global random functions (np.random.permutation, np.random.shuffle) instead of the `rng` "
                   "argument; use `perm = rng.permutation(len(X))`"),
    "own_rng": ("the order does not depend on the `rng` argument: a new generator created inside the function "
                "(e.g. np.random.default_rng(0)) gives the same order in every epoch. Shuffle with the rng that "
                "is passed in: `perm = rng.permutation(len(X))`"),
    "other_shuffle": ("the batches are a valid shuffle, but not the specified one, so results cannot be "
                      "reproduced: call `perm = rng.permutation(len(X))` exactly once per epoch and cut perm into "
                      "consecutive slices perm[0:B], perm[B:2B], ..."),
    "extra_draws": ("the batches are right, but the function drew more random numbers from `rng` than the one "
                    "`rng.permutation(len(X))` per epoch, so the next epoch's order will differ from the "
                    "specified one: draw nothing else from rng"),
    "return_in_loop": ("the function returned a single (X_batch, y_batch) pair: `return` inside the loop ends the "
                       "function at the first batch. Use `yield X[idx], y[idx]` (or collect all pairs in a list "
                       "and return the list)"),
    # train_sgd
    "rng_in_loop": ("every epoch visits the examples in the same order: the generator is created inside the epoch "
                    "loop (or minibatches is given a fresh np.random.default_rng(seed) each epoch). Create "
                    "`rng = np.random.default_rng(seed)` ONCE, before the loop, and pass that rng every epoch"),
    "sgd_no_shuffle": ("the examples are never shuffled: use minibatches(X, y, batch_size, rng), which draws a new "
                       "permutation each epoch, instead of slicing X and y in their original order"),
    "full_gradient": ("every update used the gradient of the FULL data set, grad_fn(w, X, y): that is batch gradient "
                      "descent repeated ceil(N/B) times per epoch. Use the mini-batch gradient "
                      "grad_fn(w, X_batch, y_batch)"),
    "once_per_epoch": ("there is one update per epoch, but mini-batch SGD updates w after EVERY mini-batch "
                       "(ceil(N / batch_size) updates per epoch): put the update inside the loop over the batches"),
    "path_per_epoch": ("the final w is right but the path has one row per epoch: append w after every iteration "
                       "(every mini-batch), not once per epoch"),
    "epochs_plus_one": ("one epoch too many: `for epoch in range(epochs)` runs exactly `epochs` epochs "
                        "(range(epochs + 1) or range(0, epochs + 1) runs one more)"),
    "epochs_minus_one": ("one epoch too few: `for epoch in range(epochs)` runs exactly `epochs` epochs "
                         "(range(1, epochs) or range(epochs - 1) runs one fewer)"),
    "path_no_w0": "the path must start with w0 (the parameters before the first update), then one row per update",
    "path_extra_row": "the path has one row too many: w0 once at the start, then one row after each update",
    "same_array": ("all rows of the path are the same array: w was changed in place (`w -= ...`) after being "
                   "appended, which changes the stored rows too. Write `w = w - lr * g` (a new array), or append "
                   "w.copy()"),
    "sgd_sign": "the sign of the update: gradient descent moves against the gradient, `w - lr * g`",
    "sgd_not_reproducible": ("two calls with the same seed gave different results: create the generator from the "
                             "seed, `rng = np.random.default_rng(seed)`, and shuffle only with it"),
    "sgd_seed_ignored": ("the result does not depend on `seed`: create the generator from the argument, "
                         "`rng = np.random.default_rng(seed)`, not from a fixed number"),
    "final_w": "the returned w is not the last row of the path: return the parameters after the last update",
    "shuffled_twice": ("the data were shuffled twice: once before the epochs and again by minibatches in every "
                       "epoch. minibatches already shuffles; pass X and y as they are"),
    "lr_decay": ("the learning rate changes from epoch to epoch (a decay such as lr / (epoch + 1)): this exercise "
                 "uses the constant lr it is given in every update; schedules come in notebook 10"),
    "batch_size_ignored": ("every update uses a single example: the function ignores batch_size (batch size 1 "
                           "hard-coded?). Pass batch_size to minibatches(X, y, batch_size, rng)"),
    "exhausted": ("only the first epoch updates w: the generator minibatches(...) was created once, before the "
                  "epoch loop, and a generator is exhausted after one pass. Call minibatches(X, y, batch_size, rng) "
                  "anew in every epoch (inside `for epoch in range(epochs)`)"),
    "seed_per_epoch": ("each epoch has its own generator, np.random.default_rng(seed + epoch): the shuffles "
                       "differ from the specified ones. Create `rng = np.random.default_rng(seed)` once, before the "
                       "loop, and pass the same rng every epoch"),
    "batch_mean_twice": ("the gradient was divided by the batch size: grad_fn already averages over the batch, "
                         "so use grad_fn(w, X_batch, y_batch) as it is"),
    "global_state": ("numpy's global random state was used (np.random.seed, or np.random passed as the rng): "
                     "create the generator from the seed, `rng = np.random.default_rng(seed)`, and pass that "
                     "rng to minibatches"),
    "return_order": "the results are in the wrong order: return (w, path), the final parameters first",
}


# ---------------------------------------------------------------------------
# Known wrong implementations of minibatches (used to name the mistake; the tests use them too)
# ---------------------------------------------------------------------------

def _mb_no_shuffle(X, y, batch_size, rng):
    for s in range(0, len(X), batch_size):
        yield X[s:s + batch_size], y[s:s + batch_size]


def _mb_drop_last(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    for s in range(0, len(X) - batch_size + 1, batch_size):
        idx = perm[s:s + batch_size]
        yield X[idx], y[idx]


def _mb_no_shuffle_drop_last(X, y, batch_size, rng):
    for s in range(0, len(X) - batch_size + 1, batch_size):
        yield X[s:s + batch_size], y[s:s + batch_size]


def _mb_strided(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    n_batches = -(-len(X) // batch_size)
    for k in range(n_batches):
        idx = perm[k::n_batches]
        yield X[idx], y[idx]


MINIBATCH_VARIANTS = [
    (_mb_strided, "strided"),
    (_mb_no_shuffle, "no_shuffle"),
    (_mb_no_shuffle_drop_last, "no_shuffle"),
    (_mb_drop_last, "drop_last"),
]


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

def _distinct_data(rng, n, d, y_cols=0):
    """Rows with distinct, non-integer values, so every (x, y) pair can be recognised again.

    ``d = 0`` gives a 1-D ``X`` of shape ``(n,)`` (one feature), ``d >= 1`` shape ``(n, d)``;
    ``y_cols = 0`` gives ``y`` of shape ``(n,)``. The tiny ``arange`` terms keep rows distinct.
    """
    x_shape = (n,) if d == 0 else (n, d)
    X = np.round(rng.normal(size=x_shape) * 3, 3) + (np.arange(n) * 1e-4).reshape((n,) + (1,) * (len(x_shape) - 1))
    shape = (n,) if y_cols == 0 else (n, y_cols)
    y = np.round(rng.normal(size=shape) * 2, 3) + (np.arange(n) * 1e-5).reshape((n,) + (1,) * (len(shape) - 1))
    return X, y


def _source_data():
    # The source articles' example: 5 points, 1 feature.
    return np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([2.0, 3.0, 5.0, 7.0, 11.0])


def _minibatch_cases(hidden: bool):
    X5, y5 = _source_data()
    r = np.random.default_rng(31)
    X10, y10 = _distinct_data(r, 10, 3)
    X4, y4 = _distinct_data(r, 4, 2)
    cases = [
        ("the 5 points of the source articles, batch_size=2", X5, y5, 2, 11),
        ("10 examples with 3 features, batch_size=4", X10, y10, 4, 12),
        ("4 examples, batch_size=1 (plain SGD)", X4, y4, 1, 13),
    ]
    if hidden:
        r = np.random.default_rng(32)
        X7, y7 = _distinct_data(r, 7, 1)
        cases.append(("7 examples, batch_size=10 (larger than the data: one batch)", X7, y7, 10, 14))
        X12, y12 = _distinct_data(r, 12, 2, y_cols=2)
        cases.append(("12 examples, y with 2 columns, batch_size=5", X12, y12, 5, 15))
        for k in range(3):
            n = int(r.integers(6, 30))
            d = int(r.integers(0, 4))
            b = int(r.integers(2, n))
            if n % b == 0:
                b += 1
            X, y = _distinct_data(r, n, d)
            cases.append((f"random data, {n} examples, batch_size={b}", X, y, b, 16 + k))
    return cases


# ---------------------------------------------------------------------------
# check_minibatches
# ---------------------------------------------------------------------------

def _raise_not_implemented(exercise, fn, inner: str | None = None):
    own = getattr(fn, "__name__", exercise)
    where = "" if inner in (None, own, exercise) else f" (the function `{inner}` that it calls is not implemented yet)"
    raise ExerciseFailure(
        f"{exercise}: not implemented yet{where}. Replace the line `raise NotImplementedError()` in the answer "
        f"cell with your code, run that cell, then run this check again."
    ) from None


def _innermost_function(exc: BaseException) -> str | None:
    tb = exc.__traceback__
    name = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    return name


def _collect(fn, X, y, batch_size, rng, exercise, label):
    """Call ``fn`` and collect its batches into a list of (X_batch, y_batch) arrays."""
    shown = f"X of shape {X.shape}, y of shape {y.shape}, batch_size={batch_size}"
    try:
        out = fn(X, y, batch_size, rng)
        if out is None:
            raise ExerciseFailure(
                f"{exercise}, case {label}: your function returned None. Yield the batches with "
                f"`yield X[idx], y[idx]` inside the loop (or return a list of (X_batch, y_batch) pairs)."
            )
        if (isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], np.ndarray)
                and isinstance(out[1], np.ndarray) and out[0].ndim == X.ndim
                and not (out[0].dtype == object)):
            raise ExerciseFailure(f"{exercise}, case {label}: {HINTS['return_in_loop']}.")
        try:
            items = list(out)
        except TypeError:
            raise ExerciseFailure(
                f"{exercise}, case {label}: your function returned a {type(out).__name__}, which cannot be "
                f"iterated over. Yield the batches (a generator) or return a list of (X_batch, y_batch) pairs."
            ) from None
    except NotImplementedError as exc:
        _raise_not_implemented(exercise, fn, _innermost_function(exc))
    except ExerciseFailure:
        raise
    except Exception as exc:
        raise ExerciseFailure(
            f"{exercise}, case {label}: your function raised {type(exc).__name__}: {exc}\n"
            f"It was called with {shown} and rng = np.random.default_rng(...)."
        ) from exc
    batches = []
    for k, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            kind = type(item).__name__
            raise ExerciseFailure(
                f"{exercise}, case {label}: item {k} is a {kind}, not a pair (X_batch, y_batch). "
                f"Yield both arrays together: `yield X[idx], y[idx]`."
            )
        try:
            xb = np.asarray(item[0], dtype=float)
            yb = np.asarray(item[1], dtype=float)
        except (TypeError, ValueError):
            raise ExerciseFailure(
                f"{exercise}, case {label}: batch {k} does not hold numbers: got {_fmt(item)}"
            ) from None
        batches.append((xb, yb))
    return batches


def _row_keys(A):
    A = np.asarray(A, dtype=float)
    if A.ndim == 0:
        return []
    return [tuple(np.round(np.atleast_1d(row).ravel(), 12)) for row in A]


def _same_batches(a, b) -> bool:
    if len(a) != len(b):
        return False
    for (xa, ya), (xb, yb) in zip(a, b):
        if xa.shape != xb.shape or ya.shape != yb.shape:
            return False
        if not (np.array_equal(xa, xb) and np.array_equal(ya, yb)):
            return False
    return True


def _sizes(batches):
    return [int(xb.shape[0]) if xb.ndim else 0 for xb, _ in batches]


def _describe(batches, limit=6) -> str:
    sizes = _sizes(batches)
    text = f"{len(batches)} batches of sizes {sizes[:limit]}" + (" ..." if len(sizes) > limit else "")
    return text


def _diagnose_content(batches, X, y, batch_size):
    """Hint key (or a full sentence) for batches that are not a correct one-epoch partition, else None."""
    n = len(X)
    x_keys = {k: i for i, k in enumerate(_row_keys(X))}
    y_keys = {k: i for i, k in enumerate(_row_keys(y))}
    for k, (xb, yb) in enumerate(batches):
        if xb.ndim == 0 or xb.shape[1:] != X.shape[1:]:
            return (f"batch {k}: X_batch has shape {xb.shape}, but it should hold whole rows of X, shape "
                    f"(batch size,) + {X.shape[1:]}; index the rows, X[idx]")
        if yb.ndim == 0 or yb.shape[1:] != y.shape[1:]:
            return (f"batch {k}: y_batch has shape {yb.shape}, but it should hold rows of y, shape "
                    f"(batch size,) + {y.shape[1:]}; index it like X, y[idx]")
        if xb.shape[0] != yb.shape[0]:
            return (f"batch {k}: X_batch has {xb.shape[0]} rows but y_batch has {yb.shape[0]}; each example "
                    f"needs its target, so index both with the same idx")
    sizes = _sizes(batches)
    if sizes and sizes[-1] == 0 and sum(sizes) == n:
        return "empty_batch"
    if len(batches) == batch_size and batch_size != -(-n // batch_size) and sum(sizes) == n:
        return "n_batches"
    counts = np.zeros(n, dtype=int)
    for xb, yb in batches:
        xi = [x_keys.get(key) for key in _row_keys(xb)]
        yi = [y_keys.get(key) for key in _row_keys(yb)]
        if any(i is None for i in xi):
            if X.shape[1:] == y.shape[1:] and all(y_keys.get(key) is not None for key in _row_keys(xb)):
                return "swapped"
            return "X_batch contains rows that are not rows of X; the batches must be rows X[idx] of the data"
        if any(i is None for i in yi):
            return "y_batch contains values that are not in y; the batches must be rows y[idx] of the data"
        if xi != yi:
            return "unpaired"
        counts[xi] += 1
    sizes = _sizes(batches)
    if (counts == 1).all():
        expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        return None if sizes == expected else "batch_size"
    if (counts <= 1).all():  # nothing twice, something missing
        if n % batch_size and sizes == [batch_size] * (n // batch_size):
            return "drop_last"
        return "gap"
    if (counts >= 1).all():  # nothing missing, something twice
        return "whole_data" if all(s == n for s in sizes) and n > batch_size else "overlap"
    # some examples twice and some never: with the right total, the batches were drawn independently
    return "resample" if sum(sizes) == n else ("overlap" if sum(sizes) > n else "gap")


def _explain_order(fn, X, y, batch_size, seed, exercise, label):
    """The batches partition the data correctly but in another order: which rng use explains it?"""
    a = _collect(fn, X, y, batch_size, np.random.default_rng(seed), exercise, label)
    # Global random functions give another order on each call, but on 5 examples two calls agree by
    # chance about once in 30: a few more calls make that chance negligible (1 in 30**5).
    for _ in range(5):
        b = _collect(fn, X, y, batch_size, np.random.default_rng(seed), exercise, label)
        if not _same_batches(a, b):
            return "global_rng"
    # Ignoring rng gives the same order whatever its seed; a real use of rng agrees with another
    # seed only by chance, so ask several seeds before concluding.
    if all(_same_batches(a, _collect(fn, X, y, batch_size, np.random.default_rng(seed + 1000 + k), exercise, label))
           for k in range(5)):
        return "own_rng"
    # A valid partition this time may be luck (independent draws on 5 examples often are):
    # look at a few more epochs before calling it merely another order.
    for extra in range(1, 9):
        more = _collect(fn, X, y, batch_size, np.random.default_rng(seed + 2000 + extra), exercise, label)
        problem = _diagnose_content(more, X, y, batch_size)
        if problem is not None:
            return problem
    return "other_shuffle"


def _fail(exercise, label, message, got=None, expected=None, hint_key=None):
    lines = [f"{exercise}, case {label}: {message}"]
    if expected is not None:
        lines.append(f"  expected: {expected}")
    if got is not None:
        lines.append(f"  got:      {got}")
    if hint_key:
        hint = HINTS.get(hint_key, hint_key)
        lines.append(f"Likely mistake: {hint}")
    raise ExerciseFailure("\n".join(lines))


def _first_rows(batches, k=0):
    if not batches:
        return "no batches"
    xb, yb = batches[k]
    return f"batch {k}: X_batch = {_fmt(xb)}, y_batch = {_fmt(yb)}"


def _check_one_minibatch_case(fn, X, y, batch_size, seed, exercise, label):
    X0, y0 = X.copy(), y.copy()
    X_in, y_in = X.copy(), y.copy()
    rng = np.random.default_rng(seed)
    got = _collect(fn, X_in, y_in, batch_size, rng, exercise, label)
    ref_rng = np.random.default_rng(seed)
    expected = list(reference_minibatches(X0, y0, batch_size, ref_rng))
    for name, before, after in (("X", X0, X_in), ("y", y0, y_in)):
        if not np.array_equal(before, after):
            _fail(exercise, label,
                  f"your function modified its input `{name}` in place (for example with rng.shuffle({name}) or "
                  f"`{name}[...] = ...`). Leave the data as it is: shuffle indices, `perm = rng.permutation(len(X))`, "
                  f"and index with them.")
    if _same_batches(got, expected):
        state = rng.bit_generator.state
        if state != ref_rng.bit_generator.state:
            untouched = state == np.random.default_rng(seed).bit_generator.state
            _fail(exercise, label, "the batches of this epoch are right, but the rng was used differently.",
                  hint_key="own_rng" if untouched else "extra_draws")
        return
    for variant, key in MINIBATCH_VARIANTS:
        if _same_batches(got, list(variant(X0, y0, batch_size, np.random.default_rng(seed)))):
            _fail(exercise, label, "the batches differ from the reference.", got=_describe(got) + "; " +
                  _first_rows(got), expected=_describe(expected) + "; " + _first_rows(expected), hint_key=key)
    problem = _diagnose_content(got, X0, y0, batch_size)
    if problem is None:
        # a correct partition of the data, in another order
        problem = _explain_order(fn, X0, y0, batch_size, seed, exercise, label)
    _fail(exercise, label, "the batches differ from the reference.",
          got=_describe(got) + "; " + _first_rows(got),
          expected=_describe(expected) + "; " + _first_rows(expected), hint_key=problem)


def check_minibatches(minibatches, hidden: bool = False) -> None:
    """``minibatches(X, y, batch_size, rng)`` must yield one epoch of ``(X[idx], y[idx])`` pairs.

    With ``perm = rng.permutation(len(X))``, batch ``k`` is ``idx = perm[k*B:(k+1)*B]``,
    ``k = 0 .. ceil(N/B) - 1`` (the short last batch kept). A generator, a list or any
    iterable of pairs is accepted. Prints the number of cases checked and returns None:
    nbgrader reads a number shown as a test cell's result as its partial credit.
    """
    exercise = "minibatches"
    if not callable(minibatches):
        raise ExerciseFailure(f"{exercise}: expected your function, got {type(minibatches).__name__}")
    cases = _minibatch_cases(hidden)
    for label, X, y, batch_size, seed in cases:
        _check_one_minibatch_case(minibatches, X, y, batch_size, seed, exercise, label)
    # Two epochs in a row from the same generator: the second must continue the rng's stream
    # (10 examples have 10! orders, so two equal epochs mean the rng argument was not used).
    label, X, y, batch_size, seed = cases[1]
    rng = np.random.default_rng(seed)
    first = _collect(minibatches, X.copy(), y.copy(), batch_size, rng, exercise, label)
    second = _collect(minibatches, X.copy(), y.copy(), batch_size, rng, exercise, label)
    ref_rng = np.random.default_rng(seed)
    list(reference_minibatches(X, y, batch_size, ref_rng))
    expected_second = list(reference_minibatches(X, y, batch_size, ref_rng))
    if not _same_batches(second, expected_second):
        key = "own_rng" if _same_batches(first, second) else "extra_draws"
        _fail(exercise, label + ", second epoch from the same rng", "the second epoch's batches are wrong.",
              got=_describe(second) + "; " + _first_rows(second),
              expected=_describe(expected_second) + "; " + _first_rows(expected_second), hint_key=key)
    print(f"{exercise}: all {len(cases)} cases passed (and a second epoch from the same rng).")


# ---------------------------------------------------------------------------
# train_sgd
# ---------------------------------------------------------------------------

def _linreg_grad(w, X_b, y_b):
    """Gradient of the mean squared error of ``X_b @ w[:-1] + w[-1]`` (the course's linear regression)."""
    X_b = np.asarray(X_b, dtype=float)
    y_b = np.asarray(y_b, dtype=float)
    X2 = X_b.reshape(X_b.shape[0], -1)
    r = X2 @ w[:-1] + w[-1] - y_b
    n = y_b.shape[0]
    return np.concatenate([(2.0 / n) * (X2.T @ r), [(2.0 / n) * np.sum(r)]])


class _RecordingGrad:
    """``grad_fn`` for the checks: the linear-regression gradient, remembering each call's batch."""

    def __init__(self, X, y):
        self.keys = {k: i for i, k in enumerate(_row_keys(X))}
        self.n = len(X)
        self.calls = []  # list of index lists (None where a row is not a row of X)

    def __call__(self, w, X_b, y_b):
        w = np.asarray(w, dtype=float)
        X_b = np.asarray(X_b, dtype=float)
        y_b = np.asarray(y_b, dtype=float)
        if X_b.ndim == 0 or y_b.ndim == 0 or X_b.shape[0] != y_b.shape[0] or y_b.shape[0] == 0:
            raise ValueError(
                f"grad_fn(w, X_batch, y_batch) needs a batch of rows of X and the matching targets y; it got "
                f"X_batch of shape {X_b.shape} and y_batch of shape {y_b.shape}"
            )
        self.calls.append([self.keys.get(k) for k in _row_keys(X_b)])
        return _linreg_grad(w, X_b, y_b)


def _sgd_rng_in_loop(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    w = np.asarray(w0, dtype=float)
    path = [w]
    for _ in range(epochs):
        rng = np.random.default_rng(seed)
        for X_b, y_b in reference_minibatches(X, y, batch_size, rng):
            w = w - lr * grad_fn(w, X_b, y_b)
            path.append(w)
    return w, np.array(path)


def _sgd_no_shuffle(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    w = np.asarray(w0, dtype=float)
    path = [w]
    for _ in range(epochs):
        for X_b, y_b in _mb_no_shuffle(X, y, batch_size, None):
            w = w - lr * grad_fn(w, X_b, y_b)
            path.append(w)
    return w, np.array(path)


def _sgd_full_gradient(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    w = np.asarray(w0, dtype=float)
    path = [w]
    for _ in range(epochs):
        for _X_b, _y_b in reference_minibatches(X, y, batch_size, rng):
            w = w - lr * grad_fn(w, X, y)
            path.append(w)
    return w, np.array(path)


def _sgd_sign(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    return reference_train_sgd(grad_fn, w0, X, y, -lr, epochs, batch_size, seed)


def _sgd_loop(grad_fn, w0, epochs, batches, update):
    """The SGD loop of the wrong variants below: ``batches(epoch)`` gives an epoch's batches and
    ``update(w, g, X_b, epoch)`` the new parameters; each variant changes one of the two."""
    w = np.asarray(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        for X_b, y_b in batches(epoch):
            w = update(w, grad_fn(w, X_b, y_b), X_b, epoch)
            path.append(w)
    return w, np.array(path)


def _sgd_shuffled_twice(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(X))
    return _sgd_loop(grad_fn, w0, epochs, lambda e: reference_minibatches(X[perm], y[perm], batch_size, rng),
                     lambda w, g, X_b, e: w - lr * g)


def _sgd_lr_decay(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    return _sgd_loop(grad_fn, w0, epochs, lambda e: reference_minibatches(X, y, batch_size, rng),
                     lambda w, g, X_b, e: w - lr / (e + 1) * g)


def _sgd_exhausted(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    batches = reference_minibatches(X, y, batch_size, np.random.default_rng(seed))  # one generator for all epochs
    return _sgd_loop(grad_fn, w0, epochs, lambda e: batches, lambda w, g, X_b, e: w - lr * g)


def _sgd_seed_per_epoch(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    return _sgd_loop(grad_fn, w0, epochs,
                     lambda e: reference_minibatches(X, y, batch_size, np.random.default_rng(seed + e)),
                     lambda w, g, X_b, e: w - lr * g)


def _sgd_divided_by_batch(grad_fn, w0, X, y, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    return _sgd_loop(grad_fn, w0, epochs, lambda e: reference_minibatches(X, y, batch_size, rng),
                     lambda w, g, X_b, e: w - lr * g / len(X_b))


SGD_VARIANTS = [
    (_sgd_exhausted, "exhausted"),
    (_sgd_lr_decay, "lr_decay"),
    (_sgd_shuffled_twice, "shuffled_twice"),
    (_sgd_seed_per_epoch, "seed_per_epoch"),
    (_sgd_divided_by_batch, "batch_mean_twice"),
    (_sgd_rng_in_loop, "rng_in_loop"),
    (_sgd_no_shuffle, "sgd_no_shuffle"),
    (_sgd_full_gradient, "full_gradient"),
    (_sgd_sign, "sgd_sign"),
]


def _sgd_cases(hidden: bool):
    X5, y5 = _source_data()
    r = np.random.default_rng(41)
    X9, y9 = _distinct_data(r, 9, 2)
    cases = [
        dict(label="the 5 points of the source articles, batch_size=2, lr=0.02, 3 epochs",
             w0=np.array([0.5, -0.3]), X=X5, y=y5, lr=0.02, epochs=3, batch_size=2, seed=5),
        dict(label="9 examples with 2 features, batch_size=4, lr=0.05, 2 epochs",
             w0=np.array([0.2, -0.4, 0.1]), X=X9, y=y9, lr=0.05, epochs=2, batch_size=4, seed=7),
    ]
    if hidden:
        r = np.random.default_rng(42)
        X8, y8 = _distinct_data(r, 8, 1)
        cases.append(dict(label="8 examples, batch_size=1 (plain SGD), lr=0.01, 2 epochs",
                          w0=np.array([1.0, 0.5]), X=X8, y=y8, lr=0.01, epochs=2, batch_size=1, seed=3))
        for k in range(3):
            n = int(r.integers(6, 20))
            d = int(r.integers(1, 4))
            b = int(r.integers(2, n))
            if n % b == 0:
                b += 1
            X, y = _distinct_data(r, n, d)
            lr = float(np.round(10 ** r.uniform(-2.5, -1.5), 5))
            epochs = int(r.integers(2, 5))
            cases.append(dict(label=f"random data, {n} examples, {d} features, batch_size={b}, lr={lr:g}, "
                                    f"{epochs} epochs",
                              w0=np.round(r.normal(size=d + 1), 3), X=X, y=y, lr=lr, epochs=epochs,
                              batch_size=b, seed=20 + k))
    return cases


def _global_state_hint(exc: BaseException) -> str:
    text = str(exc)
    if "numpy.random" in text or "RandomState" in text or "np.random" in text:
        return f"\nLikely mistake: {HINTS['global_state']}."
    return ""


def _call_train(fn, case, exercise, grad_fn):
    args = dict(grad_fn=grad_fn, w0=case["w0"].copy(), X=case["X"].copy(), y=case["y"].copy(), lr=case["lr"],
                epochs=case["epochs"], batch_size=case["batch_size"], seed=case["seed"])
    before = {k: v.copy() for k, v in args.items() if isinstance(v, np.ndarray)}
    try:
        out = fn(*args.values())
    except NotImplementedError as exc:
        _raise_not_implemented(exercise, fn, _innermost_function(exc))
    except ExerciseFailure:
        raise
    except Exception as exc:
        shown = ", ".join(f"{k}={_fmt(v)}" for k, v in args.items() if k != "grad_fn")
        raise ExerciseFailure(
            f"{exercise}, case {case['label']}: your function raised {type(exc).__name__}: {exc}\n"
            f"It was called with grad_fn=<the linear-regression gradient grad_fn(w, X_batch, y_batch)>, {shown}."
            f"{_global_state_hint(exc)}"
        ) from exc
    for k, v in before.items():
        if not np.array_equal(v, args[k]):
            raise ExerciseFailure(
                f"{exercise}, case {case['label']}: your function modified its input `{k}` in place "
                f"(for example `w = {k}` followed by `w -= lr * g`, which changes {k} too). Start from a copy, "
                f"`w = np.array(w0, dtype=float)`, or update with `w = w - lr * g`."
            )
    return out


def _unpack_result(out, case, exercise):
    label = case["label"]
    d = case["w0"].shape[0]
    if out is None:
        raise ExerciseFailure(f"{exercise}, case {label}: your function returned None: did you forget "
                              f"`return w, np.array(path)`?")
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise ExerciseFailure(f"{exercise}, case {label}: your function must return the pair (w, path), "
                              f"but it returned {_fmt(out) if not isinstance(out, (tuple, list)) else f'{len(out)} items'}")
    w, path = out
    if np.ndim(w) == 2 and np.ndim(path) == 1 and np.shape(path) == (d,):
        raise ExerciseFailure(f"{exercise}, case {label}: the first result has shape {np.shape(w)} and the second "
                              f"{np.shape(path)}.\nLikely mistake: {HINTS['return_order']}")
    try:
        w = np.asarray(w, dtype=float)
        path = np.asarray(path, dtype=float)
    except (TypeError, ValueError):
        raise ExerciseFailure(f"{exercise}, case {label}: w and path must be numbers: "
                              f"path should be a list of arrays or an array of shape (iterations + 1, {d})") from None
    if w.shape != (d,):
        raise ExerciseFailure(f"{exercise}, case {label}: the returned w has shape {w.shape}, but w0 has shape "
                              f"({d},)")
    if path.ndim != 2 or path.shape[1] != d:
        raise ExerciseFailure(f"{exercise}, case {label}: path has shape {path.shape}; it must hold one row "
                              f"of {d} parameters per entry, shape (iterations + 1, {d}) (np.array(path) of a list "
                              f"of parameter vectors)")
    return w, path


def _length_hint(path, w, case, ref_path):
    """A hint when the path has the wrong number of rows."""
    n, b, epochs = len(case["X"]), case["batch_size"], case["epochs"]
    ipe = iterations_per_epoch(n, b)
    rows, expected = path.shape[0], ref_path.shape[0]
    if rows == expected - 1 and not np.allclose(path[0], case["w0"]):
        return "path_no_w0"
    if rows == epochs * n + 1 and b > 1:
        return "batch_size_ignored"
    if rows == epochs + 1 and ipe > 1:
        if np.allclose(w, ref_path[-1], rtol=1e-7, atol=1e-10):
            return "path_per_epoch"
        return "once_per_epoch"
    if rows == expected + ipe:
        return "epochs_plus_one"
    if rows == expected - ipe:
        return "epochs_minus_one"
    if n % b and rows == epochs * (n // b) + 1:
        return "drop_last"
    if rows == expected + 1:
        return "path_extra_row"
    if rows == expected - 1:
        return "path_no_w0"
    return None


def _calls_hint(calls, case):
    """Explain a wrong path from the batches that the learner's loop passed to grad_fn."""
    n, b = len(case["X"]), case["batch_size"]
    ipe = iterations_per_epoch(n, b)
    if not calls:
        return "grad_fn was never called: compute the gradient of each mini-batch, grad_fn(w, X_batch, y_batch)"
    if ipe > 1 and all(len(c) == n for c in calls):
        return "full_gradient"
    if len(calls) == case["epochs"] * ipe and case["epochs"] > 1:
        epochs = [calls[e * ipe:(e + 1) * ipe] for e in range(case["epochs"])]
        if all(ep == epochs[0] for ep in epochs[1:]):
            in_order = [list(range(s, min(s + b, n))) for s in range(0, n, b)]
            return "sgd_no_shuffle" if epochs[0] == in_order else "rng_in_loop"
    return None


def check_train_sgd(train_sgd, hidden: bool = False) -> None:
    """``train_sgd(grad_fn, w0, X, y, lr, epochs, batch_size, seed)`` must return ``(w, path)``.

    ``rng = np.random.default_rng(seed)`` once; each epoch one pass of
    ``minibatches(X, y, batch_size, rng)``; after every batch ``w <- w - lr * grad_fn(w, X_b, y_b)``.
    ``path`` holds ``w0`` and the parameters after every update: shape
    ``(epochs * ceil(N / batch_size) + 1, len(w0))``. Prints the number of cases checked and
    returns None (a number shown as a test cell's result would be read by nbgrader as partial credit).
    """
    # Graded on its own: a right train_sgd that fails only through a wrong minibatches passes with
    # the reference minibatches in its place, and says so.
    return check_composite(train_sgd, lambda fn: _check_train_sgd(fn, hidden), exercise="train_sgd",
                           helpers={"minibatches": reference_minibatches, "gd_step": _reference_gd_step})


def _check_train_sgd(train_sgd, hidden: bool) -> None:
    exercise = "train_sgd"
    cases = _sgd_cases(hidden)
    total = 0
    for case in cases:
        label = case["label"]
        recorder = _RecordingGrad(case["X"], case["y"])
        out = _call_train(train_sgd, case, exercise, recorder)
        w, path = _unpack_result(out, case, exercise)
        args = (case["w0"].copy(), case["X"].copy(), case["y"].copy(), case["lr"], case["epochs"],
                case["batch_size"], case["seed"])
        ref_w, ref_path = reference_train_sgd(_linreg_grad, *args)
        n, b = len(case["X"]), case["batch_size"]
        ipe = iterations_per_epoch(n, b)
        expect_text = (f"{ref_path.shape[0]} rows = epochs * ceil(N / batch_size) + 1 = "
                       f"{case['epochs']} * ceil({n} / {b}) + 1 = {case['epochs']} * {ipe} + 1")
        if path.shape[0] > 2 and np.all(path == path[-1]) and not np.allclose(ref_path[0], ref_path[-1]):
            _fail(exercise, label, "every row of the path is the same.", hint_key="same_array")
        if path.shape[0] != ref_path.shape[0]:
            key = _length_hint(path, w, case, ref_path)
            v_w, v_path = _sgd_exhausted(_linreg_grad, *copy.deepcopy(args))
            if v_path.shape == path.shape and np.allclose(v_path, path, rtol=1e-7, atol=1e-10):
                key = "exhausted"
            _fail(exercise, label, f"path has {path.shape[0]} rows, but it should have {expect_text} "
                  f"(w0, then one row per update).", hint_key=key)
        if not np.allclose(path[0], case["w0"]):
            _fail(exercise, label, "path[0] is not w0.", got=_fmt(path[0]), expected=_fmt(case["w0"]),
                  hint_key="path_no_w0")
        close = np.all(np.isclose(path, ref_path, rtol=1e-7, atol=1e-10), axis=1)
        if close.all():
            if not np.allclose(w, path[-1], rtol=1e-7, atol=1e-10):
                _fail(exercise, label, "the path is right but the returned w is not.", got=_fmt(w),
                      expected=_fmt(ref_w), hint_key="final_w")
            total += 1
            continue
        i = int(np.argmin(close))  # the first wrong row (row i is after update i)
        epoch, batch = (i - 1) // ipe + 1, (i - 1) % ipe + 1
        key = None
        for variant, vkey in SGD_VARIANTS:
            try:
                v_w, v_path = variant(_linreg_grad, *copy.deepcopy(args))
            except Exception:  # pragma: no cover - variants run on every case
                continue
            if v_path.shape == path.shape and np.allclose(v_path, path, rtol=1e-7, atol=1e-10):
                key = vkey
                break
        if key is None:
            key = _calls_hint(recorder.calls, case)
        if key is None:
            again = _call_train(train_sgd, case, exercise, _RecordingGrad(case["X"], case["y"]))
            _, path2 = _unpack_result(again, case, exercise)
            if path2.shape != path.shape or not np.array_equal(path2, path):
                key = "sgd_not_reproducible"
            else:
                other = dict(case, seed=case["seed"] + 1000)
                _, path3 = _unpack_result(_call_train(train_sgd, other, exercise, _RecordingGrad(case["X"], case["y"])),
                                          other, exercise)
                _, ref3 = reference_train_sgd(_linreg_grad, *args[:-1], other["seed"])
                if path3.shape == path.shape and np.array_equal(path3, path) and not np.allclose(ref3, ref_path):
                    key = "sgd_seed_ignored"
        if key is None:
            key = ("the first updates are right, so the loop is nearly right: check how the rng carries over from "
                   "one epoch to the next and that each batch's gradient is taken at the current w"
                   if i > 1 else
                   "compare your loop with the pseudo-code above the exercise: rng once, then for each epoch, for "
                   "each mini-batch, w = w - lr * grad_fn(w, X_batch, y_batch), and append w to the path")
        _fail(exercise, label, f"path row {i} (the parameters after update {i}: epoch {epoch}, mini-batch "
              f"{batch} of {ipe}) is wrong.", got=_fmt(path[i]), expected=_fmt(ref_path[i]), hint_key=key)
    print(f"{exercise}: all {len(cases)} cases passed.")

