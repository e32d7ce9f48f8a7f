"""Errors the API answers with: JSON {"error": "..."} and the right status code.

The edge of the service: the modules below the routes (intake, records, the queue) raise
domain errors that say what went wrong; :func:`as_http` is the one place that says which
status code each one is, for the API's handlers and the pages alike.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from autograder.service.intake import BadUploadError, RateLimitError, TooLargeError, UploadError
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
    if isinstance(exc, SubmissionNotFoundError):
        return ApiError(404, message)
    raise TypeError(f"no HTTP answer for {type(exc).__name__}") from exc


def error_response(status: int, message: str, headers: dict[str, str] | None = None
                   ) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.headers)

    async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
        answer = as_http(exc)  # type: ignore[arg-type]
        return error_response(answer.status, answer.message, answer.headers)

    for domain in DOMAIN_ERRORS:
        app.add_exception_handler(domain, _domain_error)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = ", ".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors())
        return error_response(400, f"malformed request ({fields or 'body'})")

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error", exc_info=exc)
        return error_response(500, "internal error")
