"""The class as the instructor sees it, without HTTP: roster, filters, regrade progress,
pass rates and the histogram."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import update

from autograder.service import instructor as klass
from autograder.service.auth import issue_token
from autograder.service.db import Database, Job
from autograder.service.queue import SqlJobQueue
from tests.autograder.service.classroom import Upload, seed, submission_id


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'service.db'}"
    seed(url, ["alice", "bob", "dave"], [
        Upload("alice", 100.0, (False, True)), Upload("alice", 200.0, (True, True)),
        Upload("bob", 300.0, (True, False)), Upload("erin", 400.0, state="failed")])
    database = Database(url)
    yield database
    database.close()


def test_roster_has_token_holders_and_submitters(db):
    entries = {e.student: e for e in klass.roster(db)}
    assert list(entries) == ["alice", "bob", "dave", "erin"]
    assert entries["dave"].submissions == 0 and entries["dave"].standing is None
    assert not entries["erin"].has_token and entries["erin"].last_state == "failed"
    assert entries["alice"].last_at == 200.0 and entries["alice"].standing.result.auto_score == 5
    issue_token(db, "erin")
    assert {e.student: e for e in klass.roster(db)}["erin"].has_token


def test_one_entry_is_the_roster_s_line(db):
    lines = {e.student: e for e in klass.roster(db)}
    for student in ("alice", "dave", "erin"):
        one = klass.entry_for(db, student)
        assert (one.submissions, one.last_at, one.last_state, one.has_token) == (
            lines[student].submissions, lines[student].last_at, lines[student].last_state,
            lines[student].has_token)
    assert klass.entry_for(db, "zed") is None


def test_submission_filters(db):
    def ids(**filters) -> list[str]:
        return [r.id for r, _job in klass.submissions(db, **filters)]

    assert ids() == [submission_id(n) for n in (4, 3, 2, 1)]
    assert ids(student="alice", since=150.0) == [submission_id(2)]
    assert ids(state="failed") == [submission_id(4)]
    assert ids(limit=1) == [submission_id(4)]


def test_regrade_progress_counts_jobs_finished_after_the_start(db):
    queue = SqlJobQueue(db, lease_seconds=60, max_attempts=3)
    since, count = klass.regrade_all(db, queue, only_standing=True)
    assert count == 2  # alice's newer upload and bob's: the older one no standing uses
    progress = klass.regrade_progress(db, since)
    assert (progress.done, progress.failed, progress.total) == (0, 0, 2)
    with db.session() as s, s.begin():
        s.execute(update(Job).where(Job.submission_id == submission_id(2))
                  .values(state="done", updated_at=time.time()))
    progress = klass.regrade_progress(db, since)
    assert (progress.done, progress.total, progress.finished) == (1, 2, False)
    since_all, count = klass.regrade_all(db, queue)
    assert count == 3  # the done and failed ones; bob's still waits
    assert klass.regrade_progress(db, since_all).total == 4


def test_class_stats_count_each_student_once(db):
    stats = klass.class_stats(klass.roster(db))
    assert (stats.students, sorted(stats.scores), stats.max_score) == (4, [2.5, 5.0], 5.0)
    rates = {r.name: (r.passed, r.attempted) for r in stats.checks}
    assert rates == {"softmax_rows": (2, 2), "softmax_stability": (1, 2)}


@pytest.mark.parametrize(("scores", "top", "labels", "counts"), [
    ([0, 21.5, 43], 43, ["0–5", "40–45"], [1, 0, 0, 0, 1, 0, 0, 0, 1]),
    ([0, 5, 5], 5, ["0–0.5", "4.5–5"], [1] + [0] * 8 + [2]),
    ([], 0, [], []),
    ([0.0, 0.0], 0, ["0–0"], [2]),
])
def test_histogram_has_round_ranges_and_keeps_the_max(scores, top, labels, counts):
    bins = klass.histogram(scores, top)
    assert [b.count for b in bins] == counts
    if labels:
        assert (bins[0].label, bins[-1].label) == (labels[0], labels[-1])
