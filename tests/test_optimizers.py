"""Step functions of optimlab.optimizers: hand-derived steps, properties, bad input.

The expected values of the first part are computed in the test, coordinate by
coordinate, from the formula in each docstring (numbers chosen so the arithmetic
can be followed; the comments show the intermediate values), always from a NON-ZERO
state, so a wrong coefficient on a state variable cannot hide behind a zero.
Multi-step agreement with torch.optim is in test_parity.py.
"""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import optimlab
from optimlab import optimizers as O

W = np.array([1.0, -2.0])
G = np.array([1.0, -2.0])


def close(actual, expected, tol=1e-14):
    np.testing.assert_allclose(actual, np.asarray(expected, dtype=float), rtol=tol, atol=tol)


# ---------------------------------------------------------------------------
# Hand-derived steps from non-zero state
# ---------------------------------------------------------------------------

def test_gd_step_by_hand():
    w = O.gd_step(np.array([1.0, -2.0]), np.array([0.5, -1.0]), lr=0.1)
    close(w, [1.0 - 0.1 * 0.5, -2.0 + 0.1 * 1.0])  # [0.95, -1.9]
    close(w, [0.95, -1.9])


def test_gd_several_steps_on_a_parabola():
    # f(w) = w^2, g = 2w: w <- (1 - 2 lr) w, so with lr = 0.25 each step halves w.
    w = np.array([8.0, -4.0])
    for expected in ([4.0, -2.0], [2.0, -1.0], [1.0, -0.5]):
        w = O.gd_step(w, 2 * w, lr=0.25)
        close(w, expected, 0)


def test_momentum_ema_step_by_hand():
    # v = 0.5*[0.5, -1] + 0.5*[2, 4] = [1.25, 1.5];  w = [1, -2] - 0.1*v = [0.875, -2.15]
    w, v = O.momentum_step(np.array([1.0, -2.0]), np.array([0.5, -1.0]), np.array([2.0, 4.0]), lr=0.1, beta=0.5)
    close(v, [1.25, 1.5])
    close(w, [0.875, -2.15])


def test_heavy_ball_step_by_hand_and_three_steps():
    # v = 0.5*[0.5, -1] + [2, 4] = [2.25, 3.5];  w = [1, -2] - 0.1*v = [0.775, -2.35]
    w, v = O.heavy_ball_step(np.array([1.0, -2.0]), np.array([0.5, -1.0]), np.array([2.0, 4.0]), lr=0.1, mu=0.5)
    close(v, [2.25, 3.5])
    close(w, [0.775, -2.35])
    # Two more steps with the constant gradient [2, 4]:
    # v2 = 0.5*[2.25, 3.5] + [2, 4] = [3.125, 5.75], w2 = w - 0.1*v2 = [0.4625, -2.925]
    # v3 = 0.5*v2 + [2, 4] = [3.5625, 6.875],       w3 = w2 - 0.1*v3 = [0.10625, -3.6125]
    w, v = O.heavy_ball_step(w, v, np.array([2.0, 4.0]), lr=0.1, mu=0.5)
    close(v, [3.125, 5.75])
    close(w, [0.4625, -2.925])
    w, v = O.heavy_ball_step(w, v, np.array([2.0, 4.0]), lr=0.1, mu=0.5)
    close(v, [3.5625, 6.875])
    close(w, [0.10625, -3.6125])


def test_nesterov_step_by_hand():
    # v = 0.5*[0.5, -1] + [2, 4] = [2.25, 3.5];  d = g + mu*v = [2 + 1.125, 4 + 1.75] = [3.125, 5.75]
    # w = [1, -2] - 0.1*d = [0.6875, -2.575]
    w, v = O.nesterov_step(np.array([1.0, -2.0]), np.array([0.5, -1.0]), np.array([2.0, 4.0]), lr=0.1, mu=0.5)
    close(v, [2.25, 3.5])
    close(w, [0.6875, -2.575])


def test_nesterov_lookahead_step_by_hand():
    # f(w) = sum(w^2), grad = 2w. Look-ahead point: w - lr*mu*v = [1, -2] - 0.05*[0.5, -1] = [0.975, -1.95]
    # g = [1.95, -3.9];  v = 0.5*[0.5, -1] + g = [2.2, -4.4];  w = [1, -2] - 0.1*v = [0.78, -1.56]
    seen = []

    def grad_fn(x):
        seen.append(x.copy())
        return 2 * x

    w, v = O.nesterov_lookahead_step(np.array([1.0, -2.0]), np.array([0.5, -1.0]), grad_fn, lr=0.1, mu=0.5)
    close(seen[0], [0.975, -1.95])
    close(v, [2.2, -4.4])
    close(w, [0.78, -1.56])


def test_adagrad_step_by_hand_and_three_steps():
    # V = [5, 7] + [2^2, 3^2] = [9, 16]; sqrt = [3, 4]; eps = 0.5 (outside the sqrt)
    # w = [1 - 0.1*2/3.5, -2 + 0.1*3/4.5]
    w, V = O.adagrad_step(np.array([1.0, -2.0]), np.array([5.0, 7.0]), np.array([2.0, -3.0]), lr=0.1, eps=0.5)
    close(V, [9.0, 16.0])
    close(w, [1 - 0.1 * 2 / 3.5, -2 + 0.1 * 3 / 4.5])
    # Constant gradient [3, 4] from V = 0: V_k = k*[9, 16], step k moves by lr*g/(sqrt(k)*|g| + eps).
    w, V = np.zeros(2), np.zeros(2)
    expected = np.zeros(2)
    for k in (1, 2, 3):
        w, V = O.adagrad_step(w, V, np.array([3.0, 4.0]), lr=1.0, eps=1e-10)
        expected = expected - np.array([3 / (math.sqrt(k) * 3 + 1e-10), 4 / (math.sqrt(k) * 4 + 1e-10)])
        close(V, [9.0 * k, 16.0 * k])
        close(w, expected)


def test_adadelta_step_by_hand():
    # rho = 0.5, eps = 0.5, g = [1, -2]
    # V  = 0.5*[6, 13] + 0.5*[1, 4] = [3.5, 8.5]         -> V + eps = [4, 9], sqrt = [2, 3]
    # U + eps = [0.5, 1.75] + 0.5 = [1, 2.25]            -> sqrt = [1, 1.5]
    # dx = [1/2 * 1, 1.5/3 * (-2)] = [0.5, -1]
    # U  = 0.5*[0.5, 1.75] + 0.5*[0.25, 1] = [0.375, 1.375]
    # w  = [1, -2] - 0.1*dx = [0.95, -1.9]
    w, V, U = O.adadelta_step(np.array([1.0, -2.0]), np.array([6.0, 13.0]), np.array([0.5, 1.75]),
                              np.array([1.0, -2.0]), lr=0.1, rho=0.5, eps=0.5)
    close(V, [3.5, 8.5])
    close(U, [0.375, 1.375])
    close(w, [0.95, -1.9])


