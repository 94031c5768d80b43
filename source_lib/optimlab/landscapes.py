r"""Loss landscapes (损失曲面): small analytic test functions to watch optimizers on.

Each :class:`Landscape` has its loss, gradient and Hessian in closed form, all
vectorised over a leading coordinate axis:

* ``loss(w)``: ``w`` of shape ``(d,)`` gives a float; ``w`` of shape ``(d, *grid)``
  gives an array of shape ``grid``, so ``q.loss(np.stack([X, Y]))`` evaluates a
  whole ``meshgrid`` at once for a contour plot;
* ``grad(w)``: the same shape as ``w``;
* ``hessian(w)``: ``(d, d)`` for one point, ``(d, d, *grid)`` for a grid.

A 1-D landscape (``"parabola"``) also accepts a plain number for ``w``.

=====================  ========================================================  =====================
name                   loss                                                      minima
=====================  ========================================================  =====================
``parabola``           :math:`x^2` (1-D; start 5, the source articles' example)  0 at x = 0
``ill_conditioned``    :math:`0.1 x^2 + 2 y^2` (condition number 20)             0 at (0, 0)
``rotated_quadratic``  the same eigenvalues, eigenvectors turned by 45 degrees   0 at (0, 0)
``rosenbrock``         :math:`(1 - x)^2 + 100 (y - x^2)^2`                       0 at (1, 1)
``beale``              three squared terms, a flat plateau and steep walls       0 at (3, 0.5)
``himmelblau``         :math:`(x^2 + y - 11)^2 + (x + y^2 - 7)^2`                 0 at four points
``saddle``             :math:`x^2 - y^2`: a saddle point (鞍点), no minimum       none (saddle at 0)
``sparse_features``    a frequent and a rare feature: AdaGrad's home ground      0 at (1, 1)
=====================  ========================================================  =====================

Quadratics (``q.is_quadratic``) are written :math:`f(w) = \tfrac12 (w - c)^\top A (w - c)`;
their Hessian (黑塞矩阵) is the constant matrix ``A``. They expose ``A``,
``hessian_eigenvalues`` (ascending, the curvatures), ``lam_max`` (the largest,
:math:`\lambda_{\max}`, also the smoothness constant), ``lam_min`` (the smallest,
:math:`\lambda_{\min}`) and ``kappa = lam_max / lam_min``, the condition number
(also called ``condition_number``).

>>> import numpy as np
>>> q = get_landscape("ill_conditioned")
>>> q.loss([1.0, 1.0]), q.grad([1.0, 1.0])
(2.1, array([0.2, 4. ]))
>>> q.lam_max, q.lam_min, q.kappa
(4.0, 0.2, 20.0)
>>> X, Y = np.meshgrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 4))
>>> q.loss(np.stack([X, Y])).shape
(4, 3)
"""
from __future__ import annotations

import inspect
import math
import warnings
from typing import Callable

import numpy as np

from . import validation as V

__all__ = ["Landscape", "LANDSCAPES", "get_landscape", "landscape_names", "sparse_features_dataset"]


def _pack(items, grid_shape):
    """Stack per-coordinate results (floats or arrays, possibly constants) into one array.

    Constants (e.g. a quadratic's Hessian entries) are broadcast to ``grid_shape`` so a
    grid evaluation always has shape ``(d, *grid)`` or ``(d, d, *grid)``.
    """
    if not grid_shape:
        return np.array(items, dtype=np.float64)
    if isinstance(items[0], tuple):  # a matrix: rows of entries
        return np.stack([_pack(row, grid_shape) for row in items])
    return np.stack([np.broadcast_to(np.asarray(v, dtype=np.float64), grid_shape) for v in items])


