r"""Metadata of every optimizer in the course: names, formulas and hyperparameter ranges.

The registry is what widgets read to build their sliders (default, range, log scale)
and what notebooks read to print a formula. Each entry points at its step function
in :mod:`optimlab.optimizers`; variants (centered RMSprop, RMSprop with momentum)
are the same step function with some hyperparameters fixed. Every step function of
:mod:`optimlab.optimizers` is reachable by name (``rmsprop_full`` exposes ``centered``
and ``momentum`` both; ``nesterov_lookahead`` is Nesterov's look-ahead form, which needs
a gradient function).

Formulas use the course notation: step ``t = 1, 2, ...`` turns ``w_{t-1}`` into ``w_t``
with ``g_t``; the velocity ``v``, the first moment ``m``, the second moment ``V``.

Defaults. Each entry's ``defaults_source`` says where its defaults come from: torch's
class for AdaGrad, AdaDelta, RMSprop and the Adam family; the course's own, with the
reason, for the SGD family (torch's ``SGD`` defaults to ``lr=1e-3`` and ``momentum=0``),
RMSprop with momentum (torch's ``momentum=0`` would be plain RMSprop) and Newton's method.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Mapping

from . import optimizers as O

__all__ = ["Hyperparameter", "OptimizerInfo", "REGISTRY", "get_info", "optimizer_names"]


@dataclass(frozen=True)
class Hyperparameter:
    """One tunable hyperparameter: its default, the range a slider may cover, and its meaning.

    ``low``/``high`` bound the slider (and the values the course recommends), not the
    values the step function accepts; the step function's own checks decide those.
    """

    name: str
    default: float
    low: float
    high: float
    log: bool
    doc: str
    symbol: str = ""  # LaTeX symbol used in the formula

    def __post_init__(self):
        if not self.low <= self.default <= self.high:
            raise ValueError(f"default of {self.name} ({self.default}) lies outside [{self.low}, {self.high}]")


@dataclass(frozen=True)
class OptimizerInfo:
    name: str
    title: str
    chinese: str
    step: Callable
    formula: str  # LaTeX, one aligned block
    hyperparameters: Mapping[str, Hyperparameter]
    fixed: Mapping[str, object] = field(default_factory=dict)
    state_init: Mapping[str, float] = field(default_factory=dict)
    torch_equivalent: str = ""
    order: int = 1  # 1 = first-order (gradients), 2 = needs the Hessian
    defaults_source: str = ""  # "torch.optim.X" (its defaults) or "course: <why they differ>"

    @property
    def defaults(self) -> dict:
        return {k: h.default for k, h in self.hyperparameters.items()}


def _lr(default, low=1e-4, high=10.0):
    return Hyperparameter("lr", default, low, high, True, "learning rate (学习率)", r"\eta")


def _beta(name, default, doc, symbol, low=0.0, high=0.999):
    return Hyperparameter(name, default, low, high, False, doc, symbol)


def _eps(default, low=1e-12, high=1.0):
    return Hyperparameter("eps", default, low, high, True, "added to the denominator for numerical safety", r"\epsilon")


def _hp(*items):
    return {h.name: h for h in items}


_B1 = _beta("beta1", 0.9, "decay of the first-moment average", r"\beta_1")
_B2 = _beta("beta2", 0.999, "decay of the second-moment average", r"\beta_2", 0.5, 0.9999)

_SGD_COURSE = ("course: torch.optim.SGD defaults to lr=1e-3 and momentum=0; on the course's quadratic landscapes "
               "100 such steps cover less than a fifth of the way to the minimum, while lr=0.1 gets there")
_SGD_MOMENTUM_COURSE = ("course: torch.optim.SGD defaults to lr=1e-3 and momentum=0; mu=0.9 is the usual "
                        "textbook momentum, and lr=0.01 makes steps of about lr/(1-mu) = 0.1, like gd's lr")

_ADAM_TEX = r"""\begin{aligned}
m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t \\
V_t &= \beta_2 V_{t-1} + (1-\beta_2) g_t^2 \\
\hat m_t &= \frac{m_t}{1-\beta_1^t}, \quad \hat V_t = \frac{V_t}{1-\beta_2^t} \\
w_t &= w_{t-1} - \eta \frac{\hat m_t}{\sqrt{\hat V_t} + \epsilon}
\end{aligned}"""

_RMSPROP_FULL_TEX = r"""\begin{aligned}
V_t &= \alpha V_{t-1} + (1-\alpha) g_t^2, \quad \bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t \ \text{(centered)} \\
d_t &= \sqrt{V_t - \bar g_t^2} + \epsilon \ \text{(centered)}, \quad \text{else } \sqrt{V_t} + \epsilon \\
v_t &= \mu v_{t-1} + g_t / d_t, \quad w_t = w_{t-1} - \eta\, v_t \ \text{(momentum } \mu > 0\text{)} \\
w_t &= w_{t-1} - \eta\, g_t / d_t \ \text{(no momentum)}
\end{aligned}"""

_ENTRIES = [
    OptimizerInfo(
        "gd", "Gradient descent", "梯度下降", O.gd_step,
        r"w_t = w_{t-1} - \eta\, g_t",
        _hp(_lr(0.1)), torch_equivalent="torch.optim.SGD(lr)",
    ),
    OptimizerInfo(
        "momentum", "Momentum (EMA form)", "动量法（指数加权平均形式）", O.momentum_step,
        r"""\begin{aligned}
