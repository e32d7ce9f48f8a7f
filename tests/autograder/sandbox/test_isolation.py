"""What the sandboxed code can see, who it is, and what comes back to the host."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.autograder.sandbox.conftest import host_processes_with
from tests.course.course import REPO as REPO_ROOT


def _lines(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def test_unprivileged_user_without_capabilities(run_py):
    result = run_py(
        """
        import os
        status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
        print("uid=", os.getuid(), "euid=", os.geteuid())
        print("gid=", os.getgid())
        for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs"):
            print(key, "=", status[key].strip())
        """
    )
    out = _lines(result.stdout)
    assert result.exit_code == 0, result
    assert out["uid"].split()[0] != "0" and out["uid"].split()[-1] != "0"
    assert out["gid"] != "0"
    for key in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
        assert int(out[key], 16) == 0, key
    assert out["NoNewPrivs"] == "1"


def test_cannot_create_user_namespaces(run_py):
    # inside a user namespace a process could mount an unbounded tmpfs: refused
    result = run_py(
        """
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        print("unshare=", libc.unshare(0x10000000), ctypes.get_errno())
        """
    )
    out = _lines(result.stdout)
    assert out["unshare"].split()[0] == "-1", result


def test_filesystem_view(run_py, tmp_path):
    secret_dir = REPO_ROOT / "solutions"
    result = run_py(
        f"""
        import os
        def probe(path):
            try:
                if os.path.isdir(path):
                    return "listed " + str(len(os.listdir(path)))
                with open(path, "rb") as f:
                    f.read(1)
                return "read"
            except FileNotFoundError:
                return "missing"
            except PermissionError:
                return "denied"
        for name, path in [("solutions", {str(secret_dir)!r}), ("repo", {str(REPO_ROOT)!r}),
                           ("ssh", "/root/.ssh"), ("root", "/root"), ("work", "/work"),
                           ("hostfile", {str(tmp_path)!r}), ("shadow", "/etc/shadow"),
                           ("dockersock", "/var/run/docker.sock")]:
            print(name, "=", probe(path))
        def write(path):
            try:
                with open(path, "w") as f:
                    f.write("x")
                return "wrote"
            except OSError as exc:
                return "refused"
        for name, path in [("w_root", "/x"), ("w_usr", "/usr/x"), ("w_etc", "/etc/x"),
                           ("w_grader", "/opt/grader/x"), ("w_tmp", "/tmp/x"),
                           ("w_job", "/job/x"), ("w_devshm", "/dev/shm/x")]:
            print(name, "=", write(path))
        print("pids=", len([p for p in os.listdir("/proc") if p.isdigit()]))
        """
    )
    out = _lines(result.stdout)
    assert result.exit_code == 0, result
    for name in ("solutions", "repo", "ssh", "work", "hostfile", "shadow", "dockersock"):
        assert out[name] in ("missing", "denied"), (name, out[name])
    # bwrap makes /root only as the path to the Python base installation (".pyenv" here)
    assert out["root"] in ("missing", "denied", "listed 0", "listed 1")
    for name in ("w_root", "w_usr", "w_etc", "w_grader", "w_devshm"):
        assert out[name] == "refused", name
    assert out["w_tmp"] == "wrote"
    assert out["w_job"] == "wrote"
    assert int(out["pids"]) <= 5  # its own pid namespace: no host processes visible


def test_environment_is_clean(run_py, monkeypatch):
    monkeypatch.setenv("CS224N_HOST_SECRET", "do-not-leak")
    result = run_py(
        """
        import os, sys
        for key in sorted(os.environ):
            print(key, "=", os.environ[key])
        print("cwd=", os.getcwd())
        print("executable=", sys.executable)
        """
    )
    out = _lines(result.stdout)
    assert "CS224N_HOST_SECRET" not in out
    assert "do-not-leak" not in result.stdout
    assert out["HOME"] == "/job"
    assert out["cwd"] == "/job"
    assert out["CS224N_GRADING"] == "1"
    assert out["MPLBACKEND"] == "Agg"
    assert out["OPENBLAS_NUM_THREADS"] == "1"
    assert out["OMP_NUM_THREADS"] == "1"
    assert out["PYTHONDONTWRITEBYTECODE"] == "1"
    assert out["PYTHONPATH"].split(":")[0] == "/opt/grader"


def test_extra_env_is_passed(box, job):
    from autograder.sandbox import Limits

    result = box.run(job, ["python", "-c", "import os; print(os.environ['RUNNER_MODE'])"],
                     Limits(wall_seconds=60.0), env={"RUNNER_MODE": "probe"})
    assert result.stdout.strip() == "probe"


def test_runtime_packages_import(run_py):
    result = run_py(
        """
        import numpy, scipy, sklearn, matplotlib, tqdm, IPython, nbformat
        import matplotlib.pyplot as plt
        plt.plot([1, 2]); plt.savefig("/tmp/plot.png")
        try:
            import nbgrader
            print("nbgrader= importable")
        except ImportError:
            print("nbgrader= missing")
        for name in ("autograder", "solutions", "cs224n_ps1", "boto3", "pytest"):
            try:
                __import__(name)
                print(name, "= importable")
            except ImportError:
                print(name, "= missing")
        """
    )
    out = _lines(result.stdout)
    assert result.exit_code == 0, result
    assert out["nbgrader"] == "missing"
    for name in ("autograder", "solutions", "cs224n_ps1", "boto3", "pytest"):
        assert out[name] == "missing", name


def test_job_files_round_trip(run_py, job):
    (job / "given.txt").write_text("from the host")
    (job / "data").mkdir()
    (job / "data" / "numbers.csv").write_text("1,2,3\n")
    result = run_py(
        """
        import os
        print("given=", open("given.txt").read())
        print("csv=", open("data/numbers.csv").read().strip())
        os.makedirs("_out/deep", exist_ok=True)
        open("_out/deep/result.json", "w").write('{"ok": true}')
        open("given.txt", "a").write(" and back")
        """
    )
    out = _lines(result.stdout)
    assert result.exit_code == 0, result
    assert out["given"] == "from the host"
    assert out["csv"] == "1,2,3"
    assert (job / "_out" / "deep" / "result.json").read_text() == '{"ok": true}'
    assert (job / "given.txt").read_text() == "from the host and back"
    assert (job / "data" / "numbers.csv").read_text() == "1,2,3\n"


def test_sandbox_made_links_and_specials_never_reach_the_host(run_py, job, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    result = run_py(
        f"""
        import os
        os.symlink({str(victim)!r}, "link_to_host_file")
        os.symlink("/", "link_to_root")
        os.symlink("/etc/passwd", "passwd")
        os.mkfifo("fifo")
        os.makedirs("real_dir")
        open("real_dir/ok.txt", "w").write("ok")
        print("done")
        """
    )
    assert result.exit_code == 0, result
    assert victim.read_text() == "untouched"
    names = {p.name for p in job.iterdir()}
    assert names == {"real_dir"}
    assert (job / "real_dir" / "ok.txt").read_text() == "ok"
    for path in job.rglob("*"):
        assert not path.is_symlink()


def test_runtime_files_are_read_only_and_importable(run_py, tmp_path):
    helper = tmp_path / "helper_mod.py"
    helper.write_text("VALUE = 42\n")
    pkg = tmp_path / "kernelpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "wire.py").write_text("NAME = 'wire'\n")
    result = run_py(
        """
        import helper_mod
        from kernel import wire
        print("value=", helper_mod.VALUE, wire.NAME)
        try:
            open("/opt/grader/helper_mod.py", "a").write("x")
            print("write= allowed")
        except OSError:
            print("write= refused")
        """,
        runtime_files={"/opt/grader/helper_mod.py": helper,
                       "/opt/grader/kernel/__init__.py": pkg / "__init__.py",
                       "/opt/grader/kernel/wire.py": pkg / "wire.py"},
    )
    out = _lines(result.stdout)
    assert result.exit_code == 0, result
    assert out["value"] == "42 wire"
    assert out["write"] == "refused"
    assert helper.read_text() == "VALUE = 42\n"


def test_runtime_file_paths_are_checked(box, job, tmp_path):
    from autograder.sandbox import Limits

    f = tmp_path / "f.py"
    f.write_text("")
    for bad in ("/job/f.py", "/opt/grader/../etc/f.py", "opt/grader/f.py", "/opt/grader"):
        with pytest.raises(ValueError):
            box.run(job, ["python", "-c", "pass"], Limits(), runtime_files={bad: f})


def test_leftover_processes_are_killed(run_py):
    marker = f"sandbox-leftover-{uuid.uuid4().hex}"
    result = run_py(
        f"""
        import os, subprocess, sys
        # a daemonised grandchild that outlives the program (a process group of its own:
        # bwrap refuses new sessions)
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", {marker!r}],
                         process_group=0, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
        print("spawned")
        """
    )
    assert result.exit_code == 0, result
    assert host_processes_with(marker) == []


def test_timeout_kills_the_whole_tree(run_py):
    marker = f"sandbox-tree-{uuid.uuid4().hex}"
    result = run_py(
        f"""
        import os, signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for _ in range(3):
            subprocess.Popen([sys.executable, "-c",
                              "import signal, time; signal.signal(signal.SIGTERM, "
                              "signal.SIG_IGN); time.sleep(300)", {marker!r}],
                             process_group=0)
        while True:
            time.sleep(0.1)
        """,
        wall_seconds=3.0,
    )
    assert result.timed_out
    assert host_processes_with(marker) == []


def test_bwrap_cgroups_are_removed(job):
    """No pids, memory or cpu cgroup of this grader outlives its run."""
    from autograder.sandbox import Limits
    from autograder.sandbox.cgroup import CONTROLLERS, PARENT_NAME, controller_root
    from tests.autograder.sandbox.conftest import require

    box = require("bwrap")
    box.run(job, ["python", "-c", "import os; os.fork() or os._exit(0)"], Limits())
    roots = {controller_root(c) for c in CONTROLLERS} - {None}
    assert roots
    mine = [p for root in roots if root and (root / PARENT_NAME).is_dir()
            for p in (root / PARENT_NAME).iterdir()
            if p.is_dir() and p.name.startswith(f"{os.getpid()}-")]
    assert mine == []


def test_bwrap_refuses_new_sessions(job):
    """A session of its own would be a scheduler autogroup of its own: an equal CPU share per
    session, 56 of them for a notebook with 56 children. The sandbox stays one session."""
    from autograder.sandbox import Limits
    from tests.autograder.sandbox.conftest import require

    box = require("bwrap")
    code = ("import os\nsid = os.getsid(0)\ntry:\n    os.setsid()\n    print('setsid= ok')\n"
            "except OSError as exc:\n    print('setsid=', exc.errno)\n"
            "print('same=', os.getsid(0) == sid)")
    result = box.run(job, ["python", "-c", code], Limits())
    out = _lines(result.stdout)
    assert out == {"setsid": "1", "same": "True"}, result


@pytest.mark.docker
def test_docker_leaves_no_containers_or_volumes(job):
    from autograder.sandbox import Limits
    from autograder.sandbox.docker import OWNER_LABEL, _owner
    from tests.autograder.sandbox.conftest import require

    pytest.importorskip("docker")
    box = require("docker")
    box.run(job, ["python", "-c", "print('hi')"], Limits(wall_seconds=60.0))
    client = box.client()
    mine = {"label": f"{OWNER_LABEL}={_owner()}"}
    containers = client.containers.list(all=True, filters=mine)
    volumes = client.volumes.list(filters=mine)
    assert containers == [] and volumes == []


def test_job_dir_must_be_a_folder(box, tmp_path):
    from autograder.sandbox import Limits

    with pytest.raises(NotADirectoryError):
        box.run(tmp_path / "missing", ["python", "-c", "pass"], Limits())
    target = tmp_path / "real"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(NotADirectoryError):
        box.run(link, ["python", "-c", "pass"], Limits())
