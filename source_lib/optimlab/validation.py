"""Argument checks shared by the whole library.

Every check raises ``ValueError`` (a wrong value) or ``TypeError`` (a wrong kind of
object) whose message names the argument, the value it got and what is allowed, so
that a learner who passes ``lr=-0.1`` or a gradient of the wrong shape learns what
to change instead of getting a silently broadcast, wrong answer.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "check_same_shape",
    "check_finite",
    "check_positive",
    "check_nonnegative",
    "check_beta",
    "check_in_range",
    "check_int",
    "check_bool",
    "check_callable",
    "check_nonnegative_array",
]


def _show(value) -> str:
    """A short, readable rendering of a bad value for an error message."""
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return f"array({np.array2string(value, separator=', ')}, shape={value.shape})"
        return f"array of shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _ragged_lengths(value):
    """The lengths of the first-level items of a list that numpy cannot make rectangular."""
    lengths = []
    for item in value:
        try:
            lengths.append(len(item))
        except TypeError:
            lengths.append("a number")
    return lengths


def as_float_array(value, name: str) -> np.ndarray:
    """Return ``value`` as a float64 array (a copy is never made when not needed).

    Accepts numbers, sequences and arrays of real numbers; booleans, strings,
    complex numbers and ``None`` are refused with a ``TypeError`` naming ``name``, and a
    ragged list (rows of different lengths) with a ``ValueError`` naming ``name``.
    """
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or an array of real numbers, got {_show(value)}")
    try:
        arr = np.asarray(value)
    except ValueError:
        # numpy refuses "inhomogeneous" nested lists; say which argument and why.
        lengths = _ragged_lengths(value) if isinstance(value, (list, tuple)) else "unequal"
        raise ValueError(
            f"{name} is a ragged list (its items have lengths {lengths}), got {_show(value)}; "
            f"an array needs every row to have the same length"
        ) from None
    if arr.dtype == object or arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, "
            f"got {_show(value)} with dtype {arr.dtype}"
        )
    return arr.astype(np.float64, copy=False)


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Refuse arrays whose shapes differ: numpy would broadcast them and hide the bug."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_b} has shape {b.shape} but {name_a} has shape {a.shape}; they must match "
            f"exactly (no broadcasting), because each entry of {name_b} belongs to one entry of {name_a}"
        )


def check_finite(arr: np.ndarray, name: str) -> None:
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(np.atleast_1d(arr)))[0]
        where = tuple(int(i) for i in bad) if arr.ndim else ()
        value = np.atleast_1d(arr)[tuple(bad)]
        raise ValueError(
            f"{name} contains a non-finite value ({value} at index {where}); the optimizer needs finite "
            f"numbers. This usually means training has already diverged: lower the learning rate"
        )


def check_nonnegative_array(arr: np.ndarray, name: str, why: str) -> None:
    """Refuse negative entries (second moments are averages of squares: ``sqrt`` of them must exist)."""
    if (arr < 0).any():
        bad = np.argwhere(np.atleast_1d(arr) < 0)[0]
        where = tuple(int(i) for i in bad) if arr.ndim else ()
        value = np.atleast_1d(arr)[tuple(bad)]
        raise ValueError(f"{name} must be >= 0 everywhere ({why}), got {value} at index {where}")


def _check_real(value, name: str, allowed: str) -> float:
    """``value`` as a float; ``allowed`` ("a finite number > 0", ...) goes into every message."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {allowed}, got {_show(value)} of type {type(value).__name__}")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} must be {allowed}, got nan")
    return value


def check_positive(value, name: str) -> float:
    """``value`` must be a finite real number > 0 (learning rates, epsilons)."""
    v = _check_real(value, name, "a finite number > 0")
    if not (v > 0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return v


def check_nonnegative(value, name: str) -> float:
    v = _check_real(value, name, "a finite number >= 0")
    if not (v >= 0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return v


def check_beta(value, name: str) -> float:
    """Decay rates of moving averages: 0 <= beta < 1 (beta = 1 would never forget)."""
    v = _check_real(value, name, "a number in [0, 1)")
    if not 0.0 <= v < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return v


def check_in_range(value, name: str, low: float, high: float, *, low_open=False, high_open=False) -> float:
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    v = _check_real(value, name, f"a number in {left}{low}, {high}{right}")
    ok_low = v > low if low_open else v >= low
    ok_high = v < high if high_open else v <= high
    if not (ok_low and ok_high):
        raise ValueError(f"{name} must be in {left}{low}, {high}{right}, got {value!r}")
    return v


def check_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer >= {minimum}, got {_show(value)} of type {type(value).__name__}"
        )
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_bool(value, name: str) -> bool:
    """Switches must be True or False: ``bool("False")`` is True, so strings and numbers are refused."""
    if not isinstance(value, (bool, np.bool_)):
        hint = " (a string: write False without quotes)" if isinstance(value, str) else ""
        raise TypeError(
            f"{name} must be True or False, got {_show(value)} of type {type(value).__name__}{hint}"
        )
    return bool(value)


def check_callable(value, name: str, what: str):
    if not callable(value):
        raise TypeError(f"{name} must be a function ({what}), got {_show(value)} of type {type(value).__name__}")
    return value
