"""Answers of assignment 12_networks (format: README.md here).

MUTANTS: typical wrong answers; each must lose points, and its feedback must contain `expect`
(the hint that optimlab.checks.networks prints for that mistake). CORRECT: right answers written
differently; each must pass.
"""


def _act(sig="    s = 1 / (1 + np.exp(-z))\n", dsig="s * (1 - s)", dtanh="1 - t**2",
         drelu="(z > 0).astype(float)"):
    return ("def activation(z, name):\n"
            "    z = np.asarray(z, dtype=float)\n"
            "    if name == 'sigmoid':\n"
            f"{sig}"
            f"        return s, {dsig}\n"
            "    if name == 'tanh':\n"
            "        t = np.tanh(z)\n"
            f"        return t, {dtanh}\n"
            f"    return np.maximum(z, 0), {drelu}\n").replace("    s = 1", "        s = 1")


def _dense(dx="G @ W.T", dW="x.T @ G", db="G.sum(axis=0)"):
    return ("def dense_backward(x, W, b, G):\n"
            f"    dx = {dx}\n"
            f"    dW = {dW}\n"
            f"    db = {db}\n"
            "    return dx, dW, db\n")


def _init(std_he="np.sqrt(2 / fan_in)", std_xavier="np.sqrt(2 / (fan_in + fan_out))", small="0.01",
          draw="std * rng.standard_normal((fan_in, fan_out))", shape_zeros="(fan_in, fan_out)"):
    return ("def init_weights(fan_in, fan_out, scheme, rng):\n"
            "    if scheme == 'zeros':\n"
            f"        return np.zeros({shape_zeros})\n"
            f"    std = {{'small': {small}, 'large': 1.0, 'xavier': {std_xavier}, 'he': {std_he}}}[scheme]\n"
            f"    return {draw}\n")


def _clip(body):
    return "def clip_by_global_norm(grads, max_norm):\n" + body


_NORM = "    norm = np.sqrt(sum(np.sum(g**2) for g in grads))\n"

_MLP = (
    "def mlp_loss_and_grad(w, X, y, layer_sizes, name):\n"
    "    p = optimlab.MLP(layer_sizes, name).unpack(w)\n"
    "    D = len(layer_sizes) - 1\n"
    "    A, cache = np.asarray(X, dtype=float), []\n"
    "    for l in range(1, D + 1):\n"
    "        Z = A @ p[f'W{l}'] + p[f'b{l}']\n"
    "        cache.append((A, Z))\n"
    "        A = activation(Z, name)[0] if l < D else Z\n"
    "    P = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
    "    P /= P.sum(axis=1, keepdims=True)\n"
    "    loss = -np.mean(np.log(P[np.arange(len(y)), y]))\n"
    "    G = (P - np.eye(layer_sizes[-1])[y]) / len(y)\n"
    "    grads = {}\n"
    "    for l in range(D, 0, -1):\n"
    "        dA, grads[f'W{l}'], grads[f'b{l}'] = dense_backward(cache[l - 1][0], p[f'W{l}'], p[f'b{l}'], G)\n"
    "        if l > 1:\n"
    "            G = dA * activation(cache[l - 2][1], name)[1]\n"
    "    return loss, np.concatenate([grads[f'{k}{l}'].ravel() for l in range(1, D + 1) for k in 'Wb'])\n"
)


def _mlp(*pairs):
    code = _MLP
    for old, new in pairs:
        assert old in code, old
        code = code.replace(old, new)
    return code


_NP_HELPERS = {
    "activation": ("def activation(z, name):\n"
                   "    s = 1 / (1 + np.exp(-z))\n"
                   "    return {'sigmoid': (s, s * (1 - s)), 'tanh': (np.tanh(z), 1 - np.tanh(z)**2),\n"
                   "            'relu': (np.maximum(z, 0), (z > 0) * 1.0)}[name]\n"),
}


