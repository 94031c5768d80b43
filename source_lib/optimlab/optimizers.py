r"""Every optimizer of the course as one pure step function.

Notation (the course's, used in every docstring below). Step ``t = 1, 2, ...`` turns
``w_{t-1}`` into ``w_t`` with the gradient ``g_t = grad L(w_{t-1})``; ``lr`` is the
learning rate eta. State variables carry the name of their formula: the velocity
``v`` (momentum methods), the first moment ``m``, the second moment ``V`` (a mean or a
sum of squared gradients), AdaDelta's ``U`` (squared updates), AMSGrad's ``V_max`` and
AdaMax's infinity norm ``u``. Squares, roots, divisions and maxima of arrays are
elementwise.

A step function takes the parameters ``w_{t-1}``, the state ``(..._{t-1})`` in the
order of its formula, the gradient ``g`` (and the step index ``t`` where the formula
needs one), then the hyperparameters as keyword arguments. It returns ``w_t`` and the
new state in the same order, ``(w, v)``, ``(w, m, V)``, ... and never modifies its
inputs. Arrays of any shape work; they are computed in float64. All state starts at
zero unless the docstring says otherwise (Nadam's ``mu_prod`` starts at 1);
:func:`optimlab.make` builds that initial state for you.

Each function checks its arguments (shapes must match exactly; parameters, state and
gradients must be finite; second moments ``>= 0``, ``lr > 0``, decay rates in ``[0, 1)``,
``eps > 0``, switches ``True``/``False``, ``t`` an integer ``>= 1``) and raises a
``ValueError`` or ``TypeError`` that names the argument, the value and what is allowed. Runners that have
already checked the arguments once call ``step.unchecked`` in their inner loop, the same
formula without the checks.

Conventions and defaults. Where epsilon goes and how the state is updated follow
``torch.optim`` exactly, except where a docstring says the course form differs on purpose
(the EMA form of momentum has no torch class); ``tests/fixtures/torch_parity.json`` holds
trajectories recorded from torch 2.13.0 that the test-suite compares with to 1e-12.
The *defaults* are torch's for AdaGrad, AdaDelta, RMSprop and the Adam family (Adam,
AMSGrad, AdaMax, Nadam, AdamW, RAdam). They are the course's own for the SGD family:
with torch's ``SGD`` defaults (``lr=1e-3``, ``momentum=0``) 100 steps cover less than a
fifth of the way to the minimum on the course's quadratic landscapes (on the parabola
from 5 to 4.09), while ``lr=0.1`` gets there (to 1e-9):

=========================  =========================  ==================================
function                   course default             torch.optim.SGD default
=========================  =========================  ==================================
``gd_step``                ``lr=0.1``                 ``lr=1e-3``
``momentum_step``          ``lr=0.1, beta=0.9``       (no EMA form in torch)
``heavy_ball_step``        ``lr=0.01, mu=0.9``        ``lr=1e-3, momentum=0``
``nesterov_step``          ``lr=0.01, mu=0.9``        ``lr=1e-3, momentum=0``
=========================  =========================  ==================================

``mu=0.9`` is the usual textbook momentum; with it heavy ball's steps are about
``1 / (1 - mu) = 10`` times ``lr`` long, so ``lr=0.01`` matches ``gd_step``'s ``lr=0.1``.
Newton's method has no torch class; ``lr=1, damping=0`` is the pure Newton step.
"""
from __future__ import annotations

import functools
import inspect
import math

import numpy as np

# Not ``V``: that is the second moment's name in the formulas below.
from . import validation as val

__all__ = [
    "gd_step",
    "momentum_step",
    "heavy_ball_step",
    "nesterov_step",
    "nesterov_lookahead_step",
    "adagrad_step",
    "adadelta_step",
    "rmsprop_step",
    "rmsprop_full_step",
    "adam_step",
    "amsgrad_step",
    "adamax_step",
    "nadam_step",
    "adamw_step",
    "radam_step",
    "newton_step",
    "STEP_FUNCTIONS",
]

# How each hyperparameter name is checked. Names not listed here are not checked.
_HYPER_CHECKS = {
    "lr": val.check_positive,
    "eps": val.check_positive,
    "beta": val.check_beta,
    "beta1": val.check_beta,
    "beta2": val.check_beta,
    "mu": val.check_beta,
    "alpha": val.check_beta,
    "rho": val.check_beta,
    "momentum": val.check_beta,
    "weight_decay": val.check_nonnegative,
    "damping": val.check_nonnegative,
    "momentum_decay": val.check_nonnegative,
    # bool("False") is True: a string here would silently switch the variant on.
    "centered": val.check_bool,
    "bias_correction": val.check_bool,
}

# Arguments that are not per-coordinate state arrays.
_NOT_STATE = {"w", "g", "t", "H", "grad_fn"}

# State that cannot be negative, by its name in the course notation, and why.
_NONNEGATIVE_STATE = {
    "V": "V is a second moment, an average or sum of squared gradients",
    "U": "U is an average of squared updates",
    "V_max": "V_max is a running maximum of the second moment V",
    "u": "u is an infinity norm, a maximum of |g|",
}

# State that is one number shared by all coordinates, by name (Nadam's product of momentum coefficients).
_SCALAR_STATE = {"mu_prod"}

T_NAME = "t (the step index, 1 for the first step)"
GRAD_FN_NAME = "grad_fn's result (the gradient)"


def check_state(w: np.ndarray, name: str, value, *, scalar: bool = False, label: str | None = None) -> np.ndarray:
    """One state variable as a float64 array: the shape of ``w`` (a number if ``scalar``), finite,
    ``>= 0`` for second moments. ``label`` is how messages name it (default ``name``)."""
    label = label or name
    arr = val.as_float_array(value, label)
    if scalar:
        if arr.ndim != 0:
            raise ValueError(f"{label} must be a single number (it is shared by all coordinates), "
                             f"got an array of shape {arr.shape}")
    else:
        val.check_same_shape(w, arr, "w", label)
    val.check_finite(arr, label)
    why = _NONNEGATIVE_STATE.get(name)
    if why is not None:
        val.check_nonnegative_array(arr, label, why)
    if name == "mu_prod" and not 0.0 <= float(arr) <= 1.0:
        # Nadam divides by 1 - mu_prod * mu_{t+1}: a product above 1 can make that zero.
        raise ValueError(f"{label} must be in [0, 1] (a product of momentum coefficients mu_t in [0, 1), "
                         f"1 before the first step), got {float(arr)!r}")
    return arr


def checked_grad_fn(grad_fn, shape: tuple, label: str):
    """Wrap ``grad_fn`` so that a gradient of the wrong shape, or a non-finite one, is refused by name."""
    val.check_callable(grad_fn, "grad_fn", "it maps parameters w to the gradient at w")
    like_w = np.broadcast_to(0.0, shape)

    def gradient(x):
        g = val.as_float_array(grad_fn(x), label)
        val.check_same_shape(like_w, g, "w", label)
        val.check_finite(g, label)
        return g

    return gradient


def _check_centered(a: dict, label=lambda name: name) -> None:
    """Centered RMSprop divides by sqrt(V - gbar^2): the state must keep V >= gbar^2."""
    if a.get("centered"):
        gap = a["V"] - a["gbar"] ** 2
        # The EMAs keep V >= gbar^2 in exact arithmetic; allow rounding (relative 1e-12), refuse real violations.
        bad = gap < -1e-12 * a["V"]
        if bad.any():
            i = tuple(int(k) for k in np.argwhere(np.atleast_1d(bad))[0]) if gap.ndim else ()
            raise ValueError(
                f"{label('V')} - {label('gbar')}**2 must be >= 0 for centered RMSprop (V estimates the mean "
                f"of g^2 and gbar the mean of g, so V >= gbar^2), got {np.atleast_1d(gap)[i] if i else gap} "
                f"at index {i}"
            )


