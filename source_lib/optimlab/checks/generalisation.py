r"""Checks for notebook 13, generalisation: ``l2_loss_grad``, ``adamw_step`` and ``select_best``.

The exercises, with the formulas the learner implements:

.. code-block:: text

    l2_loss_grad(loss, g, w, lam, mask)     loss + (lam / 2) * sum(mask * w**2),  g + lam * mask * w
                                            (mask: 1 for weights, 0 for biases)        -> (loss, g)
    adamw_step(w, m, V, g, t, lr, beta1, beta2, eps, weight_decay)
                                            w'  = w * (1 - lr * weight_decay)
                                            m   = beta1 * m + (1 - beta1) * g
                                            V   = beta2 * V + (1 - beta2) * g**2
                                            w   = w' - lr * m_hat / (sqrt(V_hat) + eps)  -> (w, m, V)
    select_best(val_losses)                 (setting, epoch) of the smallest entry, epochs from 1;
                                            ties: the earliest epoch, then the first setting

Cases use a large ``weight_decay`` and ``lam`` (so that the decay's place shows), a mask with
zeros (biases), ``lr`` far from 1 and tables with ties. The ``check_*`` functions print a
one-line success message and return ``None``.
"""
from __future__ import annotations

import numpy as np

from ..optimizers import adamw_step as _adamw_step
from ..regularisation import regularised_loss_grad as _reg
from ..regularisation import select_best as _select_best
from .cases import random_shape
from .engine import Case, Variant, check_function, check_steps

__all__ = ["check_l2_loss_grad", "check_adamw_step", "check_select_best", "reference_l2_loss_grad",
           "reference_adamw_step", "reference_select_best"]


# ---------------------------------------------------------------------------
# l2_loss_grad
# ---------------------------------------------------------------------------

def reference_l2_loss_grad(loss, g, w, lam, mask):
    """``(loss + lam/2 * sum(mask * w**2), g + lam * mask * w)``: see :mod:`optimlab.regularisation`."""
    return _reg(loss, g, w, lam, mask)


def _l2(loss, g, w, lam, mask, *, pen=0.5, gfac=1.0, use_mask_loss=True, use_mask_grad=True, sign=1.0,
        kind="sq"):
    w = np.asarray(w, float)
    mask = np.asarray(mask, float)
    ml = mask if use_mask_loss else 1.0
    mg = mask if use_mask_grad else 1.0
    if kind == "sq":
        penalty = np.sum(ml * w * w)
    elif kind == "abs":
        penalty = np.sum(ml * np.abs(w))
    elif kind == "mean":
        penalty = np.mean(ml * w * w)
    else:  # the norm, not squared
        penalty = np.sqrt(np.sum(ml * w * w))
    gterm = np.sign(w) if kind == "abs" else w
    return float(loss) + pen * lam * float(penalty), np.asarray(g, float) + sign * gfac * lam * mg * gterm


