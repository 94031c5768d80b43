"""Landscapes: analytic derivatives against finite differences, minima, vectorisation, errors."""
import doctest
import math

import numpy as np
import pytest

import optimlab.landscapes as landscapes_module
from optimlab.landscapes import LANDSCAPES, Landscape, get_landscape, landscape_names, sparse_features_dataset

NAMES = list(LANDSCAPES)


def _points(L, n=6, seed=0):
    """The start, the minima and a few seeded random points inside the plotting window."""
    rng = np.random.default_rng(seed)
    if L.dim == 1:
        rand = rng.uniform(*L.xlim, size=(n, 1))
    else:
        rand = np.column_stack([rng.uniform(*L.xlim, size=n), rng.uniform(*L.ylim, size=n)])
    return np.vstack([L.start[None, :], L.minima, rand])


def _central_grad(f, w, h):
    out = np.empty_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = h
        out[i] = (f(w + e) - f(w - e)) / (2 * h)
    return out


def test_the_eight_landscapes_exist_in_course_order():
    assert landscape_names() == ["parabola", "ill_conditioned", "rotated_quadratic", "rosenbrock", "beale",
                                 "himmelblau", "saddle", "sparse_features"]
    for name, L in LANDSCAPES.items():
        assert L.name == name and L.title and L.chinese and L.formula.startswith("f(")
        assert L.dim == (1 if name == "parabola" else 2)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name):
    L = LANDSCAPES[name]
    for w in _points(L):
        h = 1e-6 * max(1.0, float(np.abs(w).max()))
        num = _central_grad(L.loss, w, h)
        ana = L.grad(w)
        scale = max(1.0, float(np.abs(ana).max()))
        np.testing.assert_allclose(ana, num, rtol=1e-6, atol=1e-6 * scale, err_msg=f"{name} at {w}")


@pytest.mark.parametrize("name", NAMES)
def test_hessian_matches_central_differences_of_the_gradient(name):
    L = LANDSCAPES[name]
    for w in _points(L):
        h = 1e-6 * max(1.0, float(np.abs(w).max()))
        H = L.hessian(w)
        assert H.shape == (L.dim, L.dim)
        np.testing.assert_array_equal(H, H.T)
        num = np.column_stack([(L.grad(w + e) - L.grad(w - e)) / (2 * h) for e in np.eye(L.dim) * h])
        scale = max(1.0, float(np.abs(H).max()))
        np.testing.assert_allclose(H, num, rtol=1e-6, atol=1e-6 * scale, err_msg=f"{name} at {w}")


def test_hand_computed_values():
    assert get_landscape("parabola").loss([5.0]) == 25.0
    assert get_landscape("ill_conditioned").loss([1.0, 1.0]) == pytest.approx(2.1, abs=1e-15)
    # Rosenbrock at his start (-1.2, 1): (2.2)^2 + 100 (1 - 1.44)^2 = 4.84 + 19.36.
    R = get_landscape("rosenbrock")
    assert R.loss([-1.2, 1.0]) == pytest.approx(24.2, rel=1e-14)
    np.testing.assert_allclose(R.grad([-1.2, 1.0]), [-215.6, -88.0], rtol=1e-13)
    np.testing.assert_allclose(R.hessian([-1.2, 1.0]), [[1330.0, 480.0], [480.0, 200.0]], rtol=1e-13)
    # At the minimum H = [[802, -400], [-400, 200]]: eigenvalues 501 -+ sqrt(501^2 - 400) (trace 1002, det 400).
    np.testing.assert_array_equal(R.hessian([1.0, 1.0]), [[802.0, -400.0], [-400.0, 200.0]])
    np.testing.assert_allclose(np.linalg.eigvalsh(R.hessian([1.0, 1.0])),
                               [501 - math.sqrt(501**2 - 400), 501 + math.sqrt(501**2 - 400)], rtol=1e-12)
    # Beale on the line x = 0: 1.5^2 + 2.25^2 + 2.625^2 for every y.
    B = get_landscape("beale")
    assert B.loss([0.0, -3.0]) == B.loss([0.0, 0.7]) == 14.203125
    assert get_landscape("himmelblau").loss([0.0, 0.0]) == 170.0  # 11^2 + 7^2
    assert get_landscape("saddle").loss([1.0, 2.0]) == -3.0
    assert get_landscape("rotated_quadratic").loss([1.0, 1.0]) == pytest.approx(0.2, abs=1e-14)  # 1/2 * 0.2 * |(1,1)|^2


