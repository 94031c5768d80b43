"""Speed of the interactive explorers: from a slider change to an updated figure.

Target: median <= 100 ms for 4 optimizers x 300 steps on a 2-D landscape, measured in the
kernel process: the slider's value is changed programmatically and the clock stops when the
new frame has been rendered with Agg and handed to ipympl as the PNG of the changed pixels
(what the browser receives). The widget's observer does all of it: it re-runs the optimizers
whose settings changed, updates the artists in place and *blits* (pastes the cached
background of axes, ticks and contours, draws the paths, loss curves and notes on top).
Changes that move the frame (the steps slider: new x-limits) need a full ``canvas.draw()``;
that scenario is timed too.

Measured in the same run, on the same landscape, optimizers, steps and slider values:

* ``naive``: the obvious notebook code, rebuilding the figure on every change
  (``plt.subplots`` + contour + one ``plot`` per optimizer + ``draw``), the runs computed by the
  same runner. It does not even encode a PNG, which an inline figure would also need.
* ``in-place + full PNG``: the explorer's in-place updates, but drawn in full and shown as a
  whole new PNG each time (the "Output widget with an inline image" design) instead of blitting
  and ipympl's difference image.

Scenarios: moving one optimizer's learning-rate slider (only that optimizer is re-run; the
other three come from the explorer's cache) and moving the start point (all four re-run).

Run: .venv/bin/python benchmarks/bench_widgets.py [repetitions]
"""
from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from optimlab.landscapes import get_landscape  # noqa: E402
from optimlab.runner import run  # noqa: E402
from optimlab.widgets import landscape_explorer  # noqa: E402
from optimlab.widgets.layout import clip_to_window  # noqa: E402
from optimlab.widgets.static import figure_png  # noqa: E402

LANDSCAPE = "ill_conditioned"
OPTIMIZERS = ("gd", "momentum", "nesterov", "adam")
STEPS = 300
TARGET_MS = 100.0


def explorer():
    ex = landscape_explorer(LANDSCAPE, OPTIMIZERS, steps=STEPS, static=False)
    # In a notebook the front-end sends "initialized" once it shows the canvas; from then on
    # ipympl sends difference images only and stops keeping a full PNG data URL in sync.
    ex.canvas.syncing_data_url = False
    ex.canvas.draw()
    return ex


def lr_values(n, low=0.02, high=0.4):
    # Distinct values, so every change is a cache miss for the optimizer whose slider moves.
    return np.geomspace(low, high, n)


def start_values(n):
    t = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    return np.stack([-4.5 + 0.3 * np.cos(t), 1.5 + 0.3 * np.sin(t)], axis=1)


def time_changes(change_fns, finish) -> list[float]:
    times = []
    for change in change_fns:
        t0 = time.perf_counter()
        change()
        finish()
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def naive_update(hyper: dict, start) -> None:
    """Rebuild everything, as a notebook cell re-run by ``interact`` would."""
    L = get_landscape(LANDSCAPE)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10.5, 4.4), dpi=72)
    X, Y, Z = L.mesh(160)
    ax.contour(X, Y, Z, levels=L.contour_levels(20), cmap="viridis", linewidths=0.7)
    for name in OPTIMIZERS:
        r = run(name, L, start, STEPS, on_divergence="ignore", **hyper[name])
        ax.plot(r.trajectory[:, 0], r.trajectory[:, 1], "o-", ms=2.5, lw=1.2, label=name)
        ax2.semilogy(r.losses, label=name)
    ax.set_xlim(L.xlim)
    ax.set_ylim(L.ylim)
    ax2.legend()
    fig.canvas.draw()
    plt.close(fig)


