"""Parity with torch.optim: replay golden trajectories recorded from torch 2.13.0.

``tests/fixtures/torch_parity.json`` is written by ``scripts/record_torch_fixtures.py``
(run in a separate venv with torch; this test never imports torch). Every case starts
from a NON-ZERO optimizer state at a non-zero step count, uses non-default
hyperparameters and a gradient that depends on the current parameters::

    g_t = curvature * (w_{t-1} - center) + noise_t

so the test recomputes ``g_t`` at the library's own iterate: a wrong update changes
every later gradient too. The library must reproduce torch's parameters and final
state to 1e-12 (float64). The negative controls at the end replay the same fixtures
with a deliberately wrong convention and require a difference > 1e-6, which shows the
comparison can fail.
"""
from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import pytest

import optimlab
from optimlab import optimizers as O

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "torch_parity.json"
DATA = json.loads(FIXTURE.read_text())

# The fixtures were recorded when the library still called the second moment v (s for AdaGrad)
# and RMSprop's velocity b. Those keys are mapped to the course notation here, per step function;
# a file re-recorded by scripts/record_torch_fixtures.py says "state_notation": "course" and is
# read as it is.
RECORDED_STATE_NAMES = {
    "adagrad_step": {"s": "V"},
    "adadelta_step": {"v": "V", "u": "U"},
    "rmsprop_step": {"v": "V"},
    "rmsprop_full_step": {"v": "V", "b": "v"},
    "adam_step": {"v": "V"},
    "amsgrad_step": {"v": "V", "v_max": "V_max"},
    "nadam_step": {"v": "V"},
    "adamw_step": {"v": "V"},
    "radam_step": {"v": "V"},
}


def _step_of(case):
    spec = case["library"]
    return optimlab.get_info(spec["make"]).step if "make" in spec else getattr(O, spec["step"])


def _in_course_notation(case):
    """The case with its state keys renamed (all at once: rmsprop's old v becomes V while b becomes v)."""
    if DATA.get("state_notation") == "course":
        return case
    rename = RECORDED_STATE_NAMES.get(_step_of(case).__name__, {})
    case = dict(case)
    for field in ("initial_state", "final_state", "torch_state_keys"):
        case[field] = {rename.get(k, k): value for k, value in case[field].items()}
    return case


CASES = {case["name"]: _in_course_notation(case) for case in DATA["cases"]}
CURVATURE = np.array(DATA["curvature"])
CENTER = np.array(DATA["center"])
TOL = 1e-12

# The coverage the fixtures must have (torch.optim configuration -> case name).
REQUIRED_CASES = [
    "sgd", "sgd_momentum", "sgd_momentum_zero_state", "sgd_nesterov", "sgd_dampening_zero_state", "sgd_dampening",
    "adagrad", "adadelta", "rmsprop", "rmsprop_centered", "rmsprop_momentum",
    "rmsprop_centered_momentum", "adam", "adam_amsgrad", "adamax", "nadam", "adamw", "radam",
]


def gradient(w, case, t):
    """The fixture's gradient at step t (1-based) evaluated at w."""
    return CURVATURE * (w - CENTER) + np.array(case["noise"][t - 1])


def library_optimizer(case, step=None):
    spec = case["library"]
    if step is not None:
        return optimlab.make(step, **spec["hyperparameters"])
    if "make" in spec:
        return optimlab.make(spec["make"], **spec["hyperparameters"])
    return optimlab.make(getattr(O, spec["step"]), **spec["hyperparameters"])


def initial_state(case, opt, w0, *, empty_buffer_as_first_gradient=True):
    state = opt.init(w0)
    for name, value in case["initial_state"].items():
        state[name] = np.float64(value) if np.ndim(value) == 0 else np.array(value, dtype=float)
    state["t"] = case["initial_step"]
    if case["name"] == "sgd_dampening_zero_state" and empty_buffer_as_first_gradient:
        # torch's SGD sets an EMPTY momentum buffer to g_1 (no factor 1 - dampening). The EMA
        # form v <- beta*v + (1-beta)*g gives v_1 = g_1 exactly when v_0 = g_1, so starting
        # the library there reproduces torch's dampened momentum from its empty state.
        state["v"] = gradient(w0, case, 1)
    return state


def replay(case, opt, state=None):
    """Run the library optimizer through the case's closed loop; returns (trajectory, final state)."""
    w = np.array(case["initial_params"], dtype=float)
    if state is None:
        state = initial_state(case, opt, w)
    path = [w]
    for t in range(1, case["steps"] + 1):
        w, state = opt.update(w, gradient(w, case, t), state)
        path.append(w)
    return np.array(path), state


