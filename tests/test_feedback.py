"""The feedback page a learner gets, made by the real pipeline and read in a real browser.

One submission of notebook 04 (the whole course notebook, with its formulas and figures) is
graded by `optimlab_grader.py grade` (sandbox, checks in the grader's process, nbgrader's
generate_feedback with the course's template, autograder/templates/feedback/): `ema` right,
`momentum_step` with beta and 1 - beta swapped, `heavy_ball_step` not done, and a very long line
in an answer cell. The feedback HTML must

* list each exercise in its index, by number and name, with its points and result, as
  grades_by_exercise.csv has them, and the likely mistake of the failing one;
* link each entry to that exercise's cells, which are headed with its name;
* show no hidden test, no path of the grader's machine, no library frame;
* render its formulas with no network (MathJax embedded) and wrap long lines: checked in
  headless Chromium with every request that is not a file of the page refused. A screenshot of
  the top of the page is kept in tests/artifacts/feedback_04_momentum.png.
"""
from __future__ import annotations

import html as html_lib
import os
import re
import shutil
from html.parser import HTMLParser

import pytest

import nbgrader_helpers as h

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "04_momentum"
TIMEOUT = int(os.environ.get("OPTIMLAB_TEST_COURSE_TIMEOUT", "60"))
LONG_LINE = "# " + " ".join(["a-very-long-comment-that-must-wrap"] * 12)


