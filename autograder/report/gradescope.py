"""A submission's result as Gradescope's autograder ``results.json``.

Only keys of Gradescope's autograder specification are written. At the top level: ``score``,
``execution_time``, ``output``, ``output_format``, ``test_output_format``,
``test_name_format``, ``visibility``, ``stdout_visibility`` and ``tests``; on each test:
``name``, ``score``, ``max_score``, ``status``, ``output`` and ``visibility``. The spec has no
top-level maximum: Gradescope takes the autograder's total from the assignment's outline.

``score`` counts the automatic checks only, after any late penalty of the course's policy
(the tests show the checks' points before it; the top-level score overrides their total, as
the spec says, and the output says how much was taken off). The written answers are not tests
here: on Gradescope they are manual questions of the assignment's outline, graded with a rubric
by the staff (in formgrader, for ``autograder grade``); the summary says so. Every text field
is plain text (format "text"), so nothing a student wrote is rendered as HTML or Markdown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.engine.results import CellGrade, NotebookReport, SubmissionResult
from autograder.kernel.atomic import write_text
from autograder.report.summary import (
    notebook_auto_max,
    notebook_auto_score,
    problem_notebooks,
    score_line,
)
from autograder.report.text import clean, one_line, points

VISIBLE = "visible"
PASSED, FAILED = "passed", "failed"
TEXT = "text"
MAX_LISTED = 20

TOP_LEVEL_KEYS = frozenset({
    "score", "execution_time", "output", "output_format", "test_output_format",
    "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
    "leaderboard"})
"""Every top-level key Gradescope's specification defines (this module writes a subset)."""
TEST_KEYS = frozenset({
    "score", "max_score", "status", "name", "name_format", "number", "output",
    "output_format", "tags", "visibility", "extra_data"})
"""Every key of a test that the specification defines."""
VISIBILITIES = frozenset({"hidden", "after_due_date", "after_published", "visible"})
FORMATS = frozenset({"text", "html", "simple_format", "md", "ansi"})
STATUSES = frozenset({PASSED, FAILED})


def results_json(result: SubmissionResult) -> dict[str, Any]:
    """The results.json document of one submission (a JSON-ready dict)."""
    tests: list[dict[str, Any]] = []
    for report in result.notebooks:
        if report.status != "graded":
            tests.append(_problem_test(report))
        for cell in report.cells:
            tests.extend(_cell_tests(cell))
    if result.problems:
        tests.append(_test("submission: files not accepted", 0.0, 0.0,
                           "\n".join(clean(p, 300) for p in result.problems[:MAX_LISTED]),
                           FAILED))
    return {
        "score": result.auto_score,
        "execution_time": round(sum(nb.seconds for nb in result.notebooks)),
        "output": _summary(result),
        "output_format": TEXT,
        "test_output_format": TEXT,
        "test_name_format": TEXT,
        "visibility": VISIBLE,
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write_results_json(result: SubmissionResult, path: Path) -> None:
    write_text(Path(path), json.dumps(results_json(result), indent=1, allow_nan=False) + "\n")


def _test(name: str, score: float, max_score: float, output: str, status: str
          ) -> dict[str, Any]:
    return {"name": name, "score": round(score, 6), "max_score": round(max_score, 6),
            "status": status, "output": output, "visibility": VISIBLE}


def _cell_tests(cell: CellGrade) -> list[dict[str, Any]]:
    """The checks of an auto-graded cell (none for a written answer: a manual question)."""
    if not cell.auto:
        return []
    where = f"{one_line(cell.notebook, 100)} / "
    if not cell.checks:  # a scored cell without check details: report the cell itself
        passed = cell.score is not None and cell.score >= cell.max_points
        return [_test(f"{where}{one_line(cell.grade_id, 100)}", cell.score or 0.0,
                      cell.max_points, "", PASSED if passed else FAILED)]
    tests = []
    for check in cell.checks:
        output = clean(check.description, 500)
        for extra in (check.message, check.note):
            if extra:
                output += f"\n{clean(extra)}"
        ok = check.passed or check.points == 0  # advice worth no points never fails
        tests.append(_test(f"{where}{one_line(check.name, 100)}", check.score, check.points,
                           output, PASSED if ok else FAILED))
    return tests


def _problem_test(report: NotebookReport) -> dict[str, Any]:
    lines = [clean(report.message or report.status, 500)]
    lines += [clean(e, 400) for e in report.cell_errors[:MAX_LISTED]]
    return _test(f"{one_line(report.name, 100)}: {one_line(report.status, 40)}", 0.0, 0.0,
                 "\n".join(lines), FAILED)


def _summary(result: SubmissionResult) -> str:
    lines = [score_line(result), ""]
    problems = {id(nb) for nb in problem_notebooks(result)}
    for report in result.notebooks:
        name = one_line(report.name, 100)
        if id(report) in problems:
            lines.append(f"{name}: {one_line(report.status, 40)} "
                         f"({points(notebook_auto_score(report))} / "
                         f"{points(notebook_auto_max(report))}): "
                         f"{one_line(report.message or '', 300)}")
        else:
            lines.append(f"{name}: {points(notebook_auto_score(report))} / "
                         f"{points(notebook_auto_max(report))}")
        if report.cell_errors and id(report) not in problems:
            lines.append("  errors while running the notebook:")
            lines += [f"  {one_line(e, 300)}" for e in report.cell_errors[:MAX_LISTED]]
    if result.problems:
        lines += ["", "Files not accepted:"]
        lines += [f"  {one_line(p, 300)}" for p in result.problems[:MAX_LISTED]]
    if result.notes:
        lines += ["", "Notes on your files:"]
        lines += [f"  {one_line(n, 300)}" for n in result.notes[:MAX_LISTED]]
    return "\n".join(lines)
