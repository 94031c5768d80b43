#!/usr/bin/env python
"""The optimlab course's grading tools, on top of nbgrader 0.9.6.

    python autograder/optimlab_grader.py release [ASSIGNMENT ...]
        regenerate course/ from solutions/ (nbgrader generate_assignment --force)
    python autograder/optimlab_grader.py check-release [ASSIGNMENT ...]
        exit 1 if course/ differs from what `release` would write now
    python autograder/optimlab_grader.py selfcheck course/<assignment>/<notebook>.ipynb
        grade your own notebook with the full (hidden) tests; nothing to set up
    python autograder/optimlab_grader.py grade SUBMISSIONS
        autograde a folder of submissions (nbgrader layout or LMS zips), write HTML
        feedback and CSV grade reports into autograder/workspace/

See autograder/README.md. Every command accepts --help.
"""
from __future__ import annotations

import argparse
import csv
import filecmp
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CONFIG_FILE = HERE / "nbgrader_config.py"
DEFAULT_WORKSPACE = HERE / "workspace"
DEFAULT_SOURCE = REPO / "solutions"
DEFAULT_RELEASE = REPO / "course"
SELF_STUDENT = "selfcheck"
TIMEOUT_ENV = "OPTIMLAB_GRADER_TIMEOUT"

if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
# jsonschema (nbformat imports it) loads its optional checker of the "iri" format,
# rfc3987-syntax, which builds a Lark grammar when imported: 1.2 s of CPU in every grader
# process (this one and each worker). Nothing here validates IRIs (nbformat checks notebooks
# with fastjsonschema, and its schemas use no "iri" format), so that checker is left out.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)
# nbgrader runs the `alembic` executable of its environment (gradebook schema checks):
# make the interpreter's bin/ folder visible even when the venv is not activated.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")
from optimlab_preprocessors import (  # noqa: E402
    KERNEL_DIED_ENAME, NOT_EXECUTED_ENAME, TIMEOUT_ENAME, describe,
)

# nbgrader 0.9.6 triggers SQLAlchemy "not in session" warnings on every autograde: harmless.
warnings.filterwarnings("ignore", message=r".*not in session.*")

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class GraderError(Exception):
    """A problem the user must fix (printed without a traceback)."""


# --- configuration ----------------------------------------------------------------

@dataclass
class Paths:
    workspace: Path
    source: Path
    release: Path

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.workspace / 'gradebook.db'}"


# The learner's kernel shows a figure as its one-line text, "<Figure size 640x480 with 1 Axes>",
# instead of drawing it into a PNG (matplotlib-inline without image formats; the figures are
# still made and closed at the end of each cell as usual). Drawing them is about 30 % of the
# CPU a course notebook's cells cost (a sixth of a whole submission's), and the grade never
# depends on it.
NO_FIGURES = "--InlineBackend.figure_formats=[]"


def load_config(paths: Paths, timeout: int | None = None, notebook_timeout: int | None = None,
                sandbox: bool | None = None, overlay: str | None = None,
                figures: bool | None = None):
    """autograder/nbgrader_config.py with the paths (timeouts, sandbox, figures) of this run."""
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader(CONFIG_FILE.name, path=str(HERE)).load_config()
    cfg.CourseDirectory.root = str(paths.workspace)
    cfg.CourseDirectory.source_directory = str(paths.source)
    cfg.CourseDirectory.release_directory = str(paths.release)
    cfg.CourseDirectory.db_url = paths.db_url
    if timeout is not None:
        cfg.Execute.timeout = int(timeout)
    if notebook_timeout is not None:
        cfg.RobustExecute.notebook_timeout = int(notebook_timeout)
    if sandbox is not None:
        cfg.RobustExecute.sandbox = bool(sandbox)
    if overlay:
        cfg.SandboxKernelManager.library_overlay = str(overlay)
    if figures is False:
        cfg.Execute.extra_arguments = [*cfg.Execute.get("extra_arguments", []), NO_FIGURES]
    return cfg


def cli_overrides(paths: Paths) -> list[str]:
    """The same paths as command-line options of the `nbgrader` executable."""
    return [f"--CourseDirectory.root={paths.workspace}",
            f"--CourseDirectory.source_directory={paths.source}",
            f"--CourseDirectory.release_directory={paths.release}",
            f"--CourseDirectory.db_url={paths.db_url}"]


def run_nbgrader(args: list[str], paths: Paths) -> subprocess.CompletedProcess:
    """Run the real `nbgrader` command (from this interpreter) with our config file.

    It runs in autograder/, where nbgrader finds nbgrader_config.py by itself.
    """
    cmd = [sys.executable, "-m", "nbgrader", *args, *cli_overrides(paths)]
    proc = subprocess.run(cmd, cwd=HERE, capture_output=True, text=True)
    if proc.returncode != 0:
        raise GraderError(f"`nbgrader {' '.join(args)}` failed:\n{proc.stdout}{proc.stderr}")
    return proc


