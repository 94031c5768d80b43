"""The widget toolkit without a browser: theory, artists showing the runner's numbers, fallbacks.

Explorers are built with ``static=False`` (real ipywidgets and a real ipympl canvas, with no
kernel behind them) to test the controls, and with ``static=True`` for the PNG path. The
browser test (tests/test_browser.py) checks the same widgets in JupyterLab and Notebook 7.
"""
from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

import optimlab
from optimlab.landscapes import get_landscape
from optimlab.runner import run
from optimlab.training import train
from optimlab.widgets import data_explorer, landscape_explorer, race, static_mode
from optimlab.widgets import theory as T

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------------
# Theory: thresholds derived by hand, then checked against eigenvalues and real runs
# ---------------------------------------------------------------------------------------------

def test_thresholds_hand_derived_values():
    # L = 4: GD needs lr < 2/4; heavy ball 2(1+0.9)/4; EMA form 2(1.9)/(0.1*4); Nesterov 2(1.9)/(2.8*4).
    assert T.gd_max_lr(4.0) == 0.5
    assert T.gd_optimal_lr(4.0, 0.2) == pytest.approx(2 / 4.2, rel=1e-15)
    assert T.heavy_ball_max_lr(4.0, 0.9) == pytest.approx(0.95, rel=1e-15)
    assert T.momentum_max_lr(4.0, 0.9) == pytest.approx(9.5, rel=1e-14)
    assert T.nesterov_max_lr(4.0, 0.9) == pytest.approx(3.8 / 11.2, rel=1e-15)
    assert T.nesterov_max_lr(4.0, 0.0) == T.gd_max_lr(4.0) == T.heavy_ball_max_lr(4.0, 0.0)
    # Polyak on [m, L] = [0.25, 4]: sqrt(L) = 2, sqrt(m) = 0.5, kappa = 16:
    # lr* = 4 / 2.5^2 = 0.64, mu* = ((4 - 1) / (4 + 1))^2 = 0.36; the EMA form uses lr*/(1 - mu*) = 1.
    assert T.optimal_heavy_ball(4.0, 0.25) == pytest.approx((0.64, 0.36), rel=1e-14)
    assert T.optimal_momentum(4.0, 0.25) == pytest.approx((1.0, 0.36), rel=1e-14)


def test_iteration_matrices_have_the_derived_trace_and_determinant():
    lr, lam, c = 0.3, 2.0, 0.7
    hb = T.iteration_matrix("heavy_ball", lr, lam, mu=c)
    assert np.trace(hb) == pytest.approx(1 + c - lr * lam) and np.linalg.det(hb) == pytest.approx(c)
    ema = T.iteration_matrix("momentum", lr, lam, beta=c)
    assert np.trace(ema) == pytest.approx(1 + c - (1 - c) * lr * lam) and np.linalg.det(ema) == pytest.approx(c)
    nag = T.iteration_matrix("nesterov", lr, lam, mu=c)
    assert np.trace(nag) == pytest.approx(1 + c - (1 + c) * lr * lam)
    assert np.linalg.det(nag) == pytest.approx(c * (1 - lr * lam))
    assert T.iteration_matrix("gd", lr, lam).tolist() == [[1 - lr * lam]]


def _one_step_matrix_from_library(name, lr, lam, **hyper):
    """The iteration matrix measured from the library's own step function (columns = images of e1, e2)."""
    opt = optimlab.make(name, lr=lr, **hyper)
    cols = []
    for w, v in ((1.0, 0.0), (0.0, 1.0)):
        state = opt.init(np.array([w]))
        if "v" in state:
            state["v"] = np.array([v])
        w_new, s = opt.update(np.array([w]), np.array([lam * w]), state)
        cols.append([w_new[0], s["v"][0]])
    return np.array(cols).T


@pytest.mark.parametrize("name, key", [("heavy_ball", "mu"), ("momentum", "beta"), ("nesterov", "mu")])
def test_iteration_matrix_is_what_the_step_function_does(name, key):
    A = _one_step_matrix_from_library(name, 0.3, 2.0, **{key: 0.7})
    np.testing.assert_allclose(A, T.iteration_matrix(name, 0.3, 2.0, **{key: 0.7}), rtol=0, atol=1e-15)


CASES = [("gd", {}), ("heavy_ball", {"mu": 0.5}), ("heavy_ball", {"mu": 0.9}), ("momentum", {"beta": 0.5}),
         ("momentum", {"beta": 0.9}), ("nesterov", {"mu": 0.5}), ("nesterov", {"mu": 0.9})]


@pytest.mark.parametrize("name, hyper", CASES)
def test_spectral_radius_crosses_one_exactly_at_the_threshold(name, hyper):
    L = 4.0
    bound = T.max_stable_lr(name, L, **hyper)
    assert T.spectral_radius(name, bound, [0.2, L], **hyper) == pytest.approx(1.0, abs=1e-9)
    assert T.spectral_radius(name, bound * (1 - 1e-6), [0.2, L], **hyper) < 1.0
    assert T.spectral_radius(name, bound * (1 + 1e-6), [0.2, L], **hyper) > 1.0