@pytest.mark.parametrize("name", [n for n in NAMES if n != "saddle"])
def test_minima_have_zero_gradient_the_documented_loss_and_positive_curvature(name):
    L = LANDSCAPES[name]
    assert L.minima.shape[0] >= 1 and L.minima.shape[1] == L.dim
    assert L.minimum_value == 0.0
    for m in L.minima:
        np.testing.assert_allclose(L.grad(m), 0.0, atol=2e-14)
        assert L.loss(m) == pytest.approx(L.minimum_value, abs=1e-29)
        assert np.linalg.eigvalsh(L.hessian(m)).min() > 0


def test_himmelblau_has_four_distinct_minima():
    m = get_landscape("himmelblau").minima
    assert m.shape == (4, 2)
    np.testing.assert_array_equal(m[0], [3.0, 2.0])
    np.testing.assert_allclose(m[1:], [[-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848127]],
                               atol=1e-6)


def test_saddle_points_are_critical_but_not_minima():
    S = get_landscape("saddle")
    assert S.minima.shape == (0, 2) and S.minimum_value is None and not S.bounded_below
    np.testing.assert_array_equal(S.saddle_points, [[0.0, 0.0]])
    for name in ("saddle", "beale"):  # Beale's (0, 1): where Newton goes from its default start
        L = get_landscape(name)
        for p in L.saddle_points:
            np.testing.assert_allclose(L.grad(p), 0.0, atol=1e-14)
            ev = np.linalg.eigvalsh(L.hessian(p))
            assert ev[0] < 0 < ev[-1]
    np.testing.assert_allclose(np.linalg.eigvalsh(get_landscape("beale").hessian([0.0, 1.0])), [-27.75, 27.75])


@pytest.mark.parametrize("name", NAMES)
def test_grid_evaluation_equals_pointwise(name):
    L = LANDSCAPES[name]
    rng = np.random.default_rng(1)
    W = rng.uniform(-2, 2, size=(L.dim, 3, 4))
    Z, G, H = L.loss(W), L.grad(W), L.hessian(W)
    assert Z.shape == (3, 4) and G.shape == (L.dim, 3, 4) and H.shape == (L.dim, L.dim, 3, 4)
    for i in range(3):
        for j in range(4):
            w = W[:, i, j]
            assert Z[i, j] == L.loss(w)
            np.testing.assert_array_equal(G[:, i, j], L.grad(w))
            np.testing.assert_array_equal(H[:, :, i, j], L.hessian(w))


def test_meshgrid_usage_from_the_docs():
    L = get_landscape("rosenbrock")
    X, Y = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 3, 7))
    Z = L.loss(np.stack([X, Y]))
    assert Z.shape == (7, 5)
    assert Z[0, 0] == (1 - X[0, 0]) ** 2 + 100 * (Y[0, 0] - X[0, 0] ** 2) ** 2
    Xm, Ym, Zm = L.mesh(11)
    assert Xm.shape == Ym.shape == Zm.shape == (11, 11)
    assert (Xm.min(), Xm.max(), Ym.min(), Ym.max()) == (*L.xlim, *L.ylim)
    levels = L.contour_levels(12)
    assert levels.shape == (12,) and np.all(np.diff(levels) > 0) and levels[-1] == pytest.approx(Zm.max())
    x, fx = get_landscape("parabola").mesh(13)
    np.testing.assert_allclose(fx, x**2)
    s = get_landscape("saddle").contour_levels(5)
    np.testing.assert_allclose(s, np.linspace(-6.25, 6.25, 5))  # linear levels: the saddle goes negative


