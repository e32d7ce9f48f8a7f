"""Who is calling: a Bearer token (API) or the login cookie (web pages)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from autograder.service.auth import Identity, student_for
from autograder.service.context import ServiceContext
from autograder.service.errors import ApiError

COOKIE = "autograder_token"


def context(request: Request) -> ServiceContext:
    return request.app.state.ctx


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else ""
    return request.cookies.get(COOKIE)


def identify(ctx: ServiceContext, token: str | None) -> Identity | None:
    if not token:
        return None
    if ctx.instructor.matches(token):
        return Identity(None)
    student = student_for(ctx.db, token)
    return Identity(student) if student else None


def caller(request: Request) -> Identity:
    token = token_of(request)
    if not token:
        raise ApiError(401, "no token: send Authorization: Bearer <token>",
                       {"WWW-Authenticate": "Bearer"})
    who = identify(context(request), token)
    if who is None:
        raise ApiError(401, "invalid token", {"WWW-Authenticate": "Bearer"})
    return who


def student(request: Request) -> Identity:
    who = caller(request)
    if who.is_instructor:
        raise ApiError(403, "instructors do not submit; use a student token")
    return who


def instructor(request: Request) -> Identity:
    who = caller(request)
    if not who.is_instructor:
        raise ApiError(403, "instructor only")
    return who


def may_see(who: Identity, owner: str) -> None:
    if not who.is_instructor and who.student != owner:
        raise ApiError(403, "not your submission")


def _origin_of(url: str) -> str | None:
    """scheme://host[:port] of a URL, lower-case, without the scheme's default port."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def same_origin(request: Request) -> None:
    """Refuse a form post another site made the browser send (login CSRF: a page that
    posts its author's token to /login would log the victim in as the author).

    Browsers name the page that posts in Origin (or, failing that, Referer); it must be
    this service (the Host the browser sent) or one of settings.allowed_origins. A request
    with neither header is not a browser's cross-site post and passes.
    """
    sent = request.headers.get("origin")
    if sent is None:
        referer = request.headers.get("referer")
        if referer is None:
            return
        sent = referer
    origin = _origin_of(sent) if sent != "null" else None
    host = request.headers.get("host", "")
    own = {_origin_of(f"{scheme}://{host}") for scheme in ("http", "https")} if host else set()
    allowed = own | {_origin_of(o) for o in context(request).settings.allowed_origins}
    if origin is None or origin not in allowed:
        raise ApiError(403, "this form must be sent from the grader's own page")
