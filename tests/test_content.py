"""Numbers the notebooks 01-05 state, recomputed; and the course notation the notebooks use.

Each test recomputes, with the library, a statement the notebook text makes (the notebook's own cell prints
the same number), so a change of the library or the data that breaks a sentence fails here. The last part
checks the notation rules of course/NOTATION.md on the source notebooks (solutions/) and that the notation
page and the glossary survive a release.
"""
from __future__ import annotations

import math
import re
import shutil

import nbformat
import numpy as np
import pytest

import optimlab
from optimlab.checks.minibatch import reference_train_sgd as train_sgd
from optimlab.datasets import source_articles_data, synthetic_linear
from optimlab.landscapes import get_landscape
from optimlab.models import LinearRegression
from optimlab.runner import run
from optimlab.schedules import inverse_time_decay
from optimlab.training import train
from optimlab.widgets import theory as T

import nbgrader_helpers as h

PART_ONE = ("01_loss_and_gradients", "02_gradient_descent", "03_minibatch_sgd", "04_momentum", "05_nesterov")
# The notation, glossary and Chinese-name rules hold for every notebook of the course.
COURSE = tuple(h.assignments())
MODEL = LinearRegression()


def mse_grad(w, X, y):
    r = w[0] * X + w[1] - y
    return np.array([2 * np.mean(r * X), 2 * np.mean(r)])


def mse_along(path, X, y):
    r = path[:, :1] * X + path[:, 1:] - y
    return np.mean(r * r, axis=1)


# --- notebook 03: the five points -------------------------------------------------------------

def _five_point_excess(B):
    X5, y5 = source_articles_data()
    path = train_sgd(mse_grad, np.zeros(2), X5, y5, 0.02, 200, B, 0)[1]
    return mse_along(path[::math.ceil(5 / B)], X5, y5) - 0.56   # at the end of every epoch


def test_03_small_batches_need_about_29_epochs_not_a_few():
    # "B = 1 first gets L - L* below 0.1 after 29 epochs, B = 2 after 33"
    first = {B: int(np.nonzero(_five_point_excess(B) < 0.1)[0][0]) for B in (1, 2)}
    assert first == {1: 29, 2: 33}
    # "... each update keeps a fraction 1 - lr lam_min = 0.993": an e-folding every 29 epochs for B = 1
    X5, y5 = source_articles_data()
    lam_min = np.linalg.eigvalsh(MODEL.hessian(np.zeros(2), X5, y5))[0]
    assert lam_min == pytest.approx(0.338, abs=5e-4) and 1 - 0.02 * lam_min == pytest.approx(0.993, abs=5e-4)
    assert round(-1 / (5 * math.log(1 - 0.02 * lam_min))) == 29


def test_03_batch_gd_ends_below_the_level_small_batches_jitter_at():
    # "over the last 100 epochs ... 0.18 (B = 2) and 0.27 (B = 1), ... batch gradient descent ends at 0.027"
    assert round(_five_point_excess(2)[101:].mean(), 2) == 0.18
    assert round(_five_point_excess(1)[101:].mean(), 2) == 0.27
    assert round(_five_point_excess(5)[-1], 3) == 0.027


# --- notebook 03: noise floors ------------------------------------------------------------------

@pytest.fixture(scope="module")
def line200():
    data = synthetic_linear(n=200, noise=1.0, seed=0)
    X, y = data.X, data.y
    opt = MODEL.least_squares(X, y)
    lam, U = np.linalg.eigh(MODEL.hessian(opt, X, y))
    per_example = 2 * (X * opt[0] + opt[1] - y)[:, None] * np.column_stack([X, np.ones(len(X))])
    s = np.mean((per_example @ U) ** 2, axis=0)
    return X, y, opt, mse_along(opt[None], X, y)[0], lam, s


def floor_independent(lam, s, N, lr, B):
    """E[L - L*] for a fresh batch of B distinct examples every step (notebook 03, section 5)."""
    return lr / B * (N - B) / (N - 1) * np.sum(s / (2 * (2 - lr * lam)))


