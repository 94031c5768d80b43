"""How many threads the BLAS library (OpenBLAS, behind numpy's ``@``) may use: one, by default.

The course's matrices are small: a mini-batch of 64 rows through an MLP of 64-32-10 units, a
data set of a few hundred examples. For products this size OpenBLAS's threads cost more than
they give: starting and synchronising them takes longer than the arithmetic, and on a machine
whose cores are busy (another kernel, the grader's second worker, a shared laptop) the threads
wait for each other. Measured on a 2-core machine with other jobs running: one
:func:`optimlab.train` run of notebook 10 (the digits MLP, 8 epochs of 10 mini-batches, with the
validation loss) took 14-17 ms with one thread and 72-87 ms with OpenBLAS's default, five times
longer. So importing optimlab sets one thread, for the whole process (numpy
included), through ``threadpoolctl``.

Set the environment variable ``OPTIMLAB_BLAS_THREADS`` before importing optimlab to choose:
a whole number ``n >= 1`` for n threads, or ``default`` to leave BLAS as it was configured.
"""
from __future__ import annotations

import os

ENV = "OPTIMLAB_BLAS_THREADS"

_limiter = None  # keeps the threadpoolctl limiter alive (it is also what restores the setting)


def threads_from_env(value: str | None) -> int | None:
    """The thread count ``OPTIMLAB_BLAS_THREADS`` asks for: an int, or None for "leave BLAS alone"."""
    if value is None or value.strip() == "":
        return 1
    text = value.strip().lower()
    if text == "default":
        return None
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(f"{ENV}={value!r} is not allowed: use a whole number of threads >= 1 (e.g. 1), "
                         f"or 'default' to keep the BLAS library's own setting")
    return n


def limit_blas_threads(n: int | None = 1):
    """Let the BLAS library use at most ``n`` threads from now on (None: change nothing).

    Returns the ``threadpoolctl`` limiter (its ``restore_original_limits()`` undoes it), or None.
    """
    global _limiter
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n={n!r} is not allowed: a whole number of threads >= 1, or None")
    from threadpoolctl import threadpool_limits

    _limiter = threadpool_limits(limits=n, user_api="blas")
    return _limiter


def configure_from_env(environ=os.environ):
    """Apply ``OPTIMLAB_BLAS_THREADS`` (unset: one thread). Called once, when optimlab is imported."""
    return limit_blas_threads(threads_from_env(environ.get(ENV)))


def blas_threads() -> list[int]:
    """The thread count of every BLAS library loaded in this process (usually one)."""
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib.get("user_api") == "blas"]