def test_rmsprop_step_by_hand():
    # V = 0.5*[7, 14] + 0.5*[1, 4] = [4, 9]; sqrt(V) + eps = [3, 4] (eps = 1, outside the sqrt)
    # w = [1 - 0.1*1/3, -2 + 0.1*2/4] = [0.9666..., -1.95]
    w, V = O.rmsprop_step(np.array([1.0, -2.0]), np.array([7.0, 14.0]), G, lr=0.1, alpha=0.5, eps=1.0)
    close(V, [4.0, 9.0])
    close(w, [1 - 0.1 / 3, -1.95])


def test_rmsprop_full_plain_equals_rmsprop_step():
    w, V, gbar, v = O.rmsprop_full_step(W, np.array([7.0, 14.0]), np.array([0.3, -0.3]), np.array([0.5, -1.0]),
                                        G, lr=0.1, alpha=0.5, eps=1.0)
    close(V, [4.0, 9.0])
    close(w, [1 - 0.1 / 3, -1.95])
    close(gbar, [0.3, -0.3], 0)  # unused state comes back unchanged
    close(v, [0.5, -1.0], 0)


def test_rmsprop_centered_step_by_hand():
    # V = [4, 9] as above; gbar = 0.5*[1, -2] + 0.5*[1, -2] = [1, -2]; V - gbar^2 = [3, 5]
    # w = [1 - 0.1*1/(sqrt(3) + 1), -2 + 0.1*2/(sqrt(5) + 1)]
    w, V, gbar, v = O.rmsprop_full_step(W, np.array([7.0, 14.0]), np.array([1.0, -2.0]), np.array([0.5, -1.0]),
                                        G, lr=0.1, alpha=0.5, eps=1.0, centered=True)
    close(gbar, [1.0, -2.0])
    close(V, [4.0, 9.0])
    close(w, [1 - 0.1 / (math.sqrt(3) + 1), -2 + 0.1 * 2 / (math.sqrt(5) + 1)])
    close(v, [0.5, -1.0], 0)


def test_rmsprop_momentum_step_by_hand():
    # denominators [3, 4] as in the plain step; v = 0.5*[0.5, -1] + [1/3, -2/4] = [0.25 + 1/3, -1]
    # w = [1, -2] - 0.1*v  (lr outside the velocity, as torch)
    w, V, gbar, v = O.rmsprop_full_step(W, np.array([7.0, 14.0]), np.array([0.3, -0.3]), np.array([0.5, -1.0]),
                                        G, lr=0.1, alpha=0.5, eps=1.0, momentum=0.5)
    close(v, [0.25 + 1 / 3, -1.0])
    close(w, [1 - 0.1 * (0.25 + 1 / 3), -2 + 0.1])
    close(gbar, [0.3, -0.3], 0)


def test_rmsprop_centered_momentum_step_by_hand():
    # centered denominators [sqrt(3) + 1, sqrt(5) + 1]; v = 0.5*[0.5, -1] + g/denominator
    d1, d2 = math.sqrt(3) + 1, math.sqrt(5) + 1
    w, V, gbar, v = O.rmsprop_full_step(W, np.array([7.0, 14.0]), np.array([1.0, -2.0]), np.array([0.5, -1.0]),
                                        G, lr=0.1, alpha=0.5, eps=1.0, momentum=0.5, centered=True)
    close(v, [0.25 + 1 / d1, -0.5 - 2 / d2])
    close(w, [1 - 0.1 * (0.25 + 1 / d1), -2 - 0.1 * (-0.5 - 2 / d2)])


# Adam family: t = 2, beta1 = 0.5, beta2 = 0.75 -> bc1 = 1 - 0.25 = 0.75, bc2 = 1 - 0.5625 = 0.4375
M0 = np.array([0.2, -0.4])
V0 = np.array([0.2, 1.0])
# m = 0.5*M0 + 0.5*G = [0.6, -1.2];  V = 0.75*V0 + 0.25*G^2 = [0.15 + 0.25, 0.75 + 1] = [0.4, 1.75]
# m_hat = m/0.75 = [0.8, -1.6];  V_hat = V/0.4375 = [0.4/0.4375, 4.0] -> sqrt(V_hat[1]) = 2
M1 = [0.6, -1.2]
V1 = [0.4, 1.75]


def test_adam_step_by_hand():
    w, m, V = O.adam_step(W, M0, V0, G, 2, lr=0.1, beta1=0.5, beta2=0.75, eps=0.01)
    close(m, M1)
    close(V, V1)
    close(w, [1 - 0.1 * 0.8 / (math.sqrt(0.4 / 0.4375) + 0.01), -2 + 0.1 * 1.6 / (2 + 0.01)])


def test_adam_second_step_by_hand():
    # From (m, V) = ([0.6, -1.2], [0.4, 1.75]) at t = 3 with g = [-1, 0]: bc1 = 0.875, bc2 = 1 - 0.421875 = 0.578125
    # m = 0.5*m + 0.5*g = [-0.2, -0.6];  V = 0.75*V + 0.25*g^2 = [0.55, 1.3125]
    w1, m, V = O.adam_step(W, M0, V0, G, 2, lr=0.1, beta1=0.5, beta2=0.75, eps=0.01)
    w2, m, V = O.adam_step(w1, m, V, np.array([-1.0, 0.0]), 3, lr=0.1, beta1=0.5, beta2=0.75, eps=0.01)
    close(m, [-0.2, -0.6])
    close(V, [0.55, 1.3125])
    close(w2, w1 - 0.1 * (np.array([-0.2, -0.6]) / 0.875)
          / (np.sqrt(np.array([0.55, 1.3125]) / 0.578125) + 0.01))


def test_adam_without_bias_correction_by_hand():
    # m, V as above; no division: w = w - lr * m / (sqrt(V) + eps)
    w, m, V = O.adam_step(W, M0, V0, G, 2, lr=0.1, beta1=0.5, beta2=0.75, eps=0.01, bias_correction=False)
    close(w, [1 - 0.1 * 0.6 / (math.sqrt(0.4) + 0.01), -2 + 0.1 * 1.2 / (math.sqrt(1.75) + 0.01)])


def test_amsgrad_step_by_hand():
    # V_max = max([0.7, 1.0], V = [0.4, 1.75]) = [0.7, 1.75]: the first coordinate keeps its old maximum.
    w, m, V, V_max = O.amsgrad_step(W, M0, V0, np.array([0.7, 1.0]), G, 2, lr=0.1, beta1=0.5, beta2=0.75, eps=0.01)
    close(m, M1)
    close(V, V1)
    close(V_max, [0.7, 1.75])
    close(w, [1 - 0.1 * 0.8 / (math.sqrt(0.7 / 0.4375) + 0.01), -2 + 0.1 * 1.6 / (2 + 0.01)])


