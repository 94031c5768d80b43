"""Pieces shared by the explorers: learning-rate suggestions, the contour cache, run caching, notes."""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np

from .. import validation as V
from ..landscapes import Landscape, get_landscape
from ..registry import get_info
from ..runner import run
from . import theory as T

__all__ = ["suggested_lr", "lr_threshold", "lr_range", "check_lr_range", "landscape_mesh", "RunCache", "theory_note",
           "formula_tex", "formula_text", "check_optimizer_names"]

_ADAM_FAMILY = {"adam", "amsgrad", "adamax", "nadam", "adamw", "radam"}
_RMSPROP_FAMILY = {"rmsprop", "rmsprop_centered", "rmsprop_momentum"}


def _curvature(L: Landscape) -> float | None:
    """Largest positive curvature that matters for a first step: λ_max of a quadratic, else the
    largest Hessian eigenvalue at the start or (if the start is concave) at the minima."""
    if L.is_quadratic:
        top = float(np.max(L.hessian_eigenvalues))
        return top if top > 0 else None
    for points in (L.start[None, :], L.minima):
        tops = [float(np.linalg.eigvalsh(np.atleast_2d(L.hessian(p)))[-1]) for p in points]
        top = max(tops, default=-math.inf)
        if top > 0 and math.isfinite(top):
            return top
    return None


def _round2(x: float) -> float:
    """Two significant digits: slider readouts show 0.25, not 0.2487."""
    if x <= 0 or not math.isfinite(x):
        return x
    return float(f"{x:.2g}")


def suggested_lr(optimizer: str, landscape) -> float:
    """A learning rate that makes an instructive picture of ``optimizer`` on ``landscape`` in ~100 steps.

    The registry's defaults are PyTorch's (Adam: 0.001), tuned for networks, not for these
    windows: Adam at 0.001 moves about 0.1 in 100 steps. The rule, clipped to the registry's range:

    * ``gd`` and ``momentum`` (EMA form) on a 2-D quadratic: ``1.8/λ_max`` (90 % of GD's threshold
      ``2/λ_max``: the steep direction flips sign each step, the classic zigzag, while the flat one
      still moves); on the 1-D parabola ``0.2/λ_max`` (= 0.1, the source articles' example); on other
      landscapes ``1/λ_max`` with ``λ_max`` the largest Hessian eigenvalue at the start (or at the minima
      when the start is concave), because the curvature changes along the way;
    * ``heavy_ball``, ``nesterov``: ``(1 - mu)/λ_max`` with the default ``mu``, the same effective
      step as the EMA form at ``1/λ_max``;
    * Adam's family and RMSprop's: a fiftieth of the window's smaller side (their steps have
      a size of about ``lr`` whatever the gradient), AdaGrad: a tenth (its steps shrink like ``1/sqrt(t)``);
    * others (AdaDelta, Newton): the registry default.
    """
    info = get_info(optimizer)
    L = get_landscape(landscape)
    h = info.hyperparameters["lr"]
    name = info.name
    value = h.default
    if name in ("gd", "momentum", "heavy_ball", "nesterov"):
        curv = _curvature(L)
        if curv is not None:
            value = (1.8 if L.dim == 2 else 0.2) / curv if L.is_quadratic else 1.0 / curv
            if name in ("heavy_ball", "nesterov"):
                value *= 1.0 - info.hyperparameters["mu"].default
    elif name in _ADAM_FAMILY or name in _RMSPROP_FAMILY or name == "adagrad":
        spans = [L.xlim[1] - L.xlim[0]] + ([L.ylim[1] - L.ylim[0]] if L.dim == 2 else [])
        value = min(spans) / (10.0 if name == "adagrad" else 50.0)
    return float(min(max(_round2(value), h.low), h.high))


