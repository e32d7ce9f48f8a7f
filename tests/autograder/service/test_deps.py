"""Login CSRF: a page on another site that posts its author's token to /login must not log
the victim in as the author; the same for every form post."""

from __future__ import annotations

import httpx
import pytest

from autograder.service.deps import COOKIE
from tests.autograder.service.inprocess import running, settings_for, student_token
from tests.autograder.service.notebooks import honest_q1

EVIL = "https://evil.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("csrf"),
                            allowed_origins=["https://grader.example.edu"])
    mallory = student_token(settings, "mallory")
    with running(settings) as url:
        yield url, mallory


def test_a_cross_site_login_is_refused(site):
    url, mallory = site
    for headers in ({"Origin": EVIL}, {"Origin": "null"},
                    {"Referer": f"{EVIL}/trap.html"}):
        r = httpx.post(f"{url}/login", data={"token": mallory}, headers=headers)
        assert r.status_code == 403, (headers, r.status_code)
        assert "set-cookie" not in r.headers


def test_a_login_from_the_grader_s_own_page_works(site):
    url, mallory = site
    for headers in ({"Origin": url}, {"Referer": f"{url}/"}, {},
                    {"Origin": "https://grader.example.edu"}):  # behind a proxy
        r = httpx.post(f"{url}/login", data={"token": mallory}, headers=headers)
        assert r.status_code == 303, (headers, r.text)
        assert f"{COOKIE}=" in r.headers["set-cookie"]


def test_cross_site_upload_and_logout_are_refused(site):
    url, mallory = site
    with httpx.Client(base_url=url) as browser:
        assert browser.post("/login", data={"token": mallory}).status_code == 303
        upload = browser.post("/upload", headers={"Origin": EVIL},
                              files={"file": ("q1_softmax.ipynb", honest_q1())})
        assert upload.status_code == 403
        assert browser.post("/logout", headers={"Origin": EVIL}).status_code == 403
        assert 'id="student">mallory<' in browser.get("/").text  # still logged in
        assert browser.post("/logout", headers={"Origin": url}).status_code == 303