def alembic_head() -> str | None:
    """The head revision of nbgrader's gradebook schema, read from its migration scripts.

    nbgrader stamps every new gradebook with it, and finds it by running the `alembic heads`
    executable: a Python start-up that costs 1.5 to 3.5 s, paid by every throw-away gradebook
    of the grader (one per assignment per worker). The scripts are a chain of
    `revision = '...'` / `down_revision = '...'` assignments; the head is the revision no
    other script names as its down_revision. None when that is not one clear answer (then
    nbgrader's own way is used). tests/test_grader_fast_paths.py compares it with nbgrader's.
    """
    import ast

    from nbgrader.dbutil import ALEMBIC_DIR

    revisions, parents = set(), set()
    for script in sorted(Path(ALEMBIC_DIR, "versions").glob("*.py")):
        found = {}
        try:
            tree = ast.parse(script.read_text())
        except (OSError, SyntaxError, ValueError):
            return None
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                    isinstance(node.targets[0], ast.Name) and \
                    node.targets[0].id in ("revision", "down_revision"):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    return None
        if not isinstance(found.get("revision"), str):
            return None
        revisions.add(found["revision"])
        down = found.get("down_revision")
        parents.update(down if isinstance(down, (tuple, list)) else [down] if down else [])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _use_alembic_head() -> None:
    """nbgrader.api.get_alembic_version answered from the scripts, once per process."""
    import nbgrader.api

    if getattr(nbgrader.api.get_alembic_version, "optimlab", False):
        return
    original = nbgrader.api.get_alembic_version
    head = alembic_head()

    def get_alembic_version() -> str:
        return head if head is not None else original()
    get_alembic_version.optimlab = True
    nbgrader.api.get_alembic_version = get_alembic_version


def make_api(paths: Paths, **config_kw):
    """nbgrader's Python API (the same converters as the `nbgrader` command), quiet."""
    from nbgrader.apps import NbGraderAPI

    _use_alembic_head()
    paths.workspace.mkdir(parents=True, exist_ok=True)
    api = NbGraderAPI(config=load_config(paths, **config_kw))
    api.log.setLevel(logging.WARNING)
    api.log.propagate = False  # logs are captured per call (result["log"]), not printed
    return api


def check(result: dict, what: str) -> None:
    if not result.get("success"):
        raise GraderError(f"{what} failed:\n{result.get('log', '')}\n{result.get('error', '')}")


def timeout_default() -> int | None:
    value = os.environ.get(TIMEOUT_ENV)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise GraderError(f"{TIMEOUT_ENV}={value!r}: expected a whole number of seconds")


# --- assignments and notebooks -------------------------------------------------------

