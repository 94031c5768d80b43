r"""Early stopping (早停) as a pure rule on a list of losses, the rule :func:`optimlab.train` applies.

``losses[k]`` is the monitored loss (the validation loss) after epoch ``k + 1``; epochs are
numbered ``1, 2, ...``. Keras' ``EarlyStopping`` rule, which ``train(early_stopping=...)`` uses:

.. code-block:: text

    best = +inf, wait = 0
    for epoch e = 1, 2, ...:
        if loss_e < best - min_delta:   best = loss_e, best_epoch = e, wait = 0     (an improvement)
        else:                           wait = wait + 1
        if wait >= patience:            stop after epoch e

So training stops after ``patience`` epochs in a row without an improvement by more than
``min_delta``, and the weights to keep (``restore_best``) are those of ``best_epoch``. An
epoch that improves by ``min_delta`` or less does not count as an improvement and does not
move ``best``. If the rule never fires, training runs to the last epoch.
"""
from __future__ import annotations

import math

import numpy as np

from . import validation as V

__all__ = ["improves", "stopping_epochs"]


def improves(loss: float, best: float, min_delta: float = 0.0) -> bool:
    """Whether an epoch's ``loss`` improves on ``best`` by more than ``min_delta`` (``loss < best - min_delta``).

    The one comparison of the rule; :func:`optimlab.train` and :func:`stopping_epochs` both use it.
    """
    return loss < best - min_delta


def stopping_epochs(losses, patience, min_delta=0.0) -> tuple[int, int]:
    """``(stop_epoch, best_epoch)`` of the early-stopping rule above for the per-epoch ``losses``.

    ``stop_epoch`` is the epoch after which training stops (``len(losses)`` if the rule never
    fires); ``best_epoch`` is the epoch whose weights are kept. Both count from 1.
    ``patience >= 1``; ``min_delta >= 0``.
    """
    arr = V.as_float_array(losses, "losses")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"losses must be a non-empty 1-D list of per-epoch losses, got shape {arr.shape}")
    if np.isnan(arr).any():
        raise ValueError(f"losses contains nan at epoch {int(np.flatnonzero(np.isnan(arr))[0]) + 1}")
    patience = V.check_int(patience, "patience", minimum=1)
    min_delta = V.check_nonnegative(min_delta, "min_delta")
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(arr, start=1):
        if improves(loss, best, min_delta):
            best, best_epoch, wait = float(loss), epoch, 0
        else:
            wait += 1
        if wait >= patience:
            return epoch, best_epoch
    return len(arr), best_epoch
