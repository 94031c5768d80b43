r"""Data sets of the course: small real data shipped with the package, and synthetic data.

Nothing is downloaded: Iris and the 8x8 digits are CSV files in ``optimlab/data/``
(origin, licence and checksums in ``optimlab/data/PROVENANCE.md``).

Every loader returns a :class:`Dataset`, which unpacks as ``X, y = iris()``:

* ``X`` is float64, one row per example. Data with a single input feature
  (:func:`source_articles_data`, :func:`synthetic_linear` with a scalar slope,
  :func:`synthetic_quadratic`) has ``X`` of shape ``(n,)``, so that ``w * X + b`` has
  the shape of ``y``. An ``X`` of shape ``(n, 1)`` would broadcast against ``y`` into
  an ``(n, n)`` matrix.
* ``y`` is float64 for regression, and int64 labels ``0 .. k-1`` for classification
  (integers index the classes).
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from . import validation as V

__all__ = [
    "Dataset",
    "source_articles_data",
    "iris",
    "digits",
    "synthetic_linear",
    "synthetic_quadratic",
    "train_val_split",
    "Standardizer",
    "standardize",
    "DATA_FILES",
    "data_path",
    "verify_data_files",
]

# SHA-256 of the shipped files (the same values are listed in data/PROVENANCE.md).
DATA_FILES = {
    "iris.csv": "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449",
    "digits.csv": "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8",
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """A data set: ``X`` (inputs, float64), ``y`` (targets or labels), and what they mean.

    ``X, y = dataset`` unpacks the two arrays. ``target_names`` is ``None`` for
    regression data; ``n_classes`` is ``None`` then too.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple
    description: str
    name: str = ""
    target_names: tuple | None = None
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter((self.X, self.y))

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return 1 if self.X.ndim == 1 else int(self.X.shape[1])

    @property
    def n_classes(self) -> int | None:
        return None if self.target_names is None else len(self.target_names)

    def __repr__(self):
        kind = f"{self.n_classes} classes" if self.target_names is not None else "regression"
        return f"Dataset({self.name!r}: X {self.X.shape}, y {self.y.shape}, {kind})"


def data_path(filename: str):
    """Path of a shipped data file (inside the installed package)."""
    if filename not in DATA_FILES:
        raise ValueError(f"filename must be one of {sorted(DATA_FILES)}, got {filename!r}")
    return resources.files("optimlab").joinpath("data", filename)


def verify_data_files() -> dict:
    """Recompute the SHA-256 of every shipped file; returns ``{name: True/False}`` (True = matches)."""
    out = {}
    for name, expected in DATA_FILES.items():
        digest = hashlib.sha256(data_path(name).read_bytes()).hexdigest()
        out[name] = digest == expected
    return out


@functools.lru_cache(maxsize=None)
def _load_csv(filename: str, skiprows: int) -> np.ndarray:
    with data_path(filename).open("r", encoding="ascii") as fh:
        arr = np.loadtxt(fh, delimiter=",", skiprows=skiprows, dtype=np.float64)
    arr.setflags(write=False)  # the cache hands out copies; the cached array stays pristine
    return arr


def source_articles_data() -> Dataset:
    """The five points of the course's source articles: ``X = [1, 2, 3, 4, 5]``, ``y = [2, 3, 5, 7, 11]``.

    (The targets are the first five primes, so no line fits them exactly.) The
    least-squares line is ``y = 2.2 x - 1.0``, with mean squared error 0.56.
    """
    return Dataset(
        X=np.array([1.0, 2.0, 3.0, 4.0, 5.0]),
        y=np.array([2.0, 3.0, 5.0, 7.0, 11.0]),
        feature_names=("x",),
        description="Five points from the source articles' linear-regression example (y = first five primes).",
        name="source_articles",
    )


def iris() -> Dataset:
    """Fisher's Iris data: ``X`` (150, 4) in cm, ``y`` (150,) labels 0 setosa, 1 versicolor, 2 virginica.

    50 examples per class, in class order (shuffle or split before mini-batch training).
    Setosa is linearly separable from the other two classes; versicolor and virginica
    overlap. Source: ``data/iris.csv`` (see ``PROVENANCE.md``).
    """
    raw = _load_csv("iris.csv", 1)
    return Dataset(
        X=np.array(raw[:, :4]),
        y=raw[:, 4].astype(np.int64),
        feature_names=("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"),
        description=(
            "Iris plants (R. A. Fisher, 1936; UCI Machine Learning Repository, CC BY 4.0; "
            "scikit-learn's copy, corrected as in Fisher's paper): 150 flowers, 4 measurements, 3 species."
        ),
        name="iris",
        target_names=("setosa", "versicolor", "virginica"),
    )