def lr_threshold(optimizer: str, eigenvalues, hyper: dict) -> float | None:
    """The largest stable learning rate of ``optimizer`` on a quadratic with these Hessian
    eigenvalues (:mod:`optimlab.widgets.theory`), or None (no linear theory, or a non-positive
    eigenvalue, or the momentum coefficient missing from ``hyper``)."""
    name = get_info(optimizer).name
    if eigenvalues is None or name not in T.THEORY_OPTIMIZERS:
        return None
    lams = np.atleast_1d(np.asarray(eigenvalues, dtype=float))
    if lams.size == 0 or not np.all(np.isfinite(lams)) or lams.min() <= 0:
        return None
    key = T.THEORY_OPTIMIZERS[name]
    if key is not None and key not in hyper:
        return None
    extra = {key: hyper[key]} if key is not None else {}
    return float(T.max_stable_lr(name, float(lams.max()), **extra))  # positional: the argument is being renamed


def _round_down(x: float) -> float:
    """Two significant digits, rounded down (the low end of a slider)."""
    e = math.floor(math.log10(x)) - 1
    return float(f"{math.floor(x / 10.0 ** e + 1e-9) * 10.0 ** e:.2g}")


def _round_up(x: float) -> float:
    e = math.floor(math.log10(x)) - 1
    return float(f"{math.ceil(x / 10.0 ** e - 1e-9) * 10.0 ** e:.2g}")


def lr_range(optimizer: str, value: float, threshold: float | None = None) -> tuple[float, float]:
    """The learning-rate slider's range for one explorer: the interesting values, not the registry's 1e-4..10.

    * With a stability threshold (gd and the momentum family on a quadratic, see
      :func:`lr_threshold`): from a fifth of the smaller of ``value`` and the threshold to 1.5 times
      the larger, so both the starting value and the threshold, and a bit of divergence past it, are
      in reach: gd on the ill-conditioned quadratic (threshold ``2/lam_max = 0.5``) from
      ``lr = 0.45`` gets 0.09..0.75, where 0.45 -> 0.5 is a move of 5 % of the slider.
    * Otherwise: a decade either side of ``value``.

    Both ends are rounded to two significant digits and kept within the registry's lowest ``lr``.
    """
    h = get_info(optimizer).hyperparameters["lr"]
    value = float(value)
    if threshold is not None and threshold > 0 and math.isfinite(threshold):
        low, high = min(value, threshold) / 5.0, max(value, threshold) * 1.5
    else:
        low, high = value / 10.0, value * 10.0
    low, high = max(_round_down(low), h.low), _round_up(high)
    return (min(low, value), max(high, value))


def check_lr_range(lr_range_arg, names) -> dict:
    """``{optimizer: (low, high)}`` from the ``lr_range`` argument of an explorer (a pair or a dict of pairs)."""
    if lr_range_arg is None:
        return {}

    def pair(x, label):
        try:
            low, high = (float(v) for v in x)
        except (TypeError, ValueError):
            raise TypeError(f"{label} must be a pair (low, high) of learning rates, e.g. (0.01, 1.0), "
                            f"got {x!r}") from None
        if not (math.isfinite(low) and math.isfinite(high) and 0 < low < high):
            raise ValueError(f"{label} must satisfy 0 < low < high (finite), got {x!r}")
        return (low, high)

    if isinstance(lr_range_arg, dict):
        out = {}
        for opt, x in lr_range_arg.items():
            name = get_info(opt).name
            if name not in names:
                raise ValueError(f"lr_range names optimizer {opt!r}, which is not among the optimizers shown ({names})")
            out[name] = pair(x, f"lr_range[{opt!r}]")
        return out
    p = pair(lr_range_arg, "lr_range")
    return {n: p for n in names}


# The contour data of a landscape is computed once per process (a 2-D grid of losses).
_MESH: dict = {}


