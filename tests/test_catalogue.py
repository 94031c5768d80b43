"""The catalogue of wrong and correct answers, run in-process against the notebooks' own checks.

For every assignment with an autograder/mutants/<id>.py file (format: autograder/mutants/README.md),
the solution notebook's code cells before each exercise are executed once in a fresh namespace
(explorer cells skipped, OPTIMLAB_STATIC=1, matplotlib Agg) and every entry starts from a copy of
it: the exercise's answer cell is replaced by the entry's code, and the exercise's test cells
(visible and hidden tests: in solutions/ both are present) are run, with numpy's global random
state fixed so that every run gives the same result:

* a wrong answer (``MUTANTS``) must make the check raise, and the message the learner sees
  (``ExerciseFailure: ...``) must contain the entry's ``expect`` keyword, which describes the
  actual mistake; with ``helper_broken`` (see COMPOSITE) its helper is wrong too, and the message
  must still name the answer's own mistake;
* a correct answer written differently (``CORRECT``) must pass;
* a composite entry (``COMPOSITE``: a right answer whose helper, an earlier exercise's function, is
  wrong) must pass, with a printed message containing ``expect`` (that the helper is wrong).

Entries the engine does not handle yet carry ``"pending": "not named"`` (caught, but the message
does not name the mistake), ``"pending": "not caught"`` or ``"pending": "composite"``; their tests
are xfail(strict=False) and turn into XPASS when the engine improves (then drop the key).

``test_summary`` prints a per-notebook table (wrong answers caught / named, correct and composite
answers passed), with the current message of every wrong answer that is not named, and saves it to
/tmp/team/catalogue_summary.txt (``OPTIMLAB_CATALOGUE_SUMMARY`` overrides the path).

This is the fast, in-process twin of test_grading_mutants.py, which grades the same MUTANTS with
the real nbgrader.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

import mutant_catalogue

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO / "solutions"
CATALOGUE = REPO / "autograder" / "mutants"
SUMMARY = Path(os.environ.get("OPTIMLAB_CATALOGUE_SUMMARY", "/tmp/team/catalogue_summary.txt"))

MIN_WRONG, MIN_CORRECT = 8, 3
PENDING_REASONS = {
    "not named": "engine does not name it yet",
    "not caught": "the check does not catch it yet",
    "composite": "composite exercises are not graded on their own yet",
}
# Cells that only show something (explorers, races) are not needed by later exercises.
DISPLAY_ONLY = re.compile(r"^\s*(landscape_explorer|data_explorer|race)\(", re.M)


# ---------------------------------------------------------------------------
# the notebooks
# ---------------------------------------------------------------------------

class Notebook:
    """The code cells of a solution notebook: answer cells, their test cells, the rest."""

    def __init__(self, path: Path):
        nb = json.loads(path.read_text(encoding="utf-8"))
        self.cells = []  # (kind, grade_id, source); kind is "answer", "test" or "other"
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            meta = cell.get("metadata", {}).get("nbgrader", {})
            src = "".join(cell["source"])
            if meta.get("solution") and not meta.get("grade"):
                kind = "answer"
            elif meta.get("grade"):
                kind = "test"
            else:
                kind = "other"
            self.cells.append((kind, meta.get("grade_id"), src))
        self.exercises = [gid for kind, gid, _ in self.cells if kind == "answer"]
        self.tests: dict[str, list[str]] = {}
        owner = None
        for kind, gid, src in self.cells:
            if kind == "answer":
                owner = gid
            elif kind == "test" and owner is not None:
                self.tests.setdefault(owner, []).append(src)

    def answer_index(self, exercise: str) -> int:
        return next(i for i, (kind, gid, _) in enumerate(self.cells) if kind == "answer" and gid == exercise)


@lru_cache(maxsize=None)
def notebook(assignment: str) -> Notebook:
    paths = sorted((SOLUTIONS / assignment).glob("*.ipynb"))
    assert len(paths) == 1, f"solutions/{assignment}/ should hold one notebook, found {paths}"
    return Notebook(paths[0])


def catalogue(assignment: str):
    return mutant_catalogue.load(assignment)


def assignments() -> list[str]:
    # an assignment whose solution notebook is not written yet is left out
    return sorted(p.stem for p in CATALOGUE.glob("[0-9]*.py") if any((SOLUTIONS / p.stem).glob("*.ipynb")))


# ---------------------------------------------------------------------------
# running one entry
# ---------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _compiled(src: str, name: str):
    return compile(src, name, "exec")


def _exec(src: str, ns: dict, name: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(_compiled(src, name), ns)
    return out.getvalue()


@lru_cache(maxsize=None)
def _prefix(assignment: str, stop: int, helpers: tuple) -> dict:
    """The namespace after the code cells before cell ``stop`` (answer cells: the solution, or the
    code ``helpers`` gives for them), executed once and copied for each entry."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    helpers = dict(helpers)
    ns: dict = {"__name__": "__main__"}
    static = os.environ.get("OPTIMLAB_STATIC")
    os.environ["OPTIMLAB_STATIC"] = "1"  # an explorer left in a demo cell draws its static PNG
    try:
        for i, (kind, gid, src) in enumerate(notebook(assignment).cells[:stop]):
            if kind == "answer":
                _exec(helpers.get(gid, src), ns, f"<{assignment} {gid}>")
            elif kind == "other" and not DISPLAY_ONLY.search(src):
                # A demo cell may fail with a broken helper: in the notebook, Run All goes on.
                with contextlib.suppress(Exception):
                    _exec(src, ns, f"<{assignment} cell {i}>")
    finally:
        plt.close("all")
        if static is None:
            os.environ.pop("OPTIMLAB_STATIC", None)
        else:
            os.environ["OPTIMLAB_STATIC"] = static
    return ns