@pytest.mark.parametrize("name, hyper", CASES)
def test_real_runs_converge_just_inside_and_diverge_just_outside(name, hyper):
    # f(w) = lam/2 w^2 with lam = L = 4, the library's own step function, 2 % inside / outside the bound.
    lam = 4.0
    bound = T.max_stable_lr(name, lam, **hyper)
    for factor, expect_small in ((0.98, True), (1.02, False)):
        lr = bound * factor
        rho = T.spectral_radius(name, lr, lam, **hyper)
        steps = int(math.ceil(abs(math.log(1e-4) / math.log(rho)))) + 50
        opt = optimlab.make(name, lr=lr, **hyper)
        w = np.array([1.0])
        state = opt.init(w)
        for _ in range(steps):
            w, state = opt.update(w, lam * w, state, check=False)
        if expect_small:
            assert abs(w[0]) < 1e-2, f"{name} {hyper} at 0.98 x bound: |w| = {abs(w[0])}"
        else:
            assert abs(w[0]) > 1e2, f"{name} {hyper} at 1.02 x bound: |w| = {abs(w[0])}"


def test_ema_momentum_is_heavy_ball_with_scaled_learning_rate():
    L = get_landscape("ill_conditioned")
    a = run("momentum", L, steps=60, lr=0.3, beta=0.8)
    b = run("heavy_ball", L, steps=60, lr=0.3 * (1 - 0.8), mu=0.8)
    np.testing.assert_allclose(a.trajectory, b.trajectory, rtol=1e-12, atol=1e-14)


def test_optimal_heavy_ball_rate_and_that_it_is_optimal():
    m, L = 0.25, 4.0
    lr, mu = T.optimal_heavy_ball(L, m)
    lams = np.linspace(m, L, 41)
    best = T.spectral_radius("heavy_ball", lr, lams, mu=mu)
    assert best == pytest.approx(math.sqrt(mu), abs=1e-6)  # 0.6 = (sqrt(16) - 1) / (sqrt(16) + 1)
    assert best < (16 - 1) / (16 + 1)  # better than the best GD rate (kappa - 1)/(kappa + 1)
    assert T.spectral_radius("gd", T.gd_optimal_lr(L, m), lams) == pytest.approx(15 / 17, rel=1e-12)
    for dlr, dmu in ((0.05, 0), (-0.05, 0), (0, 0.03), (0, -0.03)):
        assert T.spectral_radius("heavy_ball", lr * (1 + dlr), lams, mu=mu + dmu) > best + 1e-4


def test_stability_texts():
    assert T.stability("gd", 0.6, [0.2, 4.0]).text == "gd: lr = 0.6 > 2/λ_max = 0.5: diverges"
    assert T.stability("gd", 0.5, [0.2, 4.0]).verdict == "on the edge"
    st = T.stability("momentum", 0.1, [0.2, 4.0], beta=0.9)
    assert st.stable and st.text.startswith("momentum: lr = 0.1 < 2(1+β)/((1-β)λ_max) = 9.5: converges")
    saddle = T.stability("gd", 0.1, [-2.0, 2.0])
    assert saddle.verdict == "diverges" and "no lr is stable" in saddle.text


def test_theory_refuses_bad_input_with_named_arguments():
    with pytest.raises(ValueError, match="optimizer='adam' has no linear stability theory"):
        T.max_stable_lr("adam", 4.0)
    with pytest.raises(TypeError, match="momentum needs its momentum coefficient beta"):
        T.max_stable_lr("momentum", 4.0)
    with pytest.raises(ValueError, match=r"lam_max \(the largest eigenvalue of the Hessian\) must be a finite number > 0"):
        T.gd_max_lr(-1.0)
    with pytest.raises(ValueError, match="beta must be in"):
        T.momentum_max_lr(4.0, 1.0)
    with pytest.raises(ValueError, match="must not exceed lam_max"):
        T.optimal_heavy_ball(1.0, 2.0)


# ---------------------------------------------------------------------------------------------
# Landscape explorer
# ---------------------------------------------------------------------------------------------

def _assert_path_is_run(ex, name):
    L = ex.landscape
    r = run(name, L, ex.start, ex.steps, on_divergence="ignore", **ex.hyper[name])
    x, y = ex.path_lines[name].get_data()
    if L.dim == 2:
        np.testing.assert_array_equal(x, r.trajectory[:, 0])
        np.testing.assert_array_equal(y, r.trajectory[:, 1])
    else:
        np.testing.assert_array_equal(x, r.trajectory[:, 0])
        np.testing.assert_array_equal(y, r.losses)
    steps, losses = ex.loss_lines[name].get_data()
    np.testing.assert_array_equal(steps, np.arange(len(r.losses)))
    gap = r.losses - (L.minimum_value or 0.0)
    positive = gap > 0  # exact zeros sit at a floor on the log axis
    np.testing.assert_array_equal(losses[positive], gap[positive])
    return r


@pytest.fixture
def explorer():
    return landscape_explorer("ill_conditioned", ["gd", "momentum", "adam"], steps=50, available=["nesterov"],
                              static=False)


def test_explorer_shows_the_runner_trajectories(explorer):
    ex = explorer
    assert ex.selected == ["gd", "momentum", "adam"]
    for name in ex.selected:
        _assert_path_is_run(ex, name)
    assert not ex.path_lines["nesterov"].get_visible()  # offered, not ticked
    # lr on a log scale over the interesting range of this call (adam: a decade either side of its start),
    # the other hyperparameters over the registry's range.
    lr = ex.sliders["adam"]["lr"]
    assert type(lr).__name__ == "FloatLogSlider"
    assert ex.controls["adam"]["lr"].range == pytest.approx((ex.hyper["adam"]["lr"] / 10, ex.hyper["adam"]["lr"] * 10))
    beta2 = ex.sliders["adam"]["beta2"]
    assert (beta2.min, beta2.max, beta2.value) == (0.5, 0.9999, 0.999)


