"""The late policy in a result: per-notebook penalties, scores never negative, every report
subtracting the same points."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from autograder.deadlines import lateness
from autograder.engine.results import SubmissionResult
from autograder.report import feedback_html, grade_rows, results_json
from autograder.report.late import apply_lateness
from autograder.report.summary import notebook_auto_score
from autograder.settings import DeadlineSettings
from tests.autograder.report.builders import build, missing_notebook

DUE = datetime(2026, 12, 3, 17, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


def late(result: SubmissionResult, policy: str, hours: float, per_hour: float = 2
         ) -> SubmissionResult:
    s = DeadlineSettings(due={"ps1": DUE}, late_policy=policy, penalty_per_hour=per_hour)
    return apply_lateness(result, lateness(s, result.student, "ps1",
                                           DUE + timedelta(hours=hours)))


def test_subtract_per_hour_is_per_notebook_and_capped(cells):
    result = build("bob", cells)
    before = {nb.name: notebook_auto_score(nb) for nb in result.notebooks}
    late(result, "subtract_per_hour", 2.1)  # 3 started hours: 6 points off each notebook
    for nb in result.notebooks:
        assert nb.late_penalty == min(6, before[nb.name])
        assert notebook_auto_score(nb) == max(0, before[nb.name] - 6)
    assert result.auto_score == round(sum(max(0, v - 6) for v in before.values()), 6)
    assert result.auto_score >= 0


def test_on_time_and_accept_take_nothing(cells):
    result = build("ann", cells)
    full = result.auto_score
    assert late(result, "zero", -1).auto_score == full
    assert late(result, "accept", 5).auto_score == full
    assert "marked late" in result.notebooks[0].late_note


def test_zero_and_refuse_score_zero(cells):
    for policy in ("zero", "refuse"):
        result = late(build("zed", cells), policy, 0.01)
        assert result.auto_score == 0


def test_reapplying_replaces_the_earlier_verdict(cells):
    result = late(build("re", cells), "zero", 1)
    assert result.auto_score == 0
    apply_lateness(result, None)  # e.g. an extension granted since
    assert result.auto_score == result.auto_score_before_penalty > 0


def test_missing_notebooks_get_no_note(cells):
    result = late(missing_notebook(cells), "subtract_per_hour", 1)
    missing = [nb for nb in result.notebooks if nb.status == "missing"]
    assert missing and all(nb.late_penalty == 0 and not nb.late_note for nb in missing)


def test_every_report_shows_the_same_score_and_says_why(cells):
    result = late(build("bob", cells), "subtract_per_hour", 2.1)
    row = grade_rows([result])[1]
    assert float(row[-4]) == result.auto_score
    assert results_json(result)["score"] == result.auto_score
    page = feedback_html(result)
    assert "after the deadline (Thu 3 Dec 2026 17:00 PST)" in page
    assert "taken off this notebook" in page
    again = SubmissionResult.from_json(result.to_json())
    assert again.auto_score == result.auto_score and again.late_notes == result.late_notes
