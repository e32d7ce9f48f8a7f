"""Workers: fair queueing end to end (with a fake, slow grading engine), and a grading
process that dies costs only its job."""

from __future__ import annotations

import time

import pytest

from autograder.engine.results import SubmissionResult
from autograder.service import intake
from autograder.service.context import ServiceContext
from autograder.service.db import Job
from autograder.service.processes import GradingCrashed
from autograder.service.settings import ServiceSettings
from autograder.service.worker import WorkerPool
from tests.autograder.service.notebooks import honest_q1, zip_of

NOTEBOOK_SECONDS = 1.0


class SlowEngine:
    """Grades in NOTEBOOK_SECONDS; a student named `crash` kills the grading process."""

    def __init__(self) -> None:
        self.graded: list[str] = []

    def prepare(self) -> None: ...

    def grade(self, submission, notebooks_dir) -> SubmissionResult:
        if submission.student == "crash":
            raise GradingCrashed("the grading process died (exit code -9)")
        time.sleep(NOTEBOOK_SECONDS)
        self.graded.append(submission.student)
        return SubmissionResult(submission.student, submission.digest)

    def interrupt(self) -> None: ...

    def close(self) -> None: ...


@pytest.fixture
def ctx(tmp_path):
    settings = ServiceSettings(data_dir=tmp_path, poll_seconds=0.02, submissions_per_minute=100,
                               max_attempts=2)
    context = ServiceContext.build(settings)
    yield context
    context.db.close()


def job_state(ctx: ServiceContext, submission_id: str) -> str:
    with ctx.db.session() as s:
        return s.query(Job).filter(Job.submission_id == submission_id).one().state


def wait_done(ctx: ServiceContext, submission_id: str, timeout: float = 30.0) -> float:
    start = time.monotonic()
    while job_state(ctx, submission_id) not in ("done", "failed"):
        assert time.monotonic() - start < timeout, "never graded"
        time.sleep(0.01)
    return time.monotonic() - start


def test_another_student_is_graded_within_one_notebook_of_arriving(ctx):
    engine = SlowEngine()
    pool = WorkerPool(ctx.settings, ctx.db, ctx.queue, 2, engine=lambda: engine)
    pool.start()
    try:
        slow = zip_of({"ps1/q1_softmax.ipynb": honest_q1()})
        alice = [intake.accept(ctx, "alice", "ps1.zip", slow).id for _ in range(5)]
        time.sleep(0.2)  # both workers are busy (before: both with alice's)
        bob = intake.accept(ctx, "bob", "q1_softmax.ipynb", honest_q1()).id
        waited = wait_done(ctx, bob)
        assert waited < 1.5 * NOTEBOOK_SECONDS, f"bob waited {waited:.1f} s"
        for sid in alice:
            wait_done(ctx, sid)
        assert engine.graded.count("alice") == 5
    finally:
        pool.shutdown()


def test_a_grading_process_that_dies_costs_only_its_job(ctx):
    pool = WorkerPool(ctx.settings, ctx.db, ctx.queue, 1, engine=SlowEngine)
    pool.start()
    try:
        crash = intake.accept(ctx, "crash", "q1_softmax.ipynb", honest_q1()).id
        fine = intake.accept(ctx, "bob", "q1_softmax.ipynb", honest_q1()).id
        wait_done(ctx, crash)
        wait_done(ctx, fine)
        assert job_state(ctx, crash) == "failed"  # after max_attempts, for the staff
        assert job_state(ctx, fine) == "done"
        assert all(t.is_alive() for t in pool.threads)
    finally:
        pool.shutdown()


class InstantEngine(SlowEngine):
    def grade(self, submission, notebooks_dir) -> SubmissionResult:
        self.graded.append(submission.student)
        return SubmissionResult(submission.student, submission.digest)


def test_an_idle_worker_starts_a_new_job_at_once_not_at_its_next_look(tmp_path):
    """With a poll of 60 s, only the queue's wake-up can start the jobs within the 10 s the
    test waits: an upload (added in the intake's transaction), a re-grade, and the stop."""
    settings = ServiceSettings(data_dir=tmp_path, poll_seconds=60.0, submissions_per_minute=100)
    ctx = ServiceContext.build(settings)
    engine = InstantEngine()
    pool = WorkerPool(ctx.settings, ctx.db, ctx.queue, 2, engine=lambda: engine)
    pool.start()
    try:
        time.sleep(0.3)  # both workers idle, each in its pause
        sid = intake.accept(ctx, "alice", "q1_softmax.ipynb", honest_q1()).id
        assert wait_done(ctx, sid, timeout=10.0) < 10.0
        time.sleep(0.3)
        assert ctx.queue.requeue(sid)
        start = time.monotonic()
        while engine.graded.count("alice") < 2:
            assert time.monotonic() - start < 10.0, "the re-grade waited for the poll"
            time.sleep(0.01)
    finally:
        start = time.monotonic()
        pool.shutdown()
        ctx.db.close()
    assert time.monotonic() - start < 10.0  # the stop woke the idle workers too