v_t &= \beta v_{t-1} + (1-\beta) g_t \\
w_t &= w_{t-1} - \eta\, v_t
\end{aligned}""",
        _hp(_lr(0.1), _beta("beta", 0.9, "decay of the gradient average", r"\beta", 0.0, 0.99)),
        torch_equivalent="torch.optim.SGD(lr=(1-beta)*lr, momentum=beta)",
    ),
    OptimizerInfo(
        "heavy_ball", "Momentum (heavy-ball, PyTorch form)", "重球动量法", O.heavy_ball_step,
        r"""\begin{aligned}
v_t &= \mu v_{t-1} + g_t \\
w_t &= w_{t-1} - \eta\, v_t
\end{aligned}""",
        _hp(_lr(0.01), _beta("mu", 0.9, "momentum coefficient", r"\mu", 0.0, 0.99)),
        torch_equivalent="torch.optim.SGD(lr, momentum=mu)",
    ),
    OptimizerInfo(
        "nesterov", "Nesterov accelerated gradient", "Nesterov 加速梯度", O.nesterov_step,
        r"""\begin{aligned}
v_t &= \mu v_{t-1} + g_t \\
w_t &= w_{t-1} - \eta\, (g_t + \mu v_t)
\end{aligned}""",
        _hp(_lr(0.01), _beta("mu", 0.9, "momentum coefficient", r"\mu", 0.0, 0.99)),
        torch_equivalent="torch.optim.SGD(lr, momentum=mu, nesterov=True)",
    ),
    OptimizerInfo(
        "nesterov_lookahead", "Nesterov accelerated gradient (look-ahead form)", "Nesterov 加速梯度（前瞻形式）",
        O.nesterov_lookahead_step,
        r"""\begin{aligned}
v_t &= \mu v_{t-1} + \nabla L(w_{t-1} - \eta \mu v_{t-1}) \\
w_t &= w_{t-1} - \eta\, v_t
\end{aligned}""",
        _hp(_lr(0.01), _beta("mu", 0.9, "momentum coefficient", r"\mu", 0.0, 0.99)),
        torch_equivalent="torch.optim.SGD(lr, momentum=mu, nesterov=True), in the variable w - lr*mu*v",
    ),
    OptimizerInfo(
        "adagrad", "AdaGrad", "自适应梯度算法", O.adagrad_step,
        r"""\begin{aligned}
V_t &= V_{t-1} + g_t^2 \\
w_t &= w_{t-1} - \frac{\eta}{\sqrt{V_t} + \epsilon}\, g_t
\end{aligned}""",
        _hp(_lr(0.01, 1e-4, 10.0), _eps(1e-10)), torch_equivalent="torch.optim.Adagrad(lr, eps=eps)",
    ),
    OptimizerInfo(
        "adadelta", "AdaDelta", "自适应增量法", O.adadelta_step,
        r"""\begin{aligned}
V_t &= \rho V_{t-1} + (1-\rho) g_t^2 \\
\Delta_t &= \frac{\sqrt{U_{t-1} + \epsilon}}{\sqrt{V_t + \epsilon}}\, g_t \\
U_t &= \rho U_{t-1} + (1-\rho) \Delta_t^2 \\
w_t &= w_{t-1} - \eta\, \Delta_t
\end{aligned}""",
        _hp(_lr(1.0, 1e-2, 10.0), _beta("rho", 0.9, "decay of both averages", r"\rho", 0.0, 0.999), _eps(1e-6)),
        torch_equivalent="torch.optim.Adadelta(lr, rho, eps)",
    ),
    OptimizerInfo(
        "rmsprop", "RMSprop", "均方根传播", O.rmsprop_step,
        r"""\begin{aligned}
