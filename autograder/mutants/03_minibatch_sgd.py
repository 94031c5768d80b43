"""Typical wrong answers for notebook 03 (minibatches, train_sgd).

Each mutant is the full source of an answer cell as a learner might write it wrongly;
``expect`` is a piece of the hint that optimlab.checks.minibatch prints for that mistake
(see HINTS there). The nbgrader test grades every mutant and requires that it loses the
exercise's points and that its feedback contains ``expect``.
"""

_MB_DOC = '''    """Yield the mini-batches (X_batch, y_batch) of one epoch.

    perm = rng.permutation(len(X)); batch k holds the rows idx = perm[k*batch_size : (k+1)*batch_size]
    for k = 0 .. ceil(len(X) / batch_size) - 1 (the last batch is shorter when batch_size does not
    divide len(X)). X and y are indexed with the same idx and are not modified.
    """
'''

_SGD_DOC = '''    """Mini-batch SGD: after every mini-batch, w <- w - lr * grad_fn(w, X_batch, y_batch).

    rng = np.random.default_rng(seed) is created once and passed to minibatches in every epoch, so each
    epoch has a new order. Returns (w, path): the final parameters, and an array of shape
    (epochs * ceil(len(X) / batch_size) + 1, len(w0)) holding w0 and the parameters after each iteration.
    """
'''


def _mb(body: str) -> str:
    return "def minibatches(X, y, batch_size, rng):\n" + _MB_DOC + body


def _sgd(body: str) -> str:
    return "def train_sgd(grad_fn, w0, X, y, lr, epochs, batch_size, seed):\n" + _SGD_DOC + body


MUTANTS = [
    # ---- minibatches -------------------------------------------------------------------
    {
        "exercise": "minibatches",
        "name": "no shuffling",
        "code": _mb(
            "    for start in range(0, len(X), batch_size):\n"
            "        yield X[start:start + batch_size], y[start:start + batch_size]\n"
        ),
        "expect": "the batches are in the original order of the data",
    },
    {
        "exercise": "minibatches",
        "name": "short last batch dropped",
        "code": _mb(
            "    perm = rng.permutation(len(X))\n"
            "    for k in range(len(X) // batch_size):\n"
            "        idx = perm[k * batch_size:(k + 1) * batch_size]\n"
            "        yield X[idx], y[idx]\n"
        ),
        "expect": "the short last batch is missing",
    },
    {
        "exercise": "minibatches",
        "name": "X and y shuffled with different permutations",
        "code": _mb(
            "    X_shuffled = rng.permutation(X)\n"
            "    y_shuffled = rng.permutation(y)\n"
            "    for start in range(0, len(X), batch_size):\n"
            "        yield X_shuffled[start:start + batch_size], y_shuffled[start:start + batch_size]\n"
        ),
        "expect": "X and y were shuffled with different permutations",
    },
    {
        "exercise": "minibatches",
        "name": "a new generator inside (same order every epoch)",
        "code": _mb(
            "    rng = np.random.default_rng(0)\n"
            "    perm = rng.permutation(len(X))\n"
            "    for start in range(0, len(X), batch_size):\n"
            "        idx = perm[start:start + batch_size]\n"
            "        yield X[idx], y[idx]\n"
        ),
        "expect": "the order does not depend on the `rng` argument",
    },
    {
        "exercise": "minibatches",
        "name": "overlapping batch boundaries",
        "code": _mb(
            "    perm = rng.permutation(len(X))\n"
            "    for start in range(0, len(X), batch_size):\n"
            "        idx = perm[start:start + batch_size + 1]\n"
            "        yield X[idx], y[idx]\n"
        ),
        "expect": "batches overlap",
    },
    {
        "exercise": "minibatches",
        "name": "numpy's global random state",
        "code": _mb(
            "    perm = np.random.permutation(len(X))\n"
            "    for start in range(0, len(X), batch_size):\n"
            "        idx = perm[start:start + batch_size]\n"
            "        yield X[idx], y[idx]\n"
        ),
        "expect": "you used numpy's global random functions",
    },
    # ---- train_sgd ---------------------------------------------------------------------
    {
        "exercise": "train_sgd",
        "name": "generator created inside the epoch loop",
        "code": _sgd(
            "    w = np.array(w0, dtype=float)\n"
            "    path = [w]\n"
            "    for epoch in range(epochs):\n"
            "        rng = np.random.default_rng(seed)\n"
            "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n"
            "            w = gd_step(w, grad_fn(w, X_b, y_b), lr)\n"
            "            path.append(w)\n"
            "    return w, np.array(path)\n"
        ),
        "expect": "every epoch visits the examples in the same order",
    },
    {
        "exercise": "train_sgd",
        "name": "no shuffling",
        "code": _sgd(
            "    w = np.array(w0, dtype=float)\n"
            "    path = [w]\n"
            "    for epoch in range(epochs):\n"
            "        for start in range(0, len(X), batch_size):\n"
            "            X_b, y_b = X[start:start + batch_size], y[start:start + batch_size]\n"
            "            w = gd_step(w, grad_fn(w, X_b, y_b), lr)\n"
            "            path.append(w)\n"
            "    return w, np.array(path)\n"
        ),
        "expect": "the examples are never shuffled",
    },
    {
        "exercise": "train_sgd",
        "name": "one update per epoch (batch gradient descent by accident)",
        "code": _sgd(
            "    rng = np.random.default_rng(seed)\n"
            "    w = np.array(w0, dtype=float)\n"
            "    path = [w]\n"
            "    for epoch in range(epochs):\n"
            "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n"
            "            g = grad_fn(w, X_b, y_b)\n"
            "        w = gd_step(w, g, lr)\n"
            "        path.append(w)\n"
            "    return w, np.array(path)\n"
        ),
        "expect": "there is one update per epoch",
    },
    {
        "exercise": "train_sgd",
        "name": "full-data gradient instead of the batch gradient",
        "code": _sgd(
            "    rng = np.random.default_rng(seed)\n"
            "    w = np.array(w0, dtype=float)\n"
            "    path = [w]\n"
            "    for epoch in range(epochs):\n"
            "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n"
            "            w = gd_step(w, grad_fn(w, X, y), lr)\n"
            "            path.append(w)\n"
            "    return w, np.array(path)\n"
        ),
        "expect": "every update used the gradient of the FULL data set",
    },
    {
        "exercise": "train_sgd",
        "name": "one epoch too many",
        "code": _sgd(
            "    rng = np.random.default_rng(seed)\n"
            "    w = np.array(w0, dtype=float)\n"
            "    path = [w]\n"
            "    for epoch in range(epochs + 1):\n"
            "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n"
            "            w = gd_step(w, grad_fn(w, X_b, y_b), lr)\n"
            "            path.append(w)\n"
            "    return w, np.array(path)\n"
        ),
        "expect": "one epoch too many",
    },
    {
        "exercise": "train_sgd",
        "name": "in-place update of the appended array",
        "code": _sgd(
            "    rng = np.random.default_rng(seed)\n"
            "    w = w0.copy()\n"
            "    path = [w]\n"
            "    for epoch in range(epochs):\n"
            "        for X_b, y_b in minibatches(X, y, batch_size, rng):\n"
            "            w -= lr * grad_fn(w, X_b, y_b)\n"
            "            path.append(w)\n"
            "    return w, np.array(path)\n"
        ),
        "expect": "all rows of the path are the same array",
    },
]
