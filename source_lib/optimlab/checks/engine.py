"""The checking engine behind every exercise's test cell.

A check runs the learner's function and the reference implementation on the same
cases and, at the first difference, raises :class:`ExerciseFailure` (an
``AssertionError``, so nbgrader counts the cell as failed) with a message that says

* which exercise, which case and which step failed,
* what was expected and what the learner's function returned,
* the most likely mistake, found by running known wrong variants of the formula on
  the same inputs and seeing which one the learner's numbers match,

and it also catches the mistakes that numbers alone do not explain: an unimplemented
function, a missing ``return``, a result of the wrong shape, and an input array
modified in place.

Cases are chosen by the per-notebook check modules so that the usual mistakes change
the numbers (non-zero state, several steps, large epsilons, random shapes).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

__all__ = [
    "ExerciseFailure",
    "Case",
    "Variant",
    "check_function",
    "check_steps",
    "implemented_or_reference",
    "is_implemented",
]


class ExerciseFailure(AssertionError):
    """A learner's function gave a wrong answer; the message says where and why."""


@dataclass
class Variant:
    """A known wrong implementation and the hint shown when the learner's numbers match it."""

    fn: Callable
    hint: str


@dataclass
class Case:
    """Inputs for one check, in the order of the exercise's signature.

    For step functions, ``steps`` > 1 threads the returned state into the next call and
    ``grad`` (a function of ``w``) supplies each step's gradient; ``t`` advances by one
    per step when the signature has it.
    """

    label: str
    inputs: dict
    steps: int = 1
    grad: Callable | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


def _fmt(x) -> str:
    if isinstance(x, tuple):
        return "(" + ", ".join(_fmt(v) for v in x) + ")"
    if isinstance(x, np.ndarray) or np.ndim(x) > 0:
        arr = np.asarray(x)
        if arr.size > 12:
            return f"array of shape {arr.shape}, first entries {np.array2string(arr.ravel()[:6], precision=6)}"
        return np.array2string(arr, precision=8, separator=", ", suppress_small=False)
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.10g}"
    return repr(x)


def _close(a, b, rtol, atol) -> bool:
    try:
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape:
        return False
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def _as_tuple(out, n: int):
    if n == 1:
        return (out[0],) if isinstance(out, tuple) and len(out) == 1 else (out,)
    return out


def _snapshot(inputs: dict) -> dict:
    return {k: (v.copy() if isinstance(v, np.ndarray) else copy.deepcopy(v)) for k, v in inputs.items()
            if not callable(v)}


def _mutated(before: dict, after: dict) -> list[str]:
    names = []
    for k, v in before.items():
        now = after.get(k)
        if isinstance(v, np.ndarray):
            if not isinstance(now, np.ndarray) or now.shape != v.shape or not np.array_equal(now, v, equal_nan=True):
                names.append(k)
    return names


def _call(fn, exercise, label, inputs: dict):
    try:
        return fn(*inputs.values())
    except NotImplementedError:
        raise ExerciseFailure(
            f"{exercise}: not implemented yet. Replace the line `raise NotImplementedError()` in the "
            f"answer cell with your code, run that cell, then run this check again."
        ) from None
    except ExerciseFailure:
        raise
    except Exception as exc:  # the learner's code crashed: show where, keep the original traceback
        raise ExerciseFailure(
            f"{exercise}, case {label}: your function raised {type(exc).__name__}: {exc}\n"
            f"It was called with {', '.join(f'{k}={_fmt(v)}' for k, v in inputs.items() if not callable(v))}."
        ) from exc


def _structure_problem(got, names: Sequence[str], expected) -> str | None:
    n = len(names)
    if got is None:
        return "your function returned None: did you forget the `return` statement?"
    if n > 1:
        if not isinstance(got, (tuple, list)):
            return (f"your function must return a tuple ({', '.join(names)}) of {n} items, "
                    f"but it returned a single {type(got).__name__}")
        if len(got) != n:
            return (f"your function must return ({', '.join(names)}), {n} items, "
                    f"but it returned {len(got)} items")
    got_t = _as_tuple(got, n)
    exp_t = _as_tuple(expected, n)
    for name, g, e in zip(names, got_t, exp_t):
        if g is None:
            return f"`{name}` is None: did you forget to compute or return it?"
        try:
            g_shape = np.shape(np.asarray(g, dtype=float))
        except (TypeError, ValueError):
            return f"`{name}` should be numbers, but it is {type(g).__name__} {g!r:.60}"
        if g_shape != np.shape(e):
            return (f"`{name}` has shape {g_shape} but should have shape {np.shape(e)} "
                    f"(was something summed, averaged or broadcast that should not be?)")
    return None


