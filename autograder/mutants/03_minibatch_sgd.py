"""Answers to the exercises of assignment 03_minibatch_sgd (format: autograder/mutants/README.md).

MUTANTS: wrong answers learners write; each must lose points and its feedback must contain
`expect`, a keyword that describes the actual mistake. COMPOSITE: a right train_sgd whose
minibatches is wrong; it must get its points with a message saying that minibatches is wrong.
CORRECT: right answers written differently; each must pass. `"pending"` marks what the checks do
not handle yet (tests/test_catalogue.py runs them as xfail). The train_sgd MUTANTS call the
notebook's minibatches (the solution's) or none.
"""

_MB = "def minibatches(X, y, batch_size, rng):\n"
_SGD = "def train_sgd(grad_fn, w0, X, y, lr, epochs, batch_size, seed):\n"
_START = ("    rng = np.random.default_rng(seed)\n"
          "    w = np.array(w0, dtype=float)\n"
          "    path = [w]\n")
_LOOP = ("    for epoch in range(epochs):\n"
         "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n")
_UPDATE = "            w = gd_step(w, grad_fn(w, X_b, y_b), lr)\n"
_APPEND = "            path.append(w)\n"
_RETURN = "    return w, np.array(path)\n"

MUTANTS = [
    # ---- minibatches -------------------------------------------------------------------
    {"exercise": "minibatches", "name": "no shuffling",
     "code": (_MB +
              "    for start in range(0, len(X), batch_size):\n"
              "        yield X[start:start + batch_size], y[start:start + batch_size]\n"),
     "expect": "the batches are in the original order of the data"},
    {"exercise": "minibatches", "name": "short last batch dropped",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    for k in range(len(X) // batch_size):\n"
              "        idx = perm[k * batch_size:(k + 1) * batch_size]\n"
              "        yield X[idx], y[idx]\n"),
     "expect": "the short last batch is missing"},
    {"exercise": "minibatches", "name": "X and y shuffled with different permutations",
     "code": (_MB +
              "    X_shuffled = rng.permutation(X)\n"
              "    y_shuffled = rng.permutation(y)\n"
              "    for start in range(0, len(X), batch_size):\n"
              "        yield X_shuffled[start:start + batch_size], y_shuffled[start:start + batch_size]\n"),
     "expect": "X and y were shuffled with different permutations"},
    {"exercise": "minibatches", "name": "a new generator inside (same order every epoch)",
     "code": (_MB +
              "    rng = np.random.default_rng(0)\n"
              "    perm = rng.permutation(len(X))\n"
              "    for start in range(0, len(X), batch_size):\n"
              "        idx = perm[start:start + batch_size]\n"
              "        yield X[idx], y[idx]\n"),
     "expect": "the order does not depend on the `rng` argument"},
    {"exercise": "minibatches", "name": "overlapping batch boundaries",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    for start in range(0, len(X), batch_size):\n"
              "        idx = perm[start:start + batch_size + 1]\n"
              "        yield X[idx], y[idx]\n"),
     "expect": "batches overlap"},
    {"exercise": "minibatches", "name": "numpy's global random state",
     "code": (_MB +
              "    perm = np.random.permutation(len(X))\n"
              "    for start in range(0, len(X), batch_size):\n"
              "        idx = perm[start:start + batch_size]\n"
              "        yield X[idx], y[idx]\n"),
     "expect": "you used numpy's global random functions"},
    {"exercise": "minibatches", "name": "yields (y, X)",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    for start in range(0, len(X), batch_size):\n"
              "        idx = perm[start:start + batch_size]\n"
              "        yield y[idx], X[idx]\n"),
     "expect": "(X_batch, y_batch)"},
    {"exercise": "minibatches", "name": "return inside the loop",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    for start in range(0, len(X), batch_size):\n"
              "        idx = perm[start:start + batch_size]\n"
              "        return X[idx], y[idx]\n"),
     "expect": "`return` inside the loop"},
    {"exercise": "minibatches", "name": "yields X_batch only",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    for start in range(0, len(X), batch_size):\n"
              "        yield X[perm[start:start + batch_size]]\n"),
     "expect": "(X_batch, y_batch)"},
    {"exercise": "minibatches", "name": "every batch the whole shuffled data",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    for start in range(0, len(X), batch_size):\n"
              "        yield X[perm], y[perm]\n"),
     "expect": "whole data set"},
    # each batch drawn on its own, with replacement
    {"exercise": "minibatches", "name": "rng.choice per batch",
     "code": (_MB +
              "    for start in range(0, len(X), batch_size):\n"
              "        idx = rng.choice(len(X), size=min(batch_size, len(X) - start))\n"
              "        yield X[idx], y[idx]\n"),
     "expect": "rng.choice"},
    # shuffles the caller's arrays
    {"exercise": "minibatches", "name": "shuffles X and y in place",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    X[:] = X[perm]\n"
              "    y[:] = y[perm]\n"
              "    for start in range(0, len(X), batch_size):\n"
              "        yield X[start:start + batch_size], y[start:start + batch_size]\n"),
     "expect": "in place"},
    # range(len(X) // batch_size + 1): an empty batch at the end when batch_size divides len(X)
    {"exercise": "minibatches", "name": "empty last batch",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    for k in range(len(X) // batch_size + 1):\n"
              "        idx = perm[k * batch_size:(k + 1) * batch_size]\n"
              "        yield X[idx], y[idx]\n"),
     "expect": "empty batch"},
    {"exercise": "minibatches", "name": "a new permutation for every batch",
     "code": (_MB +
              "    for start in range(0, len(X), batch_size):\n"
              "        perm = rng.permutation(len(X))\n"
              "        idx = perm[start:start + batch_size]\n"
              "        yield X[idx], y[idx]\n"),
     "expect": "new permutation"},
    # batch_size read as the number of batches
    {"exercise": "minibatches", "name": "np.array_split(perm, batch_size)",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    for idx in np.array_split(perm, batch_size):\n"
              "        yield X[idx], y[idx]\n"),
     "expect": "number of batches"},
    # the right number of batches, but array_split balances their sizes (10 by 4: 4, 3, 3)
    {"exercise": "minibatches", "name": "np.array_split into ceil(N/B) parts",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    for idx in np.array_split(perm, math.ceil(len(X) / batch_size)):\n"
              "        yield X[idx], y[idx]\n"),
     "expect": "wrong size"},
    # every example once, but batch k takes every n_batches-th entry of perm, not a slice
    {"exercise": "minibatches", "name": "strided batches perm[k::n_batches]",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    n_batches = math.ceil(len(X) / batch_size)\n"
              "    for k in range(n_batches):\n"
              "        idx = perm[k::n_batches]\n"
              "        yield X[idx], y[idx]\n"),
     "expect": "perm[k::"},
    # ---- train_sgd ---------------------------------------------------------------------
    {"exercise": "train_sgd", "name": "generator created inside the epoch loop",
     "code": (_SGD +
              "    w = np.array(w0, dtype=float)\n"
              "    path = [w]\n"
              "    for epoch in range(epochs):\n"
              "        rng = np.random.default_rng(seed)\n"
              "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n"
              + _UPDATE + _APPEND + _RETURN),
     "expect": "every epoch visits the examples in the same order"},
    {"exercise": "train_sgd", "name": "no shuffling",
     "code": (_SGD +
              "    w = np.array(w0, dtype=float)\n"
              "    path = [w]\n"
              "    for epoch in range(epochs):\n"
              "        for start in range(0, len(X), batch_size):\n"
              "            X_b, y_b = X[start:start + batch_size], y[start:start + batch_size]\n"
              + _UPDATE + _APPEND + _RETURN),
     "expect": "the examples are never shuffled"},
    {"exercise": "train_sgd", "name": "one update per epoch (batch gradient descent by accident)",
     "code": (_SGD + _START + _LOOP +
              "            g = grad_fn(w, X_b, y_b)\n"
              "        w = gd_step(w, g, lr)\n"
              "        path.append(w)\n" + _RETURN),
     "expect": "there is one update per epoch"},
    {"exercise": "train_sgd", "name": "full-data gradient instead of the batch gradient",
     "code": (_SGD + _START + _LOOP +
              "            w = gd_step(w, grad_fn(w, X, y), lr)\n" + _APPEND + _RETURN),
     "expect": "every update used the gradient of the FULL data set"},
    {"exercise": "train_sgd", "name": "one epoch too many",
     "code": (_SGD + _START +
              "    for epoch in range(epochs + 1):\n"
              "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n"
              + _UPDATE + _APPEND + _RETURN),
     "expect": "one epoch too many"},
    {"exercise": "train_sgd", "name": "in-place update of the appended array",
     "code": (_SGD +
              "    rng = np.random.default_rng(seed)\n"
              "    w = w0.copy()\n"
              "    path = [w]\n"
              + _LOOP +
              "            w -= lr * grad_fn(w, X_b, y_b)\n" + _APPEND + _RETURN),
     "expect": "all rows of the path are the same array"},
    # `w = w0` and `w -= ...`: the caller's w0 changes
    {"exercise": "train_sgd", "name": "w = w0 updated in place",
     "code": (_SGD +
              "    rng = np.random.default_rng(seed)\n"
              "    w = w0\n"
              "    path = [w.copy()]\n"
              + _LOOP +
              "            w -= lr * grad_fn(w, X_b, y_b)\n"
              "            path.append(w.copy())\n" + _RETURN),
     "expect": "`w = w0`"},
    {"exercise": "train_sgd", "name": "one epoch too few",
     "code": (_SGD + _START +
              "    for epoch in range(1, epochs):\n"
              "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n"
              + _UPDATE + _APPEND + _RETURN),
     "expect": "one epoch too few"},
    {"exercise": "train_sgd", "name": "path appended once per epoch",
     "code": (_SGD + _START + _LOOP + _UPDATE +
              "        path.append(w)\n" + _RETURN),
     "expect": "one row per epoch"},
    {"exercise": "train_sgd", "name": "w0 missing from the path",
     "code": (_SGD +
              "    rng = np.random.default_rng(seed)\n"
              "    w = np.array(w0, dtype=float)\n"
              "    path = []\n"
              + _LOOP + _UPDATE + _APPEND + _RETURN),
     "expect": "start with w0"},
    {"exercise": "train_sgd", "name": "plus sign (ascent)",
     "code": (_SGD + _START + _LOOP +
              "            w = w + lr * grad_fn(w, X_b, y_b)\n" + _APPEND + _RETURN),
     "expect": "the sign"},
    {"exercise": "train_sgd", "name": "seed ignored (fixed generator)",
     "code": (_SGD +
              "    rng = np.random.default_rng(0)\n"
              "    w = np.array(w0, dtype=float)\n"
              "    path = [w]\n"
              + _LOOP + _UPDATE + _APPEND + _RETURN),
     "expect": "does not depend on `seed`"},
    # the legacy API: seed numpy's global state and pass the np.random module as the generator
    {"exercise": "train_sgd", "name": "np.random.seed and the global state",
     "code": (_SGD +
              "    np.random.seed(seed)\n"
              "    rng = np.random\n"
              "    w = np.array(w0, dtype=float)\n"
              "    path = [w]\n"
              + _LOOP + _UPDATE + _APPEND + _RETURN),
     "expect": "global"},
    {"exercise": "train_sgd", "name": "returns (path, w)",
     "code": (_SGD + _START + _LOOP + _UPDATE + _APPEND +
              "    return np.array(path), w\n"),
     "expect": "(w, path)"},
    # grad_fn already averages over the batch
    {"exercise": "train_sgd", "name": "gradient divided by the batch size",
     "code": (_SGD + _START + _LOOP +
              "            w = gd_step(w, grad_fn(w, X_b, y_b) / len(X_b), lr)\n" + _APPEND + _RETURN),
     "expect": "divided by the batch size"},
    # the generator is made once, so it is used up after the first epoch
    {"exercise": "train_sgd", "name": "one generator of batches for all epochs",
     "code": (_SGD + _START +
              "    batches = minibatches(X, y, batch_size, rng)\n"
              "    for epoch in range(epochs):\n"
              "        for X_b, y_b in batches:\n"
              + _UPDATE + _APPEND + _RETURN),
     "expect": "exhausted"},
    # the data shuffled once more "to be safe" before the epochs: an extra draw from rng
    {"exercise": "train_sgd", "name": "data shuffled again before the epochs",
     "code": (_SGD + _START +
              "    perm = rng.permutation(len(X))\n"
              "    X, y = X[perm], y[perm]\n"
              + _LOOP + _UPDATE + _APPEND + _RETURN),
     "expect": "twice"},
    # plain SGD whatever batch_size says
    {"exercise": "train_sgd", "name": "batch size 1 hard-coded",
     "code": (_SGD + _START +
              "    for epoch in range(epochs):\n"
              "        for X_b, y_b in minibatches(X, y, 1, rng):\n"
              + _UPDATE + _APPEND + _RETURN),
     "expect": "ignores batch_size"},
    # a learning-rate schedule nobody asked for
    {"exercise": "train_sgd", "name": "learning rate decayed per epoch",
     "code": (_SGD + _START + _LOOP +
              "            w = gd_step(w, grad_fn(w, X_b, y_b), lr / (epoch + 1))\n" + _APPEND + _RETURN),
     "expect": "decay"},
    # a new, differently seeded generator per epoch: reshuffled, but not as specified
    {"exercise": "train_sgd", "name": "generator seeded with seed + epoch",
     "code": (_SGD +
              "    w = np.array(w0, dtype=float)\n"
              "    path = [w]\n"
              "    for epoch in range(epochs):\n"
              "        rng = np.random.default_rng(seed + epoch)\n"
              "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n"
              + _UPDATE + _APPEND + _RETURN),
     "expect": "seed + epoch"},
]

