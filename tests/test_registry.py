"""optimlab.registry: metadata agrees with the step functions it describes."""
from __future__ import annotations

import inspect
import re

import pytest

import optimlab
from optimlab import optimizers as O
from optimlab.registry import REGISTRY, Hyperparameter, get_info, optimizer_names

NAMES = ["gd", "momentum", "heavy_ball", "nesterov", "nesterov_lookahead", "adagrad", "adadelta", "rmsprop",
         "rmsprop_centered", "rmsprop_momentum", "rmsprop_full", "adam", "amsgrad", "adamax", "nadam", "adamw", "radam",
         "newton"]

# Registry defaults that differ on purpose from the step function's signature default:
# rmsprop_momentum is rmsprop_full_step with momentum on; the function's default (0) is plain RMSprop.
VARIANT_DEFAULTS = {("rmsprop_momentum", "momentum"): 0.9}

CJK = re.compile(r"[\u4e00-\u9fff]")


def signature_defaults(fn):
    return {p.name: p.default for p in inspect.signature(fn).parameters.values()
            if p.default is not inspect.Parameter.empty}


def test_names_and_order():
    assert optimizer_names() == NAMES
    assert list(REGISTRY) == NAMES
    for name, info in REGISTRY.items():
        assert info.name == name
        assert get_info(name) is info


@pytest.mark.parametrize("name", NAMES)
def test_step_is_a_library_step_function(name):
    info = REGISTRY[name]
    assert info.step in O.STEP_FUNCTIONS.values()
    assert callable(info.step.unchecked)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_equal_signature_defaults(name):
    info = REGISTRY[name]
    sig = signature_defaults(info.step)
    assert info.hyperparameters, name
    for hp_name, hp in info.hyperparameters.items():
        assert hp.name == hp_name
        assert hp_name in sig, f"{name}: {hp_name} is not an argument of {info.step.__name__}"
        expected = VARIANT_DEFAULTS.get((name, hp_name), sig[hp_name])
        assert hp.default == expected, (name, hp_name)
    for key, value in info.fixed.items():
        assert key in sig and key not in info.hyperparameters
    # What make() runs with is exactly the registry's defaults plus the fixed settings.
    assert optimlab.make(name).hyperparameters == {**sig, **info.defaults, **info.fixed}


def test_variant_defaults_are_real_variants():
    for (name, hp_name), value in VARIANT_DEFAULTS.items():
        assert signature_defaults(REGISTRY[name].step)[hp_name] != value
        assert REGISTRY[name].defaults[hp_name] == value


@pytest.mark.parametrize("name", NAMES)
def test_every_tunable_argument_is_described(name):
    # Every float hyperparameter of the step function is either a slider or fixed.
    info = REGISTRY[name]
    for arg, default in signature_defaults(info.step).items():
        if isinstance(default, bool):
            continue  # switches such as bias_correction / centered
        assert arg in info.hyperparameters or arg in info.fixed, (name, arg)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_inside_ranges(name):
    for hp in REGISTRY[name].hyperparameters.values():
        assert hp.low < hp.high
        assert hp.low <= hp.default <= hp.high, (name, hp.name)
        if hp.log:
            assert hp.low > 0, (name, hp.name)  # a log slider cannot reach 0
        assert hp.doc.strip(), (name, hp.name)
        assert hp.symbol.strip(), (name, hp.name)


@pytest.mark.parametrize("name", NAMES)
def test_slider_ranges_are_accepted_by_the_step_function(name):
    # The ends of every slider are values the step function takes without complaint.
    info = REGISTRY[name]
    for hp in info.hyperparameters.values():
        for value in (hp.low, hp.high):
            optimlab.make(name, **{hp.name: value})


@pytest.mark.parametrize("name", NAMES)
def test_lr_slider(name):
    lr = REGISTRY[name].hyperparameters["lr"]
    assert lr.symbol == r"\eta"
    if REGISTRY[name].order == 1:
        assert lr.log is True  # learning rates span decades
        assert lr.high / lr.low >= 100
    else:
        # Newton's step size is a fraction of the full step around 1: a linear slider.
        assert lr.default == 1.0 and lr.log is False and lr.low <= 1.0 <= lr.high


@pytest.mark.parametrize("name", NAMES)
def test_formula_latex(name):
    info = REGISTRY[name]
    tex = info.formula
    assert tex.strip()
    assert tex.count("{") == tex.count("}"), name
    assert tex.count(r"\begin{aligned}") == tex.count(r"\end{aligned}")
    assert "w_t" in tex
    for hp in info.hyperparameters.values():
        # AdamW and RAdam refer to Adam for m_t and v_t (and so for beta1, beta2).
        if hp.name in ("beta1", "beta2") and r"\text{as in Adam}" in tex:
            continue
        assert hp.symbol in tex, f"{name}: the formula does not show {hp.name} ({hp.symbol})"


@pytest.mark.parametrize("name", NAMES)
def test_titles_and_chinese_names(name):
    info = REGISTRY[name]
    assert info.title.strip()
    assert info.chinese.strip()
    assert CJK.search(info.chinese), f"{name}: chinese name {info.chinese!r} has no CJK character"


@pytest.mark.parametrize("name", NAMES)
def test_order_state_init_and_torch_equivalent(name):
    info = REGISTRY[name]
    assert info.order == (2 if info.step.needs_hessian else 1)
    assert set(info.state_init) <= set(info.step.state_names)
    if name == "newton":
        assert info.torch_equivalent == ""
    else:
        assert info.torch_equivalent.startswith("torch.optim.")


def test_nadam_state_starts_at_one():
    assert REGISTRY["nadam"].state_init == {"mu_prod": 1.0}


def test_hyperparameter_refuses_default_outside_its_range():
    with pytest.raises(ValueError, match=r"default of lr \(5.0\) lies outside \[0.001, 1.0\]"):
        Hyperparameter("lr", 5.0, 1e-3, 1.0, True, "learning rate")


def test_registry_entries_are_frozen():
    with pytest.raises(AttributeError):
        REGISTRY["adam"].title = "x"
