"""The grader's proxy of a learner's function (autograder/optimlab_remote.py) on a real kernel.

The real grader runs a test cell's checks in its own process and calls the learner's function
through ``KernelFunction``: the arguments go into the kernel as plain data, so the function
works on copies there. Whatever it changes in place must come back to the grader's own objects,
or a check that looks for in-place changes (the engine's, or ``check_clip_by_global_norm``'s on a
tuple of arrays) sees nothing. These tests call functions defined in a plain ipykernel (no
sandbox: what is tested is the data going both ways) and look at the grader's objects afterwards.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import pytest

import nbgrader_helpers as h

h.grader()  # autograder/ on sys.path
import optimlab_remote as remote  # noqa: E402

KERNEL_SOURCE = '''
import numpy as np

def scale_all(grads, s):
    for g in grads:
        g *= s
    return len(grads)

def touch_dict(params):
    params["W"] -= 1.0
    params["b"][0] = 7.0
    params["new"] = np.array([1.0, 2.0])
    del params["gone"]
    params["nested"]["v"] *= 10
    return None

def grow(items):
    items.append(np.zeros(2))
    items[0] = "replaced"
    return len(items)

def by_keyword(w, *, g):
    g += 1
    w[...] = 0
    return 0.0

def halve_int(x):
    x //= 2
    return x

def leave_alone(items):
    return sum(1 for _ in items)

def clip_in_place(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    for g in grads:
        g *= min(1, max_norm / norm)
    return list(grads), norm

def clip_right(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * min(1, max_norm / norm) for g in grads], norm
'''


@pytest.fixture(scope="module")
def kernel():
    from jupyter_client import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(extra_arguments=["--IPKernelApp.log_level=ERROR"])
    kc = km.blocking_client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        reply = kc.execute_interactive(KERNEL_SOURCE, timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
        link = remote.KernelLink(km, time.monotonic() + 120)
        yield lambda name: remote.KernelFunction(link, name)
        link.close()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_arrays_inside_a_tuple_change_in_place(kernel):
    a, b = np.array([3.0, 4.0]), np.array([[12.0]])
    grads = (a, b)
    assert kernel("scale_all")(grads, 0.5) == 2
    assert grads[0] is a and grads[1] is b  # the grader's own arrays, changed
    np.testing.assert_array_equal(a, [1.5, 2.0])
    np.testing.assert_array_equal(b, [[6.0]])


def test_dict_items_change_are_added_and_removed(kernel):
    W, b, v = np.eye(2), np.array([0.0, 1.0]), np.array([1.0, -2.0])
    params = {"W": W, "b": b, "gone": 1.0, "nested": {"v": v}}
    assert kernel("touch_dict")(params) is None
    assert params["W"] is W and params["b"] is b and params["nested"]["v"] is v
    np.testing.assert_array_equal(W, [[0.0, -1.0], [-1.0, 0.0]])
    np.testing.assert_array_equal(b, [7.0, 1.0])
    np.testing.assert_array_equal(v, [10.0, -20.0])
    assert "gone" not in params
    np.testing.assert_array_equal(params["new"], [1.0, 2.0])


def test_a_list_that_grows_gets_the_new_items(kernel):
    first, second = np.array([1.0]), np.array([2.0])
    items = [first, second]
    assert kernel("grow")(items) == 3
    assert items[0] == "replaced" and items[1] is second
    np.testing.assert_array_equal(items[2], [0.0, 0.0])


def test_keyword_arguments_change_in_place_too(kernel):
    w, g = np.array([5.0, 6.0]), np.array([1.0, 2.0])
    kernel("by_keyword")(w, g=g)
    np.testing.assert_array_equal(w, [0.0, 0.0])
    np.testing.assert_array_equal(g, [2.0, 3.0])


def test_integer_array_keeps_its_dtype(kernel):
    x = np.array([5, 8, -3])
    out = kernel("halve_int")(x)
    assert x.dtype.kind == "i"
    np.testing.assert_array_equal(x, [2, 4, -2])  # floor division, as in the kernel
    np.testing.assert_array_equal(out, [2, 4, -2])


def test_untouched_arguments_and_callables_are_kept(kernel):
    a = np.array([1.0, 2.0])
    items = [a, len, 3.5, "text"]
    assert kernel("leave_alone")(items) == 4
    assert items[0] is a and items[1] is len and items[2:] == [3.5, "text"]
    np.testing.assert_array_equal(a, [1.0, 2.0])


def test_clip_by_global_norm_in_place_is_caught_through_the_proxy(kernel):
    from optimlab.checks import ExerciseFailure
    from optimlab.checks import networks

    with pytest.raises(ExerciseFailure, match="changed the gradients passed in"):
        networks.check_clip_by_global_norm(kernel("clip_in_place"), hidden=True)
    networks.check_clip_by_global_norm(kernel("clip_right"), hidden=True)  # a right answer passes
