"""Leftovers of a grader that died mid-run are cleaned up by the next one."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.sandbox.cgroup import RunCgroups
from tests.autograder.sandbox.conftest import require


def _dead_pid() -> int:
    """The pid of a process that has exited (reuse within the test is improbable)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_bwrap_reaps_stale_mounts_and_cgroups():
    from autograder.sandbox import bwrap

    require("bwrap")
    pid = _dead_pid()
    work = Path(tempfile.mkdtemp(prefix=f"cs224n-sandbox-{pid}-"))
    (work / "job").mkdir()
    bwrap._mount_tmpfs(work / "job", 1024 * 1024, 65534, 65534)
    stale = RunCgroups(4, 64 * 1024**2, cpu=True, name=f"{pid}-stale")
    stale.create()
    live = RunCgroups(4, 64 * 1024**2, cpu=True)  # this process's: kept
    live.create()
    try:
        assert {c for g in stale.groups for c in g.controllers} == {"pids", "memory", "cpu"}
        bwrap.reap_stale()
        mounts = Path("/proc/self/mounts").read_text()
        assert str(work / "job") not in mounts
        assert not work.exists()
        assert not any(group.path.exists() for group in stale.groups)
        assert all(group.path.exists() for group in live.groups)
    finally:
        if str(work / "job") in Path("/proc/self/mounts").read_text():
            bwrap._umount(work / "job")
        stale.remove()
        live.remove()


@pytest.mark.docker
def test_docker_reaps_stale_containers_and_volumes():
    """Reaped: this host's leftovers whose grader is dead, and another host's (a killed
    worker container's) once expired. Kept: another host's that may still be in use."""
    pytest.importorskip("docker")
    from autograder.sandbox.docker import EXPIRES_LABEL, LABEL, OWNER_LABEL, reap_stale

    box = require("docker")
    client = box.client()
    now = int(time.time())
    owners = {
        "dead_here": {OWNER_LABEL: f"{socket.gethostname()}:{_dead_pid()}",
                      EXPIRES_LABEL: str(now + 3600)},
        "expired_elsewhere": {OWNER_LABEL: "worker-gone:7", EXPIRES_LABEL: str(now - 1)},
        "live_elsewhere": {OWNER_LABEL: "worker-busy:7", EXPIRES_LABEL: str(now + 3600)},
    }
    made = {}
    try:
        for name, owner in owners.items():
            # volumes: what versions before the one-container run made (still swept)
            labels = {LABEL: "run", **owner}
            made[name] = (client.containers.create(box.image, ["true"], labels=labels,
                                                   network_mode="none"),
                          client.volumes.create(labels=labels))
        reap_stale(client)
        containers = {c.name for c in client.containers.list(all=True, filters={"label": LABEL})}
        volumes = {v.name for v in client.volumes.list(filters={"label": LABEL})}
        left = {name for name, (c, v) in made.items()
                if c.name in containers or v.name in volumes}
        assert left == {"live_elsewhere"}
    finally:
        for pair in made.values():
            for obj in pair:
                try:
                    obj.remove(force=True)
                except Exception:
                    pass


@pytest.mark.docker
def test_docker_runs_leave_no_container_or_volume_however_they_end(tmp_path, monkeypatch):
    """A normal run, a timed-out one and one whose bootstrap refuses its request: nothing of
    this grader is left in the daemon afterwards (one container per run, no volume)."""
    pytest.importorskip("docker")
    from autograder.sandbox import Limits, SandboxUnavailable
    from autograder.sandbox import docker as backend

    box = require("docker")
    client = box.client()
    mine = {"label": f"{backend.OWNER_LABEL}={backend._owner()}"}
    seen: list[str] = []
    create = backend._create_and_start

    def spy(*args, **kwargs):
        made = create(*args, **kwargs)
        seen.append(made[0].id)
        return made

    monkeypatch.setattr(backend, "_create_and_start", spy)

    def left() -> tuple[list, list]:
        return (client.containers.list(all=True, filters=mine),
                client.volumes.list(filters=mine))

    job = tmp_path / "job"
    job.mkdir()
    box.run(job, ["python", "-c", "print('hi')"], Limits(wall_seconds=60.0))
    assert left() == ([], [])
    result = box.run(job, ["python", "-c", "import time; time.sleep(60)"],
                     Limits(wall_seconds=2.0))
    assert result.timed_out and left() == ([], [])
    monkeypatch.setattr(backend, "_request", lambda *args: b"not a request, nothing like one")
    with pytest.raises(SandboxUnavailable, match="not a request"):
        box.run(job, ["python", "-c", "pass"], Limits(wall_seconds=60.0))
    assert left() == ([], [])
    assert len(seen) == 3