class Landscape:
    r"""A loss surface with analytic loss, gradient and Hessian.

    Parameters
    ----------
    name, title, chinese : str
        Registry name, English title, Chinese name.
    formula : str
        LaTeX of the loss.
    dim : int
        Number of coordinates ``d`` (1 or 2).
    f, g, h : callables
        The loss, its gradient and Hessian written in the coordinates: ``f(x, y)``,
        ``g(x, y) -> (gx, gy)``, ``h(x, y) -> ((hxx, hxy), (hxy, hyy))`` (one argument
        for a 1-D landscape). They receive Python floats for one point and arrays for
        a grid, so they must use only ``+ - *`` (no ``**``: Python floats raise on overflow).
    minima : array (k, d)
        The minima the course shows, all with the loss ``minimum_value``; empty
        ``(0, d)`` when there is none.
    saddle_points : array (k, d)
        Critical points that are not minima and that the course shows (the saddle).
    xlim, ylim : (float, float)
        A plotting window. For a 1-D landscape ``ylim`` is the range of the loss axis.
    start : array (d,)
        A default start that makes an instructive picture.
    A, center : arrays, optional
        For quadratics :math:`\tfrac12 (w - c)^\top A (w - c)`: the (constant) Hessian and ``c``.
    bounded_below : bool
        False when the loss goes to minus infinity (the saddle): runs that escape diverge.
    description : str
        What the landscape teaches.
    """

    def __init__(self, name: str, title: str, chinese: str, formula: str, dim: int,
                 f: Callable, g: Callable, h: Callable, *, minima, xlim, ylim, start,
                 minimum_value: float | None = 0.0, saddle_points=None, A=None, center=None,
                 bounded_below: bool = True, description: str = ""):
        self.name = name
        self.title = title
        self.chinese = chinese
        self.formula = formula
        self.dim = int(dim)
        self._f, self._g, self._h = f, g, h
        self._minima = np.array(minima, dtype=np.float64).reshape(-1, self.dim)
        self._saddle_points = np.array(saddle_points if saddle_points is not None else [],
                                       dtype=np.float64).reshape(-1, self.dim)
        self.minimum_value = minimum_value
        self.xlim = tuple(float(v) for v in xlim)
        self.ylim = tuple(float(v) for v in ylim)
        self._start = np.array(start, dtype=np.float64).reshape(self.dim)
        self._A = None if A is None else np.array(A, dtype=np.float64).reshape(self.dim, self.dim)
        self._center = None if center is None else np.array(center, dtype=np.float64).reshape(self.dim)
        self.bounded_below = bool(bounded_below)
        self.description = description

    # -- read-only data (copies, so a learner's in-place update cannot change the landscape) --
    @property
    def minima(self) -> np.ndarray:
        """Minima as rows, shape ``(k, d)`` (``(0, d)`` for the saddle)."""
        return self._minima.copy()

    @property
    def saddle_points(self) -> np.ndarray:
        """Saddle points the course points at, shape ``(k, d)`` (empty for most landscapes)."""
        return self._saddle_points.copy()

    @property
    def start(self) -> np.ndarray:
        """The default start point, shape ``(d,)``."""
        return self._start.copy()

    @property
    def is_quadratic(self) -> bool:
        return self._A is not None

    @property
    def A(self) -> np.ndarray | None:
        """The constant Hessian of a quadratic (``None`` otherwise)."""
        return None if self._A is None else self._A.copy()

    @property
    def center(self) -> np.ndarray | None:
        """The critical point ``c`` of a quadratic (``None`` otherwise)."""
        return None if self._center is None else self._center.copy()

    @property
    def hessian_eigenvalues(self) -> np.ndarray | None:
        """Eigenvalues of a quadratic's Hessian, ascending (``None`` if not quadratic)."""
        return None if self._A is None else np.linalg.eigvalsh(self._A)

    @property
    def lam_max(self) -> float | None:
        """Largest Hessian eigenvalue :math:`\\lambda_{\\max}` of a quadratic: GD is stable exactly when
        ``lr < 2 / lam_max`` (it is also the Lipschitz constant of the gradient)."""
        return None if self._A is None else float(np.linalg.eigvalsh(self._A)[-1])

    @property
    def lam_min(self) -> float | None:
        """Smallest Hessian eigenvalue :math:`\\lambda_{\\min}` of a quadratic (negative for the saddle)."""
        return None if self._A is None else float(np.linalg.eigvalsh(self._A)[0])

    @property
    def kappa(self) -> float | None:
        """Condition number ``lam_max / lam_min`` of a positive-definite quadratic, ``inf`` when
        ``lam_min <= 0``, ``None`` when the landscape is not quadratic."""
        if self._A is None:
            return None
        ev = np.linalg.eigvalsh(self._A)
        return float(ev[-1] / ev[0]) if ev[0] > 0 else math.inf

    #: Another name for :attr:`kappa`.
    condition_number = kappa

    # Old names (before the course notation reserved L for the loss and mu for momentum).
    # They warn and will be removed; use lam_max / lam_min.
    @property
    def L(self) -> float | None:
        """Deprecated: use :attr:`lam_max` (L is the loss in the course notation)."""
        warnings.warn("Landscape.L is renamed lam_max (in the course notation L is the loss)",
                      DeprecationWarning, stacklevel=2)
        return self.lam_max

    @property
    def mu(self) -> float | None:
        """Deprecated: use :attr:`lam_min` (mu is a momentum coefficient in the course notation)."""
        warnings.warn("Landscape.mu is renamed lam_min (in the course notation mu is the momentum "
                      "coefficient)", DeprecationWarning, stacklevel=2)
        return self.lam_min

    def __repr__(self):
        return f"Landscape({self.name!r}: {self.title}, d={self.dim})"

    # -- the checked, public evaluation ------------------------------------------------------
    def _as_w(self, w, name: str = "w"):
        arr = V.as_float_array(w, name)
        scalar = arr.ndim == 0
        if scalar and self.dim == 1:
            arr = arr.reshape(1)
        if arr.ndim == 0 or arr.shape[0] != self.dim:
            hint = ""
            if arr.ndim == 2 and arr.shape[-1] == self.dim:
                hint = f"; points stored as rows, shape (n, {self.dim}), must be passed transposed: {name}.T"
            raise ValueError(
                f"{name} must have shape ({self.dim},) for one point or ({self.dim}, *grid) for a grid "
                f"(e.g. np.stack([X, Y])) on the {self.dim}-D landscape {self.name!r}; got shape "
                f"{arr.shape}{hint}"
            )
        return arr, scalar

    def loss(self, w):
        """The loss at ``w``: a float for one point ``(d,)``, an array of shape ``grid`` for ``(d, *grid)``."""
        w, _ = self._as_w(w)
        out = self._loss_raw(w)
        return float(out) if w.ndim == 1 else out

    __call__ = loss

    def grad(self, w) -> np.ndarray:
        """The gradient at ``w``, the same shape as ``w``."""
        w, scalar = self._as_w(w)
        out = self._grad_raw(w)
        return out.reshape(()) if scalar else out

    def hessian(self, w) -> np.ndarray:
        """The Hessian at ``w``: shape ``(d, d)`` for one point, ``(d, d, *grid)`` for a grid."""
        w, _ = self._as_w(w)
        return self._hess_raw(w)

    # -- unchecked evaluation for runners (w is a float64 array of shape (d,) or (d, *grid)) --
    def _loss_raw(self, w):
        if w.ndim == 1:
            return np.float64(self._f(*w.tolist()))
        return np.asarray(self._f(*w), dtype=np.float64)

    def _grad_raw(self, w):
        # Python floats are ~2x faster than numpy scalars for one 2-D point (the runner's hot loop).
        if w.ndim == 1:
            return np.array(self._g(*w.tolist()), dtype=np.float64)
        return _pack(self._g(*w), w.shape[1:])

    def _hess_raw(self, w):
        if w.ndim == 1:
            return np.array(self._h(*w.tolist()), dtype=np.float64)
        return _pack(self._h(*w), w.shape[1:])

    # -- plotting helpers ---------------------------------------------------------------------
    def mesh(self, n: int = 201):
        """Grid over the plotting window: ``(X, Y, Z)`` for 2-D, ``(x, f(x))`` for 1-D."""
        n = V.check_int(n, "n", minimum=2)
        x = np.linspace(*self.xlim, n)
        if self.dim == 1:
            return x, self._loss_raw(x[None, :])
        X, Y = np.meshgrid(x, np.linspace(*self.ylim, n))
        return X, Y, self._loss_raw(np.stack([X, Y]))

    def contour_levels(self, n: int = 20) -> np.ndarray:
        """``n`` increasing contour levels for the window: log-spaced above the minimum
        (valleys like Rosenbrock's are invisible with linear levels), linear for the saddle."""
        n = V.check_int(n, "n", minimum=2)
        if self.dim != 1:
            Z = self.mesh(121)[2]
        else:
            Z = self.mesh(121)[1]
        if not self.bounded_below or self.minimum_value is None:
            return np.linspace(Z.min(), Z.max(), n)
        span = Z - self.minimum_value
        top = float(span.max())
        low = max(float(np.percentile(span, 0.5)), top * 1e-6)
        return self.minimum_value + np.geomspace(low, top, n)


