"""Speed of optimlab.run: widgets call it on every slider move.

Target: 500 steps of Adam on a 2-D landscape well under 10 ms. The baseline, measured in
the same process, is the obvious loop a notebook would write: the checked public step
function (``optimlab.adam_step``), the checked public gradient, and the loss evaluated at
every step. Both produce the same trajectory (checked below before timing).

Run: .venv/bin/python benchmarks/bench_runner.py [repetitions]
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

import optimlab
from optimlab.landscapes import get_landscape
from optimlab.runner import run

STEPS = 500
LR = 0.01
TARGET_MS = 10.0


def naive(landscape: str, steps: int = STEPS, lr: float = LR):
    """The baseline: checked step, checked gradient, loss at every step, Python lists."""
    L = get_landscape(landscape)
    w = L.start
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    points, losses = [w], [L.loss(w)]
    for t in range(1, steps + 1):
        w, m, v = optimlab.adam_step(w, m, v, L.grad(w), t, lr=lr)
        if not np.isfinite(w).all():
            break
        points.append(w)
        losses.append(L.loss(w))
    return np.array(points), np.array(losses)


def time_ms(fns, repetitions: int) -> list[tuple[float, float]]:
    """(median, best) wall time of each function, in ms. The functions are timed in turn within
    each repetition, so a burst of load on this shared machine hits all of them alike."""
    for fn in fns:
        fn()  # warm-up (imports, caches)
    times = [[] for _ in fns]
    for _ in range(repetitions):
        for fn, bucket in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - t0)
    return [(1e3 * statistics.median(bucket), 1e3 * min(bucket)) for bucket in times]


def main(repetitions: int = 100) -> int:
    print(f"optimlab.run: {STEPS} steps, median of {repetitions} repetitions "
          f"(numpy {np.__version__}, target < {TARGET_MS:g} ms for Adam)")
    print(f"{'case (median ms; best in brackets)':36s} {'run()':>15s} {'naive':>15s} {'speed-up':>9s} {'us/step':>8s}")
    ok = True
    for landscape in ("rosenbrock", "ill_conditioned"):
        fast = run("adam", landscape, steps=STEPS, lr=LR)
        points, losses = naive(landscape)
        np.testing.assert_allclose(fast.trajectory, points, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(fast.losses, losses, rtol=1e-12, atol=1e-15)
        (t_run, b_run), (t_naive, b_naive) = time_ms([lambda: run("adam", landscape, steps=STEPS, lr=LR),
                                                        lambda: naive(landscape)], repetitions)
        ok &= t_run < TARGET_MS
        print(f"{'adam on ' + landscape:36s} {t_run:7.2f} ({b_run:5.2f}) {t_naive:7.2f} ({b_naive:5.2f}) "
              f"{t_naive / t_run:8.2f}x {1e3 * t_run / STEPS:8.2f}")
    # For reference (no baseline): the cheapest and the most expensive step.
    for name, landscape, hyper in (("gd", "ill_conditioned", {"lr": 0.1}), ("newton", "rosenbrock", {})):
        ((t_run, b_run),) = time_ms([lambda: run(name, landscape, steps=STEPS, **hyper)], repetitions)
        print(f"{name + ' on ' + landscape:36s} {t_run:7.2f} ({b_run:5.2f}) {'':>15s} {'':>9s} {1e3 * t_run / STEPS:8.2f}")
    # One step of Adam alone, unchecked: the floor the runner cannot beat.
    w, m, v, g = np.array([0.5, -0.3]), np.array([0.1, -0.1]), np.array([0.25, 0.09]), np.array([0.5, -0.3])
    core = optimlab.adam_step.unchecked
    n = 20000
    t0 = time.perf_counter()
    for t in range(1, n + 1):
        core(w, m, v, g, t, lr=LR)
    print(f"{'adam_step.unchecked alone':36s} {'':>15s} {'':>15s} {'':>9s} {1e6 * (time.perf_counter() - t0) / n:8.2f}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    verdict = "within" if ok else "ABOVE"
    print(f"Adam is {verdict} the {TARGET_MS:g} ms target (load average {load} on {os.cpu_count()} cores; "
          f"timings on a busy shared machine vary)")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
