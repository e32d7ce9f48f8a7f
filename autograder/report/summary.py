"""The wording every report shares: per-notebook scores and a short status of a submission."""

from __future__ import annotations

from autograder.engine.results import NotebookReport, SubmissionResult
from autograder.report.text import one_line, points

GRADED = "graded"
WRITTEN_NOTE = "graded by the course staff"


def notebook_auto_score(report: NotebookReport) -> float:
    """The notebook's automatic points after its late penalty (never below 0)."""
    raw = sum(c.score or 0.0 for c in report.cells if c.auto)
    return round(max(0.0, raw - report.late_penalty), 6)


def notebook_auto_max(report: NotebookReport) -> float:
    return round(sum(c.max_points for c in report.cells if c.auto), 6)


def written_max(result: SubmissionResult) -> float:
    return round(sum(c.max_points for c in result.cells if not c.auto), 6)


def problem_notebooks(result: SubmissionResult) -> list[NotebookReport]:
    """Notebooks that were not graded normally (missing, invalid, stopped, error)."""
    return [nb for nb in result.notebooks if nb.status != GRADED]


def status_summary(result: SubmissionResult) -> str:
    """"ok", or e.g. "q3_word2vec: stopped; 1 file refused" (names and counts only)."""
    parts = [f"{one_line(nb.name, 100)}: {one_line(nb.status, 40)}"
             for nb in problem_notebooks(result)]
    if result.problems:
        n = len(result.problems)
        parts.append(f"{n} file{'s' if n != 1 else ''} refused")
    return "; ".join(parts) if parts else "ok"


def score_line(result: SubmissionResult) -> str:
    """"Auto-graded score: 30 / 58 (written answers, 63 points, are graded by the staff)"."""
    line = f"Auto-graded score: {points(result.auto_score)} / {points(result.auto_max)}"
    written = written_max(result)
    if written:
        line += (f". This counts only the automatic checks; the written answers "
                 f"({points(written)} points) are {WRITTEN_NOTE}.")
    for note in result.late_notes:
        line += f" Late: {one_line(note, 300)}."
    return line