def assignment_ids(source: Path) -> list[str]:
    """Folders of the source step that hold at least one notebook."""
    if not source.is_dir():
        return []
    return sorted(p.name for p in source.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb")))


def notebook_names(source: Path, assignment: str) -> list[str]:
    return sorted(p.stem for p in (source / assignment).glob("*.ipynb")
                  if not p.name.startswith("."))


def select_assignments(source: Path, wanted: list[str] | None) -> list[str]:
    known = assignment_ids(source)
    if not wanted:
        return known
    unknown = [a for a in wanted if a not in known]
    if unknown:
        raise GraderError(f"unknown assignment(s) {unknown}: {source} holds {known}")
    return wanted


def read_nb(path: Path):
    import nbformat
    return nbformat.read(str(path), as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def exercise_map(source_nb) -> tuple[dict[str, str], list[str]]:
    """Map each test cell's grade_id to its exercise; list the exercises in order.

    An exercise is named after its answer cell (solution, not graded); the test cells
    (graded, not a solution) after an answer cell, up to the next one, belong to it.
    A test cell before any answer cell is an exercise of its own.
    """
    owner, order, current = {}, [], None
    for cell in source_nb.cells:
        meta = nbgrader_meta(cell)
        if not meta:
            continue
        gid = meta.get("grade_id")
        if meta.get("solution") and not meta.get("grade"):
            current = gid
        elif meta.get("grade"):
            ex = current if (current and not meta.get("solution")) else gid
            owner[gid] = ex
            if ex not in order:
                order.append(ex)
    return owner, order


# --- results of one graded submission ----------------------------------------------

@dataclass
class Exercise:
    name: str
    score: float = 0.0
    max_score: float = 0.0
    test_cells: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {cell, ename, evalue, traceback}

    @property
    def result(self) -> str:
        enames = {e["ename"] for e in self.errors}
        if KERNEL_DIED_ENAME in enames:
            return "kernel died"
        if TIMEOUT_ENAME in enames:
            return "timed out"
        if NOT_EXECUTED_ENAME in enames:
            return "not run"
        if self.score >= self.max_score:
            return "passed"
        return "partial" if self.score > 0 else "failed"

    @property
    def main_error(self) -> dict | None:
        """The error that explains the result best (None if there is none)."""
        def rank(e):
            if e["ename"] in (KERNEL_DIED_ENAME, TIMEOUT_ENAME):
                return 0  # what stopped the cell matters more than its side effects
            if e["ename"] == NOT_EXECUTED_ENAME:
                return 3
            return 1 if e["cell"] in self.test_cells else 2
        return min(self.errors, key=rank) if self.errors else None

    @property
    def message(self) -> str:
        """The error that explains the result best, on one line."""
        e = self.main_error
        if e is None:
            return ""
        if e["ename"] == "NotImplementedError" and not e["evalue"].strip():
            return "NotImplementedError: not done yet (replace `raise NotImplementedError()`)"
        return " ".join(f"{e['ename']}: {e['evalue']}".split()).rstrip(":")

    @property
    def feedback(self) -> str:
        """Every error of the exercise's cells with its traceback, ANSI colours removed."""
        parts = []
        for e in self.errors:
            tb = ANSI.sub("", "\n".join(e["traceback"])).rstrip()
            last = f"{e['ename']}: {e['evalue']}"
            if not tb.endswith(last.rstrip()):
                tb = f"{tb}\n{last}" if tb else last
            parts.append(f"[{e['cell']}]\n{tb}")
        return "\n\n".join(parts)


@dataclass
class Outcome:
    student: str
    assignment: str
    status: str = "ok"
    detail: str = ""
    exercises: dict[str, dict[str, Exercise]] = field(default_factory=dict)  # nb -> ex
    feedback_html: list[Path] = field(default_factory=list)
    tampering: list[str] = field(default_factory=list)  # what the grader restored or ignored

    @property
    def score(self) -> float:
        return sum(e.score for ex in self.exercises.values() for e in ex.values())

    @property
    def max_score(self) -> float:
        return sum(e.max_score for ex in self.exercises.values() for e in ex.values())


STATUS_ORDER = ["error", "kernel died", "timeout", "not run", "missing notebook",
                "missing cell", "ok"]


def collect_outcome(paths: Paths, assignment: str, student: str,
                    nbgrader_ok: bool = True, log: str = "") -> Outcome:
    """Scores from the gradebook, messages and status from the autograded notebooks."""
    from nbgrader.api import Gradebook, MissingEntry

    out = Outcome(student, assignment)
    statuses, details = [], []
    if not nbgrader_ok:
        statuses.append("error")
        details.append(nbgrader_failure(log))
    with Gradebook(paths.db_url) as gb:
        for nb_name in notebook_names(paths.source, assignment):
            owner, order = exercise_map(read_nb(paths.source / assignment / f"{nb_name}.ipynb"))
            exercises = {ex: Exercise(ex) for ex in order}
            try:
                sub = gb.find_submission_notebook(nb_name, assignment, student)
                grades = {g.name: (g.score or 0.0, g.max_score) for g in sub.grades}
            except MissingEntry:
                grades = {}
            for gid, ex in owner.items():
                score, max_score = grades.get(gid, (0.0, None))
                if max_score is None:  # no gradebook entry: take the points from the source
                    max_score = _points(paths.source / assignment / f"{nb_name}.ipynb", gid)
                exercises[ex].score += float(score) if nbgrader_ok else 0.0
                exercises[ex].max_score += float(max_score)
                exercises[ex].test_cells.append(gid)
            submitted = paths.workspace / "submitted" / student / assignment / f"{nb_name}.ipynb"
            graded = paths.workspace / "autograded" / student / assignment / f"{nb_name}.ipynb"
            if not submitted.exists():
                statuses.append("missing notebook")
                details.append(f"{nb_name}.ipynb was not submitted")
            elif graded.exists():
                graded_nb = read_nb(graded)
                _read_errors(graded_nb, owner, exercises, statuses, details)
                present = {nbgrader_meta(c).get("grade_id") for c in graded_nb.cells}
                for gid in owner:
                    if gid not in present:  # nbgrader does not restore deleted cells
                        statuses.append("missing cell")
                        details.append(f"test cell {gid} was deleted")
                        exercises[owner[gid]].errors.append({
                            "cell": gid, "ename": "MissingCell",
                            "evalue": f"the test cell {gid} was deleted from the notebook, "
                                      "so it scores 0 (restore it from course/)",
                            "traceback": []})
            fb = paths.workspace / "feedback" / student / assignment / f"{nb_name}.html"
            if fb.exists():
                out.feedback_html.append(fb)
            out.exercises[nb_name] = exercises
    out.tampering = read_state(paths.workspace, assignment, student).get("notes", [])
    statuses.append("ok")
    out.status = min(statuses, key=STATUS_ORDER.index)
    out.detail = "; ".join(dict.fromkeys(details))
    return out


def nbgrader_failure(log: str) -> str:
    """The exception that made nbgrader give up on a submission, from its log."""
    errors = re.findall(r"^\s*((?:\w+\.)*\w*(?:Error|Exception)\b.*)$", log, re.M)
    errors = [e for e in errors if not e.startswith(("NbGraderException", "Traceback"))]
    return ("nbgrader could not grade it: " + errors[0]) if errors else \
        "nbgrader could not grade it (see the log in workspace/logs/)"


def _points(nb_path: Path, gid: str) -> float:
    for cell in read_nb(nb_path).cells:
        if nbgrader_meta(cell).get("grade_id") == gid:
            return float(nbgrader_meta(cell).get("points", 0))
    return 0.0


def _read_errors(nb, owner, exercises, statuses, details) -> None:
    current = None
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id")
        if meta.get("solution") and not meta.get("grade"):
            current = gid
        ex = owner.get(gid) or (gid if gid is not None and gid == current else None)
        for o in cell.get("outputs", []):
            if o.get("output_type") != "error":
                continue
            ename = o.get("ename", "")
            if ename == KERNEL_DIED_ENAME:
                statuses.append("kernel died")
                details.append(f"kernel died in {describe(cell, index)}")
            elif ename == TIMEOUT_ENAME:
                statuses.append("timeout")
                details.append(f"{describe(cell, index)} timed out")
            elif ename == NOT_EXECUTED_ENAME:
                statuses.append("not run")
                if "budget" in o.get("evalue", ""):  # else a kernel death/timeout says it
                    details.append(o.get("evalue", ""))
            if ex is not None and ex in exercises:
                exercises[ex].errors.append({"cell": gid, "ename": ename,
                                             "evalue": o.get("evalue", ""),
                                             "traceback": o.get("traceback", [])})


# --- release -----------------------------------------------------------------------

def generate(paths: Paths, assignments: list[str]) -> None:
    api = make_api(paths)
    for a in assignments:
        check(api.generate_assignment(a, force=True, create=True),
              f"nbgrader generate_assignment {a}")


def cmd_release(args) -> int:
    assignments = select_assignments(args.source, args.assignments)
    if not assignments:
        print(f"no assignments in {args.source}: nothing to release")
        return 0
    # A throw-away gradebook: releasing never touches the instructor's gradebook (which
    # refuses changed cells once it holds submissions); `grade` registers assignments.
    with tempfile.TemporaryDirectory(prefix="optimlab-release-") as tmp:
        generate(Paths(Path(tmp), args.source, args.release), assignments)
    for a in assignments:
        print(f"released {a} -> {args.release / a}")
    return 0


# What check-release compares, per notebook cell (see README): everything a learner sees
# or that grading depends on. Outputs and execution counts are not compared here: they
# must be empty in both (tests/test_pipeline.py checks committed notebooks for that).
CELL_METADATA_KEYS = ("nbgrader", "editable", "deletable", "tags")
IGNORED_FILES = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}


def _files(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and not (set(p.relative_to(folder).parts) & IGNORED_FILES)}


def compare_release(expected: Path, actual: Path, assignments: list[str]) -> list[str]:
    """Differences between a fresh release (`expected`) and the committed one (`actual`)."""
    problems = []
    for a in assignments:
        exp_files, act_files = _files(expected / a), _files(actual / a)
        for f in sorted(exp_files - act_files):
            problems.append(f"{a}/{f}: missing from {actual}")
        for f in sorted(act_files - exp_files):
            problems.append(f"{a}/{f}: not produced by the release (stale file)")
        for f in sorted(exp_files & act_files):
            e, c = expected / a / f, actual / a / f
            if f.endswith(".ipynb"):
                problems += [f"{a}/{f}: {p}" for p in _compare_notebooks(read_nb(e), read_nb(c))]
            elif not filecmp.cmp(e, c, shallow=False):
                problems.append(f"{a}/{f}: contents differ")
    return problems


def _compare_notebooks(exp, act) -> list[str]:
    problems = []
    ek, ak = exp.metadata.get("kernelspec", {}), act.metadata.get("kernelspec", {})
    if ek.get("name") != ak.get("name"):
        problems.append(f"kernelspec {ak.get('name')!r} != {ek.get('name')!r}")
    if len(exp.cells) != len(act.cells):
        problems.append(f"{len(act.cells)} cells, the release has {len(exp.cells)}")
    for i, (e, c) in enumerate(zip(exp.cells, act.cells)):
        if e.cell_type != c.cell_type:
            problems.append(f"cell {i}: type {c.cell_type} != {e.cell_type}")
        if e.source != c.source:
            problems.append(f"cell {i}: source differs")
        for key in CELL_METADATA_KEYS:
            if e.metadata.get(key) != c.metadata.get(key):
                problems.append(f"cell {i}: metadata.{key} differs")
    return problems


def fresh_release(source: Path, assignments: list[str], into: Path) -> Path:
    """Generate the release into `into`/release with a throw-away gradebook."""
    paths = Paths(into / "workspace", source, into / "release")
    generate(paths, assignments)
    return paths.release


def cmd_check_release(args) -> int:
    assignments = select_assignments(args.source, args.assignments)
    with tempfile.TemporaryDirectory(prefix="optimlab-release-") as tmp:
        fresh = fresh_release(args.source, assignments, Path(tmp))
        problems = compare_release(fresh, args.release, assignments)
    if problems:
        print(f"{args.release} is stale (run `make release`):")
        for p in problems:
            print(f"  {p}")
        return 1
    print(f"{args.release} matches {args.source} ({len(assignments)} assignment(s))")
    return 0


# --- selfcheck ---------------------------------------------------------------------

def resolve_notebook(nb_path: Path, source: Path, assignment: str | None) -> tuple[str, str]:
    """(assignment id, notebook name) of a learner's notebook."""
    if not nb_path.is_file():
        raise GraderError(f"no such notebook: {nb_path}")
    known = assignment_ids(source)
    candidates = [assignment] if assignment else [nb_path.parent.name] + [
        a for a in known if (source / a / nb_path.name).exists()]
    for a in candidates:
        if a not in known:
            continue
        names = notebook_names(source, a)
        if nb_path.stem in names:
            return a, nb_path.stem
        if len(names) == 1:  # a renamed copy, e.g. "02_x-Copy1.ipynb"
            return a, names[0]
    raise GraderError(
        f"cannot tell which assignment {nb_path} belongs to; pass --assignment "
        f"(one of {known})")


def cmd_selfcheck(args) -> int:
    nb_path = Path(args.notebook).resolve()
    assignment, nb_name = resolve_notebook(nb_path, args.source, args.assignment)
    with tempfile.TemporaryDirectory(prefix="optimlab-selfcheck-") as tmp:
        tmp = Path(tmp)
        paths = Paths(tmp / "workspace", args.source, tmp / "release")
        # Your own notebook: the sandbox is used where it can be had, not required.
        from optimlab_sandbox import sandbox_problem
        # the report is a table: no figure is ever shown, so none is drawn (NO_FIGURES)
        api = make_api(paths, timeout=args.timeout, sandbox=sandbox_problem() is None,
                       figures=False)
        # records the hidden tests of solutions/ in a temporary gradebook
        check(api.generate_assignment(assignment, force=True, create=True),
              f"preparing {assignment}")
        dest = paths.workspace / "submitted" / SELF_STUDENT / assignment / f"{nb_name}.ipynb"
        dest.parent.mkdir(parents=True)
        shutil.copyfile(nb_path, dest)
        result = api.autograde(assignment, SELF_STUDENT, force=True, create=True)
        outcome = collect_outcome(paths, assignment, SELF_STUDENT, result.get("success", False),
                                  result.get("log", ""))
    print(selfcheck_report(args.notebook, outcome, nb_name, args.traceback))
    return 0


def selfcheck_report(label, outcome: Outcome, nb_name: str, full_traceback: bool) -> str:
    exercises = list(outcome.exercises.get(nb_name, {}).values())
    rows = [(e.name, f"{e.score:g} / {e.max_score:g}", e.result,
             e.message if e.result != "passed" else "") for e in exercises]
    w0 = max([len("exercise")] + [len(r[0]) for r in rows])
    w1 = max([len("points")] + [len(r[1]) for r in rows])
    w2 = max([len("result")] + [len(r[2]) for r in rows])
    lines = [f"Self-check of {label} (assignment {outcome.assignment}, "
             "with the hidden tests)", ""]
    lines.append(f"  {'exercise':<{w0}}  {'points':>{w1}}  {'result':<{w2}}  message")
    lines.append(f"  {'-' * w0}  {'-' * w1}  {'-' * w2}  {'-' * 7}")
    for name, pts, res, msg in rows:
        msg = msg if len(msg) <= 100 else msg[:97] + "..."
        lines.append(f"  {name:<{w0}}  {pts:>{w1}}  {res:<{w2}}  {msg}".rstrip())
    lines.append(f"  {'-' * w0}  {'-' * w1}")
    lines.append(f"  {'total':<{w0}}  {f'{outcome.score:g} / {outcome.max_score:g}':>{w1}}")
    if outcome.status != "ok":
        lines += ["", f"Status: {outcome.status} ({outcome.detail})"]
    failed = [e for e in exercises if e.result != "passed" and e.errors]
    if failed:
        lines += ["", "Feedback", "========"]
        for e in failed:
            lines += ["", f"{e.name}: {e.result}"]
            lines += ["    " + ln for ln in _feedback_lines(e, full_traceback)]
    elif exercises and outcome.score >= outcome.max_score:
        lines += ["", "All exercises pass, hidden tests included."]
    return "\n".join(lines)


def _feedback_lines(e: Exercise, full: bool) -> list[str]:
    """Where each error happened and the error itself.

    IPython tracebacks are [rule, header, frame, ..., "Name: message"]. The frames of
    notebook cells ("Cell In[n], line k") are kept: the first shows which line of the
    test failed, the last the line of the learner's own code. Frames inside libraries
    (the checking engine, numpy) are left out unless `full`.
    """
    out = []
    for err in e.errors:
        tb = [ANSI.sub("", t).rstrip() for t in err["traceback"]]
        last = f"{err['ename']}: {err['evalue']}".rstrip()
        if full:
            body = [t for t in tb if t]
        else:
            cells = [t for t in tb if t.startswith("Cell ")]
            body = list(dict.fromkeys(cells[:1] + cells[-1:]))
        if not body or body[-1] != last:
            body.append(last)
        where = "test" if err["cell"] in e.test_cells else "answer"
        out.append(f"({where} cell {err['cell']})")
        for chunk in body:
            out += chunk.splitlines()
    return out


# --- grade -------------------------------------------------------------------------

def lms_pattern(notebooks: list[str]) -> str:
    """FileNameCollectorPlugin.named_regexp for <student>_<anything>_<notebook>.ipynb."""
    names = "|".join(re.escape(n) for n in sorted(notebooks, key=len, reverse=True))
    return rf".*/(?P<student_id>[^/_]+)_(?:[^/]*_)?(?P<file_id>(?:{names})\.ipynb)$"


def lms_members(folder: Path) -> list[tuple[Path, str]]:
    """(archive or file, member file name) of an LMS download folder."""
    members = []
    for f in sorted(folder.iterdir()):
        if f.suffix == ".zip":
            try:
                with zipfile.ZipFile(f) as z:
                    members += [(f, n) for n in z.namelist() if not n.endswith("/")]
            except zipfile.BadZipFile:
                raise GraderError(f"{f} is not a readable zip file")
        elif f.suffix == ".ipynb":
            members.append((f, f.name))
    return members


def is_lms_folder(folder: Path) -> bool:
    return any(f.is_file() and f.suffix in (".zip", ".ipynb") for f in folder.iterdir())


def collect_lms(folder: Path, paths: Paths, assignments: list[str], incoming: Path) -> list[str]:
    """`nbgrader zip_collect` each assignment found in the LMS files into `incoming`."""
    members = lms_members(folder)
    found = []
    for a in assignments:
        pattern = re.compile(lms_pattern(notebook_names(paths.source, a)))
        if not any(pattern.match("/" + m) for _, m in members):
            continue
        found.append(a)
        archive = paths.workspace / "downloaded" / a / "archive"
        if archive.exists():
            shutil.rmtree(archive)
        archive.mkdir(parents=True)
        for f in sorted({f for f, _ in members}):
            shutil.copy2(f, archive / f.name)
        zpaths = Paths(paths.workspace, paths.source, paths.release)
        run_nbgrader(["zip_collect", a, "--force",
                      f"--FileNameCollectorPlugin.named_regexp={pattern.pattern}",
                      f"--CourseDirectory.submitted_directory={incoming}"], zpaths)
    return found


def discover(folder: Path, assignments: list[str]) -> list[tuple[str, str]]:
    """(student, assignment) pairs of a folder in nbgrader's submitted layout."""
    pairs = []
    for student in sorted(p for p in folder.iterdir() if p.is_dir()):
        for a in sorted(p for p in student.iterdir() if p.is_dir()):
            if a.name in assignments and any(a.glob("*.ipynb")):
                pairs.append((student.name, a.name))
    return pairs


STUDENT_ID = re.compile(r"^[A-Za-z0-9@+-][A-Za-z0-9@+.-]{0,63}$")
MAX_NOTEBOOK_BYTES = 50_000_000


def state_file(ws: Path, assignment: str, student: str) -> Path:
    """The marker written once a submission's grades are in the gradebook (resume)."""
    return ws / "state" / assignment / f"{student}.json"


def read_state(ws: Path, assignment: str, student: str) -> dict:
    try:
        return json.loads(state_file(ws, assignment, student).read_text())
    except (OSError, ValueError):
        return {}


def submission_job(folder: Path, student: str, assignment: str, paths: Paths,
                   source: dict, options: dict) -> dict:
    """The job of one submitted folder: its notebooks (text) and a timestamp nbgrader
    can read. Nothing else in the folder is used (no side file reaches the kernel)."""
    from optimlab_batch import make_job
    from optimlab_trust import timestamp_problem

    notes, notebooks = [], {}
    for name in notebook_names(paths.source, assignment):
        f = folder / f"{name}.ipynb"
        if f.is_symlink():
            notes.append(f"{name}.ipynb is a symbolic link (ignored)")
        elif f.is_file():
            if f.stat().st_size > MAX_NOTEBOOK_BYTES:
                notes.append(f"{name}.ipynb is larger than {MAX_NOTEBOOK_BYTES} bytes (ignored)")
            else:
                notebooks[name] = f.read_bytes().decode("utf-8", errors="replace")
    timestamp = None
    ts = folder / "timestamp.txt"
    if ts.is_file() and not ts.is_symlink():
        text = ts.read_bytes()[:1000].decode("utf-8", errors="replace")
        problem = timestamp_problem(text)
        if problem:
            notes.append(problem)
        else:
            timestamp = text.strip() or None
    return make_job(assignment, student, source, notebooks, timestamp, notes, options)


def save_grades(paths: Paths, job: dict, result: dict) -> None:
    """Write one graded submission into the workspace: files, gradebook, marker.

    The scores are read from the autograded notebooks exactly as nbgrader's
    SaveAutoGrades reads them (nbgrader.utils.determine_grade). The marker is written
    last: a grader killed before it grades the submission again, never twice.
    """
    import nbformat
    from nbgrader import utils
    from nbgrader.api import Gradebook

    ws, a, student = paths.workspace, job["assignment"], job["student"]
    for kind, files in (("submitted", {f"{n}.ipynb": t for n, t in job["notebooks"].items()}),
                        ("autograded", result["autograded"]), ("feedback", result["feedback"])):
        folder = ws / kind / student / a
        if folder.exists():
            shutil.rmtree(folder)
        if not files:
            continue
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / Path(name).name).write_text(text)
        if kind == "submitted" and job["timestamp"]:
            (folder / "timestamp.txt").write_text(job["timestamp"])
    logs = ws / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / f"autograde_{a}_{student}.log").write_text(result.get("log", ""))
    if result.get("feedback_log"):
        (logs / f"feedback_{a}_{student}.log").write_text(result["feedback_log"])
    with Gradebook(paths.db_url) as gb:
        gb.update_or_create_student(student)
        if job["timestamp"]:
            gb.update_or_create_submission(a, student, timestamp=utils.parse_utc(job["timestamp"]))
        else:
            gb.update_or_create_submission(a, student)
        for nb_name in notebook_names(paths.source, a):
            sub = gb.find_submission_notebook(nb_name, a, student)
            cells = {}
            text = result["autograded"].get(f"{nb_name}.ipynb") if result["success"] else None
            if text:
                for cell in nbformat.reads(text, as_version=4).cells:
                    if utils.is_grade(cell):
                        cells.setdefault(cell.metadata.nbgrader.grade_id, cell)
            for grade in sub.grades:
                cell = cells.get(grade.name)
                grade.auto_score = utils.determine_grade(cell)[0] if cell is not None else 0.0
                grade.needs_manual_grade = grade.auto_score is None or grade.manual_score is not None
            for comment in sub.comments:
                comment.auto_comment = None
        gb.db.commit()
    marker = state_file(ws, a, student)
    marker.parent.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_suffix(".part")
    tmp.write_text(json.dumps({"key": job["key"], "success": result["success"],
                               "notes": result.get("notes", []),
                               "seconds": result.get("seconds")}))
    os.replace(tmp, marker)


