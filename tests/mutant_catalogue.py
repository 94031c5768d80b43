"""Load a catalogue of wrong and right answers, autograder/mutants/<assignment>.py, as a module.

The catalogues are plain files, not a package (the grader never imports them), so the tests load
them by path. One loader for every test that reads them; a module is loaded once per session.
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from types import ModuleType

FOLDER = Path(__file__).resolve().parents[1] / "autograder" / "mutants"


@lru_cache(maxsize=None)
def load(assignment: str) -> ModuleType:
    """The catalogue module of `assignment` (e.g. "06_adagrad"): MUTANTS, CORRECT, COMPOSITE."""
    path = FOLDER / f"{assignment}.py"
    if not path.is_file():
        known = sorted(p.stem for p in FOLDER.glob("[0-9][0-9]_*.py"))
        raise FileNotFoundError(f"no catalogue for assignment {assignment!r}: expected {path}; known: {known}")
    spec = importlib.util.spec_from_file_location(f"catalogue_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def define(code: str, name: str, *, filename: str = "<string>", **names):
    """The function `name` that a catalogue entry's `code` defines, run as a notebook cell would run
    it: in a fresh namespace holding numpy as ``np`` and the given `names` (a module such as
    ``optimlab``, the reference of an earlier exercise the answer calls)."""
    import numpy as np

    namespace = {"np": np, **names}
    exec(compile(code, filename, "exec"), namespace)
    return namespace[name]
