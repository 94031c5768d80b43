"""Building blocks the check modules share for their cases.

A step function is checked over several steps on a separable quadratic, whose gradient is
known in closed form, and its hidden tests add cases of a random small shape, so that an
answer that only works for one shape (a hard-coded length, a 0-d input looped over) fails.
"""
from __future__ import annotations

import numpy as np


def quadratic(diag, shift=0.0):
    """The gradient w -> diag * w + shift of f(w) = sum(diag * w^2 / 2 + shift * w) (elementwise)."""
    diag = np.asarray(diag, dtype=float)
    return lambda w: diag * w + shift


def random_shape(rng: np.random.Generator) -> tuple[int, ...]:
    """A shape of 1 or 2 axes, each of length 1 to 3, drawn from `rng` (plain ints, for the case labels)."""
    return tuple(int(s) for s in rng.integers(1, 4, size=rng.integers(1, 3)))
