"""Turn a stored upload into an engine Submission, and grade it with the engine's Grader.

GradingEngine grades in the calling process; the service never calls it in the API process:
it runs inside the grading processes of autograder.service.processes.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from autograder.engine.course import AssignmentCopy
from autograder.engine.grade import Grader, GradingOptions
from autograder.engine.results import SubmissionResult
from autograder.engine.submission import Submission, SubmissionError, load_zip
from autograder.sandbox import get_sandbox
from autograder.service.settings import ServiceSettings

log = logging.getLogger(__name__)


def to_submission(student: str, kind: str, notebook: str | None, data: bytes) -> Submission:
    """The engine's view of an upload: a zip is read with the engine's own limits, and a
    single notebook is held to the same per-notebook limits as a zip's."""
    if kind == "zip":
        return load_zip(student, data)
    if not notebook:
        raise SubmissionError("the upload names no notebook")
    submission = Submission(student)
    submission.add(f"{notebook}.ipynb", f"{notebook}.ipynb", data)
    return submission


def grading_options(settings: ServiceSettings) -> GradingOptions:
    """The engine's options from the grading settings the service settings include."""
    return GradingOptions.from_settings(settings)


class GradingEngine:
    """One prepared assignment copy and sandbox for all the threads of a process.

    Each thread gets its own Grader (the engine's Grader keeps per-instance caches).
    """

    def __init__(self, settings: ServiceSettings, course: AssignmentCopy | None = None):
        self.settings = settings
        self.sandbox = get_sandbox(settings.sandbox, settings)
        self.sandbox.check()
        self.course = course or AssignmentCopy(settings.course_root, settings.assignment)
        self.options = grading_options(settings)
        self._local = threading.local()

    def close(self) -> None:
        """Remove the prepared assignment copy (when this engine made it)."""
        self.course.close()

    @property
    def notebooks(self) -> tuple[str, ...]:
        return self.course.notebooks

    def grade(self, submission: Submission, notebooks_dir: Path | None) -> SubmissionResult:
        grader = getattr(self._local, "grader", None)
        if grader is None:
            grader = self._local.grader = Grader(self.course, self.sandbox, self.options)
        return grader.grade(submission, notebooks_dir)
