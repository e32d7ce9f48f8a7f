"""Web sessions: what the browser's cookie holds instead of the student's long-lived token.

A token is valid for the whole term and is the only secret a student has; a cookie leaks
more easily (a shared computer, a proxy log, a backup of a browser profile). So logging in
exchanges the token for a random 256-bit session id that expires on its own and that logging
out destroys. The database keeps only the id's SHA-256 (the id has full entropy, so a plain
hash is enough: nobody can guess an id from a stolen table), the identity and the expiry.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time

from sqlalchemy import delete, select

from autograder.service.auth import Identity
from autograder.service.db import Database, WebSession

log = logging.getLogger(__name__)
MAX_ID_LENGTH = 100


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_session(db: Database, who: Identity, lifetime_seconds: float,
                 now: float | None = None, credential: str | None = None) -> str:
    """A fresh session for who; returns its id (shown once, to be put in the cookie).
    credential: for the instructor, the fingerprint of the token used (see identity_of).
    Expired sessions are removed on the way, so the table never grows without bound."""
    now = time.time() if now is None else now
    session_id = secrets.token_urlsafe(32)  # 256 random bits
    with db.session() as s, s.begin():
        s.execute(delete(WebSession).where(WebSession.expires_at <= now))
        s.add(WebSession(digest=_digest(session_id), student=who.student, created_at=now,
                         expires_at=now + lifetime_seconds, credential=credential))
    return session_id


def identity_of(db: Database, session_id: str | None, now: float | None = None,
                instructor: str | None = None) -> Identity | None:
    """Who holds this session id, or None (unknown, malformed or expired). An instructor's
    session counts only while `instructor`, the fingerprint of the instructor's token now,
    is the one that opened it: replacing the token (and restarting) signs the old one out.
    (A student's sessions end when their token is replaced: auth.issue_token.)"""
    if not session_id or len(session_id) > MAX_ID_LENGTH:
        return None
    now = time.time() if now is None else now
    with db.session() as s:
        row = s.scalar(select(WebSession).where(WebSession.digest == _digest(session_id)))
    if row is None or row.expires_at <= now:
        return None
    if row.student is None and (instructor is None or row.credential != instructor):
        return None
    return Identity(row.student)


def close_session(db: Database, session_id: str | None) -> None:
    """Log out: the session stops working at once, whoever holds a copy of the cookie."""
    if not session_id or len(session_id) > MAX_ID_LENGTH:
        return
    with db.session() as s, s.begin():
        s.execute(delete(WebSession).where(WebSession.digest == _digest(session_id)))


def close_sessions_of(db: Database, student: str) -> int:
    """End every session of a student (their token was replaced); how many there were."""
    with db.session() as s, s.begin():
        gone = s.execute(delete(WebSession).where(WebSession.student == student)).rowcount
    if gone:
        log.info("ended %d web sessions of %s", gone, student)
    return gone or 0