def test_one_dimensional_landscape_accepts_a_number():
    P = get_landscape("parabola")
    assert P.loss(5.0) == 25.0 and P(3) == 9.0
    g = P.grad(5.0)
    assert g.shape == () and g == 10.0
    np.testing.assert_array_equal(P.hessian(1.0), [[2.0]])
    np.testing.assert_array_equal(P.loss(np.array([[1.0, 2.0, 3.0]])), [1.0, 4.0, 9.0])


def test_quadratic_constants():
    P, I, R, S, F = (get_landscape(n) for n in
                     ("parabola", "ill_conditioned", "rotated_quadratic", "saddle", "sparse_features"))
    assert (P.lam_max, P.lam_min, P.kappa) == (2.0, 2.0, 1.0)
    np.testing.assert_array_equal(I.hessian_eigenvalues, [0.2, 4.0])
    assert (I.lam_max, I.lam_min, I.kappa) == (4.0, 0.2, 20.0)
    assert I.condition_number == I.kappa
    np.testing.assert_allclose(R.hessian_eigenvalues, [0.2, 4.0], rtol=1e-14)
    assert R.kappa == pytest.approx(20.0, rel=1e-13)
    assert (S.lam_max, S.lam_min, S.kappa) == (2.0, -2.0, math.inf)
    assert (F.lam_max, F.lam_min, F.kappa) == (1.0, 0.01, 100.0)
    for name in ("rosenbrock", "beale", "himmelblau"):
        L = get_landscape(name)
        assert not L.is_quadratic
        assert L.hessian_eigenvalues is None and L.lam_max is None and L.lam_min is None and L.kappa is None
    for L in (P, I, R, S, F):  # the Hessian is the constant A everywhere
        assert L.is_quadratic
        np.testing.assert_array_equal(L.hessian(L.start), L.A)


def test_old_curvature_names_warn_and_point_to_the_new_ones():
    # L is the loss and mu a momentum coefficient in the course notation (notation page).
    q = get_landscape("ill_conditioned")
    with pytest.warns(DeprecationWarning, match="lam_max"):
        assert q.L == 4.0
    with pytest.warns(DeprecationWarning, match="lam_min"):
        assert q.mu == 0.2


def test_rotated_quadratic_is_ill_conditioned_turned_by_45_degrees():
    I, R = get_landscape("ill_conditioned"), get_landscape("rotated_quadratic")
    c = s = math.sqrt(0.5)
    rot = np.array([[c, -s], [s, c]])
    np.testing.assert_allclose(R.A, rot @ I.A @ rot.T, atol=1e-15)
    np.testing.assert_allclose(R.start, rot @ I.start, atol=1e-15)
    rng = np.random.default_rng(2)
    for u in rng.normal(size=(5, 2)):
        assert R.loss(rot @ u) == pytest.approx(I.loss(u), rel=1e-13)
    # The flat direction is the diagonal: A (1, 1) = 0.2 (1, 1).
    np.testing.assert_allclose(R.grad([1.0, 1.0]), [0.2, 0.2], atol=1e-15)


def test_sparse_features_is_the_mse_of_its_dataset():
    X, y = sparse_features_dataset()
    assert X.shape == (200, 2) and y.shape == (200,)
    assert np.count_nonzero(X[:, 1]) == 2 and np.all(np.abs(X[:, 0]) == 1)  # rare and dense features
    np.testing.assert_array_equal(X.T @ X / 200, [[1.0, 0.0], [0.0, 0.01]])
    F = get_landscape("sparse_features")
    rng = np.random.default_rng(3)
    for w in rng.uniform(-3, 3, size=(5, 2)):
        r = X @ w - y
        assert F.loss(w) == pytest.approx(0.5 * np.mean(r**2), rel=1e-13)
        np.testing.assert_allclose(F.grad(w), X.T @ r / 200, rtol=1e-13, atol=1e-15)
    # The rare coordinate's gradient is 100 times smaller at the same distance from the minimum.
    g = F.grad(F.start)
    assert g[0] == -3.0 and g[1] == pytest.approx(-0.03, abs=1e-16)
    assert "AdaGrad" in F.description and "diag(1, 0.01)" in F.description


