"""The landscape explorer: optimizers' paths on a loss landscape, with sliders for every hyperparameter."""
from __future__ import annotations

import math

import numpy as np

from .. import validation as V
from ..landscapes import LANDSCAPES, get_landscape
from ..registry import get_info
from .. import style
from .base import SLIDER_HYPERPARAMETERS, Explorer, HyperControl, color_of
from .common import (RunCache, check_lr_range, check_optimizer_names, check_steps, formula_tex, landscape_mesh,
                     lr_range, lr_threshold, suggested_lr, theory_note)
from .layout import (DivergenceMarker, Notes, adjust, clip_to_window, figure_height, fit_limits, legend_fraction,
                     on_log_axis, style_axes)

__all__ = ["LandscapeExplorer", "landscape_explorer", "DEFAULT_AVAILABLE"]

#: Optimizers offered as extra (unticked) checkboxes besides the chosen ones: none, so that a
#: notebook offers only the methods it names (notebook 02's explorer shows gd alone).
DEFAULT_AVAILABLE = ()


def _check_hyper(hyper, names) -> dict:
    """``{optimizer: {hyperparameter: value}}``; names and hyperparameters must exist in the registry."""
    if hyper is None:
        return {}
    if not isinstance(hyper, dict):
        raise TypeError(f"hyper must be a dict {{optimizer: {{hyperparameter: value}}}}, e.g. "
                        f"{{'momentum': {{'beta': 0.5}}}}, got {hyper!r}")
    out = {}
    for opt, values in hyper.items():
        info = get_info(opt)
        if info.name not in names:
            raise ValueError(f"hyper names optimizer {opt!r}, which is not among the optimizers shown ({names})")
        if not isinstance(values, dict):
            raise TypeError(f"hyper[{opt!r}] must be a dict {{hyperparameter: value}}, got {values!r}")
        unknown = set(values) - set(info.hyperparameters)
        if unknown:
            raise ValueError(f"hyper[{opt!r}] has unknown hyperparameter(s) {sorted(unknown)}; {opt} has "
                             f"{sorted(info.hyperparameters)}")
        out[info.name] = dict(values)
    return out


def _check_lr(lr, names) -> dict:
    if lr is None:
        return {}
    if isinstance(lr, dict):
        out = {}
        for opt, value in lr.items():
            info = get_info(opt)
            if info.name not in names:
                raise ValueError(f"lr names optimizer {opt!r}, which is not among the optimizers shown ({names})")
            out[info.name] = V.check_positive(value, f"lr[{opt!r}]")
        return out
    value = V.check_positive(lr, "lr (one number for every optimizer, or a dict {optimizer: lr})")
    return {n: value for n in names}


