"""optimlab.make / Optimizer: the same numbers as calling the step functions by hand.

Also the learner's path: a plain function (no decorator) wrapped with optimlab.make,
with or without ``t``, with or without state, and the errors a learner's mistake gets.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

import optimlab
from optimlab import optimizers as O
from optimlab.registry import REGISTRY
from optimlab.stateful import Optimizer

A = np.array([[2.0, 0.3, 0.0], [0.3, 1.0, -0.2], [0.0, -0.2, 0.5]])
C = np.array([1.0, -1.0, 0.5])
W0 = np.array([0.2, 0.7, -1.1])
STEPS = 6


def grad(w):
    """Gradient of 0.5 (w - C)^T A (w - C): depends on w, so every step feeds the next."""
    return A @ (w - C)


def hessian(w):
    return A


def hand_run(info, hyper, steps=STEPS):
    """Call the registry entry's (checked) step function by hand from the documented initial state."""
    step = info.step
    state = {n: np.float64(info.state_init[n]) if n in info.state_init else np.zeros(3) for n in step.state_names}
    w = W0.copy()
    path = [w]
    for t in range(1, steps + 1):
        kwargs = dict(hyper)
        if step.needs_t:
            kwargs["t"] = t
        if step.needs_hessian:
            kwargs["H"] = hessian(w)
        if step.needs_grad_fn:
            kwargs["grad_fn"] = grad
        else:
            kwargs["g"] = grad(w)
        out = step(w, **state, **kwargs)
        if step.state_names:
            w, state = out[0], dict(zip(step.state_names, out[1:]))
        else:
            w = out
        path.append(w)
    return np.array(path), state


def optimizer_run(opt, steps=STEPS, **update_kwargs):
    state = opt.init(W0)
    w = W0.copy()
    path = [w]
    for _ in range(steps):
        g = None if opt.needs_grad_fn else grad(w)
        w, state = opt.update(w, g, state, hessian_fn=hessian, grad_fn=grad, **update_kwargs)
        path.append(w)
    return np.array(path), state


# Non-default hyperparameters per entry, so the wrapper must pass them through.
NON_DEFAULT = {
    "gd": dict(lr=0.2), "momentum": dict(lr=0.2, beta=0.7), "heavy_ball": dict(lr=0.05, mu=0.6),
    "nesterov": dict(lr=0.05, mu=0.6), "nesterov_lookahead": dict(lr=0.05, mu=0.6), "adagrad": dict(lr=0.3, eps=1e-3), "adadelta": dict(lr=0.5, rho=0.8),
    "rmsprop": dict(lr=0.03, alpha=0.8), "rmsprop_centered": dict(lr=0.03, alpha=0.8, eps=1e-4),
    "rmsprop_momentum": dict(lr=0.02, momentum=0.5), "rmsprop_full": dict(lr=0.02, momentum=0.5, centered=True),
    "adam": dict(lr=0.05, beta1=0.7, beta2=0.9),
    "amsgrad": dict(lr=0.05, beta2=0.8), "adamax": dict(lr=0.05, beta1=0.6), "nadam": dict(lr=0.05, momentum_decay=0.1),
    "adamw": dict(lr=0.05, weight_decay=0.3), "radam": dict(lr=0.05, beta2=0.8), "newton": dict(lr=0.5, damping=0.1),
}


def test_every_registry_entry_has_a_case():
    assert set(NON_DEFAULT) == set(REGISTRY)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_optimizer_equals_step_function_by_hand_with_defaults(name):
    info = REGISTRY[name]
    opt = optimlab.make(name)
    path, state = optimizer_run(opt)
    expected_path, expected_state = hand_run(info, {**info.defaults, **info.fixed})
    np.testing.assert_array_equal(path, expected_path)
    for key in info.step.state_names:
        np.testing.assert_array_equal(state[key], expected_state[key], err_msg=key)
    assert state["t"] == STEPS
    assert np.max(np.abs(path[-1] - W0)) > 1e-3  # it moved


