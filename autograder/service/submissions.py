"""Accepting an upload (checks, rate limit, durable save, record + enqueue), showing one,
and a student's standing grade over all their graded uploads."""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy import func, select

from autograder.engine.results import SubmissionResult
from autograder.engine.submission import (
    NotebookTooLargeError,
    SubmissionError,
    check_notebook,
    load_zip,
)
from autograder.report.standing import Standing, standing
from autograder.report.summary import notebook_auto_max, notebook_auto_score
from autograder.service.context import ServiceContext
from autograder.service.db import Database, Job, SubmissionRow
from autograder.service.errors import ApiError
from autograder.service.storage import new_id

NOTEBOOK_NAME = re.compile(r"^([A-Za-z0-9_]{1,64})\.ipynb$")


def classify(ctx: ServiceContext, filename: str, data: bytes) -> tuple[str, str | None]:
    """("notebook", its name) or ("zip", None); ApiError 400 for anything else.

    The client's file name only selects which notebook this is; it never reaches a path.
    """
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if data[:4] == b"PK\x03\x04" or base.lower().endswith(".zip"):
        return "zip", _check_zip(ctx, data)
    match = NOTEBOOK_NAME.match(base)
    if match is None or base != filename or match.group(1) not in ctx.notebooks:
        raise ApiError(400, f"upload one of {', '.join(n + '.ipynb' for n in ctx.notebooks)} "
                            "or a zip of them")
    try:  # the limits a notebook in a zip meets (size before parsing, then cells)
        document = check_notebook(base, data)
    except NotebookTooLargeError as exc:
        raise ApiError(413, f"{exc}; clear the outputs or remove cells and upload it "
                            "again") from None
    if document is None:
        raise ApiError(400, f"{base} is not a notebook (not JSON)")
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise ApiError(400, f"{base} is not a notebook (no cells)")
    return "notebook", match.group(1)


def _check_zip(ctx: ServiceContext, data: bytes) -> None:
    try:
        submission = load_zip("check", data)
    except SubmissionError as exc:
        raise ApiError(400, str(exc)) from None
    if submission.problems:
        raise ApiError(400, "zip refused: " + "; ".join(p[:200] for p in submission.problems[:5]))
    known = {f"{n}.ipynb" for n in ctx.notebooks}
    if not submission.files or not set(submission.files) <= known:
        raise ApiError(400, f"the zip must hold only {', '.join(sorted(known))}")
    return None


def accept(ctx: ServiceContext, student: str, filename: str, data: bytes) -> SubmissionRow:
    """Check, rate-limit, write to disk and record with its job before answering."""
    if not data:
        raise ApiError(400, "empty upload")
    if len(data) > ctx.settings.max_upload_bytes:
        raise ApiError(413, f"upload too large (limit {ctx.settings.max_upload_bytes} bytes)")
    kind, notebook = classify(ctx, filename, data)
    with ctx.submit_lock:
        now = time.time()
        with ctx.db.session() as s:
            recent = s.scalar(select(func.count()).select_from(SubmissionRow).where(
                SubmissionRow.student == student, SubmissionRow.created_at > now - 60))
        if (recent or 0) >= ctx.settings.submissions_per_minute:
            raise ApiError(429, f"at most {ctx.settings.submissions_per_minute} submissions a "
                                "minute; try again shortly", {"Retry-After": "60"})
        submission_id = new_id()
        stored = ctx.store.save(submission_id, kind, data)
        row = SubmissionRow(id=submission_id, student=student, kind=kind, notebook=notebook,
                            stored_as=stored, size=len(data), created_at=now)
        with ctx.db.session() as s, s.begin():
            s.add(row)
            s.flush()
            ctx.queue.add_in(s, submission_id)
    return row


def find(ctx: ServiceContext, submission_id: str) -> tuple[SubmissionRow, Job]:
    if not re.fullmatch(r"[0-9a-f]{32}", submission_id):
        raise ApiError(404, "no such submission")
    with ctx.db.session() as s:
        found = s.execute(select(SubmissionRow, Job).join(
            Job, Job.submission_id == SubmissionRow.id).where(
            SubmissionRow.id == submission_id)).first()
    if found is None:
        raise ApiError(404, "no such submission")
    return found[0], found[1]


def history(ctx: ServiceContext, student: str) -> list[tuple[SubmissionRow, Job]]:
    with ctx.db.session() as s:
        rows = s.execute(select(SubmissionRow, Job).join(
            Job, Job.submission_id == SubmissionRow.id).where(
            SubmissionRow.student == student).order_by(SubmissionRow.created_at.desc())).all()
    return [(r[0], r[1]) for r in rows]


def result_of(row: SubmissionRow) -> SubmissionResult | None:
    return SubmissionResult.from_json(row.result_json) if row.result_json else None


def describe(row: SubmissionRow, job: Job, detail: bool = True) -> dict[str, Any]:
    """The JSON view of a submission: status, scores per notebook, cell and check."""
    view: dict[str, Any] = {
        "id": row.id, "student": row.student, "kind": row.kind, "notebook": row.notebook,
        "created_at": row.created_at, "status": job.state, "attempts": job.attempts,
        "error": job.error, "score": row.score, "max_score": row.max_score,
    }
    result = result_of(row) if detail else None
    if result is not None:
        view["problems"] = result.problems
        view["notebooks"] = [{
            "name": nb.name, "status": nb.status, "message": nb.message,
            "score": notebook_auto_score(nb), "max_score": notebook_auto_max(nb),
            "cell_errors": nb.cell_errors,
            "cells": [{"grade_id": c.grade_id, "auto": c.auto, "score": c.score,
                       "max_score": c.max_points,
                       "checks": [{"name": k.name, "score": k.score, "max_score": k.points,
                                   "passed": k.passed, "description": k.description,
                                   "message": k.message, "note": k.note}
                                  for k in c.checks]}
                      for c in nb.cells],
        } for nb in result.notebooks]
    return view


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


def describe_standing(current: Standing[str] | None) -> dict[str, Any]:
    """The JSON view of a standing grade: total and, per notebook, its score and source."""
    if current is None:
        return {"score": None, "max_score": None, "notebooks": []}
    result = current.result
    return {"score": result.auto_score, "max_score": result.auto_max, "notebooks": [{
        "name": nb.name, "status": nb.status, "score": notebook_auto_score(nb),
        "max_score": notebook_auto_max(nb), "submission": current.sources.get(nb.name),
    } for nb in result.notebooks]}
