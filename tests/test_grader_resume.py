"""A grading batch killed with SIGKILL half-way is resumed: nothing lost, nothing twice.

The demo assignment's batch (six submissions, one worker) is started, and the grader is
sent SIGKILL as soon as two submissions are recorded. The rerun of the same command must
grade only the submissions that were not recorded (its progress bar counts them), and the
reports must then hold every submission once, with the grades a single uninterrupted run
gives. A student who tries to kill the grader from inside the notebook is in
tests/test_grader_security.py.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

import nbgrader_helpers as h

pytestmark = pytest.mark.nbgrader

WRONG = "def momentum_step(w, v, g, lr, beta):\n    v = beta * v + g\n    return w - lr * v, v\n"


def test_kill_minus_nine_then_rerun(tmp_path):
    from nbgrader.api import Gradebook

    h.write_demo_assignment(tmp_path / "solutions")
    h.run_grader("release", "--source", tmp_path / "solutions", "--release", tmp_path / "course")
    release = h.load_nb(tmp_path / "course" / h.DEMO_ID / f"{h.DEMO_ID}.ipynb")
    solution = h.load_nb(tmp_path / "solutions" / h.DEMO_ID / f"{h.DEMO_ID}.ipynb")
    subs = tmp_path / "subs"
    expected = {}
    for k in range(6):
        wrong = k % 2 == 1
        h.write_submission(subs, f"s{k}", h.DEMO_ID, h.DEMO_ID,
                           h.fill_answers(release, solution, {"ex_momentum": WRONG} if wrong else {}))
        expected[f"s{k}"] = "5" if wrong else "10"
    ws = tmp_path / "ws"
    cmd = [sys.executable, str(h.GRADER), "grade", str(subs), "--workspace", str(ws), "--source",
           str(tmp_path / "solutions"), "--timeout", str(h.TEST_TIMEOUT), "--workers", "1",
           "--no-feedback"]
    proc = subprocess.Popen(cmd, cwd=h.REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    state = ws / "state" / h.DEMO_ID
    deadline = time.monotonic() + 600
    while len(list(state.glob("*.json"))) < 2:
        assert proc.poll() is None, "the batch ended before it could be killed"
        assert time.monotonic() < deadline, "no submission recorded in 10 minutes"
        time.sleep(0.2)
    workers = children(proc.pid)
    assert workers, "the grader runs its submissions in worker processes"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(list(state.glob("*.json")))
    assert 2 <= done < 6

    rerun = h.run_grader("grade", subs, "--workspace", ws, "--source", tmp_path / "solutions",
                         "--timeout", h.TEST_TIMEOUT, "--workers", "1", "--no-feedback")
    graded_again = re.findall(r"autograding: 100%\|[^|]*\| (\d+)/(\d+)", rerun.stderr)
    assert graded_again and graded_again[-1] == (str(6 - done), str(6 - done)), rerun.stderr[-800:]
    assert f"{done} submission(s) unchanged since they were graded" in rerun.stdout

    rows = h.read_csv(ws / "exports" / "submissions.csv")
    assert sorted(r["student_id"] for r in rows) == sorted(expected)
    assert {r["student_id"]: r["score"] for r in rows} == expected
    grades = h.read_csv(ws / "exports" / "grades.csv")
    assert sorted(r["student_id"] for r in grades) == sorted(expected)
    with Gradebook(f"sqlite:///{ws / 'gradebook.db'}") as gb:
        assert len(gb.find_assignment(h.DEMO_ID).submissions) == 6
    # the killed grader's worker processes died with it
    end = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < end:
        time.sleep(0.2)
    assert [pid for pid in workers if alive(pid)] == []


def children(pid: int) -> list[int]:
    found = []
    for stat in os.scandir("/proc"):
        if stat.name.isdigit():
            try:
                fields = open(f"/proc/{stat.name}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(stat.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