@pytest.mark.parametrize("name", list(REGISTRY))
def test_optimizer_equals_step_function_by_hand_with_other_hyperparameters(name):
    info = REGISTRY[name]
    hyper = NON_DEFAULT[name]
    path, state = optimizer_run(optimlab.make(name, **hyper))
    expected_path, expected_state = hand_run(info, {**info.defaults, **info.fixed, **hyper})
    np.testing.assert_array_equal(path, expected_path)
    # ... and the hyperparameters make a difference (they are not silently dropped)
    default_path, _ = optimizer_run(optimlab.make(name))
    assert np.max(np.abs(path - default_path)) > 1e-6


def test_rmsprop_momentum_uses_the_registry_default_momentum():
    # rmsprop_full_step defaults to momentum=0 (plain RMSprop); the registry entry's default is 0.9.
    opt = optimlab.make("rmsprop_momentum")
    assert opt.hyperparameters["momentum"] == 0.9
    assert opt.hyperparameters["centered"] is False
    path, _ = optimizer_run(opt)
    plain, _ = optimizer_run(optimlab.make("rmsprop"))
    assert np.max(np.abs(path - plain)) > 1e-3


def test_fixed_variant_settings_are_applied_and_protected():
    assert optimlab.make("rmsprop_centered").hyperparameters["centered"] is True
    with pytest.raises(TypeError, match=r"rmsprop_centered fixes \['centered'\]; use another registry entry"):
        optimlab.make("rmsprop_centered", centered=False)


def test_init_state():
    state = optimlab.make("adam").init(np.array([[1, 2, 3], [4, 5, 6]]))
    assert set(state) == {"m", "V", "t"} and state["t"] == 0
    for key in ("m", "V"):
        assert state[key].shape == (2, 3) and state[key].dtype == np.float64 and not state[key].any()
    nadam = optimlab.make("nadam").init(np.zeros(4))
    assert nadam["mu_prod"] == 1.0 and np.ndim(nadam["mu_prod"]) == 0
    assert optimlab.make("gd").init(np.zeros(2)) == {"t": 0}
    assert optimlab.make("rmsprop_centered").init(np.zeros(2)).keys() == {"V", "gbar", "v", "t"}
    assert optimlab.make("adadelta").init(np.zeros(2)).keys() == {"V", "U", "t"}
    assert optimlab.make("amsgrad").init(np.zeros(2)).keys() == {"m", "V", "V_max", "t"}
    assert optimlab.make("adagrad").init(np.zeros(2)).keys() == {"V", "t"}


def test_init_arrays_are_independent():
    state = optimlab.make("amsgrad").init(np.zeros(3))
    assert state["m"] is not state["V"] and state["V"] is not state["V_max"]


def test_optimizer_attributes():
    opt = optimlab.make("newton")
    assert opt.needs_hessian and not opt.needs_t and opt.name == "newton"
    adam = optimlab.make("adam", lr=0.1)
    assert adam.needs_t and not adam.needs_hessian and adam.hyperparameters["lr"] == 0.1
    assert optimlab.make(adam) is adam
    assert "adam" in repr(adam) and "lr=0.1" in repr(adam)
    assert optimlab.make("adam", name="my label").name == "my label"


def test_newton_without_hessian_fn_is_a_clear_error():
    opt = optimlab.make("newton")
    with pytest.raises(ValueError, match=r"newton needs the Hessian: pass hessian_fn"):
        opt.update(W0, grad(W0), opt.init(W0))


def test_lookahead_nesterov_through_make():
    opt = optimlab.make(O.nesterov_lookahead_step, lr=0.05, mu=0.8)
    assert opt.needs_grad_fn and opt.state_names == ("v",)
    state = opt.init(W0)
    w = W0
    w_hand, v_hand = W0, np.zeros(3)
    for _ in range(5):
        w, state = opt.update(w, None, state, grad_fn=grad)
        w_hand, v_hand = O.nesterov_lookahead_step(w_hand, v_hand, grad, lr=0.05, mu=0.8)
    np.testing.assert_array_equal(w, w_hand)
    np.testing.assert_array_equal(state["v"], v_hand)
    with pytest.raises(ValueError, match=r"needs grad_fn"):
        opt.update(w, None, state)


