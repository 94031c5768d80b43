"""optimlab: the reference library of the optimlab course.

The numerical ground truth for every exercise and the engine behind every plot and
widget. Start with :func:`make` (an optimizer by name), :func:`run` (an optimizer on
a 2-D landscape) and :func:`train` (an optimizer on a model and a dataset).
"""
from . import optimizers, registry, validation
from .optimizers import *  # noqa: F401,F403  (the step functions)
from .registry import REGISTRY, get_info, optimizer_names
from .stateful import Optimizer, make

__version__ = "0.1.0"
