"""The students' pages in a real headless Chromium against a real `autograder serve`: the
deadline, an upload of several files (a browser's copy name, the run's plot and predictions),
the notebooks as submitted beside the graded checks, the staff's view of the same page, a
partial upload's standing grade, a late upload, and refusals (a wrong file, a body over the
limit) that are pages, never JSON or a reset connection.

Screenshots go to /work/notes/screenshots/h3-*.png (or $SCREENSHOTS) for people to look at.
"""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.autograder.service.files import image_output, png
from tests.autograder.service.notebooks import honest_notebook_file, honest_q1
from tests.autograder.service.server import INSTRUCTOR, Server, issue_tokens
from tests.autograder.service.test_browser import (  # noqa: F401 - fixtures
    browser,
    browser_available,
    fraction,
    loaded,
    log_in,
    settled_status,
    upload,
    wait_until,
)

try:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
except ImportError:  # browser_available skips (or fails under CI)
    WebDriver = object  # type: ignore[assignment,misc]

pytestmark = pytest.mark.slow

SHOTS = Path(os.environ.get("SCREENSHOTS", "/work/notes/screenshots"))
STUDENTS = ["alice", "bob", "lara"]
DATE = re.compile(r"\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d P[SD]T")
SCRIPT = "<script>document.title='pwned'</script>"


def shot(driver: WebDriver, name: str) -> None:
    """A full-page screenshot (the window grown to the page's height)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1200, min(max(900, height + 40), 6000))
    driver.save_screenshot(str(SHOTS / f"h3-{name}.png"))
    driver.set_window_size(1200, 900)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A server with a deadline two days away (lara's extension ended in 2020), a late
    policy that subtracts points, 300 KB uploads, and its students' tokens."""
    root = tmp_path_factory.mktemp("students")
    data = root / "data"
    data.mkdir()
    extensions = root / "extensions.csv"
    extensions.write_text("student,assignment,extended_due\n"
                          "lara,ps1,2020-01-01T00:00:00+00:00\n")
    tokens = issue_tokens(data, STUDENTS)
    due = "2099-12-03T17:00:00-08:00"
    server = Server(data, workers=2, max_upload_bytes=300_000, submissions_per_minute=30,
                    due_at=due, extensions_csv=extensions, late_policy="subtract_per_hour",
                    penalty_per_hour=1)
    try:
        yield server, tokens, root
    finally:
        server.stop()


def q3_with_outputs() -> bytes:
    """The honest q3 notebook with outputs of its own run: text, a plot, and HTML that must
    never run."""
    nb = json.loads(honest_notebook_file("q3_word2vec"))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": f"iter 40000: 9.48 {SCRIPT}\n"},
        image_output(png(320, 200, (220, 120, 30))),
        {"output_type": "display_data", "metadata": {}, "data": {"text/html": SCRIPT}},
    ]
    return json.dumps(nb).encode()


