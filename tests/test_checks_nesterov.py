"""The check of notebook 05 (Nesterov): the reference passes, each typical mistake is named.

The wrong implementations are written the way a learner would write them, independently
of the variants inside optimlab.checks.nesterov.
"""
import numpy as np
import pytest

import optimlab
from optimlab.checks import ExerciseFailure
from optimlab.checks import nesterov as checks


def test_reference_hand_values():
    # v = 0.9*1 + 10 = 10.9; w = 5 - 0.05*(10 + 0.9*10.9) = 5 - 0.05*19.81 = 4.0095
    w, v = checks._ref_nesterov_step(np.array(5.0), np.array(1.0), np.array(10.0), 0.05, 0.9)
    assert (float(w), float(v)) == pytest.approx((4.0095, 10.9), abs=1e-14)


def nesterov_ok(w, v, g, lr, mu):
    v = mu * v + g
    return w - lr * (g + mu * v), v


@pytest.mark.parametrize("hidden, n_cases, n_steps", [(False, 2, 7), (True, 5, 22)])
def test_correct_solutions_pass(hidden, n_cases, n_steps, capsys):
    # None, not a count: nbgrader reads a number at the end of a test cell as partial credit.
    assert checks.check_nesterov_step(nesterov_ok, hidden=hidden) is None
    checks.check_nesterov_step(optimlab.nesterov_step, hidden=hidden)
    expected = f"nesterov_step: all {n_cases} cases passed ({n_steps} steps checked)."
    assert capsys.readouterr().out.splitlines() == [expected, expected]


def nag_heavy_ball(w, v, g, lr, mu):
    v = mu * v + g
    return w - lr * v, v


def nag_old_v(w, v, g, lr, mu):
    # the look-ahead term with the velocity from before the update
    w_new = w - lr * (g + mu * v)
    return w_new, mu * v + g


def nag_no_mu(w, v, g, lr, mu):
    v = mu * v + g
    return w - lr * (g + v), v


def nag_ema(w, v, g, lr, mu):
    v = mu * v + (1 - mu) * g
    return w - lr * (g + mu * v), v


def nag_sign(w, v, g, lr, mu):
    v = mu * v + g
    return w + lr * (g + mu * v), v


def nag_minus_momentum(w, v, g, lr, mu):
    v = mu * v + g
    return w - lr * (g - mu * v), v


def nag_keras_sign(w, v, g, lr, mu):
    v = mu * v - g
    return w + lr * (mu * v - g), v


def nag_keras_lr(w, v, g, lr, mu):
    v = mu * v + lr * g
    return w - lr * g - mu * v, v


def nag_wrong_order(w, v, g, lr, mu):
    v = mu * v + g
    return v, w - lr * (g + mu * v)


def nag_in_place(w, v, g, lr, mu):
    v *= mu
    v += g
    return w - lr * (g + mu * v), v


def nag_in_place_w(w, v, g, lr, mu):
    v = mu * v + g
    w -= lr * (g + mu * v)
    return w, v


def nag_no_return(w, v, g, lr, mu):
    v = mu * v + g
    w = w - lr * (g + mu * v)


def nag_not_done(w, v, g, lr, mu):
    raise NotImplementedError()


@pytest.mark.parametrize("fn, hint", [
    (nag_heavy_ball, "this is the plain heavy-ball update"),
    (nag_old_v, "this is the plain heavy-ball update"),   # g + mu*v_old is the heavy-ball step
    (nag_old_v, "uses the NEW v in the look-ahead term"),
    (nag_no_mu, "g + v instead of g + mu * v"),
    (nag_ema, "the factor (1 - mu) belongs to the EMA form"),
    (nag_sign, "the step goes downhill"),
    (nag_minus_momentum, "the sign of the momentum term"),
    (nag_keras_sign, "v has the opposite sign"),
    (nag_keras_lr, "lr went into the velocity"),
    (nag_wrong_order, "return (w, v), parameters first"),
    (nag_in_place, "modified its input `v` in place"),
    (nag_in_place_w, "modified its input `w` in place"),
    (nag_no_return, "forget the `return`"),
    (nag_not_done, "not implemented yet"),
])
@pytest.mark.parametrize("hidden", [False, True])
def test_nesterov_mistakes_are_named(fn, hint, hidden):
    with pytest.raises(ExerciseFailure) as info:
        checks.check_nesterov_step(fn, hidden=hidden)
    assert hint in str(info.value)


def test_old_v_mistake_equals_heavy_ball():
    # Why one hint covers both: w - lr*(g + mu*v_old) == w - lr*(mu*v_old + g).
    rng = np.random.default_rng(0)
    w, v, g = rng.normal(size=(3, 4))
    np.testing.assert_allclose(nag_old_v(w, v, g, 0.1, 0.9)[0], nag_heavy_ball(w, v, g, 0.1, 0.9)[0], rtol=1e-15)


def test_failure_message_names_case_and_step():
    with pytest.raises(ExerciseFailure) as info:
        checks.check_nesterov_step(nag_no_mu)
    msg = str(info.value)
    assert msg.startswith("nesterov_step, case 3 coordinates on f = 0.1 x^2 + 2 y^2 + 0.75 z^2, non-zero v, "
                          "lr=0.02, mu=0.75, step 1 of 4: `w` is wrong.")
    # g = (0.2, -8, 0.75), v = 0.75 v0 + g = (0.575, -8.75, 2.25);
    # expected w = w0 - 0.02 (g + 0.75 v) = (0.987375, -1.70875, 0.45125); with g + v: (0.9845, -1.665, 0.44)
    assert "expected: [ 0.987375, -1.70875 ,  0.45125 ]" in msg and "got:      [ 0.9845, -1.665 ,  0.44  ]" in msg
