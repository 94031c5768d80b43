"""Shared helpers of the nbgrader tests (test_pipeline.py, test_grading_mutants.py).

* ``REPO``, ``GRADER``, ``PYTHON``: where things are.
* ``assignments()``: the course's assignments, discovered from solutions/.
* ``run_grader(...)``: run ``autograder/optimlab_grader.py`` as a learner or instructor would.
* ``write_demo_assignment(dir)``: a small three-exercise assignment (``00_demo``) in the
  course's conventions, so the whole pipeline is tested before the real notebooks exist.
* ``solution_to_submission``, ``fill_answers``: turn notebooks into submissions.
* ``mutant_problems(...)``: the "wrong implementations score less" harness.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

import mutant_catalogue

REPO = Path(__file__).resolve().parents[1]
GRADER = REPO / "autograder" / "optimlab_grader.py"
PYTHON = sys.executable
SOLUTIONS = REPO / "solutions"
COURSE = REPO / "course"
MUTANTS = REPO / "autograder" / "mutants"

# Cell timeout used by the tests (the course default is 60 s). Long enough for a cold
# kernel importing numpy on a busy 2-core machine, short enough for the loop cases.
TEST_TIMEOUT = int(os.environ.get("OPTIMLAB_TEST_CELL_TIMEOUT", "6"))

SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)


def grader():
    """autograder/optimlab_grader.py as a module (its helpers, in-process nbgrader)."""
    if str(REPO / "autograder") not in sys.path:
        sys.path.insert(0, str(REPO / "autograder"))
    import optimlab_grader
    return optimlab_grader


def assignments() -> list[str]:
    """Assignment ids: the folders of solutions/ that hold at least one notebook."""
    if not SOLUTIONS.is_dir():
        return []
    return sorted(p.name for p in SOLUTIONS.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb")))


def notebooks_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))


def run_grader(*args: str, timeout: int = 900, check: bool = True,
               env: dict | None = None) -> subprocess.CompletedProcess:
    """Run optimlab_grader.py with this interpreter; fail with its output on error."""
    full_env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
    proc = subprocess.run([PYTHON, str(GRADER), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=full_env, cwd=REPO)
    if check and proc.returncode != 0:
        raise AssertionError(f"optimlab_grader.py {' '.join(map(str, args))} failed "
                             f"({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


# The nbgrader tests grade big batches (the course's solutions, all mutants) in this many
# `grade` processes at once, each with its own workspace and a share of the submissions.
# One is enough: `grade` itself runs one worker (one kernel) per core.
SHARDS = max(1, int(os.environ.get("OPTIMLAB_TEST_GRADE_SHARDS", "1")))


def grade_in_shards(subs: Path, work: Path, *args: str, shards: int = SHARDS,
                    timeout: int = 1800) -> dict[str, list[dict]]:
    """`optimlab_grader.py grade` on <student>/<assignment> folders split into `shards`.

    Returns the rows of the exports of all shards: {"submissions": [...],
    "grades_by_exercise": [...], "grades": [...]}.
    """
    pairs = sorted((s.name, a.name) for s in subs.iterdir() if s.is_dir()
                   for a in s.iterdir() if a.is_dir())
    groups = [g for g in (pairs[i::shards] for i in range(shards)) if g]
    procs = []
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for i, group in enumerate(groups):
        shard = work / f"shard{i}"
        for student, a in group:
            shutil.copytree(subs / student / a, shard / "in" / student / a)
        cmd = [PYTHON, str(GRADER), "grade", str(shard / "in"), "--workspace",
               str(shard / "ws"), *map(str, args)]
        procs.append((shard, subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                              stderr=subprocess.PIPE, text=True, env=env,
                                              cwd=REPO)))
    rows: dict[str, list[dict]] = {"submissions": [], "grades_by_exercise": [], "grades": []}
    failures = []
    for shard, proc in procs:
        out, err = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            failures.append(f"{shard.name} failed ({proc.returncode}):\n{out}\n{err}")
            continue
        for name in rows:
            rows[name] += read_csv(shard / "ws" / "exports" / f"{name}.csv")
    assert not failures, "\n".join(failures)
    return rows


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# --- notebooks -------------------------------------------------------------------

def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool,
          points: float | None = None) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": locked,
            "grade_id": grade_id, "schema_version": 3, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def answer_cell(grade_id: str, source: str):
    return nbformat.v4.new_code_cell(source, metadata=_meta(grade_id, grade=False,
                                                            solution=True, locked=False))


def test_cell(grade_id: str, source: str, points: float):
    return nbformat.v4.new_code_cell(source, metadata=_meta(grade_id, grade=True, solution=False,
                                                            locked=True, points=points))


DEMO_ID = "00_demo"
DEMO_POINTS = {"ex_gd_step": 2.0, "ex_sigmoid": 3.0, "ex_momentum": 5.0}  # total 10

DEMO_ANSWERS = {
    "ex_gd_step": (
        "def gd_step(w, g, lr):\n"
        "    ### BEGIN SOLUTION\n"
        "    return w - lr * g\n"
        "    ### END SOLUTION\n"),
    "ex_sigmoid": (
        "def sigmoid(z):\n"
        "    ### BEGIN SOLUTION\n"
        "    return 1.0 / (1.0 + np.exp(-z))\n"
        "    ### END SOLUTION\n"),
    "ex_momentum": (
        "def momentum_step(w, v, g, lr, beta):\n"
        "    ### BEGIN SOLUTION\n"
        "    v = beta * v + (1 - beta) * g\n"
        "    return w - lr * v, v\n"
        "    ### END SOLUTION\n"),
}

# Hand-derived values: gd: [1,-2] - 0.1*[0.5,0.5] = [0.95,-2.05]; [3] - 0.5*[2] = [2].
# sigmoid(2) = 1/(1+e^-2) = 0.8807970779778823. momentum (EMA form):
# v = 0.9*0 + 0.1*2 = 0.2, w = 1 - 0.1*0.2 = 0.98; hidden: v = 0.5*[1,-1] + 0.5*[1,1] = [1,0],
# w = [0,1] - 0.5*[1,0] = [-0.5, 1].
DEMO_TESTS = {
    "ex_gd_step": (
        "w, g = np.array([1.0, -2.0]), np.array([0.5, 0.5])\n"
        "out = gd_step(w, g, 0.1)\n"
        "assert np.allclose(out, [0.95, -2.05]), "
        "f'gd_step(w, g, lr) must return w - lr * g = [0.95, -2.05], got {out}'\n"
        "### BEGIN HIDDEN TESTS\n"
        "out = gd_step(np.array([3.0]), np.array([2.0]), 0.5)\n"
        "assert np.allclose(out, [2.0]), "
        "f'hidden case: gd_step([3.], [2.], lr=0.5) must be [2.], got {out}'\n"
        "### END HIDDEN TESTS\n"),
    # sigmoid(-1000) computes exp(1000): numpy prints "RuntimeWarning: overflow
    # encountered in exp" to stderr, yet the result (0.0) is right: the cell must pass.
    "ex_sigmoid": (
        "z = np.array([-1000.0, 0.0, 1000.0])\n"
        "s = sigmoid(z)\n"
        "assert np.allclose(s, [0.0, 0.5, 1.0]), f'sigmoid({z}) should be [0, 0.5, 1], got {s}'\n"
        "### BEGIN HIDDEN TESTS\n"
        "s2 = float(sigmoid(np.array([2.0]))[0])\n"
        "assert abs(s2 - 0.8807970779778823) < 1e-12, "
        "f'hidden case: sigmoid(2) must be 0.8807970779778823, got {s2}'\n"
        "### END HIDDEN TESTS\n"),
    "ex_momentum": (
        "w, v = momentum_step(np.array([1.0]), np.array([0.0]), np.array([2.0]), lr=0.1, beta=0.9)\n"
        "assert np.allclose(v, [0.2]), "
        "f'momentum buffer: v = beta*v + (1-beta)*g = [0.2] expected, got {v} '"
        "'(did you forget the (1 - beta) factor?)'\n"
        "assert np.allclose(w, [0.98]), f'w - lr * v = [0.98] expected, got {w}'\n"
        "### BEGIN HIDDEN TESTS\n"
        "w, v = momentum_step(np.array([0.0, 1.0]), np.array([1.0, -1.0]), np.array([1.0, 1.0]),"
        " lr=0.5, beta=0.5)\n"
        "assert np.allclose(v, [1.0, 0.0]) and np.allclose(w, [-0.5, 1.0]), "
        "f'hidden case: expected v=[1, 0], w=[-0.5, 1], got v={v}, w={w}'\n"
        "### END HIDDEN TESTS\n"
        # a value displayed by a test cell (here 2, the hidden case's size): nbgrader
        # alone would read it as partial credit, 2 of 5 points
        "np.size(w)\n"),
}


def demo_notebook() -> nbformat.NotebookNode:
    """The instructor version (solutions/00_demo/00_demo.ipynb) of the demo assignment."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    cells = [
        nbformat.v4.new_markdown_cell("# Demo assignment\nThree small exercises."),
        nbformat.v4.new_code_cell("import numpy as np"),
    ]
    for ex in DEMO_POINTS:
        cells.append(nbformat.v4.new_markdown_cell(f"## {ex}"))
        cells.append(answer_cell(ex, DEMO_ANSWERS[ex]))
        cells.append(test_cell(f"{ex}_tests", DEMO_TESTS[ex], DEMO_POINTS[ex]))
        # an ordinary (ungraded) demo cell, like the course's plots and widgets
        cells.append(nbformat.v4.new_code_cell(f"print('demo after {ex}')"))
    nb.cells = cells
    return nb


