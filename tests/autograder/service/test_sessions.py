"""Web sessions: the cookie holds a random session id (never the token), stored hashed; it
expires, logging out kills it for every copy of the cookie, a replaced token ends it; the
cookie is HttpOnly, SameSite=Lax, and Secure over https or when the settings say so."""

from __future__ import annotations

import hashlib
import time

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from autograder.service import sessions
from autograder.service.auth import Identity, InstructorKey, issue_token
from autograder.service.db import Database, WebSession
from autograder.service.deps import COOKIE
from tests.autograder.service.inprocess import running, settings_for, student_token
from tests.autograder.service.server import INSTRUCTOR


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'service.db'}")
    yield database
    database.close()


def test_a_session_is_random_hashed_and_expires(db):
    first = sessions.open_session(db, Identity("alice"), 60, now=1000.0)
    second = sessions.open_session(db, Identity("alice"), 60, now=1000.0)
    assert first != second and len(first) >= 43  # 32 random bytes, base64url
    with db.session() as s:
        stored = set(s.scalars(select(WebSession.digest)).all())
    assert first not in stored  # only its hash is kept
    assert hashlib.sha256(first.encode()).hexdigest() in stored
    assert sessions.identity_of(db, first, now=1059.0) == Identity("alice")
    assert sessions.identity_of(db, first, now=1060.0) is None  # expired
    for wrong in (None, "", first[:-1], first + "x", "x" * 10_000):
        assert sessions.identity_of(db, wrong, now=1001.0) is None


def test_logout_ends_the_session_and_expired_ones_are_swept(db):
    kept = sessions.open_session(db, Identity(None), 60, now=0.0, credential="f" * 64)
    gone = sessions.open_session(db, Identity("bob"), 60, now=0.0)
    sessions.close_session(db, gone)
    assert sessions.identity_of(db, gone, now=1.0) is None
    assert sessions.identity_of(db, kept, now=1.0, instructor="f" * 64) == Identity(None)
    sessions.open_session(db, Identity("carol"), 60, now=500.0)  # sweeps the expired
    with db.session() as s:
        assert len(s.scalars(select(WebSession)).all()) == 1


def test_a_replaced_token_ends_its_sessions(db):
    issue_token(db, "alice")
    old = sessions.open_session(db, Identity("alice"), 3600)
    other = sessions.open_session(db, Identity("bob"), 3600)
    issue_token(db, "alice")  # the token leaked: a new one is issued
    assert sessions.identity_of(db, old) is None
    assert sessions.identity_of(db, other) == Identity("bob")


def test_a_new_instructor_token_ends_the_old_one_s_sessions(db):
    old, new = InstructorKey("old-token-0123456789"), InstructorKey("new-token-0123456789")
    assert old.fingerprint == InstructorKey("old-token-0123456789").fingerprint  # restarts
    opened = sessions.open_session(db, Identity(None), 3600, credential=old.fingerprint)
    assert sessions.identity_of(db, opened, instructor=old.fingerprint) == Identity(None)
    assert sessions.identity_of(db, opened, instructor=new.fingerprint) is None
    assert sessions.identity_of(db, opened, instructor=None) is None  # no token configured
    forged = sessions.open_session(db, Identity(None), 3600)  # none recorded: never valid
    assert sessions.identity_of(db, forged, instructor=old.fingerprint) is None


def _login(url: str, token: str, **kwargs) -> httpx.Response:
    return httpx.post(f"{url}/login", data={"token": token}, **kwargs)


def test_the_cookie_holds_a_session_not_the_token(tmp_path):
    settings = settings_for(tmp_path)
    alice = student_token(settings, "alice")
    with running(settings) as url:
        r = _login(url, alice)
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = r.headers["set-cookie"]
        value = r.cookies[COOKIE]
        assert alice not in cookie and alice.split(".")[1] not in cookie
        flags = [f.strip().lower() for f in cookie.split(";")]
        assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
        assert "secure" not in flags  # plain http, not configured
        assert any(f.startswith("max-age=") for f in flags)
        page = httpx.get(f"{url}/", cookies={COOKIE: value})
        assert 'id="student">alice<' in page.text
        as_token = httpx.get(f"{url}/", cookies={COOKIE: alice})  # an old-style cookie
        assert 'id="student"' not in as_token.text and 'name="token"' in as_token.text


