r"""Checks for notebook 02, gradient descent: ``gd_step`` and ``run_gd``.

* ``gd_step(w, g, lr)`` returns :math:`w - \eta g` (``lr`` is :math:`\eta`) without modifying ``w``;
* ``run_gd(grad_fn, w0, lr, steps)`` returns the trajectory
  :math:`[w_0, w_1, \dots, w_T]` with :math:`w_{t+1} = w_t - \eta\,\nabla f(w_t)` and
  ``T = steps``, an array of shape ``(steps + 1, *w0.shape)`` whose first row is ``w0``.
"""
from __future__ import annotations

import numpy as np

from ..optimizers import gd_step as _gd_step
from .cases import random_shape
from .engine import Case, ExerciseFailure, Variant, _call, _fmt, check_composite, check_function, check_steps


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
    # Distinct values per coordinate first: there a sign-only, clipped, normalised or dropped gradient
    # each give their own numbers (on a scalar they coincide).
    cases = [
        Case("3 coordinates on a quadratic, lr=0.3", {"w": np.array([1.0, -2.0, 0.5]), "g": None, "lr": 0.3},
             steps=4, grad=lambda w: quad * w),
        Case("scalar parabola f(x)=x^2 from x=5, lr=0.1", {"w": np.array(5.0), "g": None, "lr": 0.1},
             steps=3, grad=lambda w: 2 * w),
    ]
    if hidden:
        for k in range(3):
            shape = random_shape(rng)
            w0 = rng.normal(size=shape)
            lr = float(10 ** rng.uniform(-2, 0))
            cases.append(Case(f"random shape {shape}, lr={lr:.3g}", {"w": w0, "g": None, "lr": lr},
                              steps=3, grad=lambda w, s=rng.normal(size=shape): s * w + 1.0))
    return cases


def check_gd_step(gd_step, hidden: bool = False) -> None:
    """``gd_step(w, g, lr)`` must return ``w - lr * g`` without modifying ``w``."""
    return check_steps(gd_step, _ref_gd_step, _gd_cases(hidden), exercise="gd_step", returns=("w",),
                       variants=_GD_VARIANTS)


# ---------------------------------------------------------------------------
# run_gd
# ---------------------------------------------------------------------------

def reference_run_gd(grad_fn, w0, lr, steps):
    r"""Gradient descent from ``w0``: rows :math:`w_0, \dots, w_T` with :math:`w_{t+1} = w_t - \eta \nabla f(w_t)`."""
    w = np.array(w0, dtype=float)  # a copy: the caller's w0 stays as it was
    traj = np.empty((steps + 1,) + w.shape)
    traj[0] = w
    for t in range(steps):
        w = _gd_step.unchecked(w, np.asarray(grad_fn(w), dtype=float), lr)
        traj[t + 1] = w
    return traj


def _ascent(grad_fn, w0, lr, steps):
    w = np.array(w0, dtype=float)
    rows = [w]
    for _ in range(steps):
        w = w + lr * np.asarray(grad_fn(w), dtype=float)
        rows.append(w)
    return np.array(rows)


def _frozen_gradient(grad_fn, w0, lr, steps):
    w = np.array(w0, dtype=float)
    g0 = np.asarray(grad_fn(w.copy()), dtype=float)
    rows = [w]
    for _ in range(steps):
        w = w - lr * g0
        rows.append(w)
    return np.array(rows)


_RUN_VARIANTS = [
    Variant(lambda grad_fn, w0, lr, steps: np.repeat(np.array(w0, float)[None], steps + 1, axis=0),
            "w never changes: every row is w0. Assign the result of each step back to w, "
            "`w = gd_step(w, grad_fn(w), lr)` (or `w = w - lr * grad_fn(w)`), before storing it"),
    Variant(_ascent,
            "the sign: this climbs uphill (gradient ascent, w + lr * g); gradient descent is w - lr * g"),
    Variant(lambda grad_fn, w0, lr, steps: np.repeat(reference_run_gd(grad_fn, w0, lr, steps)[-1:], steps + 1,
                                                       axis=0),
            "every row is the final w: the same array object was appended each time and then changed in place "
            "(`w -= ...`). Store a new array per step: `w = w - lr * g` (or append `w.copy()`)"),
    Variant(_frozen_gradient,
            "the gradient was computed once at w0 and reused: call grad_fn(w) at the current w in every step"),
]


def _run_cases(hidden: bool):
    quad = np.array([0.2, 4.0])  # the Hessian diagonal of 0.1 x^2 + 2 y^2
    cases = [
        Case("f(x) = x^2 from x0 = [5.0], lr=0.1, 10 steps",
             {"grad_fn": lambda w: 2 * w, "w0": np.array([5.0]), "lr": 0.1, "steps": 10},
             note="here x_t = 5 * 0.8**t"),
        Case("f(x, y) = 0.1 x^2 + 2 y^2 from (-4, 1.5), lr=0.3, 6 steps",
             {"grad_fn": lambda w: quad * w, "w0": np.array([-4.0, 1.5]), "lr": 0.3, "steps": 6}),
    ]
    if hidden:
        rng = np.random.default_rng(21)
        A = rng.normal(size=(2, 3))
        cases += [
            Case("a 2x3 array w0, gradient A * w + 1, lr=0.05, 5 steps",
                 {"grad_fn": lambda w: A * w + 1.0, "w0": rng.normal(size=(2, 3)), "lr": 0.05, "steps": 5},
                 note="w0 has shape (2, 3), so the trajectory has shape (6, 2, 3)"),
            Case("f(x) = x^2 from x0 = 5 given as a 0-d array np.array(5.0), lr=1.1 (diverges), 7 steps",
                 {"grad_fn": lambda w: 2 * w, "w0": np.array(5.0), "lr": 1.1, "steps": 7},
                 note="w0 has shape (), so the trajectory has shape (8,)"),
            Case("steps=0: the trajectory is just the start",
                 {"grad_fn": lambda w: quad * w, "w0": np.array([1.0, 2.0]), "lr": 0.1, "steps": 0}),
            Case("steps=1, lr=0.45 on 0.1 x^2 + 2 y^2 - 0.5 x + y",
                 {"grad_fn": lambda w: quad * w - np.array([0.5, -1.0]), "w0": np.array([3.0, 3.0]),
                  "lr": 0.45, "steps": 1}),
        ]
    return cases


