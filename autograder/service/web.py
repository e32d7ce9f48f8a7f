"""Server-rendered pages (Jinja2, autoescaped, no scripts): log in, upload, see results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from autograder.service import intake, records, views
from autograder.service.api import read_upload
from autograder.service.auth import Identity
from autograder.service.deps import COOKIE, context, identify, may_see, same_origin
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
    who = identify(context(request), request.cookies.get(COOKIE))
    return who if who is not None and not who.is_instructor else None


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    who = _student(request)
    if who is None:
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


@router.post("/login", dependencies=FORM)
def login(request: Request, token: Annotated[str, Form()]) -> Response:
    who = identify(context(request), token.strip())
    if who is None or who.is_instructor:
        return _page(request, "login.html", status=401, error="That token is not valid.")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.post("/logout", dependencies=FORM)
def logout() -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


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
