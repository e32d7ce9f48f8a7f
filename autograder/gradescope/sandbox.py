"""The sandbox that is possible inside Gradescope's container: a per-run uid, rlimits, seccomp.

Gradescope runs ``run_autograder`` as root in a fresh Docker container per submission, made
from the image ``setup.sh`` built. That container is the isolation *between* students: nothing
of another student is ever in it. Inside it, the container is unprivileged for the kernel
(no CAP_SYS_ADMIN, Docker's default seccomp profile), so bubblewrap can make no namespaces and
no cgroup is writable: ``run_autograder`` tries bwrap first and, when it refuses, grades with
this backend instead, which keeps the student's code away from the grader with what an
unprivileged container still allows:

* every run (the engine makes one per submission; its zygote forks each notebook and clears
  what the previous one left) gets a uid of its own with no process running, so student code
  cannot signal, trace or read the files of the grader (root); after the run every process
  of that uid is killed (``kill(-1)`` as that uid) and its files in the world-writable
  folders are removed;
* the hidden parts (the package in ``/autograder/source``, the grader's venv and assignment
  copy, its temp files) and ``/autograder/results`` are root-only (mode 0700), so the uid can
  neither read the solutions, checks and seed nor write ``results.json``;
* rlimits: address space (memory per process), CPU seconds, file size, open files, core dumps
  off, and processes (RLIMIT_NPROC, which counts per uid: one uid per run makes it the run's
  process limit); the OOM killer is told to take the student's processes first;
* no_new_privs and two stacked seccomp filters: the bwrap sandbox's own
  (:mod:`autograder.sandbox.seccomp`: no user namespaces, ptrace, process_vm_*, mounts, bpf,
  keyrings, io_uring, setsid, foreign ABIs) and :mod:`autograder.gradescope.netfilter`
  (no Internet sockets);
* a fresh job folder (``job_root``, the working directory and HOME) and a private temp folder,
  both owned by the uid and removed after the run; the runner's files in ``grader_root``,
  root-owned and read-only.

What it does not give, compared with bwrap (say so to whoever relies on it): no mount
namespace (the uid sees the container's world-readable files: the OS, the runtime packages,
the student's own submission), no memory limit for the notebook's processes together (the
container's memory limit, set in Gradescope's settings, is the backstop), no size limit on
the job folder other than the file-size rlimit, and no CPU cgroup (the notebook has the
container's CPU share; the runner's CPU budgets still stop a cell). A backend that cannot do
all of the above (not root, no seccomp) raises :class:`SandboxUnavailable`: it never runs
student code unsandboxed.
"""

from __future__ import annotations

import ctypes
import logging
import os
import random
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from autograder.gradescope import netfilter
from autograder.sandbox import seccomp
from autograder.sandbox.base import (
    GRADER_DIR,
    Limits,
    RunResult,
    Sandbox,
    SandboxUnavailable,
    killed_reason,
    sandbox_env,
    split_status,
    wait_exited,
)
from autograder.sandbox.files import copy_back, copy_job_in, read_tail

log = logging.getLogger(__name__)

