r"""Seed 004's one frame for adaptive methods: ``w_t = w_{t-1} - lr * m_t / sqrt(V_t)``.

Every method below is a choice of a first moment (一阶矩) ``m_t`` and a second moment (二阶矩)
``V_t``, with ``eps`` where the method puts it. The table, in the course notation (squares,
roots and divisions elementwise; ``t = 1, 2, ...``):

.. code-block:: text

    method     first moment m_t                       second moment V_t                          step
    sgd        g_t                                    1                                          lr * m_t
    sgdm       beta1 * m_{t-1} + (1 - beta1) * g_t    1                                          lr * m_t
    adagrad    g_t                                    V_{t-1} + g_t**2                           lr * m_t / (sqrt(V_t) + eps)
    rmsprop    g_t                                    beta2 * V_{t-1} + (1 - beta2) * g_t**2     lr * m_t / (sqrt(V_t) + eps)
    adam       beta1 * m_{t-1} + (1 - beta1) * g_t    beta2 * V_{t-1} + (1 - beta2) * g_t**2     lr * m_hat_t / (sqrt(V_hat_t) + eps)
               m_hat_t = m_t / (1 - beta1**t)         V_hat_t = V_t / (1 - beta2**t)

SGD and SGDM have ``V_t = 1`` and no ``eps`` (their denominator is exactly 1). SGDM is the
EMA form of momentum, :func:`optimlab.momentum_step` with ``beta = beta1``; RMSprop's
``alpha`` (Keras's ``rho``) plays the role of ``beta2``. The bias correction of Adam
changes the step only: the state carried to the next step is the raw ``m_t`` and ``V_t``.

:func:`frame_step` computes one step from the two rules :func:`first_moment` and
:func:`second_moment`; ``tests/test_frame.py`` checks that it reproduces ``gd_step``,
``momentum_step``, ``adagrad_step``, ``rmsprop_step`` and ``adam_step`` to 1e-12.
"""
from __future__ import annotations

import numpy as np

__all__ = ["FRAME", "METHODS", "REGISTRY_NAME", "first_moment", "second_moment", "frame_step"]

METHODS = ("sgd", "sgdm", "adagrad", "rmsprop", "adam")

#: The registry name of the library's step function for each method of the frame.
REGISTRY_NAME = {"sgd": "gd", "sgdm": "momentum", "adagrad": "adagrad", "rmsprop": "rmsprop", "adam": "adam"}

#: method -> (first moment m_t, second moment V_t, step), as in the table above.
FRAME = {
    "sgd": ("g_t", "1", "lr * m_t"),
    "sgdm": ("beta1 * m_{t-1} + (1 - beta1) * g_t", "1", "lr * m_t"),
    "adagrad": ("g_t", "V_{t-1} + g_t**2", "lr * m_t / (sqrt(V_t) + eps)"),
    "rmsprop": ("g_t", "beta2 * V_{t-1} + (1 - beta2) * g_t**2", "lr * m_t / (sqrt(V_t) + eps)"),
    "adam": ("beta1 * m_{t-1} + (1 - beta1) * g_t", "beta2 * V_{t-1} + (1 - beta2) * g_t**2",
             "lr * m_hat_t / (sqrt(V_hat_t) + eps)"),
}


def _method(method) -> str:
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}, got {method!r}")
    return method


def first_moment(method, m, g, t, beta1):
    """The first-moment rule of ``method``: returns ``(m_t, the m the step uses)``.

    ``g_t`` for sgd, adagrad and rmsprop; the EMA ``beta1 * m + (1 - beta1) * g`` for sgdm and
    adam; adam's step uses the bias-corrected ``m_t / (1 - beta1**t)``.
    """
    method = _method(method)
    g = np.asarray(g, dtype=float)
    if method in ("sgd", "adagrad", "rmsprop"):
        return g, g
    m = beta1 * np.asarray(m, dtype=float) + (1.0 - beta1) * g
    return m, (m / (1.0 - beta1**t) if method == "adam" else m)


def second_moment(method, V, g, t, beta2):
    """The second-moment rule of ``method``: returns ``(V_t, the V the step uses)``.

    ``1`` for sgd and sgdm; the running sum ``V + g**2`` for adagrad; the EMA
    ``beta2 * V + (1 - beta2) * g**2`` for rmsprop and adam; adam's step uses the
    bias-corrected ``V_t / (1 - beta2**t)``.
    """
    method = _method(method)
    g = np.asarray(g, dtype=float)
    if method in ("sgd", "sgdm"):
        ones = np.ones_like(g)
        return ones, ones
    V = np.asarray(V, dtype=float)
    V = V + g * g if method == "adagrad" else beta2 * V + (1.0 - beta2) * g * g
    return V, (V / (1.0 - beta2**t) if method == "adam" else V)


def frame_step(w, m, V, g, t, lr, method, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""One step of ``method`` in the frame ``w_t = w_{t-1} - lr * m_t / sqrt(V_t)``.

    .. code-block:: text

        m_t, m_used = first_moment(method, m_{t-1}, g_t, t, beta1)
        V_t, V_used = second_moment(method, V_{t-1}, g_t, t, beta2)
        w_t = w_{t-1} - lr * m_used / (sqrt(V_used) + eps)     # eps only for adagrad, rmsprop, adam

    ``method`` is one of ``"sgd"``, ``"sgdm"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"`` (see
    :data:`FRAME`); ``t = 1, 2, ...`` is the step index. Returns ``(w_t, m_t, V_t)``, the raw
    moments (for sgd, adagrad and rmsprop ``m_t = g_t``; for sgd and sgdm ``V_t = 1``).
    """
    method = _method(method)
    w = np.asarray(w, dtype=float)
    m, m_used = first_moment(method, m, g, t, beta1)
    V, V_used = second_moment(method, V, g, t, beta2)
    denom = np.sqrt(V_used) + (0.0 if method in ("sgd", "sgdm") else eps)
    return w - lr * m_used / denom, m, V
