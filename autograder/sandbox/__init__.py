"""Sandboxes for hostile student code: one interface, two backends (``bwrap``, ``docker``).

    from autograder.sandbox import Limits, get_sandbox
    box = get_sandbox("bwrap")
    box.check()                      # SandboxUnavailable if it cannot isolate here
    result = box.run(job_dir, ["python", "/opt/grader/runner.py"], Limits(wall_seconds=60),
                     runtime_files={"/opt/grader/runner.py": Path("autograder/kernel/runner.py")})

See :mod:`autograder.sandbox.base` for what a run sees and guarantees.
"""

from __future__ import annotations

from autograder.sandbox.base import (
    GRADER_DIR,
    JOB_DIR,
    Limits,
    RunResult,
    Sandbox,
    SandboxUnavailable,
)

BACKENDS = ("bwrap", "docker")
"""The backend names :func:`get_sandbox` knows; the first is the default."""

DEFAULT_BACKEND = "bwrap"


def get_sandbox(name: str = DEFAULT_BACKEND) -> Sandbox:
    """A backend by name: ``"bwrap"`` (default, embedded) or ``"docker"`` (needs a daemon)."""
    if name == "bwrap":
        from autograder.sandbox.bwrap import BwrapSandbox

        return BwrapSandbox()
    if name == "docker":
        from autograder.sandbox.docker import DockerSandbox

        return DockerSandbox()
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
