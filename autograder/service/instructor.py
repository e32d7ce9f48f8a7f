"""What the instructor sees of the class: the roster with standing grades, filtered lists of
submissions, regrading everything and its progress, and per-check statistics.

Plain queries over the service's tables (no HTTP here), shared by the instructor's pages
(instructor_web) and API (instructor_api), so both always tell the same numbers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from autograder.report.standing import Standing
from autograder.service import records
from autograder.service.auth import token_holders
from autograder.service.db import Database, Job, SubmissionRow, Token
from autograder.service.queue import JobQueue

STATES = ("queued", "running", "done", "failed")
FINISHED = ("done", "failed")
LIST_LIMIT = 500


@dataclass
class RosterEntry:
    """One student of the class: their standing grade (None before anything was graded),
    how many uploads they made and when the last one came."""

    student: str
    standing: Standing[str] | None
    submissions: int = 0
    last_at: float | None = None
    last_state: str | None = None
    has_token: bool = True


def roster(db: Database) -> list[RosterEntry]:
    """Every student who holds a token (submitters or not) and every one who submitted
    (a token replaced since still counts), sorted by id."""
    found = records.standings(db)
    entries = {name: RosterEntry(name, found.get(name)) for name in token_holders(db)}
    with db.session() as s:
        counts = s.execute(select(SubmissionRow.student, func.count(),
                                  func.max(SubmissionRow.created_at))
                           .group_by(SubmissionRow.student)).all()
        latest = dict(s.execute(
            select(SubmissionRow.student, Job.state)
            .join(Job, Job.submission_id == SubmissionRow.id)
            .order_by(SubmissionRow.created_at)).all())  # the newest row wins per student
    for student, count, last_at in counts:
        entry = entries.setdefault(student, RosterEntry(student, found.get(student),
                                                        has_token=False))
        entry.submissions, entry.last_at = int(count), float(last_at)
        entry.last_state = latest.get(student)
    return [entries[name] for name in sorted(entries)]


def entry_for(db: Database, student: str) -> RosterEntry | None:
    """One student's line of the roster (only their uploads are read), or None if they
    neither hold a token nor ever submitted."""
    found = records.standings(db, student).get(student)
    with db.session() as s:
        has_token = s.scalar(select(func.count()).select_from(Token)
                             .where(Token.student == student)) > 0
        rows = s.execute(select(SubmissionRow.created_at, Job.state)
                         .join(Job, Job.submission_id == SubmissionRow.id)
                         .where(SubmissionRow.student == student)
                         .order_by(SubmissionRow.created_at)).all()
    if not has_token and not rows:
        return None
    entry = RosterEntry(student, found, len(rows), has_token=has_token)
    if rows:
        entry.last_at, entry.last_state = float(rows[-1][0]), rows[-1][1]
    return entry


def submissions(db: Database, student: str | None = None, state: str | None = None,
                since: float | None = None, limit: int = LIST_LIMIT
                ) -> list[tuple[SubmissionRow, Job]]:
    """Uploads with their jobs, newest first, optionally of one student, in one job state,
    made at or after `since` (Unix time); at most `limit`."""
    query = (select(SubmissionRow, Job).join(Job, Job.submission_id == SubmissionRow.id)
             .order_by(SubmissionRow.created_at.desc(), SubmissionRow.id).limit(limit))
    if student is not None:
        query = query.where(SubmissionRow.student == student)
    if state is not None:
        query = query.where(Job.state == state)
    if since is not None:
        query = query.where(SubmissionRow.created_at >= since)
    with db.session() as s:
        return [(r[0], r[1]) for r in s.execute(query).all()]


@dataclass(frozen=True)
class Regrade:
    """A regrade of the uploads made up to `since`: how many are finished again."""

    since: float
    total: int
    done: int
    failed: int

    @property
    def finished(self) -> bool:
        return self.done + self.failed >= self.total


def regrade_all(db: Database, queue: JobQueue, only_standing: bool = False,
                now: float | None = None) -> tuple[float, int]:
    """Put every upload's job back in the queue (after a change of the checks); with
    only_standing, just those a standing grade takes a notebook from. Jobs already waiting
    or running stay as they are. Returns (the regrade's start, how many were requeued)."""
    started = time.time() if now is None else now
    if only_standing:
        wanted: set[str] | None = {source for found in records.standings(db).values()
                                   for source in found.sources.values()}
    else:
        wanted = None
    with db.session() as s:
        ids = s.scalars(select(Job.submission_id).where(Job.state.in_(FINISHED))).all()
    count = 0
    for submission_id in ids:
        if (wanted is None or submission_id in wanted) and queue.requeue(submission_id):
            count += 1
    return started, count


def regrade_progress(db: Database, since: float) -> Regrade:
    """How far the regrade started at `since` is: of the uploads made before it, how many
    jobs finished after it (graded or failed). A job that was queued or running when it
    started counts as part of it, since it too is graded by the current checks."""
    with db.session() as s:
        rows = s.execute(select(Job.state, func.count())
                         .join(SubmissionRow, SubmissionRow.id == Job.submission_id)
                         .where(SubmissionRow.created_at <= since,
                                (Job.state.in_(("queued", "running")))
                                | (Job.updated_at >= since))
                         .group_by(Job.state)).all()
    counts = {state: int(n) for state, n in rows}
    total = sum(counts.values())
    return Regrade(since, total, counts.get("done", 0), counts.get("failed", 0))


@dataclass
class CheckRate:
    """How many of the students whose standing grade includes this check passed it."""

    notebook: str
    name: str
    description: str
    passed: int = 0
    attempted: int = 0

    @property
    def rate(self) -> float:
        return self.passed / self.attempted if self.attempted else 0.0


@dataclass
class ClassStats:
    """Per-check pass rates and the distribution of standing scores."""

    checks: list[CheckRate] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    max_score: float = 0.0
    students: int = 0  # on the roster, graded or not


def class_stats(entries: Iterable[RosterEntry]) -> ClassStats:
    """Computed over each student's standing grade (what grades.csv says), so a student
    counts once however often they submitted; notebooks never submitted are left out of
    their checks' rates."""
    stats = ClassStats()
    rates: dict[tuple[str, str], CheckRate] = {}
    for entry in entries:
        stats.students += 1
        if entry.standing is None:
            continue
        result = entry.standing.result
        stats.scores.append(result.auto_score)
        stats.max_score = max(stats.max_score, result.auto_max)
        for notebook in result.notebooks:
            if notebook.name not in entry.standing.sources:
                continue
            for cell in notebook.cells:
                for check in cell.checks:
                    key = (notebook.name, check.name)
                    rate = rates.setdefault(key, CheckRate(notebook.name, check.name,
                                                           check.description))
                    rate.attempted += 1
                    rate.passed += int(check.passed)
    stats.checks = sorted(rates.values(), key=lambda r: (r.notebook, r.name))
    return stats


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int

    @property
    def label(self) -> str:
        return f"{_number(self.low)}–{_number(self.high)}"


def histogram(scores: list[float], max_score: float, most_bins: int = 10) -> list[Bin]:
    """Scores in equal ranges from 0 up to max_score, of a round width (0.5, 1, 2, 2.5, 5,
    10, ...) giving at most `most_bins` ranges; the last range includes the max."""
    top = max([max_score, *scores, 0.0])
    if top <= 0:
        return [Bin(0.0, 0.0, len(scores))] if scores else []
    width = next(w * 10 ** k for k in range(-2, 7) for w in (1, 2, 2.5, 5)
                 if top / (w * 10 ** k) <= most_bins)
    bins = max(1, math.ceil(top / width - 1e-9))
    counts = [0] * bins
    for score in scores:
        counts[min(bins - 1, max(0, math.floor(score / width + 1e-9)))] += 1
    return [Bin(round(i * width, 6), round((i + 1) * width, 6), n)
            for i, n in enumerate(counts)]


def _number(value: float) -> str:
    return f"{round(value, 4):g}"
