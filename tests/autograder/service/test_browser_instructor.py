"""The instructor's pages in a real headless Chromium, on a real service whose uploads were
really graded: log in with the instructor's token through the students' form, the roster,
one student, one submission and its regrade, statistics with their charts, regrade all
with its progress, the API docs, grades.csv, logging out; a student is refused.

Screenshots go to $H4_SCREENSHOTS (default /work/notes/screenshots) as h4-<page>.png when
that folder exists, else next to the test's temporary files.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import httpx
import nbformat
import pytest

from autograder.service.deps import COOKIE
from tests.autograder.service.notebooks import honest_notebook_file
from tests.autograder.service.server import INSTRUCTOR, Server, issue_tokens, wait_for
from tests.autograder.service.test_browser import (  # noqa: F401 - fixtures used by name
    GRADING,
    browser,
    browser_available,
    loaded,
    log_in,
    wait_until,
)
from tests.course.corpus import MISTAKES, faulty_notebook

try:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
except ImportError:  # browser_available skips (or fails under CI)
    pass

pytestmark = pytest.mark.slow

ROSTER = ["alice", "bob", "carol", "dave", "erin", "frank"]
SHOTS = Path(os.environ.get("H4_SCREENSHOTS", "/work/notes/screenshots"))


def _mistake(name: str) -> bytes:
    return nbformat.writes(faulty_notebook(next(m for m in MISTAKES if m.student == name))
                           ).encode()


def uploads() -> list[tuple[str, str, bytes]]:
    """(student, file name, notebook): dave submits nothing."""
    return [("alice", "q1_softmax.ipynb", honest_notebook_file("q1_softmax")),
            ("alice", "q2_neural.ipynb", honest_notebook_file("q2_neural")),
            ("bob", "q1_softmax.ipynb", _mistake("softmax_no_shift")),
            ("carol", "q1_softmax.ipynb", _mistake("softmax_wrong_axis")),
            ("erin", "q1_softmax.ipynb", honest_notebook_file("q1_softmax")),
            ("erin", "q2_neural.ipynb", _mistake("sigmoid_grad_of_x")),
            ("frank", "q2_neural.ipynb", _mistake("backprop_no_bias_gradient"))]


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """A served class whose uploads are all graded: (server, tokens, submission ids)."""
    data = tmp_path_factory.mktemp("class") / "data"
    data.mkdir()
    tokens = issue_tokens(data, ROSTER)
    server = Server(data, workers=2, submissions_per_minute=20)
    try:
        ids = []
        for student, name, notebook in uploads():
            with server.client(tokens[student]) as client:
                sent = client.post("/api/submissions", files={"file": (name, notebook)})
            assert sent.status_code == 202, sent.text
            ids.append(sent.json()["id"])
        with server.client(INSTRUCTOR) as staff:
            for submission_id in ids:
                assert wait_for(staff, submission_id, timeout=GRADING)["status"] == "done"
        yield server, tokens, ids
    finally:
        server.stop()


def shot(driver: WebDriver, tmp_path: Path, name: str) -> Path:
    """A screenshot of the whole page (the window grown to the page's height)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1200, max(700, min(int(height) + 200, 8000)))
    folder = SHOTS if SHOTS.is_dir() else tmp_path
    path = folder / f"h4-{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1200, 900)
    return path


def on_page(driver: WebDriver, server: Server, path: str, element: str) -> None:
    wait_until(driver, server, f"{path} with #{element}",
               lambda d: d.current_url.split("?")[0].endswith(path) and loaded(d)
               and d.find_element(By.ID, element))


def table_rows(driver: WebDriver, selector: str) -> list[list[str]]:
    return [[cell.text.strip() for cell in row.find_elements(By.TAG_NAME, "td")]
            for row in driver.find_elements(By.CSS_SELECTOR, selector)]


def test_the_instructor_s_pages(graded_class, browser: WebDriver,  # noqa: F811
                                tmp_path: Path) -> None:
    server, _tokens, ids = graded_class
    log_in(browser, server, INSTRUCTOR)
    on_page(browser, server, "/instructor", "roster")
    assert browser.find_element(By.ID, "student").text == "instructor"
    rows = {r[0].split()[0]: r for r in table_rows(browser, "#roster tr.student")}
    assert list(rows) == ROSTER  # every student, dave (no upload) included
    assert rows["dave"][1] == "—" and "never" in rows["dave"]
    with server.client(INSTRUCTOR) as staff:
        api = {s["student"]: s for s in staff.get("/api/instructor/students").json()["students"]}
    for student in ROSTER[:3] + ROSTER[4:]:  # the page says what the API says
        assert rows[student][1] == f"{api[student]['score']} / {api[student]['max_score']}"
    assert api["alice"]["score"] > api["bob"]["score"]
    assert re.match(r"\w{3} \d+ \w{3} \d{4}, \d\d:\d\d P[SD]T", rows["alice"][-2])
    shot(browser, tmp_path, "roster")

    browser.find_element(By.LINK_TEXT, "erin").click()
    on_page(browser, server, "/instructor/students/erin", "history")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#history tr.submission")) == 2
    assert "q2_neural" in browser.find_element(By.ID, "standing").text
    shot(browser, tmp_path, "student")

    browser.find_element(By.CSS_SELECTOR, f"#sub-{ids[5]} td a").click()
    on_page(browser, server, f"/instructor/submissions/{ids[5]}", "status")
    assert browser.find_elements(By.CSS_SELECTOR, "#checks-q2_neural tr.fail")
    shot(browser, tmp_path, "submission")
    browser.find_element(By.ID, "regrade").click()
    wait_until(browser, server, "the regrade to finish",
               lambda d: loaded(d) and d.find_element(By.ID, "status").text == "done",
               timeout=GRADING)  # the page refreshes itself while queued or running
    browser.find_element(By.ID, "results-json").click()
    wait_until(browser, server, "results.json", lambda d: '"tests"' in d.page_source)
    browser.back()

    browser.find_element(By.LINK_TEXT, "Statistics").click()
    on_page(browser, server, "/instructor/stats", "pass-rates")
    for chart in ("histogram-chart", "pass-rates-chart"):
        size = browser.find_element(By.ID, chart).size
        assert size["width"] > 500 and size["height"] > 100, (chart, size)
    bars = browser.find_elements(By.CSS_SELECTOR, "#pass-rates-chart g.bar")
    rates = table_rows(browser, "#pass-rates tr.rate")
    assert len(bars) == len(rates) > 5
    histogram = table_rows(browser, "#histogram tr")[1:]
    assert sum(int(r[1]) for r in histogram) == 5  # five students have a grade
    shot(browser, tmp_path, "stats")

    browser.find_element(By.LINK_TEXT, "Regrade all").click()
    on_page(browser, server, "/instructor/regrade", "regrade-all")
    browser.find_element(By.ID, "regrade-all").click()
    on_page(browser, server, "/instructor/regrade", "progress")
    assert browser.find_element(By.ID, "progress-total").text == str(len(ids))
    shot(browser, tmp_path, "regrade-progress")
    wait_until(browser, server, "every submission graded again",
               lambda d: loaded(d) and d.find_element(By.ID, "progress-done").text
               == str(len(ids)), timeout=GRADING * 2)
    assert "Finished" in browser.find_element(By.ID, "progress-state").text
    shot(browser, tmp_path, "regrade-done")

    browser.find_element(By.LINK_TEXT, "API docs").click()
    on_page(browser, server, "/docs", "openapi")
    assert "GET /api/instructor/submissions" in browser.find_element(By.TAG_NAME, "body").text
    shot(browser, tmp_path, "docs")

    href = browser.find_element(By.ID, "grades-csv").get_attribute("href")
    session = {COOKIE: browser.get_cookie(COOKIE)["value"]}
    table = list(csv.reader(io.StringIO(httpx.get(href, cookies=session).text)))
    assert sorted(r[0] for r in table[1:]) == ["alice", "bob", "carol", "erin", "frank"]

    browser.find_element(By.CSS_SELECTOR, "header button").click()  # log out
    wait_until(browser, server, "the login page", lambda d: d.find_element(By.ID, "token"))
    assert httpx.get(f"{server.url}/instructor", cookies=session,
                     follow_redirects=False).status_code == 303  # the old cookie is dead


def test_a_student_is_refused(graded_class, browser: WebDriver,  # noqa: F811
                              tmp_path: Path) -> None:
    server, tokens, _ids = graded_class
    log_in(browser, server, tokens["bob"])
    wait_until(browser, server, "bob's page",
               lambda d: d.find_element(By.ID, "student").text == "bob")
    browser.get(f"{server.url}/instructor")
    on_page(browser, server, "/instructor", "denied")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Instructor only" in body and "alice" not in body
    shot(browser, tmp_path, "denied")
