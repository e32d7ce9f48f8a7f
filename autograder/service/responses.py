"""What the API's error answers look like in its OpenAPI document.

Every error is JSON ``{"error": "..."}`` (autograder.service.errors). A route declares the
statuses it can answer with ``responses=errors(...)``; :func:`openapi_without_422` drops the
"422 Validation Error" FastAPI adds to every route with parameters, which this service never
sends: a malformed request gets 400 with the error body, like any other refusal.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """An error answer: what went wrong, in words for the person who sent the request."""

    error: str = Field(description="what went wrong and, where it helps, what to do")


MEANING = {
    400: "not accepted: a malformed request, or an upload that is not a notebook or zip of the "
         "assignment (the message names the file and what to do)",
    401: "no token, or not a valid one (send Authorization: Bearer <token>)",
    403: "not allowed for this token (another student's submission, an instructor's route), "
         "or the deadline's policy refuses the upload",
    404: "no such submission, student or file (or not graded yet)",
    413: "over the upload limit",
    429: "too many uploads in a minute; Retry-After says when to try again",
    503: "degraded: the database or the queue does not answer",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that may answer with these error statuses."""
    return {status: {"model": ErrorBody, "description": MEANING[status]} for status in statuses}


def openapi_without_422(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document (built once), without the 422 answers it never gives."""
    if app.openapi_schema is None:
        spec = get_openapi(title=app.title, version=app.version, routes=app.routes)
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        schemas = spec.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = spec
    return app.openapi_schema