def write_demo_assignment(solutions_dir: Path) -> Path:
    """Write solutions_dir/00_demo/00_demo.ipynb (+ a data file) and return the notebook."""
    folder = solutions_dir / DEMO_ID
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{DEMO_ID}.ipynb"
    nbformat.write(demo_notebook(), path)
    (folder / "data.csv").write_text("x,y\n1,2\n")
    return path


def demo_mutants() -> list[dict]:
    """Mutants of the demo assignment in the format of autograder/mutants/<id>.py."""
    return [
        {"exercise": "ex_gd_step", "name": "plus sign",
         "code": "def gd_step(w, g, lr):\n    return w + lr * g\n",
         "expect": "must return w - lr * g"},
        {"exercise": "ex_gd_step", "name": "hard-coded visible case",
         "code": "def gd_step(w, g, lr):\n    return np.array([0.95, -2.05])\n",
         "expect": "hidden case: gd_step"},
        {"exercise": "ex_gd_step", "name": "forgets lr",
         "code": "def gd_step(w, g, lr):\n    return w - g\n",
         "expect": "[0.95, -2.05]"},
        {"exercise": "ex_sigmoid", "name": "wrong sign",
         "code": "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(z))\n",
         "expect": "should be [0, 0.5, 1]"},
        {"exercise": "ex_sigmoid", "name": "tanh instead",
         "code": "def sigmoid(z):\n    return np.tanh(z)\n",
         "expect": "should be [0, 0.5, 1]"},
        {"exercise": "ex_sigmoid", "name": "clipped approximation",
         "code": "def sigmoid(z):\n    return np.clip(0.5 + z / 4, 0, 1)\n",
         "expect": "hidden case: sigmoid(2)"},
        {"exercise": "ex_momentum", "name": "heavy-ball buffer",
         "code": "def momentum_step(w, v, g, lr, beta):\n    v = beta * v + g\n    return w - lr * v, v\n",
         "expect": "forget the (1 - beta) factor"},
        {"exercise": "ex_momentum", "name": "old buffer used",
         "code": ("def momentum_step(w, v, g, lr, beta):\n"
                  "    v_new = beta * v + (1 - beta) * g\n    return w - lr * v, v_new\n"),
         "expect": "w - lr * v = [0.98] expected"},
        {"exercise": "ex_momentum", "name": "returns only w",
         "code": ("def momentum_step(w, v, g, lr, beta):\n"
                  "    v = beta * v + (1 - beta) * g\n    return w - lr * v\n"),
         "expect": "ValueError"},
    ]


