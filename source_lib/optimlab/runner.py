r"""Run an optimizer on a loss landscape: the engine behind every trajectory plot.

:func:`run` starts at a point of a :mod:`~optimlab.landscapes` landscape, takes
``steps`` steps and returns a :class:`RunResult` with the whole trajectory and its
losses. Widgets call it on every slider move, so it is built for speed:

* the first step goes through :meth:`optimlab.Optimizer.update` with every check on
  (a learner's bad function or hyperparameter fails there, with a clear message);
* later steps call the step function's check-free core (``step.unchecked``) with the
  landscape's check-free gradient, writing into a preallocated array;
* divergence is looked for once per block of steps, not at every step, and the losses
  are computed in one vectorised call after the loop.

Divergence (发散) means a non-finite loss or parameter, or a parameter beyond
``DIVERGENCE_BOUND`` (1e12) in absolute value. The run stops in the block where it
happens, keeps the trajectory up to the last good point and explains what to change:

>>> from optimlab.runner import run
>>> r = run("gd", "parabola", steps=100, lr=1.2, on_divergence="ignore")
>>> r.diverged_at, r.trajectory.shape
(78, (78, 1))
>>> print(r.message)
gd diverged at step 78 on parabola (|w| reached 1.25e+12 > 1e+12, loss 1.56e+24): lower lr (now 1.2); on this quadratic GD needs lr < 2/λ_max = 1.0
"""
from __future__ import annotations

import inspect
import math
import numbers
import warnings
import weakref
from dataclasses import dataclass, field

import numpy as np

from . import optimizers as O
from . import validation as V
from .landscapes import Landscape, get_landscape
from .stateful import Optimizer, make

__all__ = ["run", "run_many", "RunResult", "DivergenceWarning", "DivergenceError", "DIVERGENCE_BOUND"]

#: A parameter with an absolute value above this counts as diverged (long before float overflow,
#: so the trajectory plot still shows where it went).
DIVERGENCE_BOUND = 1e12

# Steps between two divergence checks: a check costs about as much as two steps of GD on a 2-D
# landscape, so checking every 32 steps costs ~1 %, and a diverged run wastes at most 31 steps.
_CHECK_EVERY = 32

# Runs at least this long show a tqdm progress bar unless progress=False.
_PROGRESS_FROM = 20_000

_ON_DIVERGENCE = ("warn", "raise", "ignore")


class DivergenceWarning(UserWarning):
    """Issued by :func:`run` (``on_divergence="warn"``) when a run diverges."""


class DivergenceError(RuntimeError):
    """Raised by :func:`run` (``on_divergence="raise"``); ``.result`` holds the truncated :class:`RunResult`."""

    def __init__(self, message: str, result: "RunResult | None" = None):
        super().__init__(message)
        self.result = result


@dataclass(repr=False)
class RunResult:
    """The outcome of :func:`run`.

    Attributes
    ----------
    name : str
        The optimizer's name (legend label).
    trajectory : ndarray (n + 1, d)
        Every point visited, float64, row 0 the start. ``n = steps`` unless the run
        diverged, in which case the rows stop at the last good point.
    losses : ndarray (n + 1,)
        The loss at each row of ``trajectory``.
    diverged : bool
    diverged_at : int or None
        The step whose result was non-finite or beyond ``DIVERGENCE_BOUND``; then
        ``trajectory`` has exactly ``diverged_at`` rows (steps 0 .. diverged_at - 1).
    message : str
        A one-line summary; for a diverged run, what happened and what to change.
    landscape : str
    hyperparameters : dict
        The optimizer's hyperparameters as used (defaults filled in).
    """

    name: str
    trajectory: np.ndarray
    losses: np.ndarray
    diverged: bool
    diverged_at: int | None
    message: str
    landscape: str = ""
    hyperparameters: dict = field(default_factory=dict)

    @property
    def final_w(self) -> np.ndarray:
        """The last good point."""
        return self.trajectory[-1].copy()

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    @property
    def steps_taken(self) -> int:
        """Steps whose results are kept (``len(trajectory) - 1``)."""
        return len(self.trajectory) - 1

    def __repr__(self):
        status = f"diverged at step {self.diverged_at}" if self.diverged else f"final loss {self.final_loss:.4g}"
        return f"RunResult({self.name} on {self.landscape}: {self.steps_taken} steps, {status})"


