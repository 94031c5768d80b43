"""run() and run_many(): exact trajectories, divergence handling and messages, bad input."""
import doctest
import math
import warnings

import numpy as np
import pytest

import optimlab
import optimlab.runner as runner_module
from optimlab.landscapes import Landscape, get_landscape
from optimlab.registry import REGISTRY
from optimlab.runner import (DIVERGENCE_BOUND, DivergenceError, DivergenceWarning, RunResult, run,
                             run_many)


def _manual(optimizer, landscape, start, steps, **hyper):
    """The reference loop: the public Optimizer with every check on, the public gradient and Hessian."""
    land = get_landscape(landscape)
    opt = optimlab.make(optimizer, **hyper)
    w = np.array(start, dtype=float)
    state = opt.init(w)
    out = [w]
    for _ in range(steps):
        w, state = opt.update(w, land.grad(w), state, hessian_fn=land.hessian, grad_fn=land.grad)
        out.append(w)
    return np.array(out)


def test_gd_on_the_parabola_is_five_times_point_eight_to_the_t():
    # x_{t+1} = x_t - 0.1 * 2 x_t = 0.8 x_t, so x_t = 5 * 0.8**t and f(x_t) = 25 * 0.64**t.
    r = run("gd", "parabola", steps=40, lr=0.1)
    t = np.arange(41)
    assert r.trajectory.shape == (41, 1) and r.losses.shape == (41,)
    np.testing.assert_allclose(r.trajectory[:, 0], 5 * 0.8**t, rtol=1e-13, atol=0)
    np.testing.assert_allclose(r.losses, 25 * 0.64**t, rtol=1e-13, atol=0)
    assert not r.diverged and r.diverged_at is None
    assert r.message.startswith("gd on parabola: 40 steps, final loss")


def test_trajectory_and_losses_shapes_dtype_and_start():
    r = run("adam", "rosenbrock", steps=123, lr=0.01)
    assert r.trajectory.shape == (124, 2) and r.trajectory.dtype == np.float64
    assert r.losses.shape == (124,) and r.losses.dtype == np.float64
    np.testing.assert_array_equal(r.trajectory[0], [-1.2, 1.0])
    np.testing.assert_array_equal(r.losses, [get_landscape("rosenbrock").loss(w) for w in r.trajectory])
    assert r.name == "adam" and r.landscape == "rosenbrock" and r.hyperparameters["lr"] == 0.01
    assert r.steps_taken == 123 and r.final_loss == r.losses[-1]
    np.testing.assert_array_equal(r.final_w, r.trajectory[-1])
    assert repr(r) == f"RunResult(adam on rosenbrock: 123 steps, final loss {r.final_loss:.4g})"
    one = run("gd", "himmelblau", start=[1, 1], steps=1)
    assert one.trajectory.shape == (2, 2)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_fast_loop_equals_the_checked_public_loop_exactly(name):
    # 70 steps cross two divergence-check blocks; every registry optimizer at its default values.
    start = [-3.0, 1.2]
    r = run(name, "ill_conditioned", start=start, steps=70)
    np.testing.assert_array_equal(r.trajectory, _manual(name, "ill_conditioned", start, 70))
    assert not r.diverged


@pytest.mark.parametrize("name,hyper", [("newton", {"damping": 0.5}), ("adam", {"lr": 0.05}),
                                        ("nadam", {"lr": 0.02}), ("rmsprop_momentum", {"lr": 0.001})])
def test_fast_loop_equals_the_checked_loop_on_a_non_quadratic(name, hyper):
    r = run(name, "rosenbrock", steps=45, **hyper)
    np.testing.assert_array_equal(r.trajectory, _manual(name, "rosenbrock", [-1.2, 1.0], 45, **hyper))


