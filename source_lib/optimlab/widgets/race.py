"""A race: the learner's own step function beside the library's reference on a landscape."""
from __future__ import annotations


import numpy as np

from .. import validation as V
from ..landscapes import get_landscape
from ..registry import get_info
from ..stateful import make
from .. import style
from .base import SLIDER_HYPERPARAMETERS, Explorer, HyperControl
from .common import (RunCache, check_lr_range, check_steps, formula_tex, landscape_mesh, lr_threshold, suggested_lr,
                     theory_note)
from .common import lr_range as _lr_range
from .layout import (DivergenceMarker, Notes, adjust, clip_to_window, figure_height, fit_limits, legend_fraction,
                     on_log_axis, style_axes)

__all__ = ["Race", "race"]

# The reference in its optimizer's colour (optimlab.style), wide and pale; the learner's function as a
# thin dark line on top of it: where they agree the dark line runs inside the pale band.
_LEARNER_COLOR = "#222222"


class Race(Explorer):
    """The learner's step function and the reference optimizer from the same start.

    Build it with :func:`race`. After each change ``reference_result`` and ``learner_result``
    (``None`` when the learner's function could not run) hold the runs, ``learner_error`` the
    exception that stopped the learner's function (``NotImplementedError`` for an exercise not
    done yet) and ``note`` the sentence shown on the figure. A learner's function never makes the
    cell fail: its error is shown as a note and the reference runs alone.
    """

    NOTE_LINES = 4  # the comparison, the theory, a divergence message (one of them may wrap)
    FIGSIZE = (10.5, figure_height(Notes.height_px(NOTE_LINES)))

    def __init__(self, learner_fn, reference="momentum", landscape="ill_conditioned", *, steps=100, start=None,
                 name=None, lr_range=None, static=None, **hyper):
        if not callable(learner_fn):
            raise TypeError(f"learner_fn must be your step function (e.g. my_momentum_step), got {learner_fn!r}")
        self.learner_fn = learner_fn
        self.learner_name = name or getattr(learner_fn, "__name__", "your function")
        self.reference = get_info(reference).name
        self.landscape = get_landscape(landscape)
        self.steps = check_steps(steps)
        if start is None:
            self.start = self.landscape.start
        else:
            self.start = V.as_float_array(start, "start").reshape(self.landscape.dim)
        info = get_info(self.reference)
        unknown = set(hyper) - set(info.hyperparameters)
        if unknown:
            raise ValueError(f"unknown hyperparameter(s) {sorted(unknown)} for {self.reference}; it has "
                             f"{sorted(info.hyperparameters)}")
        self.hyper = {k: h.default for k, h in info.hyperparameters.items() if k in SLIDER_HYPERPARAMETERS}
        self.hyper["lr"] = suggested_lr(self.reference, self.landscape)
        self.hyper.update({k: float(v) for k, v in hyper.items()})
        user = check_lr_range(lr_range, [self.reference]).get(self.reference)
        L = self.landscape
        self.lr_range = user or _lr_range(self.reference, self.hyper["lr"], lr_threshold(
            self.reference, L.hessian_eigenvalues if L.is_quadratic else None, self.hyper))
        self.reference_color = style.color(self.reference)
        self.cache = RunCache(64)
        self.reference_result = self.learner_result = self.learner_error = None
        self.note = ""
        self.t_shown = None  # replay: show the first t steps (None: all)
        super().__init__(static=static)

    # -- runs -----------------------------------------------------------------------------------
    def _learner_hyper(self) -> dict:
        """The slider values the learner's function accepts (it may not take them all)."""
        import inspect

        try:
            params = inspect.signature(self.learner_fn).parameters
        except (TypeError, ValueError):
            return dict(self.hyper)
        return {k: v for k, v in self.hyper.items() if k in params}

    def _run(self):
        L = self.landscape
        self.reference_result = self.cache.run(self.reference, L, self.start, self.steps, self.hyper)
        self.learner_result, self.learner_error = None, None
        try:
            opt = make(self.learner_fn, name=self.learner_name, **self._learner_hyper())
            self.learner_result = self.cache.run(opt, L, self.start, self.steps, {}, key_name=(
                self.learner_fn, tuple(sorted(self._learner_hyper().items()))))
        except NotImplementedError as exc:
            self.learner_error = exc
            self.note = (f"{self.learner_name} raises NotImplementedError (the exercise is not done yet): "
                         f"showing the reference {self.reference} alone.")
        except Exception as exc:  # a demo cell must not fail: say what went wrong instead
            self.learner_error = exc
            self.note = (f"{self.learner_name} failed: {type(exc).__name__}: {exc}"[:160]
                         + f" - showing the reference {self.reference} alone.")
        else:
            self.note = self._compare()

    def _compare(self) -> str:
        a, b = self.learner_result, self.reference_result
        n = min(len(a.trajectory), len(b.trajectory))
        diff = np.abs(a.trajectory[:n] - b.trajectory[:n]).max(axis=1)
        scale = 1.0 + np.abs(b.trajectory[:n]).max(axis=1)
        bad = np.nonzero(diff > 1e-9 * scale)[0]
        if len(bad) == 0 and len(a.trajectory) == len(b.trajectory):
            return (f"{self.learner_name} matches the reference {self.reference}: largest difference "
                    f"{diff.max():.1e} over {n - 1} steps.")
        if len(bad) == 0:
            return f"{self.learner_name} and {self.reference} agree for {n - 1} steps, then one of them diverges."
        return (f"{self.learner_name} differs from {self.reference} from step {bad[0]} on "
                f"(by {diff[bad[0]]:.3g} there, up to {diff.max():.3g}).")

    # -- figure ---------------------------------------------------------------------------------
    def _build_figure(self):
        fig = self.figure
        notes_h = Notes.height_px(self.NOTE_LINES)
        adjust(fig, notes_h, wspace=0.24)
        self.ax_path, self.ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1.0]})
        L = self.landscape
        ax = self.ax_path
        a, b, Z, levels = landscape_mesh(L)
        if L.dim == 2:
            ax.contour(a, b, Z, levels=levels, cmap="viridis", linewidths=0.7, alpha=0.8)
            ax.set_ylim(L.ylim)
            if len(L.minima):
                ax.plot(L.minima[:, 0], L.minima[:, 1], "*", color="k", ms=11, zorder=5)
            style_axes(ax, xlabel="x", ylabel="y")
        else:
            ax.plot(a, b, color="0.3", lw=1.2)
            ax.set_ylim(L.ylim[0] - 0.03 * (L.ylim[1] - L.ylim[0]), L.ylim[1])
            style_axes(ax, xlabel="x", ylabel="f(x)")
        ax.set_xlim(L.xlim)
        tex = formula_tex(L)
        style_axes(ax, title=L.title + (f": {tex}" if tex else ""))
        c = self.reference_color
        (self.reference_line,) = ax.plot([], [], "o-", color=c, ms=4, lw=3.0, alpha=0.5,
                                         label=f"reference {self.reference}")
        (self.learner_line,) = ax.plot([], [], "o-", color=_LEARNER_COLOR, ms=1.8, lw=0.9,
                                       label=self.learner_name)
        (self.start_marker,) = ax.plot([], [], "o", mfc="white", mec="k", ms=8, mew=1.5, zorder=6)
        ax2 = self.ax_loss
        (self.reference_loss,) = ax2.plot([], [], color=c, lw=3.5, alpha=0.5, label=f"reference {self.reference}")
        (self.learner_loss,) = ax2.plot([], [], color=_LEARNER_COLOR, lw=1.1, label=self.learner_name)
        self.markers = {"reference": DivergenceMarker(ax2, c), "learner": DivergenceMarker(ax2, _LEARNER_COLOR)}
        ax2.set_yscale("log" if L.bounded_below else "symlog")
        style_axes(ax2, title="loss (log scale)" if L.bounded_below else "loss (symmetric log scale)", xlabel="step")
        ax2.grid(True, alpha=0.3)
        self.notes = Notes(fig, notes_h, 3, self.NOTE_LINES)
        self._animate(self.reference_line, self.learner_line, self.start_marker, self.reference_loss,
                      self.learner_loss, *self.notes.texts, *[a for m in self.markers.values() for a in m.artists])
        self._frame = None

    def _refresh(self):
        self._run()
        L = self.landscape
        t = self.steps if self.t_shown is None else min(self.t_shown, self.steps)
        fmin = L.minimum_value if (L.minimum_value is not None and L.bounded_below) else 0.0
        window = (L.xlim, L.ylim) if L.dim == 2 else (L.xlim, self.ax_path.get_ylim())
        shown = []
        for key, res, path, loss in (("reference", self.reference_result, self.reference_line, self.reference_loss),
                                     ("learner", self.learner_result, self.learner_line, self.learner_loss)):
            marker = self.markers[key]
            if res is None:
                path.set_visible(False)
                loss.set_visible(False)
                marker.hide()
                continue
            tr, ls = res.trajectory[: t + 1], res.losses[: t + 1]
            px, py, _ = clip_to_window(tr[:, 0], tr[:, 1] if L.dim == 2 else ls, *window)
            path.set_data(px, py)
            y = on_log_axis(ls - fmin) if L.bounded_below else ls - fmin
            loss.set_data(np.arange(len(y)), y)
            shown.append(y)
            path.set_visible(True)
            loss.set_visible(True)
        self.start_marker.set_data([self.start[0]], [self.start[1] if L.dim == 2 else float(L.loss(self.start))])
        frame = (self.steps, self.learner_result is not None)
        if self._frame != frame:
            self._frame = frame
            self._layout_dirty = True
            self.ax_loss.set_xlim(0, self.steps)
            # One legend for both panels (the same colours), above the loss curves: never on the paths.
            handles = [self.reference_loss] + ([self.learner_loss] if self.learner_result is not None else [])
            self.ax_loss.legend(handles=handles, fontsize=style.LEGEND_SIZE, loc="upper right", ncol=2,
                                framealpha=0.9, borderaxespad=0.3, handlelength=1.6, columnspacing=1.0)
        if shown and fit_limits(self.ax_loss, np.concatenate(shown), headroom=legend_fraction(
                self.ax_loss, self.ax_loss.get_legend()), keep=not self._layout_dirty):
            self._layout_dirty = True
        for key, res, line in (("reference", self.reference_result, self.reference_loss),
                               ("learner", self.learner_result, self.learner_loss)):
            x, y = line.get_data()
            ref = self.reference_result
            same = key == "learner" and ref is not None and ref.diverged and res is not None and \
                res.diverged_at == ref.diverged_at  # one label is enough when both stop at the same step
            if res is not None and res.diverged and len(y) and len(y) == len(res.losses) and not same:
                self.markers[key].show(x[-1], y[-1], f"diverged at step {res.diverged_at}")
            else:
                self.markers[key].hide()
        st = theory_note(self.reference, self.hyper, L)
        ref = self.reference_result
        lines = [(self.note, self.learner_error is not None),
                 (st.text if st is not None else "", st is not None and st.verdict != "converges"),
                 ("" if ref is None or not ref.diverged else ref.message, True)]
        self.notes.show([(msg, "#b00000" if alarm else "0.15", alarm) for msg, alarm in lines])

    # -- control --------------------------------------------------------------------------------
    def set(self, *, steps=None, start=None, t=None, **hyper):
        """Change hyperparameters, steps, start or the replay step ``t`` in both modes."""
        with self._batch():
            for k, v in hyper.items():
                if k not in self.hyper:
                    raise ValueError(f"no slider for {k!r}; the race has {sorted(self.hyper)}")
                self.hyper[k] = V.check_positive(v, k) if k == "lr" else float(v)
                if self.widget is not None:
                    self.controls[k].set(self.hyper[k])
            if steps is not None:
                self.steps = check_steps(steps)
                if self.widget is not None:
                    self.steps_slider.value = self.steps
            if start is not None:
                self.start = V.as_float_array(start, "start").reshape(self.landscape.dim)
            if t is not None:
                self.t_shown = V.check_int(t, "t", minimum=0)
                if self.widget is not None:
                    self.play.value = min(self.t_shown, self.play.max)

    def _build_controls(self):
        import ipywidgets as W

        info = get_info(self.reference)
        self.controls = {}
        for k, v in self.hyper.items():
            h = info.hyperparameters[k]
            self.controls[k] = HyperControl(h, v, *(self.lr_range if k == "lr" else (h.low, h.high)), description=k,
                                            width="300px" if k == "lr" else "220px",
                                            on_change=lambda value, key=k: self._on_hyper(key, value))
        self.sliders = {k: c.slider for k, c in self.controls.items()}
        self.boxes = {k: c.text for k, c in self.controls.items()}
        self.steps_slider = W.IntSlider(value=self.steps, min=1, max=max(500, self.steps), description="steps",
                                        continuous_update=True, layout=W.Layout(width="280px"))
        self.steps_slider.observe(self._on_steps, "value")
        self.play = W.Play(value=self.steps, min=0, max=self.steps, step=1, interval=60, description="replay")
        self.play.observe(self._on_play, "value")
        self.replay_slider = W.IntSlider(value=self.steps, min=0, max=self.steps, description="show step",
                                         style={"description_width": "initial"}, layout=W.Layout(width="280px"))
        W.jslink((self.play, "value"), (self.replay_slider, "value"))
        return W.VBox([W.HBox([c.box for c in self.controls.values()]),
                       W.HBox([self.steps_slider, self.play, self.replay_slider]), self.canvas])

    def _on_hyper(self, key, value):
        self.hyper[key] = float(value)
        if not self._suspended:
            self.update()

    def _on_steps(self, change):
        self.steps = int(change["new"])
        self.t_shown = None
        self.play.max = self.replay_slider.max = self.steps
        self.play.value = self.steps
        if not self._suspended:
            self.update()

    def _on_play(self, change):
        self.t_shown = int(change["new"])
        if not self._suspended:
            self.update()

    def __repr__(self):
        return f"<Race: {self.learner_name} vs {self.reference} on {self.landscape.name}{' (static)' if self.static else ''}>"


def race(learner_fn, reference="momentum", landscape="ill_conditioned", *, steps=100, start=None, name=None,
         lr_range=None, static=None, **hyper) -> Race:
    """Run the learner's own step function beside the library's ``reference`` on a landscape.

    ``learner_fn`` is a plain function from an exercise, e.g.
    ``def my_momentum(w, v, g, lr=0.1, beta=0.9): ... return w, v``; it is wrapped with
    :func:`optimlab.make` and gets the same hyperparameters as the reference (those it accepts).
    The note under the plots says whether the two paths agree, and from which step they differ.
    If ``learner_fn`` raises ``NotImplementedError`` (an exercise not done yet) or any other error,
    the note says so and the reference runs alone: the cell never fails.

    ``**hyper`` sets starting values (``lr=0.1, beta=0.5``). The learning-rate slider covers the
    interesting range (``lr_range=(low, high)`` to choose it; default around ``lr`` and the
    stability threshold, :func:`optimlab.widgets.common.lr_range`), the others the registry's
    ranges; a text box beside each takes exact values. A replay control shows the race step by step.
    """
    return Race(learner_fn, reference, landscape, steps=steps, start=start, name=name, lr_range=lr_range,
                static=static, **hyper)
