"""Rendering the service's HTML pages: one Jinja environment (autoescaped, no scripts), the
headers every page carries, and times written as dates in the course's time zone.

Shared by the routes (web.py) and the error handlers (errors.py), so a refusal a browser
sees is a page of the service like any other, never a JSON body.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; " \
      "frame-ancestors 'none'"
COURSE_TIMEZONE = "America/Los_Angeles"
"""The course's time zone when the settings name none (Stanford's)."""


def course_zone(request: Request | None) -> ZoneInfo:
    """The time zone dates are shown in: the course settings' timezone, else Stanford's."""
    name = None
    app = request.scope.get("app") if request is not None else None
    if app is not None:
        settings = getattr(getattr(app.state, "ctx", None), "settings", None)
        name = getattr(settings, "timezone", None)
    try:
        return ZoneInfo(str(name or COURSE_TIMEZONE))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(COURSE_TIMEZONE)


def when(timestamp: float | None, zone: ZoneInfo) -> str:
    """A Unix time as a date people read: "Wed 2 Dec 2026, 01:27 PST"."""
    if timestamp is None:
        return ""
    moment = datetime.fromtimestamp(float(timestamp), UTC).astimezone(zone)
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M %Z}"


def duration(seconds: float) -> str:
    """A span of time in the largest two units: "2 days 3 hours", "5 minutes"."""
    seconds = max(0, int(seconds))
    units = [("day", 86400), ("hour", 3600), ("minute", 60)]
    parts = []
    for name, size in units:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}{'s' if count != 1 else ''}")
    return " ".join(parts[:2]) or "less than a minute"


def page(request: Request, name: str, status: int = 200,
         headers: dict[str, str] | None = None, **values: Any) -> HTMLResponse:
    """A rendered template with the service's security headers."""
    zone = course_zone(request)
    values.setdefault("student", None)
    values.setdefault("error", None)
    values["when"] = lambda t: when(t, zone)
    values["duration"] = duration
    response = templates.TemplateResponse(request, name, values, status_code=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def wants_html(request: Request) -> bool:
    """A browser's page or form post, not an API call: the answer is a page.

    The API lives under /api (and /health); anything else a browser asked for, or a form it
    posted, is answered in HTML.
    """
    path = request.url.path
    if path.startswith("/api/") or path == "/health":
        return False
    accept = request.headers.get("accept", "")
    kind = request.headers.get("content-type", "")
    return ("text/html" in accept or kind.startswith("multipart/form-data")
            or kind.startswith("application/x-www-form-urlencoded"))
