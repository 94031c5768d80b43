"""Record ``torch.optim`` trajectories as golden fixtures for ``tests/test_parity.py``.

torch is NOT a dependency of optimlab and must not go into the project venv. Run this
script in a separate, throw-away venv with a pinned CPU build of torch. ``make fixtures``
does it with the venv in ``.torchvenv/`` (git-ignored); by hand::

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 numpy   # pinned: an unpinned torch pulls GBs of CUDA
    /tmp/torchvenv/bin/python scripts/record_torch_fixtures.py          # writes tests/fixtures/torch_parity.json

(``--out PATH`` writes elsewhere.) The test-suite only reads the JSON; it never imports torch.

The problem every case runs on, chosen so that a wrong update rule cannot hide:

* float64 throughout, with ``torch.set_default_dtype(torch.float64)``: torch keeps its
  *scalar* state (``step``, NAdam's ``mu_product``) in the default dtype, and float32
  there would cost ~1e-10 of agreement;
* parameters of shape (2, 3);
* the gradient depends on the current parameters, so every step feeds the next one::

      g_t = curvature * (w_{t-1} - center) + noise_t          (elementwise)

  with ``noise_t`` drawn from a seeded generator and stored in the JSON (the test
  recomputes ``g_t`` at its own iterate and so replays the closed loop);
* non-default hyperparameters (large ``eps`` = 1e-3 makes where eps goes visible);
* a NON-ZERO starting state: the optimizer's state buffers (``momentum_buffer``,
  ``exp_avg``, ``exp_avg_sq``, ``square_avg``, ``acc_delta``, ``sum``, ``grad_avg``,
  ``max_exp_avg_sq``, ``exp_inf``, ``mu_product``, ``step``) are set before the first
  step, and the library starts from the same values with ``t`` = the same step count
  (except the two ``sgd_*_zero_state`` cases, which record what torch does with an
  empty momentum buffer);
* >= 25 steps; RAdam uses beta2 = 0.9 and starts at step 3, so its first steps take the
  un-rectified branch (rho_t <= 5) and it crosses to the rectified one at t = 6.

Each case stores the library's name for the optimizer and its hyperparameters, the
initial parameters and state (under the library's state names in the course notation,
the second moment ``V``, AdaDelta's ``U``, AMSGrad's ``V_max``, RMSprop's velocity ``v``,
with the torch key each one was written to; the file says ``"state_notation": "course"``),
the noise, the gradients torch saw, the trajectory
(steps + 1 parameter arrays) and the final state.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys

import numpy as np
import torch

SHAPE = (2, 3)
STEPS = 25
ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "torch_parity.json"

# The fixed quadratic part of the gradient: distinct curvatures per coordinate.
CURVATURE = np.array([[0.5, 1.0, 2.0], [3.0, 0.8, 1.5]])
CENTER = np.array([[1.0, -2.0, 0.5], [-0.5, 2.0, 1.5]])
INITIAL_PARAMS = np.array([[0.3, -0.7, 1.2], [-1.5, 0.4, 2.5]])
NOISE_SCALE = 0.5

# Non-zero state values, one array per buffer (chosen to keep every denominator positive:
# the centered RMSprop needs square_avg > grad_avg**2, which the EMA then preserves).
M0 = np.array([[0.2, -0.4, 0.1], [0.6, -0.3, 0.05]])        # first moments, momentum buffers
V0 = np.array([[0.5, 0.3, 0.8], [1.2, 0.1, 0.4]])           # second moments, accumulators
GBAR0 = np.array([[0.1, -0.2, 0.3], [-0.4, 0.05, 0.2]])     # centered RMSprop's gradient average
U0 = np.array([[0.01, 0.02, 0.005], [0.03, 0.015, 0.002]])  # Adadelta's squared-update average
VMAX0 = np.array([[0.9, 0.05, 2.0], [1.1, 0.3, 0.01]])      # AMSGrad: some above V0, some below
UINF0 = np.array([[0.7, 1.5, 0.2], [2.5, 0.4, 0.9]])        # Adamax's infinity-norm state

BETAS = (0.8, 0.95)

# name, torch class, torch kwargs, library spec, initial step count, {library state: (torch key, value)}
CASES = [
    ("sgd", "SGD", dict(lr=0.05),
     {"make": "gd", "hyperparameters": dict(lr=0.05)}, 0, {}),
    ("sgd_momentum", "SGD", dict(lr=0.03, momentum=0.8),
     {"make": "heavy_ball", "hyperparameters": dict(lr=0.03, mu=0.8)}, 0,
     {"v": ("momentum_buffer", M0)}),
    # From torch's EMPTY buffer with dampening=0: its first buffer g_1 is mu*0 + g_1, so the
    # heavy-ball form from v = 0 matches with no first-step exception.
    ("sgd_momentum_zero_state", "SGD", dict(lr=0.03, momentum=0.8),
     {"make": "heavy_ball", "hyperparameters": dict(lr=0.03, mu=0.8)}, 0, {}),
    ("sgd_nesterov", "SGD", dict(lr=0.03, momentum=0.7, nesterov=True),
     {"make": "nesterov", "hyperparameters": dict(lr=0.03, mu=0.7)}, 0,
     {"v": ("momentum_buffer", M0)}),
    # dampening=momentum is the EMA form, except that from an empty buffer torch's first
    # step sets the buffer to g (no factor 1 - dampening). Recorded from the EMPTY state on
    # purpose: the test shows the library's EMA form matches it when started at v0 = g_1.
    ("sgd_dampening_zero_state", "SGD", dict(lr=0.05, momentum=0.8, dampening=0.8),
     {"make": "momentum", "hyperparameters": dict(lr=0.05, beta=0.8)}, 0, {}),
    ("sgd_dampening", "SGD", dict(lr=0.05, momentum=0.8, dampening=0.8),
     {"make": "momentum", "hyperparameters": dict(lr=0.05, beta=0.8)}, 0,
     {"v": ("momentum_buffer", M0)}),
    ("adagrad", "Adagrad", dict(lr=0.2, eps=1e-3),
     {"make": "adagrad", "hyperparameters": dict(lr=0.2, eps=1e-3)}, 4,
     {"V": ("sum", V0)}),
    ("adadelta", "Adadelta", dict(lr=0.7, rho=0.8, eps=1e-3),
     {"make": "adadelta", "hyperparameters": dict(lr=0.7, rho=0.8, eps=1e-3)}, 4,
     {"V": ("square_avg", V0), "U": ("acc_delta", U0)}),
    ("rmsprop", "RMSprop", dict(lr=0.02, alpha=0.85, eps=1e-3),
     {"make": "rmsprop", "hyperparameters": dict(lr=0.02, alpha=0.85, eps=1e-3)}, 4,
     {"V": ("square_avg", V0)}),
    ("rmsprop_centered", "RMSprop", dict(lr=0.02, alpha=0.85, eps=1e-3, centered=True),
     {"make": "rmsprop_centered", "hyperparameters": dict(lr=0.02, alpha=0.85, eps=1e-3)}, 4,
     {"V": ("square_avg", V0), "gbar": ("grad_avg", GBAR0), "v": (None, np.zeros(SHAPE))}),
    ("rmsprop_momentum", "RMSprop", dict(lr=0.01, alpha=0.85, eps=1e-3, momentum=0.6),
     {"make": "rmsprop_momentum", "hyperparameters": dict(lr=0.01, alpha=0.85, eps=1e-3, momentum=0.6)}, 4,
     {"V": ("square_avg", V0), "gbar": (None, np.zeros(SHAPE)), "v": ("momentum_buffer", M0)}),
    ("rmsprop_centered_momentum", "RMSprop", dict(lr=0.01, alpha=0.85, eps=1e-3, momentum=0.6, centered=True),
     {"step": "rmsprop_full_step",
      "hyperparameters": dict(lr=0.01, alpha=0.85, eps=1e-3, momentum=0.6, centered=True)}, 4,
     {"V": ("square_avg", V0), "gbar": ("grad_avg", GBAR0), "v": ("momentum_buffer", M0)}),
    ("adam", "Adam", dict(lr=0.02, betas=BETAS, eps=1e-3),
     {"make": "adam", "hyperparameters": dict(lr=0.02, beta1=BETAS[0], beta2=BETAS[1], eps=1e-3)}, 5,
     {"m": ("exp_avg", M0), "V": ("exp_avg_sq", V0)}),
    ("adam_amsgrad", "Adam", dict(lr=0.02, betas=BETAS, eps=1e-3, amsgrad=True),
     {"make": "amsgrad", "hyperparameters": dict(lr=0.02, beta1=BETAS[0], beta2=BETAS[1], eps=1e-3)}, 5,
     {"m": ("exp_avg", M0), "V": ("exp_avg_sq", V0), "V_max": ("max_exp_avg_sq", VMAX0)}),
    ("adamax", "Adamax", dict(lr=0.03, betas=BETAS, eps=1e-3),
     {"make": "adamax", "hyperparameters": dict(lr=0.03, beta1=BETAS[0], beta2=BETAS[1], eps=1e-3)}, 5,
     {"m": ("exp_avg", M0), "u": ("exp_inf", UINF0)}),
    ("nadam", "NAdam", dict(lr=0.02, betas=BETAS, eps=1e-3, momentum_decay=0.05),
     {"make": "nadam",
      "hyperparameters": dict(lr=0.02, beta1=BETAS[0], beta2=BETAS[1], eps=1e-3, momentum_decay=0.05)}, 5,
     {"m": ("exp_avg", M0), "V": ("exp_avg_sq", V0), "mu_prod": ("mu_product", 0.15)}),
    ("adamw", "AdamW", dict(lr=0.02, betas=BETAS, eps=1e-3, weight_decay=0.1),
     {"make": "adamw",
      "hyperparameters": dict(lr=0.02, beta1=BETAS[0], beta2=BETAS[1], eps=1e-3, weight_decay=0.1)}, 5,
     {"m": ("exp_avg", M0), "V": ("exp_avg_sq", V0)}),
    ("radam", "RAdam", dict(lr=0.02, betas=(0.8, 0.9), eps=1e-3),
     {"make": "radam", "hyperparameters": dict(lr=0.02, beta1=0.8, beta2=0.9, eps=1e-3)}, 3,
     {"m": ("exp_avg", M0), "V": ("exp_avg_sq", V0)}),
]


def gradient(w: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """The fixtures' gradient, the same expression the test evaluates (exact in IEEE float64)."""
    return CURVATURE * (w - CENTER) + noise


