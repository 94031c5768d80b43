"""optimlab: the reference library of the optimlab course.

The numerical ground truth for every exercise and the engine behind every plot and
widget. Start with :func:`make` (an optimizer by name or from your own step function),
:func:`run` (an optimizer on a 2-D landscape) and :func:`train` (an optimizer on a model
and a dataset).
"""
from . import blas

blas.configure_from_env()  # one BLAS thread: the course's matrices are small (see optimlab.blas)

from . import datasets, gradcheck, landscapes, models, optimizers, registry, runner, schedules, training, validation
from .gradcheck import gradient_check, numerical_gradient
from .landscapes import LANDSCAPES, Landscape, get_landscape, landscape_names
from .models import MLP, LinearRegression, QuadraticModel, SoftmaxRegression
from .optimizers import *  # noqa: F401,F403  (the step functions)
from .registry import REGISTRY, get_info, optimizer_names
from .runner import DivergenceError, DivergenceWarning, RunResult, run, run_many
from .stateful import Optimizer, make
from .training import EarlyStopping, History, minibatches, train

__version__ = "0.1.0"