V_t &= \alpha V_{t-1} + (1-\alpha) g_t^2 \\
w_t &= w_{t-1} - \frac{\eta}{\sqrt{V_t} + \epsilon}\, g_t
\end{aligned}""",
        _hp(_lr(0.01), _beta("alpha", 0.99, "decay of the squared-gradient average", r"\alpha"), _eps(1e-8)),
        torch_equivalent="torch.optim.RMSprop(lr, alpha, eps)",
    ),
    OptimizerInfo(
        "rmsprop_centered", "RMSprop (centered)", "中心化均方根传播", O.rmsprop_full_step, _RMSPROP_FULL_TEX,
        _hp(_lr(0.01), _beta("alpha", 0.99, "decay of both averages", r"\alpha"), _eps(1e-8)),
        fixed={"centered": True, "momentum": 0.0},
        torch_equivalent="torch.optim.RMSprop(lr, alpha, eps, centered=True)",
    ),
    OptimizerInfo(
        "rmsprop_momentum", "RMSprop with momentum", "带动量的均方根传播", O.rmsprop_full_step, _RMSPROP_FULL_TEX,
        _hp(_lr(0.01), _beta("alpha", 0.99, "decay of the squared-gradient average", r"\alpha"), _eps(1e-8),
            _beta("momentum", 0.9, "momentum coefficient", r"\mu", 0.0, 0.99)),
        fixed={"centered": False},
        torch_equivalent="torch.optim.RMSprop(lr, alpha, eps, momentum=momentum)",
    ),
    OptimizerInfo(
        "rmsprop_full", "RMSprop (all options)", "均方根传播（完整形式）", O.rmsprop_full_step, _RMSPROP_FULL_TEX,
        _hp(_lr(0.01), _beta("alpha", 0.99, "decay of the squared-gradient average", r"\alpha"), _eps(1e-8),
            _beta("momentum", 0.0, "momentum coefficient (0: none)", r"\mu", 0.0, 0.99)),
        torch_equivalent="torch.optim.RMSprop(lr, alpha, eps, momentum=momentum, centered=centered)",
    ),
    OptimizerInfo(
        "adam", "Adam", "自适应矩估计", O.adam_step, _ADAM_TEX,
        _hp(_lr(0.001), _B1, _B2, _eps(1e-8)), torch_equivalent="torch.optim.Adam(lr, betas, eps)",
    ),
    OptimizerInfo(
        "amsgrad", "AMSGrad", "AMSGrad（带最大值修正的 Adam）", O.amsgrad_step,
        r"""\begin{aligned}
m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad V_t = \beta_2 V_{t-1} + (1-\beta_2) g_t^2 \\
V^{\max}_t &= \max(V^{\max}_{t-1}, V_t) \\
w_t &= w_{t-1} - \frac{\eta}{1-\beta_1^t} \frac{m_t}{\sqrt{V^{\max}_t / (1-\beta_2^t)} + \epsilon}
\end{aligned}""",
        _hp(_lr(0.001), _B1, _B2, _eps(1e-8)), torch_equivalent="torch.optim.Adam(lr, betas, eps, amsgrad=True)",
    ),
    OptimizerInfo(
        "adamax", "AdaMax", "AdaMax（基于无穷范数的 Adam）", O.adamax_step,
        r"""\begin{aligned}
m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t \\
u_t &= \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\
w_t &= w_{t-1} - \frac{\eta}{1-\beta_1^t} \frac{m_t}{u_t}
\end{aligned}""",
        _hp(_lr(0.002), _B1, _B2, _eps(1e-8)), torch_equivalent="torch.optim.Adamax(lr, betas, eps)",
    ),
    OptimizerInfo(
        "nadam", "Nadam", "Nesterov 加速的自适应矩估计", O.nadam_step,
        r"""\begin{aligned}
\mu_t &= \beta_1 \left(1 - \tfrac12\, 0.96^{t\psi}\right), \quad \Pi_t = \textstyle\prod_{i \le t} \mu_i \\
m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad V_t = \beta_2 V_{t-1} + (1-\beta_2) g_t^2 \\
d_t &= \sqrt{V_t / (1-\beta_2^t)} + \epsilon \\
w_t &= w_{t-1} - \eta \frac{1-\mu_t}{1-\Pi_t} \frac{g_t}{d_t} - \eta \frac{\mu_{t+1}}{1-\Pi_t \mu_{t+1}} \frac{m_t}{d_t}
\end{aligned}""",
        _hp(_lr(0.002), _B1, _B2, _eps(1e-8),
            Hyperparameter("momentum_decay", 0.004, 0.0, 0.1, False, "speed of the momentum warm-up schedule", r"\psi")),
        state_init={"mu_prod": 1.0}, torch_equivalent="torch.optim.NAdam(lr, betas, eps, momentum_decay)",
    ),
    OptimizerInfo(
        "adamw", "AdamW", "解耦权重衰减的 Adam", O.adamw_step,
        r"""\begin{aligned}
