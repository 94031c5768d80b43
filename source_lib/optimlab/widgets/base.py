"""What every explorer shares: the figure, its canvas, the controls and how it is displayed.

Drawing approach (see the README): one matplotlib figure per explorer, drawn on an ipympl
canvas widget created directly (no ``%matplotlib widget`` needed in the notebook). The axes,
the contour plot and every line are created once; a slider change recomputes the runs and
only calls ``set_data`` on existing artists, then ``canvas.draw_idle()``. ipympl renders
with Agg in the kernel and sends only the pixels that changed (a PNG of the difference).
In static mode the same figure is drawn on a plain Agg canvas and shown as a PNG.
"""
from __future__ import annotations

import contextlib
import math
import warnings

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import style
from .static import figure_png, png_b64, static_mode

__all__ = ["Explorer", "COLORS", "hyper_slider", "HyperControl", "snap_log", "SLIDER_HYPERPARAMETERS"]

# Colour per optimizer, the same in every explorer and in the notebooks' static plots (optimlab.style).
COLORS = style.COLORS

#: Hyperparameters that get a slider (eps and the like stay at their defaults).
SLIDER_HYPERPARAMETERS = ("lr", "beta", "beta1", "beta2", "mu", "alpha", "rho", "momentum", "damping",
                          "weight_decay")

# Figures are drawn at 72 dpi: the interactive canvas sends fewer pixels per update and the
# static PNG stays small (about 50 kB).
DPI = 72


def color_of(name: str, index: int = 0) -> str:
    """The optimizer's colour from :mod:`optimlab.style` (``index`` is ignored, kept for old callers)."""
    return style.color(name)


def _slider_step(low: float, high: float) -> float:
    """A round step giving 500 to 5000 positions between low and high."""
    return 10.0 ** math.floor(math.log10((high - low) / 500.0))


#: Step of the log sliders in decades: 0.2 % per step, fine enough that a value shown with three
#: significant digits is the value used.
LOG_STEP = 0.001


def snap_log(value: float, low: float) -> float:
    """``value`` on the grid of a log slider starting at ``low``: the browser's slider snaps its value
    to that grid and sends it back, so the kernel uses the snapped value from the start."""
    lo = math.log10(low)
    return float(10.0 ** (lo + round((math.log10(value) - lo) / LOG_STEP) * LOG_STEP))


def hyper_slider(h, value=None, description=None, width="260px"):
    """An ipywidgets slider for a :class:`optimlab.registry.Hyperparameter`: its range and scale.

    Log-scaled hyperparameters (learning rates) get a ``FloatLogSlider`` moving in steps of
    10^0.001 (0.23 %); the others a ``FloatSlider`` with a round step. Read the value the slider
    really holds from ``slider.value`` (a log value is snapped to the slider's grid).
    """
    import ipywidgets as W

    value = h.default if value is None else float(value)
    low, high = min(h.low, value), max(h.high, value)  # a value outside the course's range widens it
    if h.log:
        value = snap_log(value, low)
    common = dict(description=description or h.name, continuous_update=True, readout_format=".3g",
                  style={"description_width": "initial"}, layout=W.Layout(width=width))
    if h.log:
        return W.FloatLogSlider(value=value, base=10, min=math.log10(low), max=math.log10(high), step=LOG_STEP,
                                **common)
    return W.FloatSlider(value=value, min=low, max=high, step=_slider_step(low, high), **common)


def _sig3(x: float) -> float:
    """Three significant digits: a value dragged on a slider reads 0.452, not 0.45203557."""
    return float(f"{x:.3g}") if x != 0 and math.isfinite(x) else x