def replay_step_function(case):
    """The same loop calling the (checked) step function directly, state passed by name."""
    opt = library_optimizer(case)
    step = opt.step
    w = np.array(case["initial_params"], dtype=float)
    state = initial_state(case, opt, w)
    t = state.pop("t")
    path = [w]
    for k in range(1, case["steps"] + 1):
        t += 1  # the optimizer's step counter continues from the recorded one
        kwargs = dict(opt.hyperparameters)
        if step.needs_t:
            kwargs["t"] = t
        out = step(w, **state, g=gradient(w, case, k), **kwargs)
        if step.state_names:
            w, state = out[0], dict(zip(step.state_names, out[1:]))
        else:
            w = out
        path.append(w)
    return np.array(path), state


def max_diff(path, case):
    return float(np.max(np.abs(path - np.array(case["trajectory"]))))


# ---------------------------------------------------------------------------
# The fixture file itself
# ---------------------------------------------------------------------------

def test_fixture_file_is_what_the_suite_expects():
    assert DATA["torch_version"].startswith("2.13.0")
    assert DATA["dtype"] == "float64"
    assert FIXTURE.stat().st_size < 2_000_000
    assert sorted(CASES) == sorted(REQUIRED_CASES)
    for case in CASES.values():
        traj = np.array(case["trajectory"])
        assert case["steps"] >= 20
        assert traj.shape == (case["steps"] + 1, 2, 3)
        assert np.isfinite(traj).all()
        # The optimizer really moved (a frozen trajectory would make parity trivial).
        assert np.max(np.abs(traj[-1] - traj[0])) > 0.05, case["name"]


def test_fixture_state_keys_are_the_library_state_names():
    # After the mapping every recorded state has exactly the step function's state names
    # (rmsprop_full_step: the second moment V, gbar and the velocity v).
    for name, case in CASES.items():
        names = set(_step_of(case).state_names)
        assert set(case["final_state"]) == names, name
        assert set(case["initial_state"]) <= names, name
    assert set(CASES["rmsprop_centered_momentum"]["final_state"]) == {"V", "gbar", "v"}
    assert CASES["rmsprop_centered_momentum"]["torch_state_keys"] == {
        "V": "square_avg", "gbar": "grad_avg", "v": "momentum_buffer"}
    assert CASES["adam_amsgrad"]["torch_state_keys"] == {"m": "exp_avg", "V": "exp_avg_sq", "V_max": "max_exp_avg_sq"}


def test_recording_script_uses_the_library_state_names():
    # scripts/record_torch_fixtures.py needs torch, so it is read, not run: each case's state dict
    # must name exactly state variables of the step function the case drives.
    import ast

    script = pathlib.Path(__file__).parents[1] / "scripts" / "record_torch_fixtures.py"
    tree = ast.parse(script.read_text())
    cases = next(node.value for node in tree.body if isinstance(node, ast.Assign)
                 and getattr(node.targets[0], "id", None) == "CASES")
    seen = set()
    for case in cases.elts:
        name = case.elts[0].value
        spec = {k.value: v for k, v in zip(case.elts[3].keys, case.elts[3].values)}
        step = (optimlab.get_info(spec["make"].value).step if "make" in spec else getattr(O, spec["step"].value))
        keys = {k.value for k in case.elts[5].keys}
        assert keys <= set(step.state_names), (name, keys, step.state_names)
        seen.add(name)
    assert seen == set(REQUIRED_CASES)
    assert '"state_notation": "course"' in script.read_text()


@pytest.mark.parametrize("name", [n for n in REQUIRED_CASES if not (n == "sgd" or n.endswith("_zero_state"))])
def test_fixture_starts_from_nonzero_state(name):
    case = CASES[name]
    used = [k for k, key in case["torch_state_keys"].items() if key is not None]
    assert used, name
    for k in used:
        assert np.all(np.asarray(case["initial_state"][k]) != 0), (name, k)
    if name not in ("sgd_momentum", "sgd_nesterov", "sgd_dampening"):  # SGD keeps no step count
        assert case["initial_step"] > 0


@pytest.mark.parametrize("name", REQUIRED_CASES)
def test_recorded_gradients_follow_the_stated_formula(name):
    # The gradients torch saw are the formula evaluated on torch's own trajectory, exactly.
    case = CASES[name]
    traj = np.array(case["trajectory"])
    for t in range(1, case["steps"] + 1):
        np.testing.assert_array_equal(gradient(traj[t - 1], case, t), np.array(case["gradients"][t - 1]))


def test_radam_fixture_covers_both_branches():
    case = CASES["radam"]
    beta2 = case["library"]["hyperparameters"]["beta2"]
    rho_inf = 2 / (1 - beta2) - 1
    ts = range(case["initial_step"] + 1, case["initial_step"] + case["steps"] + 1)
    rho = [rho_inf - 2 * t * beta2**t / (1 - beta2**t) for t in ts]
    assert rho[0] <= 5 and rho[-1] > 5
    assert sum(r <= 5 for r in rho) >= 2 and sum(r > 5 for r in rho) >= 10


