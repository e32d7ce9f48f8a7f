"""nbgrader's formgrader for real: a Jupyter server with the formgrader extension on a course
folder, and a TA grading one written part in headless Chromium (timed, with screenshots)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.course.course import nbgrader_env

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--window-size=1280,1000"]
TOKEN = "formgrader-test-token"
SERVER_CONFIG = ("c.ServerApp.jpserver_extensions = "
                 '{"nbgrader.server_extensions.formgrader": True}\n')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def formgrader(course_root: Path) -> Iterator[str]:
    """A Jupyter server with formgrader on the course; yields its base URL."""
    port = free_port()
    config = course_root / "jupyter_server_test_config.py"
    config.write_text(SERVER_CONFIG)
    log = open(course_root / "formgrader.log", "ab")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "server", f"--config={config}",
         "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={course_root}",
         "--allow-root"],
        cwd=course_root, env=nbgrader_env(), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("formgrader did not start:\n" + (
                        course_root / "formgrader.log").read_text()[-3000:]) from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def browser(profile: Path):
    """A fresh headless Chromium (Debian's, with its driver: nothing downloaded)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=options)
    driver.set_page_load_timeout(60)
    return driver


@dataclass
class TaTiming:
    """What grading one written part cost the TA: steps (page loads, clicks, keystroke
    groups) and the seconds spent waiting for pages and the save."""

    steps: list[str] = field(default_factory=list)
    page_seconds: dict[str, float] = field(default_factory=dict)
    save_seconds: float = 0.0
    total_seconds: float = 0.0

    def line(self) -> str:
        pages = ", ".join(f"{k} {v:.2f} s" for k, v in self.page_seconds.items())
        return (f"{len(self.steps)} steps ({'; '.join(self.steps)}); page loads: {pages}; "
                f"save {self.save_seconds:.2f} s; total {self.total_seconds:.2f} s")


def grade_written_part(driver, url: str, assignment: str, notebook: str, student: str,
                       grade_id: str, score: float, comment: str, saved: Callable[[], bool],
                       shots: Path | None = None, prefix: str = "h2") -> TaTiming:
    """As a TA: open the notebook's submissions list, open the student's, enter a score and
    a comment on one written part, until saved() (the gradebook holds both). Returns the
    timing."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    timing = TaTiming()
    wait = WebDriverWait(driver, 60, poll_frequency=0.1)
    driver.get(f"{url}/formgrader?token={TOKEN}")  # the login (the token sets the cookie)
    started = time.perf_counter()

    def load(name: str, target: str) -> None:
        t = time.perf_counter()
        driver.get(target)
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
        timing.page_seconds[name] = time.perf_counter() - t
        timing.steps.append(f"open {name}")

    load("submissions list", f"{url}/formgrader/gradebook/{assignment}/{notebook}")
    # formgrader lists submissions anonymously ("Submission #2"); the name is in the row
    row = wait.until(lambda d: next(
        (r for r in d.find_elements(By.CSS_SELECTOR, "tbody tr")
         if f">{student}<" in (r.get_attribute("innerHTML") or "")), None))
    link = row.find_element(By.CSS_SELECTOR, "td.name a.name-hidden")
    if shots:
        driver.save_screenshot(str(shots / f"{prefix}-formgrader-list.png"))
    t = time.perf_counter()
    link.click()
    timing.steps.append(f"click {student}'s submission")
    box = wait.until(lambda d: d.find_element(By.ID, grade_id))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
    timing.page_seconds["manual grading page"] = time.perf_counter() - t
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    if shots:
        driver.save_screenshot(str(shots / f"{prefix}-formgrader-written-part.png"))
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(score))
    timing.steps.append("type the score")
    area = driver.find_element(By.ID, f"{grade_id}-comment")
    t = time.perf_counter()
    area.click()  # the score's change event saves it
    timing.steps.append("click the comment box")
    area.send_keys(comment)
    timing.steps.append("type the comment")
    area.send_keys(Keys.TAB)  # the comment's change event saves it
    timing.steps.append("tab out (saves)")
    deadline = time.monotonic() + 60
    while not saved():  # what formgrader wrote to the gradebook
        if time.monotonic() > deadline:
            raise AssertionError("formgrader did not save the score and the comment")
        time.sleep(0.05)
    timing.save_seconds = time.perf_counter() - t
    timing.total_seconds = time.perf_counter() - started
    if shots:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
        driver.save_screenshot(str(shots / f"{prefix}-formgrader-saved.png"))
    return timing


def scroll_to_artifact(driver, name: str, shot: Path) -> bool:
    """Scroll to the cell holding the student's artifact and screenshot it; whether found."""
    from selenium.webdriver.common.by import By

    for element in driver.find_elements(By.CSS_SELECTOR, "div.text_cell_render, .rendered_html"):
        if name in element.text and "as submitted" in element.text:
            driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", element)
            driver.save_screenshot(str(shot))
            return True
    return False