class HyperControl:
    """A slider and a text box for one hyperparameter, kept in step; ``value`` is the number in use.

    The slider covers ``(low, high)`` (chosen per explorer around the interesting values, see
    :func:`optimlab.widgets.common.lr_range`); dragging it gives values rounded to three
    significant digits. The text box takes any exact value: one outside the slider's range widens
    the range, one that is not allowed (``lr <= 0``, ``beta`` outside ``[0, 1)``...) is refused and
    the box goes back to the value in use. ``on_change(value)`` is called once per new value.

    Attributes: ``slider`` (``FloatLogSlider`` or ``FloatSlider``), ``text`` (``FloatText``),
    ``box`` (the two side by side), ``value``, ``error`` (why the last typed value was refused, or "").
    """

    def __init__(self, h, value, low, high, *, log=None, description=None, width="300px", on_change=None):
        import ipywidgets as W

        self.h = h
        self.log = h.log if log is None else bool(log)
        value = float(value)
        low, high = min(low, value), max(high, value)
        self.on_change = on_change
        self.error = ""
        self._busy = False
        # The readout stays (the browser test and a quick glance read it); the box holds the exact value.
        common = dict(description=description or h.name, continuous_update=True, readout_format=".3g",
                      style={"description_width": "initial"}, layout=W.Layout(width=width))
        if self.log:
            self.slider = W.FloatLogSlider(value=snap_log(value, low), base=10, min=math.log10(low),
                                           max=math.log10(high), step=LOG_STEP, **common)
        else:
            self.slider = W.FloatSlider(value=value, min=low, max=high, step=_slider_step(low, high), **common)
        self.text = W.FloatText(value=value, layout=W.Layout(width="84px"))
        self.box = W.HBox([self.slider, self.text], layout=W.Layout(align_items="center"))
        self.value = value
        self.slider.observe(self._on_slider, "value")
        self.text.observe(self._on_text, "value")

    @property
    def range(self) -> tuple[float, float]:
        """The slider's range in values (not exponents)."""
        s = self.slider
        return (10.0 ** s.min, 10.0 ** s.max) if self.log else (float(s.min), float(s.max))

    def _grid_distance(self, a: float, b: float) -> float:
        """Distance of two values in slider steps."""
        if self.log:
            if a <= 0 or b <= 0:
                return math.inf
            return abs(math.log10(a) - math.log10(b)) / LOG_STEP
        return abs(a - b) / self.slider.step

    def _allowed(self, v: float) -> str:
        """Why ``v`` is not allowed ("" if it is)."""
        h = self.h
        if not math.isfinite(v):
            return f"{h.name} must be a finite number"
        if h.name == "lr" or h.log:
            return "" if v > 0 else f"{h.name} must be > 0, got {v:g}"
        if h.name in ("beta", "beta1", "beta2", "mu", "alpha", "rho", "momentum"):
            return "" if 0.0 <= v < 1.0 else f"{h.name} must be in [0, 1), got {v:g}"
        return "" if v >= 0 else f"{h.name} must be >= 0, got {v:g}"

    def _on_slider(self, change):
        if self._busy:
            return
        v = float(change["new"])
        if self._grid_distance(v, self.value) <= 0.6:
            return  # the front-end snapping a typed value to the slider's grid: keep the exact value
        self.set(_sig3(v), from_slider=True)

    def _on_text(self, change):
        if self._busy:
            return
        v = float(change["new"])
        reason = self._allowed(v)
        if reason:
            self.error = reason
            self._busy = True
            try:
                self.text.value = self.value
            finally:
                self._busy = False
            return
        self.set(v)

    def reset(self, value: float, low: float, high: float):
        """New range and value without calling ``on_change`` (the explorer sets its state itself)."""
        value = float(value)
        low, high = min(low, value), max(high, value)
        self._busy = True
        try:
            s = self.slider
            if self.log:
                s.min, s.max = -300.0, 300.0  # widen first: min and max are validated against each other
                s.min, s.max = math.log10(low), math.log10(high)
            else:
                s.min, s.max = -1e300, 1e300
                s.min, s.max = low, high
                s.step = _slider_step(low, high)
            s.value = value
            self.text.value = value
        finally:
            self._busy = False
        self.value = value
        self.error = ""

    def set(self, v: float, from_slider: bool = False):
        """Use ``v``: both widgets show it (the slider's range widens if needed), then ``on_change(v)``."""
        v = float(v)
        self.error = ""
        self._busy = True
        try:
            self.text.value = v
            if not from_slider:
                s = self.slider
                if self.log:
                    lo, hi = math.log10(v), math.log10(v)
                    if lo < s.min:
                        s.min = lo
                    if hi > s.max:
                        s.max = hi
                else:
                    if v < s.min:
                        s.min = v
                    if v > s.max:
                        s.max = v
                s.value = v
        finally:
            self._busy = False
        changed = v != self.value
        self.value = v
        if changed and self.on_change is not None:
            self.on_change(v)