_L2_VARIANTS = [
    Variant(lambda *a: _l2(*a, pen=1.0),
            "the penalty in the loss is lam * sum(w**2): the course's convention is (lam / 2) * sum(w**2), whose "
            "gradient is lam * w (the 1/2 cancels the 2 of the square)"),
    Variant(lambda *a: _l2(*a, gfac=0.5),
            "the gradient term is (lam / 2) * w: the derivative of (lam / 2) * w**2 is lam * w"),
    Variant(lambda *a: _l2(*a, gfac=2.0),
            "the gradient term is 2 * lam * w: with the penalty (lam / 2) * sum(w**2) the 2 of the square "
            "cancels the 1/2, so the term is lam * w"),
    Variant(lambda *a: _l2(*a, use_mask_loss=False, use_mask_grad=False),
            "the biases are penalised: multiply by mask (1 for weights, 0 for biases) in the loss and in the "
            "gradient, so that the biases are left alone"),
    Variant(lambda *a: _l2(*a, use_mask_loss=False),
            "the biases are penalised in the loss: the mask is missing in the penalty sum(mask * w**2)"),
    Variant(lambda *a: _l2(*a, use_mask_grad=False),
            "the biases are penalised in the gradient: the mask is missing in lam * mask * w"),
    Variant(lambda *a: _l2(*a, sign=-1.0),
            "the sign of the gradient term: the penalty grows with |w|, so its gradient lam * mask * w is ADDED "
            "to g (the step then pulls w towards 0)"),
    Variant(lambda *a: _l2(*a, kind="abs"),
            "this is L1 regularisation, lam * |w| with gradient lam * sign(w); L2 squares the weights: "
            "(lam / 2) * sum(mask * w**2), gradient lam * mask * w"),
    Variant(lambda *a: _l2(*a, kind="mean"),
            "the penalty averages the squares (np.mean); it sums them: (lam / 2) * sum(mask * w**2)"),
    Variant(lambda *a: _l2(*a, kind="norm"),
            "the penalty uses the norm ||w||, not its square: (lam / 2) * sum(mask * w**2)"),
    Variant(lambda loss, g, w, lam, mask: (float(loss), reference_l2_loss_grad(loss, g, w, lam, mask)[1]),
            "the loss is returned without the penalty: add (lam / 2) * sum(mask * w**2) to it"),
    Variant(lambda loss, g, w, lam, mask: (reference_l2_loss_grad(loss, g, w, lam, mask)[0], np.asarray(g, float)),
            "the gradient is returned without the L2 term: add lam * mask * w to g"),
]


def _l2_cases(hidden: bool):
    rng = np.random.default_rng(131 if hidden else 130)
    cases = [
        Case("3 weights and 1 bias, mask=[1, 1, 1, 0], lam=0.3",
             {"loss": 0.75, "g": np.array([0.2, -0.1, 0.4, 0.3]), "w": np.array([1.5, -2.0, 0.5, 3.0]),
              "lam": 0.3, "mask": np.array([1.0, 1.0, 1.0, 0.0])},
             note="the last entry is a bias (mask 0): not penalised"),
        Case("a softmax-like layout, 2x2 weights and 2 biases, lam=0.05",
             {"loss": 2.3, "g": np.array([0.1, 0.2, -0.3, 0.05, 1.0, -1.0]),
              "w": np.array([-0.4, 0.8, 1.2, -2.5, 0.7, -0.9]), "lam": 0.05,
              "mask": np.array([1.0, 1.0, 1.0, 1.0, 0.0, 0.0])}),
    ]
    if hidden:
        for lam in (0.01, 0.2, 1.5):
            n = int(rng.integers(3, 9))
            mask = (rng.uniform(size=n) < 0.7).astype(float)
            mask[0], mask[-1] = 1.0, 0.0
            cases.append(Case(f"random, {n} parameters, lam={lam}",
                              {"loss": float(np.round(rng.uniform(0.1, 3), 3)), "g": rng.normal(size=n),
                               "w": rng.normal(scale=2, size=n), "lam": lam, "mask": mask}))
        cases.append(Case("lam = 0: nothing changes",
                          {"loss": 1.25, "g": np.array([0.5, -0.5]), "w": np.array([2.0, 1.0]), "lam": 0.0,
                           "mask": np.array([1.0, 0.0])}))
    return cases


def check_l2_loss_grad(l2_loss_grad, hidden: bool = False) -> None:
    """``l2_loss_grad(loss, g, w, lam, mask)`` -> ``(loss + lam/2 * sum(mask * w**2), g + lam * mask * w)``."""
    check_function(l2_loss_grad, reference_l2_loss_grad, _l2_cases(hidden), exercise="l2_loss_grad",
                   returns=("loss", "g"), variants=_L2_VARIANTS)


# ---------------------------------------------------------------------------
# adamw_step
# ---------------------------------------------------------------------------

