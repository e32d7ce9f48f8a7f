"""Celery as the jobs' transport over the job table (kombu's in-memory broker; no server).

The compose stack runs the same queue on Redis with real worker containers
(tests/test_compose_service.py).
"""

import inspect
import time

import pytest

pytest.importorskip("celery")

from autograder.service.celery_queue import CeleryJobQueue  # noqa: E402
from autograder.service.db import Database, SubmissionRow  # noqa: E402
from autograder.service.queue import JobQueue, SqlJobQueue  # noqa: E402
from autograder.service.settings import ServiceSettings  # noqa: E402


@pytest.fixture
def queue(tmp_path) -> CeleryJobQueue:
    settings = ServiceSettings(data_dir=tmp_path, queue="celery", lease_seconds=60,
                               broker_url="memory://")
    db = Database(settings.db_url)
    jobs = CeleryJobQueue(db, settings)
    drain(jobs)  # kombu's memory broker is shared by the whole process
    yield jobs
    drain(jobs)
    db.close()


def submit(queue: CeleryJobQueue, sid: str, commit: bool = True) -> None:
    s = queue.db.session()
    with s:
        s.begin()
        s.add(SubmissionRow(id=sid, student="a", kind="notebook", notebook="q1_softmax",
                            stored_as=f"{sid}.ipynb", size=1, created_at=time.time()))
        s.flush()
        before = queue.waiting_messages() or 0
        queue.add_in(s, sid)
        assert (queue.waiting_messages() or 0) == before  # nothing published before commit
        s.commit() if commit else s.rollback()


def drain(queue: CeleryJobQueue) -> list[str]:
    """The submission ids of the messages waiting in the broker (consumed)."""
    ids = []
    with queue.app.connection_for_write() as conn:
        channel = conn.default_channel
        while (message := channel.basic_get("grading", no_ack=True)) is not None:
            ids.append(message.decode()[0][0])  # Celery's protocol 2 body: (args, kwargs, ...)
    return ids


def test_both_queues_are_the_whole_protocol_and_celery_wraps_the_table(queue):
    members = [name for name in vars(JobQueue) if not name.startswith("_")]
    assert {"add_in", "claim", "finish", "release", "requeue", "counts"} <= set(members)
    for implementation in (SqlJobQueue, CeleryJobQueue):
        for name in members:
            assert (inspect.signature(getattr(implementation, name))
                    == inspect.signature(getattr(JobQueue, name))), (implementation, name)
    assert not isinstance(queue, SqlJobQueue) and isinstance(queue.table, SqlJobQueue)


def test_a_committed_job_is_published_once_and_a_rolled_back_one_never(queue):
    submit(queue, "1" * 32)
    submit(queue, "2" * 32, commit=False)
    assert drain(queue) == ["1" * 32]
    assert queue.counts() == {"queued": 1}


def test_a_message_claims_its_own_job_and_a_duplicate_finds_nothing(queue):
    submit(queue, "1" * 32)
    submit(queue, "2" * 32)
    claim = queue.claim_submission("2" * 32, "w1")
    assert claim is not None and claim.submission_id == "2" * 32
    assert queue.claim_submission("2" * 32, "w2") is None  # duplicate message: leased
    assert queue.finish(claim, "w1", "{}", 1.0, 1.0)
    assert queue.claim_submission("2" * 32, "w2") is None  # stale message: graded


def test_the_sweeper_republishes_lost_messages_and_dead_workers_jobs(queue):
    submit(queue, "1" * 32)
    submit(queue, "2" * 32)
    # both messages wait in the broker: a long queue is not mistaken for a lost message
    assert queue.sweep(waited_seconds=0) == 0
    assert sorted(drain(queue)) == ["1" * 32, "2" * 32]
    # the broker lost them (e.g. it was down when the API published): both come back once
    assert queue.sweep(waited_seconds=0) == 2
    assert queue.sweep(waited_seconds=60) == 0  # touched: not again within waited_seconds
    assert sorted(drain(queue)) == ["1" * 32, "2" * 32]
    # a worker dies holding a job: after its lease the job is published again
    claim = queue.claim_submission("1" * 32, "dead")
    assert queue.sweep(waited_seconds=60) == 0  # its 60 s lease still runs...
    from sqlalchemy import update

    from autograder.service.db import Job

    with queue.db.session() as s, s.begin():  # ...until it expires
        s.execute(update(Job).where(Job.id == claim.job_id).values(lease_until=time.time() - 1))
    assert queue.sweep(waited_seconds=60) == 1 and drain(queue) == ["1" * 32]
    again = queue.claim_submission("1" * 32, "alive")
    assert again is not None and again.attempt == 2
    assert not queue.finish(claim, "dead", "{}", 0.0, 1.0)  # the dead worker lost it


def test_a_released_job_is_queued_again_without_using_an_attempt(queue):
    submit(queue, "1" * 32)
    drain(queue)
    claim = queue.claim_submission("1" * 32, "w1")
    assert queue.release(claim, "w1")
    assert queue.counts() == {"queued": 1}
    assert drain(queue) == ["1" * 32]
    assert queue.claim_submission("1" * 32, "w2").attempt == 1


class Recorder:
    """A worker that holds the jobs it is handed (as while grading them)."""

    name = "w1"

    def __init__(self) -> None:
        self.held = []

    def handle(self, claim) -> None:
        self.held.append(claim)


def test_messages_are_turns_and_students_are_served_in_turn(queue):
    from autograder.service.celery_queue import grade_one

    alice = [f"a{i}".ljust(32, "0") for i in range(5)]
    bob = "b".ljust(32, "0")
    for sid in alice + [bob]:
        with queue.db.session() as s, s.begin():
            s.add(SubmissionRow(id=sid, student=sid[:1], kind="zip", notebook=None,
                                stored_as=f"{sid}.zip", size=1, created_at=time.time()))
            s.flush()
            queue.add_in(s, sid)
    messages = drain(queue)
    assert messages == alice + [bob]  # first in, first out in the broker...
    worker = Recorder()
    answers = [grade_one(queue, worker) for _ in messages]
    # ...but the second message grades bob's job: alice is at her in-flight bound
    assert [c.submission_id for c in worker.held] == [alice[0], bob]
    assert answers.count("nothing to do") == 4
    assert queue.sweep(waited_seconds=0) == 0  # alice's others wait their turn: not lost
    assert queue.finish(worker.held[0], worker.name, "{}", 1.0, 1.0)
    assert len(drain(queue)) == 1  # a finished job publishes a turn for what is queued
    assert grade_one(queue, worker) == "graded"
    assert worker.held[-1].submission_id == alice[1]
