"""One interface for every step function: ``init(w) -> state`` and ``update(w, g, state) -> (w, state)``.

Step functions in :mod:`optimlab.optimizers` each have their own signature, named as
in their formula. Runners, training loops and widgets need to drive any of them, and
a learner's own function too, in the same way. :class:`Optimizer` reads the step
function's signature once:

* ``w`` is the parameter array, ``g`` the gradient;
* other positional parameters before ``g`` are state variables, started at zero
  (or at ``state_init``);
* ``t`` is the step index (1 at the first step), ``H`` the Hessian (taken from
  ``hessian_fn``), ``grad_fn`` a gradient function (for look-ahead methods);
* parameters with defaults are hyperparameters.

The step function returns ``w`` alone (no state) or ``(w, state...)`` in signature order.
The state is a dict with one entry per state variable, named as in the formula (Adam's
``{"m": ..., "V": ..., "t": 0}``), and ``"t"``, the number of steps taken so far.

:meth:`Optimizer.update` checks the state as the step functions check their arguments:
exactly the keys ``init`` makes, each array of the shape of ``w`` (no broadcasting),
finite, second moments ``>= 0``, ``t`` an integer ``>= 0``; the gradient must be given,
of the shape of ``w`` and finite, also when ``grad_fn`` computes it. A learner's own
function gets the same checks of what goes in, and a check of what it returns.

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

from . import validation as val
from .optimizers import GRAD_FN_NAME, _HYPER_CHECKS, _NOT_STATE, _SCALAR_STATE, check_state, checked_grad_fn, signature_roles
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
        ``mu_prod=1.0``); scalar entries stay scalars (single numbers shared by all coordinates).
    **hyperparameters
        Passed to every call of ``step``. Unknown names raise a ``TypeError``.
    """

    def __init__(self, step: Callable, name: str | None = None, *, state_init=None, **hyperparameters):
        if not callable(step):
            raise TypeError(f"step must be a function, got {step!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string (a label for plots and messages), got {name!r}")
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
        for key, value in self.state_init.items():
            arr = val.as_float_array(value, f"state_init[{key!r}]")
            val.check_finite(arr, f"state_init[{key!r}]")
            self.state_init[key] = arr
        # State that is a single number: the library's own (Nadam's mu_prod) and scalar state_init values.
        self.scalar_state = frozenset(getattr(step, "scalar_state", ())) | {
            n for n in self.state_names if n in _SCALAR_STATE} | {
            n for n, value in self.state_init.items() if np.ndim(value) == 0}
        self._state_check = getattr(step, "state_check", None)
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
        """The state before the first step: zeros shaped like ``w`` (single numbers for scalar state such as
        Nadam's ``mu_prod``), the values of ``state_init``, and ``t = 0``, the number of steps taken."""
        w = val.as_float_array(w, "w")
        state = {}
        for name in self.state_names:
            if name in self.state_init:
                value = self.state_init[name]
                state[name] = np.float64(value) if np.ndim(value) == 0 else np.array(value, dtype=float)
            elif name in self.scalar_state:
                state[name] = np.float64(0.0)
            else:
                state[name] = np.zeros_like(w)
        state["t"] = 0
        return state

    def update(self, w, g, state: dict, *, lr=None, hessian_fn=None, grad_fn=None, check: bool = True):
        """Take one step: returns ``(new_w, new_state)``; ``state`` is not modified.

        ``lr`` overrides the learning rate for this step only (learning-rate schedules use it).

        ``check=False`` skips the checks of ``w``, ``g`` and ``state`` (runners that have
        checked the first step and watch the loss for divergence use it).
        """
        if check:
            w, g, state, grad_fn = self._checked_inputs(w, g, state, grad_fn, hessian_fn)
        t = state["t"] + 1
        kwargs = dict(self._kwargs)
        if lr is not None:
            kwargs["lr"] = val.check_positive(lr, "lr") if check else lr
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
            new_w = self._as_array(new_w, w)
            if check and self._fn is self.step:
                self._check_output(w, new_w, {})
            return new_w, {"t": t}
        if not isinstance(out, tuple) or len(out) != 1 + len(self.state_names):
            raise TypeError(
                f"{self.name} must return a tuple (w, {', '.join(self.state_names)}) of "
                f"{1 + len(self.state_names)} items, got {type(out).__name__}"
                + (f" of {len(out)} items" if isinstance(out, tuple) else "")
            )
        new_state = {name: value for name, value in zip(self.state_names, out[1:])}
        new_w = self._as_array(out[0], w)
        if check and self._fn is self.step:  # a learner's function: what it returns is checked too
            self._check_output(w, new_w, new_state)
        new_state["t"] = t
        return new_w, new_state

    def _check_output(self, w, new_w, new_state):
        """A learner's step must return w and each state variable with the shape they came in
        (a state that broadcast to another shape would spoil every later step)."""
        if np.shape(new_w) != w.shape:
            raise ValueError(f"{self.name} returned w of shape {np.shape(new_w)} for w of shape {w.shape}; "
                             f"a step must return the parameters with the shape they came in")
        for name, value in new_state.items():
            arr = val.as_float_array(value, f"the {name} returned by {self.name}")
            want = () if name in self.scalar_state else w.shape
            if arr.shape != want:
                raise ValueError(
                    f"{self.name} returned {name} of shape {arr.shape} for w of shape {w.shape}; a step must return "
                    f"{name} with the shape {want} it came in (did an operation broadcast it?)"
                )

    def _checked_inputs(self, w, g, state, grad_fn, hessian_fn):
        """The checks of :meth:`update`: the same rules as the step functions' own, with the
        state's entries named ``state['V']`` and the keys compared with what :meth:`init` makes."""
        w = val.as_float_array(w, "w")
        val.check_finite(w, "w")
        expected = list(self.state_names) + ["t"]
        if not isinstance(state, dict):
            raise TypeError(f"state must be the dict that {self.name}'s init(w) returns (keys {expected}), "
                            f"got {type(state).__name__}")
        missing = [k for k in expected if k not in state]
        extra = [k for k in state if k not in expected]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"is missing {', '.join(map(repr, missing))}")
            if extra:
                parts.append(f"has unexpected key(s) {', '.join(map(repr, extra))}")
            close = {k: m for k in extra for m in missing if str(k).lower() == m.lower()}
            hint = "".join(f"; {k!r} is now called {m!r} (the course notation)" for k, m in close.items())
            raise ValueError(
                f"state {' and '.join(parts)}: the state of {self.name} has exactly the keys {expected}, "
                f"as {self.name}'s init(w) makes them{hint}"
            )
        t = val.check_int(state["t"], "state['t'] (the number of steps taken so far; the next step is t + 1)",
                          minimum=0)
        checked = {"t": t}
        for name in self.state_names:
            checked[name] = check_state(w, name, state[name], scalar=name in self.scalar_state,
                                        label=f"state[{name!r}]")
        if self._state_check is not None:
            self._state_check({**self.hyperparameters, **checked}, label=lambda n: f"state[{n!r}]")
        if self._g_name:
            if g is None:
                raise TypeError(f"g (the gradient) is None, but {self.name} takes a gradient: "
                                f"call update(w, g, state) with g the gradient at w")
            g = val.as_float_array(g, "g (the gradient)")
            val.check_same_shape(w, g, "w", "g (the gradient)")
            val.check_finite(g, "g (the gradient)")
        if grad_fn is not None:
            grad_fn = checked_grad_fn(grad_fn, w.shape, GRAD_FN_NAME)
        if hessian_fn is not None:
            val.check_callable(hessian_fn, "hessian_fn", "it maps parameters w to the Hessian at w")
        return w, g, checked, grad_fn

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
