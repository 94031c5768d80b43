"""The data explorer: mini-batch training of a model, with batch size, learning rate, epochs and optimizer."""
from __future__ import annotations


import numpy as np

from .. import datasets as D
from .. import validation as V
from ..models import LinearRegression, QuadraticModel, SoftmaxRegression
from ..registry import get_info
from ..training import train
from .. import style
from . import theory as T
from .base import Explorer, HyperControl, color_of
from .common import check_lr_range, check_optimizer_names, lr_threshold
from .common import lr_range as _lr_range
from .layout import (DivergenceMarker, Notes, adjust, clip_to_window, figure_height, fit_limits, legend_fraction,
                     on_log_axis, style_axes)

__all__ = ["DataExplorer", "data_explorer", "PROBLEMS"]

#: The problems the explorer knows, with their default data.
PROBLEMS = {
    "linear_regression": "synthetic_linear(n=100, noise=1.0): y = 2x + 1 + noise; or data='source_articles'",
    "quadratic_model": "synthetic_quadratic(n=50, noise=0.5): y = x^2 - 2x + 0.5 + noise",
    "softmax_regression": "Iris (150 flowers, 4 standardised features, 3 classes)",
}

_ADAPTIVE = {"adagrad", "rmsprop", "adam", "amsgrad", "adamax", "nadam", "adamw", "radam", "rmsprop_centered",
             "rmsprop_momentum"}


def _load_data(problem, data):
    """``(X, y, label)`` for the problem: a name, a Dataset or a pair (X, y)."""
    if data is None:
        data = {"linear_regression": "synthetic", "quadratic_model": "synthetic", "softmax_regression": "iris"}[problem]
    if isinstance(data, str):
        loaders = {
            "linear_regression": {"synthetic": lambda: D.synthetic_linear(n=100, noise=1.0, seed=0),
                                  "source_articles": D.source_articles_data},
            "quadratic_model": {"synthetic": lambda: D.synthetic_quadratic(n=50, noise=0.5, seed=0)},
            "softmax_regression": {"iris": D.iris},
        }[problem]
        if data not in loaders:
            raise ValueError(f"data={data!r} is not a data set for {problem}; allowed: {', '.join(loaders)}, "
                             f"a Dataset, or a pair (X, y)")
        ds = loaders[data]()
        return np.asarray(ds.X, dtype=float), np.asarray(ds.y), data
    if isinstance(data, tuple) and len(data) == 2:
        X, y = data
        return np.asarray(X, dtype=float), np.asarray(y), "your data"
    if isinstance(data, D.Dataset):
        return np.asarray(data.X, dtype=float), np.asarray(data.y), data.name or "data set"
    raise TypeError(f"data must be a data set name, an optimlab Dataset or a pair (X, y), got {data!r}")


def _batch_options(n: int) -> list[int]:
    """1, 2, 4, ... and n itself (full batch)."""
    out, b = [], 1
    while b < n:
        out.append(b)
        b *= 2
    return out + [n]