def cmd_grade(args) -> int:
    from tqdm import tqdm

    import optimlab_batch

    folder = Path(args.submissions).resolve()
    if not folder.is_dir():
        raise GraderError(f"SUBMISSIONS={args.submissions}: not a folder")
    ws = Path(args.workspace).resolve()
    paths = Paths(ws, args.source, ws / "release")
    assignments = select_assignments(paths.source, args.assignments)
    if not assignments:
        raise GraderError(f"no assignments in {paths.source}")
    if args.workers is not None and args.workers < 1:
        raise GraderError(f"--workers={args.workers}: expected 1 or more")
    sandbox = not args.no_sandbox
    workers = args.workers or os.cpu_count() or 1
    # the workers import nbgrader while this process checks the sandbox and registers
    pool = None if args.scheduler else optimlab_batch.start_workers(workers)
    if sandbox and not args.scheduler:
        from optimlab_sandbox import sandbox_problem
        problem = sandbox_problem()
        if problem:
            for w in pool:
                w.stop()
            raise GraderError(
                f"cannot isolate the learners' code: {problem}.\nRefusing to grade: the "
                "submissions would run with your rights, see the network, the gradebook and "
                "each other. Pass --no-sandbox to grade anyway (trusted submissions only).")
        from optimlab_sandbox import font_list
        font_list()  # matplotlib's font list, built once for every kernel of the batch
    api = make_api(paths, timeout=args.timeout, notebook_timeout=args.notebook_timeout)
    # (Re-)register the assignments, hidden tests included, in the workspace gradebook;
    # the release copy in workspace/release is what zip_collect checks names against.
    # The workers need none of it (each job carries its assignment's source): it runs in a
    # thread while they grade, and every use of the gradebook waits for it (registered()).
    failure: list[BaseException] = []

    def register():
        try:
            for a in assignments:
                check(api.generate_assignment(a, force=True, create=True),
                      f"nbgrader generate_assignment {a}")
        except BaseException as exc:  # noqa: BLE001 - raised again by registered()
            failure.append(exc)

    registering = threading.Thread(target=register, name="register-assignments", daemon=True)
    registering.start()

    def registered():
        registering.join()
        if failure:
            raise failure[0]

    options = {"timeout": args.timeout, "notebook_timeout": args.notebook_timeout,
               "sandbox": sandbox, "feedback": not args.no_feedback, "figures": args.figures}
    sources = {a: optimlab_batch.source_files(paths.source, a) for a in assignments}
    jobs, skipped, rejected = [], [], []
    with tempfile.TemporaryDirectory(prefix="optimlab-incoming-") as tmp:
        incoming = folder
        if is_lms_folder(folder):
            incoming = Path(tmp)
            registered()
            found = collect_lms(folder, paths, assignments, incoming)
            if not found:
                raise GraderError(
                    f"no file in {folder} is named <student>_<anything>_<notebook>.ipynb "
                    f"for a notebook of {assignments}")
        pairs = discover(incoming, assignments)
        if not pairs:
            raise GraderError(f"no submissions found in {folder} (expected "
                              "<student>/<assignment>/<notebook>.ipynb or LMS zips)")
        for student, a in pairs:
            if not STUDENT_ID.match(student):
                rejected.append(student)
                continue
            job = submission_job(incoming / student / a, student, a, paths, sources[a], options)
            done = read_state(ws, a, student)
            if (not args.regrade and done.get("key") == job["key"]
                    and (ws / "autograded" / student / a).is_dir()):
                skipped.append((student, a))  # graded before, unchanged: resume
                continue
            jobs.append(job)
    if rejected:
        print(f"warning: skipped folders whose names are not student ids: {sorted(rejected)}",
              file=sys.stderr)

    outcomes = {}
    bar = tqdm(total=len(jobs), desc="autograding", unit="submission", disable=args.quiet,
               file=sys.stderr, dynamic_ncols=True)

    def on_result(job, result):
        registered()
        save_grades(paths, job, result)
        o = collect_outcome(paths, job["assignment"], job["student"], result["success"],
                            result.get("log", ""))
        outcomes[(o.student, o.assignment)] = o
        bar.set_postfix_str(f"{o.student}/{o.assignment}")
        bar.update(1)

    if args.scheduler:
        optimlab_batch.run_dask(jobs, args.scheduler, on_result)
    else:
        optimlab_batch.run_local(optimlab_batch.interleave(jobs), pool, on_result)
    bar.close()
    registered()

    exports = ws / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    write_grades_csv(paths, assignments, exports / "grades.csv")
    all_outcomes = gradebook_outcomes(paths, assignments, outcomes)
    write_reports(all_outcomes, exports)
    if not args.quiet:
        print(grade_summary([o for o in all_outcomes
                             if (o.student, o.assignment) in outcomes], exports))
        if skipped:
            print(f"\n{len(skipped)} submission(s) unchanged since they were graded: kept "
                  "(--regrade grades them again)")
    return 0


