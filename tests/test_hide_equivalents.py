"""Library functions that compute an exercise's answer under another name are guarded.

While notebook 02 is graded, `momentum_step(..., beta=0)` is `gd_step`; while 08 is graded,
`adamw_step(..., weight_decay=0)` is `adam_step`; while 10 is graded, `schedules.warmup_cosine`
is `warmup_cosine_lr`; and so on (optimlab_hide.EQUIVALENTS). The overlay the sandbox mounts
refuses exactly those calls and lets every other use through.

* each entry of the table is true: under its condition the function reproduces the
  exercise's library function (so the guard blocks a real answer, not a harmless call);
* in a real overlay, built as the grader builds it, the reducing calls raise the guard's
  message and the other uses of the same functions (a demo of centered RMSprop, AdamW with
  weight decay, Adam's own step) still return numbers.
"""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nbgrader_helpers as h

h.grader()  # autograder/ on sys.path
import optimlab_batch  # noqa: E402
import optimlab_hide  # noqa: E402

from optimlab import frame  # noqa: E402
from optimlab import optimizers as o  # noqa: E402

RNG = np.random.default_rng(7)
W, V0, M0, G = (RNG.normal(size=4) for _ in range(4))
V0 = np.abs(V0)


# Each exercise's answer, and the same numbers from the equivalent function called the way
# its guard refuses.
SAME = {
    "gd_step": (o.gd_step(W, G, 0.1), [
        o.momentum_step(W, M0, G, 0.1, 0.0)[0],
        o.heavy_ball_step(W, M0, G, 0.1, 0.0)[0],
        o.nesterov_step(W, M0, G, 0.1, 0.0)[0],
        frame.frame_step(W, M0, V0, G, 1, 0.1, "sgd")[0],
        frame.frame_step(W, M0, V0, G, 1, 0.1, "sgdm", beta1=0.0)[0]]),
    "momentum_step": (np.concatenate(o.momentum_step(W, M0, G, 0.1, 0.9)), [
        np.concatenate(frame.frame_step(W, M0, V0, G, 1, 0.1, "sgdm", beta1=0.9)[:2])]),
    "adagrad_step": (np.concatenate(o.adagrad_step(W, V0, G, 0.1, 1e-8)), [
        np.concatenate(frame.frame_step(W, M0, V0, G, 1, 0.1, "adagrad", eps=1e-8)[::2])]),
    "rmsprop_step": (np.concatenate(o.rmsprop_step(W, V0, G, 0.1, 0.9, 1e-8)), [
        np.concatenate(o.rmsprop_full_step(W, V0, 0 * W, 0 * W, G, 0.1, 0.9, 1e-8)[:2]),
        np.concatenate(frame.frame_step(W, M0, V0, G, 1, 0.1, "rmsprop", beta2=0.9, eps=1e-8)[::2])]),
    "adam_step": (np.concatenate(o.adam_step(W, M0, V0, G, 3, 0.1)), [
        np.concatenate(o.adamw_step(W, M0, V0, G, 3, 0.1, weight_decay=0.0)),
        np.concatenate(o.amsgrad_step(W, M0, V0, 0 * W, G, 3, 0.1)[:3]),
        np.concatenate(frame.frame_step(W, M0, V0, G, 3, 0.1, "adam"))]),
}


@pytest.mark.parametrize("exercise", sorted(SAME))
def test_each_equivalent_computes_the_exercise(exercise):
    expected, others = SAME[exercise]
    for got in others:
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert exercise in optimlab_hide.EQUIVALENTS


def test_every_guard_names_a_real_function_and_evaluates():
    import importlib
    import inspect

    for exercise, entries in optimlab_hide.EQUIVALENTS.items():
        for module, name, condition in entries:
            fn = importlib.import_module(module)
            for part in name.split("."):  # "Class.method" names a method
                fn = getattr(fn, part)
            params = inspect.signature(inspect.unwrap(fn)).parameters
            names = {n.id for n in ast.walk(ast.parse(condition, mode="eval")) if isinstance(n, ast.Name)}
            unknown = names - set(params) - set(vars(importlib.import_module(module))) - {"True"}
            assert not unknown, (exercise, name, unknown)