def test_moving_sliders_updates_the_artists(explorer):
    ex = explorer
    ex.sliders["gd"]["lr"].value = 0.3
    assert ex.hyper["gd"]["lr"] == 0.3
    _assert_path_is_run(ex, "gd")
    ex.sliders["momentum"]["beta"].value = 0.5
    assert _assert_path_is_run(ex, "momentum").hyperparameters["beta"] == 0.5
    ex.steps_slider.value = 80
    assert len(ex.path_lines["adam"].get_data()[0]) == 81
    ex.x0_slider.value, ex.y0_slider.value = 2.0, -1.0
    np.testing.assert_array_equal(ex.start, [2.0, -1.0])
    assert _assert_path_is_run(ex, "adam").trajectory[0].tolist() == [2.0, -1.0]
    ex.checkboxes["momentum"].value = False
    assert ex.selected == ["gd", "adam"] and not ex.path_lines["momentum"].get_visible()
    ex.checkboxes["nesterov"].value = True
    assert ex.selected == ["gd", "adam", "nesterov"]  # in the order of the checkboxes
    _assert_path_is_run(ex, "nesterov")


def test_divergence_past_the_threshold_is_written_on_the_plot(explorer):
    ex = explorer
    ex.set_hyper("gd", lr=0.6)
    r = ex.results["gd"]  # |1 - 0.6 * 4| = 1.4 per step along y: growing (not yet past the runner's 1e12)
    assert abs(r.trajectory[-1, 1]) == pytest.approx(1.5 * 1.4 ** 50, rel=1e-9)
    # |y_k| = 1.5 * 1.4^k leaves the window |y| <= 3 widened by a quarter of its height (|y| <= 4.5)
    # when 1.4^k > 3, at k = 4: the path stops at the edge there.
    texts = ex.notes.visible_texts
    assert texts[0] == "gd: lr = 0.6 > 2/λ_max = 0.5: diverges; the path leaves the window at step 4"
    assert ex.escaped["gd"] == 4 and len(ex.path_lines["gd"].get_data()[0]) == 5
    assert abs(ex.path_lines["gd"].get_data()[1][-1]) == pytest.approx(4.5)
    assert ex.notes.texts[0].get_fontweight() == "bold"
    ex.set_hyper("gd", lr=0.4)
    # rate max(|1 - 0.4 * 0.2|, |1 - 0.4 * 4|) = max(0.92, 0.6)
    assert ex.notes.visible_texts[0] == "gd: lr = 0.4 < 2/λ_max = 0.5: converges (error × 0.920 per step)"
    assert ex.escaped["gd"] is None


def test_one_dimensional_landscape_plots_f_of_x(explorer):
    ex = explorer
    ex.landscape_dropdown.value = "parabola"
    assert ex.landscape.dim == 1 and ex.y0_slider.layout.display == "none"
    assert ex.hyper["gd"]["lr"] == pytest.approx(0.1)  # the source articles' example: x <- 0.8 x
    r = _assert_path_is_run(ex, "gd")
    np.testing.assert_allclose(r.trajectory[:4, 0], [5.0, 4.0, 3.2, 2.56], rtol=1e-15)
    ex.set(landscape="rosenbrock")
    assert ex.landscape_dropdown.value == "rosenbrock"
    _assert_path_is_run(ex, "adam")


def test_click_on_the_plot_moves_the_start(explorer):
    ex = explorer
    ex.canvas.draw()
    x, y = ex.ax_path.transData.transform((1.5, -2.0))
    MouseEvent("button_press_event", ex.canvas, x, y, button=1)._process()
    np.testing.assert_allclose(ex.start, [1.5, -2.0], atol=0.02)
    assert (ex.x0_slider.value, ex.y0_slider.value) == tuple(ex.start)
    _assert_path_is_run(ex, "gd")


def test_slider_moves_redraw_by_blitting(explorer):
    ex = explorer
    ex.canvas.draw()
    assert ex._background is not None and not ex._layout_dirty
    blits = []
    real = ex.canvas.blit
    ex.canvas.blit = lambda bbox=None: (blits.append(bbox), real(bbox))
    before = np.asarray(ex.canvas.get_renderer().buffer_rgba()).copy()
    ex.sliders["gd"]["lr"].value = 0.2
    after = np.asarray(ex.canvas.get_renderer().buffer_rgba())
    assert len(blits) == 1 and (before != after).any()
    ex.steps_slider.value = 60  # new x-limits: a full draw is requested instead
    assert ex._layout_dirty and len(blits) == 1


def test_explorer_refuses_bad_arguments_by_name():
    with pytest.raises(ValueError, match="unknown landscape 'nope'"):
        landscape_explorer("nope", static=True)
    with pytest.raises(ValueError, match="unknown optimizer name 'adamm'"):
        landscape_explorer(optimizers=["adamm"], static=True)
    with pytest.raises(ValueError, match=r"hyper\['gd'\] has unknown hyperparameter\(s\) \['beta'\]"):
        landscape_explorer(optimizers=["gd"], hyper={"gd": {"beta": 0.5}}, static=True)
    with pytest.raises(ValueError, match="lr .* must be a finite number > 0, got -1"):
        landscape_explorer(lr=-1, static=True)
    with pytest.raises(ValueError, match="start must have 2 coordinate"):
        landscape_explorer(start=[1.0, 2.0, 3.0], static=True)


