"""Checks for notebook 02, gradient descent: ``gd_step`` and ``run_gd``."""
from __future__ import annotations

import numpy as np

from ..optimizers import gd_step as _gd_step
from .engine import Case, Variant, check_function, check_steps


def _ref_gd_step(w, g, lr):
    return _gd_step.unchecked(np.asarray(w, float), np.asarray(g, float), lr)


_GD_VARIANTS = [
    Variant(lambda w, g, lr: w + lr * g,
            "the sign: gradient descent moves against the gradient, `w - lr * g`, not `w + lr * g`"),
    Variant(lambda w, g, lr: w - g, "the learning rate is missing: the step is `lr * g`, not `g`"),
    Variant(lambda w, g, lr: w - lr, "the gradient is missing: the step is `lr * g`, not `lr`"),
    Variant(lambda w, g, lr: -lr * g, "the function returned the step `-lr * g`, not the new parameters `w - lr * g`"),
    Variant(lambda w, g, lr: w - lr * g / np.linalg.norm(g),
            "the gradient was normalised; plain gradient descent uses `g` as it is"),
]


def _gd_cases(hidden: bool):
    rng = np.random.default_rng(2 if hidden else 1)
    quad = np.array([0.2, 4.0, 1.5])
    cases = [
        Case("scalar parabola f(x)=x^2 from x=5, lr=0.1", {"w": np.array(5.0), "g": None, "lr": 0.1},
             steps=3, grad=lambda w: 2 * w),
        Case("3 coordinates on a quadratic, lr=0.3", {"w": np.array([1.0, -2.0, 0.5]), "g": None, "lr": 0.3},
             steps=4, grad=lambda w: quad * w),
    ]
    if hidden:
        for k in range(3):
            shape = tuple(rng.integers(1, 4, size=rng.integers(1, 3)))
            w0 = rng.normal(size=shape)
            lr = float(10 ** rng.uniform(-2, 0))
            cases.append(Case(f"random shape {shape}, lr={lr:.3g}", {"w": w0, "g": None, "lr": lr},
                              steps=3, grad=lambda w, s=rng.normal(size=shape): s * w + 1.0))
    return cases


def check_gd_step(gd_step, hidden: bool = False) -> int:
    """``gd_step(w, g, lr)`` must return ``w - lr * g`` without modifying ``w``."""
    return check_steps(gd_step, _ref_gd_step, _gd_cases(hidden), exercise="gd_step", returns=("w",),
                       variants=_GD_VARIANTS)
