"""The service's tables (SQLAlchemy): student tokens, submissions, and the job queue.

A change to a model needs an Alembic revision too (autograder/service/migrations/README.md);
tests/autograder/service/test_migrate.py fails while the two disagree.
"""

from __future__ import annotations

import time

from sqlalchemy import Float, ForeignKey, Integer, String, Text, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class Token(Base):
    """A student's token, stored as salt + HMAC-SHA256 (the token itself is never kept)."""

    __tablename__ = "tokens"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    student: Mapped[str] = mapped_column(String(128), index=True)
    salt: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float, default=time.time)


class SubmissionRow(Base):
    """One upload: where its bytes are (a server-made name) and, once graded, its result."""

    __tablename__ = "submissions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    student: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "notebook" or "zip"
    notebook: Mapped[str | None] = mapped_column(String(64), nullable=True)
    stored_as: Mapped[str] = mapped_column(String(64))  # file name under uploads/
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    graded_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    # --- H3: what the upload held, and the deadline it met (autograder/service/intake.py)
    manifest_json: Mapped[str | None] = mapped_column(Text, nullable=True)  # files, notes
    due_at: Mapped[float | None] = mapped_column(Float, nullable=True)  # the student's due
    late_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)  # 0: on time
    late_policy: Mapped[str | None] = mapped_column(String(32), nullable=True)
    late_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # --- end H3


class Job(Base):
    """A grading job: queued -> running (leased to a worker) -> done | failed."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), unique=True)
    state: Mapped[str] = mapped_column(String(16), index=True, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[float] = mapped_column(Float, default=time.time)
    claimed_at: Mapped[float | None] = mapped_column(Float, nullable=True)  # last claim


# --- web sessions (H4: login sessions; see autograder/service/sessions.py) ---------------
class WebSession(Base):
    """A signed-in browser: the SHA-256 of its random session id (the id itself lives only in
    the cookie), who it is (a student, or None for the instructor) and when it expires."""

    __tablename__ = "web_sessions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    student: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
    # the instructor's: a fingerprint of the token that opened it (auth.InstructorKey)
    credential: Mapped[str | None] = mapped_column(String(64), nullable=True)
# --- end web sessions ----------------------------------------------------------------------


class Database:
    """An engine and a session factory, on a database brought to the newest schema revision
    (autograder.service.migrate; `migrate=False` leaves the schema alone, for the tools that
    inspect or migrate it themselves)."""

    def __init__(self, url: str, migrate: bool = True):
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            from autograder.service.migrate import upgrade

            upgrade(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    def close(self) -> None:
        self.engine.dispose()


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(connection, _record) -> None:  # several processes share the file
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine
