"""The container sandbox (the fallback inside Gradescope's unprivileged container), on this host.

It needs root (it drops to a uid of its own per run), a Python every uid may execute (Debian's
/usr/bin/python3.X: the venv's base may live under /root) and the sandbox runtime.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.gradescope import netfilter
from autograder.gradescope.sandbox import ContainerSandbox, _live_processes
from autograder.sandbox import Limits, SandboxUnavailable

REPO = Path(__file__).resolve().parents[3]
RUNTIME = REPO / "build" / "sandbox-runtime"
PYTHON = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not PYTHON.exists() or not (RUNTIME / "numpy").is_dir(),
    reason="needs root, Debian's python of this version and build/sandbox-runtime")


@pytest.fixture
def box(tmp_path) -> ContainerSandbox:
    sandbox = ContainerSandbox(RUNTIME, job_root=tmp_path / "job",
                               grader_root=tmp_path / "grader", python=PYTHON)
    sandbox.check()
    return sandbox


def run(box: ContainerSandbox, tmp_path: Path, code: str, limits: Limits | None = None,
        files: dict[str, str] | None = None):
    job = tmp_path / "in"
    shutil.rmtree(job, ignore_errors=True)
    job.mkdir()
    for name, text in (files or {}).items():
        (job / name).write_text(text)
    return job, box.run(job, ["python", "-c", code], limits or Limits(wall_seconds=60))


def test_runs_as_a_fresh_unprivileged_uid_with_the_runtime(box, tmp_path):
    job, result = run(box, tmp_path, "import os, numpy\n"
                      "print(os.getuid(), os.getgid(), os.getgroups(), os.getcwd())\n"
                      "print(open('given.txt').read())\n"
                      "open('made.txt', 'w').write('from the sandbox')\n",
                      files={"given.txt": "from the host"})
    assert result.ok, result.stderr
    uid, gid, groups, cwd = result.stdout.splitlines()[0].split(" ", 3)
    assert int(uid) in range(61000, 61500) and uid == gid and groups == "[]"
    assert cwd == str(tmp_path / "job") and "from the host" in result.stdout
    assert (job / "made.txt").read_text() == "from the sandbox"
    assert not (tmp_path / "job").exists()  # the run's folder is gone


@pytest.fixture
def open_dir():
    """A folder every uid may enter (pytest's tmp_path is under a root-only folder)."""
    folder = Path(tempfile.mkdtemp(prefix="cs224n-test-", dir="/tmp"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_root_only_folders_are_out_of_reach_world_readable_ones_not(box, tmp_path, open_dir):
    """What keeps the package's seed and notebooks from student code: mode 0700 (the control,
    a world-readable folder, shows the uid would read them otherwise)."""
    for name, mode in (("secret", 0o700), ("public", 0o755)):
        folder = open_dir / name
        folder.mkdir()
        (folder / "seed.txt").write_text("224")
        os.chmod(folder / "seed.txt", 0o644)
        os.chmod(folder, mode)
    code = ("import sys\nfor p in sys.argv[1:]:\n"
            "    try:\n        print(p, open(p).read())\n"
            "    except OSError as e:\n        print(p, type(e).__name__)\n")
    job = tmp_path / "in"
    job.mkdir()
    result = box.run(job, ["python", "-c", code, str(open_dir / "secret" / "seed.txt"),
                           str(open_dir / "public" / "seed.txt")], Limits(wall_seconds=60))
    lines = result.stdout.splitlines()
    assert lines == [f"{open_dir}/secret/seed.txt PermissionError",
                     f"{open_dir}/public/seed.txt 224"]


def test_no_internet_sockets_no_ptrace_no_new_session(box, tmp_path):
    _, result = run(box, tmp_path, "import os, socket\n"
                    "for fam in (socket.AF_INET, socket.AF_INET6):\n"
                    "    try:\n        socket.socket(fam); print('net open')\n"
                    "    except PermissionError: print('net refused')\n"
                    "socket.socket(socket.AF_UNIX).close(); print('unix ok')\n"
                    "try:\n    os.setsid(); print('setsid ok')\n"
                    "except PermissionError: print('setsid refused')\n")
    assert result.stdout.split() == ["net", "refused", "net", "refused", "unix", "ok",
                                     "setsid", "refused"], result.stderr


def test_processes_left_behind_are_killed(box, tmp_path):
    _, result = run(box, tmp_path, "import os, subprocess\n"
                    "p = subprocess.Popen(['sleep', '300'], start_new_session=False)\n"
                    "print(os.getuid(), p.pid)\n")
    uid, pid = map(int, result.stdout.split())
    time.sleep(0.2)
    assert not _live_processes(uid)
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


def test_the_wall_clock_stops_a_run_and_everything_it_started(box, tmp_path):
    start = time.monotonic()
    _, result = run(box, tmp_path, "import subprocess, time\n"
                    "subprocess.Popen(['sleep', '300'])\ntime.sleep(300)\n",
                    Limits(wall_seconds=2))
    assert result.timed_out and result.killed_reason == "timeout"
    assert time.monotonic() - start < 30


def test_rlimits_bind(box, tmp_path):
    _, result = run(box, tmp_path, "import numpy\nx = numpy.ones(2**31 // 8 * 2)\n",
                    Limits(wall_seconds=60, memory_bytes=512 * 2**20))
    assert result.killed_reason == "memory", result.stderr
    _, result = run(box, tmp_path, "import os\nkids = 0\n"
                    "try:\n    for _ in range(100):\n"
                    "        if os.fork() == 0:\n            import time; time.sleep(30)\n"
                    "        kids += 1\n"
                    "except OSError as e:\n    print('refused after', kids)\n",
                    Limits(wall_seconds=60, pids=8))
    assert result.stdout.startswith("refused after"), result.stdout + result.stderr
    assert int(result.stdout.split()[-1]) < 8


def test_files_left_in_tmp_are_removed(box, tmp_path):
    _, result = run(box, tmp_path, "import os\nopen('/tmp/cs224n-left-behind', 'w').write('x')\n"
                    "print(os.getuid())\n")
    assert result.ok and not Path("/tmp/cs224n-left-behind").exists()


def test_refuses_without_root_or_python(tmp_path):
    box = ContainerSandbox(RUNTIME, python=tmp_path / "no-python")
    with pytest.raises(SandboxUnavailable, match="sandbox Python"):
        box.check()
    unprivileged = subprocess.run(
        [sys.executable, "-c", "import os\n"
         "from autograder.gradescope.sandbox import ContainerSandbox\n"
         "from autograder.sandbox import SandboxUnavailable\n"
         "os.setuid(65534)\n"
         "try:\n    ContainerSandbox().check()\nexcept SandboxUnavailable as e:\n    print(e)"],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "must run as root" in unprivileged.stdout, unprivileged.stderr


def test_the_network_filter_is_well_formed():
    prog = netfilter.build_filter("x86_64")
    assert len(prog) % 8 == 0 and len(prog) // 8 == 9
    with pytest.raises(ValueError):
        netfilter.build_filter("sparc")
