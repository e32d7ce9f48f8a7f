"""Sandboxes for hostile student code: one interface, two backends (``bwrap``, ``docker``).

    from autograder.sandbox import Limits, get_sandbox
    box = get_sandbox("bwrap")
    box.check()                      # SandboxUnavailable if it cannot isolate here
    result = box.run(job_dir, ["python", "/opt/grader/runner.py"], Limits(wall_seconds=60),
                     runtime_files={"/opt/grader/runner.py": Path("autograder/kernel/runner.py")})

See :mod:`autograder.sandbox.base` for what a run sees and guarantees. The backends' options
(runtime folder, uid, cgroups, image, ...) are :class:`autograder.settings.SandboxSettings`.
"""

from __future__ import annotations

from typing import get_args

from autograder.sandbox.base import (
    GRADER_DIR,
    JOB_DIR,
    Limits,
    RunResult,
    Sandbox,
    SandboxUnavailable,
)
from autograder.settings import Backend, SandboxSettings, declared_default

BACKENDS: tuple[str, ...] = get_args(Backend)
"""The backend names :func:`get_sandbox` knows."""

DEFAULT_BACKEND: str = declared_default("sandbox")


def get_sandbox(name: str = DEFAULT_BACKEND, settings: SandboxSettings | None = None
                ) -> Sandbox:
    """A backend by name: ``"bwrap"`` (default, embedded) or ``"docker"`` (needs a daemon),
    with the options of ``settings`` (default: read from the environment)."""
    if name == "bwrap":
        from autograder.sandbox.bwrap import BwrapSandbox

        return BwrapSandbox(settings=settings)
    if name == "docker":
        from autograder.sandbox.docker import DockerSandbox

        return DockerSandbox(settings=settings)
    raise ValueError(f"unknown sandbox backend {name!r} (known: {', '.join(BACKENDS)})")


__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "GRADER_DIR",
    "JOB_DIR",
    "Limits",
    "RunResult",
    "Sandbox",
    "SandboxUnavailable",
    "get_sandbox",
]
