"""The checks of notebook 04 (momentum): the reference passes, each typical mistake is named.

The wrong implementations below are written the way a learner would write them (loops,
plain numpy), independently of the variants inside optimlab.checks.momentum.
"""
import numpy as np
import pytest

import optimlab
from optimlab.checks import ExerciseFailure
from optimlab.checks import momentum as checks


# --------------------------------------------------------------------------- reference values by hand

def test_reference_ema_hand_values():
    # v1 = 0.1, v2 = 0.9*0.1 + 0.1 = 0.19, v3 = 0.9*0.19 + 0.1 = 0.271 (= 1 - 0.9**t)
    np.testing.assert_allclose(checks.reference_ema(np.ones(3), 0.9), [0.1, 0.19, 0.271], rtol=0, atol=1e-15)
    # x = [2, 3, 5], beta = 0.8: v1 = 0.4, v2 = 0.32 + 0.6 = 0.92, v3 = 0.736 + 1.0 = 1.736
    np.testing.assert_allclose(checks.reference_ema([2.0, 3.0, 5.0], 0.8), [0.4, 0.92, 1.736], rtol=0, atol=1e-14)


def test_reference_steps_hand_values():
    # momentum (EMA form): v = 0.8*1 + 0.2*10 = 2.8, w = 5 - 0.1*2.8 = 4.72
    w, v = checks._ref_momentum_step(np.array(5.0), np.array(1.0), np.array(10.0), 0.1, 0.8)
    assert (float(w), float(v)) == pytest.approx((4.72, 2.8), abs=1e-14)
    # heavy ball: v = 0.9*1 + 10 = 10.9, w = 5 - 0.05*10.9 = 4.455
    w, v = checks._ref_heavy_ball_step(np.array(5.0), np.array(1.0), np.array(10.0), 0.05, 0.9)
    assert (float(w), float(v)) == pytest.approx((4.455, 10.9), abs=1e-14)


# --------------------------------------------------------------------------- learner solutions

def ema_ok(values, beta):
    v, out = 0.0, []
    for x in values:
        v = beta * v + (1 - beta) * x
        out.append(v)
    return np.array(out)


