"""The checking engine: messages name the case, the step, the values and the likely mistake."""
import numpy as np
import pytest

from optimlab.checks import Case, ExerciseFailure, Variant, check_function, check_steps, implemented_or_reference
from optimlab.checks.engine import coinciding_variants


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


def _sum_ref(grads, losses):
    return sum(float(np.sum(g)) for g in grads) + max(losses)


def _containers():
    return [Case("a list of two arrays", {"grads": [np.array([1.0, 2.0]), np.array([[3.0], [-4.0]])],
                                          "losses": [0.5, 0.25, 0.75]})]


def _scales_in_place(grads, losses):
    for g in grads:
        g *= 2.0  # the caller's arrays, not copies
    return _sum_ref(grads, losses) / 2


def _sorts_in_place(grads, losses):
    losses.sort()
    return _sum_ref(grads, losses)


def _appends(grads, losses):
    grads.append(np.zeros(1))
    return _sum_ref(grads, losses)


@pytest.mark.parametrize("fn, text", [
    # the right value, but an array inside the list changed: named by its place in the list
    (_scales_in_place, "modified its input `grads[0]` in place"),
    # the list itself changed
    (_sorts_in_place, "changed the list `losses` it was given (for example with `losses.sort()`"),
    (_appends, "changed the list `grads` it was given"),
])
def test_in_place_changes_inside_lists_are_named(fn, text):
    msg = fails_with(fn, _sum_ref, _containers(), returns=("result",))
    assert text in msg, msg


def test_reading_a_list_without_changing_it_passes():
    # sorted() copies, a new array from the list's arrays leaves them alone; NaN equals NaN here
    case = Case("with a NaN loss", {"grads": [np.array([1.0, np.nan])], "losses": [0.5, float("nan"), 0.75]})
    ref = lambda grads, losses: float(np.nansum(grads[0])) + sorted(losses)[0]  # noqa: E731
    fine = lambda grads, losses: float(np.nansum(np.array(grads[0]) * 1.0)) + sorted(list(losses))[0]  # noqa: E731
    assert check_function(fine, ref, [case], exercise="demo", quiet=True) is None


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


# --------------------------------------------------------------------------- automatic diagnosis
# The checks below give the engine no list of wrong variants: each mistake must be named from
# the numbers alone (a relation to the expected value, or a confusion found by re-running the
# reference on altered inputs).

def gd_ref(w, g, lr):
    return w - lr * g


GD_CASE = [Case("three coordinates", {"w": np.array([1.0, -2.0, 0.5]), "g": np.array([0.3, 2.0, -1.5]),
                                      "lr": 0.3})]


def fails_with(fn, reference, case_list, **kw):
    kw.setdefault("returns", ("w",))
    with pytest.raises(ExerciseFailure) as info:
        check_function(fn, reference, case_list, exercise="demo", **kw)
    return str(info.value)


@pytest.mark.parametrize("wrong, words", [
    (lambda w, g, lr: w - 2 * lr * g, "the step) is twice the correct value"),
    (lambda w, g, lr: w + lr * g, "opposite sign"),
    (lambda w, g, lr: w - g, "the learning rate is missing"),
    (lambda w, g, lr: w - lr * lr * g, "extra factor `lr` = 0.3"),
    (lambda w, g, lr: w - 0.1 * g, "`lr` seems hard-coded: the function ignores lr and uses a fixed 0.1"),
    (lambda w, g, lr: w - lr * np.sign(g), "only its sign follows"),
    (lambda w, g, lr: w.copy(), "returned unchanged"),
    (lambda w, g, lr: (w - lr * g)[::-1], "reverse order"),
    (lambda w, g, lr: (w - lr * g)[[1, 0, 2]], "entries [0] and [1] of `w` are swapped"),
    (lambda w, g, lr: w - lr * np.clip(g, -1, 1), "clipped at ±0.3"),
    (lambda w, g, lr: w - lr * g + lr, "off by the same amount 0.3 in every entry: `lr` = 0.3 added"),
])
def test_gd_mistakes_are_named_without_variants(wrong, words):
    assert words in fails_with(wrong, gd_ref, GD_CASE)


def test_sign_of_step_is_named():
    msg = fails_with(lambda w, g, lr: w + lr * g, gd_ref, GD_CASE)
    assert "the change in `w` (new minus old: the step) is the correct value with the opposite sign" in msg


def test_beta_swapped_is_found_by_rerunning_the_reference():
    def swapped(w, v, g, lr, beta):
        v = (1 - beta) * v + beta * g
        return w - lr * v, v

    with pytest.raises(ExerciseFailure) as info:
        check_steps(swapped, ref_step, cases(), exercise="demo", returns=("w", "v"))
    assert "`beta` and `1 - beta` are swapped" in str(info.value)