MUTANTS = [
    # --- activation -----------------------------------------------------------------
    {"exercise": "activation", "name": "sigmoid' = s", "code": _act(dsig="s"),
     "expect": "the factor (1 - s) is missing"},
    {"exercise": "activation", "name": "sigmoid' from z", "code": _act(dsig="z * (1 - z)"),
     "expect": "not z * (1 - z)"},
    {"exercise": "activation", "name": "sigmoid' = 1 - s", "code": _act(dsig="1 - s"),
     "expect": "is only its second factor"},
    {"exercise": "activation", "name": "exp(z) for exp(-z)", "code": _act(sig="    s = 1 / (1 + np.exp(z))\n"),
     "expect": "the sign in the exponent"},
    {"exercise": "activation", "name": "tanh' without square", "code": _act(dtanh="1 - t"),
     "expect": "the square is missing"},
    {"exercise": "activation", "name": "tanh' from z", "code": _act(dtanh="1 - z**2"),
     "expect": "not 1 - z**2"},
    {"exercise": "activation", "name": "tanh' as sigmoid's formula", "code": _act(dtanh="t * (1 - t)"),
     "expect": "sigmoid's formula s (1 - s) applied to tanh"},
    {"exercise": "activation", "name": "relu' 1 at z = 0", "code": _act(drelu="(z >= 0).astype(float)"),
     "expect": "z > 0, not z >= 0"},
    {"exercise": "activation", "name": "relu' = relu", "code": _act(drelu="np.maximum(z, 0)"),
     "expect": "that is ReLU itself"},
    {"exercise": "activation", "name": "relu' = sign", "code": _act(drelu="np.sign(z)"),
     "expect": "np.sign(z) is the derivative of |z|"},
    {"exercise": "activation", "name": "no return for relu",
     "code": _act(drelu="(z > 0).astype(float)").replace("    return np.maximum(z, 0), (z > 0).astype(float)\n",
                                                         "    a, da = np.maximum(z, 0), (z > 0).astype(float)\n"),
     "expect": "forget the `return`"},
    # --- dense_backward ---------------------------------------------------------------
    {"exercise": "dense_backward", "name": "db mean over the batch", "code": _dense(db="G.mean(axis=0)"),
     "expect": "db = G.sum(axis=0), not G.mean(axis=0)"},
    {"exercise": "dense_backward", "name": "dW and db divided by B again",
     "code": _dense(dW="x.T @ G / len(x)", db="G.sum(axis=0) / len(x)"),
     "expect": "no second division by the batch size"},
    {"exercise": "dense_backward", "name": "db summed over axis 1", "code": _dense(db="G.sum(axis=1)"),
     "expect": "the wrong axis"},
    {"exercise": "dense_backward", "name": "db summed to one number", "code": _dense(db="G.sum()"),
     "expect": "`db` has shape ()"},
    {"exercise": "dense_backward", "name": "dx without transpose", "code": _dense(dx="G @ W"),
     "expect": "W must be transposed"},
    {"exercise": "dense_backward", "name": "dW = G.T @ x", "code": _dense(dW="G.T @ x"),
     "expect": "not G.T @ x"},
    {"exercise": "dense_backward", "name": "dW outer product of sums",
     "code": _dense(dW="np.outer(x.sum(axis=0), G.sum(axis=0))"),
     "expect": "mixes the examples"},
    {"exercise": "dense_backward", "name": "dx is the forward pass", "code": _dense(dx="x @ W + b"),
     "expect": "not the forward pass"},
    {"exercise": "dense_backward", "name": "results in another order",
     "code": _dense().replace("return dx, dW, db", "return dW, db, dx"),
     "expect": "the results are in the wrong order"},
    # --- mlp_loss_and_grad (calls activation and dense_backward) ------------------------
    {"exercise": "mlp_loss_and_grad", "name": "no f' between layers",
     "code": _mlp(("G = dA * activation(cache[l - 2][1], name)[1]", "G = dA")),
     "expect": "the activation's derivative is missing between layers"},
    {"exercise": "mlp_loss_and_grad", "name": "f' of A",
     "code": _mlp(("activation(cache[l - 2][1], name)[1]",
                   "activation(activation(cache[l - 2][1], name)[0], name)[1]")),
     "expect": "f' was evaluated at the layer's output"},
    {"exercise": "mlp_loss_and_grad", "name": "f' of the layer above",
     "code": _mlp(("activation(cache[l - 2][1], name)[1]", "activation(cache[l - 1][1], name)[1]")),
     "expect": "f' of the wrong layer"},
    {"exercise": "mlp_loss_and_grad", "name": "activation on the logits",
     "code": _mlp(("A = activation(Z, name)[0] if l < D else Z", "A = activation(Z, name)[0]"),
                  ("P = np.exp(Z - Z.max", "Z = A\n    P = np.exp(Z - Z.max")),
     "expect": "the activation was applied to the output layer"},
    {"exercise": "mlp_loss_and_grad", "name": "no 1/B at the output",
     "code": _mlp(("G = (P - np.eye(layer_sizes[-1])[y]) / len(y)", "G = P - np.eye(layer_sizes[-1])[y]")),
     "expect": "lacks the 1/B of the mean loss"},
    {"exercise": "mlp_loss_and_grad", "name": "onehot - softmax",
     "code": _mlp(("G = (P - np.eye(layer_sizes[-1])[y]) / len(y)", "G = (np.eye(layer_sizes[-1])[y] - P) / len(y)")),
     "expect": "the sign of the output gradient"},
    {"exercise": "mlp_loss_and_grad", "name": "summed loss",
     "code": _mlp(("loss = -np.mean(", "loss = -np.sum(")),
     "expect": "not the sum"},
    {"exercise": "mlp_loss_and_grad", "name": "b before W",
     "code": _mlp(("for k in 'Wb'", "for k in 'bW'")),
     "expect": "each layer's W before its b"},
    {"exercise": "mlp_loss_and_grad", "name": "no bias gradient",
     "code": _mlp(("grads[f'b{l}'] = dense_backward", "_ = dense_backward"),
                  ("        if l > 1:\n", "        grads[f'b{l}'] = np.zeros_like(p[f'b{l}'])\n        if l > 1:\n")),
     "expect": "the biases' gradients are missing"},
    {"exercise": "mlp_loss_and_grad", "name": "all layers' W concatenated first",
     "code": _mlp(("[grads[f'{k}{l}'].ravel() for l in range(1, D + 1) for k in 'Wb']",
                   "[grads[f'{k}{l}'].ravel() for k in 'Wb' for l in range(1, D + 1)]")),
     "expect": "[W_1.ravel(), b_1, W_2.ravel(), b_2, ...]"},
    # --- init_weights -----------------------------------------------------------------
    {"exercise": "init_weights", "name": "Xavier without the 2", "code": _init(std_xavier="np.sqrt(1 / (fan_in + fan_out))"),
     "expect": "the 2 is missing"},
    {"exercise": "init_weights", "name": "Xavier and He swapped",
     "code": _init(std_he="np.sqrt(2 / (fan_in + fan_out))", std_xavier="np.sqrt(2 / fan_in)"),
     "expect": "Xavier and He are swapped"},
    {"exercise": "init_weights", "name": "He as LeCun", "code": _init(std_he="np.sqrt(1 / fan_in)"),
     "expect": "sqrt(1 / fan_in) is LeCun's"},
    {"exercise": "init_weights", "name": "He with fan_out", "code": _init(std_he="np.sqrt(2 / fan_out)"),
     "expect": "not fan_out"},
    {"exercise": "init_weights", "name": "variance as std",
     "code": _init(std_he="2 / fan_in", std_xavier="2 / (fan_in + fan_out)", small="0.0001"),
     "expect": "the variance was used as the standard deviation"},
    {"exercise": "init_weights", "name": "global np.random", "code": _init(draw="std * np.random.randn(fan_in, fan_out)"),
     "expect": "not the draws of the `rng` passed in"},
    {"exercise": "init_weights", "name": "loc and scale swapped", "code": _init(draw="rng.normal(std, size=(fan_in, fan_out))"),
     "expect": "sets the MEAN to std"},
    {"exercise": "init_weights", "name": "uniform [0, 1) draws", "code": _init(draw="std * rng.random((fan_in, fan_out))"),
     "expect": "uniform numbers on [0, 1)"},
    {"exercise": "init_weights", "name": "transposed shape",
     "code": _init(draw="std * rng.standard_normal((fan_out, fan_in))", shape_zeros="(fan_out, fan_in)"),
     "expect": "the transpose of the right shape"},
    {"exercise": "init_weights", "name": "drawn transposed",
     "code": _init(draw="std * rng.standard_normal((fan_out, fan_in)).T"),
     "expect": "were made in the shape (fan_out, fan_in)"},
    {"exercise": "init_weights", "name": "small is 0.1", "code": _init(small="0.1"),
     "expect": "std 0.01, not 0.1"},
    # --- clip_by_global_norm ----------------------------------------------------------
    {"exercise": "clip_by_global_norm", "name": "per-tensor norms",
     "code": _clip(_NORM + "    return [g * min(1, max_norm / np.linalg.norm(g)) for g in grads], norm\n"),
     "expect": "clipped by its own norm"},
    {"exercise": "clip_by_global_norm", "name": "scales up below max_norm",
     "code": _clip(_NORM + "    return [g * max_norm / norm for g in grads], norm\n"),
     "expect": "below max_norm nothing changes"},
    {"exercise": "clip_by_global_norm", "name": "squared norm",
     "code": _clip("    norm = sum(np.sum(g**2) for g in grads)\n"
                   "    return [g * min(1, max_norm / norm) for g in grads], norm\n"),
     "expect": "the squared norm was used"},
    {"exercise": "clip_by_global_norm", "name": "ratio upside down",
     "code": _clip(_NORM + "    return [g * min(1, norm / max_norm) for g in grads], norm\n"),
     "expect": "the ratio is upside down"},
    {"exercise": "clip_by_global_norm", "name": "norm after clipping",
     "code": _clip(_NORM + "    clipped = [g * min(1, max_norm / norm) for g in grads]\n"
                   "    return clipped, np.sqrt(sum(np.sum(c**2) for c in clipped))\n"),
     "expect": "the one AFTER clipping"},
    {"exercise": "clip_by_global_norm", "name": "sum of per-tensor norms",
     "code": _clip("    norm = sum(np.linalg.norm(g) for g in grads)\n"
                   "    return [g * min(1, max_norm / norm) for g in grads], norm\n"),
     "expect": "the per-tensor norms were added"},
    {"exercise": "clip_by_global_norm", "name": "clip by value",
     "code": _clip(_NORM + "    return [np.clip(g, -max_norm, max_norm) for g in grads], norm\n"),
     "expect": "clipping by value"},
    {"exercise": "clip_by_global_norm", "name": "in place",
     "code": _clip(_NORM + "    for g in grads:\n"
                   "        g *= min(1, max_norm / norm)\n"
                   "    return list(grads), norm\n"),
     # the arrays inside the tuple `grads` are changed in the learner's kernel: the real grader carries
     # the change back to the checker's arrays (optimlab_remote.carry_back), so it is caught there too
     "expect": "changed the gradients passed in"},
    {"exercise": "clip_by_global_norm", "name": "mean inside the root",
     "code": _clip("    flat = np.concatenate([np.ravel(g) for g in grads])\n"
                   "    norm = np.sqrt(np.mean(flat**2))\n"
                   "    return [g * min(1, max_norm / norm) for g in grads], norm\n"),
     "expect": "np.mean was used inside the root"},
    {"exercise": "clip_by_global_norm", "name": "returns (norm, clipped)",
     "code": _clip(_NORM + "    return norm, [g * min(1, max_norm / norm) for g in grads]\n"),
     "expect": "the wrong order"},
]