# ---------------------------------------------------------------------------
# Quadratics: f(w) = 1/2 (w - c)^T A (w - c)
# ---------------------------------------------------------------------------

def _quadratic_2d(A, c):
    (a, b), (_, e) = A
    c0, c1 = c

    def g(x, y):
        dx, dy = x - c0, y - c1
        return (a * dx + b * dy, b * dx + e * dy)

    def f(x, y):
        dx, dy = x - c0, y - c1
        return 0.5 * (dx * (a * dx + b * dy) + dy * (b * dx + e * dy))

    def h(x, y):
        return ((a, b), (b, e))

    return f, g, h


def _parabola():
    # f(x) = x^2 = 1/2 * 2 * x^2: GD's step is x <- (1 - 2 lr) x, i.e. x_t = 5 * 0.8**t for lr = 0.1.
    return Landscape(
        "parabola", "Parabola", "抛物线", r"f(x) = x^2", 1,
        lambda x: x * x, lambda x: (2.0 * x,), lambda x: ((2.0,),),
        minima=[[0.0]], xlim=(-6.0, 6.0), ylim=(0.0, 36.0), start=[5.0], A=[[2.0]], center=[0.0],
        description="The source articles' first example: f(x) = x^2 from x = 5. GD with lr multiplies "
                    "x by (1 - 2 lr) each step: it converges for 0 < lr < 1 (= 2/lam_max with lam_max = 2), "
                    "oscillates in sign for 0.5 < lr < 1 and diverges for lr > 1.",
    )


