"""Leftovers of a grader that died mid-run are cleaned up by the next one."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.sandbox.cgroup import PARENT_NAME, PidsCgroup, pids_root
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
    root = pids_root()
    assert root is not None
    cgroup = PidsCgroup(root, 4, name=f"{pid}-stale")
    cgroup.create()
    try:
        bwrap.reap_stale()
        mounts = Path("/proc/self/mounts").read_text()
        assert str(work / "job") not in mounts
        assert not work.exists()
        assert not (root / PARENT_NAME / f"{pid}-stale").exists()
    finally:
        if str(work / "job") in Path("/proc/self/mounts").read_text():
            bwrap._umount(work / "job")
        cgroup.remove()


@pytest.mark.docker
def test_docker_reaps_stale_containers_and_volumes():
    pytest.importorskip("docker")
    from autograder.sandbox.docker import LABEL, OWNER_LABEL, reap_stale

    box = require("docker")
    client = box.client()
    labels = {LABEL: "io", OWNER_LABEL: f"{socket.gethostname()}:{_dead_pid()}"}
    volume = client.volumes.create(labels=labels)
    container = client.containers.create(box.image, ["true"], labels=labels,
                                         network_mode="none")
    try:
        reap_stale(client)
        names = {c.name for c in client.containers.list(all=True, filters={"label": LABEL})}
        assert container.name not in names
        assert volume.name not in {v.name for v in client.volumes.list()}
    finally:
        for obj in (container, volume):
            try:
                obj.remove(force=True)
            except Exception:
                pass
