"""The grader against students who want a grade they did not earn, and against faults.

One batch, graded by the real pipeline (`optimlab_grader.py grade`: bubblewrap sandbox,
checks in the grader's process, submissions rebuilt on the release, parallel workers):
three honest students and every submission of tests/adversarial/corpus.py (patched
numpy/checks/IPython, delegation to the reference, stack inspection, lying objects,
reading solutions/peers/the network/the environment, writing the gradebook or a peer's
files, patching the library, detached processes, killing the grader, crashes, hangs,
memory and output floods, tampered cells and metadata, a garbage timestamp.txt).

Each must score what the corpus says (an attack that worked would score more), the
honest students full marks, the batch must be complete, and nothing outside the
submissions' own sandboxes may have changed or be left running.
"""
from __future__ import annotations

import copy
import os
import re
import secrets
import socket
import sys
import threading
from pathlib import Path

import nbformat
import pytest

import nbgrader_helpers as h

sys.path.insert(0, str(h.REPO / "tests" / "adversarial"))
from corpus import ATTACKS  # noqa: E402

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "04_momentum"
HONEST = ("honest1", "honest2", "honest3")
TIMEOUT = int(os.environ.get("OPTIMLAB_TEST_SECURITY_TIMEOUT", "30"))
SABOTAGE = "sabotaged"


