"""The checking engine: messages name the case, the step, the values and the likely mistake."""
import numpy as np
import pytest

from optimlab.checks import Case, ExerciseFailure, Variant, check_function, check_steps, implemented_or_reference


def ref_step(w, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    return w - lr * v, v


VARIANTS = [Variant(lambda w, v, g, lr, beta: (w - lr * (beta * v + g), beta * v + g), "beta*v + g instead of ...")]


def cases():
    return [Case("two coords", {"w": np.array([1.0, -1.0]), "v": np.array([0.5, 0.2]), "g": None, "lr": 0.1,
                                "beta": 0.8}, steps=3, grad=lambda w: 2 * w)]


def test_correct_function_passes_and_counts_steps(capsys):
    # None, not a count: nbgrader would read a number shown by a test cell as partial credit
    assert check_steps(ref_step, ref_step, cases(), exercise="demo", returns=("w", "v")) is None
    assert "all 1 cases passed (3 steps checked)" in capsys.readouterr().out


def test_known_variant_is_named_with_expected_and_got():
    def wrong(w, v, g, lr, beta):
        v = beta * v + g
        return w - lr * v, v

    with pytest.raises(ExerciseFailure) as info:
        check_steps(wrong, ref_step, cases(), exercise="demo", returns=("w", "v"), variants=VARIANTS)
    msg = str(info.value)
    # step 1 from w=[1,-1], v=[.5,.2], g=[2,-2]: v = .8*.5 + .2*2 = 0.8, w = 1 - 0.08 = 0.92
    assert "case two coords, step 1 of 3" in msg and "0.92" in msg
    assert "Likely mistake: beta*v + g instead of ..." in msg


def test_error_in_a_later_step_points_at_the_state():
    def drops_state(w, v, g, lr, beta):
        v0 = np.array([0.5, 0.2])  # always uses the first state: right at step 1 only
        v = beta * v0 + (1 - beta) * g
        return w - lr * v, v

    with pytest.raises(ExerciseFailure, match=r"step 2 of 3[\s\S]*state"):
        check_steps(drops_state, ref_step, cases(), exercise="demo", returns=("w", "v"))


@pytest.mark.parametrize("fn, text", [
    (lambda w, v, g, lr, beta: None, "did you forget the `return`"),
    (lambda w, v, g, lr, beta: w, "must return a tuple (w, v)"),
    (lambda w, v, g, lr, beta: (w, v, g), "returned 3 items"),
    (lambda w, v, g, lr, beta: (w.sum(), v), "has shape () but should have shape (2,)"),
])
def test_structure_problems(fn, text):
    with pytest.raises(ExerciseFailure, match=".*") as info:
        check_steps(fn, ref_step, cases(), exercise="demo", returns=("w", "v"))
    assert text in str(info.value)


def test_in_place_modification_is_named():
    def inplace(w, v, g, lr, beta):
        v *= beta
        v += (1 - beta) * g
        return w - lr * v, v

    with pytest.raises(ExerciseFailure, match="modified its input `v` in place"):
        check_steps(inplace, ref_step, cases(), exercise="demo", returns=("w", "v"))


def test_unimplemented_and_crashing_functions():
    def todo(*a):
        raise NotImplementedError()

    def crash(w, v, g, lr, beta):
        return w - lr * undefined_name  # noqa: F821

    with pytest.raises(ExerciseFailure, match="not implemented yet"):
        check_steps(todo, ref_step, cases(), exercise="demo", returns=("w", "v"))
    with pytest.raises(ExerciseFailure, match="raised NameError: name 'undefined_name' is not defined"):
        check_steps(crash, ref_step, cases(), exercise="demo", returns=("w", "v"))


def test_check_function_reports_case_and_variant():
    ref = lambda x: np.mean(x ** 2)  # noqa: E731
    variants = [Variant(lambda x: np.sum(x ** 2), "sum instead of mean")]
    cs = [Case("three values", {"x": np.array([1.0, 2.0, 3.0])})]
    assert check_function(ref, ref, cs, exercise="mse", quiet=True) is None
    with pytest.raises(ExerciseFailure, match=r"(?s)expected: 4.666666667.*got:      14.*sum instead of mean"):
        check_function(lambda x: np.sum(x ** 2), ref, cs, exercise="mse", variants=variants)


def test_demo_fallback_uses_reference_and_says_so(capsys):
    def todo(w, g, lr):
        raise NotImplementedError()

    def mine(w, g, lr):
        return w - lr * g

    def reference(w, g, lr):
        return w - lr * g

    assert implemented_or_reference(todo, reference, 1.0, 1.0, 0.1) is reference
    assert "not implemented yet" in capsys.readouterr().out
    assert implemented_or_reference(mine, reference, 1.0, 1.0, 0.1) is mine
