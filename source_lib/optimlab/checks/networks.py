r"""Checks for notebook 12, fully connected networks: ``activation``, ``dense_backward``,
``mlp_loss_and_grad``, ``init_weights`` and ``clip_by_global_norm``.

The exercises, with what the learner implements (the references are in :mod:`optimlab.layers`):

.. code-block:: text

    activation(z, name)                  name "sigmoid": (s, s (1 - s)),  s = 1 / (1 + exp(-z))
                                         name "tanh":    (tanh z, 1 - tanh(z)**2)
                                         name "relu":    (max(z, 0), 1 where z > 0 else 0)    -> (a, da)
    dense_backward(x, W, b, G)           G = dL/dz for z = x W + b (the 1/B is inside G)
                                         dx = G W^T, dW = x^T G, db = G.sum(axis=0)           -> (dx, dW, db)
    init_weights(fan_in, fan_out, scheme, rng)
                                         std * rng.standard_normal((fan_in, fan_out)), std by scheme:
                                         zeros 0, small 0.01, large 1, xavier sqrt(2/(fan_in+fan_out)),
                                         he sqrt(2/fan_in); "zeros" returns np.zeros                -> W
    clip_by_global_norm(grads, max_norm) norm = sqrt(sum_k sum g_k**2); every g_k * min(1, max_norm/norm)
                                                                                              -> (clipped, norm)

Cases are chosen so that the usual mistakes change the numbers: ``z = 0`` among the inputs (ReLU's
derivative there), a square weight matrix in the first ``dense_backward`` case (a missing transpose
gives numbers, not a crash) and batch sizes other than 1, shapes with ``fan_in != fan_out``,
gradients with some tensors above and some below ``max_norm`` and a case below it.

The ``check_*`` functions print a one-line success message and return ``None``.
"""
from __future__ import annotations

import copy
import math

import numpy as np

from .. import layers as _layers
from .engine import Case, ExerciseFailure, Variant, check_function, _variant_hints

__all__ = ["reference_activation", "reference_dense_backward", "reference_init_weights",
           "reference_clip_by_global_norm", "reference_mlp_loss_and_grad", "check_activation",
           "check_dense_backward", "check_init_weights", "check_clip_by_global_norm", "check_mlp_loss_and_grad"]


# ---------------------------------------------------------------------------
# activation
# ---------------------------------------------------------------------------

def reference_activation(z, name):
    r"""``(f(z), f'(z))`` for ``name`` in ``"sigmoid"``, ``"tanh"``, ``"relu"`` (:func:`optimlab.layers.activation`)."""
    return _layers.activation(z, name)


def _act(z, name, *, sig=None, dsig=None, dtanh=None, drelu=None):
    # One parametrised activation for the wrong variants; the defaults give the right answer.
    z = np.asarray(z, dtype=float)
    if name == "sigmoid":
        s = (sig or (lambda z: 1 / (1 + np.exp(-z))))(z)
        return s, (dsig or (lambda z, s: s * (1 - s)))(z, s)
    if name == "tanh":
        t = np.tanh(z)
        return t, (dtanh or (lambda z, t: 1 - t**2))(z, t)
    return np.maximum(z, 0.0), (drelu or (lambda z: (z > 0).astype(float)))(z)


def _v(**kw):
    return lambda z, name: _act(z, name, **kw)


_ACTIVATION_VARIANTS = [
    Variant(_v(dsig=lambda z, s: s),
            "sigmoid's derivative is s * (1 - s), not s itself: the factor (1 - s) is missing"),
    Variant(_v(dsig=lambda z, s: z * (1 - z)),
            "sigmoid's derivative was computed from z: it is s * (1 - s) with s = sigmoid(z), not z * (1 - z)"),
    Variant(_v(dsig=lambda z, s: 1 - s),
            "sigmoid's derivative is s * (1 - s); 1 - s = sigmoid(-z) is only its second factor"),
    Variant(_v(sig=lambda z: 1 / (1 + np.exp(z))),
            "the sign in the exponent: sigmoid(z) = 1 / (1 + exp(-z)); 1 / (1 + exp(z)) is sigmoid(-z)"),
    Variant(_v(dtanh=lambda z, t: 1 - t),
            "tanh's derivative is 1 - tanh(z)**2: the square is missing"),
    Variant(_v(dtanh=lambda z, t: 1 - z**2),
            "tanh's derivative was computed from z: it is 1 - tanh(z)**2, not 1 - z**2"),
    Variant(_v(dtanh=lambda z, t: t * (1 - t)),
            "that is sigmoid's formula s (1 - s) applied to tanh; tanh's derivative is 1 - tanh(z)**2"),
    Variant(_v(drelu=lambda z: (z >= 0).astype(float)),
            "ReLU's derivative at z = 0: use 0 there, as PyTorch does (z > 0, not z >= 0)"),
    Variant(_v(drelu=lambda z: np.maximum(z, 0.0)),
            "ReLU's derivative is 1 where z > 0 and 0 elsewhere, not max(z, 0) (that is ReLU itself)"),
    Variant(_v(drelu=lambda z: np.sign(z)),
            "ReLU's derivative is 0 for z < 0, not -1: np.sign(z) is the derivative of |z|"),
]


