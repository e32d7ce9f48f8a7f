"""Server-rendered pages (Jinja2, autoescaped, no scripts): log in, upload, see results."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from autograder.service import intake, records, sessions, submitted, views
from autograder.service.api import read_uploads
from autograder.service.auth import Identity
from autograder.service.deps import (
    context,
    end_session,
    identify,
    may_see,
    same_origin,
    session_cookie,
    signed_in,
)
from autograder.service.errors import ApiError, as_http
from autograder.service.pages import CSP, page, templates

router = APIRouter()
FORM = [Depends(same_origin)]  # every form post: see deps.same_origin
__all__ = ["CSP", "router", "templates"]


def _page(request: Request, name: str, status: int = 200, **values) -> HTMLResponse:
    return page(request, name, status=status, **values)


def _student(request: Request) -> Identity | None:
    who = signed_in(request)
    return who if who is not None and not who.is_instructor else None


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    who = _student(request)
    if who is None:
        signed = signed_in(request)  # H4: the instructor has pages of their own
        if signed is not None and signed.is_instructor:
            return RedirectResponse("/instructor", status_code=303)
        return _page(request, "login.html")
    return _home(request, who)


def _home(request: Request, who: Identity, status: int = 200, error: str | None = None,
          headers: dict[str, str] | None = None) -> HTMLResponse:
    ctx = context(request)
    student_id = who.student or ""
    grade = views.describe_standing(records.standings(ctx.db, student_id).get(student_id))
    rows = [(row, job, views.describe(row, job, detail=False))
            for row, job in records.history(ctx.db, student_id)]
    return _page(request, "home.html", status=status, student=who.student, grade=grade,
                 rows=rows, notebooks=ctx.notebooks, artifacts=views.ARTIFACT_NAMES,
                 deadline=views.deadline(ctx.settings, student_id, time.time()),
                 max_upload=ctx.settings.max_upload_bytes, error=error, headers=headers)


# --- login and logout (H4): the cookie holds a server-side session, never the token ------
@router.post("/login", dependencies=FORM)
def login(request: Request, token: Annotated[str, Form()]) -> Response:
    """A student's or the instructor's token opens a session; the cookie gets its id."""
    ctx = context(request)
    who = identify(ctx, token.strip())
    if who is None:
        return _page(request, "login.html", status=401, error="That token is not valid.")
    session_id = sessions.open_session(
        ctx.db, who, ctx.settings.session_hours * 3600,
        credential=ctx.instructor.fingerprint if who.is_instructor else None)
    response = RedirectResponse("/instructor" if who.is_instructor else "/", status_code=303)
    session_cookie(request, response, session_id)
    return response


@router.post("/logout", dependencies=FORM)
def logout(request: Request) -> Response:
    """Ends the session in the database (a copied cookie stops working too)."""
    response = RedirectResponse("/", status_code=303)
    end_session(request, response)
    return response
# --- end login and logout ----------------------------------------------------------------


# --- upload and the submission page (H3) ---------------------------------------------------
@router.post("/upload", dependencies=FORM)
async def upload(request: Request, file: Annotated[list[UploadFile], File()]) -> Response:
    """One or more files chosen together (notebooks, a zip, the run's plots); a refusal is the
    home page again with the reason, naming the file at fault."""
    who = _student(request)
    if who is None:
        return RedirectResponse("/", status_code=303)
    ctx = context(request)
    try:
        files = await read_uploads(request, file)
        row = await run_in_threadpool(intake.accept_files, ctx, who.student or "", files)
    except (ApiError, intake.UploadError) as exc:
        answer = as_http(exc)
        return _home(request, who, answer.status, answer.message, answer.headers)
    return RedirectResponse(f"/submissions/{row.id}", status_code=303)


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(request: Request, submission_id: str) -> Response:
    """The autograded results beside the notebooks' own outputs and the run's files, as
    submitted; the student's own page, and the staff's (signed in as the instructor)."""
    who = signed_in(request)
    if who is None:
        return RedirectResponse("/", status_code=303)
    ctx = context(request)
    row, job = records.find(ctx.db, submission_id)
    may_see(who, row.student)
    view = views.describe(row, job)
    current = records.standings(ctx.db, row.student).get(row.student)
    texts = {a["name"]: submitted.text_of(ctx.settings.uploads_dir, row.id, a["name"])
             for a in view["held"]["artifacts"] if str(a.get("type")).startswith("text/")}
    return _page(request, "submission.html", student=who.student, s=view,
                 staff=who.is_instructor, grade=views.describe_standing(current),
                 submitted=submitted.load_view(ctx.settings.uploads_dir, ctx.store, row),
                 texts=texts, pending=job.state in ("queued", "running"))
# --- end upload and the submission page ------------------------------------------------------
