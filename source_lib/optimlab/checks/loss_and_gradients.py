r"""Checks for notebook 01, loss, gradients and the training loop.

Exercises (the model is :math:`\hat y_i = w_1 x_i^2 + w_2 x_i + w_3`, stored as
``w = [w1, w2, w3]``, with residuals :math:`r_i = \hat y_i - y_i`):

* ``quadratic_loss(w, x, y)``: the mean squared error (MSE, 均方误差)
  :math:`L(w) = \frac1N \sum_i r_i^2`;
* ``quadratic_grad(w, x, y)``: its gradient
  :math:`\nabla L = \frac2N \sum_i r_i \,(x_i^2,\ x_i,\ 1)`, shape ``(3,)``;
* ``numerical_gradient(f, w, h=1e-5)``: central differences
  :math:`\partial f/\partial w_j \approx (f(w + h e_j) - f(w - h e_j)) / (2h)` for ``w`` of
  any shape, leaving ``w`` as it was.

Every case has N >= 3 samples, w1 != w3 and non-symmetric x, so that each known
wrong variant (sum instead of mean, a factor 1/2, x instead of x^2, ...) gives numbers
different from the right answer and from each other.
"""
from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient as _numerical_gradient
from ..models import QuadraticModel
from . import diagnosis
from .engine import Case, ExerciseFailure, Variant, _call, _fmt, check_function

__all__ = ["check_quadratic_loss", "check_quadratic_grad", "check_numerical_gradient",
           "reference_quadratic_loss", "reference_quadratic_grad", "reference_numerical_gradient"]

# ---------------------------------------------------------------------------
# Reference implementations: the library's QuadraticModel and gradcheck. Demo cells
# fall back to these when an exercise is not done yet.
# ---------------------------------------------------------------------------

_MODEL = QuadraticModel()


def reference_quadratic_loss(w, x, y):
    r"""MSE of the quadratic model: :math:`\frac1N\sum_i (w_1 x_i^2 + w_2 x_i + w_3 - y_i)^2`."""
    return _MODEL.loss(w, x, y)


def reference_quadratic_grad(w, x, y):
    r"""Gradient of the MSE: :math:`\frac2N\sum_i r_i (x_i^2, x_i, 1)`, shape ``(3,)``."""
    return _MODEL.grad(w, x, y)


def reference_numerical_gradient(f, w, h=1e-5):
    r"""Central differences :math:`(f(w + h e_j) - f(w - h e_j)) / (2h)` for every entry ``j`` of ``w``.

    :func:`optimlab.gradcheck.numerical_gradient` with the exercise's default ``h = 1e-5``;
    it perturbs a copy, so ``w`` is never modified, and the result has the shape of ``w``.
    """
    return _numerical_gradient(f, w, h)


# ---------------------------------------------------------------------------
# quadratic_loss
# ---------------------------------------------------------------------------

def _pred(w, x):
    return w[0] * x ** 2 + w[1] * x + w[2]


_ORDER_HINT = ("the parameters are in the wrong order: w[0] multiplies x**2, w[1] multiplies x and w[2] is "
               "the constant (y = w1 x^2 + w2 x + w3)")

_SWAPPED_FEATURES_HINT = ("x and x**2 are swapped: w[0] multiplies x**2 and w[1] multiplies x, "
                          "y_hat = w[0] * x**2 + w[1] * x + w[2]")

_LOSS_VARIANTS = [
    Variant(lambda w, x, y: np.sum((_pred(w, x) - y) ** 2),
            "the squared errors were summed, not averaged: the MSE divides by the number of samples N "
            "(np.mean, or np.sum(...) / len(x))"),
    Variant(lambda w, x, y: 0.5 * np.mean((_pred(w, x) - y) ** 2),
            "a factor 1/2 crept in: this exercise's MSE is (1/N) sum (pred - y)^2, without the 1/2 some books use"),
    Variant(lambda w, x, y: np.mean(_pred(w, x) - y),
            "the errors are not squared: square each residual, (pred - y)**2, before averaging"),
    Variant(lambda w, x, y: np.mean(np.abs(_pred(w, x) - y)),
            "that is the mean absolute error: square each residual, (pred - y)**2, instead of np.abs"),
    Variant(lambda w, x, y: np.mean(_pred(w, x) - y) ** 2,
            "the mean was squared: square each residual first, then average, np.mean((pred - y)**2)"),
    Variant(lambda w, x, y: np.sqrt(np.mean((_pred(w, x) - y) ** 2)),
            "np.sqrt turned the MSE into the root mean squared error (RMSE): leave out the square root"),
    Variant(lambda w, x, y: np.mean((_pred(w[::-1], x) - y) ** 2), _ORDER_HINT),
    Variant(lambda w, x, y: np.mean((w[0] * x + w[1] * x ** 2 + w[2] - y) ** 2), _SWAPPED_FEATURES_HINT),
]


