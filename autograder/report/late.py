"""Put the late policy's verdict into a result, per notebook, as nbgrader's gradebook keeps it.

nbgrader's ``AssignLatePenalties`` gives each submitted notebook its own penalty, computed
from that notebook's score; the result does the same (``NotebookReport.late_penalty``), so
grades.csv, results.json, the feedback page, the service and the gradebook subtract the same
points. Applied after grading, on every run (a cached result gets the current policy, and a
changed extension or deadline takes effect without grading again).
"""

from __future__ import annotations

from autograder.deadlines import Lateness
from autograder.engine.results import SubmissionResult

NOT_SUBMITTED = "missing"


def apply_lateness(result: SubmissionResult, lateness: Lateness | None) -> SubmissionResult:
    """Set each submitted notebook's late penalty and note from ``lateness`` (None: on time,
    or no submission time known: no penalty). Returns the same result, changed."""
    result.submitted_at = None if lateness is None else lateness.submitted_at.isoformat()
    for report in result.notebooks:
        report.late_penalty, report.late_note = 0.0, ""
        if lateness is None or not lateness.late or report.status == NOT_SUBMITTED:
            continue
        score = sum(c.score or 0.0 for c in report.cells if c.auto)
        report.late_penalty = round(lateness.penalty_points(score), 6)
        report.late_note = lateness.note
    return result


__all__ = ["apply_lateness"]