# ---------------------------------------------------------------------------
# Argument handling
# ---------------------------------------------------------------------------

def _as_landscape(landscape) -> Landscape:
    if isinstance(landscape, Landscape):
        return landscape
    if isinstance(landscape, str):
        return get_landscape(landscape)
    raise TypeError(
        f"landscape must be a landscape name (see optimlab.landscapes.LANDSCAPES) or a Landscape, "
        f"got {landscape!r} of type {type(landscape).__name__}"
    )


def _as_optimizer(optimizer, hyperparameters: dict) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        if not hyperparameters:
            return optimizer
        # make() returns an Optimizer unchanged; rebuild it so the new values are not silently ignored.
        return Optimizer(optimizer.step, optimizer.name, state_init=optimizer.state_init,
                         **{**optimizer.hyperparameters, **hyperparameters})
    if not isinstance(optimizer, str) and not callable(optimizer):
        raise TypeError(
            f"optimizer must be a registry name (e.g. 'adam'), a step function or an optimlab.Optimizer, "
            f"got {optimizer!r} of type {type(optimizer).__name__}"
        )
    return make(optimizer, **hyperparameters)


def _check_start(start, land: Landscape) -> np.ndarray:
    if start is None:
        return land.start
    w0 = V.as_float_array(start, "start")
    if w0.ndim == 0 and land.dim == 1:
        w0 = w0.reshape(1)
    if w0.shape != (land.dim,):
        raise ValueError(
            f"start must have shape ({land.dim},) (one point) on the {land.dim}-D landscape {land.name!r}, "
            f"got shape {w0.shape}"
        )
    if not np.isfinite(w0).all() or np.abs(w0).max() > DIVERGENCE_BOUND:
        raise ValueError(f"start must be finite with |start| <= {DIVERGENCE_BOUND:g}, got {w0.tolist()}")
    with np.errstate(all="ignore"):
        f0 = land._loss_raw(w0)
    if not np.isfinite(f0):
        raise ValueError(f"start must be a point where the loss of {land.name!r} is finite; at {w0.tolist()} it is {f0}")
    return w0.copy()


def _check_on_divergence(on_divergence):
    if not isinstance(on_divergence, str) or on_divergence not in _ON_DIVERGENCE:
        raise ValueError(f"on_divergence must be one of {', '.join(map(repr, _ON_DIVERGENCE))}, "
                         f"got {on_divergence!r}")


# inspect.signature costs ~20 us; widgets call run() with the same few functions again and again.
# Weak keys: a learner who redefines a function in a notebook does not keep the old one alive.
_SIGNATURE_NAMES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _signature_names(fn) -> frozenset:
    try:
        return _SIGNATURE_NAMES[fn]
    except (KeyError, TypeError):
        names = frozenset(inspect.signature(fn).parameters)
        try:
            _SIGNATURE_NAMES[fn] = names
        except TypeError:  # not weak-referenceable (a builtin): just do not cache
            pass
        return names


# ---------------------------------------------------------------------------
# Divergence messages
# ---------------------------------------------------------------------------

def _num(x: float) -> str:
    """A short number that still reads as a float: 1.0, 0.5, 9.5, 0.000833, 1.2e+12."""
    text = f"{x:.3g}"
    return text if any(c in text for c in ".en") else text + ".0"


def _stability_bound(opt: Optimizer, curvature: float):
    """The largest stable lr of the (heavy-ball family) method on a quadratic with largest
    eigenvalue ``curvature``, with the formula as text; ``None`` for other methods.

    On one eigen-direction with eigenvalue lam, heavy ball ``v = mu v + g, w -= lr v`` is the
    recursion ``e' = (1 + mu - lr lam) e - mu e_prev``, stable iff ``lr lam < 2 (1 + mu)``;
    Nesterov's is stable iff ``lr lam < 2 (1 + mu) / (1 + 2 mu)``; the EMA form of momentum is
    heavy ball with ``lr (1 - beta)``.
    """
    hp = opt.hyperparameters
    step = opt.step
    if step is O.gd_step:
        return 2.0 / curvature, "GD needs lr < 2/λ_max"
    if step is O.heavy_ball_step:
        mu = hp["mu"]
        return 2.0 * (1 + mu) / curvature, f"heavy-ball momentum (mu={mu:g}) needs lr < 2(1+mu)/λ_max"
    if step is O.nesterov_step:
        mu = hp["mu"]
        return (2.0 * (1 + mu) / ((1 + 2 * mu) * curvature),
                f"Nesterov (mu={mu:g}) needs lr < 2(1+mu)/((1+2mu) λ_max)")
    if step is O.momentum_step:
        beta = hp["beta"]
        if beta >= 1:
            return None
        return (2.0 * (1 + beta) / ((1 - beta) * curvature),
                f"EMA momentum (beta={beta:g}) needs lr < 2(1+beta)/((1-beta) λ_max)")
    return None


