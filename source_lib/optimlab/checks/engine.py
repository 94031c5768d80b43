"""The checking engine behind every exercise's test cell.

A check runs the learner's function and the reference implementation on the same
cases and, at the first difference, raises :class:`ExerciseFailure` (an
``AssertionError``, so nbgrader counts the cell as failed) with a short message that says

* which exercise, which case and which step failed, what was expected and what the
  learner's function returned;
* where: which output is wrong and which are right, whether earlier steps were right
  (then the state's recurrence is suspect) or already the first (then the update), which
  entries (one entry, two swapped, reversed, transposed);
* the likely mistake: first the exercise's own known wrong variants that reproduce the
  learner's numbers, then the usual confusions found automatically by re-running the
  reference on altered inputs (``beta`` and ``1 - beta`` swapped, ``t`` off by one, ``lr``
  or ``eps`` left out, two arguments exchanged, results in another order), then how the
  numbers relate (a factor 2, N, 1/N, N/(N-1), lr, 1 - beta, ...; a sign, an offset, a
  power, only the sign kept, clipped, the old value returned); see
  :mod:`optimlab.checks.diagnosis`. When several explanations fit, all are named.

It also catches what numbers alone do not explain: an unimplemented function (or an
unimplemented helper it calls), a missing ``return``, a result of the wrong shape, an
input modified in place, and, once a case passes with float inputs, the same case with
integer arrays (``np.zeros_like`` of an integer array truncates) and, where an exercise
allows them, plain lists.

**Composite exercises** (``run_gd`` calls the learner's ``gd_step``) pass ``helpers``:
when the learner's function fails, it is checked again with the reference helpers in
its namespace (restored afterwards); if it passes then, it gets its points, and the
message says that the helper is what is wrong.

In a notebook, a failure shows only its message (no library frames): IPython calls
:meth:`ExerciseFailure._render_traceback_`. Released test cells carry the
``raises-exception`` tag, so Run All goes on past a failing check while nbgrader still
scores the cell zero.

Cases are chosen by the per-notebook check modules so that the usual mistakes change
the numbers (non-zero state, several steps, large epsilons, beta far from 0.5, lr far
from 1, distinct values per coordinate); :func:`coinciding_variants` tests that.
"""
from __future__ import annotations

import contextlib
import copy
import io
import os
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from . import diagnosis

__all__ = [
    "ExerciseFailure",
    "Case",
    "Variant",
    "check_function",
    "check_steps",
    "check_composite",
    "coinciding_variants",
    "implemented_or_reference",
    "is_implemented",
]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ExerciseFailure(AssertionError):
    """A learner's function gave a wrong answer; the message says where and why."""

    def _render_traceback_(self):
        # IPython shows these lines instead of a traceback through the library's frames:
        # the message is the whole story, and nbgrader still sees an error in the cell.
        lines = str(self).splitlines() or [""]
        return [f"\x1b[0;31mExerciseFailure\x1b[0m: {lines[0]}"] + lines[1:]


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
    return diagnosis._close(a, b, rtol, atol)


def _as_tuple(out, n: int):
    if n == 1:
        return (out[0],) if isinstance(out, tuple) and len(out) == 1 else (out,)
    return tuple(out)


def _snapshot(inputs: dict) -> dict:
    return {k: (v.copy() if isinstance(v, np.ndarray) else copy.deepcopy(v)) for k, v in inputs.items()
            if not callable(v)}


def _changed(name: str, old, new, container=None) -> list[tuple[str, object]]:
    """Where ``new`` (the caller's input after the call) differs from its snapshot ``old``, as
    (name, what changed): the arrays, also those inside lists, tuples and dicts (a list of
    gradients changed entry by entry, `grads[1] *= scale`), and the lists and dicts
    themselves (`.sort()`, `.append`: then the list is what changed)."""
    if isinstance(old, np.ndarray):
        same = isinstance(new, np.ndarray) and new.shape == old.shape and np.array_equal(new, old, equal_nan=True)
        return [] if same else [(name, old)]
    if isinstance(old, (list, tuple)):
        if type(new) is not type(old) or len(new) != len(old):
            return [(name, old)]
        return [c for i, (o, x) in enumerate(zip(old, new)) for c in _changed(f"{name}[{i}]", o, x, (name, old))]
    if isinstance(old, dict):
        if not isinstance(new, dict) or new.keys() != old.keys():
            return [(name, old)]
        return [c for k in old for c in _changed(f"{name}[{k!r}]", old[k], new[k], (name, old))]
    if isinstance(old, (float, int, str, bool, type(None))) and container is not None:  # a number in a list
        same = type(new) is type(old) and (new == old or (new != new and old != old))
        return [] if same else [container]
    return []