PROBE = textwrap.dedent("""
    import numpy as np
    from optimlab import averaging, frame, optimizers as o, schedules, stopping
    w, v, V, g = np.array([1.0, -2.0]), np.array([0.3, 0.1]), np.array([0.5, 0.2]), np.array([0.4, -0.6])
    def status(call):
        try:
            call()
            return "open"
        except RuntimeError as exc:
            assert "not available while the notebook is graded" in str(exc), exc
            return "blocked"
    CALLS = {
        "momentum beta=0": lambda: o.momentum_step(w, v, g, 0.1, 0.0),
        "momentum beta=0.9": lambda: o.momentum_step(w, v, g, 0.1, 0.9),
        "heavy ball mu=1e-9": lambda: o.heavy_ball_step(w, v, g, 0.1, 1e-9),
        "frame sgd": lambda: frame.frame_step(w, v, V, g, 1, 0.1, "sgd"),
        "frame sgdm": lambda: frame.frame_step(w, v, V, g, 1, 0.1, "sgdm"),
        "frame adam": lambda: frame.frame_step(w, v, V, g, 2, 0.1, "adam"),
        "first moment sgdm": lambda: frame.first_moment("sgdm", v, g, 1, 0.9),
        "rmsprop plain": lambda: o.rmsprop_full_step(w, V, 0 * w, 0 * w, g, 0.01, 0.99, 1e-8),
        "rmsprop centered": lambda: o.rmsprop_full_step(w, V + 1, 0 * w, 0 * w, g, 0.01, 0.99, 1e-8,
                                                        centered=True),
        "rmsprop momentum": lambda: o.rmsprop_full_step(w, V, 0 * w, 0 * w, g, 0.01, 0.99, 1e-8, momentum=0.9),
        "adamw no decay": lambda: o.adamw_step(w, v, V, g, 3, 0.01, weight_decay=0.0),
        "adamw decay": lambda: o.adamw_step(w, v, V, g, 3, 0.01, weight_decay=0.01),
        "amsgrad unbinding": lambda: o.amsgrad_step(w, v, V, 0 * w, g, 3, 0.01),
        "amsgrad binding": lambda: o.amsgrad_step(w, v, V, V + 10, g, 3, 0.01),
        "warmup cosine": lambda: schedules.warmup_cosine(0.1, 10, 60, 0.001)(5),
        "cosine decay": lambda: schedules.cosine_decay(0.1, 60)(5),
        "polyak average": lambda: averaging.polyak_average(np.ones((4, 2)), 1),
        "stopping epochs": lambda: stopping.stopping_epochs([3.0, 2.0, 2.5, 2.6], 2),
    }
    print({k: status(c) for k, c in CALLS.items()})
""")

# What each overlay refuses: the exercises' own functions whole (04's momentum_step and
# heavy_ball_step), the guarded calls, and library calls that go through a guarded rule
# (frame_step("adam") uses first_moment("adam"), the EMA of notebook 04).
BLOCKED = {
    "02_gradient_descent": {"momentum beta=0", "heavy ball mu=1e-9", "frame sgd"},
    "04_momentum": {"momentum beta=0", "momentum beta=0.9", "heavy ball mu=1e-9", "frame sgdm",
                    "frame adam", "first moment sgdm"},
    "07_rmsprop_adadelta": {"rmsprop plain", "frame adam"},
    # the library's functions of 10's exercises under other names; the other schedules work
    "10_schedules": {"warmup cosine", "polyak average", "stopping epochs"},
    # the frame is the exercise of 08: hidden whole there
    "08_adam": {"adamw no decay", "amsgrad unbinding", "frame sgd", "frame sgdm", "frame adam",
                "first moment sgdm"},
}


@pytest.mark.parametrize("assignment", sorted(BLOCKED))
def test_overlay_refuses_the_reducing_calls_only(assignment, tmp_path):
    hidden = optimlab_batch._hide_references(h.SOLUTIONS / assignment, tmp_path / "lib")
    assert not any("not hidden" in x for x in hidden), hidden
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path / "lib"), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = eval(proc.stdout)  # noqa: S307 - our own probe's dict of strings
    assert {k for k, v in got.items() if v == "blocked"} == BLOCKED[assignment], got
