"""Turn a stored upload into an engine Submission, grade it with the engine's Grader, and
finish the result as ``autograder grade`` does (notes, the run's artifacts kept beside the
executed notebooks, the late policy from the upload's time).

GradingEngine grades in the calling process; the service never calls it in the API process:
it runs inside the grading processes of autograder.service.processes.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from autograder.deadlines import DeadlineError, lateness
from autograder.engine.course import AssignmentCopy
from autograder.engine.grade import Grader, GradingOptions
from autograder.engine.results import SubmissionResult
from autograder.engine.submission import Submission, SubmissionError, load_zip
from autograder.kernel.atomic import write_atomic
from autograder.report.autograded import keep_submitted
from autograder.report.late import apply_lateness
from autograder.sandbox import get_sandbox
from autograder.service.settings import ServiceSettings

log = logging.getLogger(__name__)


def to_submission(student: str, kind: str, notebook: str | None, data: bytes) -> Submission:
    """The engine's view of an upload: a zip is read with the engine's own limits, and a
    single notebook is held to the same per-notebook limits as a zip's. A timestamp.txt in
    an upload is the student's word, never the submission time: dropped (the server's
    arrival time counts, see finish_result)."""
    if kind == "zip":
        submission = load_zip(student, data)
        submission.timestamp = None
        return submission
    if not notebook:
        raise SubmissionError("the upload names no notebook")
    submission = Submission(student)
    submission.add(f"{notebook}.ipynb", f"{notebook}.ipynb", data)
    return submission


def finish_result(settings: ServiceSettings, submission: Submission, result: SubmissionResult,
                  notebooks_dir: Path | None, uploaded_at: float) -> SubmissionResult:
    """What the service adds to an engine result: the notes on files set aside, the run's
    artifacts kept beside the executed notebooks (for the autograded folder formgrader
    opens), and the late policy's verdict at the upload's arrival (uploaded_at, Unix time),
    recomputed at each grade so an extension granted since counts at a regrade."""
    result.notes = list(dict.fromkeys([*result.notes, *submission.notes]))
    if notebooks_dir is not None and (submission.artifacts or submission.files):
        notebooks_dir.mkdir(parents=True, exist_ok=True)
        for name, content in submission.artifacts.items():
            write_atomic(notebooks_dir / name, content)
        keep_submitted(notebooks_dir, submission.files)
    arrived = datetime.fromtimestamp(uploaded_at, UTC)
    try:
        verdict = lateness(settings, result.student, settings.assignment, arrived)
    except (DeadlineError, OSError) as exc:  # a broken extensions file: no penalty, logged
        log.error("the deadline cannot be computed for %s: %s", result.student, exc)
        verdict = None
    apply_lateness(result, verdict)
    result.submitted_at = arrived.isoformat()
    return result


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
