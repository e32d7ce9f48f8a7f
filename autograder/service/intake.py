"""Taking an upload in: what it is (one notebook or a zip of them), the limits it must meet,
the per-student rate limit, then a durable save recorded with its job before the answer.

Every refusal is an :class:`UploadError` whose message is written for the student; the
routes decide what it means in HTTP (autograder.service.errors): a malformed upload, one
too large, or too many of them.
"""

from __future__ import annotations

import re
import time

from sqlalchemy import func, select

from autograder.engine.submission import (
    NotebookTooLargeError,
    SubmissionError,
    check_notebook,
    load_zip,
)
from autograder.service.context import ServiceContext
from autograder.service.db import SubmissionRow
from autograder.service.storage import new_id

NOTEBOOK_NAME = re.compile(r"^([A-Za-z0-9_]{1,64})\.ipynb$")
RATE_WINDOW = 60  # seconds over which settings.submissions_per_minute counts


class UploadError(Exception):
    """The service does not take this upload; the message says why."""


class BadUploadError(UploadError):
    """Not a notebook of the assignment, nor a sound zip holding only such notebooks."""


class TooLargeError(UploadError):
    """Over the upload limit, or a notebook over the per-notebook limits."""

    @classmethod
    def over(cls, limit: int) -> TooLargeError:
        return cls(f"upload too large (limit {limit} bytes)")


class RateLimitError(UploadError):
    """The student reached the rate limit; `retry_after` seconds from now they may not."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def classify(ctx: ServiceContext, filename: str, data: bytes) -> tuple[str, str | None]:
    """("notebook", its name) or ("zip", None); BadUploadError or TooLargeError otherwise.

    The client's file name only selects which notebook this is; it never reaches a path.
    """
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if data[:4] == b"PK\x03\x04" or base.lower().endswith(".zip"):
        return "zip", _check_zip(ctx, data)
    match = NOTEBOOK_NAME.match(base)
    if match is None or base != filename or match.group(1) not in ctx.notebooks:
        names = ", ".join(n + ".ipynb" for n in ctx.notebooks)
        raise BadUploadError(f"upload one of {names} or a zip of them")
    try:  # the limits a notebook in a zip meets (size before parsing, then cells)
        document = check_notebook(base, data)
    except NotebookTooLargeError as exc:
        raise TooLargeError(f"{exc}; clear the outputs or remove cells and upload it "
                            "again") from None
    if document is None:
        raise BadUploadError(f"{base} is not a notebook (not JSON)")
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise BadUploadError(f"{base} is not a notebook (no cells)")
    return "notebook", match.group(1)


def _check_zip(ctx: ServiceContext, data: bytes) -> None:
    try:
        submission = load_zip("check", data)
    except SubmissionError as exc:
        raise BadUploadError(str(exc)) from None
    if submission.problems:
        reasons = "; ".join(p[:200] for p in submission.problems[:5])
        raise BadUploadError(f"zip refused: {reasons}")
    known = {f"{n}.ipynb" for n in ctx.notebooks}
    if not submission.files or not set(submission.files) <= known:
        raise BadUploadError(f"the zip must hold only {', '.join(sorted(known))}")
    return None


def accept(ctx: ServiceContext, student: str, filename: str, data: bytes) -> SubmissionRow:
    """Check, rate-limit, write to disk and record with its job before answering."""
    if not data:
        raise BadUploadError("empty upload")
    if len(data) > ctx.settings.max_upload_bytes:
        raise TooLargeError.over(ctx.settings.max_upload_bytes)
    kind, notebook = classify(ctx, filename, data)
    with ctx.submit_lock:
        now = time.time()
        with ctx.db.session() as s:
            recent = s.scalar(select(func.count()).select_from(SubmissionRow).where(
                SubmissionRow.student == student,
                SubmissionRow.created_at > now - RATE_WINDOW))
        if (recent or 0) >= ctx.settings.submissions_per_minute:
            raise RateLimitError(f"at most {ctx.settings.submissions_per_minute} submissions "
                                 "a minute; try again shortly", retry_after=RATE_WINDOW)
        submission_id = new_id()
        stored = ctx.store.save(submission_id, kind, data)
        row = SubmissionRow(id=submission_id, student=student, kind=kind, notebook=notebook,
                            stored_as=stored, size=len(data), created_at=now)
        with ctx.db.session() as s, s.begin():
            s.add(row)
            s.flush()
            ctx.queue.add_in(s, submission_id)
    return row
