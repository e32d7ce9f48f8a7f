"""The bubblewrap backend: the embedded default, no daemon needed. Runs as root.

Each run:

1. mounts a tmpfs of ``scratch_bytes`` in a host temp folder and copies ``job_dir`` into it,
   owned by the sandbox user (so ``/job`` cannot fill the host's disk);
2. creates a pids cgroup with ``pids.max``; the child joins it in ``preexec_fn`` and sets
   RLIMIT_AS/CPU/FSIZE/NOFILE/CORE, then execs ``bwrap``;
3. bwrap builds a new mount, pid, net, ipc, uts and cgroup namespace with a read-only view of
   /usr, the Python base installation (at its own path, its site-packages hidden), the runtime
   site-packages at /opt/site and the runtime files under /opt/grader; /tmp is a size-limited
   tmpfs, /job the scratch; it loads a seccomp filter (:mod:`autograder.sandbox.seccomp`) and
   execs ``setpriv``, which drops to the sandbox uid/gid with no capabilities and
   no_new_privs before it execs the command;
4. after the command ends (or the wall clock runs out) every process left in the cgroup is
   killed, the cgroup removed, and new or changed regular files are copied back to ``job_dir``.

No user namespace: bwrap runs as real root so it can bind root-owned paths, and the sandbox
user is a real unprivileged uid on the host (65534 by default).
"""

from __future__ import annotations

import logging
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from autograder.sandbox import seccomp
from autograder.sandbox.base import (
    JOB_DIR,
    Limits,
    RunResult,
    Sandbox,
    SandboxUnavailable,
    check_job_dir,
    check_runtime_files,
    killed_reason,
    sandbox_env,
    split_status,
)
from autograder.sandbox.cgroup import PARENT_NAME, PidsCgroup, pids_root
from autograder.sandbox.files import MAX_FILES, copy_back, copy_job_in, read_tail
from autograder.sandbox.runtime import RUNTIME_ENV, runtime_dir

log = logging.getLogger(__name__)

SITE_DIR = "/opt/site"
"""Where the runtime site-packages appear inside the sandbox."""

_EXTRA_PIDS = 2
"""Tasks of bwrap itself in the cgroup (its monitor and the namespace's init)."""

_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
              "/etc/nsswitch.conf", "/etc/fonts")


