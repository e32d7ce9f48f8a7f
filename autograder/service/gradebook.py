"""The nbgrader gradebook the service writes grades into (settings.gradebook_url), the
autograded folders formgrader opens for manual grading, and what a student may see of the
staff's manual grading once the instructor released the feedback.

With a gradebook set, every graded upload updates the student's standing grade in the
course as ``nbgrader autograde`` would: ``<course>/autograded/<student>/<assignment>/`` gets
each notebook's executed copy from the upload it stands from (with the run's artifacts),
``timestamp.txt`` (the upload's arrival) and ``submission_secret.txt``, and the gradebook its
rows (scores, late penalties). The TA grades the written parts in formgrader; ``nbgrader
generate_feedback`` and ``release_feedback`` work on those folders as on nbgrader's own.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from autograder.engine.course import AssignmentCopy
from autograder.report.autograded import (
    artifact_question,
    read_artifacts,
    submitted_copies,
    write_autograded,
)
from autograder.report.gradebook import COURSE_ID, SyncSummary, sync_gradebook
from autograder.report.standing import Standing
from autograder.service.settings import ServiceSettings

log = logging.getLogger(__name__)


def has_assignment(url: str, assignment: str) -> bool:
    """Whether the gradebook at url knows the assignment's notebooks (and so its cells)."""
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy import create_engine, inspect

    # nbgrader's Gradebook would create a missing database itself, running `alembic` from
    # PATH; `nbgrader generate_assignment` (prepare_gradebook) is the one to create it
    engine = create_engine(url)
    try:
        if "assignment" not in inspect(engine).get_table_names():
            return False
    finally:
        engine.dispose()
    gb = Gradebook(url, course_id=COURSE_ID)
    try:
        return bool(gb.find_assignment(assignment).notebooks)
    except MissingEntry:
        return False
    finally:
        gb.close()


def prepare_gradebook(settings: ServiceSettings) -> None:
    """Put the assignment into the gradebook once, as `nbgrader generate_assignment` does.

    Scores can only be written for cells the gradebook knows; a gradebook that has the
    assignment already (an instructor ran generate_assignment against it) is left alone.
    """
    url = settings.gradebook_url
    if not url:
        return
    if has_assignment(url, settings.assignment):
        log.info("gradebook has %s already", settings.assignment)
        return
    log.info("adding %s to the gradebook (nbgrader generate_assignment)", settings.assignment)
    AssignmentCopy(settings.course_root, settings.assignment, gradebook_url=url).close()


# ------------------------------------------------------------------ the standing, for the staff


def autograded_root(settings: ServiceSettings) -> Path:
    """Where formgrader looks: the course folder's autograded/ (nbgrader_config.py's)."""
    return Path(settings.course_root) / "autograded"


def write_standing(settings: ServiceSettings, current: Standing[str]) -> SyncSummary:
    """The student's standing grade into the course's autograded folder and the gradebook.

    Each notebook's executed copy comes from the upload it stands from
    (``<data_dir>/notebooks/<submission id>/``), with the artifacts that upload held for
    that notebook's question.
    """
    result = current.result
    notebooks = Path(settings.data_dir) / "notebooks"
    executed = {name: notebooks / source / f"{name}.ipynb"
                for name, source in current.sources.items()}
    submitted = {name: path for name, source in current.sources.items()
                 for stem, path in submitted_copies(notebooks / source).items() if stem == name}
    artifacts: dict[str, bytes] = {}
    for name, source in current.sources.items():
        kept = read_artifacts(notebooks / source)
        artifacts.update({a: content for a, content in kept.items()
                          if artifact_question(a) == artifact_question(name)})
    arrived = datetime.fromisoformat(result.submitted_at) if result.submitted_at else None
    root = autograded_root(settings)
    try:
        write_autograded(root, settings.assignment, result, executed, artifacts, arrived,
                         submitted=submitted)
    except OSError as exc:  # e.g. a read-only course folder: the scores still count
        log.error("%s: the autograded folder %s could not be written (%s); formgrader will "
                  "not open this submission until it can", result.student, root, exc)
    return sync_gradebook([result], settings.gradebook_url or "", settings.assignment, root,
                          deadline_settings=settings.deadline_settings())


# ------------------------------------------------------------------ released manual grades


@dataclass(frozen=True)
class WrittenGrade:
    """One manually graded cell as the student may see it."""

    cell: str
    max_points: float
    score: float | None
    comment: str

    @property
    def label(self) -> str:
        """The part as the handout names it: q3g_written is "3(g), written answer"."""
        match = re.fullmatch(r"q(\d)([a-z])_written", self.cell)
        return f"{match[1]}({match[2]}), written answer" if match else self.cell


@dataclass(frozen=True)
class NotebookFeedback:
    notebook: str
    score: float
    max_score: float
    late_penalty: float
    written: list[WrittenGrade] = field(default_factory=list)


def exchange_root(course_root: Path) -> Path:
    """nbgrader's exchange folder of the course (``c.Exchange.root`` in nbgrader_config.py,
    else nbgrader's default), where ``release_feedback`` puts released feedback."""
    from nbgrader.exchange.default.exchange import Exchange
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    root = Exchange.root.default_value
    try:
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
        root = config.Exchange.get("root", root)
    except (ConfigFileNotFound, Exception) as exc:  # the instructor's file: log, use default
        log.warning("nbgrader_config.py not read for the exchange root: %s", exc)
    return Path(str(root))


def released_notebooks(settings: ServiceSettings, student: str) -> set[str]:
    """The notebooks whose feedback the instructor released to the student
    (``nbgrader release_feedback``: the exchange holds <hash of the submission's secret and
    the notebook>.html)."""
    from nbgrader.utils import notebook_hash

    folder = autograded_root(settings) / student / settings.assignment
    try:
        secret = (folder / "submission_secret.txt").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return set()
    outbound = exchange_root(Path(settings.course_root)) / COURSE_ID / "feedback"
    return {path.stem for path in folder.glob("*.ipynb")
            if (outbound / f"{notebook_hash(secret=secret, notebook_id=path.stem)}.html"
                ).is_file()}


def manual_feedback(settings: ServiceSettings, student: str) -> list[NotebookFeedback]:
    """The staff's grading of the student's released notebooks: each notebook's score (the
    gradebook's, manual scores included, after the late penalty) and every manually graded
    cell's score and comment. Empty when no gradebook is set or nothing was released."""
    from nbgrader.api import Gradebook, MissingEntry

    url = settings.gradebook_url
    if not url:
        return []
    released = released_notebooks(settings, student)
    if not released:
        return []
    found = []
    with Gradebook(url, course_id=COURSE_ID) as gb:
        try:
            submission = gb.find_submission(settings.assignment, student)
        except MissingEntry:
            return []
        for notebook in sorted(submission.notebooks, key=lambda nb: nb.name):
            if notebook.name not in released:
                continue
            comments = {c.name: c for c in notebook.comments}
            written = []
            for grade in sorted(notebook.grades, key=lambda g: g.name):
                if grade.auto_score is not None and grade.manual_score is None:
                    continue  # an automatic check: on the feedback page already
                comment = comments.get(grade.name)
                text = (comment.manual_comment or comment.auto_comment or "") if comment else ""
                written.append(WrittenGrade(grade.name, float(grade.max_score),
                                            grade.score if grade.manual_score is not None
                                            else None, text))
            penalty = float(notebook.late_submission_penalty or 0.0)
            found.append(NotebookFeedback(notebook.name, max(0.0, notebook.score - penalty),
                                          float(notebook.max_score), penalty, written))
    return found