def test_user_learning_rates_per_optimizer():
    ex = landscape_explorer("ill_conditioned", ["gd", "adam"], steps=20, lr={"gd": 0.3, "adam": 0.05}, static=True)
    assert ex.hyper["gd"]["lr"] == 0.3 and ex.hyper["adam"]["lr"] == 0.05
    _assert_path_is_run(ex, "adam")


def _inside_figure(ex, artist):
    ex.canvas.draw() if ex.static else ex.png()
    bbox = artist.get_window_extent(ex.figure.canvas.get_renderer())
    fig = ex.figure.bbox
    return fig.x0 - 0.5 <= bbox.x0 and bbox.x1 <= fig.x1 + 0.5 and fig.y0 - 0.5 <= bbox.y0 and bbox.y1 <= fig.y1 + 0.5


def test_long_notes_wrap_inside_the_figure():
    ex = landscape_explorer("ill_conditioned", ["gd"], lr=10.0, static=True)
    # Before: "...lower lr (now 10.0); on this quadra" ran off the right edge.
    long = "gd: " + " ".join(f"word{i}" for i in range(40))
    ex.notes.show([(long, "k", True)])
    text = ex.notes.texts[0]
    assert text.get_text().count("\n") >= 1  # wrapped
    assert _inside_figure(ex, text)
    assert ex.notes.visible_texts == [long]  # nothing lost by wrapping
    # More than the lines reserved (3 here): a smaller font, then an ellipsis, never off the figure.
    ex.notes.show([(long * 3, "k", True)])
    assert ex.notes.visible_texts[0].endswith("…") and _inside_figure(ex, text)
    # A dollar sign in a learner's message is shown as such, not typeset as mathtext.
    ex.notes.show([("costs $5 and $6", "k", False)])
    assert ex.notes.visible_texts == ["costs $5 and $6"] and _inside_figure(ex, ex.notes.texts[0])


def test_diverged_run_is_marked_on_the_loss_plot_and_the_axes_hold_the_data():
    ex = landscape_explorer("ill_conditioned", ["gd"], lr=10.0, static=True)
    r = ex.results["gd"]
    # |1 - 10 * 4| = 39 per step along y: |y| = 1.5 * 39^k passes the runner's 1e12 at k = 8.
    assert r.diverged and r.diverged_at == 8
    m = ex.markers["gd"]
    assert m.marker.get_visible() and m.label.get_text() == "diverged at step 8"
    x, y = m.marker.get_data()
    assert (x[0], y[0]) == (7, pytest.approx(r.losses[-1]))  # the last finite loss
    lo, hi = ex.ax_loss.get_ylim()
    assert lo <= r.losses.min() and r.losses.max() <= hi  # before: fixed limits, the panel was empty
    assert _inside_figure(ex, m.label)
    # The path stops where it leaves the window: no forest of vertical lines across the plot.
    px, py = ex.path_lines["gd"].get_data()
    assert ex.escaped["gd"] == 1 and len(px) == 2 and abs(py[-1]) == pytest.approx(4.5)
    assert "the run diverged at step 8" in ex.notes.visible_texts[0]


def test_loss_axis_follows_converging_curves():
    ex = landscape_explorer("ill_conditioned", ["gd", "momentum"], lr=0.45, steps=300, static=True)
    values = np.concatenate([ex.loss_lines[n].get_data()[1] for n in ex.selected])
    lo, hi = ex.ax_loss.get_ylim()
    assert lo <= values.min() and values.max() <= hi  # gd reaches ~1e-25 in 300 steps: not cut off
    # The legend sits above the curves: its box does not cover any point of them.
    ex.canvas.draw()
    leg = ex.ax_loss.get_legend().get_window_extent(ex.canvas.get_renderer())
    for n in ex.selected:
        pts = ex.ax_loss.transData.transform(np.column_stack(ex.loss_lines[n].get_data()))
        assert not np.any((pts[:, 1] >= leg.y0) & (pts[:, 0] >= leg.x0) & (pts[:, 0] <= leg.x1))
    # Tick labels readable at 100 % zoom: 10 px at 72 dpi.
    assert min(t.get_fontsize() for t in ex.ax_loss.get_yticklabels() + ex.ax_path.get_xticklabels()) >= 10


def test_exact_zero_loss_stays_on_the_log_plot():
    ex = landscape_explorer("parabola", ["gd"], lr=0.5, steps=10, static=True)  # x -> (1 - 2 * 0.5) x = 0
    y = ex.loss_lines["gd"].get_data()[1]
    assert y[0] == 25.0 and np.all(y[1:] == pytest.approx(25e-16)) and ex.ax_loss.get_ylim()[0] <= y.min()


def test_only_the_named_optimizers_are_offered_by_default():
    ex = landscape_explorer("parabola", optimizers=("gd",), lr=0.1, static=False)  # notebook 02's call
    assert ex.available == ["gd"] and list(ex.checkboxes) == ["gd"]
    ex = landscape_explorer("ill_conditioned", ["gd"], available=["momentum"], static=False)
    assert list(ex.checkboxes) == ["gd", "momentum"] and not ex.checkboxes["momentum"].value


def test_colours_come_from_optimlab_style():
    from optimlab import registry, style

    assert set(registry.optimizer_names()) <= set(style.COLORS)  # every optimizer has its own colour
    assert len(set(style.COLORS.values())) == len(style.COLORS)
    assert style.color("heavy_ball") != style.color("nesterov")
    ex = landscape_explorer("ill_conditioned", ["heavy_ball", "nesterov"], lr=0.2, static=False)
    for n in ex.selected:
        assert ex.path_lines[n].get_color() == ex.loss_lines[n].get_color() == style.color(n)
    with pytest.raises(ValueError, match="unknown optimizer name 'hb'"):
        style.color("hb")


