"""Exercise checks for the course notebooks.

Each notebook has a module here named after its topic (``gradient_descent``,
``momentum``, ...) with one ``check_<exercise>(learner_fn, hidden=False)`` function
per exercise. Test cells call it with the learner's function; ``hidden=True`` (in
nbgrader's hidden tests) runs more cases. :mod:`optimlab.checks.engine` does the work.
"""
from .engine import (Case, ExerciseFailure, Variant, check_composite, check_function, check_steps,
                     implemented_or_reference, is_implemented)

__all__ = ["Case", "ExerciseFailure", "Variant", "check_composite", "check_function", "check_steps",
           "implemented_or_reference", "is_implemented"]
