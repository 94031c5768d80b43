r"""Models whose parameters are ONE flat float64 vector ``w``.

Every step function in :mod:`optimlab.optimizers` updates an array ``w`` with a
gradient ``g`` of the same shape. A model here therefore keeps all its parameters
(weights and biases of every layer) in one flat vector and documents its *layout*,
the order in which the parts sit in ``w``. :meth:`Model.unpack` turns ``w`` back
into readable parts.

Each model offers

* ``n_params`` (the length of ``w``), ``layout`` (a text description of the order);
* ``init_params(seed=0)``: deterministic initial parameters;
* ``predict(w, X)``; ``loss(w, X, y)`` (a float); ``grad(w, X, y)`` (the analytic
  gradient of the loss, which is *averaged* over the examples of the batch, so its
  scale does not depend on the batch size); ``loss_and_grad(w, X, y)`` (both from
  one forward pass);
* ``hessian(w, X, y)`` where it is cheap: exact for :class:`LinearRegression`,
  :class:`QuadraticModel` (their loss is quadratic in ``w``, so one Newton step lands on
  the minimum) and :class:`SoftmaxRegression`;
* ``unpack(w)``: a dict of named parts.

The examples are the rows of ``X``: ``X`` has shape ``(n, d)`` (a 1-D ``X`` of shape
``(n,)`` is one feature). Regression targets ``y`` have shape ``(n,)``. Class
labels ``y`` are integers ``0 .. k-1`` of shape ``(n,)``.

The activation functions and their derivatives are public functions:
:func:`sigmoid`, :func:`tanh`, :func:`relu`, :func:`gelu` (each with a ``*_grad``
derivative), and :func:`softmax`, :func:`log_softmax` and :func:`logsumexp`, which
are numerically stable for any logits.
"""
from __future__ import annotations

import math

import numpy as np

from . import validation as V

__all__ = [
    "Model",
    "LinearRegression",
    "QuadraticModel",
    "SoftmaxRegression",
    "MLP",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "gelu",
    "gelu_grad",
    "softmax",
    "softmax_jacobian",
    "log_softmax",
    "logsumexp",
    "cross_entropy",
    "accuracy",
    "ACTIVATIONS",
]


# ---------------------------------------------------------------------------
# Activation functions and their derivatives
# ---------------------------------------------------------------------------

def sigmoid(z):
    r"""Logistic sigmoid ``sigma(z) = 1 / (1 + exp(-z))``, elementwise.

    Computed from ``exp(-|z|)``, which never overflows: ``1 / (1 + e)`` for ``z >= 0``
    and ``e / (1 + e)`` for ``z < 0``, with ``e = exp(-|z|)``.
    """
    z = V.as_float_array(z, "z")
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    r"""Derivative of the sigmoid: ``sigma'(z) = sigma(z) * (1 - sigma(z))`` (at most 1/4, at z = 0)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    r"""Hyperbolic tangent ``tanh(z) = (e^z - e^-z) / (e^z + e^-z) = 2 sigma(2z) - 1``, elementwise."""
    return np.tanh(V.as_float_array(z, "z"))


def tanh_grad(z):
    r"""Derivative of tanh: ``tanh'(z) = 1 - tanh(z)**2`` (at most 1, at z = 0)."""
    t = np.tanh(V.as_float_array(z, "z"))
    return 1.0 - t * t


def relu(z):
    r"""Rectified linear unit ``relu(z) = max(z, 0)``, elementwise."""
    z = V.as_float_array(z, "z")
    return np.maximum(z, 0.0)


def relu_grad(z):
    r"""Derivative of ReLU: 1 where ``z > 0``, else 0.

    ReLU has no derivative at ``z = 0``; like PyTorch we use 0 there.
    """
    z = V.as_float_array(z, "z")
    return (z > 0).astype(np.float64)


# math.erf is exact to double precision; numpy has no erf and scipy is not a dependency.
_erf_object = np.frompyfunc(math.erf, 1, 1)
_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_C = 0.044715


def _erf(x: np.ndarray) -> np.ndarray:
    return np.asarray(_erf_object(x), dtype=np.float64).reshape(np.shape(x))


