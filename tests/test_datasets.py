"""optimlab.datasets and the shipped data files: checksums, shapes, class counts, value ranges, splits."""
from __future__ import annotations

import fnmatch
import hashlib
import pathlib
import tomllib

import numpy as np
import pytest

from optimlab import datasets as D

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "source_lib" / "optimlab" / "data"

# Golden SHA-256 of the files as taken from the scikit-learn 1.9.1 wheel (digits: after gunzip).
IRIS_SHA256 = "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449"
DIGITS_SHA256 = "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8"


# ---------------------------------------------------------------------------
# The shipped files
# ---------------------------------------------------------------------------

def test_checksums_of_shipped_files():
    assert hashlib.sha256(D.data_path("iris.csv").read_bytes()).hexdigest() == IRIS_SHA256
    assert hashlib.sha256(D.data_path("digits.csv").read_bytes()).hexdigest() == DIGITS_SHA256
    assert D.DATA_FILES == {"iris.csv": IRIS_SHA256, "digits.csv": DIGITS_SHA256}
    assert D.verify_data_files() == {"iris.csv": True, "digits.csv": True}


def test_provenance_lists_source_licence_and_checksums():
    text = (DATA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    for needle in (IRIS_SHA256, DIGITS_SHA256, "CC BY 4.0", "BSD 3-Clause", "10.24432/C56C76",
                   "10.24432/C50P49", "scikit-learn 1.9.1", "Fisher", "Alpaydin", "Kaynak"):
        assert needle in text, needle


def test_every_data_file_is_package_data():
    """pyproject.toml must ship every file in optimlab/data/ (a wheel without them would fail at run time)."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["optimlab"]
    files = sorted(p.name for p in DATA_DIR.iterdir() if p.is_file())
    assert {"iris.csv", "digits.csv", "PROVENANCE.md"} <= set(files)
    for name in files:
        assert any(fnmatch.fnmatch(f"data/{name}", pat) for pat in patterns), (name, patterns)


# ---------------------------------------------------------------------------
# Iris
# ---------------------------------------------------------------------------

def test_iris_shape_classes_and_ranges():
    d = D.iris()
    X, y = d  # unpacks as (X, y)
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert y.shape == (150,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
    np.testing.assert_array_equal(y, np.repeat([0, 1, 2], 50))  # in class order
    # The summary statistics published with the data set (min, max, mean to 2 decimals)
    np.testing.assert_array_equal(X.min(0), [4.3, 2.0, 1.0, 0.1])
    np.testing.assert_array_equal(X.max(0), [7.9, 4.4, 6.9, 2.5])
    np.testing.assert_allclose(X.mean(0), [5.84, 3.05, 3.76, 1.20], atol=0.01)
    # Column sums of Fisher's values (UCI's copy, with its two wrong values, gives 458.1, 563.8, 179.8)
    np.testing.assert_allclose(X.sum(0), [876.5, 458.6, 563.7, 179.9], rtol=1e-13)
    assert d.n_classes == 3 and d.target_names == ("setosa", "versicolor", "virginica")
    assert d.feature_names[2] == "petal length (cm)" and d.n_features == 4 and d.n_samples == 150


def test_iris_is_fishers_corrected_version():
    X, _ = D.iris()
    np.testing.assert_array_equal(X[0], [5.1, 3.5, 1.4, 0.2])
    # The two values UCI's copy has wrong (samples 35 and 38, counting from 1)
    np.testing.assert_array_equal(X[34], [4.9, 3.1, 1.5, 0.2])
    np.testing.assert_array_equal(X[37], [4.9, 3.6, 1.4, 0.1])


# ---------------------------------------------------------------------------
# Digits
# ---------------------------------------------------------------------------

def test_digits_shape_classes_and_ranges():
    d = D.digits()
    X, y = d
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    assert X.min() == 0.0 and X.max() == 16.0
    np.testing.assert_array_equal(X, np.round(X))  # pixel counts are integers 0..16
    # First image (a zero), row by row, from the first line of the file
    first = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0,
             0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0]
    np.testing.assert_array_equal(X[0], first)
    assert y[0] == 0 and list(y[:10]) == list(range(10))
    assert d.extra["image_shape"] == (8, 8) and d.feature_names[9] == "pixel_1_1"
    # the leftmost column of every image is almost always blank: pixel (0, 0) is 0 in every image
    assert X[:, 0].max() == 0.0


def test_loaders_return_fresh_copies():
    a = D.digits()
    a.X[0, 0] = 99.0
    a.y[0] = 7
    b = D.digits()
    assert b.X[0, 0] == 0.0 and b.y[0] == 0
    i = D.iris()
    i.X[:] = 0
    assert D.iris().X[0, 0] == 5.1


# ---------------------------------------------------------------------------
# Source-article and synthetic data
# ---------------------------------------------------------------------------

def test_source_articles_data():
    X, y = D.source_articles_data()
    np.testing.assert_array_equal(X, [1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_array_equal(y, [2.0, 3.0, 5.0, 7.0, 11.0])
    assert X.shape == (5,) and X.dtype == np.float64 and y.dtype == np.float64


def test_synthetic_linear():
    d = D.synthetic_linear(n=400, noise=0.1, seed=3, w=-1.5, b=0.5)
    X, y = d
    assert X.shape == (400,) and y.shape == (400,)
    assert X.min() >= -3.0 and X.max() <= 3.0
    slope, intercept = np.polyfit(X, y, 1)
    assert slope == pytest.approx(-1.5, abs=0.02) and intercept == pytest.approx(0.5, abs=0.02)
    assert np.std(y - (-1.5 * X + 0.5)) == pytest.approx(0.1, rel=0.1)  # the noise level
    # reproducible, and noise-free data lies exactly on the line
    np.testing.assert_array_equal(D.synthetic_linear(400, 0.1, 3, w=-1.5, b=0.5).y, y)
    assert not np.array_equal(D.synthetic_linear(400, 0.1, 4, w=-1.5, b=0.5).y, y)
    X0, y0 = D.synthetic_linear(10, noise=0.0, seed=0)
    np.testing.assert_allclose(y0, 2.0 * X0 + 1.0, rtol=1e-15)
    # several features: X of shape (n, d)
    X3, y3 = D.synthetic_linear(50, noise=0.0, seed=1, w=[1.0, -2.0, 0.5], b=3.0)
    assert X3.shape == (50, 3)
    np.testing.assert_allclose(y3, X3 @ [1.0, -2.0, 0.5] + 3.0, rtol=1e-14)


def test_synthetic_quadratic():
    X, y = D.synthetic_quadratic(n=30, noise=0.0, seed=2, w=(0.5, -1.0, 2.0))
    assert X.shape == (30,)
    np.testing.assert_allclose(y, 0.5 * X**2 - X + 2.0, rtol=1e-14)
    with pytest.raises(ValueError, match=r"w must be the three coefficients"):
        D.synthetic_quadratic(w=(1.0, 2.0))


def test_synthetic_bad_arguments():
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        D.synthetic_linear(0)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        D.synthetic_linear(10, noise=-1)
    with pytest.raises(ValueError, match="x_range must be"):
        D.synthetic_linear(10, x_range=(2, 1))


# ---------------------------------------------------------------------------
# Split and standardisation
# ---------------------------------------------------------------------------

def test_train_val_split():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    Xtr, Xva, ytr, yva = D.train_val_split(X, y, val_fraction=0.3, seed=0)
    assert Xtr.shape == (7, 2) and Xva.shape == (3, 2)
    # every example in exactly one part, rows kept together with their targets
    np.testing.assert_array_equal(np.sort(np.concatenate([ytr, yva])), np.arange(10))
    np.testing.assert_array_equal(Xtr[:, 0], 2 * ytr)
    np.testing.assert_array_equal(Xva[:, 0], 2 * yva)
    again = D.train_val_split(X, y, val_fraction=0.3, seed=0)
    np.testing.assert_array_equal(again[3], yva)
    assert not np.array_equal(D.train_val_split(X, y, 0.3, seed=1)[3], yva)
    # at least one example on each side
    assert len(D.train_val_split(X, y, 0.01)[1]) == 1 and len(D.train_val_split(X, y, 0.99)[0]) == 1
    with pytest.raises(ValueError, match=r"val_fraction must be in \(0.0, 1.0\), got 1.5"):
        D.train_val_split(X, y, 1.5)
    with pytest.raises(ValueError, match="y has 9 rows but X has 10"):
        D.train_val_split(X, y[:9])


def test_standardize_uses_training_statistics():
    X_train = np.array([[1.0, 5.0], [3.0, 5.0]])  # mean (2, 5), std (1, 0 -> scale 1)
    X_val = np.array([[5.0, 7.0]])
    Z_train, Z_val = D.standardize(X_train, X_val)
    np.testing.assert_array_equal(Z_train, [[-1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(Z_val, [[3.0, 2.0]])
    s = D.Standardizer.fit(X_train)
    np.testing.assert_array_equal(s.mean, [2.0, 5.0])
    np.testing.assert_array_equal(s.scale, [1.0, 1.0])
    np.testing.assert_allclose(s.inverse_transform(s.transform(X_val)), X_val)
    with pytest.raises(ValueError, match=r"X has shape \(1, 3\).*rows of shape \(2,\)"):
        s.transform(np.zeros((1, 3)))


def test_standardize_digits_has_no_nan():
    X, _ = D.digits()
    Z = D.standardize(X)
    assert np.isfinite(Z).all()
    std = X.std(0)
    np.testing.assert_allclose(Z[:, std > 0].mean(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:, std > 0].std(0), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(Z[:, std == 0], 0.0)  # blank pixels stay 0
    assert (std == 0).sum() >= 1
