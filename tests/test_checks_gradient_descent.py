"""The checks of notebook 02 (gd_step, run_gd).

The right answer passes the visible and hidden checks; each typical wrong answer,
written the way a learner would write it, fails with the hint that names its mistake.
"""
import itertools

import numpy as np
import pytest

from optimlab.checks import ExerciseFailure
from optimlab.checks import gradient_descent as C


def _unimplemented(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------------------
# gd_step
# ---------------------------------------------------------------------------

def gd_right(w, g, lr):
    return w - lr * g


def gd_in_place(w, g, lr):
    w -= lr * g
    return w


WRONG_GD_STEPS = {
    "ascent": (lambda w, g, lr: w + lr * g, "moves against the gradient"),
    "no lr": (lambda w, g, lr: w - g, "learning rate is missing"),
    "no g": (lambda w, g, lr: w - lr, "gradient is missing"),
    "returns step": (lambda w, g, lr: -lr * g, "returned the step"),
    # On the first, 1-D case w - lr * g / |g| equals w - lr: both possible mistakes are named.
    "normalised g": (lambda w, g, lr: w - lr * g / np.linalg.norm(g), "gradient was normalised"),
    "in place": (gd_in_place, "modified its input `w` in place"),
    "no return": (lambda w, g, lr: None, "forget the `return`"),
}


@pytest.mark.parametrize("hidden", [False, True])
def test_gd_step_right_answer_passes(hidden, capsys):
    assert C.check_gd_step(gd_right, hidden=hidden) is None  # a number would be read as partial credit
    assert f"({16 if hidden else 7} steps checked)" in capsys.readouterr().out


@pytest.mark.parametrize("name", list(WRONG_GD_STEPS))
def test_gd_step_wrong_answer_is_named(name):
    fn, hint = WRONG_GD_STEPS[name]
    with pytest.raises(ExerciseFailure, match="gd_step, case") as info:
        C.check_gd_step(fn)
    assert hint in str(info.value), str(info.value)


# ---------------------------------------------------------------------------
# run_gd
# ---------------------------------------------------------------------------

def run_right(grad_fn, w0, lr, steps):
    w = np.array(w0, dtype=float)
    traj = [w]
    for _ in range(steps):
        w = w - lr * grad_fn(w)
        traj.append(w)
    return np.array(traj)


def run_preallocated(grad_fn, w0, lr, steps):
    """Another right answer: a preallocated array and the library's gd_step."""
    from optimlab import gd_step
    traj = np.zeros((steps + 1,) + np.shape(w0))
    traj[0] = w0
    for t in range(steps):
        traj[t + 1] = gd_step(traj[t], grad_fn(traj[t]), lr)
    return traj


def run_no_start(grad_fn, w0, lr, steps):
    w, traj = np.array(w0, float), []
    for _ in range(steps):
        w = w - lr * grad_fn(w)
        traj.append(w)
    return np.array(traj)


def run_one_too_few(grad_fn, w0, lr, steps):
    w, traj = np.array(w0, float), [np.array(w0, float)]
    for _ in range(steps - 1):
        w = w - lr * grad_fn(w)
        traj.append(w)
    return np.array(traj)


def run_one_too_many(grad_fn, w0, lr, steps):
    w, traj = np.array(w0, float), [np.array(w0, float)]
    for _ in range(steps + 1):
        w = w - lr * grad_fn(w)
        traj.append(w)
    return np.array(traj)


def run_never_updates(grad_fn, w0, lr, steps):
    w, traj = np.array(w0, float), [np.array(w0, float)]
    for _ in range(steps):
        w_new = w - lr * grad_fn(w)  # computed but never assigned back to w
        traj.append(w.copy())
    return np.array(traj)


def run_mutates_w0(grad_fn, w0, lr, steps):
    w = w0
    traj = [w0.copy()]
    for _ in range(steps):
        w -= lr * grad_fn(w)
        traj.append(w.copy())
    return np.array(traj)


def run_plus(grad_fn, w0, lr, steps):
    w, traj = np.array(w0, float), [np.array(w0, float)]
    for _ in range(steps):
        w = w + lr * grad_fn(w)
        traj.append(w)
    return np.array(traj)


def run_same_object(grad_fn, w0, lr, steps):
    w = np.array(w0, dtype=float)
    traj = [w]
    for _ in range(steps):
        w -= lr * grad_fn(w)
        traj.append(w)
    return np.array(traj)


def run_frozen_gradient(grad_fn, w0, lr, steps):
    w, traj, g = np.array(w0, float), [np.array(w0, float)], grad_fn(w0)
    for _ in range(steps):
        w = w - lr * g
        traj.append(w)
    return np.array(traj)


def run_list(grad_fn, w0, lr, steps):
    return list(run_right(grad_fn, w0, lr, steps))


def run_flat(grad_fn, w0, lr, steps):
    return np.concatenate([np.atleast_1d(r) for r in run_right(grad_fn, w0, lr, steps)])


WRONG_RUNS = {
    "missing start": (run_no_start, "the start w0 is missing"),
    "one too few": (run_one_too_few, "one step too few"),
    "one too many": (run_one_too_many, "one row too many"),
    "never updates": (run_never_updates, "w never changes"),
    "mutates w0": (run_mutates_w0, "`w = w0` does not copy"),
    "plus": (run_plus, "gradient ascent"),
    "same object": (run_same_object, "every row is the final w"),
    "frozen gradient": (run_frozen_gradient, "computed once at w0"),
    "list": (run_list, "not a numpy array"),
    "flattened": (run_flat, "np.array(list_of_w) stacks the w_t along a NEW first axis"),
    "no return": (lambda grad_fn, w0, lr, steps: None, "forget the `return`"),
}


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("fn", [run_right, run_preallocated, C.reference_run_gd])
def test_run_gd_right_answers_pass(fn, hidden, capsys):
    assert C.check_run_gd(fn, hidden=hidden) is None
    assert f"all {6 if hidden else 2} cases passed" in capsys.readouterr().out


@pytest.mark.parametrize("name", list(WRONG_RUNS))
def test_run_gd_wrong_answer_is_named(name):
    fn, hint = WRONG_RUNS[name]
    with pytest.raises(ExerciseFailure, match="run_gd, case") as info:
        C.check_run_gd(fn)
    assert hint in str(info.value), str(info.value)


@pytest.mark.parametrize("check", [C.check_gd_step, C.check_run_gd])
def test_unimplemented_says_so(check):
    with pytest.raises(ExerciseFailure, match="not implemented yet"):
        check(_unimplemented)


def test_run_gd_reference_matches_the_closed_form():
    """x_t = 5 (1 - 2 lr)^t on f(x) = x^2: the formula derived in the notebook."""
    traj = C.reference_run_gd(lambda x: 2 * x, np.array(5.0), 0.1, 100)
    assert traj.shape == (101,)
    np.testing.assert_allclose(traj, 5 * 0.8 ** np.arange(101), rtol=1e-12)
    assert traj[-1] == pytest.approx(1.0185e-9, rel=1e-4)  # 5 * 0.8**100


def test_run_gd_reference_leaves_w0_alone_and_keeps_its_shape():
    w0 = np.array([[1.0, 2.0, 3.0]])
    traj = C.reference_run_gd(lambda w: w, w0, 0.5, 3)
    assert traj.shape == (4, 1, 3)
    np.testing.assert_array_equal(w0, [[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(traj[:, 0, 0], [1.0, 0.5, 0.25, 0.125])


def test_run_gd_failure_says_which_case_and_shows_rows():
    with pytest.raises(ExerciseFailure) as info:
        C.check_run_gd(run_no_start)
    msg = str(info.value)
    assert "f(x) = x^2 from x0 = [5.0]" in msg and "shape (10, 1) but should have shape (11, 1)" in msg


def test_run_gd_len_of_a_0d_start_gets_a_hint():
    def uses_len(grad_fn, w0, lr, steps):
        traj = np.zeros((steps + 1, len(w0)))
        traj[0] = w0
        for t in range(steps):
            traj[t + 1] = traj[t] - lr * grad_fn(traj[t])
        return traj

    with pytest.raises(ExerciseFailure, match=r"any shape: build the trajectory with np.zeros\(\(steps \+ 1,\)"):
        C.check_run_gd(uses_len, hidden=True)


def test_run_gd_variants_differ_on_every_case():
    """Each known mistake changes the numbers of every case, differently from the others."""
    for case in C._run_cases(hidden=True):
        if case.inputs["steps"] <= 1:
            continue  # these cases are about the number of rows; one step cannot tell a frozen gradient
        args = case.inputs
        outs = [(None, C.reference_run_gd(**args))] + [(v.hint, v.fn(*args.values())) for v in C._RUN_VARIANTS]
        for (ha, a), (hb, b) in itertools.combinations(outs, 2):
            assert not np.allclose(a, b), f"case {case.label}: {ha!r} and {hb!r} coincide"


def test_hidden_case_labels_show_plain_shapes():
    # A learner reads these labels in the feedback: "(2, 3)", not "(np.int64(2), np.int64(3))".
    from optimlab.checks.gradient_descent import _gd_cases
    labels = [c.label for c in _gd_cases(True)]
    assert any(label.startswith("random shape (") for label in labels)
    assert not any("np.int64" in label for label in labels)