def _data_cases(hidden: bool, seed: int):
    """Cases (w, x, y) shared by the loss and gradient checks."""
    cases = [
        Case("source-article data x=[1..5], y=[2,3,5,7,11], w=[0.5, -1, 2]",
             {"w": np.array([0.5, -1.0, 2.0]), "x": np.array([1.0, 2.0, 3.0, 4.0, 5.0]),
              "y": np.array([2.0, 3.0, 5.0, 7.0, 11.0])}),
        Case("7 samples with negative x, w=[1.5, 0.3, -0.8]",
             {"w": np.array([1.5, 0.3, -0.8]), "x": np.array([-2.0, -1.2, -0.5, 0.0, 0.7, 1.6, 2.5]),
              "y": np.array([4.1, 1.0, -0.9, -0.3, 0.2, 3.9, 9.8])}),
    ]
    # Whole numbers everywhere: the engine runs this case again with integer arrays, as a learner's
    # own data may be (np.zeros_like of an integer w would truncate the gradient).
    cases.append(Case("whole numbers w=[1, -2, 3], x=[-1, 0, 1, 2, 4], y=[5, 3, 2, 4, 9]",
                      {"w": np.array([1.0, -2.0, 3.0]), "x": np.array([-1.0, 0.0, 1.0, 2.0, 4.0]),
                       "y": np.array([5.0, 3.0, 2.0, 4.0, 9.0])}))
    if hidden:
        rng = np.random.default_rng(seed)
        for n in (3, 11, 40):
            w = rng.normal(size=3) * np.array([1.0, 2.0, 3.0])
            x = rng.uniform(-3, 3, size=n)
            # targets scattered around this w's own predictions, so residuals take both signs
            y = _pred(w, x) + rng.normal(scale=1.0, size=n) + 0.3
            cases.append(Case(f"{n} random samples, w={_fmt(w)}", {"w": w, "x": x, "y": y}))
    return cases


def check_quadratic_loss(quadratic_loss, hidden: bool = False) -> None:
    """``quadratic_loss(w, x, y)`` must return the MSE ``mean((w[0]*x**2 + w[1]*x + w[2] - y)**2)``."""
    return check_function(quadratic_loss, reference_quadratic_loss, _data_cases(hidden, seed=11),
                          exercise="quadratic_loss", returns=("loss",), variants=_LOSS_VARIANTS)


# ---------------------------------------------------------------------------
# quadratic_grad
# ---------------------------------------------------------------------------

def _grad_with(w, x, y, feats, scale=2.0, mean=True):
    r = _pred(w, x) - y
    out = np.array([np.sum(r * f) for f in feats]) * scale
    return out / len(x) if mean else out


def _feats(x):
    return (x ** 2, x, np.ones_like(x))