def reference_adamw_step(w, m, V, g, t, lr, beta1, beta2, eps, weight_decay):
    """``optimlab.adamw_step``, positionally (torch.optim.AdamW)."""
    return _adamw_step.unchecked(np.asarray(w, float), np.asarray(m, float), np.asarray(V, float),
                                 np.asarray(g, float), t, lr, beta1, beta2, eps, weight_decay)


def _adamw(w, m, V, g, t, lr, beta1, beta2, eps, wd, *, where="decoupled", decay_after=False, decay_lr=True,
           bias_correction=True, sign=1.0):
    w = np.asarray(w, float)
    decay = (lr * wd if decay_lr else wd)
    if where == "grad":
        g = g + wd * w
    elif where == "m":
        pass
    m_in = g + wd * w if where == "m" else g
    m = beta1 * m + (1 - beta1) * m_in
    V = beta2 * V + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t) if bias_correction else m
    V_hat = V / (1 - beta2**t) if bias_correction else V
    denom = np.sqrt(V_hat) + eps
    if where == "denominator":
        return w - lr * (m_hat + wd * w) / denom, m, V
    if where in ("grad", "m"):
        return w - lr * m_hat / denom, m, V
    if decay_after:
        w_new = w - lr * m_hat / denom
        return w_new * (1 - sign * decay), m, V
    return w * (1 - sign * decay) - lr * m_hat / denom, m, V


_ADAMW_VARIANTS = [
    Variant(lambda *a: _adamw(*a, where="grad"),
            "the decay was added to the gradient, g + weight_decay * w: that is Adam with L2 regularisation; "
            "AdamW decouples it, w' = w * (1 - lr * weight_decay), outside m and V"),
    Variant(lambda *a: _adamw(*a, where="denominator"),
            "the decay is divided by the adaptive denominator, lr * (m_hat + weight_decay * w) / (sqrt(V_hat) + eps); "
            "the decoupled decay lr * weight_decay * w is NOT divided by sqrt(V_hat)"),
    Variant(lambda *a: _adamw(*a, where="m"),
            "weight_decay * w went into the first moment m (L2 through m only); AdamW keeps m and V for the "
            "gradient and shrinks w itself: w' = w * (1 - lr * weight_decay)"),
    Variant(lambda *a: _adamw(*a, decay_lr=False),
            "the decay is not multiplied by lr: torch's AdamW shrinks by w * (1 - lr * weight_decay) (the paper's "
            "(1 - lambda) w has no lr, torch's has)"),
    Variant(lambda *a: _adamw(*a, decay_after=True),
            "the decay was applied after the Adam step, to w_t; torch's AdamW decays w_{t-1} first: "
            "w' = w_{t-1} * (1 - lr * weight_decay), then w_t = w' - lr * m_hat / (sqrt(V_hat) + eps)"),
    Variant(lambda *a: _adamw(*a, sign=-1.0),
            "the sign of the decay: w * (1 - lr * weight_decay) shrinks the weights; w * (1 + ...) grows them"),
    Variant(lambda *a: _adamw(*a, bias_correction=False),
            "the bias correction is missing: m_hat = m / (1 - beta1**t), V_hat = V / (1 - beta2**t)"),
    Variant(lambda w, m, V, g, t, lr, b1, b2, eps, wd: _adamw(w, m, V, g, t, lr, b1, b2, eps, 0.0),
            "there is no weight decay at all: this is plain Adam; first w' = w * (1 - lr * weight_decay)"),
    Variant(lambda w, m, V, g, t, lr, b1, b2, eps, wd: _adamw(w, m, V, g, t, lr, b1, b2, eps, wd * wd),
            "the decay uses weight_decay**2"),
]


