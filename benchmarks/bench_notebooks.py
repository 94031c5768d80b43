"""Execution time of each course notebook, top to bottom, in a fresh kernel.

Targets on 2 cores (kernel start-ups included): notebooks 01-09 together at most 40 s;
10 and 11 (part III) at most 6 s each; the whole course (01-14) at most 90 s. The baseline
measured in the same run is an empty notebook (kernel start-up and shutdown only), so the
figures show what the notebooks themselves cost on top of that.

Run: .venv/bin/python benchmarks/bench_notebooks.py [solutions|course]
(default: solutions, the instructor versions, which run every exercise's reference answer)
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(nb, cwd: Path) -> float:
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return time.perf_counter() - start


def main(folder: str = "solutions") -> None:
    os.environ.setdefault("OPTIMLAB_STATIC", "1")  # headless: widgets render their static figure
    paths = sorted((ROOT / folder).glob("*/*.ipynb"))
    if not paths:
        sys.exit(f"no notebooks in {folder}/")
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    base = min(execute(empty, ROOT) for _ in range(2))
    print(f"baseline: empty notebook (kernel start + stop) {base:6.2f} s")
    total = 0.0
    times = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            seconds = execute(nb, path.parent)
            status = ""
        except Exception as exc:  # unimplemented exercises in course/ stop at the first test cell
            seconds, status = float("nan"), f"  stopped: {type(exc).__name__}"
        total += 0 if seconds != seconds else seconds
        times[path.parent.name] = seconds
        print(f"{path.relative_to(ROOT)}: {seconds:6.2f} s  ({seconds - base:+.2f} s over baseline){status}")
    first = sum(v for k, v in times.items() if k[:2] <= "09")
    print(f"notebooks 01-09: {first:.2f} s (target <= 40 s)")
    for k, v in times.items():
        if k[:2] in ("10", "11"):
            print(f"{k}: {v:.2f} s (target <= 6 s)")
    print(f"total: {total:.2f} s for {len(paths)} notebooks (target <= 90 s for the whole course; kernel "
          f"start-ups included: {len(paths) * base:.2f} s)")


if __name__ == "__main__":
    main(*sys.argv[1:])