def _advice(opt: Optimizer, land: Landscape, w0: np.ndarray) -> str:
    hp = opt.hyperparameters
    lr = hp.get("lr")
    parts = []
    if not land.bounded_below:
        parts.append(f"the loss {land.formula.split('=', 1)[-1].strip()} has no lower bound, so a run that "
                     f"escapes the saddle runs off to -inf; that is expected here, fewer steps show the escape")
    if opt.needs_hessian:
        damping = hp.get("damping", 0.0)
        parts.append(f"Newton's step is safe only where the Hessian is positive definite: use damping > 0 "
                     f"(now {damping:g}) or lr < 1 (now {lr:g})" if lr is not None else
                     "Newton's step is safe only where the Hessian is positive definite: use damping > 0")
        return "; ".join(parts)
    if isinstance(lr, numbers.Real):
        if land.is_quadratic and land.lam_max is not None and land.lam_max > 0:
            bound = _stability_bound(opt, land.lam_max)
            where = "on this quadratic"
        else:
            # The local curvature bounds a stable lr; where the start is concave (Himmelblau's
            # default start is beside a maximum) the curvature at the minima is the guide.
            bound, where = None, ""
            with np.errstate(all="ignore"):
                for label, points in (("the start", w0[None, :]), ("the minima", land.minima)):
                    tops = [float(np.linalg.eigvalsh(land._hess_raw(p))[-1]) for p in points]
                    top = max(tops, default=-math.inf)
                    if top > 0 and math.isfinite(top):
                        bound = _stability_bound(opt, top)
                        scope = "" if len(tops) == 1 else "up to "
                        where = f"near {label} the largest curvature is {scope}λ_max = {_num(top)}, so roughly"
                        break
        text = f"lower lr (now {_num(lr)})"
        if bound is not None:
            value, formula = bound
            text += f"; {where} {formula} = {_num(value)}"
        if land.bounded_below or bound is None or lr >= bound[0]:
            parts.append(text)
    elif not parts:
        parts.append("check the step function (its hyperparameters have no lr to lower)")
    return "; ".join(parts)


def _describe_bad_point(w: np.ndarray, loss: float) -> str:
    if not np.isfinite(w).all():
        return f"the parameters became {w.tolist()}"
    big = float(np.abs(w).max())
    return f"|w| reached {big:.3g} > {DIVERGENCE_BOUND:.0e}, loss {loss:.3g}"


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------

def _check_progress(progress, steps: int) -> bool:
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True, False or None (automatic: a bar from {_PROGRESS_FROM} steps), "
                        f"got {progress!r}")
    return steps >= _PROGRESS_FROM if progress is None else bool(progress)


def _progress_bar(steps: int, label: str):
    from tqdm.auto import tqdm

    return tqdm(total=steps, initial=1, desc=label, unit="step", leave=False)


