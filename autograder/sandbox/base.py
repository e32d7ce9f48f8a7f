"""The sandbox interface: limits, the result of one run, and the abstract backend.

Student code is hostile. It runs only through a :class:`Sandbox`, never in the grader's process.
Every backend gives the same view from inside:

* the contents of the host folder ``job_dir`` at ``/job`` (writable, the working directory);
  what the sandbox wrote there is copied back into ``job_dir`` when :meth:`Sandbox.run`
  returns, bounded by :attr:`Limits.scratch_bytes`, regular files and folders only (symlinks,
  devices and anything else the sandbox made are dropped: the host never follows them);
* read-only ``runtime_files`` under ``/opt/grader/`` (the runner and its helpers);
* a size-limited writable ``/tmp``; nothing else is writable;
* no network, a non-root user without capabilities, and the :class:`Limits`;
* an environment holding only :func:`sandbox_env` plus what the caller passes.

A backend that cannot isolate here raises :class:`SandboxUnavailable` (from :meth:`check` and
:meth:`run`); it never falls back to running the code unsandboxed.
"""

from __future__ import annotations

import math
import os
import resource
import select
import signal as _signal
import subprocess
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import Any

from autograder.settings import GradingSettings, declared_default

JOB_DIR = "/job"
"""Where ``job_dir`` appears inside the sandbox (also the working directory and HOME)."""

GRADER_DIR = "/opt/grader"
"""Read-only folder for ``runtime_files``; first on PYTHONPATH."""

OUTPUT_TAIL_BYTES = 8 * 1024
"""How much of the end of stdout and of stderr a :class:`RunResult` keeps."""


class SandboxUnavailable(RuntimeError):  # noqa: N818 - the interface's name
    """This backend cannot isolate code here; the message says why and what to install."""


MiB = 1024**2


def _setting(name: str, scale: int = 1) -> Any:
    """A limit whose default and help text are the grading setting ``name``'s, times
    ``scale`` (``Any``: it stands for the value). :meth:`Limits.from_settings` reads it back."""
    return field(default=declared_default(name) * scale,
                 metadata={"setting": name, "scale": scale,
                           "help": GradingSettings.model_fields[name].description})


@dataclass(frozen=True)
class Limits:
    """Resource limits for one :meth:`Sandbox.run`; see :meth:`help`. The grader runs a
    submission's notebooks in one run, one at a time (:mod:`autograder.kernel.zygote` kills
    what a notebook left before the next starts), so each notebook has them to itself; the
    grader gives the run a wall clock of every notebook's together.

    Each limit is a grading setting (:class:`autograder.settings.GradingSettings`), which
    declares its default and help text; the grader builds its limits with
    :meth:`from_settings`.
    """

    memory_bytes: int = _setting("memory_mb", MiB)
    pids: int = _setting("pids")
    wall_seconds: float = _setting("notebook_timeout")
    cpu_seconds: int = _setting("cpu_seconds")
    file_bytes: int = _setting("file_mb", MiB)
    scratch_bytes: int = _setting("scratch_mb", MiB)
    open_files: int = _setting("open_files")

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"Limits.{f.name} must be a positive number, got {value!r}")
        for name in ("memory_bytes", "pids", "cpu_seconds", "file_bytes", "scratch_bytes",
                     "open_files"):
            if not isinstance(getattr(self, name), int):
                raise ValueError(f"Limits.{name} must be an int")

    @classmethod
    def from_settings(cls, settings: GradingSettings) -> Limits:
        """The limits the settings give (the one place settings become limits)."""
        return cls(**{f.name: getattr(settings, f.metadata["setting"]) * f.metadata["scale"]
                      for f in fields(cls)})

    @classmethod
    def help(cls) -> dict[str, str]:
        """Each limit's name and help text, naming the setting it comes from (CLIs, docs)."""
        return {f.name: f"{f.metadata['help']} [setting {f.metadata['setting']}]"
                for f in fields(cls)}

    def rlimits(self) -> list[tuple[int, int, int]]:
        """(resource, soft, hard) for setrlimit in a sandboxed child: address space, CPU
        seconds (hard limit 5 s later, so SIGXCPU comes first), file size, open files, no
        core dumps."""
        cpu = int(self.cpu_seconds)
        return [
            (resource.RLIMIT_AS, self.memory_bytes, self.memory_bytes),
            (resource.RLIMIT_CPU, cpu, cpu + 5),
            (resource.RLIMIT_FSIZE, self.file_bytes, self.file_bytes),
            (resource.RLIMIT_NOFILE, self.open_files, self.open_files),
            (resource.RLIMIT_CORE, 0, 0),
        ]