def test_learning_rate_slider_range_is_chosen_per_call():
    # gd on the ill-conditioned quadratic from 0.45: threshold 2/lam_max = 0.5, range 0.45/5 .. 0.5 * 1.5.
    ex = landscape_explorer("ill_conditioned", ["gd"], lr=0.45, static=False)
    c = ex.controls["gd"]["lr"]
    assert c.range == pytest.approx((0.09, 0.75))
    # The move from 0.45 to the threshold is about 5 % of the slider, against 1 % over the registry's 1e-4..10.
    assert (math.log10(0.5) - math.log10(0.45)) / (c.slider.max - c.slider.min) == pytest.approx(0.0496, abs=1e-3)
    ex = landscape_explorer("parabola", ["gd"], lr=0.1, static=False)
    assert ex.controls["gd"]["lr"].range == pytest.approx((0.02, 1.5))  # threshold 2/2 = 1
    ex = landscape_explorer("ill_conditioned", ["heavy_ball", "nesterov"], lr=0.2, static=False)
    assert ex.lr_ranges == {"heavy_ball": pytest.approx((0.04, 1.5)),   # 2(1 + 0.9)/4 = 0.95
                            "nesterov": pytest.approx((0.04, 0.51))}    # 2(1.9)/(2.8 * 4) = 0.339
    ex = landscape_explorer("ill_conditioned", ["gd"], lr_range=(0.2, 0.6), static=False)
    assert ex.controls["gd"]["lr"].range == pytest.approx((0.2, 0.6))
    with pytest.raises(ValueError, match=r"lr_range must satisfy 0 < low < high"):
        landscape_explorer("ill_conditioned", ["gd"], lr_range=(0.6, 0.2), static=True)


def test_text_box_sets_exact_values_and_refuses_bad_ones():
    ex = landscape_explorer("ill_conditioned", ["gd", "momentum"], lr=0.45, static=False)
    c = ex.controls["gd"]["lr"]
    ex.boxes["gd"]["lr"].value = 0.5  # exactly the threshold
    assert ex.hyper["gd"]["lr"] == 0.5 and ex.results["gd"].hyperparameters["lr"] == 0.5
    assert ex.notes.visible_texts[0].startswith("gd: lr = 0.5 = 2/λ_max = 0.5")
    # The front-end snapping the slider to its grid sends a nearby value back: the exact value stays.
    c.slider.value = 0.5 * 10 ** 0.0004
    assert ex.hyper["gd"]["lr"] == 0.5 and c.text.value == 0.5
    # A drag gives three significant digits.
    c.slider.value = 0.3 * 10 ** 0.0004
    assert ex.hyper["gd"]["lr"] == 0.3 and c.text.value == 0.3
    # Outside the slider's range: the range widens.
    ex.boxes["gd"]["lr"].value = 2.0
    assert ex.hyper["gd"]["lr"] == 2.0 and c.range[1] == pytest.approx(2.0)
    ex.boxes["gd"]["lr"].value = -1.0
    assert ex.hyper["gd"]["lr"] == 2.0 and c.text.value == 2.0 and c.error == "lr must be > 0, got -1"
    ex.boxes["momentum"]["beta"].value = 1.0
    assert ex.hyper["momentum"]["beta"] == 0.9 and "beta must be in [0, 1)" in ex.controls["momentum"]["beta"].error
    ex.set_hyper("momentum", beta=0.5)
    assert ex.boxes["momentum"]["beta"].value == 0.5 and ex.sliders["momentum"]["beta"].value == 0.5


def test_plain_text_formula_for_print():
    from optimlab.widgets import formula_text

    assert formula_text(get_landscape("ill_conditioned")) == "f(x, y) = 0.1 x² + 2 y²"
    assert formula_text(get_landscape("sparse_features")) == "f(x, y) = 1/2 (x - 1)² + 0.01/2 (y - 1)²"


# ---------------------------------------------------------------------------------------------
# Static mode and display
# ---------------------------------------------------------------------------------------------

def test_static_mode_rules(monkeypatch):
    monkeypatch.delenv("OPTIMLAB_STATIC", raising=False)
    assert static_mode() is True  # no kernel here: nobody can move a slider
    assert static_mode(False) is False
    monkeypatch.setenv("OPTIMLAB_STATIC", "0")
    assert static_mode() is False
    monkeypatch.setenv("OPTIMLAB_STATIC", "yes")
    assert static_mode() is True and static_mode(False) is False
    monkeypatch.setenv("OPTIMLAB_STATIC", "maybe")
    with pytest.warns(UserWarning, match="OPTIMLAB_STATIC='maybe' is not understood"):
        assert static_mode() is True
    with pytest.raises(TypeError, match="static must be True, False or None"):
        static_mode("yes")


