"""The instructor's pages: the roster, one student, one submission (with its regrade button),
regrade all with its progress, class statistics with charts, and the API's documentation.

Server-rendered like the students' pages (autoescaped, no scripts; charts are inline SVG
drawn by autograder.service.charts). The instructor signs in through the same login form
with their token; a student who opens these pages gets a 403 page, nobody signed in is sent
to the login form. Every form post is checked by deps.same_origin.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from autograder.report import GradebookError, check_student_id
from autograder.service import charts, records, submitted, views
from autograder.service import instructor as klass
from autograder.service.deps import context, same_origin, signed_in
from autograder.service.errors import ApiError
from autograder.service.pages import page
from autograder.service.responses import openapi_without_422

router = APIRouter(include_in_schema=False)
FORM = [Depends(same_origin)]
STAFF = "instructor"  # what the header says who is signed in


def _refusal(request: Request) -> Response | None:
    """None for the instructor's session; else the login form (nobody signed in) or a 403
    page (a student)."""
    who = signed_in(request)
    if who is None:
        return RedirectResponse("/", status_code=303)
    if not who.is_instructor:
        return page(request, "instructor_denied.html", status=403, student=who.student)
    return None


def _page(request: Request, name: str, **values: Any) -> HTMLResponse:
    return page(request, name, student=STAFF, **values)


@router.get("/instructor", response_class=HTMLResponse)
def roster_page(request: Request) -> Response:
    if (refused := _refusal(request)) is not None:
        return refused
    entries = klass.roster(context(request).db)
    rows = [(e, views.describe_standing(e.standing)) for e in entries]
    return _page(request, "instructor_roster.html", rows=rows,
                 submitted=sum(1 for e in entries if e.submissions),
                 notebooks=context(request).notebooks)


@router.get("/instructor/students/{student}", response_class=HTMLResponse)
def student_page(request: Request, student: str) -> Response:
    if (refused := _refusal(request)) is not None:
        return refused
    try:
        name = check_student_id(student)
    except GradebookError:
        raise ApiError(404, "no such student") from None
    db = context(request).db
    entry = klass.entry_for(db, name)
    if entry is None:
        raise ApiError(404, "no such student")
    return _page(request, "instructor_student.html", entry=entry,
                 grade=views.describe_standing(entry.standing),
                 rows=klass.submissions(db, student=name))


@router.get("/instructor/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(request: Request, submission_id: str) -> Response:
    """The student's submission page as the staff sees it (results beside the outputs and
    files as submitted), with the regrade button and results.json."""
    if (refused := _refusal(request)) is not None:
        return refused
    ctx = context(request)
    row, job = records.find(ctx.db, submission_id)
    view = views.describe(row, job)
    current = records.standings(ctx.db, row.student).get(row.student)
    texts = {a["name"]: submitted.text_of(ctx.settings.uploads_dir, row.id, a["name"])
             for a in view["held"]["artifacts"] if str(a.get("type")).startswith("text/")}
    return _page(request, "instructor_submission.html", s=view, staff=True,
                 grade=views.describe_standing(current),
                 submitted=submitted.load_view(ctx.settings.uploads_dir, ctx.store, row),
                 texts=texts, pending=job.state in ("queued", "running"))


@router.post("/instructor/submissions/{submission_id}/regrade", dependencies=FORM)
def regrade_one(request: Request, submission_id: str) -> Response:
    if (refused := _refusal(request)) is not None:
        return refused
    ctx = context(request)
    records.find(ctx.db, submission_id)
    ctx.queue.requeue(submission_id)
    return RedirectResponse(f"/instructor/submissions/{submission_id}", status_code=303)


@router.get("/instructor/regrade", response_class=HTMLResponse)
def regrade_page(request: Request, since: Annotated[float | None, Query(
        ge=0, allow_inf_nan=False)] = None) -> Response:
    """The regrade-all form; with ?since= the progress of the regrade started then (the page
    refreshes itself every 2 s until every submission is finished again)."""
    if (refused := _refusal(request)) is not None:
        return refused
    progress = klass.regrade_progress(context(request).db, since) if since else None
    return _page(request, "instructor_regrade.html", progress=progress)


@router.post("/instructor/regrade", dependencies=FORM)
async def regrade_all(request: Request,
                      scope: Annotated[Literal["all", "standing"], Form()] = "all") -> Response:
    if (refused := _refusal(request)) is not None:
        return refused
    ctx = context(request)
    since, _count = await run_in_threadpool(klass.regrade_all, ctx.db, ctx.queue,
                                            scope == "standing")
    return RedirectResponse(f"/instructor/regrade?since={since!r}", status_code=303)


@router.get("/instructor/stats", response_class=HTMLResponse)
def stats_page(request: Request) -> Response:
    if (refused := _refusal(request)) is not None:
        return refused
    found = klass.class_stats(klass.roster(context(request).db))
    bins = klass.histogram(found.scores, found.max_score)
    return _page(request, "instructor_stats.html", stats=found, bins=bins,
                 rates_chart=charts.pass_rates(found.checks),
                 histogram_chart=charts.score_histogram(bins, found.max_score))


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    """The API's documentation from FastAPI's OpenAPI document, rendered on the server
    (Swagger UI would load its scripts from elsewhere, which these pages never do)."""
    if (refused := _refusal(request)) is not None:
        return refused
    operations = _operations(openapi_without_422(request.app))
    return _page(request, "instructor_docs.html", operations=operations)


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """(method, path, summary, description, parameters, responses) of every operation."""
    found = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [{"name": p.get("name", ""), "in": p.get("in", ""),
                       "required": bool(p.get("required")),
                       "description": p.get("description", "")}
                      for p in op.get("parameters", [])]
            found.append({"method": method.upper(), "path": path,
                          "summary": op.get("summary", ""),
                          "description": op.get("description", ""),
                          "tags": op.get("tags", []), "parameters": params,
                          "body": "requestBody" in op,
                          "responses": sorted(op.get("responses", {}))})
    return found