# ---------------------------------------------------------------------------
# Learning-rate override, no mutation
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in REGISTRY])
def test_lr_override_is_for_one_step(name):
    info = REGISTRY[name]
    opt = optimlab.make(name)
    state = opt.init(W0)
    w1, s1 = opt.update(W0, grad(W0), state, lr=0.037, hessian_fn=hessian, grad_fn=grad)
    hand, _ = hand_run(info, {**info.defaults, **info.fixed, "lr": 0.037}, steps=1)
    np.testing.assert_array_equal(w1, hand[1])
    # The next step is back at the default lr.
    w2, _ = opt.update(w1, grad(w1), s1, hessian_fn=hessian, grad_fn=grad)
    opt_default = optimlab.make(name)
    w2_expected, _ = opt_default.update(w1, grad(w1), s1, hessian_fn=hessian, grad_fn=grad)
    np.testing.assert_array_equal(w2, w2_expected)
    assert opt.hyperparameters["lr"] == info.defaults["lr"]


def test_lr_schedule_through_update():
    # f = (w - 2)^2, g = 2 (w - 2), gd with default lr 0.1:
    # lr 0.25: 4 - 0.25*4 = 3;  lr 0.125: 3 - 0.125*2 = 2.75;  default 0.1: 2.75 - 0.1*1.5 = 2.6
    opt = optimlab.make("gd")
    w, state = np.array([4.0]), opt.init(np.array([4.0]))
    for lr, expected in [(0.25, 3.0), (0.125, 2.75), (None, 2.6)]:
        w, state = opt.update(w, 2 * (w - 2.0), state, lr=lr)
        np.testing.assert_allclose(w, [expected], rtol=1e-15)
    assert state["t"] == 3


@pytest.mark.parametrize("lr", [0, -0.1, float("nan")])
def test_bad_lr_override_is_refused(lr):
    opt = optimlab.make("adam")
    with pytest.raises(ValueError, match=r"lr must be"):
        opt.update(W0, grad(W0), opt.init(W0), lr=lr)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_update_does_not_mutate_state_or_inputs(name):
    opt = optimlab.make(name)
    state = opt.init(W0)
    w = W0.copy()
    for _ in range(3):  # get a non-zero state first
        w, state = opt.update(w, grad(w), state, hessian_fn=hessian, grad_fn=grad)
    before = copy.deepcopy(state)
    w_before, g = w.copy(), grad(w)
    g_before = g.copy()
    w_new, new_state = opt.update(w, g, state, hessian_fn=hessian, grad_fn=grad)
    assert new_state is not state
    assert state.keys() == before.keys()
    for key in state:
        np.testing.assert_array_equal(state[key], before[key], err_msg=key)
    np.testing.assert_array_equal(w, w_before)
    np.testing.assert_array_equal(g, g_before)
    assert new_state["t"] == state["t"] + 1


def test_update_checks_the_gradient():
    opt = optimlab.make("adam")
    state = opt.init(np.zeros(3))
    with pytest.raises(ValueError, match=r"g \(the gradient\) has shape \(3, 1\) but w has shape \(3,\)"):
        opt.update(np.zeros(3), np.zeros((3, 1)), state)
    with pytest.raises(ValueError, match=r"g \(the gradient\) contains a non-finite value \(nan"):
        opt.update(np.zeros(3), np.array([0.0, np.nan, 0.0]), state)
    with pytest.raises(TypeError, match=r"w must be a real number or an array of real numbers, got 'w'"):
        opt.update("w", np.zeros(3), state)


# ---------------------------------------------------------------------------
# update() refuses bad state as the step functions refuse bad arguments
# ---------------------------------------------------------------------------

def adam_state(**changes):
    opt = optimlab.make("adam")
    state = opt.init(np.zeros(3))
    state.update(changes)
    return opt, state


def test_update_refuses_state_of_another_shape_instead_of_broadcasting():
    # m of shape (3, 1) against w of shape (3,) would broadcast to (3, 3) in numpy.
    opt, state = adam_state(m=np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"^state\['m'\] has shape \(3, 1\) but w has shape \(3,\); they must match "
                                         r"exactly \(no broadcasting\)"):
        opt.update(np.zeros(3), np.ones(3), state)
    opt, state = adam_state(V=np.zeros(1))
    with pytest.raises(ValueError, match=r"^state\['V'\] has shape \(1,\) but w has shape \(3,\)"):
        opt.update(np.zeros(3), np.ones(3), state)
    opt, state = adam_state(V=0.0)  # a bare number is not the state of three coordinates either
    with pytest.raises(ValueError, match=r"^state\['V'\] has shape \(\) but w has shape \(3,\)"):
        opt.update(np.zeros(3), np.ones(3), state)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_update_refuses_non_finite_state(bad):
    opt, state = adam_state(m=np.array([0.0, bad, 0.0]))
    with pytest.raises(ValueError, match=rf"^state\['m'\] contains a non-finite value \({bad} at index \(1,\)\)"):
        opt.update(np.zeros(3), np.ones(3), state)