def _explain(fn_out, variants, args_for_variants, names, rtol, atol) -> str | None:
    """The hints of every known wrong variant that reproduces the learner's numbers on this case.

    On a small case two different mistakes can give the same numbers (in 1-D, ``g / |g|`` is
    ``1`` when ``g > 0``, so normalising the gradient looks like dropping it); then all of them
    are named rather than guessing one.
    """
    hints = []
    for variant in variants:
        try:
            v_out = variant.fn(*copy.deepcopy(list(args_for_variants.values())))
        except Exception:  # a variant that cannot run on this case simply does not match
            continue
        v_t = _as_tuple(v_out, len(names))
        g_t = _as_tuple(fn_out, len(names))
        if len(v_t) == len(g_t) and all(_close(g, v, rtol, atol) for g, v in zip(g_t, v_t)):
            if variant.hint not in hints:
                hints.append(variant.hint)
    return "\n  or: ".join(hints) if hints else None


def _mismatch(got, expected, names, rtol, atol):
    for name, g, e in zip(names, _as_tuple(got, len(names)), _as_tuple(expected, len(names))):
        if not _close(g, e, rtol, atol):
            diff = np.max(np.abs(np.asarray(g, dtype=float) - np.asarray(e, dtype=float)))
            return name, g, e, diff
    return None


def _report(exercise, label, step_text, name, got, expected, diff, hint, inputs, note):
    lines = [
        f"{exercise}, case {label}{step_text}: `{name}` is wrong.",
        f"  expected: {_fmt(expected)}",
        f"  got:      {_fmt(got)}",
        f"  (largest difference {diff:.3g})",
    ]
    shown = {k: v for k, v in inputs.items() if not callable(v)}
    lines.append("  inputs:   " + ", ".join(f"{k}={_fmt(v)}" for k, v in shown.items()))
    if note:
        lines.append(f"  note:     {note}")
    if hint:
        lines.append(f"Likely mistake: {hint}")
    else:
        lines.append("Compare your code with the formula above the exercise, one line at a time.")
    return "\n".join(lines)


def check_function(
    fn: Callable,
    reference: Callable,
    cases: Sequence[Case],
    *,
    exercise: str,
    returns: Sequence[str] = ("result",),
    variants: Sequence[Variant] = (),
    rtol: float = 1e-7,
    atol: float = 1e-10,
    quiet: bool = False,
) -> None:
    """Check a function that is called once per case (a loss, a gradient, an EMA, ...).

    Prints a one-line success message and returns None: nbgrader reads a number shown as a
    test cell's result as partial credit, so a check must not return one.
    """
    if not callable(fn):
        raise ExerciseFailure(f"{exercise}: expected your function, got {type(fn).__name__} {fn!r:.60}")
    for case in cases:
        inputs = copy.deepcopy(case.inputs)
        before = _snapshot(inputs)
        got = _call(fn, exercise, case.label, inputs)
        expected = reference(*copy.deepcopy(list(case.inputs.values())))
        changed = _mutated(before, inputs)
        if changed:
            raise ExerciseFailure(
                f"{exercise}, case {case.label}: your function modified its input `{changed[0]}` in place "
                f"(for example with `{changed[0]} -= ...` or `{changed[0]}[...] = ...`). Compute and return a new "
                f"array instead (`new = {changed[0]} - ...`), so the caller's data is left as it was."
            )
        problem = _structure_problem(got, returns, expected)
        if problem:
            raise ExerciseFailure(f"{exercise}, case {case.label}: {problem}")
        bad = _mismatch(got, expected, returns, rtol, atol)
        if bad:
            name, g, e, diff = bad
            hint = _explain(got, variants, case.inputs, returns, rtol, atol)
            raise ExerciseFailure(_report(exercise, case.label, "", name, g, e, diff, hint, case.inputs, case.note))
    if not quiet:
        print(f"{exercise}: all {len(cases)} cases passed.")