def test_look_ahead_method_gets_the_gradient_function():
    r = run(optimlab.nesterov_lookahead_step, "ill_conditioned", steps=50, lr=0.05, mu=0.8)
    ref = _manual(optimlab.nesterov_lookahead_step, "ill_conditioned", [-4.5, 1.5], 50, lr=0.05, mu=0.8)
    np.testing.assert_array_equal(r.trajectory, ref)
    # The PyTorch form visits the look-ahead points p_t = w_t - lr mu v_t, where v_t = (w_{t-1} - w_t) / lr,
    # i.e. p_t = w_t + mu (w_t - w_{t-1}) (nesterov_step's docstring).
    torch_form = run("nesterov", "ill_conditioned", steps=50, lr=0.05, mu=0.8).trajectory
    w = r.trajectory
    np.testing.assert_allclose(torch_form[1:], w[1:] + 0.8 * (w[1:] - w[:-1]), rtol=1e-10, atol=1e-12)


def test_a_learners_own_step_function_runs_through_update():
    def my_momentum(w, v, g, lr=0.1, beta=0.9):
        v = beta * v + (1 - beta) * g
        return w - lr * v, v

    r = run(my_momentum, "ill_conditioned", steps=40, lr=0.3, beta=0.5)
    lib = run("momentum", "ill_conditioned", steps=40, lr=0.3, beta=0.5)
    np.testing.assert_array_equal(r.trajectory, lib.trajectory)
    assert r.name == "my_momentum"


@pytest.mark.parametrize("name", ["parabola", "ill_conditioned", "rotated_quadratic", "sparse_features", "saddle"])
def test_newton_lands_on_the_quadratics_critical_point_in_one_step(name):
    land = get_landscape(name)
    rng = np.random.default_rng(4)
    for start in rng.uniform(-4, 4, size=(5, land.dim)):
        r = run("newton", land, start=start, steps=1)
        np.testing.assert_allclose(r.trajectory[1], land.center, atol=1e-14)
    # for the saddle that critical point is the saddle, not a minimum
    if name == "saddle":
        np.testing.assert_array_equal(land.center, land.saddle_points[0])


def test_gd_above_two_over_L_diverges_at_the_hand_derived_step():
    # ill_conditioned, lr = 0.6 > 2/λ_max = 0.5: y_t = 1.5 * (1 - 0.6 * 4)**t = 1.5 * (-1.4)**t, while
    # x_t = -4.5 * 0.88**t shrinks. The first t with 1.5 * 1.4**t > 1e12 is the diverged step.
    expected = next(t for t in range(1, 200) if 1.5 * 1.4**t > DIVERGENCE_BOUND)
    assert expected == 81
    r = run("gd", "ill_conditioned", steps=300, lr=0.6, on_divergence="ignore")
    assert r.diverged and r.diverged_at == 81
    assert r.trajectory.shape == (81, 2) and r.losses.shape == (81,)
    np.testing.assert_allclose(r.trajectory[:, 1], 1.5 * (-1.4) ** np.arange(81), rtol=1e-12)
    assert np.all(np.abs(r.trajectory) <= DIVERGENCE_BOUND)
    assert "diverged at step 81" in r.message
    assert "lower lr (now 0.6)" in r.message
    assert "GD needs lr < 2/λ_max = 0.5" in r.message


def test_divergence_message_on_the_parabola_matches_the_brief():
    r = run("gd", "parabola", steps=100, lr=1.2, on_divergence="ignore")
    # x_t = 5 * (-1.4)**t first exceeds 1e12 at t = 78
    assert r.diverged_at == next(t for t in range(1, 200) if 5 * 1.4**t > DIVERGENCE_BOUND) == 78
    assert r.message.endswith("lower lr (now 1.2); on this quadratic GD needs lr < 2/λ_max = 1.0")