def signature_roles(fn):
    """Read a step function's signature: ``(names, positional, state_names, hyperparameter defaults)``.

    ``w`` comes first; the positional arguments before ``g`` (or ``grad_fn``) other than ``w``,
    ``t`` and ``H`` are the state variables; arguments with defaults are hyperparameters.
    """
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        raise TypeError(f"step function must be a Python function with a signature, got {fn!r}") from None
    params = list(sig.parameters.values())
    names = [p.name for p in params]
    if not names or names[0] != "w":
        raise TypeError(
            f"a step function's first argument must be the parameters 'w'; {getattr(fn, '__name__', fn)} "
            f"has arguments {names}"
        )
    if "g" not in names and "grad_fn" not in names:
        raise TypeError(
            f"a step function needs the gradient argument 'g' (or 'grad_fn'); "
            f"{getattr(fn, '__name__', fn)} has arguments {names}"
        )
    cut = names.index("g") if "g" in names else names.index("grad_fn")
    state_names = tuple(n for n in names[:cut] if n not in _NOT_STATE)
    positional = [p.name for p in params if p.default is inspect.Parameter.empty]
    hyper_defaults = {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}
    return names, positional, state_names, hyper_defaults


def step_function(*, scalar_state=(), state_check=None):
    """Decorate a step function with argument checks derived from its parameter names.

    Positional parameters before ``g`` other than ``w`` are the state variables; they
    must have the shape of ``w`` (except the names in ``scalar_state``, which are numbers).
    ``state_check(arguments, label)`` checks what the names alone cannot (centered RMSprop's
    ``V >= gbar**2``). The decorated function carries ``state_names``, ``scalar_state``,
    ``state_check``, ``hyperparameters`` (name -> default), ``needs_t``, ``needs_hessian``,
    ``needs_grad_fn`` and ``unchecked``.
    """

    def decorate(fn):
        sig = inspect.signature(fn)
        names, _, state_names, hyper = signature_roles(fn)

        @functools.wraps(fn)
        def checked(*args, **kwargs):
            try:
                bound = sig.bind(*args, **kwargs)
            except TypeError as exc:
                raise TypeError(f"{fn.__name__}{sig}: {exc}") from None
            bound.apply_defaults()
            a = bound.arguments
            a["w"] = val.as_float_array(a["w"], "w")
            val.check_finite(a["w"], "w")
            for name in state_names:
                a[name] = check_state(a["w"], name, a[name], scalar=name in scalar_state)
            if "g" in a:
                a["g"] = val.as_float_array(a["g"], "g (the gradient)")
                val.check_same_shape(a["w"], a["g"], "w", "g (the gradient)")
                val.check_finite(a["g"], "g (the gradient)")
            if "grad_fn" in a:
                a["grad_fn"] = checked_grad_fn(a["grad_fn"], a["w"].shape, GRAD_FN_NAME)
            if "t" in a:
                a["t"] = val.check_int(a["t"], T_NAME, minimum=1)
            for name, value in a.items():
                check = _HYPER_CHECKS.get(name)
                if check is not None:
                    a[name] = check(value, name)
            if state_check is not None:
                state_check(a)
            return fn(**a)

        checked.unchecked = fn
        checked.state_names = state_names
        checked.scalar_state = tuple(scalar_state)
        checked.state_check = state_check
        checked.hyperparameters = hyper
        checked.needs_t = "t" in names
        checked.needs_hessian = "H" in names
        checked.needs_grad_fn = "grad_fn" in names
        return checked

    return decorate


# ---------------------------------------------------------------------------
# Gradient descent and momentum
# ---------------------------------------------------------------------------

@step_function()
def gd_step(w, g, lr=0.1):
    r"""Gradient descent (梯度下降).

    .. code-block:: text

        w_t = w_{t-1} - lr * g_t

    Batch, mini-batch and stochastic gradient descent are this same step; they
    differ only in how many examples the gradient ``g`` was averaged over.
    Returns ``w_t``.
    """
    return w - lr * g


@step_function()
def momentum_step(w, v, g, lr=0.1, beta=0.9):
    r"""Momentum in the EMA form (动量法, exponential moving average of gradients).

    .. code-block:: text

        v_t = beta * v_{t-1} + (1 - beta) * g_t          # the velocity, v_0 = 0
        w_t = w_{t-1} - lr * v_t

    This is the form of the course's source articles and of Andrew Ng's lectures. It is
    *not* PyTorch's form (see :func:`heavy_ball_step`): from the same zero state the two
    trace the same path when ``lr_heavy_ball = (1 - beta) * lr_ema``, because then
    ``v_ema = (1 - beta) * v_heavy_ball`` at every step. PyTorch's other route to this
    form, ``dampening=beta``, differs at the first step, where PyTorch sets the buffer
    to ``g_1`` without the factor ``1 - beta``. Returns ``(w_t, v_t)``.
    """
    v = beta * v + (1.0 - beta) * g
    return w - lr * v, v