def digits() -> Dataset:
    """The UCI 8x8 handwritten digits: ``X`` (1797, 64) integers 0..16 as float64, ``y`` (1797,) digits 0..9.

    Row ``i`` of ``X`` is an 8x8 image read row by row: ``X[i].reshape(8, 8)``. Each pixel
    counts the "on" pixels in a 4x4 block of a 32x32 bitmap, hence 0..16. Scale the
    inputs before training, e.g. ``X / 16`` or :func:`standardize`. This is the UCI test
    subset (13 writers), the one scikit-learn ships. Source: ``data/digits.csv``.
    """
    raw = _load_csv("digits.csv", 0)
    return Dataset(
        X=np.array(raw[:, :64]),
        y=raw[:, 64].astype(np.int64),
        feature_names=tuple(f"pixel_{r}_{c}" for r in range(8) for c in range(8)),
        description=(
            "Optical recognition of handwritten digits (E. Alpaydin & C. Kaynak, 1998; UCI Machine "
            "Learning Repository, CC BY 4.0; the test subset shipped by scikit-learn): 1797 images, "
            "8x8 pixels with values 0..16."
        ),
        name="digits",
        target_names=tuple(str(d) for d in range(10)),
        extra={"image_shape": (8, 8)},
    )


def synthetic_linear(n=100, noise=1.0, seed=0, *, w=2.0, b=1.0, x_range=(-3.0, 3.0)) -> Dataset:
    r"""Noisy points around a line: ``y = X @ w + b + noise * eps``, ``eps ~ N(0, 1)``.

    ``X`` is uniform on ``x_range``. A scalar ``w`` (the default 2.0) gives one feature
    and ``X`` of shape ``(n,)``. A sequence ``w`` of length ``d`` gives ``X`` of shape
    ``(n, d)``. The true parameters are in ``dataset.extra["w"]`` and ``["b"]``.
    Reproducible: the same ``seed`` gives the same data.
    """
    n = V.check_int(n, "n", minimum=1)
    noise = V.check_nonnegative(noise, "noise")
    w_arr = V.as_float_array(w, "w")
    if w_arr.ndim > 1:
        raise ValueError(f"w must be a number or a 1-D sequence of slopes, got shape {w_arr.shape}")
    V.check_finite(w_arr, "w")
    b = float(V.as_float_array(b, "b"))
    lo, hi = _check_range(x_range)
    rng = np.random.default_rng(seed)
    if w_arr.ndim == 0:
        X = rng.uniform(lo, hi, size=n)
        y = float(w_arr) * X + b
    else:
        X = rng.uniform(lo, hi, size=(n, w_arr.size))
        y = X @ w_arr + b
    y = y + noise * rng.standard_normal(n)
    return Dataset(
        X=X,
        y=y,
        feature_names=("x",) if w_arr.ndim == 0 else tuple(f"x{j + 1}" for j in range(w_arr.size)),
        description=f"Synthetic linear data: y = {w!r} x + {b!r} + {noise!r} * N(0, 1), x uniform on [{lo}, {hi}].",
        name="synthetic_linear",
        extra={"w": float(w_arr) if w_arr.ndim == 0 else w_arr.copy(), "b": b, "noise": noise, "seed": seed},
    )