def _check_approximate(approximate: str) -> str:
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate must be 'none' (exact erf form) or 'tanh', got {approximate!r}")
    return approximate


def gelu(z, approximate: str = "none"):
    r"""Gaussian error linear unit (Hendrycks & Gimpel, 2016), elementwise.

    .. code-block:: text

        approximate="none":  gelu(z) = z * Phi(z) = 0.5 * z * (1 + erf(z / sqrt(2)))      (exact)
        approximate="tanh":  gelu(z) ~ 0.5 * z * (1 + tanh(sqrt(2/pi) * (z + 0.044715 z**3)))

    ``Phi`` is the standard normal CDF. The names of ``approximate`` are those of
    ``torch.nn.functional.gelu``. :class:`MLP` uses the exact erf form.
    """
    z = V.as_float_array(z, "z")
    if _check_approximate(approximate) == "tanh":
        return 0.5 * z * (1.0 + np.tanh(_SQRT_2_OVER_PI * (z + _GELU_C * z**3)))
    return 0.5 * z * (1.0 + _erf(z / _SQRT_2))


def gelu_grad(z, approximate: str = "none"):
    r"""Derivative of :func:`gelu`.

    .. code-block:: text

        approximate="none":  gelu'(z) = Phi(z) + z * phi(z),   phi(z) = exp(-z**2 / 2) / sqrt(2 pi)
        approximate="tanh":  with u = sqrt(2/pi) (z + 0.044715 z**3), T = tanh(u):
                             gelu'(z) = 0.5 (1 + T) + 0.5 z (1 - T**2) sqrt(2/pi) (1 + 3 * 0.044715 z**2)
    """
    z = V.as_float_array(z, "z")
    if _check_approximate(approximate) == "tanh":
        t = np.tanh(_SQRT_2_OVER_PI * (z + _GELU_C * z**3))
        return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_C * z * z)
    return 0.5 * (1.0 + _erf(z / _SQRT_2)) + z * _INV_SQRT_2PI * np.exp(-0.5 * z * z)