class LandscapeExplorer(Explorer):
    """Optimizers on a landscape: paths over the contour plot (or over f(x) in 1-D) and loss curves.

    Build it with :func:`landscape_explorer`. Its state: ``landscape`` (a Landscape), ``selected``
    (names shown), ``hyper`` (``{name: {hyperparameter: value}}``), ``steps``, ``start``; after
    every change ``results`` holds the runner's :class:`~optimlab.runner.RunResult` of each
    selected optimizer and the artists show exactly those numbers: ``path_lines[name]``
    (trajectory), ``loss_lines[name]`` (losses), ``notes`` (texts under the plots).

    In widget mode the controls are ``checkboxes[name]``, ``controls[name][hyperparameter]`` (a
    :class:`~optimlab.widgets.base.HyperControl`: ``sliders[name][k]`` is its slider,
    ``boxes[name][k]`` its text box for exact values), ``steps_slider``, ``x0_slider``,
    ``y0_slider`` and ``landscape_dropdown``; setting their ``.value`` updates the figure.
    :meth:`set` and :meth:`set_hyper` do the same in both modes. ``lr_ranges[name]`` is the range
    of each learning-rate slider (see :func:`optimlab.widgets.common.lr_range`).

    A run that leaves the window is drawn up to the window's edge (``escaped[name]`` is the step
    where it left, or None); a diverged run's loss curve ends with a cross at its last finite
    value, marked "diverged at step k" (``markers[name]``). The loss axis follows the curves.
    """

    FIGSIZE = (10.5, 4.4)
    WIDTH = 10.5

    def __init__(self, landscape="ill_conditioned", optimizers=("gd", "momentum", "adam"), steps=100, start=None,
                 *, lr=None, hyper=None, available=None, landscapes=None, theory=True, lr_range=None,
                 static=None):
        self.landscape = get_landscape(landscape)
        self.selected = check_optimizer_names(optimizers, "optimizers")
        if not self.selected:
            raise ValueError("optimizers is empty: give at least one optimizer name, e.g. ['gd', 'adam']")
        extra = DEFAULT_AVAILABLE if available is None else check_optimizer_names(available, "available")
        self.available = self.selected + [n for n in extra if n not in self.selected]
        self.steps = check_steps(steps)
        self.start = self._check_start(start, self.landscape)
        names = [L for L in (landscapes if landscapes is not None else LANDSCAPES)]
        self.landscapes = [get_landscape(n).name for n in names]
        if self.landscape.name not in self.landscapes:
            self.landscapes.insert(0, self.landscape.name)
        if not isinstance(theory, bool):
            raise TypeError(f"theory must be True or False, got {theory!r}")
        self.theory = theory
        self._user_lr = _check_lr(lr, self.available)
        self._user_hyper = _check_hyper(hyper, self.available)
        self._user_lr_range = check_lr_range(lr_range, self.available)
        self.hyper = self._initial_hyper(self.landscape, first=True)
        self.lr_ranges = self._lr_ranges()
        self.results = {}
        self.escaped = {}
        self.cache = RunCache()
        # Notes: one entry per optimizer shown plus a general one (text artists for every optimizer
        # that can be ticked); the band under the plots grows when more are ticked (see _note_lines_for).
        self._n_notes = len(self.available) + 1
        self._note_lines = self._note_lines_for(len(self.selected))
        self._notes_h = Notes.height_px(self._note_lines)
        self.FIGSIZE = (self.WIDTH, figure_height(self._notes_h))
        super().__init__(static=static)

    # -- state -------------------------------------------------------------------------------
    @staticmethod
    def _check_start(start, L) -> np.ndarray:
        if start is None:
            return L.start
        w0 = V.as_float_array(start, "start")
        w0 = w0.reshape(1) if (w0.ndim == 0 and L.dim == 1) else w0
        if w0.shape != (L.dim,):
            raise ValueError(f"start must have {L.dim} coordinate(s) on the {L.dim}-D landscape {L.name!r}, "
                             f"got {start!r}")
        V.check_finite(w0, "start")
        return w0.copy()

    def _initial_hyper(self, L, first=False) -> dict:
        out = {}
        for name in self.available:
            info = get_info(name)
            values = {k: h.default for k, h in info.hyperparameters.items() if k in SLIDER_HYPERPARAMETERS}
            values["lr"] = suggested_lr(name, L)
            if first:
                values.update(self._user_hyper.get(name, {}))
                if name in self._user_lr:
                    values["lr"] = self._user_lr[name]
            out[name] = values
        return out

    @staticmethod
    def _note_lines_for(n_shown: int) -> int:
        """Lines of notes for ``n_shown`` optimizers: one each, the general line, and a spare line per
        three optimizers for a divergence or escape note that wraps (Notes shrinks the font before
        anything would be cut)."""
        return n_shown + 1 + math.ceil(n_shown / 3)

    def _fit_notes_band(self):
        """Grow or shrink the figure's notes band to the optimizers ticked now (a checkbox changed)."""
        lines = self._note_lines_for(len(self.selected))
        if lines == self._note_lines:
            return
        self._note_lines, self._notes_h = lines, Notes.height_px(lines)
        self.FIGSIZE = (self.WIDTH, figure_height(self._notes_h))
        # forward=True tells ipympl's front-end the new size; the next draw is a full one.
        self.figure.set_size_inches(*self.FIGSIZE, forward=True)
        adjust(self.figure, self._notes_h, wspace=0.24)
        self.notes.top_px, self.notes.n_lines = self._notes_h, lines
        self._background = None
        self._layout_dirty = True

    def _lr_ranges(self) -> dict:
        """The learning-rate slider range of each optimizer for the current landscape and values."""
        L = self.landscape
        eig = L.hessian_eigenvalues if L.is_quadratic else None
        out = {}
        for name in self.available:
            if name in self._user_lr_range:
                out[name] = self._user_lr_range[name]
            else:
                thr = lr_threshold(name, eig, self.hyper[name]) if self.theory else None
                out[name] = lr_range(name, self.hyper[name]["lr"], thr)
        return out

    def _run_all(self):
        self.results = {name: self.cache.run(name, self.landscape, self.start, self.steps, self.hyper[name])
                        for name in self.selected}

    # -- figure ------------------------------------------------------------------------------
    def _build_figure(self):
        fig = self.figure
        adjust(fig, self._notes_h, wspace=0.24)
        self.ax_path, self.ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1.0]})
        self.loss_lines, self.markers = {}, {}
        for name in self.available:
            (self.loss_lines[name],) = self.ax_loss.plot([], [], color=color_of(name), lw=1.6, label=name)
            self.markers[name] = DivergenceMarker(self.ax_loss, color_of(name))
        style_axes(self.ax_loss, xlabel="step")
        self.ax_loss.grid(True, which="major", alpha=0.3)
        self.notes = Notes(fig, self._notes_h, self._n_notes, self._note_lines)
        self._animate(*self.loss_lines.values(), *self.notes.texts,
                      *[a for m in self.markers.values() for a in m.artists])
        self._frame = None
        self._build_path_axes()

    def _build_path_axes(self):
        """(Re)build the left axes for the current landscape: contour (or f(x)), minima, paths."""
        L = self.landscape
        ax = self.ax_path
        ax.cla()
        a, b, Z, levels = landscape_mesh(L)
        if L.dim == 2:
            ax.contour(a, b, Z, levels=levels, cmap="viridis", linewidths=0.7, alpha=0.8)
            ax.set_xlim(L.xlim)
            ax.set_ylim(L.ylim)
            style_axes(ax, xlabel="x", ylabel="y")
            if len(L.minima):
                ax.plot(L.minima[:, 0], L.minima[:, 1], "*", color="k", ms=11, zorder=5, label="minimum")
            if len(L.saddle_points):
                ax.plot(L.saddle_points[:, 0], L.saddle_points[:, 1], "X", color="k", ms=8, zorder=5)
        else:
            ax.plot(a, b, color="0.3", lw=1.2)
            ax.set_xlim(L.xlim)
            ax.set_ylim(L.ylim[0] - 0.03 * (L.ylim[1] - L.ylim[0]), L.ylim[1])
            style_axes(ax, xlabel="x", ylabel="f(x)")
        tex = formula_tex(L)
        style_axes(ax, title=L.title + (f": {tex}" if tex else ""))
        self.path_lines = {}
        for name in self.available:
            (self.path_lines[name],) = ax.plot([], [], "o-", color=color_of(name), ms=2.5, lw=1.2, zorder=4,
                                               label=name)
        (self.start_marker,) = ax.plot([], [], "o", mfc="white", mec="k", ms=8, mew=1.5, zorder=6)
        old = getattr(self, "_path_artists", [])
        self._animated = [a for a in self._animated if not any(a is o for o in old)]
        self._path_artists = [*self.path_lines.values(), self.start_marker]
        self._animate(*self._path_artists)
        self._frame = None
        self.ax_loss.set_yscale("log" if L.bounded_below else "symlog")
        gap = L.minimum_value is not None and L.minimum_value != 0
        style_axes(self.ax_loss, title="loss minus its minimum (log scale)" if gap else
                   ("loss (log scale)" if L.bounded_below else "loss (symmetric log scale)"))

    def _loss_values(self, r) -> np.ndarray:
        """The loss curve as drawn: the gap to the minimum; on a log axis exact zeros sit at a floor."""
        L = self.landscape
        fmin = L.minimum_value if (L.minimum_value is not None and L.bounded_below) else 0.0
        y = r.losses - fmin
        if L.bounded_below:
            y = on_log_axis(y)
        return y

    def _refresh(self):
        self._run_all()
        L = self.landscape
        window = (L.xlim, L.ylim) if L.dim == 2 else (L.xlim, self.ax_path.get_ylim())
        self.escaped = {}
        for name in self.available:
            path, loss = self.path_lines[name], self.loss_lines[name]
            r = self.results.get(name)
            if r is None:
                path.set_visible(False)
                loss.set_visible(False)
                self.markers[name].hide()
                continue
            traj = r.trajectory
            px, py = (traj[:, 0], traj[:, 1]) if L.dim == 2 else (traj[:, 0], r.losses)
            # A run that leaves the window stops at its edge: no long lines back and forth across the plot.
            px, py, self.escaped[name] = clip_to_window(px, py, *window)
            path.set_data(px, py)
            y = self._loss_values(r)
            loss.set_data(np.arange(len(y)), y)
            path.set_visible(True)
            loss.set_visible(True)
        self.start_marker.set_data([self.start[0]], [self.start[1] if L.dim == 2 else float(L.loss(self.start))])
        frame = (L.name, self.steps, tuple(self.selected))
        if frame != self._frame:
            # The frame (x-limits, legend) depends only on these: slider moves redraw by blitting.
            self._frame = frame
            self._layout_dirty = True
            self._fit_notes_band()
            self.ax_loss.set_xlim(0, max(self.steps, 1))
            self._update_legend()
        if self._set_loss_limits():
            self._layout_dirty = True
        for name in self.available:
            r = self.results.get(name)
            if r is not None and r.diverged and len(r.losses):
                y = self._loss_values(r)
                self.markers[name].show(len(y) - 1, y[-1], f"diverged at step {r.diverged_at}")
            else:
                self.markers[name].hide()
        self._update_notes()

    def _set_loss_limits(self) -> bool:
        """The loss axis follows the curves (all of them, a diverging one up to its last finite value),
        with room at the top for the legend; the limits stay put while the curves still fit well."""
        values = [self._loss_values(self.results[n]) for n in self.selected if len(self.results[n].losses)]
        if not values:
            return False
        return fit_limits(self.ax_loss, np.concatenate(values), headroom=legend_fraction(
            self.ax_loss, self.ax_loss.get_legend()), keep=not self._layout_dirty)

    def _update_legend(self):
        handles = [self.loss_lines[n] for n in self.selected]
        leg = self.ax_loss.get_legend()
        if leg is None or [t.get_text() for t in leg.get_texts()] != self.selected:
            # Above the curves: the loss limits keep the top of the axes free for it.
            self.ax_loss.legend(handles=handles, labels=self.selected, fontsize=style.LEGEND_SIZE, loc="upper right",
                                ncol=min(len(handles), 3), framealpha=0.9, borderaxespad=0.3, handlelength=1.5,
                                columnspacing=1.0)

    def note_texts(self) -> list[tuple[str, str, bool]]:
        """``(optimizer, text, alarming)`` for every entry under the plots."""
        L = self.landscape
        out = []
        for name in self.selected:
            r = self.results[name]
            st = theory_note(name, self.hyper[name], L) if self.theory else None
            if st is not None:
                text, alarm = st.text, st.verdict != "converges"
                if r.diverged:
                    text += f"; the run diverged at step {r.diverged_at}"
                elif self.escaped.get(name) is not None:
                    text += f"; the path leaves the window at step {self.escaped[name]}"
            elif r.diverged:
                text, alarm = (f"{name}: diverged at step {r.diverged_at}: lower lr "
                               f"(now {self.hyper[name]['lr']:.3g})"), True
            else:
                text, alarm = (f"{name}: final loss {r.final_loss:.3g} after {r.steps_taken} "
                               f"step{'s' if r.steps_taken != 1 else ''}"), False
                if self.escaped.get(name) is not None:
                    text += f"; the path leaves the window at step {self.escaped[name]}"
            out.append((name, text, alarm))
        return out

    def _update_notes(self):
        lines = self.note_texts()
        if self.theory and not self.landscape.is_quadratic and any(n in ("gd", "momentum", "heavy_ball", "nesterov")
                                                                  for n in self.selected):
            lines.append(("", "(not a quadratic: thresholds such as lr < 2/λ_max hold only near a minimum, "
                              "with λ_max the largest curvature there)", False))
        self.notes.show([(msg, color_of(name) if name else "0.35", alarm) for name, msg, alarm in lines])

    # -- programmatic control (both modes) ---------------------------------------------------
    def set(self, *, landscape=None, steps=None, start=None, selected=None):
        """Change the landscape, the number of steps, the start point or the optimizers shown."""
        with self._batch():
            if landscape is not None:
                self._set_landscape(landscape)
            if steps is not None:
                steps = check_steps(steps)
                if self.widget is not None:
                    self.steps_slider.max = max(self.steps_slider.max, steps)
                    self.steps_slider.value = steps
                self.steps = steps
            if start is not None:
                w0 = self._check_start(start, self.landscape)
                if self.widget is not None:
                    self._set_start_sliders(w0)
                self.start = w0
            if selected is not None:
                names = check_optimizer_names(selected, "selected")
                missing = [n for n in names if n not in self.available]
                if missing:
                    raise ValueError(f"selected names {missing}, not among the available optimizers {self.available}")
                if self.widget is not None:
                    for n, box in self.checkboxes.items():
                        box.value = n in names
                self.selected = [n for n in self.available if n in names]

    def set_hyper(self, optimizer, **values):
        """Change hyperparameters of one optimizer, e.g. ``ex.set_hyper("gd", lr=0.3)``."""
        name = get_info(optimizer).name
        if name not in self.available:
            raise ValueError(f"optimizer {optimizer!r} is not among the available optimizers {self.available}")
        unknown = set(values) - set(self.hyper[name])
        if unknown:
            raise ValueError(f"{name} has no slider for {sorted(unknown)}; it has {sorted(self.hyper[name])}")
        with self._batch():
            for k, v in values.items():
                v = V.check_positive(v, k) if k == "lr" else float(v)
                self.hyper[name][k] = v
                if self.widget is not None:
                    self.controls[name][k].set(v)

    def _set_landscape(self, landscape):
        L = get_landscape(landscape)
        if L.name == self.landscape.name:
            return
        self.landscape = L
        self.start = L.start
        self.hyper = self._initial_hyper(L)
        self.lr_ranges = self._lr_ranges()
        if self.widget is not None:
            if self.landscape_dropdown.value != L.name:
                self.landscape_dropdown.value = L.name
            self._configure_start_sliders()
            for name, controls in self.controls.items():
                for k, c in controls.items():
                    c.reset(self.hyper[name][k], *self._range_of(name, k))
        self._build_path_axes()

    # -- controls (widget mode) --------------------------------------------------------------
    def _range_of(self, name, k) -> tuple[float, float]:
        if k == "lr":
            return self.lr_ranges[name]
        h = get_info(name).hyperparameters[k]
        return h.low, h.high

    def _build_controls(self):
        import ipywidgets as W

        self.checkboxes, self.controls, self.sliders, self.boxes, rows = {}, {}, {}, {}, []
        for name in self.available:
            info = get_info(name)
            box = W.Checkbox(value=name in self.selected, description=name, indent=False,
                             layout=W.Layout(width="120px"))
            swatch = W.HTML(f'<span style="color:{color_of(name)};font-size:18px">&#9632;</span>',
                            layout=W.Layout(width="18px"))
            box.observe(self._on_checkbox, "value")
            controls = {}
            for k, value in self.hyper[name].items():
                controls[k] = HyperControl(info.hyperparameters[k], value, *self._range_of(name, k), description=k,
                                           width="340px" if k == "lr" else "200px",
                                           on_change=lambda v, n=name, key=k: self._on_hyper(n, key, v))
            self.checkboxes[name], self.controls[name] = box, controls
            self.sliders[name] = {k: c.slider for k, c in controls.items()}
            self.boxes[name] = {k: c.text for k, c in controls.items()}
            rows.append(W.HBox([swatch, box, *[c.box for c in controls.values()]],
                               layout=W.Layout(align_items="center")))
        self.landscape_dropdown = W.Dropdown(options=self.landscapes, value=self.landscape.name,
                                             description="landscape", layout=W.Layout(width="250px"))
        self.landscape_dropdown.observe(self._on_landscape, "value")
        self.steps_slider = W.IntSlider(value=self.steps, min=1, max=max(500, self.steps), description="steps",
                                        continuous_update=True, layout=W.Layout(width="280px"))
        self.steps_slider.observe(self._on_steps, "value")
        self.x0_slider = W.FloatSlider(description="x0", readout_format=".2f", continuous_update=True,
                                       layout=W.Layout(width="230px"))
        self.y0_slider = W.FloatSlider(description="y0", readout_format=".2f", continuous_update=True,
                                       layout=W.Layout(width="230px"))
        self._configure_start_sliders()
        self.x0_slider.observe(self._on_start, "value")
        self.y0_slider.observe(self._on_start, "value")
        top = W.HBox([self.landscape_dropdown, self.steps_slider, self.x0_slider, self.y0_slider])
        hint = W.HTML("<small>Tick optimizers, move their sliders or type an exact value in the box beside them, "
                      "click the left plot to choose the start point.</small>")
        return W.VBox([top, *rows, hint, self.canvas])

    def _configure_start_sliders(self):
        L = self.landscape
        self._suspended += 1
        try:
            for s, (lo, hi), v in ((self.x0_slider, L.xlim, self.start[0]),
                                   (self.y0_slider, L.ylim if L.dim == 2 else (-1.0, 1.0),
                                    self.start[1] if L.dim == 2 else 0.0)):
                lo, hi = min(lo, v), max(hi, v)
                s.min, s.max = -1e300, 1e300  # widen first: min/max are validated against each other
                s.min, s.max = lo, hi
                s.step = step = 10.0 ** math.floor(math.log10((hi - lo) / 2000.0))
                s.value = lo + round((v - lo) / step) * step  # on the slider's grid, as the browser keeps it
            self.y0_slider.layout.display = None if L.dim == 2 else "none"
            self.start = (np.array([self.x0_slider.value, self.y0_slider.value]) if L.dim == 2
                          else np.array([self.x0_slider.value]))
        finally:
            self._suspended -= 1

    def _set_start_sliders(self, w0):
        self._suspended += 1
        try:
            self.x0_slider.max, self.x0_slider.min = max(self.x0_slider.max, w0[0]), min(self.x0_slider.min, w0[0])
            self.x0_slider.value = w0[0]
            if len(w0) > 1:
                self.y0_slider.max, self.y0_slider.min = max(self.y0_slider.max, w0[1]), min(self.y0_slider.min, w0[1])
                self.y0_slider.value = w0[1]
        finally:
            self._suspended -= 1

    def _on_checkbox(self, change):
        if self._suspended:
            return
        self.selected = [n for n in self.available if self.checkboxes[n].value]
        self._changed()

    def _on_hyper(self, name, key, value):
        self.hyper[name][key] = float(value)
        self._changed()

    def _on_landscape(self, change):
        if self._suspended:
            return
        with self._batch():
            self._set_landscape(change["new"])

    def _on_steps(self, change):
        self.steps = int(change["new"])
        self._changed()

    def _on_start(self, change):
        if self._suspended:
            return
        if self.landscape.dim == 2:
            self.start = np.array([self.x0_slider.value, self.y0_slider.value])
        else:
            self.start = np.array([self.x0_slider.value])
        self._changed()

    def _on_click(self, event):
        # A click on the left plot moves the start point (not while the toolbar pans or zooms).
        if event.inaxes is not self.ax_path or event.xdata is None or event.button != 1:
            return
        toolbar = getattr(self.canvas, "toolbar", None)
        if toolbar is not None and getattr(toolbar, "mode", "") not in ("", None):
            return
        point = [event.xdata, event.ydata] if self.landscape.dim == 2 else [event.xdata]
        self.set(start=point)

    def __repr__(self):
        sel = ", ".join(self.selected)
        return (f"<LandscapeExplorer: {sel} on {self.landscape.name}, {self.steps} steps"
                f"{' (static)' if self.static else ''}>")