def _check_run_shape(run_gd, cases):
    """Name the usual off-by-one mistakes, which the shape alone gives away."""
    for case in cases:
        inputs = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.inputs.items()}
        try:
            got = _call(run_gd, "run_gd", case.label, inputs, note=case.note)
        except ExerciseFailure as exc:
            shape = np.shape(case.inputs["w0"])
            if len(shape) != 1 and "raised" in str(exc):
                raise ExerciseFailure(
                    f"{exc}\nHere w0 has shape {shape}, and w0 may have any shape: build the trajectory with "
                    f"np.zeros((steps + 1,) + np.shape(w0)) (not len(w0), which is only the length of the first "
                    f"axis), or collect the rows in a list and return np.array(rows).") from exc
            raise
        if not np.array_equal(inputs["w0"], case.inputs["w0"]):
            raise ExerciseFailure(
                f"run_gd, case {case.label}: your function changed the caller's w0 "
                f"(it was {_fmt(case.inputs['w0'])}, afterwards it is {_fmt(inputs['w0'])}).\n"
                f"Likely mistake: `w = w0` does not copy, it gives the same array a second name, so `w -= ...` "
                f"changes w0 too. Start from a copy, `w = np.array(w0, dtype=float)`, or update with "
                f"`w = w - lr * g`, which makes a new array.")
        if got is None:
            raise ExerciseFailure(f"run_gd, case {case.label}: your function returned None: did you forget the "
                                  f"`return` statement?")
        if not isinstance(got, np.ndarray):
            raise ExerciseFailure(
                f"run_gd, case {case.label}: your function returned a {type(got).__name__}, not a numpy array. "
                f"Collect the rows in a list and return `np.array(trajectory)`.")
        steps = case.inputs["steps"]
        expected = reference_run_gd(**case.inputs)
        if got.shape == expected.shape:
            continue
        head = (f"run_gd, case {case.label}: the trajectory has shape {got.shape} but should have shape "
                f"{expected.shape} (steps + 1 rows, each of w0's shape {np.shape(case.inputs['w0'])}).")
        if got.shape == expected.shape[1:] and np.allclose(got, expected[-1]):
            hint = ("only the final w was returned: return the whole trajectory, w0 and then w after every "
                    "step (append each w to a list and return np.array(the_list))")
        elif got.shape == expected.shape[::-1] and got.ndim == 2:
            hint = ("the trajectory is transposed: it needs one ROW per step, shape (steps + 1, ...); "
                    "np.array(list_of_w) gives that (no .T)")
        elif got.size == expected.size:
            hint = ("the rows were joined along an existing axis (np.vstack, np.concatenate or a flattening): "
                    "np.array(list_of_w) stacks the w_t along a NEW first axis, keeping each row w0's shape")
        elif got.shape[1:] != expected.shape[1:]:
            hint = ("each row must be one whole parameter vector w_t of w0's shape; stack the rows with "
                    "np.array(list_of_w) (no flattening, no np.concatenate)")
        elif len(got) == steps and np.allclose(got, expected[1:]):
            hint = "the start w0 is missing: the first row of the trajectory must be w0 itself, then w_1 ... w_T"
        elif len(got) == steps and np.allclose(got, expected[:-1]):
            hint = (f"one step too few, the last w (after the final update) is missing: steps={steps} updates give "
                    f"{steps + 1} rows "
                    f"w_0 ... w_{steps}. Store w0 first, then w AFTER each update (storing w before each update "
                    f"loses the last one); loop `for _ in range(steps)`")
        elif len(got) == steps + 2:
            hint = (f"one row too many: steps={steps} means exactly {steps} updates, so {steps + 1} rows "
                    f"w_0 ... w_{steps} (is w0 stored twice, or does the loop run steps + 1 times?)")
        elif len(got) == steps:
            hint = "one row too few: store w0 first, then w after each of the `steps` updates"
        else:
            hint = "store w0, then w after each update: `steps` updates give steps + 1 rows"
        raise ExerciseFailure(f"{head}\n  got:      {_fmt(got)}\n  expected: {_fmt(expected)}\n"
                              f"Likely mistake: {hint}")


def check_run_gd(run_gd, hidden: bool = False) -> None:
    """``run_gd(grad_fn, w0, lr, steps)`` must return the array ``[w0, w1, ..., w_steps]``, leaving w0 unchanged.

    Graded on its own: if it fails only because the learner's ``gd_step`` is wrong, it passes
    with the reference ``gd_step`` in its place and says so (:func:`~.engine.check_composite`).
    """
    return check_composite(run_gd, lambda fn: _check_run_gd(fn, hidden), exercise="run_gd",
                           helpers={"gd_step": _ref_gd_step})


def _check_run_gd(run_gd, hidden: bool) -> None:
    cases = _run_cases(hidden)
    _check_run_shape(run_gd, cases)
    return check_function(run_gd, reference_run_gd, cases, exercise="run_gd", returns=("trajectory",),
                          variants=_RUN_VARIANTS)
