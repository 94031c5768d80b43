"""optimlab.online: Reddi, Kale and Kumar's online problem, its regret, and the stationary drift of Adam."""
import math

import numpy as np
import pytest

import optimlab
from optimlab.online import adam_period_drift, reddi_gradient, reddi_loss, run_online, stationary_V


def test_gradients_cycle_C_minus1_minus1():
    assert [reddi_gradient(t, 3.0) for t in range(1, 8)] == [3.0, -1.0, -1.0, 3.0, -1.0, -1.0, 3.0]
    assert reddi_loss(0.5, 4, 3.0) == pytest.approx(1.5) and reddi_loss(0.5, 5, 3.0) == pytest.approx(-0.5)


@pytest.mark.parametrize("bad, match", [({"t": 0}, "t must be an integer >= 1"), ({"C": 2.0}, "C must be > 2"),
                                        ({"C": float("nan")}, "C must be a finite number")])
def test_bad_input_is_named(bad, match):
    args = {"t": 1, "C": 3.0, **bad}
    with pytest.raises((ValueError, TypeError), match=match):
        reddi_gradient(args["t"], args["C"])


def test_regret_by_hand_for_a_point_that_never_moves():
    # gd with a tiny rate stays at x0 = 1: the losses add up to 3, 3 - 1, 3 - 1 - 1, and the best fixed point
    # in hindsight has -|3|, -|2|, -|1|: regrets 6, 4 and 2 = 2 (C - 2), one period's.
    r = run_online("gd", 3, 3.0, lr=1e-300, x0=1.0)
    np.testing.assert_allclose(r.regret, [3 + 3, 2 + 2, 1 + 1])
    assert r.x.tolist() == [1.0, 1.0, 1.0, 1.0]


def test_projection_keeps_x_in_the_interval():
    r = run_online("gd", 30, 3.0, lr=5.0, decay=False)
    assert r.x.min() >= -1 and r.x.max() <= 1 and (np.abs(r.x) == 1).any()


def test_stationary_V_is_a_fixed_point_of_three_EMA_steps():
    C, b = 3.0, 0.3
    V_a, V_b, V_c = stationary_V(C, b)
    assert b * V_b + (1 - b) == pytest.approx(V_c, rel=1e-14)
    # and the EMA itself gets there from 0
    V = 0.0
    for t in range(1, 301):
        V = b * V + (1 - b) * reddi_gradient(t, C) ** 2
    assert V == pytest.approx(V_c, rel=1e-12)  # t = 300 ends a period


def test_drift_limits():
    # beta2 = 0: V = g^2 at every step, the period moves x by -1 + 1 + 1 = +1 (lr units)
    assert adam_period_drift(3.0, 0.0) == pytest.approx(1.0, abs=1e-14)
    # beta2 -> 1: V -> (C^2 + 2)/3 everywhere, drift (2 - C)/sqrt(V)
    assert adam_period_drift(3.0, 0.999999) == pytest.approx(-1 / math.sqrt(11 / 3), rel=1e-4)


@pytest.mark.parametrize("C", [3.0, 10.0])
def test_the_sign_of_the_drift_says_where_adam_goes(C):
    grid = np.linspace(0.0, 0.99, 991)
    d = np.array([adam_period_drift(C, b) for b in grid])
    b_star = grid[np.nonzero(d < 0)[0][0]]
    below = run_online("adam", 6000, C, lr=0.5, beta1=0.0, beta2=b_star - 0.03)
    above = run_online("adam", 6000, C, lr=0.5, beta1=0.0, beta2=b_star + 0.05)
    assert below.x[-1] > 0.99 and above.x[-1] < -0.5
    assert below.average_regret[-1] == pytest.approx(2 * (C - 2) / 3, rel=0.02)


def test_amsgrad_converges_where_adam_does_not():
    C = 3.0
    adam = run_online("adam", 3000, C, lr=0.5, beta1=0.0, beta2=1 / (1 + C**2))
    ams = run_online("amsgrad", 3000, C, lr=0.5, beta1=0.0, beta2=1 / (1 + C**2))
    assert adam.x[-1] == 1.0 and ams.x[-1] < -0.99
    assert adam.average_regret[-1] > 0.6 and ams.average_regret[-1] < 0.05


def test_a_learners_step_function_runs_like_the_registry_entry():
    def my_adam(w, m, V, g, t, lr, beta1, beta2, eps):
        return optimlab.adam_step(w, m, V, g, t, lr, beta1, beta2, eps)
    a = run_online(my_adam, 60, 3.0, lr=0.5, beta1=0.0, beta2=0.1, eps=1e-8)
    b = run_online("adam", 60, 3.0, lr=0.5, beta1=0.0, beta2=0.1, eps=1e-8)
    np.testing.assert_array_equal(a.x, b.x)