def compact_assignment(root: Path) -> Path:
    """solutions/04_momentum reduced to its import cell, answer cells and test cells."""
    nb = h.load_nb(h.SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells = [c for i, c in enumerate(nb.cells)
                if i == first_code or c.metadata.get("nbgrader")]
    folder = root / "solutions" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    return folder / f"{ASSIGNMENT}.ipynb"


class SolutionServer:
    """A TCP server on 127.0.0.1 that hands the solution notebook to whoever connects."""

    def __init__(self, payload: bytes):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.payload, self.connections = payload, 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.sendall(self.payload)

    def close(self):
        self.sock.close()


def fill_in(code: str, variables: dict) -> str:
    for key, value in variables.items():
        code = code.replace("{" + key + "}", str(value))
    return code


def build(attack: dict, release, solution, fill: dict) -> nbformat.NotebookNode:
    answers = {ex: h.solution_code(src) for ex, src in fill.items() if ex in attack.get("honest", [])}
    answers.update({ex: fill_in(code, attack["_vars"]) for ex, code in attack.get("answers", {}).items()})
    nb = h.fill_answers(release, solution, answers)
    for cell in nb.cells:  # exercises neither answered nor honest stay unfinished
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in fill and gid not in answers:
            cell.source = next(c.source for c in release.cells
                               if c.metadata.get("nbgrader", {}).get("grade_id") == gid)
    first_answer = next(i for i, c in enumerate(nb.cells)
                        if c.metadata.get("nbgrader", {}).get("solution"))
    if attack.get("before"):
        nb.cells.insert(first_answer, nbformat.v4.new_code_cell(fill_in(attack["before"], attack["_vars"])))
    if attack.get("after"):
        nb.cells.append(nbformat.v4.new_code_cell(fill_in(attack["after"], attack["_vars"])))
    if attack.get("edit"):
        attack["edit"](nb)
    return nb


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("security")
    source_nb = compact_assignment(root)
    h.run_grader("release", "--source", root / "solutions", "--release", root / "course")
    release = h.load_nb(root / "course" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    solution = h.load_nb(source_nb)
    fill = {c.metadata.nbgrader.grade_id: c.source for c in solution.cells
            if c.metadata.get("nbgrader", {}).get("solution")}
    ws = root / "workspace"
    token = f"optimlab-detached-{secrets.token_hex(6)}"
    server = SolutionServer(source_nb.read_bytes())
    variables = {"REPO": str(h.REPO), "WS": str(ws), "PORT": server.port, "TOKEN": token}
    subs = root / "submissions"
    for student in HONEST:
        h.write_submission(subs, student, ASSIGNMENT, ASSIGNMENT, solution)
    for attack in ATTACKS:
        attack = dict(attack, _vars=variables)
        nb = build(attack, release, solution, fill)
        path = h.write_submission(subs, attack["name"], ASSIGNMENT, ASSIGNMENT, nb)
        for name, text in attack.get("files", {}).items():
            (path.parent / name).parent.mkdir(parents=True, exist_ok=True)
            (path.parent / name).write_text(text)
    library = h.REPO / "source_lib" / "optimlab"
    try:
        proc = h.run_grader("grade", subs, "--workspace", ws, "--source", root / "solutions",
                            "--timeout", TIMEOUT, "--notebook-timeout", 240, timeout=2400,
                            env={"GRADER_SECRET": source_nb.read_text()})
    finally:
        server.close()
    return {"ws": ws, "proc": proc, "token": token, "server": server, "library": library,
            "subs": subs, "source": source_nb}


def rows(ws: Path):
    subs = {r["student_id"]: r for r in h.read_csv(ws / "exports" / "submissions.csv")}
    by_ex: dict[str, list[dict]] = {}
    for r in h.read_csv(ws / "exports" / "grades_by_exercise.csv"):
        by_ex.setdefault(r["student_id"], []).append(r)
    return subs, by_ex


def test_batch_is_complete_and_honest_students_get_full_marks(batch):
    subs, _ = rows(batch["ws"])
    assert sorted(subs) == sorted(list(HONEST) + [a["name"] for a in ATTACKS])
    for student in HONEST:
        assert (subs[student]["score"], subs[student]["max_score"], subs[student]["status"]) == \
            ("5", "5", "ok"), subs[student]
    grades = {r["student_id"]: r for r in h.read_csv(batch["ws"] / "exports" / "grades.csv")}
    assert all(float(r["score"]) <= float(r["max_score"]) == 5.0 for r in grades.values())


@pytest.mark.parametrize("attack", ATTACKS, ids=[a["name"] for a in ATTACKS])
def test_attack_scores_as_intended(batch, attack):
    subs, by_ex = rows(batch["ws"])
    row = subs[attack["name"]]
    exercises = {e["exercise"]: (e["score"], e["result"]) for e in by_ex[attack["name"]]}
    assert float(row["score"]) == attack["score"], (row, exercises)
    assert row["max_score"] == "5"
    if "status" in attack:
        assert row["status"] == attack["status"], row
    if "text" in attack:
        feedback = " ".join(e["message"] + " " + e["feedback"] for e in by_ex[attack["name"]])
        assert attack["text"] in " ".join(feedback.split()), feedback[:2000]
    if "tamper" in attack:
        assert attack["tamper"] in row["tampering"], row


def test_nothing_outside_the_sandboxes_changed(batch):
    ws = batch["ws"]
    # the library and the solutions were never writable from a kernel
    for path in batch["library"].rglob("*.py"):
        assert SABOTAGE not in path.read_text(), path
    assert "sabotaged" not in batch["source"].read_text()
    # the peers' submissions and the gradebook kept what the grader wrote
    for student in HONEST:
        saved = ws / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert h.load_nb(saved).cells, student
    # no process started by a submission outlived its grading
    left = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if batch["token"].encode() in cmdline.read_bytes():
                left.append(cmdline.parent.name)
        except OSError:
            pass
    assert left == [], f"processes of a submission still running: {left}"
    # the network attack could not reach the grader's host
    assert batch["server"].connections == 0


def test_feedback_shows_no_hidden_tests_or_grader_paths(batch):
    html = (batch["ws"] / "feedback" / "delegate-to-library" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "not available while the notebook is graded" in html
    assert "BEGIN HIDDEN TESTS" not in html and "hidden=True" not in html
    assert str(h.REPO / "autograder") not in html and "optimlab_remote" not in html
    assert not re.search(r"site-packages|/checks/engine\.py", html)