@pytest.mark.parametrize("name,hyper,threshold_text", [
    # EMA momentum is heavy ball with lr (1 - beta): lr < 2 (1 + 0.9) / (0.1 * 4) = 9.5
    ("momentum", {"lr": 10.0}, "EMA momentum (beta=0.9) needs lr < 2(1+beta)/((1-beta) λ_max) = 9.5"),
    # heavy ball: lr < 2 (1 + mu) / λ_max = 2 * 1.5 / 4 = 0.75
    ("heavy_ball", {"lr": 0.8, "mu": 0.5}, "heavy-ball momentum (mu=0.5) needs lr < 2(1+mu)/λ_max = 0.75"),
    # Nesterov: lr < 2 (1 + mu) / ((1 + 2 mu) λ_max) = 3 / (2 * 4) = 0.375
    ("nesterov", {"lr": 0.4, "mu": 0.5}, "Nesterov (mu=0.5) needs lr < 2(1+mu)/((1+2mu) λ_max) = 0.375"),
])
def test_momentum_methods_diverge_just_above_their_stability_bound(name, hyper, threshold_text):
    r = run(name, "ill_conditioned", steps=2000, on_divergence="ignore", **hyper)
    assert r.diverged and threshold_text in r.message
    below = dict(hyper, lr=hyper["lr"] * 0.9)  # 10 % below the bound: stable
    assert not run(name, "ill_conditioned", steps=2000, on_divergence="ignore", **below).diverged


def test_divergence_on_a_non_quadratic_uses_the_curvature_at_the_start():
    land = get_landscape("rosenbrock")
    r = run("gd", land, steps=50, lr=1.0, on_divergence="ignore")
    # the reference: plain GD with the public gradient until |w| > 1e12
    w, t = land.start, 0
    while np.abs(w).max() <= DIVERGENCE_BOUND:
        w, t = w - 1.0 * land.grad(w), t + 1
    assert r.diverged_at == t == 3
    top = np.linalg.eigvalsh(land.hessian(land.start))[-1]
    assert f"near the start the largest curvature is λ_max = {top:.3g}" in r.message
    assert f"GD needs lr < 2/λ_max = {2 / top:.3g}" in r.message
    # Himmelblau's start is concave (beside the maximum): the hint uses the curvature at the minima.
    H = get_landscape("himmelblau")
    assert np.linalg.eigvalsh(H.hessian(H.start))[-1] < 0
    top = max(np.linalg.eigvalsh(H.hessian(m))[-1] for m in H.minima)
    r = run("gd", H, steps=50, lr=0.1, on_divergence="ignore")
    assert r.diverged and f"near the minima the largest curvature is up to λ_max = {top:.3g}" in r.message
    assert f"GD needs lr < 2/λ_max = {2 / top:.3g}" in r.message


def test_divergence_on_the_first_step():
    r = run("gd", "parabola", steps=10, lr=1e13, on_divergence="ignore")
    assert r.diverged_at == 1 and r.trajectory.shape == (1, 1) and r.losses.tolist() == [25.0]


def test_nan_parameters_count_as_divergence():
    def breaks_at_step_5(w, c, g, lr=0.1):
        c = c + 1
        return (w * np.nan if c[0] >= 5 else w - lr * g), c

    r = run(breaks_at_step_5, "himmelblau", steps=100, on_divergence="ignore", lr=0.01)
    assert r.diverged_at == 5 and r.trajectory.shape == (5, 2) and np.isfinite(r.trajectory).all()
    assert "step 5" in r.message and "parameters became [nan, nan]" in r.message


def _custom(h):
    """A 1-D landscape f = x^10 / 10 with a given (deliberately wrong) Hessian for Newton."""
    return Landscape("steep", "Steep", "陡峭", r"f(x) = x^{10}/10", 1,
                     lambda x: x * x * x * x * x * x * x * x * x * x / 10,
                     lambda x: (x * x * x * x * x * x * x * x * x,), h,
                     minima=[[0.0]], xlim=(-1, 1), ylim=(0, 1), start=[3.0])


