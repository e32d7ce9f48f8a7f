"""Taking an upload in: what it is (notebooks, a zip of the assignment, the plots and
predictions of the student's own run), the limits it must meet, the deadline, the
per-student rate limit, then a durable save recorded with its job before the answer.

An upload is one or more files. A zip comes alone; otherwise every file is a notebook of the
assignment or one of its artifacts (autograder.service.artifacts), recognised by name also
when a browser renamed it ("q1_softmax (1).ipynb") and, for a notebook, by its cells when the
name says nothing. One notebook alone is stored as it came; anything else is stored as a zip
the server makes, holding only the notebooks and artifacts under their canonical names, so
the engine and the pages read one clean layout. What a zip held besides (Jupyter's
checkpoints, data, saved parameters) is ignored with a note the student sees.

Every refusal is an :class:`UploadError` whose message names the file at fault and says what
to do; the routes decide what it means in HTTP (autograder.service.errors).
"""

from __future__ import annotations

import io
import json
import logging
import time
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select

from autograder.deadlines import DeadlineError, Lateness, lateness
from autograder.engine.submission import (
    NotebookTooLargeError,
    SubmissionError,
    check_notebook,
    grade_ids,
    load_zip,
    notebook_identity,
)
from autograder.service import submitted
from autograder.service.artifacts import (
    ARTIFACTS,
    Artifact,
    ArtifactError,
    base_name,
    canonical,
)
from autograder.service.artifacts import check as check_artifact
from autograder.service.context import ServiceContext
from autograder.service.db import SubmissionRow
from autograder.service.storage import KeptFiles, new_id

log = logging.getLogger(__name__)
RATE_WINDOW = 60  # seconds over which settings.submissions_per_minute counts
MAX_FILES = 12  # files in one upload from the form
MAX_NAMED = 6  # ignored files named in a note


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


class LateError(UploadError):
    """After the deadline, under a late policy that refuses late uploads."""


@dataclass
class Checked:
    """An upload once checked: how it is stored and what it holds."""

    kind: str  # "notebook" (one notebook, stored as sent) or "zip"
    notebook: str | None
    data: bytes
    notebooks: dict[str, bytes] = field(default_factory=dict)
    artifacts: list[Artifact] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # the file names as the client sent them

    def manifest(self) -> dict:
        return {"notebooks": sorted(self.notebooks),
                "artifacts": [a.describe() for a in self.artifacts],
                "notes": self.notes, "sent": [n[:200] for n in self.sent[:MAX_FILES]]}


def _expected(ctx: ServiceContext) -> str:
    notebooks = ", ".join(f"{n}.ipynb" for n in ctx.notebooks)
    return (f"upload the notebooks ({notebooks}), a zip of them, and the files your run "
            f"saved ({', '.join(ARTIFACTS)})")


