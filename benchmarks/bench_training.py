"""Speed of optimlab.training.train: what the loop costs on top of the arithmetic.

Targets: the MLP-on-digits demo (64-32-10 ReLU, Adam, batch 32, 5 epochs) under 1 s, and the
loop's overhead per iteration under 50 us. The baseline, measured in the same process, is the
bare loop a notebook would write: the same shuffling, the model's check-free
``_loss_grad`` and the step function's check-free core, with no recording, no epoch-end losses
and no divergence watch. Both give the same final parameters (checked below before timing).

Run: .venv/bin/python benchmarks/bench_training.py [repetitions]
"""
from __future__ import annotations

import statistics
import sys
import time

import numpy as np

import optimlab
from optimlab.datasets import digits, source_articles_data, train_val_split
from optimlab.models import MLP, LinearRegression
from optimlab.training import train

TARGET_DEMO_S = 1.0
TARGET_OVERHEAD_US = 50.0


def bare_loop(model, step, hyper, X, y, epochs, batch_size, seed):
    """The minimal equivalent of train(): same batches, same updates."""
    X, y = model.check_data(X, y)
    n = X.shape[0]
    rng = np.random.default_rng(seed)
    w = model.init_params(seed)
    state = {name: np.zeros_like(w) for name in step.state_names}
    fn = step.unchecked
    t = 0
    for _ in range(epochs):
        order = rng.permutation(n) if batch_size < n else None
        for b in range(0, n, batch_size):
            if order is None:
                Xb, yb = X, y
            else:
                idx = order[b:b + batch_size]
                Xb, yb = X[idx], y[idx]
            _, g = model._loss_grad(w, Xb, yb)
            t += 1
            kw = dict(hyper, **state, g=g)
            if step.needs_t:
                kw["t"] = t
            out = fn(w, **kw)
            if step.state_names:
                w = out[0]
                state = dict(zip(step.state_names, out[1:]))
            else:
                w = out
    return w, t


def best_of(reps, fn):
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), out


def case(label, model, name, X, y, epochs, batch_size, reps, **hyper):
    step = optimlab.get_info(name).step
    full = {**optimlab.get_info(name).defaults, **hyper}
    kwargs = {k: v for k, v in full.items() if k in step.hyperparameters}
    w_ref, iters = bare_loop(model, step, kwargs, X, y, epochs, batch_size, 0)
    h = train(model, name, X, y, epochs=epochs, batch_size=batch_size, seed=0, progress=False, **hyper)
    assert h.n_iterations == iters
    np.testing.assert_allclose(h.w, w_ref, rtol=1e-12, atol=1e-14)  # same computation, same answer

    base_min, base_med, _ = best_of(reps, lambda: bare_loop(model, step, kwargs, X, y, epochs, batch_size, 0))
    lib_min, lib_med, _ = best_of(reps, lambda: train(model, name, X, y, epochs=epochs, batch_size=batch_size,
                                                      seed=0, progress=False, **hyper))
    overhead_us = (lib_min - base_min) / iters * 1e6
    print(f"{label}: {iters} iterations")
    print(f"  baseline bare loop   {base_min * 1e3:8.2f} ms (median {base_med * 1e3:.2f} ms)")
    print(f"  optimlab.train       {lib_min * 1e3:8.2f} ms (median {lib_med * 1e3:.2f} ms)")
    print(f"  overhead per iteration {overhead_us:6.1f} us (target < {TARGET_OVERHEAD_US:.0f} us), "
          f"ratio {lib_min / base_min:.2f}x")
    return lib_min, overhead_us


def main(reps: int = 5) -> None:
    start = time.perf_counter()
    d = digits()
    load_s = time.perf_counter() - start
    print(f"digits() first load (CSV parse, then cached): {load_s * 1e3:.1f} ms")

    X5, Y5 = source_articles_data()
    case("LinearRegression on the source data, full-batch GD, 2000 epochs",
         LinearRegression(), "gd", X5, Y5, 2000, 5, reps, lr=0.05)

    Xtr, Xva, ytr, yva = train_val_split(d.X / 16.0, d.y, 0.2, seed=0)
    demo_s, _ = case("MLP 64-32-10 relu on digits, Adam lr 3e-3, batch 32, 5 epochs",
                     MLP([64, 32, 10], "relu"), "adam", Xtr, ytr, 5, 32, reps, lr=3e-3)
    print(f"digits demo: {demo_s:.3f} s (target < {TARGET_DEMO_S:.1f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
