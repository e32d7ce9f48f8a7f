"""The grader's web pages in a real headless Chromium: log in, upload, watch, read feedback.

Needs the Debian packages `chromium` and `chromium-driver` (/usr/bin/chromium and
/usr/bin/chromedriver). Without them the tests skip, except under CI, where they fail.
Selenium Manager is never used: the driver's path is given, so nothing is downloaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from autograder.service.deps import COOKIE
from tests.autograder.service.notebooks import faulty_q1, honest_q1
from tests.autograder.service.server import INSTRUCTOR, Server

try:
    from selenium import webdriver
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
        TimeoutException,
        WebDriverException,
    )
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # the dev extra brings selenium; `browser_available` reports its absence
    webdriver = None  # type: ignore[assignment]

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--window-size=1200,900"]
GRADING = 180.0  # seconds a submission may take to be graded
PAGE = 30.0  # seconds a page may take to load
PENDING = ("queued", "running")
SUBMISSION_URL = re.compile(r"/submissions/([0-9a-f]{32})$")
FRACTION = re.compile(r"(-?\d+(?:\.\d+)?) / (-?\d+(?:\.\d+)?)")


def _unavailable(reason: str) -> None:
    """Skip locally; under CI a missing browser is an error, never a silent skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must install the Debian packages chromium chromium-driver)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module", autouse=True)
def browser_available() -> None:
    """Checked before the module's server starts (autouse fixtures of a scope come first)."""
    if webdriver is None:
        _unavailable("selenium is not installed (pip install -e '.[dev]')")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (path.is_file() and os.access(path, os.X_OK)):
            _unavailable(f"{path} is missing (apt-get install chromium chromium-driver)")


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebDriver]:
    """A fresh headless Chromium with its own profile, always quit (driver and browser)."""
    monkeypatch.setenv("SE_OFFLINE", "true")  # belt and braces: Selenium Manager stays offline
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    service = Service(executable_path=str(CHROMEDRIVER),
                      log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)  # quits itself if this fails
    try:
        driver.set_page_load_timeout(PAGE)
        yield driver
    finally:
        driver.quit()


# --- helpers ---------------------------------------------------------------------------------

def wait_until(driver: WebDriver, server: Server, what: str, condition: Callable[[Any], Any],
               timeout: float = PAGE) -> Any:
    """WebDriverWait that survives the page's own refreshes and explains a timeout."""
    waiting = WebDriverWait(driver, timeout, poll_frequency=0.2,
                            ignored_exceptions=(NoSuchElementException,
                                                StaleElementReferenceException))

    def surviving(d: Any) -> Any:
        # Chromium reports a node of a page that refreshed meanwhile as this unknown error,
        # not as a stale element: the page is not there yet
        try:
            return condition(d)
        except WebDriverException as e:
            if "does not belong to the document" in str(e):
                return False
            raise

    try:
        return waiting.until(surviving)
    except TimeoutException:
        raise AssertionError(
            f"timed out after {timeout} s waiting for {what} at {driver.current_url}\n"
            f"--- page ---\n{driver.page_source[-3000:]}\n--- server log ---\n{server.tail()}"
        ) from None


def loaded(driver: WebDriver) -> bool:
    return driver.execute_script("return document.readyState") == "complete"


def log_in(driver: WebDriver, server: Server, token: str) -> None:
    driver.get(f"{server.url}/")
    field = driver.find_element(By.ID, "token")
    field.clear()
    field.send_keys(token)
    driver.find_element(By.ID, "login").click()


def upload(driver: WebDriver, server: Server, path: Path) -> str:
    """Choose the file in the upload form, submit it; the id of the submission page shown."""
    driver.find_element(By.ID, "file").send_keys(str(path))
    driver.find_element(By.ID, "submit").click()

    def on_submission_page(d: WebDriver) -> str | bool:
        match = SUBMISSION_URL.search(d.current_url)
        return match.group(1) if match and loaded(d) else False

    return wait_until(driver, server, "the submission page", on_submission_page)


