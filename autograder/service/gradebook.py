"""The nbgrader gradebook the service writes grades into (settings.gradebook_url)."""

from __future__ import annotations

import logging

from autograder.engine.course import AssignmentCopy
from autograder.report.gradebook import COURSE_ID
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
