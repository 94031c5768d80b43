"""A race: the learner's own step function beside the library's reference on a landscape."""
from __future__ import annotations


import numpy as np

from .. import validation as V
from ..landscapes import get_landscape
from ..registry import get_info
from ..stateful import make
from .base import SLIDER_HYPERPARAMETERS, Explorer, hyper_slider
from .common import RunCache, check_steps, formula_tex, landscape_mesh, suggested_lr, theory_note

__all__ = ["Race", "race"]

_LEARNER_COLOR = "#d62728"
_REFERENCE_COLOR = "#1f77b4"


class Race(Explorer):
    """The learner's step function and the reference optimizer from the same start.

    Build it with :func:`race`. After each change ``reference_result`` and ``learner_result``
    (``None`` when the learner's function could not run) hold the runs, ``learner_error`` the
    exception that stopped the learner's function (``NotImplementedError`` for an exercise not
    done yet) and ``note`` the sentence shown on the figure. A learner's function never makes the
    cell fail: its error is shown as a note and the reference runs alone.
    """

    FIGSIZE = (10.5, 4.3)

    def __init__(self, learner_fn, reference="momentum", landscape="ill_conditioned", *, steps=100, start=None,
                 name=None, static=None, **hyper):
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
        h = self.FIGSIZE[1] * fig.dpi
        fig.subplots_adjust(left=0.06, right=0.985, top=1 - 22 / h, bottom=(48 + 3 * 15) / h, wspace=0.22)
        self.ax_path, self.ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1.0]})
        L = self.landscape
        ax = self.ax_path
        a, b, Z, levels = landscape_mesh(L)
        if L.dim == 2:
            ax.contour(a, b, Z, levels=levels, cmap="viridis", linewidths=0.7, alpha=0.8)
            ax.set_ylim(L.ylim)
            if len(L.minima):
                ax.plot(L.minima[:, 0], L.minima[:, 1], "*", color="k", ms=11, zorder=5)
        else:
            ax.plot(a, b, color="0.3", lw=1.2)
            ax.set_ylim(L.ylim[0] - 0.03 * (L.ylim[1] - L.ylim[0]), L.ylim[1])
        ax.set_xlim(L.xlim)
        tex = formula_tex(L)
        ax.set_title(L.title + (f": {tex}" if tex else ""), fontsize=10.5)
        (self.reference_line,) = ax.plot([], [], "o-", color=_REFERENCE_COLOR, ms=4, lw=2.5, alpha=0.55,
                                         label=f"reference {self.reference}")
        (self.learner_line,) = ax.plot([], [], "o-", color=_LEARNER_COLOR, ms=2, lw=1.0,
                                       label=self.learner_name)
        (self.start_marker,) = ax.plot([], [], "o", mfc="white", mec="k", ms=8, mew=1.5, zorder=6)
        ax.legend(fontsize=9, loc="upper right", framealpha=0.8)
        ax2 = self.ax_loss
        (self.reference_loss,) = ax2.plot([], [], color=_REFERENCE_COLOR, lw=3, alpha=0.55,
                                          label=f"reference {self.reference}")
        (self.learner_loss,) = ax2.plot([], [], color=_LEARNER_COLOR, lw=1.2, label=self.learner_name)
        ax2.set_yscale("log" if L.bounded_below else "symlog")
        ax2.set_xlabel("step")
        ax2.set_title("loss (log scale)", fontsize=10.5)
        ax2.grid(True, alpha=0.3)
        ax2.legend(fontsize=9, loc="upper right")
        self.notes = [fig.text(0.01, (6 + 15 * (2 - k)) / h, "", fontsize=9.5, va="bottom") for k in range(3)]
        self._animate(self.reference_line, self.learner_line, self.start_marker, self.reference_loss,
                      self.learner_loss, *self.notes)
        self._frame = None

    def _refresh(self):
        self._run()
        L = self.landscape
        t = self.steps if self.t_shown is None else min(self.t_shown, self.steps)
        fmin = L.minimum_value if (L.minimum_value is not None and L.bounded_below) else 0.0
        for res, path, loss in ((self.reference_result, self.reference_line, self.reference_loss),
                                (self.learner_result, self.learner_line, self.learner_loss)):
            if res is None:
                path.set_visible(False)
                loss.set_visible(False)
                continue
            tr, ls = res.trajectory[: t + 1], res.losses[: t + 1]
            path.set_data(tr[:, 0], tr[:, 1] if L.dim == 2 else ls)
            loss.set_data(np.arange(len(ls)), ls - fmin)
            path.set_visible(True)
            loss.set_visible(True)
        self.start_marker.set_data([self.start[0]], [self.start[1] if L.dim == 2 else float(L.loss(self.start))])
        if self._frame != self.steps:
            self._frame = self.steps
            self._layout_dirty = True
            ax = self.ax_loss
            ax.set_xlim(0, self.steps)
            values = landscape_mesh(L)[2] if L.dim == 2 else landscape_mesh(L)[1]
            top = 3.0 * float(np.nanmax(np.abs(values - fmin)))
            ax.set_ylim((top * 1e-12, top) if L.bounded_below else (-top, top))
        st = theory_note(self.reference, self.hyper, L)
        lines = [(self.note, self.learner_error is not None),
                 (st.text if st is not None else "", st is not None and st.verdict != "converges"),
                 ("" if self.reference_result is None or not self.reference_result.diverged
                  else self.reference_result.message[:150], True)]
        for text, (msg, alarm) in zip(self.notes, lines):
            text.set_text(msg)
            text.set_color("#b00000" if alarm else "0.15")
            text.set_fontweight("bold" if alarm else "normal")

    # -- control --------------------------------------------------------------------------------
    def set(self, *, steps=None, start=None, t=None, **hyper):
        """Change hyperparameters, steps, start or the replay step ``t`` in both modes."""
        with self._batch():
            for k, v in hyper.items():
                if k not in self.hyper:
                    raise ValueError(f"no slider for {k!r}; the race has {sorted(self.hyper)}")
                self.hyper[k] = V.check_positive(v, k) if k == "lr" else float(v)
                if self.widget is not None:
                    self.sliders[k].value = self.hyper[k]
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
        self.sliders = {}
        for k, v in self.hyper.items():
            s = hyper_slider(info.hyperparameters[k], v, description=k, width="280px" if k == "lr" else "230px")
            self.hyper[k] = float(s.value)
            s.observe(lambda ch, key=k: self._on_hyper(key, ch), "value")
            self.sliders[k] = s
        self.steps_slider = W.IntSlider(value=self.steps, min=1, max=max(500, self.steps), description="steps",
                                        continuous_update=True, layout=W.Layout(width="280px"))
        self.steps_slider.observe(self._on_steps, "value")
        self.play = W.Play(value=self.steps, min=0, max=self.steps, step=1, interval=60, description="replay")
        self.play.observe(self._on_play, "value")
        self.replay_slider = W.IntSlider(value=self.steps, min=0, max=self.steps, description="show step",
                                         style={"description_width": "initial"}, layout=W.Layout(width="280px"))
        W.jslink((self.play, "value"), (self.replay_slider, "value"))
        return W.VBox([W.HBox(list(self.sliders.values())), W.HBox([self.steps_slider, self.play, self.replay_slider]),
                       self.canvas])

    def _on_hyper(self, key, change):
        self.hyper[key] = float(change["new"])
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
         static=None, **hyper) -> Race:
    """Run the learner's own step function beside the library's ``reference`` on a landscape.

    ``learner_fn`` is a plain function from an exercise, e.g.
    ``def my_momentum(w, v, g, lr=0.1, beta=0.9): ... return w, v``; it is wrapped with
    :func:`optimlab.make` and gets the same hyperparameters as the reference (those it accepts).
    The note under the plots says whether the two paths agree, and from which step they differ.
    If ``learner_fn`` raises ``NotImplementedError`` (an exercise not done yet) or any other error,
    the note says so and the reference runs alone: the cell never fails.

    ``**hyper`` sets starting values (``lr=0.1, beta=0.5``); sliders cover the registry's ranges;
    a replay control shows the race step by step.
    """
    return Race(learner_fn, reference, landscape, steps=steps, start=start, name=name, static=static, **hyper)
