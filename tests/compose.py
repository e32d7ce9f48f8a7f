"""Helpers for the tests that drive docker-compose (marker `docker`; CI starts a daemon)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess

import pytest


def compose_command() -> list[str]:
    """`docker-compose` (Debian's) or `docker compose`, whichever answers."""
    for candidate in (["docker-compose"], ["docker", "compose"]):
        if shutil.which(candidate[0]):
            probe = subprocess.run([*candidate, "version"], capture_output=True)
            if probe.returncode == 0:
                return candidate
    _missing("docker-compose is not installed")
    raise AssertionError("unreachable")


def compose_env(**extra: str) -> dict[str, str]:
    """The environment for docker-compose.yml: this process's, plus what the file requires
    and the tests' stacks need: a POSTGRES_PASSWORD (random, unless set) and the public check
    seed allowed (the tests grade on it knowingly; the service refuses it otherwise)."""
    env = dict(os.environ, **extra)
    env.setdefault("POSTGRES_PASSWORD", secrets.token_hex(16))
    env.setdefault("AUTOGRADER_ALLOW_PUBLIC_SEED", "1")
    return env


def require_docker(*images: str) -> None:
    """Skip (fail in CI) unless a daemon answers and the images are built."""
    import docker

    try:
        client = docker.from_env()
        client.ping()
    except Exception as exc:  # no daemon: CI starts one (.ci/run)
        _missing(f"no Docker daemon: {exc}")
    for image in images:
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            _missing(f"image {image} is not built (see docker/README.md)")


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must provide it)")
    pytest.skip(message)
