"""Why a learner's numbers differ from the reference: the engine's automatic diagnosis.

A check knows three things when an answer is wrong: the inputs of the failing call, what
the reference returns on them, and what the learner's function returned. From these
alone, without any list written for the exercise, this module

* **relates** each wrong output to the expected one: the value passed in returned
  unchanged, another input returned, a constant factor (2, 1/2, -1, N, 1/N, N/(N-1),
  lr, 1/lr, beta, 1-beta, 1/(1-beta), ...) on the value or on its *change* (for a step
  function the change ``w_new - w`` is the step), an offset, a power, only the sign kept,
  clipped values;
* **localises** the difference: which outputs, which entries (one entry, two entries
  swapped, reversed, transposed, the right numbers in the wrong order);
* **searches the usual confusions** by re-running the reference on altered inputs:
  ``beta`` and ``1 - beta`` swapped, the step counter ``t`` off by one, ``lr`` or ``eps``
  left out, two arguments exchanged, the results returned in another order; an answer
  that reproduces one of them is named by it.

Each finding is one line in the learner's words that says what is wrong and how to fix it.
The engine (:mod:`optimlab.checks.engine`) shows the hints of the exercise's own known
variants first, then the confusions, then the relations, and the localisation last.
"""
from __future__ import annotations

import copy
import itertools
import math
import warnings
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

__all__ = ["Failure", "relate", "localise", "confusions", "error_order"]

# Hyperparameters that weight an old value against a new one: the usual place to swap x and 1 - x.
COEFFICIENTS = ("beta", "beta1", "beta2", "alpha", "rho", "mu", "momentum", "gamma", "decay")
# Values a learner may have typed instead of using the argument (library and framework defaults).
_COMMON_VALUES = {
    "lr": (0.1, 0.01, 0.001, 0.05),
    "beta": (0.9, 0.99), "beta1": (0.9,), "beta2": (0.999, 0.99), "mu": (0.9, 0.99), "momentum": (0.9,),
    "alpha": (0.99, 0.9), "rho": (0.9, 0.95), "eps": (1e-8, 1e-10, 1e-6, 1e-7), "h": (1e-5, 1e-4, 1e-6),
}
# Names of parameters and optimizer state (not data): never shifted or compared entry by entry as data.
_STATE_NAMES = ("w", "w0", "v", "g", "m", "V", "U", "u", "V_max", "gbar", "b")
# Parameters of a model (not data): their length is not a number of examples N.
_PARAMETER_NAMES = ("b", "W", "bias", "weights", "H", "theta", "params", "direction", "d", "dx", "dW", "db")
# Inputs that are never coefficients, whatever their value.
NOT_COEFFICIENTS = ("lr", "eps", "h", "weight_decay", "damping")


@dataclass
class Failure:
    """One failing call: its inputs, the reference's outputs and the learner's, by output name."""

    names: tuple
    inputs: dict
    expected: tuple
    got: tuple
    rtol: float = 1e-7
    atol: float = 1e-10
    reference: Callable | None = None


def _float_array(x):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return None
    return a


def _close(a, b, rtol=1e-7, atol=1e-10) -> bool:
    a, b = _float_array(a), _float_array(b)
    if a is None or b is None or a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def _loose_close(a, b, rtol, atol) -> bool:
    # Relations are computed from the expected value (a product, a ratio), which adds round-off.
    return _close(a, b, max(rtol, 1e-6), max(atol, 1e-9))


def _num(x: float) -> str:
    return f"{x:.6g}"


# ---------------------------------------------------------------------------
# Named constants: what a ratio or an offset could stand for in this call
# ---------------------------------------------------------------------------

def _scalars(inputs: dict) -> dict:
    out = {}
    for k, v in inputs.items():
        if isinstance(v, (bool, np.bool_)) or callable(v) or v is None:
            continue
        if isinstance(v, (int, float, np.integer, np.floating)) or (isinstance(v, np.ndarray) and v.ndim == 0
                                                                     and k not in ("w", "v", "m", "V", "U")):
            out[k] = float(v)
    return out


def _sizes(inputs: dict) -> dict:
    """Candidate sample counts N: the first-axis length of the data arrays (x, y, X, values, ...)."""
    sizes = {}
    for k, v in inputs.items():
        if isinstance(v, np.ndarray) and v.ndim >= 1 and len(v) >= 2 and k not in _STATE_NAMES \
                and k not in _PARAMETER_NAMES and not k.lower().startswith("w"):
            sizes.setdefault(len(v), k)
    return sizes