@pytest.mark.parametrize("name", NAMES)
def test_plotting_window_contains_the_start_and_the_minima(name):
    L = LANDSCAPES[name]
    assert L.xlim[0] < L.xlim[1] and L.ylim[0] < L.ylim[1]
    points = np.vstack([L.start[None, :], L.minima, L.saddle_points])
    assert np.all((points[:, 0] > L.xlim[0]) & (points[:, 0] < L.xlim[1]))
    if L.dim == 2:
        assert np.all((points[:, 1] > L.ylim[0]) & (points[:, 1] < L.ylim[1]))
    assert L.start.shape == (L.dim,) and np.isfinite(L.loss(L.start))


def test_data_accessors_return_copies():
    L = get_landscape("rosenbrock")
    w = L.start
    w -= 1.0  # a learner's in-place update must not move the landscape's default start
    np.testing.assert_array_equal(L.start, [-1.2, 1.0])
    m = L.minima
    m[:] = 0
    np.testing.assert_array_equal(L.minima, [[1.0, 1.0]])
    A = get_landscape("ill_conditioned").A
    A[:] = 0
    assert get_landscape("ill_conditioned").lam_max == 4.0


def test_inputs_are_not_modified():
    L = get_landscape("himmelblau")
    w = np.array([1.0, 2.0])
    L.loss(w), L.grad(w), L.hessian(w)
    np.testing.assert_array_equal(w, [1.0, 2.0])


@pytest.mark.parametrize("method", ["loss", "grad", "hessian"])
def test_wrong_leading_dimension_names_w_and_the_dimension(method):
    L = get_landscape("rosenbrock")
    with pytest.raises(ValueError, match=r"w must have shape \(2,\) .* 2-D landscape 'rosenbrock'; got shape \(3,\)"):
        getattr(L, method)(np.zeros(3))
    with pytest.raises(ValueError, match=r"got shape \(\)"):
        getattr(L, method)(1.0)
    with pytest.raises(ValueError, match=r"shape \(5, 2\).*w\.T"):  # points as rows: the likely mistake
        getattr(L, method)(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"w must have shape \(1,\)"):
        getattr(get_landscape("parabola"), method)(np.zeros(2))
    with pytest.raises(TypeError, match="w must be a real number"):
        getattr(L, method)("1, 2")


def test_get_landscape():
    assert get_landscape("beale") is LANDSCAPES["beale"]
    L = LANDSCAPES["saddle"]
    assert get_landscape(L) is L
    with pytest.raises(ValueError, match=r"unknown landscape 'banana'; known landscapes: parabola, ill_conditioned"):
        get_landscape("banana")
    with pytest.raises(ValueError, match=r"did you mean 'ill_conditioned'"):
        get_landscape("Ill-Conditioned")
    with pytest.raises(TypeError, match="landscape must be a name or a Landscape"):
        get_landscape(3)


def test_a_custom_landscape_works_like_the_built_in_ones():
    cube = Landscape("quartic", "Quartic", "四次函数", r"f(x) = x^4", 1,
                     lambda x: x * x * x * x, lambda x: (4 * x * x * x,), lambda x: ((12 * x * x,),),
                     minima=[[0.0]], xlim=(-2, 2), ylim=(0, 16), start=[1.5])
    assert cube.loss(2.0) == 16.0 and cube.grad(2.0) == 32.0
    np.testing.assert_array_equal(cube.hessian(np.array([[1.0, 2.0]])), [[[12.0, 48.0]]])
    assert not cube.is_quadratic and repr(cube) == "Landscape('quartic': Quartic, d=1)"


def test_module_doctests():
    result = doctest.testmod(landscapes_module)
    assert result.attempted >= 4 and result.failed == 0
