"""One interface for every step function: ``init(w) -> state`` and ``update(w, g, state) -> (w, state)``.

Step functions in :mod:`optimlab.optimizers` each have their own signature, named as
in their formula. Runners, training loops and widgets need to drive any of them, and
a learner's own function too, in the same way. :class:`Optimizer` reads the step
function's signature once:

* ``w`` is the parameter array, ``g`` the gradient;
* other positional parameters before ``g`` are state variables, started at zero
  (or at ``state_init``);
* ``t`` is the step counter (1 at the first step), ``H`` the Hessian (taken from
  ``hessian_fn``), ``grad_fn`` a gradient function (for look-ahead methods);
* parameters with defaults are hyperparameters.

The step function returns ``w`` alone (no state) or ``(w, state...)`` in signature order.

>>> import numpy as np, optimlab
>>> opt = optimlab.make("adam", lr=0.1)
>>> state = opt.init(np.array([1.0, -2.0]))
>>> w, state = opt.update(np.array([1.0, -2.0]), np.array([0.5, 0.5]), state)
>>> w
array([ 0.9, -2.1])
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import validation as V
from .optimizers import _HYPER_CHECKS, _NOT_STATE, signature_roles
from .registry import get_info

__all__ = ["Optimizer", "make"]


class Optimizer:
    """Drive a step function with explicit state.

    Parameters
    ----------
    step : callable
        A step function (from :mod:`optimlab.optimizers`, or a learner's own).
    name : str, optional
        Label for plots and messages (default: the function's name).
    state_init : dict, optional
        Initial values of state variables that do not start at zero (e.g. Nadam's
        ``mu_prod=1.0``); scalar entries stay scalars.
    **hyperparameters
        Passed to every call of ``step``. Unknown names raise a ``TypeError``.
    """

    def __init__(self, step: Callable, name: str | None = None, *, state_init=None, **hyperparameters):
        if not callable(step):
            raise TypeError(f"step must be a function, got {step!r}")
        self.step = step
        self.name = name or getattr(step, "__name__", "optimizer")
        names, positional, self.state_names, defaults = signature_roles(step)
        # Hyperparameters: arguments with defaults, plus positional ones that are neither inputs nor state.
        accepted = set(defaults) | {n for n in positional if n not in _NOT_STATE and n not in self.state_names}
        unknown = set(hyperparameters) - accepted
        if unknown:
            raise TypeError(f"{self.name} got unknown hyperparameter(s) {sorted(unknown)}; it accepts {sorted(accepted)}")
        missing = [n for n in accepted - set(defaults) if n not in hyperparameters]
        if missing:
            raise TypeError(f"{self.name} needs a value for {sorted(missing)} (they have no default)")
        checked = {}
        for key, value in hyperparameters.items():
            check = _HYPER_CHECKS.get(key)
            checked[key] = check(value, key) if check is not None else value
        self.hyperparameters = {**defaults, **checked}
        self.state_init = dict(state_init or {})
        bad = set(self.state_init) - set(self.state_names)
        if bad:
            raise TypeError(f"state_init names {sorted(bad)}, but the state of {self.name} is {list(self.state_names)}")
        self.needs_t = "t" in names
        self.needs_hessian = "H" in names
        self.needs_grad_fn = "grad_fn" in names
        # Library functions carry a check-free core; a learner's function is called as it is.
        self._fn = getattr(step, "unchecked", step)
        self._kwargs = {k: v for k, v in self.hyperparameters.items() if k in names}
        self._g_name = "g" if "g" in names else None

    def __repr__(self):
        hp = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters.items())
        return f"Optimizer({self.name}: {hp})"

    def init(self, w) -> dict:
        """The state before the first step: zeros shaped like ``w`` and the step counter ``t = 0``."""
        w = V.as_float_array(w, "w")
        state = {}
        for name in self.state_names:
            if name in self.state_init:
                value = self.state_init[name]
                state[name] = np.float64(value) if np.ndim(value) == 0 else np.array(value, dtype=float)
            else:
                state[name] = np.zeros_like(w)
        state["t"] = 0
        return state

    def update(self, w, g, state: dict, *, lr=None, hessian_fn=None, grad_fn=None, check: bool = True):
        """Take one step: returns ``(new_w, new_state)``; ``state`` is not modified.

        ``lr`` overrides the learning rate for this step only (learning-rate schedules use it).

        ``check=False`` skips the shape and finiteness checks of ``w`` and ``g`` (runners
        that have checked the first step and watch the loss for divergence use it).
        """
        if check:
            w = V.as_float_array(w, "w")
            if g is not None:
                g = V.as_float_array(g, "g (the gradient)")
                V.check_same_shape(w, g, "w", "g (the gradient)")
                V.check_finite(g, "g (the gradient)")
        t = state["t"] + 1
        kwargs = dict(self._kwargs)
        if lr is not None:
            kwargs["lr"] = V.check_positive(lr, "lr") if check else lr
        if self.needs_t:
            kwargs["t"] = t
        if self.needs_hessian:
            if hessian_fn is None:
                raise ValueError(f"{self.name} needs the Hessian: pass hessian_fn (the problem has no Hessian)")
            kwargs["H"] = hessian_fn(w)
        if self.needs_grad_fn:
            if grad_fn is None:
                raise ValueError(f"{self.name} needs grad_fn to evaluate a look-ahead gradient")
            kwargs["grad_fn"] = grad_fn
        if self._g_name:
            kwargs["g"] = g
        for name in self.state_names:
            kwargs[name] = state[name]
        # Everything but w goes by keyword, so a learner's argument order does not matter.
        out = self._fn(w, **kwargs)
        if not self.state_names:
            new_w = out[0] if isinstance(out, tuple) else out
            return self._as_array(new_w, w), {"t": t}
        if not isinstance(out, tuple) or len(out) != 1 + len(self.state_names):
            raise TypeError(
                f"{self.name} must return a tuple (w, {', '.join(self.state_names)}) of "
                f"{1 + len(self.state_names)} items, got {type(out).__name__}"
                + (f" of {len(out)} items" if isinstance(out, tuple) else "")
            )
        new_state = {name: value for name, value in zip(self.state_names, out[1:])}
        new_state["t"] = t
        return self._as_array(out[0], w), new_state

    @staticmethod
    def _as_array(new_w, w):
        if isinstance(new_w, np.ndarray) and new_w.dtype == np.float64:
            return new_w
        arr = np.asarray(new_w, dtype=float)
        return arr.reshape(np.shape(w)) if arr.size == np.size(w) else arr


def make(optimizer, name: str | None = None, **hyperparameters) -> Optimizer:
    """Build an :class:`Optimizer` from a registry name (``"adam"``) or a step function.

    Registry names take their variant settings (``rmsprop_centered`` fixes ``centered=True``)
    and initial state from :mod:`optimlab.registry`. Unknown names raise ``ValueError``;
    unknown hyperparameters raise ``TypeError``; bad values raise ``ValueError`` naming them.
    """
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str):
        info = get_info(optimizer)
        fixed_clash = set(hyperparameters) & set(info.fixed)
        if fixed_clash:
            raise TypeError(f"{optimizer} fixes {sorted(fixed_clash)}; use another registry entry to change them")
        # The entry's own defaults go in explicitly: a variant may default differently from
        # its step function (rmsprop_momentum: momentum=0.9, rmsprop_full_step: momentum=0).
        return Optimizer(info.step, name or info.name, state_init=info.state_init,
                         **{**info.defaults, **info.fixed, **hyperparameters})
    if callable(optimizer):
        state_init = hyperparameters.pop("state_init", None)
        return Optimizer(optimizer, name, state_init=state_init, **hyperparameters)
    raise TypeError(f"optimizer must be a registry name or a step function, got {optimizer!r}")