def factor_names(inputs: dict) -> list[tuple[float, str]]:
    """(value, description) pairs: a ratio of got / expected equal to `value` is described by the text.

    The descriptions complete "the result is ..." and say what to fix.
    """
    names = [
        (2.0, "twice the correct value (a factor 2 too many, or a division by 2 missing)"),
        (0.5, "half the correct value (a factor 2 missing, or a division by 2 too many)"),
        (-1.0, "the correct value with the opposite sign (a sign error: + where - belongs, or a - too many)"),
    ]
    for n, arg in _sizes(inputs).items():
        names += [
            (float(n), f"N = {n} times the correct value (N = len({arg})): a sum where the mean belongs, "
                       f"divide by N"),
            (1.0 / n, f"the correct value divided by N = {n} (N = len({arg})) once more: divide by N only once"),
            (n / (n - 1.0), f"the correct value times N/(N-1) (N = len({arg}) = {n}): divide by N, not by N - 1"),
            ((n - 1.0) / n, f"the correct value times (N-1)/N (N = len({arg}) = {n}): divide by N - 1, not by N"),
            (float(n * n), f"N^2 = {n * n} times the correct value (N = len({arg})): no division by N at all "
                           f"(sum twice?)"),
        ]
    lengths = {k: len(v) for k, v in inputs.items() if isinstance(v, np.ndarray) and v.ndim >= 1}
    for n, arg in _sizes(inputs).items():
        for k, m in lengths.items():
            if m != n and m > 0:
                names.append((n / m, f"divided by len({k}) = {m} instead of N = len({arg}) = {n}: divide by the "
                                     f"number of examples"))
    for k, a in _scalars(inputs).items():
        if a == 0.0 or not math.isfinite(a) or abs(a) == 1.0:
            continue
        names += [(a, f"multiplied by an extra factor `{k}` = {_num(a)}: use `{k}` once"),
                  (1.0 / a, f"missing the factor `{k}` = {_num(a)}: multiply by `{k}`")]
        if 0.0 < a < 1.0 and k not in NOT_COEFFICIENTS:
            names += [(1.0 - a, f"multiplied by an extra factor (1 - {k}) = {_num(1 - a)}"),
                      (1.0 / (1.0 - a), f"missing the factor (1 - {k}) = {_num(1 - a)}: "
                                        f"multiply by (1 - {k})")]
        if k == "h":
            names += [(a * a, f"multiplied by h^2 = {_num(a * a)}: operator precedence, write `/ (2 * h)`, "
                              f"not `/ 2 * h`"),
                      (2.0 * a, f"multiplied by 2h: divide by 2h instead")]
    return names


def _name_factor(c: float, inputs: dict) -> list[str]:
    found = []
    for value, text in factor_names(inputs):
        if math.isclose(c, value, rel_tol=1e-6, abs_tol=1e-12) and text not in found:
            found.append(text)
    return found


def _name_offset(d: float, inputs: dict) -> list[str]:
    found = []
    for k, a in _scalars(inputs).items():
        if a != 0.0 and math.isclose(abs(d), abs(a), rel_tol=1e-6):
            found.append(f"`{k}` = {_num(a)} {'added' if d > 0 else 'subtracted'} once too often "
                         f"(or in the wrong place)")
    if math.isclose(abs(d), 1.0, rel_tol=1e-9):
        found.append(f"1 {'too much' if d > 0 else 'too little'}: an off-by-one")
    return found


# ---------------------------------------------------------------------------
# Relations between one wrong output and the expected one
# ---------------------------------------------------------------------------

def _ratio(g: np.ndarray, e: np.ndarray) -> float | None:
    denom = float(np.sum(e * e))
    if denom == 0.0 or not math.isfinite(denom):
        return None
    return float(np.sum(g * e)) / denom