class Explorer:
    """Base class: a figure, controls that change a state, and a display that works everywhere.

    Subclasses implement ``_build_figure()`` (axes and artists, once), ``_refresh()`` (compute
    and update artists in place) and ``_build_controls()`` (the ipywidgets, widget mode only),
    and list their figure size in ``FIGSIZE``.

    Redrawing in widget mode uses *blitting*: the artists that change with every slider move
    (paths, loss curves, notes) are registered with :meth:`_animate`; a full draw renders
    everything else once and keeps it as a background image, and each update only pastes the
    background, draws the changing artists on top and sends the changed pixels. Anything that
    moves the frame (axis limits, legend, landscape) sets ``_layout_dirty`` and gets a full draw.

    Attributes
    ----------
    static : bool
        True when the explorer only draws a PNG (see :func:`optimlab.widgets.static_mode`).
    figure : matplotlib.figure.Figure
    canvas : the ipympl ``Canvas`` widget (widget mode) or an Agg canvas (static mode)
    widget : ipywidgets.Widget or None
        The whole interactive view (``None`` in static mode).
    """

    FIGSIZE = (10.0, 3.8)

    def __init__(self, static=None):
        self.static = static_mode(static)
        self.figure = Figure(figsize=self.FIGSIZE, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure) if self.static else _ipympl_canvas(self.figure)
        self.widget = None
        self._animated = []
        self._background = None
        self._layout_dirty = True
        self._printing = False
        self._build_figure()
        self._refresh()
        if not self.static:
            self.widget = self._build_controls()
            # The sliders hold the values on their grid (see snap_log): recompute with exactly those.
            self._refresh()
            self.canvas.mpl_connect("draw_event", self._on_draw)
            # Clicks on the figure (e.g. to choose a start point) reach _on_click.
            self.canvas.mpl_connect("button_press_event", self._on_click)

    # -- batching changes --------------------------------------------------------------------
    _suspended = 0  # > 0 while several settings change at once (see _batch)

    @contextlib.contextmanager
    def _batch(self):
        """Apply several changes, then recompute once."""
        self._suspended += 1
        try:
            yield
        finally:
            self._suspended -= 1
        if not self._suspended:
            self.update()

    def _changed(self, *_):
        """Observer for the controls: recompute unless a batch of changes is under way."""
        if not self._suspended:
            self.update()

    # -- subclasses ------------------------------------------------------------------------
    def _build_figure(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _refresh(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _build_controls(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _on_click(self, event):
        pass

    def _animate(self, *artists):
        """Register artists that change on every update (widget mode draws them by blitting)."""
        for a in artists:
            if not self.static:
                a.set_animated(True)
            self._animated.append(a)
        return artists[0] if len(artists) == 1 else artists

    # -- updating --------------------------------------------------------------------------
    def update(self):
        """Recompute from the current state and redraw (slider callbacks call this)."""
        self._refresh()
        if self.static:
            return
        if self._layout_dirty or not self._blit():
            # The front-end asks for the full draw when it is ready (ipympl coalesces requests).
            self.canvas.draw_idle()

    def draw(self):
        """Draw everything now (synchronously), as when the front-end asks for a redraw."""
        self.canvas.draw()

    def _on_draw(self, event):
        # After a full draw of the non-animated artists: keep them as the background, then
        # draw the animated ones on the same renderer so the full frame is complete.
        if self._printing:
            return  # png() draws everything, animated artists included: not a background
        renderer = event.renderer
        self._background = (renderer, renderer.copy_from_bbox(self.figure.bbox))
        self._layout_dirty = False
        for a in self._animated:
            self.figure.draw_artist(a)

    def _blit(self) -> bool:
        """Paste the background, draw the animated artists, send the changed pixels; False if impossible."""
        if self._background is None:
            return False
        renderer, bg = self._background
        if self.canvas.get_renderer() is not renderer:
            return False  # resized, or a new device pixel ratio: a full draw is due
        renderer.restore_region(bg)
        for a in self._animated:
            self.figure.draw_artist(a)
        self.canvas.blit(self.figure.bbox)
        return True

    # -- display ---------------------------------------------------------------------------
    def png(self) -> bytes:
        """The figure as it is now, as PNG bytes (animated artists included)."""
        animated = [a for a in self._animated if a.get_animated()]
        for a in animated:
            a.set_animated(False)
        self._printing = True
        try:
            return figure_png(self.figure)
        finally:
            self._printing = False
            for a in animated:
                a.set_animated(True)

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/plain": repr(self)}
        try:
            data["image/png"] = png_b64(self.png())
        except Exception as exc:  # pragma: no cover - the picture is a fallback: never fail the cell for it
            if self.widget is None:
                raise
            warnings.warn(f"could not draw the static fallback image: {exc}", stacklevel=2)
        if self.widget is not None:
            view = self.widget._repr_mimebundle_(include=include, exclude=exclude)
            view.pop("text/plain", None)
            data.update(view)
        return data

    def __repr__(self):
        return f"<{type(self).__name__}{' (static)' if self.static else ''}>"


def _ipympl_canvas(fig):
    """An ipympl canvas widget for ``fig`` without switching pyplot's backend."""
    import matplotlib

    # ipympl's package __init__ calls matplotlib.use(ipympl) when matplotlib is already loaded, which
    # would turn every later plt figure of the notebook into a widget and drop the inline PNGs.
    # We only need its Canvas class, so the backend switch is skipped during that import.
    real_use = matplotlib.use
    matplotlib.use = lambda *args, **kwargs: None
    try:
        from ipympl.backend_nbagg import Canvas, FigureManager
    finally:
        matplotlib.use = real_use

    canvas = Canvas(fig)
    # The manager relays the front-end's messages (resize, refresh, mouse events) to the canvas;
    # it is not registered with pyplot, so plt.show() and %matplotlib inline leave it alone.
    with warnings.catch_warnings():
        # ipympl 0.10's toolbar passes its canvas on to traitlets, which warns about it (harmless).
        warnings.filterwarnings("ignore", "Passing unrecognized arguments", DeprecationWarning)
        FigureManager(canvas, 0)
    canvas.header_visible = False
    canvas.footer_visible = False
    canvas.resizable = False
    canvas.toolbar_visible = "fade-in-fade-out"
    return canvas
