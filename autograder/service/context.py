"""What every request handler needs, built once per process."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from autograder.service.auth import InstructorKey, load_instructor_token
from autograder.service.celery_queue import CeleryJobQueue
from autograder.service.db import Database
from autograder.service.queue import JobQueue, SqlJobQueue
from autograder.service.settings import ServiceSettings
from autograder.service.storage import UploadStore


def make_queue(settings: ServiceSettings, db: Database) -> JobQueue:
    """The configured job queue (settings.queue): the embedded table, or Celery on top of it."""
    if settings.queue == "celery":
        return CeleryJobQueue(db, settings)
    return SqlJobQueue.from_settings(db, settings)


def course_notebooks(course_root: Path, assignment: str) -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in (course_root / "source" / assignment).glob("*.ipynb")))


@dataclass
class ServiceContext:
    settings: ServiceSettings
    db: Database
    queue: JobQueue
    store: UploadStore
    instructor: InstructorKey
    notebooks: tuple[str, ...]
    submit_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, settings: ServiceSettings) -> ServiceContext:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.db_url)
        configured = (settings.instructor_token.get_secret_value()
                      if settings.instructor_token else None)
        token = load_instructor_token(configured, settings.instructor_token_file)
        return cls(settings, db, make_queue(settings, db),
                   UploadStore(settings.uploads_dir), InstructorKey(token),
                   course_notebooks(settings.course_root, settings.assignment))