def adam_like(w, m, g, t, lr, beta):
    m = beta * m + (1 - beta) * g
    return w - lr * m / (1 - beta ** t), m


ADAM_CASE = [Case("adam-like", {"w": np.array([1.0, -2.0]), "m": np.array([0.3, -0.1]), "g": None, "t": 1,
                                "lr": 0.05, "beta": 0.8}, steps=3, grad=lambda w: np.array([0.4, 3.0]) * w)]


def test_step_counter_off_by_one_is_named():
    def t_from_zero(w, m, g, t, lr, beta):
        m = beta * m + (1 - beta) * g
        return w - lr * m / (1 - beta ** (t + 1)), m

    with pytest.raises(ExerciseFailure) as info:
        check_steps(t_from_zero, adam_like, ADAM_CASE, exercise="demo", returns=("w", "m"))
    msg = str(info.value)
    assert "step counter is off by one" in msg and "t = 2 instead of t = 1" in msg
    assert "`m` is right, `w` wrong" in msg


def test_results_in_the_wrong_order_and_exchanged_arguments():
    def order(w, v, g, lr, beta):
        w, v = ref_step(w, v, g, lr, beta)
        return v, w

    def exchanged(w, v, g, lr, beta):
        return ref_step(w, g, v, lr, beta)

    with pytest.raises(ExerciseFailure, match=r"return \(w, v\), in that order"):
        check_steps(order, ref_step, cases(), exercise="demo", returns=("w", "v"))
    with pytest.raises(ExerciseFailure, match="`v` and `g` are exchanged"):
        check_steps(exchanged, ref_step, cases(), exercise="demo", returns=("w", "v"))


def eps_ref(x, eps):
    return x / (np.sqrt(x * x) + eps)


def test_eps_left_out():
    msg = fails_with(lambda x, eps: x / np.sqrt(x * x), eps_ref,
                     [Case("x", {"x": np.array([0.5, -2.0, 3.0]), "eps": 0.1})], returns=("r",))
    assert "eps is missing" in msg


MEAN_CASE = [Case("five values", {"x": np.array([1.0, 2.0, 4.0, 7.0, 11.0])})]


@pytest.mark.parametrize("wrong, words", [
    (lambda x: np.sum(x ** 2), "N = 5 times the correct value (N = len(x)): a sum where the mean belongs"),
    (lambda x: np.sum(x ** 2) / 4, "divide by N, not by N - 1"),
    (lambda x: np.mean(x ** 2) / 5, "divided by N = 5 (N = len(x)) once more"),
    (lambda x: 2 * np.mean(x ** 2), "twice the correct value"),
    (lambda x: np.mean(x ** 2) ** 2, "the square of the correct value"),
    (lambda x: np.sqrt(np.mean(x ** 2)), "the square root of the correct value"),
    (lambda x: -np.mean(x ** 2), "opposite sign"),
    (lambda x: np.mean(x ** 2) + 1, "an off-by-one"),
])
def test_scalar_results_are_related_by_named_factors(wrong, words):
    assert words in fails_with(wrong, lambda x: np.mean(x ** 2), MEAN_CASE, returns=("loss",))


def test_unexplained_difference_says_where():
    def odd(w, g, lr):
        out = w - lr * g
        out[2] += 0.37
        return out

    msg = fails_with(odd, gd_ref, GD_CASE)
    assert "only 1 of the 3 entries of `w` are wrong ([2])" in msg
    assert "Compare your code with the formula" in msg


def test_non_finite_result_is_named():
    msg = fails_with(lambda w, g, lr: w - lr * g / 0.0, gd_ref, GD_CASE)
    assert "is not finite" in msg and "division by zero" in msg


# --------------------------------------------------------------------------- integer and list input

def ema_ref(values, beta):
    out, v = [], 0.0
    for x in np.asarray(values, dtype=float):
        v = beta * v + (1 - beta) * x
        out.append(v)
    return np.array(out)


EMA_CASE = [Case("whole numbers", {"values": np.array([2.0, 3.0, 5.0, 7.0]), "beta": 0.8})]


def test_integer_input_truncated_by_zeros_like():
    def zeros_like(values, beta):
        out, v = np.zeros_like(values), 0.0
        for i, x in enumerate(values):
            v = beta * v + (1 - beta) * x
            out[i] = v
        return out

    msg = fails_with(zeros_like, ema_ref, EMA_CASE, returns=("v",))
    assert "with `values` given as integers (values=[2, 3, 5, 7])" in msg
    assert "np.zeros_like(x)" in msg and "the same case passed with float arrays" in msg


def test_in_place_update_on_integer_input_is_explained():
    def in_place_copy(w, g, lr):
        w = w.copy()
        w -= lr * g
        return w

    case = [Case("whole numbers", {"w": np.array([1.0, -2.0, 5.0]), "g": np.array([3.0, 2.0, -1.0]), "lr": 0.1})]
    msg = fails_with(in_place_copy, gd_ref, case)
    assert "raised UFuncTypeError" in msg and "`x -= ...` on integers cannot store a fraction" in msg