def test_update_refuses_negative_second_moments():
    opt, state = adam_state(V=np.array([0.1, -0.2, 0.0]))
    with pytest.raises(ValueError, match=r"^state\['V'\] must be >= 0 everywhere \(V is a second moment, an average "
                                         r"or sum of squared gradients\), got -0.2 at index \(1,\)$"):
        opt.update(np.zeros(3), np.ones(3), state)
    opt = optimlab.make("adadelta")
    state = dict(opt.init(np.zeros(2)), U=np.array([-1.0, 0.0]))
    with pytest.raises(ValueError, match=r"^state\['U'\] must be >= 0 everywhere \(U is an average of squared updates\)"):
        opt.update(np.zeros(2), np.ones(2), state)


def test_update_refuses_centered_state_with_V_below_gbar_squared():
    opt = optimlab.make("rmsprop_centered")
    state = dict(opt.init(np.zeros(2)), V=np.array([1.0, 1.0]), gbar=np.array([0.5, 2.0]))
    with pytest.raises(ValueError, match=r"^state\['V'\] - state\['gbar'\]\*\*2 must be >= 0 for centered RMSprop.*"
                                         r"got -3.0 at index \(1,\)$"):
        opt.update(np.zeros(2), np.ones(2), state)
    # The same state is fine for the plain variant, which never reads gbar.
    optimlab.make("rmsprop_momentum").update(np.zeros(2), np.ones(2), state)


def test_update_refuses_a_missing_gradient():
    opt, state = adam_state()
    with pytest.raises(TypeError, match=r"^g \(the gradient\) is None, but adam takes a gradient: "
                                        r"call update\(w, g, state\) with g the gradient at w$"):
        opt.update(np.zeros(3), None, state)
    with pytest.raises(ValueError, match=r"^g \(the gradient\) is a ragged list \(its items have lengths \[2, 1\]\)"):
        optimlab.make("gd").update(np.zeros((2, 2)), [[1.0, 2.0], [3.0]], {"t": 0})


def test_update_names_missing_and_extra_state_keys():
    opt, state = adam_state()
    del state["V"]
    with pytest.raises(ValueError, match=r"^state is missing 'V': the state of adam has exactly the keys "
                                         r"\['m', 'V', 't'\], as adam's init\(w\) makes them$"):
        opt.update(np.zeros(3), np.ones(3), state)
    opt, state = adam_state(extra=np.zeros(3))
    with pytest.raises(ValueError, match=r"^state has unexpected key\(s\) 'extra': the state of adam has exactly the "
                                         r"keys \['m', 'V', 't'\]"):
        opt.update(np.zeros(3), np.ones(3), state)
    # A state saved before the rename (second moment 'v') gets told the new name.
    opt, state = adam_state()
    state["v"] = state.pop("V")
    with pytest.raises(ValueError, match=r"^state is missing 'V' and has unexpected key\(s\) 'v': .* 'v' is now called "
                                         r"'V' \(the course notation\)$"):
        opt.update(np.zeros(3), np.ones(3), state)
    with pytest.raises(TypeError, match=r"^state must be the dict that adam's init\(w\) returns \(keys \['m', 'V', 't'\]\), "
                                        r"got tuple"):
        opt.update(np.zeros(3), np.ones(3), (np.zeros(3), np.zeros(3), 0))


@pytest.mark.parametrize("t, error, shown", [(-1, ValueError, r"got -1$"), (-5, ValueError, r"got -5$"),
                                             (1.5, TypeError, r"got 1.5 of type float"),
                                             (True, TypeError, r"got True of type bool"),
                                             ("0", TypeError, r"got '0' of type str")])
