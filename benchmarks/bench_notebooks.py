"""Execution time of each course notebook, top to bottom, in a fresh kernel.

Target: all part-I notebooks together under 20 s on this machine. The baseline measured in
the same run is an empty notebook (kernel start-up and shutdown only), so the figures show
what the notebooks themselves cost on top of that.

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
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            seconds = execute(nb, path.parent)
            status = ""
        except Exception as exc:  # unimplemented exercises in course/ stop at the first test cell
            seconds, status = float("nan"), f"  stopped: {type(exc).__name__}"
        total += 0 if seconds != seconds else seconds
        print(f"{path.relative_to(ROOT)}: {seconds:6.2f} s  ({seconds - base:+.2f} s over baseline){status}")
    print(f"total: {total:.2f} s for {len(paths)} notebooks (target < 20 s; kernel start-ups included: "
          f"{len(paths) * base:.2f} s)")


if __name__ == "__main__":
    main(*sys.argv[1:])
