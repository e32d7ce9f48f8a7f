"""The instructor's pages over HTTP: who may open them, what they show, and that their forms
refuse another site's posts (the browser test renders them in Chromium)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from autograder.service.deps import COOKIE
from tests.autograder.service.classroom import Upload, seed
from tests.autograder.service.inprocess import running, settings_for
from tests.autograder.service.server import INSTRUCTOR

ROSTER = ["alice", "bob", "dave"]
UPLOADS = [Upload("alice", 1_780_000_000.0, (True, False)),
           Upload("bob", 1_780_000_100.0, (False, False))]
PAGES = ["/instructor", "/instructor/students/alice", "/instructor/stats",
         "/instructor/regrade", "/docs", "/instructor/submissions/" + "0" * 31 + "1"]
EVIL = "https://evil.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("pages"))
    tokens, ids = seed(settings.db_url, ROSTER, UPLOADS)
    with running(settings) as url:
        yield url, tokens, ids


@contextmanager
def signed_in(url: str, token: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as client:
        r = client.post("/login", data={"token": token})
        assert r.status_code == 303, r.text
        yield client


def test_nobody_is_sent_to_log_in_and_a_student_gets_403(site):
    url, tokens, _ids = site
    for path in PAGES:
        r = httpx.get(url + path)
        assert r.status_code == 303 and r.headers["location"] == "/", path
    with signed_in(url, tokens["alice"]) as alice:
        for path in PAGES:
            r = alice.get(path)
            assert r.status_code == 403 and 'id="denied"' in r.text, path
            assert "bob" not in r.text
        for path in ("/instructor/regrade", f"/instructor/submissions/{'0' * 31}1/regrade"):
            assert alice.post(path, headers={"Origin": url}).status_code == 403


def test_the_roster_page_lists_everyone(site):
    url, _tokens, _ids = site
    with signed_in(url, INSTRUCTOR) as staff:
        page = staff.get("/instructor")
    assert page.status_code == 200 and "<script" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert 'id="student">instructor<' in page.text
    rows = re.findall(r'<tr class="student[^"]*" id="row-([^"]+)"', page.text)
    assert rows == ROSTER
    dave = page.text.split('id="row-dave"')[1].split("</tr>")[0]
    assert "never" in dave and "&mdash;" in dave
    assert 'href="/api/grades.csv"' in page.text


def test_the_student_and_submission_pages(site):
    url, _tokens, ids = site
    with signed_in(url, INSTRUCTOR) as staff:
        alice = staff.get("/instructor/students/alice").text
        assert f'href="/api/submissions/{ids[0]}/results.json"' in alice
        assert f'action="/instructor/submissions/{ids[0]}/regrade"' in alice
        assert 'id="grade">2.5 / 5.0<' in alice
        assert staff.get("/instructor/students/zed").status_code == 404
        one = staff.get(f"/instructor/submissions/{ids[0]}").text
        assert "softmax_stability failed" in one and 'id="owner">alice<' in one
        assert "&lt;described&gt;" in one and "<described>" not in one
        results = staff.get(f"/api/submissions/{ids[0]}/results.json")
        assert results.status_code == 200 and results.json()["tests"]


def test_the_stats_page_draws_escaped_charts(site):
    url, _tokens, _ids = site
    with signed_in(url, INSTRUCTOR) as staff:
        page = staff.get("/instructor/stats").text
    assert page.count("<svg") == 2 and "<script" not in page
    assert 'id="pass-rates-chart"' in page and 'id="histogram-chart"' in page
    assert "<described>" not in page and "&lt;described&gt;" in page
    assert "50% (1/2)" in page  # softmax_rows: alice passed, bob did not


def test_the_docs_page_renders_the_openapi_document(site):
    url, _tokens, _ids = site
    with signed_in(url, INSTRUCTOR) as staff:
        page = staff.get("/docs").text
        assert "GET /api/instructor/submissions" in page and 'href="/openapi.json"' in page
        assert staff.get("/openapi.json").status_code == 200  # the session's GET


def test_forms_refuse_another_site_and_regrade_works_from_its_own(tmp_path):
    settings = settings_for(tmp_path)
    _tokens, ids = seed(settings.db_url, ROSTER, UPLOADS)
    with running(settings) as url, signed_in(url, INSTRUCTOR) as staff:
        for path in ("/instructor/regrade", f"/instructor/submissions/{ids[0]}/regrade"):
            assert staff.post(path, headers={"Origin": EVIL}).status_code == 403
            assert staff.post(path, headers={"Referer": f"{EVIL}/x"}).status_code == 403
        assert staff.get(f"/instructor/submissions/{ids[0]}").text.count(
            'id="status">done<') == 1  # nothing was queued by the refused posts
        one = staff.post(f"/instructor/submissions/{ids[0]}/regrade", headers={"Origin": url})
        assert one.status_code == 303
        assert 'id="status">queued<' in staff.get(one.headers["location"]).text
        sent = staff.post("/instructor/regrade", data={"scope": "all"}, headers={"Origin": url})
        assert sent.status_code == 303
        assert re.fullmatch(r"/instructor/regrade\?since=[0-9.]+", sent.headers["location"])
        progress = staff.get(sent.headers["location"]).text
        assert re.search(r'id="progress-done">0</span> of\s*<span id="progress-total">2<',
                         progress)
        assert 'http-equiv="refresh"' in progress
        staff.cookies.delete(COOKIE)
        assert staff.get("/instructor").status_code == 303