_WORK_PREFIX = "cs224n-sandbox-"
"""Host temp folders of runs: ``cs224n-sandbox-<grader pid>-<random>``."""
_MOUNT_SOURCE = "cs224n-sandbox"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class BwrapSandbox(Sandbox):
    """Runs commands under bubblewrap + setpriv, with a pids cgroup and rlimits."""

    name = "bwrap"

    def __init__(
        self,
        *,
        uid: int | None = None,
        gid: int | None = None,
        runtime: Path | None = None,
        python_prefix: Path | None = None,
    ) -> None:
        self.uid = uid if uid is not None else _env_int("AUTOGRADER_SANDBOX_UID", 65534)
        self.gid = gid if gid is not None else _env_int("AUTOGRADER_SANDBOX_GID", 65534)
        self._runtime = runtime
        self.python_prefix = Path(python_prefix or sys.base_prefix).resolve()
        self._reaped = False

    # -- settings ------------------------------------------------------------------------------

    @property
    def runtime(self) -> Path:
        """The runtime site-packages folder bound at /opt/site."""
        return self._runtime or runtime_dir()

    @property
    def python(self) -> Path:
        """The sandbox's Python: the base installation of the Python running the grader."""
        v = sys.version_info
        return self.python_prefix / "bin" / f"python{v.major}.{v.minor}"

    # -- availability --------------------------------------------------------------------------

    def check(self) -> None:
        """Refuse (SandboxUnavailable) unless every part of the isolation is available."""
        if os.geteuid() != 0:
            raise SandboxUnavailable(
                "the bwrap sandbox must run as root: it binds the root-owned Python read-only, "
                "mounts the /job scratch tmpfs, manages a pids cgroup and drops to an "
                "unprivileged uid with setpriv (use the docker backend otherwise)"
            )
        for tool, package in (("bwrap", "bubblewrap"), ("setpriv", "util-linux"),
                              ("mount", "mount"), ("umount", "mount")):
            if not shutil.which(tool):
                raise SandboxUnavailable(
                    f"{tool} not found on PATH: install it (Debian: apt-get install {package}; "
                    "scripts/setup.sh does this when run as root)"
                )
        if not seccomp.supported():
            raise SandboxUnavailable(f"no seccomp filter for this CPU ({os.uname().machine})")
        root = pids_root()
        if root is None:
            raise SandboxUnavailable(
                "no pids cgroup hierarchy (/sys/fs/cgroup/pids or a cgroup v2 with pids): the "
                "process limit cannot be enforced (set AUTOGRADER_SANDBOX_PIDS_CGROUP)"
            )
        probe = PidsCgroup(root, 1)
        try:
            probe.create()
        except OSError as exc:
            raise SandboxUnavailable(f"cannot create a pids cgroup under {root}: {exc}") from exc
        finally:
            probe.remove()
        if not os.access(self.python, os.X_OK):
            raise SandboxUnavailable(f"the sandbox Python {self.python} is missing")
        if not (self.runtime / ".stamp").is_file():
            raise SandboxUnavailable(
                f"the sandbox runtime {self.runtime} is missing: run "
                f"'bash scripts/sandbox-runtime.sh' (or set {RUNTIME_ENV})"
            )

    # -- the command line ----------------------------------------------------------------------

    def command(
        self,
        argv: list[str],
        limits: Limits,
        *,
        scratch: Path,
        etc_dir: Path,
        seccomp_fd: int,
        env: dict[str, str] | None = None,
        runtime_files: dict[str, Path] | None = None,
    ) -> list[str]:
        """The full ``bwrap ... -- setpriv ... argv`` command line for one run."""
        prefix = str(self.python_prefix)
        v = sys.version_info
        cmd = [
            shutil.which("bwrap") or "bwrap",
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr",
            "--tmpfs", "/usr/local",
        ]
        for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(top):
                cmd += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                cmd += ["--ro-bind", top, top]
        files = check_runtime_files(runtime_files)
        targets = [*_ETC_FILES, "/etc/passwd", prefix, SITE_DIR, *files]
        for folder in _parents_to_make(targets):
            cmd += ["--perms", "0755", "--dir", folder]
        for path in _ETC_FILES:
            cmd += ["--ro-bind-try", path, path]
        cmd += ["--ro-bind", str(etc_dir / "passwd"), "/etc/passwd",
                "--ro-bind", str(etc_dir / "group"), "/etc/group"]
        cmd += ["--ro-bind", prefix, prefix,
                # the base installation's own site-packages are not the sandbox's
                "--tmpfs", f"{prefix}/lib/python{v.major}.{v.minor}/site-packages",
                "--ro-bind", str(self.runtime), SITE_DIR]
        for inside, host in sorted(files.items()):
            cmd += ["--ro-bind", str(host), inside]
        cmd += [
            "--size", str(limits.scratch_bytes), "--perms", "1777", "--tmpfs", "/tmp",
            "--bind", str(scratch), JOB_DIR,
            "--proc", "/proc",
            "--dev", "/dev",
            "--chdir", JOB_DIR,
            "--clearenv",
        ]
        path = f"{prefix}/bin:/usr/bin:/bin"
        for key, value in sandbox_env(env, path=path).items():
            cmd += ["--setenv", key, value]
        cmd += ["--seccomp", str(seccomp_fd), "--"]
        cmd += [
            shutil.which("setpriv") or "/usr/bin/setpriv",
            f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
        ]
        program = [str(self.python), *argv[1:]] if argv[0] == "python" else list(argv)
        return cmd + program

    # -- running -------------------------------------------------------------------------------

    def run(
        self,
        job_dir: Path,
        argv: list[str],
        limits: Limits,
        env: dict[str, str] | None = None,
        runtime_files: dict[str, Path] | None = None,
    ) -> RunResult:
        """Run ``argv`` in a fresh sandbox; see :class:`autograder.sandbox.base.Sandbox`."""
        if not argv:
            raise ValueError("argv is empty")
        job_dir = check_job_dir(job_dir)
        check_runtime_files(runtime_files)
        self.check()
        if not self._reaped:
            self._reaped = True
            reap_stale()

        work = Path(tempfile.mkdtemp(prefix=f"{_WORK_PREFIX}{os.getpid()}-"))
        scratch = work / "job"
        scratch.mkdir()
        mounted = False
        cgroup: PidsCgroup | None = None
        try:
            _mount_tmpfs(scratch, limits.scratch_bytes, self.uid, self.gid)
            mounted = True
            manifest = copy_job_in(job_dir, scratch, self.uid, self.gid)
            _write_etc(work, self.uid, self.gid)
            (work / "seccomp.bpf").write_bytes(seccomp.build_filter())

            root = pids_root()
            assert root is not None  # check() made sure
            cgroup = PidsCgroup(root, limits.pids + _EXTRA_PIDS)
            cgroup.create()

            with open(work / "seccomp.bpf", "rb") as filt, \
                    open(work / "stdout", "wb") as out, open(work / "stderr", "wb") as err:
                cmd = self.command(argv, limits, scratch=scratch, etc_dir=work,
                                   seccomp_fd=filt.fileno(), env=env,
                                   runtime_files=runtime_files)
                log.debug("bwrap command: %s", cmd)
                status, timed_out, wall = self._execute(cmd, limits, cgroup, out, err,
                                                        pass_fds=(filt.fileno(),))
            leftovers = cgroup.pids()
            if leftovers:
                log.info("killing %d processes left in the sandbox", len(leftovers))
            cgroup.remove()
            cgroup = None

            stats = copy_back(scratch, job_dir, manifest, limits.scratch_bytes)
            log.debug("copied back %d files, %d bytes (%d skipped)",
                      stats.files, stats.bytes, stats.skipped)

            stdout = read_tail(work / "stdout")
            stderr = read_tail(work / "stderr")
            output_full = any(os.path.getsize(work / n) >= limits.file_bytes
                              for n in ("stdout", "stderr"))
            exit_code, sig = split_status(status)
            if timed_out:
                exit_code = None
            reason = killed_reason(timed_out=timed_out, sig=sig, stderr_tail=stderr,
                                   output_full=output_full)
            result = RunResult(exit_code=exit_code, signal=sig, timed_out=timed_out,
                               wall_seconds=wall, killed_reason=reason,
                               stdout=stdout, stderr=stderr)
            log.info("bwrap run %s: exit=%s signal=%s reason=%s in %.2fs",
                     argv[:2], exit_code, sig, reason, wall)
            return result
        finally:
            if cgroup is not None:
                cgroup.remove()
            if mounted:
                _umount(scratch)
            shutil.rmtree(work, ignore_errors=True)

    def _execute(
        self,
        cmd: list[str],
        limits: Limits,
        cgroup: PidsCgroup,
        out: BinaryIO,
        err: BinaryIO,
        pass_fds: tuple[int, ...],
    ) -> tuple[int, bool, float]:
        """Start bwrap in the cgroup with the rlimits; wait; kill everything on timeout."""
        start = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
            close_fds=True,
            pass_fds=pass_fds,
            start_new_session=True,
            preexec_fn=_preexec(cgroup, limits),  # joins the cgroup before exec
        )
        timed_out = False
        try:
            status = proc.wait(timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
            log.info("wall-clock limit of %.1fs reached: killing the sandbox", limits.wall_seconds)
            cgroup.kill_all()
            status = proc.wait()
        except BaseException:
            cgroup.kill_all()
            proc.wait()
            raise
        return status, timed_out, time.monotonic() - start


def _preexec(cgroup: PidsCgroup, limits: Limits) -> Callable[[], None]:
    """What the child does between fork and exec: join the cgroup, then set the rlimits."""
    cpu = int(limits.cpu_seconds)
    rlimits = [
        (resource.RLIMIT_AS, limits.memory_bytes, limits.memory_bytes),
        (resource.RLIMIT_CPU, cpu, cpu + 5),
        (resource.RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files, limits.open_files),
        (resource.RLIMIT_CORE, 0, 0),
    ]

    def preexec() -> None:
        cgroup.join_from_child()
        for which, soft, hard in rlimits:
            resource.setrlimit(which, (soft, hard))

    return preexec


def _parents_to_make(targets: list[str]) -> list[str]:
    """Every folder above the bind targets that bwrap must create, parents first.

    Made explicitly (mode 0755): bwrap would otherwise copy the source's parents' modes, and
    /root is 0700.
    """
    folders: set[str] = set()
    for target in targets:
        for parent in PurePosixPath(target).parents:
            if str(parent) != "/":
                folders.add(str(parent))
    # folders inside another bind target are the bind's own business
    return sorted((f for f in folders if not any(
        PurePosixPath(f).is_relative_to(t) for t in targets if t != f)),
        key=lambda f: (f.count("/"), f))


def _write_etc(work: Path, uid: int, gid: int) -> None:
    """Minimal /etc/passwd and /etc/group naming root and the sandbox user."""
    (work / "passwd").write_text(
        "root:x:0:0:root:/root:/usr/sbin/nologin\n"
        f"sandbox:x:{uid}:{gid}:sandbox:{JOB_DIR}:/usr/sbin/nologin\n"
    )
    (work / "group").write_text(f"root:x:0:\nsandbox:x:{gid}:\n")
    os.chmod(work, 0o755)  # bwrap binds these as root; the sandbox user must read them
    for name in ("passwd", "group"):
        os.chmod(work / name, 0o644)


def _mount_tmpfs(path: Path, size: int, uid: int, gid: int) -> None:
    """Mount a size- and inode-limited tmpfs owned by uid:gid at ``path`` (host side)."""
    opts = f"size={size},nr_inodes={2 * MAX_FILES},mode=0755,uid={uid},gid={gid},nosuid,nodev"
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, _MOUNT_SOURCE, str(path)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SandboxUnavailable(f"cannot mount the /job scratch tmpfs: {proc.stderr.strip()}")


def _umount(path: Path) -> None:
    """Unmount the scratch tmpfs (lazily if it is still busy)."""
    proc = subprocess.run(["umount", str(path)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        log.warning("umount %s failed (%s): detaching it", path, proc.stderr.strip())
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)



def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_stale() -> None:
    """Clean up after graders that died mid-run: their scratch mounts and pids cgroups.

    Only leftovers whose grader pid (in the name) no longer exists are touched.
    """
    pattern = re.compile(rf"/{re.escape(_WORK_PREFIX)}(\d+)-[^/]+/job$")
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        mounts = []
    for line in mounts:
        fields = line.split()
        if len(fields) < 2 or fields[0] != _MOUNT_SOURCE:
            continue
        found = pattern.search(fields[1])
        if found and not _pid_alive(int(found.group(1))):
            log.warning("removing the stale sandbox scratch %s", fields[1])
            _umount(Path(fields[1]))
            shutil.rmtree(Path(fields[1]).parent, ignore_errors=True)
    root = pids_root()
    if root is None or not (root / PARENT_NAME).is_dir():
        return
    for child in (root / PARENT_NAME).iterdir():
        pid, _, _ = child.name.partition("-")
        if child.is_dir() and pid.isdigit() and not _pid_alive(int(pid)):
            log.warning("removing the stale pids cgroup %s", child)
            PidsCgroup(root, 1, name=child.name).remove()