def _act_cases(hidden: bool):
    z = np.array([-3.0, -0.5, 0.0, 0.25, 2.0])
    cases = [Case(f"{name} at z = [-3, -0.5, 0, 0.25, 2]", {"z": z, "name": name})
             for name in ("sigmoid", "tanh", "relu")]
    if hidden:
        rng = np.random.default_rng(121)
        for name in ("sigmoid", "tanh", "relu"):
            zz = np.round(rng.normal(scale=3, size=(3, 4)), 3)
            zz[1, 2] = 0.0
            cases.append(Case(f"{name} on a (3, 4) array with one 0", {"z": zz, "name": name}))
        cases.append(Case("sigmoid far out, z = [-40, -10, 10, 40]", {"z": np.array([-40.0, -10.0, 10.0, 40.0]),
                                                                      "name": "sigmoid"}))
        cases.append(Case("a scalar z = 0.7 (shape ())", {"z": np.array(0.7), "name": "tanh"}))
    return cases


def check_activation(activation, hidden: bool = False) -> None:
    """``activation(z, name)`` returns ``(f(z), f'(z))`` for sigmoid, tanh and relu."""
    check_function(activation, reference_activation, _act_cases(hidden), exercise="activation",
                   returns=("a", "da"), variants=_ACTIVATION_VARIANTS, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------
# dense_backward
# ---------------------------------------------------------------------------

def reference_dense_backward(x, W, b, G):
    r"""``(G W^T, x^T G, G.sum(axis=0))`` for ``z = x W + b`` (:func:`optimlab.layers.dense_backward`)."""
    x, W, G = (np.asarray(a, dtype=float) for a in (x, W, G))
    return G @ W.T, x.T @ G, G.sum(axis=0)


def _db_mean(x, W, b, G):
    return G @ W.T, x.T @ G, G.mean(axis=0)


def _dW_mean(x, W, b, G):
    B = len(x)
    return G @ W.T, x.T @ G / B, G.sum(axis=0) / B


def _dx_mean(x, W, b, G):
    B = len(x)
    return G @ W.T / B, x.T @ G / B, G.sum(axis=0) / B


def _dx_no_T(x, W, b, G):
    return G @ W, x.T @ G, G.sum(axis=0)


def _dW_swapped(x, W, b, G):
    return G @ W.T, G.T @ x, G.sum(axis=0)


def _dW_outer_of_sums(x, W, b, G):
    return G @ W.T, np.outer(x.sum(axis=0), G.sum(axis=0)), G.sum(axis=0)


def _dW_outer_of_means(x, W, b, G):
    return G @ W.T, np.outer(x.mean(axis=0), G.sum(axis=0)), G.sum(axis=0)


def _dx_forward(x, W, b, G):
    return x @ W + b, x.T @ G, G.sum(axis=0)


def _db_G(x, W, b, G):
    return G @ W.T, x.T @ G, G[0]


_DENSE_VARIANTS = [
    Variant(_db_mean,
            "db is the mean over the batch: the 1/B of the mean loss is already inside G = dL/dz, so "
            "db = G.sum(axis=0), not G.mean(axis=0)"),
    Variant(_dW_mean,
            "dW and db were divided by B: the 1/B of the mean loss is already inside G = dL/dz, so "
            "dW = x.T @ G and db = G.sum(axis=0), with no second division by the batch size"),
    Variant(_dx_mean,
            "every result was divided by B: the 1/B of the mean loss is already inside G = dL/dz"),
    Variant(_dx_no_T, "dx = G @ W.T: W must be transposed (dx has the shape of x, (B, n_in))"),
    Variant(_dW_swapped,
            "dW = x.T @ G, not G.T @ x (that is the transpose: dW must have the shape of W, (n_in, n_out))"),
    Variant(_dW_outer_of_sums,
            "dW = x.T @ G sums the outer products x_i^T G_i example by example; the outer product of the "
            "summed x and the summed G mixes the examples"),
    Variant(_dW_outer_of_means,
            "dW = x.T @ G sums the outer products x_i^T G_i example by example, not the outer product of "
            "the mean x and the summed G"),
    Variant(_dx_forward, "dx is the gradient G @ W.T, not the forward pass x @ W + b"),
    Variant(_db_G, "db sums G over the batch: db = G.sum(axis=0), not the first row of G"),
]


def _dense_cases(hidden: bool):
    rng = np.random.default_rng(122)
    x = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0], [2.0, 0.5, -1.0], [-1.0, 1.5, 2.0]])
    W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-2.0, 1.0, 0.75]])
    G = np.array([[0.1, -0.2, 0.05], [0.3, 0.0, -0.1], [-0.15, 0.25, 0.2], [0.05, -0.05, 0.4]])
    cases = [
        Case("B=4 examples, a square W (3, 3)", {"x": x, "W": W, "b": np.array([0.1, -0.2, 0.3]), "G": G},
             note="G = dL/dz already carries the 1/B of the mean loss"),
        Case("B=4, n_in=3, n_out=2", {"x": x, "W": W[:, :2], "b": np.array([0.1, -0.2]), "G": G[:, :2]}),
    ]
    if hidden:
        for B, n_in, n_out in ((5, 4, 4), (3, 2, 5), (7, 6, 3), (1, 3, 2)):
            cases.append(Case(f"random B={B}, n_in={n_in}, n_out={n_out}",
                              {"x": rng.normal(size=(B, n_in)), "W": rng.normal(size=(n_in, n_out)),
                               "b": rng.normal(size=n_out), "G": rng.normal(size=(B, n_out)) / B}))
    return cases


