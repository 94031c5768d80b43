r"""Maps of a whole hyperparameter plane: one optimizer run at every point of a grid, at once.

Distill's momentum article shows how fast momentum converges over the whole (lr, beta)
plane. :func:`run_grid` computes such a map: for a grid of hyperparameters (two axes, or
one) it runs the optimizer from the same start on a 2-D landscape, every grid point at
once. The parameters of all runs are one array of shape ``(d, n1, n2)`` and each
hyperparameter an array of shape ``(n1, n2)``; the library's step functions are written
with elementwise numpy operations, so one call of the step advances every run. There is no
Python loop over grid points (a 50 x 50 grid of 300-step runs takes milliseconds, not the
seconds of 2500 calls of :func:`optimlab.run`: ``benchmarks/bench_grid.py``).

A run that diverges (its loss becomes non-finite or exceeds ``divergence`` times the
start's loss, at least 1) is frozen at its last finite point; ``diverged_at`` records the
step. :func:`heatmap` draws the loss after the last step over the plane, diverged points
in grey, with the stability boundary of the theory where there is one (gradient descent
and the momentum family on a quadratic: ``optimlab.widgets.theory``).
"""
from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass

import numpy as np

from . import validation as V
from .landscapes import Landscape, get_landscape
from .optimizers import _HYPER_CHECKS, signature_roles
from .registry import REGISTRY, get_info

__all__ = ["GridResult", "run_grid", "heatmap", "stability_boundary"]

# Optimizers that need more than the gradient at the current point cannot share one gradient call.
_NOT_GRIDDABLE = {"newton": "it needs the Hessian", "nesterov_lookahead": "it calls grad_fn itself"}


@dataclass
class GridResult:
    """What :func:`run_grid` returns.

    ``names`` and ``values`` are the grid's axes (the first name varies along axis 0);
    ``loss[k]`` is the loss after ``k`` steps at every grid point, shape
    ``(steps + 1, *shape)``; ``w`` the final parameters, shape ``(d, *shape)``;
    ``diverged_at`` the step at which a run diverged, ``-1`` where it did not.
    """

    optimizer: str
    landscape: str
    names: tuple
    values: tuple
    fixed: dict
    loss: np.ndarray
    w: np.ndarray
    diverged_at: np.ndarray

    @property
    def shape(self) -> tuple:
        return self.loss.shape[1:]

    @property
    def steps(self) -> int:
        return self.loss.shape[0] - 1

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def final_loss(self) -> np.ndarray:
        """The loss after the last step; ``inf`` where the run diverged."""
        return np.where(self.diverged, np.inf, self.loss[-1])

    def best(self) -> dict:
        """The grid point with the lowest final loss: its hyperparameters and that loss."""
        final = self.final_loss
        if not np.isfinite(final).any():
            raise ValueError("every run of the grid diverged: choose smaller learning rates")
        idx = np.unravel_index(int(np.nanargmin(final)), final.shape)
        out = {n: float(v[i]) for n, v, i in zip(self.names, self.values, idx)}
        out["final_loss"] = float(final[idx])
        return out

    def __repr__(self):
        axes = ", ".join(f"{n}: {len(v)} values in [{v.min():.3g}, {v.max():.3g}]"
                         for n, v in zip(self.names, self.values))
        return (f"GridResult({self.optimizer} on {self.landscape}, {self.steps} steps; {axes}; "
                f"{int(self.diverged.sum())} of {self.diverged.size} diverged)")


def _check_grid(name: str, grid, hyper_names) -> tuple[tuple, tuple]:
    if not isinstance(grid, dict) or not 1 <= len(grid) <= 2:
        raise ValueError(f"grid must be a dict of one or two hyperparameters and their values, e.g. "
                         f"{{'lr': np.logspace(-3, 0, 50), 'beta': np.linspace(0, 0.99, 50)}}; got {grid!r:.80}")
    names, values = [], []
    for key, vals in grid.items():
        if key not in hyper_names:
            raise ValueError(f"grid names {key!r}, which is not a hyperparameter of {name!r} "
                             f"(its hyperparameters: {', '.join(hyper_names) or 'none'})")
        arr = V.as_float_array(vals, f"grid[{key!r}]")
        if arr.ndim != 1 or arr.size < 1:
            raise ValueError(f"grid[{key!r}] must be a 1-D sequence of values, got shape {arr.shape}")
        V.check_finite(arr, f"grid[{key!r}]")
        names.append(key)
        values.append(arr)
    return tuple(names), tuple(values)


