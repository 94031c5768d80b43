"""optimlab.second_order: line search, Hessian-vector products, BFGS and L-BFGS, with values derived by hand."""
import numpy as np
import pytest

from optimlab import second_order as so
from optimlab.landscapes import get_landscape


def square(w):
    return float(w @ w)


def test_backtracking_by_hand():
    w, g = np.array([1.0]), np.array([2.0])
    # f(w - lr g) = (1 - 2 lr)^2 against 1 - c lr 4: lr = 1 gives 1 > 1 - 4c (shrink), lr = 0.5 gives 0 (accept)
    assert so.backtracking_line_search(square, w, g, g, 1.0, 1e-4, 0.5) == 0.5
    # with c = 0.5 the bound at lr = 0.5 is 1 - 0.5 * 0.5 * 4 = 0, and 0 <= 0 is accepted
    assert so.backtracking_line_search(square, w, g, g, 1.0, 0.5, 0.5) == 0.5
    # c = 0.75: the bound at 0.5 is -0.5 < 0 (shrink); at 0.25, f = 0.25 <= 1 - 0.75 = 0.25 (accept)
    assert so.backtracking_line_search(square, w, g, g, 1.0, 0.75, 0.5) == 0.25
    # a first trial that already satisfies the condition is returned unchanged
    assert so.backtracking_line_search(square, w, g, g, 0.2, 1e-4, 0.5) == 0.2
    # shrink 0.3: 1 -> 0.3, where f = 0.16 <= 1 - 1e-4 * 0.3 * 4
    assert so.backtracking_line_search(square, w, g, g, 1.0, 1e-4, 0.3) == pytest.approx(0.3)


def test_backtracking_refuses_ascent_and_bad_arguments():
    w, g = np.array([1.0]), np.array([2.0])
    with pytest.raises(ValueError, match="not a descent direction"):
        so.backtracking_line_search(square, w, g, -g)
    with pytest.raises(ValueError, match="shrink"):
        so.backtracking_line_search(square, w, g, g, shrink=1.5)
    with pytest.raises(ValueError, match="c"):
        so.backtracking_line_search(square, w, g, g, c=0.0)
    with pytest.raises(ValueError, match="direction"):
        so.backtracking_line_search(square, w, g, np.ones(2))


def test_backtracking_gives_up_with_a_message():
    # f jumps up everywhere except at w: no step is ever accepted
    def spike(w):
        return 0.0 if np.all(w == 1.0) else 1.0
    with pytest.raises(ValueError, match="sufficient-decrease"):
        so.backtracking_line_search(spike, np.array([1.0]), np.array([1.0]), np.array([1.0]), max_iter=5)


def test_hvp_exact_on_a_quadratic_and_central_on_a_cubic():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    v = np.array([0.5, -1.0])
    got = so.hessian_vector_product(lambda w: A @ w, np.array([0.3, 0.7]), v, 1e-3)
    np.testing.assert_allclose(got, A @ v, rtol=1e-9)
    # f = x^3: grad 3 x^2; (3 (x+h)^2 - 3 (x-h)^2) / (2h) = 6x exactly; forward differences give 6x + 3h
    got = so.hessian_vector_product(lambda w: 3 * w**2, np.array([2.0]), np.array([1.0]), 0.1)
    np.testing.assert_allclose(got, [12.0], rtol=1e-12)
    # a vector of length 2 doubles the product (H v is linear in v)
    got = so.hessian_vector_product(lambda w: 3 * w**2, np.array([2.0]), np.array([2.0]), 0.1)
    np.testing.assert_allclose(got, [24.0], rtol=1e-12)


def test_hvp_on_rosenbrock_matches_the_analytic_hessian():
    R = get_landscape("rosenbrock")
    w, v = np.array([-1.2, 1.0]), np.array([0.6, 0.8])
    np.testing.assert_allclose(so.hessian_vector_product(R.grad, w, v, 1e-5), R.hessian(w) @ v, rtol=1e-8)
    with pytest.raises(ValueError, match="v"):
        so.hessian_vector_product(R.grad, w, np.ones(3))


def test_bfgs_update_by_hand_and_the_secant_equation():
    # 1-D: rho = 1/8; (1 - 1)^2 * 1 + 4/8 = 0.5 = s / y
    np.testing.assert_allclose(so.bfgs_update(np.eye(1), np.array([2.0]), np.array([4.0])), [[0.5]])
    rng = np.random.default_rng(1)
    M = rng.normal(size=(3, 3))
    H_inv = M @ M.T + np.eye(3)
    s = rng.normal(size=3)
    y = s + 0.1 * rng.normal(size=3)
    new = so.bfgs_update(H_inv, s, y)
    np.testing.assert_allclose(new @ y, s, rtol=1e-10)
    np.testing.assert_allclose(new, new.T, rtol=1e-12)
    assert np.linalg.eigvalsh(new).min() > 0
    with pytest.raises(ValueError, match="y . s"):
        so.bfgs_update(H_inv, s, -s)


def test_lbfgs_two_loop_equals_bfgs_from_gamma_identity():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    A = A @ A.T + np.eye(4)
    S = [rng.normal(size=4) for _ in range(3)]
    Y = [A @ s for s in S]
    g = rng.normal(size=4)
    H = (S[-1] @ Y[-1]) / (Y[-1] @ Y[-1]) * np.eye(4)
    for s, y in zip(S, Y):
        H = so.bfgs_update(H, s, y)
    np.testing.assert_allclose(so.lbfgs_direction(g, S, Y), H @ g, rtol=1e-10)
    np.testing.assert_allclose(so.lbfgs_direction(g, [], []), g)


def test_quasi_newton_on_rosenbrock():
    R = get_landscape("rosenbrock")
    for method in ("bfgs", "lbfgs"):
        r = so.quasi_newton(R.loss, R.grad, R.start, steps=200, method=method, history_size=10)
        np.testing.assert_allclose(r.final_w, [1.0, 1.0], atol=1e-8)
        assert len(r.trajectory) - 1 < 60, method
        assert r.n_grad_evals == len(r.trajectory)
        assert np.all(np.diff(r.losses) <= 0)   # the line search only accepts decreases
    with pytest.raises(ValueError, match="method"):
        so.quasi_newton(R.loss, R.grad, R.start, method="newton")