def check_dense_backward(dense_backward, hidden: bool = False) -> None:
    """``dense_backward(x, W, b, G)`` returns ``(G @ W.T, x.T @ G, G.sum(axis=0))``."""
    check_function(dense_backward, reference_dense_backward, _dense_cases(hidden), exercise="dense_backward",
                   returns=("dx", "dW", "db"), variants=_DENSE_VARIANTS)


# ---------------------------------------------------------------------------
# init_weights
# ---------------------------------------------------------------------------

def reference_init_weights(fan_in, fan_out, scheme, rng):
    r"""``std * rng.standard_normal((fan_in, fan_out))`` (:func:`optimlab.layers.init_weights`)."""
    return _layers.init_weights(fan_in, fan_out, scheme, rng)


def _std(fan_in, fan_out, scheme, *, xavier=None, he=None, small=0.01):
    if scheme == "xavier":
        return xavier(fan_in, fan_out) if xavier else math.sqrt(2 / (fan_in + fan_out))
    if scheme == "he":
        return he(fan_in, fan_out) if he else math.sqrt(2 / fan_in)
    return {"zeros": 0.0, "small": small, "large": 1.0}[scheme]


def _init(draw=None, power=1, **kw):
    def init(fan_in, fan_out, scheme, rng):
        std = _std(fan_in, fan_out, scheme, **kw) ** power
        if scheme == "zeros":
            return np.zeros((fan_in, fan_out))
        if draw:
            return draw(rng, fan_in, fan_out, std)
        return std * rng.standard_normal((fan_in, fan_out))
    return init


