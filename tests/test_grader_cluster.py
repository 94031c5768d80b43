"""`grade --scheduler tcp://HOST:PORT` grades on a Dask distributed cluster, same grades.

A real scheduler and two real workers are started on 127.0.0.1 (the `distributed`
package's own command-line programs); the demo assignment's batch (a correct, a wrong, a
crashing and an unfinished submission) is graded once through them and once locally, and
the two sets of grades, statuses and per-exercise results must be identical.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

import nbgrader_helpers as h

pytest.importorskip("distributed")
pytestmark = pytest.mark.nbgrader

WRONG = "def momentum_step(w, v, g, lr, beta):\n    v = beta * v + g\n    return w - lr * v, v\n"
CRASH = "import os\nos._exit(3)\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("dask")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                               "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=open(log / "scheduler.log", "w"), stderr=subprocess.STDOUT,
                              env=env, cwd=log)]
    address = f"tcp://127.0.0.1:{port}"
    for i in range(2):
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--host", "127.0.0.1",
             "--nthreads", "1", "--no-dashboard", "--memory-limit", "0", "--name", f"w{i}"],
            stdout=open(log / f"worker{i}.log", "w"), stderr=subprocess.STDOUT, env=env, cwd=log))
    from distributed import Client
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=max(5, deadline - time.monotonic()))
                    break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        yield address
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_cluster_grades_like_local(cluster, tmp_path):
    h.write_demo_assignment(tmp_path / "solutions")
    h.run_grader("release", "--source", tmp_path / "solutions", "--release", tmp_path / "course")
    release = h.load_nb(tmp_path / "course" / h.DEMO_ID / f"{h.DEMO_ID}.ipynb")
    solution = h.load_nb(tmp_path / "solutions" / h.DEMO_ID / f"{h.DEMO_ID}.ipynb")
    subs = tmp_path / "subs"
    for student, repl in [("good", {}), ("wrong", {"ex_momentum": WRONG}),
                          ("crash", {"ex_sigmoid": CRASH})]:
        h.write_submission(subs, student, h.DEMO_ID, h.DEMO_ID, h.fill_answers(release, solution, repl))
    h.write_submission(subs, "untouched", h.DEMO_ID, h.DEMO_ID, release)

    def grade(ws, *extra):
        h.run_grader("grade", subs, "--workspace", ws, "--source", tmp_path / "solutions",
                     "--timeout", h.TEST_TIMEOUT, "--quiet", *extra)
        subs_rows = {r["student_id"]: (r["score"], r["status"], r["tampering"])
                     for r in h.read_csv(ws / "exports" / "submissions.csv")}
        by_ex = {(r["student_id"], r["exercise"]): (r["score"], r["result"], r["message"])
                 for r in h.read_csv(ws / "exports" / "grades_by_exercise.csv")}
        return subs_rows, by_ex

    remote = grade(tmp_path / "ws_cluster", "--scheduler", cluster)
    local = grade(tmp_path / "ws_local")
    assert remote == local
    assert remote[0]["good"][:2] == ("10", "ok")
    assert remote[0]["wrong"][:2] == ("5", "ok")
    assert remote[0]["crash"][:2] == ("2", "kernel died")
    assert remote[0]["untouched"][:2] == ("0", "ok")
    # the feedback came back from the workers too
    assert (tmp_path / "ws_cluster" / "feedback" / "good" / h.DEMO_ID / "00_demo.html").is_file()
