"""Grading processes: a crash costs the job, not the caller; a stopped grade unwinds its
clean-up; closing the engine leaves nothing behind. (A fake grader, no sandbox.)"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.engine.grade import GradingOptions
from autograder.engine.results import SubmissionResult
from autograder.engine.submission import Submission
from autograder.service.processes import (
    GraderSpec,
    GradingCrashed,
    GradingFailed,
    GradingInterrupted,
    ProcessEngine,
)
from autograder.service.settings import ServiceSettings


class FakeGrader:
    """crash: the process dies; hang: makes a job folder and waits (until stopped, when
    its `finally` removes the folder, as the engine's does); boom: an engine error."""

    def grade(self, submission: Submission, notebooks_dir):
        if submission.student == "crash":
            os._exit(7)
        if submission.student == "boom":
            raise ValueError("the engine tripped")
        if submission.student == "hang":
            job = Path(tempfile.mkdtemp(prefix="autograder-job-"))
            try:
                (Path(notebooks_dir) / "started").write_text(str(job))
                time.sleep(60)
            finally:
                shutil.rmtree(job)
        return SubmissionResult(submission.student, submission.digest)


@dataclass(frozen=True)
class FakeSpec(GraderSpec):
    def build(self):
        return FakeGrader()


@pytest.fixture
def engine(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    spec = FakeSpec("", "ps1", "bwrap", GradingOptions(), "")
    eng = ProcessEngine(ServiceSettings(data_dir=tmp_path / "data"), spec=spec)
    yield eng
    eng.close()


def test_a_crash_is_the_job_s_error_and_the_next_job_gets_a_new_process(engine):
    assert engine.grade(Submission("alice"), None).student == "alice"
    first = engine.pids
    with pytest.raises(GradingCrashed, match="exit code 7"):
        engine.grade(Submission("crash"), None)
    assert engine.grade(Submission("bob"), None).student == "bob"
    assert engine.pids != first and len(engine.pids) == 1
    with pytest.raises(GradingFailed, match="the engine tripped"):
        engine.grade(Submission("boom"), None)


def test_a_stopped_grade_unwinds_and_says_so(engine, tmp_path):
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    outcome: list[BaseException] = []

    def grade() -> None:
        try:
            engine.grade(Submission("hang"), notebooks)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=grade)
    thread.start()
    deadline = time.monotonic() + 30
    while not (notebooks / "started").exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    job = Path((notebooks / "started").read_text())
    assert job.is_dir() and str(job).startswith(str(engine.temp.path))
    engine.interrupt()
    thread.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], GradingInterrupted)
    assert not job.exists()  # the grading process ran its clean-up
    assert engine.pids == []


def test_closing_the_engine_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    spec = FakeSpec("", "ps1", "bwrap", GradingOptions(), "")
    eng = ProcessEngine(ServiceSettings(data_dir=tmp_path / "data"), spec=spec)
    eng.prepare()
    pids = eng.pids
    assert len(pids) == 1 and eng.temp.path.is_dir()
    eng.close()
    assert not eng.temp.path.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)


PARENT = """
import sys, tempfile
from pathlib import Path
from autograder.engine.grade import GradingOptions
from autograder.engine.submission import Submission
from autograder.service.processes import ProcessEngine
from autograder.service.settings import ServiceSettings
from tests.autograder.service.test_processes import FakeSpec

if __name__ == "__main__":
    tempfile.tempdir = sys.argv[1]
    spec = FakeSpec("", "ps1", "bwrap", GradingOptions(), "")
    engine = ProcessEngine(ServiceSettings(data_dir=Path(sys.argv[1]) / "data"), spec=spec)
    engine.grade(Submission("hang"), Path(sys.argv[2]))
"""


@pytest.mark.slow
def test_a_killed_service_s_grading_process_cleans_up_and_ends(tmp_path):
    """SIGKILL to the service: the kernel tells its grading process (PR_SET_PDEATHSIG),
    which unwinds its grade (here: removes its job folder) and exits."""
    import signal
    import subprocess
    import sys

    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    repo = str(Path(__file__).resolve().parents[3])
    parent = subprocess.Popen([sys.executable, str(script), str(tmp_path), str(notebooks)],
                              env={**os.environ, "PYTHONPATH": repo})
    try:
        deadline = time.monotonic() + 60
        while not (notebooks / "started").exists():
            assert parent.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        job = Path((notebooks / "started").read_text())
        children = [int(c) for c in Path(f"/proc/{parent.pid}/task/{parent.pid}/children")
                    .read_text().split()]
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 30
        while job.exists() or any(Path(f"/proc/{c}").exists() for c in children):
            assert time.monotonic() < deadline, "the grading process outlived the service"
            time.sleep(0.05)
    finally:
        parent.kill()