def test_adamax_step_by_hand():
    # u = max(0.75*[2, 1], |g| + 0.01) = max([1.5, 0.75], [1.01, 2.01]) = [1.5, 2.01]
    # w = w - 0.1/0.75 * m/u = [1 - (0.1/0.75)*0.6/1.5, -2 + (0.1/0.75)*1.2/2.01]
    w, m, u = O.adamax_step(W, M0, np.array([2.0, 1.0]), G, 2, lr=0.1, beta1=0.5, beta2=0.75, eps=0.01)
    close(m, M1)
    close(u, [1.5, 2.01])
    close(w, [1 - 0.1 / 0.75 * 0.6 / 1.5, -2 + 0.1 / 0.75 * 1.2 / 2.01])


def test_nadam_step_by_hand():
    # psi = 0.5: mu_2 = 0.5*(1 - 0.5*0.96**1.0) = 0.26, mu_3 = 0.5*(1 - 0.5*0.96**1.5)
    # mu_prod = 0.4 * 0.26 = 0.104; d = sqrt(V_hat) + eps = [sqrt(0.4/0.4375) + 0.01, 2.01]
    # w = w - lr*(1 - mu_2)/(1 - mu_prod) * g/d - lr*mu_3/(1 - mu_prod*mu_3) * m/d
    mu2 = 0.5 * (1 - 0.5 * 0.96)
    mu3 = 0.5 * (1 - 0.5 * 0.96**1.5)
    assert mu2 == pytest.approx(0.26, abs=1e-15)
    prod = 0.4 * mu2
    d = [math.sqrt(0.4 / 0.4375) + 0.01, 2.01]
    expected = [W[i] - 0.1 * (1 - mu2) / (1 - prod) * G[i] / d[i] - 0.1 * mu3 / (1 - prod * mu3) * M1[i] / d[i]
                for i in range(2)]
    w, m, V, mu_prod = O.nadam_step(W, M0, V0, 0.4, G, 2, lr=0.1, beta1=0.5, beta2=0.75, eps=0.01,
                                    momentum_decay=0.5)
    close(m, M1)
    close(V, V1)
    assert mu_prod == pytest.approx(0.104, abs=1e-15)
    assert np.ndim(mu_prod) == 0
    close(w, expected)


def test_adamw_step_by_hand():
    # Decay first: w' = [1, -2]*(1 - 0.1*0.5) = [0.95, -1.9]; then the Adam step of test_adam_step_by_hand.
    w, m, V = O.adamw_step(W, M0, V0, G, 2, lr=0.1, beta1=0.5, beta2=0.75, eps=0.01, weight_decay=0.5)
    close(m, M1)
    close(V, V1)
    close(w, [0.95 - 0.1 * 0.8 / (math.sqrt(0.4 / 0.4375) + 0.01), -1.9 + 0.1 * 1.6 / 2.01])


def test_radam_step_by_hand_both_branches():
    # beta2 = 0.75: rho_inf = 2/0.25 - 1 = 7.
    # t = 2: rho_2 = 7 - 4*0.5625/0.4375 = 1.857... <= 5 -> plain momentum: w - lr*m_hat = w - 0.1*[0.8, -1.6]
    w, m, V = O.radam_step(W, M0, V0, G, 2, lr=0.1, beta1=0.5, beta2=0.75, eps=0.01)
    close(m, M1)
    close(V, V1)
    close(w, [1 - 0.08, -2 + 0.16])
    # t = 8: b2^8 = 0.75**8 = 0.100112915..., bc2 = 0.899887...; rho_8 = 7 - 16*b2^8/bc2 = 5.2200... > 5
    b2t = 0.75**8
    bc2 = 1 - b2t
    rho = 7 - 16 * b2t / bc2
    assert 5 < rho < 5.3
    r = math.sqrt((rho - 4) * (rho - 2) * 7 / ((7 - 4) * (7 - 2) * rho))
    m_hat = [0.6 / (1 - 0.5**8), -1.2 / (1 - 0.5**8)]
    w, m, V = O.radam_step(W, M0, V0, G, 8, lr=0.1, beta1=0.5, beta2=0.75, eps=0.01)
    # eps on the RAW sqrt(V), the bias correction sqrt(bc2) as a factor
    close(w, [W[i] - 0.1 * m_hat[i] * r * math.sqrt(bc2) / (math.sqrt(V1[i]) + 0.01) for i in range(2)])


def test_newton_step_by_hand():
    # Diagonal H = diag(2, 4), g = [2, 8]: H^-1 g = [1, 2] -> from [1, 2] to [0, 0]
    close(O.newton_step(np.array([1.0, 2.0]), np.array([2.0, 8.0]), np.diag([2.0, 4.0])), [0.0, 0.0], 0)
    # lr = 0.5, damping = 2: (H + 2I)^-1 g = [2/4, 8/6] -> w = [1 - 0.25, 2 - 0.5*8/6]
    close(O.newton_step(np.array([1.0, 2.0]), np.array([2.0, 8.0]), np.diag([2.0, 4.0]), lr=0.5, damping=2.0),
          [0.75, 2 - 4 / 6])
    # Coupled H = [[2, 1], [1, 2]], g = [3, 3]: H^-1 g = [1, 1]
    close(O.newton_step(np.array([5.0, -1.0]), np.array([3.0, 3.0]), np.array([[2.0, 1.0], [1.0, 2.0]])),
          [4.0, -2.0])


def test_newton_step_on_scalar_and_1x1():
    # f(w) = 3 w^2 at w = 2: g = 12, H = 6 -> w - 12/6 = 0, with H given as a scalar or a 1x1 array.
    close(O.newton_step(2.0, 12.0, 6.0), 0.0, 0)
    close(O.newton_step(np.array([2.0]), np.array([12.0]), np.array([[6.0]])), [0.0], 0)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

RNG = np.random.default_rng(12345)
A_SPD = np.array([[3.0, 0.5, 0.2], [0.5, 1.0, 0.1], [0.2, 0.1, 0.4]])  # SPD quadratic for path tests
C = np.array([1.0, -0.5, 2.0])


def quad_grad(w):
    """Gradient of 0.5 (w - C)^T A (w - C)."""
    return A_SPD @ (w - C)


def test_momentum_with_beta_zero_is_gd():
    w, v = np.array([0.3, -1.2, 2.0]), np.array([5.0, -7.0, 1.0])  # v is forgotten when beta = 0
    w_gd = w.copy()
    for _ in range(10):
        w, v = O.momentum_step(w, v, quad_grad(w), lr=0.2, beta=0.0)
        w_gd = O.gd_step(w_gd, quad_grad(w_gd), lr=0.2)
        np.testing.assert_array_equal(w, w_gd)


