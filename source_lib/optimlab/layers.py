r"""Layer-level pieces of a fully connected network (全连接层), for notebook 12.

The MLP of :mod:`optimlab.models` keeps all its parameters in one flat vector and computes
its gradient in one call. This module opens it up: one dense layer's forward and backward
pass, the activations with their derivatives, initialisation schemes, clipping by global
norm, and what a deep network's training looks like layer by layer (per-layer gradient
norms, activation statistics, a plain SGD loop that records them).

.. code-block:: text

    dense layer:   z = x W + b                      x (B, n_in), W (n_in, n_out), b (n_out,)
    backward:      given G = dL/dz (B, n_out), which already carries the 1/B of the mean loss:
                   dL/dx = G W^T,   dL/dW = x^T G,   dL/db = sum_i G_i   (a sum over the batch, axis 0)
    init:          W = std * standard_normal((n_in, n_out)) with
                   zeros: 0, small: 0.01, large: 1, xavier: sqrt(2 / (n_in + n_out)), he: sqrt(2 / n_in)
    clipping:      ||g|| = sqrt(sum over every tensor of sum g^2)       (one global norm)
                   g <- g * min(1, max_norm / ||g||)                    (every tensor, the same factor)

The model's depth is ``D`` (``n_layers``): the number of weight layers, ``D = len(layer_sizes) - 1``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import validation as V
from .models import ACTIVATIONS, MLP
from .training import minibatches

__all__ = ["ACTIVATIONS", "activation", "dense_forward", "dense_backward", "INIT_SCHEMES", "init_std",
           "init_weights", "init_mlp", "global_norm", "clip_by_global_norm", "layer_grad_norms",
           "hidden_activations", "TrackedRun", "train_tracked"]


# ---------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------

def activation(z, name: str):
    r"""An activation and its derivative at ``z``: returns ``(f(z), f'(z))``, elementwise.

    .. code-block:: text

        sigmoid  f = 1 / (1 + exp(-z))       f' = f (1 - f)       (at most 1/4, at z = 0)
        tanh     f = tanh(z)                 f' = 1 - f**2        (at most 1, at z = 0)
        relu     f = max(z, 0)               f' = 1 if z > 0 else 0   (0 at z = 0, as PyTorch)
        gelu     f = z Phi(z)                f' = Phi(z) + z phi(z)

    ``name`` is one of ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"gelu"``.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"name must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    f, fprime = ACTIVATIONS[name]
    z = V.as_float_array(z, "z")
    return f(z), fprime(z)


# ---------------------------------------------------------------------------
# One dense layer
# ---------------------------------------------------------------------------

def _dense_args(x, W, b):
    x = V.as_float_array(x, "x")
    W = V.as_float_array(W, "W")
    b = V.as_float_array(b, "b")
    if x.ndim != 2 or W.ndim != 2 or b.ndim != 1:
        raise ValueError(f"x must be (B, n_in), W (n_in, n_out) and b (n_out,); got shapes x {x.shape}, "
                         f"W {W.shape}, b {b.shape}")
    if x.shape[1] != W.shape[0] or W.shape[1] != b.shape[0]:
        raise ValueError(f"shapes do not fit z = x W + b: x {x.shape}, W {W.shape}, b {b.shape} "
                         f"(x's columns = W's rows, W's columns = b's length)")
    return x, W, b


def dense_forward(x, W, b) -> np.ndarray:
    r"""A dense (fully connected) layer: ``z = x W + b``, shape ``(B, n_out)``; one example per row of ``x``."""
    x, W, b = _dense_args(x, W, b)
    return x @ W + b


def dense_backward(x, W, b, G):
    r"""The backward pass of ``z = x W + b``: returns ``(dx, dW, db)``.

    ``G = dL/dz`` has the shape of ``z``, ``(B, n_out)``. With the loss a mean over the batch,
    ``L = (1/B) sum_i l_i``, the factor ``1/B`` is already inside ``G`` (as in :class:`optimlab.MLP`,
    where ``G = (softmax(z) - onehot(y)) / B`` at the output), so nothing here divides by ``B``:

    .. code-block:: text

        dx = G W^T        (B, n_in)      the upstream gradient of the layer below
        dW = x^T G        (n_in, n_out)  a sum over the examples of outer products x_i^T G_i
        db = sum_i G_i    (n_out,)       the sum over the batch axis 0
    """
    x, W, b = _dense_args(x, W, b)
    G = V.as_float_array(G, "G")
    if G.shape != (x.shape[0], W.shape[1]):
        raise ValueError(f"G must have the shape of z = x W + b, {(x.shape[0], W.shape[1])}, got {G.shape}")
    return G @ W.T, x.T @ G, G.sum(axis=0)


# ---------------------------------------------------------------------------
# Initialisation
# ---------------------------------------------------------------------------

INIT_SCHEMES = ("zeros", "small", "large", "xavier", "he")


def init_std(fan_in: int, fan_out: int, scheme: str) -> float:
    r"""The standard deviation of scheme ``scheme`` for a ``(fan_in, fan_out)`` weight matrix.

    ``zeros`` 0; ``small`` 0.01; ``large`` 1; ``xavier`` (Glorot and Bengio, 2010)
    ``sqrt(2 / (fan_in + fan_out))``, which keeps the variance of activations and gradients about
    constant through tanh-like layers; ``he`` (He et al., 2015) ``sqrt(2 / fan_in)``, which does so
    through ReLU layers (ReLU zeroes half of its inputs, hence the 2).
    """
    fan_in = V.check_int(fan_in, "fan_in")
    fan_out = V.check_int(fan_out, "fan_out")
    stds = {"zeros": 0.0, "small": 0.01, "large": 1.0,
            "xavier": math.sqrt(2.0 / (fan_in + fan_out)), "he": math.sqrt(2.0 / fan_in)}
    if scheme not in stds:
        raise ValueError(f"scheme must be one of {list(INIT_SCHEMES)}, got {scheme!r}")
    return stds[scheme]


def init_weights(fan_in: int, fan_out: int, scheme: str, rng: np.random.Generator) -> np.ndarray:
    r"""A ``(fan_in, fan_out)`` weight matrix: ``init_std(fan_in, fan_out, scheme) * rng.standard_normal((fan_in, fan_out))``.

    ``zeros`` draws nothing from ``rng`` (it returns ``np.zeros((fan_in, fan_out))``); every other
    scheme makes exactly one call ``rng.standard_normal((fan_in, fan_out))``, so the same seeded
    ``rng`` gives the same matrix up to the factor ``std``.
    """
    std = init_std(fan_in, fan_out, scheme)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator such as np.random.default_rng(0), got {rng!r}")
    if scheme == "zeros":
        return np.zeros((fan_in, fan_out))
    return std * rng.standard_normal((fan_in, fan_out))


def init_mlp(model: MLP, scheme: str, seed=0, *, init=None) -> np.ndarray:
    r"""The flat parameter vector of ``model`` with every ``W_l`` from ``init(fan_in, fan_out, scheme, rng)``.

    ``init`` defaults to :func:`init_weights`; ``rng = np.random.default_rng(seed)`` is shared by the
    layers, drawn from in order ``W_1, W_2, ...``. Biases start at 0. The layout is the model's:
    ``[W_1.ravel(), b_1, W_2.ravel(), b_2, ...]``.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an optimlab.MLP, got {model!r}")
    init = init_weights if init is None else init
    rng = np.random.default_rng(seed)
    parts = []
    for n_in, n_out in zip(model.layer_sizes[:-1], model.layer_sizes[1:]):
        W = np.asarray(init(n_in, n_out, scheme, rng), dtype=float)
        if W.shape != (n_in, n_out):
            raise ValueError(f"init returned shape {W.shape} for a ({n_in}, {n_out}) layer")
        parts += [W.ravel(), np.zeros(n_out)]
    return np.concatenate(parts)


# ---------------------------------------------------------------------------
# Clipping by global norm
# ---------------------------------------------------------------------------

def global_norm(grads) -> float:
    r"""``sqrt(sum_k ||g_k||^2)``: the Euclidean norm of all tensors of ``grads`` concatenated."""
    return float(math.sqrt(sum(float(np.sum(np.square(np.asarray(g, dtype=float)))) for g in grads)))


def clip_by_global_norm(grads, max_norm: float):
    r"""Scale every tensor of ``grads`` by ``min(1, max_norm / global_norm)``: returns ``(clipped, norm)``.

    .. code-block:: text

        norm = sqrt(sum_k sum g_k**2)                 over ALL tensors together
        g_k <- g_k * min(1, max_norm / norm)          the same factor for every tensor

    The direction of the whole gradient is kept; only its length is capped at ``max_norm``.
    Below ``max_norm`` nothing changes. ``norm`` is the norm *before* clipping (what
    ``torch.nn.utils.clip_grad_norm_`` returns; ``optax.clip_by_global_norm`` does the same
    scaling). ``grads`` is not modified: ``clipped`` is a new list of float64 arrays.
    """
    max_norm = V.check_positive(max_norm, "max_norm")
    grads = [V.as_float_array(g, f"grads[{k}]") for k, g in enumerate(grads)]
    norm = global_norm(grads)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [g * scale for g in grads], norm


# ---------------------------------------------------------------------------
# A network layer by layer
# ---------------------------------------------------------------------------

def layer_grad_norms(model: MLP, w, X, y) -> np.ndarray:
    r"""``||dL/dW_l||`` (Frobenius norm) for every layer ``l = 1 .. D``, shape ``(D,)``, at ``w`` on ``(X, y)``."""
    g = model.unpack(model.grad(w, X, y))
    return np.array([np.linalg.norm(g[f"W{l}"]) for l in range(1, len(model.layer_sizes))])


def hidden_activations(model: MLP, w, X) -> list:
    r"""The outputs ``A_l = f(A_{l-1} W_l + b_l)`` of the hidden layers ``l = 1 .. D-1``, each ``(N, h_l)``."""
    p = model.unpack(w)
    f, _ = ACTIVATIONS[model.activation]
    A, out = np.asarray(X, dtype=float), []
    for l in range(1, len(model.layer_sizes) - 1):
        A = f(A @ p[f"W{l}"] + p[f"b{l}"])
        out.append(A)
    return out


@dataclass(frozen=True)
class TrackedRun:
    """What :func:`train_tracked` records, one entry per step ``t = 1 .. T``.

    ``loss[t-1]`` is the mini-batch loss at ``w_{t-1}``, ``layer_norms[t-1]`` the per-layer
    ``||dL/dW_l||`` of that gradient (shape ``(T, D)``), ``global_norms[t-1]`` its global norm
    before clipping; ``epoch_loss`` the loss on the whole training set after each epoch
    (``epoch_loss[0]`` at ``w_0``); ``w`` the final parameters; ``diverged`` whether a
    non-finite loss stopped the run.
    """

    loss: np.ndarray
    layer_norms: np.ndarray
    global_norms: np.ndarray
    epoch_loss: np.ndarray
    w: np.ndarray
    diverged: bool


def train_tracked(model: MLP, X, y, w0, *, lr: float, epochs: int, batch_size: int, max_norm=None,
                  seed=0, clip=None) -> TrackedRun:
    r"""Plain mini-batch SGD, ``w_t = w_{t-1} - lr * g_t``, recording each layer's gradient norm.

    With ``max_norm`` every ``g_t`` is first clipped by its global norm (all layers' weights and
    biases together) by ``clip(grads, max_norm) -> (clipped, norm)``, :func:`clip_by_global_norm` unless
    given, which gets the list ``[dW_1, db_1, dW_2, ...]``. Batches are reshuffled every epoch from
    ``np.random.default_rng(seed)``. A non-finite loss stops the run (``diverged=True``).
    """
    lr = V.check_positive(lr, "lr")
    epochs = V.check_int(epochs, "epochs")
    if max_norm is not None:
        max_norm = V.check_positive(max_norm, "max_norm")
    w = V.as_float_array(w0, "w0").copy()
    if w.shape != (model.n_params,):
        raise ValueError(f"w0 must have shape ({model.n_params},) for {model!r}, got {w.shape}")
    clip = clip_by_global_norm if clip is None else clip
    rng = np.random.default_rng(seed)
    D = len(model.layer_sizes) - 1
    losses, norms, gnorms, epoch_loss = [], [], [], [model.loss(w, X, y)]
    diverged = False
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            for Xb, yb in minibatches(X, y, batch_size, rng=rng):
                loss, g = model.loss_and_grad(w, Xb, yb, check=False)
                if not np.isfinite(loss) or not np.all(np.isfinite(g)):
                    diverged = True
                    break
                parts = model.unpack(g)
                losses.append(loss)
                norms.append([np.linalg.norm(parts[f"W{l}"]) for l in range(1, D + 1)])
                gnorms.append(float(np.linalg.norm(g)))
                if max_norm is not None:
                    clipped, _ = clip(list(parts.values()), max_norm)
                    g = np.concatenate([np.ravel(c) for c in clipped])
                w = w - lr * g
            epoch_loss.append(model.loss(w, X, y) if not diverged else np.nan)
            if diverged or not np.isfinite(epoch_loss[-1]):
                diverged = True
                break
    return TrackedRun(np.array(losses), np.array(norms).reshape(-1, D), np.array(gnorms), np.array(epoch_loss),
                      w, diverged)
