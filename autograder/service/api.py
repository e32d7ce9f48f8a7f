"""The JSON API: submit, status/result, feedback, history; instructor: CSV, results.json,
re-grade, queue health."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from autograder.engine.results import SubmissionResult
from autograder.report import feedback_html, grade_rows, results_json
from autograder.service import intake, records, submitted, views
from autograder.service.auth import Identity
from autograder.service.deps import (
    caller,
    context,
    identify,
    instructor,
    may_see,
    student,
    token_of,
)
from autograder.service.errors import ApiError
from autograder.service.responses import errors

router = APIRouter()


async def read_upload(request: Request, upload: UploadFile) -> bytes:
    limit = context(request).settings.max_upload_bytes
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise intake.TooLargeError(f"{(upload.filename or 'the file')[:100]} is over the "
                                   f"upload limit ({limit / 2**20:.1f} MiB)")
    return data


async def read_uploads(request: Request, uploads: list[UploadFile]
                       ) -> list[tuple[str, bytes]]:
    """(client's file name, bytes) of each file, within the upload limit together."""
    limit = context(request).settings.max_upload_bytes
    files, total = [], 0
    for upload in uploads[:intake.MAX_FILES + 1]:
        data = await read_upload(request, upload)
        total += len(data)
        if total > limit:
            raise intake.TooLargeError(f"the files together are over the upload limit "
                                       f"({limit / 2**20:.1f} MiB) at "
                                       f"{(upload.filename or 'a file')[:100]}; upload fewer "
                                       "files at once")
        files.append((upload.filename or "", data))
    return files


@router.post("/api/submissions", status_code=202,
             responses=errors(400, 401, 403, 413, 429))
async def create_submission(request: Request, who: Annotated[Identity, Depends(student)],
                            file: Annotated[list[UploadFile], File()]) -> JSONResponse:
    """One file, or several sent as `file` fields (notebooks and the run's artifacts)."""
    files = await read_uploads(request, file)
    # checking the zip, fsync and the database: off the event loop
    row = await run_in_threadpool(intake.accept_files, context(request), who.student or "",
                                  files)
    return JSONResponse({"id": row.id, "status": "queued"}, status_code=202,
                        headers={"Location": f"/api/submissions/{row.id}"})


@router.get("/api/submissions", responses=errors(401, 403))
def own_history(request: Request, who: Annotated[Identity, Depends(student)]) -> dict:
    rows = records.history(context(request).db, who.student or "")
    return {"submissions": [views.describe(r, j, detail=False) for r, j in rows]}


@router.get("/api/grade", responses=errors(401, 403))
def own_grade(request: Request, who: Annotated[Identity, Depends(student)]) -> dict:
    """The student's standing grade: each notebook from their latest upload that held it."""
    ctx = context(request)
    current = records.standings(ctx.db, who.student or "").get(who.student or "")
    return {"student": who.student, **views.describe_standing(current)}


@router.get("/api/submissions/{submission_id}", responses=errors(401, 403, 404))
def submission_status(request: Request, submission_id: str,
                      who: Annotated[Identity, Depends(caller)]) -> dict:
    row, job = records.find(context(request).db, submission_id)
    may_see(who, row.student)
    return views.describe(row, job)


def _graded(request: Request, submission_id: str, who: Identity) -> SubmissionResult:
    row, _job = records.find(context(request).db, submission_id)
    may_see(who, row.student)
    result = records.result_of(row)
    if result is None:
        raise ApiError(404, "not graded yet")
    return result


@router.get("/api/submissions/{submission_id}/feedback", response_class=HTMLResponse,
            responses=errors(401, 403, 404))
def feedback(request: Request, submission_id: str,
             who: Annotated[Identity, Depends(caller)]) -> HTMLResponse:
    result = _graded(request, submission_id, who)
    return HTMLResponse(feedback_html(result), headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


# --- H3: the files kept with an upload, served as data only -------------------------------
KEPT_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=600",
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "Cross-Origin-Resource-Policy": "same-origin"}


@router.get("/api/submissions/{submission_id}/files/{name}",
            responses=errors(401, 403, 404))
def kept_file(request: Request, submission_id: str, name: str,
              who: Annotated[Identity, Depends(caller)]) -> Response:
    """An artifact of the student's run, or an image from a notebook's outputs, as
    submitted: a PNG (checked again) as image/png, the text file as text/plain; never
    HTML, never sniffed."""
    ctx = context(request)
    row, _job = records.find(ctx.db, submission_id)
    may_see(who, row.student)
    found = submitted.kept_file(ctx.settings.uploads_dir, row.id, name)
    if found is None:
        raise ApiError(404, "no such file in this submission")
    data, media_type = found
    return Response(data, media_type=media_type, headers={
        **KEPT_HEADERS, "Content-Disposition": f'inline; filename="{name}"'})
# --- end H3


@router.get("/api/submissions/{submission_id}/results.json",
            responses=errors(401, 403, 404))
def gradescope(request: Request, submission_id: str,
               who: Annotated[Identity, Depends(instructor)]) -> dict:
    return results_json(_graded(request, submission_id, who))


@router.post("/api/submissions/{submission_id}/regrade", status_code=202,
             responses=errors(401, 403, 404))
def regrade(request: Request, submission_id: str,
            _who: Annotated[Identity, Depends(instructor)]) -> JSONResponse:
    ctx = context(request)
    records.find(ctx.db, submission_id)
    ctx.queue.requeue(submission_id)
    return JSONResponse({"id": submission_id, "status": "queued"}, status_code=202)


@router.get("/api/grades.csv", responses=errors(401, 403))
def grades_csv(request: Request, _who: Annotated[Identity, Depends(instructor)]) -> Response:
    """Every student's standing grade (each notebook from their latest upload holding it),
    as the engine's grades.csv."""
    ctx = context(request)
    found = records.standings(ctx.db)
    results = [found[name].result for name in sorted(found)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(grade_rows(results, ctx.notebooks))
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="grades.csv"'})


@router.get("/health", responses=errors(503))
def health(request: Request) -> JSONResponse:
    """Public: {"status": "ok" | "degraded", "database": ..., "broker": ...} (broker with
    queue=celery), 503 when degraded; with the instructor token also the queue's counts."""
    from autograder.service import health as service_health

    ctx = context(request)
    state = service_health.check(ctx, getattr(request.app.state, "broker_probe", None))
    who = identify(ctx, token_of(request)) if state.parts.get("database") == "ok" else None
    return JSONResponse(state.body(with_jobs=who is not None and who.is_instructor),
                        status_code=200 if state.ok else 503)