def settled_status(driver: WebDriver, server: Server) -> str:
    """Wait, without reloading: the page refreshes itself every 2 s while the job is pending."""
    def settled(d: WebDriver) -> str | bool:
        if not loaded(d):
            return False
        status = d.find_element(By.ID, "status").text.strip()
        return status if status and status not in PENDING else False

    return wait_until(driver, server, "the submission to be graded", settled, timeout=GRADING)


def fraction(text: str) -> tuple[float, float]:
    match = FRACTION.search(text)
    assert match, f"no 'score / max' in {text!r}"
    return float(match.group(1)), float(match.group(2))


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def api_view(server: Server, token: str, submission_id: str) -> dict:
    with server.client(token) as client:
        response = client.get(f"/api/submissions/{submission_id}")
    assert response.status_code == 200, response.text
    return response.json()


def graded_notebook(view: dict) -> dict:
    """The one notebook of a single-notebook submission (the others are 'missing')."""
    graded = [nb for nb in view["notebooks"] if nb["status"] != "missing"]
    assert [nb["name"] for nb in graded] == [view["notebook"]], view
    return graded[0]


def api_checks(notebook: dict) -> list[dict]:
    return [check for cell in notebook["cells"] for check in cell["checks"]]


def page_checks(driver: WebDriver, notebook: str) -> list[dict]:
    rows = driver.find_elements(By.CSS_SELECTOR, f"#checks-{notebook} tr.check")
    return [{"name": row.find_element(By.CSS_SELECTOR, "td.name").text.strip(),
             "points": fraction(row.find_element(By.CSS_SELECTOR, "td.points").text),
             "passed": "pass" in (row.get_attribute("class") or "").split(),
             "details": one_line(row.find_element(By.CSS_SELECTOR, "td.details").text)}
            for row in rows]


def assert_page_matches_api(driver: WebDriver, view: dict) -> dict:
    """The page's score, notebook heading and checks table agree with the JSON API."""
    assert driver.find_element(By.ID, "status").text.strip() == view["status"] == "done"
    assert fraction(driver.find_element(By.ID, "score").text) == pytest.approx(  # H3: the
        (view["upload_score"], view["upload_max"]))  # score of the notebooks it held
    notebook = graded_notebook(view)
    name = notebook["name"]
    heading = driver.find_element(By.ID, f"notebook-{name}").text
    assert heading.startswith(f"{name}:")
    assert fraction(heading) == pytest.approx((notebook["score"], notebook["max_score"]))
    expected = api_checks(notebook)
    shown = page_checks(driver, name)
    assert expected, "the API lists no checks"
    assert [c["name"] for c in shown] == [c["name"] for c in expected]
    for row, check in zip(shown, expected, strict=True):
        assert row["points"] == pytest.approx((check["score"], check["max_score"])), row
        assert row["passed"] is check["passed"], row
        assert one_line(check["description"]) in row["details"], row
    return notebook


def open_feedback(driver: WebDriver, server: Server, view: dict) -> None:
    """Follow the page's feedback link; the feedback report renders with the same scores."""
    link = driver.find_element(By.ID, "feedback")
    assert link.get_attribute("href") == (
        f"{server.url}/api/submissions/{view['id']}/feedback")
    link.click()
    wait_until(driver, server, "the feedback page",
               lambda d: d.current_url.endswith("/feedback") and loaded(d)
               and d.find_element(By.TAG_NAME, "h1").text.strip() == "Autograder feedback")
    assert driver.title.startswith("Autograder feedback")
    body = driver.find_element(By.TAG_NAME, "body").text
    assert f"Student: {view['student']}" in body
    line = driver.find_element(By.TAG_NAME, "strong").text
    assert line.startswith("Auto-graded score:")
    assert fraction(line) == pytest.approx((view["score"], view["max_score"]))
    notebook = graded_notebook(view)
    sections = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "section h2")]
    assert any(h.startswith(notebook["name"]) for h in sections), sections
    listed = {td.text.strip() for td in driver.find_elements(By.CSS_SELECTOR, "td.mono")}
    assert {c["name"] for c in api_checks(notebook)} <= listed


def submit_in_browser(driver: WebDriver, server: Server, tmp_path: Path, student: str,
                      token: str, notebook: bytes) -> tuple[str, str]:
    """Log in, upload q1_softmax.ipynb; (submission id, status first shown)."""
    log_in(driver, server, token)
    wait_until(driver, server, "the home page",
               lambda d: d.find_element(By.ID, "student").text.strip() == student)
    path = tmp_path / "upload" / "q1_softmax.ipynb"
    path.parent.mkdir()
    path.write_bytes(notebook)
    submission_id = upload(driver, server, path)
    first = driver.find_element(By.ID, "status").text.strip()
    return submission_id, first


# --- tests -----------------------------------------------------------------------------------

def test_correct_notebook_full_marks_checks_and_feedback(service, browser: WebDriver,
                                                         tmp_path: Path) -> None:
    server, tokens = service
    submission_id, first = submit_in_browser(browser, server, tmp_path, "alice",
                                             tokens["alice"], honest_q1())
    # grading starts a sandboxed kernel (seconds); the redirect lands long before it is done
    assert first in PENDING, first
    assert settled_status(browser, server) == "done"  # reached by the page's own refresh

    view = api_view(server, tokens["alice"], submission_id)
    assert view["id"] == submission_id and view["student"] == "alice"
    notebook = assert_page_matches_api(browser, view)
    assert notebook["name"] == "q1_softmax" and notebook["status"] == "graded"
    assert notebook["score"] == pytest.approx(notebook["max_score"]) and notebook["score"] > 0
    assert all(row["passed"] for row in page_checks(browser, "q1_softmax"))
    assert not browser.find_elements(By.CSS_SELECTOR, "#checks-q1_softmax tr.fail")

    open_feedback(browser, server, view)


def test_faulty_notebook_loses_points_and_shows_why(service, browser: WebDriver,
                                                    tmp_path: Path) -> None:
    server, tokens = service
    submission_id, _ = submit_in_browser(browser, server, tmp_path, "bob", tokens["bob"],
                                         faulty_q1())
    assert settled_status(browser, server) == "done"

    view = api_view(server, tokens["bob"], submission_id)
    notebook = assert_page_matches_api(browser, view)
    assert notebook["score"] < notebook["max_score"]
    failing = [c for c in api_checks(notebook) if not c["passed"]]
    assert failing and all(c["message"] for c in failing), failing
    shown = {row["name"]: row for row in page_checks(browser, "q1_softmax")}
    for check in failing:
        row = shown[check["name"]]
        assert not row["passed"]
        assert row["points"][0] < row["points"][1], row
        assert one_line(check["message"]) in row["details"], (row, check["message"])
    failed_rows = browser.find_elements(By.CSS_SELECTOR, "#checks-q1_softmax tr.fail")
    assert len(failed_rows) == len(failing)

    open_feedback(browser, server, view)


@pytest.mark.parametrize("wrong", ["not-a-valid-token", "instructor"])  # H4: see below
def test_wrong_token_is_refused(service, browser: WebDriver, wrong: str) -> None:
    server, tokens = service
    # H4: the instructor's token logs in now (test_browser_instructor.py); a near miss does not
    token = INSTRUCTOR + "x" if wrong == "instructor" else wrong
    with server.client(tokens["carol"]) as carol:  # someone else's real submission
        sent = carol.post("/api/submissions",
                          files={"file": ("q1_softmax.ipynb", faulty_q1())})
    assert sent.status_code == 202, sent.text
    log_in(browser, server, token)
    error = wait_until(browser, server, "the login error",
                       lambda d: d.find_element(By.ID, "error"))
    assert "not valid" in error.text
    assert browser.find_elements(By.ID, "token"), "the login form is shown again"
    assert not browser.find_elements(By.ID, "student")
    assert not browser.find_elements(By.ID, "file")
    assert COOKIE not in {c["name"] for c in browser.get_cookies()}

    browser.get(f"{server.url}/submissions/{sent.json()['id']}")
    wait_until(browser, server, "the login page", lambda d: d.find_element(By.ID, "token"))
    assert not SUBMISSION_URL.search(browser.current_url), browser.current_url
    assert not browser.find_elements(By.ID, "status")
    assert not browser.find_elements(By.ID, "score")
    assert "Log in" in browser.find_element(By.TAG_NAME, "h1").text