_INIT_VARIANTS = [
    Variant(_init(xavier=lambda i, o: math.sqrt(1 / (i + o))),
            "Xavier/Glorot's variance is 2 / (fan_in + fan_out): std = sqrt(2 / (fan_in + fan_out)), the 2 is "
            "missing"),
    Variant(_init(xavier=lambda i, o: math.sqrt(2 / i), he=lambda i, o: math.sqrt(2 / (i + o))),
            "Xavier and He are swapped: Xavier/Glorot std = sqrt(2 / (fan_in + fan_out)), He std = sqrt(2 / fan_in)"),
    Variant(_init(xavier=lambda i, o: math.sqrt(2 / i)),
            "Xavier/Glorot averages both fans: std = sqrt(2 / (fan_in + fan_out)); sqrt(2 / fan_in) is He's"),
    Variant(_init(he=lambda i, o: math.sqrt(1 / i)),
            "He's variance is 2 / fan_in (ReLU zeroes half of its inputs): std = sqrt(2 / fan_in); "
            "sqrt(1 / fan_in) is LeCun's"),
    Variant(_init(he=lambda i, o: math.sqrt(2 / o)),
            "He's std uses fan_in, the number of inputs of the layer (W's rows): sqrt(2 / fan_in), not fan_out"),
    Variant(_init(power=2),
            "the variance was used as the standard deviation: multiply standard normal draws by std = "
            "sqrt(variance), e.g. sqrt(2 / fan_in), not by the variance 2 / fan_in"),
    Variant(_init(xavier=lambda i, o: math.sqrt((i + o) / 2), he=lambda i, o: math.sqrt(i / 2)),
            "the ratio is upside down: std = sqrt(2 / fan_in) for He and sqrt(2 / (fan_in + fan_out)) for Xavier"),
    Variant(_init(draw=lambda rng, i, o, std: rng.standard_normal((o, i)).T * std),
            "the draws were made in the shape (fan_out, fan_in) and transposed: draw "
            "rng.standard_normal((fan_in, fan_out)) directly (the same rng then gives other numbers)"),
    Variant(_init(draw=lambda rng, i, o, std: rng.normal(std, 1.0, size=(i, o))),
            "rng.normal(std, ...) sets the MEAN to std: the first argument of rng.normal is loc; write "
            "rng.normal(0.0, std, size=...) or std * rng.standard_normal(...)"),
    Variant(_init(draw=lambda rng, i, o, std: std * rng.random((i, o))),
            "rng.random draws uniform numbers on [0, 1): use normal draws, std * rng.standard_normal((fan_in, fan_out))"),
    Variant(_init(draw=lambda rng, i, o, std: rng.uniform(-std * math.sqrt(3), std * math.sqrt(3), size=(i, o))),
            "uniform draws with the right std (Glorot's uniform form): this exercise asks for normal draws, "
            "std * rng.standard_normal((fan_in, fan_out))"),
    Variant(_init(small=0.1), "the 'small' scheme has std 0.01, not 0.1"),
]


def _init_cases(hidden: bool):
    cases = [Case(f"scheme={s!r}, fan_in=8, fan_out=3, rng=np.random.default_rng(12)",
                  {"fan_in": 8, "fan_out": 3, "scheme": s, "rng": np.random.default_rng(12)},
                  note="the expected numbers are std * rng.standard_normal((8, 3)) from this rng")
             for s in ("he", "xavier", "small", "large", "zeros")]
    if hidden:
        for k, (i, o, s) in enumerate(((3, 7, "xavier"), (5, 2, "he"), (1, 4, "he"), (20, 10, "small"),
                                       (6, 6, "large"), (4, 9, "zeros"))):
            cases.append(Case(f"scheme={s!r}, fan_in={i}, fan_out={o}, rng=np.random.default_rng({30 + k})",
                              {"fan_in": i, "fan_out": o, "scheme": s, "rng": np.random.default_rng(30 + k)}))
    return cases


def _other_generator(init_weights, cases):
    # Right spread, other numbers, no known variant: the draws do not come from the rng passed in.
    for case in cases:
        if case.inputs["scheme"] == "zeros":
            continue
        i, o, s = case.inputs["fan_in"], case.inputs["fan_out"], case.inputs["scheme"]
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(init_weights(*copy.deepcopy(list(case.inputs.values()))), dtype=float)
        except Exception:
            return  # the engine explains the crash
        expected = reference_init_weights(*copy.deepcopy(list(case.inputs.values())))
        if got.shape != expected.shape or np.allclose(got, expected, rtol=1e-7, atol=1e-12):
            continue
        if _variant_hints(got, _INIT_VARIANTS, case.inputs, ("W",), 1e-7, 1e-12):
            return
        std = _layers.init_std(i, o, s)
        big = np.asarray(init_weights(200, 150, s, np.random.default_rng(0)), dtype=float)
        big_std = _layers.init_std(200, 150, s)
        if big.shape == (200, 150) and abs(big.mean()) < 0.1 * big_std and 0.9 < big.std() / big_std < 1.1:
            raise ExerciseFailure(
                f"init_weights, case {case.label}: the numbers have the right spread (std {big.std():.4g} "
                f"against {big_std:.4g} for a (200, 150) layer) but are not the draws of the `rng` passed in "
                f"(expected first entries {np.round(expected.ravel()[:3], 6)}, got {np.round(got.ravel()[:3], 6)}).\n"
                f"Likely mistake: the draws come from another random generator (np.random.randn, np.random.normal, "
                f"a new np.random.default_rng()) or from more than one call; draw once from the argument: "
                f"std * rng.standard_normal((fan_in, fan_out)), with std = {std:.6g} here")
        return