def relate(name: str, got, expected, inputs: dict, rtol=1e-7, atol=1e-10) -> list[str]:
    """Hints that relate a wrong output `got` to the `expected` one (possibly several)."""
    g, e = _float_array(got), _float_array(expected)
    if g is None or e is None or g.shape != e.shape:
        return []
    if not np.all(np.isfinite(g)) and np.all(np.isfinite(e)):
        return [f"`{name}` is not finite ({_num(float(g[~np.isfinite(g)].flat[0]))}) where the correct value is: a "
                f"division by zero (or by something that can be zero), a log or sqrt of a non-positive number, or "
                f"an overflow"]
    with np.errstate(all="ignore"):
        if np.allclose(g, e, rtol=3e-6, atol=1e-9) and not np.allclose(g, e, rtol=rtol, atol=atol):
            return [f"`{name}` is right to about 6 or 7 digits only: that is single precision. Something is computed "
                    f"in float32 (np.float32, dtype='float32' or np.zeros(..., dtype=np.float32)); compute in "
                    f"float64, numpy's default"]
    hints: list[str] = []
    old = inputs.get(name)
    old = _float_array(old) if isinstance(old, np.ndarray) else None
    if old is not None and old.shape == e.shape and _close(g, old, rtol, atol) and not _close(e, old, rtol, atol):
        return [f"`{name}` is returned unchanged (the value that was passed in): compute the new `{name}` and "
                f"return that (`{name} = ...`, then `return ... {name} ...`)"]
    for k, v in inputs.items():
        if k != name and isinstance(v, np.ndarray) and v.shape == e.shape and v.size > 1 \
                and _close(g, v, rtol, atol) and not _close(e, v, rtol, atol):
            hints.append(f"`{name}` equals the input `{k}`: the function returns `{k}` where the new `{name}` "
                         f"belongs")
    if hints:
        return hints
    for k, v in inputs.items():
        if k == name or k in _STATE_NAMES or not isinstance(v, np.ndarray) or v.shape != e.shape or v.size < 2:
            continue
        c = _ratio(g, _float_array(v))
        if c is not None and c != 0 and _loose_close(g, c * v, rtol, atol):
            what = "" if math.isclose(c, 1.0) else f"{_num(c)} * "
            for value, text in factor_names(inputs):
                if math.isclose(c, value, rel_tol=1e-6) and text.startswith("multiplied by an extra factor (1 - "):
                    what = text[len("multiplied by an extra factor "):].split(" =")[0] + " * "
            hints.append(f"`{name}` is {what}`{k}`, entry by entry: each result depends only on its own entry of "
                         f"`{k}`, so nothing is carried over from one entry to the next (is the running value reset "
                         f"inside the loop?)")
    if hints:
        return hints

    # Rows shifted by one (w_1 ... w_{T+1} where w_0 ... w_T belong): on a geometric sequence this would
    # otherwise look like a constant factor.
    if e.ndim >= 1 and len(e) >= 3 and _close(g[:-1], e[1:], rtol, atol) and not _close(g, e, rtol, atol):
        return [f"`{name}` is shifted by one row: its row t holds the correct row t + 1, so the start w0 is missing "
                f"from the first row (and there is one update too many at the end). Store the start first, then "
                f"each update"]
    if e.ndim >= 1 and len(e) >= 3 and _close(g[1:], e[:-1], rtol, atol) and not _close(g, e, rtol, atol):
        return [f"`{name}` is shifted by one row: its row t holds the correct row t - 1 (an extra row at the start, "
                f"the last one missing)"]
    # A constant factor on the change (a step function's step), then on the value itself.
    if old is not None and old.shape == e.shape and not _close(e, old, rtol, atol):
        dg, de = g - old, e - old
        c = _ratio(dg, de)
        if c is not None and _loose_close(dg, c * de, rtol, atol) and not math.isclose(c, 1.0, rel_tol=1e-5):
            named = _name_factor(c, inputs)
            if named:
                hints += [f"the change in `{name}` (new minus old: the step) is {t}" for t in named]
            elif e.size > 1:
                hints.append(f"the change in `{name}` (the step) is {_num(c)} times the correct step in every "
                             f"entry: a constant factor in the step is wrong")
        elif e.size > 1 and _clipped(dg, de) is not None:
            hints.append(f"the change in `{name}` (the step) is clipped at ±{_num(_clipped(dg, de))} in the entries "
                         f"where it should be larger: the gradient (or the step) was cut off with np.clip; use it "
                         f"as it is")
        elif c is not None and e.size > 1 and _loose_close(np.abs(dg), np.abs(dg).max() * np.ones_like(dg),
                                                          rtol, atol) \
                and np.all(np.sign(dg) == np.sign(de)) and np.any(np.abs(de) != np.abs(de).max()):
            src = "g" if "g" in inputs else "..."
            hints.append(f"the change in `{name}` has the same size in every entry, only its sign follows the "
                         f"correct step: np.sign({src}) (or a normalisation) was applied where the value itself "
                         f"belongs")
    if not hints:
        c = _ratio(g, e)
        if c is not None and _loose_close(g, c * e, rtol, atol) and not math.isclose(c, 1.0, rel_tol=1e-5):
            named = _name_factor(c, inputs)
            if named:
                hints += [f"`{name}` is {t}" for t in named]
            elif e.size > 1:
                hints.append(f"`{name}` is {_num(c)} times the correct value in every entry: a constant factor "
                             f"is wrong")
    if hints:
        return hints

    diff = g - e
    if e.size > 1 and _loose_close(diff, np.full_like(diff, diff.flat[0]), rtol, atol) and diff.flat[0] != 0:
        d = float(diff.flat[0])
        named = _name_offset(d, inputs)
        hints += [f"`{name}` is off by the same amount {_num(d)} in every entry: {t}" for t in named] or \
            [f"`{name}` is off by the same amount {_num(d)} in every entry: a constant term is wrong"]
    elif e.size == 1:
        hints += [f"`{name}` is off by {_num(float(diff.flat[0]))}: {t}" for t in _name_offset(float(diff.flat[0]),
                                                                                            inputs)]
    if hints:
        return hints

    if np.all(e > 0):
        if _loose_close(g, e ** 2, rtol, atol):
            hints.append(f"`{name}` is the square of the correct value: a square too many")
        if _loose_close(g, np.sqrt(e), rtol, atol):
            hints.append(f"`{name}` is the square root of the correct value: a square is missing (or a square "
                         f"root too many)")
    if np.all(e != 0) and _loose_close(g, 1.0 / e, rtol, atol):
        hints.append(f"`{name}` is 1 / (the correct value): something is divided the wrong way round")
    nz = e != 0
    if e.size > 1 and np.any(nz) and not hints:
        k = np.abs(g[nz]).max() if np.any(nz) else 0.0
        if k > 0 and _loose_close(g[nz], k * np.sign(e[nz]), rtol, atol) and np.any(np.abs(e[nz]) != np.abs(e[nz]).max()):
            hints.append(f"`{name}` keeps only the sign of each entry (every entry is ±{_num(k)}): np.sign(...) was "
                         f"used where the value belongs")
        elif _clipped(g, e) is not None:
            c = _clipped(g, e)
            hints.append(f"`{name}` is clipped at ±{_num(c)}: the large entries were cut off (np.clip); use the "
                         f"values as they are")
    return hints