def test_update_refuses_a_step_count_that_is_not_an_integer_from_zero(t, error, shown):
    # t = -1 would make the next step t = 0, where Adam divides by 1 - beta1**0 = 0.
    opt, state = adam_state(t=t)
    with pytest.raises(error, match=r"^state\['t'\] \(the number of steps taken so far; the next step is t \+ 1\) "
                                    r"must be an integer >= 0, " + shown):
        opt.update(np.zeros(3), np.ones(3), state)
    # np.int64 counts are integers
    w, new = opt.update(np.zeros(3), np.ones(3), dict(state, t=np.int64(4)))
    assert new["t"] == 5


def test_update_checks_grad_fn_results():
    opt = optimlab.make("nesterov_lookahead", lr=0.1, mu=0.5)
    state = opt.init(np.zeros(2))
    with pytest.raises(ValueError, match=r"^grad_fn's result \(the gradient\) contains a non-finite value "
                                         r"\(nan at index \(0,\)\)"):
        opt.update(np.zeros(2), None, state, grad_fn=lambda x: np.array([np.nan, 0.0]))
    with pytest.raises(ValueError, match=r"^grad_fn's result \(the gradient\) has shape \(2, 1\) but w has shape \(2,\)"):
        opt.update(np.zeros(2), None, state, grad_fn=lambda x: np.zeros((2, 1)))
    with pytest.raises(TypeError, match=r"^grad_fn must be a function \(it maps parameters w to the gradient at w\), "
                                        r"got 'grad'"):
        opt.update(np.zeros(2), None, state, grad_fn="grad")
    with pytest.raises(TypeError, match=r"^hessian_fn must be a function"):
        optimlab.make("newton").update(np.zeros(2), np.ones(2), {"t": 0}, hessian_fn=np.eye(2))


def test_learner_functions_get_the_same_state_checks():
    opt = optimlab.make(my_adam)
    state = opt.init(np.zeros(3))
    with pytest.raises(ValueError, match=r"^state\['m'\] has shape \(3, 1\) but w has shape \(3,\)"):
        opt.update(np.zeros(3), np.ones(3), dict(state, m=np.zeros((3, 1))))
    with pytest.raises(ValueError, match=r"^state is missing 'm'"):
        opt.update(np.zeros(3), np.ones(3), {"V": np.zeros(3), "t": 0})
    with pytest.raises(ValueError, match=r"^state\['V'\] must be >= 0 everywhere"):
        opt.update(np.zeros(3), np.ones(3), dict(state, V=-np.ones(3)))
    with pytest.raises(TypeError, match=r"^centered must be True or False, got 'False' of type str"):
        optimlab.make(lambda w, g, lr=0.1, centered=False: w - lr * g, name="mine", centered="False")


def test_update_refuses_non_finite_parameters():
    opt, state = adam_state()
    with pytest.raises(ValueError, match=r"^w contains a non-finite value \(nan at index \(2,\)\).*lower the learning rate"):
        opt.update(np.array([0.0, 1.0, np.nan]), np.ones(3), state)


def test_learner_functions_returning_a_broadcast_state_are_caught():
    def momentum_broadcast(w, v, g, lr=0.1, beta=0.9):
        v = beta * v + (1 - beta) * g[:, None]  # a stray axis: (3,) + (3, 1) -> (3, 3)
        return w - lr * v[0], v

    opt = optimlab.make(momentum_broadcast)
    with pytest.raises(ValueError, match=r"^momentum_broadcast returned v of shape \(3, 3\) for w of shape \(3,\); a step "
                                         r"must return v with the shape \(3,\) it came in \(did an operation broadcast it\?\)$"):
        opt.update(np.zeros(3), np.ones(3), opt.init(np.zeros(3)))

    def gd_broadcast(w, g, lr=0.1):
        return w - lr * g[:, None]

    opt = optimlab.make(gd_broadcast)
    with pytest.raises(ValueError, match=r"^gd_broadcast returned w of shape \(3, 3\) for w of shape \(3,\)"):
        opt.update(np.zeros(3), np.ones(3), opt.init(np.zeros(3)))

    def forgot_state_value(w, v, g, lr=0.1, beta=0.9):
        return w - lr * g, None

    opt = optimlab.make(forgot_state_value)
    with pytest.raises(TypeError, match=r"^the v returned by forgot_state_value must be a real number or an array"):
        opt.update(np.zeros(3), np.ones(3), opt.init(np.zeros(3)))


