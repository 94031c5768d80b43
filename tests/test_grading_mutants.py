"""Wrong implementations score less, and the feedback names the mistake.

For every assignment with an autograder/mutants/<assignment>.py file (format:
autograder/mutants/README.md), every mutant is put into a learner's submission and
graded by the real `nbgrader autograde` (through optimlab_grader.py grade, all mutants
of all assignments in one batch; see nbgrader_helpers.mutant_problems). Each mutated
exercise must lose points and its feedback must contain the mutant's "expect" text.

The harness itself is tested on the demo assignment, including a "mutant" that is in
fact correct, which it must report.
"""
from __future__ import annotations

import os
import sys

import pytest

import nbgrader_helpers as h

sys.path.insert(0, str(h.REPO / "autograder"))
import optimlab_grader as grader  # noqa: E402

pytestmark = pytest.mark.nbgrader

TIMEOUT = int(os.environ.get("OPTIMLAB_TEST_COURSE_TIMEOUT", "60"))
MUTANT_FILES = sorted(h.MUTANTS.glob("[0-9]*.py")) if h.MUTANTS.is_dir() else []
MUTATED = [p.stem for p in MUTANT_FILES]


def exercises_with_tests(assignment: str, source=h.SOLUTIONS) -> list[str]:
    """Answer cells followed by at least one test cell, in notebook order."""
    found = []
    for nb in h.notebooks_of(source / assignment):
        owner, order = grader.exercise_map(h.load_nb(nb))
        found += [ex for ex in order if ex in h.answer_ids(h.load_nb(nb))]
    return found


@pytest.mark.parametrize("path", MUTANT_FILES, ids=lambda p: p.stem)
def test_mutant_file_is_valid(path):
    assert path.stem in h.assignments(), f"{path.name}: no solutions/{path.stem}/"
    mutants = h.load_mutants(path)
    exercises = exercises_with_tests(path.stem)
    counts = {ex: sum(m["exercise"] == ex for m in mutants) for ex in exercises}
    assert all(n >= 8 for n in counts.values()), f"fewer than 8 mutants: {counts}"
    assert {m["exercise"] for m in mutants} <= set(exercises)
    names = [(m["exercise"], m["name"]) for m in mutants]
    assert len(names) == len(set(names)), "mutant names must be unique per exercise"
    assert all(m["expect"].strip() and m["code"].strip() for m in mutants)
    assert all(m.get("pending") in (None, "not named", "not caught") for m in mutants)


def graded_now(mutants: list[dict]) -> list[dict]:
    """The mutants as the checks handle them now (their "pending" key, kept up to date by
    tests/test_catalogue.py): a "not caught" one is left out, a "not named" one must still lose
    points but its feedback need not contain `expect` yet."""
    return [dict(m, expect="") if m.get("pending") == "not named" else m
            for m in mutants if m.get("pending") != "not caught"]


@pytest.fixture(scope="session")
def course_mutants(tmp_path_factory):
    if not MUTANT_FILES:
        return {}, {}
    mutants = {p.stem: graded_now(h.load_mutants(p)) for p in MUTANT_FILES if p.stem in h.assignments()}
    return h.mutant_problems(mutants, h.SOLUTIONS, tmp_path_factory.mktemp("mutants"),
                             timeout=TIMEOUT)


@pytest.mark.parametrize("assignment", MUTATED)
def test_mutants_score_less(course_mutants, assignment):
    problems, _ = course_mutants
    assert assignment in problems, f"no solutions/{assignment}/ to apply the mutants to"
    assert problems[assignment] == []


def test_harness_on_demo(tmp_path):
    h.write_demo_assignment(tmp_path / "solutions")
    mutants = h.demo_mutants()
    # Not a mutant at all: an equivalent correct implementation must be reported.
    mutants.append({"exercise": "ex_gd_step", "name": "correct after all",
                    "code": "def gd_step(w, g, lr):\n    return w - g * lr\n",
                    "expect": "must return"})
    problems, stats = h.mutant_problems({h.DEMO_ID: mutants}, tmp_path / "solutions",
                                        tmp_path / "work", timeout=h.TEST_TIMEOUT)
    assert problems == {h.DEMO_ID: [
        "ex_gd_step / correct after all: scored full marks (2/2); "
        "the tests do not catch this mistake"]}
    # round 1: 4 submissions (4 mutants of ex_gd_step, 3 of the others); only the
    # correct one failed there and was graded again on its own
    assert stats == {"round1": 4, "retried": 1}


def test_batches_put_mutant_k_of_every_exercise_together():
    ms = h.demo_mutants()
    batches = h.build_mutant_batches(ms + [dict(ms[0], name="extra")])
    assert len(batches) == 4
    assert [sorted(b) for b in batches] == [["ex_gd_step", "ex_momentum", "ex_sigmoid"]] * 3 \
        + [["ex_gd_step"]]
    assert batches[1]["ex_sigmoid"]["name"] == "tanh instead"


def test_judge_mutant():
    m = {"exercise": "ex", "name": "n", "expect": "forgot beta", "code": ""}
    assert h.judge_mutant({"score": "0", "max_score": "5",
                           "feedback": "AssertionError: you forgot beta"}, m) is None
    assert "full marks" in h.judge_mutant({"score": "5", "max_score": "5", "feedback": ""}, m)
    assert "does not contain" in h.judge_mutant(
        {"score": "1", "max_score": "5", "feedback": "NameError"}, m)
    assert "no grade" in h.judge_mutant(None, m)