def write(folder: Path, files: dict[str, bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


def choose(driver: WebDriver, paths: list[Path]) -> None:
    """Choose several files in the form's one input (a browser's multiple selection)."""
    driver.find_element(By.ID, "file").send_keys("\n".join(str(p) for p in paths))


def signed_in_home(driver: WebDriver, server: Server, token: str, student: str) -> None:
    log_in(driver, server, token)
    wait_until(driver, server, "the home page",
               lambda d: d.find_element(By.ID, "student").text.strip() == student)


def image_shown(driver: WebDriver, css: str) -> bool:
    """The image was fetched and decoded by the browser (under the page's CSP)."""
    return bool(driver.execute_script(
        "const i = document.querySelector(arguments[0]);"
        "return i !== null && i.complete && i.naturalWidth > 0;", css))


def test_home_shows_the_deadline_and_time_left_in_the_course_time_zone(site, browser):
    server, tokens, _ = site
    signed_in_home(browser, server, tokens["alice"], "alice")
    box = browser.find_element(By.ID, "deadline").text
    assert "Due Thu 3 Dec 2099, 17:00 PST" in box
    assert re.search(r"\d+ days \d+ hours? left", box), box
    assert "1 point per notebook for each started hour late" in box
    assert browser.find_element(By.ID, "file").get_attribute("multiple") is not None
    shot(browser, "home")


def test_several_files_with_a_copy_name_are_shown_as_submitted_beside_the_checks(
        site, browser, tmp_path):
    server, tokens, _ = site
    signed_in_home(browser, server, tokens["bob"], "bob")
    paths = write(tmp_path / "run", {
        "q3_word2vec (1).ipynb": q3_with_outputs(),
        "q3_word_vectors.png": png(480, 360, (30, 120, 200)),
    })
    choose(browser, paths)
    browser.find_element(By.ID, "submit").click()
    wait_until(browser, server, "the submission page",
               lambda d: "/submissions/" in d.current_url and loaded(d))
    held = browser.find_element(By.ID, "held").text
    assert held == "q3_word2vec; q3_word_vectors.png"
    if browser.find_element(By.ID, "status").text.strip() in ("queued", "running"):
        # before the grade: the notebook and files as submitted already, the checks to follow
        assert "graded results follow" in browser.find_element(By.ID, "as-submitted").text
        shot(browser, "submission-pending")
    assert settled_status(browser, server) == "done"
    assert browser.title != "pwned"  # the notebook's HTML and text never ran
    assert browser.find_elements(By.CSS_SELECTOR, "#notebook-q3_word2vec")
    part = browser.find_element(By.CSS_SELECTOR, "section.notebook-part")  # beside the checks
    assert part.find_element(By.ID, "checks-q3_word2vec")
    plot = part.find_element(By.ID, "artifact-q3_word_vectors.png")
    assert "as submitted, not re-run" in plot.text
    assert image_shown(browser, ".artifact img")
    details = browser.find_element(By.ID, "submitted-q3_word2vec")
    browser.execute_script("arguments[0].open = true", details)
    assert SCRIPT in details.text  # shown as text
    assert "an output of type text/html (not shown)" in details.text
    assert image_shown(browser, "#submitted-q3_word2vec img")
    assert not browser.find_elements(By.CSS_SELECTOR, "script")
    shot(browser, "submission")

    # the staff see the same page for this submission, with the student named
    submission_url = browser.current_url
    browser.delete_all_cookies()
    log_in(browser, server, INSTRUCTOR)
    wait_until(browser, server, "the instructor's page", lambda d: "/instructor" in d.current_url)
    browser.get(submission_url.replace("/submissions/", "/instructor/submissions/"))
    wait_until(browser, server, "the staff's submission page",
               lambda d: d.find_element(By.ID, "owner").text == "bob")
    assert image_shown(browser, ".artifact img")
    assert browser.find_element(By.ID, "regrade")  # the staff's page (H4's actions)
    browser.execute_script("arguments[0].open = true",
                           browser.find_element(By.ID, "submitted-q3_word2vec"))
    shot(browser, "staff-submission")


def test_a_partial_upload_shows_the_standing_grade(site, browser, tmp_path):
    server, tokens, _ = site
    signed_in_home(browser, server, tokens["alice"], "alice")
    (path,) = write(tmp_path / "q1", {"q1_softmax.ipynb": honest_q1()})
    upload(browser, server, path)
    assert settled_status(browser, server) == "done"
    score = fraction(browser.find_element(By.ID, "score").text)
    assert score[0] == score[1] > 0  # this upload's notebooks only
    browser.find_element(By.LINK_TEXT, "Back").click()
    wait_until(browser, server, "the home page", lambda d: d.find_element(By.ID, "grade"))
    grade = fraction(browser.find_element(By.ID, "grade").text)
    assert grade == score
    missing = browser.find_element(By.ID, "missing").text
    assert "q2_neural, q3_word2vec, q4_sentiment" in missing
    history = browser.find_element(By.ID, "history").text
    assert DATE.search(history) and not re.search(r"\b\d{10}\b", history)
    shot(browser, "home-partial")


def test_a_late_upload_is_marked_with_the_policy(site, browser, tmp_path):
    server, tokens, _ = site
    signed_in_home(browser, server, tokens["lara"], "lara")
    assert "the deadline passed" in browser.find_element(By.ID, "time-left").text
    assert "(your extended deadline)" in browser.find_element(By.ID, "deadline").text
    (path,) = write(tmp_path / "late", {"q1_softmax.ipynb": honest_q1()})
    upload(browser, server, path)
    late = browser.find_element(By.ID, "late").text
    assert late.startswith("Late: submitted") and "per started hour late" in late
    assert settled_status(browser, server) == "done"
    shot(browser, "late")


def test_a_wrong_file_is_refused_on_the_home_page_naming_it(site, browser, tmp_path):
    server, tokens, _ = site
    signed_in_home(browser, server, tokens["alice"], "alice")
    paths = write(tmp_path / "wrong", {"q1_softmax.ipynb": honest_q1(),
                                       "q4_dev_conf.png": b"GIF89a not a png"})
    choose(browser, paths)
    browser.find_element(By.ID, "submit").click()
    error = wait_until(browser, server, "the refusal", lambda d: d.find_element(By.ID, "error"))
    assert error.text.startswith("q4_dev_conf.png is not a PNG image")
    assert browser.find_elements(By.ID, "file")  # the form, to try again
    shot(browser, "refused")


def test_an_upload_over_the_limit_is_a_page_naming_the_file(site, browser, tmp_path):
    server, tokens, _ = site
    signed_in_home(browser, server, tokens["alice"], "alice")
    (path,) = write(tmp_path / "big", {"q2_neural.ipynb": b"{" + b" " * 1_000_000 + b"}"})
    choose(browser, [path])
    browser.find_element(By.ID, "submit").click()
    heading = wait_until(browser, server, "the too-large page",
                         lambda d: d.find_element(By.ID, "refused"))
    assert heading.text == "Upload too large"
    message = browser.find_element(By.ID, "message").text
    assert "q2_neural.ipynb (1.0 MiB)" in message and "one at a time" in message
    assert browser.find_element(By.ID, "home").get_attribute("href") == f"{server.url}/"
    shot(browser, "too-large")