# ---------------------------------------------------------------------------
# Parity
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", REQUIRED_CASES)
def test_optimizer_matches_torch(name):
    case = CASES[name]
    path, state = replay(case, library_optimizer(case))
    assert max_diff(path, case) <= TOL
    for key, expected in case["final_state"].items():
        np.testing.assert_allclose(state[key], np.array(expected), rtol=0, atol=TOL, err_msg=f"{name}: state {key}")
    assert state["t"] == case["initial_step"] + case["steps"]


@pytest.mark.parametrize("name", REQUIRED_CASES)
def test_step_function_matches_torch(name):
    case = CASES[name]
    path, state = replay_step_function(case)
    assert max_diff(path, case) <= TOL
    for key, expected in case["final_state"].items():
        np.testing.assert_allclose(state[key], np.array(expected), rtol=0, atol=TOL, err_msg=f"{name}: state {key}")


def test_centered_momentum_rmsprop_through_full_step_is_the_registry_variant():
    # The registry's rmsprop_centered / rmsprop_momentum entries are rmsprop_full_step with
    # settings fixed; the combined variant has no entry, so the fixture drives the function.
    case = CASES["rmsprop_centered_momentum"]
    assert case["library"]["step"] == "rmsprop_full_step"
    assert optimlab.get_info("rmsprop_centered").step is O.rmsprop_full_step


def test_parity_report():
    """Print the max abs difference per case (visible with ``pytest -s``); all within TOL."""
    diffs = {name: max_diff(replay(CASES[name], library_optimizer(CASES[name]))[0], CASES[name])
             for name in REQUIRED_CASES}
    print("\nmax |w_library - w_torch| over the trajectory:")
    for name, d in diffs.items():
        print(f"  {name:28s} {d:.2e}")
    assert max(diffs.values()) <= TOL


# ---------------------------------------------------------------------------
# Negative controls: a wrong convention must be caught
# ---------------------------------------------------------------------------

def ema_momentum(w, v, g, lr=0.1, mu=0.9):
    """EMA momentum v = mu*v + (1-mu)*g with torch's lr: the course form, not torch's."""
    v = mu * v + (1 - mu) * g
    return w - lr * v, v


def rmsprop_eps_inside(w, V, g, lr=0.01, alpha=0.99, eps=1e-8):
    """Keras / optax default: eps inside the square root."""
    V = alpha * V + (1 - alpha) * g * g
    return w - lr * g / np.sqrt(V + eps), V


def adagrad_eps_inside(w, V, g, lr=0.01, eps=1e-10):
    V = V + g * g
    return w - lr * g / np.sqrt(V + eps), V