def logsumexp(z, axis=-1):
    r"""``log(sum(exp(z)))`` along ``axis``, computed as ``m + log(sum(exp(z - m)))`` with ``m = max(z)``.

    Subtracting the maximum keeps every ``exp`` in ``(0, 1]``, so logits such as 1000
    give the right answer instead of ``inf``.
    """
    z = V.as_float_array(z, "z")
    m = np.max(z, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    return np.squeeze(out, axis=axis)


def log_softmax(z, axis=-1):
    r"""``log softmax(z)_i = z_i - logsumexp(z) = (z_i - m) - log(sum_j exp(z_j - m))``, ``m = max_j z_j``.

    The shifted form is stable for large logits and keeps full precision:
    ``log_softmax([1000, 1000])`` is exactly ``[-log 2, -log 2]``.
    """
    z = V.as_float_array(z, "z")
    s = z - np.max(z, axis=axis, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


def softmax(z, axis=-1):
    r"""``softmax(z)_i = exp(z_i) / sum_j exp(z_j)`` along ``axis``.

    Computed as ``exp(z_i - m) / sum_j exp(z_j - m)`` with ``m = max_j z_j`` (the same
    value, since the factor ``exp(-m)`` cancels), so no ``exp`` overflows.
    """
    z = V.as_float_array(z, "z")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_jacobian(z):
    r"""Jacobian of softmax over the last axis: ``J[i, j] = d p_i / d z_j = p_i (delta_ij - p_j)``.

    ``z`` of shape ``(k,)`` gives ``(k, k)``; ``(n, k)`` gives ``(n, k, k)``.
    """
    p = softmax(z)
    return np.einsum("...i,ij->...ij", p, np.eye(p.shape[-1])) - p[..., :, None] * p[..., None, :]


def cross_entropy(logits, y):
    r"""Mean cross-entropy (交叉熵) of integer labels ``y`` under ``softmax(logits)``.

    ``L = -(1/n) sum_i log softmax(z_i)[y_i] = (1/n) sum_i (logsumexp(z_i) - z_i[y_i])``

    ``logits`` has shape ``(n, k)``. ``y`` holds ``n`` labels in ``0 .. k-1``.
    """
    Z = V.as_float_array(logits, "logits")
    if Z.ndim != 2:
        raise ValueError(f"logits must have shape (n, k), got shape {Z.shape}")
    labels = _check_labels(y, Z.shape[1], Z.shape[0], "y", "logits")
    return float(np.mean(logsumexp(Z) - Z[np.arange(Z.shape[0]), labels]))


def accuracy(y_true, y_pred):
    r"""Fraction of correct predictions, in ``[0, 1]``.

    ``y_pred`` holds either labels ``(n,)`` or class scores/probabilities ``(n, k)``;
    scores are turned into labels by ``argmax`` over the last axis.
    """
    yt = np.asarray(y_true)
    yp = np.asarray(y_pred)
    if yp.ndim == 2:
        yp = np.argmax(yp, axis=1)
    if yt.ndim != 1 or yp.shape != yt.shape:
        raise ValueError(
            f"y_true must have shape (n,) and y_pred shape (n,) or (n, k); got y_true {yt.shape}, "
            f"y_pred {np.shape(y_pred)}"
        )
    if yt.size == 0:
        raise ValueError("accuracy of an empty set is undefined: y_true has no entries")
    return float(np.mean(yt == yp))


# name -> (function, derivative); the MLP looks its activation up here.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "gelu": (gelu, gelu_grad),
}


# ---------------------------------------------------------------------------
# Argument checks shared by the models
# ---------------------------------------------------------------------------

def _check_labels(y, n_classes: int, n_rows: int, name: str = "y", x_name: str = "X") -> np.ndarray:
    arr = np.asarray(y)
    if arr.dtype == object or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold integer class labels 0..{n_classes - 1}, got dtype {arr.dtype}")
    if arr.ndim == 2 and arr.shape[0] == n_rows and arr.shape[1] > 1:
        raise ValueError(
            f"{name} has shape {arr.shape}, which looks like one-hot rows; pass the integer labels "
            f"instead, e.g. {name}.argmax(axis=1), of shape ({n_rows},)"
        )
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels of shape ({n_rows},), got shape {arr.shape}")
    if arr.shape[0] != n_rows:
        raise ValueError(
            f"{name} has {arr.shape[0]} labels but {x_name} has {n_rows} rows; each row (example) of "
            f"{x_name} needs exactly one label"
        )
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all() or np.any(arr != np.round(arr)):
            bad = arr[~np.isfinite(arr) | (arr != np.round(arr))][0]
            raise ValueError(f"{name} must hold integer class labels 0..{n_classes - 1}, found {bad}")
    labels = arr.astype(np.intp)
    out = (labels < 0) | (labels >= n_classes)
    if out.any():
        raise ValueError(
            f"{name} contains label {labels[out][0]}, outside 0..{n_classes - 1} "
            f"(the model has n_classes={n_classes})"
        )
    return labels



def _softmax_cross_entropy(Z, labels):
    """Mean cross-entropy of softmax(Z) against integer ``labels`` and its gradient with respect to Z.

    ``dL/dZ = (softmax(Z) - onehot(labels)) / n``; the max is subtracted first so that
    large logits cannot overflow. Shared by the softmax-regression and MLP output layers.
    """
    n = Z.shape[0]
    rows = np.arange(n)
    Zs = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(Zs)
    S = E.sum(axis=1)
    loss = np.mean(np.log(S) - Zs[rows, labels])
    dZ = E / S[:, None]
    dZ[rows, labels] -= 1.0
    dZ /= n
    return loss, dZ

class Model:
    """Common interface of the models: a flat parameter vector ``w`` and an averaged loss.

    Subclasses set ``n_params`` and ``layout`` and implement ``_prepare_X`` (the checked,
    2-D version of ``X``), ``_prepare_y``, ``_forward`` (predictions from prepared
    inputs) and ``_loss_grad`` (loss and gradient from prepared inputs).
    """

    n_params: int
    layout: str = ""
    is_classifier: bool = False

    # -- checks ---------------------------------------------------------------
    def _check_w(self, w) -> np.ndarray:
        w = V.as_float_array(w, "w")
        if w.shape != (self.n_params,):
            hint = ""
            if w.size == self.n_params:
                hint = " (it has the right number of entries: flatten it with w.ravel())"
            raise ValueError(
                f"w has shape {w.shape} but {self!r} needs a flat parameter vector of shape "
                f"({self.n_params},), laid out as {self.layout}{hint}"
            )
        return w

    def _prepare_X(self, X) -> np.ndarray:  # pragma: no cover - every model overrides it
        raise NotImplementedError

    def _prepare_y(self, y, n_rows: int) -> np.ndarray:
        arr = V.as_float_array(y, "y")
        if arr.ndim == 2 and arr.shape[1] == 1 and arr.shape[0] == n_rows:
            raise ValueError(
                f"y has shape {arr.shape}; use a 1-D array of shape ({n_rows},), e.g. y.ravel(), "
                f"so that predictions and targets do not broadcast to an ({n_rows}, {n_rows}) matrix"
            )
        if arr.ndim != 1:
            raise ValueError(f"y must be a 1-D array of targets of shape ({n_rows},), got shape {arr.shape}")
        if arr.shape[0] != n_rows:
            raise ValueError(
                f"y has {arr.shape[0]} targets but X has {n_rows} rows; each row (example) of X needs "
                f"exactly one target in y"
            )
        V.check_finite(arr, "y")
        return arr

    def _features_2d(self, X, n_features: int) -> np.ndarray:
        X = V.as_float_array(X, "X")
        if X.ndim == 1 and n_features == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2 or X.shape[1] != n_features:
            raise ValueError(
                f"X has shape {X.shape} but {self!r} expects shape (n, {n_features}): one row per "
                f"example, {n_features} feature column(s)" + (" (or shape (n,) for one feature)" if n_features == 1 else "")
            )
        if X.shape[0] == 0:
            raise ValueError("X has no rows (examples); the loss of an empty batch is undefined")
        V.check_finite(X, "X")
        return X

    def check_data(self, X, y):
        """Validate ``X`` and ``y`` once and return them in the form the model computes with.

        ``X`` becomes a 2-D float64 array of shape ``(n, d)``. ``y`` becomes float64
        targets or integer labels of shape ``(n,)``. :func:`optimlab.training.train` calls
        this once and then calls ``loss_and_grad(..., check=False)`` on slices of the result.
        """
        X = self._prepare_X(X)
        return X, self._prepare_y(y, X.shape[0])

    # -- public interface --------------------------------------------------------
    def init_params(self, seed=0) -> np.ndarray:  # pragma: no cover - every model overrides it
        raise NotImplementedError

    def unpack(self, w) -> dict:  # pragma: no cover - every model overrides it
        raise NotImplementedError

    def predict(self, w, X) -> np.ndarray:
        """The model's prediction for each row of ``X``."""
        return self._forward(self._check_w(w), self._prepare_X(X))

    def loss(self, w, X, y) -> float:
        """The loss averaged over the examples (rows) of ``X``."""
        w = self._check_w(w)
        X, y = self.check_data(X, y)
        return float(self._loss(w, X, y))

    def _loss(self, w, X2, y):
        """The loss alone from prepared inputs (models override it to skip the backward pass)."""
        return self._loss_grad(w, X2, y)[0]

    def grad(self, w, X, y) -> np.ndarray:
        """Gradient of :meth:`loss` with respect to ``w``: shape ``(n_params,)``, averaged over the batch."""
        return self.loss_and_grad(w, X, y)[1]

    def loss_and_grad(self, w, X, y, *, check: bool = True):
        """``(loss, grad)`` from one forward and one backward pass.

        ``check=False`` skips the argument checks. Pass it only ``X, y`` that
        :meth:`check_data` returned (or slices of them) and a ``w`` of the right shape.
        """
        if check:
            w = self._check_w(w)
            X, y = self.check_data(X, y)
        loss, g = self._loss_grad(w, X, y)
        return float(loss), g

    @property
    def has_hessian(self) -> bool:
        return hasattr(self, "hessian")

    def __repr__(self):
        return f"{type(self).__name__}()"


# ---------------------------------------------------------------------------
# Models that are linear in their parameters: mean squared error
# ---------------------------------------------------------------------------

class _LeastSquares(Model):
    r"""``y_hat = Phi(X) @ w`` with the mean squared error ``L = (1/n) sum_i (y_hat_i - y_i)**2``.

    With residuals ``r = Phi w - y``:  ``grad = (2/n) Phi^T r`` and ``H = (2/n) Phi^T Phi``
    (constant: the loss is a quadratic function of ``w``).
    """

    def _phi(self, X2: np.ndarray) -> np.ndarray:  # pragma: no cover - subclasses override it
        raise NotImplementedError

    def _forward(self, w, X2):
        return self._phi(X2) @ w

    def _loss(self, w, X2, y):
        r = self._forward(w, X2) - y
        return np.dot(r, r) / y.shape[0]

    def _loss_grad(self, w, X2, y):
        phi = self._phi(X2)
        r = phi @ w - y
        n = y.shape[0]
        return np.dot(r, r) / n, (2.0 / n) * (phi.T @ r)

    def hessian(self, w, X, y) -> np.ndarray:
        r"""Exact Hessian ``H = (2/n) Phi^T Phi`` of the mean squared error, shape ``(n_params, n_params)``.

        It does not depend on ``w`` (the loss is quadratic in ``w``) or on ``y``; both
        are checked and accepted so that every model has the same signature.
        """
        self._check_w(w)
        X2, y = self.check_data(X, y)
        phi = self._phi(X2)
        return (2.0 / y.shape[0]) * (phi.T @ phi)

    def least_squares(self, X, y) -> np.ndarray:
        """The exact minimiser of the loss, ``argmin_w ||Phi w - y||^2``, from ``np.linalg.lstsq``.

        This is the answer every optimizer should approach (the minimum-norm minimiser
        when it is not unique).
        """
        X2, y = self.check_data(X, y)
        return np.linalg.lstsq(self._phi(X2), y, rcond=None)[0]


class LinearRegression(_LeastSquares):
    r"""Linear regression (线性回归) ``y_hat = X @ w + b`` with the mean squared error.

    .. code-block:: text

        L(w, b)  = (1/n) sum_i (y_hat_i - y_i)**2
        dL/dw_j  = (2/n) sum_i (y_hat_i - y_i) * x_ij
        dL/db    = (2/n) sum_i (y_hat_i - y_i)

    Parameter layout: ``w_flat = [w_1, ..., w_d, b]`` (``n_params = d + 1``). With one
    feature (the default) ``w_flat = [w, b]`` and ``X`` may have shape ``(n,)``.
    """

    def __init__(self, n_features: int = 1):
        self.n_features = V.check_int(n_features, "n_features", minimum=1)
        self.n_params = self.n_features + 1
        self.layout = "[w, b]" if self.n_features == 1 else f"[w_1, ..., w_{self.n_features}, b]"

    def __repr__(self):
        return f"LinearRegression(n_features={self.n_features})"

    def _prepare_X(self, X):
        return self._features_2d(X, self.n_features)

    def _phi(self, X2):
        return np.hstack([X2, np.ones((X2.shape[0], 1))])

    def _forward(self, w, X2):
        return X2 @ w[:-1] + w[-1]

    def _loss_grad(self, w, X2, y):
        # Same formula as _LeastSquares without building [X, 1]: cheaper in the training loop.
        r = X2 @ w[:-1] + w[-1] - y
        n = y.shape[0]
        g = np.empty(self.n_params)
        g[:-1] = (2.0 / n) * (X2.T @ r)
        g[-1] = (2.0 / n) * np.sum(r)
        return np.dot(r, r) / n, g

    def init_params(self, seed=0) -> np.ndarray:
        """Standard normal weights and bias from ``np.random.default_rng(seed)``, like ``np.random.randn``."""
        return np.random.default_rng(seed).standard_normal(self.n_params)

    def unpack(self, w) -> dict:
        """``{"w": ..., "b": ...}``; ``w`` is a float when there is one feature, else an array."""
        w = self._check_w(w)
        return {"w": float(w[0]) if self.n_features == 1 else w[:-1].copy(), "b": float(w[-1])}


class QuadraticModel(_LeastSquares):
    r"""The quadratic model ``y_hat = w1 x**2 + w2 x + w3`` with the mean squared error.

    The loss ``L = (1/N) sum_i (y_hat_i - y_i)**2`` depends on each ``w_k`` through
    ``y_hat_i``, so the chain rule gives ``dL/dw_k = (1/N) sum_i 2 (y_hat_i - y_i) * dy_hat_i/dw_k``
    with ``dy_hat_i/dw1 = x_i**2``, ``dy_hat_i/dw2 = x_i`` and ``dy_hat_i/dw3 = 1``:

    .. code-block:: text

        dL/dw1 = (2/N) sum_i (y_hat_i - y_i) * x_i**2
        dL/dw2 = (2/N) sum_i (y_hat_i - y_i) * x_i
        dL/dw3 = (2/N) sum_i (y_hat_i - y_i)

    The model is quadratic in ``x`` but *linear in its parameters*, so the loss is a
    quadratic function of ``w`` with the constant Hessian ``(2/N) Phi^T Phi``,
    ``Phi = [x**2, x, 1]``. Newton's method reaches the minimum in one step.

    Parameter layout: ``w = [w1, w2, w3]``. ``X`` has shape ``(n,)`` or ``(n, 1)``.
    """

    n_params = 3
    layout = "[w1, w2, w3] for y = w1 x^2 + w2 x + w3"

    def __repr__(self):
        return "QuadraticModel()"

    def _prepare_X(self, X):
        return self._features_2d(X, 1)

    def _phi(self, X2):
        x = X2[:, 0]
        return np.column_stack([x * x, x, np.ones_like(x)])

    def init_params(self, seed=0) -> np.ndarray:
        """Standard normal ``[w1, w2, w3]`` from ``np.random.default_rng(seed)``."""
        return np.random.default_rng(seed).standard_normal(3)

    def unpack(self, w) -> dict:
        w = self._check_w(w)
        return {"w1": float(w[0]), "w2": float(w[1]), "w3": float(w[2])}


# ---------------------------------------------------------------------------
# Classifiers: softmax output and cross-entropy
# ---------------------------------------------------------------------------

class _Classifier(Model):
    is_classifier = True
    n_classes: int

    def _prepare_y(self, y, n_rows):
        return _check_labels(y, self.n_classes, n_rows)

    def predict_proba(self, w, X) -> np.ndarray:
        """Class probabilities ``softmax(logits)``, shape ``(n, n_classes)``; rows sum to 1."""
        return softmax(self.logits(w, X))

    def logits(self, w, X) -> np.ndarray:
        """The scores before the softmax, shape ``(n, n_classes)``."""
        return self._logits(self._check_w(w), self._prepare_X(X))

    def _forward(self, w, X2):
        return np.argmax(self._logits(w, X2), axis=1)

    def _loss(self, w, X2, labels):
        Z = self._logits(w, X2)
        m = Z.max(axis=1)
        lse = m + np.log(np.sum(np.exp(Z - m[:, None]), axis=1))
        return np.mean(lse - Z[np.arange(Z.shape[0]), labels])

    def predict(self, w, X) -> np.ndarray:
        """The predicted class of each row of ``X`` (``argmax`` of the logits), shape ``(n,)``."""
        return super().predict(w, X)

    def accuracy(self, w, X, y) -> float:
        """Fraction of the rows of ``X`` whose predicted class equals ``y``."""
        X2, labels = self.check_data(X, y)
        return accuracy(labels, self._forward(self._check_w(w), X2))


class SoftmaxRegression(_Classifier):
    r"""Multinomial logistic regression (softmax 回归): ``p = softmax(X W + b)``, cross-entropy loss.

    .. code-block:: text

        Z = X W + b                                   (n, k) logits
        L = (1/n) sum_i [ logsumexp(Z_i) - Z_i[y_i] ]  (mean cross-entropy)
        G = (softmax(Z) - onehot(y)) / n
        dL/dW = X^T G,   dL/db = sum_i G_i

    Parameter layout: ``w = [W.ravel(), b]`` with ``W`` of shape ``(d, k)`` in C order
    (row j holds feature j's weight for every class), then ``b`` of shape ``(k,)``;
    ``n_params = (d + 1) k``. Equivalently ``w.reshape(d + 1, k)`` is ``W`` with ``b``
    as its last row.

    The loss is convex. It is not strictly convex: adding the same vector to every
    class's column of ``[W; b]`` leaves the probabilities unchanged. The Hessian is
    therefore singular, and Newton's method needs ``damping > 0``.
    """

    def __init__(self, n_features: int, n_classes: int):
        self.n_features = V.check_int(n_features, "n_features", minimum=1)
        self.n_classes = V.check_int(n_classes, "n_classes", minimum=2)
        self.n_params = (self.n_features + 1) * self.n_classes
        self.layout = f"[W.ravel() with W of shape ({self.n_features}, {self.n_classes}), b of shape ({self.n_classes},)]"

    def __repr__(self):
        return f"SoftmaxRegression(n_features={self.n_features}, n_classes={self.n_classes})"

    def _prepare_X(self, X):
        return self._features_2d(X, self.n_features)

    def _split(self, w):
        Wb = w.reshape(self.n_features + 1, self.n_classes)
        return Wb[:-1], Wb[-1]

    def _logits(self, w, X2):
        W, b = self._split(w)
        return X2 @ W + b

    def _loss_grad(self, w, X2, labels):
        W, b = self._split(w)
        loss, G = _softmax_cross_entropy(X2 @ W + b, labels)
        g = np.empty(self.n_params)
        gW = g[: -self.n_classes].reshape(self.n_features, self.n_classes)
        gW[...] = X2.T @ G
        g[-self.n_classes:] = G.sum(axis=0)
        return loss, g

    def hessian(self, w, X, y) -> np.ndarray:
        r"""Exact Hessian of the mean cross-entropy, shape ``(n_params, n_params)``.

        With ``x~_i = [x_i, 1]`` and ``p_i = softmax(z_i)``, the entry for parameters
        ``(j, c)`` and ``(l, e)`` (feature row, class column of ``[W; b]``) is
        ``(1/n) sum_i x~_ij x~_il (p_ic delta_ce - p_ic p_ie)``.
        """
        w = self._check_w(w)
        X2, _ = self.check_data(X, y)
        P = softmax(self._logits(w, X2))
        Xt = np.hstack([X2, np.ones((X2.shape[0], 1))])
        A = np.einsum("ic,ce->ice", P, np.eye(self.n_classes)) - P[:, :, None] * P[:, None, :]
        H = np.einsum("ij,il,ice->jcle", Xt, Xt, A) / X2.shape[0]
        return H.reshape(self.n_params, self.n_params)

    def init_params(self, seed=0) -> np.ndarray:
        """Small normal weights (standard deviation 0.01) from ``np.random.default_rng(seed)``, zero biases."""
        w = np.zeros(self.n_params)
        w[: -self.n_classes] = 0.01 * np.random.default_rng(seed).standard_normal(self.n_features * self.n_classes)
        return w

    def unpack(self, w) -> dict:
        """``{"W": (d, k) array, "b": (k,) array}`` (copies)."""
        W, b = self._split(self._check_w(w))
        return {"W": W.copy(), "b": b.copy()}


class MLP(_Classifier):
    r"""A fully connected network (多层感知机) with a softmax output and the cross-entropy loss.

    ``layer_sizes = [d, h_1, ..., h_m, k]``: ``d`` inputs, hidden layers of ``h_1 .. h_m``
    units with the activation ``f``, and ``k`` classes.

    .. code-block:: text

        forward:   A_0 = X                                        (N examples)
                   Z_l = A_{l-1} W_l + b_l,  A_l = f(Z_l)        l = 1 .. D-1  (hidden)
                   Z_D = A_{D-1} W_D + b_D                        (logits)
                   L = (1/N) sum_i [ logsumexp(Z_D,i) - Z_D,i[y_i] ]
        backward:  dZ_D = (softmax(Z_D) - onehot(y)) / N
                   dW_l = A_{l-1}^T dZ_l,   db_l = sum_i dZ_l,i
                   dZ_{l-1} = (dZ_l W_l^T) * f'(Z_{l-1})            (chain rule, elementwise)

    ``D = len(layer_sizes) - 1`` is the number of weight layers (the depth); ``L`` is the loss.

    ``activation`` is ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"gelu"`` (the exact erf
    form ``z Phi(z)``; see :func:`gelu`).

    Parameter layout: ``w = [W_1.ravel(), b_1, W_2.ravel(), b_2, ...]`` with ``W_l`` of
    shape ``(layer_sizes[l-1], layer_sizes[l])`` in C order.

    :meth:`init_params` draws ``W_l`` from a normal distribution with He scaling
    ``std = sqrt(2 / fan_in)`` for relu/gelu and Glorot (Xavier) scaling
    ``std = sqrt(2 / (fan_in + fan_out))`` for sigmoid/tanh; biases start at 0.
    """

    def __init__(self, layer_sizes, activation: str = "relu"):
        try:
            sizes = list(layer_sizes)
        except TypeError:
            raise TypeError(f"layer_sizes must be a list of integers such as [64, 32, 10], got {layer_sizes!r}") from None
        if len(sizes) < 2:
            raise ValueError(
                f"layer_sizes needs at least [n_features, n_classes], got {layer_sizes!r}"
            )
        self.layer_sizes = tuple(V.check_int(s, f"layer_sizes[{i}]", minimum=1) for i, s in enumerate(sizes))
        if self.layer_sizes[-1] < 2:
            raise ValueError(f"the last entry of layer_sizes is the number of classes and must be >= 2, got {sizes[-1]}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.activation = activation
        self._f, self._fprime = ACTIVATIONS[activation]
        self.n_features = self.layer_sizes[0]
        self.n_classes = self.layer_sizes[-1]
        # (start, stop, shape) of every W_l and b_l in the flat vector.
        self._slices = []
        pos = 0
        for a, b in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            self._slices.append(((pos, pos + a * b, (a, b)), (pos + a * b, pos + a * b + b)))
            pos += a * b + b
        self.n_params = pos
        self.layout = "[W_1.ravel(), b_1, W_2.ravel(), b_2, ...], W_l of shape (layer_sizes[l-1], layer_sizes[l])"

    def __repr__(self):
        return f"MLP(layer_sizes={list(self.layer_sizes)}, activation={self.activation!r})"

    def _prepare_X(self, X):
        return self._features_2d(X, self.n_features)

    def _layers(self, w):
        """Views (no copies) of each ``(W_l, b_l)`` inside ``w``."""
        return [(w[s:e].reshape(shape), w[bs:be]) for (s, e, shape), (bs, be) in self._slices]

    def _logits(self, w, X2):
        A = X2
        layers = self._layers(w)
        for W, b in layers[:-1]:
            A = self._f(A @ W + b)
        W, b = layers[-1]
        return A @ W + b

    def _loss_grad(self, w, X2, labels):
        layers = self._layers(w)
        # Forward pass, keeping each layer's input A_{l-1} and pre-activation Z_l for backprop.
        inputs, pre = [], []
        A = X2
        for W, b in layers[:-1]:
            Z = A @ W + b
            inputs.append(A)
            pre.append(Z)
            A = self._f(Z)
        inputs.append(A)
        W, b = layers[-1]
        loss, dZ = _softmax_cross_entropy(A @ W + b, labels)
        # Backward pass: write each layer's gradient straight into its slot of the flat vector.
        g = np.empty(self.n_params)
        grads = self._layers(g)
        for l in range(len(layers) - 1, -1, -1):
            gW, gb = grads[l]
            gW[...] = inputs[l].T @ dZ
            gb[...] = dZ.sum(axis=0)
            if l > 0:
                dZ = (dZ @ layers[l][0].T) * self._fprime(pre[l - 1])
        return loss, g

    def init_params(self, seed=0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        w = np.zeros(self.n_params)
        for W, _ in self._layers(w):
            fan_in, fan_out = W.shape
            if self.activation in ("relu", "gelu"):
                std = math.sqrt(2.0 / fan_in)
            else:
                std = math.sqrt(2.0 / (fan_in + fan_out))
            W[...] = std * rng.standard_normal(W.shape)
        return w

    def unpack(self, w) -> dict:
        """``{"W1": ..., "b1": ..., "W2": ..., ...}`` (copies), numbered from 1 like the formulas."""
        out = {}
        for i, (W, b) in enumerate(self._layers(self._check_w(w)), start=1):
            out[f"W{i}"] = W.copy()
            out[f"b{i}"] = b.copy()
        return out