def test_static_explorer_is_a_small_png_and_creates_no_widget(monkeypatch):
    from ipywidgets.widgets.widget import _instances
    from PIL import Image

    monkeypatch.setenv("OPTIMLAB_STATIC", "1")
    n_widgets = len(_instances)
    ex = landscape_explorer("ill_conditioned", ["gd", "momentum", "adam"])
    assert ex.static and ex.widget is None
    bundle = ex._repr_mimebundle_()
    assert set(bundle) == {"image/png", "text/plain"}
    assert len(_instances) == n_widgets  # nothing for nbconvert to save as widget state
    import base64

    png = base64.b64decode(bundle["image/png"])
    image = Image.open(io.BytesIO(png))
    assert image.size == (int(ex.FIGSIZE[0] * 72), int(ex.FIGSIZE[1] * 72))
    assert len(png) < 60_000
    # The same numbers as the interactive explorer.
    for name in ex.selected:
        _assert_path_is_run(ex, name)
    assert ex.note_texts()[0][1] == "gd: lr = 0.45 < 2/λ_max = 0.5: converges (error × 0.910 per step)"


def test_widget_bundle_offers_the_widget_and_a_png_fallback(explorer):
    bundle = explorer._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"} <= set(bundle)
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id
    # The PNG includes the animated artists: the paths are in it (not only the background).
    assert explorer.path_lines["gd"].get_animated()


@pytest.mark.parametrize("static", [True, False])
@pytest.mark.parametrize("make", [
    lambda static: landscape_explorer("rosenbrock", ["gd", "adam"], steps=30, static=static),
    lambda static: landscape_explorer("parabola", ["gd"], steps=30, static=static),
    lambda static: data_explorer("quadratic_model", epochs=2, static=static),
    lambda static: race(todo_momentum, "momentum", steps=30, static=static),
], ids=["landscape", "parabola", "data", "race"])
def test_every_explorer_displays_in_both_modes(make, static):
    from PIL import Image
    import base64

    ex = make(static)
    bundle = ex._repr_mimebundle_()
    image = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert image.size == (int(ex.FIGSIZE[0] * 72), int(ex.FIGSIZE[1] * 72))
    assert ("application/vnd.jupyter.widget-view+json" in bundle) is (not static)


def test_nbconvert_execution_saves_only_the_static_png(tmp_path, monkeypatch):
    """What a notebook executed by nbconvert/nbgrader (nbclient) keeps: a PNG, no widget state."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.delenv("OPTIMLAB_STATIC", raising=False)  # the automatic rule must find nbclient by itself
    nb = nbformat.read(ROOT / "tests" / "browser_notebooks" / "widgets_demo.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    results = [o for o in outputs if o.output_type == "execute_result"]
    assert len(results) == 3 and not [o for o in outputs if o.output_type == "error"], outputs
    for o in results:
        assert set(o.data) == {"image/png", "text/plain"}, o
        assert len(o.data["image/png"]) < 80_000  # base64
        assert "(static)" in o.data["text/plain"]
    assert "widgets" not in nb.metadata


# ---------------------------------------------------------------------------------------------
# Data explorer
# ---------------------------------------------------------------------------------------------

def test_data_explorer_path_is_the_training_history():
    ex = data_explorer("linear_regression", batch_size=8, epochs=5, optimizers=["gd", "adam"], static=False)

    def expected():
        return train(ex.model, ex.optimizer, ex.X, ex.y, epochs=ex.epochs, batch_size=ex.batch_size,
                     X_val=ex.X_val, y_val=ex.y_val, seed=ex.seed, w0=ex.w0, progress=False,
                     on_divergence="ignore", record_params=True, **ex.hyper[ex.optimizer])

    h = expected()
    x, y = ex.path_line.get_data()
    np.testing.assert_array_equal(x, h.params[:, 0])
    np.testing.assert_array_equal(y, h.params[:, 1])
    assert len(x) == 5 * math.ceil(80 / 8) + 1  # 80 training examples after the 20 % split
    ex.batch_slider.value = 1  # SGD: one update per example
    h = expected()
    assert ex.history.n_iterations == 5 * 80 and len(ex.path_line.get_data()[0]) == 401
    np.testing.assert_array_equal(ex.path_line.get_data()[0], h.params[:, 0])
    np.testing.assert_array_equal(ex.train_loss_line.get_data()[1], h.train_loss)
    np.testing.assert_array_equal(ex.val_loss_line.get_data()[1], h.val_loss)
    ex.lr_slider.value = 0.01
    np.testing.assert_array_equal(ex.path_line.get_data()[1], expected().params[:, 1])
    ex.optimizer_dropdown.value = "adam"
    assert set(ex.hyper_sliders) == {"lr", "beta1", "beta2"} and ex.history.optimizer == "adam"
    np.testing.assert_array_equal(ex.path_line.get_data()[0], expected().params[:, 0])


def test_data_explorer_full_batch_theory_note():
    ex = data_explorer("linear_regression", static=True)
    L = float(np.linalg.eigvalsh(ex.model.hessian(ex.w0, ex.X, ex.y))[-1])
    assert ex.note_texts()[1].startswith(f"full-batch theory, gd: lr = {ex.hyper['gd']['lr']:.3g} < 2/λ_max = "
                                         f"{2 / L:.3g}: converges")
    ex.set(lr=2.2 / L)
    assert ex.history.train_loss[-1] > 100 * ex.history.train_loss[0] and "diverges" in ex.note_texts()[1]
    ex.set(lr=4 / L, epochs=100)
    assert ex.history.diverged  # past the 1e12 bound: training stopped
    assert ex.note_texts()[0].startswith("gd, full batch: batch gradient descent: diverged in epoch")


@pytest.mark.parametrize("problem", ["quadratic_model", "softmax_regression"])
def test_other_problems_build(problem):
    ex = data_explorer(problem, batch_size=16, epochs=3, static=True)
    assert ex.history.n_iterations == 3 * math.ceil(ex.n / 16)
    assert ex.png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_data_explorer_source_articles_data():
    ex = data_explorer(data="source_articles", epochs=200, static=True)
    assert ex.n == 5 and ex.X_val is None
    np.testing.assert_allclose(ex.w_star, [2.2, -1.0], atol=1e-12)  # the least-squares line y = 2.2 x - 1


def test_data_explorer_offers_only_the_named_optimizer_and_a_range_around_the_threshold():
    ex = data_explorer("linear_regression", batch_size=10, lr=0.05, epochs=20, static=False)  # notebook 03's call
    assert ex.optimizers == ["gd"] and list(ex.optimizer_dropdown.options) == ["gd"] and ex.optimizer_dropdown.disabled
    lam_max = float(ex.eigenvalues[-1])
    low, high = ex.hyper_controls["lr"].range
    # from 0.05 / 5 to 1.5 x the full-batch threshold 2 / lam_max (0.317 here), two significant digits
    assert (low, high) == (0.01, pytest.approx(float(f"{math.ceil(1.5 * 2 / lam_max * 100 - 1e-9) / 100:.2g}")))
    ex.hyper_controls["lr"].text.value = 0.2  # notebook 03's example value, typed exactly
    assert ex.history.hyperparameters["lr"] == 0.2
    assert style_color("gd") == ex.train_loss_line.get_color() == ex.path_line.get_color()


def style_color(name):
    from optimlab import style

    return style.color(name)


def test_data_explorer_shows_a_diverged_run():
    ex = data_explorer("linear_regression", batch_size=10, lr=1.0, epochs=20, static=True)
    h = ex.history
    assert h.diverged and ex.marker.marker.get_visible()
    assert ex.marker.label.get_text() == f"diverged at iteration {h.diverged_at}"
    lo, hi = ex.ax_loss.get_ylim()
    assert lo <= h.batch_loss.min() and max(h.batch_loss.max(), h.train_loss.max()) <= hi
    assert ex.fit_message.get_text() == "diverged: no model" and len(ex.fit_line.get_data()[0]) == 0
    assert ex.escaped is not None and len(ex.path_line.get_data()[0]) == ex.escaped + 1
    for artist in (*ex.notes.texts, ex.marker.label):
        if artist.get_visible():
            assert _inside_figure(ex, artist)
    # The fit panel's legend sits above the data.
    ex.canvas.draw()
    leg = ex.ax_fit.get_legend().get_window_extent(ex.canvas.get_renderer())
    pts = ex.ax_fit.transData.transform(np.column_stack([ex.X, ex.y]))
    assert pts[:, 1].max() < leg.y0


# ---------------------------------------------------------------------------------------------
# Race
# ---------------------------------------------------------------------------------------------

def my_momentum(w, v, g, lr=0.1, beta=0.9):
    v = beta * v + (1 - beta) * g
    return w - lr * v, v


def todo_momentum(w, v, g, lr=0.1, beta=0.9):
    raise NotImplementedError("write the momentum step")


def heavy_ball_by_mistake(w, v, g, lr=0.1, beta=0.9):
    v = beta * v + g
    return w - lr * v, v


def forgot_state(w, v, g, lr=0.1, beta=0.9):
    return w - lr * g


def test_race_with_a_correct_learner_matches():
    r = race(my_momentum, "momentum", steps=40, static=False)
    assert r.note.startswith("my_momentum matches the reference momentum: largest difference")
    np.testing.assert_array_equal(r.learner_line.get_data()[0], r.reference_line.get_data()[0])
    r.sliders["lr"].value = 0.2
    assert r.learner_result.hyperparameters["lr"] == 0.2
    np.testing.assert_array_equal(r.learner_result.trajectory, r.reference_result.trajectory)
    r.set(t=10)
    assert len(r.learner_line.get_data()[0]) == 11


def test_race_falls_back_to_the_reference_for_an_unfinished_exercise():
    r = race(todo_momentum, "momentum", static=False)
    assert isinstance(r.learner_error, NotImplementedError) and r.learner_result is None
    assert r.note == ("todo_momentum raises NotImplementedError (the exercise is not done yet): "
                      "showing the reference momentum alone.")
    assert not r.learner_line.get_visible() and r.reference_line.get_visible()
    assert r.notes.visible_texts[0] == r.note
    ref = run("momentum", r.landscape, r.start, r.steps, on_divergence="ignore", **r.hyper)
    np.testing.assert_array_equal(r.reference_line.get_data()[0], ref.trajectory[:, 0])
    r.sliders["lr"].value = 0.1  # still no exception on updates
    assert r.learner_result is None


def test_race_names_where_a_wrong_learner_differs_and_survives_other_errors():
    r = race(heavy_ball_by_mistake, "momentum", static=True)
    assert r.note.startswith("heavy_ball_by_mistake differs from momentum from step 1 on")
    r = race(forgot_state, "momentum", static=True)
    assert r.note.startswith("forgot_state failed: TypeError: forgot_state must return a tuple (w, v)")
    assert r.note.endswith("showing the reference momentum alone.")


def my_nesterov(w, v, g, lr=0.1, mu=0.9):
    v = mu * v + g
    return w - lr * (g + mu * v), v


def test_race_past_the_threshold_shows_the_divergence_inside_the_figure():
    from optimlab import style

    r = race(my_nesterov, "nesterov", lr=0.5, mu=0.9, static=True)  # threshold 2(1.9)/(2.8 * 4) = 0.339
    ref = r.reference_result
    assert ref.diverged and r.markers["reference"].label.get_text() == f"diverged at step {ref.diverged_at}"
    assert not r.markers["learner"].label.get_visible()  # same step: one label, not two on top of each other
    lo, hi = r.ax_loss.get_ylim()
    assert lo <= ref.losses.min() and ref.losses.max() <= hi
    # The runner's long message wraps (before: cut at 150 characters and at the figure's edge).
    assert ref.message in r.notes.visible_texts
    for artist in (*r.notes.texts, r.markers["reference"].label):
        if artist.get_visible():
            assert _inside_figure(r, artist)
    assert r.reference_line.get_color() == style.color("nesterov")
    assert [t.get_text() for t in r.ax_loss.get_legend().get_texts()] == ["reference nesterov", "my_nesterov"]
    assert r.ax_path.get_legend() is None  # no legend on the paths


def test_race_slider_range_and_legend_of_an_unfinished_exercise():
    r = race(todo_momentum, "momentum", lr=0.45, beta=0.9, static=False)
    assert [t.get_text() for t in r.ax_loss.get_legend().get_texts()] == ["reference momentum"]
    # momentum (EMA form) from 0.45: threshold 2(1 + 0.9)/((1 - 0.9) 4) = 9.5, range 0.45/5 .. 1.5 x 9.5
    assert r.controls["lr"].range == pytest.approx((0.09, 15.0))
    r.boxes["lr"].value = 0.8
    assert r.hyper["lr"] == 0.8 and r.reference_result.hyperparameters["lr"] == 0.8


def test_saddle_symlog_axis_has_few_ticks_and_labels_do_not_collide():
    ex = landscape_explorer("saddle", ["gd", "momentum"], static=True)
    assert all(ex.results[n].diverged for n in ex.selected)
    ex.canvas.draw()
    ticks = [t for t in ex.ax_loss.get_yticks() if ex.ax_loss.get_ylim()[0] <= t <= ex.ax_loss.get_ylim()[1]]
    assert 3 <= len(ticks) <= 9 and 0.0 in ticks  # before: a label every decade, running into each other
    r = ex.canvas.get_renderer()
    a, b = (ex.markers[n].label.get_window_extent(r) for n in ex.selected)
    assert not a.overlaps(b)


@pytest.mark.parametrize("make", [
    lambda: landscape_explorer("parabola", ["gd"], lr=1.05, static=True),
    lambda: landscape_explorer("ill_conditioned", ["heavy_ball", "nesterov"], lr=0.2, static=True),
    lambda: landscape_explorer("rosenbrock", ["gd", "momentum", "adam"], steps=300, static=True),
    lambda: data_explorer("linear_regression", batch_size=10, lr=1.0, epochs=20, static=True),
    lambda: data_explorer("softmax_regression", batch_size=16, epochs=5, static=True),
    lambda: race(my_nesterov, "nesterov", lr=0.5, mu=0.9, static=True),
], ids=["parabola-diverging", "hb-nesterov", "rosenbrock", "data-diverging", "softmax", "race-diverging"])
def test_every_text_is_readable_and_inside_the_figure(make):
    ex = make()
    ex.canvas.draw()
    r = ex.canvas.get_renderer()
    fig = ex.figure.bbox
    texts = list(ex.figure.texts)
    ticks = []
    for ax in ex.figure.axes:
        texts += [*ax.texts, ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        if ax.get_legend() is not None:
            texts += ax.get_legend().get_texts()
        for axis in (ax.xaxis, ax.yaxis):
            ticks += [t.label1 for t in axis._update_ticks()]  # the ticks drawn (inside the limits)
    texts = [t for t in texts + ticks if t.get_visible() and t.get_text().strip()]
    assert len(texts) > 10
    for t in texts:
        bb = t.get_window_extent(r)
        assert fig.x0 - 1 <= bb.x0 and bb.x1 <= fig.x1 + 1 and fig.y0 - 1 <= bb.y0 and bb.y1 <= fig.y1 + 1, t.get_text()
        assert t.get_fontsize() >= 9, t.get_text()
    assert min(t.get_fontsize() for t in ticks) >= 10  # 10 px at 100 % zoom (72 dpi)


def test_notes_band_grows_when_more_optimizers_are_ticked():
    ex = landscape_explorer("ill_conditioned", ["gd"], available=["momentum", "heavy_ball", "nesterov", "adam"],
                            lr=10.0, static=False)
    h1 = ex.figure.get_figheight()
    assert ex._note_lines == 1 + 1 + 1  # not reserved for the four unticked ones: no empty band
    for n in ("momentum", "heavy_ball", "nesterov", "adam"):
        ex.checkboxes[n].value = True
    assert ex._note_lines == 5 + 1 + 2 and ex.figure.get_figheight() > h1
    ex.set_hyper("momentum", lr=10.0)
    ex.set_hyper("nesterov", lr=5.0)  # two more long divergence notes
    ex.png()
    r = ex.figure.canvas.get_renderer()
    texts = [t for t in ex.notes.texts if t.get_visible()]
    assert len(texts) == 5 and not any(t.get_text().endswith("…") for t in texts)
    for t in texts:
        assert _inside_figure(ex, t)
    # The notes sit below the x-axis label of the plots.
    label_bottom = min(ax.xaxis.label.get_window_extent(r).y0 for ax in ex.figure.axes)
    assert max(t.get_window_extent(r).y1 for t in texts) <= label_bottom