def test_newton_refusing_a_nan_hessian_after_divergence_is_divergence():
    # With H = 2: x1 = 3 - 3**9 / 2 = -9838.5, x2 = x1 - x1**9 / 2 ~ 4.4e35 (past the bound),
    # x3 = -inf, and at step 4 the Hessian 2 + 0 * inf = nan makes newton_step refuse.
    land = _custom(lambda x: ((2.0 + 0.0 * x,),))
    r = run("newton", land, steps=20, on_divergence="ignore")
    assert r.diverged_at == 2
    np.testing.assert_array_equal(r.trajectory[:, 0], [3.0, 3.0 - 3.0**9 / 2])


def test_newton_singular_hessian_at_a_finite_point_raises_naming_the_step():
    # H = 2 while x > 0.5, else 0. Newton with lr 0.5 halves x: 2, 1, 0.5, and the step from 0.5 fails.
    land = _custom(lambda x: ((2.0 * (x > 0.5),),))
    land._g = lambda x: (2.0 * x,)
    with pytest.raises(ValueError, match=r"newton failed at step 3: H \+ damping \* I is singular"):
        run("newton", land, start=2.0, steps=10, lr=0.5)


def test_on_divergence_warn_raise_ignore():
    kw = dict(steps=200, lr=0.6)
    with pytest.warns(DivergenceWarning, match=r"diverged at step 81 .* 2/λ_max = 0\.5"):
        r = run("gd", "ill_conditioned", **kw)
    assert r.diverged
    with pytest.raises(DivergenceError, match="diverged at step 81") as info:
        run("gd", "ill_conditioned", on_divergence="raise", **kw)
    assert isinstance(info.value, RuntimeError) and info.value.result.diverged_at == 81
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither our warning nor numpy's overflow warnings
        r = run("gd", "ill_conditioned", on_divergence="ignore", **kw)
        run("gd", "rosenbrock", lr=1.0, on_divergence="ignore", steps=100)
    assert r.diverged_at == 81
    assert issubclass(DivergenceWarning, UserWarning)


def test_the_saddle_explains_that_it_has_no_minimum():
    # y_t = 0.01 * 1.2**t passes 1e12 at the first t with 0.01 * 1.2**t > 1e12
    r = run("gd", "saddle", steps=500, lr=0.1, on_divergence="ignore")
    assert r.diverged_at == next(t for t in range(500) if 0.01 * 1.2**t > DIVERGENCE_BOUND)
    assert "has no lower bound" in r.message and "lower lr" not in r.message
    r = run("gd", "saddle", steps=500, lr=1.5, on_divergence="ignore")  # x direction unstable too
    assert "GD needs lr < 2/λ_max = 1.0" in r.message


def test_sparse_features_adagrad_beats_gd_at_the_same_lr():
    lr, n = 1.0, 50
    gd = run("gd", "sparse_features", steps=n, lr=lr)
    ada = run("adagrad", "sparse_features", steps=n, lr=lr)
    # GD: x reaches 1 in one step (factor 1 - lr * 1 = 0); y - 1 = -3 * 0.99**t.
    np.testing.assert_array_equal(gd.trajectory[1:, 0], 1.0)
    np.testing.assert_allclose(gd.trajectory[:, 1], 1 - 3 * 0.99 ** np.arange(n + 1), rtol=1e-13)
    assert gd.final_loss == pytest.approx(0.5 * 0.01 * (3 * 0.99**n) ** 2, rel=1e-12)  # 0.01647
    # AdaGrad removes each coordinate's scale: both follow d <- d - lr d / sqrt(sum of d^2 so far)
    # from d = -3 (the recursion in units of the distance to w*, eps aside).
    d, sq, ref = -3.0, 0.0, [-3.0]
    for _ in range(n):
        sq += d * d
        d -= lr * d / math.sqrt(sq)
        ref.append(d)
    np.testing.assert_allclose(ada.trajectory - 1.0, np.column_stack([ref, ref]), rtol=1e-7, atol=1e-12)
    assert ada.final_loss < 1e-10 < 1e-3 * gd.final_loss
    assert abs(ada.final_w[1] - 1) < 1e-5 and gd.final_w[1] < -0.8  # GD's rare coordinate moved 40 %


