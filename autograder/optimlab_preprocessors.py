"""nbgrader preprocessors of the optimlab course (used by nbgrader_config.py).

RobustExecute: nbgrader's Execute preprocessor that never loses a submission.
NoPartialCredit: a test cell passes or fails; a value it displays is not a score.
ForLearners: the feedback shows no hidden test, library frame or grader path.
NameExercises: the feedback page names each exercise (its index, its cells' headings).

RobustExecute
-------------

Plain nbgrader 0.9.6 gives up on the *whole* submission (it deletes the autograded
copy and records nothing) when

* the kernel dies (``os._exit``, a segfault, the out-of-memory killer): nbclient
  raises ``DeadKernelError``;
* a cell times out and the kernel does not answer the interrupt (the learner's code
  ignores SIGINT or loops inside C code): nbclient raises ``CellTimeoutError``
  ("Timeout waiting for IOPub output").

This subclass grades such a notebook *as far as it got* instead: the offending cell
gets an error output that names what happened, the kernel is stopped, and every later
code cell gets a ``NotExecuted`` error output. nbgrader's ``SaveAutoGrades`` then gives
full or partial credit to the test cells that ran and passed, and zero to the cell that
crashed and to the cells after it (a test cell without an error output would otherwise
count as passed).

A timeout that the kernel *does* answer (an ordinary ``while True: pass``) is left to
nbclient: the cell gets a ``CellTimeoutError`` output and the following cells run.

``notebook_timeout`` bounds the wall-clock time of a whole notebook, so a submission
whose every exercise loops forever costs at most that budget (plus one cell timeout)
instead of ``timeout`` times the number of cells.

``sandbox`` (on by default) starts the kernel inside bubblewrap through
``optimlab_sandbox.SandboxKernelManager``: no network, memory/CPU/process/file limits, a
read-only view of what the notebook needs, and every process gone with the kernel.
``output_cap_cell`` / ``output_cap_notebook`` bound the output the grader accepts from the
kernel (bytes of text and data); what comes beyond is dropped and a note says so. Error
outputs are always kept, so a failing test still fails.

The error names below (``CellTimeoutError``, ``KernelDied``, ``NotExecuted``) are what
``optimlab_grader.py`` looks for to fill the status column of the grade reports.
"""
from __future__ import annotations

import os
import re
import sys
import textwrap
from pathlib import Path
from time import monotonic

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from traitlets import Bool, Integer, List, Unicode

from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution

TIMEOUT_ENAME = "CellTimeoutError"
KERNEL_DIED_ENAME = "KernelDied"
NOT_EXECUTED_ENAME = "NotExecuted"


def error_output(ename: str, evalue: str) -> NotebookNode:
    """An nbformat error output whose traceback is the one-line message."""
    lines = textwrap.wrap(f"{ename}: {evalue}", width=88, subsequent_indent="    ")
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=lines)


def message_output(ename: str, evalue: str) -> NotebookNode:
    """An error output for a check's message: its lines kept, long ones wrapped, no frames."""
    lines = []
    for k, line in enumerate(f"{ename}: {evalue}".splitlines() or [ename]):
        lines += textwrap.wrap(line, width=100, subsequent_indent="    ",
                               replace_whitespace=False, drop_whitespace=False) or [""]
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=lines)


FALLBACK_NOTE = "[graded inside the kernel, not by the grader's process: "


def describe(cell, index: int) -> str:
    """'cell 7 (`import os`)': a cell as a reader of the notebook can find it."""
    first = next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")
    if len(first) > 40:
        first = first[:37] + "..."
    return f"cell {index} (`{first}`)"


