"""optimlab.checks.newton (notebook 11): references against hand-derived values, every known mistake caught and
named from the visible cases alone, and the numbers notebook 11's text states recomputed."""
import warnings

import numpy as np
import pytest

import optimlab
from optimlab import second_order
from optimlab.checks import newton as N
from optimlab.checks.engine import ExerciseFailure
from optimlab.landscapes import get_landscape

EXERCISES = [
    (N.check_newton_step, N._ref_newton_step, N._NEWTON_VARIANTS),
    (N.check_backtracking_line_search, N._ref_line_search, N._LINE_SEARCH_VARIANTS),
    (N.check_hessian_vector_product, N._ref_hvp, N._HVP_VARIANTS),
    (N.check_bfgs_update, N._ref_bfgs, N._BFGS_VARIANTS),
]


def test_references_by_hand():
    # H + 0.3 I = [[4.3, 1], [1, 2.3]], det 8.89; its solve with g = (2, -3) is (7.6, -14.9) / 8.89
    got = N._ref_newton_step(np.array([1.0, -2.0]), np.array([2.0, -3.0]), np.array([[4.0, 1.0], [1.0, 2.0]]),
                             0.5, 0.3)
    np.testing.assert_allclose(got, [1 - 0.5 * 7.6 / 8.89, -2 + 0.5 * 14.9 / 8.89], rtol=1e-12)
    # 0.5 x^2 + 2 y^2 from (2, 1) along g = (2, 4), c = 0.3: lr = 1 gives 18, lr = 0.5 gives 2.5 > 4 - 3 = 1,
    # lr = 0.25 gives 1.125 <= 4 - 1.5
    case = N._line_cases(False)[0]
    assert N._ref_line_search(*case.inputs.values()) == 0.25
    # cubic: the central difference of 3 x^2 is 6x exactly
    np.testing.assert_allclose(N._ref_hvp(lambda w: 3 * w**2, np.array([2.0]), np.array([1.0]), 0.1), [12.0])
    np.testing.assert_allclose(N._ref_bfgs(np.eye(1), np.array([2.0]), np.array([4.0])), [[0.5]])


@pytest.mark.parametrize("check, reference, variants", EXERCISES, ids=lambda x: getattr(x, "__name__", ""))
def test_reference_passes_and_every_variant_is_named_from_the_visible_cases(check, reference, variants, capsys):
    check(reference)
    check(reference, hidden=True)
    assert "all" in capsys.readouterr().out
    for v in variants:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            with pytest.raises(ExerciseFailure) as exc:
                check(v.fn)
        assert v.hint in str(exc.value), f"not named: {v.hint}\n{exc.value}"


def test_line_search_returning_the_point_is_named():
    def point(f, w, g, direction, lr0, c, shrink):
        return w - lr0 * direction
    with pytest.raises(ExerciseFailure, match="probably the new point"):
        N.check_backtracking_line_search(point)


def test_not_implemented_is_reported():
    def todo(w, g, H, lr, damping):
        raise NotImplementedError()
    with pytest.raises(ExerciseFailure, match="not implemented"):
        N.check_newton_step(todo)


def test_the_numbers_notebook_11_states():
    rosen, saddle = get_landscape("rosenbrock"), get_landscape("saddle")
    # pure Newton on Rosenbrock: within 1e-6 of (1, 1) after 6 steps, exact at step 7; its loss rises at 2 and 4
    w, path = rosen.start, [rosen.start]
    for _ in range(7):
        w = optimlab.newton_step(w, rosen.grad(w), rosen.hessian(w), 1.0, 0.0)
        path.append(w)
    err = np.linalg.norm(np.array(path) - 1.0, axis=1)
    assert err[6] < 1e-6 < err[5] and err[7] == 0.0
    digits = -np.log10(err[4:7])
    np.testing.assert_allclose(digits, [1.25, 5.02, 10.73], atol=0.01)   # "from about 1 to 5 to 11"
    losses = rosen.loss(np.array(path).T)
    assert [int(t) + 1 for t in np.nonzero(np.diff(losses) > 0)[0]] == [2, 4]
    # gradient descent at lr = 0.001 (half of 2 / lam_max = 0.002 at the minimum) needs 34374 steps
    assert np.linalg.eigvalsh(rosen.hessian(np.ones(2)))[-1] == pytest.approx(1001.6, abs=0.05)
    # the saddle: one Newton step from (-2, 0.01) lands on (0, 0)
    w0 = saddle.start
    np.testing.assert_allclose(optimlab.newton_step(w0, saddle.grad(w0), saddle.hessian(w0), 1.0, 0.0), [0, 0],
                               atol=1e-15)
    # the double well from 0.3: pure Newton climbs to the maximum 0, damping 1.5 walks to the minimum 1
    x, xd = 0.3, 0.3
    for _ in range(6):
        x = x - (x**3 - x) / (3 * x * x - 1)
        xd = xd - (xd**3 - xd) / (3 * xd * xd - 1 + 1.5)
    assert abs(x) < 1e-12 and abs(xd - 1) < 0.01
    # BFGS and L-BFGS (m = 10) with the backtracking line search: a few dozen gradients
    for method in ("bfgs", "lbfgs"):
        r = second_order.quasi_newton(rosen.loss, rosen.grad, rosen.start, steps=500, method=method)
        assert np.linalg.norm(r.final_w - 1) < 1e-8 and r.n_grad_evals < 50
    # the Hessian of a million parameters in float64: 8e12 bytes, 8 terabytes
    assert 8 * (10**6) ** 2 == 8e12