_MB_NO_SHUFFLE = (_MB +
                  "    for start in range(0, len(X), batch_size):\n"
                  "        yield X[start:start + batch_size], y[start:start + batch_size]\n")

# Both wrong: a wrong train_sgd that calls a wrong minibatches must still be told about its own mistake.
MUTANTS += [
    {"exercise": "train_sgd", "name": "one epoch too many, and minibatches not shuffled",
     "code": (_SGD + _START +
              "    for epoch in range(epochs + 1):\n"
              "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n"
              + _UPDATE + _APPEND + _RETURN),
     "helper_broken": {"minibatches": _MB_NO_SHUFFLE},
     "expect": "one epoch too many"},
    {"exercise": "train_sgd", "name": "generator in the epoch loop, and minibatches drops the last batch",
     "code": (_SGD +
              "    w = np.array(w0, dtype=float)\n"
              "    path = [w]\n"
              "    for epoch in range(epochs):\n"
              "        rng = np.random.default_rng(seed)\n"
              "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n"
              + _UPDATE + _APPEND + _RETURN),
     "helper_broken": {"minibatches": (_MB +
                                       "    perm = rng.permutation(len(X))\n"
                                       "    for k in range(len(X) // batch_size):\n"
                                       "        idx = perm[k * batch_size:(k + 1) * batch_size]\n"
                                       "        yield X[idx], y[idx]\n")},
     "expect": "every epoch visits the examples in the same order"},
]