def check_steps(
    fn: Callable,
    reference: Callable,
    cases: Sequence[Case],
    *,
    exercise: str,
    returns: Sequence[str],
    variants: Sequence[Variant] = (),
    rtol: float = 1e-7,
    atol: float = 1e-10,
    quiet: bool = False,
) -> None:
    """Check an optimizer step function over several steps from the cases' (non-zero) state.

    ``returns`` names the outputs, e.g. ``("w", "v")``; each output is fed back into the
    input of the same name for the next step. If a case has ``grad``, each step's ``g``
    is ``grad(w)`` at the learner's current ``w``; ``t`` advances by one per step.
    Prints a one-line success message and returns None (see :func:`check_function`).
    """
    if not callable(fn):
        raise ExerciseFailure(f"{exercise}: expected your function, got {type(fn).__name__} {fn!r:.60}")
    total = 0
    for case in cases:
        inputs = copy.deepcopy(case.inputs)
        for step in range(1, case.steps + 1):
            if case.grad is not None:
                inputs["g"] = np.asarray(case.grad(inputs["w"]), dtype=float)
            step_text = f", step {step} of {case.steps}" if case.steps > 1 else ""
            call_inputs = copy.deepcopy(inputs)
            before = _snapshot(call_inputs)
            got = _call(fn, exercise, case.label + step_text, call_inputs)
            expected = reference(*copy.deepcopy(list(inputs.values())))
            changed = _mutated(before, call_inputs)
            if changed:
                raise ExerciseFailure(
                    f"{exercise}, case {case.label}{step_text}: your function modified its input "
                    f"`{changed[0]}` in place (for example `{changed[0]} -= ...` or `{changed[0]} *= ...`). "
                    f"Compute a new array (`{changed[0]} = {changed[0]} - ...`) so the caller's state is not "
                    f"changed behind its back."
                )
            problem = _structure_problem(got, returns, expected)
            if problem:
                raise ExerciseFailure(f"{exercise}, case {case.label}{step_text}: {problem}")
            bad = _mismatch(got, expected, returns, rtol, atol)
            if bad:
                name, g, e, diff = bad
                hint = _explain(got, variants, inputs, returns, rtol, atol)
                if hint is None and step > 1:
                    hint = ("the first steps were right, so the formula is nearly right: check how the "
                            "state (and the step counter t, if any) carries over from one step to the next")
                raise ExerciseFailure(_report(exercise, case.label, step_text, name, g, e, diff, hint,
                                              inputs, case.note))
            for name, value in zip(returns, _as_tuple(got, len(returns))):
                inputs[name] = np.asarray(value, dtype=float)
            if "t" in inputs:
                inputs["t"] = inputs["t"] + 1
            total += 1
    if not quiet:
        print(f"{exercise}: all {len(cases)} cases passed ({total} steps checked).")


def is_implemented(fn: Callable, *args, **kwargs) -> bool:
    """True unless calling ``fn(*args, **kwargs)`` raises ``NotImplementedError``."""
    try:
        fn(*args, **kwargs)
    except NotImplementedError:
        return False
    except Exception:
        return True  # implemented, if perhaps wrong: let the demo show what it does
    return True


def implemented_or_reference(fn: Callable | None, reference: Callable, *probe_args, name: str | None = None,
                             **probe_kwargs) -> Callable:
    """For demo and widget cells: the learner's ``fn`` if it is implemented, else ``reference``.

    Calls ``fn`` once on the probe arguments; if it raises ``NotImplementedError`` (an
    exercise not done yet), prints a note and returns the reference implementation so
    that the demo still runs.
    """
    label = name or getattr(fn, "__name__", "your function")
    if fn is not None and is_implemented(fn, *probe_args, **probe_kwargs):
        return fn
    where = f"{getattr(reference, '__module__', 'optimlab')}.{getattr(reference, '__name__', 'implementation')}"
    if where.startswith("optimlab.optimizers."):
        where = "optimlab." + where.rsplit(".", 1)[1]
    print(f"Note: {label} is not implemented yet, so this demo uses the reference implementation "
          f"({where}) instead. "
          f"Come back after the exercise to see your own version.")
    return reference
