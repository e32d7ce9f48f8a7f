"""Manual grading on every path: what `autograder grade --gradebook` and the service grade,
formgrader opens (nbgrader's autograded/ layout and gradebook rows, as `nbgrader autograde`
leaves them), with the same late penalty as grades.csv; `nbgrader generate_feedback` and
`release_feedback` work on it; the service shows the student the released manual grades."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.report.autograded import AS_SUBMITTED
from autograder.service.gradebook import manual_feedback, released_notebooks
from autograder.service.settings import ServiceSettings
from tests.course.course import ASSIGNMENT, NOTEBOOKS, Course
from tests.course.graded import (
    PER_HOUR,
    deadline_env,
    grade_with_cli,
    grade_with_service,
    make_course,
    submit,
    zip_of_folder,
)

pytestmark = pytest.mark.slow
WRITTEN = ("q1_softmax", "q1a_written")  # a written part formgrader grades by hand


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[Course, Path]:
    course = make_course(tmp_path_factory.mktemp("manual") / "course")
    submit(course, "alice", "2026-12-04 00:30:00.000000 UTC")  # on time
    submit(course, "bob", "2026-12-04 03:05:00.000000 UTC")  # 2 h 5 min late
    out = course.root / "graded"
    grade_with_cli(course, out)
    return course, out


def db(course: Course) -> str:
    return f"sqlite:///{course.root / 'gradebook.db'}"


def csv_rows(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as fh:
        return {row.get("student") or row["student_id"]: row for row in csv.DictReader(fh)}


def test_the_autograded_folders_are_nbgraders_layout(graded):
    course, _ = graded
    for student in ("alice", "bob"):
        folder = course.root / "autograded" / student / ASSIGNMENT
        names = {p.name for p in folder.iterdir()}
        assert {f"{n}.ipynb" for n in NOTEBOOKS} | {"timestamp.txt",
                                                     "submission_secret.txt"} <= names
        assert {"q3_word_vectors.png", "q4_dev_pred.txt"} <= names
        q3 = nbformat.read(folder / "q3_word2vec.ipynb", 4)
        assert any(AS_SUBMITTED in c.source for c in q3.cells if c.cell_type == "markdown")


def test_the_gradebook_rows_are_autogrades(graded):
    course, out = graded
    results = csv_rows(out / "grades.csv")
    with Gradebook(db(course), course_id="cs224n") as gb:
        assignment = gb.find_assignment(ASSIGNMENT)
        assert assignment.duedate.isoformat() == "2026-12-04T01:00:00"
        for student, late_by in (("alice", 0), ("bob", 7500)):
            submission = gb.find_submission(ASSIGNMENT, student)
            assert submission.total_seconds_late == late_by
            assert {nb.name for nb in submission.notebooks} == set(NOTEBOOKS)
            for nb in submission.notebooks:
                for grade in nb.grades:
                    if grade.cell.name.endswith("_hidden"):
                        assert grade.auto_score is not None and not grade.needs_manual_grade
                written = [g for g in nb.grades if g.name.endswith("_written")]
                assert all(g.manual_score is None for g in written)
                assert any(g.needs_manual_grade for g in written), nb.name
                penalty = nb.late_submission_penalty or 0.0
                if student == "bob":  # 3 started hours x 2 points, capped at the score
                    assert penalty == min(3 * PER_HOUR, nb.score)
                    assert float(results[student][nb.name]) == pytest.approx(
                        nb.score - penalty)
                else:
                    assert penalty == 0
            auto = sum(g.auto_score or 0 for nb in submission.notebooks for g in nb.grades)
            assert float(results[student]["auto_total"]) == pytest.approx(
                auto - submission.late_submission_penalty)


def test_export_shows_the_same_penalty(graded):
    course, out = graded
    course.nbgrader("export", "--to", "export.csv")
    exported = csv_rows(course.root / "export.csv")
    ours = csv_rows(out / "grades.csv")
    for student in ("alice", "bob"):
        row = exported[student]
        assert float(row["score"]) == pytest.approx(float(ours[student]["auto_total"]))
    assert float(exported["bob"]["late_submission_penalty"]) > 0
    feedback = (out / "feedback" / "bob.html").read_text()
    assert "2 h 5 min after the deadline" in feedback


def test_generate_and_release_feedback_then_the_student_sees_it(graded):
    course, _ = graded
    with Gradebook(db(course), course_id="cs224n") as gb:  # what formgrader saves
        grade = gb.find_grade(WRITTEN[1], WRITTEN[0], ASSIGNMENT, "alice")
        grade.manual_score = 1.5
        comment = gb.find_comment(WRITTEN[1], WRITTEN[0], ASSIGNMENT, "alice")
        comment.manual_comment = "Right idea; <b>say</b> why the shift keeps the result."
        gb.db.commit()
    settings = ServiceSettings(course_root=course.root, gradebook_url=db(course),
                               data_dir=course.root / "service-data")
    assert released_notebooks(settings, "alice") == set()
    assert manual_feedback(settings, "alice") == []  # nothing released yet
    course.nbgrader("generate_feedback", ASSIGNMENT)
    html = (course.root / "feedback" / "alice" / ASSIGNMENT / "q1_softmax.html").read_text()
    assert "Right idea" in html
    course.nbgrader("release_feedback", ASSIGNMENT)
    assert released_notebooks(settings, "alice") == set(NOTEBOOKS)
    shown = {nb.notebook: nb for nb in manual_feedback(settings, "alice")}
    q1 = shown["q1_softmax"]
    written = {w.cell: w for w in q1.written}
    assert written[WRITTEN[1]].score == 1.5
    assert written[WRITTEN[1]].comment.startswith("Right idea")
    assert all(w.score is None for name, w in written.items() if name != WRITTEN[1])


def test_the_service_path_lands_in_the_same_course(graded):
    course, _ = graded
    folder = submit(course, "carol", "ignored", artifacts=True)
    body = grade_with_service(course, "carol", zip_of_folder(folder))
    assert body["status"] == "done"
    target = course.root / "autograded" / "carol" / ASSIGNMENT
    deadline = time.monotonic() + 60  # the gradebook is written after the job is done
    while not (target / "q4_sentiment.ipynb").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert {f"{n}.ipynb" for n in NOTEBOOKS} <= {p.name for p in target.iterdir()}
    assert (target / "q3_word_vectors.png").is_file()
    with Gradebook(db(course), course_id="cs224n") as gb:
        submission = gb.find_submission(ASSIGNMENT, "carol")
        assert submission.timestamp is not None
        written = gb.find_grade(WRITTEN[1], WRITTEN[0], ASSIGNMENT, "carol")
        assert written.needs_manual_grade and written.manual_score is None
    assert deadline_env()  # the service ran under the same late policy (uploaded now: late)
    assert body.get("score") is not None


def test_nbgrader_autograde_takes_the_same_penalty(graded):
    """nbgrader's own autograde, with the course's plugin (nbgrader_config.py), subtracts
    what `autograder grade` subtracted from the same late submission."""
    import os
    import subprocess
    import sys

    from tests.course.course import nbgrader_env

    course, out = graded
    ours = csv_rows(out / "grades.csv")["bob"]
    env = {**nbgrader_env(), **deadline_env()}
    env.pop("CS224N_CHECK_SEED", None)
    proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde",
                           ASSIGNMENT, "--force", "--student=bob"], cwd=course.root, env=env,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert os.environ.get("AUTOGRADER_LATE_POLICY") is None  # the test's own env untouched
    with Gradebook(db(course), course_id="cs224n") as gb:
        submission = gb.find_submission(ASSIGNMENT, "bob")
        for nb in submission.notebooks:
            auto = sum(g.auto_score or 0 for g in nb.grades if g.name.endswith("_hidden"))
            assert nb.late_submission_penalty == pytest.approx(min(3 * PER_HOUR, nb.score))
            assert auto - nb.late_submission_penalty == pytest.approx(float(ours[nb.name]))
