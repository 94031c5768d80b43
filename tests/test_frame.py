"""optimlab.frame: seed 004's one frame reproduces the library's SGD, SGDM, AdaGrad, RMSprop and Adam."""
import numpy as np
import pytest

import optimlab
from optimlab import frame


def _library(method, w, m, V, g, t, lr, beta1, beta2, eps):
    # The library's step functions, called positionally, with the frame's (m, V) around them.
    if method == "sgd":
        return optimlab.gd_step(w, g, lr), g, np.ones_like(w)
    if method == "sgdm":
        w, m = optimlab.momentum_step(w, m, g, lr, beta1)
        return w, m, np.ones_like(w)
    if method == "adagrad":
        w, V = optimlab.adagrad_step(w, V, g, lr, eps)
        return w, g, V
    if method == "rmsprop":
        w, V = optimlab.rmsprop_step(w, V, g, lr, beta2, eps)
        return w, g, V
    return optimlab.adam_step(w, m, V, g, t, lr, beta1, beta2, eps)


@pytest.mark.parametrize("method", frame.METHODS)
def test_frame_reproduces_the_library(method):
    rng = np.random.default_rng(4)
    A = rng.uniform(0.1, 3.0, size=5)
    w = rng.normal(size=5)
    m = rng.normal(size=5) if method in ("sgdm", "adam") else np.zeros(5)
    V = rng.uniform(0.1, 2.0, size=5) if method in ("adagrad", "rmsprop", "adam") else np.ones(5)
    wl, ml, Vl = w.copy(), m.copy(), V.copy()
    for t in range(3, 53):              # from non-zero state, t not starting at 1
        w, m, V = frame.frame_step(w, m, V, A * w, t, 0.05, method, 0.8, 0.95, 0.3)
        wl, ml, Vl = _library(method, wl, ml, Vl, A * wl, t, 0.05, 0.8, 0.95, 0.3)
        for a, b in ((w, wl), (m, ml), (V, Vl)):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_adam_first_step_by_hand():
    # m_1 = 0.1 * 2 = 0.2, V_1 = 0.001 * 4 = 0.004, m_hat = 2, V_hat = 4: w_1 = 1 - 0.1 * 2 / (2 + 0.5) = 0.92
    w, m, V = frame.frame_step(np.array([1.0]), np.zeros(1), np.zeros(1), np.array([2.0]), 1, 0.1, "adam",
                               0.9, 0.999, 0.5)
    assert w[0] == pytest.approx(0.92, abs=1e-15)
    assert m[0] == pytest.approx(0.2, abs=1e-15) and V[0] == pytest.approx(0.004, abs=1e-15)


def test_sgd_has_no_eps_and_unit_second_moment():
    w, m, V = frame.frame_step(np.array([1.0, 2.0]), np.zeros(2), np.ones(2), np.array([3.0, -1.0]), 1, 0.1,
                               "sgd", eps=0.5)
    np.testing.assert_array_equal(w, [0.7, 2.1])
    np.testing.assert_array_equal(m, [3.0, -1.0])
    np.testing.assert_array_equal(V, [1.0, 1.0])


def test_state_is_the_raw_moment():
    # The bias correction changes the step, never the state carried to step t + 1.
    _, m, V = frame.frame_step(np.zeros(1), np.zeros(1), np.zeros(1), np.ones(1), 1, 0.1, "adam", 0.9, 0.99)
    assert m[0] == pytest.approx(0.1) and V[0] == pytest.approx(0.01)


def test_table_and_names():
    assert set(frame.FRAME) == set(frame.METHODS) == set(frame.REGISTRY_NAME)
    for name in frame.REGISTRY_NAME.values():
        assert name in optimlab.optimizer_names()


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method must be one of 'sgd', 'sgdm'.*got 'momentum'"):
        frame.frame_step(np.zeros(1), np.zeros(1), np.zeros(1), np.ones(1), 1, 0.1, "momentum")