def test_heavy_ball_with_mu_zero_is_gd():
    w, v = np.array([0.3, -1.2, 2.0]), np.array([5.0, -7.0, 1.0])
    w_gd = w.copy()
    for _ in range(10):
        w, v = O.heavy_ball_step(w, v, quad_grad(w), lr=0.2, mu=0.0)
        w_gd = O.gd_step(w_gd, quad_grad(w_gd), lr=0.2)
        np.testing.assert_array_equal(w, w_gd)


def test_ema_and_heavy_ball_forms_are_identical_from_zero_state():
    """From v = 0 the EMA form (lr_ema, beta) and the heavy-ball form (lr_hb = (1-beta)*lr_ema, mu = beta)
    visit the same points: by induction v_ema = (1-beta) * v_hb at every step, so
    lr_ema * v_ema = lr_hb * v_hb. There is no first-step difference between them. The
    first-step difference of PyTorch exists only with ``dampening=beta`` (torch sets an empty
    buffer to g, not (1-beta)*g); test_parity.py shows it against recorded torch numbers."""
    beta, lr_ema = 0.9, 0.5
    lr_hb = (1 - beta) * lr_ema
    w_e = w_h = np.array([0.3, -1.2, 2.0])
    v_e = v_h = np.zeros(3)
    for _ in range(30):
        w_e, v_e = O.momentum_step(w_e, v_e, quad_grad(w_e), lr=lr_ema, beta=beta)
        w_h, v_h = O.heavy_ball_step(w_h, v_h, quad_grad(w_h), lr=lr_hb, mu=beta)
        np.testing.assert_allclose(w_e, w_h, rtol=0, atol=1e-12)
        np.testing.assert_allclose(v_e, (1 - beta) * v_h, rtol=0, atol=1e-12)
    assert np.max(np.abs(w_e - np.array([0.3, -1.2, 2.0]))) > 0.5  # the path went somewhere


def test_ema_and_heavy_ball_differ_with_same_lr():
    # The same lr in both forms is NOT the same optimizer: heavy ball's steps are ~1/(1-beta) times longer.
    w_e = w_h = np.array([0.3, -1.2, 2.0])
    v_e = v_h = np.zeros(3)
    for _ in range(5):
        w_e, v_e = O.momentum_step(w_e, v_e, quad_grad(w_e), lr=0.05, beta=0.9)
        w_h, v_h = O.heavy_ball_step(w_h, v_h, quad_grad(w_h), lr=0.05, mu=0.9)
    assert np.max(np.abs(w_e - w_h)) > 1e-2


def test_torch_dampening_first_step_as_formula():
    """torch ``SGD(momentum=beta, dampening=beta)``: the buffer is g_1 at the first step, then
    b = beta*b + (1-beta)*g, which is the EMA form started from v_0 = g_1 (beta*g_1 + (1-beta)*g_1 = g_1),
    not from v_0 = 0. With dampening = 0 the first buffer g_1 = mu*0 + g_1 is heavy ball from zero,
    so there is no such exception."""
    beta, lr = 0.8, 0.1
    w0 = np.array([0.3, -1.2, 2.0])
    g1 = quad_grad(w0)
    # torch's rule written out: step 1 uses b = g1; later steps use the EMA update.
    w_torch, b = w0 - lr * g1, g1
    w_from_g1, v = O.momentum_step(w0, g1, g1, lr=lr, beta=beta)
    w_from_0, _ = O.momentum_step(w0, np.zeros(3), g1, lr=lr, beta=beta)
    close(w_from_g1, w_torch)
    close(v, b)
    assert np.max(np.abs(w_from_0 - w_torch)) > 0.1  # (1-beta)*lr*g1 instead of lr*g1
    w_hb, v_hb = O.heavy_ball_step(w0, np.zeros(3), g1, lr=lr, mu=beta)
    close(w_hb, w_torch)  # dampening = 0: no first-step exception


def test_nesterov_pytorch_form_and_lookahead_form_visit_the_same_points():
    """Look-ahead form on theta, PyTorch form on w = theta - lr*mu*v (the look-ahead point):
    the velocities agree, and w_k = theta_k - lr*mu*v_k at every step."""
    lr, mu = 0.1, 0.9
    theta = np.array([2.0, -1.0, 0.5])
    v_look = v_pt = np.array([0.3, 0.2, -0.1])  # any shared starting velocity
    w = theta - lr * mu * v_pt
    for _ in range(300):
        theta, v_look = O.nesterov_lookahead_step(theta, v_look, quad_grad, lr=lr, mu=mu)
        w, v_pt = O.nesterov_step(w, v_pt, quad_grad(w), lr=lr, mu=mu)
        np.testing.assert_allclose(v_look, v_pt, rtol=0, atol=1e-12)
        np.testing.assert_allclose(w, theta - lr * mu * v_look, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w, C, atol=1e-2)  # and both approach the minimum


def test_nesterov_is_not_heavy_ball():
    w1, v1 = O.nesterov_step(W, np.array([0.5, -1.0]), G, lr=0.1, mu=0.9)
    w2, v2 = O.heavy_ball_step(W, np.array([0.5, -1.0]), G, lr=0.1, mu=0.9)
    np.testing.assert_array_equal(v1, v2)
    assert np.max(np.abs(w1 - w2)) > 0.05


@pytest.mark.parametrize("g", [1e-3, 1e-2, 0.37, 1.0, 42.0, 1e3, -1e-3, -5.0, -1e3])
def test_adam_first_step_moves_each_coordinate_by_about_lr(g):
    # From zero state at t = 1: m_hat = g, V_hat = g^2, so dw = -lr * g/(|g| + eps), |dw| = lr*(1 - eps/(|g|+eps)).
    lr, eps = 0.01, 1e-8
    gs = np.array([g, -g / 3])
    w, m, V = O.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), gs, 1, lr=lr, eps=eps)
    np.testing.assert_allclose(np.abs(w), lr * np.abs(gs) / (np.abs(gs) + eps), rtol=1e-12)
    assert np.all(np.abs(w) <= lr) and np.all(np.abs(w) > lr * (1 - 1e-4))
    assert np.all(np.sign(w) == -np.sign(gs))


@pytest.mark.parametrize("beta1, beta2", [(0.9, 0.999), (0.9, 0.9), (0.5, 0.99)])
def test_adam_without_bias_correction_first_step_factor(beta1, beta2):
    """Without bias correction the first step is lr*(1-beta1)/sqrt(1-beta2) per coordinate
    (up to eps): m_1 = (1-beta1) g, sqrt(V_1) = sqrt(1-beta2)|g|. That is 3.16*lr for the
    defaults (too large) and 0.316*lr for beta1 = beta2 = 0.9 (too small): either way wrong by
    a factor the bias correction removes."""
    lr, eps = 0.01, 1e-12
    gs = np.array([0.02, -300.0])
    factor = (1 - beta1) / math.sqrt(1 - beta2)
    w_nb, _, _ = O.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), gs, 1, lr=lr, beta1=beta1, beta2=beta2,
                             eps=eps, bias_correction=False)
    w_bc, _, _ = O.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), gs, 1, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    np.testing.assert_allclose(np.abs(w_nb), lr * factor, rtol=1e-8)
    np.testing.assert_allclose(np.abs(w_bc), lr, rtol=1e-8)