def record_case(index, name, cls_name, torch_kwargs, library, step0, state0):
    noise = np.random.default_rng(1000 + index).normal(0.0, NOISE_SCALE, size=(STEPS, *SHAPE))
    p = torch.nn.Parameter(torch.tensor(INITIAL_PARAMS, dtype=torch.float64))
    opt = getattr(torch.optim, cls_name)([p], foreach=False, **torch_kwargs)
    # Optimizers that keep a step counter get it even when it is the only state: Adagrad
    # builds its state in __init__, and a dict we fill is used as it is (torch only
    # initialises an empty state).
    torch_state = {}
    if cls_name != "SGD":
        torch_state["step"] = torch.tensor(float(step0))
    for key, value in state0.values():
        if key is not None:
            torch_state[key] = torch.tensor(value, dtype=torch.float64)
    if torch_state:
        opt.state[p] = torch_state
    trajectory = [p.detach().numpy().copy()]
    grads = []
    for t in range(STEPS):
        g = gradient(p.detach().numpy(), noise[t])
        grads.append(g)
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        trajectory.append(p.detach().numpy().copy())
    st = opt.state[p]
    final_state = {}
    for lib_name, (key, value) in state0.items():
        if key is None:
            final_state[lib_name] = np.asarray(value).tolist()  # unused by this variant: unchanged
        else:
            final_state[lib_name] = st[key].detach().numpy().tolist()
    if name.startswith("sgd_") and "momentum_buffer" in st and "v" not in final_state:
        final_state["v"] = st["momentum_buffer"].numpy().tolist()
    if "step" in st:
        assert int(st["step"].item()) == step0 + STEPS
    return {
        "name": name,
        "torch": f"torch.optim.{cls_name}",
        "torch_kwargs": {k: list(v) if isinstance(v, tuple) else v for k, v in torch_kwargs.items()},
        "library": library,
        "steps": STEPS,
        "initial_step": step0,
        "initial_params": INITIAL_PARAMS.tolist(),
        "initial_state": {k: np.asarray(v).tolist() for k, (_, v) in state0.items()},
        "torch_state_keys": {k: key for k, (key, _) in state0.items()},
        "noise_seed": 1000 + index,
        "noise": noise.tolist(),
        "gradients": np.array(grads).tolist(),
        "trajectory": np.array(trajectory).tolist(),
        "final_state": final_state,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    torch.set_default_dtype(torch.float64)  # scalar state (step, mu_product) in float64 too
    cases = [record_case(i, *case) for i, case in enumerate(CASES)]
    data = {
        "generated_by": "scripts/record_torch_fixtures.py",
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "dtype": "float64",
        "gradient": "g_t = curvature * (w_{t-1} - center) + noise_t (elementwise; noise_t = case['noise'][t-1])",
        "shape": list(SHAPE),
        "curvature": CURVATURE.tolist(),
        "center": CENTER.tolist(),
        "noise_scale": NOISE_SCALE,
        # State keys are the library's state names in the course notation (second moment V, ...);
        # tests/test_parity.py maps the keys of files recorded before the rename.
        "state_notation": "course",
        "cases": cases,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=1)
    # One line per innermost list of numbers (a row of 3), so the file stays readable and small.
    text = re.sub(r"\[\s*([-+0-9.eE]+(?:,\s*[-+0-9.eE]+)*)\s*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    args.out.write_text(text + "\n")
    print(f"wrote {len(cases)} cases ({args.out.stat().st_size / 1024:.0f} KiB) to {args.out} with torch {torch.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