def test_lists_where_allowed():
    def arrays_only(values, beta):
        return ema_ref(values, beta) if isinstance(values, np.ndarray) else values * 2

    msg = fails_with(arrays_only, ema_ref, EMA_CASE, returns=("v",), list_args=("values",),
                     integer_inputs=False)
    assert "given as a plain Python list" in msg
    check_function(ema_ref, ema_ref, EMA_CASE, exercise="demo", returns=("v",), list_args=("values",), quiet=True)


# --------------------------------------------------------------------------- composite exercises

def test_composite_exercise_passes_with_a_wrong_helper(capsys):
    from optimlab.checks import check_composite  # noqa: F401  (exported)
    namespace = {"np": np}
    exec("def gd_step(w, g, lr):\n    return w + lr * g\n"
         "def run(w, g, lr):\n    return gd_step(w, g, lr)\n", namespace)
    wrong_helper = namespace["gd_step"]
    check_function(namespace["run"], gd_ref, GD_CASE, exercise="run", returns=("w",),
                   helpers={"gd_step": gd_ref})
    out = capsys.readouterr().out
    assert "your run is right" in out and "It failed with your `gd_step`, which is wrong" in out
    assert namespace["gd_step"] is wrong_helper  # the learner's namespace is as before


def test_composite_exercise_with_its_own_mistake_still_fails():
    namespace = {"np": np}
    exec("def gd_step(w, g, lr):\n    return w - lr * g\n"
         "def run(w, g, lr):\n    return gd_step(w, g, 2 * lr)\n", namespace)
    with pytest.raises(ExerciseFailure) as info:
        check_function(namespace["run"], gd_ref, GD_CASE, exercise="run", returns=("w",),
                       helpers={"gd_step": gd_ref})
    assert "twice the correct value" in str(info.value)


def test_unimplemented_helper_is_named():
    namespace = {}
    exec("def gd_step(w, g, lr):\n    raise NotImplementedError()\n"
         "def run(w, g, lr):\n    return gd_step(w, g, lr)\n", namespace)
    with pytest.raises(ExerciseFailure, match="it calls `gd_step`, which is not implemented yet"):
        check_function(namespace["run"], gd_ref, GD_CASE, exercise="run", returns=("w",))


# --------------------------------------------------------------------------- the message in a notebook

def test_rendered_traceback_is_the_message_only():
    def crash(w, g, lr):
        return w - lr * g[7]

    with pytest.raises(ExerciseFailure) as info:
        check_function(crash, gd_ref, GD_CASE, exercise="demo", returns=("w",))
    lines = info.value._render_traceback_()
    assert "ExerciseFailure" in lines[0] and "demo, case three coordinates" in lines[0]
    assert not any("site-packages" in line or "engine.py" in line for line in lines)
    # the learner's own line is shown, not the library's
    assert any("in crash, line" in line and "g[7]" in line for line in lines)


def test_coinciding_variants_flags_an_ambiguous_first_case():
    half = Case("beta=0.5", {"w": np.array([1.0]), "v": np.array([0.0]), "g": np.array([2.0]), "lr": 0.1,
                             "beta": 0.5})
    swapped = Variant(lambda w, v, g, lr, beta: ref_step(w, v, g, lr, 1 - beta), "swapped")
    assert coinciding_variants(ref_step, [swapped], half, returns=("w", "v")) == [("reference", "swapped")]
    good = Case("beta=0.8", dict(half.inputs, beta=0.8))
    assert coinciding_variants(ref_step, [swapped], good, returns=("w", "v")) == []


def test_results_in_the_wrong_order_are_named_from_their_shapes():
    def ref(x, W, b):
        return x @ W + b, W * 2, b * 2

    def swapped(x, W, b):
        y, dW, db = ref(x, W, b)
        return y, db, dW

    case = [Case("a batch", {"x": np.arange(6.0).reshape(2, 3), "W": np.ones((3, 4)) * 0.5, "b": np.arange(4.0)})]
    with pytest.raises(ExerciseFailure, match=r"in the wrong order; return \(y, dW, db\)"):
        check_function(swapped, ref, case, exercise="demo", returns=("y", "dW", "db"))


def test_the_length_of_a_parameter_is_not_called_N():
    ref = lambda x, b: np.sum(x) / len(x) + b  # noqa: E731
    case = [Case("c", {"x": np.array([1.0, 2.0, 4.0, 8.0]), "b": np.array([0.5, 1.5, 2.5])})]
    msg = fails_with(lambda x, b: (np.sum(x) / len(x) + b) * 3, ref, case, returns=("out",))
    assert "len(b)" not in msg