def run_grid(optimizer: str, landscape="ill_conditioned", grid: dict | None = None, *, steps: int = 300,
             start=None, divergence: float = 1e6, **fixed) -> GridResult:
    """Run ``optimizer`` at every point of ``grid`` at once on a 2-D (or 1-D) landscape.

    Parameters
    ----------
    optimizer : str
        A registry name (``"momentum"``, ``"adam"``, ...); not ``newton`` or ``nesterov_lookahead``.
    landscape : str or Landscape
    grid : dict
        One or two hyperparameters and their values, e.g. ``{"lr": np.logspace(-3, 0, 50),
        "beta1": np.linspace(0, 0.99, 50)}``; the result's axis 0 follows the first.
    steps : int >= 1
    start : array (d,), optional
        The common start point (default: the landscape's).
    divergence : float > 1
        A run whose loss exceeds ``divergence * max(1, loss at the start)`` (or is not finite) has diverged.
    **fixed
        The other hyperparameters (default: the registry's).
    """
    name = optimizer if isinstance(optimizer, str) else None
    if name not in REGISTRY:
        raise ValueError(f"optimizer must be one of the registry's names {sorted(REGISTRY)}, got {optimizer!r}")
    if name in _NOT_GRIDDABLE:
        raise ValueError(f"run_grid cannot run {name!r}: {_NOT_GRIDDABLE[name]}; use optimlab.run per point")
    info = get_info(name)
    land = landscape if isinstance(landscape, Landscape) else get_landscape(landscape)
    steps = V.check_int(steps, "steps", minimum=1)
    divergence = V.check_positive(divergence, "divergence")
    if divergence <= 1:
        raise ValueError(f"divergence must be > 1 (a factor on the start's loss), got {divergence!r}")
    names, values = _check_grid(name, grid, list(info.hyperparameters))
    unknown = set(fixed) - set(info.hyperparameters) - set(info.fixed)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not hyperparameters of {name!r} "
                         f"(its hyperparameters: {', '.join(info.hyperparameters)})")
    clash = set(fixed) & set(names)
    if clash:
        raise ValueError(f"{sorted(clash)} are given both in grid and as fixed values: give each once")

    mesh = np.meshgrid(*values, indexing="ij")
    shape = mesh[0].shape
    step = info.step
    signature_defaults = {k: p.default for k, p in inspect.signature(step.unchecked).parameters.items()
                          if p.default is not inspect.Parameter.empty}
    hyper = {**signature_defaults, **info.defaults, **dict(info.fixed), **fixed}
    # The step function checks its hyperparameters one value at a time: check every grid value the same way.
    for n, grid_values in zip(names, values):
        check = _HYPER_CHECKS.get(n)
        if check is not None:
            for v in grid_values:
                check(float(v), f"grid[{n!r}]")
    for n, m in zip(names, mesh):
        hyper[n] = m

    w0 = land.start if start is None else V.as_float_array(start, "start")
    if w0.shape != (land.dim,):
        raise ValueError(f"start must have shape ({land.dim},) on {land.name!r}, got {w0.shape}")
    w = np.broadcast_to(w0.reshape((land.dim,) + (1,) * len(shape)), (land.dim,) + shape).copy()
    params, inputs, state_names, _ = signature_roles(step)
    state = {}
    for s in state_names:
        init = info.state_init.get(s, 0.0)
        state[s] = np.full(shape, float(init)) if s in ("mu_prod",) else np.full_like(w, float(init))
    fn = step.unchecked

    loss = np.empty((steps + 1,) + shape)
    loss[0] = land._loss_raw(w)
    limit = divergence * max(1.0, float(np.max(np.abs(loss[0]))))
    diverged_at = np.full(shape, -1, dtype=int)
    alive = np.ones(shape, dtype=bool)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        for k in range(1, steps + 1):
            g = land._grad_raw(w)
            args = []
            for p in params:
                if p == "w":
                    args.append(w)
                elif p == "g":
                    args.append(g)
                elif p == "t":
                    args.append(k)
                elif p in state:
                    args.append(state[p])
                else:
                    args.append(hyper[p])
            try:
                out = fn(*args)
            except ValueError as exc:  # a Python `if` on a hyperparameter that is now an array
                raise ValueError(f"run_grid cannot vary {', '.join(names)} for {name!r}: its step function "
                                 f"branches on a hyperparameter ({exc}); use optimlab.run per point") from None
            out = out if isinstance(out, tuple) else (out,)
            new_w = out[0]
            f = land._loss_raw(new_w)
            bad = alive & (~np.isfinite(f) | (f > limit) | ~np.all(np.isfinite(new_w), axis=0))
            diverged_at[bad] = k
            alive &= ~bad
            w = np.where(alive, new_w, w)
            for s, value in zip(state_names, out[1:]):
                keep = alive if np.ndim(value) == len(shape) else alive[None]
                state[s] = np.where(keep, value, state[s])
            loss[k] = np.where(alive, f, loss[k - 1])
    return GridResult(name, land.name, names, values, {k: v for k, v in hyper.items() if k not in names},
                      loss, w, diverged_at)