_ILL_A = ((0.2, 0.0), (0.0, 4.0))
_ILL_START = (-4.5, 1.5)


def _ill_conditioned():
    f, g, h = _quadratic_2d(_ILL_A, (0.0, 0.0))
    return Landscape(
        "ill_conditioned", "Ill-conditioned quadratic", "病态二次函数", r"f(x, y) = 0.1\,x^2 + 2\,y^2", 2,
        f, g, h, minima=[[0.0, 0.0]], xlim=(-5.0, 5.0), ylim=(-3.0, 3.0), start=_ILL_START,
        A=_ILL_A, center=(0.0, 0.0),
        description="Hessian diag(0.2, 4): condition number lam_max/lam_min = 20. A learning rate small "
                    "enough for the steep y direction (lr < 2/lam_max = 0.5) crawls along the flat x direction; GD "
                    "zigzags across the valley. Momentum and per-coordinate rates help.",
    )


def _rotation(degrees):
    t = math.radians(degrees)
    return np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])


def _rotated_quadratic():
    # A = R diag(0.2, 4) R^T with R the rotation by 45 degrees: [[2.1, -1.9], [-1.9, 2.1]]
    # (written out exactly, so the eigenvalues are 0.2 and 4 up to rounding).
    A = ((2.1, -1.9), (-1.9, 2.1))
    f, g, h = _quadratic_2d(A, (0.0, 0.0))
    start = _rotation(45.0) @ np.array(_ILL_START)  # the ill_conditioned start, turned the same way
    return Landscape(
        "rotated_quadratic", "Rotated ill-conditioned quadratic", "旋转的病态二次函数",
        r"f(x, y) = 1.05\,x^2 - 1.9\,xy + 1.05\,y^2", 2, f, g, h,
        minima=[[0.0, 0.0]], xlim=(-5.0, 5.0), ylim=(-5.0, 5.0), start=start, A=A, center=(0.0, 0.0),
        description="ill_conditioned turned by 45 degrees: the same eigenvalues 0.2 and 4, but the "
                    "valley runs along the diagonal (1, 1). GD and Newton do not care about the "
                    "rotation (same path, turned); per-coordinate methods (AdaGrad, RMSprop, Adam) "
                    "lose their advantage because no coordinate is the flat one.",
    )


def _sparse_features():
    f, g, h = _quadratic_2d(((1.0, 0.0), (0.0, 0.01)), (1.0, 1.0))
    return Landscape(
        "sparse_features", "Frequent and rare feature", "稀疏特征",
        r"f(x, y) = \tfrac12 (x - 1)^2 + \tfrac{0.01}{2} (y - 1)^2", 2, f, g, h,
        minima=[[1.0, 1.0]], xlim=(-2.5, 2.0), ylim=(-2.5, 2.0), start=(-2.0, -2.0),
        A=((1.0, 0.0), (0.0, 0.01)), center=(1.0, 1.0),
        description=inspect.cleandoc(sparse_features_dataset.__doc__),
    )


