"""Fixtures for the sandbox tests: each backend, checked once, and a helper to run Python in it.

A backend that cannot isolate here is skipped with its reason -- except bwrap under CI, where
it must work (scripts/setup.sh installs bubblewrap and the runtime), so it fails instead.
Docker tests carry the ``docker`` marker and skip when no daemon answers or the kernel image is
missing.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from autograder.sandbox import Limits, RunResult, Sandbox, SandboxUnavailable, get_sandbox

SMALL = Limits(
    memory_bytes=512 * 1024**2,
    pids=32,
    wall_seconds=60.0,
    cpu_seconds=60,
    file_bytes=16 * 1024**2,
    scratch_bytes=32 * 1024**2,
    open_files=64,
)
"""Limits for the probes: small, so that a broken limit fails a test, not the machine."""

_checked: dict[str, str | None] = {}


def _available(name: str) -> str | None:
    """None if the backend works here, else why not (checked once per session)."""
    if name not in _checked:
        try:
            get_sandbox(name).check()
            _checked[name] = None
        except SandboxUnavailable as exc:
            _checked[name] = str(exc)
    return _checked[name]


def require(name: str) -> Sandbox:
    """The backend, or skip (fail for bwrap under CI) with the reason it is unavailable."""
    reason = _available(name)
    if reason is not None:
        if name == "bwrap" and os.environ.get("CI"):
            pytest.fail(f"the bwrap sandbox must work in CI: {reason}")
        pytest.skip(f"{name} sandbox unavailable: {reason}")
    return get_sandbox(name)


@pytest.fixture(params=["bwrap", pytest.param("docker", marks=pytest.mark.docker)])
def box(request: pytest.FixtureRequest) -> Sandbox:
    """Each backend in turn."""
    return require(request.param)


@pytest.fixture
def job(tmp_path: Path) -> Path:
    """An empty job folder on the host."""
    path = tmp_path / "job"
    path.mkdir()
    return path


RunPy = Callable[..., RunResult]


@pytest.fixture
def run_py(box: Sandbox, job: Path) -> RunPy:
    """``run_py(code, **limit_overrides)``: run dedented Python code in the sandbox."""

    def run(code: str, runtime_files: dict[str, Path] | None = None, **overrides: object
            ) -> RunResult:
        limits = Limits(**{**SMALL.__dict__, **overrides})
        return box.run(job, ["python", "-c", textwrap.dedent(code)], limits,
                       runtime_files=runtime_files)

    return run


def host_processes_with(marker: str) -> list[int]:
    """Host pids whose command line contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(entry.name))
    return found