def test_state_init_and_name_are_checked():
    def my_nadam(w, m, V, mu_prod, g, t, lr=0.002):
        return O.nadam_step.unchecked(w, m, V, mu_prod, g, t, lr)

    with pytest.raises(TypeError, match=r"^state_init\['mu_prod'\] must be a real number or an array of real numbers, "
                                        r"got '1'"):
        optimlab.make(my_nadam, state_init={"mu_prod": "1"})
    with pytest.raises(ValueError, match=r"^state_init\['mu_prod'\] contains a non-finite value"):
        optimlab.make(my_nadam, state_init={"mu_prod": float("nan")})
    with pytest.raises(TypeError, match=r"^name must be a string \(a label for plots and messages\), got 3$"):
        optimlab.make("adam", name=3)
    state = optimlab.make(my_nadam, state_init={"mu_prod": 1}).init(np.zeros(2))
    assert state["mu_prod"] == 1.0 and np.ndim(state["mu_prod"]) == 0


def test_scalar_state_is_one_number():
    opt = optimlab.make("nadam")
    state = opt.init(np.zeros(3))
    assert np.ndim(state["mu_prod"]) == 0
    with pytest.raises(ValueError, match=r"^state\['mu_prod'\] must be a single number \(it is shared by all "
                                         r"coordinates\), got an array of shape \(3,\)"):
        opt.update(np.zeros(3), np.ones(3), dict(state, mu_prod=np.ones(3)))
    for bad in (1.5, -0.1):
        with pytest.raises(ValueError, match=rf"^state\['mu_prod'\] must be in \[0, 1\] \(a product of momentum "
                                             rf"coefficients mu_t in \[0, 1\), 1 before the first step\), got {bad}$"):
            opt.update(np.zeros(3), np.ones(3), dict(state, mu_prod=bad))


def test_check_false_skips_the_state_checks():
    # Runners check the first step and then call update(check=False) in their loop: no checks there.
    opt, state = adam_state()
    w, new = opt.update(np.zeros(3), np.ones(3), state, check=False)
    np.testing.assert_array_equal(w, opt.update(np.zeros(3), np.ones(3), state)[0])


def test_every_step_function_is_reachable_by_name():
    steps = {info.step for info in REGISTRY.values()}
    assert set(O.STEP_FUNCTIONS.values()) <= steps
    assert optimlab.get_info("nesterov_lookahead").step is O.nesterov_lookahead_step
    assert optimlab.get_info("rmsprop_full").step is O.rmsprop_full_step


def test_rmsprop_full_by_name_exposes_both_options():
    # centered + momentum has no variant entry of its own; rmsprop_full takes both.
    opt = optimlab.make("rmsprop_full", lr=0.02, centered=True, momentum=0.5)
    path, state = optimizer_run(opt)
    hand, hand_state = hand_run(REGISTRY["rmsprop_full"], dict(lr=0.02, alpha=0.99, eps=1e-8, momentum=0.5,
                                                               centered=True))
    np.testing.assert_array_equal(path, hand)
    assert np.any(state["gbar"] != 0) and np.any(state["v"] != 0)  # both options ran
    plain, _ = optimizer_run(optimlab.make("rmsprop_full", lr=0.02))
    np.testing.assert_array_equal(plain, optimizer_run(optimlab.make("rmsprop", lr=0.02))[0])


def test_nesterov_lookahead_by_name_visits_the_points_of_nesterov():
    # The look-ahead form's iterate w~ = w - lr*mu*v is the point nesterov_step visits.
    lr, mu = 0.05, 0.6
    look = optimlab.make("nesterov_lookahead", lr=lr, mu=mu)
    nest = optimlab.make("nesterov", lr=lr, mu=mu)
    s_look, s_nest = look.init(W0), nest.init(W0)
    w_look, w_nest = W0, W0
    for _ in range(8):
        w_look, s_look = look.update(w_look, None, s_look, grad_fn=grad)
        w_nest, s_nest = nest.update(w_nest, grad(w_nest), s_nest)
        np.testing.assert_allclose(w_look - lr * mu * s_look["v"], w_nest, rtol=0, atol=1e-14)


