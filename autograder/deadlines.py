"""Deadlines, extensions and the late policy: one set of pure functions for every path.

``autograder grade`` (from nbgrader's ``timestamp.txt``), the service (from the upload's
arrival) and the nbgrader gradebook all ask this module when an assignment is due for a
student and what a submission at a given time costs, so a late submission is treated the
same wherever it is graded.

The policy mirrors nbgrader's ``LateSubmissionPlugin`` and ``AssignLatePenalties``: the
penalty is computed *per notebook* from that notebook's score and the seconds the submission
was late (nbgrader's ``SubmittedAssignment.total_seconds_late``: the timestamp minus the due
date plus the student's extension, never below 0), then kept between 0 and the notebook's
score (nbgrader's ``_check_late_penalty``), so no score goes negative:

* ``accept``: nbgrader's ``none``: marked late, no penalty;
* ``zero``: nbgrader's ``zero``: the penalty is the notebook's score;
* ``subtract_per_hour``: ``penalty_per_hour`` points per started hour late (nbgrader's
  documented per-hour plugin, counting a started hour as an hour so one second late is not
  free), capped at the score;
* ``refuse``: not accepted: the service refuses the upload; a late submission that reaches
  ``autograder grade`` anyway scores 0 as under ``zero``, with a note saying why.

Datetimes are timezone-aware throughout: a naive one is refused (``ValueError``), never
guessed. nbgrader's own timestamps (``timestamp.txt``) are read with nbgrader's rule (no zone
means UTC) by :func:`parse_timestamp`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from autograder.settings import DeadlineSettings, LatePolicy

EXTENSION_COLUMNS = ("student", "assignment", "extended_due", "hours")
"""The columns an extensions CSV may have (student and one of extended_due/hours needed)."""


class DeadlineError(ValueError):
    """A deadline input that cannot be used as given (naive datetime, bad extensions row)."""


@dataclass(frozen=True)
class Extension:
    """One student's extension: a new deadline, or hours added to the assignment's."""

    extended_due: datetime | None = None
    hours: float | None = None

    def apply(self, due: datetime | None) -> datetime | None:
        if self.extended_due is not None:
            return self.extended_due
        if due is None or self.hours is None:
            return due
        return due + timedelta(hours=self.hours)


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise DeadlineError(f"{what} {value.isoformat()} has no time zone; give it an offset "
                            "(e.g. 2026-12-03T17:00:00-08:00)")
    return value


def _parse_aware(text: str, what: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise DeadlineError(f"{what} {text!r} is not an ISO 8601 date and time") from error
    return _aware(value, what)


@lru_cache(maxsize=8)
def _read_extensions(path: Path, _mtime_ns: int, _size: int
                     ) -> dict[tuple[str, str | None], Extension]:
    extensions: dict[tuple[str, str | None], Extension] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = {c.strip().lower() for c in reader.fieldnames or ()}
        if "student" not in columns or not columns & {"extended_due", "hours"}:
            raise DeadlineError(f"{path.name}: the header must be student,assignment,"
                                "extended_due or student,hours[,assignment]")
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            student = row.get("student", "")
            if not student:
                continue
            where = f"{path.name} line {line}"
            if row.get("extended_due"):
                extension = Extension(extended_due=_parse_aware(
                    row["extended_due"], f"{where}: extended_due"))
            elif row.get("hours"):
                try:
                    hours = float(row["hours"])
                except ValueError as error:
                    raise DeadlineError(f"{where}: hours {row['hours']!r} is not a "
                                        "number") from error
                if not math.isfinite(hours) or hours < 0:
                    raise DeadlineError(f"{where}: hours must be a number >= 0")
                extension = Extension(hours=hours)
            else:
                raise DeadlineError(f"{where}: give extended_due or hours for {student}")
            extensions[(student, row.get("assignment") or None)] = extension
    return extensions


def load_extensions(path: Path) -> dict[tuple[str, str | None], Extension]:
    """The extensions CSV as ``{(student, assignment or None): Extension}`` (re-read when the
    file changes; a row without an assignment applies to every assignment)."""
    stat = path.stat()
    return _read_extensions(path, stat.st_mtime_ns, stat.st_size)


def assignment_due(settings: DeadlineSettings, assignment: str) -> datetime | None:
    """The assignment's own deadline (before any extension), or None for none."""
    due = settings.due.get(assignment, settings.due_at)
    return None if due is None else _aware(due, "the deadline")


def extension_for(settings: DeadlineSettings, student: str, assignment: str
                  ) -> Extension | None:
    """The student's extension for the assignment (its own row first), or None."""
    if settings.extensions_csv is None:
        return None
    table = load_extensions(settings.extensions_csv)
    return table.get((student, assignment)) or table.get((student, None))


def due_for(settings: DeadlineSettings, student: str, assignment: str) -> datetime | None:
    """When ``assignment`` is due for ``student``: the assignment's deadline, moved by the
    student's extension; None when there is no deadline."""
    due = assignment_due(settings, assignment)
    extension = extension_for(settings, student, assignment)
    return due if extension is None else extension.apply(due)


