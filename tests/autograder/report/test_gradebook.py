"""Scores written into a real nbgrader gradebook, read back by `nbgrader export`."""

import csv
import math

import pytest
from nbgrader.api import Gradebook

from autograder.engine.results import NotebookReport, SubmissionResult
from autograder.report import GradebookError, SyncSummary, sync_gradebook
from tests.autograder.report.builders import HOSTILE, build, graded_cells
from tests.course.course import ASSIGNMENT, NOTEBOOKS, Course

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    """A generated course (`nbgrader generate_assignment ps1` ran: the gradebook has ps1)."""
    return Course.create(tmp_path_factory.mktemp("gradebook-course"))


@pytest.fixture(scope="module")
def real_cells(course):
    return graded_cells(course.root / "source" / ASSIGNMENT)


def db_url(course: Course) -> str:
    return f"sqlite:///{course.root / 'gradebook.db'}"


def export(course: Course) -> dict[str, dict[str, str]]:
    course.nbgrader("export")
    with open(course.root / "grades.csv", newline="") as fh:
        return {row["student_id"]: row for row in csv.DictReader(fh)}


def expected_raw(result: SubmissionResult) -> float:
    return sum(c.score or 0.0 for c in result.cells)


def row_counts(course: Course) -> tuple[int, ...]:
    from nbgrader.api import Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook

    with Gradebook(db_url(course), course_id="cs224n") as gb:
        return tuple(gb.db.query(t).count()
                     for t in (Student, SubmittedAssignment, SubmittedNotebook, Grade, Comment))


def test_export_sees_the_synced_scores(course, real_cells):
    result = build("alice", real_cells, failing=frozenset({"softmax_stability", "sgd_converges"}),
                   answered=frozenset({"q1a_written", "q2b_written"}))
    summary = sync_gradebook([result], db_url(course))
    assert summary == SyncSummary(synced=["alice"])
    raw = float(export(course)["alice"]["raw_score"])
    assert math.isclose(raw, expected_raw(result)) and math.isclose(raw, result.auto_score)
    assert course.cell_scores("alice") == {(c.notebook, c.grade_id): c.score or 0.0
                                           for c in result.cells}


def test_records_look_like_autograde(course, real_cells):
    result = build("bob", real_cells, answered=frozenset({"q1a_written"}),
                   statuses={"q4_sentiment": "missing"})
    sync_gradebook([result], db_url(course))
    with Gradebook(db_url(course), course_id="cs224n") as gb:
        submission = gb.find_submission(ASSIGNMENT, "bob")
        grades = {(nb.name, g.name): g for nb in submission.notebooks for g in nb.grades}
        comments = {(nb.name, c.name): c.auto_comment
                    for nb in submission.notebooks for c in nb.comments}
        assert len(grades) == len(real_cells)
        for cell in real_cells:
            grade = grades[(cell.notebook, cell.grade_id)]
            if cell.notebook == "q4_sentiment":  # not submitted: autograde's zeros
                assert (grade.auto_score, grade.needs_manual_grade) == (0.0, False)
            elif cell.grade_id == "q1a_written":  # an answer awaiting the staff
                assert grade.auto_score is None and grade.needs_manual_grade
                assert comments[(cell.notebook, cell.grade_id)] is None
            elif not cell.auto:  # an answer left as released: 0 and "No response."
                assert (grade.auto_score, grade.needs_manual_grade) == (0.0, False)
                assert comments[(cell.notebook, cell.grade_id)] == "No response."
            else:
                assert grade.auto_score == cell.points and not grade.needs_manual_grade
            assert grade.manual_score is None
        assert submission.needs_manual_grade
        assert all(nb.late_submission_penalty is None for nb in submission.notebooks)


def test_resync_updates_rather_than_duplicates(course, real_cells):
    first = build("carol", real_cells, failing=frozenset({"softmax_vector"}))
    sync_gradebook([first], db_url(course))
    counts = row_counts(course)
    second = build("carol", real_cells, failing=frozenset({"normalize_rows", "cbow_gradients"}))
    assert second.auto_score != first.auto_score
    sync_gradebook([second], db_url(course))
    sync_gradebook([second], db_url(course))
    assert row_counts(course) == counts
    assert math.isclose(float(export(course)["carol"]["raw_score"]), expected_raw(second))


def test_manual_scores_are_kept_and_flagged(course, real_cells):
    result = build("dave", real_cells)
    sync_gradebook([result], db_url(course))
    with Gradebook(db_url(course), course_id="cs224n") as gb:
        grade = gb.find_grade("q1_softmax_hidden", "q1_softmax", ASSIGNMENT, "dave")
        grade.manual_score = 1.0
        gb.db.commit()
    sync_gradebook([result], db_url(course))
    with Gradebook(db_url(course), course_id="cs224n") as gb:
        grade = gb.find_grade("q1_softmax_hidden", "q1_softmax", ASSIGNMENT, "dave")
        assert (grade.manual_score, grade.auto_score, grade.needs_manual_grade) == (1.0, 5.0, True)
        assert grade.score == 1.0  # the human's score wins, as in nbgrader


def test_missing_notebook_rows_are_created(course, real_cells):
    result = build("erin", real_cells)
    sync_gradebook([result], db_url(course))
    with Gradebook(db_url(course), course_id="cs224n") as gb:
        gb.remove_submission_notebook("q2_neural", ASSIGNMENT, "erin")
    sync_gradebook([result], db_url(course))
    scores = course.cell_scores("erin")
    assert len(scores) == len(real_cells)
    assert scores[("q2_neural", "q2_neural_hidden")] == 8.0


