"""The server-rendered pages: log in with a token, upload, see the score and the feedback."""

import re
import time

import httpx
import pytest

from tests.autograder.service.notebooks import honest_q1
from tests.autograder.service.server import WAIT

pytestmark = pytest.mark.slow


def test_login_upload_and_see_the_score(service):
    server, tokens = service
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        page = browser.get("/")
        assert 'name="token"' in page.text and "<script" not in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert browser.post("/login", data={"token": tokens["alice"]}).status_code == 303
        home = browser.get("/")
        assert 'id="student">alice<' in home.text
        sent = browser.post("/upload", files={"file": ("q1_softmax.ipynb", honest_q1())})
        assert sent.status_code == 303
        location = sent.headers["location"]
        assert re.fullmatch(r"/submissions/[0-9a-f]{32}", location)
        deadline = time.monotonic() + WAIT
        while True:
            view = browser.get(location)
            if 'id="score"' in view.text or time.monotonic() > deadline:
                break
            assert 'http-equiv="refresh"' in view.text
            time.sleep(0.2)
        assert 'id="status">done<' in view.text
        assert "softmax_stability" in view.text
        feedback = browser.get(location.replace("/submissions/", "/api/submissions/")
                               + "/feedback")
        assert feedback.status_code == 200 and "q1_softmax" in feedback.text
        home = browser.get("/").text  # the standing grade: q1 from this upload, q2 not yet
        assert re.search(r'id="grade">5\.0 / \d', home), home
        assert f'href="{location}">submission<' in home and "not submitted" in home
        bad = browser.post("/upload", files={"file": ("<b>x</b>.ipynb", b"nope")})
        assert bad.status_code == 400 and "<b>x</b>" not in bad.text
        browser.post("/logout")
        browser.cookies.clear()
        assert 'name="token"' in browser.get("/").text