def _duration(seconds: float) -> str:
    """A lateness in a person's words: "2 h 5 min", "3 days 1 h", "40 s"."""
    seconds = int(math.ceil(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} h")
    if minutes and not days:
        parts.append(f"{minutes} min")
    return " ".join(parts)


def format_local(moment: datetime, timezone: str) -> str:
    """A moment as the course shows it: "Thu 3 Dec 2026 17:00 PST"."""
    local = _aware(moment, "the time").astimezone(ZoneInfo(timezone))
    return f"{local:%a} {local.day} {local:%b %Y %H:%M %Z}"


def _points(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text} point{'' if text == '1' else 's'}"


@dataclass(frozen=True)
class Lateness:
    """What the late policy makes of one submission (one upload, one notebook folder)."""

    due: datetime | None
    submitted_at: datetime
    late_policy: LatePolicy
    penalty_per_hour: float
    timezone: str
    extended: bool = False

    @property
    def late_by_seconds(self) -> float:
        """nbgrader's ``total_seconds_late``: after the deadline, else 0."""
        if self.due is None:
            return 0.0
        # in UTC: two datetimes sharing a tzinfo subtract by wall clock, wrong across DST
        elapsed = self.submitted_at.astimezone(UTC) - self.due.astimezone(UTC)
        return max(0.0, elapsed.total_seconds())

    @property
    def late(self) -> bool:
        return self.late_by_seconds > 0

    @property
    def refused(self) -> bool:
        """Late under the ``refuse`` policy: the service does not take it."""
        return self.late and self.late_policy == "refuse"

    @property
    def started_hours(self) -> int:
        return math.ceil(self.late_by_seconds / 3600)

    def penalty_points(self, score: float) -> float:
        """Points off a notebook that scored ``score``: between 0 and the score (nbgrader's
        cap), so the score after the penalty is never negative."""
        if not self.late or self.late_policy == "accept" or not score > 0:
            return 0.0
        if self.late_policy in ("zero", "refuse"):
            return float(score)
        return float(min(score, self.penalty_per_hour * self.started_hours))

    @property
    def deadline_text(self) -> str:
        if self.due is None:
            return "no deadline"
        words = "your extended deadline" if self.extended else "the deadline"
        return f"{words} ({format_local(self.due, self.timezone)})"

    @property
    def note(self) -> str:
        """The policy's verdict in a student's words, before any score is known."""
        if not self.late:
            return ""
        head = f"submitted {_duration(self.late_by_seconds)} after {self.deadline_text}"
        policy = {
            "accept": "marked late; the course's late policy takes no points off",
            "zero": "scored 0 under the course's late policy",
            "refuse": "the course does not accept late submissions, so it scores 0",
            "subtract_per_hour": (f"{_points(self.penalty_per_hour)} off each notebook per "
                                  f"started hour late ({self.started_hours} h) under the "
                                  "course's late policy"),
        }[self.late_policy]
        return f"{head}; {policy}"

    def describe(self, points: float) -> str:
        """The verdict once the penalty is known: "submitted 2 h 5 min after the deadline
        (Thu 3 Dec 2026 17:00 PST); 2 points taken off under the course's late policy"."""
        if not self.late:
            return ""
        if self.late_policy == "accept" or points <= 0:
            return self.note
        head = f"submitted {_duration(self.late_by_seconds)} after {self.deadline_text}"
        why = ("the course does not accept late submissions" if self.refused
               else "under the course's late policy")
        return f"{head}; {_points(points)} taken off {why}"


def lateness(settings: DeadlineSettings, student: str, assignment: str,
             submitted_at: datetime) -> Lateness:
    """What the late policy makes of ``student``'s ``assignment`` submitted at
    ``submitted_at`` (timezone-aware, else :class:`DeadlineError`)."""
    _aware(submitted_at, "the submission time")
    extension = extension_for(settings, student, assignment)
    due = assignment_due(settings, assignment)
    if extension is not None:
        due = extension.apply(due)
    return Lateness(due=due, submitted_at=submitted_at, late_policy=settings.late_policy,
                    penalty_per_hour=settings.penalty_per_hour, timezone=settings.timezone,
                    extended=extension is not None and due is not None)


def parse_timestamp(text: str) -> datetime:
    """nbgrader's ``timestamp.txt`` as an aware UTC datetime, read with nbgrader's own parser
    (``nbgrader.utils.parse_utc``: no zone means UTC), so both read the same moment."""
    from nbgrader.utils import parse_utc  # nbgrader is heavy; only the callers that need it

    value = parse_utc(text.strip())
    if value is None:
        raise DeadlineError("empty timestamp")
    return value.replace(tzinfo=UTC)


def to_nbgrader(moment: datetime | None) -> datetime | None:
    """A moment as nbgrader's gradebook stores it: naive UTC."""
    if moment is None:
        return None
    return _aware(moment, "the time").astimezone(UTC).replace(tzinfo=None)


def nbgrader_extension(settings: DeadlineSettings, student: str, assignment: str
                       ) -> timedelta | None:
    """The student's extension as nbgrader's ``SubmittedAssignment.extension`` (an interval
    added to the assignment's due date), so nbgrader computes the same lateness."""
    due = assignment_due(settings, assignment)
    extended = due_for(settings, student, assignment)
    if due is None or extended is None or extended == due:
        return None
    return extended - due


__all__ = ["DeadlineError", "Extension", "Lateness", "assignment_due", "due_for",
           "extension_for", "format_local", "lateness", "load_extensions",
           "nbgrader_extension", "parse_timestamp", "to_nbgrader"]