def _mutated(before: dict, after: dict) -> list[tuple[str, object]]:
    return [c for k, v in before.items() if isinstance(v, (np.ndarray, list, tuple, dict))
            for c in _changed(k, v, after.get(k))]


# What a crash usually means in these exercises, by the words of numpy's or Python's message.
_CRASH_HINTS = [
    (("len() of unsized object", "iteration over a 0-d array", "too many indices for array",
      "invalid index to scalar variable"),
     "the inputs may have any shape, including a single number (shape ()): use whole-array numpy operations "
     "(w - lr * g), or loop over np.ndindex(w.shape), instead of range(len(w)) and w[i]"),
    (("could not be broadcast together",),
     "two arrays of different shapes were combined: print their .shape; an axis may be missing or transposed "
     "(use the shapes the docstring gives). A loop over range(len(w)) visits the rows of a 2-D w, not its "
     "entries: loop over np.ndindex(w.shape)"),
    (("Cannot cast ufunc",),
     "an in-place operation (`x -= ...`, `x *= ...`) on an integer array cannot store a fraction: write "
     "`x = x - ...`, or convert first with np.asarray(x, dtype=float)"),
    (("unsupported operand type", "can't multiply sequence", "can only concatenate list"),
     "arithmetic on a plain list (or a tuple) does not work element by element: convert first, "
     "`x = np.asarray(x, dtype=float)`"),
    (("is out of bounds", "list index out of range"),
     "an index runs past the end: a loop bound or an index is off by one (range(n) runs 0 .. n-1)"),
    (("truth value of an array",),
     "Python's `max`, `min`, `if` or `and` got an array: they need one number. For an elementwise maximum use "
     "np.maximum(a, b) (np.minimum for the minimum), and for a condition per entry use np.where"),
    (("bitwise_xor",),
     "`^` is bitwise XOR in Python, not a power: write x**2 (or np.square(x))"),
    (("is not defined",),
     "a name is used that does not exist here: a typo, or a variable from another cell; use the function's "
     "arguments"),
    (("missing 1 required positional argument", "positional arguments but", "unexpected keyword argument"),
     "the function's parameters do not match the exercise's def line: keep its signature exactly"),
]