class RobustExecute(Execute):
    """Execute every cell; record crashes and hangs in the notebook instead of failing."""

    notebook_timeout = Integer(
        600,
        help=(
            "Wall-clock budget in seconds for one notebook. Once it is spent, the cells "
            "not yet run get a NotExecuted error (0 or None means no budget)."
        ),
    ).tag(config=True)

    sandbox = Bool(
        True,
        help="Run the kernel inside the bubblewrap sandbox (optimlab_sandbox.py).",
    ).tag(config=True)

    output_cap_cell = Integer(
        1_000_000, help="Bytes of output kept per cell; the rest is dropped with a note.",
    ).tag(config=True)

    output_cap_notebook = Integer(
        8_000_000, help="Bytes of output kept per notebook.",
    ).tag(config=True)

    grade_outside = Bool(
        True,
        help="Run course test cells' checks in the grader's process against the kernel "
             "(optimlab_remote.py) instead of in the kernel.",
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.sandbox:
            from optimlab_sandbox import SandboxKernelManager, sandbox_problem

            problem = sandbox_problem()
            if problem:
                raise RuntimeError(
                    f"cannot sandbox the learners' kernels: {problem}. Install bubblewrap, or "
                    "grade without a sandbox explicitly (--RobustExecute.sandbox=False, or "
                    "optimlab_grader.py grade --no-sandbox) on a machine you can afford to lose")
            self.kernel_manager_class = SandboxKernelManager

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        if msg.get("msg_type") != "error":
            size = len(content.get("text", "")) + sum(
                len(v) if isinstance(v, str) else len(str(v))
                for v in content.get("data", {}).values())
            cell_bytes = self._out_bytes.get(cell_index, 0) + size
            if (cell_bytes > self.output_cap_cell
                    or self._out_total + size > self.output_cap_notebook):
                self._truncated.add(cell_index)
                return None
            self._out_bytes[cell_index] = cell_bytes
            self._out_total += size
        return super().output(outs, msg, display_id, cell_index)

    def preprocess(self, nb, resources=None, km=None):
        self._stop_reason = None
        self._started = monotonic()
        self._out_bytes, self._out_total, self._truncated = {}, 0, set()
        self._fallback = None
        # The message a learner sees when a cell is interrupted after `timeout` seconds.
        self.error_on_timeout = {
            "ename": TIMEOUT_ENAME,
            "evalue": (
                f"this cell ran longer than {self.timeout} s and was interrupted "
                "(an infinite loop, or far too many iterations?)"
            ),
            "traceback": [
                f"{TIMEOUT_ENAME}: this cell ran longer than {self.timeout} s and was interrupted"
            ],  # the KeyboardInterrupt output above it shows where it was running
        }
        return super().preprocess(nb, resources, km)

    def _runs(self, cell) -> bool:
        return cell.cell_type == "code" and bool(cell.source.strip())

    def preprocess_cell(self, cell, resources, index):
        if not self._runs(cell):
            return super().preprocess_cell(cell, resources, index)
        if self._stop_reason is None and self.notebook_timeout:
            if monotonic() - self._started > self.notebook_timeout:
                self._stop_reason = (
                    f"the notebook used up its time budget of {self.notebook_timeout} s"
                )
        if self._stop_reason is not None:
            cell.outputs = [error_output(NOT_EXECUTED_ENAME, f"not run: {self._stop_reason}")]
            cell.execution_count = None
            return cell, self.resources
        try:
            self._fallback = None
            if self._graded_outside(cell, index):
                return cell, self.resources
            cell, resources = super().preprocess_cell(cell, resources, index)
            self._note_truncation(cell, index)
            if self._fallback:
                cell.outputs.append(NotebookNode(
                    output_type="stream", name="stdout",
                    text=f"\n{FALLBACK_NOTE}{self._fallback})\n"))
            return cell, resources
        except DeadKernelError:
            cell.outputs.append(error_output(
                KERNEL_DIED_ENAME,
                "the Python kernel died while running this cell (os._exit, a crash, or "
                "running out of memory); the cells after it were not run",
            ))
            self._stop_reason = f"the kernel died in an earlier cell, {describe(cell, index)}"
        except CellTimeoutError:
            # The interrupt did not stop the cell: the kernel is unusable.
            cell.outputs.append(error_output(
                TIMEOUT_ENAME,
                f"this cell ran longer than {self.timeout} s and did not stop when "
                "interrupted, so the kernel was stopped; the cells after it were not run",
            ))
            self._stop_reason = (
                f"the kernel was stopped after a timeout in an earlier cell, "
                f"{describe(cell, index)}"
            )
            self._kill_kernel()
        except Exception as exc:  # noqa: BLE001 - any other failure of the kernel link
            cell.outputs.append(error_output(
                KERNEL_DIED_ENAME,
                f"running this cell failed in the grader ({type(exc).__name__}: {exc}); "
                "the cells after it were not run",
            ))
            self._stop_reason = (
                f"the grader lost the kernel in an earlier cell, {describe(cell, index)}"
            )
            self._kill_kernel()
        return cell, self.resources

    def _graded_outside(self, cell, index) -> bool:
        """Run a course test cell's checks in this process (optimlab_remote.py).

        True when done (the cell's outputs are the checks' verdict); False when the cell
        must run in the kernel instead (not in the course's form, or an input the
        protocol cannot carry: the reason is shown in the cell).
        """
        if not (self.grade_outside and is_grade(cell) and not is_solution(cell)):
            return False
        from optimlab_remote import CallTimeout, Fallback, KernelGone, parse_test_cell, run_trusted

        calls = parse_test_cell(cell.source)
        if not calls:
            return False
        try:
            text, error = run_trusted(self.km, calls, self.timeout)
        except Fallback as exc:
            self._fallback = str(exc)
            return False
        except KernelGone:
            raise DeadKernelError("the kernel died during a check")
        except CallTimeout as exc:
            cell.outputs = [error_output(
                TIMEOUT_ENAME, f"your function ran longer than {self.timeout} s during this "
                "check and was interrupted (an infinite loop, or far too many iterations?)")]
            if not exc.stopped:
                raise CellTimeoutError("the kernel did not answer the interrupt")
            return True
        cell.outputs = []
        if text:
            cell.outputs.append(NotebookNode(output_type="stream", name="stdout", text=text))
        if error:
            cell.outputs.append(message_output(*error))
        cell.execution_count = None
        return True

    def _note_truncation(self, cell, index) -> None:
        if index in self._truncated:
            cell.outputs.append(NotebookNode(
                output_type="stream", name="stdout",
                text=f"\n[output truncated by the grader: more than {self.output_cap_cell} bytes "
                     f"in this cell or {self.output_cap_notebook} in the notebook]\n"))

    def _kill_kernel(self) -> None:
        try:
            if self.km is not None:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception as exc:  # noqa: BLE001 - best effort, cleanup follows anyway
            self.log.warning("could not stop the kernel: %s", exc)


class NoPartialCredit(NbGraderPreprocessor):
    """Show a test cell's displayed value as ordinary output, never as partial credit.

    nbgrader reads an ``execute_result`` of a test cell that looks like a number as the
    cell's score, and gives up on the whole notebook when that number exceeds the cell's
    points. The course's test cells are all-or-nothing: a check function that returns
    something (say, the number of cases it ran) must not turn into a score. Such outputs
    become ``display_data`` (same content, still shown in the feedback) before
    SaveAutoGrades runs; errors are untouched, so a failing test still scores zero.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and is_grade(cell) and not is_solution(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "execute_result":
                    output.output_type = "display_data"
                    output.pop("execution_count", None)
        return cell, resources


class TagTestCells(NbGraderPreprocessor):
    """Release step: tag every autograded test cell ``raises-exception``.

    A learner who runs the whole notebook (Run All in JupyterLab or Notebook 7, or nbclient)
    then goes on past an unfinished or failing exercise instead of stopping at its check:
    the tag tells the front ends and nbclient that an error in that cell is expected. The
    cell still has its error output, so nbgrader scores it zero as before. Tags are not
    part of nbgrader's cell checksums.
    """

    tag = "raises-exception"

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            tags = list(cell.metadata.get("tags", []))
            if self.tag not in tags:
                cell.metadata["tags"] = tags + [self.tag]
        return cell, resources


HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[ \t]*\n?",
                          re.M | re.S)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# The words of optimlab_hide's errors (a reference answer, or a call that computes one,
# refused while the notebook is graded).
GRADED_OFF = "not available while the notebook is graded"
DEMO_NOTE = ("[not run while graded] This cell uses the library's own answer to an exercise of this "
             "notebook, which is switched off while notebooks are graded so that no answer can call it. "
             "It runs in your copy of the notebook, and it does not count towards the grade.\n")


def for_learners(nb):
    """The autograded notebook as the feedback shows it: hidden tests replaced by a note,
    traceback frames inside the library or Python's installation left out, the grader's
    own paths removed. A demo cell that stopped because a reference answer is switched off
    during grading gets a short note instead of the error: it is no mistake of the learner's
    (an answer cell that calls the reference keeps its error)."""
    lib = str(Path(__file__).resolve().parents[1])
    roots = tuple({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}) + (lib,)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            cell.source = HIDDEN_TESTS.sub("# (hidden tests: run by the grader)\n", cell.source)
        outputs = cell.get("outputs", [])
        for k, out in enumerate(outputs):
            if out.get("output_type") != "error":
                continue
            if not meta.get("solution") and not meta.get("grade") and GRADED_OFF in str(out.get("evalue", "")):
                outputs[k] = NotebookNode(output_type="stream", name="stderr", text=DEMO_NOTE)
                continue
            frames = out.get("traceback", [])
            keep = [f for f in frames if not any(r in ANSI.sub("", f) for r in roots)]
            if len(keep) < len(frames):
                keep.insert(min(1, len(keep)), "(frames inside the library left out)")
            out["traceback"] = [f.replace(lib + os.sep, "") for f in keep]
    return nb


class ForLearners(NbGraderPreprocessor):
    """Feedback step (after nbgrader's GetGrades): the notebook as a learner may read it.

    ``for_learners`` above: hidden tests replaced by a note, library and Python frames left
    out of tracebacks, the grader's paths removed. The grader applies it to the copy it
    makes the feedback from; as a feedback preprocessor it also covers every other route to
    a feedback page (``nbgrader generate_feedback`` or the formgrader's "Generate feedback"
    on ``workspace/autograded/``, which keeps the hidden tests for the instructor).
    """

    def preprocess(self, nb, resources):
        return for_learners(nb), resources


class NameExercises(NbGraderPreprocessor):
    """Feedback step (after nbgrader's GetGrades): name each exercise for the feedback page.

    nbgrader's feedback index lists "Test cell (Score: 0.0 / 2.0)" per graded cell. The
    course's template (``autograder/templates/optimlab_feedback``) lists exercises instead,
    from what this puts into ``resources["optimlab"]``:

    * ``exercises``: one dict per exercise in notebook order (an answer cell and the test
      cells after it, as ``optimlab_grader.exercise_map`` groups them): ``number``, ``name``,
      ``anchor``, ``score``, ``points``, ``points_text`` ("0 / 2 points"), ``result``
      (passed, partial, failed, timed out, kernel died, not run: as in grades_by_exercise.csv),
      ``headline`` (the first line of the error that explains the result) and ``likely``
      (its "Likely mistake: ..." paragraph, if any);
    * ``mathjax_js``: MathJax 3 (tex-svg-full.js from django-static-mathjax) to embed, so
      the page's formulas render without network, in a page that travels alone (nbgrader's
      ``release_feedback`` copies only the HTML file). About 2.3 MB per page; set
      ``NameExercises.mathjax`` to a URL (``mathjax_url``) to link MathJax instead.

    Each cell of an exercise gets ``metadata.optimlab``: number, name, anchor, role ("your
    answer" or "check") and ``first`` on the exercise's first cell (the index links there).
    """

    mathjax = Unicode("inline", help="'inline' (embed MathJax 3) or the URL of tex-svg-full.js").tag(config=True)
    # configurable as in nbgrader's GetGrades (nbconvert passes it to every preprocessor)
    display_data_priority = List(["text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png",
                                  "image/jpeg", "text/plain"]).tag(config=True)

    def preprocess(self, nb, resources):
        import optimlab_grader as g  # the same grouping and results as the CSV reports

        owner, order = g.exercise_map(nb)
        exercises = {ex: g.Exercise(ex) for ex in order}
        comments = {}
        for cell in nb.cells:
            meta = g.nbgrader_meta(cell)
            gid = meta.get("grade_id")
            if gid in owner:
                ex = exercises[owner[gid]]
                ex.score += float(meta.get("score") or 0.0)
                ex.max_score += float(meta.get("points") or 0.0)
                ex.test_cells.append(gid)
            comment = str(meta.get("comment") or "").strip()
            if gid in exercises and comment and comment != "No response.":
                comments[gid] = f"comment-{gid}"
        g._read_errors(nb, owner, exercises, [], [])
        number = {ex: i + 1 for i, ex in enumerate(order)}
        anchor = {ex: "exercise-" + re.sub(r"[^A-Za-z0-9_-]", "-", ex) for ex in order}
        seen, current = set(), None
        for cell in nb.cells:
            meta = g.nbgrader_meta(cell)
            gid = meta.get("grade_id")
            if meta.get("solution") and not meta.get("grade"):
                current = gid
            ex = owner.get(gid) or (gid if gid is not None and gid == current and gid in exercises else None)
            if ex is None:
                continue
            cell.metadata["optimlab"] = {
                "number": number[ex], "name": ex, "anchor": anchor[ex], "first": ex not in seen,
                "role": "check" if gid in owner and not meta.get("solution") else "your answer"}
            seen.add(ex)
        listed = []
        for ex in order:
            e = exercises[ex]
            headline, likely = brief(e)
            unit = "point" if e.max_score == 1 else "points"
            listed.append({"number": number[ex], "name": ex, "anchor": anchor[ex], "score": e.score,
                           "points": e.max_score, "points_text": f"{e.score:g} / {e.max_score:g} {unit}",
                           "result": e.result, "headline": headline, "likely": likely,
                           "comment_anchor": comments.get(ex)})
        resources["optimlab"] = {"exercises": listed, **self._mathjax()}
        return nb, resources

    def _mathjax(self) -> dict:
        if self.mathjax != "inline":
            return {"mathjax_url": self.mathjax}
        try:
            import mathjax  # django-static-mathjax: MathJax's own distribution
        except ImportError:
            self.log.warning("django-static-mathjax is not installed: the feedback links MathJax from a CDN")
            return {}
        path = os.path.join(os.path.dirname(mathjax.__file__), "static", "mathjax", "es5", "tex-svg-full.js")
        try:
            with open(path, encoding="utf-8") as f:
                js = f.read()
        except OSError:
            return {}
        if re.search(r"</?script", js, re.I):  # could end the page's <script> element early
            return {}
        return {"mathjax_js": js}


def brief(exercise) -> tuple[str, str]:
    """(headline, likely mistake) of the error that explains an exercise's result: the first
    line of the message (with its wrapped continuation lines) and its "Likely mistake" paragraph."""
    e = exercise.main_error
    if e is None:
        return "", ""
    ename, evalue = e["ename"], str(e["evalue"] or "")
    if ename == "NotImplementedError" and not evalue.strip():
        return "not done yet: replace `raise NotImplementedError()` with your code", ""
    lines = evalue.strip().splitlines() or [""]
    paragraphs, current = [], []
    for line in lines:
        if current and line.startswith("    ") and line.strip():
            current.append(line.strip())  # a wrapped line goes on (details are indented by 2)
        else:
            if current:
                paragraphs.append(" ".join(current))
            current = [line.strip()]
    paragraphs.append(" ".join(current))
    headline = paragraphs[0]
    if ename not in ("ExerciseFailure", "AssertionError") or not headline:
        headline = f"{ename}: {headline}".rstrip(": ")
    likely = next((p for p in paragraphs[1:] if p.startswith("Likely mistake")), "")
    return headline, likely