def test_update_accepts_int_and_list_input():
    opt = optimlab.make("gd", lr=0.5)
    w, state = opt.update([1, 2], [2, 2], opt.init([1, 2]))
    assert w.dtype == np.float64
    np.testing.assert_array_equal(w, [0.0, 1.0])


# ---------------------------------------------------------------------------
# A learner's own plain functions
# ---------------------------------------------------------------------------

def my_adam(w, m, V, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """A learner's Adam, no decorator: the formula written out."""
    m = beta1 * m + (1 - beta1) * g
    V = beta2 * V + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    V_hat = V / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(V_hat) + eps), m, V


def my_gd(w, g, lr=0.1):
    return w - lr * g


def my_momentum_forgot_v(w, v, g, lr=0.1, beta=0.9):
    v = beta * v + (1 - beta) * g
    return w - lr * v  # forgot to return v


def my_momentum_extra(w, v, g, lr=0.1, beta=0.9):
    v = beta * v + (1 - beta) * g
    return w - lr * v, v, g


def test_learner_adam_with_t_matches_the_library():
    mine = optimlab.make(my_adam, lr=0.05, beta2=0.9)
    lib = optimlab.make("adam", lr=0.05, beta2=0.9)
    assert mine.needs_t and mine.state_names == ("m", "V") and mine.name == "my_adam"
    p_mine, s_mine = optimizer_run(mine, steps=20)
    p_lib, s_lib = optimizer_run(lib, steps=20)
    np.testing.assert_allclose(p_mine, p_lib, rtol=0, atol=1e-14)
    np.testing.assert_allclose(s_mine["V"], s_lib["V"], rtol=0, atol=1e-14)
    assert s_mine["t"] == 20


def test_learner_function_that_returns_only_w():
    opt = optimlab.make(my_gd, lr=0.25)
    state = opt.init(W0)
    assert state == {"t": 0}
    w, state = opt.update(W0, grad(W0), state)
    np.testing.assert_array_equal(w, W0 - 0.25 * grad(W0))
    assert state == {"t": 1}
    path, _ = optimizer_run(opt, steps=5)
    lib, _ = optimizer_run(optimlab.make("gd", lr=0.25), steps=5)
    np.testing.assert_array_equal(path, lib)


def test_learner_function_returning_a_list_is_converted():
    opt = optimlab.make(lambda w, g, lr=0.5: [float(x) for x in w - lr * g], name="listy")
    w, _ = opt.update(np.array([1.0, 2.0]), np.array([2.0, 2.0]), opt.init(np.zeros(2)))
    assert isinstance(w, np.ndarray) and w.dtype == np.float64
    np.testing.assert_array_equal(w, [0.0, 1.0])


def test_learner_function_returning_a_flat_list_gets_the_shape_of_w():
    opt = optimlab.make(lambda w, g, lr=0.5: list(np.ravel(w - lr * g)), name="flat")
    w0 = np.arange(6.0).reshape(2, 3)
    w, _ = opt.update(w0, np.ones((2, 3)), opt.init(w0))
    assert w.shape == (2, 3)
    np.testing.assert_array_equal(w, w0 - 0.5)


def test_learner_function_with_state_and_wrong_return_arity():
    opt = optimlab.make(my_momentum_forgot_v)
    with pytest.raises(TypeError, match=r"my_momentum_forgot_v must return a tuple \(w, v\) of 2 items, got ndarray"):
        opt.update(W0, grad(W0), opt.init(W0))
    opt = optimlab.make(my_momentum_extra)
    with pytest.raises(TypeError, match=r"my_momentum_extra must return a tuple \(w, v\) of 2 items, got tuple of 3 items"):
        opt.update(W0, grad(W0), opt.init(W0))


def test_learner_function_with_state_init():
    def my_nadam(w, m, V, mu_prod, g, t, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8, momentum_decay=0.004):
        return O.nadam_step.unchecked(w, m, V, mu_prod, g, t, lr, beta1, beta2, eps, momentum_decay)

    mine = optimlab.make(my_nadam, state_init={"mu_prod": 1.0}, lr=0.05)
    p_mine, _ = optimizer_run(mine)
    p_lib, _ = optimizer_run(optimlab.make("nadam", lr=0.05))
    np.testing.assert_array_equal(p_mine, p_lib)
    with pytest.raises(TypeError, match=r"state_init names \['s'\], but the state of my_nadam is \['m', 'V', 'mu_prod'\]"):
        optimlab.make(my_nadam, state_init={"s": 0.0})