def _adamw_cases(hidden: bool):
    rng = np.random.default_rng(133 if hidden else 132)

    def quad(diag, shift=0.0):
        diag = np.asarray(diag, float)
        return lambda w: diag * w + shift

    cases = [
        Case("scalar parabola f(w)=w^2 from w=3, m=0.5, V=2, t=4, lr=0.1, weight_decay=0.5",
             {"w": np.array(3.0), "m": np.array(0.5), "V": np.array(2.0), "g": None, "t": 4, "lr": 0.1,
              "beta1": 0.9, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.5},
             steps=3, grad=lambda w: 2 * w,
             note="weight_decay is large on purpose, so that where the decay goes shows in the numbers"),
        Case("3 coordinates on f = 0.1 x^2 + 2 y^2 + 0.75 z^2, from t=1, lr=0.05, weight_decay=0.2",
             {"w": np.array([1.0, -2.0, 0.5]), "m": np.zeros(3), "V": np.zeros(3), "g": None, "t": 1, "lr": 0.05,
              "beta1": 0.8, "beta2": 0.95, "eps": 1e-6, "weight_decay": 0.2},
             steps=4, grad=quad([0.2, 4.0, 1.5])),
    ]
    if hidden:
        for wd in (0.01, 0.3, 2.0):
            shape = random_shape(rng)
            lr = float(np.round(10 ** rng.uniform(-2.5, -0.7), 4))
            cases.append(Case(
                f"random shape {shape}, lr={lr}, weight_decay={wd}",
                {"w": rng.normal(size=shape), "m": rng.normal(scale=0.3, size=shape),
                 "V": rng.uniform(0.05, 2.0, size=shape), "g": None, "t": int(rng.integers(1, 20)), "lr": lr,
                 "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": wd},
                steps=5, grad=quad(rng.uniform(0.1, 3.0, size=shape), rng.normal(size=shape))))
        cases.append(Case("weight_decay = 0: plain Adam",
                          {"w": np.array([2.0, -1.0]), "m": np.zeros(2), "V": np.zeros(2), "g": None, "t": 1,
                           "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
                          steps=3, grad=quad([1.0, 10.0])))
    return cases


def check_adamw_step(adamw_step, hidden: bool = False) -> None:
    """``adamw_step(w, m, V, g, t, lr, beta1, beta2, eps, weight_decay)`` as :func:`optimlab.adamw_step`."""
    check_steps(adamw_step, reference_adamw_step, _adamw_cases(hidden), exercise="adamw_step",
                returns=("w", "m", "V"), variants=_ADAMW_VARIANTS)


# ---------------------------------------------------------------------------
# select_best
# ---------------------------------------------------------------------------

def reference_select_best(val_losses):
    """``(setting, epoch)`` of the smallest validation loss, epochs from 1; see :func:`optimlab.regularisation.select_best`."""
    return _select_best(val_losses)


def _sb_zero_based(L):
    i, e = _select_best(L)
    return i, e - 1


def _sb_flat_wrong_axis(L):
    L = np.asarray(L, float)
    k = int(np.argmin(L))
    # unravelled with the axes swapped
    return k % L.shape[0], k // L.shape[0] + 1


def _sb_final_epoch(L):
    L = np.asarray(L, float)
    i = int(np.argmin(L[:, -1]))
    return i, L.shape[1]


def _sb_final_setting_best_epoch(L):
    L = np.asarray(L, float)
    i = int(np.argmin(L[:, -1]))
    return i, int(np.argmin(L[i])) + 1


def _sb_argmax(L):
    L = np.asarray(L, float)
    i, e = np.unravel_index(int(np.argmax(L)), L.shape)
    return int(i), int(e) + 1


def _sb_last_tie(L):
    L = np.asarray(L, float)
    rows, cols = np.nonzero(L == L.min())
    order = np.lexsort((rows, cols))
    return int(rows[order[-1]]), int(cols[order[-1]]) + 1


def _sb_row_major_tie(L):
    # np.argmin over the flat table: on ties, the first setting wins, whatever the epoch
    L = np.asarray(L, float)
    i, e = np.unravel_index(int(np.argmin(L)), L.shape)
    return int(i), int(e) + 1


def _sb_mean(L):
    L = np.asarray(L, float)
    i = int(np.argmin(L.mean(axis=1)))
    return i, int(np.argmin(L[i])) + 1


def _sb_swapped(L):
    i, e = _select_best(L)
    return e, i


def _sb_first_epoch(L):
    L = np.asarray(L, float)
    return int(np.argmin(L[:, 0])), 1


_SELECT_VARIANTS = [
    Variant(_sb_zero_based, "the epoch is off by one: column e of the table is epoch e + 1 (epochs count from 1)"),
    Variant(_sb_flat_wrong_axis,
            "the flat index of np.argmin was unravelled with the axes swapped: use np.unravel_index(k, L.shape), "
            "row = setting, column = epoch - 1"),
    Variant(_sb_final_epoch,
            "this picks the setting with the best FINAL loss and its last epoch; the best model is the smallest "
            "validation loss over all settings and all epochs (early stopping keeps that epoch)"),
    Variant(_sb_final_setting_best_epoch,
            "the setting was chosen by its final validation loss; choose it by its best one, min over the epochs"),
    Variant(_sb_argmax, "np.argmax: the best setting has the SMALLEST validation loss"),
    Variant(_sb_last_tie,
            "on a tie this returns the latest epoch / last setting (e.g. <= in the comparison); ties go to the "
            "earliest epoch, then to the first setting"),
    Variant(_sb_row_major_tie,
            "on a tie between settings at different epochs this returns the first setting (np.argmin of the flat "
            "table, row by row); ties go to the earliest epoch first, then to the first setting"),
    Variant(_sb_mean, "the setting was chosen by its mean validation loss over the epochs; use its minimum"),
    Variant(_sb_swapped, "the results are in the wrong order: return (setting, epoch)"),
    Variant(_sb_first_epoch, "only the first epoch was looked at: the minimum is over every epoch of every setting"),
]


def _select_cases(hidden: bool):
    rng = np.random.default_rng(135 if hidden else 134)
    cases = [
        Case("3 settings x 5 epochs, one minimum (setting 1, epoch 3)",
             {"val_losses": np.array([[1.0, 0.8, 0.7, 0.75, 0.9],
                                      [0.9, 0.6, 0.5, 0.55, 0.58],
                                      [1.2, 1.0, 0.52, 0.51, 0.4]])[:, :]}),
        Case("2 settings x 4 epochs, 0.5 three times: setting 0 epoch 2, setting 1 epochs 1 and 3",
             {"val_losses": np.array([[0.9, 0.5, 0.6, 0.7],
                                      [0.5, 0.8, 0.5, 0.6]])},
             note="on ties the earliest epoch wins (the shorter run), then the first setting"),
        Case("4 settings x 3 epochs (more settings than epochs), minimum at setting 3, epoch 2",
             {"val_losses": np.array([[2.0, 1.9, 1.8], [1.7, 1.6, 1.65], [1.5, 1.45, 1.44], [1.6, 1.3, 1.35]])}),
    ]
    # A case where the best final loss and the best loss are in different settings.
    cases[0].inputs["val_losses"][2, -1] = 0.56
    if hidden:
        for n_set, n_ep in ((5, 7), (2, 10), (6, 2)):
            L = np.round(rng.uniform(0.3, 2.0, size=(n_set, n_ep)), 3)
            cases.append(Case(f"random {n_set} settings x {n_ep} epochs", {"val_losses": L}))
        L = np.array([[0.7, 0.4, 0.4], [0.4, 0.5, 0.6], [0.9, 0.8, 0.4]])
        cases.append(Case("a three-way tie at 0.4: setting 1 epoch 1 is the earliest", {"val_losses": L}))
        cases.append(Case("one setting, 1 epoch", {"val_losses": np.array([[0.3]])}))
    return cases


def check_select_best(select_best, hidden: bool = False) -> None:
    """``select_best(val_losses)`` -> ``(setting, epoch)``, epochs from 1, ties: earliest epoch, then first setting."""
    check_function(select_best, reference_select_best, _select_cases(hidden), exercise="select_best",
                   returns=("setting", "epoch"), variants=_SELECT_VARIANTS, list_args=("val_losses",))
