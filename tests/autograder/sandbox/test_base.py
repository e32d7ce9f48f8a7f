"""The start every backend's run() shares (Sandbox.start_run): argument checks, the backend's
own check, and the sweep for killed graders' leftovers when it is due."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.sandbox import base
from autograder.sandbox.base import RunResult, Sandbox, SandboxUnavailable


class Counting(Sandbox):
    """A backend that only counts what the shared start asks of it."""

    name = "counting"

    def __init__(self, available: bool = True) -> None:
        self.available = available
        self.checks = 0
        self.reaps = 0

    def check(self) -> None:
        self.checks += 1
        if not self.available:
            raise SandboxUnavailable("not here")

    def reap(self) -> None:
        self.reaps += 1

    def run(self, job_dir, argv, limits, env=None, runtime_files=None) -> RunResult:
        raise NotImplementedError


def test_the_start_checks_its_arguments_before_the_backend(tmp_path):
    box = Counting()
    runner = tmp_path / "runner.py"
    runner.write_text("pass")
    job_dir, files = box.start_run(tmp_path, ["python"], {"/opt/grader/runner.py": runner})
    assert job_dir == tmp_path.resolve() and files == {"/opt/grader/runner.py": runner.resolve()}
    with pytest.raises(ValueError, match="argv is empty"):
        box.start_run(tmp_path, [], None)
    with pytest.raises(NotADirectoryError):
        box.start_run(tmp_path / "missing", ["python"], None)
    with pytest.raises(ValueError, match="under /opt/grader"):
        box.start_run(tmp_path, ["python"], {"/etc/runner.py": runner})
    assert box.checks == 1  # refused arguments never reach the backend
    with pytest.raises(SandboxUnavailable):
        Counting(available=False).start_run(tmp_path, ["python"], None)


def test_leftovers_are_swept_once_or_every_reap_every_seconds(tmp_path, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(base.time, "monotonic", lambda: now[0])
    once, periodic = Counting(), Counting()
    periodic.reap_every = 300.0
    for _ in range(3):
        once.start_run(tmp_path, ["python"], None)
        periodic.start_run(tmp_path, ["python"], None)
        now[0] += 200.0
    assert once.reaps == 1  # the default: before the first run only
    assert periodic.reaps == 2  # at 1000 and at 1400 (more than 300 s after 1000)
    unavailable = Counting(available=False)
    with pytest.raises(SandboxUnavailable):
        unavailable.start_run(Path(tmp_path), ["python"], None)
    assert unavailable.reaps == 0  # nothing is swept by a backend that cannot run
