"""The deadline policy (autograder/deadlines.py): due dates, extensions, each late policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from autograder.deadlines import (
    DeadlineError,
    due_for,
    format_local,
    lateness,
    nbgrader_extension,
    parse_timestamp,
    to_nbgrader,
)
from autograder.settings import DeadlineSettings, GradingSettings

LA = ZoneInfo("America/Los_Angeles")
DUE = datetime(2026, 12, 3, 17, 0, tzinfo=LA)  # Thursday, PST (UTC-8)


def settings(**fields) -> DeadlineSettings:
    fields.setdefault("due", {"ps1": DUE})
    return DeadlineSettings(**fields)


def test_no_deadline_means_never_late():
    s = DeadlineSettings()
    assert due_for(s, "alice", "ps1") is None
    verdict = lateness(s, "alice", "ps1", datetime(2030, 1, 1, tzinfo=UTC))
    assert not verdict.late and verdict.penalty_points(10) == 0 and verdict.note == ""


def test_due_at_applies_to_assignments_not_named_in_due():
    s = DeadlineSettings(due_at=DUE, due={"ps2": DUE + timedelta(days=7)})
    assert due_for(s, "a", "ps1") == DUE
    assert due_for(s, "a", "ps2") == DUE + timedelta(days=7)


def test_on_time_and_one_second_late():
    s = settings(late_policy="zero")
    assert not lateness(s, "a", "ps1", DUE).late
    late = lateness(s, "a", "ps1", DUE + timedelta(seconds=1))
    assert late.late and late.late_by_seconds == 1 and late.penalty_points(7.5) == 7.5


def test_accept_marks_late_without_penalty():
    verdict = lateness(settings(late_policy="accept"), "a", "ps1", DUE + timedelta(hours=3))
    assert verdict.late and not verdict.refused and verdict.penalty_points(10) == 0
    assert "marked late" in verdict.note and "3 h" in verdict.note


def test_refuse_is_refused_and_scores_zero():
    verdict = lateness(settings(late_policy="refuse"), "a", "ps1", DUE + timedelta(minutes=1))
    assert verdict.refused and verdict.penalty_points(10) == 10
    assert not lateness(settings(late_policy="refuse"), "a", "ps1", DUE).refused


def test_subtract_per_started_hour_capped_at_the_score():
    s = settings(late_policy="subtract_per_hour", penalty_per_hour=2)
    verdict = lateness(s, "a", "ps1", DUE + timedelta(hours=2, minutes=5))
    assert verdict.started_hours == 3
    assert verdict.penalty_points(10) == 6
    assert verdict.penalty_points(4) == 4          # never below zero
    assert verdict.penalty_points(0) == 0
    assert verdict.penalty_points(-1) == 0          # nothing taken from nothing
    assert verdict.describe(6) == ("submitted 2 h 5 min after the deadline "
                                   "(Thu 3 Dec 2026 17:00 PST); 6 points taken off under "
                                   "the course's late policy")


@pytest.mark.parametrize("policy", ["refuse", "zero", "subtract_per_hour", "accept"])
def test_no_policy_makes_a_score_negative(policy):
    s = settings(late_policy=policy, penalty_per_hour=100)
    for hours in (0.01, 1, 50, 10_000):
        verdict = lateness(s, "a", "ps1", DUE + timedelta(hours=hours))
        for score in (0, 0.5, 3, 40):
            assert 0 <= verdict.penalty_points(score) <= score


def test_dst_edge_counts_real_hours():
    """Due 1 Nov 2026 00:30 PDT; the clocks go back at 02:00. 02:30 PST is 3 real hours."""
    due = datetime(2026, 11, 1, 0, 30, tzinfo=LA)
    s = DeadlineSettings(due={"ps1": due}, late_policy="subtract_per_hour")
    submitted = datetime(2026, 11, 1, 2, 30, tzinfo=LA)  # wall clock says 2 h, it is 3
    verdict = lateness(s, "a", "ps1", submitted)
    assert verdict.late_by_seconds == 3 * 3600 and verdict.penalty_points(10) == 3
    assert "PDT" in format_local(due, "America/Los_Angeles")
    assert "PST" in format_local(submitted, "America/Los_Angeles")


def test_extensions_by_hours_and_by_date(tmp_path: Path):
    hours = tmp_path / "hours.csv"
    hours.write_text("student,hours\nbob,48\n")
    s = settings(extensions_csv=hours, late_policy="zero")
    assert due_for(s, "bob", "ps1") == DUE + timedelta(hours=48)
    assert due_for(s, "alice", "ps1") == DUE
    verdict = lateness(s, "bob", "ps1", DUE + timedelta(hours=47))
    assert not verdict.late
    late = lateness(s, "bob", "ps1", DUE + timedelta(hours=49))
    assert late.late_by_seconds == 3600 and "extended deadline" in late.note
    assert nbgrader_extension(s, "bob", "ps1") == timedelta(hours=48)
    assert nbgrader_extension(s, "alice", "ps1") is None

    dates = tmp_path / "dates.csv"
    dates.write_text("student,assignment,extended_due\n"
                     "carol,ps1,2026-12-05T09:00:00-08:00\ncarol,ps2,2027-01-01T00:00:00Z\n")
    s = settings(extensions_csv=dates)
    assert due_for(s, "carol", "ps1") == datetime(2026, 12, 5, 9, tzinfo=LA)


def test_extension_file_changes_are_seen(tmp_path: Path):
    path = tmp_path / "ext.csv"
    path.write_text("student,hours\nbob,1\n")
    s = settings(extensions_csv=path)
    assert due_for(s, "bob", "ps1") == DUE + timedelta(hours=1)
    path.write_text("student,hours\nbob,24\n")
    assert due_for(s, "bob", "ps1") == DUE + timedelta(hours=24)


@pytest.mark.parametrize("text", [
    "student,assignment,extended_due\nbob,ps1,2026-12-05T09:00:00\n",   # naive
    "student,hours\nbob,many\n",
    "student,hours\nbob,-3\n",
    "name,when\nbob,1\n",
])
def test_bad_extension_rows_are_named(tmp_path: Path, text: str):
    path = tmp_path / "ext.csv"
    path.write_text(text)
    with pytest.raises(DeadlineError, match="ext.csv"):
        due_for(settings(extensions_csv=path), "bob", "ps1")


def test_naive_datetimes_are_refused():
    with pytest.raises(DeadlineError, match="no time zone"):
        lateness(settings(), "a", "ps1", datetime(2026, 12, 3, 18, 0))
    with pytest.raises(ValidationError, match="offset"):
        DeadlineSettings(due_at=datetime(2026, 12, 3, 17, 0))
    with pytest.raises(ValidationError, match="offset"):
        DeadlineSettings(due={"ps1": "2026-12-03T17:00:00"})
    with pytest.raises(ValidationError, match="time zone"):
        DeadlineSettings(timezone="Mars/Olympus")


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("AUTOGRADER_DUE", '{"ps1": "2026-12-03T17:00:00-08:00"}')
    monkeypatch.setenv("AUTOGRADER_LATE_POLICY", "subtract_per_hour")
    monkeypatch.setenv("AUTOGRADER_PENALTY_PER_HOUR", "0.5")
    s = GradingSettings().deadline_settings()
    assert s.due["ps1"] == DUE and s.late_policy == "subtract_per_hour"
    assert s.penalty_per_hour == 0.5


def test_nbgrader_timestamps_read_as_nbgrader_reads_them():
    assert parse_timestamp("2026-12-04 01:05:00.5 UTC") == datetime(
        2026, 12, 4, 1, 5, 0, 500000, tzinfo=UTC)
    assert parse_timestamp("2026-12-04 01:05:00") == datetime(2026, 12, 4, 1, 5, tzinfo=UTC)
    assert parse_timestamp("2026-12-03 17:05:00 America/Los_Angeles") == datetime(
        2026, 12, 4, 1, 5, tzinfo=UTC)
    assert to_nbgrader(DUE) == datetime(2026, 12, 4, 1, 0)
