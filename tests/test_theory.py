"""Stability theory (optimlab.widgets.theory): the Jury conditions the docstring states, per method."""
import math

import numpy as np
import pytest

from optimlab.widgets import theory as T


def _jury(A):
    tr, det = np.trace(A), np.linalg.det(A)
    return abs(det) < 1, 1 - tr + det > 0, 1 + tr + det > 0


@pytest.mark.parametrize("name,hyper", [("heavy_ball", {"mu": 0.9}), ("momentum", {"beta": 0.9}),
                                        ("nesterov", {"mu": 0.9}), ("nesterov", {"mu": 0.3})])
def test_the_third_jury_condition_is_the_binding_one(name, hyper):
    lam = 1.0
    bound = T.max_stable_lr(name, lam, **hyper)
    for lr in np.linspace(0.01, 0.999, 40) * bound:  # below the bound: all three hold
        assert all(_jury(T.iteration_matrix(name, lr, lam, **hyper)))
        assert T.spectral_radius(name, lr, lam, **hyper) < 1
    first, second, third = _jury(T.iteration_matrix(name, 1.001 * bound, lam, **hyper))
    assert second and not third and T.spectral_radius(name, 1.001 * bound, lam, **hyper) > 1


def test_nesterov_determinant_condition_fails_for_large_lr_lambda():
    # |det A| = mu |1 - lr lam| < 1 only for lr lam < (1 + mu)/mu: not "for every lr lam > 0",
    # unlike heavy ball (det = mu) and the EMA form (det = beta).
    mu = 0.9
    edge = (1 + mu) / mu
    det = lambda h: np.linalg.det(T.iteration_matrix("nesterov", h, 1.0, mu=mu))
    assert det(edge * 0.999) > -1 and det(edge * 1.001) < -1
    assert math.isclose(det(2.0), -mu, rel_tol=1e-12)
    # ... and it does not bind: the third condition's bound is smaller
    assert T.nesterov_max_lr(1.0, mu) == pytest.approx(2 * (1 + mu) / (1 + 2 * mu))
    assert T.nesterov_max_lr(1.0, mu) < edge
    for h in (0.5, 5.0, 50.0):
        assert np.linalg.det(T.iteration_matrix("heavy_ball", h, 1.0, mu=mu)) == pytest.approx(mu)
        assert np.linalg.det(T.iteration_matrix("momentum", h, 1.0, beta=mu)) == pytest.approx(mu)


def test_curvature_arguments_are_named_lam_max_and_lam_min():
    assert T.gd_optimal_lr(lam_max=4.0, lam_min=0.2) == pytest.approx(2 / 4.2)
    assert T.optimal_heavy_ball(lam_max=4.0, lam_min=0.25) == pytest.approx((0.64, 0.36))
    with pytest.raises(ValueError, match=r"lam_min \(smallest eigenvalue\) = 2.0 must not exceed lam_max"):
        T.gd_optimal_lr(1.0, 2.0)
    with pytest.raises(ValueError, match="lam_max"):
        T.gd_max_lr(-1.0)
    assert T.stability("heavy_ball", 0.1, [0.2, 4.0], mu=0.9).text.startswith("heavy_ball: lr = 0.1 < 2(1+μ)/λ_max = 0.95")
