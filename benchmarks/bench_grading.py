"""Grading speed: 20 submissions, the parallel sandboxed grader against the sequential one.

Both graders grade the same 20 submissions (the course's solution notebooks, four per
assignment, with HTML feedback) from a cold start, one after the other in this run:

* baseline: the sequential grader as it was before the parallel one (optimlab_grader.py
  and its nbgrader config at commit BASELINE_COMMIT, taken from git), one submission at a
  time in one process, no sandbox;
* now: `optimlab_grader.py grade --workers N` (default N = the number of cores), every
  kernel in its bubblewrap sandbox, the checks in the grader's process. By default its
  feedback shows each matplotlib figure as its one-line text ("<Figure size 640x480 with 1
  Axes>") instead of drawing it (the grader's default; the baseline draws them);
  `--also-figures` grades a third time with `grade --figures`, which draws them as the
  baseline does, and prints that speed-up too.

It prints the wall-clock times, the speed-up (target on 2 cores: at least 1.9x), the time
per submission and the load average before and after (other work on the machine slows both
graders). The scores of every grading run must be equal, else it exits with 1. Without git
history it falls back to `--workers 1` as the baseline and says so.

    .venv/bin/python benchmarks/bench_grading.py [--submissions 20] [--workers N] [--also-figures]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
import nbgrader_helpers as h  # noqa: E402

BASELINE_COMMIT = "9cbd585"  # the sequential grader, before the sandbox and the workers
BASELINE_FILES = ["optimlab_grader.py", "optimlab_preprocessors.py", "nbgrader_config.py"]


def baseline_grader(into: Path) -> Path | None:
    """The sequential grader of BASELINE_COMMIT in `into`, or None without git history."""
    into.mkdir(parents=True)
    for name in BASELINE_FILES:
        proc = subprocess.run(["git", "show", f"{BASELINE_COMMIT}:autograder/{name}"],
                              cwd=REPO, capture_output=True, text=True)
        if proc.returncode != 0:
            return None
        (into / name).write_text(proc.stdout)
    return into / "optimlab_grader.py"


def make_submissions(root: Path, n: int) -> list[tuple[str, str]]:
    """n submissions, the assignments' solution notebooks taken in turn."""
    assignments = h.assignments()
    pairs = []
    for i in range(n):
        a = assignments[i % len(assignments)]
        student = f"s{i:02d}"
        for nb in h.notebooks_of(h.SOLUTIONS / a):
            h.write_submission(root, student, a, nb.stem, h.load_nb(nb))
        pairs.append((student, a))
    return pairs


def timed(cmd: list[str]) -> float:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def scores(ws: Path) -> dict:
    return {(r["student_id"], r["assignment_id"]): r["score"]
            for r in h.read_csv(ws / "exports" / "submissions.csv")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--also-figures", action="store_true",
                        help="grade a third time with `grade --figures` (figures drawn)")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        make_submissions(tmp / "subs", args.submissions)
        cache = tmp / "cache"  # both graders start cold: no cached release
        os.environ["OPTIMLAB_GRADER_CACHE"] = str(cache)
        old = baseline_grader(tmp / "baseline")
        if old is not None:
            label = f"sequential grader of {BASELINE_COMMIT} (one process, no sandbox)"
            base_cmd = [sys.executable, str(old), "grade", str(tmp / "subs"), "--workspace",
                        str(tmp / "ws_base"), "--source", str(h.SOLUTIONS), "--quiet"]
        else:
            label = "this grader with --workers 1 (no git history for the old one)"
            base_cmd = [sys.executable, str(h.GRADER), "grade", str(tmp / "subs"), "--workspace",
                        str(tmp / "ws_base"), "--quiet", "--workers", "1"]
        t_base = timed(base_cmd)
        new_cmd = [sys.executable, str(h.GRADER), "grade", str(tmp / "subs"), "--quiet",
                   "--workers", str(args.workers)]
        t_new = timed(new_cmd + ["--workspace", str(tmp / "ws_new")])
        per_job = [json.loads(p.read_text())["seconds"]
                   for p in (tmp / "ws_new" / "state").rglob("*.json")]
        same = scores(tmp / "ws_base") == scores(tmp / "ws_new")
        t_fig = None
        if args.also_figures:
            shutil.rmtree(cache, ignore_errors=True)  # cold again
            t_fig = timed(new_cmd + ["--workspace", str(tmp / "ws_fig"), "--figures"])
            same = same and scores(tmp / "ws_base") == scores(tmp / "ws_fig")
    load_after = os.getloadavg()
    n = args.submissions
    print(f"grading {n} submissions (the course's solutions, with HTML feedback) on "
          f"{os.cpu_count()} cores")
    print(f"  baseline: {label}: {t_base:7.1f} s  ({t_base / n:5.2f} s per submission)")
    print(f"  now:      --workers {args.workers}, sandboxed:          {t_new:7.1f} s  "
          f"({t_new / n:5.2f} s per submission of wall time)")
    print(f"  speed-up: {t_base / t_new:.2f}x   (target on 2 cores: >= 1.9x)")
    if t_fig is not None:
        print(f"  with --figures (figures drawn, as the baseline): {t_fig:7.1f} s  "
              f"({t_fig / n:5.2f} s per submission), speed-up {t_base / t_fig:.2f}x")
    print(f"  one submission in a worker: median {statistics.median(per_job):.2f} s, "
          f"max {max(per_job):.2f} s (sandbox start, autograde, feedback)")
    print(f"  same scores from every grading run: {same}")
    print(f"  load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; "
          f"after: {', '.join(f'{x:.2f}' for x in load_after)} (other work slows both graders)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
