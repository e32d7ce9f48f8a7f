"""results.json in Gradescope's autograder format."""

import json
import math

import pytest

from autograder.checks import CATALOGUE
from autograder.report import results_json, write_results_json
from autograder.report.gradescope import (
    FORMATS,
    STATUSES,
    TEST_KEYS,
    TOP_LEVEL_KEYS,
    VISIBILITIES,
)
from tests.autograder.report.builders import HOSTILE, all_results, correct, faulty, hostile

# Gradescope's autograder specification, written down here independently of the module
SPEC_TOP_LEVEL = {"score", "execution_time", "output", "output_format", "test_output_format",
                  "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
                  "leaderboard"}
SPEC_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
             "output_format", "tags", "visibility", "extra_data"}
SPEC_VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}


def test_the_module_knows_the_spec():
    assert TOP_LEVEL_KEYS == SPEC_TOP_LEVEL and TEST_KEYS == SPEC_TEST
    assert VISIBILITIES == SPEC_VISIBILITIES and STATUSES == {"passed", "failed"}
    assert FORMATS == {"text", "html", "simple_format", "md", "ansi"}


def assert_gradescope_shape(doc: dict, auto_max: float | None = None) -> None:
    """Only keys of the spec, with values of the spec's types and vocabularies."""
    assert doc.keys() <= SPEC_TOP_LEVEL, doc.keys() - SPEC_TOP_LEVEL
    assert {"score", "output", "tests"} <= doc.keys()
    assert doc["visibility"] == "visible"
    assert doc["stdout_visibility"] == "hidden"
    for key in ("output_format", "test_output_format", "test_name_format"):
        assert doc.get(key, "text") == "text"
    assert isinstance(doc["output"], str)
    assert isinstance(doc.get("execution_time", 0), int)
    for test in doc["tests"]:
        assert test.keys() <= SPEC_TEST, test.keys() - SPEC_TEST
        assert {"name", "score", "max_score", "output", "visibility", "status"} <= test.keys()
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["output"], str)
        assert isinstance(test["score"], float | int) and isinstance(test["max_score"], float | int)
        assert 0 <= test["score"] <= test["max_score"] or test["max_score"] == 0
        assert test["visibility"] in SPEC_VISIBILITIES
        assert test["status"] in {"passed", "failed"}
    # the top-level score overrides the tests' total: equal to it, or less after a late penalty
    assert doc["score"] <= sum(t["score"] for t in doc["tests"]) + 1e-6
    if "Late:" not in doc["output"]:
        assert math.isclose(doc["score"], sum(t["score"] for t in doc["tests"]), abs_tol=1e-6)
    if auto_max is not None:
        assert math.isclose(auto_max, sum(t["max_score"] for t in doc["tests"]), abs_tol=1e-6)
    json.dumps(doc, allow_nan=False)


@pytest.mark.parametrize("index", range(4))
def test_every_result_has_the_gradescope_shape(cells, index):
    result = all_results(cells)[index]
    assert_gradescope_shape(results_json(result), result.auto_max)


def test_correct_result_scores_every_check(cells):
    result = correct(cells)
    doc = results_json(result)
    assert "max_score" not in doc  # not a top-level key of the spec
    assert doc["score"] == result.auto_max > 0
    assert sum(t["max_score"] for t in doc["tests"]) == pytest.approx(result.auto_max)
    names = [t["name"] for t in doc["tests"]]
    assert "q1_softmax / softmax_stability" in names
    assert all(t["status"] == "passed" for t in doc["tests"])


def test_written_answers_are_manual_questions_not_tests(cells):
    """On Gradescope the written parts are questions of the outline, graded with a rubric:
    no 0-point test stands in for them, and their points are in no test's max_score."""
    doc = results_json(correct(cells))
    written = [c for c in cells if not c.auto]
    assert written
    names = " ".join(t["name"] for t in doc["tests"])
    assert not any(c.grade_id in names for c in written)
    assert "written answer" not in names
    assert sum(t["max_score"] for t in doc["tests"]) == pytest.approx(
        sum(c.points for c in cells if c.auto))
    written_points = sum(c.points for c in written)
    assert f"written answers ({written_points:g} points) are graded by the course staff" \
        in doc["output"]


def test_failed_check_shows_description_and_message(cells):
    doc = results_json(faulty(cells))
    test = next(t for t in doc["tests"] if t["name"] == "q1_softmax / softmax_stability")
    assert test["status"] == "failed" and test["score"] == 0 and test["max_score"] == 2.0
    assert "no overflow" in test["output"] and "wrong values" in test["output"]
    assert "cell 7: NameError" in doc["output"]


def test_notebook_problems_are_entries(cells):
    from tests.autograder.report.builders import missing_notebook

    doc = results_json(missing_notebook(cells))
    advice = {c.name for c in CATALOGUE if c.advice}  # 0-point checks: advice, not problems
    problems = {t["name"]: t for t in doc["tests"]
                if t["max_score"] == 0 and t["name"].split(" / ")[-1] not in advice}
    assert set(problems) == {"q3_word2vec: stopped", "q4_sentiment: missing"}
    assert "stopped after 300 s" in problems["q3_word2vec: stopped"]["output"]
    assert all(t["status"] == "failed" for t in problems.values())


def test_hostile_text_stays_plain_text(cells, tmp_path):
    result = hostile(cells)
    write_results_json(result, tmp_path / "results.json")
    doc = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert_gradescope_shape(doc, result.auto_max)
    assert doc["output_format"] == doc["test_output_format"] == doc["test_name_format"] == "text"
    text = json.dumps(doc, ensure_ascii=False)
    assert not {"\u202e", "\x00", "\x1b", "\ud800"} & set(text) and "\\u0000" not in text
    assert HOSTILE[0] in text  # kept as text: Gradescope shows it literally (format "text")
    assert any(t["name"] == "submission: files not accepted" for t in doc["tests"])
    assert all("\n" not in t["name"] for t in doc["tests"])


def test_advice_is_shown_and_never_fails(cells):
    from tests.autograder.report.builders import build

    doc = results_json(build("s1", cells, failing=frozenset({"sigmoid_stability"})))
    advice = next(t for t in doc["tests"] if t["name"].endswith("sigmoid_stability"))
    assert advice["max_score"] == 0 and advice["score"] == 0
    assert advice["status"] == "passed" and "your result differs" in advice["output"]


def test_a_late_penalty_lowers_the_score_and_is_explained(cells):
    from tests.autograder.report.test_late import late

    result = late(correct(cells), "subtract_per_hour", 0.5)  # 2 points off each notebook
    doc = results_json(result)
    assert_gradescope_shape(doc, result.auto_max)
    assert doc["score"] == result.auto_score == result.auto_score_before_penalty - 8
    assert sum(t["score"] for t in doc["tests"]) == result.auto_score_before_penalty
    assert "Late:" in doc["output"]


def test_notes_on_the_files_are_in_the_output(cells):
    result = correct(cells)
    result.notes.append("q1_softmax (1).ipynb was graded as q1_softmax.ipynb")
    doc = results_json(result)
    assert "Notes on your files:\n  q1_softmax (1).ipynb was graded as q1_softmax.ipynb" \
        in doc["output"]
