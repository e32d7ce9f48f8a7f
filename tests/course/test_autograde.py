"""The course through the real `nbgrader autograde`, in a temporary course directory."""

import nbformat
import pytest

from autograder.checks import cell_points

pytestmark = pytest.mark.slow


def hidden_scores(course, student) -> dict[str, float]:
    """'notebook/cell' -> score for the hidden (auto-graded) cells in the gradebook."""
    return {f"{nb}/{cell}": score for (nb, cell), score in course.cell_scores(student).items()
            if cell in cell_points()}


def test_source_notebooks_get_full_marks(autograded):
    scores = hidden_scores(autograded, "source")
    assert {key.split("/")[1]: value for key, value in scores.items()} == cell_points()


def test_honest_student_gets_full_marks(autograded, corpus_expected):
    assert hidden_scores(autograded, "honest") == corpus_expected["honest"]


def test_untouched_release_gets_zero(autograded):
    scores = hidden_scores(autograded, "untouched")
    assert set(scores.values()) == {0.0}
    assert len(scores) == len(cell_points())


def test_edited_locked_cell_is_restored(autograded):
    assert hidden_scores(autograded, "tampered")["q1_softmax/q1_softmax_hidden"] == 0.0
    path = autograded.root / "autograded" / "tampered" / "ps1" / "q1_softmax.ipynb"
    nb = nbformat.read(path, as_version=4)
    hidden = [c for c in nb.cells
              if c.metadata.get("nbgrader", {}).get("grade_id") == "q1_softmax_hidden"]
    assert "grade_cell" in hidden[0].source


def test_deleted_graded_cell_gains_nothing(autograded):
    assert not autograded.cell_scores("deleted").get(("q1_softmax", "q1_softmax_hidden"))


def test_each_mistake_loses_exactly_its_points(autograded, corpus_expected):
    """Per cell, for the notebooks submitted; the notebooks not submitted score nothing."""
    mistakes = [s for s in corpus_expected if s != "honest"]
    assert len(mistakes) >= 12
    for student in mistakes:
        scores = hidden_scores(autograded, student)
        expected = corpus_expected[student]
        assert {k: v for k, v in scores.items() if k in expected} == expected, student
        assert not any(v for k, v in scores.items() if k not in expected), student
