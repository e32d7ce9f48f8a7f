"""nbgrader's late plugin gives the penalty autograder.deadlines gives, for every policy."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from autograder.deadlines import lateness
from autograder.report.nbgrader_late import CourseLatePenalty
from autograder.settings import DeadlineSettings

DUE = datetime(2026, 12, 3, 17, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.mark.parametrize("policy", ["refuse", "zero", "subtract_per_hour", "accept"])
@pytest.mark.parametrize("seconds", [0, 1, 3599, 3601, 7500, 10**6])
@pytest.mark.parametrize("score", [0.0, 2.5, 10.0])
def test_the_plugin_agrees_with_the_policy(monkeypatch, policy, seconds, score):
    monkeypatch.setenv("AUTOGRADER_LATE_POLICY", policy)
    monkeypatch.setenv("AUTOGRADER_PENALTY_PER_HOUR", "1.5")
    ours = lateness(DeadlineSettings(due={"ps1": DUE}), "s", "ps1",
                    DUE + timedelta(seconds=seconds)).penalty_points(score)
    theirs = CourseLatePenalty().late_submission_penalty("s", score, seconds)
    assert (theirs or 0.0) == ours
    if policy == "accept" or seconds == 0:
        assert theirs is None  # nbgrader's 'none'