def landscape_explorer(landscape="ill_conditioned", optimizers=("gd", "momentum", "adam"), steps=100, start=None,
                       *, lr=None, hyper=None, available=None, landscapes=None, theory=True, lr_range=None,
                       static=None) -> LandscapeExplorer:
    """Optimizers' paths on a loss landscape, with a slider for every hyperparameter.

    Parameters
    ----------
    landscape : str or Landscape
        A name from :data:`optimlab.landscapes.LANDSCAPES` (``"parabola"`` is 1-D: the plot shows
        f(x) with the iterates on it).
    optimizers : list of str
        Registry names shown at first (ticked), e.g. ``("gd", "momentum", "adam")``.
    steps : int
        Number of steps (the slider goes to at least 500).
    start : sequence, optional
        Start point (default: the landscape's). Also set by the x0/y0 sliders or a click.
    lr : float or dict, optional
        Starting learning rate, one for all or ``{"gd": 0.4, "adam": 0.1}``. Default: a per-optimizer
        suggestion for this landscape (:func:`optimlab.widgets.common.suggested_lr`), because the
        registry's PyTorch defaults (Adam 0.001) barely move on these windows.
    hyper : dict, optional
        Other starting values, ``{"momentum": {"beta": 0.5}}``. The other hyperparameters start at
        the registry's defaults and their sliders cover the registry's range. Every slider has a
        text box beside it for exact values.
    available : list of str, optional
        Optimizers offered as (unticked) checkboxes besides ``optimizers`` (default: none, only
        the optimizers named are offered).
    landscapes : list of str, optional
        The landscape menu (default: all).
    theory : bool
        Write the stability verdict of quadratics under the plots (``lr = 0.6 > 2/λ_max = 0.5: diverges``).
    lr_range : (low, high) or dict, optional
        The learning-rate slider's range (log scale), one for all or ``{"gd": (0.01, 1.0)}``.
        Default: per optimizer around the interesting values (:func:`optimlab.widgets.common.lr_range`):
        on a quadratic from a fifth of the smaller of ``lr`` and the stability threshold to 1.5
        times the larger (gd on the ill-conditioned quadratic from 0.45: 0.09..0.75 around
        ``2/lam_max = 0.5``), elsewhere a decade either side of ``lr``.
    static : bool, optional
        Force a static PNG (True) or the widget (False); default: automatic, see
        :func:`optimlab.widgets.static_mode`.

    Returns
    -------
    LandscapeExplorer
        Displayed as the interactive widget (with a PNG fallback), or as a PNG in static mode.

    Example: ``landscape_explorer("rosenbrock", ["gd", "momentum", "adam"], steps=300)``.
    """
    return LandscapeExplorer(landscape, optimizers, steps, start, lr=lr, hyper=hyper, available=available,
                             landscapes=landscapes, theory=theory, lr_range=lr_range, static=static)