def write_grades_csv(paths: Paths, assignments: list[str], dest: Path) -> None:
    """nbgrader export's columns, plus `status`: an assignment a student never submitted
    is `missing` with empty scores (not 0), one nbgrader could not grade is `error`."""
    from nbgrader.api import Gradebook, MissingEntry

    keys = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
            "email", "raw_score", "late_submission_penalty", "score", "max_score", "status"]
    with Gradebook(paths.db_url) as gb, open(dest, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        for assignment in gb.assignments:
            if assignment.name not in assignments:
                continue
            for student in gb.students:
                row = {"assignment": assignment.name, "duedate": assignment.duedate or "",
                       "student_id": student.id, "last_name": student.last_name or "",
                       "first_name": student.first_name or "", "email": student.email or "",
                       "max_score": assignment.max_score}
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    row.update(timestamp="", raw_score="", late_submission_penalty="",
                               score="", status="missing")
                else:
                    penalty = sub.late_submission_penalty or 0.0
                    state = read_state(paths.workspace, assignment.name, student.id)
                    row.update(timestamp=sub.timestamp or "", raw_score=sub.score,
                               late_submission_penalty=penalty,
                               score=max(0.0, sub.score - penalty),
                               status="graded" if state.get("success", True) else "error")
                w.writerow(row)


def gradebook_outcomes(paths: Paths, assignments: list[str], fresh: dict) -> list[Outcome]:
    """Every submission in the gradebook (this run's outcomes first-hand, others re-read)."""
    from nbgrader.api import Gradebook

    keys = []
    with Gradebook(paths.db_url) as gb:
        for a in assignments:
            for sub in gb.find_assignment(a).submissions:
                keys.append((sub.student.id, a))
    result = []
    for student, a in sorted(keys):
        if (student, a) in fresh:
            result.append(fresh[(student, a)])
        else:
            graded = paths.workspace / "autograded" / student / a
            log = paths.workspace / "logs" / f"autograde_{a}_{student}.log"
            ok = read_state(paths.workspace, a, student).get("success", graded.is_dir())
            result.append(collect_outcome(paths, a, student, ok,
                                          log.read_text() if log.exists() else ""))
    return result


def write_reports(outcomes: list[Outcome], exports: Path) -> None:
    with open(exports / "submissions.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "assignment_id", "score", "max_score", "status", "detail",
                    "tampering", "feedback_html"])
        for o in outcomes:
            w.writerow([o.student, o.assignment, f"{o.score:g}", f"{o.max_score:g}", o.status,
                        o.detail, "; ".join(o.tampering),
                        ";".join(str(p) for p in o.feedback_html)])
    with open(exports / "grades_by_exercise.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "assignment_id", "notebook_id", "exercise", "score",
                    "max_score", "result", "message", "feedback"])
        for o in outcomes:
            for nb_name, exercises in o.exercises.items():
                for e in exercises.values():
                    w.writerow([o.student, o.assignment, nb_name, e.name, f"{e.score:g}",
                                f"{e.max_score:g}", e.result if o.status != "error" else "error",
                                e.message, e.feedback])