def main(repetitions: int = 30) -> None:
    ex = explorer()
    slider = ex.sliders["gd"]["lr"]
    # The same explorer drawn on a plain Agg canvas, shown as a whole PNG after each change.
    ex_png = landscape_explorer(LANDSCAPE, OPTIMIZERS, steps=STEPS, static=True)
    hyper = {n: dict(ex.hyper[n]) for n in OPTIMIZERS}

    def check_same_numbers():
        # The artists show the runner's numbers (a wrong fast result would be worthless).
        r = run("gd", LANDSCAPE, ex.start, STEPS, on_divergence="ignore", **ex.hyper["gd"])
        L = get_landscape(LANDSCAPE)
        # A run that leaves the window for good is drawn up to the window's edge.
        tx, ty, _ = clip_to_window(r.trajectory[:, 0], r.trajectory[:, 1], L.xlim, L.ylim)
        x, y = ex.path_lines["gd"].get_data()
        assert np.array_equal(x, tx) and np.array_equal(y, ty)

    # Warm-up (fonts, caches), then the measurements interleaved so that load bursts on this
    # shared machine hit every variant alike.
    for v in lr_values(3):
        slider.value = float(v)
        ex.canvas.draw()
        naive_update(hyper, ex.start)
    check_same_numbers()

    # A sweep over the whole range of gd's slider (0.09..0.75 around the threshold 0.5: past it the
    # run diverges and the loss axis must follow).
    lrs, starts = lr_values(repetitions, *ex.controls["gd"]["lr"].range), start_values(repetitions)
    blits = []
    draws = []
    real_blit = ex.canvas.blit
    ex.canvas.blit = lambda bbox=None: (blits.append(1), real_blit(bbox))[1]
    ex.canvas.mpl_connect("draw_event", lambda event: draws.append(1))
    full_draws = []

    def nothing():
        # The observer already sent the frame by blitting, unless the loss axis had to change its
        # limits (the curves left the frame): then the front-end asks for a full draw, timed here.
        if ex._layout_dirty:
            ex.canvas.draw()

    res = {"lr": [], "start": [], "steps": [], "lr_fullpng": [], "naive": []}
    for i in range(repetitions):
        n_draws = len(draws)
        res["lr"] += time_changes([lambda v=lrs[i]: setattr(slider, "value", float(v))], nothing)
        res["start"] += time_changes([lambda p=starts[i]: ex.set(start=p)], nothing)
        full_draws.append(len(draws) - n_draws)
        res["steps"] += time_changes([lambda n=STEPS + 1 + i % 2: setattr(ex.steps_slider, "value", n)],
                                     ex.canvas.draw)
        res["lr_fullpng"] += time_changes([lambda v=lrs[::-1][i]: ex_png.set_hyper("gd", lr=float(v) * 1.01)],
                                          lambda: figure_png(ex_png.figure, colors=None))
        h = {n: dict(hyper[n]) for n in OPTIMIZERS}
        h["gd"]["lr"] = float(lrs[i])
        res["naive"] += time_changes([lambda: None], lambda h=h, p=starts[i]: naive_update(h, p))
    ex.steps_slider.value = STEPS
    ex.canvas.draw()
    check_same_numbers()
    n_changes = 2 * repetitions
    assert len(blits) + sum(full_draws) >= n_changes, "every lr and start change must redraw"
    blit_share = 1.0 - sum(full_draws) / n_changes
    # Without the front-end's "initialized" message ipympl also re-encodes a full PNG data URL.
    ex.canvas.syncing_data_url = True
    res["lr_no_frontend"] = time_changes([lambda v=v: setattr(slider, "value", float(v) * 1.02)
                                          for v in lrs[: max(5, repetitions // 3)]], nothing)

    med = {k: statistics.median(v) for k, v in res.items()}
    print(f"landscape explorer: {len(OPTIMIZERS)} optimizers x {STEPS} steps on {LANDSCAPE}, "
          f"{repetitions} changes each, figure {ex.canvas.get_width_height()} px")
    print(f"  lr slider -> redrawn (ipympl diff PNG)      median {med['lr']:7.1f} ms   "
          f"(min {min(res['lr']):.1f}, max {max(res['lr']):.1f})")
    print(f"  start point -> redrawn (all 4 re-run)        median {med['start']:7.1f} ms   "
          f"(min {min(res['start']):.1f}, max {max(res['start']):.1f})")
    print(f"  lr and start changes redrawn by blitting: {100 * blit_share:.0f} % (the others moved the "
          f"loss axis: full draw, included in the times above)")
    print(f"  steps slider -> full draw (new x-limits)     median {med['steps']:7.1f} ms")
    print(f"  lr slider, in place + full draw + full PNG   median {med['lr_fullpng']:7.1f} ms   "
          f"(the Output-widget-with-image design)")
    print(f"  lr slider, no front-end yet (+ data URL)     median {med['lr_no_frontend']:7.1f} ms")
    print(f"  naive baseline: rebuild figure every change  median {med['naive']:7.1f} ms")
    print(f"  speed-up over the naive baseline: {med['naive'] / med['lr']:.1f}x (lr slider), "
          f"{med['naive'] / med['start']:.1f}x (start point)")
    worst = max(med["lr"], med["start"])
    verdict = "meets" if worst <= TARGET_MS else "MISSES"
    print(f"  target median <= {TARGET_MS:.0f} ms: {verdict} (worst scenario {worst:.1f} ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