def test_adam_without_bias_correction_default_first_step_is_larger_not_smaller():
    w_nb, _, _ = O.adam_step(0.0, 0.0, 0.0, 1.0, 1, lr=1e-3, bias_correction=False)
    assert abs(w_nb) == pytest.approx(1e-3 * 0.1 / math.sqrt(0.001), rel=1e-6)
    assert abs(w_nb) > 3 * 1e-3


def test_newton_solves_a_quadratic_in_one_step():
    rng = np.random.default_rng(7)
    for n in (1, 2, 5, 6):
        Q = rng.normal(size=(n, n))
        H = Q @ Q.T + n * np.eye(n)  # random SPD
        c = rng.normal(size=n)
        w0 = rng.normal(size=n) * 10
        w1 = O.newton_step(w0, H @ (w0 - c), H)
        np.testing.assert_allclose(w1, c, rtol=0, atol=1e-10)


def test_newton_one_step_with_matrix_shaped_parameters():
    # w of shape (2, 3) is flattened in C order: H is 6x6.
    rng = np.random.default_rng(8)
    Q = rng.normal(size=(6, 6))
    H = Q @ Q.T + np.eye(6)
    c = rng.normal(size=(2, 3))
    w0 = np.zeros((2, 3))
    g = (H @ (w0 - c).ravel()).reshape(2, 3)
    w1 = O.newton_step(w0, g, H)
    assert w1.shape == (2, 3)
    np.testing.assert_allclose(w1, c, atol=1e-10)


def test_adagrad_effective_rate_never_increases():
    rng = np.random.default_rng(3)
    lr, eps = 0.5, 1e-10
    w, V = np.zeros(4), np.zeros(4)
    rate = np.full(4, np.inf)
    for _ in range(300):
        g = rng.normal(size=4) * rng.choice([0.0, 0.01, 1.0, 100.0], size=4)  # including zero gradients
        w, V = O.adagrad_step(w, V, g, lr=lr, eps=eps)
        new_rate = lr / (np.sqrt(V) + eps)
        assert np.all(new_rate <= rate)
        rate = new_rate
    assert np.all(rate < lr / 10)  # and it has shrunk a lot


def test_amsgrad_V_max_is_nondecreasing_while_V_decays():
    rng = np.random.default_rng(4)
    w, m, V, V_max = np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3)
    went_down = False
    for t in range(1, 201):
        g = rng.normal(size=3) * (10.0 if t % 50 == 1 else 0.1)  # bursts, then small gradients
        w, m, V_new, V_max_new = O.amsgrad_step(w, m, V, V_max, g, t, lr=0.01, beta2=0.9)
        assert np.all(V_max_new >= V_max)
        assert np.all(V_max_new >= V_new)
        went_down |= bool(np.any(V_new < V))
        V, V_max = V_new, V_max_new
    assert went_down  # V itself decayed somewhere; V_max did not


# ---------------------------------------------------------------------------
# Generic: shapes, dtype, no mutation, int input
# ---------------------------------------------------------------------------

STATE_VALUE = {"gbar": 0.1, "mu_prod": 0.5}  # everything else: 0.5 (keeps V - gbar^2 > 0)


def make_args(step, shape, rng):
    """Positional-by-name arguments for any step function on parameters of ``shape``."""
    kwargs = {"w": rng.normal(size=shape)}
    for name in step.state_names:
        if name in step.scalar_state:
            kwargs[name] = STATE_VALUE.get(name, 0.5)
        else:
            kwargs[name] = np.full(shape, STATE_VALUE.get(name, 0.5)) + 0.1 * rng.random(size=shape)
    if step.needs_grad_fn:
        kwargs["grad_fn"] = lambda x: 2.0 * x
    else:
        kwargs["g"] = rng.normal(size=shape)
    if step.needs_t:
        kwargs["t"] = 3
    if step.needs_hessian:
        n = int(np.prod(shape))
        kwargs["H"] = np.diag(np.linspace(1.0, 2.0, n))
    return kwargs


ALL_STEPS = dict(O.STEP_FUNCTIONS)
RMSPROP_FULL_VARIANTS = [dict(), dict(centered=True), dict(momentum=0.5), dict(centered=True, momentum=0.5)]


def step_cases():
    return list(_step_cases())


def _step_cases():
    for name, step in ALL_STEPS.items():
        if name == "rmsprop_full":
            for extra in RMSPROP_FULL_VARIANTS:
                yield pytest.param(step, extra, id="rmsprop_full-" + ("-".join(extra) or "plain"))
        else:
            yield pytest.param(step, {}, id=name)


def outputs(out):
    return out if isinstance(out, tuple) else (out,)


def test_every_step_function_is_covered():
    assert set(O.STEP_FUNCTIONS) == {
        "gd", "momentum", "heavy_ball", "nesterov", "nesterov_lookahead", "adagrad", "adadelta", "rmsprop", "rmsprop_full", "adam",
        "amsgrad", "adamax", "nadam", "adamw", "radam", "newton"}
    assert set(O.__all__) - {"STEP_FUNCTIONS"} == {f.__name__ for f in ALL_STEPS.values()}


@pytest.mark.parametrize("step, extra", step_cases())
def test_inputs_are_not_mutated(step, extra):
    kwargs = make_args(step, (2, 3), np.random.default_rng(0))
    before = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    step(**kwargs, **extra)
    step.unchecked(**kwargs, **{**step.hyperparameters, **extra})
    for k, v in kwargs.items():
        if isinstance(v, np.ndarray):
            np.testing.assert_array_equal(v, before[k], err_msg=k)
        else:
            assert v is before[k] or v == before[k]


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 2, 2)], ids=str)
@pytest.mark.parametrize("step, extra", step_cases())
def test_shapes_and_float64(step, extra, shape):
    kwargs = make_args(step, shape, np.random.default_rng(1))
    out = outputs(step(**kwargs, **extra))
    assert len(out) == 1 + len(step.state_names)
    for name, value in zip(("w",) + step.state_names, out):
        expected_shape = () if name in step.scalar_state else shape
        assert np.shape(value) == expected_shape, name
        assert np.asarray(value).dtype == np.float64, name
        assert np.isfinite(value).all(), name


@pytest.mark.parametrize("step, extra", [p for p in step_cases() if p.values[0] is not O.newton_step])
def test_elementwise_steps_do_not_depend_on_shape(step, extra):
    # The same numbers as (2, 2, 2) and flattened to (8,) give the same result, element by element.
    kwargs = make_args(step, (2, 2, 2), np.random.default_rng(2))
    flat = {k: (v.ravel() if isinstance(v, np.ndarray) and v.ndim == 3 else v) for k, v in kwargs.items()}
    for a, b in zip(outputs(step(**kwargs, **extra)), outputs(step(**flat, **extra))):
        np.testing.assert_array_equal(np.ravel(a), np.ravel(b))