class DataExplorer(Explorer):
    """Mini-batch training on data: the path in parameter space, loss curves and the fit.

    Build it with :func:`data_explorer`. State: ``optimizer``, ``hyper`` (``{name: {hp: value}}``),
    ``batch_size``, ``epochs``, ``seed`` (shuffling). After each change ``history`` holds the
    :class:`~optimlab.training.History` (with ``params``, the parameters before every update)
    and the artists show it: ``path_line`` (parameter path), ``batch_loss_line``,
    ``train_loss_line``, ``val_loss_line`` and ``fit_line`` (or the accuracy curves).

    Widget controls: ``optimizer_dropdown``, ``batch_slider``, ``epochs_slider``, ``seed_slider``
    and, for the current optimizer, ``hyper_controls[k]`` (a slider and a text box for exact
    values, :class:`~optimlab.widgets.base.HyperControl`), ``hyper_sliders[k]`` (their sliders)
    and ``lr_slider``. ``lr_ranges[name]`` is each optimizer's learning-rate range.

    A diverged run ends with a cross on the loss plot ("diverged at iteration i"), its path stops
    at the window's edge (``escaped``: the iteration where it left, or None) and no fit is drawn.
    """

    NOTE_LINES = 3  # two notes, one of which may wrap
    FIGSIZE = (11.5, figure_height(Notes.height_px(NOTE_LINES)))

    def __init__(self, problem="linear_regression", optimizer="gd", *, lr=None, batch_size=None, epochs=20,
                 optimizers=None, data=None, val_fraction=None, seed=0, lr_range=None, static=None):
        if problem not in PROBLEMS:
            raise ValueError(f"problem={problem!r} is not known; allowed: {', '.join(PROBLEMS)}")
        self.problem = problem
        X, y, self.data_label = _load_data(problem, data)
        if val_fraction is None:
            val_fraction = 0.0 if len(X) < 20 else 0.2
        val_fraction = V.check_in_range(val_fraction, "val_fraction", 0.0, 1.0, high_open=True)
        if problem == "softmax_regression":
            X = X.reshape(len(X), -1)
            self.model = SoftmaxRegression(X.shape[1], int(np.max(y)) + 1)
        elif problem == "quadratic_model":
            self.model = QuadraticModel()
        else:
            self.model = LinearRegression(1 if X.ndim == 1 else X.shape[1])
        if val_fraction > 0:
            Xtr, Xv, ytr, yv = D.train_val_split(X, y, val_fraction=val_fraction, seed=0)
        else:
            Xtr, ytr, Xv, yv = X, y, None, None
        if problem == "softmax_regression":
            # Standardised features: one learning rate suits all of them (scaled with the training set only).
            Xtr, *rest = D.standardize(Xtr, *([Xv] if Xv is not None else []))
            Xv = rest[0] if rest else None
        self.model.check_data(Xtr, ytr)
        self.X, self.y, self.X_val, self.y_val = Xtr, ytr, Xv, yv
        self.n = len(self.X)
        self.optimizer = get_info(optimizer).name
        # By default only the optimizer named: a notebook offers only what it has taught.
        self.optimizers = check_optimizer_names([self.optimizer] if optimizers is None else optimizers, "optimizers")
        if self.optimizer not in self.optimizers:
            self.optimizers.insert(0, self.optimizer)
        self.epochs = V.check_int(epochs, "epochs", minimum=1)
        self.batch_size = self.n if batch_size is None else min(V.check_int(batch_size, "batch_size"), self.n)
        self.seed = V.check_int(seed, "seed", minimum=0)
        self.w0 = np.asarray(self.model.init_params(0), dtype=float)
        self._least_squares = problem != "softmax_regression"
        self.w_star = self.model.least_squares(self.X, self.y) if self._least_squares else None
        self.eigenvalues = (np.linalg.eigvalsh(self.model.hessian(self.w0, self.X, self.y))
                            if self._least_squares else None)
        self.hyper = {name: self._initial_hyper(name) for name in self.optimizers}
        if lr is not None:
            self.hyper[self.optimizer]["lr"] = V.check_positive(lr, "lr")
        user_ranges = check_lr_range(lr_range, self.optimizers)
        self.lr_ranges = {name: user_ranges.get(name) or _lr_range(
            name, self.hyper[name]["lr"], lr_threshold(name, self.eigenvalues, self.hyper[name]))
            for name in self.optimizers}
        self.history = None
        self.escaped = None
        super().__init__(static=static)

    # -- state --------------------------------------------------------------------------------
    def _initial_hyper(self, name) -> dict:
        info = get_info(name)
        values = {k: h.default for k, h in info.hyperparameters.items()
                  if k in ("lr", "beta", "beta1", "beta2", "mu", "alpha", "rho", "momentum")}
        values["lr"] = self.suggested_lr(name)
        return values

    def suggested_lr(self, name) -> float:
        """A learning rate that trains in a few epochs: ``1/L`` (``L`` the largest eigenvalue of the
        full-batch Hessian) for GD and momentum, ``(1-mu)/L`` for heavy ball and Nesterov,
        0.05 for the adaptive methods, 0.1 on Iris; clipped to the registry's range."""
        info = get_info(name)
        h = info.hyperparameters["lr"]
        value = h.default
        if name in _ADAPTIVE:
            value = 0.05
        elif name in ("gd", "momentum", "heavy_ball", "nesterov"):
            value = 1.0 / float(self.eigenvalues[-1]) if self.eigenvalues is not None else 0.1
            if name in ("heavy_ball", "nesterov"):
                value *= 1.0 - info.hyperparameters["mu"].default
        return float(min(max(float(f"{value:.2g}"), h.low), h.high))

    def _train(self):
        hyper = self.hyper[self.optimizer]
        self.history = train(self.model, self.optimizer, self.X, self.y, epochs=self.epochs,
                             batch_size=self.batch_size, X_val=self.X_val, y_val=self.y_val, seed=self.seed,
                             w0=self.w0, progress=False, on_divergence="ignore", record_params=True, **hyper)

    # -- figure -------------------------------------------------------------------------------
    def _build_figure(self):
        fig = self.figure
        notes_h = Notes.height_px(self.NOTE_LINES)
        adjust(fig, notes_h, wspace=0.36)
        self.ax_path, self.ax_loss, self.ax_fit = fig.subplots(1, 3)
        ax = self.ax_path
        c = color_of(self.optimizer)
        if self._least_squares:
            self._path_axes = (0, 1)
            self._window = self._param_window()
            (lo0, hi0), (lo1, hi1) = self._window
            a = np.linspace(lo0, hi0, 90)
            b = np.linspace(lo1, hi1, 90)
            A, B = np.meshgrid(a, b)
            Z = self._slice_losses(A, B)
            levels = np.geomspace(max(Z.min(), 1e-12 * Z.max()) * 1.02, Z.max(), 18)
            ax.contour(A, B, Z, levels=levels, cmap="viridis", linewidths=0.7, alpha=0.8)
            ax.plot([self.w_star[0]], [self.w_star[1]], "*", color="k", ms=11, zorder=5)
            ax.set_xlim(lo0, hi0)
            ax.set_ylim(lo1, hi1)
            if self.problem == "linear_regression" and self.model.n_params == 2:
                style_axes(ax, title="path in the (w, b) plane", xlabel="w (slope)", ylabel="b (intercept)")
            else:
                style_axes(ax, title="(w1, w2), other weights at w*", xlabel="w1", ylabel="w2")
        else:
            style_axes(ax, title="path on its 2 main directions (PCA)", xlabel="direction 1", ylabel="direction 2")
        (self.path_line,) = ax.plot([], [], "-", color=c, lw=0.9, alpha=0.9)
        (self.path_end,) = ax.plot([], [], "o", color=c, ms=5, zorder=6)
        (self.start_marker,) = ax.plot([], [], "o", mfc="white", mec="k", ms=7, mew=1.5, zorder=6)

        ax = self.ax_loss
        (self.batch_loss_line,) = ax.plot([], [], "-", color=c, lw=0.6, alpha=0.35, label="mini-batch loss")
        (self.train_loss_line,) = ax.plot([], [], "o-", color=c, lw=1.8, ms=3, label="training loss")
        (self.val_loss_line,) = ax.plot([], [], "s--", color="k", lw=1.4, ms=3, label="validation loss")
        self.marker = DivergenceMarker(ax, c)
        ax.set_yscale("log")
        style_axes(ax, title="loss (log scale)", xlabel="epoch")
        ax.grid(True, alpha=0.3)
        handles = [self.batch_loss_line, self.train_loss_line] + ([self.val_loss_line] if self.X_val is not None else [])
        ax.legend(handles=handles, fontsize=style.LEGEND_SIZE, loc="upper right", framealpha=0.9, borderaxespad=0.3,
                  handlelength=1.6)

        ax = self.ax_fit
        self.fit_message = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                                   fontsize=style.LEGEND_SIZE, color="#b00000", fontweight="bold", zorder=8,
                                   bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="#b00000", alpha=0.9))
        if self.problem == "softmax_regression":
            (self.fit_line,) = ax.plot([], [], "o-", color=c, ms=3, label="training accuracy")
            (self.fit_val_line,) = ax.plot([], [], "s--", color="k", ms=3, label="validation accuracy")
            style_axes(ax, title="accuracy", xlabel="epoch")
            ax.grid(True, alpha=0.3)
            leg = ax.legend(fontsize=style.LEGEND_SIZE, loc="upper right", framealpha=0.9, borderaxespad=0.3)
            # Accuracies lie in [0, 1]: the axis goes higher so that the legend sits above them.
            ax.set_ylim(0, 1.0 / (1.0 - legend_fraction(ax, leg) - 0.04))
            ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        else:
            x = self.X if self.X.ndim == 1 else self.X[:, 0]
            ax.plot(x, self.y, ".", color="0.45", ms=5, label="training data")
            if self.X_val is not None:
                xv = self.X_val if self.X_val.ndim == 1 else self.X_val[:, 0]
                ax.plot(xv, self.y_val, "x", color="k", ms=5, label="validation data")
            self._grid_x = np.linspace(x.min(), x.max(), 100)
            ax.plot(self._grid_x, self.model.predict(self.w_star, self._grid_x), "--", color="k", lw=1,
                    label="least squares")
            (self.fit_line,) = ax.plot([], [], "-", color=c, lw=2, label="model after training")
            self.fit_val_line = None
            style_axes(ax, title="data and fitted model", xlabel="x")
            leg = ax.legend(fontsize=style.LEGEND_SIZE - 0.5, loc="upper left", framealpha=0.9, borderaxespad=0.3,
                            handlelength=1.4, labelspacing=0.3)
            # The data's y-range with the top of the axes free for the legend.
            ys = [self.y] + ([self.y_val] if self.y_val is not None else [])
            fit_limits(ax, np.concatenate(ys), headroom=legend_fraction(ax, leg), keep=False,
                       min_span=float(np.ptp(self.y)) or 1.0)
        self.notes = Notes(fig, notes_h, 2, self.NOTE_LINES)
        animated = [self.path_line, self.path_end, self.start_marker, self.batch_loss_line, self.train_loss_line,
                    self.val_loss_line, self.fit_line, self.fit_message, *self.marker.artists, *self.notes.texts]
        if self.fit_val_line is not None:
            animated.append(self.fit_val_line)
        self._animate(*animated)
        self._frame = None

    def _param_window(self):
        """A window around the optimum w* that contains the start w0 (per plotted coordinate)."""
        out = []
        for i in self._path_axes:
            half = max(1.3 * abs(self.w0[i] - self.w_star[i]), 0.5)
            out.append((self.w_star[i] - half, self.w_star[i] + half))
        return out

    def _slice_losses(self, A, B):
        """Full-batch training loss on a grid of the two plotted weights, the others at w*."""
        Z = np.empty(A.shape)
        w = self.w_star.copy()
        i, j = self._path_axes
        for idx in np.ndindex(A.shape):
            w[i], w[j] = A[idx], B[idx]
            Z[idx] = self.model.loss(w, self.X, self.y)
        return Z

    def _refresh(self):
        self._train()
        h = self.history
        c = color_of(self.optimizer)
        P = h.params
        if self._least_squares:
            i, j = self._path_axes
            px, py = P[:, i], P[:, j]
            # A diverging path stops at the window's edge instead of crossing the plot back and forth.
            px, py, self.escaped = clip_to_window(px, py, *self._window)
        else:
            centred = P - P[-1]
            _, _, vt = np.linalg.svd(centred, full_matrices=False)
            basis = vt[:2] if len(vt) >= 2 else np.vstack([vt, np.zeros_like(vt)])
            proj = centred @ basis.T
            px, py = proj[:, 0], proj[:, 1]
            self.escaped = None
        self.path_line.set_data(px, py)
        self.path_end.set_data(px[-1:], py[-1:])
        self.start_marker.set_data(px[:1], py[:1])
        ipe = h.iterations_per_epoch
        it = np.arange(h.n_iterations) / ipe
        self.batch_loss_line.set_data(it, on_log_axis(h.batch_loss))
        ep = np.arange(len(h.train_loss))
        self.train_loss_line.set_data(ep, on_log_axis(h.train_loss))
        if h.val_loss is not None:
            self.val_loss_line.set_data(ep, on_log_axis(h.val_loss))
        self.val_loss_line.set_visible(h.val_loss is not None)
        for line in (self.path_line, self.path_end, self.batch_loss_line, self.train_loss_line, self.fit_line):
            line.set_color(c)
        self.marker.marker.set_color(c)
        self.marker.label.set_color(c)
        if self.problem == "softmax_regression":
            self._accuracy_curves(P, ipe, len(ep))
        elif h.diverged:
            self.fit_line.set_data([], [])  # the parameters blew up: there is no model to draw
        else:
            self.fit_line.set_data(self._grid_x, self.model.predict(h.w, self._grid_x))
        self.fit_message.set_text("diverged: no model" if h.diverged else "")
        frame = (self.epochs, self.optimizer)
        if frame != self._frame or not self._least_squares:
            self._frame = frame
            self._layout_dirty = True
            self._set_limits(px, py)
        if self._set_loss_limits():
            self._layout_dirty = True
        if h.diverged and h.n_iterations:
            k = h.n_iterations - 1
            self.marker.show(k / ipe, float(on_log_axis(h.batch_loss)[k]), f"diverged at iteration {h.diverged_at}")
        else:
            self.marker.hide()
        self._update_notes()

    def _set_loss_limits(self) -> bool:
        """The loss axis holds every curve (a diverging one up to its last finite value), legend above them."""
        h = self.history
        values = [self.batch_loss_line.get_data()[1], self.train_loss_line.get_data()[1]]
        if h.val_loss is not None:
            values.append(self.val_loss_line.get_data()[1])
        return fit_limits(self.ax_loss, np.concatenate(values), headroom=legend_fraction(
            self.ax_loss, self.ax_loss.get_legend()), keep=not self._layout_dirty)

    def _accuracy_curves(self, P, ipe, n_epochs):
        rows = [min(e * ipe, len(P) - 1) for e in range(n_epochs)]
        acc = [self.model.accuracy(P[r], self.X, self.y) for r in rows]
        self.fit_line.set_data(np.arange(n_epochs), acc)
        if self.X_val is not None:
            self.fit_val_line.set_data(np.arange(n_epochs), [self.model.accuracy(P[r], self.X_val, self.y_val)
                                                             for r in rows])
        self.ax_fit.set_xlim(0, self.epochs)

    def _set_limits(self, px, py):
        self.ax_loss.set_xlim(0, self.epochs)
        if not self._least_squares:
            for ax2, v in ((self.ax_path.set_xlim, px), (self.ax_path.set_ylim, py)):
                v = np.asarray(v)[np.isfinite(v)]
                lo, hi = (float(np.min(v)), float(np.max(v))) if v.size else (-1.0, 1.0)
                pad = 0.08 * (hi - lo) + 1e-9
                ax2(lo - pad, hi + pad)

    def note_texts(self) -> list[str]:
        """The lines under the plots: what training did, and the full-batch theory where it exists."""
        h = self.history
        hyper = self.hyper[self.optimizer]
        kind = ("full batch: batch gradient descent" if self.batch_size >= self.n else
                "batch size 1: stochastic gradient descent (SGD)" if self.batch_size == 1 else
                f"mini-batches of {self.batch_size}")
        if h.diverged:
            first = (f"{self.optimizer}, {kind}: diverged in epoch {h.diverged_epoch} "
                     f"(iteration {h.diverged_at}): lower lr (now {hyper['lr']:.3g})")
        else:
            first = (f"{self.optimizer}, {kind}, {h.iterations_per_epoch} iteration(s) per epoch: training loss "
                     f"{h.train_loss[0]:.3g} -> {h.train_loss[-1]:.3g}")
            if h.val_loss is not None:
                first += f", validation loss {h.val_loss[0]:.3g} -> {h.val_loss[-1]:.3g}"
        second = ""
        if self.eigenvalues is not None and self.optimizer in T.THEORY_OPTIMIZERS:
            key = T.THEORY_OPTIMIZERS[self.optimizer]
            extra = {key: hyper[key]} if key else {}
            st = T.stability(self.optimizer, hyper["lr"], self.eigenvalues, **extra)
            second = "full-batch theory, " + st.text
            if self.batch_size < self.n:
                second += "; mini-batch gradients add noise around w*"
        return [first, second]

    def _update_notes(self):
        lines = self.note_texts()
        alarm = self.history.diverged
        entries = []
        for k, msg in enumerate(lines):
            bad = (alarm and k == 0) or ("diverges" in msg)
            entries.append((msg, "#b00000" if bad else "0.15", bad))
        self.notes.show(entries)

    # -- control ------------------------------------------------------------------------------
    def set(self, *, optimizer=None, lr=None, batch_size=None, epochs=None, seed=None, **hyper):
        """Change settings in both modes, e.g. ``ex.set(batch_size=1, lr=0.01)``."""
        with self._batch():
            if optimizer is not None:
                name = get_info(optimizer).name
                if name not in self.optimizers:
                    raise ValueError(f"optimizer {optimizer!r} is not among {self.optimizers}")
                self.optimizer = name
                if self.widget is not None:
                    self.optimizer_dropdown.value = name
                    self._rebuild_hyper_controls()
            if lr is not None:
                hyper["lr"] = lr
            for k, v in hyper.items():
                if k not in self.hyper[self.optimizer]:
                    raise ValueError(f"{self.optimizer} has no slider for {k!r}; it has {sorted(self.hyper[self.optimizer])}")
                v = V.check_positive(v, k) if k == "lr" else float(v)
                self.hyper[self.optimizer][k] = v
                if self.widget is not None:
                    self.hyper_controls[k].set(v)
            if batch_size is not None:
                self.batch_size = min(V.check_int(batch_size, "batch_size"), self.n)
                if self.widget is not None:
                    if self.batch_size not in self.batch_slider.options:
                        self.batch_slider.options = sorted(set(self.batch_slider.options) | {self.batch_size})
                    self.batch_slider.value = self.batch_size
            if epochs is not None:
                self.epochs = V.check_int(epochs, "epochs", minimum=1)
                if self.widget is not None:
                    self.epochs_slider.max = max(self.epochs_slider.max, self.epochs)
                    self.epochs_slider.value = self.epochs
            if seed is not None:
                self.seed = V.check_int(seed, "seed", minimum=0)
                if self.widget is not None:
                    self.seed_slider.max = max(self.seed_slider.max, self.seed)
                    self.seed_slider.value = self.seed

    def _build_controls(self):
        import ipywidgets as W

        self.optimizer_dropdown = W.Dropdown(options=self.optimizers, value=self.optimizer, description="optimizer",
                                             disabled=len(self.optimizers) == 1, layout=W.Layout(width="230px"))
        self.optimizer_dropdown.observe(self._on_optimizer, "value")
        options = sorted(set(_batch_options(self.n)) | {self.batch_size})
        self.batch_slider = W.SelectionSlider(options=options, value=self.batch_size, description="batch size",
                                              continuous_update=True, style={"description_width": "initial"},
                                              layout=W.Layout(width="300px"))
        self.batch_slider.observe(self._on_value("batch_size"), "value")
        self.epochs_slider = W.IntSlider(value=self.epochs, min=1, max=max(100, self.epochs), description="epochs",
                                         continuous_update=True, layout=W.Layout(width="280px"))
        self.epochs_slider.observe(self._on_value("epochs"), "value")
        self.seed_slider = W.IntSlider(value=self.seed, min=0, max=max(20, self.seed), description="shuffle seed",
                                       continuous_update=True, style={"description_width": "initial"},
                                       layout=W.Layout(width="260px"))
        self.seed_slider.observe(self._on_value("seed"), "value")
        self._hyper_box = W.HBox()
        self._rebuild_hyper_controls()
        top = W.HBox([self.optimizer_dropdown, self.batch_slider, self.epochs_slider, self.seed_slider])
        return W.VBox([top, self._hyper_box, self.canvas])

    def _rebuild_hyper_controls(self):
        info = get_info(self.optimizer)
        self.hyper_controls = {}
        for k, value in self.hyper[self.optimizer].items():
            h = info.hyperparameters[k]
            low, high = self.lr_ranges[self.optimizer] if k == "lr" else (h.low, h.high)
            self.hyper_controls[k] = HyperControl(h, value, low, high, description=k,
                                                  width="300px" if k == "lr" else "220px",
                                                  on_change=lambda v, key=k: self._on_hyper(key, v))
        self.hyper_sliders = {k: c.slider for k, c in self.hyper_controls.items()}
        self.lr_slider = self.hyper_sliders["lr"]
        self._hyper_box.children = [c.box for c in self.hyper_controls.values()]

    def _on_value(self, attr):
        def handler(change):
            setattr(self, attr, int(change["new"]))
            self._changed()
        return handler

    def _on_hyper(self, key, value):
        self.hyper[self.optimizer][key] = float(value)
        self._changed()

    def _on_optimizer(self, change):
        if self._suspended:
            return
        with self._batch():
            self.optimizer = change["new"]
            self._rebuild_hyper_controls()

    def __repr__(self):
        return (f"<DataExplorer: {self.problem} on {self.data_label}, {self.optimizer}, batch size {self.batch_size}, "
                f"{self.epochs} epochs{' (static)' if self.static else ''}>")


