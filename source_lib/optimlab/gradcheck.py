r"""Check an analytic gradient against central differences (梯度检验).

.. code-block:: text

    numerical:       g_i ~ (f(w + h e_i) - f(w - h e_i)) / (2 h)          error O(h**2)
    relative error:  ||g_analytic - g_numerical|| / (||g_analytic|| + ||g_numerical||)

A correct gradient in float64 typically gives a relative error of 1e-10 to 1e-7. A
wrong factor or a missing term gives 1e-2 or more. Kinks (ReLU at exactly 0) can
spoil single coordinates.

>>> import numpy as np
>>> f = lambda w: float(np.sum(w ** 3))
>>> err = gradient_check(f, lambda w: 3 * w ** 2, np.array([1.0, -2.0]))
>>> bool(err < 1e-8)
True
"""
from __future__ import annotations

import numpy as np

from . import validation as V

__all__ = ["numerical_gradient", "numerical_hessian", "gradient_check", "GradCheckResult"]


def _scalar(value, what: str) -> float:
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "iuf":
        raise ValueError(f"{what} must return one real number (the loss), got {value!r}")
    return float(arr.reshape(()))


def numerical_gradient(f, w, h: float = 1e-5) -> np.ndarray:
    r"""Central-difference gradient of the scalar function ``f`` at ``w``.

    ``g[i] = (f(w + h e_i) - f(w - h e_i)) / (2 h)`` for every entry ``i`` of ``w``,
    where ``e_i`` is the unit vector of entry ``i``. ``w`` may have any shape; the
    result has the same shape. ``w`` itself is never modified: ``f`` sees perturbed copies.

    The truncation error is ``O(h**2)`` and the rounding error ``O(eps * |f| / h)``, so
    their sum is smallest near ``h = eps**(1/3)``, about ``6e-6`` in float64, so the default
    ``h = 1e-5`` (the value notebook 01 uses) suits functions of order 1. ``f`` is called ``2 * w.size`` times.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of w returning the loss, got {f!r}")
    w = V.as_float_array(w, "w")
    h = V.check_positive(h, "h")
    x = np.array(w, dtype=np.float64, copy=True)  # the copy we perturb; w stays untouched
    flat = x.reshape(-1)
    g = np.empty(flat.size)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = _scalar(f(x.copy()), "f")
        flat[i] = old - h
        f_minus = _scalar(f(x.copy()), "f")
        flat[i] = old
        g[i] = (f_plus - f_minus) / (2.0 * h)
    return g.reshape(w.shape)


def numerical_hessian(grad_f, w, h: float = 1e-5) -> np.ndarray:
    r"""Hessian by central differences of the gradient: column ``j`` is ``(grad_f(w + h e_j) - grad_f(w - h e_j)) / (2 h)``.

    ``w`` is flattened (C order): the result has shape ``(w.size, w.size)``. The result
    is symmetrised, ``(H + H^T) / 2``, as a true Hessian is.
    """
    if not callable(grad_f):
        raise TypeError(f"grad_f must be a function of w returning the gradient, got {grad_f!r}")
    w = V.as_float_array(w, "w")
    h = V.check_positive(h, "h")
    x = np.array(w, dtype=np.float64, copy=True)
    flat = x.reshape(-1)
    n = flat.size
    H = np.empty((n, n))
    for j in range(n):
        old = flat[j]
        flat[j] = old + h
        g_plus = np.asarray(grad_f(x.copy()), dtype=np.float64).reshape(-1)
        flat[j] = old - h
        g_minus = np.asarray(grad_f(x.copy()), dtype=np.float64).reshape(-1)
        flat[j] = old
        if g_plus.size != n:
            raise ValueError(f"grad_f must return an array with {n} entries (like w), got {g_plus.size}")
        H[:, j] = (g_plus - g_minus) / (2.0 * h)
    return 0.5 * (H + H.T)


class GradCheckResult(float):
    """The relative error (a float, so ``gradient_check(...) < 1e-6`` works) with the details.

    Attributes: ``relative_error``, ``analytic``, ``numerical`` (arrays shaped like
    ``w``), ``worst_index`` (index of the largest absolute difference),
    ``worst_analytic``, ``worst_numerical``, ``max_abs_error``. ``str(result)`` is a
    readable report.
    """

    def __new__(cls, relative_error, analytic, numerical):
        self = super().__new__(cls, relative_error)
        self.relative_error = float(relative_error)
        self.analytic = analytic
        self.numerical = numerical
        diff = np.abs(analytic - numerical)
        flat_i = int(np.argmax(diff)) if diff.size else 0
        self.worst_index = tuple(int(i) for i in np.unravel_index(flat_i, analytic.shape)) if diff.size else ()
        self.max_abs_error = float(diff.reshape(-1)[flat_i]) if diff.size else 0.0
        self.worst_analytic = float(analytic.reshape(-1)[flat_i]) if diff.size else 0.0
        self.worst_numerical = float(numerical.reshape(-1)[flat_i]) if diff.size else 0.0
        return self

    def report(self) -> str:
        idx = self.worst_index[0] if len(self.worst_index) == 1 else self.worst_index
        return (
            f"relative error {self.relative_error:.3e} "
            f"(||analytic - numerical|| / (||analytic|| + ||numerical||)); "
            f"worst coordinate w[{idx}]: analytic {self.worst_analytic:.10g}, "
            f"numerical {self.worst_numerical:.10g}, |difference| {self.max_abs_error:.3e}"
        )

    def __str__(self):
        return self.report()

    def __repr__(self):
        return f"GradCheckResult({self.report()})"


def gradient_check(f, grad_f, w, h: float = 1e-5) -> GradCheckResult:
    r"""Compare ``grad_f(w)`` with :func:`numerical_gradient` ``(f, w, h)``.

    Returns the relative error
    ``||a - n|| / (||a|| + ||n||)`` (``a`` analytic, ``n`` numerical; 0 when both are 0)
    as a :class:`GradCheckResult`: a float that also carries the two gradients and the
    coordinate where they differ most. ``print(result)`` shows the report.

    ``grad_f(w)`` must return an array with the shape of ``w``.
    """
    if not callable(grad_f):
        raise TypeError(f"grad_f must be a function of w returning the gradient, got {grad_f!r}")
    w = V.as_float_array(w, "w")
    analytic = V.as_float_array(grad_f(np.array(w, copy=True)), "grad_f(w)")
    if analytic.shape != w.shape:
        raise ValueError(
            f"grad_f(w) has shape {analytic.shape} but w has shape {w.shape}; a gradient has one "
            f"entry per parameter"
        )
    numerical = numerical_gradient(f, w, h)
    denom = np.linalg.norm(analytic) + np.linalg.norm(numerical)
    rel = 0.0 if denom == 0 else float(np.linalg.norm(analytic - numerical) / denom)
    return GradCheckResult(rel, analytic, numerical)