# ---------------------------------------------------------------------------
# Theory: where the runs stay bounded
# ---------------------------------------------------------------------------

def stability_boundary(result: GridResult):
    """The theory's largest stable lr as a function of the other axis, or None where there is none.

    For a quadratic landscape and gradient descent, EMA momentum, heavy ball or Nesterov,
    the iteration is linear and stable iff its spectral radius is below 1 at the largest
    curvature: gd needs lr < 2 / lam_max, EMA momentum lr < 2 (1 + beta) / ((1 - beta) lam_max)
    (:mod:`optimlab.widgets.theory`). Returns ``(axis_name, axis_values, lr_max)`` for a
    grid over lr and one coefficient (or ``("lr", None, lr_max)`` for an lr-only grid).
    """
    from .widgets import theory

    land = get_landscape(result.landscape)
    if not land.is_quadratic or "lr" not in result.names:
        return None
    lam_max = land.lam_max
    other = [n for n in result.names if n != "lr"]
    if result.optimizer == "gd" and not other:
        return ("lr", None, theory.gd_max_lr(lam_max))
    coeff = {"momentum": "beta", "heavy_ball": "mu", "nesterov": "mu"}.get(result.optimizer)
    if coeff is None or other != [coeff]:
        return None
    vals = result.values[result.names.index(coeff)]
    lr_max = np.array([theory.max_stable_lr(result.optimizer, lam_max, **{coeff: float(c)}) for c in vals])
    return (coeff, vals, lr_max)


def heatmap(result: GridResult, ax=None, *, log: bool = True, boundary: bool = True, title: str | None = None):
    """Draw the loss after the last step over the grid's plane (lr on the x axis when it is an axis).

    Diverged points are grey; the theory's stability boundary (:func:`stability_boundary`) is
    drawn as a white dashed line where it exists, and the best point is marked.
    """
    import matplotlib.pyplot as plt
    from matplotlib import colors, patheffects

    if len(result.names) != 2:
        raise ValueError("heatmap draws a grid over two hyperparameters; plot a 1-D grid's final_loss instead")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.8), constrained_layout=True)
    names, values = list(result.names), list(result.values)
    final = result.final_loss
    if names[1] == "lr":  # lr along x
        names, values, final = names[::-1], values[::-1], final.T
    x, y = values[0], values[1]
    shown = np.where(np.isfinite(final), final, np.nan).T  # rows along y
    finite = shown[np.isfinite(shown)]
    cmap = plt.get_cmap("viridis").with_extremes(bad="0.75")
    norm = None
    if finite.size and log:
        # Colours span at most 16 decades below the worst loss: below that a run has converged to round-off.
        high = max(float(finite.max()), 1e-300)
        low = max(float(finite.min()), high * 1e-16, 1e-300)
        norm = colors.LogNorm(vmin=low, vmax=max(high, low * 10))
        shown = np.clip(shown, low, None)
    data = np.ma.masked_invalid(shown)
    mesh = ax.pcolormesh(x, y, data, cmap=cmap, norm=norm, shading="nearest")
    cb = ax.figure.colorbar(mesh, ax=ax)
    cb.set_label(f"loss after {result.steps} steps")
    if names[0] == "lr":
        ax.set_xscale("log")
    log_axes = [n == "lr" or (v.min() > 0 and v.max() / v.min() > 100) for n, v in zip(names, values)]
    if log_axes[0] and names[0] != "lr":
        ax.set_xscale("log")
    ax.set_xlabel(names[0] if names[0] != "lr" else "learning rate lr")
    ax.set_ylabel(names[1])
    if boundary:
        b = stability_boundary(result)
        if b is not None and b[1] is not None:
            inside = (b[2] >= x.min()) & (b[2] <= x.max())
            ax.plot(b[2][inside], b[1][inside], "--", color="white", lw=2, label="stability boundary (theory)",
                    path_effects=[patheffects.Stroke(linewidth=3.5, foreground="black"), patheffects.Normal()])
    try:
        best = result.best()
        ax.plot(best[names[0]], best[names[1]], marker="*", color="tab:red", ms=13, ls="none",
                label=f"lowest loss: {names[0]}={best[names[0]]:.3g}, {names[1]}={best[names[1]]:.3g}")
    except ValueError:
        pass
    if result.diverged.any():
        ax.plot([], [], "s", color="0.75", label="diverged")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=9, frameon=False)
    ax.set_title(title or f"{result.optimizer} on {result.landscape}: loss after {result.steps} steps")
    return ax