def run_exercise(assignment: str, exercise: str, code: str | None = None,
                 helpers: dict[str, str] | None = None) -> dict:
    """Run the notebook up to ``exercise`` with its answer cell replaced by ``code`` (None: the
    solution) and earlier answer cells replaced by ``helpers`` (exercise -> code), then the
    exercise's test cells. Returns {"passed", "message", "stdout"}."""
    import matplotlib.pyplot as plt

    nb = notebook(assignment)
    stop = nb.answer_index(exercise)
    # A fresh namespace holding what the cells before the exercise left (arrays copied).
    ns = {k: (v.copy() if isinstance(v, np.ndarray) else v)
          for k, v in _prefix(assignment, stop, tuple(sorted((helpers or {}).items()))).items()}
    # numpy's global random state (used by a wrong answer like np.random.permutation) fixed, so
    # that every run gives the same results; the caller's state is restored afterwards.
    global_state = np.random.get_state()
    np.random.seed(20261201)
    try:
        answer = nb.cells[stop][2] if code is None else code
        _exec(answer, ns, f"<{assignment} {exercise} answer>")
        stdout = ""
        try:
            for k, test in enumerate(nb.tests[exercise]):
                stdout += _exec(test, ns, f"<{assignment} {exercise} test {k}>")
        except Exception as exc:  # noqa: BLE001 - any failure of the check is a result
            return {"passed": False, "message": f"{type(exc).__name__}: {exc}", "stdout": stdout}
        return {"passed": True, "message": "", "stdout": stdout}
    finally:
        np.random.set_state(global_state)
        plt.close("all")


def entries(kind: str):
    """(assignment, entry) for every entry of MUTANTS, CORRECT or COMPOSITE."""
    found = []
    for assignment in assignments():
        for entry in getattr(catalogue(assignment), kind, []):
            found.append((assignment, entry))
    return found


def _key(kind, assignment, entry):
    return (kind, assignment, entry["exercise"], entry["name"])


_RESULTS: dict = {}


def result(kind: str, assignment: str, entry: dict) -> dict:
    key = _key(kind, assignment, entry)
    if key not in _RESULTS:
        # A wrong answer may come with a wrong helper too: it must still fail, naming its own mistake.
        _RESULTS[key] = run_exercise(assignment, entry["exercise"], entry.get("code"),
                                     helpers=entry.get("helper_broken"))
    return _RESULTS[key]


def _params(kind: str):
    params = []
    for assignment, entry in entries(kind):
        marks = []
        if entry.get("pending"):
            marks.append(pytest.mark.xfail(strict=False, reason=PENDING_REASONS[entry["pending"]]))
        params.append(pytest.param(assignment, entry, marks=marks,
                                   id=f"{assignment[:2]}-{entry['exercise']}-{entry['name']}"))
    return params


def _short(text: str, n: int = 600) -> str:
    return text if len(text) <= n else text[:n] + " ..."


# ---------------------------------------------------------------------------
# the tests
# ---------------------------------------------------------------------------

def test_solutions_pass():
    """The harness itself: every solution passes its own visible and hidden tests."""
    for assignment in assignments():
        for exercise in notebook(assignment).exercises:
            if exercise in notebook(assignment).tests:
                got = run_exercise(assignment, exercise)
                assert got["passed"], f"{assignment} / {exercise}: the solution fails: {got['message']}"