@pytest.mark.parametrize("step, extra", step_cases())
def test_int_inputs_are_accepted_and_converted(step, extra):
    rng = np.random.default_rng(5)
    kwargs = make_args(step, (3,), rng)
    kwargs["w"] = np.array([1, -2, 3])  # int arrays and Python lists of ints
    if "g" in kwargs:
        kwargs["g"] = [2, 0, -1]
    if step.needs_hessian:
        kwargs["H"] = [[2, 0, 0], [0, 1, 0], [0, 0, 4]]
    float_kwargs = {k: (np.asarray(v, dtype=float) if k in ("w", "g", "H") else v) for k, v in kwargs.items()}
    out_int = outputs(step(**kwargs, **extra))
    out_float = outputs(step(**float_kwargs, **extra))
    assert out_int[0].dtype == np.float64
    for a, b in zip(out_int, out_float):
        np.testing.assert_array_equal(a, b)


def test_int_input_gd_by_hand():
    w = O.gd_step([1, 2], [1, -1], lr=1)
    assert w.dtype == np.float64
    close(w, [0.0, 3.0], 0)


def test_step_functions_report_their_roles():
    assert O.adam_step.state_names == ("m", "V") and O.adam_step.needs_t
    assert O.adagrad_step.state_names == ("V",) and O.adadelta_step.state_names == ("V", "U")
    assert O.amsgrad_step.state_names == ("m", "V", "V_max") and O.adamax_step.state_names == ("m", "u")
    assert O.nadam_step.state_names == ("m", "V", "mu_prod") and O.rmsprop_step.state_names == ("V",)
    assert O.nadam_step.scalar_state == ("mu_prod",)
    assert O.newton_step.needs_hessian and O.newton_step.state_names == ()
    assert O.nesterov_lookahead_step.needs_grad_fn and O.nesterov_lookahead_step.state_names == ("v",)
    assert O.rmsprop_full_step.state_names == ("V", "gbar", "v")
    assert O.adam_step.hyperparameters == {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                                           "bias_correction": True}
    assert not O.gd_step.needs_t and O.gd_step.hyperparameters == {"lr": 0.1}


def test_unchecked_is_the_same_formula():
    rng = np.random.default_rng(6)
    for step, extra in [(p.values[0], p.values[1]) for p in step_cases()]:
        kwargs = make_args(step, (4,), rng)
        for a, b in zip(outputs(step(**kwargs, **extra)),
                        outputs(step.unchecked(**kwargs, **{**step.hyperparameters, **extra}))):
            np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------
# Bad input: the message names the argument and the value
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("g_shape, shown", [((1,), r"\(1,\)"), ((3, 1), r"\(3, 1\)"), ((), r"\(\)"), ((4,), r"\(4,\)")])
def test_gradient_shape_mismatch_is_refused(g_shape, shown):
    # numpy would broadcast (1,) and (3, 1) against (3,); the step functions refuse.
    with pytest.raises(ValueError, match=rf"g \(the gradient\) has shape {shown} but w has shape \(3,\).*no broadcasting"):
        O.gd_step(np.zeros(3), np.ones(g_shape))
    with pytest.raises(ValueError, match=rf"g \(the gradient\) has shape {shown} but w has shape \(3,\)"):
        O.adam_step(np.zeros(3), np.zeros(3), np.zeros(3), np.ones(g_shape), 1)


@pytest.mark.parametrize("step, extra", [p for p in step_cases() if p.values[0].state_names])
def test_state_shape_mismatch_is_refused(step, extra):
    kwargs = make_args(step, (3,), np.random.default_rng(9))
    name = next(n for n in step.state_names if n not in step.scalar_state)
    kwargs[name] = np.ones((1,))
    with pytest.raises(ValueError, match=rf"{name} has shape \(1,\) but w has shape \(3,\)"):
        step(**kwargs, **extra)


def test_newton_hessian_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match=r"H \(the Hessian\) must have shape \(2, 2\) for w of shape \(2,\), got \(3, 3\)"):
        O.newton_step(np.zeros(2), np.ones(2), np.eye(3))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_gradient_is_refused(bad):
    g = np.array([1.0, bad, 0.0])
    with pytest.raises(ValueError, match=rf"g \(the gradient\) contains a non-finite value \({bad}.*index \(1,\)"):
        O.gd_step(np.zeros(3), g)
    with pytest.raises(ValueError, match=r"g \(the gradient\) contains a non-finite value.*lower the learning rate"):
        O.adam_step(np.zeros(3), np.zeros(3), np.zeros(3), g, 1)


def test_nonfinite_state_and_parameters_are_refused():
    with pytest.raises(ValueError, match=r"V contains a non-finite value \(nan at index \(0,\)\)"):
        O.rmsprop_step(np.zeros(2), np.array([np.nan, 1.0]), np.ones(2))
    with pytest.raises(ValueError, match=r"H \(the Hessian\) contains a non-finite value \(inf"):
        O.newton_step(np.zeros(2), np.ones(2), np.array([[1.0, np.inf], [0.0, 1.0]]))


@pytest.mark.parametrize("step, extra", step_cases())
def test_nonfinite_parameters_are_refused(step, extra):
    kwargs = make_args(step, (3,), np.random.default_rng(15))
    kwargs["w"] = np.array([0.0, np.inf, 1.0])
    with pytest.raises(ValueError, match=r"^w contains a non-finite value \(inf at index \(1,\)\)"):
        step(**kwargs, **extra)


def test_nonfinite_scalar_gradient_is_refused():
    with pytest.raises(ValueError, match=r"g \(the gradient\) contains a non-finite value \(nan at index \(\)\)"):
        O.gd_step(1.0, float("nan"))


@pytest.mark.parametrize("lr", [0, 0.0, -0.1, float("inf")])
def test_nonpositive_lr_is_refused(lr):
    with pytest.raises(ValueError, match=rf"lr must be a finite number > 0, got {lr!r}"):
        O.gd_step(np.zeros(2), np.ones(2), lr=lr)
    with pytest.raises(ValueError, match=rf"lr must be a finite number > 0, got {lr!r}"):
        O.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.ones(2), 1, lr=lr)


def test_nan_hyperparameters_are_refused_with_the_allowed_range():
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0, got nan$"):
        O.gd_step(np.zeros(2), np.ones(2), lr=float("nan"))
    with pytest.raises(ValueError, match=r"^beta2 must be a number in \[0, 1\), got nan$"):
        O.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.ones(2), 1, beta2=float("nan"))
    with pytest.raises(ValueError, match=r"^weight_decay must be a finite number >= 0, got nan$"):
        O.adamw_step(np.zeros(2), np.zeros(2), np.zeros(2), np.ones(2), 1, weight_decay=float("nan"))
    with pytest.raises(ValueError, match=r"^eps must be a finite number > 0, got nan$"):
        optimlab.make("rmsprop", eps=float("nan"))


