"""optimlab.registry: metadata agrees with the step functions it describes."""
from __future__ import annotations

import inspect
import pathlib
import re

import numpy as np
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


# ---------------------------------------------------------------------------
# Where the defaults come from: the documentation must tell the truth
# ---------------------------------------------------------------------------

# torch 2.13's documented defaults (torch.optim class signatures), in the library's argument names.
TORCH_DEFAULTS = {
    "SGD": {"lr": 1e-3, "mu": 0.0},
    "Adagrad": {"lr": 1e-2, "eps": 1e-10},
    "Adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
    "RMSprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "momentum": 0.0},
    "Adam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "Adamax": {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "NAdam": {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 4e-3},
    "AdamW": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2},
    "RAdam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}
SGD_FAMILY = ["gd", "heavy_ball", "nesterov", "nesterov_lookahead"]


@pytest.mark.parametrize("name", NAMES)
def test_defaults_source_is_true(name):
    info = REGISTRY[name]
    source = info.defaults_source
    defaults = info.defaults
    if source.startswith("torch.optim."):
        cls = source[len("torch.optim."):].split("'")[0]
        torch = TORCH_DEFAULTS[cls]
        assert info.torch_equivalent.startswith(f"torch.optim.{cls}(")
        differ = {k for k in defaults if k in torch and defaults[k] != torch[k]}
        if " except " in source:  # the one documented exception, named in the text
            assert differ and all(f"{k}={defaults[k]:g}" in source for k in differ), (name, differ)
        else:
            assert differ == set(), (name, differ)
        assert set(defaults) <= set(torch), name
    else:
        assert source.startswith("course: "), name
        if name in SGD_FAMILY:
            assert "torch.optim.SGD defaults to lr=1e-3 and momentum=0" in source
            assert defaults["lr"] != TORCH_DEFAULTS["SGD"]["lr"]
        elif name == "momentum":
            assert "no torch class" in source
        else:
            assert name == "newton" and "no Newton optimizer" in source


def test_the_sgd_defaults_claim_is_what_the_numbers_do():
    # "100 steps of torch's lr=1e-3 cover less than a fifth of the way to the minimum on the course's
    # quadratic landscapes, while lr=0.1 gets there" (registry and optimlab.optimizers docstring).
    for landscape in ("parabola", "ill_conditioned", "rotated_quadratic", "sparse_features"):
        land = optimlab.get_landscape(landscape)
        target = land.minima[0]
        slow = optimlab.run("gd", land, steps=100, lr=1e-3)
        covered = 1 - np.linalg.norm(slow.final_w - target) / np.linalg.norm(land.start - target)
        assert 0 < covered < 0.2, (landscape, covered)
    fast = optimlab.run("gd", "parabola", steps=100)  # the course's default lr = 0.1
    assert abs(fast.final_w[0]) < 2e-9
    assert "on the parabola\nfrom 5 to 4.09), while ``lr=0.1`` gets there (to 1e-9)" in O.__doc__
    assert optimlab.run("gd", "parabola", steps=100, lr=1e-3).final_w[0] == pytest.approx(4.09, abs=0.005)


@pytest.mark.parametrize("fn", [O.gd_step, O.momentum_step, O.heavy_ball_step, O.nesterov_step])
def test_module_docstring_table_shows_the_real_sgd_family_defaults(fn):
    text = ", ".join(f"{k}={v:g}" for k, v in fn.hyperparameters.items())
    line = next(line for line in O.__doc__.splitlines() if line.startswith(f"``{fn.__name__}``"))
    assert f"``{text}``" in line


def test_no_blanket_claim_of_torch_defaults():
    readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
    for text in (O.__doc__, readme):
        assert "follows ``torch.optim``'s defaults" not in text and "follows `torch.optim`'s defaults" not in text
        assert "lr=1e-3" in text  # torch's SGD default is named where the course's differs


def test_readme_library_examples_run():
    readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("## The library", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2
    scope = {}
    exec(compile("\n".join(blocks).replace("print(", "(lambda *a: None)("), "README.md", "exec"), scope)
    # the Adam step from zero state at t = 1: m_1 = (1 - 0.9) g, V_1 = (1 - 0.999) g^2 with g = 0.5
    np.testing.assert_allclose(scope["m"], [0.05, 0.05])
    np.testing.assert_allclose(scope["V"], [0.00025, 0.00025])
    assert set(scope["state"]) == {"v", "t"} and scope["state"]["t"] == 1
    assert scope["result"].trajectory.shape == (501, 2)
