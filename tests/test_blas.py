"""optimlab.blas: importing optimlab leaves numpy's BLAS with one thread, unless OPTIMLAB_BLAS_THREADS says otherwise."""
import os
import subprocess
import sys

import pytest

from optimlab import blas


def _threads_after_import(env_extra: dict, optimlab: bool = True) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("OPTIMLAB_BLAS_THREADS", "OPENBLAS_NUM_THREADS")}
    env.update(env_extra)
    code = ("import numpy, optimlab; from optimlab.blas import blas_threads; print(blas_threads())" if optimlab else
            "import numpy, threadpoolctl as t; print([i['num_threads'] for i in t.threadpool_info() if i['user_api'] == 'blas'])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    return proc.stdout.strip() + proc.stderr.strip()[-400:]


def test_import_sets_one_thread():
    # OpenBLAS on its own takes one thread per core (2 on CI's 2 cores); optimlab's import makes it 1.
    if (os.cpu_count() or 1) > 1:
        assert _threads_after_import({}, optimlab=False) != "[1]"
    assert _threads_after_import({}) == "[1]"


def test_environment_chooses_the_count_or_leaves_blas_alone():
    assert _threads_after_import({"OPTIMLAB_BLAS_THREADS": "2"}) == "[2]"
    # "default": what OpenBLAS's own OPENBLAS_NUM_THREADS gives without optimlab
    alone = _threads_after_import({"OPENBLAS_NUM_THREADS": "1"}, optimlab=False)
    assert alone == "[1]"
    assert _threads_after_import({"OPTIMLAB_BLAS_THREADS": "default"}) == _threads_after_import({}, optimlab=False)
    assert _threads_after_import({"OPTIMLAB_BLAS_THREADS": "default", "OPENBLAS_NUM_THREADS": "1"}) == alone


@pytest.mark.parametrize("value, expected", [(None, 1), ("", 1), (" 4 ", 4), ("DEFAULT", None)])
def test_threads_from_env(value, expected):
    assert blas.threads_from_env(value) == expected


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_bad_setting_names_the_variable_the_value_and_what_is_allowed(value):
    with pytest.raises(ValueError, match=rf"OPTIMLAB_BLAS_THREADS={value!r} is not allowed: use a whole number"):
        blas.threads_from_env(value)
    out = _threads_after_import({"OPTIMLAB_BLAS_THREADS": value})
    assert "ValueError" in out and "OPTIMLAB_BLAS_THREADS" in out


def test_limit_blas_threads_rejects_bad_counts_and_can_be_undone():
    with pytest.raises(ValueError, match="n=0 is not allowed"):
        blas.limit_blas_threads(0)
    assert blas.limit_blas_threads(None) is None
    before = blas.blas_threads()
    limiter = blas.limit_blas_threads(2)
    assert blas.blas_threads() == [2]
    limiter.restore_original_limits()
    assert blas.blas_threads() == before