@dataclass
class RunResult:
    """What one :meth:`Sandbox.run` gave."""

    exit_code: int | None
    """The program's exit status, or None when it ended by a signal."""
    signal: int | None
    """The signal that ended the program (e.g. 9 for SIGKILL), else None."""
    timed_out: bool
    """True when the wall-clock limit was hit and the sandbox was killed."""
    wall_seconds: float
    """Time from start to end of the sandboxed program, as seen by the host."""
    killed_reason: str | None
    """Why the sandbox stopped the program, when known: "timeout", "memory", "cpu",
    "file_size", "output" (stdout or stderr reached ``file_bytes``)."""
    stdout: str
    """The last :data:`OUTPUT_TAIL_BYTES` of stdout (decoded, invalid bytes replaced)."""
    stderr: str
    """The last :data:`OUTPUT_TAIL_BYTES` of stderr."""
    memory_peak_bytes: int | None = None
    """The most memory the program's processes held at once, where the backend can tell."""
    oom_kills: int = 0
    """Processes of the run the kernel's OOM killer ended (any of them, the program's children
    included), where the backend can tell."""

    @property
    def ok(self) -> bool:
        """The program exited with status 0 on its own."""
        return self.exit_code == 0 and not self.timed_out


class Sandbox(ABC):
    """One isolation backend. Implementations: ``bwrap`` (default) and ``docker``."""

    name: str = "abstract"
    reap_every: float = math.inf
    """Seconds between two sweeps for what killed graders left (:meth:`reap`); inf: one
    sweep, before this object's first run."""
    _reaped_at: float | None = None

    @abstractmethod
    def check(self) -> None:
        """Raise :class:`SandboxUnavailable` if this backend cannot isolate code here."""

    def reap(self) -> None:  # noqa: B027 - a hook: a backend without leftovers has none
        """Remove what runs of killed graders left behind (nothing to do by default)."""

    @abstractmethod
    def run(
        self,
        job_dir: Path,
        argv: list[str],
        limits: Limits,
        env: dict[str, str] | None = None,
        runtime_files: dict[str, Path] | None = None,
    ) -> RunResult:
        """Run ``argv`` in the sandbox with cwd ``/job`` holding ``job_dir``'s contents.

        ``argv[0] == "python"`` means the sandbox's Python. ``runtime_files`` maps paths under
        ``/opt/grader/`` to host files or folders, made visible read-only. When this returns,
        what the sandbox wrote under ``/job`` is in ``job_dir``.
        """

    def start_run(self, job_dir: Path, argv: list[str],
                  runtime_files: dict[str, Path] | None) -> tuple[Path, dict[str, Path]]:
        """The start every backend's :meth:`run` shares: refuse an empty command, check the
        job folder and the runtime files, make sure this backend can isolate here
        (:meth:`check`), and sweep for killed graders' leftovers when due (:meth:`reap`).

        Returns the job folder, resolved, and the runtime files, checked and resolved.
        """
        if not argv:
            raise ValueError("argv is empty")
        job_dir = check_job_dir(job_dir)
        files = check_runtime_files(runtime_files)
        self.check()
        now = time.monotonic()
        if self._reaped_at is None or now - self._reaped_at > self.reap_every:
            self._reaped_at = now
            self.reap()
        return job_dir, files