def test_logout_kills_every_copy_of_the_cookie(tmp_path):
    settings = settings_for(tmp_path)
    alice = student_token(settings, "alice")
    with running(settings) as url:
        value = _login(url, alice).cookies[COOKIE]
        copy = {COOKIE: value}  # what a thief kept
        api = httpx.get(f"{url}/api/submissions", cookies=copy)
        assert api.status_code == 200  # the pages' links to the API work with the session
        out = httpx.post(f"{url}/logout", cookies=copy)
        assert out.status_code == 303 and f'{COOKIE}=""' in out.headers["set-cookie"]
        assert 'name="token"' in httpx.get(f"{url}/", cookies=copy).text
        assert httpx.get(f"{url}/api/submissions", cookies=copy).status_code == 401


def test_a_session_expires(tmp_path):
    settings = settings_for(tmp_path, session_hours=1.5 / 3600)  # 1.5 s
    alice = student_token(settings, "alice")
    with running(settings) as url:
        copy = {COOKIE: _login(url, alice).cookies[COOKIE]}
        assert 'id="student">alice<' in httpx.get(f"{url}/", cookies=copy).text
        time.sleep(2.0)
        assert 'name="token"' in httpx.get(f"{url}/", cookies=copy).text
        assert httpx.get(f"{url}/api/submissions", cookies=copy).status_code == 401


def test_secure_cookie_by_setting_and_by_https(tmp_path):
    settings = settings_for(tmp_path, secure_cookies=True)
    alice = student_token(settings, "alice")
    with running(settings) as url:
        flags = [f.strip().lower() for f in _login(url, alice).headers["set-cookie"].split(";")]
        assert "secure" in flags
        out = httpx.post(f"{url}/logout")
        assert "secure" in out.headers["set-cookie"].lower()


def test_the_instructor_logs_in_through_the_same_form(tmp_path):
    settings = settings_for(tmp_path)
    with running(settings) as url:
        r = _login(url, INSTRUCTOR)
        assert r.status_code == 303 and r.headers["location"] == "/instructor"
        copy = {COOKIE: r.cookies[COOKIE]}
        assert INSTRUCTOR not in r.headers["set-cookie"]
        home = httpx.get(f"{url}/", cookies=copy)
        assert home.status_code == 303 and home.headers["location"] == "/instructor"
        assert httpx.get(f"{url}/api/grades.csv", cookies=copy).status_code == 200
        bad = _login(url, INSTRUCTOR + "x")
        assert bad.status_code == 401 and "not valid" in bad.text


def test_a_session_changes_nothing_from_another_site(tmp_path):
    """The API takes the session cookie, but a post it carries must come from the grader's
    own pages (a Bearer token needs no such check: no browser sends one by itself)."""
    settings = settings_for(tmp_path)
    with running(settings) as url:
        copy = {COOKIE: _login(url, INSTRUCTOR).cookies[COOKIE]}
        evil = httpx.post(f"{url}/api/instructor/regrade", cookies=copy,
                          headers={"Origin": "https://evil.example"})
        assert evil.status_code == 403
        own = httpx.post(f"{url}/api/instructor/regrade", cookies=copy, headers={"Origin": url})
        assert own.status_code == 202
        bearer = httpx.post(f"{url}/api/instructor/regrade",
                            headers={"Origin": "https://evil.example",
                                     "Authorization": f"Bearer {INSTRUCTOR}"})
        assert bearer.status_code == 202


def test_restarting_with_a_new_instructor_token_signs_the_old_one_out(tmp_path):
    settings = settings_for(tmp_path)
    with running(settings) as url:
        copy = {COOKIE: _login(url, INSTRUCTOR).cookies[COOKIE]}
        assert httpx.get(f"{url}/instructor", cookies=copy).status_code == 200
    with running(settings) as url:  # restarted, same token: still signed in
        assert httpx.get(f"{url}/instructor", cookies=copy).status_code == 200
    rotated = settings.model_copy(update={"instructor_token": SecretStr("a-new-token-9876543210")})
    with running(rotated) as url:
        assert httpx.get(f"{url}/instructor", cookies=copy).status_code == 303
        assert httpx.get(f"{url}/api/instructor/stats", cookies=copy).status_code == 401