def momentum_ok(w, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    return w - lr * v, v


def heavy_ball_ok(w, v, g, lr, mu):
    v = mu * v + g
    return w - lr * v, v


@pytest.mark.parametrize("hidden, n_ema, n_steps", [(False, 3, 7), (True, 8, 22)])
def test_correct_solutions_pass(hidden, n_ema, n_steps, capsys):
    # The checks return None (nbgrader would read a number at the end of a test cell as
    # partial credit) and print how much they checked.
    assert checks.check_ema(ema_ok, hidden=hidden) is None
    assert checks.check_momentum_step(momentum_ok, hidden=hidden) is None
    assert checks.check_heavy_ball_step(heavy_ball_ok, hidden=hidden) is None
    # the library's own functions pass too
    checks.check_momentum_step(optimlab.momentum_step, hidden=hidden)
    checks.check_heavy_ball_step(optimlab.heavy_ball_step, hidden=hidden)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"ema: all {n_ema} cases passed."
    assert out[1] == f"momentum_step: all {2 if not hidden else 5} cases passed ({n_steps} steps checked)."
    assert out[2] == f"heavy_ball_step: all {2 if not hidden else 5} cases passed ({n_steps} steps checked)."
    assert len(out) == 5


# --------------------------------------------------------------------------- ema mistakes

def ema_swapped(values, beta):
    v, out = 0.0, []
    for x in values:
        v = (1 - beta) * v + beta * x
        out.append(v)
    return np.array(out)


def ema_no_damping(values, beta):
    v, out = 0.0, []
    for x in values:
        v = beta * v + x
        out.append(v)
    return np.array(out)


def ema_bias_corrected(values, beta):
    v, out = 0.0, []
    for t, x in enumerate(values, start=1):
        v = beta * v + (1 - beta) * x
        out.append(v / (1 - beta**t))
    return np.array(out)


def ema_start_at_first(values, beta):
    v, out = values[0], []
    for x in values:
        v = beta * v + (1 - beta) * x
        out.append(v)
    return np.array(out)


def ema_shifted(values, beta):
    out = np.zeros(len(values))
    for t in range(1, len(values)):
        out[t] = beta * out[t - 1] + (1 - beta) * values[t - 1]
    return out


def ema_running_mean(values, beta):
    return np.cumsum(values) / np.arange(1, len(values) + 1)


def ema_in_place(values, beta):
    for t in range(len(values)):
        values[t] = beta * (values[t - 1] if t else 0.0) + (1 - beta) * values[t]
    return values


def ema_with_v0(values, beta):
    out = [0.0]
    for x in values:
        out.append(beta * out[-1] + (1 - beta) * x)
    return np.array(out)


def ema_no_return(values, beta):
    v = 0.0
    for x in values:
        v = beta * v + (1 - beta) * x


def ema_not_done(values, beta):
    raise NotImplementedError()


@pytest.mark.parametrize("fn, hint", [
    (ema_swapped, "beta and 1 - beta are swapped"),
    (ema_no_damping, "beta * v + x instead of beta * v + (1 - beta) * x"),
    (ema_bias_corrected, "bias correction v_t / (1 - beta**t) was applied"),
    (ema_start_at_first, "started at v_0 = x_1"),
    (ema_shifted, "shifted by one step"),
    (ema_running_mean, "plain running mean"),
    (ema_in_place, "modified its input `values` in place"),
    (ema_with_v0, "v_0 = 0 was included in the output"),
    (ema_no_return, "forget the `return`"),
    (ema_not_done, "not implemented yet"),
])
@pytest.mark.parametrize("hidden", [False, True])
def test_ema_mistakes_are_named(fn, hint, hidden):
    with pytest.raises(ExerciseFailure) as info:
        checks.check_ema(fn, hidden=hidden)
    assert hint in str(info.value)


def test_failure_message_shows_case_expected_and_got():
    with pytest.raises(ExerciseFailure) as info:
        checks.check_ema(ema_swapped)
    msg = str(info.value)
    assert msg.startswith("ema, case x = [2, 3, 5, 7, 11], beta=0.8: `v` is wrong.")
    assert "expected: [0.4 " in msg and "got:      [ 1.6 " in msg  # (1-0.8)*2 = 0.4 vs 0.8*2 = 1.6


def test_small_error_is_caught():
    def ema_slightly_off(values, beta):
        return ema_ok(values, beta) * (1 + 1e-4)
    with pytest.raises(ExerciseFailure, match="1.0001 times the correct value in every entry"):
        checks.check_ema(ema_slightly_off)


# --------------------------------------------------------------------------- momentum_step mistakes

def mom_swapped(w, v, g, lr, beta):
    v = (1 - beta) * v + beta * g
    return w - lr * v, v


def mom_heavy_ball(w, v, g, lr, beta):
    v = beta * v + g
    return w - lr * v, v


def mom_uses_g(w, v, g, lr, beta):
    v_new = beta * v + (1 - beta) * g
    return w - lr * g, v_new


def mom_old_v(w, v, g, lr, beta):
    w_new = w - lr * v
    v = beta * v + (1 - beta) * g
    return w_new, v


def mom_sign(w, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    return w + lr * v, v


def mom_no_lr(w, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    return w - v, v


def mom_wrong_order(w, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    return v, w - lr * v


def mom_in_place_v(w, v, g, lr, beta):
    v *= beta
    v += (1 - beta) * g
    return w - lr * v, v


def mom_in_place_w(w, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    w -= lr * v
    return w, v


def mom_returns_w_only(w, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    return w - lr * v


def mom_not_done(w, v, g, lr, beta):
    raise NotImplementedError()


@pytest.mark.parametrize("fn, hint", [
    (mom_swapped, "beta and 1 - beta are swapped"),
    (mom_heavy_ball, "beta * v + g instead of beta * v + (1 - beta) * g"),
    (mom_uses_g, "updated with the gradient g instead of the velocity v"),
    (mom_old_v, "updated with the old v"),
    (mom_sign, "w - lr * v, not w + lr * v"),
    (mom_no_lr, "the learning rate is missing"),
    (mom_wrong_order, "return (w, v), parameters first"),
    (mom_in_place_v, "modified its input `v` in place"),
    (mom_in_place_w, "modified its input `w` in place"),
    (mom_returns_w_only, "must return a tuple (w, v)"),
    (mom_not_done, "not implemented yet"),
])
@pytest.mark.parametrize("hidden", [False, True])
def test_momentum_mistakes_are_named(fn, hint, hidden):
    with pytest.raises(ExerciseFailure) as info:
        checks.check_momentum_step(fn, hidden=hidden)
    assert hint in str(info.value)


def test_momentum_error_only_after_first_step_is_explained():
    # Right formula, but beta is replaced by 0.9 from the second call on: the message points at state.
    calls = {"n": 0}

    def drifting(w, v, g, lr, beta):
        calls["n"] += 1
        b = beta if calls["n"] == 1 else 0.9
        v = b * v + (1 - b) * g
        return w - lr * v, v

    with pytest.raises(ExerciseFailure) as info:
        checks.check_momentum_step(drifting)
    assert "step 2 of 4" in str(info.value)
    assert "the first steps were right" in str(info.value)


# --------------------------------------------------------------------------- heavy_ball_step mistakes

def hb_ema(w, v, g, lr, mu):
    v = mu * v + (1 - mu) * g
    return w - lr * v, v


def hb_uses_g(w, v, g, lr, mu):
    return w - lr * g, mu * v + g


def hb_old_v(w, v, g, lr, mu):
    w_new = w - lr * v
    return w_new, mu * v + g


def hb_sign(w, v, g, lr, mu):
    v = mu * v + g
    return w + lr * v, v


def hb_nesterov(w, v, g, lr, mu):
    v = mu * v + g
    return w - lr * (g + mu * v), v


def hb_keras(w, v, g, lr, mu):
    v = mu * v + lr * g
    return w - v, v


def hb_wrong_order(w, v, g, lr, mu):
    v = mu * v + g
    return v, w - lr * v


def hb_in_place(w, v, g, lr, mu):
    v *= mu
    v += g
    return w - lr * v, v


def hb_not_done(w, v, g, lr, mu):
    raise NotImplementedError()


@pytest.mark.parametrize("fn, hint", [
    (hb_ema, "mu * v + (1 - mu) * g instead of mu * v + g"),
    (hb_uses_g, "updated with the gradient g instead of the velocity v"),
    (hb_old_v, "updated with the old v"),
    (hb_sign, "w - lr * v, not w + lr * v"),
    (hb_nesterov, "that is Nesterov's update"),
    (hb_keras, "lr went into the velocity"),
    (hb_wrong_order, "return (w, v), parameters first"),
    (hb_in_place, "modified its input `v` in place"),
    (hb_not_done, "not implemented yet"),
])
@pytest.mark.parametrize("hidden", [False, True])
def test_heavy_ball_mistakes_are_named(fn, hint, hidden):
    with pytest.raises(ExerciseFailure) as info:
        checks.check_heavy_ball_step(fn, hidden=hidden)
    assert hint in str(info.value)


def test_cases_avoid_beta_one_half():
    # At beta = 0.5, swapping beta and 1 - beta is invisible; no case may use it.
    for hidden in (False, True):
        for case in checks._ema_cases(hidden):
            assert case.inputs["beta"] != 0.5
        for case in checks._step_cases(hidden, "beta", (0.8, 0.95), (0.3, 0.7, 0.99), (0.1, 0.3), seed=44):
            assert case.inputs["beta"] != 0.5 and case.inputs["lr"] != 1.0
            assert np.any(case.inputs["v"] != 0) and case.steps >= 3
