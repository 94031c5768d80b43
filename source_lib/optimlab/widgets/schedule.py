"""The schedule explorer: choose a learning-rate schedule, move its parameters, see lr(t) and the training it gives.

Left: the rate of every step ``t = 1 .. T``, ``lr_t`` as :func:`optimlab.train` used it (for
``ReduceLROnPlateau`` the rates it chose from the validation losses), beside the constant rate
``lr0`` (dashed). Right: the mini-batch loss (faint), the training and validation losses per epoch
of the scheduled run, and those of the constant-rate run in grey. The notes say what the
schedule did and the final losses and validation accuracy of both runs.

The problem is small on purpose (a slider move retrains in a few tens of milliseconds): an MLP
``[64, 32, 10]`` (ReLU) on 640 of the UCI 8x8 digits, validated on 300 others, with
mini-batches of 64 (10 iterations per epoch) and momentum (EMA form, ``beta = 0.9``).
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import datasets as D
from .. import schedules as S
from .. import style
from .. import validation as V
from ..models import MLP
from ..training import train
from .base import Explorer, color_of
from .layout import Notes, adjust, figure_height, fit_limits, legend_fraction, on_log_axis, style_axes

__all__ = ["ScheduleExplorer", "schedule_explorer", "SCHEDULES"]

#: Per schedule: its parameters as ``(name, kind, default)``; ``kind`` is "lr" (log slider),
#: "int" (iterations; ``None`` defaults are set from the run's length), "float" (with its range).
#: ``lr0`` (or ``max_lr``) comes from the explorer's ``lr``.
SCHEDULES = {
    "constant": (),
    "step_decay": (("step_size", "int", None), ("gamma", (0.05, 1.0), 0.5)),
    "exponential_decay": (("gamma", (0.9, 1.0), 0.97),),
    "inverse_time_decay": (("k", (0.0, 1.0), 0.1),),
    "cosine_decay": (("lr_min", "lr", 0.01),),
    "warmup_cosine": (("warmup_steps", "int", None), ("lr_min", "lr", 0.01)),
    "cyclic": (("base_lr", "lr", 0.05), ("step_size", "int", None)),
    "one_cycle": (("pct_start", (0.05, 0.95), 0.3),),
    "ReduceLROnPlateau": (("factor", (0.05, 0.95), 0.5), ("patience", "int", 1)),
}


def _make_schedule(name, lr, total, p):
    """The schedule object for ``name`` with the rate ``lr`` (its largest) and the parameters ``p``."""
    if name == "constant":
        return S.constant(lr)
    if name == "step_decay":
        return S.step_decay(lr, int(p["step_size"]), p["gamma"])
    if name == "exponential_decay":
        return S.exponential_decay(lr, p["gamma"])
    if name == "inverse_time_decay":
        return S.inverse_time_decay(lr, p["k"])
    if name == "cosine_decay":
        return S.cosine_decay(lr, total, min(p["lr_min"], lr))
    if name == "warmup_cosine":
        return S.warmup_cosine(lr, min(int(p["warmup_steps"]), total - 1), total, min(p["lr_min"], lr))
    if name == "cyclic":
        return S.cyclic(min(p["base_lr"], lr), lr, int(p["step_size"]))
    if name == "one_cycle":
        return S.one_cycle(lr, total, pct_start=p["pct_start"])
    return S.ReduceLROnPlateau(lr, factor=p["factor"], patience=int(p["patience"]))


def _default_params(name, total, ipe):
    out = {}
    for key, kind, default in SCHEDULES[name]:
        if default is None:
            default = {"step_size": 2 * ipe, "warmup_steps": max(1, total // 8)}[key]
            if name == "cyclic":
                default = max(1, total // 4)
        out[key] = default
    return out


class ScheduleExplorer(Explorer):
    """A schedule's ``lr(t)`` and the training it gives, beside a constant rate.

    Build it with :func:`schedule_explorer`. State: ``schedule`` (a key of :data:`SCHEDULES`),
    ``lr`` (``lr0``, or ``max_lr`` for the cyclic and one-cycle schedules), ``params`` (the
    schedule's other parameters), ``epochs``. After each change ``history`` (the scheduled run)
    and ``baseline`` (constant ``lr``) hold the :class:`~optimlab.training.History` of each, and
    the artists show them: ``lr_line``, ``lr_const_line``, ``batch_loss_line``,
    ``train_loss_line``, ``val_loss_line``, ``base_train_line``, ``base_val_line``.

    Widget controls: ``schedule_dropdown``, ``lr_slider``, ``epochs_slider`` and
    ``param_sliders[name]`` for the current schedule.
    """

    NOTE_LINES = 3
    FIGSIZE = (11.5, figure_height(Notes.height_px(NOTE_LINES)))
    BATCH_SIZE = 64

    def __init__(self, schedule="warmup_cosine", *, lr=3.0, epochs=8, seed=0, static=None, **params):
        if schedule not in SCHEDULES:
            raise ValueError(f"schedule={schedule!r} is not known; allowed: {', '.join(SCHEDULES)}")
        self.lr = V.check_positive(lr, "lr")
        self.epochs = V.check_int(epochs, "epochs", minimum=2)
        self.seed = V.check_int(seed, "seed", minimum=0)
        ds = D.digits()
        X, y = ds.X / 16.0, ds.y
        Xtr, Xv, ytr, yv = D.train_val_split(X, y, val_fraction=0.3, seed=0)
        self.X, self.y, self.X_val, self.y_val = Xtr[:640], ytr[:640], Xv[:300], yv[:300]
        self.model = MLP([64, 32, 10], "relu")
        self.w0 = self.model.init_params(self.seed)
        self.ipe = -(-len(self.X) // self.BATCH_SIZE)
        self.schedule = schedule
        self.params = {name: _default_params(name, self.total, self.ipe) for name in SCHEDULES}
        allowed = {k for k, _, _ in SCHEDULES[schedule]}
        unknown = set(params) - allowed
        if unknown:
            raise ValueError(f"{schedule} has no parameter {sorted(unknown)}; it has {sorted(allowed) or 'none'}")
        self.params[schedule].update({k: float(v) for k, v in params.items()})
        self._baseline_key = None
        super().__init__(static=static)

    @property
    def total(self) -> int:
        """Iterations of the run: ``epochs * iterations per epoch``."""
        return self.epochs * self.ipe

    def make_schedule(self):
        """The current schedule (a fresh object: ``ReduceLROnPlateau`` keeps state)."""
        return _make_schedule(self.schedule, self.lr, self.total, self.params[self.schedule])

    def _train(self, schedule):
        return train(self.model, "momentum", self.X, self.y, epochs=self.epochs, batch_size=self.BATCH_SIZE,
                     lr_schedule=schedule, X_val=self.X_val, y_val=self.y_val, seed=self.seed, w0=self.w0,
                     progress=False, on_divergence="ignore", lr=self.lr, beta=0.9)

    # -- figure -------------------------------------------------------------------------------
    def _build_figure(self):
        fig = self.figure
        notes_h = Notes.height_px(self.NOTE_LINES)
        adjust(fig, notes_h, wspace=0.25)
        self.ax_lr, self.ax_loss = fig.subplots(1, 2)
        c = color_of("momentum")
        ax = self.ax_lr
        (self.lr_const_line,) = ax.plot([], [], "--", color="0.55", lw=1.3, label="constant lr0")
        (self.lr_line,) = ax.plot([], [], "-", color=c, lw=2.0, label="schedule")
        style_axes(ax, title="learning rate lr_t of each step", xlabel="step t (lr_t = schedule(t - 1))",
                   ylabel="lr_t")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=style.LEGEND_SIZE, loc="upper right", framealpha=0.9, borderaxespad=0.3)
        ax = self.ax_loss
        (self.batch_loss_line,) = ax.plot([], [], "-", color=c, lw=0.7, alpha=0.35, label="mini-batch loss")
        (self.base_train_line,) = ax.plot([], [], "o-", color="0.6", lw=1.3, ms=3, label="constant: training")
        (self.base_val_line,) = ax.plot([], [], "s--", color="0.6", lw=1.3, ms=3, label="constant: validation")
        (self.train_loss_line,) = ax.plot([], [], "o-", color=c, lw=2.0, ms=3, label="schedule: training")
        (self.val_loss_line,) = ax.plot([], [], "s--", color="k", lw=1.5, ms=3, label="schedule: validation")
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # epochs are whole numbers
        style_axes(ax, title="loss (log scale)", xlabel="epoch")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=style.LEGEND_SIZE - 1, loc="upper right", framealpha=0.9, borderaxespad=0.3, ncol=2,
                  handlelength=1.6, columnspacing=1.0)
        self.notes = Notes(fig, notes_h, 2, self.NOTE_LINES)
        self._animate(self.lr_line, self.lr_const_line, self.batch_loss_line, self.train_loss_line,
                      self.val_loss_line, self.base_train_line, self.base_val_line, *self.notes.texts)
        self._frame = None

    def _refresh(self):
        key = (self.lr, self.epochs)
        if key != self._baseline_key:
            self.baseline = self._train(None)
            self._baseline_key = key
        self.history = h = self._train(self.make_schedule())
        b = self.baseline
        it = np.arange(h.n_iterations)
        self.lr_line.set_data(it + 1, h.lr)        # step t = 1, 2, ... uses schedule(t - 1)
        self.lr_const_line.set_data([1, self.total], [self.lr, self.lr])
        self.batch_loss_line.set_data(it / self.ipe, on_log_axis(h.batch_loss))
        ep = np.arange(len(h.train_loss))
        self.train_loss_line.set_data(ep, on_log_axis(h.train_loss))
        self.val_loss_line.set_data(ep, on_log_axis(h.val_loss))
        eb = np.arange(len(b.train_loss))
        self.base_train_line.set_data(eb, on_log_axis(b.train_loss))
        self.base_val_line.set_data(eb, on_log_axis(b.val_loss))
        if self._frame != self.epochs:
            self._frame = self.epochs
            self.ax_lr.set_xlim(0.5, self.total + 0.5)
            self.ax_loss.set_xlim(0, self.epochs)
            self._layout_dirty = True
        ax = self.ax_lr
        lr_values = np.concatenate([h.lr[np.isfinite(h.lr)], [self.lr, 0.0]])
        top = float(np.max(lr_values)) if lr_values.size else self.lr
        frac = legend_fraction(ax, ax.get_legend())
        new = (0.0, top * 1.05 / (1.0 - frac - 0.04))
        if ax.get_ylim() != new:
            ax.set_ylim(*new)
            self._layout_dirty = True
        values = np.concatenate([self.batch_loss_line.get_data()[1], h.train_loss, h.val_loss, b.train_loss,
                                 b.val_loss])
        if fit_limits(self.ax_loss, values, headroom=legend_fraction(self.ax_loss, self.ax_loss.get_legend()),
                      keep=not self._layout_dirty):
            self._layout_dirty = True
        self._update_notes()

    def _describe(self) -> str:
        p = self.params[self.schedule]
        bits = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in p.items())
        rate = "max_lr" if self.schedule in ("cyclic", "one_cycle") else "lr0"
        head = f"{self.schedule}({rate}={self.lr:.3g}{', ' + bits if bits else ''})"
        if self.schedule == "ReduceLROnPlateau":
            n = len(self.history.lr)
            drops = int(np.sum(np.diff(self.history.lr) < 0)) if n > 1 else 0
            head += f": lowered the rate {drops} time(s), to {self.history.lr[-1]:.3g}"
        else:
            head += f": lr from {self.history.lr[0]:.3g} (step 1) to {self.history.lr[-1]:.3g} (step {self.total})"
        return head

    def note_texts(self) -> list[str]:
        h, b = self.history, self.baseline
        first = f"{self._describe()}; {self.total} steps ({self.epochs} epochs of {self.ipe})"
        if h.diverged:
            return [first, f"the scheduled run diverged at step {h.diverged_at + 1}: lower lr0"]
        acc = self.model.accuracy(h.w, self.X_val, self.y_val)
        second = (f"final training loss {h.train_loss[-1]:.3g}, validation loss {h.val_loss[-1]:.3g}, "
                  f"validation accuracy {acc:.1%}")
        if self.schedule == "constant":
            second += "  (the schedule is the constant rate: the grey run is the same)"
        elif b.diverged:
            second += f"; the constant rate diverged at step {b.diverged_at + 1}"
        else:
            acc_b = self.model.accuracy(b.w, self.X_val, self.y_val)
            second += (f"  |  constant lr0: {b.train_loss[-1]:.3g}, {b.val_loss[-1]:.3g}, {acc_b:.1%}")
        return [first, second]

    def _update_notes(self):
        lines = self.note_texts()
        self.notes.show([(msg, "#b00000" if "diverged" in msg else "0.15", "diverged" in msg) for msg in lines])

    # -- control ------------------------------------------------------------------------------
    def set(self, *, schedule=None, lr=None, epochs=None, **params):
        """Change settings in both modes, e.g. ``ex.set(schedule="step_decay", gamma=0.3)``."""
        with self._batch():
            if schedule is not None:
                if schedule not in SCHEDULES:
                    raise ValueError(f"schedule={schedule!r} is not known; allowed: {', '.join(SCHEDULES)}")
                self.schedule = schedule
                if self.widget is not None:
                    self.schedule_dropdown.value = schedule
            if lr is not None:
                self.lr = V.check_positive(lr, "lr")
                if self.widget is not None:
                    self.lr_slider.value = self.lr
            if epochs is not None:
                self.epochs = V.check_int(epochs, "epochs", minimum=2)
                if self.widget is not None:
                    self.epochs_slider.value = self.epochs
            for k, v in params.items():
                if k not in self.params[self.schedule]:
                    raise ValueError(f"{self.schedule} has no parameter {k!r}; it has "
                                     f"{sorted(self.params[self.schedule]) or 'none'}")
                self.params[self.schedule][k] = float(v)
                if self.widget is not None:
                    self.param_sliders[k].value = v

    def _build_controls(self):
        import ipywidgets as W

        self.schedule_dropdown = W.Dropdown(options=list(SCHEDULES), value=self.schedule, description="schedule",
                                            layout=W.Layout(width="280px"))
        self.schedule_dropdown.observe(self._on_schedule, "value")
        self.lr_slider = W.FloatLogSlider(value=self.lr, base=10, min=-2, max=1, step=0.01,
                                          description="lr0 / max_lr", readout_format=".3g",
                                          style={"description_width": "initial"}, layout=W.Layout(width="320px"))
        self.lr_slider.observe(self._on_lr, "value")
        self.epochs_slider = W.IntSlider(value=self.epochs, min=2, max=max(30, self.epochs), description="epochs",
                                         layout=W.Layout(width="260px"))
        self.epochs_slider.observe(self._on_epochs, "value")
        self._param_box = W.HBox()
        self._rebuild_param_sliders()
        return W.VBox([W.HBox([self.schedule_dropdown, self.lr_slider, self.epochs_slider]), self._param_box,
                       self.canvas])

    def _rebuild_param_sliders(self):
        import ipywidgets as W

        self.param_sliders = {}
        for key, kind, _ in SCHEDULES[self.schedule]:
            value = self.params[self.schedule][key]
            common = dict(description=key, readout_format=".3g", style={"description_width": "initial"},
                          layout=W.Layout(width="300px"))
            if kind == "lr":
                s = W.FloatLogSlider(value=value, base=10, min=-4, max=1, step=0.01, **common)
            elif kind == "int":
                low = 0 if key in ("patience", "warmup_steps") else 1
                s = W.IntSlider(value=int(value), min=low, max=max(self.total - 1, int(value)) if key != "patience"
                                else 10, description=key, layout=W.Layout(width="300px"))
            else:
                lo, hi = kind
                s = W.FloatSlider(value=value, min=lo, max=hi, step=(hi - lo) / 200, **common)
            s.observe(lambda change, k=key: self._on_param(k, change), "value")
            self.param_sliders[key] = s
        self._param_box.children = list(self.param_sliders.values())

    def _on_schedule(self, change):
        if self._suspended:
            return
        with self._batch():
            self.schedule = change["new"]
            self._rebuild_param_sliders()

    def _on_lr(self, change):
        self.lr = float(f"{float(change['new']):.3g}")
        self._changed()

    def _on_epochs(self, change):
        self.epochs = int(change["new"])
        for name in ("step_decay", "warmup_cosine", "cyclic"):
            for key in ("step_size", "warmup_steps"):
                if key in self.params[name]:
                    self.params[name][key] = min(self.params[name][key], self.total - 1)
        self._changed()

    def _on_param(self, key, change):
        self.params[self.schedule][key] = float(change["new"])
        self._changed()

    def __repr__(self):
        return f"<ScheduleExplorer: {self.schedule}, lr={self.lr:g}, {self.epochs} epochs{' (static)' if self.static else ''}>"


def schedule_explorer(schedule="warmup_cosine", *, lr=3.0, epochs=8, seed=0, static=None,
                      **params) -> ScheduleExplorer:
    """A learning-rate schedule you can steer: choose it, move its parameters, see lr(t) and the losses.

    ``schedule`` is one of :data:`SCHEDULES` (``"step_decay"``, ``"warmup_cosine"``, ``"one_cycle"``,
    ``"ReduceLROnPlateau"``, ...); ``lr`` its largest rate (``lr0``, or ``max_lr``); ``epochs`` the
    run's length (10 iterations each); ``**params`` the schedule's other parameters, in iterations
    where they count steps (``warmup_steps=10``, ``step_size=20``). The training run is an MLP on
    640 digits with momentum (see the module docstring), beside the same run at the constant
    rate ``lr``. Where widgets cannot run it shows a static PNG of this state.
    """
    return ScheduleExplorer(schedule, lr=lr, epochs=epochs, seed=seed, static=static, **params)
