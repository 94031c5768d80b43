"""The nbgrader pipeline, end to end, with the real nbgrader 0.9.6.

Course assignments (discovered from solutions/; none yet means empty parametrizations):
every solution notebook scores full marks, every untouched course/ notebook scores zero,
course/ is what `make release` would write, committed notebooks carry no outputs.

Demo assignment (tests/nbgrader_helpers.py, built in a temporary folder): release,
self-check table, and a grading batch with a good submission, an infinite loop, a kernel
crash, a kernel that ignores the interrupt, a corrupt file and LMS zips.

Cell timeouts: OPTIMLAB_TEST_CELL_TIMEOUT (demo, default 6 s) and
OPTIMLAB_TEST_COURSE_TIMEOUT (course notebooks, default 60 s, the course setting).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

import nbgrader_helpers as h

sys.path.insert(0, str(h.REPO / "autograder"))
import optimlab_grader as grader  # noqa: E402

pytestmark = pytest.mark.nbgrader

COURSE_TIMEOUT = int(os.environ.get("OPTIMLAB_TEST_COURSE_TIMEOUT", "60"))
ASSIGNMENTS = h.assignments()


# --- the course's own notebooks ---------------------------------------------------

def committed_notebooks() -> list[Path]:
    return sorted(p for root in (h.SOLUTIONS, h.COURSE) if root.is_dir()
                  for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.parametrize("path", committed_notebooks(),
                         ids=lambda p: str(p.relative_to(h.REPO)))
def test_committed_notebook_has_no_outputs(path):
    assert h.notebook_has_outputs(path) == [], "clear the outputs before committing"


def test_output_check_catches_outputs(tmp_path):
    nb = h.demo_notebook()
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x")]
    nb.cells[4].execution_count = 3
    nbformat.write(nb, tmp_path / "x.ipynb")
    assert h.notebook_has_outputs(tmp_path / "x.ipynb") == ["x.ipynb cell 1", "x.ipynb cell 4"]


def test_course_matches_solutions():
    """course/ is exactly what `make release` regenerates from solutions/."""
    proc = h.run_grader("check-release", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"({len(ASSIGNMENTS)} assignment(s))" in proc.stdout


def test_every_assignment_is_released():
    released = sorted(p.name for p in h.COURSE.iterdir() if p.is_dir()) if h.COURSE.is_dir() else []
    assert released == ASSIGNMENTS


@pytest.fixture(scope="session")
def course_batch(tmp_path_factory):
    """One grading batch: per assignment, the solutions (student "solution") and the
    untouched course notebooks (student "untouched")."""
    work = tmp_path_factory.mktemp("course_batch")
    subs = work / "submissions"
    for a in ASSIGNMENTS:
        for nb in h.notebooks_of(h.SOLUTIONS / a):
            h.write_submission(subs, "solution", a, nb.stem, h.load_nb(nb))
            released = h.COURSE / a / nb.name
            if released.exists():  # else test_course_matches_solutions says so
                h.write_submission(subs, "untouched", a, nb.stem, h.load_nb(released))
    rows = h.grade_in_shards(subs, work / "ws", "--timeout", COURSE_TIMEOUT,
                             "--no-feedback", "--quiet")
    return {(r["student_id"], r["assignment_id"]): r for r in rows["submissions"]}, \
        rows["grades_by_exercise"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_scores_full_marks(course_batch, assignment):
    subs, exercises = course_batch
    row = subs["solution", assignment]
    assert row["status"] == "ok", row
    assert float(row["max_score"]) > 0
    assert float(row["score"]) == float(row["max_score"]), [
        (e["exercise"], e["message"]) for e in exercises
        if e["student_id"] == "solution" and e["assignment_id"] == assignment
        and e["result"] != "passed"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_course_notebook_scores_zero(course_batch, assignment):
    subs, exercises = course_batch
    assert ("untouched", assignment) in subs, f"course/{assignment}/ missing: run `make release`"
    row = subs["untouched", assignment]
    assert row["status"] == "ok", row  # runs to the end, no crash, no timeout
    assert float(row["score"]) == 0.0
    mine = [e for e in exercises
            if e["student_id"] == "untouched" and e["assignment_id"] == assignment]
    assert mine and all(float(e["score"]) == 0.0 for e in mine)


# --- the demo assignment ---------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """solutions/00_demo in a temporary folder, released into course/ next to it."""
    root = tmp_path_factory.mktemp("demo")
    h.write_demo_assignment(root / "solutions")
    h.run_grader("release", "--source", root / "solutions", "--release", root / "course")
    return root


def demo_nb(demo, which: str):
    return h.load_nb(demo / which / h.DEMO_ID / f"{h.DEMO_ID}.ipynb")


def test_release_strips_solutions_and_hidden_tests(demo):
    release = demo / "course" / h.DEMO_ID
    assert sorted(p.name for p in release.iterdir()) == ["00_demo.ipynb", "data.csv"]
    nb = demo_nb(demo, "course")
    assert h.notebook_has_outputs(release / "00_demo.ipynb") == []
    text = "\n".join(c.source for c in nb.cells)
    assert "BEGIN HIDDEN TESTS" not in text and "hidden case" not in text
    assert "BEGIN SOLUTION" not in text and "w - lr * g\n" not in text
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert [c.metadata.nbgrader.grade_id for c in answers] == list(h.DEMO_POINTS)
    assert all("raise NotImplementedError()" in c.source for c in answers)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert [c.metadata.nbgrader.points for c in tests] == list(h.DEMO_POINTS.values())
    assert all(c.metadata.get("editable") is False for c in tests)  # locked
    # the visible tests stay
    assert "must return w - lr * g" in tests[0].source


def test_check_release_detects_stale_course(demo, tmp_path):
    committed = tmp_path / "course"
    shutil.copytree(demo / "course", committed)
    fresh = demo / "course"
    assert grader.compare_release(fresh, committed, [h.DEMO_ID]) == []
    nb = h.load_nb(committed / h.DEMO_ID / "00_demo.ipynb")
    nb.cells[4].source += "\nassert True"  # a test cell edited by hand
    nb.cells[5].metadata["tags"] = ["x"]
    nbformat.write(nb, committed / h.DEMO_ID / "00_demo.ipynb")
    (committed / h.DEMO_ID / "old.csv").write_text("stale")
    (committed / h.DEMO_ID / "data.csv").write_text("x,y\n1,3\n")
    assert grader.compare_release(fresh, committed, [h.DEMO_ID]) == [
        "00_demo/old.csv: not produced by the release (stale file)",
        "00_demo/00_demo.ipynb: cell 4: source differs",
        "00_demo/00_demo.ipynb: cell 5: metadata.tags differs",
        "00_demo/data.csv: contents differ",
    ]
    # the command regenerates from solutions/ and reports the difference
    proc = h.run_grader("check-release", "--source", demo / "solutions", "--release",
                        committed, check=False)
    assert proc.returncode == 1
    assert "cell 4: source differs" in proc.stdout and "make release" in proc.stdout


def test_selfcheck_uses_hidden_tests(demo, tmp_path):
    """A learner who hard-codes the visible case passes the visible test in the notebook,
    but the self-check runs the hidden tests too; an unfinished exercise scores zero."""
    nb = h.fill_answers(demo_nb(demo, "course"), demo_nb(demo, "solutions"), {
        "ex_gd_step": "def gd_step(w, g, lr):\n    return np.array([0.95, -2.05])\n",
        "ex_momentum": ("def momentum_step(w, v, g, lr, beta):\n"
                        "    # YOUR CODE HERE\n    raise NotImplementedError()\n"),
    })
    mine = tmp_path / "course" / h.DEMO_ID / f"{h.DEMO_ID}.ipynb"
    mine.parent.mkdir(parents=True)
    nbformat.write(nb, mine)
    out = h.run_grader("selfcheck", mine, "--source", demo / "solutions",
                       "--timeout", h.TEST_TIMEOUT).stdout
    rows = {m[0]: m[1:] for m in re.findall(
        r"^  (ex_\w+)[ ]+(\d+) / (\d+)[ ]+(\w+)[ ]*(.*)$", out, re.M)}
    assert rows["ex_gd_step"][:3] == ("0", "2", "failed")
    assert rows["ex_gd_step"][3].startswith(
        "AssertionError: hidden case: gd_step([3.], [2.], lr=0.5) must be [2.]")
    assert rows["ex_sigmoid"][:3] == ("3", "3", "passed")  # its RuntimeWarning is ignored
    assert rows["ex_momentum"][:3] == ("0", "5", "failed")
    assert "NotImplementedError" in rows["ex_momentum"][3]
    assert re.search(r"^  total\s+3 / 10$", out, re.M), out
    # feedback: the failing line of the test cell and of the learner's code
    feedback = out.split("Feedback")[1]
    assert "----> 6 assert np.allclose(out, [2.0])" in feedback
    assert "raise NotImplementedError()" in feedback
    # the notebook itself is left alone, and nothing is written into the repository
    assert h.load_nb(mine) == nb
    assert not (h.REPO / "autograder" / "workspace" / "submitted" / "selfcheck").exists()


def test_selfcheck_report_full_marks_and_crash():
    ex = {"ex_a": grader.Exercise("ex_a", 2, 2, ["ex_a_tests"]),
          "ex_b": grader.Exercise("ex_b", 0, 3, ["ex_b_tests"], [
              {"cell": "ex_b", "ename": "KernelDied", "evalue": "the kernel died",
               "traceback": ["KernelDied: the kernel died"]},
              {"cell": "ex_b_tests", "ename": "NotExecuted", "evalue": "not run",
               "traceback": ["NotExecuted: not run"]}])}
    crashed = grader.Outcome("me", "01_x", "kernel died", "kernel died in cell 3",
                             {"01_x": ex})
    out = grader.selfcheck_report("nb.ipynb", crashed, "01_x", False)
    assert re.search(r"^  ex_b +0 / 3  kernel died  KernelDied: the kernel died$", out, re.M)
    assert re.search(r"^  total +2 / 5$", out, re.M)
    assert "Status: kernel died (kernel died in cell 3)" in out
    assert "(answer cell ex_b)" in out and "(test cell ex_b_tests)" in out
    full = grader.Outcome("me", "01_x", "ok", "", {"01_x": {"ex_a": ex["ex_a"]}})
    out = grader.selfcheck_report("nb.ipynb", full, "01_x", False)
    assert re.search(r"^  ex_a +2 / 2  passed$", out, re.M)
    assert "All exercises pass, hidden tests included." in out and "Feedback" not in out


def test_selfcheck_rejects_unknown_notebook(demo, tmp_path):
    stray = tmp_path / "elsewhere" / "notes.ipynb"
    stray.parent.mkdir()
    nbformat.write(h.demo_notebook(), stray)
    proc = h.run_grader("selfcheck", stray, "--source", demo / "solutions", check=False)
    assert proc.returncode == 2
    assert "pass --assignment" in proc.stderr and "00_demo" in proc.stderr


LOOP = "def sigmoid(z):\n    while True:\n        pass\n"
CRASH = "import os\nos.kill(os.getpid(), 9)\n"
STUBBORN = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "while True:\n    pass\n")
HEAVY_BALL = "def momentum_step(w, v, g, lr, beta):\n    v = beta * v + g\n    return w - lr * v, v\n"


@pytest.fixture(scope="module")
def graded(demo, tmp_path_factory):
    """Two `grade` runs into one workspace: an nbgrader-layout folder, then LMS zips."""
    work = tmp_path_factory.mktemp("grade")
    release, solution = demo_nb(demo, "course"), demo_nb(demo, "solutions")
    subs = work / "submitted_layout"

    def submit(student, replacements):
        h.write_submission(subs, student, h.DEMO_ID, h.DEMO_ID,
                           h.fill_answers(release, solution, replacements))

    submit("good", {})
    submit("loop", {"ex_sigmoid": LOOP})            # test cell of ex_sigmoid times out
    submit("crash", {"ex_sigmoid": CRASH})          # kernel dies in ex_sigmoid's answer cell
    submit("stubborn", {"ex_momentum": STUBBORN})   # ignores the interrupt: kernel stopped
    deleter = h.fill_answers(release, solution)
    del deleter.cells[4]                              # the learner deleted a test cell
    h.write_submission(subs, "deleter", h.DEMO_ID, h.DEMO_ID, deleter)
    (subs / "frank" / h.DEMO_ID).mkdir(parents=True)
    (subs / "frank" / h.DEMO_ID / "00_demo.ipynb").write_text("{not json")
    (subs / "ghost" / "99_unknown").mkdir(parents=True)  # not an assignment: ignored
    (subs / "ghost" / "99_unknown" / "x.ipynb").write_text("{}")

    lms = work / "lms"
    lms.mkdir()
    dora = h.fill_answers(release, solution, {"ex_momentum": HEAVY_BALL})
    with zipfile.ZipFile(lms / "course-submissions.zip", "w") as z:
        z.writestr("dora_assignsubmission_file_00_demo.ipynb", nbformat.writes(dora))
        z.writestr("eve_12345_attempt_2024-05-01_00_demo.ipynb", nbformat.writes(release))
        z.writestr("eve_notes.txt", "not a notebook")
        z.writestr("mallory_01_other_notebook.ipynb", nbformat.writes(release))

    ws = work / "workspace"
    args = ["--workspace", ws, "--source", demo / "solutions", "--timeout", h.TEST_TIMEOUT]
    first = h.run_grader("grade", subs, *args)
    second = h.run_grader("grade", lms, *args)
    return ws, first, second


def exported(ws):
    subs = {r["student_id"]: r for r in h.read_csv(ws / "exports" / "submissions.csv")}
    grades = {r["student_id"]: r for r in h.read_csv(ws / "exports" / "grades.csv")}
    by_ex = {(r["student_id"], r["exercise"]): r
             for r in h.read_csv(ws / "exports" / "grades_by_exercise.csv")}
    return subs, grades, by_ex


# Expected scores (points: ex_gd_step 2, ex_sigmoid 3, ex_momentum 5):
# good 10; loop 2+0+5; crash 2 (the rest not run); stubborn 2+3+0 (kernel stopped in
# ex_momentum's answer cell); frank: unreadable file, 0 and "error"; deleter: the
# deleted test cell is restored from the release, 2+3+5;
# dora (LMS): heavy-ball momentum 2+3+0; eve (LMS): untouched notebook, 0.
EXPECTED = {"good": (10, "ok"), "loop": (7, "timeout"), "crash": (2, "kernel died"),
            "stubborn": (5, "timeout"), "frank": (0, "error"), "deleter": (10, "ok"),
            "dora": (5, "ok"),
            "eve": (0, "ok")}


def test_grade_scores_and_statuses(graded):
    ws, _, _ = graded
    subs, grades, _ = exported(ws)
    assert sorted(subs) == sorted(EXPECTED)
    for student, (score, status) in EXPECTED.items():
        assert (float(subs[student]["score"]), subs[student]["status"]) == (score, status), student
        assert float(subs[student]["max_score"]) == 10.0
        # nbgrader's own export agrees
        assert float(grades[student]["score"]) == score, student
        assert float(grades[student]["max_score"]) == 10.0
    assert "kernel died in cell" in subs["crash"]["detail"]
    assert "timed out" in subs["loop"]["detail"]
    assert "JSON" in subs["frank"]["detail"] or "json" in subs["frank"]["detail"]
    assert subs["deleter"]["tampering"] == "test cell ex_gd_step_tests deleted (restored)"
    assert subs["good"]["tampering"] == ""


def test_grade_per_exercise_results(graded):
    ws, _, _ = graded
    _, _, by_ex = exported(ws)
    result = {k: (float(r["score"]), r["result"]) for k, r in by_ex.items()}
    assert result["good", "ex_sigmoid"] == (3.0, "passed")  # RuntimeWarning on stderr
    assert result["loop", "ex_sigmoid"] == (0.0, "timed out")
    assert result["loop", "ex_momentum"] == (5.0, "passed")  # graded after the timeout
    assert result["crash", "ex_gd_step"] == (2.0, "passed")
    assert result["crash", "ex_sigmoid"] == (0.0, "kernel died")
    assert result["crash", "ex_momentum"] == (0.0, "not run")
    assert result["stubborn", "ex_sigmoid"] == (3.0, "passed")
    assert result["stubborn", "ex_momentum"] == (0.0, "timed out")
    assert result["dora", "ex_momentum"] == (0.0, "failed")
    assert "forget the (1 - beta) factor" in by_ex["dora", "ex_momentum"]["message"]
    assert "CellTimeoutError" in by_ex["loop", "ex_sigmoid"]["message"]
    assert "while True" in by_ex["loop", "ex_sigmoid"]["feedback"]  # where it looped
    assert result["deleter", "ex_gd_step"] == (2.0, "passed")  # its test cell restored
    assert result["eve", "ex_gd_step"] == (0.0, "failed")
    assert "NotImplementedError" in by_ex["eve", "ex_gd_step"]["message"]


def test_grade_writes_feedback_and_reports(graded):
    ws, first, second = graded
    for student in ("good", "loop", "crash", "stubborn", "dora", "eve"):
        html = ws / "feedback" / student / h.DEMO_ID / "00_demo.html"
        assert html.is_file(), student
    assert "KernelDied" in (ws / "feedback" / "crash" / h.DEMO_ID / "00_demo.html").read_text()
    assert "Score: 5.0 / 10.0" in (ws / "feedback" / "dora" / h.DEMO_ID / "00_demo.html").read_text()
    assert not (ws / "feedback" / "frank").exists()
    assert (ws / "logs" / f"autograde_{h.DEMO_ID}_frank.log").read_text()
    # progress bar and summary
    assert "autograding: 100%" in first.stderr and "6/6" in first.stderr
    assert re.search(r"^crash\s+00_demo\s+2 / 10\s+kernel died", first.stdout, re.M)
    assert re.search(r"^dora\s+00_demo\s+5 / 10\s+ok", second.stdout, re.M)
    # LMS: zip_collect put the matching notebooks in nbgrader's layout, skipped the rest
    assert sorted(p.name for p in (ws / "submitted").iterdir()) == \
        ["crash", "deleter", "dora", "eve", "frank", "good", "loop", "stubborn"]
    assert (ws / "downloaded" / h.DEMO_ID / "archive" / "course-submissions.zip").is_file()


def test_grade_never_writes_into_the_repository(graded):
    ws, _, _ = graded
    assert h.REPO not in ws.parents
    assert not (h.REPO / "autograder" / "workspace" / "submitted" / "dora").exists()


def test_lms_pattern():
    pattern = re.compile(grader.lms_pattern(["01_loss_and_gradients", "01_loss"]))
    m = pattern.match("/x/extracted/alice_attempt_2024-05-01-10-00_01_loss_and_gradients.ipynb")
    assert m and m["student_id"] == "alice" and m["file_id"] == "01_loss_and_gradients.ipynb"
    m = pattern.match("/x/bob_01_loss.ipynb")
    assert m and (m["student_id"], m["file_id"]) == ("bob", "01_loss.ipynb")
    assert pattern.match("/x/01_loss.ipynb") is None  # no student
    assert pattern.match("/x/carol_02_other.ipynb") is None  # another assignment


def test_config_with_plain_nbgrader(demo, tmp_path):
    """`nbgrader autograde` run from autograder/ uses nbgrader_config.py.

    With it, the solution scores 10/10. Without IgnorePattern, the RuntimeWarning that
    the sigmoid test prints to stderr costs that cell's 3 points; without NoPartialCredit,
    the value 2 that the momentum test cell displays becomes a score of 2 of 5.
    """
    from nbgrader.api import Gradebook

    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    common = [f"--CourseDirectory.root={tmp_path}",
              f"--CourseDirectory.source_directory={demo / 'solutions'}",
              f"--CourseDirectory.release_directory={tmp_path / 'release'}",
              f"--Execute.timeout={h.TEST_TIMEOUT}"]

    def nbgrader(*args):
        proc = subprocess.run([sys.executable, "-m", "nbgrader", *args, *common],
                              cwd=h.REPO / "autograder", env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    solution = demo / "solutions" / h.DEMO_ID / "00_demo.ipynb"
    for student in ("configured", "plain"):
        dest = tmp_path / "submitted" / student / h.DEMO_ID / "00_demo.ipynb"
        dest.parent.mkdir(parents=True)
        shutil.copyfile(solution, dest)
    nbgrader("generate_assignment", h.DEMO_ID)
    nbgrader("autograde", h.DEMO_ID, "--student=configured")
    nbgrader("autograde", h.DEMO_ID, "--student=plain", "--IgnorePattern.enabled=False",
             "--NoPartialCredit.enabled=False")
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        scores = {s: {g.name: g.score for g in
                      gb.find_submission_notebook("00_demo", h.DEMO_ID, s).grades}
                  for s in ("configured", "plain")}
    assert scores["configured"] == {"ex_gd_step_tests": 2, "ex_sigmoid_tests": 3,
                                    "ex_momentum_tests": 5}
    assert scores["plain"] == {"ex_gd_step_tests": 2, "ex_sigmoid_tests": 0,
                               "ex_momentum_tests": 2}
    graded = h.load_nb(tmp_path / "autograded" / "plain" / h.DEMO_ID / "00_demo.ipynb")
    stderr = [o.text for c in graded.cells for o in c.get("outputs", [])
              if o.get("name") == "stderr"]
    assert any("RuntimeWarning: overflow encountered in exp" in t for t in stderr)
    # with the course config the displayed value is still shown, as display_data
    graded = h.load_nb(tmp_path / "autograded" / "configured" / h.DEMO_ID / "00_demo.ipynb")
    momentum_test = next(c for c in graded.cells
                         if c.metadata.get("nbgrader", {}).get("grade_id") == "ex_momentum_tests")
    assert [(o.output_type, o.data["text/plain"]) for o in momentum_test.outputs] == \
        [("display_data", "2")]
