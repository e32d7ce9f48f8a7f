"""The batch's finishing step: the late policy from timestamp.txt (folder or zip), notes, and
the artifacts and nbgrader's secret kept beside the executed notebooks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from autograder.engine.batch import finish
from autograder.engine.submission import load_zip
from autograder.settings import DeadlineSettings
from tests.autograder.engine.test_intake import png
from tests.autograder.report.builders import build, graded_cells
from tests.autograder.service.notebooks import honest_q1, zip_of

DUE = datetime(2026, 12, 3, 17, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
SETTINGS = DeadlineSettings(due={"ps1": DUE}, late_policy="zero")


def zipped(timestamp: bytes | None) -> bytes:
    members = {"ps1/q1_softmax.ipynb": honest_q1(), "ps1/q4_dev_conf.png": png(),
               "ps1/submission_secret.txt": b"ab" * 64,
               "ps1/.ipynb_checkpoints/q1_softmax-checkpoint.ipynb": honest_q1()}
    if timestamp is not None:
        members["ps1/timestamp.txt"] = timestamp
    return zip_of(members)


def test_a_late_zip_scores_zero_under_zero(tmp_path):
    sub = load_zip("bob", zipped(b"2026-12-04 01:00:01.000000 UTC"))  # one second late
    result = finish(build("bob", graded_cells()), sub, tmp_path, "ps1", SETTINGS)
    assert result.auto_score == 0 and result.auto_score_before_penalty > 0
    assert result.submitted_at == "2026-12-04T01:00:01+00:00"
    assert any("set aside" in n for n in result.notes)
    folder = tmp_path / "notebooks" / "bob"
    assert (folder / "q4_dev_conf.png").read_bytes() == png()
    assert (folder / "submission_secret.txt").read_text() == "ab" * 64


def test_on_time_no_timestamp_or_a_bad_one_costs_nothing(tmp_path):
    for stamp in (b"2026-12-04 00:59:59 UTC", None, b"not a time at all"):
        sub = load_zip("ann", zipped(stamp))
        result = finish(build("ann", graded_cells()), sub, tmp_path, "ps1", SETTINGS)
        assert result.auto_score == result.auto_score_before_penalty > 0, stamp
    assert any("timestamp.txt" in n for n in result.notes)  # the bad one is noted


def test_without_deadline_settings_nothing_is_applied(tmp_path):
    sub = load_zip("cy", zipped(b"2030-01-01 00:00:00 UTC"))
    result = finish(build("cy", graded_cells()), sub, tmp_path, "ps1", None)
    assert result.late_penalty == 0 and result.submitted_at is None