def _clipped(g, e):
    wrong = ~np.isclose(g, e, rtol=1e-7, atol=1e-10)
    if not np.any(wrong) or np.all(wrong):
        return None
    c = np.abs(g[wrong])
    if not np.allclose(c, c[0]):
        return None
    c = float(c[0])
    if np.all(np.abs(e[wrong]) > c) and np.all(np.sign(g[wrong]) == np.sign(e[wrong])) \
            and np.all(np.abs(e[~wrong]) <= c * (1 + 1e-9)):
        return c
    return None


# ---------------------------------------------------------------------------
# Where the difference is: which entries
# ---------------------------------------------------------------------------

def _index(ix) -> str:
    return "[" + ", ".join(str(int(i)) for i in ix) + "]"


def localise(name: str, got, expected, rtol=1e-7, atol=1e-10) -> list[str]:
    """Which entries of one output are wrong, and whether they are the right numbers in another order."""
    g, e = _float_array(got), _float_array(expected)
    if g is None or e is None or g.shape != e.shape or e.size < 2:
        return []
    if e.ndim >= 1 and _close(g, e[::-1], rtol, atol):
        return [f"`{name}` holds the right numbers in reverse order (along its first axis)"]
    if e.ndim == 2 and e.shape[0] == e.shape[1] and _close(g, e.T, rtol, atol):
        return [f"`{name}` is the transpose of the correct result"]
    if _close(g.ravel(), e.ravel()[::-1], rtol, atol):
        return [f"`{name}` holds the right numbers in reverse order"]
    with np.errstate(all="ignore"):
        wrong = ~np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    idx = [tuple(int(i) for i in ix) for ix in np.argwhere(wrong)]
    if len(idx) == 2 and np.isclose(g[idx[0]], e[idx[1]], rtol=rtol, atol=atol) \
            and np.isclose(g[idx[1]], e[idx[0]], rtol=rtol, atol=atol):
        return [f"entries {_index(idx[0])} and {_index(idx[1])} of `{name}` are swapped (the others are right): "
                f"check which feature or coordinate goes where"]
    if np.allclose(np.sort(g.ravel()), np.sort(e.ravel()), rtol=rtol, atol=atol):
        return [f"`{name}` holds the right numbers in the wrong order: check the indexing"]
    if 0 < len(idx) < e.size:
        shown = ", ".join(_index(i) for i in idx[:4]) + (", ..." if len(idx) > 4 else "")
        return [f"only {len(idx)} of the {e.size} entries of `{name}` are wrong ({shown}); the others are right"]
    return []


