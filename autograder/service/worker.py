"""Workers: threads that claim jobs from the queue, have a grading process grade them (see
autograder.service.processes), and store the result."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable

from sqlalchemy import func, select

from autograder.engine.results import SubmissionResult
from autograder.engine.submission import Submission, SubmissionError
from autograder.report import GradebookError
from autograder.sandbox import SandboxUnavailable
from autograder.service.db import Database, SubmissionRow
from autograder.service.gradebook import write_standing  # H2
from autograder.service.grading import finish_result, to_submission  # H2: finish_result
from autograder.service.processes import (
    Engine,
    GradingCrashed,
    GradingInterrupted,
    ProcessEngine,
)
from autograder.service.queue import Claim, JobQueue
from autograder.service.records import standings
from autograder.service.settings import ServiceSettings
from autograder.service.storage import UploadStore

log = logging.getLogger(__name__)


class Worker:
    """One grading thread: claim, grade (renewing the lease), finish; until stopped."""

    def __init__(self, name: str, settings: ServiceSettings, db: Database, queue: JobQueue,
                 engine: Engine, stop: threading.Event):
        self.name = name
        self.settings = settings
        self.db = db
        self.queue = queue
        self.engine = engine
        self.store = UploadStore(settings.uploads_dir)
        self.stop = stop
        self.current: Claim | None = None  # the job being graded, if any

    def run(self) -> None:
        log.info("worker %s started", self.name)
        try:
            self.engine.prepare()
        except Exception:  # the first job tries again
            log.exception("worker %s could not start its grading process", self.name)
        while not self.stop.is_set():
            try:
                claim = self.queue.claim(self.name)
            except Exception:
                log.exception("worker %s could not reach the queue", self.name)
                self.stop.wait(5 * self.settings.poll_seconds)
                continue
            if claim is None:
                self.queue.wait_for_work(self.settings.poll_seconds)
                continue
            self.handle(claim)
        log.info("worker %s stopped", self.name)

    def handle(self, claim: Claim) -> None:
        log.info("worker %s grades submission %s (attempt %d)", self.name,
                 claim.submission_id, claim.attempt)
        done = threading.Event()
        renewer = threading.Thread(target=self._renew, args=(claim, done), daemon=True)
        renewer.start()
        self.current = claim
        try:
            result = self._grade(claim)
            saved = self.queue.finish(claim, self.name, result.to_json(), result.auto_score,
                                      result.auto_max)
            log.info("submission %s graded: %g/%g", claim.submission_id, result.auto_score,
                     result.auto_max)
        except SandboxUnavailable as exc:  # not the student's doing: grade it again later
            log.warning("submission %s: the sandbox failed (%s); back to the queue",
                        claim.submission_id, exc)
            self.queue.release(claim, self.name, count_attempt=True)
        except GradingInterrupted:  # shutting down: the next worker grades it at once
            if self.queue.release(claim, self.name):
                log.info("worker %s gave submission %s back to the queue", self.name,
                         claim.submission_id)
        except GradingCrashed as exc:  # counted: a submission that always kills it fails
            log.error("submission %s: %s; back to the queue", claim.submission_id, exc)
            self.queue.release(claim, self.name, count_attempt=True)
        except Exception:
            log.error("grading submission %s failed:\n%s", claim.submission_id,
                      traceback.format_exc())
            self.queue.fail(claim, self.name, "the grader failed on this submission; the "
                                              "course staff will look at it")
        else:
            if saved:
                self._sync_gradebook(result.student)
        finally:
            self.current = None
            done.set()
            renewer.join()

    def release(self) -> None:
        """Give the job being graded back to the queue (shutting down before it finished)."""
        claim = self.current
        if claim is not None and self.queue.release(claim, self.name):
            log.info("worker %s gave submission %s back to the queue", self.name,
                     claim.submission_id)

    def _renew(self, claim: Claim, done: threading.Event) -> None:
        while not done.wait(self.settings.lease_seconds / 3):
            try:
                if not self.queue.renew(claim, self.name):
                    log.warning("worker %s lost the lease of job %d", self.name, claim.job_id)
                    return
            except Exception:
                log.exception("lease renewal failed")

    def _grade(self, claim: Claim) -> SubmissionResult:
        with self.db.session() as s:
            row = s.scalar(select(SubmissionRow).where(SubmissionRow.id == claim.submission_id))
        if row is None:
            raise LookupError(f"submission {claim.submission_id} is not in the database")
        data = self.store.read(row.stored_as)
        try:
            submission = to_submission(row.student, row.kind, row.notebook, data)
        except SubmissionError as exc:
            submission = Submission(row.student, problems=[str(exc)])
        notebooks = self.settings.data_dir / "notebooks" / row.id
        # --- H2: notes, artifacts and the late policy at the upload's arrival
        result = self.engine.grade(submission, notebooks)
        return finish_result(self.settings, submission, result, notebooks, row.created_at)
        # --- end H2

    def _sync_gradebook(self, student: str, attempts: int = 3) -> None:
        """Write the student's standing grade (each notebook from their latest graded upload
        holding it) into the nbgrader gradebook.

        Written again if another of the student's uploads was graded meanwhile, so whichever
        worker writes last, the gradebook ends with the standing over all graded uploads.
        """
        if not self.settings.gradebook_url:
            return
        try:
            self._write_standing(student, attempts)
        except Exception:  # the grade is saved; the gradebook catches up with the next one
            log.exception("%s: the gradebook could not be written", student)

    def _write_standing(self, student: str, attempts: int) -> None:
        refused: dict[str, str] = {}
        for attempt in range(1, attempts + 1):
            mark = self._last_graded(student)
            current = standings(self.db, student).get(student)
            if current is None:
                return
            try:  # --- H2: the autograded folder formgrader opens, then the gradebook
                summary = write_standing(self.settings, current)
            except GradebookError as exc:
                log.error("%s: not written to the gradebook: %s", student, exc)
                return
            refused = summary.refused
            if not refused and self._last_graded(student) == mark:
                return
            if refused and attempt < attempts:  # e.g. two workers adding the student at once
                time.sleep(attempt)
        for who, reason in refused.items():
            log.error("%s: not written to the gradebook: %s", who, reason)

    def _last_graded(self, student: str) -> float | None:
        with self.db.session() as s:
            return s.scalar(select(func.max(SubmissionRow.graded_at))
                            .where(SubmissionRow.student == student))


class WorkerPool:
    """n worker threads in this process, each with its own grading process."""

    def __init__(self, settings: ServiceSettings, db: Database, queue: JobQueue, n: int,
                 engine: Callable[[], Engine] | None = None):
        self.settings = settings
        self.db = db
        self.queue = queue
        self.n = n
        self.make_engine = engine or (lambda: ProcessEngine(settings))
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.workers: list[Worker] = []
        self.engine: Engine | None = None

    def start(self) -> None:
        if self.n <= 0:
            return
        engine = self.engine = self.make_engine()
        prefix = f"{socket.gethostname()}:{os.getpid()}"
        for i in range(self.n):
            worker = Worker(f"{prefix}:{i}", self.settings, self.db, self.queue, engine,
                            self.stop)
            thread = threading.Thread(target=worker.run, name=f"grader-{i}", daemon=True)
            thread.start()
            self.threads.append(thread)
            self.workers.append(worker)

    def shutdown(self, timeout: float = 5.0, unwind: float = 40.0) -> None:
        """Stop claiming; after `timeout` seconds stop the grades still running (each grading
        process unwinds its sandbox and the job goes back to the queue, so the next worker
        grades it at once), then end the grading processes and remove the temp folder.
        A crash instead leaves the jobs to their lease and the leftovers to the next start."""
        self.stop.set()
        self.queue.wake()  # idle workers see the stop at once
        self._join(timeout)
        if self.engine is not None and self._alive():
            log.info("stopping %d grades in progress", len(self._alive()))
            self.engine.interrupt()
            self._join(unwind)
        for worker in self.workers:
            try:
                worker.release()
            except Exception:
                log.exception("could not give a job back to the queue")
        if self.engine is not None:
            self.engine.close()

    def _alive(self) -> list[threading.Thread]:
        return [t for t in self.threads if t.is_alive()]

    def _join(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
