"""The course's late policy as an nbgrader ``LateSubmissionPlugin``, for `nbgrader autograde`.

``autograder grade`` and the service apply :mod:`autograder.deadlines` themselves; nbgrader's
own autograde asks its ``AssignLatePenalties`` preprocessor, whose plugin this is (set in
nbgrader_config.py: ``c.AssignLatePenalties.plugin_class``). It reads the same settings
(``AUTOGRADER_LATE_POLICY``, ``AUTOGRADER_PENALTY_PER_HOUR``) and computes the same penalty
from the seconds nbgrader counted late (its due date plus the student's extension, both in the
gradebook), so every path subtracts the same points. nbgrader then keeps the penalty between 0
and the notebook's score, as the policy does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nbgrader.plugins import LateSubmissionPlugin

from autograder.deadlines import Lateness
from autograder.settings import DeadlineSettings

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # any due date: only the seconds late matter


class CourseLatePenalty(LateSubmissionPlugin):
    """nbgrader's late plugin with the course's policy (autograder.deadlines)."""

    def late_submission_penalty(self, student_id: str, score: float,
                                total_seconds_late: float) -> float | None:
        settings = DeadlineSettings()
        if settings.late_policy == "accept" or total_seconds_late <= 0:
            return None  # nbgrader's 'none': marked late, nothing taken
        verdict = Lateness(due=EPOCH, submitted_at=EPOCH + timedelta(
                               seconds=float(total_seconds_late)),
                           late_policy=settings.late_policy,
                           penalty_per_hour=settings.penalty_per_hour,
                           timezone=settings.timezone)
        return verdict.penalty_points(score)


__all__ = ["CourseLatePenalty"]
