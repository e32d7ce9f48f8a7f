"""The instructor's JSON API: the roster, every submission with filters, one student, regrade
all with its progress, class statistics, and the OpenAPI document.

Every route needs the instructor (a Bearer token, or the instructor's web session for the
GETs the pages link to). The numbers come from autograder.service.instructor, as the pages'.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from autograder.report import GradebookError, check_student_id
from autograder.service import instructor as klass
from autograder.service import views
from autograder.service.auth import Identity
from autograder.service.deps import context
from autograder.service.deps import instructor as staff
from autograder.service.errors import ApiError
from autograder.service.pages import course_zone
from autograder.service.responses import errors, openapi_without_422

router = APIRouter(prefix="/api/instructor", tags=["instructor"])
docs_router = APIRouter()
Staff = Annotated[Identity, Depends(staff)]
State = Literal["queued", "running", "done", "failed"]
Since = Annotated[float, Query(ge=0, allow_inf_nan=False,
                               description="the regrade's start (Unix time), as POST answered")]


def roster_view(entry: klass.RosterEntry) -> dict[str, Any]:
    """A student's line of the roster: standing grade and their last upload."""
    return {"student": entry.student, **views.describe_standing(entry.standing),
            "submissions": entry.submissions, "last_submission_at": entry.last_at,
            "last_status": entry.last_state, "has_token": entry.has_token}


def unix_time(request: Request, moment: datetime | None) -> float | None:
    """A datetime as Unix time; one without an offset is read in the course's time zone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=course_zone(request))
    return moment.timestamp()


def known_student(student: str) -> str:
    try:
        return check_student_id(student)
    except GradebookError as exc:
        raise ApiError(404, f"no such student: {exc}") from None


@router.get("/students", responses=errors(401, 403))
def students(request: Request, _who: Staff) -> dict:
    """Every student on the roster (submitters or not) with their standing grade."""
    return {"students": [roster_view(e) for e in klass.roster(context(request).db)]}


@router.get("/students/{student}", responses=errors(401, 403, 404))
def one_student(request: Request, student: str, _who: Staff) -> dict:
    """One student's standing grade and all their submissions, newest first."""
    db = context(request).db
    name = known_student(student)
    entry = klass.entry_for(db, name)
    if entry is None:
        raise ApiError(404, "no such student")
    rows = klass.submissions(db, student=name)
    return {**roster_view(entry),
            "history": [views.describe(r, j, detail=False) for r, j in rows]}


@router.get("/submissions", responses=errors(400, 401, 403))
def all_submissions(request: Request, _who: Staff,
                    student: Annotated[str | None, Query(max_length=128)] = None,
                    status: State | None = None,
                    since: Annotated[datetime | None, Query(
                        description="ISO 8601 (no offset: the course's time zone) or "
                                    "Unix time")] = None,
                    limit: Annotated[int, Query(ge=1, le=klass.LIST_LIMIT)] = 100) -> dict:
    """Every student's submissions, newest first, filtered by student, job status and
    submission time (at or after `since`)."""
    rows = klass.submissions(context(request).db, student=student, state=status,
                             since=unix_time(request, since), limit=limit)
    return {"submissions": [views.describe(r, j, detail=False) for r, j in rows]}


@router.post("/regrade", status_code=202, responses=errors(400, 401, 403))
async def regrade_all(request: Request, _who: Staff,
                      scope: Literal["all", "standing"] = "all") -> JSONResponse:
    """Grade again every finished submission (scope=standing: only those a standing grade
    uses), e.g. after the checks changed; the answer says where to follow the progress."""
    ctx = context(request)
    since, count = await run_in_threadpool(klass.regrade_all, ctx.db, ctx.queue,
                                           scope == "standing")
    return JSONResponse({"since": since, "requeued": count,
                         "progress": f"/api/instructor/regrade?since={since!r}"},
                        status_code=202)


@router.get("/regrade", responses=errors(400, 401, 403))
def regrade_progress(request: Request, since: Since, _who: Staff) -> dict:
    """How many of the submissions made before `since` were graded again since then."""
    progress = klass.regrade_progress(context(request).db, since)
    return {"since": since, "total": progress.total, "done": progress.done,
            "failed": progress.failed, "finished": progress.finished}


@router.get("/stats", responses=errors(401, 403))
def stats(request: Request, _who: Staff) -> dict:
    """Per-check pass rates and the histogram of standing scores, over the roster."""
    found = klass.class_stats(klass.roster(context(request).db))
    return {"students": found.students, "graded": len(found.scores),
            "max_score": found.max_score,
            "checks": [{"notebook": r.notebook, "check": r.name, "description": r.description,
                        "passed": r.passed, "attempted": r.attempted, "rate": r.rate}
                       for r in found.checks],
            "histogram": [{"low": b.low, "high": b.high, "students": b.count}
                          for b in klass.histogram(found.scores, found.max_score)]}


@docs_router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _who: Staff) -> JSONResponse:
    """The OpenAPI document, for the instructor only (it maps every route)."""
    return JSONResponse(openapi_without_422(request.app))
