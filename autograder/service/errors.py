"""Errors the service answers with: the right status code, and JSON {"error": "..."} to an
API call or a page of the service to a browser (content-negotiated, see pages.wants_html).

The edge of the service: the modules below the routes (intake, records, the queue) raise
domain errors that say what went wrong; :func:`as_http` is the one place that says which
status code each one is, for the API's handlers and the pages alike.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from autograder.service.intake import (
    BadUploadError,
    LateError,
    RateLimitError,
    TooLargeError,
    UploadError,
)
from autograder.service.pages import page, wants_html
from autograder.service.records import SubmissionNotFoundError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer a route gives as is: its status code, the caller's message, headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


DOMAIN_ERRORS = (UploadError, SubmissionNotFoundError)
"""The domain errors the routes let through to :func:`as_http`."""


def as_http(exc: ApiError | UploadError | SubmissionNotFoundError) -> ApiError:
    """The HTTP answer to an error: its status code, message and headers."""
    if isinstance(exc, ApiError):
        return exc
    message = str(exc)
    if isinstance(exc, RateLimitError):
        return ApiError(429, message, {"Retry-After": str(exc.retry_after)})
    if isinstance(exc, TooLargeError):
        return ApiError(413, message)
    if isinstance(exc, BadUploadError):
        return ApiError(400, message)
    if isinstance(exc, LateError):
        return ApiError(403, message)
    if isinstance(exc, SubmissionNotFoundError):
        return ApiError(404, message)
    raise TypeError(f"no HTTP answer for {type(exc).__name__}") from exc


def error_response(status: int, message: str, headers: dict[str, str] | None = None
                   ) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


TITLES = {400: "Not accepted", 401: "Please log in", 403: "Not allowed", 404: "Not found",
          405: "Not found", 413: "Upload too large", 429: "Too many uploads",
          500: "Something went wrong"}
HINTS = {
    401: "Log in again on the home page with your token.",
    403: "Open the grader's home page, log in, and send the form from there.",
    404: "Go back to the home page: your submissions are listed there.",
    405: "Go back to the home page: your submissions are listed there.",
    429: "Wait a minute, then upload again: nothing of this upload was kept.",
    500: "The grader failed on its side, not because of your files. Try again in a minute; "
         "if it happens again, tell the course staff the time it happened.",
}
FORM_FIELDS = "Choose a file to upload (a notebook, a zip of the assignment, or its plots) " \
              "and press Submit."


def answer(request: Request, status: int, message: str,
           headers: dict[str, str] | None = None) -> Response:
    """The error as the caller reads it: a page for a browser, JSON for the API."""
    if not wants_html(request):
        return error_response(status, message, headers)
    return page(request, "refused.html", status=status, headers=headers,
                title=TITLES.get(status, "Not accepted"), message=message,
                hint=HINTS.get(status))


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return answer(request, exc.status, exc.message, exc.headers)

    async def _domain_error(request: Request, exc: Exception) -> Response:
        found = as_http(exc)  # type: ignore[arg-type]
        return answer(request, found.status, found.message, found.headers)

    for domain in DOMAIN_ERRORS:
        app.add_exception_handler(domain, _domain_error)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return answer(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors())
        if wants_html(request):
            return answer(request, 400, f"The form was sent incomplete. {FORM_FIELDS}")
        return error_response(400, f"malformed request ({fields or 'body'})")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error", exc_info=exc)
        return answer(request, 500, "internal error")