_TRAIN_SGD_SOLUTION = _SGD + _START + _LOOP + _UPDATE + _APPEND + _RETURN
_EXPECT_MB = "your `minibatches`, which is wrong"

# A right train_sgd (the solution, which calls the learner's minibatches) with a wrong minibatches.
COMPOSITE = [
    {"exercise": "train_sgd", "name": "minibatches not shuffled", "code": _TRAIN_SGD_SOLUTION,
     "helper_broken": {"minibatches": (_MB +
                                       "    for start in range(0, len(X), batch_size):\n"
                                       "        yield X[start:start + batch_size], y[start:start + batch_size]\n")},
     "expect": _EXPECT_MB},
    {"exercise": "train_sgd", "name": "minibatches drops the last batch", "code": _TRAIN_SGD_SOLUTION,
     "helper_broken": {"minibatches": (_MB +
                                       "    perm = rng.permutation(len(X))\n"
                                       "    for k in range(len(X) // batch_size):\n"
                                       "        idx = perm[k * batch_size:(k + 1) * batch_size]\n"
                                       "        yield X[idx], y[idx]\n")},
     "expect": _EXPECT_MB},
    {"exercise": "train_sgd", "name": "minibatches not implemented", "code": _TRAIN_SGD_SOLUTION,
     "helper_broken": {"minibatches": _MB + "    raise NotImplementedError()\n"},
     "expect": _EXPECT_MB},
    {"exercise": "train_sgd", "name": "minibatches with numpy's global state", "code": _TRAIN_SGD_SOLUTION,
     "helper_broken": {"minibatches": (_MB +
                                       "    perm = np.random.permutation(len(X))\n"
                                       "    for start in range(0, len(X), batch_size):\n"
                                       "        idx = perm[start:start + batch_size]\n"
                                       "        yield X[idx], y[idx]\n")},
     "expect": _EXPECT_MB},
    {"exercise": "train_sgd", "name": "minibatches returns one batch", "code": _TRAIN_SGD_SOLUTION,
     "helper_broken": {"minibatches": (_MB +
                                       "    perm = rng.permutation(len(X))\n"
                                       "    for start in range(0, len(X), batch_size):\n"
                                       "        idx = perm[start:start + batch_size]\n"
                                       "        return X[idx], y[idx]\n")},
     "expect": _EXPECT_MB},
]

