"""The grading queue: an interface, and its embedded backend, a table of leased jobs.

A worker claims a queued job (or one whose lease expired: its worker died) with a conditional
UPDATE, renews the lease while grading, and finishes it only if it still holds it. Each claim
counts as an attempt; a job whose lease expired max_attempts times is failed for the staff.

Students are served in turn, not jobs first-in-first-out: the next job is the oldest job of
the student who has waited longest (since their oldest waiting upload, or since their last
job was claimed if that is later), and a student with `per_student` jobs being graded waits
until one ends. One student's burst of uploads at the deadline holds at most `per_student`
workers, and every other student's upload is next in line for the others.
With Celery on Redis (autograder.service.celery_queue) messages push the same jobs to
workers; the table stays the record of truth.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import and_, event, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from autograder.service.db import Database, Job, SubmissionRow
from autograder.service.settings import ServiceSettings

log = logging.getLogger(__name__)
GAVE_UP = ("grading stopped {n} times before finishing (the grading process died, e.g. out "
           "of memory); the course staff will look at this submission")


@dataclass(frozen=True)
class Claim:
    job_id: int
    submission_id: str
    attempt: int


@dataclass(frozen=True)
class _Candidate:
    id: int
    submission_id: str
    attempts: int
    student: str


class JobQueue(Protocol):
    """Everything the service asks of its queue: the API adds and re-queues jobs and counts
    them, workers claim, renew and end them. SqlJobQueue is the record of truth; the Celery
    queue (autograder.service.celery_queue) wraps one and sends a message where a job
    becomes claimable."""

    def enqueue(self, submission_id: str) -> None:
        """Queue a job for a recorded submission (in a transaction of its own)."""
        ...

    def add_in(self, session: Session, submission_id: str) -> None:
        """Queue it inside the caller's transaction (the submission and its job land
        together)."""
        ...

    def claim(self, worker: str) -> Claim | None:
        """The job due next in the fair order, leased to `worker`; None if none is."""
        ...

    def claim_submission(self, submission_id: str, worker: str) -> Claim | None:
        """This submission's job, if it is claimable."""
        ...

    def renew(self, claim: Claim, worker: str) -> bool:
        """Extend the lease; False when the worker no longer holds the job."""
        ...

    def finish(self, claim: Claim, worker: str, result_json: str, score: float,
               max_score: float) -> bool:
        """Store the result and end the job, if the worker still holds it."""
        ...

    def fail(self, claim: Claim, worker: str, message: str) -> bool:
        """End the job as failed (for the staff), if the worker still holds it."""
        ...

    def release(self, claim: Claim, worker: str, count_attempt: bool = False) -> bool:
        """Give a held job back unfinished (count_attempt: an infrastructure fault)."""
        ...

    def requeue(self, submission_id: str) -> bool:
        """Grade the submission again from scratch (the instructor's re-grade)."""
        ...

    def counts(self) -> dict[str, int]:
        """Jobs per state."""
        ...

    def wait_for_work(self, timeout: float) -> None:
        """An idle worker's pause: returns when a job became claimable in this process, or
        after timeout seconds (jobs queued by other processes are found by polling)."""
        ...

    def wake(self) -> None:
        """End every idle worker's pause now (a job came, or the service stops)."""
        ...


