"""What the database says about submissions: one upload with its job, a student's history,
and every student's standing grade over their graded uploads.

Plain queries over the service's tables, shared by the routes and the workers (a worker
writes the standing grade into the gradebook): nothing here knows about HTTP. A lookup
that finds nothing raises :class:`SubmissionNotFoundError`; the routes answer it with a
404.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from autograder.engine.results import SubmissionResult
from autograder.report.standing import Standing, standing
from autograder.service.db import Database, Job, SubmissionRow

SUBMISSION_ID = re.compile(r"[0-9a-f]{32}")


class SubmissionNotFoundError(LookupError):
    """No submission has this id (or the id is not one the service makes)."""

    def __init__(self) -> None:
        super().__init__("no such submission")


def find(db: Database, submission_id: str) -> tuple[SubmissionRow, Job]:
    """The submission and its job; SubmissionNotFoundError for an unknown or malformed id."""
    if not SUBMISSION_ID.fullmatch(submission_id):
        raise SubmissionNotFoundError
    with db.session() as s:
        found = s.execute(select(SubmissionRow, Job).join(
            Job, Job.submission_id == SubmissionRow.id).where(
            SubmissionRow.id == submission_id)).first()
    if found is None:
        raise SubmissionNotFoundError
    return found[0], found[1]


def history(db: Database, student: str) -> list[tuple[SubmissionRow, Job]]:
    """The student's uploads with their jobs, newest first."""
    with db.session() as s:
        rows = s.execute(select(SubmissionRow, Job).join(
            Job, Job.submission_id == SubmissionRow.id).where(
            SubmissionRow.student == student).order_by(SubmissionRow.created_at.desc())).all()
    return [(r[0], r[1]) for r in rows]


def result_of(row: SubmissionRow) -> SubmissionResult | None:
    """The graded result stored with the submission, or None before it is graded."""
    return SubmissionResult.from_json(row.result_json) if row.result_json else None


def standings(db: Database, student: str | None = None) -> dict[str, Standing[str]]:
    """student -> standing grade (each notebook from the latest graded upload holding it,
    see report.standing), sources keyed by submission id; for one student or for all."""
    query = (select(SubmissionRow).join(Job, Job.submission_id == SubmissionRow.id)
             .where(Job.state == "done", SubmissionRow.result_json.is_not(None))
             .order_by(SubmissionRow.student, SubmissionRow.created_at, SubmissionRow.id))
    if student is not None:
        query = query.where(SubmissionRow.student == student)
    with db.session() as s:
        rows = s.scalars(query).all()
    graded: dict[str, list[tuple[str, SubmissionResult]]] = {}
    for row in rows:
        result = result_of(row)
        if result is not None:
            graded.setdefault(row.student, []).append((row.id, result))
    found = {name: standing(results) for name, results in graded.items()}
    return {name: merged for name, merged in found.items() if merged is not None}