_GRAD_VARIANTS = [
    Variant(lambda w, x, y: -_grad_with(w, x, y, _feats(x)),
            "the sign is flipped: with the residual r = pred - y the gradient is +(2/N) sum r * (x^2, x, 1); "
            "if you wrote (y - pred) you need a minus sign in front"),
    Variant(lambda w, x, y: _grad_with(w, x, y, _feats(x), scale=1.0),
            "the factor 2 is missing: differentiating the square gives d/dp (p - y)^2 = 2 (p - y)"),
    Variant(lambda w, x, y: _grad_with(w, x, y, (x, x, np.ones_like(x))),
            "chain-rule slip in the first entry: d pred / d w1 = x^2 (w1 multiplies x^2), not x"),
    Variant(lambda w, x, y: _grad_with(w, x, y, (2 * w[0] * x + w[1], x, np.ones_like(x))),
            "the first entry used d pred / d x (= 2 w1 x + w2); the gradient is taken with respect to the "
            "parameters: d pred / d w1 = x^2"),
    Variant(lambda w, x, y: _grad_with(w, x, y, (2 * x, x, np.ones_like(x))),
            "the first entry used 2x, the derivative of x^2 with respect to x; w1 multiplies x^2, so "
            "d pred / d w1 = x^2"),
    Variant(lambda w, x, y: _grad_with(w, x, y, _feats(x), mean=False),
            "the gradient was summed over the samples, not averaged: divide by N, as the loss does"),
    Variant(lambda w, x, y: _grad_with(w, x, y, _feats(x), scale=1.0, mean=False),
            "summed instead of averaged, and the factor 2 is missing: the gradient is (2/N) sum r * (x^2, x, 1)"),
    Variant(lambda w, x, y: _grad_with(w, x, y, _feats(x))[::-1],
            "the entries are in the wrong order: return [dL/dw1, dL/dw2, dL/dw3], matching w = [w1, w2, w3]"),
    Variant(lambda w, x, y: _grad_with(w[::-1], x, y, _feats(x))[::-1], _ORDER_HINT),
    Variant(lambda w, x, y: _grad_with(w[::-1], x, y, _feats(x)), _ORDER_HINT),
    Variant(lambda w, x, y: _grad_with(np.array([w[1], w[0], w[2]]), x, y, (x, x ** 2, np.ones_like(x))),
            _SWAPPED_FEATURES_HINT + " (in the prediction and in the gradient)"),
    Variant(lambda w, x, y: 2.0 * np.mean(np.array(_feats(x)), axis=1),
            "the residual is missing: every entry of the gradient is (2/N) sum_i r_i * feature_i, with "
            "r_i = y_hat_i - y_i; your numbers are (2/N) sum_i feature_i, as if every r_i were 1"),
    Variant(lambda w, x, y: 2.0 * np.mean(_pred(w, x) - y) * np.mean(np.array(_feats(x)), axis=1),
            "the product of the means, 2 * mean(r) * mean(x**2), is not the mean of the products: multiply "
            "r_i by x_i**2 sample by sample, then average, 2 * mean(r * x**2)"),
]


def check_quadratic_grad(quadratic_grad, hidden: bool = False) -> None:
    """``quadratic_grad(w, x, y)`` must return ``(2/N) * sum(r * [x**2, x, 1])`` with ``r = pred - y``, shape (3,)."""
    return check_function(quadratic_grad, reference_quadratic_grad, _data_cases(hidden, seed=12),
                          exercise="quadratic_grad", returns=("grad",), variants=_GRAD_VARIANTS)


# ---------------------------------------------------------------------------
# numerical_gradient
# ---------------------------------------------------------------------------

def _one_sided(f, w, h, forward=True):
    w = np.array(w, dtype=float)
    f0 = f(w.copy())
    grad = np.zeros_like(w)
    for j in np.ndindex(w.shape):
        e = np.zeros_like(w)
        e[j] = h
        grad[j] = (f(w + e) - f0) / h if forward else (f0 - f(w - e)) / h
    return grad


def _all_at_once(f, w, h):
    w = np.array(w, dtype=float)
    return np.full_like(w, (f(w + h) - f(w - h)) / (2 * h))


def _by_rows(f, w, h):
    """``for i in range(len(w)): w[i] += h`` on a 2-D ``w`` perturbs a whole row."""
    w = np.array(w, dtype=float)
    grad = np.zeros_like(w)
    for i in range(len(w)):
        wp, wm = w.copy(), w.copy()
        wp[i] += h
        wm[i] -= h
        grad[i] = (f(wp) - f(wm)) / (2 * h)
    return grad