def _mutant(exercise: str, name: str) -> str:
    return next(m["code"] for m in h.load_mutants(h.MUTANTS / f"{ASSIGNMENT}.py")
                if m["exercise"] == exercise and m["name"] == name)


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    work = tmp_path_factory.mktemp("feedback")
    solution = h.load_nb(h.SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    release = h.load_nb(h.COURSE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    unanswered = {c.metadata["nbgrader"]["grade_id"]: c.source for c in release.cells if h._is_answer(c)}
    ema = h.solution_code(next(c.source for c in solution.cells if h._is_answer(c)
                               and c.metadata["nbgrader"]["grade_id"] == "ema"))
    nb = h.fill_answers(release, solution, {
        "ema": LONG_LINE + "\n" + ema,
        "momentum_step": _mutant("momentum_step", "beta and 1-beta swapped"),
        "heavy_ball_step": unanswered["heavy_ball_step"]})
    h.write_submission(work / "in", "alice", ASSIGNMENT, ASSIGNMENT, nb)
    h.run_grader("grade", work / "in", "--workspace", work / "ws", "--timeout", TIMEOUT, "--quiet")
    path = work / "ws" / "feedback" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    rows = {r["exercise"]: r for r in h.read_csv(work / "ws" / "exports" / "grades_by_exercise.csv")}
    return path, path.read_text(), rows


class _Index(HTMLParser):
    """The entries of the page's index (ul.optimlab-index > li): text and link target."""

    def __init__(self):
        super().__init__()
        self.entries, self.depth, self.anchors = [], 0, set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("name"):
            self.anchors.add(attrs["name"])
        if tag == "ul" and "optimlab-index" in (attrs.get("class") or ""):
            self.depth = 1
        elif self.depth:
            if tag == "ul":
                self.depth += 1
            if tag == "li" and self.depth == 1:
                self.entries.append({"text": "", "href": None, "class": attrs.get("class", "")})
            if tag == "a" and self.entries and self.entries[-1]["href"] is None:
                self.entries[-1]["href"] = attrs.get("href")

    def handle_endtag(self, tag):
        if self.depth and tag == "ul":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.entries:
            self.entries[-1]["text"] += data


def _index(text: str) -> _Index:
    parser = _Index()
    parser.feed(text)
    for e in parser.entries:
        e["text"] = " ".join(e["text"].split())
    return parser


def test_index_names_each_exercise_with_its_points(feedback):
    _, text, rows = feedback
    index = _index(text)
    got = [e["text"] for e in index.entries]
    assert len(got) == 3, got
    assert got[0] == "Exercise 1: ema — 2 / 2 points, passed"
    assert got[1].startswith("Exercise 2: momentum_step — 0 / 2 points, failed momentum_step, case ")
    assert "Likely mistake: beta and 1 - beta are swapped" in got[1]
    assert got[2].startswith("Exercise 3: heavy_ball_step — 0 / 1 point, failed heavy_ball_step: not "
                             "implemented yet"), got[2]
    # the same points and results as the CSV report
    for entry, name in zip(index.entries, ("ema", "momentum_step", "heavy_ball_step")):
        row = rows[name]
        assert f"— {float(row['score']):g} / {float(row['max_score']):g} point" in entry["text"]
        assert f", {row['result']}" in entry["text"]
        assert entry["class"] == f"optimlab-{row['result']}"
    # each entry links to its exercise; the cells are headed with the exercise's name
    assert [e["href"] for e in index.entries] == ["#exercise-ema", "#exercise-momentum_step",
                                                  "#exercise-heavy_ball_step"]
    assert {"exercise-ema", "exercise-momentum_step", "exercise-heavy_ball_step"} <= index.anchors
    labels = [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", m)).split())
              for m in re.findall(r'<span class="nbgrader-label">(.*?)</span>', text)]
    assert labels == ["Exercise 1: ema, your answer", "Exercise 1: ema, check",
                      "Exercise 2: momentum_step, your answer", "Exercise 2: momentum_step, check",
                      "Exercise 3: heavy_ball_step, your answer", "Exercise 3: heavy_ball_step, check"]
    assert "Test cell" not in text and "Grade cell" not in text
    assert text.count("Run by the grader:") == 3  # the checks' prompt, in place of "In [ ]:"
    assert "Score: 2.0 / 5.0" in text  # nbgrader's total, in its own words


def test_feedback_shows_no_hidden_tests_paths_or_library_frames(feedback):
    _, text, _ = feedback
    assert "BEGIN HIDDEN TESTS" not in text and "hidden=True" not in text
    assert "# (hidden tests: run by the grader)" in text
    assert str(h.REPO) not in text and "optimlab_remote" not in text
    assert not re.search(r"site-packages|/checks/engine\.py|/tmp/optimlab-job", text)
    assert "Fontconfig error" not in text  # the sandbox's matplotlib finds its fonts quietly


def test_demo_cells_stopped_by_a_hidden_reference_get_a_note_not_an_error(feedback):
    # Notebook 04's demos (the race, the runs of "momentum") use the library's momentum_step,
    # which is switched off while 04 is graded: a short note, not a RuntimeError, since it is
    # no mistake of the learner's.
    _, text, _ = feedback
    plain = html_lib.unescape(re.sub(r"<[^>]+>", "", text))
    assert plain.count("[not run while graded]") >= 3, plain.count("[not run while graded]")
    assert "is the reference answer of an exercise being graded" not in plain
    assert "RuntimeError" not in plain


def test_feedback_made_by_nbgrader_itself_is_as_clean(feedback, tmp_path):
    """The formgrader's "Generate feedback" runs nbgrader's own generate_feedback on the
    instructor's workspace/autograded/ copy, which keeps the hidden tests: the course's
    feedback steps (autograder/nbgrader_config.py) clean that page too."""
    g = h.grader()
    path, _, _ = feedback
    ws = path.parents[3]
    autograded = ws / "autograded" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert "BEGIN HIDDEN TESTS" in autograded.read_text()  # what the instructor keeps
    out = tmp_path / "feedback"
    g.run_nbgrader(["generate_feedback", ASSIGNMENT, "--student", "alice", "--force",
                    f"--CourseDirectory.feedback_directory={out}"], g.Paths(ws, h.SOLUTIONS, ws / "release"))
    text = (out / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "BEGIN HIDDEN TESTS" not in text and "hidden=True" not in text
    assert "# (hidden tests: run by the grader)" in text
    assert str(h.REPO) not in text and not re.search(r"site-packages|/checks/engine\.py", text)
    assert _index(text).entries and [e["text"] for e in _index(text).entries] == \
        [e["text"] for e in _index(feedback[1]).entries]


def test_feedback_needs_no_network(feedback):
    _, text, _ = feedback
    external = re.findall(r'<(?:script|link)[^>]*(?:src|href)="(https?:[^"]*)"', text)
    assert external == []
    assert "MathJax 3 (tex-svg-full.js), embedded" in text


@pytest.mark.browser
def test_feedback_in_chromium_offline(feedback, browser):
    """Formulas typeset and nothing wider than the window, with every non-file request refused."""
    from test_browser import ARTIFACTS

    path, _, _ = feedback
    refused, errors = [], []
    page = browser.new_page(viewport={"width": 1000, "height": 1300})
    try:
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else (refused.append(route.request.url), route.abort()))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri())
        page.wait_for_function("document.querySelectorAll('mjx-container svg').length > 20",
                               timeout=30_000)
        typeset = page.evaluate("document.querySelectorAll('mjx-container').length")
        raw = page.evaluate("document.body.innerText.includes('\\\\frac') || "
                            "document.body.innerText.includes('$$')")
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        wrapped = page.evaluate(
            "(() => { const pre = [...document.querySelectorAll('pre')].find("
            "p => p.textContent.includes('a-very-long-comment-that-must-wrap a-very'));"
            " return pre ? [pre.scrollWidth, pre.clientWidth, pre.getBoundingClientRect().height] : null; })()")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "feedback_04_momentum.png"))
    finally:
        page.close()
    assert refused == [] and errors == []
    assert typeset > 20 and not raw
    assert widths[0] <= widths[1], f"the page is wider than the window: {widths}"
    assert wrapped is not None and wrapped[0] <= wrapped[1] and wrapped[2] > 40, wrapped
    shutil.copy(path, ARTIFACTS / "feedback_04_momentum.html")