def adam_eps_hat(w, m, V, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Keras: eps added to sqrt(V) (not sqrt(V_hat)), with the bias corrections folded into lr."""
    m = beta1 * m + (1 - beta1) * g
    V = beta2 * V + (1 - beta2) * g * g
    alpha = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    return w - alpha * m / (np.sqrt(V) + eps), m, V


def adam_l2(w, m, V, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """Adam with coupled L2 decay (g += wd*w): what AdamW is not."""
    return O.adam_step.unchecked(w, m, V, g + weight_decay * w, t, lr, beta1, beta2, eps)


def amsgrad_max_of_vhat(w, m, V, V_max, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """optax: running max of the bias-corrected V."""
    m = beta1 * m + (1 - beta1) * g
    V = beta2 * V + (1 - beta2) * g * g
    V_max = np.maximum(V_max, V / (1 - beta2**t))
    return w - lr * (m / (1 - beta1**t)) / (np.sqrt(V_max) + eps), m, V, V_max


def nadam_keras_schedule(w, m, V, mu_prod, g, t, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                         momentum_decay=4e-3):
    """Keras 3: mu_t = beta1 * (1 - 0.5 * 0.96**t), without momentum_decay in the exponent."""
    mu_t = beta1 * (1 - 0.5 * 0.96**t)
    mu_next = beta1 * (1 - 0.5 * 0.96 ** (t + 1))
    mu_prod = mu_prod * mu_t
    m = beta1 * m + (1 - beta1) * g
    V = beta2 * V + (1 - beta2) * g * g
    d = np.sqrt(V / (1 - beta2**t)) + eps
    w = w - lr * (1 - mu_t) / (1 - mu_prod) * g / d - lr * mu_next / (1 - mu_prod * mu_next) * m / d
    return w, m, V, mu_prod


def radam_eps_on_vhat(w, m, V, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """optax: eps added to sqrt(V_hat) in the rectified branch."""
    m = beta1 * m + (1 - beta1) * g
    V = beta2 * V + (1 - beta2) * g * g
    bc2 = 1 - beta2**t
    m_hat = m / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / bc2
    if rho_t > 5:
        r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        return w - lr * m_hat * r / (np.sqrt(V / bc2) + eps), m, V
    return w - lr * m_hat, m, V


def adamax_keras(w, m, u, g, t, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Keras: u = max(beta2*u, |g|), eps added to u in the denominator."""
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    return w - lr * m / ((1 - beta1**t) * (u + eps)), m, u


def adadelta_lr_inside_u(w, V, U, g, lr=1.0, rho=0.9, eps=1e-6):
    """Accumulating the lr-scaled update in U (the paper's rule has lr = 1, torch keeps dx)."""
    V = rho * V + (1 - rho) * g * g
    dx = lr * np.sqrt(U + eps) / np.sqrt(V + eps) * g
    U = rho * U + (1 - rho) * dx * dx
    return w - dx, V, U


def rmsprop_lr_inside_buffer(w, V, gbar, v, g, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, centered=False):
    """Keras / optax RMSprop momentum with lr inside the velocity and eps inside the sqrt."""
    V = alpha * V + (1 - alpha) * g * g
    if centered:
        gbar = alpha * gbar + (1 - alpha) * g
        denom = np.sqrt(V - gbar * gbar + eps)
    else:
        denom = np.sqrt(V + eps)
    v = momentum * v + lr * g / denom
    return w - v, V, gbar, v


def nesterov_as_heavy_ball(w, v, g, lr=0.01, mu=0.9):
    return O.heavy_ball_step.unchecked(w, v, g, lr, mu)


NEGATIVE_CONTROLS = [
    # (fixture case, a step function with the wrong convention and the library's signature)
    ("sgd_momentum", ema_momentum),
    ("sgd_nesterov", nesterov_as_heavy_ball),
    ("rmsprop", rmsprop_eps_inside),
    ("rmsprop_momentum", rmsprop_lr_inside_buffer),
    ("adagrad", adagrad_eps_inside),
    ("adadelta", adadelta_lr_inside_u),
    ("adam", adam_eps_hat),
    ("adamw", adam_l2),
    ("adam_amsgrad", amsgrad_max_of_vhat),
    ("adamax", adamax_keras),
    ("nadam", nadam_keras_schedule),
    ("radam", radam_eps_on_vhat),
]


@pytest.mark.parametrize("name, wrong", NEGATIVE_CONTROLS, ids=[c[0] for c in NEGATIVE_CONTROLS])
def test_wrong_convention_is_detected(name, wrong):
    case = CASES[name]
    path, _state = replay(case, library_optimizer(case, step=wrong))
    assert max_diff(path, case) > 1e-6


def test_ignoring_the_initial_step_count_is_detected():
    # Adam started at t = 0 instead of the recorded step count: different bias corrections.
    case = CASES["adam"]
    opt = library_optimizer(case)
    state = initial_state(case, opt, np.array(case["initial_params"]))
    state["t"] = 0
    path, _ = replay(case, opt, state)
    assert max_diff(path, case) > 1e-6


def test_ignoring_the_initial_state_is_detected():
    # The same optimizer from a zero state misses torch's recorded non-zero buffers.
    case = CASES["adam"]
    opt = library_optimizer(case)
    state = opt.init(np.array(case["initial_params"]))
    state["t"] = case["initial_step"]
    path, _ = replay(case, opt, state)
    assert max_diff(path, case) > 1e-6


def test_torch_dampening_first_step_differs_from_ema_form_from_zero():
    """torch ``SGD(momentum=beta, dampening=beta)`` from its empty buffer is NOT the EMA form
    started at v = 0: torch's first buffer is g_1, the EMA form's is (1 - beta) g_1. With a
    non-zero buffer (case ``sgd_dampening``) the two agree to 1e-12 (tested above)."""
    case = CASES["sgd_dampening_zero_state"]
    opt = library_optimizer(case)
    w0 = np.array(case["initial_params"])
    path, _ = replay(case, opt, initial_state(case, opt, w0, empty_buffer_as_first_gradient=False))
    traj = np.array(case["trajectory"])
    lr, beta = case["library"]["hyperparameters"]["lr"], case["library"]["hyperparameters"]["beta"]
    g1 = gradient(w0, case, 1)
    # First step: torch moves by lr * g1, the EMA form from zero by lr * (1 - beta) * g1.
    np.testing.assert_allclose(traj[1], w0 - lr * g1, rtol=0, atol=1e-15)
    np.testing.assert_allclose(path[1], w0 - lr * (1 - beta) * g1, rtol=0, atol=1e-15)
    assert max_diff(path, case) > 1e-3
