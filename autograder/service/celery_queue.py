"""Celery on Redis as the jobs' transport; the job table stays the record of truth.

- The API commits the submission and its job row together (SqlJobQueue.add_in), then
  publishes a message naming the submission (after the commit: a worker never sees a job
  the database does not have yet).
- A message is a turn, not an order for its own job: the worker's task claims the job due
  next in the embedded queue's fair order (students in turn, a bound on each one's jobs in
  flight) with the same conditional UPDATE; a duplicate or stale message finds nothing to
  claim and is dropped, and every finished job publishes a turn for what is still queued.
- Messages are acknowledged late and rejected when their worker process dies, so Celery
  redelivers them; independently, the API's sweeper re-publishes jobs whose lease expired
  (a worker killed mid-grade) or whose message went missing (the broker was down when the
  API published), so no job depends on a message surviving.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from autograder.service.db import Database
from autograder.service.processes import ProcessEngine
from autograder.service.queue import Claim, JobQueue, SqlJobQueue
from autograder.service.settings import ServiceSettings
from autograder.service.worker import Worker

log = logging.getLogger(__name__)
GRADE_TASK = "autograder.grade"
QUEUE_NAME = "grading"


def make_celery(settings: ServiceSettings) -> Any:
    """A Celery app on settings.broker_url configured for at-least-once grading jobs."""
    from celery import Celery

    app = Celery("autograder", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],  # never pickle
        task_ignore_result=True,  # results live in the database
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a busy worker holds no message another could grade
        task_default_queue=QUEUE_NAME,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=5,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0,
                                   "interval_step": 0.5, "interval_max": 1},
        # an unacknowledged message comes back after this; leases are far shorter
        broker_transport_options={"visibility_timeout": max(3600, 4 * settings.lease_seconds)},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return app


class CeleryJobQueue:
    """The job table (a SqlJobQueue, the record of truth), plus a Celery message whenever a
    job becomes claimable: on commit, re-queue, release, and a turn when a job ends."""

    def __init__(self, db: Database, settings: ServiceSettings, app: Any | None = None):
        self.db = db
        self.table = SqlJobQueue.from_settings(db, settings)
        self.app = app if app is not None else make_celery(settings)

    def publish(self, submission_id: str) -> bool:
        """Send the message; on failure log it (the sweeper publishes the job again)."""
        try:
            self.app.send_task(GRADE_TASK, args=[submission_id], queue=QUEUE_NAME)
            return True
        except Exception as exc:
            log.warning("could not publish submission %s to the broker (%s); the sweeper "
                        "will retry", submission_id, exc)
            return False

    def enqueue(self, submission_id: str) -> None:
        self.table.enqueue(submission_id)
        self.publish(submission_id)

    def add_in(self, session: Session, submission_id: str) -> None:
        self.table.add_in(session, submission_id)
        event.listen(session, "after_commit", lambda _s: self.publish(submission_id),
                     once=True)

    def claim(self, worker: str) -> Claim | None:
        return self.table.claim(worker)

    def wait_for_work(self, timeout: float) -> None:
        self.table.wait_for_work(timeout)

    def wake(self) -> None:
        self.table.wake()

    def claim_submission(self, submission_id: str, worker: str) -> Claim | None:
        return self.table.claim_submission(submission_id, worker)

    def renew(self, claim: Claim, worker: str) -> bool:
        return self.table.renew(claim, worker)

    def requeue(self, submission_id: str) -> bool:
        done = self.table.requeue(submission_id)
        if done:
            self.publish(submission_id)
        return done

    def release(self, claim: Claim, worker: str, count_attempt: bool = False) -> bool:
        done = self.table.release(claim, worker, count_attempt)
        if done:
            self.publish(claim.submission_id)
        return done

    def finish(self, claim: Claim, worker: str, result_json: str, score: float,
               max_score: float) -> bool:
        done = self.table.finish(claim, worker, result_json, score, max_score)
        self.next_turn()
        return done

    def fail(self, claim: Claim, worker: str, message: str) -> bool:
        done = self.table.fail(claim, worker, message)
        self.next_turn()
        return done

    def counts(self) -> dict[str, int]:
        return self.table.counts()

    def next_turn(self) -> None:
        """A job ended: its student may have another job waiting that no message would
        claim any more (their messages were dropped at the in-flight bound); publish a turn
        if anything is queued."""
        waiting = self.table.next_queued()
        if waiting is not None:
            self.publish(waiting)

    def waiting_messages(self) -> int | None:
        """Messages in the broker's grading queue (None when the broker cannot say)."""
        try:
            with self.app.connection_for_write() as conn:
                return int(conn.default_channel.queue_declare(
                    queue=QUEUE_NAME, passive=True).message_count)
        except Exception as exc:
            log.debug("queue length unknown: %s", exc)
            return None

    def sweep(self, waited_seconds: float) -> int:
        """Re-publish the jobs nobody grades (see SqlJobQueue.overdue); returns how many.

        Queued jobs are re-published only when the broker holds fewer messages than there
        are queued jobs: a long queue at a deadline is not mistaken for lost messages.
        """
        queued = self.counts().get("queued", 0)
        waiting = self.waiting_messages()
        lost_possible = waiting is None or waiting < queued
        ids = self.table.overdue(waited_seconds, include_queued=lost_possible)
        for submission_id in ids:
            self.publish(submission_id)
        if ids:
            log.warning("re-published %d job(s) that no worker was grading", len(ids))
        return len(ids)