CORRECT = [
    # --- activation -----------------------------------------------------------------
    {"exercise": "activation", "name": "dict of lambdas, sech^2",
     "code": ("def activation(z, name):\n"
              "    z = np.asarray(z, dtype=float)\n"
              "    f = {'sigmoid': lambda z: 1 / (1 + np.exp(-z)), 'tanh': np.tanh, 'relu': lambda z: np.maximum(z, 0)}\n"
              "    d = {'sigmoid': lambda z: np.exp(-z) / (1 + np.exp(-z))**2, 'tanh': lambda z: 1 / np.cosh(z)**2,\n"
              "         'relu': lambda z: np.where(z > 0, 1.0, 0.0)}\n"
              "    return f[name](z), d[name](z)\n")},
    {"exercise": "activation", "name": "sigmoid via tanh, heaviside",
     "code": ("def activation(z, name):\n"
              "    z = np.asarray(z, dtype=float)\n"
              "    if name == 'sigmoid':\n"
              "        s = 0.5 * (1 + np.tanh(z / 2))\n"
              "        return s, s - s * s\n"
              "    elif name == 'tanh':\n"
              "        a = np.tanh(z)\n"
              "        return a, (1 - a) * (1 + a)\n"
              "    else:\n"
              "        return np.where(z > 0, z, 0.0), np.heaviside(z, 0.0)\n")},
    {"exercise": "activation", "name": "the library's functions",
     "code": ("from optimlab.models import sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad\n"
              "def activation(z, name):\n"
              "    f, df = {'sigmoid': (sigmoid, sigmoid_grad), 'tanh': (tanh, tanh_grad), 'relu': (relu, relu_grad)}[name]\n"
              "    return f(z), df(z)\n")},
    # --- dense_backward ---------------------------------------------------------------
    {"exercise": "dense_backward", "name": "einsum",
     "code": ("def dense_backward(x, W, b, G):\n"
              "    return np.einsum('bo,io->bi', G, W), np.einsum('bi,bo->io', x, G), np.einsum('bo->o', G)\n")},
    {"exercise": "dense_backward", "name": "loop over examples",
     "code": ("def dense_backward(x, W, b, G):\n"
              "    x, G = np.asarray(x, float), np.asarray(G, float)\n"
              "    dW = np.zeros((x.shape[1], G.shape[1]))\n"
              "    for i in range(len(x)):\n"
              "        dW += np.outer(x[i], G[i])\n"
              "    return G.dot(W.T), dW, np.sum(G, axis=0)\n")},
    {"exercise": "dense_backward", "name": "transpose of products",
     "code": ("def dense_backward(x, W, b, G):\n"
              "    return (W @ G.T).T, (G.T @ x).T, np.ones(len(G)) @ G\n")},
    # --- mlp_loss_and_grad ------------------------------------------------------------
    {"exercise": "mlp_loss_and_grad", "name": "log-softmax, lists of layers",
     "code": ("def mlp_loss_and_grad(w, X, y, layer_sizes, name):\n"
              "    p = optimlab.MLP(layer_sizes, name).unpack(w)\n"
              "    D = len(layer_sizes) - 1\n"
              "    Ws = [p['W%d' % l] for l in range(1, D + 1)]\n"
              "    bs = [p['b%d' % l] for l in range(1, D + 1)]\n"
              "    As, Zs = [X], []\n"
              "    for l in range(D):\n"
              "        Zs.append(As[-1] @ Ws[l] + bs[l])\n"
              "        if l < D - 1:\n"
              "            As.append(activation(Zs[-1], name)[0])\n"
              "    Z = Zs[-1]\n"
              "    m = Z.max(axis=1, keepdims=True)\n"
              "    logp = Z - m - np.log(np.exp(Z - m).sum(axis=1, keepdims=True))\n"
              "    n = len(y)\n"
              "    loss = -logp[np.arange(n), y].mean()\n"
              "    G = np.exp(logp)\n"
              "    G[np.arange(n), y] -= 1\n"
              "    G /= n\n"
              "    out = []\n"
              "    for l in reversed(range(D)):\n"
              "        dA, dW, db = dense_backward(As[l], Ws[l], bs[l], G)\n"
              "        out = [dW.ravel(), db] + out\n"
              "        if l > 0:\n"
              "            G = dA * activation(Zs[l - 1], name)[1]\n"
              "    return loss, np.concatenate(out)\n")},
    {"exercise": "mlp_loss_and_grad", "name": "write into a flat vector via unpack of zeros",
     "code": _mlp(("    return loss, np.concatenate([grads[f'{k}{l}'].ravel() for l in range(1, D + 1) for k in 'Wb'])\n",
                   "    flat = []\n"
                   "    for key in optimlab.MLP(layer_sizes, name).unpack(np.zeros_like(w)):\n"
                   "        flat.append(grads[key].ravel())\n"
                   "    return float(loss), np.concatenate(flat)\n"))},
    {"exercise": "mlp_loss_and_grad", "name": "softmax without the shift, recursion",
     "code": ("def mlp_loss_and_grad(w, X, y, layer_sizes, name):\n"
              "    p = optimlab.MLP(layer_sizes, name).unpack(w)\n"
              "    D = len(layer_sizes) - 1\n"
              "    def run(l, A):\n"
              "        Z = A @ p[f'W{l}'] + p[f'b{l}']\n"
              "        if l == D:\n"
              "            P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)\n"
              "            Y = np.zeros_like(P)\n"
              "            Y[np.arange(len(y)), y] = 1\n"
              "            return -np.mean(np.log(np.sum(P * Y, axis=1))), (P - Y) / len(y), []\n"
              "        loss, G, rest = run(l + 1, activation(Z, name)[0])\n"
              "        dA, dW, db = dense_backward(activation(Z, name)[0], p[f'W{l+1}'], p[f'b{l+1}'], G)\n"
              "        return loss, dA * activation(Z, name)[1], [dW.ravel(), db] + rest\n"
              "    loss, G, rest = run(1, X)\n"
              "    dA, dW, db = dense_backward(X, p['W1'], p['b1'], G)\n"
              "    return loss, np.concatenate([dW.ravel(), db] + rest)\n")},
    # --- init_weights -----------------------------------------------------------------
    {"exercise": "init_weights", "name": "rng.normal with scale",
     "code": ("def init_weights(fan_in, fan_out, scheme, rng):\n"
              "    if scheme == 'zeros':\n"
              "        return np.zeros((fan_in, fan_out))\n"
              "    if scheme == 'small':\n"
              "        std = 0.01\n"
              "    elif scheme == 'large':\n"
              "        std = 1.0\n"
              "    elif scheme == 'xavier':\n"
              "        std = (2 / (fan_in + fan_out)) ** 0.5\n"
              "    else:\n"
              "        std = (2 / fan_in) ** 0.5\n"
              "    return rng.normal(0.0, std, size=(fan_in, fan_out))\n")},
    {"exercise": "init_weights", "name": "flat draw reshaped, math.sqrt",
     "code": ("import math\n"
              "def init_weights(fan_in, fan_out, scheme, rng):\n"
              "    std = {'zeros': 0.0, 'small': 0.01, 'large': 1.0,\n"
              "           'xavier': math.sqrt(2 / (fan_in + fan_out)), 'he': math.sqrt(2 / fan_in)}[scheme]\n"
              "    if std == 0:\n"
              "        return np.zeros((fan_in, fan_out))\n"
              "    return rng.standard_normal(fan_in * fan_out).reshape(fan_in, fan_out) * std\n")},
    {"exercise": "init_weights", "name": "variance first",
     "code": ("def init_weights(fan_in, fan_out, scheme, rng):\n"
              "    var = {'small': 1e-4, 'large': 1.0, 'xavier': 2.0 / (fan_in + fan_out), 'he': 2.0 / fan_in}\n"
              "    if scheme == 'zeros':\n"
              "        return np.zeros((fan_in, fan_out))\n"
              "    return np.sqrt(var[scheme]) * rng.standard_normal(size=(fan_in, fan_out))\n")},
    # --- clip_by_global_norm ----------------------------------------------------------
    {"exercise": "clip_by_global_norm", "name": "concatenate, if",
     "code": _clip("    norm = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads]))\n"
                   "    if norm > max_norm:\n"
                   "        return [g * (max_norm / norm) for g in grads], norm\n"
                   "    return [np.array(g, dtype=float) for g in grads], norm\n")},
    {"exercise": "clip_by_global_norm", "name": "np.minimum, vdot",
     "code": _clip("    norm = float(np.sqrt(sum(np.vdot(g, g) for g in grads)))\n"
                   "    scale = np.minimum(1.0, max_norm / norm)\n"
                   "    return [scale * np.asarray(g) for g in grads], norm\n")},
    {"exercise": "clip_by_global_norm", "name": "optax style with eps-free max",
     "code": _clip("    norm = np.sqrt(sum(np.linalg.norm(g)**2 for g in grads))\n"
                   "    scale = max_norm / max(norm, max_norm)\n"
                   "    return [g * scale for g in grads], norm\n")},
]

COMPOSITE = [
    {"exercise": "mlp_loss_and_grad", "name": "dense_backward with the batch mean in db",
     "helper_broken": {"dense_backward": "def dense_backward(x, W, b, G):\n"
                                         "    return G @ W.T, x.T @ G, G.mean(axis=0)\n"},
     "expect": "your `dense_backward`, which is wrong"},
    {"exercise": "mlp_loss_and_grad", "name": "activation with sigmoid' = s",
     "helper_broken": {"activation": _NP_HELPERS["activation"].replace("s * (1 - s)", "s")},
     "expect": "your `activation`, which is wrong"},
]
