"""HTTP at the edge only: intake, records and the queue raise domain errors, the routes turn
them into status codes (errors.as_http), and no module below the routes speaks HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from autograder.service.errors import ApiError, as_http
from autograder.service.intake import BadUploadError, RateLimitError, TooLargeError
from autograder.service.records import SubmissionNotFoundError

AUTOGRADER = Path(__file__).resolve().parents[3] / "autograder"
ROUTES = {f"autograder.service.{name}" for name in ("api", "web", "deps", "errors", "limits",
                                                     "app", "pages", "instructor_api",
                                                     "instructor_web", "manual_feedback",
                                                     "responses")}
"""The edge: routes, their dependencies, the error handlers, the body limit, the app, and the
errors the API documents."""
HTTP_PACKAGES = ("fastapi", "starlette")  # where HTTPException and status live


@pytest.mark.parametrize("error, status, headers", [
    (BadUploadError("empty upload"), 400, None),
    (TooLargeError.over(10), 413, None),
    (RateLimitError("at most 5 submissions a minute", retry_after=60), 429,
     {"Retry-After": "60"}),
    (SubmissionNotFoundError(), 404, None),
])
def test_each_domain_error_has_its_status_code_and_keeps_its_message(error, status, headers):
    answer = as_http(error)
    assert (answer.status, answer.message, answer.headers) == (status, str(error), headers)


def test_an_api_error_is_answered_as_it_is_and_an_unknown_error_is_refused():
    error = ApiError(403, "instructor only")
    assert as_http(error) is error
    with pytest.raises(TypeError):
        as_http(ValueError("no status for this"))  # type: ignore[arg-type]


def module_name(path: Path) -> str:
    parts = path.relative_to(AUTOGRADER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def http_uses(tree: ast.AST) -> list[str]:
    """What in a module speaks HTTP: imports of fastapi/starlette or of the service's HTTP
    error module, and any use of ApiError."""
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            if name.split(".")[0] in HTTP_PACKAGES or name == "autograder.service.errors":
                found.append(f"line {node.lineno}: imports {name}")
        if isinstance(node, ast.Name) and node.id == "ApiError" or (
                isinstance(node, ast.Attribute) and node.attr == "ApiError"):
            found.append(f"line {node.lineno}: ApiError")
    return found


def test_only_the_routes_speak_http():
    offenders = {}
    for path in sorted(AUTOGRADER.rglob("*.py")):
        name = module_name(path)
        if name not in ROUTES:
            uses = http_uses(ast.parse(path.read_text(encoding="utf-8")))
            if uses:
                offenders[name] = uses
    assert offenders == {}
    assert all((AUTOGRADER.parent / (m.replace(".", "/") + ".py")).is_file() for m in ROUTES)


def test_the_check_sees_http_where_it_is():
    tree = ast.parse("from fastapi import HTTPException\nraise errors.ApiError(400, 'x')\n")
    assert http_uses(tree) == ["line 1: imports fastapi", "line 2: ApiError"]
