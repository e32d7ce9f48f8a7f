"""A backend that cannot isolate refuses, loudly, and never runs the code unsandboxed."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from autograder.sandbox import Limits, SandboxUnavailable, get_sandbox
from autograder.sandbox.bwrap import PER_PROCESS_MEMORY_ENV, BwrapSandbox
from autograder.sandbox.docker import DockerSandbox
from tests.autograder.sandbox.conftest import require


def _refuses(box, job: Path, match: str) -> None:
    """check() and run() both raise SandboxUnavailable, and the command never ran."""
    with pytest.raises(SandboxUnavailable, match=match):
        box.check()
    marker = job / "ran"
    with pytest.raises(SandboxUnavailable, match=match):
        box.run(job, ["python", "-c", f"open({str(marker)!r}, 'w').write('x')"], Limits())
    assert not marker.exists()


def test_get_sandbox_names():
    assert get_sandbox().name == "bwrap"
    assert get_sandbox("bwrap").name == "bwrap"
    assert get_sandbox("docker").name == "docker"
    with pytest.raises(ValueError, match="unknown sandbox"):
        get_sandbox("none")


def test_bwrap_refuses_without_bwrap(monkeypatch, tmp_path, job):
    require("bwrap")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    _refuses(BwrapSandbox(), job, "bwrap not found.*bubblewrap")


def test_bwrap_refuses_without_runtime(monkeypatch, tmp_path, job):
    require("bwrap")
    monkeypatch.setenv("AUTOGRADER_SANDBOX_RUNTIME", str(tmp_path / "no-runtime"))
    _refuses(BwrapSandbox(), job, "runtime .* is missing.*sandbox-runtime.sh")


def test_bwrap_refuses_when_not_root(monkeypatch, job):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    _refuses(BwrapSandbox(), job, "must run as root")


def test_bwrap_refuses_without_pids_cgroup(monkeypatch, tmp_path, job):
    require("bwrap")
    monkeypatch.setenv("AUTOGRADER_SANDBOX_PIDS_CGROUP", str(tmp_path / "no-cgroup"))
    _refuses(BwrapSandbox(), job, "pids cgroup")


def test_bwrap_refuses_without_memory_cgroup(monkeypatch, tmp_path, job):
    """RLIMIT_AS alone binds each process, not the notebook: without a memory cgroup the
    backend refuses, naming the fix and the explicit opt-in."""
    require("bwrap")
    monkeypatch.setenv("AUTOGRADER_SANDBOX_MEMORY_CGROUP", str(tmp_path / "no-cgroup"))
    monkeypatch.delenv(PER_PROCESS_MEMORY_ENV, raising=False)
    _refuses(BwrapSandbox(), job, "memory cgroup.*each process alone.*Delegate=yes.*"
             "--allow-per-process-memory")


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_bwrap_runs_with_per_process_memory_when_the_operator_allows_it(monkeypatch, tmp_path,
                                                                        job, how):
    require("bwrap")
    monkeypatch.setenv("AUTOGRADER_SANDBOX_MEMORY_CGROUP", str(tmp_path / "no-cgroup"))
    if how == "environment":
        monkeypatch.setenv(PER_PROCESS_MEMORY_ENV, "1")
        box = BwrapSandbox()
    else:
        box = BwrapSandbox(per_process_memory_only=True)
    box.check()
    result = box.run(job, ["python", "-c", "print('ran')"], Limits())
    assert result.ok and result.stdout == "ran\n"
    assert result.memory_peak_bytes is None  # no memory cgroup measured it


def test_cli_refuses_without_memory_cgroup_unless_allowed(monkeypatch, tmp_path):
    from autograder.cli import main

    require("bwrap")
    monkeypatch.setenv("AUTOGRADER_SANDBOX_MEMORY_CGROUP", str(tmp_path / "no-cgroup"))
    monkeypatch.delenv(PER_PROCESS_MEMORY_ENV, raising=False)
    missing = str(tmp_path / "no-submissions")
    sandbox_log = logging.getLogger("autograder.sandbox")
    level = sandbox_log.level  # main() quiets the sandbox's log
    try:
        assert main(["grade", missing, "--out", str(tmp_path / "out")]) == 3  # refused
        # allowed: the sandbox is accepted, and the missing folder is the next complaint
        assert main(["grade", missing, "--out", str(tmp_path / "out"),
                     "--allow-per-process-memory"]) == 2
    finally:
        sandbox_log.setLevel(level)


def test_bwrap_refuses_without_python(job, tmp_path):
    require("bwrap")
    _refuses(BwrapSandbox(python_prefix=tmp_path), job, "sandbox Python .* is missing")


def test_docker_refuses_without_daemon(monkeypatch, tmp_path, job):
    pytest.importorskip("docker")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-such.sock")
    _refuses(DockerSandbox(), job, "no Docker daemon answers")


@pytest.mark.docker
def test_docker_refuses_without_image(job):
    pytest.importorskip("docker")
    require("docker")
    _refuses(DockerSandbox("cs224n/no-such-image:never"), job, "is missing: build it")


def test_bwrap_command_line(tmp_path):
    """The command line has every isolation flag, and no host path but the allowed ones."""
    box = BwrapSandbox(runtime=tmp_path / "site")
    runner = tmp_path / "runner.py"
    runner.write_text("")
    cmd = box.command(["python", "/opt/grader/runner.py"], Limits(), scratch=tmp_path / "job",
                      etc_dir=tmp_path, seccomp_fd=3,
                      runtime_files={"/opt/grader/runner.py": runner})
    for flag in ("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                 "--die-with-parent", "--new-session", "--clearenv"):
        assert flag in cmd
    assert cmd[cmd.index("--seccomp") + 1] == "3"
    setpriv = cmd.index("--", cmd.index("--seccomp"))
    assert Path(cmd[setpriv + 1]).name == "setpriv"
    assert "--no-new-privs" in cmd and "--bounding-set=-all" in cmd
    assert cmd[-2:] == [str(box.python), "/opt/grader/runner.py"]
    sources = [cmd[i + 1] for i, arg in enumerate(cmd) if arg in ("--ro-bind", "--bind",
                                                                   "--ro-bind-try")]
    allowed = ("/usr", "/etc/", str(box.python_prefix), str(tmp_path))
    assert all(src.startswith(allowed) for src in sources), sources
    # writable binds: only the scratch at /job
    rw = [(cmd[i + 1], cmd[i + 2]) for i, arg in enumerate(cmd) if arg == "--bind"]
    assert rw == [(str(tmp_path / "job"), "/job")]
