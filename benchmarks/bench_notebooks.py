"""Execution time of each course notebook, top to bottom, in a fresh kernel.

Targets on 2 cores (kernel start-ups included): notebooks 01-09 together at most 40 s;
10 and 11 (part III) at most 6 s each; the whole course (01-14) at most 90 s. The baseline
measured in the same run is an empty notebook (kernel start-up and shutdown only), so the
figures show what the notebooks themselves cost on top of that. Next to each wall-clock time it
prints the CPU time the notebook's kernel used (user + system, read by one extra cell at the end):
on a shared machine the wall-clock time grows with the load, the kernel's CPU time much less, so
that column says whether a slow run was the notebook or the machine.

Run: .venv/bin/python benchmarks/bench_notebooks.py [solutions|course]
(default: solutions, the instructor versions, which run every exercise's reference answer)
"""
from __future__ import annotations

import copy
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


CPU_CELL = ("import resource as _r\n_u = _r.getrusage(_r.RUSAGE_SELF)\n"
            "print('kernel cpu', _u.ru_utime + _u.ru_stime)")


def execute(nb, cwd: Path) -> tuple[float, float]:
    """Wall-clock seconds of a top-to-bottom run and the CPU seconds its kernel used."""
    nb.cells.append(nbformat.v4.new_code_cell(CPU_CELL))
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        wall = time.perf_counter() - start
    text = "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []))
    cpu = float(text.split()[-1]) if text.startswith("kernel cpu") else float("nan")
    return wall, cpu


def main(folder: str = "solutions") -> None:
    os.environ.setdefault("OPTIMLAB_STATIC", "1")  # headless: widgets render their static figure
    paths = sorted((ROOT / folder).glob("*/*.ipynb"))
    if not paths:
        sys.exit(f"no notebooks in {folder}/")
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    base, base_cpu = min(execute(copy.deepcopy(empty), ROOT) for _ in range(2))
    print(f"baseline: empty notebook (kernel start + stop) {base:6.2f} s, kernel cpu {base_cpu:5.2f} s; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    total = 0.0
    times = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            seconds, cpu = execute(nb, path.parent)
            status = ""
        except Exception as exc:  # a notebook that fails does not count
            seconds, cpu, status = float("nan"), float("nan"), f"  stopped: {type(exc).__name__}"
        total += 0 if seconds != seconds else seconds
        times[path.parent.name] = seconds
        print(f"{path.relative_to(ROOT)}: {seconds:6.2f} s  ({seconds - base:+.2f} s over baseline; "
              f"kernel cpu {cpu:5.2f} s){status}")
    first = sum(v for k, v in times.items() if k[:2] <= "09")
    print(f"notebooks 01-09: {first:.2f} s (target <= 40 s)")
    for k, v in times.items():
        if k[:2] in ("10", "11"):
            print(f"{k}: {v:.2f} s (target <= 6 s)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    print(f"total: {total:.2f} s for {len(paths)} notebooks (target <= 90 s for the whole course; kernel "
          f"start-ups included: {len(paths) * base:.2f} s)")


if __name__ == "__main__":
    main(*sys.argv[1:])