def run(optimizer, landscape, start=None, steps: int = 100, *, on_divergence: str = "warn",
        progress: bool | None = None, **hyperparameters) -> RunResult:
    """Run ``optimizer`` for ``steps`` steps on ``landscape`` from ``start``.

    Parameters
    ----------
    optimizer : str, callable or Optimizer
        A registry name (``"adam"``), a step function (a learner's own too) or an
        :class:`optimlab.Optimizer`; built with :func:`optimlab.make`.
    landscape : str or Landscape
        A landscape name (``"rosenbrock"``) or a :class:`~optimlab.landscapes.Landscape`.
    start : array (d,), optional
        The start point (default: the landscape's ``start``).
    steps : int >= 1
    on_divergence : {"warn", "raise", "ignore"}
        What to do when the run diverges: a :class:`DivergenceWarning`, a
        :class:`DivergenceError` (carrying ``.result``), or nothing. The result
        always records it (``diverged``, ``diverged_at``, ``message``).
    progress : bool, optional
        Show a tqdm progress bar; by default only for runs of 20000 steps or more.
    **hyperparameters
        Passed to the optimizer (``lr=0.1``, ``beta1=0.8``, ...). Given with an
        ``Optimizer``, they replace its values.

    Newton's method gets the landscape's Hessian (``hessian_fn``) and look-ahead
    methods its gradient function (``grad_fn``).
    """
    _check_on_divergence(on_divergence)
    land = _as_landscape(landscape)
    w0 = _check_start(start, land)
    steps = V.check_int(steps, "steps", minimum=1)
    show_progress = _check_progress(progress, steps)
    opt = _as_optimizer(optimizer, hyperparameters)

    d = land.dim
    grad = land._grad_raw
    hess = land._hess_raw if opt.needs_hessian else None
    grad_fn = grad if opt.needs_grad_fn else None
    takes_g = "g" in _signature_names(opt.step)
    traj = np.empty((steps + 1, d))
    traj[0] = w0

    with np.errstate(all="ignore"):  # overflow is expected when a run diverges; it is detected below
        # Step 1 with every check on: a wrong shape, a bad hyperparameter or a learner's broken
        # step function fails here with the library's message.
        state = opt.init(w0)
        g = grad(w0) if takes_g else None
        w, state = opt.update(w0, g, state, hessian_fn=hess, grad_fn=grad_fn, check=True)
        if np.shape(w) != (d,):
            raise ValueError(f"{opt.name} returned w of shape {np.shape(w)} for w of shape ({d},); "
                             f"a step must return the parameters with the shape they came in")
        traj[1] = w
        filled = 2  # rows of traj holding results
        bad = None if np.abs(w).max() <= DIVERGENCE_BOUND else 1
        bar = _progress_bar(steps, f"{opt.name} on {land.name}") if show_progress else None

        try:
            if bad is None and steps > 1:
                fast = getattr(opt.step, "unchecked", None)
                loop_args = (state, w, traj, steps, grad, hess, grad_fn, takes_g, bar)
                if fast is not None:
                    bad, filled = _loop_unchecked(opt, fast, *loop_args)
                else:  # a learner's own function: through Optimizer.update, which normalises its output
                    bad, filled = _loop_update(opt, *loop_args)
        finally:
            if bar is not None:
                bar.close()

        n = filled if bad is None else bad
        losses = np.asarray(land._loss_raw(traj[:n].T), dtype=np.float64).reshape(n)
        if not np.isfinite(losses).all():  # a finite point with a non-finite loss
            bad = int(np.argmax(~np.isfinite(losses)))
            n = bad
            losses = losses[:n]
        bad_loss = float(land._loss_raw(traj[bad])) if bad is not None else None

    # A diverged run keeps a copy of its rows, not a view pinning the whole preallocated array.
    trajectory = traj if n == len(traj) else traj[:n].copy()
    if bad is None:
        point = ", ".join(f"{v:.4g}" for v in trajectory[-1])
        message = f"{opt.name} on {land.name}: {steps} steps, final loss {_num(float(losses[-1]))} at ({point})"
        result = RunResult(opt.name, trajectory, losses, False, None, message, land.name, dict(opt.hyperparameters))
        return result
    message = (f"{opt.name} diverged at step {bad} on {land.name} ({_describe_bad_point(traj[bad], bad_loss)}): "
               f"{_advice(opt, land, w0)}")
    result = RunResult(opt.name, trajectory, losses, True, bad, message, land.name, dict(opt.hyperparameters))
    if on_divergence == "raise":
        raise DivergenceError(message, result)
    if on_divergence == "warn":
        warnings.warn(message, DivergenceWarning, stacklevel=2)
    return result


def _first_bad_row(block: np.ndarray):
    """Index of the first row with a non-finite entry or one beyond the bound, or None."""
    ok = np.abs(block) <= DIVERGENCE_BOUND  # False for nan too
    if ok.all():
        return None
    return int(np.argmin(ok.all(axis=1)))


