"""nbgrader configuration of the CS224n PS1 course (traitlets config; see `nbgrader --help-all`).

Run the usual commands from this folder, with the virtualenv's bin/ first on PATH (nbgrader
calls `alembic` through PATH to create the gradebook):

    nbgrader generate_assignment ps1 --force   # source/ps1 -> release/ps1
    nbgrader autograde ps1                     # submitted/<student>/ps1 -> autograded/...
"""

import os

from autograder.settings import GradingSettings

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

# --- the course -------------------------------------------------------------------------
c.CourseDirectory.course_id = "cs224n"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The gradebook: SQLite beside this file by default; set CS224N_GRADEBOOK_URL to a database
# URL (e.g. PostgreSQL) to share it with the grader service.
c.CourseDirectory.db_url = os.environ.get(
    "CS224N_GRADEBOOK_URL", "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
)
# Files copied with the release besides notebooks: the public support package. Never the
# instructor's outputs, caches or downloaded data.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "data", "checkpoints",
    "*.npy", "*.npz", "*.png", "q4_dev_pred.txt",
]  # fmt: skip


# --- generating the release ----------------------------------------------------------------
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# --- autograding ---------------------------------------------------------------------------
# Wall-clock seconds one cell may run before it is stopped (and scores zero): the grading
# setting nbgrader_cell_timeout (autograder/settings.py, AUTOGRADER_NBGRADER_CELL_TIMEOUT).
# Training cells switch to a small run under CS224N_GRADING, so it is generous for every cell.
c.Execute.timeout = GradingSettings().nbgrader_cell_timeout
c.Execute.interrupt_on_timeout = True
# Tell the notebooks they are being graded: the long training runs (40,000 SGD iterations,
# the regularisation sweep on the full SST) then use the bundled sample data instead.
os.environ.setdefault("CS224N_GRADING", "1")

# --- H2: late penalties (staff helper) ------------------------------------------------------
# `nbgrader autograde` takes the course's late policy (AUTOGRADER_LATE_POLICY,
# AUTOGRADER_PENALTY_PER_HOUR; autograder/deadlines.py), as `autograder grade` and the service
# do, from the seconds late it counts against the gradebook's due date and extensions.
c.AssignLatePenalties.plugin_class = "autograder.report.nbgrader_late.CourseLatePenalty"
# --- end H2