def test_timestamp_and_comments_from_the_executed_notebooks(course, real_cells, tmp_path):
    import nbformat

    folder = tmp_path / "notebooks" / "frank"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2017-01-19 16:30:00.123456 America/Los_Angeles\n")
    nbformat.write(course.release_notebook("q1_softmax"), folder / "q1_softmax.ipynb")
    nbformat.write(course.source_notebook("q2_neural"), folder / "q2_neural.ipynb")
    (folder / "q3_word2vec.ipynb").write_text("{not json")
    result = build("frank", real_cells)
    assert sync_gradebook([result], db_url(course), autograded_root=tmp_path / "notebooks"
                          ).synced == ["frank"]
    with Gradebook(db_url(course), course_id="cs224n") as gb:
        submission = gb.find_submission(ASSIGNMENT, "frank")
        assert submission.timestamp.isoformat() == "2017-01-20T00:30:00.123456"
        comment = gb.find_comment("q1_softmax", "q1_softmax", ASSIGNMENT, "frank")
        assert comment.auto_comment == "No response."  # the released stub, unchanged
        comment = gb.find_comment("q2_sigmoid", "q2_neural", ASSIGNMENT, "frank")
        assert comment.auto_comment is None  # answered
        comment = gb.find_comment("q3_normalizeRows", "q3_word2vec", ASSIGNMENT, "frank")
        assert comment.auto_comment is None  # unreadable notebook: left as it was


@pytest.mark.parametrize("student", [*HOSTILE, "", " alice", "a/b", "..", "-x", "a" * 129])
def test_rejected_student_ids_are_refused_cleanly(course, real_cells, student):
    before = row_counts(course)
    result = build(student, real_cells)
    summary = sync_gradebook([result], db_url(course))
    assert summary.synced == []
    (reason,) = summary.refused.values()
    assert reason.startswith("student id ") and "cannot be used in the gradebook" in reason
    assert "Traceback" not in reason and "\n" not in reason
    assert row_counts(course) == before


def test_one_refusal_does_not_stop_the_others(course, real_cells):
    good = build("grace", real_cells)
    bad = build(HOSTILE[0], real_cells)
    broken = SubmissionResult("heidi", "x", [NotebookReport("(all)", "error", "the grader "
                                                            "failed on this submission")])
    summary = sync_gradebook([bad, good, broken], db_url(course))
    assert summary.synced == ["grace"]
    assert set(summary.refused) == {HOSTILE[0], "heidi"}
    assert summary.refused["heidi"].startswith("not graded (error")


def test_results_of_another_assignment_version_are_refused(course, real_cells):
    result = build("ivan", real_cells)
    result.notebooks[0].cells[0].grade_id = "q1z_written"
    summary = sync_gradebook([result], db_url(course))
    assert "another version of the assignment" in summary.refused["ivan"]
    with Gradebook(db_url(course), course_id="cs224n") as gb:
        assert "ivan" not in {s.id for s in gb.students}


def test_gradebook_without_the_assignment(course, tmp_path):
    with pytest.raises(GradebookError, match="run `nbgrader generate_assignment ps9` first"):
        sync_gradebook([], db_url(course), assignment="ps9")
    missing = tmp_path / "nowhere.db"
    with pytest.raises(GradebookError, match="no gradebook at"):
        sync_gradebook([], f"sqlite:///{missing}")
    assert not missing.exists()



def _records(course: Course, student: str) -> dict:
    """Everything autograde writes about a submission, keyed by notebook and cell."""
    with Gradebook(db_url(course), course_id="cs224n") as gb:
        submission = gb.find_submission(ASSIGNMENT, student)
        records: dict = {"submission": (submission.timestamp, submission.score,
                                        submission.needs_manual_grade)}
        for nb in submission.notebooks:
            records[nb.name] = (nb.late_submission_penalty, nb.flagged)
            for g in nb.grades:
                records[(nb.name, g.name, "grade")] = (g.auto_score, g.manual_score,
                                                       g.extra_credit, g.needs_manual_grade)
            for c in nb.comments:
                records[(nb.name, c.name, "comment")] = (c.auto_comment, c.manual_comment)
        return records


def test_records_match_nbgrader_autograde(course, real_cells, tmp_path):
    """`nbgrader autograde` of the untouched release, and a sync of the same verdicts (every
    check failed, every answer left as released) from its autograded/ folder, agree exactly."""
    import shutil

    from autograder.checks import CATALOGUE

    course.submit("untouched", {n: course.release_notebook(n) for n in NOTEBOOKS})
    folder = course.root / "submitted" / "untouched" / ASSIGNMENT
    (folder / "timestamp.txt").write_text("2017-01-19 16:30:00.5 America/Los_Angeles\n")
    course.autograde("untouched")
    shutil.copytree(course.root / "autograded" / "untouched", tmp_path / "twin")
    result = build("twin", real_cells, failing=frozenset(c.name for c in CATALOGUE),
                   answered=frozenset())
    assert sync_gradebook([result], db_url(course), autograded_root=tmp_path).synced == ["twin"]
    autograded, synced = _records(course, "untouched"), _records(course, "twin")
    grades = [k for k in autograded if isinstance(k, tuple) and k[-1] == "grade"]
    assert len(grades) == len(real_cells)
    assert synced == autograded
    assert any(v == ("No response.", None) for v in synced.values())
