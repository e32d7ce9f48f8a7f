"""Who is calling: a Bearer token (API) or the session cookie (web pages, and the API's
links the pages follow)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request, Response

from autograder.service import sessions
from autograder.service.auth import Identity, student_for
from autograder.service.context import ServiceContext
from autograder.service.errors import ApiError

COOKIE = "autograder_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def context(request: Request) -> ServiceContext:
    return request.app.state.ctx


def token_of(request: Request) -> str | None:
    """The Bearer token of the Authorization header; "" for another scheme or an empty
    token, None without the header (the cookie holds a session id, never a token)."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else ""


def identify(ctx: ServiceContext, token: str | None) -> Identity | None:
    """Whose token this is: the instructor's, a student's, or nobody's."""
    if not token:
        return None
    if ctx.instructor.matches(token):
        return Identity(None)
    student = student_for(ctx.db, token)
    return Identity(student) if student else None


def signed_in(request: Request) -> Identity | None:
    """Who the browser's session cookie belongs to (None: no, unknown or expired session)."""
    ctx = context(request)
    return sessions.identity_of(ctx.db, request.cookies.get(COOKIE),
                                instructor=ctx.instructor.fingerprint)


def session_cookie(request: Request, response: Response, session_id: str) -> None:
    """Put the session id in the cookie: HttpOnly (no script reads it), SameSite=Lax (sent
    on links from elsewhere, never on another site's posts), Secure over https (as seen
    through the proxy's headers) or whenever settings.secure_cookies says the service is
    behind TLS, and it lasts as long as the session."""
    settings = context(request).settings
    response.set_cookie(COOKIE, session_id, max_age=int(settings.session_hours * 3600),
                        httponly=True, samesite="lax", path="/",
                        secure=settings.secure_cookies or request.url.scheme == "https")


def end_session(request: Request, response: Response) -> None:
    sessions.close_session(context(request).db, request.cookies.get(COOKIE))
    settings = context(request).settings
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax",
                           secure=settings.secure_cookies or request.url.scheme == "https")


def caller(request: Request) -> Identity:
    """The API's caller: the Bearer token if one is sent, else the web session. A session
    may change something only from the grader's own pages (see same_origin)."""
    token = token_of(request)
    if token is None:
        who = signed_in(request)
        if who is not None:
            if request.method not in SAFE_METHODS:
                same_origin(request)
            return who
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
