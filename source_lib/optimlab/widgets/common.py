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

__all__ = ["suggested_lr", "landscape_mesh", "RunCache", "theory_note", "formula_tex", "check_optimizer_names"]

_ADAM_FAMILY = {"adam", "amsgrad", "adamax", "nadam", "adamw", "radam"}
_RMSPROP_FAMILY = {"rmsprop", "rmsprop_centered", "rmsprop_momentum"}


def _curvature(L: Landscape) -> float | None:
    """Largest positive curvature that matters for a first step: L of a quadratic, else the
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

    * ``gd`` and ``momentum`` (EMA form) on a 2-D quadratic: ``1.8/L`` (90 % of GD's threshold
      ``2/L``: the steep direction flips sign each step, the classic zigzag, while the flat one
      still moves); on the 1-D parabola ``0.2/L`` (= 0.1, the source articles' example); on other
      landscapes ``1/L`` with ``L`` the largest Hessian eigenvalue at the start (or at the minima
      when the start is concave), because the curvature changes along the way;
    * ``heavy_ball``, ``nesterov``: ``(1 - mu)/L`` with the default ``mu``, the same effective
      step as the EMA form at ``1/L``;
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

    text = f"${L.formula}$"
    try:
        MathTextParser("agg").parse(text)
    except Exception:  # mathtext knows a subset of LaTeX (no \tfrac): then the title shows no formula
        return None
    return text


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