def _crash_hint(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    for needles, hint in _CRASH_HINTS:
        if any(n in text for n in needles):
            return f"\nLikely mistake: {hint}."
    return ""


def _learner_frame(exc: BaseException) -> str:
    """The innermost line of the learner's own code in a traceback (not the library's)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR)]
    if not frames:
        return ""
    f = frames[-1]
    line = (f.line or "").strip()
    return f"\n  in {f.name}, line {f.lineno}" + (f": {line}" if line else "")


def _innermost_function(exc: BaseException) -> str | None:
    tb = exc.__traceback__
    name = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    return name


def not_implemented(exercise: str, fn, exc: BaseException | None = None) -> ExerciseFailure:
    """The failure for an exercise (or a helper it calls) that still raises NotImplementedError."""
    own = getattr(fn, "__name__", exercise)
    inner = _innermost_function(exc) if exc is not None else None
    if inner not in (None, own, exercise, "<lambda>"):
        return ExerciseFailure(
            f"{exercise}: it calls `{inner}`, which is not implemented yet. Do that exercise first (replace its "
            f"`raise NotImplementedError()` with your code and run its cell), then run this check again.")
    return ExerciseFailure(
        f"{exercise}: not implemented yet. Replace the line `raise NotImplementedError()` in the "
        f"answer cell with your code, run that cell, then run this check again.")


def _shown(inputs: dict) -> str:
    return ", ".join(f"{k}={_fmt(v)}" for k, v in inputs.items() if not callable(v))


def _call(fn, exercise, label, inputs: dict, how: str = "", note: str = ""):
    try:
        with warnings.catch_warnings():
            # A learner's overflow or 0/0 shows up as a wrong number below; numpy's warning adds nothing.
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(*inputs.values())
    except NotImplementedError as exc:
        raise not_implemented(exercise, fn, exc) from None
    except ExerciseFailure:
        raise
    except Exception as exc:  # the learner's code crashed: show its own line, not the library's frames
        raise ExerciseFailure(
            f"{exercise}, case {label}{how}: your function raised {type(exc).__name__}: {exc}"
            f"{_learner_frame(exc)}\n"
            f"It was called with {_shown(inputs)}." + (f"\n  note: {note}" if note else "") + _crash_hint(exc)
        ) from exc


def _structure_problem(got, names: Sequence[str], expected, inputs: dict | None = None) -> str | None:
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
    if n > 1:
        try:
            g_shapes = [np.shape(np.asarray(g, dtype=float)) for g in got_t]
        except (TypeError, ValueError):
            g_shapes = None
        e_shapes = [np.shape(e) for e in exp_t]
        if g_shapes is not None and g_shapes != e_shapes and sorted(map(str, g_shapes)) == sorted(map(str, e_shapes)):
            return (f"the results have the shapes {', '.join(map(str, g_shapes))}, but ({', '.join(names)}) have the "
                    f"shapes {', '.join(map(str, e_shapes))}: the results are in the wrong order; return "
                    f"({', '.join(names)}), in that order")
    for name, g, e in zip(names, got_t, exp_t):
        if g is None:
            return f"`{name}` is None: did you forget to compute or return it?"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                g_shape = np.shape(np.asarray(g, dtype=float))
        except (TypeError, ValueError):
            return f"`{name}` should be numbers, but it is {type(g).__name__} {g!r:.60}"
        if g_shape != np.shape(e):
            hint = "(was something summed, averaged or broadcast that should not be?)"
            e_arr = np.asarray(e, dtype=float)
            if e_arr.ndim >= 1 and len(e_arr) > 1 and g_shape == e_arr.shape[1:] and _close(g, e_arr[-1], 1e-7, 1e-10):
                return (f"`{name}` is only the last entry of the correct result (shape {np.shape(e)}): return every "
                        f"entry, collected in the loop (append each one to a list and return np.array(the_list)), "
                        f"not just the final value")
            if g_shape == np.shape(e)[::-1] and len(g_shape) == 2:
                hint = "(the transpose of the right shape: is an axis swapped?)"
            elif len(g_shape) == 1 and inputs and g_shape[0] in diagnosis._sizes(inputs):
                hint = (f"(one entry per example of `{diagnosis._sizes(inputs)[g_shape[0]]}`: a sum or mean over "
                        f"the wrong axis? Sum over the examples, axis=0, and keep one entry per parameter)")
            elif int(np.prod(g_shape)) == int(np.prod(np.shape(e))):
                hint = "(the right number of entries in another shape: was it flattened or reshaped?)"
            return f"`{name}` has shape {g_shape} but should have shape {np.shape(e)} {hint}"
    return None


def _variant_hints(fn_out, variants, args_for_variants, names, rtol, atol) -> list[str]:
    """The hints of every known wrong variant that reproduces the learner's numbers on this case.

    On a small case two different mistakes can give the same numbers; then all of them
    are named rather than guessing one.
    """
    hints = []
    for variant in variants:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                v_out = variant.fn(*copy.deepcopy(list(args_for_variants.values())))
        except Exception:  # a variant that cannot run on this case simply does not match
            continue
        v_t = _as_tuple(v_out, len(names))
        g_t = _as_tuple(fn_out, len(names))
        if len(v_t) == len(g_t) and all(_close(g, v, rtol, atol) for g, v in zip(g_t, v_t)):
            if variant.hint not in hints:
                hints.append(variant.hint)
    return hints


def _wrong_outputs(got, expected, names, rtol, atol) -> list[str]:
    return [name for name, g, e in zip(names, _as_tuple(got, len(names)), _as_tuple(expected, len(names)))
            if not _close(g, e, rtol, atol)]


def _diagnose(got, expected, names, inputs, reference, variants, rtol, atol, step=None, steps=1):
    """(where-lines, hints) for a wrong answer: see the module docstring for the order."""
    got_t, exp_t = _as_tuple(got, len(names)), _as_tuple(expected, len(names))
    wrong = _wrong_outputs(got, expected, names, rtol, atol)
    where: list[str] = []
    right = [n for n in names if n not in wrong]
    if right and wrong:
        where.append(f"{', '.join(f'`{n}`' for n in right)} {'is' if len(right) == 1 else 'are'} right, "
                     f"{', '.join(f'`{n}`' for n in wrong)} wrong: the mistake is in the line that computes "
                     f"{', '.join(f'`{n}`' for n in wrong)}")
    if steps > 1 and step is not None:
        if step > 1:
            where.append(f"the first steps were right (up to step {step - 1}), so the formula is nearly right: check "
                         f"how the state "
                         f"(and the step counter t, if any) carries over from one step to the next, and any term "
                         f"that only matters once the state is non-zero")
        else:
            where.append("already the first step is wrong: the update formula itself")
    for n in wrong:
        i = list(names).index(n)
        where += diagnosis.localise(n, got_t[i], exp_t[i], rtol, atol)

    hints = _variant_hints(got, variants, inputs, names, rtol, atol)
    if not hints:
        # The exercise's own variants word a mistake best; the automatic search is for the rest.
        fail = diagnosis.Failure(tuple(names), inputs, exp_t, got_t, rtol, atol, reference)
        hints = diagnosis.confusions(fail)
    if not hints:
        for n in wrong:
            i = list(names).index(n)
            hints += [h for h in diagnosis.relate(n, got_t[i], exp_t[i], inputs, rtol, atol) if h not in hints]
    return where, hints


def _report(exercise, label, step_text, wrong, got, expected, diff, hints, where, inputs, note, how=""):
    if len(wrong) > 1:
        head = f"{' and '.join(f'`{n}`' for n in wrong)} are wrong; the first, `{wrong[0]}`:"
    else:
        head = f"`{wrong[0]}` is wrong."
    lines = [
        f"{exercise}, case {label}{step_text}{how}: {head}",
        f"  expected: {_fmt(expected)}",
        f"  got:      {_fmt(got)}",
        f"  (largest difference {diff:.3g})",
        "  inputs:   " + _shown(inputs),
    ]
    if note:
        lines.append(f"  note:     {note}")
    for w in where:
        lines.append(f"  where:    {w}")
    if len(hints) > 3:
        # Many explanations reproducing one number (an integer answer, say) are weak evidence each.
        hints = hints[:3] + [f"({len(hints) - 3} more explanations give the same numbers here)"]
    if hints:
        lines.append("Likely mistake: " + "\n  or: ".join(hints))
    else:
        lines.append("Compare your code with the formula above the exercise, one line at a time.")
    return "\n".join(lines)


def _largest_difference(g, e) -> float:
    with np.errstate(all="ignore"):
        d = np.abs(np.asarray(g, dtype=float) - np.asarray(e, dtype=float))
    return float(np.nanmax(d)) if d.size and not np.all(np.isnan(d)) else float("nan")


def _fail_on(exercise, label, step_text, got, expected, names, inputs, reference, variants, rtol, atol, note,
             step=None, steps=1, how=""):
    wrong = _wrong_outputs(got, expected, names, rtol, atol)
    if not wrong:
        return
    i = list(names).index(wrong[0])
    g, e = _as_tuple(got, len(names))[i], _as_tuple(expected, len(names))[i]
    where, hints = _diagnose(got, expected, names, inputs, reference, variants, rtol, atol, step, steps)
    raise ExerciseFailure(_report(exercise, label, step_text, wrong, g, e, _largest_difference(g, e), hints,
                                  where, inputs, note, how))


def _in_place_failure(exercise, label, step_text, name, value=None) -> ExerciseFailure:
    if isinstance(value, (list, dict)):  # the container itself changed
        return ExerciseFailure(
            f"{exercise}, case {label}{step_text}: your function changed the {type(value).__name__} `{name}` it was "
            f"given (for example with `{name}.sort()`, `{name}.append(...)`, `{name}.pop()` or `{name}[i] = ...`). "
            f"Work on a copy (`sorted({name})`, `list({name})`) so the caller's data is left as it was.")
    return ExerciseFailure(
        f"{exercise}, case {label}{step_text}: your function modified its input `{name}` in place "
        f"(for example with `{name} -= ...`, `{name} *= ...` or `{name}[...] = ...`). Compute and return a new "
        f"array instead (`{name} = {name} - ...` makes one), so the caller's data is left as it was.")


# ---------------------------------------------------------------------------
# Integer and list inputs: the same case, given the way a learner may give it
# ---------------------------------------------------------------------------

_INT_HINT = ("an array made from an integer array holds integers: np.zeros_like(x), np.empty_like(x) or x.copy() "
             "of integer input truncate every value stored in them, and `x -= ...` on integers cannot store a "
             "fraction. Make float arrays (np.zeros(x.shape), np.zeros_like(x, dtype=float)) or convert first with "
             "np.asarray(x, dtype=float), and write `x = x - ...`")


def _integer_version(inputs: dict) -> tuple[dict, list[str]]:
    out, names = dict(inputs), []
    for k, v in inputs.items():
        if isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.size and np.all(np.isfinite(v)) \
                and np.all(v == np.round(v)) and np.all(np.abs(v) < 2 ** 31):
            out[k] = v.astype(np.int64)
            names.append(k)
    return out, names


def _list_version(inputs: dict, list_args: Sequence[str]) -> tuple[dict, list[str]]:
    out, names = dict(inputs), []
    for k in list_args:
        v = inputs.get(k)
        if isinstance(v, np.ndarray) and v.ndim >= 1:
            out[k] = v.tolist()
            names.append(k)
    return out, names


def _try_other_forms(fn, exercise, label, step_text, inputs, expected, names, list_args, rtol, atol,
                     integer=True):
    """Run a case that passed with float arrays again with integer arrays and, if allowed, lists."""
    forms = []
    int_inputs, int_names = _integer_version(inputs)
    if int_names and integer:
        forms.append((int_inputs, int_names, "integers", _INT_HINT))
    list_inputs, list_names = _list_version(inputs, list_args)
    if list_names:
        forms.append((list_inputs, list_names, "a plain Python list",
                      "the exercise accepts lists as well as arrays: convert first, "
                      "`x = np.asarray(x, dtype=float)`, then compute with the array"))
    for form_inputs, form_names, kind, hint in forms:
        which = ", ".join(f"`{n}`" for n in form_names)
        how = f", with {which} given as {kind} ({_shown({n: form_inputs[n] for n in form_names})})"
        try:
            got = _call(fn, exercise, label + step_text, copy.deepcopy(form_inputs), how=how)
        except ExerciseFailure as exc:
            if "not implemented" in str(exc):
                raise
            if "Likely mistake:" in str(exc):
                raise ExerciseFailure(f"{exc}\n  or, since it passed with float arrays: {hint}.") from None
            raise ExerciseFailure(f"{exc}\nIt passed with float arrays. Likely mistake: {hint}.") from None
        problem = _structure_problem(got, names, expected)
        if problem:
            raise ExerciseFailure(f"{exercise}, case {label}{step_text}{how}: {problem}\nIt passed with float "
                                  f"arrays. Likely mistake: {hint}.")
        wrong = _wrong_outputs(got, expected, names, rtol, atol)
        if wrong:
            i = list(names).index(wrong[0])
            g, e = _as_tuple(got, len(names))[i], _as_tuple(expected, len(names))[i]
            raise ExerciseFailure(_report(exercise, label, step_text, wrong, g, e, _largest_difference(g, e),
                                          [f"{hint} (the same case passed with float arrays)"], [], form_inputs,
                                          "", how))


# ---------------------------------------------------------------------------
# The two checks
# ---------------------------------------------------------------------------

def _require_callable(fn, exercise):
    if not callable(fn):
        raise ExerciseFailure(f"{exercise}: expected your function, got {type(fn).__name__} {fn!r:.60}")


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
    integer_inputs: bool = True,
    list_args: Sequence[str] = (),
    helpers: dict | None = None,
) -> None:
    """Check a function that is called once per case (a loss, a gradient, an EMA, ...).

    Each case that passes is run again with its integral float arrays as integer arrays
    (``integer_inputs``) and the inputs named in ``list_args`` as plain lists. With
    ``helpers`` (``{"gd_step": reference_gd_step}``) the check is composite: see
    :func:`check_composite`. Prints a one-line success message and returns None: nbgrader
    reads a number shown as a test cell's result as partial credit, so a check must not
    return one.
    """
    if helpers:
        return check_composite(fn, lambda f: check_function(
            f, reference, cases, exercise=exercise, returns=returns, variants=variants, rtol=rtol, atol=atol,
            quiet=quiet, integer_inputs=integer_inputs, list_args=list_args), exercise=exercise, helpers=helpers)
    _require_callable(fn, exercise)
    for case in cases:
        inputs = copy.deepcopy(case.inputs)
        before = _snapshot(inputs)
        got = _call(fn, exercise, case.label, inputs, note=case.note)
        expected = reference(*copy.deepcopy(list(case.inputs.values())))
        changed = _mutated(before, inputs)
        if changed:
            raise _in_place_failure(exercise, case.label, "", *changed[0])
        problem = _structure_problem(got, returns, expected, inputs)
        if problem:
            raise ExerciseFailure(f"{exercise}, case {case.label}: {problem}")
        _fail_on(exercise, case.label, "", got, expected, returns, case.inputs, reference, variants, rtol, atol,
                 case.note)
        _try_other_forms(fn, exercise, case.label, "", case.inputs, expected, returns, list_args, rtol, atol,
                         integer=integer_inputs)
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
    integer_inputs: bool = True,
    list_args: Sequence[str] = (),
    helpers: dict | None = None,
) -> None:
    """Check an optimizer step function over several steps from the cases' (non-zero) state.

    ``returns`` names the outputs, e.g. ``("w", "v")``; each output is fed back into the
    input of the same name for the next step. If a case has ``grad``, each step's ``g``
    is ``grad(w)`` at the learner's current ``w``; ``t`` advances by one per step. The
    first step of each case is also run with integer arrays where its values are whole
    numbers (and with lists for ``list_args``).
    Prints a one-line success message and returns None (see :func:`check_function`).
    """
    if helpers:
        return check_composite(fn, lambda f: check_steps(
            f, reference, cases, exercise=exercise, returns=returns, variants=variants, rtol=rtol, atol=atol,
            quiet=quiet, integer_inputs=integer_inputs, list_args=list_args), exercise=exercise, helpers=helpers)
    _require_callable(fn, exercise)
    total = 0
    for case in cases:
        inputs = copy.deepcopy(case.inputs)
        for step in range(1, case.steps + 1):
            if case.grad is not None:
                inputs["g"] = np.asarray(case.grad(inputs["w"]), dtype=float)
            step_text = f", step {step} of {case.steps}" if case.steps > 1 else ""
            call_inputs = copy.deepcopy(inputs)
            before = _snapshot(call_inputs)
            got = _call(fn, exercise, case.label + step_text, call_inputs, note=case.note)
            expected = reference(*copy.deepcopy(list(inputs.values())))
            changed = _mutated(before, call_inputs)
            if changed:
                raise _in_place_failure(exercise, case.label, step_text, *changed[0])
            problem = _structure_problem(got, returns, expected, inputs)
            if problem:
                raise ExerciseFailure(f"{exercise}, case {case.label}{step_text}: {problem}")
            _fail_on(exercise, case.label, step_text, got, expected, returns, inputs, reference, variants, rtol,
                     atol, case.note, step=step, steps=case.steps)
            if step == 1:
                first = (step_text, copy.deepcopy(inputs), expected)
            for name, value in zip(returns, _as_tuple(got, len(returns))):
                inputs[name] = np.asarray(value, dtype=float)
            if "t" in inputs:
                inputs["t"] = inputs["t"] + 1
            total += 1
        if integer_inputs or list_args:
            # After the whole case, so that a learner's function that keeps state of its own between
            # calls is checked step by step exactly as it would be used.
            step_text, first_inputs, expected = first
            _try_other_forms(fn, exercise, case.label, step_text, first_inputs, expected, returns, list_args, rtol,
                             atol, integer=integer_inputs)
    if not quiet:
        print(f"{exercise}: all {len(cases)} cases passed ({total} steps checked).")


# ---------------------------------------------------------------------------
# Composite exercises: graded on their own, whatever the helpers they call
# ---------------------------------------------------------------------------

@contextlib.contextmanager
def reference_helpers(fn: Callable, helpers: dict):
    """Temporarily put the reference ``helpers`` into ``fn``'s namespace; yields the names replaced.

    A notebook function's globals are the notebook's namespace, so this is what the
    learner's ``run_gd`` sees when it calls ``gd_step``. Everything is put back afterwards.
    """
    namespace = getattr(fn, "__globals__", None)
    names = [n for n in helpers if isinstance(namespace, dict) and n in namespace and namespace[n] is not helpers[n]]
    saved = {n: namespace[n] for n in names}
    try:
        for n in names:
            namespace[n] = helpers[n]
        yield names
    finally:
        for n, v in saved.items():
            namespace[n] = v


def check_composite(fn: Callable, run: Callable[[Callable], None], *, exercise: str, helpers: dict) -> None:
    """Grade an exercise that calls earlier exercises' functions on its own.

    ``run(fn)`` is the exercise's whole check. If it fails, it is run again with the
    reference implementations of ``helpers`` (name -> reference) in ``fn``'s namespace. If
    it passes then, the exercise is right and gets its points, and the message says that
    the helper is wrong; if it still fails, the failure is the exercise's own.
    """
    _require_callable(fn, exercise)
    try:
        run(fn)
        return
    except ExerciseFailure as exc:
        own = exc
    namespace = getattr(fn, "__globals__", {})
    own_values = {n: namespace[n] for n in helpers if isinstance(namespace, dict) and n in namespace}
    with reference_helpers(fn, helpers) as replaced:
        if not replaced:
            raise own
        listed = ", ".join(f"`{n}`" for n in replaced)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                run(fn)
        except ExerciseFailure as again:
            if "not implemented yet" in str(again) and "it calls" not in str(again):
                raise again from None
            if str(again) == str(own):
                raise again from None  # the helpers made no difference: the mistake is the exercise's own
            raise ExerciseFailure(f"{again}\n(This check also ran your {exercise} with the reference {listed} in "
                                  f"place of yours, and it still fails: the mistake is in {exercise} itself.)") \
                from None
        culprits = replaced
        if len(replaced) > 1:
            # Which of the learner's helpers break it: put each one back alone.
            culprits = []
            for name in replaced:
                with reference_helpers(fn, {name: own_values[name]}):
                    try:
                        with contextlib.redirect_stdout(io.StringIO()):
                            run(fn)
                    except ExerciseFailure:
                        culprits.append(name)
            culprits = culprits or replaced
    first = str(own).splitlines()[0]
    wrong = ", ".join(f"`{n}`" for n in culprits)
    print(f"{exercise}: your {exercise} is right: all cases pass with the reference {wrong}.\n"
          f"It failed with your {wrong}, which {'is' if len(culprits) == 1 else 'are'} wrong: see "
          f"{'that exercise' + chr(39) + 's check' if len(culprits) == 1 else 'those exercises' + chr(39) + ' checks'}."
          f"\n"
          f"  (with yours: {first})")


# ---------------------------------------------------------------------------
# Tools for check modules and their tests
# ---------------------------------------------------------------------------

def coinciding_variants(reference: Callable, variants: Sequence[Variant], case: Case,
                        returns: Sequence[str] = ("result",), rtol=1e-7, atol=1e-10) -> list[tuple[str, str]]:
    """Pairs of hints (or "reference") whose numbers coincide on ``case``'s first call.

    A good first case has none: there, every known mistake gives its own numbers, so the
    hint names exactly one. Check modules' tests assert that this list is empty.
    """
    inputs = copy.deepcopy(case.inputs)
    if case.grad is not None:
        inputs["g"] = np.asarray(case.grad(inputs["w"]), dtype=float)
    outs = [("reference", reference(*copy.deepcopy(list(inputs.values()))))]
    for v in variants:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                outs.append((v.hint, v.fn(*copy.deepcopy(list(inputs.values())))))
        except Exception:
            continue
    pairs = []
    for (ha, a), (hb, b) in [(x, y) for i, x in enumerate(outs) for y in outs[i + 1:]]:
        a_t, b_t = _as_tuple(a, len(returns)), _as_tuple(b, len(returns))
        if len(a_t) == len(b_t) and all(_close(x, y, rtol, atol) for x, y in zip(a_t, b_t)):
            pairs.append((ha, hb))
    return pairs


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