def sandbox_env(extra: dict[str, str] | None, *, path: str) -> dict[str, str]:
    """The whole environment inside the sandbox: the fixed variables, then ``extra``."""
    env = {
        "PATH": path,
        "HOME": JOB_DIR,
        "PYTHONPATH": f"{GRADER_DIR}:/opt/site",
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "CS224N_GRADING": "1",
        # no /dev/shm for semaphores: joblib runs serially anyway; this only skips its warning
        "JOBLIB_MULTIPROCESSING": "0",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        # caches and config of matplotlib and IPython go to /tmp, not into the job's output
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "CS224N_MPL_CACHE": "/opt/site/.matplotlib",  # a prebuilt font cache, if present
        "IPYTHONDIR": "/tmp/ipython",
        "XDG_CACHE_HOME": "/tmp/cache",
        "XDG_CONFIG_HOME": "/tmp/config",
    }
    for key, value in (extra or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"environment entries must be strings: {key!r}={value!r}")
        if not key or "=" in key or "\0" in key or "\0" in value:
            raise ValueError(f"invalid environment variable {key!r}")
        env[key] = value
    return env


def check_runtime_files(runtime_files: dict[str, Path] | None) -> dict[str, Path]:
    """Validate ``runtime_files``: in-sandbox paths under /opt/grader/, existing host paths."""
    checked: dict[str, Path] = {}
    for inside, host in (runtime_files or {}).items():
        p = PurePosixPath(inside)
        plain = p.is_absolute() and ".." not in p.parts and str(p) == inside
        if not plain or not p.is_relative_to(GRADER_DIR) or p == PurePosixPath(GRADER_DIR):
            raise ValueError(f"runtime file path must be a plain path under {GRADER_DIR}/: "
                             f"{inside!r}")
        host = Path(host)
        if not (host.is_file() or host.is_dir()):
            raise FileNotFoundError(f"runtime file {inside!r}: no file or folder at {host}")
        checked[inside] = host.resolve()
    return checked


def check_job_dir(job_dir: Path) -> Path:
    """The job folder, resolved; it must exist and be a real folder (not a symlink)."""
    job_dir = Path(job_dir)
    if job_dir.is_symlink() or not job_dir.is_dir():
        raise NotADirectoryError(f"job_dir must be an existing folder: {job_dir}")
    return job_dir.resolve()


def split_status(status: int) -> tuple[int | None, int | None]:
    """(exit_code, signal) from a status where 128+N means "killed by signal N"."""
    if status < 0:
        return None, -status
    if 128 < status < 128 + 65:
        try:
            _signal.Signals(status - 128)
        except ValueError:
            return status, None
        return None, status - 128
    return status, None


def killed_reason(
    *,
    timed_out: bool,
    sig: int | None,
    stderr_tail: str,
    output_full: bool,
    oom_killed: bool = False,
) -> str | None:
    """Best guess at why the program was stopped by a limit, or None."""
    if timed_out:
        return "timeout"
    if oom_killed:
        return "memory"
    if output_full:
        return "output"
    if sig == _signal.SIGXCPU:
        return "cpu"
    if sig == _signal.SIGXFSZ:
        return "file_size"
    # Python ignores SIGXFSZ and raises instead: read the end of the traceback
    last = stderr_tail[-2048:]
    if "MemoryError" in last or "Unable to allocate" in last:
        return "memory"
    if "[Errno 27] File too large" in last:
        return "file_size"
    return None


def wait_exited(proc: subprocess.Popen, timeout: float) -> int:
    """proc's return code once it ended (as Popen.wait: minus the signal that ended it),
    waiting at most ``timeout`` seconds, then subprocess.TimeoutExpired.

    Why not ``Popen.wait(timeout)``: it polls with sleeps that double up to 50 ms, so it sees
    a process end up to 50 ms late (about 45 ms for a run of a tenth of a second): idle time in
    every sandbox run, which two workers on two cores cannot give back. A pidfd wakes up the
    moment the process ends.
    """
    try:
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):  # no pidfd here (Linux < 5.3), or it is reaped already
        return proc.wait(timeout=timeout)
    try:
        if not select.select([pidfd], [], [], timeout)[0]:
            raise subprocess.TimeoutExpired(proc.args, timeout)
    finally:
        os.close(pidfd)
    return proc.wait()