@step_function()
def heavy_ball_step(w, v, g, lr=0.01, mu=0.9):
    r"""Momentum in the heavy-ball form used by ``torch.optim.SGD(momentum=mu)`` (重球法).

    .. code-block:: text

        v_t = mu * v_{t-1} + g_t                          # the velocity, v_0 = 0
        w_t = w_{t-1} - lr * v_t

    ``mu`` is the momentum coefficient (torch's ``momentum``). From ``v_0 = 0`` this equals
    PyTorch's SGD with ``dampening=0`` exactly (PyTorch's first buffer ``g_1`` is
    ``mu * 0 + g_1``). Returns ``(w_t, v_t)``.
    """
    v = mu * v + g
    return w - lr * v, v


@step_function()
def nesterov_step(w, v, g, lr=0.01, mu=0.9):
    r"""Nesterov accelerated gradient (Nesterov 加速梯度), PyTorch's form ``SGD(nesterov=True)``.

    .. code-block:: text

        v_t = mu * v_{t-1} + g_t
        w_t = w_{t-1} - lr * (g_t + mu * v_t)

    The gradient ``g_t`` is taken at ``w_{t-1}``. This is the look-ahead form of
    :func:`nesterov_lookahead_step` rewritten in the variable ``w~ = w - lr * mu * v``
    (the point the look-ahead form evaluates its gradient at), so both visit the same
    points. Returns ``(w_t, v_t)``.
    """
    v = mu * v + g
    return w - lr * (g + mu * v), v


@step_function()
def nesterov_lookahead_step(w, v, grad_fn, lr=0.01, mu=0.9):
    r"""Nesterov accelerated gradient in its look-ahead form (Sutskever et al., 2013).

    .. code-block:: text

        g_t = grad_fn(w_{t-1} - lr * mu * v_{t-1})    # where momentum is about to carry us
        v_t = mu * v_{t-1} + g_t
        w_t = w_{t-1} - lr * v_t

    ``grad_fn`` maps parameters to the gradient; it must return an array of the shape
    of ``w`` with finite entries. Returns ``(w_t, v_t)``.
    """
    g = val.as_float_array(grad_fn(w - lr * mu * v), GRAD_FN_NAME)
    v = mu * v + g
    return w - lr * v, v


# ---------------------------------------------------------------------------
# Adaptive learning rates: w_t = w_{t-1} - lr * m_t / sqrt(V_t), with eps where each method puts it
# ---------------------------------------------------------------------------

@step_function()
def adagrad_step(w, V, g, lr=0.01, eps=1e-10):
    r"""AdaGrad (自适应梯度算法), as ``torch.optim.Adagrad`` (``lr_decay=0``).

    .. code-block:: text

        V_t = V_{t-1} + g_t**2                           # a running sum, V_0 = 0
        w_t = w_{t-1} - lr * g_t / (sqrt(V_t) + eps)     # eps outside the square root

    Each coordinate's effective rate ``lr / (sqrt(V_t) + eps)`` can only shrink.
    Returns ``(w_t, V_t)``.
    """
    V = V + g * g
    return w - lr * g / (np.sqrt(V) + eps), V


@step_function()
def adadelta_step(w, V, U, g, lr=1.0, rho=0.9, eps=1e-6):
    r"""AdaDelta (自适应增量法), as ``torch.optim.Adadelta``.

    .. code-block:: text

        V_t  = rho * V_{t-1} + (1 - rho) * g_t**2                    # squared gradients
        dx_t = sqrt(U_{t-1} + eps) / sqrt(V_t + eps) * g_t           # units of w, no lr needed
        U_t  = rho * U_{t-1} + (1 - rho) * dx_t**2                   # squared updates
        w_t  = w_{t-1} - lr * dx_t

    ``U`` accumulates ``dx_t`` before the multiplication by ``lr``; the paper's rule is
    ``lr = 1``. Returns ``(w_t, V_t, U_t)``.
    """
    V = rho * V + (1.0 - rho) * g * g
    dx = np.sqrt(U + eps) / np.sqrt(V + eps) * g
    U = rho * U + (1.0 - rho) * dx * dx
    return w - lr * dx, V, U


@step_function()
def rmsprop_step(w, V, g, lr=0.01, alpha=0.99, eps=1e-8):
    r"""RMSprop (均方根传播), as ``torch.optim.RMSprop`` with its defaults.

    .. code-block:: text

        V_t = alpha * V_{t-1} + (1 - alpha) * g_t**2
        w_t = w_{t-1} - lr * g_t / (sqrt(V_t) + eps)     # eps outside the square root

    ``alpha`` is torch's name (Keras calls it ``rho``). Returns ``(w_t, V_t)``.
    :func:`rmsprop_full_step` adds the centered and momentum variants.
    """
    V = alpha * V + (1.0 - alpha) * g * g
    return w - lr * g / (np.sqrt(V) + eps), V


@step_function(state_check=_check_centered)
def rmsprop_full_step(w, V, gbar, v, g, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, centered=False):
    r"""RMSprop with PyTorch's ``centered`` and ``momentum`` options.

    .. code-block:: text

        V_t    = alpha * V_{t-1} + (1 - alpha) * g_t**2
        gbar_t = alpha * gbar_{t-1} + (1 - alpha) * g_t         # only if centered
        d_t    = sqrt(max(V_t - gbar_t**2, 0)) + eps  if centered  else  sqrt(V_t) + eps
        v_t    = momentum * v_{t-1} + g_t / d_t                 # the velocity, only if momentum > 0
        w_t    = w_{t-1} - lr * v_t   if momentum > 0   else   w_{t-1} - lr * g_t / d_t

    Centering divides by an estimate of the gradient's standard deviation instead of
    its root mean square; the state must satisfy ``V >= gbar**2`` (it stays so, up to a
    rounding error that the ``max(., 0)`` absorbs: torch would return nan there).
    ``lr`` stays outside the velocity (as in PyTorch; Keras and optax put it inside).
    ``centered`` must be ``True`` or ``False``. Returns ``(w_t, V_t, gbar_t, v_t)``; unused
    state is returned unchanged.
    """
    V = alpha * V + (1.0 - alpha) * g * g
    if centered:
        gbar = alpha * gbar + (1.0 - alpha) * g
        # max(., 0): rounding can take V - gbar^2 a hair below 0 where the gradient has been constant.
        denom = np.sqrt(np.maximum(V - gbar * gbar, 0.0)) + eps
    else:
        denom = np.sqrt(V) + eps
    if momentum > 0:
        v = momentum * v + g / denom
        return w - lr * v, V, gbar, v
    return w - lr * g / denom, V, gbar, v


@step_function()
def adam_step(w, m, V, g, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    r"""Adam (自适应矩估计, adaptive moment estimation), as ``torch.optim.Adam``.

    .. code-block:: text

        m_t     = beta1 * m_{t-1} + (1 - beta1) * g_t        # first moment
        V_t     = beta2 * V_{t-1} + (1 - beta2) * g_t**2     # second moment
        m_hat_t = m_t / (1 - beta1**t)                       # bias correction
        V_hat_t = V_t / (1 - beta2**t)
        w_t     = w_{t-1} - lr * m_hat_t / (sqrt(V_hat_t) + eps)   # eps added to sqrt(V_hat_t)

    ``bias_correction=False`` skips the two divisions (for teaching). The first step from
    zero state then moves each coordinate by about ``lr * (1 - beta1) / sqrt(1 - beta2)``
    instead of ``lr``: about 3.2 * lr with the defaults (too large, because ``V`` is the
    more biased of the two), but 0.32 * lr with ``beta1 = beta2 = 0.9`` (too small).
    ``bias_correction`` must be ``True`` or ``False``. Returns ``(w_t, m_t, V_t)``.
    """
    m = beta1 * m + (1.0 - beta1) * g
    V = beta2 * V + (1.0 - beta2) * g * g
    if bias_correction:
        m_hat = m / (1.0 - beta1**t)
        V_hat = V / (1.0 - beta2**t)
    else:
        m_hat, V_hat = m, V
    return w - lr * m_hat / (np.sqrt(V_hat) + eps), m, V


@step_function()
def amsgrad_step(w, m, V, V_max, g, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""AMSGrad, as ``torch.optim.Adam(amsgrad=True)``.

    .. code-block:: text

        m_t     = beta1 * m_{t-1} + (1 - beta1) * g_t
        V_t     = beta2 * V_{t-1} + (1 - beta2) * g_t**2
        V_max_t = max(V_max_{t-1}, V_t)                          # max of the raw V
        w_t     = w_{t-1} - lr / (1 - beta1**t) * m_t / (sqrt(V_max_t / (1 - beta2**t)) + eps)

    The running maximum keeps the effective rate from growing again after a burst of
    large gradients. (optax takes the maximum of the bias-corrected ``V`` instead, which
    gives other numbers.) Returns ``(w_t, m_t, V_t, V_max_t)``.
    """
    m = beta1 * m + (1.0 - beta1) * g
    V = beta2 * V + (1.0 - beta2) * g * g
    V_max = np.maximum(V_max, V)
    m_hat = m / (1.0 - beta1**t)
    return w - lr * m_hat / (np.sqrt(V_max / (1.0 - beta2**t)) + eps), m, V, V_max


@step_function()
def adamax_step(w, m, u, g, t, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""AdaMax, Adam with the infinity norm, as ``torch.optim.Adamax``.

    .. code-block:: text

        m_t = beta1 * m_{t-1} + (1 - beta1) * g_t
        u_t = max(beta2 * u_{t-1}, |g_t| + eps)               # eps inside the max
        w_t = w_{t-1} - lr / (1 - beta1**t) * m_t / u_t

    ``u`` takes the place of ``sqrt(V)`` and needs no bias correction: a maximum is not
    pulled towards its zero start. Returns ``(w_t, m_t, u_t)``.
    """
    m = beta1 * m + (1.0 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g) + eps)
    return w - lr / (1.0 - beta1**t) * m / u, m, u


@step_function(scalar_state=("mu_prod",))
def nadam_step(w, m, V, mu_prod, g, t, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8, momentum_decay=0.004):
    r"""Nadam (Nesterov-accelerated Adam), as ``torch.optim.NAdam`` (Dozat, 2016).

    .. code-block:: text

        mu_t        = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))
        mu_{t+1}    = beta1 * (1 - 0.5 * 0.96**((t + 1) * momentum_decay))
        mu_prod_t   = mu_prod_{t-1} * mu_t                       # mu_prod_0 = 1
        m_t         = beta1 * m_{t-1} + (1 - beta1) * g_t
        V_t         = beta2 * V_{t-1} + (1 - beta2) * g_t**2
        d_t         = sqrt(V_t / (1 - beta2**t)) + eps
        w_t         = w_{t-1} - lr * (1 - mu_t) / (1 - mu_prod_t) * g_t / d_t
                              - lr * mu_{t+1} / (1 - mu_prod_t * mu_{t+1}) * m_t / d_t

    The second term applies the *next* step's momentum now: Nesterov's look-ahead.
    ``mu_prod`` is a single number that starts at 1. Returns ``(w_t, m_t, V_t, mu_prod_t)``.
    """
    mu_t = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    mu_prod = mu_prod * mu_t
    m = beta1 * m + (1.0 - beta1) * g
    V = beta2 * V + (1.0 - beta2) * g * g
    denom = np.sqrt(V / (1.0 - beta2**t)) + eps
    w = w - lr * (1.0 - mu_t) / (1.0 - mu_prod) * g / denom
    w = w - lr * mu_next / (1.0 - mu_prod * mu_next) * m / denom
    return w, m, V, mu_prod


@step_function()
def adamw_step(w, m, V, g, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    r"""AdamW, Adam with decoupled weight decay (解耦权重衰减), as ``torch.optim.AdamW``.

    .. code-block:: text

        w'  = w_{t-1} * (1 - lr * weight_decay)            # decay first, outside the moments
        m_t = beta1 * m_{t-1} + (1 - beta1) * g_t
        V_t = beta2 * V_{t-1} + (1 - beta2) * g_t**2
        w_t = w' - lr * m_hat_t / (sqrt(V_hat_t) + eps)    # m_hat_t, V_hat_t as in Adam

    Adding ``weight_decay * w`` to ``g`` instead (L2 regularisation) would send the
    decay through ``V`` and shrink it for coordinates with large gradients; AdamW
    decays every weight at the same rate. Returns ``(w_t, m_t, V_t)``.
    """
    w = w * (1.0 - lr * weight_decay)
    m = beta1 * m + (1.0 - beta1) * g
    V = beta2 * V + (1.0 - beta2) * g * g
    m_hat = m / (1.0 - beta1**t)
    V_hat = V / (1.0 - beta2**t)
    return w - lr * m_hat / (np.sqrt(V_hat) + eps), m, V


@step_function()
def radam_step(w, m, V, g, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""RAdam, rectified Adam (Liu et al., 2020), as ``torch.optim.RAdam``.

    .. code-block:: text

        m_t     = beta1 * m_{t-1} + (1 - beta1) * g_t
        V_t     = beta2 * V_{t-1} + (1 - beta2) * g_t**2
        m_hat_t = m_t / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t   = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        if rho_t > 5:   # the variance of the adaptive rate is tractable
            r_t = sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))
            w_t = w_{t-1} - lr * m_hat_t * r_t * sqrt(1 - beta2**t) / (sqrt(V_t) + eps)   # eps on the raw sqrt(V_t)
        else:           # too few steps: plain momentum
            w_t = w_{t-1} - lr * m_hat_t

    Returns ``(w_t, m_t, V_t)``.
    """
    m = beta1 * m + (1.0 - beta1) * g
    V = beta2 * V + (1.0 - beta2) * g * g
    bc2 = 1.0 - beta2**t
    m_hat = m / (1.0 - beta1**t)
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho_inf - 2.0 * t * beta2**t / bc2
    if rho_t > 5.0:
        r = math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
        return w - lr * m_hat * r * math.sqrt(bc2) / (np.sqrt(V) + eps), m, V
    return w - lr * m_hat, m, V


# ---------------------------------------------------------------------------
# Second order
# ---------------------------------------------------------------------------

@step_function()
def newton_step(w, g, H, lr=1.0, damping=0.0):
    r"""Newton's method (牛顿法), damped.

    .. code-block:: text

        w_t = w_{t-1} - lr * (H + damping * I)^{-1} g_t

    ``H = grad^2 L(w_{t-1})`` is the Hessian (黑塞矩阵) at ``w_{t-1}``, an ``(n, n)`` array
    with ``n = w.size`` (the parameters are flattened in C order). ``lr = 1, damping = 0`` is the pure Newton
    step, which lands on the minimum of a quadratic in one step; ``lr < 1`` (damped
    Newton) or ``damping > 0`` (Levenberg-Marquardt style) make it safer far from a
    minimum or where ``H`` is not positive definite. Returns ``w_t``.
    """
    n = w.size
    H = val.as_float_array(H, "H (the Hessian)")
    if H.shape != (n, n) and not (n == 1 and H.size == 1):
        raise ValueError(f"H (the Hessian) must have shape ({n}, {n}) for w of shape {w.shape}, got {H.shape}")
    val.check_finite(H, "H (the Hessian)")
    A = H.reshape(n, n) + damping * np.eye(n)
    try:
        step = np.linalg.solve(A, g.reshape(n))
    except np.linalg.LinAlgError:
        raise ValueError(
            f"H + damping * I is singular (damping={damping}); Newton's step is undefined here. "
            f"Use damping > 0 or start from another point"
        ) from None
    return w - lr * step.reshape(w.shape)


# The plain step functions by short name; :mod:`optimlab.registry` adds metadata and variants.
STEP_FUNCTIONS = {
    "gd": gd_step,
    "momentum": momentum_step,
    "heavy_ball": heavy_ball_step,
    "nesterov": nesterov_step,
    "nesterov_lookahead": nesterov_lookahead_step,
    "adagrad": adagrad_step,
    "adadelta": adadelta_step,
    "rmsprop": rmsprop_step,
    "rmsprop_full": rmsprop_full_step,
    "adam": adam_step,
    "amsgrad": amsgrad_step,
    "adamax": adamax_step,
    "nadam": nadam_step,
    "adamw": adamw_step,
    "radam": radam_step,
    "newton": newton_step,
}