_NUMGRAD_VARIANTS = [
    Variant(lambda f, w, h=1e-5: _one_sided(f, w, h, forward=True),
            "that is the forward difference (f(w + h e_j) - f(w)) / h, whose error is O(h); use the central "
            "difference (f(w + h e_j) - f(w - h e_j)) / (2h), whose error is O(h^2)"),
    Variant(lambda f, w, h=1e-5: _one_sided(f, w, h, forward=False),
            "that is the backward difference (f(w) - f(w - h e_j)) / h; use the central difference "
            "(f(w + h e_j) - f(w - h e_j)) / (2h)"),
    Variant(lambda f, w, h=1e-5: 2 * reference_numerical_gradient(f, w, h),
            "the result is twice too large: the two evaluation points w + h e_j and w - h e_j are 2h apart, "
            "so divide by 2h, not by h"),
    Variant(lambda f, w, h=1e-5: h * h * reference_numerical_gradient(f, w, h),
            "operator precedence: `/ 2 * h` divides by 2 and then multiplies by h; write `/ (2 * h)`"),
    Variant(lambda f, w, h=1e-5: _all_at_once(f, w, h),
            "every coordinate was perturbed at once (w + h): perturb one entry j at a time, w + h e_j, "
            "so that each difference measures one partial derivative"),
    Variant(lambda f, w, h=1e-5: _by_rows(f, w, h),
            "for a w with two axes, `for i in range(len(w))` perturbs a whole row w[i]: loop over every entry, "
            "e.g. `for j in np.ndindex(w.shape)`"),
]


def _numgrad_cases(hidden: bool):
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    y = np.array([2.0, 3.0, 5.0, 7.0, 11.0])
    A = np.array([[1.0, -0.5, 2.0], [0.3, 1.5, -1.0]])

    def bowl(w):  # a quadratic: central differences are exact up to round-off, forward ones are off by h/2 f''
        return float(w[0] ** 2 + 3 * w[1] ** 2 + w[0] * w[1] - 2 * w[2] + 0.5 * w[2] ** 2)

    def wavy(W):  # non-polynomial, on a 2-D w: central and forward differences both approximate
        return float(np.sum(A * np.sin(W)) + 0.25 * np.sum(W ** 2) * W[0, 0])

    def mse(w):
        return reference_quadratic_loss(w, x, y)

    cases = [
        Case("f(w) = w0^2 + 3 w1^2 + w0 w1 - 2 w2 + w2^2/2 at w=[1, -2, 0.5], h=0.01",
             {"f": bowl, "w": np.array([1.0, -2.0, 0.5]), "h": 0.01}),
        Case("f(W) = sum(A * sin(W)) + W[0,0] * sum(W^2)/4 on a 2x3 array W, h=0.1",
             {"f": wavy, "w": np.array([[0.3, -1.1, 2.0], [0.7, 0.0, -0.4]]), "h": 0.1},
             note="w has shape (2, 3): your function must handle arrays of any shape"),
        Case("the MSE of the quadratic model on x=[1..5], y=[2,3,5,7,11] at w=[0.5, -1, 2], default h",
             {"f": mse, "w": np.array([0.5, -1.0, 2.0])}),
        Case("the same f(w) = w0^2 + 3 w1^2 + w0 w1 - 2 w2 + w2^2/2 at whole numbers w=[2, -1, 3], h=0.25",
             {"f": bowl, "w": np.array([2.0, -1.0, 3.0]), "h": 0.25},
             note="w holds whole numbers: it is also given as an integer array"),
    ]
    if hidden:
        rng = np.random.default_rng(13)
        B = rng.normal(size=(2, 2, 3))

        def cubic(W):
            return float(np.sum(B * W ** 3) - np.prod(W[0, 0]) * W[1, 1, 2] + np.sum(np.exp(0.3 * W)))

        def smooth(w):
            return float(np.exp(w[0]) * np.cos(w[1]) + w[0] * w[1] ** 2)

        cases += [
            Case("a cubic f on a 2x2x3 array, h=0.05",
                 {"f": cubic, "w": rng.normal(size=(2, 2, 3)), "h": 0.05},
                 note="w has three axes here"),
            Case("f(w) = exp(w0) cos(w1) + w0 w1^2 at w=[0.8, -0.3], h=1e-3",
                 {"f": smooth, "w": np.array([0.8, -0.3]), "h": 1e-3}),
            Case("the MSE on 20 random samples, h=1e-4",
                 {"f": (lambda w, xs=rng.uniform(-2, 2, 20), ys=rng.normal(size=20):
                        reference_quadratic_loss(w, xs, ys)),
                  "w": rng.normal(size=3), "h": 1e-4}),
        ]
    return cases


