"""Wrong implementations score less, and the feedback names the mistake.

For every assignment with an autograder/mutants/<assignment>.py file (format:
autograder/mutants/README.md), every mutant is put into a learner's submission and
graded by the real `nbgrader autograde` (through optimlab_grader.py grade, all mutants
of all assignments in one batch; see nbgrader_helpers.mutant_problems). Each mutated
exercise must lose points and its feedback must contain the mutant's "expect" text.

The COMPOSITE entries (a right run_gd / train_sgd whose helper is wrong) are graded too: the
composite exercise must get full marks and the wrong helper lose its points.

The harness itself is tested on the demo assignment, including a "mutant" that is in
fact correct, which it must report.
"""
from __future__ import annotations

import os
import sys

import pytest

import nbgrader_helpers as h
import mutant_catalogue

sys.path.insert(0, str(h.REPO / "autograder"))
import optimlab_grader as grader  # noqa: E402

pytestmark = pytest.mark.nbgrader

TIMEOUT = int(os.environ.get("OPTIMLAB_TEST_COURSE_TIMEOUT", "60"))
MUTANT_FILES = sorted(h.MUTANTS.glob("[0-9]*.py")) if h.MUTANTS.is_dir() else []
MUTATED = [p.stem for p in MUTANT_FILES]
# How many wrong answers per exercise go through the real nbgrader pipeline (the first ones of each
# exercise's list; "all" for every one). tests/test_catalogue.py runs EVERY wrong answer through the same
# checks in-process and asserts each is named; this test proves that the pipeline (sandbox, trusted test
# cells, feedback) turns them into lost points with that feedback, which a sample shows as well as all
# of them at a fraction of the time (each submission is a sandboxed kernel).
PER_EXERCISE = os.environ.get("OPTIMLAB_MUTANTS_PER_EXERCISE", "4")


def sample(mutants: list[dict], per_exercise: str = PER_EXERCISE) -> list[dict]:
    if per_exercise == "all":
        return mutants
    k, seen, out = int(per_exercise), {}, []
    for m in mutants:
        seen[m["exercise"]] = seen.get(m["exercise"], 0) + 1
        if seen[m["exercise"]] <= k:
            out.append(m)
    return out


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


# Exercises whose feedback under the real grader does not name the mistakes yet although the
# in-process checks do (tests/test_catalogue.py): (assignment, exercise) -> why. Their mutants must
# still lose points. Remove an entry when the grader names them.
NBGRADER_NOT_NAMED_YET: dict = {}


def graded_now(mutants: list[dict], assignment: str = "") -> list[dict]:
    """The mutants as the checks handle them now (their "pending" key, kept up to date by
    tests/test_catalogue.py): a "not caught" one is left out, a "not named" one (or one of an
    exercise in NBGRADER_NOT_NAMED_YET) must still lose points but its feedback need not contain
    `expect` yet."""
    return [dict(m, expect="") if m.get("pending") == "not named"
            or (assignment, m["exercise"]) in NBGRADER_NOT_NAMED_YET else m
            for m in mutants if m.get("pending") != "not caught"]


@pytest.fixture(scope="session")
def course_mutants(tmp_path_factory):
    if not MUTANT_FILES:
        return {}, {}
    mutants = {p.stem: sample(graded_now(h.load_mutants(p), p.stem)) for p in MUTANT_FILES
               if p.stem in h.assignments()}
    return h.mutant_problems(mutants, h.SOLUTIONS, tmp_path_factory.mktemp("mutants"),
                             timeout=TIMEOUT)


@pytest.mark.parametrize("assignment", MUTATED)
def test_mutants_score_less(course_mutants, assignment):
    problems, _ = course_mutants
    assert assignment in problems, f"no solutions/{assignment}/ to apply the mutants to"
    assert problems[assignment] == []


def composites() -> dict[str, list[dict]]:
    """COMPOSITE entries (a right answer whose helper is wrong) per assignment."""
    found = {}
    for path in MUTANT_FILES:
        if path.stem not in h.assignments():
            continue
        module = mutant_catalogue.load(path.stem)
        entries = [c for c in getattr(module, "COMPOSITE", []) if c.get("pending") != "composite"]
        if entries:
            found[path.stem] = entries
    return found


# Composite checks that the real grader does not pass yet (in-process they do): assignment -> why.
# Remove an entry when its test XPASSes.
COMPOSITE_NOT_YET: dict = {}


@pytest.mark.parametrize("assignment", [
    pytest.param(a, marks=[pytest.mark.xfail(strict=False, reason=COMPOSITE_NOT_YET[a])] if a in COMPOSITE_NOT_YET
                 else []) for a in sorted(composites())])
def test_composites_get_their_points(tmp_path, assignment):
    """A right composite answer (run_gd, train_sgd, ...) with a wrong helper gets full marks from
    the real nbgrader, and the helper loses its points: one bug costs one exercise, not two.
    (Their messages are checked in-process by tests/test_catalogue.py: a passing test cell's
    output is not in nbgrader's grade rows.)"""
    entries = composites()[assignment]
    release = grader.fresh_release(h.SOLUTIONS, [assignment], tmp_path / "release_tmp")
    subs, jobs = tmp_path / "submissions", []
    for k, entry in enumerate(entries):
        student = f"c{k:02d}"
        repl = dict(entry["helper_broken"])
        if entry.get("code"):
            repl[entry["exercise"]] = entry["code"]
        for nb_path in h.notebooks_of(h.SOLUTIONS / assignment):
            solution = h.load_nb(nb_path)
            mine = {ex: code for ex, code in repl.items() if ex in h.answer_ids(solution)}
            h.write_submission(subs, student, assignment, nb_path.stem,
                               h.fill_answers(h.load_nb(release / assignment / nb_path.name), solution, mine))
        jobs.append((student, entry))
    rows = h.grade_in_shards(subs, tmp_path / "ws", "--source", h.SOLUTIONS, "--timeout", TIMEOUT,
                             "--no-feedback", "--quiet")
    got = {(r["student_id"], r["exercise"]): r for r in rows["grades_by_exercise"]
           if r["assignment_id"] == assignment}
    problems = []
    for student, entry in jobs:
        row = got.get((student, entry["exercise"]))
        if row is None or float(row["score"]) < float(row["max_score"]):
            problems.append(f"{entry['name']}: {entry['exercise']} scored {row and row['score']}/"
                            f"{row and row['max_score']} ({row and row['message'][:400]})")
        for helper in entry["helper_broken"]:
            hrow = got.get((student, helper))
            if hrow is None or not float(hrow["score"]) < float(hrow["max_score"]):
                problems.append(f"{entry['name']}: the wrong {helper} did not lose points")
    assert problems == []


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


def test_sample_keeps_the_first_of_each_exercise():
    ms = [{"exercise": e, "name": str(i)} for i, e in enumerate("aaabbbbbc")]
    assert [m["name"] for m in sample(ms, "2")] == ["0", "1", "3", "4", "8"]
    assert sample(ms, "all") == ms
