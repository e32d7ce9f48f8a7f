"""A TA grades a written part in nbgrader's formgrader, in headless Chromium, on submissions
graded by `autograder grade` and by the service; the student then reads the released grade
on the service's /feedback page. Prints the TA's steps and seconds.

Needs Debian's chromium and chromium-driver (skipped without them, failed under CI).
Screenshots go to $AUTOGRADER_SCREENSHOTS (e.g. /work/notes/screenshots) when set.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from tests.course.course import ASSIGNMENT, Course
from tests.course.formgrader import (
    CHROMEDRIVER,
    CHROMIUM,
    browser,
    formgrader,
    grade_written_part,
    scroll_to_artifact,
)
from tests.course.graded import (
    grade_with_cli,
    grade_with_service,
    make_course,
    service,
    submit,
    zip_of_folder,
)

pytestmark = pytest.mark.slow
PATHS = {  # student -> (graded by, notebook, written part)
    "alice": ("autograder grade", "q4_sentiment", "q4d_written"),
    "carol": ("the service", "q3_word2vec", "q3g_written"),
}
COMMENT = "Good clusters; <script>alert(1)</script> say why 'great' and 'bad' sit close."


@pytest.fixture(scope="module", autouse=True)
def chromium() -> None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (path.is_file() and os.access(path, os.X_OK)):
            if os.environ.get("CI"):
                pytest.fail(f"{path} is missing (apt-get install chromium chromium-driver)")
            pytest.skip(f"{path} is missing")


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    course = make_course(tmp_path_factory.mktemp("formgrader") / "course")
    submit(course, "alice", "2026-12-04 00:30:00.000000 UTC")
    grade_with_cli(course, course.root / "graded")
    upload = submit(course, "carol", "ignored")
    data = zip_of_folder(upload)
    shutil.rmtree(upload.parent)  # carol came through the service, not submitted/
    grade_with_service(course, "carol", data)
    return course


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("AUTOGRADER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def saved_in(course: Course, student: str, notebook: str, part: str, score: float):
    def check() -> bool:
        with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id="cs224n") as gb:
            grade = gb.find_grade(part, notebook, ASSIGNMENT, student)
            comment = gb.find_comment(part, notebook, ASSIGNMENT, student)
            return grade.manual_score == score and comment.manual_comment == COMMENT
    return check


@pytest.mark.parametrize("student", sorted(PATHS))
def test_a_ta_grades_a_written_part_in_formgrader(course, student, shots, tmp_path):
    path, notebook, part = PATHS[student]
    driver = browser(tmp_path / "profile")
    try:
        with formgrader(course.root) as url:
            timing = grade_written_part(
                driver, url, ASSIGNMENT, notebook, student, part, 3, COMMENT,
                saved_in(course, student, notebook, part, 3), shots, f"h2-{student}")
            page = driver.page_source
            artifact = "q3_word_vectors.png" if notebook == "q3_word2vec" else "q4_dev_pred.txt"
            found = scroll_to_artifact(driver, artifact, shots / f"h2-{student}-artifact.png")
            own = scroll_to_artifact(driver, "own output", shots / f"h2-{student}-own-run.png")
    finally:
        driver.quit()
    print(f"\n{student} ({path}), {notebook} {part}: {timing.line()}")
    assert found, f"the student's {artifact} is not shown"
    assert own, "the student's own outputs of the training/sweep cell are not shown"
    assert "as submitted, not re-run" in page
    assert "<script>alert(1)</script>" not in page  # the artifact's text is escaped
    assert len(timing.steps) <= 6 and timing.total_seconds < 60


def test_the_student_reads_the_released_grade(course, shots, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id="cs224n") as gb:
        grade = gb.find_grade("q3g_written", "q3_word2vec", ASSIGNMENT, "carol")
        if grade.manual_score is None:  # run alone: grade it as formgrader would
            grade.manual_score = 3
            gb.find_comment("q3g_written", "q3_word2vec", ASSIGNMENT,
                            "carol").manual_comment = COMMENT
            gb.db.commit()
    course.nbgrader("generate_feedback", ASSIGNMENT)
    with service(course, ["carol"]) as (server, tokens):
        driver = browser(tmp_path / "profile")
        try:
            driver.get(f"{server.url}/")
            driver.find_element(By.ID, "token").send_keys(tokens["carol"])
            driver.find_element(By.ID, "login").click()
            WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "student"))
            driver.get(f"{server.url}/feedback")
            assert driver.find_element(By.ID, "nothing")  # generated, not released yet
            driver.save_screenshot(str(shots / "h2-manual-feedback-before.png"))
            course.nbgrader("release_feedback", ASSIGNMENT)
            driver.get(f"{server.url}/")
            assert driver.find_element(By.ID, "staff-grading")
            driver.find_element(By.CSS_SELECTOR, "#staff-grading a").click()
            section = driver.find_element(By.ID, "nb-q3_word2vec")
            driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", section)
            text = section.text
            driver.save_screenshot(str(shots / "h2-manual-feedback.png"))
            source = driver.page_source
        finally:
            driver.quit()
    assert "3(g), written answer" in text and "3 / 4" in text
    assert "<script>alert(1)</script>" in text  # shown as text...
    assert "<script>alert(1)</script>" not in source  # ...never as markup
