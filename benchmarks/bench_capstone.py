"""Speed of notebook 14's learning-rate sweep: 6 optimizers x 10 rates, 10 epochs each.

Target: all the capstone's sweeps in at most 30 s on 2 cores; this one, the largest, is
60 runs of ``optimlab.train`` (digits, softmax regression, batches of 64, the validation loss
after every epoch). The baseline, measured in the same process, is the arithmetic those runs
cannot avoid: the same number of mini-batch gradients and full-set losses, computed with the
model's check-free ``_loss_grad`` and ``_loss`` and no optimizer at all. The difference is what
the training loop and the optimizers' steps add.

Run: .venv/bin/python benchmarks/bench_capstone.py
"""
from __future__ import annotations

import time

import numpy as np

import optimlab
from optimlab import compare, datasets

TARGET_S = 30.0
OPTIMIZERS = {"gd": {}, "heavy_ball": {"mu": 0.9}, "adagrad": {}, "adadelta": {}, "rmsprop": {}, "adam": {}}
EPOCHS, BATCH = 10, 64


def main():
    d = datasets.digits()
    X_train, X_val, y_train, y_val = datasets.train_val_split(d.X, d.y, val_fraction=0.25, seed=0)
    X_train, X_val = datasets.standardize(X_train, X_val)
    model = optimlab.SoftmaxRegression(64, 10)
    lrs = compare.log_grid(1e-3, 10**1.5, 2)

    started = time.perf_counter()
    n_runs = 0
    for name, hyper in OPTIMIZERS.items():
        for lr in lrs:
            optimlab.train(model, name, X_train, y_train, epochs=EPOCHS, batch_size=BATCH, lr=lr, seed=0,
                           X_val=X_val, y_val=y_val, progress=False, on_divergence="ignore", **hyper)
            n_runs += 1
    sweep = time.perf_counter() - started

    # Baseline: the gradients and the epoch-end losses alone, for the same number of runs.
    w = model.init_params(0)
    n = len(X_train)
    order = np.random.default_rng(0).permutation(n)
    started = time.perf_counter()
    for _ in range(n_runs):
        model._loss(w, X_train, y_train)
        model._loss(w, X_val, y_val)
        for _ in range(EPOCHS):
            for b in range(0, n, BATCH):
                idx = order[b:b + BATCH]
                model._loss_grad(w, X_train[idx], y_train[idx])
            model._loss(w, X_train, y_train)
            model._loss(w, X_val, y_val)
    floor = time.perf_counter() - started

    print(f"learning-rate sweep: {n_runs} runs of {EPOCHS} epochs in {sweep:.2f} s "
          f"({1000 * sweep / n_runs:.0f} ms per run); target for all the capstone's sweeps: {TARGET_S:.0f} s")
    print(f"baseline (gradients and losses only): {floor:.2f} s; the loop and the steps add "
          f"{sweep - floor:.2f} s ({sweep / floor:.1f}x the baseline)")


if __name__ == "__main__":
    main()