def floor_shuffled(lam, s, N, lr, B, epoch_end=False):
    """The same with per-epoch shuffling: the batches of one epoch have noise covariance -s/(N-1)."""
    sizes = [min(B, N - k) for k in range(0, N, B)]
    n, total = len(sizes), 0.0
    for lam_j, s_j in zip(lam, s):
        m = 1 - lr * lam_j
        cov = np.full((n, n), -s_j / (N - 1))
        np.fill_diagonal(cov, [s_j / b * (N - b) / (N - 1) for b in sizes])
        kicks = [lr**2 * m ** (k - np.arange(1, k + 1)) @ cov[:k, :k] @ m ** (k - np.arange(1, k + 1))
                 for k in range(1, n + 1)]
        Q = kicks[-1] / (1 - m ** (2 * n))
        total += lam_j / 2 * (Q if epoch_end else np.mean([m ** (2 * k) * Q + kicks[k - 1] for k in range(1, n + 1)]))
    return total


def _measured_floor(line, lr, B, independent, seeds=range(1, 6), iterations=2000):
    """The notebook's noise_floor: mean L - L* over the second half of runs from the minimum, over seeds."""
    X, y, opt, L_star, _, _ = line
    if not independent:
        epochs = max(1, iterations // math.ceil(len(X) / B))
        paths = [train_sgd(mse_grad, opt, X, y, lr, epochs, B, seed)[1] for seed in seeds]
        return float(np.mean([np.mean(mse_along(p[len(p) // 2:], X, y) - L_star) for p in paths]))
    idx = np.stack([np.argsort(np.random.default_rng(s).random((iterations, len(X))), axis=1)[:, :B]
                    for s in seeds])
    assert all(len(set(row)) == B for row in idx[0, :50])   # B distinct examples per iteration
    w, excess = np.tile(opt, (len(seeds), 1)), []
    for t in range(1, iterations + 1):
        Xb, yb = X[idx[:, t - 1]], y[idx[:, t - 1]]
        r = w[:, :1] * Xb + w[:, 1:] - yb
        w = w - lr * np.column_stack([2 * np.mean(r * Xb, axis=1), 2 * np.mean(r, axis=1)])
        if t >= iterations // 2:
            excess.append(mse_along(w, X, y) - L_star)
    return float(np.mean(excess))


def test_03_floor_formulas_limits(line200):
    # B = N: no noise, no floor. Small steps: E[L - L*] ~ lr sigma^2 / (4B) for independent batches
    # (the approximation the notebook states), with sigma^2 = sum_j s_j.
    X, y, opt, L_star, lam, s = line200
    assert floor_shuffled(lam, s, 200, 0.05, 200) == 0.0 == floor_independent(lam, s, 200, 0.05, 200)
    assert floor_independent(lam, s, 200, 1e-6, 1) == pytest.approx(1e-6 * s.sum() / 4, rel=1e-5)
    assert floor_independent(lam, s, 200, 1e-6, 4) == pytest.approx(1e-6 * s.sum() / 16, rel=0.02)


def test_03_shuffling_lowers_the_floor_up_to_about_3_7_times(line200):
    X, y, opt, L_star, lam, s = line200
    ratios = {(lr, B): floor_independent(lam, s, 200, lr, B) / floor_shuffled(lam, s, 200, lr, B)
              for lr in (0.01, 0.03, 0.1) for B in (1, 4, 16)}
    assert max(ratios, key=ratios.get) == (0.01, 16) and 3.5 < ratios[0.01, 16] < 3.8
    assert all(1.0 <= ratios[0.1, B] < 1.1 for B in (1, 4, 16))   # "level with them at lr = 0.1"
    # measured, both samplers (the notebook's table): shuffling 3.7 times lower at lr = 0.01, B = 16
    shuffled, independent = (_measured_floor(line200, 0.01, 16, ind) for ind in (False, True))
    assert shuffled == pytest.approx(floor_shuffled(lam, s, 200, 0.01, 16), rel=0.05)
    assert independent == pytest.approx(floor_independent(lam, s, 200, 0.01, 16), rel=0.05)
    assert round(independent / shuffled, 1) == 3.7
    # "nearly level with them at lr = 0.1 (within about 10 per cent)", measured
    for B in (1, 4, 16):
        assert abs(_measured_floor(line200, 0.1, B, True) / _measured_floor(line200, 0.1, B, False) - 1) < 0.12


def test_03_measured_floors_agree_with_the_formulas_within_16_percent(line200):
    # "They agree within about 16 per cent ... except for B = 1 at lr = 0.1"
    X, y, opt, L_star, lam, s = line200
    off = [abs(_measured_floor(line200, lr, B, ind) / formula(lam, s, 200, lr, B) - 1)
           for lr in (0.01, 0.03, 0.1) for B in (1, 4, 16) if (lr, B) != (0.1, 1)
           for ind, formula in ((True, floor_independent), (False, floor_shuffled))]
    assert round(max(off), 2) == 0.16


def test_03_one_example_at_lr_0_1_measures_about_twice_the_formula(line200):
    # "except for B = 1 at lr = 0.1, where both measurements are about twice the formula"
    X, y, opt, L_star, lam, s = line200
    for independent, formula in ((False, floor_shuffled), (True, floor_independent)):
        ratio = _measured_floor(line200, 0.1, 1, independent, seeds=range(1, 4)) / formula(lam, s, 200, 0.1, 1)
        assert 1.7 < ratio < 2.3


def test_03_decayed_rates_end_near_the_floor_of_their_last_rate(line200):
    X, y, opt, L_star, lam, s = line200
    assert [round(lam[0] * 0.1 / k, 1) for k in (0.01, 0.05)] == [19.5, 3.9]
    for k in (None, 0.01, 0.05):
        hist = train(MODEL, "gd", X, y, epochs=30, batch_size=4, lr=0.1, seed=1, w0=opt, record_params=True,
                     progress=False, lr_schedule=None if k is None else inverse_time_decay(0.1, k))
        last_epoch = np.mean(mse_along(hist.params[-50:], X, y) - L_star)
        ratio = last_epoch / floor_shuffled(lam, s, 200, hist.lr[-1], 4)
        assert 1.0 < ratio < 1.4   # "within a factor of about 1.1 to 1.4"


def test_03_batch_size_table_larger_batches_need_epochs_to_reach_their_floor(line200):
    X, y, opt, L_star, lam, s = line200
    excess = {}
    for B in (10, 50, 200):
        path = train_sgd(mse_grad, np.array([-2.0, 4.0]), X, y, 0.05, 20, B, 0)[1]
        excess[B] = mse_along(path[::math.ceil(200 / B)], X, y) - L_star   # epoch ends
    floors = {B: floor_shuffled(lam, s, 200, 0.05, B, epoch_end=True) for B in (10, 50, 200)}
    assert f"{excess[50][20]:.1e}" == "4.6e-04" and round(excess[200][20], 2) == 0.19
    assert excess[50][20] < floors[10] / 10 and 0.5 < excess[50][20] / floors[50] < 1.5   # "near its own floor"
    assert floors[200] == 0 and excess[200][20] > max(floors.values())
    assert excess[10][5:].max() / excess[10][5:].min() > 10   # "fluctuates by more than a factor of 10"


# --- notebook 04 -------------------------------------------------------------------------------

def test_04_just_below_the_threshold_rho_is_sqrt_mu_not_close_to_one():
    lam, mu = 2.0, 0.9
    lr_max = T.heavy_ball_max_lr(lam, mu)
    assert T.spectral_radius("heavy_ball", 0.98 * lr_max, lam, mu=mu) == pytest.approx(math.sqrt(mu), rel=1e-12)
    assert T.spectral_radius("heavy_ball", 0.5 * lr_max, lam, mu=mu) == pytest.approx(0.949, abs=5e-4)
    # complex roots up to (1 + sqrt(mu))^2 = 3.797, 99.93 % of the threshold 3.8; only then rho rises
    assert (1 + math.sqrt(mu)) ** 2 == pytest.approx(3.797, abs=5e-4)
    assert f"{(1 + math.sqrt(mu)) ** 2 / (2 * (1 + mu)):.2%}" == "99.93%"
    assert (1 - math.sqrt(mu)) ** 2 == pytest.approx(0.003, abs=5e-4)
    assert T.spectral_radius("heavy_ball", 0.9995 * lr_max, lam, mu=mu) > 0.97
    # the measured envelope of |x_t| shrinks by sqrt(mu) per step (peaks of the beating |x|)
    x = np.abs(run("heavy_ball", "parabola", steps=150, lr=0.98 * lr_max, mu=mu).trajectory[:, 0])
    peaks = [x[k:k + 45].max() for k in (15, 60, 105)]
    assert (peaks[2] / peaks[0]) ** (1 / 90) == pytest.approx(math.sqrt(mu), rel=0.01)


def test_04_momentums_larger_stable_lr_is_mostly_the_change_of_units():
    data = source_articles_data()
    lam_max = np.linalg.eigvalsh(MODEL.hessian(np.zeros(2), data.X, data.y)).max()
    assert round(lam_max, 1) == 23.7
    gd, hb, ema = T.gd_max_lr(lam_max), T.heavy_ball_max_lr(lam_max, 0.9), T.momentum_max_lr(lam_max, 0.9)
    assert (round(gd, 3), round(hb, 3), round(ema, 2)) == (0.085, 0.161, 1.61)
    assert hb / gd == pytest.approx(1.9) and ema * (1 - 0.9) == pytest.approx(hb)
    # the EMA form at lr = 0.1 is the heavy ball at 0.01 (the notebook's two identical rows)
    paths = {}
    for name, hyper in (("momentum", dict(lr=0.1, beta=0.9)), ("heavy_ball", dict(lr=0.01, mu=0.9))):
        opt, w = optimlab.make(name, **hyper), np.zeros(2)
        state, losses = opt.init(w), []
        for _ in range(1000):
            w, state = opt.update(w, MODEL.grad(w, data.X, data.y), state)
            losses.append(MODEL.loss(w, data.X, data.y))
        paths[name] = np.array(losses)
    np.testing.assert_allclose(paths["momentum"], paths["heavy_ball"], rtol=1e-12)
    assert 0.01 < gd   # the heavy ball's step that the EMA form's 0.1 stands for is safe for GD too


# --- notebook 05 -------------------------------------------------------------------------------

def test_05_tuned_heavy_ball_beats_tuned_nesterov_on_the_quadratic():
    q = get_landscape("ill_conditioned")
    ev, kappa = q.hessian_eigenvalues, q.kappa
    lr_hb, mu_hb = T.optimal_heavy_ball(q.lam_max, q.lam_min)
    lr_nag = 4 / (3 * q.lam_max + q.lam_min)
    mu_nag = (math.sqrt(3 * kappa + 1) - 2) / (math.sqrt(3 * kappa + 1) + 2)
    rate_hb = T.spectral_radius("heavy_ball", lr_hb, ev, mu=mu_hb)
    rate_nag = T.spectral_radius("nesterov", lr_nag, ev, mu=mu_nag)
    assert (round(rate_hb, 3), round(rate_nag, 3)) == (0.635, 0.744)
    # a double root there: numpy eigvals of a defective matrix are accurate to about sqrt(eps)
    assert rate_nag == pytest.approx(1 - 2 / math.sqrt(3 * kappa + 1), rel=1e-7)
    best = min(T.spectral_radius("nesterov", lr, ev, mu=m)
               for lr in np.linspace(0.02, 0.6, 59) for m in np.linspace(0.0, 0.95, 96))
    assert best >= rate_nag - 1e-12 and round(best, 3) == 0.749

    def steps(step, lr, mu):
        w, v = q.start, np.zeros(2)
        for t in range(1, 1000):
            w, v = step(w, v, q.grad(w), lr, mu)
            if q.loss(w) < 1e-6:
                return t
    assert (steps(optimlab.heavy_ball_step, lr_hb, mu_hb), steps(optimlab.nesterov_step, lr_nag, mu_nag)) == (26, 32)


def _lessard_grad(w):
    x = w[0]
    return np.array([25 * x if x < 1 else (x + 24 if x < 2 else 25 * x - 24)])


def test_05_lessard_function_is_smooth_strongly_convex_with_curvatures_1_and_25():
    f = lambda x: 12.5 * x * x if x < 1 else (0.5 * x * x + 24 * x - 12 if x < 2 else 12.5 * x * x - 24 * x + 36)
    for join in (1.0, 2.0):   # f and f' continuous at the joins
        assert f(join - 1e-12) == pytest.approx(f(join), abs=1e-9)
        assert _lessard_grad([join - 1e-12])[0] == pytest.approx(_lessard_grad([join])[0], abs=1e-9)
    xs = np.linspace(-5, 5, 2001)
    slopes = np.diff([_lessard_grad([x])[0] for x in xs]) / np.diff(xs)
    assert slopes.min() == pytest.approx(1.0) and slopes.max() == pytest.approx(25.0)


@pytest.mark.parametrize("x0", [3.07, 3.3, 3.46])
def test_05_tuned_heavy_ball_cycles_where_nesterov_converges(x0):
    lr, mu = T.optimal_heavy_ball(25.0, 1.0)
    assert (lr, mu) == pytest.approx((1 / 9, 4 / 9))
    w, v, xs = np.array([x0]), np.zeros(1), []
    for _ in range(300):
        w, v = optimlab.heavy_ball_step(w, v, _lessard_grad(w), lr, mu)
        xs.append(w[0])
    cycle = sorted(np.round(xs[-3:], 4))
    assert cycle == [-1.8024, 0.6465, 2.1159]
    np.testing.assert_allclose(xs[-3:], xs[-6:-3], atol=1e-12)   # period 3, for good
    w, v = np.array([x0]), np.zeros(1)
    for _ in range(300):
        w, v = optimlab.nesterov_step(w, v, _lessard_grad(w), 1 / 25, (5 - 1) / (5 + 1))
    assert abs(w[0]) < 1e-12


def test_05_nesterov_standard_setting_converges_from_every_start():
    for x0 in np.linspace(-5, 5, 41):
        w, v = np.array([x0]), np.zeros(1)
        for _ in range(300):
            w, v = optimlab.nesterov_step(w, v, _lessard_grad(w), 1 / 25, 2 / 3)
        assert abs(w[0]) < 1e-9, x0


def test_05_noisy_plateaus():
    q = get_landscape("ill_conditioned")

    def mean_losses(step, lr, sigma, runs=20, steps=300):
        losses = np.empty((runs, steps))
        for seed in range(runs):
            rng, w, v = np.random.default_rng(seed), q.start, np.zeros(2)
            for t in range(steps):
                w, v = step(w, v, q.grad(w) + sigma * rng.normal(size=2), lr, 0.9)
                losses[seed, t] = q.loss(w)
        return losses.mean(axis=0)[-1]
    hb, nag = (mean_losses(s, 0.03, 0.5) for s in (optimlab.heavy_ball_step, optimlab.nesterov_step))
    hb2, nag2 = (mean_losses(s, 0.015, 0.5) for s in (optimlab.heavy_ball_step, optimlab.nesterov_step))
    assert 2e-2 <= nag < hb <= 3.1e-2                    # "around 2 to 3e-2"
    assert nag / hb == pytest.approx(0.75, abs=0.03)     # "about a quarter lower"
    assert 40 <= round(100 * (1 - hb2 / hb)) <= 46 and 40 <= round(100 * (1 - nag2 / nag)) <= 46   # "40 to 46%"
    assert hb / mean_losses(optimlab.heavy_ball_step, 0.03, 0.0) > 1e10          # "ten orders of magnitude"


# --- notation (course/NOTATION.md) ------------------------------------------------------------

def _notebook(a):
    return nbformat.read(h.SOLUTIONS / a / f"{a}.ipynb", as_version=4)


def _markdown(a):
    return [c.source for c in _notebook(a).cells if c.cell_type == "markdown"]


def _free_code(a):
    """Demo and experiment code cells (not answer or test cells: those are the graded exercise's)."""
    return [c.source for c in _notebook(a).cells if c.cell_type == "code" and not c.metadata.get("nbgrader")]


@pytest.mark.parametrize("a", COURSE)
def test_notation_steps_and_curvatures(a):
    text = "\n".join(_markdown(a))
    assert "w_{t+1}" not in text and "x_{t+1}" not in text and "e_{t+1}" not in text, "use w_t = w_{t-1} - ..."
    assert not re.search(r"2/L\b|1/L\b|\[m, L\]|= L/\\mu|\\kappa = L", text), "the largest curvature is lambda_max"
    assert not re.search(r"curvature \$\\mu|\\eta\\mu\|", text), "mu is only a momentum coefficient"
    code = "\n".join(_free_code(a))
    assert not re.search(r"\.(L|mu)\b(?!\w)", code.replace("np.mu", "")), "use lam_max / lam_min"
    assert "condition_number" not in code, "use kappa"


@pytest.mark.parametrize("a", COURSE)
def test_every_notebook_links_the_notation_page_and_ends_with_its_glossary(a):
    cells = _markdown(a)
    assert "(../NOTATION.md)" in cells[0] and "(../GLOSSARY.md)" in cells[0]
    glossary = cells[-1].split("## Glossary (术语表)")
    assert len(glossary) == 2, "the last cell ends with the glossary"
    course_glossary = (h.COURSE / "GLOSSARY.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|", glossary[1], re.M)[2:]   # skip header and rule
    assert rows
    for english, chinese in rows:
        assert f"| {english} | {chinese} |" in course_glossary, (english, chinese)
        assert chinese in "\n".join(c.split("## Glossary")[0] for c in cells), \
            f"{chinese} is in the glossary but never introduced in the text"


def test_each_chinese_name_is_given_once_in_the_course():
    seen = {}
    for a in COURSE:
        for i, src in enumerate(_markdown(a)):
            for term in re.findall(r"[\u4e00-\u9fff][\u4e00-\u9fff ]*", src.split("## Glossary")[0]):
                assert term.strip() not in seen, f"{term} in {a} cell {i}, already in {seen[term.strip()]}"
                seen[term.strip()] = (a, i)
    assert seen["黑塞矩阵"][0] == "01_loss_and_gradients"   # the Hessian is defined where first used
    glossary = (h.COURSE / "GLOSSARY.md").read_text(encoding="utf-8")
    assert all(term in glossary for term in seen)


def test_notation_page_is_reachable_from_solutions_and_course():
    for folder in (h.COURSE, h.SOLUTIONS):
        for page in ("NOTATION.md", "GLOSSARY.md"):
            assert (folder / page).read_text(encoding="utf-8").startswith("#")
    notation = (h.COURSE / "NOTATION.md").read_text(encoding="utf-8")
    for code in ("`lam_max`", "`lam_min`", "`kappa`", "`lr`", "`mu`", "`beta`", "`V`", "`v`"):
        assert code in notation


@pytest.mark.nbgrader
def test_release_keeps_the_notation_page(tmp_path):
    # nbgrader's generate_assignment --force replaces course/<assignment>/ only; the pages sit beside them.
    src, rel = tmp_path / "solutions", tmp_path / "course"
    shutil.copytree(h.SOLUTIONS / "01_loss_and_gradients", src / "01_loss_and_gradients")
    rel.mkdir()
    for page in ("NOTATION.md", "GLOSSARY.md"):
        shutil.copy(h.COURSE / page, rel / page)
    h.run_grader("release", "--source", src, "--release", rel, "01_loss_and_gradients")
    assert (rel / "01_loss_and_gradients" / "01_loss_and_gradients.ipynb").is_file()
    assert (rel / "NOTATION.md").read_bytes() == (h.COURSE / "NOTATION.md").read_bytes()
    assert (rel / "GLOSSARY.md").is_file()
    # check-release compares course/<assignment>/ folders only, so the pages are never "stale files"
    g = h.grader()
    assert g.compare_release(rel, rel, ["01_loss_and_gradients"]) == []