def test_harness_sees_a_failure():
    """The harness is not vacuous: an unimplemented answer fails with the engine's message."""
    got = run_exercise("02_gradient_descent", "gd_step",
                       "def gd_step(w, g, lr):\n    raise NotImplementedError()\n")
    assert not got["passed"] and got["message"].startswith("ExerciseFailure: gd_step: not implemented yet")


@pytest.mark.parametrize("assignment", assignments())
def test_catalogue_file_is_valid(assignment):
    module, nb = catalogue(assignment), notebook(assignment)
    graded = [ex for ex in nb.exercises if ex in nb.tests]
    for kind, minimum in (("MUTANTS", MIN_WRONG), ("CORRECT", MIN_CORRECT)):
        items = getattr(module, kind)
        counts = {ex: sum(e["exercise"] == ex for e in items) for ex in graded}
        assert all(n >= minimum for n in counts.values()), f"{kind}: fewer than {minimum} per exercise: {counts}"
    for kind in ("MUTANTS", "CORRECT", "COMPOSITE"):
        items = getattr(module, kind, [])
        names = [(e["exercise"], e["name"]) for e in items]
        assert len(names) == len(set(names)), f"{kind}: names must be unique per exercise"
        for e in items:
            assert e["exercise"] in graded, f"{kind} {e['name']}: no exercise {e['exercise']!r}"
            assert e.get("pending") in (None, *PENDING_REASONS), f"{kind} {e['name']}: pending {e['pending']!r}"
            if kind != "CORRECT":
                assert e["expect"].strip(), f"{kind} {e['name']}: empty expect"
            if kind == "COMPOSITE" or "helper_broken" in e:
                earlier = nb.exercises[:nb.exercises.index(e["exercise"])]
                assert e["helper_broken"] and set(e["helper_broken"]) <= set(earlier), (
                    f"{kind} {e['name']}: helpers must be earlier exercises of {assignment}")
            if kind != "COMPOSITE":
                assert e["code"].strip()


@pytest.mark.parametrize("assignment, entry", _params("MUTANTS"))
def test_wrong_answer_is_caught_and_named(assignment, entry):
    got = result("MUTANTS", assignment, entry)
    assert not got["passed"], f"not caught: the check passed ({got['stdout'].strip()})"
    assert entry["expect"] in got["message"], (
        f"caught but not named: {entry['expect']!r} is not in the message:\n{got['message']}")


@pytest.mark.parametrize("assignment, entry", _params("CORRECT"))
def test_correct_answer_passes(assignment, entry):
    got = result("CORRECT", assignment, entry)
    assert got["passed"], f"a correct answer failed:\n{got['message']}"


@pytest.mark.parametrize("assignment, entry", _params("COMPOSITE"))
def test_composite_passes_with_a_wrong_helper(assignment, entry):
    got = result("COMPOSITE", assignment, entry)
    assert got["passed"], f"a right {entry['exercise']} with a wrong helper failed:\n{got['message']}"
    assert entry["expect"] in got["stdout"], (
        f"{entry['expect']!r} is not in what the check printed:\n{got['stdout']}")