def landscape_mesh(L: Landscape, n: int = 160):
    """``(X, Y, Z, levels)`` for a 2-D landscape, ``(x, f(x), None, None)`` for 1-D; cached per landscape."""
    key = (L.name, id(L), n)
    if key not in _MESH:
        if L.dim == 1:
            x, fx = L.mesh(n * 2)
            _MESH[key] = (x, fx, None, None)
        else:
            X, Y, Z = L.mesh(n)
            _MESH[key] = (X, Y, Z, L.contour_levels(20))
    return _MESH[key]


def formula_tex(L) -> str | None:
    """The landscape's formula as mathtext, or None if matplotlib's mathtext cannot typeset it."""
    from matplotlib.mathtext import MathTextParser

    import re

    # mathtext has \frac but not \tfrac
    formula = re.sub(r"\\tfrac\s*(\d)(\d)", r"\\frac{\1}{\2}", L.formula).replace(r"\tfrac", r"\frac")
    text = f"${formula}$"
    try:
        MathTextParser("agg").parse(text)
    except Exception:  # mathtext knows a subset of LaTeX: then the title shows no formula
        return None
    return text


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def formula_text(L) -> str:
    """The landscape's formula as plain text for ``print``: ``f(x, y) = 0.1 x² + 2 y²`` rather than
    the LaTeX source ``0.1\\,x^2 + 2\\,y^2``."""
    import re

    text = L.formula if hasattr(L, "formula") else str(L)
    text = re.sub(r"\\tfrac\{([^{}]*)\}\{([^{}]*)\}", lambda m: f"{m.group(1)}/{m.group(2)}", text)
    text = re.sub(r"\\tfrac\s*(\d)(\d)", r"\1/\2", text)
    text = text.replace(r"\,", " ").replace(r"\;", " ").replace(r"\cdot", "·")
    text = re.sub(r"\^\{(\d+)\}|\^(\d)", lambda m: (m.group(1) or m.group(2)).translate(_SUPERSCRIPTS), text)
    return re.sub(r"\s+", " ", text).strip()


class RunCache:
    """``optimlab.runner.run`` with a small LRU cache: moving one optimizer's slider re-runs only that one."""

    def __init__(self, size: int = 256):
        self.size = size
        self._store: OrderedDict = OrderedDict()
        self.misses = 0

    def run(self, optimizer, landscape: Landscape, start, steps: int, hyper: dict, key_name=None):
        key = (key_name or optimizer, landscape.name, id(landscape), tuple(np.asarray(start, float).tolist()),
               int(steps), tuple(sorted(hyper.items())))
        try:
            self._store.move_to_end(key)
            return self._store[key]
        except KeyError:
            pass
        self.misses += 1
        result = run(optimizer, landscape, start, steps, on_divergence="ignore", progress=False, **hyper)
        self._store[key] = result
        if len(self._store) > self.size:
            self._store.popitem(last=False)
        return result

    def clear(self):
        self._store.clear()


def theory_note(optimizer: str, hyper: dict, L: Landscape):
    """The stability verdict (a :class:`~optimlab.widgets.theory.Stability`) of a quadratic, or None."""
    if not L.is_quadratic or optimizer not in T.THEORY_OPTIMIZERS or "lr" not in hyper:
        return None
    key = T.THEORY_OPTIMIZERS[optimizer]
    extra = {key: hyper[key]} if key is not None and key in hyper else {}
    if key is not None and not extra:
        return None
    return T.stability(optimizer, hyper["lr"], L.hessian_eigenvalues, **extra)


def check_optimizer_names(names, argument: str) -> list[str]:
    """A list of registry names (a single string is one name); ValueError for unknown ones."""
    if isinstance(names, str):
        names = [names]
    try:
        names = list(names)
    except TypeError:
        raise TypeError(f"{argument} must be a list of optimizer names such as ['gd', 'adam'], "
                        f"got {names!r}") from None
    out = []
    for n in names:
        info = get_info(n)  # raises ValueError naming the known optimizers
        if info.name not in out:
            out.append(info.name)
    return out


def check_steps(steps, argument="steps") -> int:
    return V.check_int(steps, argument, minimum=1)