UID_RANGE = range(61000, 61500)
"""The uids runs take (one per run, one with no process)."""
SHARED_WRITABLE = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
"""World-writable folders where a run's uid may leave files; emptied of them after the run."""

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class ContainerSandbox(Sandbox):
    """Runs commands as a fresh unprivileged uid with rlimits and seccomp, no namespaces.

    ``runtime``: the folder of the packages sandboxed code may import (``/opt/site`` in the
    Gradescope image, made by ``setup.sh``); ``job_root``: the run's working folder (``/job``);
    ``grader_root``: where the runtime files go (``/opt/grader``). Needs root.
    """

    name = "container"

    def __init__(self, runtime: Path = Path("/opt/site"), *, job_root: Path = Path("/job"),
                 grader_root: Path = Path(GRADER_DIR), python: Path | None = None,
                 uids: range = UID_RANGE) -> None:
        self.runtime = Path(runtime)
        self.job_root = Path(job_root)
        self.grader_root = Path(grader_root)
        v = sys.version_info
        self.python = Path(python or Path(sys.base_prefix) / "bin" / f"python{v.major}.{v.minor}")
        self.uids = uids
        self._checked = False

    # -- availability --------------------------------------------------------------------------

    def check(self) -> None:
        """Refuse (SandboxUnavailable) unless every part of this isolation works here."""
        if self._checked:
            return
        if os.geteuid() != 0:
            raise SandboxUnavailable("the container sandbox must run as root: it drops student "
                                     "code to an unprivileged uid of its own")
        if not (seccomp.supported() and netfilter.supported()):
            raise SandboxUnavailable(f"no seccomp filter for this CPU ({os.uname().machine})")
        if not os.access(self.python, os.X_OK):
            raise SandboxUnavailable(f"the sandbox Python {self.python} is missing")
        if not (self.runtime / "numpy").is_dir():
            raise SandboxUnavailable(f"the sandbox runtime {self.runtime} is missing (setup.sh "
                                     "installs it)")
        uid = self._free_uid()
        try:
            probe = subprocess.run(
                [str(self.python), "-c", "import os, socket\n"
                 "try:\n    socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
                 "except PermissionError:\n    print(os.getuid())\n"],
                capture_output=True, text=True, timeout=60, cwd="/",
                env={"PATH": "/usr/bin:/bin"}, start_new_session=True,
                preexec_fn=_preexec(Limits(), uid))
        except (OSError, subprocess.SubprocessError) as exc:
            raise SandboxUnavailable(f"cannot start the sandbox Python as uid {uid} under "
                                     f"seccomp here: {exc}") from exc
        finally:
            _kill_uid(uid)
        if probe.returncode != 0 or probe.stdout.strip() != str(uid):
            raise SandboxUnavailable(
                "cannot drop to an unprivileged uid under seccomp here (exit "
                f"{probe.returncode}: {(probe.stderr or probe.stdout).strip()[-300:]})")
        self._checked = True

    def _free_uid(self) -> int:
        """A uid of the range with no process (a random start: parallel graders differ)."""
        busy = _uids_running()
        start = random.randrange(len(self.uids))
        for i in range(len(self.uids)):
            uid = self.uids[(start + i) % len(self.uids)]
            if uid not in busy:
                return uid
        raise SandboxUnavailable("every sandbox uid has processes running")

    # -- running -------------------------------------------------------------------------------

    def run(self, job_dir: Path, argv: list[str], limits: Limits,
            env: dict[str, str] | None = None,
            runtime_files: dict[str, Path] | None = None) -> RunResult:
        """Run ``argv`` as a fresh uid; see :class:`autograder.sandbox.base.Sandbox`."""
        job_dir, files = self.start_run(job_dir, argv, runtime_files)
        uid = self._free_uid()
        work = Path(tempfile.mkdtemp(prefix="cs224n-container-"))  # root-only (0700)
        private_tmp = Path(tempfile.mkdtemp(prefix=f"cs224n-run-{uid}-", dir="/tmp"))
        try:
            self._fresh(self.job_root, 0o700, uid)
            manifest = copy_job_in(job_dir, self.job_root, uid, uid)
            self._install_runtime_files(files)
            os.chown(private_tmp, uid, uid)
            run_env = sandbox_env({
                "HOME": str(self.job_root),
                "PYTHONPATH": f"{self.grader_root}:{self.runtime}",
                "CS224N_MPL_CACHE": str(self.runtime / ".matplotlib"),
                "TMPDIR": str(private_tmp), "MPLCONFIGDIR": f"{private_tmp}/matplotlib",
                "IPYTHONDIR": f"{private_tmp}/ipython", "XDG_CACHE_HOME": f"{private_tmp}/cache",
                "XDG_CONFIG_HOME": f"{private_tmp}/config", "USER": "sandbox",
                "LOGNAME": "sandbox", **(env or {})},
                path=f"{self.python.parent}:/usr/bin:/bin")
            program = [str(self.python), *argv[1:]] if argv[0] == "python" else list(argv)
            oom_before = container_oom_kills()
            with open(work / "stdout", "wb") as out, open(work / "stderr", "wb") as err:
                status, timed_out, wall = self._execute(program, run_env, limits, uid, out, err)
            _kill_uid(uid)
            copy_back(self.job_root, job_dir, manifest, limits.scratch_bytes)
            stdout, stderr = read_tail(work / "stdout"), read_tail(work / "stderr")
            output_full = any(os.path.getsize(work / n) >= limits.file_bytes
                              for n in ("stdout", "stderr"))
            exit_code, sig = split_status(status)
            if timed_out:
                exit_code = None
            # the OOM killer took a process of the container (the student's go first)
            oom = (oom_before is not None and (container_oom_kills() or 0) > oom_before)
            reason = killed_reason(timed_out=timed_out, sig=sig, stderr_tail=stderr,
                                   output_full=output_full, oom_killed=oom and exit_code != 0)
            log.info("container run %s as uid %d: exit=%s signal=%s reason=%s in %.2fs%s",
                     [a[:60] for a in argv[:3]], uid, exit_code, sig, reason, wall,
                     f"; stderr ends: {stderr[-800:]!r}" if exit_code else "")
            return RunResult(exit_code=exit_code, signal=sig, timed_out=timed_out,
                             wall_seconds=wall, killed_reason=reason, stdout=stdout,
                             stderr=stderr, oom_kills=int(oom))
        finally:
            _kill_uid(uid)
            shutil.rmtree(self.job_root, ignore_errors=True)
            shutil.rmtree(private_tmp, ignore_errors=True)
            _remove_files_of(uid)
            shutil.rmtree(work, ignore_errors=True)

    def _execute(self, program: list[str], env: dict[str, str], limits: Limits, uid: int,
                 out, err) -> tuple[int, bool, float]:
        start = time.monotonic()
        proc = subprocess.Popen(program, cwd=self.job_root, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err, close_fds=True,
                                start_new_session=True, preexec_fn=_preexec(limits, uid))
        timed_out = False
        try:
            status = wait_exited(proc, limits.wall_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
            log.info("wall-clock limit of %.1fs reached: killing uid %d", limits.wall_seconds,
                     uid)
            _kill_uid(uid)
            status = proc.wait()
        except BaseException:
            _kill_uid(uid)
            proc.wait()
            raise
        return status, timed_out, time.monotonic() - start

    def _fresh(self, folder: Path, mode: int, uid: int) -> None:
        """An empty folder owned by uid (whatever was there is removed first)."""
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(mode=mode, parents=True)
        os.chmod(folder, mode)
        os.chown(folder, uid, uid)

    def _install_runtime_files(self, files: dict[str, Path]) -> None:
        """The runtime files under grader_root, root-owned and read-only for the uid."""
        self._fresh(self.grader_root, 0o755, 0)
        for inside, host in files.items():
            target = self.grader_root / PurePosixPath(inside).relative_to(GRADER_DIR)
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
            if host.is_dir():
                shutil.copytree(host, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copyfile(host, target)
        for path in [self.grader_root, *self.grader_root.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)


# ---------------------------------------------------------------- the child, before exec


def _preexec(limits: Limits, uid: int) -> Callable[[], None]:
    """Between fork and exec (as root): rlimits, OOM score, no_new_privs, the two seccomp
    filters, then drop every group and id to ``uid`` (capabilities go with root)."""
    rlimits = [*limits.rlimits(), (resource.RLIMIT_NPROC, limits.pids, limits.pids)]
    filters = [seccomp.build_filter(), netfilter.build_filter()]
    libc = ctypes.CDLL(None, use_errno=True)

    def preexec() -> None:
        for which, soft, hard in rlimits:
            resource.setrlimit(which, (soft, hard))
        try:
            with open("/proc/self/oom_score_adj", "w") as fh:
                fh.write("1000")
        except OSError:
            pass
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        for data in filters:
            buf = ctypes.create_string_buffer(data, len(data))
            prog = _SockFprog(len(data) // 8, ctypes.cast(buf, ctypes.c_void_p))
            if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "cannot load the seccomp filter")
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)

    return preexec


# ---------------------------------------------------------------- after the run


OOM_EVENTS = (Path("/sys/fs/cgroup/memory.events"),  # cgroup v2: the container's own
              Path("/sys/fs/cgroup/memory/memory.oom_control"))  # cgroup v1
"""Where the container's count of OOM kills is (``oom_kill N``)."""


MEMORY_LIMITS = (Path("/sys/fs/cgroup/memory.max"),
                 Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"))


def container_memory_mb() -> int | None:
    """The container's memory limit in MiB (Gradescope's memory setting), None if unlimited
    or unknown."""
    for path in MEMORY_LIMITS:
        try:
            value = int(path.read_text().strip())
        except (OSError, ValueError):  # "max": unlimited
            continue
        return value // 2**20 if value < 2**50 else None
    return None


def container_oom_kills() -> int | None:
    """How many processes the OOM killer took in this container's memory cgroup so far
    (None where the kernel does not say)."""
    for path in OOM_EVENTS:
        try:
            for line in path.read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            continue
    return None


def _uids_running() -> set[int]:
    uids = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                uids.add(entry.stat().st_uid)
            except OSError:
                pass
    return uids


def _live_processes(uid: int) -> list[int]:
    """Processes of uid that are not zombies (a zombie holds nothing; its parent reaps it)."""
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            state = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            pids.append(int(entry.name))
    return pids


def _kill_uid(uid: int, rounds: int = 50) -> None:
    """Kill every process of uid: kill(-1, SIGKILL) sent *as* uid reaches all of them at
    once (a forking process cannot outrun it), repeated until none is left."""
    for _ in range(rounds):
        if not _live_processes(uid):
            return
        pid = os.fork()
        if pid == 0:  # the child: become uid, kill everything uid owns (itself excepted)
            try:
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.02)
    log.warning("processes of uid %d survived %d kill rounds", uid, rounds)


def _remove_files_of(uid: int) -> None:
    """What uid left in the world-writable folders (not following links)."""
    for folder in SHARED_WRITABLE:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
                if st.st_uid != uid:
                    continue
                if stat.S_ISDIR(st.st_mode):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass
