r"""Every optimizer of the course as one pure step function.

A step function takes the parameters ``w``, the state variables of its formula
(named as in the formula: ``v``, ``m``, ``s``, ...), the gradient ``g`` (and the
step counter ``t`` where the formula needs one), then the hyperparameters as
keyword arguments with PyTorch's defaults. It returns the new parameters and the
new state in the same order, ``(w, v)``, ``(w, m, v)``, ... and never modifies
its inputs. Arrays of any shape work; they are computed in float64.

The step counter ``t`` is the index of the step being taken: 1 for the first step.
All state starts at zero unless the docstring says otherwise (Nadam's ``mu_prod``
starts at 1). :func:`optimlab.make` builds that initial state for you.

Each function checks its arguments (shapes must match exactly, gradients must be
finite, ``lr > 0``, betas in ``[0, 1)``, ``eps > 0``) and raises a ``ValueError``
or ``TypeError`` that names the argument. Runners that have already checked the
arguments once call ``step.unchecked`` in their inner loop, the same formula
without the checks.

The conventions (defaults, where epsilon goes) follow ``torch.optim`` except where a
docstring says the course form differs on purpose; ``tests/fixtures/torch_parity.json``
holds trajectories recorded from torch 2.13.0 that the test-suite compares with to 1e-12.
"""
from __future__ import annotations

import functools
import inspect
import math

import numpy as np

from . import validation as V

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
    "lr": V.check_positive,
    "eps": V.check_positive,
    "beta": V.check_beta,
    "beta1": V.check_beta,
    "beta2": V.check_beta,
    "mu": V.check_beta,
    "alpha": V.check_beta,
    "rho": V.check_beta,
    "momentum": V.check_beta,
    "weight_decay": V.check_nonnegative,
    "damping": V.check_nonnegative,
    "momentum_decay": V.check_nonnegative,
}

# Arguments that are not per-coordinate state arrays.
_NOT_STATE = {"w", "g", "t", "H", "grad_fn"}


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


def step_function(*, scalar_state=()):
    """Decorate a step function with argument checks derived from its parameter names.

    Positional parameters before ``g`` other than ``w`` are the state variables; they
    must have the shape of ``w`` (except the names in ``scalar_state``). The decorated
    function carries ``state_names``, ``hyperparameters`` (name -> default),
    ``needs_t``, ``needs_hessian``, ``needs_grad_fn`` and ``unchecked``.
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
            a["w"] = V.as_float_array(a["w"], "w")
            for name in state_names:
                a[name] = V.as_float_array(a[name], name)
                if name not in scalar_state:
                    V.check_same_shape(a["w"], a[name], "w", name)
                V.check_finite(a[name], name)
            if "g" in a:
                a["g"] = V.as_float_array(a["g"], "g")
                V.check_same_shape(a["w"], a["g"], "w", "g (the gradient)")
                V.check_finite(a["g"], "g (the gradient)")
            if "t" in a:
                a["t"] = V.check_int(a["t"], "t (the step counter, 1 for the first step)", minimum=1)
            for name, value in a.items():
                check = _HYPER_CHECKS.get(name)
                if check is not None:
                    a[name] = check(value, name)
            return fn(**a)

        checked.unchecked = fn
        checked.state_names = state_names
        checked.scalar_state = tuple(scalar_state)
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
    r"""Gradient descent (梯度下降): ``w <- w - lr * g``.

    Batch, mini-batch and stochastic gradient descent are this same step; they
    differ only in how many examples the gradient ``g`` was averaged over.
    Returns the new ``w``.
    """
    return w - lr * g


@step_function()
def momentum_step(w, v, g, lr=0.1, beta=0.9):
    r"""Momentum in the EMA form (动量法, exponential moving average of gradients).

    .. code-block:: text

        v <- beta * v + (1 - beta) * g
        w <- w - lr * v

    This is the form of the course's source articles and of Andrew Ng's lectures. It is
    *not* PyTorch's form (see :func:`heavy_ball_step`): from the same zero state the two
    trace the same path when ``lr_heavy_ball = (1 - beta) * lr_ema``, because then
    ``v_ema = (1 - beta) * v_heavy_ball`` at every step. PyTorch's other route to this
    form, ``dampening=beta``, differs at the first step, where PyTorch sets the buffer
    to ``g`` without the factor ``1 - beta``. Returns ``(w, v)``.
    """
    v = beta * v + (1.0 - beta) * g
    return w - lr * v, v


@step_function()
def heavy_ball_step(w, v, g, lr=0.01, mu=0.9):
    r"""Momentum in the heavy-ball form used by ``torch.optim.SGD(momentum=mu)`` (重球法).

    .. code-block:: text

        v <- mu * v + g
        w <- w - lr * v

    From ``v = 0`` this equals PyTorch's SGD with ``dampening=0`` exactly (PyTorch's
    first buffer ``b_1 = g`` is ``mu * 0 + g``). Returns ``(w, v)``.
    """
    v = mu * v + g
    return w - lr * v, v


@step_function()
def nesterov_step(w, v, g, lr=0.01, mu=0.9):
    r"""Nesterov accelerated gradient (Nesterov 加速梯度), PyTorch's form ``SGD(nesterov=True)``.

    .. code-block:: text

        v <- mu * v + g
        w <- w - lr * (g + mu * v)

    The gradient ``g`` is taken at the current ``w``. This is the look-ahead form of
    :func:`nesterov_lookahead_step` rewritten in the variable ``w~ = w - lr * mu * v``
    (the point the look-ahead form evaluates its gradient at), so both visit the same
    points. Returns ``(w, v)``.
    """
    v = mu * v + g
    return w - lr * (g + mu * v), v


@step_function()
def nesterov_lookahead_step(w, v, grad_fn, lr=0.01, mu=0.9):
    r"""Nesterov accelerated gradient in its look-ahead form (Sutskever et al., 2013).

    .. code-block:: text

        g <- grad_fn(w - lr * mu * v)      # gradient where momentum is about to carry us
        v <- mu * v + g
        w <- w - lr * v

    ``grad_fn`` maps parameters to the gradient. Returns ``(w, v)``.
    """
    g = V.as_float_array(grad_fn(w - lr * mu * v), "grad_fn(w - lr * mu * v)")
    V.check_same_shape(w, g, "w", "grad_fn(w - lr * mu * v)")
    v = mu * v + g
    return w - lr * v, v


# ---------------------------------------------------------------------------
# Adaptive learning rates
# ---------------------------------------------------------------------------

@step_function()
def adagrad_step(w, s, g, lr=0.01, eps=1e-10):
    r"""AdaGrad (自适应梯度算法), as ``torch.optim.Adagrad`` (``lr_decay=0``).

    .. code-block:: text

        s <- s + g**2
        w <- w - lr * g / (sqrt(s) + eps)       # eps outside the square root

    Each coordinate's effective rate ``lr / (sqrt(s) + eps)`` can only shrink.
    Returns ``(w, s)``.
    """
    s = s + g * g
    return w - lr * g / (np.sqrt(s) + eps), s


@step_function()
def adadelta_step(w, v, u, g, lr=1.0, rho=0.9, eps=1e-6):
    r"""AdaDelta (自适应增量法), as ``torch.optim.Adadelta``.

    .. code-block:: text

        v  <- rho * v + (1 - rho) * g**2                  # EMA of squared gradients
        dx <- sqrt(u + eps) / sqrt(v + eps) * g            # units of w, no lr needed
        u  <- rho * u + (1 - rho) * dx**2                 # EMA of squared updates
        w  <- w - lr * dx

    ``u`` accumulates ``dx`` before the multiplication by ``lr``; the paper's rule is
    ``lr = 1``. Returns ``(w, v, u)``.
    """
    v = rho * v + (1.0 - rho) * g * g
    dx = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = rho * u + (1.0 - rho) * dx * dx
    return w - lr * dx, v, u


@step_function()
def rmsprop_step(w, v, g, lr=0.01, alpha=0.99, eps=1e-8):
    r"""RMSprop (均方根传播), as ``torch.optim.RMSprop`` with its defaults.

    .. code-block:: text

        v <- alpha * v + (1 - alpha) * g**2
        w <- w - lr * g / (sqrt(v) + eps)        # eps outside the square root

    Returns ``(w, v)``. :func:`rmsprop_full_step` adds the centered and momentum variants.
    """
    v = alpha * v + (1.0 - alpha) * g * g
    return w - lr * g / (np.sqrt(v) + eps), v


@step_function()
def rmsprop_full_step(w, v, gbar, b, g, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, centered=False):
    r"""RMSprop with PyTorch's ``centered`` and ``momentum`` options.

    .. code-block:: text

        v    <- alpha * v + (1 - alpha) * g**2
        gbar <- alpha * gbar + (1 - alpha) * g            # only if centered
        d    <- sqrt(v - gbar**2) + eps  if centered  else  sqrt(v) + eps
        b    <- momentum * b + g / d                      # only if momentum > 0
        w    <- w - lr * b     if momentum > 0  else  w - lr * g / d

    Centering divides by an estimate of the gradient's standard deviation instead of
    its root mean square. ``lr`` stays outside the momentum buffer (as in PyTorch;
    Keras and optax put it inside). Returns ``(w, v, gbar, b)``; unused state is
    returned unchanged.
    """
    v = alpha * v + (1.0 - alpha) * g * g
    if centered:
        gbar = alpha * gbar + (1.0 - alpha) * g
        denom = np.sqrt(v - gbar * gbar) + eps
    else:
        denom = np.sqrt(v) + eps
    if momentum > 0:
        b = momentum * b + g / denom
        return w - lr * b, v, gbar, b
    return w - lr * g / denom, v, gbar, b


@step_function()
def adam_step(w, m, v, g, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    r"""Adam (自适应矩估计, adaptive moment estimation), as ``torch.optim.Adam``.

    .. code-block:: text

        m     <- beta1 * m + (1 - beta1) * g              # first moment
        v     <- beta2 * v + (1 - beta2) * g**2           # second moment
        m_hat =  m / (1 - beta1**t)                       # bias correction
        v_hat =  v / (1 - beta2**t)
        w     <- w - lr * m_hat / (sqrt(v_hat) + eps)     # eps added to sqrt(v_hat)

    ``bias_correction=False`` skips the two divisions (for teaching). The first step from
    zero state then moves each coordinate by about ``lr * (1 - beta1) / sqrt(1 - beta2)``
    instead of ``lr``: about 3.2 * lr with the defaults (too large, because ``v`` is the
    more biased of the two), but 0.32 * lr with ``beta1 = beta2 = 0.9`` (too small).
    Returns ``(w, m, v)``.
    """
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    if bias_correction:
        m_hat = m / (1.0 - beta1**t)
        v_hat = v / (1.0 - beta2**t)
    else:
        m_hat, v_hat = m, v
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@step_function()
def amsgrad_step(w, m, v, v_max, g, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""AMSGrad, as ``torch.optim.Adam(amsgrad=True)``.

    .. code-block:: text

        m     <- beta1 * m + (1 - beta1) * g
        v     <- beta2 * v + (1 - beta2) * g**2
        v_max <- max(v_max, v)                                   # max of the raw v
        w     <- w - lr / (1 - beta1**t) * m / (sqrt(v_max / (1 - beta2**t)) + eps)

    The running maximum keeps the effective rate from growing again after a burst of
    large gradients. (optax takes the maximum of the bias-corrected ``v`` instead, which
    gives other numbers.) Returns ``(w, m, v, v_max)``.
    """
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    v_max = np.maximum(v_max, v)
    m_hat = m / (1.0 - beta1**t)
    return w - lr * m_hat / (np.sqrt(v_max / (1.0 - beta2**t)) + eps), m, v, v_max


@step_function()
def adamax_step(w, m, u, g, t, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""AdaMax, Adam with the infinity norm, as ``torch.optim.Adamax``.

    .. code-block:: text

        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)                   # eps inside the max
        w <- w - lr / (1 - beta1**t) * m / u

    ``u`` needs no bias correction: a maximum is not pulled towards its zero start.
    Returns ``(w, m, u)``.
    """
    m = beta1 * m + (1.0 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g) + eps)
    return w - lr / (1.0 - beta1**t) * m / u, m, u


@step_function(scalar_state=("mu_prod",))
def nadam_step(w, m, v, mu_prod, g, t, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8, momentum_decay=0.004):
    r"""Nadam (Nesterov-accelerated Adam), as ``torch.optim.NAdam`` (Dozat, 2016).

    .. code-block:: text

        mu_t     = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))
        mu_next  = beta1 * (1 - 0.5 * 0.96**((t + 1) * momentum_decay))
        mu_prod  <- mu_prod * mu_t                          # starts at 1
        m        <- beta1 * m + (1 - beta1) * g
        v        <- beta2 * v + (1 - beta2) * g**2
        d        =  sqrt(v / (1 - beta2**t)) + eps
        w        <- w - lr * (1 - mu_t) / (1 - mu_prod) * g / d
                      - lr * mu_next / (1 - mu_prod * mu_next) * m / d

    The second term applies the *next* step's momentum now: Nesterov's look-ahead.
    ``mu_prod`` is a scalar that starts at 1. Returns ``(w, m, v, mu_prod)``.
    """
    mu_t = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    mu_prod = mu_prod * mu_t
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    denom = np.sqrt(v / (1.0 - beta2**t)) + eps
    w = w - lr * (1.0 - mu_t) / (1.0 - mu_prod) * g / denom
    w = w - lr * mu_next / (1.0 - mu_prod * mu_next) * m / denom
    return w, m, v, mu_prod


@step_function()
def adamw_step(w, m, v, g, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    r"""AdamW, Adam with decoupled weight decay (解耦权重衰减), as ``torch.optim.AdamW``.

    .. code-block:: text

        w     <- w * (1 - lr * weight_decay)              # decay first, outside the moments
        m     <- beta1 * m + (1 - beta1) * g
        v     <- beta2 * v + (1 - beta2) * g**2
        w     <- w - lr * m_hat / (sqrt(v_hat) + eps)     # m_hat, v_hat as in Adam

    Adding ``weight_decay * w`` to ``g`` instead (L2 regularisation) would send the
    decay through ``v`` and shrink it for coordinates with large gradients; AdamW
    decays every weight at the same rate. Returns ``(w, m, v)``.
    """
    w = w * (1.0 - lr * weight_decay)
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@step_function()
def radam_step(w, m, v, g, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""RAdam, rectified Adam (Liu et al., 2020), as ``torch.optim.RAdam``.

    .. code-block:: text

        m       <- beta1 * m + (1 - beta1) * g
        v       <- beta2 * v + (1 - beta2) * g**2
        m_hat   =  m / (1 - beta1**t)
        rho_inf =  2 / (1 - beta2) - 1
        rho_t   =  rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        if rho_t > 5:   # the variance of the adaptive rate is tractable
            r = sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))
            w <- w - lr * m_hat * r * sqrt(1 - beta2**t) / (sqrt(v) + eps)   # eps on the raw sqrt(v)
        else:           # too few steps: plain momentum
            w <- w - lr * m_hat

    Returns ``(w, m, v)``.
    """
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    bc2 = 1.0 - beta2**t
    m_hat = m / (1.0 - beta1**t)
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho_inf - 2.0 * t * beta2**t / bc2
    if rho_t > 5.0:
        r = math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
        return w - lr * m_hat * r * math.sqrt(bc2) / (np.sqrt(v) + eps), m, v
    return w - lr * m_hat, m, v


# ---------------------------------------------------------------------------
# Second order
# ---------------------------------------------------------------------------

@step_function()
def newton_step(w, g, H, lr=1.0, damping=0.0):
    r"""Newton's method (牛顿法), damped.

    .. code-block:: text

        w <- w - lr * (H + damping * I)^{-1} g

    ``H`` is the Hessian at ``w``, an ``(n, n)`` array with ``n = w.size`` (the
    parameters are flattened in C order). ``lr = 1, damping = 0`` is the pure Newton
    step, which lands on the minimum of a quadratic in one step; ``lr < 1`` (damped
    Newton) or ``damping > 0`` (Levenberg-Marquardt style) make it safer far from a
    minimum or where ``H`` is not positive definite. Returns the new ``w``.
    """
    n = w.size
    H = V.as_float_array(H, "H (the Hessian)")
    if H.shape != (n, n) and not (n == 1 and H.size == 1):
        raise ValueError(f"H (the Hessian) must have shape ({n}, {n}) for w of shape {w.shape}, got {H.shape}")
    V.check_finite(H, "H (the Hessian)")
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