def summary_table() -> str:
    """Per-notebook figures from actually running every entry (not from the pending marks)."""
    rows, details = [], []
    header = (f"{'notebook':<24}{'wrong':>6}{'caught':>8}{'named':>7}{'named %':>9}"
              f"{'correct':>9}{'passed':>8}{'composite':>11}{'passed':>8}")
    totals = [0] * 7
    for assignment in assignments():
        module = catalogue(assignment)
        wrong = [(e, result("MUTANTS", assignment, e)) for e in module.MUTANTS]
        caught = [(e, r) for e, r in wrong if not r["passed"]]
        named = [(e, r) for e, r in caught if e["expect"] in r["message"]]
        correct = [result("CORRECT", assignment, e) for e in getattr(module, "CORRECT", [])]
        composite = getattr(module, "COMPOSITE", [])
        comp = [(e, result("COMPOSITE", assignment, e)) for e in composite]
        comp_ok = [e for e, r in comp if r["passed"] and e["expect"] in r["stdout"]]
        figures = [len(wrong), len(caught), len(named), len(correct), sum(r["passed"] for r in correct),
                   len(comp), len(comp_ok)]
        totals = [a + b for a, b in zip(totals, figures)]
        pct = 100 * len(named) / len(wrong) if wrong else 0
        rows.append(f"{assignment:<24}{figures[0]:>6}{figures[1]:>8}{figures[2]:>7}{pct:>8.0f}%"
                    f"{figures[3]:>9}{figures[4]:>8}{figures[5]:>11}{figures[6]:>8}")
        for e, r in wrong:
            if r["passed"]:
                details.append(f"- NOT CAUGHT {assignment} / {e['exercise']} / {e['name']} "
                               f"(expect {e['expect']!r})")
            elif e["expect"] not in r["message"]:
                details.append(f"- not named  {assignment} / {e['exercise']} / {e['name']} "
                               f"(expect {e['expect']!r})\n    " + _short(r["message"]).replace("\n", "\n    "))
        for e, r in zip(getattr(module, "CORRECT", []), correct):
            if not r["passed"]:
                details.append(f"- CORRECT FAILED {assignment} / {e['exercise']} / {e['name']}\n    "
                               + _short(r["message"]).replace("\n", "\n    "))
        for e, r in comp:
            if e not in comp_ok:
                what = r["message"] if not r["passed"] else f"passed, printed: {r['stdout'].strip()}"
                details.append(f"- composite  {assignment} / {e['exercise']} / {e['name']} "
                               f"(expect {e['expect']!r})\n    " + _short(what).replace("\n", "\n    "))
    pct = 100 * totals[2] / totals[0] if totals[0] else 0
    rows.append(f"{'total':<24}{totals[0]:>6}{totals[1]:>8}{totals[2]:>7}{pct:>8.0f}%"
                f"{totals[3]:>9}{totals[4]:>8}{totals[5]:>11}{totals[6]:>8}")
    return "\n".join(["Catalogue of answers (tests/test_catalogue.py)", header, *rows, "",
                      "Entries not handled as the catalogue expects (current message):", *details, ""])


def test_summary(capsys):
    """Print and save the per-notebook figures. The tests above judge the entries; this one checks
    that the table covers every entry of every catalogue."""
    table = summary_table()
    try:
        SUMMARY.parent.mkdir(parents=True, exist_ok=True)
        SUMMARY.write_text(table, encoding="utf-8")
    except OSError:
        pass  # the table is still printed
    with capsys.disabled():
        print("\n" + table.split("\n\nEntries")[0])
    total = next(line for line in table.splitlines() if line.startswith("total")).split()
    assert int(total[1]) == len(entries("MUTANTS")) and int(total[5]) == len(entries("CORRECT"))
    assert int(total[7]) == len(entries("COMPOSITE"))


# ---------------------------------------------------------------------------
# `python tests/test_catalogue.py [--mark [assignment ...]]`: print the table; --mark rewrites the
# "pending" keys of autograder/mutants/<assignment>.py (default: all) to what the checks do now (entries are matched by the line
# `{"exercise": ..., "name": ...` and their `"expect": ...}` line).
# ---------------------------------------------------------------------------

def _status(kind: str, assignment: str, entry: dict) -> str | None:
    got = result(kind, assignment, entry)
    if kind == "COMPOSITE":
        return None if got["passed"] and entry["expect"] in got["stdout"] else "composite"
    if got["passed"]:
        return "not caught"
    return None if entry["expect"] in got["message"] else "not named"


def mark_pending(only: list[str] | None = None) -> list[str]:
    changed = []
    for assignment in only or assignments():
        path = CATALOGUE / f"{assignment}.py"
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        for kind in ("MUTANTS", "COMPOSITE"):
            for entry in getattr(catalogue(assignment), kind, []):
                head = f'{{"exercise": {json.dumps(entry["exercise"])}, "name": {json.dumps(entry["name"])}'
                start = [i for i, line in enumerate(lines) if line.strip().startswith(head)]
                if len(start) != 1:
                    changed.append(f"{path.name}: cannot find the line {head!r} once; not marked")
                    continue
                end = next(i for i in range(start[0], len(lines)) if '"expect":' in lines[i])
                status = _status(kind, assignment, entry)
                old = lines[end]
                new = re.sub(r',\s*"pending":\s*"[^"]*"', "", old)
                if status:
                    new = re.sub(r"\}(,?)\s*$", f', "pending": "{status}"}}\\1\n', new)
                if new != old:
                    lines[end] = new
                    changed.append(f"{assignment} / {entry['exercise']} / {entry['name']}: {status or 'done'}")
        if "".join(lines) != text:
            path.write_text("".join(lines), encoding="utf-8")
    return changed


if __name__ == "__main__":
    import sys

    if "--mark" in sys.argv:  # python tests/test_catalogue.py --mark [assignment ...]
        only = [a for a in sys.argv[1:] if a != "--mark"]
        print("\n".join(mark_pending(only)) or "no pending mark changed")
    else:
        print(summary_table())