def check_init_weights(init_weights, hidden: bool = False) -> None:
    """``init_weights(fan_in, fan_out, scheme, rng)`` returns ``std * rng.standard_normal((fan_in, fan_out))``."""
    cases = _init_cases(hidden)
    if callable(init_weights):
        _other_generator(init_weights, cases)
    check_function(init_weights, reference_init_weights, cases, exercise="init_weights", returns=("W",),
                   variants=_INIT_VARIANTS, rtol=1e-9, atol=1e-14, integer_inputs=False)


# ---------------------------------------------------------------------------
# clip_by_global_norm
# ---------------------------------------------------------------------------

def reference_clip_by_global_norm(grads, max_norm):
    r"""``([g * min(1, max_norm / norm) for g in grads], norm)`` (:func:`optimlab.layers.clip_by_global_norm`)."""
    return _layers.clip_by_global_norm(grads, max_norm)


def _flat(out):
    clipped, norm = out
    return np.concatenate([np.ravel(np.asarray(g, dtype=float)) for g in clipped]), norm


def _learner_clip(fn):
    # The engine compares arrays: check the structure here, then hand it all tensors concatenated.
    def clip_by_global_norm(grads, max_norm):
        before = [np.array(g, copy=True) for g in grads]
        out = fn(grads, max_norm)
        if any(not np.array_equal(np.asarray(g), b0) for g, b0 in zip(grads, before)):
            raise ExerciseFailure(
                "clip_by_global_norm: your function changed the gradients passed in (an in-place `g *= scale` "
                "or `g[...] = ...`): return new arrays, [g * scale for g in grads], and leave `grads` as it was")
        if out is None:
            raise ExerciseFailure("clip_by_global_norm: your function returned None: did you forget the `return` "
                                  "statement? Return (clipped, norm)")
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise ExerciseFailure(f"clip_by_global_norm: return a pair (clipped, norm), a list of arrays and a "
                                  f"number; got {type(out).__name__} {out!r:.80}")
        clipped, norm = out
        if isinstance(norm, (list, tuple)) or (isinstance(norm, np.ndarray) and norm.ndim >= 1
                                               and np.ndim(clipped) == 0):
            raise ExerciseFailure("clip_by_global_norm: the results are in the wrong order: return (clipped, norm), "
                                  "the list of clipped gradients first")
        if not isinstance(clipped, (list, tuple)) or len(clipped) != len(grads):
            raise ExerciseFailure(f"clip_by_global_norm: `clipped` must be a list with one array per tensor of "
                                  f"`grads` ({len(grads)} here), got {type(clipped).__name__}")
        for k, (c, g) in enumerate(zip(clipped, grads)):
            if np.shape(c) != np.shape(g):
                raise ExerciseFailure(f"clip_by_global_norm: clipped[{k}] has shape {np.shape(c)}, but grads[{k}] "
                                      f"has shape {np.shape(g)}: each tensor keeps its shape")
        if np.ndim(norm) != 0:
            raise ExerciseFailure(f"clip_by_global_norm: `norm` must be one number (the global norm of all "
                                  f"tensors together), got shape {np.shape(norm)}")
        return _flat(out)
    return clip_by_global_norm


def _clip_variant(*, per_tensor=False, by_value=False):
    def clip(grads, max_norm):
        grads = [np.asarray(g, dtype=float) for g in grads]
        norm = _layers.global_norm(grads)
        if by_value:
            return _flat(([np.clip(g, -max_norm, max_norm) for g in grads], norm))
        return _flat(([g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads], norm))
    return clip