def synthetic_quadratic(n=50, noise=0.5, seed=0, *, w=(1.0, -2.0, 0.5), x_range=(-3.0, 3.0)) -> Dataset:
    r"""Noisy points around a parabola: ``y = w1 x**2 + w2 x + w3 + noise * eps``, ``eps ~ N(0, 1)``.

    The data for :class:`optimlab.models.QuadraticModel`. ``X`` has shape ``(n,)``, uniform
    on ``x_range``. The true ``(w1, w2, w3)`` are in ``dataset.extra["w"]``.
    """
    n = V.check_int(n, "n", minimum=1)
    noise = V.check_nonnegative(noise, "noise")
    w_arr = V.as_float_array(w, "w")
    if w_arr.shape != (3,):
        raise ValueError(f"w must be the three coefficients (w1, w2, w3) of w1 x^2 + w2 x + w3, got {w!r}")
    V.check_finite(w_arr, "w")
    lo, hi = _check_range(x_range)
    rng = np.random.default_rng(seed)
    X = rng.uniform(lo, hi, size=n)
    y = w_arr[0] * X**2 + w_arr[1] * X + w_arr[2] + noise * rng.standard_normal(n)
    return Dataset(
        X=X,
        y=y,
        feature_names=("x",),
        description=(f"Synthetic quadratic data: y = {w_arr[0]:g} x^2 + {w_arr[1]:g} x + {w_arr[2]:g} "
                     f"+ {noise!r} * N(0, 1), x uniform on [{lo}, {hi}]."),
        name="synthetic_quadratic",
        extra={"w": w_arr.copy(), "noise": noise, "seed": seed},
    )


def _check_range(x_range):
    try:
        lo, hi = (float(v) for v in x_range)
    except (TypeError, ValueError):
        raise ValueError(f"x_range must be a pair (low, high) of numbers, got {x_range!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"x_range must be (low, high) with finite low < high, got {x_range!r}")
    return lo, hi


def train_val_split(X, y, val_fraction=0.2, seed=0):
    """Shuffle the examples, then split them: returns ``(X_train, X_val, y_train, y_val)`` (scikit-learn's order).

    ``round(val_fraction * n)`` examples go to validation, at least 1, and at least 1 stays
    for training. ``val_fraction`` is in ``(0, 1)``. The same ``seed`` gives the same split.
    Works for ``X`` of shape ``(n,)`` or ``(n, d)``; returns new arrays.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError("X and y must be arrays with one row per example")
    n = X.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"y has {y.shape[0]} rows but X has {n}; each example needs one target")
    if n < 2:
        raise ValueError(f"need at least 2 examples to split into training and validation, got {n}")
    val_fraction = V.check_in_range(val_fraction, "val_fraction", 0.0, 1.0, low_open=True, high_open=True)
    n_val = min(max(int(round(val_fraction * n)), 1), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return X[train], X[val], y[train], y[val]


@dataclass(frozen=True, eq=False)
class Standardizer:
    r"""``z = (x - mean) / scale`` per feature, with ``mean`` and ``scale`` from the training data.

    ``scale`` is the standard deviation (``ddof=0``), except that constant features
    (standard deviation 0, e.g. digit pixels that are always blank) get ``scale = 1``.
    Those features become 0 instead of ``nan``. Fit on the training set only, then
    transform the validation set with the same numbers.
    """

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X) -> "Standardizer":
        X = V.as_float_array(X, "X")
        if X.ndim not in (1, 2) or X.shape[0] == 0:
            raise ValueError(f"X must have shape (n,) or (n, d) with n >= 1, got {X.shape}")
        V.check_finite(X, "X")
        mean = X.mean(axis=0)
        std = X.std(axis=0)
        scale = np.where(std > 0, std, 1.0)
        return cls(mean=mean, scale=scale)

    def _check(self, X):
        X = V.as_float_array(X, "X")
        if X.shape[1:] != np.shape(self.mean):
            raise ValueError(
                f"X has shape {X.shape} but this Standardizer was fitted on data with "
                f"{'one feature, shape (n,)' if np.ndim(self.mean) == 0 else f'rows of shape {np.shape(self.mean)}'}"
            )
        return X

    def transform(self, X) -> np.ndarray:
        return (self._check(X) - self.mean) / self.scale

    def inverse_transform(self, Z) -> np.ndarray:
        return self._check(Z) * self.scale + self.mean


def standardize(X_train, *X_others):
    """Standardise ``X_train`` with its own mean and standard deviation, and ``X_others`` with the same numbers.

    ``Z_train = standardize(X_train)``, or
    ``Z_train, Z_val = standardize(X_train, X_val)``. Use :class:`Standardizer` to keep the numbers.
    """
    s = Standardizer.fit(X_train)
    if not X_others:
        return s.transform(X_train)
    return (s.transform(X_train), *(s.transform(X) for X in X_others))