# ---------------------------------------------------------------------------
# The usual confusions, found by running the reference on altered inputs
# ---------------------------------------------------------------------------

def _alterations(inputs: dict):
    """(description, altered inputs) for each usual confusion that applies to these inputs."""
    scalars = _scalars(inputs)
    for k, a in scalars.items():
        if (k in COEFFICIENTS or (0.0 < a < 1.0 and k not in NOT_COEFFICIENTS)) and 0.0 < a < 1.0 \
                and not math.isclose(a, 0.5):
            yield (f"`{k}` and `1 - {k}` are swapped: your numbers are those of {k} = {_num(1 - a)} instead of "
                   f"{_num(a)}; the old value is weighted by {k}, the new one by (1 - {k})",
                   {**inputs, k: 1.0 - a})
    if "t" in inputs and isinstance(inputs["t"], (int, np.integer)) and not isinstance(inputs["t"], bool):
        t = int(inputs["t"])
        if t - 1 >= 1:
            yield (f"the step counter is off by one: your numbers are those of t = {t - 1} instead of t = {t} "
                   f"(t counts from 1: the first call has t = 1, so beta**t uses that t)", {**inputs, "t": t - 1})
        yield (f"the step counter is off by one: your numbers are those of t = {t + 1} instead of t = {t} "
               f"(was t incremented before it was used?)", {**inputs, "t": t + 1})
    for k, a in scalars.items():
        if k == "t" or isinstance(inputs[k], (int, np.integer)):
            continue
        for common in _COMMON_VALUES.get(k, ()):
            if not math.isclose(common, a):
                yield (f"`{k}` seems hard-coded: the function ignores {k} and uses a fixed {_num(common)} (your "
                       f"numbers are those of {k} = {_num(common)}, but this call passed {k} = {_num(a)}); use the "
                       f"argument `{k}` instead of a fixed number", {**inputs, k: common})
    for k, v in inputs.items():
        if isinstance(v, np.ndarray) and v.ndim >= 1 and len(v) >= 3 and k not in _STATE_NAMES \
                and not np.allclose(v, v[0]):
            yield (f"an index is off by one: your numbers are those of {k}[t - 1] where {k}[t] belongs (at t = 0, "
                   f"{k}[-1] is the last entry); check the index", {**inputs, k: np.roll(v, 1, axis=0)})
            yield (f"an index is off by one: your numbers are those of {k}[t + 1] where {k}[t] belongs; check the "
                   f"index", {**inputs, k: np.roll(v, -1, axis=0)})
            yield (f"`{k}` is processed in reverse order: go through it from the first entry to the last",
                   {**inputs, k: v[::-1].copy()})
            yield (f"your numbers are those of `{k}` squared ({k}**2 where {k} belongs): square only where the "
                   f"formula has a square", {**inputs, k: v ** 2})
            yield (f"your numbers are those of abs({k}): the signs of `{k}` were dropped", {**inputs, k: np.abs(v)})
    w = inputs.get("w")
    if isinstance(w, np.ndarray) and w.ndim == 1 and 2 <= w.size <= 6 and "g" not in inputs:
        # A model's parameter vector (not a step function's): one term of the model may be missing.
        for j in range(w.size):
            if w[j] != 0:
                yield (f"the term with w[{j}] is missing: your numbers are those of w[{j}] = 0 (is a term of the "
                       f"model, e.g. the constant term, left out?)", {**inputs, "w": np.where(np.arange(w.size) == j,
                                                                                          0.0, w)})
    if "lr" in scalars and scalars["lr"] != 1.0:
        yield "the learning rate is missing: your numbers are those of lr = 1; multiply the step by lr", \
            {**inputs, "lr": 1.0}
    if "eps" in scalars and scalars["eps"] != 0.0:
        yield "eps is missing: your numbers are those of eps = 0; add eps where the formula has it", \
            {**inputs, "eps": 0.0}
    names = list(inputs)
    for a, b in itertools.combinations(names, 2):
        va, vb = inputs[a], inputs[b]
        if callable(va) or callable(vb):
            continue
        if a in scalars and b in scalars and scalars[a] != scalars[b]:
            yield (f"`{a}` and `{b}` are exchanged: your numbers are those of {a} = {_num(scalars[b])}, "
                   f"{b} = {_num(scalars[a])}; check which one goes where", {**inputs, a: vb, b: va})
        elif isinstance(va, np.ndarray) and isinstance(vb, np.ndarray) and va.shape == vb.shape \
                and not np.array_equal(va, vb):
            yield (f"`{a}` and `{b}` are exchanged: your numbers are those of the formula with {a} and {b} "
                   f"swapped; check which one goes where (and the order of the parameters in the def line)",
                   {**inputs, a: vb, b: va})