_CLIP_VARIANTS = [
    Variant(_clip_variant(per_tensor=True),
            "each tensor was clipped by its own norm: clipping by GLOBAL norm computes one norm over all "
            "tensors together, sqrt(sum_k sum g_k**2), and scales every tensor by the same factor"),
]


def _always_scale(grads, max_norm):
    grads = [np.asarray(g, dtype=float) for g in grads]
    n = _layers.global_norm(grads)
    return _flat(([g * max_norm / n for g in grads], n))


def _squared_norm(grads, max_norm):
    grads = [np.asarray(g, dtype=float) for g in grads]
    n2 = sum(float(np.sum(g * g)) for g in grads)
    return _flat(([g * min(1.0, max_norm / n2) for g in grads], n2))


def _inverted(grads, max_norm):
    grads = [np.asarray(g, dtype=float) for g in grads]
    n = _layers.global_norm(grads)
    return _flat(([g * min(1.0, n / max_norm) for g in grads], n))


def _norm_after(grads, max_norm):
    clipped, n = _layers.clip_by_global_norm(grads, max_norm)
    return _flat((clipped, _layers.global_norm(clipped)))


def _sum_of_norms(grads, max_norm):
    grads = [np.asarray(g, dtype=float) for g in grads]
    n = sum(float(np.linalg.norm(g)) for g in grads)
    return _flat(([g * min(1.0, max_norm / n) for g in grads], n))


def _max_of_norms(grads, max_norm):
    grads = [np.asarray(g, dtype=float) for g in grads]
    n = max(float(np.linalg.norm(g)) for g in grads)
    return _flat(([g * min(1.0, max_norm / n) for g in grads], n))


def _rms_norm(grads, max_norm):
    grads = [np.asarray(g, dtype=float) for g in grads]
    flat = np.concatenate([g.ravel() for g in grads])
    n = float(np.sqrt(np.mean(flat**2)))
    return _flat(([g * min(1.0, max_norm / n) for g in grads], n))


def _unit(grads, max_norm):
    grads = [np.asarray(g, dtype=float) for g in grads]
    n = _layers.global_norm(grads)
    return _flat(([g * min(1.0, 1.0 / n) for g in grads], n))


_CLIP_VARIANTS += [
    Variant(_always_scale,
            "the gradients were scaled to length max_norm even when they were shorter: the factor is "
            "min(1, max_norm / norm), so below max_norm nothing changes"),
    Variant(_squared_norm,
            "the squared norm was used: the global norm is sqrt(sum_k sum g_k**2), with the square root"),
    Variant(_inverted, "the ratio is upside down: the factor is min(1, max_norm / norm), not norm / max_norm"),
    Variant(_norm_after,
            "the norm returned is the one AFTER clipping: return the global norm of the gradients passed in "
            "(as torch.nn.utils.clip_grad_norm_ does), before scaling"),
    Variant(_sum_of_norms,
            "the per-tensor norms were added: the global norm is sqrt(sum_k ||g_k||**2), the norm of all "
            "entries together, not sum_k ||g_k||"),
    Variant(_max_of_norms,
            "the largest per-tensor norm is not the global norm: sqrt(sum_k ||g_k||**2) over all tensors"),
    Variant(_rms_norm,
            "np.mean was used inside the root: the global norm is sqrt of the SUM of all squared entries"),
    Variant(_clip_variant(by_value=True),
            "that is clipping by value, np.clip(g, -max_norm, max_norm), entry by entry (it changes the "
            "direction); clipping by global norm scales every tensor by min(1, max_norm / norm)"),
    Variant(_unit, "max_norm is missing: the factor is min(1, max_norm / norm), not min(1, 1 / norm)"),
]


