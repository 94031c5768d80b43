"""The landscape explorer: optimizers' paths on a loss landscape, with sliders for every hyperparameter."""
from __future__ import annotations

import math

import numpy as np

from .. import validation as V
from ..landscapes import LANDSCAPES, get_landscape
from ..registry import get_info
from .base import SLIDER_HYPERPARAMETERS, Explorer, color_of, hyper_slider, snap_log
from .common import RunCache, check_optimizer_names, check_steps, formula_tex, landscape_mesh, suggested_lr, theory_note

__all__ = ["LandscapeExplorer", "landscape_explorer", "DEFAULT_AVAILABLE"]

#: Optimizers offered as checkboxes besides the chosen ones.
DEFAULT_AVAILABLE = ("gd", "momentum", "nesterov", "rmsprop", "adam")



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

    In widget mode the controls are ``checkboxes[name]``, ``sliders[name][hyperparameter]``,
    ``steps_slider``, ``x0_slider``, ``y0_slider`` and ``landscape_dropdown``; setting their
    ``.value`` updates the figure. :meth:`set` and :meth:`set_hyper` do the same in both modes.
    """

    FIGSIZE = (10.5, 4.4)

    def __init__(self, landscape="ill_conditioned", optimizers=("gd", "momentum", "adam"), steps=100, start=None,
                 *, lr=None, hyper=None, available=None, landscapes=None, theory=True, static=None):
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
        self.hyper = self._initial_hyper(self.landscape, first=True)
        self.results = {}
        self.cache = RunCache()
        # One line of notes per optimizer that can be ticked, plus one general line.
        self._n_notes = len(self.available) + 1
        self.FIGSIZE = (10.5, 3.3 + 0.21 * self._n_notes)
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

    def _run_all(self):
        self.results = {name: self.cache.run(name, self.landscape, self.start, self.steps, self.hyper[name])
                        for name in self.selected}

    # -- figure ------------------------------------------------------------------------------
    def _build_figure(self):
        fig = self.figure
        height_px = self.FIGSIZE[1] * fig.dpi
        line = 15.0 / height_px  # one line of notes, as a fraction of the figure height
        fig.subplots_adjust(left=0.06, right=0.985, top=1 - 22 / height_px, bottom=(48 + 15 * self._n_notes) / height_px,
                            wspace=0.22)
        self.ax_path, self.ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1.0]})
        self.loss_lines = {}
        for i, name in enumerate(self.available):
            (self.loss_lines[name],) = self.ax_loss.plot([], [], color=color_of(name, i), lw=1.5, label=name)
        self.ax_loss.set_xlabel("step")
        self.ax_loss.grid(True, which="major", alpha=0.3)
        self.notes = [fig.text(0.01, 6 / height_px + line * (self._n_notes - 1 - k), "", fontsize=9.5, va="bottom",
                               ha="left") for k in range(self._n_notes)]
        self._animate(*self.loss_lines.values(), *self.notes)
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
            ax.set_xlabel("x")
            ax.set_ylabel("y", labelpad=0)
            if len(L.minima):
                ax.plot(L.minima[:, 0], L.minima[:, 1], "*", color="k", ms=11, zorder=5, label="minimum")
            if len(L.saddle_points):
                ax.plot(L.saddle_points[:, 0], L.saddle_points[:, 1], "X", color="k", ms=8, zorder=5)
        else:
            ax.plot(a, b, color="0.3", lw=1.2)
            ax.set_xlim(L.xlim)
            ax.set_ylim(L.ylim[0] - 0.03 * (L.ylim[1] - L.ylim[0]), L.ylim[1])
            ax.set_xlabel("x")
            ax.set_ylabel("f(x)", labelpad=0)
        tex = formula_tex(L)
        ax.set_title(L.title + (f": {tex}" if tex else ""), fontsize=10.5)
        self.path_lines = {}
        for i, name in enumerate(self.available):
            (self.path_lines[name],) = ax.plot([], [], "o-", color=color_of(name, i), ms=2.5, lw=1.2, zorder=4,
                                               label=name)
        (self.start_marker,) = ax.plot([], [], "o", mfc="white", mec="k", ms=8, mew=1.5, zorder=6)
        old = getattr(self, "_path_artists", [])
        self._animated = [a for a in self._animated if not any(a is o for o in old)]
        self._path_artists = [*self.path_lines.values(), self.start_marker]
        self._animate(*self._path_artists)
        self._frame = None
        self.ax_loss.set_yscale("log" if L.bounded_below else "symlog")
        gap = L.minimum_value is not None and L.minimum_value != 0
        self.ax_loss.set_title("loss f(w) - f* (log scale)" if gap else
                               ("loss (log scale)" if L.bounded_below else "loss (symmetric log scale)"),
                               fontsize=10.5)

    def _refresh(self):
        self._run_all()
        L = self.landscape
        fmin = L.minimum_value if (L.minimum_value is not None and L.bounded_below) else 0.0
        for name in self.available:
            path, loss = self.path_lines[name], self.loss_lines[name]
            r = self.results.get(name)
            if r is None:
                path.set_visible(False)
                loss.set_visible(False)
                continue
            traj = r.trajectory
            if L.dim == 2:
                path.set_data(traj[:, 0], traj[:, 1])
            else:
                path.set_data(traj[:, 0], r.losses)
            y = r.losses - fmin
            loss.set_data(np.arange(len(y)), y)
            path.set_visible(True)
            loss.set_visible(True)
        self.start_marker.set_data([self.start[0]], [self.start[1] if L.dim == 2 else float(L.loss(self.start))])
        frame = (L.name, self.steps, tuple(self.selected))
        if frame != self._frame:
            # The frame (limits, legend) depends only on these: slider moves redraw by blitting.
            self._frame = frame
            self._layout_dirty = True
            self._set_loss_limits()
            self._update_legend()
        self._update_notes()

    def _set_loss_limits(self):
        """Fixed limits per landscape, so that curves move in a steady frame while a slider moves.

        Log scale: from 3 times the largest loss gap in the window down 12 decades (a run that
        converges further, or diverges, leaves the frame). The saddle: symmetric log scale.
        """
        L = self.landscape
        ax = self.ax_loss
        ax.set_xlim(0, max(self.steps, 1))
        values = landscape_mesh(L)[2] if L.dim == 2 else landscape_mesh(L)[1]
        if L.bounded_below:
            fmin = L.minimum_value or 0.0
            top = 3.0 * float(np.nanmax(values) - fmin)
            ax.set_ylim(top * 1e-12, top)
        else:
            big = 3.0 * float(np.nanmax(np.abs(values)))
            ax.set_ylim(-big, big)

    def _update_legend(self):
        handles = [self.loss_lines[n] for n in self.selected]
        leg = self.ax_loss.get_legend()
        if leg is None or [t.get_text() for t in leg.get_texts()] != self.selected:
            self.ax_loss.legend(handles=handles, labels=self.selected, fontsize=9, loc="upper right",
                                framealpha=0.8)

    def note_texts(self) -> list[tuple[str, str, bool]]:
        """``(optimizer, text, alarming)`` for every line under the plots."""
        L = self.landscape
        out = []
        for name in self.selected:
            r = self.results[name]
            st = theory_note(name, self.hyper[name], L) if self.theory else None
            if st is not None:
                out.append((name, st.text, st.verdict != "converges"))
            elif r.diverged:
                out.append((name, f"{name}: diverged at step {r.diverged_at}, lower lr "
                                  f"(now {self.hyper[name]['lr']:.3g})", True))
            else:
                out.append((name, f"{name}: final loss {r.final_loss:.3g} after {r.steps_taken} "
                                  f"step{'s' if r.steps_taken != 1 else ''}", False))
        return out

    def _update_notes(self):
        lines = self.note_texts()
        if self.theory and not self.landscape.is_quadratic and any(n in ("gd", "momentum", "heavy_ball", "nesterov")
                                                                  for n in self.selected):
            lines.append(("", "(not a quadratic: the thresholds lr < 2/L ... hold only near a minimum, "
                              "with L the local curvature)", False))
        for k, text in enumerate(self.notes):
            if k < len(lines):
                name, msg, alarm = lines[k]
                text.set_text(msg)
                text.set_color(color_of(name, self.available.index(name)) if name else "0.35")
                text.set_fontweight("bold" if alarm else "normal")
                text.set_visible(True)
            else:
                text.set_visible(False)

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
                if self.widget is not None:
                    self.sliders[name][k].value = v
                self.hyper[name][k] = v

    def _set_landscape(self, landscape):
        L = get_landscape(landscape)
        if L.name == self.landscape.name:
            return
        self.landscape = L
        self.start = L.start
        self.hyper = self._initial_hyper(L)
        if self.widget is not None:
            if self.landscape_dropdown.value != L.name:
                self.landscape_dropdown.value = L.name
            self._configure_start_sliders()
            for name, sliders in self.sliders.items():
                for k, s in sliders.items():
                    info = get_info(name).hyperparameters[k]
                    value = self.hyper[name][k]
                    s.value = snap_log(value, min(info.low, value)) if info.log else value
                    self.hyper[name][k] = float(s.value)
        self._build_path_axes()

    # -- controls (widget mode) --------------------------------------------------------------
    def _build_controls(self):
        import ipywidgets as W

        self.checkboxes, self.sliders, rows = {}, {}, []
        for i, name in enumerate(self.available):
            info = get_info(name)
            box = W.Checkbox(value=name in self.selected, description=name, indent=False,
                             layout=W.Layout(width="120px"))
            swatch = W.HTML(f'<span style="color:{color_of(name, i)};font-size:18px">&#9632;</span>',
                            layout=W.Layout(width="18px"))
            box.observe(self._on_checkbox, "value")
            sliders = {}
            for k, value in self.hyper[name].items():
                s = hyper_slider(info.hyperparameters[k], value, description=k,
                                 width="270px" if k == "lr" else "220px")
                self.hyper[name][k] = float(s.value)
                s.observe(lambda ch, n=name, key=k: self._on_slider(n, key, ch), "value")
                sliders[k] = s
            self.checkboxes[name], self.sliders[name] = box, sliders
            rows.append(W.HBox([swatch, box, *sliders.values()], layout=W.Layout(align_items="center")))
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
        hint = W.HTML("<small>Tick optimizers, move their sliders, click the left plot to choose the start "
                      "point.</small>")
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

    def _on_slider(self, name, key, change):
        self.hyper[name][key] = float(change["new"])
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
                       *, lr=None, hyper=None, available=None, landscapes=None, theory=True,
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
        the registry's defaults; every slider covers the registry's range (log scale for ``lr``).
    available : list of str, optional
        Optimizers offered as (unticked) checkboxes besides ``optimizers``
        (default: gd, momentum, nesterov, rmsprop, adam).
    landscapes : list of str, optional
        The landscape menu (default: all).
    theory : bool
        Write the stability verdict of quadratics under the plots (``lr = 0.6 > 2/L = 0.5: diverges``).
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
                             landscapes=landscapes, theory=theory, static=static)
