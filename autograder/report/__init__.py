"""Reports of graded submissions: Gradescope's results.json, the class CSV, each student's
HTML feedback page, and the nbgrader gradebook (so `nbgrader export` and formgrader see the
auto-graded scores). Everything a student could have written is treated as hostile text."""

from autograder.report.feedback import feedback_html, write_feedback
from autograder.report.gradebook import (
    GradebookError,
    SyncSummary,
    check_student_id,
    sync_gradebook,
)
from autograder.report.gradescope import results_json, write_results_json
from autograder.report.table import grade_rows, write_grades_csv

__all__ = [
    "GradebookError",
    "SyncSummary",
    "check_student_id",
    "feedback_html",
    "grade_rows",
    "results_json",
    "sync_gradebook",
    "write_feedback",
    "write_grades_csv",
    "write_results_json",
]