def grade_summary(outcomes: list[Outcome], exports: Path) -> str:
    rows = [(o.student, o.assignment, f"{o.score:g} / {o.max_score:g}", o.status, o.detail)
            for o in outcomes]
    widths = [max(len(h), *(len(r[i]) for r in rows))
              for i, h in enumerate(["student", "assignment", "score", "status"])]
    head = ["student", "assignment", "score", "status"]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)) + "  detail",
             "  ".join("-" * w for w in widths) + "  ------"]
    for r in rows:
        lines.append(("  ".join(v.ljust(w) for v, w in zip(r[:4], widths)) + "  " + r[4]).rstrip())
    lines += ["", f"grades:        {exports / 'grades.csv'}  (nbgrader export)",
              f"per exercise:  {exports / 'grades_by_exercise.csv'}",
              f"status:        {exports / 'submissions.csv'}",
              f"feedback HTML: {exports.parent / 'feedback'}/<student>/<assignment>/"]
    return "\n".join(lines)


# --- command line --------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="optimlab_grader.py", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, workspace=True, release=True):
        p.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                       help="nbgrader source step (default: solutions/)")
        if release:
            p.add_argument("--release", type=Path, default=DEFAULT_RELEASE,
                           help="nbgrader release step (default: course/)")
        if workspace:
            p.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE,
                           help="gradebook and working folders (default: autograder/workspace/)")

    def timeouts(p):
        p.add_argument("--timeout", type=int, default=timeout_default(),
                       help=f"seconds per cell before it is interrupted (default: ${TIMEOUT_ENV} "
                            "or Execute.timeout of nbgrader_config.py, 60)")
        p.add_argument("--notebook-timeout", type=int, default=None,
                       help="seconds per notebook (default: RobustExecute.notebook_timeout, 600)")

    p = sub.add_parser("release", help="regenerate course/ from solutions/")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    common(p, workspace=False)
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("check-release", help="is course/ what `release` would write?")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    common(p, workspace=False)
    p.set_defaults(func=cmd_check_release)

    p = sub.add_parser("selfcheck", help="grade your own notebook with the hidden tests")
    p.add_argument("notebook", help="e.g. course/01_loss_and_gradients/01_loss_and_gradients.ipynb")
    p.add_argument("--assignment", help="assignment id, if the notebook's folder does not tell")
    p.add_argument("--traceback", action="store_true", help="show full tracebacks")
    common(p, workspace=False, release=False)
    timeouts(p)
    p.set_defaults(func=cmd_selfcheck)

    p = sub.add_parser("grade", help="autograde a folder of submissions")
    p.add_argument("submissions", help="<student>/<assignment>/<notebook>.ipynb folders, or "
                                       "a folder of LMS zips / <student>_..._<notebook>.ipynb files")
    p.add_argument("--assignment", dest="assignments", action="append",
                   help="grade only this assignment (repeatable)")
    p.add_argument("--no-feedback", action="store_true", help="skip the HTML feedback")
    p.add_argument("--figures", action=argparse.BooleanOptionalAction, default=False,
                   help="draw the notebooks' matplotlib figures into the feedback (default: "
                        "no, each shows as '<Figure size ... with N Axes>'; drawing them costs "
                        "about 20 %% more CPU per submission)")
    p.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    p.add_argument("--workers", type=int, default=None,
                   help="submissions graded at once on this machine (default: the number of cores)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="grade on the workers of this Dask distributed scheduler instead")
    p.add_argument("--regrade", action="store_true",
                   help="grade again submissions already graded and unchanged (default: keep them)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run the learners' code without the bubblewrap sandbox: only for "
                        "trusted submissions, on a machine you can afford to lose")
    common(p, release=False)
    timeouts(p)
    p.set_defaults(func=cmd_grade)

    args = parser.parse_args(argv)
    for name in ("source", "release", "workspace"):
        if getattr(args, name, None) is not None:
            setattr(args, name, Path(getattr(args, name)).resolve())
    try:
        return args.func(args)
    except GraderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