w' &= w_{t-1} (1 - \eta \lambda) \\
m_t, V_t, \hat m_t, \hat V_t &\ \text{as in Adam} \\
w_t &= w' - \eta \frac{\hat m_t}{\sqrt{\hat V_t} + \epsilon}
\end{aligned}""",
        _hp(_lr(0.001), _B1, _B2, _eps(1e-8),
            Hyperparameter("weight_decay", 0.01, 0.0, 1.0, False, "decoupled weight decay", r"\lambda")),
        torch_equivalent="torch.optim.AdamW(lr, betas, eps, weight_decay)",
    ),
    OptimizerInfo(
        "radam", "RAdam", "修正的自适应矩估计", O.radam_step,
        r"""\begin{aligned}
m_t, V_t, \hat m_t &\ \text{as in Adam} \\
\rho_\infty &= \tfrac{2}{1-\beta_2} - 1, \quad \rho_t = \rho_\infty - \tfrac{2 t \beta_2^t}{1-\beta_2^t} \\
r_t &= \sqrt{\tfrac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}} \\
w_t &= w_{t-1} - \eta\, \hat m_t\, r_t \frac{\sqrt{1-\beta_2^t}}{\sqrt{V_t} + \epsilon} \ \text{if } \rho_t > 5, \ \text{else } w_{t-1} - \eta\, \hat m_t
\end{aligned}""",
        _hp(_lr(0.001), _B1, _B2, _eps(1e-8)), torch_equivalent="torch.optim.RAdam(lr, betas, eps)",
    ),
    OptimizerInfo(
        "newton", "Newton's method (damped)", "牛顿法", O.newton_step,
        r"w_t = w_{t-1} - \eta\, (H_{t-1} + \lambda I)^{-1} g_t",
        _hp(Hyperparameter("lr", 1.0, 0.01, 2.0, False, "step size (1 = pure Newton)", r"\eta"),
            Hyperparameter("damping", 0.0, 0.0, 10.0, False, "added to the Hessian's diagonal", r"\lambda")),
        order=2,
    ),
]

_TORCH = "torch.optim.{}'s defaults"
_DEFAULTS_SOURCE = {
    "gd": _SGD_COURSE,
    "momentum": ("course: the EMA form has no torch class; beta=0.9 is the usual choice and lr=0.1 the same as "
                 "gd's, since the EMA's steps are about lr long"),
    "heavy_ball": _SGD_MOMENTUM_COURSE,
    "nesterov": _SGD_MOMENTUM_COURSE,
    "nesterov_lookahead": _SGD_MOMENTUM_COURSE,
    "adagrad": _TORCH.format("Adagrad"),
    "adadelta": _TORCH.format("Adadelta"),
    "rmsprop": _TORCH.format("RMSprop"),
    "rmsprop_centered": _TORCH.format("RMSprop"),
    "rmsprop_momentum": ("torch.optim.RMSprop's defaults except momentum=0.9 (course: torch's momentum=0 is "
                         "plain RMSprop, not this variant)"),
    "rmsprop_full": _TORCH.format("RMSprop"),
    "adam": _TORCH.format("Adam"),
    "amsgrad": _TORCH.format("Adam"),
    "adamax": _TORCH.format("Adamax"),
    "nadam": _TORCH.format("NAdam"),
    "adamw": _TORCH.format("AdamW"),
    "radam": _TORCH.format("RAdam"),
    "newton": "course: torch has no Newton optimizer; lr=1, damping=0 is the pure Newton step",
}
_ENTRIES = [replace(e, defaults_source=_DEFAULTS_SOURCE[e.name]) for e in _ENTRIES]

REGISTRY: dict[str, OptimizerInfo] = {e.name: e for e in _ENTRIES}


def optimizer_names() -> list[str]:
    return list(REGISTRY)


def get_info(name: str) -> OptimizerInfo:
    """The registry entry for ``name``; an unknown name raises a ``ValueError`` listing the known ones."""
    if not isinstance(name, str):
        raise TypeError(f"optimizer name must be a string, got {name!r} of type {type(name).__name__}")
    try:
        return REGISTRY[name]
    except KeyError:
        close = [n for n in REGISTRY if name.lower().replace("-", "_") == n]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"unknown optimizer name {name!r}{hint}; known optimizers: {', '.join(REGISTRY)}"
        ) from None
