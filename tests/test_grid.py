"""The batched grid runner: every grid point follows exactly the path optimlab.run takes, at once."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import optimlab  # noqa: E402
from optimlab.grid import heatmap, run_grid, stability_boundary  # noqa: E402

LRS = np.logspace(-3, 0.5, 12)


@pytest.mark.parametrize("name, coeff, land", [
    ("gd", None, "ill_conditioned"),
    ("momentum", "beta", "ill_conditioned"),
    ("heavy_ball", "mu", "rotated_quadratic"),
    ("nesterov", "mu", "ill_conditioned"),
    ("adam", "beta1", "rosenbrock"),
    ("rmsprop", "alpha", "beale"),
    ("adagrad", None, "sparse_features"),
    ("amsgrad", "beta2", "rosenbrock"),
])
def test_every_point_matches_a_run(name, coeff, land):
    grid = {"lr": LRS} if coeff is None else {"lr": LRS, coeff: np.array([0.3, 0.8, 0.95])}
    r = run_grid(name, land, grid, steps=60)
    assert r.loss.shape == (61,) + tuple(len(v) for v in grid.values())
    for idx in np.ndindex(r.shape):
        hyper = {n: float(v[i]) for n, v, i in zip(r.names, r.values, idx)}
        one = optimlab.run(name, land, steps=60, on_divergence="ignore", **hyper)
        if not r.diverged[idx] and not one.diverged:
            np.testing.assert_allclose(r.loss[(slice(None),) + idx], one.losses, rtol=1e-10, atol=1e-300)
            np.testing.assert_allclose(r.w[(slice(None),) + idx], one.final_w, rtol=1e-10, atol=1e-14)
        else:
            assert r.diverged[idx] or one.final_loss > 1e5 * max(1.0, one.losses[0]) or one.diverged


def test_momentum_diverges_exactly_beyond_the_theory_boundary():
    # ill_conditioned = 0.1 x^2 + 2 y^2: lam_max = 4. EMA momentum is stable iff
    # lr (1 - beta) lam_max < 2 (1 + beta): at beta = 0.5, lr < 2 * 1.5 / (0.5 * 4) = 1.5.
    betas = np.array([0.0, 0.5, 0.9])
    lrs = np.logspace(-1, 1.5, 80)
    r = run_grid("momentum", "ill_conditioned", {"lr": lrs, "beta": betas}, steps=400)
    coeff, vals, lr_max = stability_boundary(r)
    assert coeff == "beta"
    np.testing.assert_allclose(lr_max, 2 * (1 + betas) / ((1 - betas) * 4.0), rtol=1e-12)
    assert lr_max[1] == pytest.approx(1.5)
    L, B = np.meshgrid(lrs, betas, indexing="ij")
    bound = 2 * (1 + B) / ((1 - B) * 4.0)
    assert not r.diverged[L < 0.98 * bound].any()
    assert r.diverged[L > 1.2 * bound].all()
    assert (r.diverged_at[r.diverged] >= 1).all() and (r.diverged_at[~r.diverged] == -1).all()


def test_gd_boundary_and_best():
    r = run_grid("gd", "ill_conditioned", {"lr": np.linspace(0.05, 0.6, 12)}, steps=50)
    assert stability_boundary(r) == ("lr", None, 0.5)  # 2 / lam_max
    assert r.diverged[r.values[0] > 0.52].all() and not r.diverged[r.values[0] < 0.5].any()
    best = r.best()
    # gd's rate per step is max(|1 - 0.2 lr|, |1 - 4 lr|): the grid value nearest 2 / (0.2 + 4) wins
    assert best["lr"] == pytest.approx(0.45)
    assert best["final_loss"] == pytest.approx(float(r.final_loss.min()))


def test_diverged_runs_are_frozen_and_final_loss_is_inf():
    r = run_grid("gd", "parabola", {"lr": np.array([0.1, 1.5])}, steps=100)
    assert list(r.diverged) == [False, True]
    assert np.isinf(r.final_loss[1]) and np.isfinite(r.loss).all()


@pytest.mark.parametrize("kwargs, words", [
    (dict(optimizer="newton", grid={"lr": [0.1]}), "needs the Hessian"),
    (dict(optimizer="nope", grid={"lr": [0.1]}), "registry's names"),
    (dict(optimizer="gd", grid={"beta": [0.1]}), "not a hyperparameter of 'gd'"),
    (dict(optimizer="gd", grid={"lr": [0.1, -1.0]}), "grid['lr']"),
    (dict(optimizer="gd", grid={"lr": [[0.1]]}), "1-D sequence"),
    (dict(optimizer="momentum", grid={"lr": [0.1], "beta": [0.5], "x": [1]}), "one or two hyperparameters"),
    (dict(optimizer="momentum", grid={"lr": [0.1]}, lr=0.2), "both in grid and as fixed"),
    (dict(optimizer="gd", grid={"lr": [0.1]}, steps=0), "steps"),
    (dict(optimizer="gd", grid={"lr": [0.1]}, divergence=0.5), "divergence must be > 1"),
])
def test_bad_input_is_named(kwargs, words):
    with pytest.raises((ValueError, TypeError)) as info:
        run_grid(landscape="ill_conditioned", **kwargs)
    assert words in str(info.value)


def test_heatmap_draws_the_boundary_and_labels():
    r = run_grid("momentum", "ill_conditioned", {"lr": np.logspace(-2, 1, 20), "beta": np.linspace(0, 0.95, 10)},
                 steps=100)
    ax = heatmap(r)
    labels = [line.get_label() for line in ax.get_lines()]
    assert "stability boundary (theory)" in labels and any(lbl.startswith("lowest loss") for lbl in labels)
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "learning rate lr" and ax.get_ylabel() == "beta"
    assert run_grid("adam", "rosenbrock", {"lr": [0.01, 0.1], "beta1": [0.5, 0.9]}, steps=5) is not None
    assert stability_boundary(run_grid("adam", "ill_conditioned", {"lr": [0.01], "beta1": [0.9]}, steps=3)) is None
