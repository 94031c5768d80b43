# nbgrader configuration of the optimlab course (nbgrader 0.9.6).
#
# Layout (paths are derived from this file's location, so it works from any clone):
#   solutions/<assignment>/<notebook>.ipynb   nbgrader's "source" step (instructor versions)
#   course/<assignment>/<notebook>.ipynb      nbgrader's "release" step (learner versions, committed)
#   autograder/workspace/                     the instructor's working folders, ignored by git:
#       gradebook.db, submitted/, autograded/, feedback/, downloaded/ (LMS zips), exports/
#
# `autograder/optimlab_grader.py` loads this file and may override single values on its
# command line (--workspace, --timeout, ...; the tests grade in temporary folders).
# Plain nbgrader commands pick it up when run from this folder:
#   cd autograder && ../.venv/bin/nbgrader autograde 01_loss_and_gradients
import os
import sys

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput, SaveAutoGrades,
)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
from optimlab_preprocessors import ForLearners, NameExercises, NoPartialCredit, RobustExecute, TagTestCells  # noqa: E402  (HERE on sys.path)

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

# --- where things are --------------------------------------------------------------
c.CourseDirectory.root = os.path.join(HERE, "workspace")
c.CourseDirectory.source_directory = os.path.join(REPO, "solutions")
c.CourseDirectory.release_directory = os.path.join(REPO, "course")
# db_url defaults to sqlite:///<root>/gradebook.db

# --- executing submissions ---------------------------------------------------------
# Seconds one cell may run before it is interrupted (an infinite loop gets a
# CellTimeoutError in that cell; the following cells still run). Every exercise of the
# course runs in well under a second with a correct answer, so 60 s only stops runaways.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# The kernel's own log (e.g. ipykernel 7's "running over TCP without encryption" notice on
# the terminal) is noise for graders and learners; learners' outputs are unaffected.
c.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
# Budget for a whole notebook; cells not started by then get a NotExecuted error.
c.RobustExecute.notebook_timeout = 600
# RobustExecute replaces nbgrader's Execute (same options, section `Execute` applies):
# a dead or unresponsive kernel no longer discards the submission. NoPartialCredit keeps
# test cells all-or-nothing (see optimlab_preprocessors.py).
c.Autograde.autograde_preprocessors = [
    RobustExecute,
    IgnorePattern,
    NoPartialCredit,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]

# nbgrader gives zero to a test cell that wrote *anything* to stderr. A learner's code
# may legitimately print a Python warning (e.g. "RuntimeWarning: overflow encountered in
# exp" from a sigmoid); IgnorePattern drops those stderr outputs before grading.
# Python's warning format is "<file>:<line>: <Category>Warning: <message>". Errors are
# `error` outputs, not stderr streams, so this never hides a failing test.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r":\d+: \w*Warning: "

# --- releasing ----------------------------------------------------------------------
# nbgrader's own release steps, then TagTestCells: test cells get the `raises-exception`
# tag, so a learner's Run All goes on past an unfinished exercise (the cell still fails
# and scores zero).
from nbgrader.converters import GenerateAssignment  # noqa: E402

c.GenerateAssignment.preprocessors = list(GenerateAssignment.class_traits()["preprocessors"].default()) + [
    TagTestCells]

# --- feedback (nbgrader generate_feedback) -------------------------------------------
# nbgrader's own steps, then NameExercises: it names each exercise (number, grade_id of its
# answer cell, points, result, likely mistake) for the template and gives it MathJax to
# embed. nbgrader asks for the HTML template "feedback"; autograder/templates/feedback/ is
# found first: its index lists the exercises ("Exercise 3: heavy_ball_step — 0 / 1 point,
# failed") instead of "Test cell", long lines wrap, formulas render without network
# (NameExercises.mathjax = "https://.../tex-svg-full.js" links MathJax instead of embedding
# its 2.3 MB). ForLearners first takes out the hidden tests, library frames and the grader's
# paths: the grader's copy is already clean, but the formgrader's "Generate feedback" (or
# `nbgrader generate_feedback`) works on workspace/autograded/, which keeps them.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, ForLearners, CSSHTMLHeaderPreprocessor, NameExercises]
c.HTMLExporter.extra_template_basedirs = [os.path.join(HERE, "templates")]

# --- collecting LMS downloads (nbgrader zip_collect) ---------------------------------
# Files inside the downloaded zips are named  <student>_<anything>_<notebook>.ipynb
#   e.g.  alice_assignsubmission_file_01_loss_and_gradients.ipynb
# <student> must not contain "_" or "/"; <notebook> starts with two digits and "_".
# The pattern is matched against the absolute path of each extracted file.
# optimlab_grader.py narrows <notebook> to the exact notebook names of each assignment.
c.FileNameCollectorPlugin.named_regexp = (
    r".*/(?P<student_id>[^/_]+)_(?:[^/]*_)?(?P<file_id>\d\d_[^/]+\.ipynb)$"
)
c.FileNameCollectorPlugin.valid_ext = [".ipynb"]
c.ZipCollectApp.strict = True  # skip notebooks whose name is not one of the assignment's
