"""One look for every figure of the course: a colour per optimizer and shared font sizes.

The explorers (:mod:`optimlab.widgets`) and the notebooks' static plots take their colours from
here, so that an optimizer has the same colour in every picture (heavy ball is always the same
pink, Nesterov always the same green)::

    from optimlab import style
    ax.plot(losses, color=style.color("nesterov"), label="nesterov")

Families share a hue so that related methods look related: the SGD family in blue, green and
orange tones, RMSprop's in purples, Adam's in reds and browns.

Font sizes are in points. The explorers draw at 72 dpi, where one point is one pixel at 100 %
zoom, so ``TICK_SIZE = 13`` gives tick labels of 13 px (about the 10 pt of an inline figure at
matplotlib's default 100 dpi, 13.9 px).
"""
from __future__ import annotations

from .registry import get_info, optimizer_names

__all__ = ["COLORS", "color", "FONT_SIZE", "TICK_SIZE", "LABEL_SIZE", "TITLE_SIZE", "LEGEND_SIZE",
           "NOTE_SIZE", "RC", "apply"]

#: Colour of every optimizer of :func:`optimlab.registry.optimizer_names` (hex strings, all distinct).
COLORS: dict[str, str] = {
    # SGD family
    "gd": "#1f77b4",                # blue
    "momentum": "#ff7f0e",          # orange
    "heavy_ball": "#e377c2",        # pink
    "nesterov": "#2ca02c",          # green
    "nesterov_lookahead": "#98df8a",  # light green (the same method, look-ahead form)
    # AdaGrad / AdaDelta
    "adagrad": "#8c564b",           # brown
    "adadelta": "#17becf",          # cyan
    # RMSprop family: purples
    "rmsprop": "#9467bd",
    "rmsprop_centered": "#5e3c99",
    "rmsprop_momentum": "#c5a3e0",
    "rmsprop_full": "#6a51a3",
    # Adam family: reds and olives
    "adam": "#d62728",
    "amsgrad": "#bcbd22",
    "adamax": "#7f7f7f",
    "nadam": "#ff6f61",
    "adamw": "#8b0000",
    "radam": "#b8860b",
    # second order
    "newton": "#000000",
}

#: Base font size (points) of explorer figures and notebook plots.
FONT_SIZE = 12.0
#: Tick labels. The explorers draw at 72 dpi, so this is the CSS font size in px at 100 % zoom:
#: 13 px, digits about 9.5 px tall (matplotlib's default 10 pt gave 10 px, digits 7.3 px).
TICK_SIZE = 13.0
#: Axis labels.
LABEL_SIZE = 13.0
#: Axes titles (a title too wide for its axes is set smaller, down to 11).
TITLE_SIZE = 13.0
#: Legend entries.
LEGEND_SIZE = 12.0
#: The explanatory notes under the explorers' plots.
NOTE_SIZE = 12.0

#: Matplotlib rc settings with these sizes, for ``plt.rcParams.update(style.RC)`` or ``plt.rc_context``.
RC = {
    "font.size": FONT_SIZE,
    "xtick.labelsize": TICK_SIZE,
    "ytick.labelsize": TICK_SIZE,
    "axes.labelsize": LABEL_SIZE,
    "axes.titlesize": TITLE_SIZE,
    "legend.fontsize": LEGEND_SIZE,
}


def color(name: str) -> str:
    """The colour of optimizer ``name`` (a registry name or alias, e.g. ``"heavy_ball"``), as ``"#rrggbb"``.

    Raises ValueError naming the known optimizers for an unknown name.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be an optimizer name such as 'gd' or 'adam', got {name!r}")
    key = name if name in COLORS else get_info(name).name  # get_info resolves aliases, refuses unknown names
    if key in COLORS:
        return COLORS[key]
    # An optimizer added to the registry without a colour here (tests/test_widgets.py catches it):
    # a stable grey rather than an import error.
    return _SPARE[optimizer_names().index(key) % len(_SPARE)]


_SPARE = ["#555555", "#888888", "#aaaaaa"]


def apply():
    """Set matplotlib's global rcParams to the course's font sizes (for notebooks' static plots)."""
    import matplotlib as mpl

    mpl.rcParams.update(RC)