class Sweeper:
    """A thread of the API process that calls CeleryJobQueue.sweep every `every` seconds."""

    def __init__(self, queue: CeleryJobQueue, every: float):
        self.queue = queue
        self.every = every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="sweeper", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(self.every):
            try:
                self.queue.sweep(waited_seconds=2 * self.every)
            except Exception:
                log.exception("the sweeper could not check the queue")

    def shutdown(self) -> None:
        self.stop.set()
        self.thread.join(5)


def grade_one(queue: JobQueue, worker: Any) -> str:
    """What a message does: grade the job due next by the fair order (SqlJobQueue.claim).

    A message is a turn, not an order for its own job: whichever message a worker gets, it
    grades the oldest job of the student who has waited longest, so one student's burst of
    uploads cannot hold every worker. A message that finds nothing claimable (its job was
    graded by another message's turn, or its student is at the in-flight bound) is dropped;
    each finished job publishes a turn for what is still queued (CeleryJobQueue.finish).
    """
    claim = queue.claim(worker.name)
    if claim is None:
        return "nothing to do"
    worker.handle(claim)
    return "graded"


def run_worker(settings: ServiceSettings, concurrency: int) -> int:
    """A Celery worker (thread pool of `concurrency`, each thread with its own grading
    process) grading the jobs it is sent."""
    app = make_celery(settings)
    db = Database(settings.db_url)
    queue = CeleryJobQueue(db, settings, app)
    engine = ProcessEngine(settings)
    never_stop = threading.Event()  # Celery itself stops the pool (warm shutdown)
    local = threading.local()
    prefix = f"{socket.gethostname()}:{os.getpid()}"

    @app.task(name=GRADE_TASK)
    def grade(submission_id: str) -> str:
        worker = getattr(local, "worker", None)
        if worker is None:
            name = f"{prefix}:{threading.current_thread().name}"
            worker = local.worker = Worker(name, settings, db, queue, engine, never_stop)
        log.debug("turn from the message of submission %s", submission_id)
        return grade_one(queue, worker)

    log.info("celery worker: %d grading threads on %s", concurrency,
             _safe_url(settings.broker_url))
    try:
        app.worker_main(["worker", "--pool", "threads", "--concurrency", str(concurrency),
                         "--queues", QUEUE_NAME, "--loglevel", "INFO", "--without-gossip",
                         "--without-mingle", "--hostname", f"grader@{socket.gethostname()}"])
    finally:
        engine.close()
        db.close()
    return 0


def ping_worker(settings: ServiceSettings, timeout: float = 5.0) -> bool:
    """Whether this host's Celery worker answers (the container's health check)."""
    app = make_celery(settings)
    replies = app.control.ping(destination=[f"grader@{socket.gethostname()}"], timeout=timeout)
    return bool(replies)


def _safe_url(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(url))