def sparse_features_dataset():
    r"""The dataset behind ``"sparse_features"``: returns ``(X, y)``, X of shape (200, 2), y of shape (200,).

    The full-batch MSE of a linear model with a frequent and a rare feature.

    Data (deterministic): N = 200 examples. Feature 1 is
    dense, +1 on even and -1 on odd examples; feature 2 is sparse (a rare word, a rare
    category), 1 on examples 0 and 1 only and 0 on the other 198. Targets y_i = x_i . w*
    with w* = (1, 1). Then

        f(w) = 1/(2N) sum_i (x_i . w - y_i)^2 = 1/2 (w - w*)^T C (w - w*),
        C = 1/N sum_i x_i x_i^T = diag(1, 2/200) = diag(1, 0.01)

    (the cross term is 0: the rare feature meets +1 once and -1 once). The frequent
    coordinate's gradient is x - 1, the rare one's 0.01 (y - 1), 100 times smaller.

    GD with one shared lr is stable only for lr < 2/lam_max = 2, set by the frequent coordinate;
    the rare coordinate then shrinks by the factor (1 - 0.01 lr) per step, at most 2 % per
    step. AdaGrad divides each coordinate by the root of its own summed squared gradients,
    which removes the scale 0.01: from a start equally far from w* in both coordinates (the
    default start (-2, -2)) both coordinates move by the same fraction at every step (up to
    eps) and the path is the straight diagonal, while GD goes sideways first and then creeps
    up. Newton's method, which divides by the whole Hessian, lands on w* in one step.
    """
    n = 200
    X = np.zeros((n, 2))
    X[:, 0] = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    X[:2, 1] = 1.0
    y = X @ np.array([1.0, 1.0])
    return X, y


def _saddle():
    f, g, h = _quadratic_2d(((2.0, 0.0), (0.0, -2.0)), (0.0, 0.0))
    return Landscape(
        "saddle", "Saddle", "鞍点", r"f(x, y) = x^2 - y^2", 2, f, g, h,
        minima=np.zeros((0, 2)), saddle_points=[[0.0, 0.0]], minimum_value=None,
        xlim=(-2.5, 2.5), ylim=(-2.5, 2.5), start=(-2.0, 0.01),
        A=((2.0, 0.0), (0.0, -2.0)), center=(0.0, 0.0), bounded_below=False,
        description="A saddle point at (0, 0): the gradient is zero there, yet it is a minimum along x "
                    "and a maximum along y. From (-2, 0.01) GD first slides towards the saddle "
                    "(x is multiplied by 1 - 2 lr per step) while the tiny y is multiplied by 1 + 2 lr, "
                    "and then escapes along y. The loss has no lower bound, so every escaping run diverges. "
                    "Newton's step jumps straight onto the saddle: it seeks critical points, not minima.",
    )


# ---------------------------------------------------------------------------
# Non-quadratic test functions
# ---------------------------------------------------------------------------

def _rosenbrock(a=1.0, b=100.0):
    def f(x, y):
        r = y - x * x
        return (a - x) * (a - x) + b * r * r

    def g(x, y):
        r = y - x * x
        return (-2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r)

    def h(x, y):
        hxy = -4.0 * b * x
        return ((2.0 - 4.0 * b * y + 12.0 * b * x * x, hxy), (hxy, 2.0 * b))

    return Landscape(
        "rosenbrock", "Rosenbrock function", "Rosenbrock 函数（香蕉函数）",
        r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2", 2, f, g, h,
        minima=[[a, a * a]], xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), start=(-1.2, 1.0),
        description="A narrow curved valley along y = x^2 (Rosenbrock, 1960, with a = 1, b = 100; start "
                    "(-1.2, 1) is his). Reaching the valley is easy, following it to (1, 1) is slow: at the "
                    "minimum the Hessian's eigenvalues are 1001.6 (across the valley) and 0.40 (along "
                    "it), a condition number of about 2500.",
    )


