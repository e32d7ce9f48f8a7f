"""The bubblewrap backend: the embedded default, no daemon needed. Runs as root.

Each run:

1. mounts a tmpfs of ``scratch_bytes`` in a host temp folder and copies ``job_dir`` into it,
   owned by the sandbox user (so ``/job`` cannot fill the host's disk);
2. creates the run's cgroups (:mod:`autograder.sandbox.cgroup`): pids (``pids.max``), memory
   (the notebook's processes together, swap included) and cpu (one share of its own); a
   ``/bin/sh`` joins them, then util-linux's ``prlimit`` sets RLIMIT_AS/CPU/FSIZE/NOFILE/CORE
   and execs ``bwrap`` (:func:`spawn_command`: no ``preexec_fn``, so no fork of the grader);
3. bwrap builds a new mount, pid, net, ipc, uts and cgroup namespace with a read-only view of
   /usr, the Python base installation (at its own path, its site-packages hidden), the runtime
   site-packages at /opt/site and the runtime files under /opt/grader; /tmp is a size-limited
   tmpfs, /job the scratch; it loads a seccomp filter (:mod:`autograder.sandbox.seccomp`) and
   execs ``setpriv``, which drops to the sandbox uid/gid with no capabilities and
   no_new_privs before it execs the command;
4. after the command ends (or the wall clock runs out) every process left in the cgroups is
   killed, the cgroups removed (an OOM kill in them is reported as ``killed_reason="memory"``),
   and new or changed regular files are copied back to ``job_dir``.

Where no memory cgroup can be made, :meth:`BwrapSandbox.check` refuses: RLIMIT_AS alone binds
each process, not the notebook. An operator may accept that explicitly with
``per_process_memory_only=True`` (the setting ``sandbox_per_process_memory``:
``AUTOGRADER_SANDBOX_PER_PROCESS_MEMORY=1``, or ``autograder grade --allow-per-process-memory``).
Without a cpu cgroup the run still works (a warning is logged): the seccomp filter refuses
``setsid``, so the sandbox stays one session.

No user namespace: bwrap runs as real root so it can bind root-owned paths, and the sandbox
user is a real unprivileged uid on the host (65534 by default).

The backend's options (runtime folder, uid/gid, CPU cap, cgroup hierarchies, the per-process
memory opt-in) are :class:`autograder.settings.SandboxSettings`; an argument given to
:class:`BwrapSandbox` wins over them.
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
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from autograder.sandbox import cgroup, seccomp
from autograder.sandbox.base import (
    JOB_DIR,
    Limits,
    RunResult,
    Sandbox,
    SandboxUnavailable,
    check_runtime_files,
    killed_reason,
    sandbox_env,
    split_status,
    wait_exited,
)
from autograder.sandbox.cgroup import RunCgroups, controller_env
from autograder.sandbox.files import MAX_FILES, copy_back, copy_job_in, read_tail
from autograder.settings import SandboxSettings

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


PER_PROCESS_MEMORY_ENV = SandboxSettings.env_name("sandbox_per_process_memory")
"""Set to 1 to run without a memory cgroup: each process limited alone (RLIMIT_AS)."""
RUNTIME_ENV = SandboxSettings.env_name("sandbox_runtime")


class BwrapSandbox(Sandbox):
    """Runs commands under bubblewrap + setpriv, with pids/memory/cpu cgroups and rlimits.

    Each argument left None is taken from ``settings`` (default: read from the environment):
    ``uid``/``gid`` (``sandbox_uid``/``sandbox_gid``), ``runtime`` (``sandbox_runtime``),
    ``per_process_memory_only``: run even where no memory cgroup can be made, with the memory
    limit bound to each process alone (``sandbox_per_process_memory``), ``cpus``: cap each
    sandbox at this many CPUs (``sandbox_cpus``; unset: no cap). The cgroup hierarchies are
    always the settings' (``sandbox_cgroup``, ``sandbox_<controller>_cgroup``).
    """

    name = "bwrap"

    def __init__(
        self,
        *,
        uid: int | None = None,
        gid: int | None = None,
        runtime: Path | None = None,
        python_prefix: Path | None = None,
        per_process_memory_only: bool | None = None,
        cpus: float | None = None,
        settings: SandboxSettings | None = None,
    ) -> None:
        self.settings = settings if settings is not None else SandboxSettings()
        self.uid = uid if uid is not None else self.settings.sandbox_uid
        self.gid = gid if gid is not None else self.settings.sandbox_gid
        self.runtime = Path(runtime if runtime is not None else self.settings.sandbox_runtime)
        """The runtime site-packages folder bound at /opt/site."""
        self.python_prefix = Path(python_prefix or sys.base_prefix).resolve()
        self.per_process_memory_only = (self.settings.sandbox_per_process_memory
                                        if per_process_memory_only is None
                                        else per_process_memory_only)
        self.cpus = cpus if cpus is not None else self.settings.sandbox_cpus
        self._controllers: tuple[str, ...] | None = None  # the cgroups a run gets, once probed

    # -- settings ------------------------------------------------------------------------------

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
                              ("prlimit", "util-linux"), ("mount", "mount"),
                              ("umount", "mount")):
            if not shutil.which(tool):
                raise SandboxUnavailable(
                    f"{tool} not found on PATH: install it (Debian: apt-get install {package}; "
                    "scripts/setup.sh does this when run as root)"
                )
        if not seccomp.supported():
            raise SandboxUnavailable(f"no seccomp filter for this CPU ({os.uname().machine})")
        self._controllers = self._probe_cgroups()
        if not os.access(self.python, os.X_OK):
            raise SandboxUnavailable(f"the sandbox Python {self.python} is missing")
        if not (self.runtime / ".stamp").is_file():
            raise SandboxUnavailable(
                f"the sandbox runtime {self.runtime} is missing: run "
                f"'bash scripts/sandbox-runtime.sh' (or set {RUNTIME_ENV})"
            )

    def _probe_cgroups(self) -> tuple[str, ...]:
        """The controllers each run gets; SandboxUnavailable where a required one is missing."""
        if self._controllers is not None:  # a controller that worked once keeps working
            return self._controllers
        problem = cgroup.probe("pids", self.settings)
        if problem:
            raise SandboxUnavailable(
                f"{problem}: the process limit cannot be enforced (mount the pids cgroup "
                f"hierarchy, or set {controller_env('pids')}; on cgroup v2, to a delegated "
                "cgroup that holds no process)"
            )
        controllers = ["pids"]
        problem = cgroup.probe("memory", self.settings)
        if problem is None:
            controllers.append("memory")
        elif self.per_process_memory_only:
            log.warning("%s: the memory limit binds each process alone, not the notebook "
                        "(the operator allowed this)", problem)
        else:
            raise SandboxUnavailable(
                f"{problem}: the memory limit would bind each process alone, not the notebook "
                "(five processes of 1.3 GiB pass a 2 GiB limit). Fix: mount the cgroup v1 "
                "memory hierarchy at /sys/fs/cgroup/memory, or on cgroup v2 delegate the "
                "memory controller to the grader (systemd: Delegate=yes) and set "
                f"{controller_env('memory')} to a delegated cgroup that holds no process; or "
                f"accept per-process limits with {PER_PROCESS_MEMORY_ENV}=1 "
                "(autograder grade --allow-per-process-memory)"
            )
        problem = cgroup.probe("cpu", self.settings)
        if problem is None:
            controllers.append("cpu")
        else:
            log.warning("%s: sandboxes share the CPU by session (setsid is refused inside "
                        "them), not by cgroup", problem)
        self._controllers = tuple(controllers)
        return self._controllers

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

    def reap(self) -> None:
        """Before the first run: the scratch mounts and cgroups of killed graders."""
        reap_stale(self.settings)

    def run(
        self,
        job_dir: Path,
        argv: list[str],
        limits: Limits,
        env: dict[str, str] | None = None,
        runtime_files: dict[str, Path] | None = None,
    ) -> RunResult:
        """Run ``argv`` in a fresh sandbox; see :class:`autograder.sandbox.base.Sandbox`."""
        job_dir, _files = self.start_run(job_dir, argv, runtime_files)
        work = Path(tempfile.mkdtemp(prefix=f"{_WORK_PREFIX}{os.getpid()}-"))
        scratch = work / "job"
        scratch.mkdir()
        mounted = False
        cgroups: RunCgroups | None = None
        controllers = self._probe_cgroups()
        try:
            _mount_tmpfs(scratch, limits.scratch_bytes, self.uid, self.gid)
            mounted = True
            manifest = copy_job_in(job_dir, scratch, self.uid, self.gid)
            _write_etc(work, self.uid, self.gid)
            (work / "seccomp.bpf").write_bytes(seccomp.build_filter())

            cgroups = RunCgroups(
                limits.pids + _EXTRA_PIDS,
                limits.memory_bytes if "memory" in controllers else None,
                cpu="cpu" in controllers, cpus=self.cpus,
                roots={c: cgroup.controller_root(c, self.settings) for c in controllers})
            try:
                cgroups.create()
            except OSError as exc:
                raise SandboxUnavailable(f"cannot create the run's cgroups: {exc}") from exc

            with open(work / "seccomp.bpf", "rb") as filt, \
                    open(work / "stdout", "wb") as out, open(work / "stderr", "wb") as err:
                cmd = self.command(argv, limits, scratch=scratch, etc_dir=work,
                                   seccomp_fd=filt.fileno(), env=env,
                                   runtime_files=runtime_files)
                log.debug("bwrap command: %s", cmd)
                status, timed_out, wall = self._execute(cmd, limits, cgroups, out, err,
                                                        pass_fds=(filt.fileno(),))
            leftovers = cgroups.pids()
            if leftovers:
                log.info("killing %d processes left in the sandbox", len(leftovers))
            cgroups.kill_all()
            oom_kills, memory_peak = cgroups.oom_kills(), cgroups.memory_peak()
            cgroups.remove()
            cgroups = None

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
            # an OOM kill of a child the program survived is not why the program stopped
            reason = killed_reason(timed_out=timed_out, sig=sig, stderr_tail=stderr,
                                   output_full=output_full,
                                   oom_killed=oom_kills > 0 and exit_code != 0)
            result = RunResult(exit_code=exit_code, signal=sig, timed_out=timed_out,
                               wall_seconds=wall, killed_reason=reason,
                               stdout=stdout, stderr=stderr, memory_peak_bytes=memory_peak,
                               oom_kills=oom_kills)
            log.info("bwrap run %s: exit=%s signal=%s reason=%s oom_kills=%d peak=%s in %.2fs",
                     argv[:2], exit_code, sig, reason, oom_kills, memory_peak, wall)
            return result
        finally:
            if cgroups is not None:
                cgroups.remove()
            if mounted:
                _umount(scratch)
            shutil.rmtree(work, ignore_errors=True)

    def _execute(
        self,
        cmd: list[str],
        limits: Limits,
        cgroups: RunCgroups,
        out: BinaryIO,
        err: BinaryIO,
        pass_fds: tuple[int, ...],
    ) -> tuple[int, bool, float]:
        """Start bwrap in the cgroups with the rlimits; wait; kill everything on timeout."""
        start = time.monotonic()
        ready_read, ready_write = os.pipe()
        try:
            proc = subprocess.Popen(
                spawn_command(cmd, cgroups.procs_files(), limits),
                stdin=ready_write,  # the shell's "ok"; then /dev/null, as the command's stdin
                stdout=out,
                stderr=err,
                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
                close_fds=True,
                pass_fds=pass_fds,
                start_new_session=True,
            )
        finally:
            os.close(ready_write)
        try:
            joined = _read_ready(ready_read)
        except BaseException:  # stopped meanwhile: the shell may not be in the cgroups yet
            proc.kill()
            proc.wait()
            raise
        finally:
            os.close(ready_read)
        if not joined:  # nothing of the command ran: the shell joins before it execs bwrap
            proc.kill()
            proc.wait()
            raise SandboxUnavailable(f"the sandbox could not join its cgroups "
                                     f"{cgroups.procs_files()} (exit {proc.returncode})")
        timed_out = False
        try:
            status = wait_exited(proc, limits.wall_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
            log.info("wall-clock limit of %.1fs reached: killing the sandbox", limits.wall_seconds)
            cgroups.kill_all()
            status = proc.wait()
        except BaseException:
            cgroups.kill_all()
            proc.wait()
            raise
        return status, timed_out, time.monotonic() - start


_JOIN_AND_EXEC = (
    'while [ "$1" != -- ]; do printf 0 > "$1" || exit 126; shift; done; shift; '
    'printf ok >&0 && exec 0</dev/null && exec "$@"'
)
"""/bin/sh between the grader and bwrap: join each cgroup (writing 0 to its cgroup.procs moves
the shell), say so on its stdin (the write end of a pipe the grader reads), put /dev/null there
instead, exec the rest (prlimit, then bwrap)."""

_PRLIMIT_OPTIONS = {
    resource.RLIMIT_AS: "--as",
    resource.RLIMIT_CPU: "--cpu",
    resource.RLIMIT_FSIZE: "--fsize",
    resource.RLIMIT_NOFILE: "--nofile",
    resource.RLIMIT_CORE: "--core",
}


def spawn_command(cmd: list[str], procs_files: list[str], limits: Limits) -> list[str]:
    """``cmd`` started in the run's cgroups with the run's rlimits, without ``preexec_fn``.

    Why not ``preexec_fn``: it makes subprocess fork the whole grading process (hundreds of MB
    with nbgrader and numpy loaded) and run Python in the copy: ~20 ms of CPU per run, against
    ~2 ms for vfork, /bin/sh and util-linux's prlimit. The cgroups are joined before prlimit and
    bwrap start, so the limits hold from bwrap's first fork, as before. The shell's stdin must be
    the write end of a pipe: it gets "ok" once every cgroup is joined (:func:`_read_ready`),
    and is /dev/null from prlimit on.
    """
    rlimits = [f"{_PRLIMIT_OPTIONS[which]}={soft}:{hard}"
               for which, soft, hard in limits.rlimits()]
    return ["/bin/sh", "-c", _JOIN_AND_EXEC, "sh", *procs_files, "--",
            shutil.which("prlimit") or "prlimit", *rlimits, "--", *cmd]


def _read_ready(fd: int) -> bool:
    """Whether the shell joined every cgroup: "ok", then the end of the pipe."""
    data = b""
    while chunk := os.read(fd, 16):
        data += chunk
        if len(data) > 16:
            break
    return data == b"ok"


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


def reap_stale(settings: SandboxSettings | None = None) -> None:
    """Clean up after graders that died mid-run: their scratch mounts and cgroups (in the
    hierarchies of ``settings``, default: read from the environment).

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
        if found and not cgroup.pid_alive(int(found.group(1))):
            log.warning("removing the stale sandbox scratch %s", fields[1])
            _umount(Path(fields[1]))
            shutil.rmtree(Path(fields[1]).parent, ignore_errors=True)
    cgroup.reap_stale(settings)