def data_explorer(problem="linear_regression", optimizer="gd", *, lr=None, batch_size=None, epochs=20,
                  optimizers=None, data=None, val_fraction=None, seed=0, lr_range=None,
                  static=None) -> DataExplorer:
    """Mini-batch training you can steer: batch size, learning rate, epochs, optimizer.

    Parameters
    ----------
    problem : {"linear_regression", "quadratic_model", "softmax_regression"}
        The model and its default data (see :data:`PROBLEMS`). Linear regression with one
        feature has two parameters (w, b): the left plot shows the contours of the full-batch
        training loss in the (w, b) plane with the noisy path of the mini-batch steps.
    optimizer : str
        The optimizer at first.
    optimizers : list of str, optional
        The optimizer menu (default: ``optimizer`` alone, so a notebook offers only what it taught).
    lr : float, optional
        Starting learning rate (default :meth:`DataExplorer.suggested_lr`).
    lr_range : (low, high) or dict, optional
        The learning-rate slider's range (log scale); default around the interesting values, from
        a fifth of the smaller of ``lr`` and the full-batch threshold ``2/lam_max`` to 1.5 times the
        larger (:func:`optimlab.widgets.common.lr_range`). A text box beside it takes exact values.
    batch_size : int, optional
        Default: the whole training set (batch gradient descent). 1 is SGD.
    epochs : int
    data : str, Dataset or (X, y), optional
        ``"source_articles"`` gives the articles' five points for linear regression.
    val_fraction : float, optional
        Share of the data held out for validation (default 0.2; 0 for fewer than 20 examples).
    seed : int
        Seed of the mini-batch shuffling (a slider in the widget).
    static : bool, optional
        Force the static PNG (True) or the widget (False); default automatic.
    """
    return DataExplorer(problem, optimizer, lr=lr, batch_size=batch_size, epochs=epochs, optimizers=optimizers,
                        data=data, val_fraction=val_fraction, seed=seed, lr_range=lr_range, static=static)