def _check_w_restored(numerical_gradient, cases):
    """A numerical gradient that perturbs ``w`` in place must put every entry back exactly.

    The engine would also see the change, but this message names the usual cause.
    """
    for case in cases:
        inputs = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.inputs.items()}
        before = inputs["w"].copy()
        _call(numerical_gradient, "numerical_gradient", case.label, inputs, note=case.note)
        after = inputs["w"]
        if not isinstance(after, np.ndarray) or after.shape != before.shape or not np.array_equal(after, before):
            change = (np.max(np.abs(after - before)) if isinstance(after, np.ndarray) and after.shape == before.shape
                      else float("nan"))
            raise ExerciseFailure(
                f"numerical_gradient, case {case.label}: your function left `w` modified "
                f"(largest change {change:.3g}).\n"
                f"  before: {_fmt(before)}\n  after:  {_fmt(after)}\n"
                f"Likely mistake: w was perturbed in place (`w[j] += h`) and not restored. Save the entry "
                f"first (`old = w[j]`), and after evaluating f put it back exactly (`w[j] = old`); "
                f"`w[j] -= h` is not enough, because (w + h) - h can differ from w in the last bits. "
                f"Or perturb a copy: `w_plus = w.copy(); w_plus[j] += h` (`w_plus = w` does not copy: it is a "
                f"second name for the same array)."
            )


def check_numerical_gradient(numerical_gradient, hidden: bool = False) -> None:
    """``numerical_gradient(f, w, h=1e-5)``: central differences for every entry of ``w``, ``w`` left unchanged."""
    if not callable(numerical_gradient):
        raise ExerciseFailure(f"numerical_gradient: expected your function, got "
                              f"{type(numerical_gradient).__name__} {numerical_gradient!r:.60}")
    cases = _numgrad_cases(hidden)
    _check_w_restored(numerical_gradient, cases)
    try:
        check_function(numerical_gradient, reference_numerical_gradient, cases, exercise="numerical_gradient",
                       returns=("grad",), variants=_NUMGRAD_VARIANTS, rtol=1e-6, atol=1e-9)
    except ExerciseFailure as exc:
        extra = _h_dependence(numerical_gradient)
        if extra:
            raise ExerciseFailure(f"{exc}\n{extra}") from None
        raise


def _h_dependence(numerical_gradient) -> str:
    """How the learner's error against the exact gradient changes with h: it tells the method apart.

    On a smooth non-polynomial f, central differences have an error proportional to h^2,
    forward or backward ones to h; an error that does not change with h means h is not
    used, and one that grows as h shrinks means the difference is not divided by h.
    """
    w0 = np.array([0.4, -0.7])

    def f(w):
        return float(np.exp(w[0]) + np.sin(2 * w[1]) + w[0] ** 3 * w[1])

    exact = np.array([np.exp(w0[0]) + 3 * w0[0] ** 2 * w0[1], 2 * np.cos(2 * w0[1]) + w0[0] ** 3])
    hs = [0.1, 0.05, 0.025]
    errors = []
    for h in hs:
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(numerical_gradient(f, w0.copy(), h), dtype=float)
        except Exception:
            return ""
        if got.shape != exact.shape or not np.all(np.isfinite(got)):
            return ""
        errors.append(float(np.max(np.abs(got - exact))))
    order = diagnosis.error_order(hs, errors)
    if order is None:
        return ""
    table = ", ".join(f"h={h}: {e:.2g}" for h, e in zip(hs, errors))
    if order > 1.6:
        return ""  # central differences: the error is O(h^2), the method is right
    if order > 0.6:
        what = ("halving h halves the error (it is O(h)): that is a one-sided (forward or backward) difference; "
                "the central difference (f(w + h e_j) - f(w - h e_j)) / (2h) has an error O(h^2)")
    elif order > -0.4:
        what = ("the error does not change with h: h is not used where it should be (a fixed step inside the "
                "function, or the argument h ignored)")
    else:
        what = ("the error grows as h shrinks: the difference of f values is not divided by 2h (or the step "
                "used to perturb w is not the h you divide by)")
    return f"How your error depends on h (on a smooth test function: {table}): {what}."
