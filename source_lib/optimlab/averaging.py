r"""Iterate averaging (迭代平均; Polyak and Juditsky, 1992; Ruppert, 1988): the alternative to decaying the rate.

At a constant learning rate SGD does not converge: its iterates ``w_t`` keep jumping around
the minimum, in a cloud whose size grows with ``lr`` (the noise floor). Their *average* is
much closer to the minimum than any single one of them: the jumps largely cancel. Polyak-
Ruppert averaging keeps the constant rate for the iterates and reports the average.

Rows ``0 .. T`` of ``ws`` are the iterates ``w_0, w_1, ..., w_T`` (``w_0`` the start; as
:attr:`optimlab.training.History.params` with ``record_params=True``). From the start step
``s`` on, the averaged iterate is

.. code-block:: text

    wbar_t = w_t                                          t < s   (no averaging yet)
    wbar_t = (w_s + w_{s+1} + ... + w_t) / (t - s + 1)    t >= s

or, recursively, ``wbar_s = w_s`` and ``wbar_t = wbar_{t-1} + (w_t - wbar_{t-1}) / (t - s + 1)``:
the form ``torch.optim.ASGD`` (its ``t0``) and ``torch.optim.swa_utils.AveragedModel`` use.
Starting late (``s`` after the first fast descent) keeps the far-away early iterates out of
the average.
"""
from __future__ import annotations

import numpy as np

from . import validation as V

__all__ = ["polyak_average"]


def polyak_average(ws, start=0) -> np.ndarray:
    """The running averages ``wbar_0 .. wbar_T`` of the iterates ``ws`` (rows ``w_0 .. w_T``) from row ``start``.

    Parameters
    ----------
    ws : array of shape (T + 1,) or (T + 1, n)
        The iterates, one row per step, ``w_0`` first.
    start : int >= 0
        The step ``s`` from which the average runs; the rows before it are returned unchanged.
        ``start`` beyond the last row returns a copy of ``ws``.

    Returns
    -------
    array of the shape of ``ws``: row ``t`` is ``wbar_t`` (see the module docstring).
    """
    arr = V.as_float_array(ws, "ws")
    if arr.ndim not in (1, 2):
        raise ValueError(f"ws must hold one iterate per row, shape (T + 1,) or (T + 1, n), got shape {arr.shape}")
    V.check_finite(arr, "ws")
    start = V.check_int(start, "start", minimum=0)
    out = arr.copy()
    if start >= len(arr):
        return out
    tail = arr[start:]
    counts = np.arange(1, len(tail) + 1, dtype=np.float64).reshape((-1,) + (1,) * (arr.ndim - 1))
    out[start:] = np.cumsum(tail, axis=0) / counts
    return out
