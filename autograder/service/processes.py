"""Grading in worker processes: the API process (and a worker's queue threads) never run
the engine themselves, so whatever grading does (a crash, memory exhaustion, a hung
library) costs one grading process and its job, never the API.

Each queue thread has its own grading process (spawned, in its own process group), which:

- grades one submission at a time and sends back the result as JSON;
- on SIGTERM (sent by the service on shutdown, or by the kernel when the service dies:
  PR_SET_PDEATHSIG) stops the grade where it is, so the sandbox and the engine unwind their
  clean-up (the sandbox's processes, cgroup, scratch mount, the job folder), answers
  "interrupted" and exits;
- makes its temp files in the service's private temp folder (autograder.engine.scratch),
  where a grade killed too hard to clean up is found and removed by the next start.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import threading
import traceback
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from autograder.engine import scratch
from autograder.engine.course import AssignmentCopy
from autograder.engine.grade import Grader, GradingOptions
from autograder.engine.results import SubmissionResult
from autograder.engine.submission import Submission
from autograder.sandbox import SandboxUnavailable, get_sandbox
from autograder.service.grading import grading_options
from autograder.service.settings import ServiceSettings

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
STOP_SECONDS = 30.0  # a stopped grade unwinds its sandbox; then the process is killed


class GradingInterrupted(Exception):  # noqa: N818 - a state, not a fault
    """The grading process was stopped before it finished (the service is shutting down)."""


class GradingCrashed(Exception):  # noqa: N818
    """The grading process died while grading (killed, out of memory, a crash)."""


class GradingFailed(Exception):  # noqa: N818
    """The engine raised an error on this submission (the child's traceback is the text)."""


class Engine(Protocol):
    """What a queue worker grades with."""

    def prepare(self) -> None: ...
    def grade(self, submission: Submission, notebooks_dir: Path | None
              ) -> SubmissionResult: ...
    def interrupt(self) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class GraderSpec:
    """How a grading process builds its grader (pickled to the child)."""

    course_root: str
    assignment: str
    sandbox: str
    options: GradingOptions
    tmpdir: str
    log_level: int = logging.INFO

    def build(self) -> Any:
        """The grader, warmed up: what its first grade would import is imported now (nbgrader
        takes seconds), so a fresh grading process grades its first upload as fast as its
        next."""
        import nbgrader.preprocessors  # noqa: F401

        course = AssignmentCopy.existing(Path(self.course_root), self.assignment)
        grader = Grader(course, get_sandbox(self.sandbox, self.options.sandbox_settings),
                        self.options)
        grader.warm_up()  # the reference's outcomes on every check: once per process
        return grader


# ---------------------------------------------------------------- the child


class _Stop(BaseException):  # noqa: N818 - BaseException: no `except Exception` swallows it
    """Raised in the grading process by SIGTERM."""


def _stop(_signum: int, _frame: Any) -> None:
    raise _Stop


def _die_with_parent(parent: int) -> None:
    """SIGTERM when the service dies (even by SIGKILL), so the grade unwinds its sandbox."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        log.warning("no PR_SET_PDEATHSIG: a grading process may outlive a killed service")
    if os.getppid() != parent:  # it died before the line above
        raise _Stop


def child_main(conn: Connection, spec: GraderSpec, parent: int) -> None:
    """The grading process: requests (submission, notebooks_dir) in, replies out."""
    os.setpgrp()  # Ctrl-C or a signal to the service's group does not cut a grade short
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    logging.basicConfig(level=spec.log_level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("autograder.sandbox").setLevel(max(spec.log_level, logging.WARNING))
    try:
        _die_with_parent(parent)
        lock = scratch.hold(Path(spec.tmpdir))
        scratch.use_folder(Path(spec.tmpdir))
        grader = spec.build()
        _serve(conn, grader)
        os.close(lock)
    except (_Stop, EOFError, OSError):
        pass


def _serve(conn: Connection, grader: Any) -> None:
    while True:
        request = conn.recv()
        if request is None:
            return
        submission, notebooks_dir = request
        try:
            result = grader.grade(submission, Path(notebooks_dir) if notebooks_dir else None)
            reply: tuple[str, str] = ("ok", result.to_json())
        except _Stop:
            conn.send(("interrupted", ""))
            return
        except SandboxUnavailable as exc:
            reply = ("sandbox", str(exc))
        except Exception:
            reply = ("error", traceback.format_exc())
        conn.send(reply)


# ---------------------------------------------------------------- the parent


class GradingProcess:
    """One grading process, used by one thread at a time; started again after it died."""

    def __init__(self, spec: GraderSpec, name: str):
        self.spec = spec
        self.name = name
        self.proc: Any = None
        self.conn: Connection | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.is_alive()

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a threaded server
        ours, theirs = context.Pipe()
        proc = context.Process(target=child_main, args=(theirs, self.spec, os.getpid()),
                               name=self.name, daemon=True)
        proc.start()
        theirs.close()
        self.proc, self.conn = proc, ours
        log.info("grading process %s started (pid %d)", self.name, proc.pid)

    def grade(self, submission: Submission, notebooks_dir: Path | None) -> SubmissionResult:
        if not self.alive():
            self._discard()
            self.start()
        assert self.conn is not None
        try:
            self.conn.send((submission, str(notebooks_dir) if notebooks_dir else None))
            kind, payload = self._receive()
        except (EOFError, OSError):
            code = self._discard()
            raise GradingCrashed(f"the grading process died (exit code {code})") from None
        if kind == "ok":
            return SubmissionResult.from_json(payload)
        if kind == "sandbox":
            raise SandboxUnavailable(payload)
        if kind == "interrupted":
            self._discard()
            raise GradingInterrupted("the grading process was stopped")
        raise GradingFailed(payload)

    def _receive(self) -> tuple[str, str]:
        assert self.conn is not None
        while not self.conn.poll(0.5):
            if not self.proc.is_alive() and not self.conn.poll(0):
                raise EOFError
        return self.conn.recv()

    def interrupt(self) -> None:
        """Stop the grade in progress (the child unwinds its sandbox and exits)."""
        if self.alive():
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """End the process: asked nicely, then SIGTERM (a grade unwinds), then SIGKILL."""
        if self.proc is None:
            return
        if self.alive() and self.conn is not None:
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.proc.join(5.0)  # an interpreter with numpy loaded takes a moment to exit
        if self.alive():
            self.interrupt()
            self.proc.join(timeout)
        if self.alive():
            log.error("grading process %s did not stop: killed", self.name)
            self.proc.kill()
            self.proc.join(5.0)
        self._discard()

    def _discard(self) -> int | None:
        code = None
        if self.proc is not None:
            self.proc.join(5.0)
            code = self.proc.exitcode
        if self.conn is not None:
            self.conn.close()
        self.proc, self.conn = None, None
        return code


class ProcessEngine:
    """The service's engine: a grading process per calling thread, the assignment copy and
    every temp file in a private temp folder; dead graders' leftovers reaped on start."""

    def __init__(self, settings: ServiceSettings, spec: GraderSpec | None = None):
        """spec: how the grading processes build their grader (tests); its tmpdir is
        replaced by this engine's private folder."""
        self.settings = settings
        scratch.reap_leftovers(settings.sandbox)
        self.temp = scratch.PrivateTemp()
        self.course: AssignmentCopy | None = None
        try:
            if spec is None:
                get_sandbox(settings.sandbox, settings).check()
                self.course = AssignmentCopy(settings.course_root, settings.assignment,
                                             workdir=self.temp.path / "course")
                spec = GraderSpec(str(self.course.root), settings.assignment, settings.sandbox,
                                  grading_options(settings), str(self.temp.path),
                                  logging.getLogger("autograder").getEffectiveLevel())
        except BaseException:
            self.temp.close()
            raise
        self.spec = replace(spec, tmpdir=str(self.temp.path))
        self._local = threading.local()
        self._lock = threading.Lock()
        self._processes: list[GradingProcess] = []

    def _mine(self) -> GradingProcess:
        process = getattr(self._local, "process", None)
        if process is None:
            with self._lock:
                process = GradingProcess(self.spec, f"grader-{len(self._processes)}")
                self._processes.append(process)
            self._local.process = process
        return process

    def prepare(self) -> None:
        """Start the calling thread's grading process now (not with the first job)."""
        process = self._mine()
        if not process.alive():
            process.start()

    def grade(self, submission: Submission, notebooks_dir: Path | None) -> SubmissionResult:
        return self._mine().grade(submission, notebooks_dir)

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return [p.pid for p in self._processes if p.alive() and p.pid]

    def interrupt(self) -> None:
        """Stop every grade in progress (each answers "interrupted" to its thread)."""
        with self._lock:
            processes = list(self._processes)
        for process in processes:
            process.interrupt()

    def close(self) -> None:
        """Stop the grading processes, then remove the private temp folder (the course copy
        and any job folder in it); the sandbox's reaper first removes what a killed grading
        process left mounted there."""
        with self._lock:
            processes, self._processes = list(self._processes), []
        for process in processes:
            process.stop()
        if scratch.mounts_under(self.temp.path):
            scratch.reap_sandbox(self.settings.sandbox)
        self.temp.close()