def _beale():
    # t_k = c_k - x + x y^k for k = 1, 2, 3 and f = sum t_k^2.
    def terms(x, y):
        y2 = y * y
        y3 = y2 * y
        return 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3, y2, y3

    def f(x, y):
        t1, t2, t3, _, _ = terms(x, y)
        return t1 * t1 + t2 * t2 + t3 * t3

    def g(x, y):
        t1, t2, t3, y2, y3 = terms(x, y)
        gx = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0))
        gy = 2.0 * x * (t1 + 2.0 * t2 * y + 3.0 * t3 * y2)
        return gx, gy

    def h(x, y):
        # H = 2 sum_k (grad t_k grad t_k^T + t_k hess t_k)
        t1, t2, t3, y2, y3 = terms(x, y)
        a1, a2, a3 = y - 1.0, y2 - 1.0, y3 - 1.0          # d t_k / dx
        b1, b2, b3 = x, 2.0 * x * y, 3.0 * x * y2          # d t_k / dy
        hxx = 2.0 * (a1 * a1 + a2 * a2 + a3 * a3)
        hxy = 2.0 * (a1 * b1 + a2 * b2 + a3 * b3 + t1 + 2.0 * y * t2 + 3.0 * y2 * t3)
        hyy = 2.0 * (b1 * b1 + b2 * b2 + b3 * b3 + 2.0 * x * t2 + 6.0 * x * y * t3)
        return ((hxx, hxy), (hxy, hyy))

    return Landscape(
        "beale", "Beale function", "Beale 函数",
        r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2", 2, f, g, h,
        minima=[[3.0, 0.5]], saddle_points=[[0.0, 1.0]], xlim=(-1.0, 4.5), ylim=(-1.5, 2.0),
        start=(1.0, 1.4),
        description="A wide flat region around x = 0 and walls that grow like (x y^3)^2: gradients differ "
                    "by orders of magnitude across the window, so one fixed learning rate is either too "
                    "slow on the plateau or unstable on the walls; adaptive methods cope better. (0, 1) is a "
                    "saddle point, where Newton's method goes from the default start.",
    )


_HIMMELBLAU_MINIMA = [
    [3.0, 2.0],
    [-2.805118086952745, 3.131312518250573],
    [-3.779310253377747, -3.283185991286169],
    [3.5844283403304917, -1.8481265269644034],
]


def _himmelblau():
    def f(x, y):
        a = x * x + y - 11.0
        b = x + y * y - 7.0
        return a * a + b * b

    def g(x, y):
        a = x * x + y - 11.0
        b = x + y * y - 7.0
        return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b

    def h(x, y):
        hxy = 4.0 * (x + y)
        return ((12.0 * x * x + 4.0 * y - 42.0, hxy), (hxy, 12.0 * y * y + 4.0 * x - 26.0))

    return Landscape(
        "himmelblau", "Himmelblau function", "Himmelblau 函数",
        r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2", 2, f, g, h,
        minima=_HIMMELBLAU_MINIMA, xlim=(-5.0, 5.0), ylim=(-5.0, 5.0), start=(-0.3, -0.9),
        description="Four minima, all with loss 0 (the non-integer ones found by Newton's method to "
                    "machine precision), and a local maximum near (-0.27, -0.92). The default start sits "
                    "just beside that maximum: with usual learning rates GD rolls to (-3.78, -3.28), the "
                    "sign-like first steps of Adam, RMSprop and AdaGrad take them to (-2.81, 3.13), and Newton's method climbs onto the "
                    "maximum (it seeks points where the gradient vanishes).",
    )


# The order here is the course's order (simple to hard); widgets list them this way.
LANDSCAPES: dict[str, Landscape] = {
    q.name: q
    for q in (_parabola(), _ill_conditioned(), _rotated_quadratic(), _rosenbrock(), _beale(),
              _himmelblau(), _saddle(), _sparse_features())
}


def landscape_names() -> list[str]:
    return list(LANDSCAPES)


def get_landscape(name) -> Landscape:
    """The landscape called ``name`` (a :class:`Landscape` is returned as it is).

    Unknown names raise a ``ValueError`` listing the known ones.
    """
    if isinstance(name, Landscape):
        return name
    if not isinstance(name, str):
        raise TypeError(f"landscape must be a name or a Landscape, got {name!r} of type {type(name).__name__}")
    try:
        return LANDSCAPES[name]
    except KeyError:
        key = name.strip().lower().replace("-", "_").replace(" ", "_")
        hint = f" (did you mean {key!r}?)" if key in LANDSCAPES else ""
        raise ValueError(f"unknown landscape {name!r}{hint}; known landscapes: {', '.join(LANDSCAPES)}") from None