@lru_cache(maxsize=4)
def _identities(folder: Path) -> dict[str, set[str]]:
    """notebook -> the grade ids of its nbgrader cells, read once from the course's source
    notebooks (the engine's rule for recognising a renamed notebook)."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*.ipynb")):
        try:
            found[path.stem] = grade_ids(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return found


def identify(ctx: ServiceContext, data: bytes) -> str | None:
    """Which course notebook these bytes are by their cells (nbgrader's grade ids), whatever
    the file's name; None when none fits (autograder.engine.submission.notebook_identity)."""
    known = _identities(ctx.settings.course_root / "source" / ctx.settings.assignment)
    found = notebook_identity(data, {n: ids for n, ids in known.items() if n in ctx.notebooks})
    return found


def _notebook(ctx: ServiceContext, label: str, data: bytes, filename: str | None = None) -> str:
    """The course notebook these bytes are (checked against the per-notebook limits): by the
    file's name (`filename`, else the label), a browser's copy name, or else its cells."""
    try:
        document = check_notebook(label, data)
    except NotebookTooLargeError as exc:
        raise TooLargeError(f"{exc}; clear the large outputs (or remove cells) and upload "
                            "it again") from None
    if document is None:
        raise BadUploadError(f"{label} is not a notebook (not JSON): upload the .ipynb file "
                             "Jupyter saved")
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise BadUploadError(f"{label} is not a notebook (no cells): upload the .ipynb file "
                             "Jupyter saved")
    name = canonical(filename or label, {f"{n}.ipynb" for n in ctx.notebooks})
    if name is not None:
        return name[:-len(".ipynb")]
    found = identify(ctx, data)
    if found is None:
        raise BadUploadError(f"{label} is not one of this assignment's notebooks; "
                             f"{_expected(ctx)}")
    return found


def _artifact(label: str, name: str, data: bytes) -> Artifact:
    try:
        return check_artifact(label, name, data)
    except ArtifactError as exc:
        raise BadUploadError(str(exc)) from None


def _add(found: dict, labels: dict[str, str], name: str, label: str, value: object) -> None:
    if name in found:
        raise BadUploadError(f"{labels[name]} and {label} are both {name}: upload one of them")
    found[name] = value
    labels[name] = label


def _with_their_notebooks(notebooks: dict[str, bytes], artifacts: list[Artifact],
                          labels: dict[str, str]) -> None:
    for artifact in artifacts:
        if artifact.notebook not in notebooks:
            raise BadUploadError(
                f"{labels[artifact.name]} is saved by {artifact.notebook}.ipynb's run: upload "
                f"it together with {artifact.notebook}.ipynb (choose both files at once)")


def check_files(ctx: ServiceContext, files: list[tuple[str, bytes]]) -> Checked:
    """What these files are, or the UploadError that names the file at fault."""
    files = [(name, data) for name, data in files if name or data]
    if not files or not any(data for _, data in files):
        raise BadUploadError(f"no file was chosen, or it is empty; {_expected(ctx)}")
    total = sum(len(data) for _, data in files)
    if total > ctx.settings.max_upload_bytes:
        sizes = ", ".join(f"{base_name(n)[:100]} ({len(d) / 2**20:.1f} MiB)" for n, d in files)
        raise TooLargeError(f"upload too large: {sizes} together are over the limit of "
                            f"{ctx.settings.max_upload_bytes / 2**20:.1f} MiB; upload "
                            "fewer files at once")
    if len(files) > MAX_FILES:
        raise BadUploadError(f"{len(files)} files at once: at most {MAX_FILES}; "
                             f"{_expected(ctx)}")
    zips = [(n, d) for n, d in files if d[:4] == b"PK\x03\x04"
            or base_name(n).lower().endswith(".zip")]
    if zips:
        if base_name(zips[0][0]) != zips[0][0] or "\0" in zips[0][0]:
            raise BadUploadError("send the zip's name without a folder")
        if len(files) > 1:
            raise BadUploadError(f"{base_name(zips[0][0])[:100]} is a zip: upload a zip alone, "
                                 "or the notebooks and plots without a zip")
        return _check_zip(ctx, base_name(zips[0][0])[:100] or "the zip", zips[0][1])
    notebooks: dict[str, bytes] = {}
    artifacts: dict[str, Artifact] = {}
    labels: dict[str, str] = {}
    for filename, data in files:
        label = base_name(filename)[:100] or "the file"
        if label != filename or "\0" in filename:  # browsers send the name alone
            raise BadUploadError(f"{label.replace(chr(0), '')}: send the file's name without "
                                 "a folder")
        if not data:
            raise BadUploadError(f"{label} is empty; save it again and upload it")
        artifact = canonical(filename, tuple(ARTIFACTS))
        if artifact is not None:
            _add(artifacts, labels, artifact, label, _artifact(label, artifact, data))
        elif label.lower().endswith(".ipynb"):
            _add(notebooks, labels, _notebook(ctx, label, data), label, data)
        else:
            raise BadUploadError(f"{label} is not part of this assignment's hand-in; "
                                 f"{_expected(ctx)}")
    _with_their_notebooks(notebooks, list(artifacts.values()), labels)
    sent = [base_name(n) for n, _ in files]
    if len(notebooks) == 1 and not artifacts:
        (name, data), = notebooks.items()
        return Checked("notebook", name, data, dict(notebooks), [], [], sent)
    checked = Checked("zip", None, b"", notebooks, list(artifacts.values()), [], sent)
    checked.data = _pack(checked)
    return checked


def _pack(checked: Checked) -> bytes:
    """The zip the server stores: only the notebooks and artifacts, canonical names."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(checked.notebooks):
            archive.writestr(f"{name}.ipynb", checked.notebooks[name])
        for artifact in checked.artifacts:
            archive.writestr(artifact.name, artifact.data)
    return buffer.getvalue()


def _check_zip(ctx: ServiceContext, label: str, data: bytes) -> Checked:
    """A zip read by the engine (load_zip: limits, guarded reads, artifacts kept, checkpoints
    and data set aside with a note), then held to what the service keeps."""
    try:
        submission = load_zip("check", data)
    except SubmissionError as exc:
        raise BadUploadError(f"{label}: {exc}") from None
    if submission.problems:
        reasons = "; ".join(p[:200] for p in submission.problems[:5])
        raise BadUploadError(f"{label} refused: {reasons}; make the zip again without them")
    notebooks: dict[str, bytes] = {}
    labels: dict[str, str] = {}
    for name, content in submission.files.items():
        where = f"{label}: {name[:100]}"
        _add(notebooks, labels, _notebook(ctx, where, content, name), where, content)
    if not notebooks:
        known = ", ".join(f"{n}.ipynb" for n in ctx.notebooks)
        raise BadUploadError(f"{label} holds no notebook of the assignment: the zip must hold "
                             f"only {known} (and the files your run saved)")
    artifacts: list[Artifact] = []
    for name, content in sorted(submission.artifacts.items()):
        labels[name] = f"{label}: {name}"
        artifacts.append(_artifact(labels[name], name, content))
    _with_their_notebooks(notebooks, artifacts, labels)
    notes = [n[:500] for n in submission.notes[:10]]
    checked = Checked("zip", None, b"", notebooks, artifacts, notes, [label])
    checked.data = _pack(checked)
    return checked


def late_verdict(ctx: ServiceContext, student: str, at: float) -> Lateness | None:
    """What the course's late policy makes of an upload now (None: no deadline set)."""
    try:
        verdict = lateness(ctx.settings, student, ctx.settings.assignment,
                           datetime.fromtimestamp(at, UTC))
    except (DeadlineError, OSError) as exc:  # a broken extensions file: log, never refuse
        log.error("the deadline cannot be computed for %s: %s", student, exc)
        return None
    return verdict if verdict.due is not None else None


def accept(ctx: ServiceContext, student: str, filename: str, data: bytes) -> SubmissionRow:
    """One file (the API's single upload): see accept_files."""
    return accept_files(ctx, student, [(filename, data)])


def accept_files(ctx: ServiceContext, student: str, files: list[tuple[str, bytes]]
                 ) -> SubmissionRow:
    """Check, apply the deadline, rate-limit, write to disk and record with its job before
    answering."""
    checked = check_files(ctx, files)
    submission_id = new_id()
    built = submitted.build(checked.notebooks)
    with ctx.submit_lock:
        now = time.time()
        verdict = late_verdict(ctx, student, now)
        if verdict is not None and verdict.refused:
            raise LateError(f"not accepted: {verdict.note}. Ask the course staff if you have "
                            "an extension")
        with ctx.db.session() as s:
            recent = s.scalar(select(func.count()).select_from(SubmissionRow).where(
                SubmissionRow.student == student,
                SubmissionRow.created_at > now - RATE_WINDOW))
        if (recent or 0) >= ctx.settings.submissions_per_minute:
            raise RateLimitError(f"at most {ctx.settings.submissions_per_minute} uploads "
                                 "a minute; wait a minute and upload again",
                                 retry_after=RATE_WINDOW)
        _keep(ctx, submission_id, checked, built)
        stored = ctx.store.save(submission_id, checked.kind, checked.data)
        row = SubmissionRow(id=submission_id, student=student, kind=checked.kind,
                            notebook=checked.notebook, stored_as=stored,
                            size=len(checked.data), created_at=now,
                            manifest_json=json.dumps(checked.manifest()))
        if verdict is not None:
            row.due_at = verdict.due.timestamp() if verdict.due else None
            row.late_seconds = verdict.late_by_seconds
            row.late_policy = verdict.late_policy
            row.late_note = verdict.note or None
        with ctx.db.session() as s, s.begin():
            s.add(row)
            s.flush()
            ctx.queue.add_in(s, submission_id)
    return row


def _keep(ctx: ServiceContext, submission_id: str, checked: Checked,
          built: submitted.Built) -> None:
    """The artifacts and the notebooks' outputs as submitted, beside the upload."""
    kept = KeptFiles(ctx.settings.uploads_dir)
    for artifact in checked.artifacts:
        kept.save(submission_id, artifact.name, artifact.data)
    for name, data in built.images.items():
        kept.save(submission_id, name, data)
    kept.save(submission_id, submitted.VIEW_FILE, submitted.to_json(built.view))