def _loop_unchecked(opt, fn, state, w, traj, steps, grad, hess, grad_fn, takes_g, bar):
    """Steps 2..steps through ``step.unchecked``: the arguments were checked at step 1.

    Calls ``fn(w, **kw)`` exactly as :meth:`Optimizer.update` does (everything but ``w`` by
    keyword), with one keyword dict updated in place instead of rebuilt at every step.
    Returns ``(first bad row or None, rows filled)``.
    """
    names = _signature_names(opt.step)
    kw = {k: v for k, v in opt.hyperparameters.items() if k in names}
    state_names = opt.state_names
    kw.update((k, state[k]) for k in state_names)
    needs_t = opt.needs_t
    has_state = bool(state_names)
    if grad_fn is not None:
        kw["grad_fn"] = grad_fn
    t = 2
    while t <= steps:
        first, stop = t, min(t + _CHECK_EVERY, steps + 1)
        try:
            for t in range(first, stop):
                if takes_g:
                    kw["g"] = grad(w)
                if needs_t:
                    kw["t"] = t
                if hess is not None:
                    kw["H"] = hess(w)
                out = fn(w, **kw)
                if has_state:
                    w = out[0]
                    kw.update(zip(state_names, out[1:]))
                else:
                    w = out
                traj[t] = w
        except (ValueError, np.linalg.LinAlgError) as exc:
            # Newton's step refuses a non-finite Hessian: expected once w has diverged (w is row t - 1).
            if np.isfinite(w).all() and np.abs(w).max() <= DIVERGENCE_BOUND:
                raise ValueError(f"{opt.name} failed at step {t}: {exc}") from exc
            # w = traj[t - 1] is bad, and rows before `first` were checked, so t > first here.
            return first + _first_bad_row(traj[first:t]), t
        bad = _first_bad_row(traj[first:stop])
        if bad is not None:
            return first + bad, stop
        if bar is not None:
            bar.update(stop - first)
        t = stop
    return None, steps + 1


def _loop_update(opt, state, w, traj, steps, grad, hess, grad_fn, takes_g, bar):
    """Steps 2..steps for a learner's own step function, through ``Optimizer.update(check=False)``."""
    t = 2
    while t <= steps:
        first, stop = t, min(t + _CHECK_EVERY, steps + 1)
        for t in range(first, stop):
            g = grad(w) if takes_g else None
            w, state = opt.update(w, g, state, hessian_fn=hess, grad_fn=grad_fn, check=False)
            traj[t] = w
        bad = _first_bad_row(traj[first:stop])
        if bad is not None:
            return first + bad, stop
        if bar is not None:
            bar.update(stop - first)
        t = stop
    return None, steps + 1


def run_many(optimizers, landscape, start=None, steps: int = 100, *, on_divergence: str = "warn",
             progress: bool | None = None, **hyperparameters) -> dict[str, RunResult]:
    """Run several optimizers on one landscape from one start: ``{label: RunResult}``.

    ``optimizers`` is a list of specs or a dict ``{label: spec}``. A spec is what
    :func:`run` accepts (a name, a step function, an ``Optimizer``) or a pair
    ``(spec, {hyperparameter: value})``. ``**hyperparameters`` go to every optimizer
    (e.g. a shared ``lr``); a pair's own values win. Labels default to the optimizer's
    name, numbered when repeated (``"adam"``, ``"adam (2)"``).

    >>> res = run_many(["gd", ("adam", {"lr": 0.1})], "ill_conditioned", steps=50, lr=0.2)
    >>> sorted(res), res["adam"].hyperparameters["lr"]
    (['adam', 'gd'], 0.1)
    """
    if isinstance(optimizers, dict):
        items = list(optimizers.items())
    elif isinstance(optimizers, (list, tuple)):
        items = [(None, spec) for spec in optimizers]
    else:
        raise TypeError(f"optimizers must be a list of optimizer specs or a dict {{label: spec}}, "
                        f"got {optimizers!r} of type {type(optimizers).__name__}")
    if not items:
        raise ValueError("optimizers is empty: give at least one optimizer, e.g. ['gd', 'adam']")
    _check_on_divergence(on_divergence)
    results: dict[str, RunResult] = {}
    for label, spec in items:
        own = {}
        if isinstance(spec, tuple):
            if len(spec) != 2 or not isinstance(spec[1], dict):
                raise TypeError(f"an optimizer spec given as a tuple must be (optimizer, {{hyperparameters}}), "
                                f"got {spec!r}")
            spec, own = spec
        result = run(spec, landscape, start, steps, on_divergence=on_divergence, progress=progress,
                     **{**hyperparameters, **own})
        key = label if label is not None else result.name
        if label is None and key in results:
            k = 2
            while f"{key} ({k})" in results:
                k += 1
            key = f"{key} ({k})"
        results[key] = result
    return results
