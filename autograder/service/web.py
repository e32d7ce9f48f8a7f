"""Server-rendered pages (Jinja2, autoescaped, no scripts): log in, upload, see results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from autograder.service import intake, records, sessions, views
from autograder.service.api import read_upload
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

router = APIRouter()
FORM = [Depends(same_origin)]  # every form post: see deps.same_origin
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"


def _page(request: Request, name: str, status: int = 200, **values) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, values, status_code=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


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


def _home(request: Request, who: Identity, status: int = 200, error: str | None = None
          ) -> HTMLResponse:
    ctx = context(request)
    student_id = who.student or ""
    grade = views.describe_standing(records.standings(ctx.db, student_id).get(student_id))
    return _page(request, "home.html", status=status, student=who.student, grade=grade,
                 rows=records.history(ctx.db, student_id), notebooks=ctx.notebooks,
                 error=error)


# --- login and logout (H4): the cookie holds a server-side session, never the token ------
@router.post("/login", dependencies=FORM)
def login(request: Request, token: Annotated[str, Form()]) -> Response:
    """A student's or the instructor's token opens a session; the cookie gets its id."""
    ctx = context(request)
    who = identify(ctx, token.strip())
    if who is None:
        return _page(request, "login.html", status=401, error="That token is not valid.")
    session_id = sessions.open_session(ctx.db, who, ctx.settings.session_hours * 3600)
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


@router.post("/upload", dependencies=FORM)
async def upload(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    who = _student(request)
    if who is None:
        return RedirectResponse("/", status_code=303)
    ctx = context(request)
    try:
        data = await read_upload(request, file)
        row = await run_in_threadpool(intake.accept, ctx, who.student or "",
                                      file.filename or "", data)
    except (ApiError, intake.UploadError) as exc:
        answer = as_http(exc)
        return _home(request, who, answer.status, answer.message)
    return RedirectResponse(f"/submissions/{row.id}", status_code=303)


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(request: Request, submission_id: str) -> Response:
    who = _student(request)
    if who is None:
        return RedirectResponse("/", status_code=303)
    row, job = records.find(context(request).db, submission_id)
    may_see(who, row.student)
    view = views.describe(row, job)
    return _page(request, "submission.html", student=who.student, s=view,
                 pending=job.state in ("queued", "running"))