BETA_ARGS = [
    (O.momentum_step, "beta"), (O.heavy_ball_step, "mu"), (O.nesterov_step, "mu"), (O.adadelta_step, "rho"),
    (O.rmsprop_step, "alpha"), (O.rmsprop_full_step, "momentum"), (O.adam_step, "beta1"), (O.adam_step, "beta2"),
    (O.amsgrad_step, "beta2"), (O.adamax_step, "beta1"), (O.nadam_step, "beta1"), (O.adamw_step, "beta2"),
    (O.radam_step, "beta1"),
]


@pytest.mark.parametrize("value", [1.0, -0.1, 1.5])
@pytest.mark.parametrize("step, arg", BETA_ARGS, ids=[f"{s.__name__}-{a}" for s, a in BETA_ARGS])
def test_beta_outside_unit_interval_is_refused(step, arg, value):
    kwargs = make_args(step, (2,), np.random.default_rng(10))
    with pytest.raises(ValueError, match=rf"{arg} must be in \[0, 1\), got {value!r}"):
        step(**kwargs, **{arg: value})


EPS_STEPS = [O.adagrad_step, O.adadelta_step, O.rmsprop_step, O.rmsprop_full_step, O.adam_step, O.amsgrad_step,
             O.adamax_step, O.nadam_step, O.adamw_step, O.radam_step]


@pytest.mark.parametrize("value", [0.0, -1e-8])
@pytest.mark.parametrize("step", EPS_STEPS, ids=lambda s: s.__name__)
def test_nonpositive_eps_is_refused(step, value):
    kwargs = make_args(step, (2,), np.random.default_rng(11))
    with pytest.raises(ValueError, match=rf"eps must be a finite number > 0, got {value!r}"):
        step(**kwargs, eps=value)


@pytest.mark.parametrize("arg, step", [("weight_decay", O.adamw_step), ("damping", O.newton_step),
                                       ("momentum_decay", O.nadam_step)])
def test_negative_nonnegative_hyperparameters_are_refused(arg, step):
    kwargs = make_args(step, (2,), np.random.default_rng(12))
    with pytest.raises(ValueError, match=rf"{arg} must be a finite number >= 0, got -0.5"):
        step(**kwargs, **{arg: -0.5})


@pytest.mark.parametrize("step", [s for s in ALL_STEPS.values() if s.needs_t], ids=lambda s: s.__name__)
def test_t_zero_is_refused(step):
    kwargs = make_args(step, (2,), np.random.default_rng(13))
    kwargs["t"] = 0
    with pytest.raises(ValueError, match=r"^t \(the step index, 1 for the first step\) must be an integer >= 1, got 0$"):
        step(**kwargs)


@pytest.mark.parametrize("t", [1.0, 2.5, "1", True])
def test_non_integer_t_is_refused(t):
    with pytest.raises(TypeError, match=r"t \(the step index, 1 for the first step\) must be an integer >= 1, got .* of type"):
        O.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.ones(2), t)


def test_numpy_integer_t_is_accepted():
    a = O.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.ones(2), np.int64(3))
    b = O.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.ones(2), 3)
    np.testing.assert_array_equal(a[0], b[0])


@pytest.mark.parametrize("bad, shown", [("abc", "'abc'"), (None, "None"), (True, "True"), ([1, "a"], r"\[1, 'a'\]"),
                                        (1 + 2j, r"\(1\+2j\)"), ({"w": 1}, r"\{'w': 1\}")])
def test_non_numeric_parameters_are_refused(bad, shown):
    with pytest.raises(TypeError, match=rf"w must be a real number or an array of real numbers, got {shown}"):
        O.gd_step(bad, 1.0)


def test_non_numeric_gradient_state_and_hyperparameter_are_refused():
    with pytest.raises(TypeError, match=r"g \(the gradient\) must be a real number or an array of real numbers, got 'x'"):
        O.gd_step(1.0, "x")
    with pytest.raises(TypeError, match=r"v must be a real number or an array of real numbers, got None"):
        O.momentum_step(np.zeros(2), None, np.ones(2))
    with pytest.raises(TypeError, match=r"lr must be a finite number > 0, got '0.1' of type str"):
        O.gd_step(np.zeros(2), np.ones(2), lr="0.1")
    with pytest.raises(TypeError, match=r"beta1 must be a number in \[0, 1\), got \[0.9\] of type list"):
        O.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.ones(2), 1, beta1=[0.9])


@pytest.mark.parametrize("value", ["False", "True", 0, 1, 1.0, None, np.float64(0.0)])
def test_switches_must_be_true_or_false(value):
    # bool("False") is True: a string would silently run the centered variant.
    shown = repr(value) if not isinstance(value, np.floating) else "np.float64\\(0.0\\)|0.0"
    with pytest.raises(TypeError, match=rf"^centered must be True or False, got ({shown}) of type {type(value).__name__}"):
        O.rmsprop_full_step(np.zeros(2), np.ones(2), np.zeros(2), np.zeros(2), np.ones(2), centered=value)
    with pytest.raises(TypeError, match=rf"^bias_correction must be True or False, got ({shown}) of type"):
        O.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.ones(2), 1, bias_correction=value)
    with pytest.raises(TypeError, match=r"^centered must be True or False"):
        optimlab.make("rmsprop_full", centered=value)


def test_string_switch_names_the_likely_mistake():
    with pytest.raises(TypeError, match=r"centered must be True or False, got 'False' of type str "
                                        r"\(a string: write False without quotes\)"):
        optimlab.make("rmsprop_full", centered="False")
    # numpy booleans are fine and give the same numbers as Python's
    a = O.rmsprop_full_step(W, np.ones(2), np.zeros(2), np.zeros(2), G, centered=np.bool_(True))
    b = O.rmsprop_full_step(W, np.ones(2), np.zeros(2), np.zeros(2), G, centered=True)
    np.testing.assert_array_equal(a[0], b[0])


NONNEGATIVE = [
    (O.adagrad_step, "V", "V is a second moment"),
    (O.rmsprop_step, "V", "V is a second moment"),
    (O.rmsprop_full_step, "V", "V is a second moment"),
    (O.adadelta_step, "V", "V is a second moment"),
    (O.adadelta_step, "U", "U is an average of squared updates"),
    (O.adam_step, "V", "V is a second moment"),
    (O.amsgrad_step, "V", "V is a second moment"),
    (O.amsgrad_step, "V_max", "V_max is a running maximum of the second moment V"),
    (O.adamax_step, "u", "u is an infinity norm"),
    (O.nadam_step, "V", "V is a second moment"),
    (O.adamw_step, "V", "V is a second moment"),
    (O.radam_step, "V", "V is a second moment"),
]