def _state_conventions(fail: Failure):
    """The state kept in another convention: the learner's `v` is c times the course's.

    Momentum is written with the velocity's sign flipped (v = mu v - g, w + lr v) or with
    lr inside it (v = mu v + lr g, w - v; CS231n's v = mu v - lr g, w + v). Given the
    course's v, such a function reads it as its own: it behaves like the reference started
    from v / c and returns c times the reference's new v.
    """
    scalars = _scalars(fail.inputs)
    lr = scalars.get("lr")
    factors = [(-1.0, "the opposite sign (v = ... - g, stepping with w + lr * v)")]
    if lr not in (None, 0.0, 1.0):
        factors += [(lr, "lr times the course's: lr went into the velocity (v = ... + lr * g, stepping with w - v)"),
                    (-lr, "-lr times the course's: lr went into the velocity with the sign flipped (CS231n's "
                          "convention v = mu * v - lr * g, stepping with w + v)")]
    for s in fail.names:
        v = fail.inputs.get(s)
        if s == "w" or s not in fail.inputs or not isinstance(v, np.ndarray):
            continue
        i = list(fail.names).index(s)
        for c, text in factors:
            def back(out, i=i, c=c):
                out = list(out)
                out[i] = c * np.asarray(out[i], dtype=float)
                return tuple(out)
            yield (f"your `{s}` is kept in another convention: it is {text}. Keep `{s}` exactly as in the formula "
                   f"above the exercise, so that it can be passed from one step to the next",
                   {**fail.inputs, s: v / c}, back)


def confusions(fail: Failure, max_calls: int = 80) -> list[str]:
    """Hints for the usual confusions whose reference numbers the learner's answer reproduces."""
    hints: list[str] = []
    n = len(fail.names)
    if n > 1:
        for perm in itertools.permutations(range(n)):
            if perm == tuple(range(n)):
                continue
            if all(_close(fail.got[i], fail.expected[j], fail.rtol, fail.atol) for i, j in enumerate(perm)):
                order = ", ".join(fail.names)
                hints.append(f"the results are in the wrong order: return ({order}), in that order")
                break
    if fail.reference is None:
        return hints
    for k, (text, altered, back) in enumerate(list(_state_conventions(fail)) +
                                             [(t, a, None) for t, a in _alterations(fail.inputs)]):
        if k >= max_calls:
            break
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                out = fail.reference(*copy.deepcopy(list(altered.values())))
        except Exception:  # an alteration the reference cannot run on is simply no match
            continue
        out_t = out if n > 1 else (out,)
        if back is not None and isinstance(out_t, tuple) and len(out_t) == n:
            out_t = back(out_t)
        if isinstance(out_t, tuple) and len(out_t) == n and all(
                _close(g, o, fail.rtol, fail.atol) for g, o in zip(fail.got, out_t)):
            if text not in hints:
                hints.append(text)
    return hints


# ---------------------------------------------------------------------------
# Numerical derivatives: how the error depends on the step h
# ---------------------------------------------------------------------------

def error_order(hs: Sequence[float], errors: Sequence[float]) -> float | None:
    """The slope of log(error) against log(h): about 1 for forward differences, 2 for central ones.

    0 means the error does not depend on h (h is not used where it should be); a negative
    slope means the error grows as h shrinks (h not divided by, or divided by twice).
    """
    hs = np.asarray(hs, float)
    errs = np.asarray(errors, float)
    ok = errs > 0
    if ok.sum() < 2:
        return None
    slope, _ = np.polyfit(np.log(hs[ok]), np.log(errs[ok]), 1)
    return float(slope)