def _clip_cases(hidden: bool):
    W1 = np.array([[3.0, -1.0], [0.5, 2.0], [-2.0, 1.0]])    # ||W1|| = sqrt(19.25) = 4.387
    b1 = np.array([0.5, -0.5])                                 # ||b1|| = 0.707
    W2 = np.array([[1.5, 0.0], [-0.5, 1.0]])                   # ||W2|| = sqrt(3.5) = 1.871
    cases = [
        Case("three tensors, global norm sqrt(23.25) = 4.82, max_norm=2",
             {"grads": (W1, b1, W2), "max_norm": 2.0},
             note="W1's own norm is above max_norm, b1's and W2's are below; the global norm is above"),
        Case("the same tensors, max_norm=10 (below it: no clipping)",
             {"grads": (W1, b1, W2), "max_norm": 10.0}),
        Case("one vector [3, 4] (norm 5), max_norm=0.5", {"grads": (np.array([3.0, 4.0]),), "max_norm": 0.5}),
    ]
    if hidden:
        rng = np.random.default_rng(124)
        for k, max_norm in enumerate((0.3, 1.0, 50.0)):
            grads = (rng.normal(size=(4, 3)) * (k + 1), rng.normal(size=3), rng.normal(size=(3, 2)) * 0.5)
            cases.append(Case(f"random tensors (4, 3), (3,), (3, 2), max_norm={max_norm}",
                              {"grads": grads, "max_norm": max_norm}))
        cases.append(Case("a tensor of shape () and a (1, 1) one, max_norm=1.5",
                          {"grads": (np.array(2.0), np.array([[-1.0]])), "max_norm": 1.5}))
    return cases


def check_clip_by_global_norm(clip_by_global_norm, hidden: bool = False) -> None:
    """``clip_by_global_norm(grads, max_norm)`` returns ``(clipped, norm)``."""
    fn = _learner_clip(clip_by_global_norm) if callable(clip_by_global_norm) else clip_by_global_norm
    check_function(fn, lambda g, m: _flat(reference_clip_by_global_norm(g, m)), _clip_cases(hidden),
                   exercise="clip_by_global_norm", returns=("clipped (all tensors concatenated)", "norm"),
                   variants=_CLIP_VARIANTS, integer_inputs=False)


# ---------------------------------------------------------------------------
# mlp_loss_and_grad (composite: calls the learner's activation and dense_backward)
# ---------------------------------------------------------------------------

def reference_mlp_loss_and_grad(w, X, y, layer_sizes, name):
    r"""``(L, dL/dw)`` of ``optimlab.MLP(layer_sizes, name)`` at ``w`` on ``(X, y)``, in the model's flat layout."""
    from ..models import MLP
    return MLP(layer_sizes, name).loss_and_grad(w, X, y)


def _mlp(w, X, y, layer_sizes, name, *, fprime_of="Z", no_fprime=False, off_by_one=False, out_act=False,
         batch_mean=True, sign=1.0, layout="Wb", no_db=False, loss_sum=False):
    # One parametrised backward pass for the wrong variants; the defaults give the right answer.
    from ..models import MLP
    p = MLP(layer_sizes, name).unpack(w)
    D = len(layer_sizes) - 1
    A, cache = np.asarray(X, dtype=float), []
    for l in range(1, D + 1):
        Z = A @ p[f"W{l}"] + p[f"b{l}"]
        cache.append((A, Z))
        A = _layers.activation(Z, name)[0] if (l < D or out_act) else Z
    Zs = A - A.max(axis=1, keepdims=True)
    P = np.exp(Zs) / np.exp(Zs).sum(axis=1, keepdims=True)
    B = len(y)
    losses = -np.log(P[np.arange(B), y])
    loss = losses.sum() if loss_sum else losses.mean()
    G = sign * (P - np.eye(layer_sizes[-1])[y]) / (B if batch_mean else 1)
    grads = {}
    for l in range(D, 0, -1):
        A_prev, _ = cache[l - 1]
        dA, grads[f"W{l}"], grads[f"b{l}"] = G @ p[f"W{l}"].T, A_prev.T @ G, G.sum(axis=0)
        if no_db:
            grads[f"b{l}"] = np.zeros_like(grads[f"b{l}"])
        if l > 1:
            if no_fprime:
                G = dA
            else:
                Z_l = cache[l - 1][1] if off_by_one else cache[l - 2][1]
                arg = Z_l if fprime_of == "Z" else _layers.activation(Z_l, name)[0]
                G = dA * _layers.activation(arg, name)[1]
    if layout == "allW":
        return loss, np.concatenate([grads[f"{k}{l}"].ravel() for k in "Wb" for l in range(1, D + 1)])
    return loss, np.concatenate([grads[f"{k}{l}"].ravel() for l in range(1, D + 1) for k in layout])


def _mv(**kw):
    return lambda w, X, y, layer_sizes, name: _mlp(w, X, y, layer_sizes, name, **kw)


