"""The student's page of the staff's manual grading: written parts' scores and comments, shown
once the instructor released the feedback (``nbgrader release_feedback``).

The scores and comments come from the nbgrader gradebook (formgrader's), read in a worker
thread; every value is rendered by Jinja's autoescape, never as markup (a TA's comment is
text). nbgrader's own feedback HTML is not served: it embeds the student's notebook, whose
markdown may carry markup.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from autograder.service.deps import context, signed_in
from autograder.service.gradebook import NotebookFeedback, manual_feedback
from autograder.service.pages import page

log = logging.getLogger(__name__)
router = APIRouter()


def _load(request: Request, student: str) -> tuple[list[NotebookFeedback], str | None]:
    """The released feedback, or an empty list and why it cannot be shown."""
    settings = context(request).settings
    if not settings.gradebook_url:
        return [], "The course does not keep a gradebook on this server."
    try:
        return manual_feedback(settings, student), None
    except Exception:  # the gradebook is the staff's: log it, tell the student plainly
        log.exception("%s: the released feedback could not be read", student)
        return [], "The staff's grading cannot be read right now; try again later."


@router.get("/feedback", response_class=HTMLResponse)
async def feedback_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None or who.is_instructor or not who.student:
        return RedirectResponse("/", status_code=303)
    notebooks, problem = await run_in_threadpool(_load, request, who.student)
    return page(request, "manual_feedback.html", student=who.student, notebooks=notebooks,
                problem=problem, total=round(sum(nb.score for nb in notebooks), 6),
                total_max=round(sum(nb.max_score for nb in notebooks), 6))


__all__ = ["router"]