def test_an_optimizer_object_and_hyperparameter_override():
    opt = optimlab.make("gd", lr=0.1)
    np.testing.assert_allclose(run(opt, "parabola", steps=3).trajectory[:, 0], 5 * 0.8 ** np.arange(4))
    # lr=0.2 replaces the object's 0.1: x_t = 5 * 0.6**t (and the object itself is unchanged)
    np.testing.assert_allclose(run(opt, "parabola", steps=3, lr=0.2).trajectory[:, 0], 5 * 0.6 ** np.arange(4))
    assert opt.hyperparameters["lr"] == 0.1
    r = run(optimlab.make("rmsprop_centered"), "ill_conditioned", steps=5, lr=0.05)
    assert r.hyperparameters["centered"] is True and r.hyperparameters["lr"] == 0.05


def test_start_argument():
    r = run("gd", "parabola", start=2.0, steps=2, lr=0.25)  # x_t = 2 * 0.5**t
    np.testing.assert_array_equal(r.trajectory[:, 0], [2.0, 1.0, 0.5])
    start = np.array([0.5, 0.5])
    run("adam", "beale", start=start, steps=5, lr=0.1)
    np.testing.assert_array_equal(start, [0.5, 0.5])  # not modified


@pytest.mark.parametrize("kwargs,error,pattern", [
    (dict(on_divergence="loud"), ValueError, r"on_divergence must be one of 'warn', 'raise', 'ignore', got 'loud'"),
    (dict(steps=0), ValueError, r"steps must be an integer >= 1, got 0"),
    (dict(steps=10.0), TypeError, r"steps must be an integer >= 1, got 10\.0 of type float"),
    (dict(start=[1.0, 2.0, 3.0]), ValueError, r"start must have shape \(2,\) .* got shape \(3,\)"),
    (dict(start=[np.nan, 1.0]), ValueError, r"start must be finite"),
    (dict(start=[1e13, 1.0]), ValueError, r"start must be finite with \|start\| <= 1e\+12"),
    (dict(start="origin"), TypeError, r"start must be a real number"),
    (dict(lr=-0.1), ValueError, r"lr must be a finite number > 0, got -0\.1"),
    (dict(beta1=0.9), TypeError, r"unknown hyperparameter\(s\) \['beta1'\]"),
    (dict(progress="yes"), TypeError, r"progress must be True, False or None"),
])
def test_bad_arguments_name_the_argument(kwargs, error, pattern):
    args = dict(optimizer="gd", landscape="rosenbrock")
    args.update(kwargs)
    with pytest.raises(error, match=pattern):
        run(args.pop("optimizer"), args.pop("landscape"), **args)


def test_bad_optimizer_or_landscape():
    with pytest.raises(ValueError, match=r"unknown optimizer name 'adamm'"):
        run("adamm", "rosenbrock")
    with pytest.raises(TypeError, match=r"optimizer must be a registry name"):
        run(3, "rosenbrock")
    with pytest.raises(ValueError, match=r"unknown landscape 'banana'; known landscapes: parabola"):
        run("gd", "banana")
    with pytest.raises(TypeError, match=r"landscape must be a landscape name .* got 3 of type int"):
        run("gd", 3)

    def wrong_shape(w, g, lr=0.1):
        return np.append(w, 0.0)

    with pytest.raises(ValueError, match=r"wrong_shape returned w of shape \(3,\) for w of shape \(2,\)"):
        run(wrong_shape, "rosenbrock")


def test_progress_bar_does_not_change_the_result(capsys):
    a = run("adam", "beale", steps=300, lr=0.05, progress=True)
    b = run("adam", "beale", steps=300, lr=0.05, progress=False)
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    assert "adam on beale" in capsys.readouterr().err  # tqdm's label, on stderr


