"""results.json in Gradescope's autograder format."""

import json
import math

import pytest

from autograder.checks import CATALOGUE
from autograder.report import results_json, write_results_json
from tests.autograder.report.builders import HOSTILE, all_results, correct, faulty, hostile

TOP_LEVEL = {"score", "max_score", "output", "visibility", "stdout_visibility", "tests"}
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}


def assert_gradescope_shape(doc: dict) -> None:
    assert TOP_LEVEL <= doc.keys()
    assert doc["visibility"] == "visible"
    assert doc["stdout_visibility"] == "hidden"
    assert doc.get("output_format", "text") == "text"
    assert doc.get("test_output_format", "text") == "text"
    assert isinstance(doc["output"], str)
    for test in doc["tests"]:
        assert {"name", "score", "max_score", "output", "visibility"} <= test.keys()
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["output"], str)
        assert isinstance(test["score"], float | int) and isinstance(test["max_score"], float | int)
        assert 0 <= test["score"] <= test["max_score"] or test["max_score"] == 0
        assert test["visibility"] in VISIBILITIES
        assert test.get("status", "passed") in {"passed", "failed"}
    assert math.isclose(doc["score"], sum(t["score"] for t in doc["tests"]), abs_tol=1e-6)
    checks = [t for t in doc["tests"] if t["visibility"] == "visible"]
    assert math.isclose(doc["max_score"], sum(t["max_score"] for t in checks), abs_tol=1e-6)
    json.dumps(doc, allow_nan=False)


@pytest.mark.parametrize("index", range(4))
def test_every_result_has_the_gradescope_shape(cells, index):
    assert_gradescope_shape(results_json(all_results(cells)[index]))


def test_correct_result_scores_every_check(cells):
    result = correct(cells)
    doc = results_json(result)
    assert doc["score"] == doc["max_score"] == result.auto_max > 0
    names = [t["name"] for t in doc["tests"]]
    assert "q1_softmax / softmax_stability" in names
    assert all(t.get("status") == "passed" for t in doc["tests"] if t["visibility"] == "visible")


def test_written_answers_wait_for_the_staff(cells):
    doc = results_json(correct(cells))
    written = [t for t in doc["tests"] if t["visibility"] == "after_published"]
    assert {t["name"] for t in written} == {
        f"{c.notebook} / {c.grade_id} (written answer)" for c in cells if not c.auto}
    assert all(t["score"] == 0 and t["output"] == "graded by the course staff" for t in written)
    assert sum(t["max_score"] for t in written) == sum(c.points for c in cells if not c.auto)
    assert "written answers" in doc["output"]


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
    assert_gradescope_shape(doc)
    assert doc["output_format"] == doc["test_output_format"] == "text"
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