_MLP_VARIANTS = [
    Variant(_mv(no_fprime=True),
            "the activation's derivative is missing between layers: dL/dZ_{l-1} = (dL/dA_{l-1}) * f'(Z_{l-1}), "
            "elementwise, before the next dense_backward"),
    Variant(_mv(fprime_of="A"),
            "f' was evaluated at the layer's output A = f(Z): activation(Z, name)[1] already is f'(Z); do not apply "
            "it to the activations"),
    Variant(_mv(off_by_one=True),
            "f' of the wrong layer: dA from layer l is the gradient of A_{l-1}, so it is multiplied by f'(Z_{l-1}), "
            "the pre-activation of the layer BELOW (cache[l-2] with the 0-based cache, not cache[l-1])"),
    Variant(_mv(out_act=True),
            "the activation was applied to the output layer too: the logits are Z_D = A_{D-1} W_D + b_D, straight "
            "into the softmax (no f on the last layer)"),
    Variant(_mv(batch_mean=False),
            "the output gradient lacks the 1/B of the mean loss: G_D = (softmax(Z_D) - onehot(y)) / B"),
    Variant(_mv(sign=-1.0), "the sign of the output gradient: G_D = softmax(Z_D) - onehot(y) (over B), not onehot - softmax"),
    Variant(_mv(loss_sum=True),
            "the loss is the MEAN cross-entropy over the batch, (1/B) sum_i -log p_i[y_i], not the sum"),
    Variant(_mv(layout="bW"),
            "the flat gradient is in the wrong order: the layout is [W_1.ravel(), b_1, W_2.ravel(), b_2, ...], "
            "each layer's W before its b"),
    Variant(_mv(layout="allW"),
            "the flat gradient is in the wrong order: all W first, then all b; the layout is [W_1.ravel(), b_1, "
            "W_2.ravel(), b_2, ...], layer by layer"),
    Variant(_mv(no_db=True), "the biases' gradients are missing (zeros): db_l = G_l.sum(axis=0) from dense_backward"),
]


def _mlp_case(label, sizes, act, seed, B, scale=1.0):
    from ..models import MLP
    rng = np.random.default_rng(seed)
    model = MLP(sizes, act)
    w = model.init_params(seed=seed) * scale + 0.1 * rng.normal(size=model.n_params)
    X = rng.normal(size=(B, sizes[0]))
    y = rng.integers(0, sizes[-1], size=B)
    return Case(label, {"w": w, "X": X, "y": y, "layer_sizes": tuple(sizes), "name": act})


def _mlp_cases(hidden: bool):
    cases = [_mlp_case("layer_sizes=(4, 3, 3, 3), name='sigmoid', B=5", [4, 3, 3, 3], "sigmoid", 125, 5, scale=2.0),
             _mlp_case("layer_sizes=(4, 3, 3, 3), name='relu', B=6", [4, 3, 3, 3], "relu", 126, 6)]
    if hidden:
        cases += [_mlp_case("layer_sizes=(3, 5, 4, 2), name='tanh', B=4", [3, 5, 4, 2], "tanh", 127, 4),
                  _mlp_case("layer_sizes=(4, 3, 3, 3, 3), name='relu', B=7", [4, 3, 3, 3, 3], "relu", 128, 7),
                  _mlp_case("layer_sizes=(2, 4, 3), name='sigmoid', one example", [2, 4, 3], "sigmoid", 129, 1, scale=3.0),
                  _mlp_case("layer_sizes=(5, 2), name='tanh', no hidden layer (softmax regression)", [5, 2], "tanh", 130, 3)]
    return cases


def check_mlp_loss_and_grad(mlp_loss_and_grad, hidden: bool = False) -> None:
    """``mlp_loss_and_grad(w, X, y, layer_sizes, name)`` returns ``(L, dL/dw)`` as ``MLP(layer_sizes, name).loss_and_grad``.

    Composite: if it fails, it is checked again with the reference ``activation`` and ``dense_backward``.
    """
    check_function(mlp_loss_and_grad, reference_mlp_loss_and_grad, _mlp_cases(hidden), exercise="mlp_loss_and_grad",
                   returns=("loss", "grad"), variants=_MLP_VARIANTS, integer_inputs=False,
                   helpers={"activation": reference_activation, "dense_backward": reference_dense_backward})
