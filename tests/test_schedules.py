"""optimlab.schedules: every schedule at hand-computed iterations t (t = 0 is the first update)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from optimlab import schedules as S


def test_constant():
    s = S.constant(0.1)
    assert s(0) == 0.1 and s(12345) == 0.1


def test_step_decay():
    s = S.step_decay(0.1, step_size=10, gamma=0.5)
    # lr0 * gamma ** floor(t / 10)
    assert s(0) == 0.1 and s(9) == 0.1
    assert s(10) == pytest.approx(0.05, rel=1e-15)
    assert s(25) == pytest.approx(0.025, rel=1e-15)


def test_exponential_decay():
    s = S.exponential_decay(0.1, gamma=0.9)
    assert s(0) == 0.1
    assert s(2) == pytest.approx(0.1 * 0.81, rel=1e-15)
    assert s(10) == pytest.approx(0.1 * 0.3486784401, rel=1e-12)  # 0.9 ** 10


def test_inverse_time_decay():
    s = S.inverse_time_decay(0.1, k=0.5)
    assert s(0) == 0.1
    assert s(2) == pytest.approx(0.05, rel=1e-15)  # 0.1 / (1 + 0.5 * 2)
    assert s(4) == pytest.approx(0.1 / 3, rel=1e-15)
    assert S.inverse_time_decay(0.3, k=0)(1000) == 0.3  # k = 0 is constant


def test_cosine_decay():
    s = S.cosine_decay(0.1, total_steps=100, lr_min=0.0)
    assert s(0) == 0.1
    assert s(50) == pytest.approx(0.05, rel=1e-14)  # cos(pi / 2) = 0
    assert s(25) == pytest.approx(0.05 * (1 + math.sqrt(0.5)), rel=1e-14)  # cos(pi / 4) = sqrt(1/2)
    assert s(100) == pytest.approx(0.0, abs=1e-18)
    assert s(150) == 0.0  # stays at the bottom
    assert s(99) > 0  # the last of 100 updates still moves
    s2 = S.cosine_decay(1.0, total_steps=10, lr_min=0.2)
    assert s2(5) == pytest.approx(0.6, rel=1e-14) and s2(10) == pytest.approx(0.2, rel=1e-14)


def test_warmup_cosine():
    s = S.warmup_cosine(0.1, warmup_steps=10, total_steps=110, lr_min=0.01)
    # warm-up: lr0 (t + 1) / 10
    assert s(0) == pytest.approx(0.01, rel=1e-15)
    assert s(4) == pytest.approx(0.05, rel=1e-15)
    assert s(9) == pytest.approx(0.1, rel=1e-15)
    # cosine over t = 10 .. 110: halfway (t = 60) is the midpoint of lr0 and lr_min
    assert s(10) == pytest.approx(0.1, rel=1e-15)
    assert s(60) == pytest.approx(0.055, rel=1e-14)
    assert s(110) == pytest.approx(0.01, rel=1e-14)
    assert s(500) == 0.01
    # no warm-up: plain cosine decay
    np.testing.assert_allclose(S.schedule_values(S.warmup_cosine(0.1, 0, 100), 120),
                               S.schedule_values(S.cosine_decay(0.1, 100), 120), rtol=1e-13, atol=1e-17)


def test_cyclic_triangular():
    s = S.cyclic(0.001, 0.006, step_size=4)
    values = [s(t) for t in range(11)]
    # up for 4 iterations, down for 4, repeat: height 0.005 * (1 - |t/4 - 2 cycle + 1|)
    expected = [0.001, 0.00225, 0.0035, 0.00475, 0.006, 0.00475, 0.0035, 0.00225, 0.001, 0.00225, 0.0035]
    np.testing.assert_allclose(values, expected, rtol=1e-12)


def test_cyclic_triangular2_and_exp_range():
    s2 = S.cyclic(0.001, 0.006, step_size=4, mode="triangular2")
    assert s2(4) == pytest.approx(0.006, rel=1e-14)  # first peak: full height
    assert s2(12) == pytest.approx(0.001 + 0.005 / 2, rel=1e-14)  # second peak: half
    assert s2(20) == pytest.approx(0.001 + 0.005 / 4, rel=1e-14)  # third: a quarter
    se = S.cyclic(0.001, 0.006, step_size=4, mode="exp_range", gamma=0.9)
    assert se(4) == pytest.approx(0.001 + 0.005 * 0.9**4, rel=1e-14)  # 0.0042805
    assert se(4) == pytest.approx(0.0042805, rel=1e-12)


def test_one_cycle_cos():
    s = S.one_cycle(1.0, total_steps=100)  # pct_start 0.3, div_factor 25, final_div_factor 1e4
    # initial = 1 / 25 = 0.04, min = 0.04 / 1e4 = 4e-6, phase 1 ends at t1 = 0.3 * 100 - 1 = 29
    assert s(0) == pytest.approx(0.04, rel=1e-15)
    assert s(29) == pytest.approx(1.0, rel=1e-15)
    # t = 10 in phase 1: end + (start - end)(1 + cos(pi 10/29)) / 2 with start 0.04, end 1
    assert s(10) == pytest.approx(1.0 + (0.04 - 1.0) * (1 + math.cos(math.pi * 10 / 29)) / 2, rel=1e-14)
    # halfway through phase 2, t = 29 + 35 = 64: the midpoint of 1 and 4e-6
    assert s(64) == pytest.approx(0.500002, rel=1e-14)
    assert s(99) == pytest.approx(4e-6, rel=1e-12)
    assert s(150) == pytest.approx(4e-6, rel=1e-12)
    values = S.schedule_values(s, 100)
    assert np.argmax(values) == 29
    assert np.all(np.diff(values[:30]) > 0) and np.all(np.diff(values[29:]) < 0)


def test_one_cycle_linear():
    s = S.one_cycle(0.5, total_steps=20, pct_start=0.25, div_factor=10, final_div_factor=100, anneal="linear")
    # initial 0.05, min 0.0005, t1 = 0.25 * 20 - 1 = 4, last = 19
    assert s(0) == pytest.approx(0.05, rel=1e-15)
    assert s(2) == pytest.approx(0.05 + 0.5 * (0.5 - 0.05), rel=1e-14)
    assert s(4) == pytest.approx(0.5, rel=1e-15)
    assert s(10) == pytest.approx(0.5 + (6 / 15) * (0.0005 - 0.5), rel=1e-14)
    assert s(19) == pytest.approx(0.0005, rel=1e-14)


def test_reduce_on_plateau_rel_threshold_and_patience():
    s = S.ReduceLROnPlateau(1.0, factor=0.5, patience=2)
    metrics = [1.0, 0.9, 0.9, 0.89995, 0.9, 0.5, 0.5, 0.5, 0.5]
    lrs = [s.step(m) for m in metrics]
    # epoch 1: best 1.0; 2: 0.9 improves; 3, 4, 5: 0.89995 > 0.9 * (1 - 1e-4) = 0.89991 is no
    # improvement, so 3 bad epochs > patience 2 -> halve at epoch 5; 6: 0.5 improves; 7, 8, 9 bad -> halve at 9
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]
    assert s.reductions == [5, 9]
    assert s(0) == 0.25 and s(1000) == 0.25
    s.reset()
    assert s(0) == 1.0 and s.reductions == [] and s.best == math.inf


def test_reduce_on_plateau_abs_mode_cooldown_and_min_lr():
    s = S.ReduceLROnPlateau(1.0, factor=0.1, patience=0, threshold=0.1, threshold_mode="abs", cooldown=1,
                            min_lr=0.005)
    # patience 0: every non-improving epoch lowers the rate, except in the cooldown epoch after a drop
    lrs = [s.step(m) for m in [1.0, 0.95, 0.95, 0.95, 0.95]]
    # 1: best; 2: 0.95 is not < 1.0 - 0.1 -> lower to 0.1; 3: cooldown; 4: lower to max(0.01, min) = 0.01;
    # 5: cooldown
    assert lrs == pytest.approx([1.0, 0.1, 0.1, 0.01, 0.01], rel=1e-15)
    lrs = [s.step(0.95) for _ in range(4)]
    assert lrs == pytest.approx([0.005, 0.005, 0.005, 0.005])  # floored at min_lr
    smax = S.ReduceLROnPlateau(1.0, mode="max", patience=0, factor=0.5)
    assert [smax.step(a) for a in [0.5, 0.6, 0.6]] == [1.0, 1.0, 0.5]


def test_schedule_values():
    v = S.schedule_values(S.exponential_decay(1.0, 0.5), 4)
    np.testing.assert_array_equal(v, [1.0, 0.5, 0.25, 0.125])
    assert v.dtype == np.float64
    np.testing.assert_array_equal(S.schedule_values(lambda t: 1.0 / (t + 1), 3), [1.0, 0.5, 1 / 3])
    assert S.schedule_values(S.constant(0.1), 0).shape == (0,)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="lr0 must be a finite number > 0, got -0.1"):
        S.step_decay(-0.1, 10)
    with pytest.raises(ValueError, match=r"gamma must be in \(0.0, 1.0\], got 1.5"):
        S.exponential_decay(0.1, 1.5)
    with pytest.raises(ValueError, match="step_size must be an integer >= 1, got 0"):
        S.cyclic(0.1, 1.0, 0)
    with pytest.raises(ValueError, match=r"max_lr \(0.01\) must be >= base_lr \(0.1\)"):
        S.cyclic(0.1, 0.01, 5)
    with pytest.raises(ValueError, match=r"warmup_steps \(100\) must be smaller than total_steps \(100\)"):
        S.warmup_cosine(0.1, 100, 100)
    with pytest.raises(ValueError, match="lr_min must be <= lr0"):
        S.cosine_decay(0.1, 10, lr_min=0.2)
    with pytest.raises(ValueError, match="anneal must be 'cos' or 'linear'"):
        S.one_cycle(0.1, 100, anneal="exp")
    with pytest.raises(ValueError, match="pct_start \\* total_steps - 1"):
        S.one_cycle(0.1, 3, pct_start=0.3)
    with pytest.raises(ValueError, match="factor must be in"):
        S.ReduceLROnPlateau(0.1, factor=1.0)
    with pytest.raises(ValueError, match="mode must be 'min'"):
        S.ReduceLROnPlateau(0.1, mode="lower")
    with pytest.raises(ValueError, match="metric is nan"):
        S.ReduceLROnPlateau(0.1).step(float("nan"))
    with pytest.raises(ValueError, match=r"t \(the iteration index, 0 for the first update\) must be >= 0, got -1"):
        S.constant(0.1)(-1)
    with pytest.raises(TypeError, match="t .* must be an integer, got 1.5"):
        S.cosine_decay(0.1, 10)(1.5)
    assert S.constant(0.1)(np.int64(3)) == 0.1  # numpy integers are fine
    assert "step_decay(lr0=0.1, step_size=10, gamma=0.5)" == repr(S.step_decay(0.1, 10, 0.5))