CORRECT = [
    # ---- minibatches -------------------------------------------------------------------
    {"exercise": "minibatches", "name": "returns a list of pairs",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    n_batches = math.ceil(len(X) / batch_size)\n"
              "    return [(X[perm[k * batch_size:(k + 1) * batch_size]], y[perm[k * batch_size:(k + 1) * batch_size]])\n"
              "            for k in range(n_batches)]\n")},
    {"exercise": "minibatches", "name": "np.split at multiples of batch_size",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    for idx in np.split(perm, np.arange(batch_size, len(X), batch_size)):\n"
              "        yield X[idx], y[idx]\n")},
    {"exercise": "minibatches", "name": "while loop on a shuffled copy",
     "code": (_MB +
              "    perm = rng.permutation(len(X))\n"
              "    X_s, y_s = X[perm], y[perm]\n"
              "    start = 0\n"
              "    while start < len(X):\n"
              "        stop = min(start + batch_size, len(X))\n"
              "        yield X_s[start:stop], y_s[start:stop]\n"
              "        start = stop\n")},
    # ---- train_sgd ---------------------------------------------------------------------
    {"exercise": "train_sgd", "name": "preallocated path, update written out",
     "code": (_SGD +
              "    rng = np.random.default_rng(seed)\n"
              "    n_iter = epochs * math.ceil(len(X) / batch_size)\n"
              "    path = np.zeros((n_iter + 1, len(w0)))\n"
              "    path[0] = w = np.asarray(w0, dtype=float)\n"
              "    it = 0\n"
              "    for _ in range(epochs):\n"
              "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n"
              "            w = w - lr * grad_fn(w, X_b, y_b)\n"
              "            it += 1\n"
              "            path[it] = w\n"
              "    return w, path\n")},
    {"exercise": "train_sgd", "name": "in place on a copy, rows copied",
     "code": (_SGD +
              "    rng = np.random.default_rng(seed)\n"
              "    w = np.array(w0, dtype=float)\n"
              "    path = [w.copy()]\n"
              "    for _ in range(epochs):\n"
              "        batches = list(minibatches(X, y, batch_size, rng))\n"
              "        for X_b, y_b in batches:\n"
              "            w -= lr * grad_fn(w, X_b, y_b)\n"
              "            path.append(w.copy())\n"
              "    return w, np.vstack(path)\n")},
    {"exercise": "train_sgd", "name": "final w taken from the path",
     "code": (_SGD +
              "    rng = np.random.default_rng(seed)\n"
              "    path = [np.array(w0, dtype=float)]\n"
              "    for _ in range(epochs):\n"
              "        for batch in minibatches(X, y, batch_size, rng):\n"
              "            path.append(gd_step(path[-1], grad_fn(path[-1], *batch), lr))\n"
              "    path = np.array(path)\n"
              "    return path[-1], path\n")},
    {"exercise": "train_sgd", "name": "one chained stream of all epochs' batches",
     "code": ("import itertools\n" + _SGD +
              "    rng = np.random.default_rng(seed)\n"
              "    w = np.array(w0, dtype=float)\n"
              "    path = [w]\n"
              "    stream = itertools.chain.from_iterable(minibatches(X, y, batch_size, rng) for _ in range(epochs))\n"
              "    for X_b, y_b in stream:\n"
              "        w = w - lr * grad_fn(w, X_b, y_b)\n"
              "        path.append(w)\n"
              "    return w, np.array(path)\n")},
]
