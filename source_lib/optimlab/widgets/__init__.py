"""Interactive explorers of the course: one call in a notebook gives a figure with sliders.

* :func:`landscape_explorer`: optimizers' paths on a loss landscape (contours, or f(x) in 1-D),
  loss curves, a slider for every hyperparameter, the start point by slider or click;
* :func:`data_explorer`: mini-batch training of a model on data: batch size, learning rate,
  epochs, optimizer; the noisy path in parameter space, training and validation losses;
* :func:`race`: a learner's own step function beside the library's reference;
* :mod:`optimlab.widgets.theory`: the stability thresholds drawn on the plots;
* :func:`formula_text`: a landscape's formula as plain text for ``print`` (``0.1 x² + 2 y²``).

Colours (one per optimizer) and font sizes come from :mod:`optimlab.style`, shared with the
notebooks' static plots.

Where no widget can be shown (nbconvert/nbgrader runs, static viewers) the same call shows a
static PNG; see :func:`static_mode`.

The submodules load on first use, so ``from optimlab.widgets import theory`` stays cheap.
"""
from __future__ import annotations

import importlib

__all__ = ["landscape_explorer", "data_explorer", "race", "static_mode", "suggested_lr", "formula_text", "theory",
           "LandscapeExplorer", "DataExplorer", "Race", "Explorer", "schedule_explorer", "ScheduleExplorer"]

_LAZY = {
    "landscape_explorer": "landscape", "LandscapeExplorer": "landscape",
    "data_explorer": "data", "DataExplorer": "data",
    "race": "race", "Race": "race",
    "schedule_explorer": "schedule", "ScheduleExplorer": "schedule",
    "static_mode": "static",
    "suggested_lr": "common",
    "formula_text": "common",
    "Explorer": "base",
}


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in ("theory", "landscape", "data", "static", "base", "common", "layout", "schedule"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