def test_learner_function_argument_order_of_hyperparameters_does_not_matter():
    def my_heavy_ball(w, v, g, mu=0.9, lr=0.01):  # hyperparameters in another order
        v = mu * v + g
        return w - lr * v, v

    p_mine, _ = optimizer_run(optimlab.make(my_heavy_ball, lr=0.05, mu=0.5))
    p_lib, _ = optimizer_run(optimlab.make("heavy_ball", lr=0.05, mu=0.5))
    np.testing.assert_array_equal(p_mine, p_lib)


def test_learner_function_errors_are_named():
    with pytest.raises(TypeError, match=r"my_gd got unknown hyperparameter\(s\) \['beta'\]; it accepts \['lr'\]"):
        optimlab.make(my_gd, beta=0.9)

    def no_w(x, g, lr=0.1):
        return x - lr * g

    with pytest.raises(TypeError, match=r"first argument must be the parameters 'w'; no_w has arguments \['x', 'g', 'lr'\]"):
        optimlab.make(no_w)

    def no_g(w, grad, lr=0.1):
        return w - lr * grad

    with pytest.raises(TypeError, match=r"needs the gradient argument 'g' \(or 'grad_fn'\); no_g has arguments"):
        optimlab.make(no_g)

    def needs_k(w, g, k):
        return w - k * g

    with pytest.raises(TypeError, match=r"needs_k needs a value for \['k'\] \(they have no default\)"):
        optimlab.make(needs_k)
    np.testing.assert_array_equal(optimlab.make(needs_k, k=0.5).update([2.0], [2.0], {"t": 0})[0], [1.0])

    with pytest.raises(TypeError, match=r"optimizer must be a registry name or a step function, got 3"):
        optimlab.make(3)
    with pytest.raises(TypeError, match=r"step must be a function, got 3"):
        Optimizer(3)


def test_learner_hyperparameter_values_are_checked_by_name():
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got 0"):
        optimlab.make(my_gd, lr=0)
    with pytest.raises(ValueError, match=r"beta2 must be in \[0, 1\), got 1.5"):
        optimlab.make(my_adam, beta2=1.5)


def test_module_doctests():
    import doctest

    import optimlab.stateful as stateful_module

    result = doctest.testmod(stateful_module)
    assert result.attempted >= 4 and result.failed == 0


BAD_STATE_VALUES = [(np.zeros((3, 1)), ValueError, "has shape (3, 1) but w has shape (3,)"),
                    (np.zeros(4), ValueError, "has shape (4,) but w has shape (3,)"),
                    (np.array([0.0, np.nan, 0.0]), ValueError, "contains a non-finite value (nan at index (1,))"),
                    ([[0.0], [0.0, 0.0], 0.0], ValueError, "is a ragged list"),
                    (None, TypeError, "must be a real number or an array of real numbers, got None"),
                    ("x", TypeError, "must be a real number or an array of real numbers, got 'x'")]


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_optimizer_refuses_every_kind_of_bad_state_by_name(name):
    opt = optimlab.make(name)
    w = np.array([0.2, -0.4, 0.1])
    good = opt.init(w)
    for key in opt.state_names:
        for bad, error, text in BAD_STATE_VALUES:
            if key in opt.scalar_state and isinstance(bad, np.ndarray):
                continue  # any array is refused as "a single number": test_scalar_state_is_one_number
            with pytest.raises(error) as info:
                opt.update(w, w, dict(good, **{key: bad}), hessian_fn=hessian, grad_fn=grad)
            message = str(info.value)
            assert message.startswith(f"state[{key!r}]") and text in message, (key, message)
        if key in ("V", "U", "V_max", "u"):
            with pytest.raises(ValueError, match=rf"^state\[{key!r}\] must be >= 0 everywhere"):
                opt.update(w, w, dict(good, **{key: -np.ones(3)}), hessian_fn=hessian, grad_fn=grad)
    # and the good state still works
    opt.update(w, w, good, hessian_fn=hessian, grad_fn=grad)
