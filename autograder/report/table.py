"""The class's auto-graded scores as one CSV file, one row per student.

Columns, in this order: student, one column per notebook (its auto-graded score, in notebook
name order: q1_softmax, q2_neural, ...), auto_total, auto_max, status, digest. Scores count
the automatic checks only; written answers are graded by the course staff.

Text a student controls is neutralised for spreadsheets: a cell that starts with =, +, -, @
(or a tab or carriage return) gets a leading apostrophe, so it is never read as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from autograder.engine.results import SubmissionResult
from autograder.kernel.atomic import write_text
from autograder.report.summary import notebook_auto_score, status_summary
from autograder.report.text import clean

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIXED_COLUMNS = ("auto_total", "auto_max", "status", "digest")


def safe_cell(text: object, limit: int = 500) -> str:
    """Text for a spreadsheet cell that no spreadsheet evaluates as a formula."""
    value = clean(text, limit)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def notebook_columns(results: Iterable[SubmissionResult]) -> list[str]:
    """The notebooks that have graded cells in any result, in name order."""
    return sorted({nb.name for r in results for nb in r.notebooks if nb.cells})


def grade_rows(results: Sequence[SubmissionResult], notebooks: Sequence[str] | None = None
               ) -> list[list[str]]:
    """Header and one row per result, as strings."""
    columns = list(notebooks) if notebooks is not None else notebook_columns(results)
    rows = [["student", *(safe_cell(n) for n in columns), *FIXED_COLUMNS]]
    for result in results:
        by_name = {nb.name: nb for nb in result.notebooks}
        scores = [_number(notebook_auto_score(by_name[n])) if n in by_name else ""
                  for n in columns]
        rows.append([safe_cell(result.student, 200), *scores, _number(result.auto_score),
                     _number(result.auto_max), safe_cell(status_summary(result)),
                     safe_cell(result.digest, 200)])
    return rows


def write_grades_csv(results: Sequence[SubmissionResult], path: Path,
                     notebooks: Sequence[str] | None = None) -> None:
    """Write grades.csv (RFC 4180 quoting by the csv module, UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(grade_rows(list(results), notebooks))
    write_text(Path(path), buffer.getvalue())


def _number(value: float) -> str:
    return repr(round(float(value), 6))