def test_run_many():
    res = run_many(["gd", "momentum", ("adam", {"lr": 0.1}), "gd"], "ill_conditioned", steps=30, lr=0.2)
    assert list(res) == ["gd", "momentum", "adam", "gd (2)"]
    assert all(isinstance(r, RunResult) for r in res.values())
    np.testing.assert_array_equal(res["gd"].trajectory, run("gd", "ill_conditioned", steps=30, lr=0.2).trajectory)
    np.testing.assert_array_equal(res["gd"].trajectory, res["gd (2)"].trajectory)
    assert res["momentum"].hyperparameters["lr"] == 0.2 and res["adam"].hyperparameters["lr"] == 0.1
    labelled = run_many({"slow": ("gd", {"lr": 0.01}), "fast": ("gd", {"lr": 0.4})}, "parabola", steps=3)
    np.testing.assert_allclose(labelled["fast"].trajectory[:, 0], 5 * 0.2 ** np.arange(4))
    np.testing.assert_allclose(labelled["slow"].trajectory[:, 0], 5 * 0.98 ** np.arange(4))
    with pytest.warns(DivergenceWarning):
        mixed = run_many([("gd", {"lr": 0.6}), "adam"], "ill_conditioned", steps=100)
    assert mixed["gd"].diverged and not mixed["adam"].diverged
    with pytest.raises(TypeError, match="optimizers must be a list"):
        run_many("gd", "parabola")
    with pytest.raises(ValueError, match="optimizers is empty"):
        run_many([], "parabola")
    with pytest.raises(TypeError, match=r"must be \(optimizer, \{hyperparameters\}\)"):
        run_many([("gd", 0.1)], "parabola")
    with pytest.raises(ValueError, match="on_divergence"):
        run_many(["gd"], "parabola", on_divergence="never")


def test_module_doctests():
    result = doctest.testmod(runner_module)
    assert result.attempted >= 6 and result.failed == 0


def test_rotation_changes_adam_but_not_gd_or_newton():
    # The claims of rotated_quadratic's description, checked: GD's path is ill_conditioned's path
    # turned by 45 degrees; Adam's per-coordinate scaling is not rotation invariant.
    c = s = np.sqrt(0.5)
    rot = np.array([[c, -s], [s, c]])
    for name, hyper in (("gd", {"lr": 0.3}), ("newton", {"lr": 0.5}), ("adam", {"lr": 0.1})):
        ill = run(name, "ill_conditioned", steps=60, **hyper).trajectory
        turned = run(name, "rotated_quadratic", steps=60, **hyper).trajectory
        gap = np.abs(turned - ill @ rot.T).max()
        if name == "adam":
            assert gap > 0.5
        else:
            assert gap < 1e-12


def test_himmelblau_start_sends_methods_to_different_places():
    H = get_landscape("himmelblau")
    third, second = H.minima[2], H.minima[1]  # (-3.78, -3.28) and (-2.81, 3.13)
    ends = {name: run(name, H, steps=500, **hyper).final_w
            for name, hyper in (("gd", {"lr": 0.01}), ("adam", {"lr": 0.05}), ("rmsprop", {"lr": 0.01}),
                                ("adagrad", {"lr": 0.5}), ("newton", {}))}
    np.testing.assert_allclose(ends["gd"], third, atol=1e-6)
    for name in ("adam", "rmsprop", "adagrad"):
        np.testing.assert_allclose(ends[name], second, atol=1e-5)
    # Newton converges to the local maximum, where the gradient vanishes and the Hessian is negative definite.
    np.testing.assert_allclose(H.grad(ends["newton"]), 0.0, atol=1e-12)
    assert np.linalg.eigvalsh(H.hessian(ends["newton"]))[-1] < 0
    np.testing.assert_allclose(ends["newton"], [-0.270845, -0.923039], atol=1e-6)


def test_newton_on_beale_goes_to_the_documented_saddle():
    B = get_landscape("beale")
    np.testing.assert_allclose(run("newton", B, steps=50).final_w, B.saddle_points[0], atol=1e-12)
