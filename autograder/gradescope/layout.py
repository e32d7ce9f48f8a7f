"""Where things are: Gradescope's folders, the package's files and what ``setup.sh`` installs.

Gradescope's side (its autograder specification): the zip's contents are unpacked into
``/autograder/source``, where ``setup.sh`` runs once, as root, when the image is built; for each
submission a fresh container of that image gets the student's files in
``/autograder/submission`` and runs ``/autograder/run_autograder`` (a copy of the zip's
``run_autograder``) as root, in ``/autograder``, which must write
``/autograder/results/results.json``. Its stdout goes to ``/autograder/results/stdout``, shown
to instructors only.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path("/autograder")
SOURCE, SUBMISSION, RESULTS = "source", "submission", "results"
RESULTS_FILE = "results.json"

# the package (the zip's root, i.e. /autograder/source)
CONFIG = "autograder.json"
"""The build's grading configuration: assignment, check seed, limits, sandbox choice."""
COURSE = "course"
"""nbgrader_config.py and source/<assignment>/ (the instructor notebooks: hidden parts)."""
WHEELS = "wheels"
"""The project's wheel; with bundled dependencies also theirs and requirements.txt."""
SETUP, RUN = "setup.sh", "run_autograder"

# what setup.sh installs in the image
GRADER_HOME = Path("/opt/cs224n")
"""Root-only (0700): the grader's venv, the prepared assignment copy, its temp files."""
VENV = "venv"
ASSIGNMENT_COPY = "assignment"
TEMP = "tmp"
SITE = Path("/opt/site")
"""The sandbox runtime: only the packages notebooks may import (readable by everyone)."""