def solution_code(source: str) -> str:
    """An answer cell's source with the ### BEGIN/END SOLUTION marker lines removed."""
    return SOLUTION_MARKERS.sub("", source)


def load_nb(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def fill_answers(release_nb: nbformat.NotebookNode, solution_nb: nbformat.NotebookNode,
                 replacements: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """A learner's submission: the released notebook with every answer cell filled in.

    Answer cells get the solution code (markers removed) unless ``replacements`` maps
    their grade_id to other source (a mutant).
    """
    replacements = replacements or {}
    solutions = {c.metadata["nbgrader"]["grade_id"]: solution_code(c.source)
                 for c in solution_nb.cells if _is_answer(c)}
    nb = nbformat.from_dict(json.loads(json.dumps(release_nb)))
    for cell in nb.cells:
        if _is_answer(cell):
            gid = cell.metadata["nbgrader"]["grade_id"]
            cell.source = replacements.get(gid, solutions[gid])
    return nb


def _is_answer(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("solution", False) and not meta.get("grade", False)


def answer_ids(nb: nbformat.NotebookNode) -> list[str]:
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if _is_answer(c)]


def write_submission(root: Path, student: str, assignment: str, notebook: str,
                     nb: nbformat.NotebookNode) -> Path:
    """Write <root>/<student>/<assignment>/<notebook>.ipynb (nbgrader's submitted layout)."""
    path = root / student / assignment / f"{notebook}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def notebook_has_outputs(path: Path) -> list[str]:
    """Cells of a committed notebook that still carry outputs or execution counts."""
    nb = load_nb(path)
    return [f"{path.name} cell {i}" for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]


# --- the mutant harness ----------------------------------------------------------

def load_mutants(path: Path) -> list[dict]:
    """MUTANTS from an autograder/mutants/<assignment>.py file (validated)."""
    mutants = list(mutant_catalogue.load(path.stem).MUTANTS)
    for i, m in enumerate(mutants):
        missing = {"exercise", "name", "code", "expect"} - set(m)
        assert not missing, f"{path.name}: mutant {i} lacks {sorted(missing)}"
    return mutants


def build_mutant_batches(mutants: list[dict]) -> list[dict[str, dict]]:
    """Submission k applies mutant k of every exercise (exercise -> mutant)."""
    per_ex: dict[str, list[dict]] = {}
    for m in mutants:
        per_ex.setdefault(m["exercise"], []).append(m)
    rounds = max((len(v) for v in per_ex.values()), default=0)
    return [{ex: ms[k] for ex, ms in per_ex.items() if k < len(ms)} for k in range(rounds)]


def judge_mutant(row: dict, mutant: dict) -> str | None:
    """None if the mutated exercise lost points and its feedback names `expect`."""
    if row is None:
        return f"{mutant['exercise']} / {mutant['name']}: no grade recorded"
    score, max_score = float(row["score"]), float(row["max_score"])
    if not score < max_score:
        return (f"{mutant['exercise']} / {mutant['name']}: scored full marks "
                f"({score:g}/{max_score:g}); the tests do not catch this mistake")
    if mutant["expect"] not in row["feedback"]:
        return (f"{mutant['exercise']} / {mutant['name']}: feedback does not contain "
                f"{mutant['expect']!r}; it was: {row['feedback'][:500]!r}")
    return None


def mutant_problems(mutants_by_assignment: dict[str, list[dict]], source_dir: Path,
                    work: Path, timeout: int) -> tuple[dict[str, list[str]], dict]:
    """Autograde the mutants of several assignments with the real nbgrader.

    Returns ({assignment: [problem, ...]}, stats). Round 1: submission k (student
    "mKK") carries mutant k of *every* exercise of every assignment at once; all of them
    are graded in one batch (`grade_in_shards`: one `grade` process per core). A mutant
    that fails its check there (another exercise's mutant may interfere, e.g. when a
    later exercise calls an earlier function) is graded again on its own (round 2:
    student "iJJ", one submission per such mutant, again one batch) and judged by that.
    """
    aids = sorted(mutants_by_assignment)
    release = grader().fresh_release(source_dir, aids, work / "release_tmp")
    solution, released, owner = {}, {}, {}
    for a in aids:
        for p in notebooks_of(source_dir / a):
            solution[a, p.stem] = load_nb(p)
            released[a, p.stem] = load_nb(release / a / p.name)
            for ex in answer_ids(solution[a, p.stem]):
                owner[a, ex] = p.stem
    problems: dict[str, list[str]] = {a: [] for a in aids}
    known = {}
    for a in aids:
        known[a] = [m for m in mutants_by_assignment[a] if (a, m["exercise"]) in owner]
        for m in mutants_by_assignment[a]:
            if (a, m["exercise"]) not in owner:
                problems[a].append(f"{m['exercise']} / {m['name']}: no answer cell "
                                   f"with grade_id {m['exercise']!r} in solutions/{a}")

    def grade(submissions: list[tuple[str, str, dict]], tag: str) -> dict:
        """submissions: (student, assignment, {exercise: mutant}); one grade batch."""
        subs = work / f"submissions_{tag}"
        for student, a, batch in submissions:
            for (b, name), nb in solution.items():
                if b != a:
                    continue
                repl = {ex: m["code"] for ex, m in batch.items() if owner[a, ex] == name}
                write_submission(subs, student, a, name,
                                 fill_answers(released[a, name], nb, repl))
        rows = grade_in_shards(subs, work / f"ws_{tag}", "--source", source_dir,
                               "--timeout", timeout, "--no-feedback", "--quiet")
        return {(r["student_id"], r["assignment_id"], r["exercise"]): r
                for r in rows["grades_by_exercise"]}

    first_round = []
    for a in aids:
        for k, batch in enumerate(build_mutant_batches(known[a])):
            first_round.append((f"m{k:02d}", a, batch))
    if not first_round:
        return problems, {"round1": 0, "retried": 0}
    first = grade(first_round, "m")
    retry = []
    for student, a, batch in first_round:
        for ex, m in batch.items():
            if judge_mutant(first.get((student, a, ex)), m) is not None:
                retry.append((a, m))
    if retry:
        second = grade([(f"i{j:02d}", a, {m["exercise"]: m}) for j, (a, m) in enumerate(retry)],
                       "i")
        for j, (a, m) in enumerate(retry):
            problem = judge_mutant(second.get((f"i{j:02d}", a, m["exercise"])), m)
            if problem:
                problems[a].append(problem)
    return problems, {"round1": len(first_round), "retried": len(retry)}
