"""grades.csv: one row per student, stable columns, no formula injection."""

import csv

from autograder.report import grade_rows, write_grades_csv
from autograder.report.table import safe_cell
from tests.autograder.report.builders import NOTEBOOKS, all_results, hostile

HEADER = ["student", *NOTEBOOKS, "auto_total", "auto_max", "status", "digest"]


def _read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_csv_round_trips(cells, tmp_path):
    results = all_results(cells)
    write_grades_csv(results, tmp_path / "grades.csv")
    rows = _read(tmp_path / "grades.csv")
    assert rows == grade_rows(results)
    assert rows[0] == HEADER
    assert len(rows) == len(results) + 1  # newlines in student text stay inside their cells
    assert all(len(row) == len(HEADER) for row in rows)


def test_scores_and_status(cells, tmp_path):
    results = all_results(cells)
    write_grades_csv(results, tmp_path / "grades.csv")
    rows = {row[0]: dict(zip(HEADER, row, strict=True)) for row in _read(tmp_path / "grades.csv")}
    correct = rows["correct"]
    assert float(correct["auto_total"]) == float(correct["auto_max"]) == results[0].auto_max
    assert sum(float(correct[n]) for n in NOTEBOOKS) == float(correct["auto_total"])
    assert correct["status"] == "ok"
    assert float(rows["faulty"]["q1_softmax"]) == 3.0  # softmax_stability (2 points) failed
    assert rows["absent"]["status"] == "q3_word2vec: stopped; q4_sentiment: missing"
    assert float(rows["absent"]["q4_sentiment"]) == 0.0


def test_no_formula_injection(cells, tmp_path):
    results = all_results(cells)
    write_grades_csv(results, tmp_path / "grades.csv")
    for row in _read(tmp_path / "grades.csv"):
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    row = _read(tmp_path / "grades.csv")[-1]
    assert row[0].startswith("mallory<script>")
    assert row[-1].startswith("<script>")  # the digest: "<" is no formula start
    assert "\x00" not in row[0] and "\u202e" not in row[0]
    assert row[-2] == "q2_neural: stopped; 5 files refused"


def test_safe_cell():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+1") == "'+1" and safe_cell("-1") == "'-1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("\tx") == "'\tx"
    assert safe_cell("alice") == "alice"


def test_hostile_student_id_is_neutralised(cells):
    result = hostile(cells)
    result.student = '=HYPERLINK("http://x")'
    assert grade_rows([result])[1][0] == '\'=HYPERLINK("http://x")'


def test_explicit_columns_keep_their_order(cells):
    rows = grade_rows(all_results(cells), notebooks=["q4_sentiment", "q1_softmax", "q9_extra"])
    assert rows[0][:4] == ["student", "q4_sentiment", "q1_softmax", "q9_extra"]
    assert all(row[3] == "" for row in rows[1:])
