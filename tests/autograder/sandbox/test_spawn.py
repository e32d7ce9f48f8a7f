"""How the bwrap backend starts a run: /bin/sh joins the cgroups, prlimit sets the rlimits,
then bwrap; no ``preexec_fn`` (which forked the whole grading process for every run)."""

from __future__ import annotations

import os
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from autograder.sandbox import Limits, SandboxUnavailable
from autograder.sandbox.base import wait_exited
from autograder.sandbox.bwrap import BwrapSandbox, _read_ready, spawn_command
from autograder.sandbox.cgroup import RunCgroups
from tests.autograder.sandbox.conftest import SMALL, require


def _spawn(cmd: list[str], procs: list[str], limits: Limits) -> tuple[bool, str]:
    """(the shell said ok, the command's stdout)."""
    ready_read, ready_write = os.pipe()
    proc = subprocess.Popen(spawn_command(cmd, procs, limits), stdin=ready_write,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True)
    os.close(ready_write)
    joined = _read_ready(ready_read)
    os.close(ready_read)
    out, _ = proc.communicate(timeout=30)
    return joined, out.decode()


def test_the_command_runs_with_the_limits_and_nothing_to_write_back(tmp_path):
    limits = Limits(memory_bytes=300 * 1024**2, cpu_seconds=7, file_bytes=1024**2,
                    open_files=50)
    probe = textwrap.dedent("""
        import os, resource, sys
        print(*(resource.getrlimit(r) for r in (resource.RLIMIT_AS, resource.RLIMIT_CPU,
              resource.RLIMIT_FSIZE, resource.RLIMIT_NOFILE, resource.RLIMIT_CORE)))
        print(repr(sys.stdin.read()), sorted(os.listdir('/proc/self/fd')))
    """)
    joined, out = _spawn(["python3", "-c", probe], [], limits)
    assert joined
    lines = out.splitlines()
    expected = [(soft, hard) for _, soft, hard in limits.rlimits()]
    assert lines[0] == " ".join(str(pair) for pair in expected)
    # stdin is /dev/null by then (the ready pipe is gone); nothing else is inherited
    assert lines[1] == "'' ['0', '1', '2', '3']"  # 3: listdir's own descriptor


def test_a_cgroup_that_cannot_be_joined_stops_before_the_command(tmp_path):
    marker = tmp_path / "ran"
    joined, _ = _spawn(["touch", str(marker)], [str(tmp_path / "missing" / "cgroup.procs")],
                       Limits())
    assert not joined and not marker.exists()


def test_the_run_is_in_every_cgroup_from_the_start(tmp_path):
    require("bwrap")
    box = BwrapSandbox()
    controllers = box._probe_cgroups()
    cgroups = RunCgroups(8, 256 * 1024**2 if "memory" in controllers else None,
                         cpu="cpu" in controllers)
    cgroups.create()
    try:
        joined, out = _spawn(["cat", "/proc/self/cgroup"], cgroups.procs_files(), SMALL)
    finally:
        cgroups.kill_all()
        cgroups.remove()
    assert joined
    for controller in controllers:
        line = next(x for x in out.splitlines() if controller in x.split(":")[1].split(","))
        assert line.endswith(f"/cs224n-sandbox/{cgroups.name}"), line


def test_bwrap_refuses_a_run_whose_cgroups_cannot_be_joined(monkeypatch, tmp_path):
    require("bwrap")
    job = tmp_path / "job"
    job.mkdir()
    monkeypatch.setattr(RunCgroups, "procs_files",
                        lambda self: [str(tmp_path / "gone" / "cgroup.procs")])
    with pytest.raises(SandboxUnavailable, match="could not join its cgroups"):
        BwrapSandbox().run(job, ["python", "-c", "open('ran', 'w')"], SMALL)
    assert not (job / "ran").exists()


def test_no_preexec_fn_no_fork_of_the_grader(monkeypatch, tmp_path):
    """Popen gets no preexec_fn (which forces a fork of this whole process per run)."""
    require("bwrap")
    seen: list[dict] = []
    real = subprocess.Popen

    class Spy(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            seen.append(kwargs)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Spy)
    job = tmp_path / "job"
    job.mkdir()
    result = BwrapSandbox().run(job, ["python", "-c", "print('ran')"], SMALL)
    assert result.exit_code == 0 and "ran" in result.stdout
    bwrap_runs = [k for k in seen if k.get("start_new_session")]
    assert bwrap_runs and all(k.get("preexec_fn") is None for k in bwrap_runs)


def test_ready_reader():
    for payload, expected in ((b"ok", True), (b"", False), (b"no", False), (b"ok" * 20, False)):
        r, w = os.pipe()
        os.write(w, payload)
        os.close(w)
        assert _read_ready(r) is expected
        os.close(r)


def test_spawn_command_shape():
    cmd = spawn_command(["bwrap", "x"], ["/a/cgroup.procs", "/b/cgroup.procs"], Limits())
    assert cmd[:3] == ["/bin/sh", "-c", cmd[2]] and cmd[3] == "sh"
    assert cmd[4:7] == ["/a/cgroup.procs", "/b/cgroup.procs", "--"]
    assert Path(cmd[7]).name == "prlimit" and cmd[-3:] == ["--", "bwrap", "x"]


def test_wait_exited_gives_the_status_without_polling(monkeypatch):
    """Popen.wait(timeout) sleeps in steps up to 50 ms and sees the end late; wait_exited
    wakes on a pidfd (it never sleeps)."""
    proc = subprocess.Popen(["sh", "-c", "sleep 0.2; exit 3"])

    def no_sleep(seconds):
        raise AssertionError(f"polled: time.sleep({seconds})")

    monkeypatch.setattr(time, "sleep", no_sleep)
    assert wait_exited(proc, 30) == 3


def test_wait_exited_times_out_and_falls_back(monkeypatch):
    proc = subprocess.Popen(["sleep", "30"])
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            wait_exited(proc, 0.2)
    finally:
        proc.kill()
    assert wait_exited(proc, 10) == -9  # Popen's returncode: killed by SIGKILL

    def no_pidfd(pid):
        raise OSError("no pidfd here")

    monkeypatch.setattr(os, "pidfd_open", no_pidfd)
    quick = subprocess.Popen(["true"])
    assert wait_exited(quick, 10) == 0