@pytest.mark.parametrize("step, name, why", NONNEGATIVE, ids=[f"{s.__name__}-{n}" for s, n, _ in NONNEGATIVE])
def test_negative_second_moments_are_refused(step, name, why):
    # sqrt of a negative V would be nan with a RuntimeWarning; the step refuses and says why.
    kwargs = make_args(step, (3,), np.random.default_rng(14))
    kwargs[name] = np.array([0.5, -0.25, 0.5])
    with pytest.raises(ValueError, match=rf"^{name} must be >= 0 everywhere \({why}.*\), got -0.25 at index \(1,\)$"):
        step(**kwargs)
    kwargs[name] = np.array([0.5, 0.0, 0.5])  # zero is allowed: it is the initial state
    step(**kwargs)


def test_centered_rmsprop_refuses_V_below_gbar_squared():
    # V = [1, 1], gbar = [0.5, 2]: V - gbar^2 = [0.75, -3] < 0 at index 1, sqrt would be nan.
    with pytest.raises(ValueError, match=r"V - gbar\*\*2 must be >= 0 for centered RMSprop .*got -3.0 at index \(1,\)"):
        O.rmsprop_full_step(np.zeros(2), np.ones(2), np.array([0.5, 2.0]), np.zeros(2), np.ones(2), centered=True)
    # Rounding below zero (relative 1e-12) is not a violation: V = 1, gbar^2 = 1 + 2e-16.
    gbar = np.nextafter(1.0, 2.0)
    assert 1.0 - gbar**2 < 0
    O.rmsprop_full_step(np.zeros(1), np.ones(1), np.array([gbar]), np.zeros(1), np.ones(1), centered=True)
    # Not centered: gbar is unused and may be anything finite.
    O.rmsprop_full_step(np.zeros(2), np.ones(2), np.array([0.5, 2.0]), np.zeros(2), np.ones(2), centered=False)


def test_ragged_lists_name_the_argument():
    with pytest.raises(ValueError, match=r"^g \(the gradient\) is a ragged list \(its items have lengths \[2, 1\]\), "
                                         r"got \[\[1, 2\], \[3\]\]; an array needs every row to have the same length$"):
        O.gd_step(np.zeros((2, 2)), [[1, 2], [3]])
    with pytest.raises(ValueError, match=r"^w is a ragged list \(its items have lengths \[2, 'a number'\]\)"):
        O.gd_step([[1, 2], 3], np.zeros(2))
    with pytest.raises(ValueError, match=r"^V is a ragged list"):
        O.adagrad_step(np.zeros((2, 2)), [[0.0], [0.0, 0.0]], np.zeros((2, 2)))


def test_scalar_state_must_be_one_number():
    with pytest.raises(ValueError, match=r"mu_prod must be a single number \(it is shared by all coordinates\), "
                                         r"got an array of shape \(2,\)"):
        O.nadam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.ones(2), np.ones(2), 1)


def test_unknown_and_missing_arguments_name_the_signature():
    with pytest.raises(TypeError, match=r"adam_step\(w, m, V, g, t, .*\): got an unexpected keyword argument 'lrate'"):
        O.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.ones(2), 1, lrate=0.1)
    with pytest.raises(TypeError, match=r"adam_step\(.*\): missing a required argument: 't'"):
        O.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.ones(2))


def test_singular_hessian_is_refused():
    with pytest.raises(ValueError, match=r"H \+ damping \* I is singular \(damping=0.0\).*Use damping > 0"):
        O.newton_step(np.array([1.0, 1.0]), np.array([1.0, 2.0]), np.array([[1.0, 1.0], [1.0, 1.0]]))
    # damping makes the same Hessian invertible: (H + I) = [[2, 1], [1, 2]], (H + I)^-1 [3, 3] = [1, 1]
    close(O.newton_step(np.array([1.0, 1.0]), np.array([3.0, 3.0]), np.array([[1.0, 1.0], [1.0, 1.0]]), damping=1.0),
          [0.0, 0.0])


def test_lookahead_gradient_of_wrong_shape_or_nan_is_refused():
    with pytest.raises(ValueError, match=r"grad_fn's result \(the gradient\) has shape \(1,\) but w has shape \(2,\)"):
        O.nesterov_lookahead_step(np.zeros(2), np.zeros(2), lambda x: np.ones(1))
    with pytest.raises(ValueError, match=r"grad_fn's result \(the gradient\) has shape \(2, 1\) but w has shape \(2,\)"):
        O.nesterov_lookahead_step(np.zeros(2), np.zeros(2), lambda x: np.ones((2, 1)))
    with pytest.raises(ValueError, match=r"grad_fn's result \(the gradient\) contains a non-finite value \(nan at index \(1,\)\)"):
        O.nesterov_lookahead_step(np.zeros(2), np.zeros(2), lambda x: np.array([0.0, np.nan]))
    with pytest.raises(TypeError, match=r"grad_fn must be a function \(it maps parameters w to the gradient at w\), got 3"):
        O.nesterov_lookahead_step(np.zeros(2), np.zeros(2), 3)


@pytest.mark.parametrize("name", ["adamm", "Adam ", "sgd", ""])
def test_unknown_optimizer_names_list_the_known_ones(name):
    known = r"known optimizers: gd, momentum, heavy_ball, nesterov, nesterov_lookahead, adagrad, adadelta, rmsprop, " \
            r"rmsprop_centered, rmsprop_momentum, rmsprop_full, adam, amsgrad, adamax, nadam, adamw, radam, newton"
    with pytest.raises(ValueError, match=rf"unknown optimizer name {name!r}.*; {known}"):
        optimlab.make(name)
    with pytest.raises(ValueError, match=rf"unknown optimizer name {name!r}"):
        optimlab.get_info(name)


def test_unknown_name_suggests_the_close_one():
    with pytest.raises(ValueError, match=r"unknown optimizer name 'Heavy-Ball' \(did you mean 'heavy_ball'\?\)"):
        optimlab.get_info("Heavy-Ball")


def test_unknown_hyperparameters_are_a_type_error():
    with pytest.raises(TypeError, match=r"adam got unknown hyperparameter\(s\) \['betas'\]; it accepts .*'beta1'"):
        optimlab.make("adam", betas=(0.9, 0.99))
    with pytest.raises(TypeError, match=r"gd got unknown hyperparameter\(s\) \['momentum'\]"):
        optimlab.make("gd", momentum=0.9)


def test_bad_hyperparameter_values_in_make_name_the_argument():
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got -0.1"):
        optimlab.make("adam", lr=-0.1)
    with pytest.raises(ValueError, match=r"beta2 must be in \[0, 1\), got 1.0"):
        optimlab.make("adam", beta2=1.0)
    with pytest.raises(TypeError, match=r"optimizer name must be a string, got 3"):
        optimlab.get_info(3)