class SqlJobQueue:
    """Jobs in the service database, leased by `UPDATE ... WHERE state='queued'`."""

    def __init__(self, db: Database, lease_seconds: float, max_attempts: int,
                 per_student: int = 1):
        self.db = db
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.per_student = per_student
        # set when this process makes a job claimable: idle workers start it at once instead
        # of at their next look (up to poll_seconds later, a quarter second on average)
        self._work = threading.Event()

    @classmethod
    def from_settings(cls, db: Database, settings: ServiceSettings) -> SqlJobQueue:
        """The table the service's settings describe (lease, attempts, jobs in flight)."""
        return cls(db, settings.lease_seconds, settings.max_attempts,
                   settings.student_jobs_in_flight)

    def enqueue(self, submission_id: str) -> None:
        with self.db.session() as s, s.begin():
            s.add(Job(submission_id=submission_id, state="queued", attempts=0,
                      updated_at=time.time()))
        self.wake()

    def add_in(self, session: Session, submission_id: str) -> None:
        """Enqueue inside the caller's transaction (the submission and its job land together)."""
        session.add(Job(submission_id=submission_id, state="queued", attempts=0,
                        updated_at=time.time()))
        event.listen(session, "after_commit", lambda _s: self.wake(), once=True)

    def wait_for_work(self, timeout: float) -> None:
        self._work.wait(timeout)
        self._work.clear()

    def wake(self) -> None:
        self._work.set()

    def _claimable(self, now: float):
        return or_(Job.state == "queued",
                   and_(Job.state == "running", Job.lease_until < now))

    def claim(self, worker: str) -> Claim | None:
        """The next job in the fair order (see the module), leased to `worker`; None when
        nothing is claimable (or only jobs of students at their in-flight bound)."""
        return self._claim(worker, None)

    def claim_submission(self, submission_id: str, worker: str) -> Claim | None:
        """This submission's job if it is claimable (a pushed message names the job)."""
        return self._claim(worker, submission_id)

    def _claim(self, worker: str, submission_id: str | None) -> Claim | None:
        for _ in range(20):  # another worker may win the race for a candidate: try the next
            now = time.time()
            with self.db.session() as s, s.begin():
                if submission_id is None:
                    job = self._next_fair(s, now)
                    bound = self._below_bound(job.student, now) if job is not None else None
                else:
                    job = s.execute(select(Job.id, Job.submission_id, Job.attempts)
                                    .where(self._claimable(now),
                                           Job.submission_id == submission_id)).first()
                    bound = None
                if job is None:
                    return None
                if job.attempts >= self.max_attempts:
                    message = GAVE_UP.format(n=job.attempts)
                    done = s.execute(update(Job).where(Job.id == job.id, self._claimable(now))
                                     .values(state="failed", error=message, worker=None,
                                             lease_until=None, updated_at=now))
                    if done.rowcount:
                        log.error("job %d (submission %s) failed: %s", job.id,
                                  job.submission_id, message)
                    continue
                conditions = [Job.id == job.id, self._claimable(now)]
                if bound is not None:  # the bound holds against a concurrent claim too
                    conditions.append(bound)
                won = s.execute(update(Job).where(*conditions)
                                .values(state="running", worker=worker,
                                        attempts=Job.attempts + 1, claimed_at=now,
                                        lease_until=now + self.lease_seconds, updated_at=now))
                if won.rowcount == 1:
                    return Claim(job.id, job.submission_id, job.attempts + 1)
        return None

    def _next_fair(self, s: Session, now: float):
        """(id, submission_id, attempts, student) of the job due next, or None.

        Per student with claimable jobs: the time they have waited since (the later of their
        oldest claimable upload and their last claim); students at the in-flight bound are
        passed over. The student waiting since the earliest time goes first, with their
        oldest job.
        """
        waiting = s.execute(
            select(SubmissionRow.student, func.min(SubmissionRow.created_at), func.min(Job.id))
            .select_from(Job).join(SubmissionRow, SubmissionRow.id == Job.submission_id)
            .where(self._claimable(now)).group_by(SubmissionRow.student)).all()
        if not waiting:
            return None
        students = [row[0] for row in waiting]
        busy = dict(s.execute(
            select(SubmissionRow.student, func.count()).select_from(Job)
            .join(SubmissionRow, SubmissionRow.id == Job.submission_id)
            .where(self._in_flight(now), SubmissionRow.student.in_(students))
            .group_by(SubmissionRow.student)).all())
        served = dict(s.execute(
            select(SubmissionRow.student, func.max(Job.claimed_at)).select_from(Job)
            .join(SubmissionRow, SubmissionRow.id == Job.submission_id)
            .where(SubmissionRow.student.in_(students), Job.claimed_at.is_not(None))
            .group_by(SubmissionRow.student)).all())
        turns = [(max(oldest, served.get(student) or 0.0), first_id, student)
                 for student, oldest, first_id in waiting
                 if busy.get(student, 0) < self.per_student]
        if not turns:
            return None
        _since, first_id, student = min(turns)
        job = s.execute(select(Job.id, Job.submission_id, Job.attempts)
                        .where(Job.id == first_id)).first()
        return None if job is None else _Candidate(job.id, job.submission_id, job.attempts,
                                                   student)

    def _in_flight(self, now: float, job=Job):
        return and_(job.state == "running", job.lease_until >= now)

    def _below_bound(self, student: str, now: float):
        """SQL condition: `student` has fewer than per_student jobs in flight."""
        other = aliased(Job)
        count = (select(func.count()).select_from(other)
                 .join(SubmissionRow, SubmissionRow.id == other.submission_id)
                 .where(SubmissionRow.student == student, self._in_flight(now, other))
                 .scalar_subquery())
        return count < self.per_student

    def next_queued(self) -> str | None:
        """The submission id of the oldest queued job, if any."""
        with self.db.session() as s:
            return s.scalar(select(Job.submission_id).where(Job.state == "queued")
                            .order_by(Job.id).limit(1))

    def overdue(self, waited_seconds: float, include_queued: bool = True) -> list[str]:
        """Submissions whose job nobody is grading: running under an expired lease (its
        worker died), and (include_queued) queued for `waited_seconds` without a claim,
        unless their student is at the in-flight bound (they wait their turn, which the end
        of the running job gives). Their `updated_at` is touched, so the next call skips a
        queued job for another `waited_seconds`."""
        now = time.time()
        stuck = and_(Job.state == "running", Job.lease_until < now)
        if include_queued:
            stuck = or_(stuck, and_(Job.state == "queued",
                                    Job.updated_at < now - waited_seconds))
        with self.db.session() as s, s.begin():
            rows = s.execute(select(Job.submission_id, Job.state, SubmissionRow.student)
                             .select_from(Job)
                             .join(SubmissionRow, SubmissionRow.id == Job.submission_id)
                             .where(stuck).order_by(Job.id)).all()
            busy = {student for student, n in s.execute(
                select(SubmissionRow.student, func.count()).select_from(Job)
                .join(SubmissionRow, SubmissionRow.id == Job.submission_id)
                .where(self._in_flight(now)).group_by(SubmissionRow.student)).all()
                if n >= self.per_student}
            ids = [sid for sid, state, student in rows
                   if state != "queued" or student not in busy]
            if ids:
                s.execute(update(Job).where(Job.submission_id.in_(ids), Job.state == "queued")
                          .values(updated_at=now))
        return ids

    def release(self, claim: Claim, worker: str, count_attempt: bool = False) -> bool:
        """Give a held job back to the queue unfinished: after a clean shutdown it does not
        count as an attempt; after an infrastructure fault (count_attempt) it does, so a
        job that always meets one ends failed for the staff after max_attempts."""
        attempts = Job.attempts if count_attempt else Job.attempts - 1
        with self.db.session() as s, s.begin():
            done = s.execute(update(Job).where(self._held(claim, worker))
                             .values(state="queued", worker=None, lease_until=None,
                                     attempts=attempts, updated_at=time.time()))
            released = done.rowcount == 1
        if released:
            self.wake()
        return released

    def _held(self, claim: Claim, worker: str):
        return and_(Job.id == claim.job_id, Job.state == "running", Job.worker == worker,
                    Job.attempts == claim.attempt)

    def renew(self, claim: Claim, worker: str) -> bool:
        now = time.time()
        with self.db.session() as s, s.begin():
            done = s.execute(update(Job).where(self._held(claim, worker))
                             .values(lease_until=now + self.lease_seconds, updated_at=now))
            return done.rowcount == 1

    def finish(self, claim: Claim, worker: str, result_json: str, score: float,
               max_score: float) -> bool:
        now = time.time()
        with self.db.session() as s, s.begin():
            done = s.execute(update(Job).where(self._held(claim, worker))
                             .values(state="done", lease_until=None, error=None,
                                     updated_at=now))
            if done.rowcount != 1:
                log.warning("job %d: lease lost before the result was saved; dropped",
                            claim.job_id)
                return False
            s.execute(update(SubmissionRow).where(SubmissionRow.id == claim.submission_id)
                      .values(result_json=result_json, score=score, max_score=max_score,
                              graded_at=now))
            return True

    def fail(self, claim: Claim, worker: str, message: str) -> bool:
        with self.db.session() as s, s.begin():
            done = s.execute(update(Job).where(self._held(claim, worker))
                             .values(state="failed", error=message, lease_until=None,
                                     updated_at=time.time()))
            return done.rowcount == 1

    def requeue(self, submission_id: str) -> bool:
        with self.db.session() as s, s.begin():
            done = s.execute(update(Job).where(Job.submission_id == submission_id)
                             .values(state="queued", attempts=0, worker=None, lease_until=None,
                                     error=None, updated_at=time.time()))
            queued = done.rowcount == 1
        if queued:
            self.wake()
        return queued

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            rows = s.execute(select(Job.state, func.count()).group_by(Job.state)).all()
        return {state: n for state, n in rows}
