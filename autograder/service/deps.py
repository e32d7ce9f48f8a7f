"""Who is calling: a Bearer token (API) or the login cookie (web pages)."""

from __future__ import annotations

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
