"""Write auto-graded scores into an nbgrader gradebook, as `nbgrader autograde` would.

For each result: the student is added if missing, the submission is created (with a Grade row
per grade cell, as nbgrader does), and every graded cell's `auto_score` and
`needs_manual_grade` are set the way nbgrader's SaveAutoGrades sets them; notebooks that were
not submitted get autograde's zeros. `nbgrader export` and formgrader then see the scores,
and a human's manual scores are never touched (they keep precedence, as in nbgrader).

The assignment must already be in the gradebook (`nbgrader generate_assignment` has run for
that course). nbgrader is imported only when syncing (it is the `course` extra).
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from autograder import deadlines
from autograder.engine.results import CellGrade, NotebookReport, SubmissionResult
from autograder.report.executed import ExecutedNotebooks
from autograder.report.text import one_line
from autograder.settings import DeadlineSettings

if TYPE_CHECKING:
    from nbgrader.api import Grade, Gradebook, SubmittedAssignment, SubmittedNotebook

log = logging.getLogger(__name__)
# nbgrader uses student ids as folder names and glob patterns and `nbgrader export` writes
# them into an unquoted CSV: letters, digits and . _ @ + -, starting with a letter or digit.
STUDENT_ID = re.compile(r"\w[\w.@+-]{0,127}")
NO_RESPONSE = "No response."  # SaveAutoGrades' comment on an unchanged answer cell
COURSE_ID = "cs224n"  # c.CourseDirectory.course_id in nbgrader_config.py


class GradebookError(ValueError):
    """The gradebook cannot take these results (the message says why; no traceback)."""


@dataclass
class SyncSummary:
    """Who was written to the gradebook, and who was not and why."""

    synced: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def check_student_id(student: object) -> str:
    """The id if nbgrader can take it, else GradebookError with a clear message."""
    if isinstance(student, str) and STUDENT_ID.fullmatch(student):
        return student
    raise GradebookError(
        f"student id {one_line(student, 60)!r} cannot be used in the gradebook: use 1 to 128 "
        "letters, digits and . _ @ + -, starting with a letter or a digit")


def sync_gradebook(results: Iterable[SubmissionResult], db_url: str, assignment: str = "ps1",
                   autograded_root: Path | None = None, *, course_id: str = COURSE_ID,
                   deadline_settings: DeadlineSettings | None = None) -> SyncSummary:
    """Write the results' scores into the gradebook at db_url; returns who was written.

    autograded_root: the executed notebooks, <root>/<student>/<notebook>.ipynb (the engine's
    layout) or <root>/<student>/<assignment>/ (nbgrader's autograded/). When given, a
    timestamp.txt there becomes the submission's timestamp and the solution cells' "No
    response." comments are set from the notebooks, as autograde does.

    Each notebook's late penalty is the result's (autograder.report.late, the same points
    grades.csv and results.json subtract). deadline_settings, when given, also sets the
    assignment's due date and each student's extension in the gradebook, so formgrader and
    ``nbgrader autograde`` count the same lateness.
    """
    from nbgrader.api import InvalidEntry, MissingEntry
    from sqlalchemy.exc import SQLAlchemyError

    summary = SyncSummary()
    executed = ExecutedNotebooks(autograded_root, assignment) if autograded_root else None
    with _open(db_url, course_id) as gb:
        cells = _assignment_cells(gb, assignment)
        if deadline_settings is not None:
            _set_due_date(gb, assignment, deadline_settings)
        for result in results:
            student = one_line(result.student, 200)
            try:
                _check_result(result, cells, assignment)
                _sync_one(gb, result, assignment, executed, deadline_settings)
            except GradebookError as exc:
                summary.refused[student] = str(exc)
            except (InvalidEntry, MissingEntry, SQLAlchemyError) as exc:
                gb.db.rollback()
                summary.refused[student] = f"the gradebook refused it ({one_line(exc, 300)})"
            else:
                summary.synced.append(result.student)
                continue
            log.warning("not written to the gradebook: %s: %s", student, summary.refused[student])
    log.info("gradebook: %d submissions written, %d refused", len(summary.synced),
             len(summary.refused))
    return summary


# ------------------------------------------------------------------ checks before writing


def _open(db_url: str, course_id: str) -> Gradebook:
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SQLAlchemyError

    if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).is_file():
        raise GradebookError(f"no gradebook at {db_url}: run `nbgrader generate_assignment` "
                             "in the course folder first")
    try:
        return Gradebook(db_url, course_id=course_id)
    except (SQLAlchemyError, ValueError) as exc:
        raise GradebookError(f"cannot open the gradebook at {_shown(db_url)}: "
                             f"{type(exc).__name__}") from None


def _shown(db_url: str) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unparsable database URL)"


def _assignment_cells(gb: Gradebook, assignment: str) -> dict[str, set[str]]:
    """notebook name -> names of its grade and task cells, from the gradebook."""
    from nbgrader.api import MissingEntry

    try:
        found = gb.find_assignment(assignment)
    except MissingEntry:
        raise GradebookError(f"assignment {assignment!r} is not in the gradebook: run "
                             f"`nbgrader generate_assignment {assignment}` first") from None
    cells = {nb.name: {c.name for c in [*nb.grade_cells, *nb.task_cells]}
             for nb in found.notebooks}
    if not cells:
        raise GradebookError(f"assignment {assignment!r} has no notebooks in the gradebook")
    return cells


def _check_result(result: SubmissionResult, cells: dict[str, set[str]], assignment: str
                  ) -> None:
    """Refuse, before writing anything, a result the gradebook cannot hold as it is."""
    check_student_id(result.student)
    for report in result.notebooks:
        if report.name not in cells:
            if report.cells or report.status == "graded":
                raise GradebookError(f"notebook {one_line(report.name, 100)!r} is not part of "
                                     f"{assignment!r} in the gradebook")
            raise GradebookError(f"not graded ({one_line(report.status, 40)}: "
                                 f"{one_line(report.message, 200)}); left to the staff")
        for cell in report.cells:
            if cell.notebook != report.name or cell.grade_id not in cells[report.name]:
                raise GradebookError(
                    f"cell {one_line(cell.notebook, 100)}/{one_line(cell.grade_id, 100)} is "
                    f"not a graded cell of {assignment!r} in the gradebook: were these "
                    "results graded against another version of the assignment?")


# ------------------------------------------------------------------ writing one submission


def _set_due_date(gb: Gradebook, assignment: str, settings: DeadlineSettings) -> None:
    """The assignment's due date as nbgrader keeps it (naive UTC), from the course settings;
    a due date set in nbgrader is left alone when the settings have none."""
    due = deadlines.to_nbgrader(deadlines.assignment_due(settings, assignment))
    found = gb.find_assignment(assignment)
    if due is not None and found.duedate != due:
        found.duedate = due
        gb.db.commit()


def _sync_one(gb: Gradebook, result: SubmissionResult, assignment: str,
              executed: ExecutedNotebooks | None,
              deadline_settings: DeadlineSettings | None = None) -> None:
    from sqlalchemy.exc import SAWarning

    student = result.student
    gb.update_or_create_student(student)
    timestamp = executed.timestamp(student) if executed else None
    if timestamp is None and result.submitted_at:  # the service's upload time
        timestamp = deadlines.to_nbgrader(datetime.fromisoformat(result.submitted_at))
    extra: dict[str, object] = {"timestamp": timestamp} if timestamp is not None else {}
    if deadline_settings is not None and deadline_settings.extensions_csv is not None:
        # the course's extensions file is the record; without one, formgrader's stand
        extra["extension"] = deadlines.nbgrader_extension(deadline_settings, student,
                                                          assignment)
    with warnings.catch_warnings():
        # nbgrader's add_submission builds its rows under autoflush; SQLAlchemy warns about
        # the half-built submission (as it does in `nbgrader autograde`). Harmless noise.
        warnings.filterwarnings("ignore", message=r"Object of type .* not in session",
                                category=SAWarning)
        submission = gb.update_or_create_submission(assignment, student, **extra)
    _complete_rows(gb, submission)
    reports = {nb.name: nb for nb in result.notebooks}
    for notebook in submission.notebooks:
        report = reports.get(notebook.name)
        if report is None or report.status == "missing":
            _zero_missing(notebook)
        else:
            for cell in report.cells:
                _record(gb.find_grade(cell.grade_id, cell.notebook, assignment, student), cell)
            _comments(gb, notebook, report, executed, assignment, student)
        # AssignLatePenalties: None when on time, else the penalty (the result's, so the
        # gradebook subtracts what grades.csv and results.json do)
        penalty = report.late_penalty if report is not None and report.late_note else None
        notebook.late_submission_penalty = penalty
    if submission.total_seconds_late > 0:
        log.info("%s: %s submitted %.0f s late", student, assignment,
                 submission.total_seconds_late)
    gb.db.commit()


def _complete_rows(gb: Gradebook, submission: SubmittedAssignment) -> None:
    """Add the notebook, grade and comment rows a submission lacks, as add_submission does
    (they are missing when a notebook or cell was added after the submission was made)."""
    from nbgrader.api import Comment, Grade, SubmittedNotebook

    existing = {nb.notebook_id: nb for nb in submission.notebooks}
    added: list[object] = []
    with gb.db.no_autoflush:  # the new rows are linked up before anything is flushed
        for notebook in submission.assignment.notebooks:
            nb = existing.get(notebook.id)
            if nb is None:
                nb = SubmittedNotebook(notebook=notebook, assignment=submission)
                added.append(nb)
            graded = {g.cell_id for g in nb.grades}
            commented = {c.cell_id for c in nb.comments}
            added += [Grade(cell_id=cell.id, notebook=nb)
                      for cell in [*notebook.grade_cells, *notebook.task_cells]
                      if cell.id not in graded]
            added += [Comment(cell_id=cell.id, notebook=nb)
                      for cell in [*notebook.solution_cells, *notebook.task_cells]
                      if cell.id not in commented]
        gb.db.add_all(added)
    if added:
        log.info("%s: added %d missing gradebook rows", submission.student_id, len(added))
        gb.db.flush()


def _record(grade: Grade, cell: CellGrade) -> None:
    """SaveAutoGrades._add_score: the auto score, and a review flag if a human graded it
    before or there is no automatic score (a written answer awaiting the staff)."""
    grade.auto_score = None if cell.score is None else float(cell.score)
    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None


def _zero_missing(notebook: SubmittedNotebook) -> None:
    """What autograde gives a notebook that was not submitted: zero, nothing to review."""
    for grade in notebook.grades:
        grade.auto_score = 0.0
        grade.needs_manual_grade = False


def _comments(gb: Gradebook, notebook: SubmittedNotebook, report: NotebookReport,
              executed: ExecutedNotebooks | None, assignment: str, student: str) -> None:
    """SaveAutoGrades._add_comment: "No response." on an answer cell left as released.

    A written answer's own grade says it (nbgrader scores an unchanged one 0); other answer
    cells are compared with the gradebook's checksum in the executed notebook, when given.
    """
    from nbgrader.api import TaskCell

    written = {c.grade_id: c.score for c in report.cells if not c.auto}
    cells = executed.cells(student, notebook.name) if executed else None
    for comment in notebook.comments:
        name = comment.cell.name
        if name in written:
            comment.auto_comment = NO_RESPONSE if written[name] == 0 else None
        elif cells is not None and name in cells:
            if isinstance(comment.cell, TaskCell):
                comment.auto_comment = None
                continue
            source = gb.find_source_cell(name, notebook.name, assignment)
            unchanged = source.checksum is not None and cells[name] == source.checksum
            comment.auto_comment = NO_RESPONSE if unchanged else None
