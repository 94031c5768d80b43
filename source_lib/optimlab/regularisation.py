r"""Regularisation (正则化) for notebook 13: L2 in the gradient, decoupled weight decay, model selection.

Two ways to pull the weights towards 0 during training, for any step function:

.. code-block:: text

    L2 regularisation       L_reg(w) = L(w) + (lam / 2) * sum(mask * w**2)
                            g_t      = grad L(w_{t-1}) + lam * mask * w_{t-1}   -> the optimizer's step
    decoupled weight decay  w'  = w_{t-1} * (1 - lr * weight_decay * mask)      # torch.optim.AdamW's order
                            w_t = step(w', g_t)      with g_t = grad L(w_{t-1})

``mask`` is 1 for the weights and 0 for the biases (:func:`weight_mask`): the biases are not
penalised, as is usual (a bias does not make the model more complex). For gradient descent
both give the same steps when ``lam == weight_decay``; Loshchilov and Hutter's paper writes the
decay per step without ``lr``, ``w' = (1 - lam') w``, and then ``lam = lam' / lr``. For Adam they
differ: the L2 term passes through ``m_t`` and ``V_t`` and is divided by ``sqrt(V_hat_t)``.

>>> import numpy as np
>>> regularised_loss_grad(1.0, np.array([0.5, 0.0]), np.array([2.0, 3.0]), 0.1, np.array([1.0, 0.0]))
(1.2, array([0.7, 0. ]))
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import validation as V
from .models import MLP, LinearRegression, Model, SoftmaxRegression
from .optimizers import adam_step, adamw_step
from .stateful import make
from .training import batch_indices

__all__ = ["weight_mask", "regularised_loss_grad", "decoupled_decay", "train_regularised", "RegularisedRun",
           "select_best", "decay_grid"]


def weight_mask(model: Model) -> np.ndarray:
    """1.0 for every weight of ``model``'s flat parameter vector, 0.0 for every bias.

    Knows :class:`~optimlab.models.SoftmaxRegression` (``[W.ravel(), b]``), :class:`~optimlab.models.MLP`
    (``[W_1.ravel(), b_1, W_2.ravel(), b_2, ...]``) and :class:`~optimlab.models.LinearRegression`
    (``[w, b]``).
    """
    if isinstance(model, SoftmaxRegression):
        mask = np.ones(model.n_params)
        mask[-model.n_classes:] = 0.0
        return mask
    if isinstance(model, MLP):
        parts = []
        for fan_in, fan_out in zip(model.layer_sizes[:-1], model.layer_sizes[1:]):
            parts += [np.ones(fan_in * fan_out), np.zeros(fan_out)]
        return np.concatenate(parts)
    if isinstance(model, LinearRegression):
        mask = np.ones(model.n_params)
        mask[-1] = 0.0
        return mask
    raise TypeError(f"weight_mask knows SoftmaxRegression, MLP and LinearRegression, got {model!r}")


def regularised_loss_grad(loss, g, w, lam, mask):
    r"""The loss and gradient with the L2 penalty ``(lam / 2) * sum(mask * w**2)`` added.

    .. code-block:: text

        loss_reg = loss + (lam / 2) * sum(mask * w**2)
        g_reg    = g + lam * mask * w

    ``mask`` (1 for weights, 0 for biases) says which entries are penalised. Returns
    ``(loss_reg, g_reg)``: a float and a new array.
    """
    w = np.asarray(w, dtype=float)
    mask = np.asarray(mask, dtype=float)
    return float(loss) + 0.5 * lam * float(np.sum(mask * w * w)), np.asarray(g, dtype=float) + lam * mask * w


def decoupled_decay(w, lr, weight_decay, mask):
    """``w * (1 - lr * weight_decay * mask)``: torch's decoupled weight decay, before the optimizer's step."""
    return np.asarray(w, dtype=float) * (1.0 - lr * weight_decay * np.asarray(mask, dtype=float))


@dataclass
class RegularisedRun:
    """What :func:`train_regularised` returns: per-epoch losses (index 0: before training) and the weights.

    ``train_loss`` is the data loss without the penalty (what the model's fit costs);
    ``val_loss`` the validation loss; ``w`` the parameters after the last epoch.
    """

    train_loss: np.ndarray
    val_loss: np.ndarray
    w: np.ndarray

    @property
    def best_epoch(self) -> int:
        """The epoch (0 = before training) of the lowest validation loss; the earliest on ties."""
        return int(np.argmin(self.val_loss))


def train_regularised(model, step, X, y, X_val, y_val, *, epochs, lr, l2=0.0, weight_decay=0.0, batch_size=None,
                      seed=0, w0=None, mask=None, **hyper) -> RegularisedRun:
    r"""Train ``model`` with any step function, with L2 in the gradient and/or decoupled weight decay.

    .. code-block:: text

        for every mini-batch:  g  = grad L_batch(w) + l2 * mask * w            # L2 regularisation
                               w' = w * (1 - lr * weight_decay * mask)          # decoupled decay
                               w  = step(w', g)                                 # the optimizer

    ``step``: a registry name (``"gd"``, ``"adam"``) or a step function; ``**hyper`` go to
    :func:`optimlab.make` with ``lr``. With ``step="adam"`` and ``l2=0`` this is exactly
    ``optimlab.adamw_step`` (the decay first, the gradient at ``w_{t-1}``). ``mask``: default
    :func:`weight_mask` (biases not penalised nor decayed). ``batch_size=None``: full batch.
    The shuffling and ``w0`` (default ``model.init_params(seed)``) come from ``seed``.
    """
    epochs = V.check_int(epochs, "epochs", minimum=1)
    V.check_nonnegative(l2, "l2")
    V.check_nonnegative(weight_decay, "weight_decay")
    V.check_positive(lr, "lr")
    Xt, yt = model.check_data(X, y)
    Xv, yv = model.check_data(X_val, y_val)
    n = Xt.shape[0]
    batch_size = n if batch_size is None else min(V.check_int(batch_size, "batch_size", minimum=1), n)
    mask = weight_mask(model) if mask is None else np.asarray(mask, dtype=float)
    w = np.asarray(model.init_params(seed) if w0 is None else w0, dtype=float).copy()
    if mask.shape != w.shape:
        raise ValueError(f"mask must have the shape of the parameters, {w.shape}, got {mask.shape}")
    opt = make(step, lr=lr, **hyper)
    state = opt.init(w)
    rng = np.random.default_rng(seed)
    train_loss, val_loss = [float(model._loss(w, Xt, yt))], [float(model._loss(w, Xv, yv))]
    first = True
    for _ in range(epochs):
        batches = [np.arange(n)] if batch_size >= n else batch_indices(n, batch_size, rng=rng)
        for idx in batches:
            _, g = model._loss_grad(w, Xt[idx], yt[idx])
            if l2:
                g = g + l2 * mask * w
            if weight_decay:
                w = w * (1.0 - lr * weight_decay * mask)
            w, state = opt.update(w, g, state, check=first)
            first = False
        train_loss.append(float(model._loss(w, Xt, yt)))
        val_loss.append(float(model._loss(w, Xv, yv)))
        if not (math.isfinite(train_loss[-1]) and math.isfinite(val_loss[-1])):
            raise FloatingPointError(f"training diverged at lr={lr}: the loss became {train_loss[-1]}")
    return RegularisedRun(np.array(train_loss), np.array(val_loss), w)


def select_best(val_losses):
    r"""The best ``(setting, epoch)`` of a table of validation losses.

    ``val_losses[i][e]`` is the validation loss of setting ``i`` after epoch ``e + 1`` (epochs are
    numbered from 1; row ``i`` is one training run). Returns ``(i, epoch)`` of the smallest loss,
    with ``epoch`` from 1. Ties go to the earliest epoch, then to the first setting (the
    shorter run, then the order of the settings).
    """
    L = np.asarray(val_losses, dtype=float)
    if L.ndim != 2 or L.size == 0:
        raise ValueError(f"val_losses must be a non-empty 2-D table (settings x epochs), got shape {L.shape}")
    best = L.min()
    rows, cols = np.nonzero(L == best)
    order = np.lexsort((rows, cols))  # earliest epoch first, then the first setting
    return int(rows[order[0]]), int(cols[order[0]]) + 1


def decay_grid(X, y, X_val, y_val, lrs, decays, *, method, epochs, n_classes=10, seed=0, beta1=0.9, beta2=0.999,
               eps=1e-8):
    r"""Validation losses of full-batch softmax regression trained with Adam, for every ``(lr, decay)`` at once.

    ``method="adam_l2"``: ``optimlab.adam_step`` on ``g + decay * mask * w``;
    ``method="adamw"``: ``optimlab.adamw_step`` with ``weight_decay=decay``. All the runs start
    from ``SoftmaxRegression.init_params(seed)`` and are stacked into one array (the step
    functions are elementwise, so each run keeps its own ``lr``): the same numbers as
    :func:`train_regularised` run by run, in a fraction of the time. Returns an array of shape
    ``(len(lrs), len(decays), epochs + 1)``; index 0 on the last axis is before training.
    """
    if method not in ("adam_l2", "adamw"):
        raise ValueError(f"method must be 'adam_l2' or 'adamw', got {method!r}")
    epochs = V.check_int(epochs, "epochs", minimum=1)
    model = SoftmaxRegression(np.shape(X)[1], n_classes)
    Xt, yt = model.check_data(X, y)
    Xv, yv = model.check_data(X_val, y_val)
    lrs, decays = np.asarray(lrs, dtype=float), np.asarray(decays, dtype=float)
    d1, k = model.n_features + 1, n_classes
    A, Av = np.hstack([Xt, np.ones((len(Xt), 1))]), np.hstack([Xv, np.ones((len(Xv), 1))])
    LR = np.repeat(lrs, len(decays))[:, None, None]
    DEC = np.tile(decays, len(lrs))[:, None, None]
    W = np.broadcast_to(model.init_params(seed).reshape(d1, k), (LR.shape[0], d1, k)).copy()
    mask = weight_mask(model).reshape(d1, k)
    m, Vs = np.zeros_like(W), np.zeros_like(W)
    onehot = np.eye(k)[yt]

    def losses(W, A_, labels):
        # mean cross-entropy of every run at once (as the model's loss, the max subtracted first)
        # (runs, classes, examples): the reductions over the 10 classes then run along contiguous rows
        Z = np.swapaxes(W, 1, 2) @ A_.T
        Z = Z - Z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(Z).sum(axis=1))
        return np.mean(lse - Z[:, labels, np.arange(len(labels))], axis=-1)

    out = np.empty((LR.shape[0], epochs + 1))
    out[:, 0] = losses(W, Av, yv)
    for t in range(1, epochs + 1):
        Z = A @ W
        Z -= Z.max(axis=-1, keepdims=True)
        P = np.exp(Z)
        P /= P.sum(axis=-1, keepdims=True)
        g = np.matmul(A.T, P - onehot) / len(A)
        if method == "adam_l2":
            W, m, Vs = adam_step.unchecked(W, m, Vs, g + DEC * mask * W, t, LR, beta1, beta2, eps)
        else:
            # an array weight_decay, 0 on the biases: the step is elementwise
            W, m, Vs = adamw_step.unchecked(W, m, Vs, g, t, LR, beta1, beta2, eps, DEC * mask)
        out[:, t] = losses(W, Av, yv)
    return out.reshape(len(lrs), len(decays), epochs + 1)
