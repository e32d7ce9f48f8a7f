"""A class in the service's database without grading anything: tokens for a roster and
graded uploads with per-check outcomes, as the workers would have stored them."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.engine.results import CellGrade, CheckOutcome, NotebookReport, SubmissionResult
from autograder.service.auth import issue_token
from autograder.service.db import Database, Job, SubmissionRow
from tests.autograder.report.builders import NOTEBOOKS

CHECKS = ("softmax_rows", "softmax_stability")  # two 2.5-point checks of q1


@dataclass(frozen=True)
class Upload:
    """One graded (or waiting) upload of q1_softmax: which of CHECKS passed."""

    student: str
    created_at: float
    passed: tuple[bool, bool] = (True, True)
    state: str = "done"


def q1_result(student: str, passed: tuple[bool, bool], tag: str) -> SubmissionResult:
    checks = [CheckOutcome(name, 2.5, 2.5 if ok else 0.0, f"{name} <described>",
                           None if ok else f"{name} failed")
              for name, ok in zip(CHECKS, passed, strict=True)]
    cell = CellGrade("q1_softmax", "q1_softmax_hidden", 5.0, sum(c.score for c in checks),
                     True, checks)
    reports = [NotebookReport(n, "graded" if n == "q1_softmax" else "missing",
                              cells=[cell] if n == "q1_softmax" else []) for n in NOTEBOOKS]
    return SubmissionResult(student, tag, reports)


def submission_id(n: int) -> str:
    return f"{n:032x}"


def seed(db_url: str, roster: list[str], uploads: list[Upload]) -> tuple[dict[str, str],
                                                                         list[str]]:
    """Tokens for the roster and the uploads in the database: (tokens, submission ids)."""
    db = Database(db_url)
    try:
        tokens = {student: issue_token(db, student) for student in roster}
        ids = []
        with db.session() as s, s.begin():
            for n, up in enumerate(uploads, start=1):
                sid = submission_id(n)
                result = q1_result(up.student, up.passed, sid)
                done = up.state == "done"
                s.add(SubmissionRow(id=sid, student=up.student, kind="notebook",
                                    notebook="q1_softmax", stored_as=sid, size=1,
                                    created_at=up.created_at,
                                    graded_at=up.created_at + 1 if done else None,
                                    result_json=result.to_json() if done else None,
                                    score=result.auto_score if done else None,
                                    max_score=result.auto_max if done else None))
                s.flush()
                s.add(Job(submission_id=sid, state=up.state, updated_at=up.created_at + 1))
                ids.append(sid)
        return tokens, ids
    finally:
        db.close()
