"""The grading queue: an interface, and its embedded backend, a table of leased jobs.

A worker claims a queued job (or one whose lease expired: its worker died) with a conditional
UPDATE, renews the lease while grading, and finishes it only if it still holds it. Each claim
counts as an attempt; a job whose lease expired max_attempts times is failed for the staff.
With Celery on Redis (autograder.service.celery_queue) messages push the same jobs to
workers; the table stays the record of truth.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import and_, func, or_, select, update

from autograder.service.db import Database, Job, SubmissionRow

log = logging.getLogger(__name__)
GAVE_UP = ("grading stopped {n} times before finishing (the grading process died, e.g. out "
           "of memory); the course staff will look at this submission")


@dataclass(frozen=True)
class Claim:
    job_id: int
    submission_id: str
    attempt: int


class JobQueue(Protocol):
    def enqueue(self, submission_id: str) -> None: ...
    def claim(self, worker: str) -> Claim | None: ...
    def claim_submission(self, submission_id: str, worker: str) -> Claim | None: ...
    def renew(self, claim: Claim, worker: str) -> bool: ...
    def finish(self, claim: Claim, worker: str, result_json: str, score: float,
               max_score: float) -> bool: ...
    def fail(self, claim: Claim, worker: str, message: str) -> bool: ...
    def requeue(self, submission_id: str) -> bool: ...
    def release(self, claim: Claim, worker: str, count_attempt: bool = False) -> bool: ...
    def counts(self) -> dict[str, int]: ...


class SqlJobQueue:
    """Jobs in the service database, leased by `UPDATE ... WHERE state='queued'`."""

    def __init__(self, db: Database, lease_seconds: float, max_attempts: int):
        self.db = db
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts

    def enqueue(self, submission_id: str) -> None:
        with self.db.session() as s, s.begin():
            s.add(Job(submission_id=submission_id, state="queued", attempts=0,
                      updated_at=time.time()))

    def add_in(self, session, submission_id: str) -> None:
        """Enqueue inside the caller's transaction (the submission and its job land together)."""
        session.add(Job(submission_id=submission_id, state="queued", attempts=0,
                        updated_at=time.time()))

    def _claimable(self, now: float):
        return or_(Job.state == "queued",
                   and_(Job.state == "running", Job.lease_until < now))

    def claim(self, worker: str) -> Claim | None:
        """The oldest claimable job, leased to `worker`; None when there is none."""
        return self._claim(worker, None)

    def claim_submission(self, submission_id: str, worker: str) -> Claim | None:
        """This submission's job if it is claimable (a pushed message names the job)."""
        return self._claim(worker, submission_id)

    def _claim(self, worker: str, submission_id: str | None) -> Claim | None:
        for _ in range(20):  # another worker may win the race for a candidate: try the next
            now = time.time()
            query = (select(Job.id, Job.submission_id, Job.attempts)
                     .where(self._claimable(now)).order_by(Job.id).limit(1))
            if submission_id is not None:
                query = query.where(Job.submission_id == submission_id)
            with self.db.session() as s, s.begin():
                job = s.execute(query).first()
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
                won = s.execute(update(Job).where(Job.id == job.id, self._claimable(now))
                                .values(state="running", worker=worker,
                                        attempts=Job.attempts + 1,
                                        lease_until=now + self.lease_seconds, updated_at=now))
                if won.rowcount == 1:
                    return Claim(job.id, job.submission_id, job.attempts + 1)
        return None

    def overdue(self, waited_seconds: float, include_queued: bool = True) -> list[str]:
        """Submissions whose job nobody is grading: running under an expired lease (its
        worker died), and (include_queued) queued for `waited_seconds` without a claim.
        Their `updated_at` is touched, so the next call skips a queued job for another
        `waited_seconds`."""
        now = time.time()
        stuck = and_(Job.state == "running", Job.lease_until < now)
        if include_queued:
            stuck = or_(stuck, and_(Job.state == "queued",
                                    Job.updated_at < now - waited_seconds))
        with self.db.session() as s, s.begin():
            ids = list(s.scalars(select(Job.submission_id).where(stuck).order_by(Job.id)))
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
            return done.rowcount == 1

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
            return done.rowcount == 1

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            rows = s.execute(select(Job.state, func.count()).group_by(Job.state)).all()
        return {state: n for state, n in rows}
