"""One sandbox run's cgroups (v1 or v2): processes, memory and CPU of the notebook as a whole.

Why cgroups and not only rlimits: rlimits bind each process alone. Under RLIMIT_AS of 2 GiB a
cell that forked five children of 1.3 GiB each held 6.5 GiB at once; RLIMIT_NPROC does not bind
root and counts per user, not per sandbox; and the scheduler shares CPU per session (autogroup),
so 56 children in sessions of their own took 56 shares from the notebook graded beside them.
Each run gets, for all its processes together:

* ``pids``: ``pids.max`` (processes plus threads); the cgroup also finds every survivor to kill;
* ``memory``: ``memory.limit_in_bytes`` and ``memory.memsw.limit_in_bytes`` (v1), or
  ``memory.max`` and ``memory.swap.max = 0`` (v2): swap included, so the limit is memory plus
  swap. At the limit the kernel's OOM killer ends a process of this cgroup only (the largest);
  :meth:`RunCgroups.oom_kills` counts them;
* ``cpu``: one ordinary share (``cpu.shares`` 1024 on v1, ``cpu.weight`` 100 on v2), optionally
  capped by a CFS quota. A task in a cpu cgroup other than the root is not scheduled by session
  autogroup, so sessions made inside the sandbox gain nothing. The parent folder weighs as much
  as the runs in it (:func:`rebalance_cpu`), so each sandbox weighs as much as one session of
  the host, as a whole.

The process that execs bwrap first joins every cgroup (it writes to each ``cgroup.procs``:
:meth:`RunCgroups.procs_files`), so the limits hold from bwrap's first fork; at the end every
process still in the cgroups is killed and they are removed.
Cgroups go under ``<hierarchy>/cs224n-sandbox/<grader pid>-<random>``: on v1 one folder per
controller's hierarchy, on v2 one folder for the controllers that share a root. The hierarchy of
each controller can be set (:class:`autograder.settings.SandboxSettings`:
``sandbox_{pids,memory,cpu}_cgroup``, or for all of them ``sandbox_cgroup``; the variables
``AUTOGRADER_SANDBOX_{PIDS,MEMORY,CPU}_CGROUP`` and ``AUTOGRADER_SANDBOX_CGROUP``; on v2 a
delegated cgroup that holds no process itself).
"""

from __future__ import annotations

import logging
import os
import signal
import time
import uuid
from pathlib import Path

from autograder.settings import CGROUP_CONTROLLERS, SandboxSettings

log = logging.getLogger(__name__)

PARENT_NAME = "cs224n-sandbox"
"""The folder under each hierarchy that holds one cgroup per run."""

CONTROLLERS = CGROUP_CONTROLLERS
"""The controllers a run may use; ``pids`` is always one of them."""

CGROUP_ENV = SandboxSettings.env_name("sandbox_cgroup")
"""Where every controller's cgroups go, unless its own variable says otherwise."""


def controller_env(controller: str) -> str:
    """The variable naming ``controller``'s hierarchy, e.g. AUTOGRADER_SANDBOX_MEMORY_CGROUP."""
    return SandboxSettings.env_name(f"sandbox_{controller}_cgroup")


def controller_root(controller: str, settings: SandboxSettings | None = None) -> Path | None:
    """Where new cgroups of ``controller`` go: the setting (``settings``, default read from the
    environment), else its v1 hierarchy, else a v2 hierarchy that offers it, else None."""
    setting = (settings if settings is not None else SandboxSettings()).cgroup_root(controller)
    if setting:
        return setting
    v1 = Path("/sys/fs/cgroup") / controller
    if (v1 / "cgroup.procs").exists():
        return v1
    for v2 in (Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup")):
        if controller in _read_words(v2 / "cgroup.controllers"):
            return v2
    return None


def pids_root() -> Path | None:
    """Where new pids cgroups go (see :func:`controller_root`)."""
    return controller_root("pids")


def is_v2(root: Path) -> bool:
    """Whether ``root`` is in a cgroup v2 (unified) hierarchy."""
    return (root / "cgroup.controllers").exists()


def _read_words(path: Path) -> list[str]:
    try:
        return path.read_text().split()
    except OSError:
        return []


def _swap_total() -> int:
    """Bytes of swap the host has (0 if none or unknown)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("SwapTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


_warned: set[str] = set()


def _warn_once(key: str, message: str, *args: object) -> None:
    if key not in _warned:
        _warned.add(key)
        log.warning(message, *args)


class Cgroup:
    """One cgroup folder of a run, in one hierarchy, for one or more controllers."""

    def __init__(self, root: Path, controllers: tuple[str, ...], name: str) -> None:
        self.root = root
        self.controllers = controllers
        self.parent = root / PARENT_NAME
        self.path = self.parent / name
        self.v2 = is_v2(root)
        self._procs = str(self.path / "cgroup.procs").encode()

    def create(self, settings: list[tuple[str, str]]) -> None:
        """Make the cgroup and write ``settings`` (file, value) in order; OSError if it cannot."""
        if self.v2:
            self._enable(self.root)
        self.parent.mkdir(exist_ok=True)
        if self.v2:
            self._enable(self.parent)
        self.path.mkdir()
        for name, value in settings:
            (self.path / name).write_text(value)

    def _enable(self, folder: Path) -> None:
        """Make the v2 controllers available to the children of ``folder``."""
        control = folder / "cgroup.subtree_control"
        missing = [c for c in self.controllers if c not in _read_words(control)]
        if missing:
            control.write_text(" ".join(f"+{c}" for c in missing))

    def has(self, name: str) -> bool:
        """Whether the cgroup has the interface file ``name`` (e.g. memory.memsw.limit_in_bytes)."""
        return (self.path / name).exists()

    def read(self, name: str) -> str | None:
        """An interface file's text, or None if it is not there."""
        try:
            return (self.path / name).read_text()
        except OSError:
            return None

    def join_from_child(self) -> None:
        """Move the calling process into the cgroup. Runs in ``preexec_fn``: no allocation."""
        fd = os.open(self._procs, os.O_WRONLY)
        try:
            os.write(fd, b"0")
        finally:
            os.close(fd)

    def pids(self) -> list[int]:
        """The processes now in the cgroup (empty if it is gone)."""
        text = self.read("cgroup.procs")
        return [int(line) for line in text.split()] if text else []

    def kill_all(self, timeout: float = 10.0) -> bool:
        """SIGKILL every process in the cgroup until it stays empty; True if it did."""
        deadline = time.monotonic() + timeout
        while True:
            pids = self.pids()
            if not pids:
                return True
            if self.v2 and self.has("cgroup.kill"):
                try:
                    (self.path / "cgroup.kill").write_text("1")
                except OSError:
                    pass
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if time.monotonic() > deadline:
                log.error("cgroup %s still holds %s after %.0fs", self.path, pids, timeout)
                return False
            time.sleep(0.01)

    def remove(self) -> None:
        """Kill what is left and remove the cgroup (logs, never raises)."""
        if not self.path.exists():
            return
        self.kill_all()
        for _ in range(100):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:  # EBUSY while the last killed processes are being reaped
                time.sleep(0.02)
        log.error("could not remove the cgroup %s", self.path)


_SHARES = {False: ("cpu.shares", 1024, 262144), True: ("cpu.weight", 100, 10000)}
"""v2? -> (file, weight of one run, most the kernel takes)."""


def rebalance_cpu(root: Path) -> None:
    """Give the parent folder of the runs under ``root`` the weight of as many ordinary
    sessions as it holds runs (at least one): else all sandboxes of the host together would
    weigh as much as one session, and a busy host would starve them. Logs, never raises."""
    parent = root / PARENT_NAME
    file, one, most = _SHARES[is_v2(root)]
    try:
        runs = sum(1 for child in parent.iterdir() if child.is_dir())
        (parent / file).write_text(str(min(most, one * max(1, runs))))
    except OSError as exc:
        log.debug("cannot set the weight of %s: %s", parent, exc)


def _memory_settings(group: Cgroup, memory_bytes: int) -> list[tuple[str, str]]:
    """What limits the memory of the whole run, swap included, in ``group``'s cgroup version."""
    limit = str(memory_bytes)
    if group.v2:
        settings = [("memory.max", limit)]
        if group.has("memory.swap.max"):
            settings.append(("memory.swap.max", "0"))
        elif _swap_total():
            _warn_once("swap", "no memory.swap.max: swap is not limited in the sandbox")
        return settings
    settings = [("memory.limit_in_bytes", limit)]  # before memsw: memsw may not be lower
    if group.has("memory.memsw.limit_in_bytes"):
        settings.append(("memory.memsw.limit_in_bytes", limit))
    else:
        settings.append(("memory.swappiness", "0"))
        if _swap_total():
            _warn_once("swap", "no memory.memsw.limit_in_bytes (boot with swapaccount=1): the "
                       "sandbox's swap is not counted in its memory limit, only discouraged")
    return settings


def _cpu_settings(group: Cgroup, cpus: float | None) -> list[tuple[str, str]]:
    """One ordinary CPU share, and a CFS quota of ``cpus`` CPUs if given."""
    if group.v2:
        settings = [("cpu.weight", "100")]
        if cpus:
            settings.append(("cpu.max", f"{max(1000, int(cpus * 100_000))} 100000"))
        return settings
    settings = [("cpu.shares", "1024")]
    if cpus:
        try:
            period = int(group.read("cpu.cfs_period_us") or "100000")
        except ValueError:
            period = 100_000
        settings.append(("cpu.cfs_quota_us", str(max(1000, int(cpus * period)))))
    return settings


class RunCgroups:
    """The cgroups of one run: create them, let the child join, read what happened, remove.

    ``memory_bytes=None`` leaves memory out (per-process limits only, an operator's explicit
    choice); ``cpu=False`` leaves the cpu controller out.
    """

    def __init__(
        self,
        max_pids: int,
        memory_bytes: int | None = None,
        *,
        cpu: bool = False,
        cpus: float | None = None,
        name: str | None = None,
        roots: dict[str, Path | None] | None = None,
    ) -> None:
        wanted = ["pids"] + (["memory"] if memory_bytes is not None else []) + (
            ["cpu"] if cpu else [])
        roots = roots or {c: controller_root(c) for c in wanted}
        by_root: dict[Path, list[str]] = {}
        for controller in wanted:
            root = roots.get(controller)
            if root is None:
                raise OSError(f"no {controller} cgroup hierarchy (mount it, or set "
                              f"{controller_env(controller)})")
            by_root.setdefault(root, []).append(controller)
        self.name = name or f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.groups = [Cgroup(root, tuple(cs), self.name) for root, cs in by_root.items()]
        self.max_pids, self.memory_bytes, self.cpus = max_pids, memory_bytes, cpus

    def _group(self, controller: str) -> Cgroup | None:
        return next((g for g in self.groups if controller in g.controllers), None)

    def create(self) -> None:
        """Make every cgroup with its limits; on failure remove those made and raise OSError."""
        try:
            for group in self.groups:
                group.create([])
                for file, value in _settings(group, self.max_pids, self.memory_bytes, self.cpus):
                    (group.path / file).write_text(value)
                if "cpu" in group.controllers:
                    rebalance_cpu(group.root)
        except OSError:
            self.remove()
            raise

    def join_from_child(self) -> None:
        """Move the calling process into every cgroup (pids first). Runs in ``preexec_fn``."""
        for group in self.groups:
            group.join_from_child()

    def procs_files(self) -> list[str]:
        """Each cgroup's ``cgroup.procs`` (pids first): writing 0 to one moves the writer."""
        return [str(group.path / "cgroup.procs") for group in self.groups]

    def pids(self) -> list[int]:
        """Every process now in any of the run's cgroups."""
        found: set[int] = set()
        for group in self.groups:
            found.update(group.pids())
        return sorted(found)

    def kill_all(self, timeout: float = 10.0) -> bool:
        """SIGKILL every process of the run until none is left; True if none is."""
        return all([group.kill_all(timeout) for group in self.groups])

    def oom_kills(self) -> int:
        """How many processes the memory limit's OOM killer ended in this run."""
        group = self._group("memory")
        if group is None:
            return 0
        text = group.read("memory.events" if group.v2 else "memory.oom_control") or ""
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit():
                return int(value)
        if not group.v2:  # kernels before 4.13 do not count OOM kills: was the limit hit?
            failcnt = (group.read("memory.failcnt") or "0").strip()
            return 1 if failcnt.isdigit() and int(failcnt) > 0 else 0
        return 0

    def memory_peak(self) -> int | None:
        """The most memory the run's processes held at once (bytes), where the kernel says."""
        group = self._group("memory")
        if group is None:
            return None
        for name in (("memory.peak",) if group.v2 else
                     ("memory.memsw.max_usage_in_bytes", "memory.max_usage_in_bytes")):
            text = (group.read(name) or "").strip()
            if text.isdigit():
                return int(text)
        return None

    def remove(self) -> None:
        """Kill what is left and remove every cgroup (logs, never raises)."""
        for group in self.groups:
            group.remove()
            if "cpu" in group.controllers:
                rebalance_cpu(group.root)


def _settings(group: Cgroup, max_pids: int, memory_bytes: int | None,
              cpus: float | None) -> list[tuple[str, str]]:
    """The interface files to write in ``group`` for its controllers, in order."""
    settings: list[tuple[str, str]] = []
    if "pids" in group.controllers:
        settings.append(("pids.max", str(max_pids)))
    if "memory" in group.controllers and memory_bytes is not None:
        settings += _memory_settings(group, memory_bytes)
    if "cpu" in group.controllers:
        settings += _cpu_settings(group, cpus)
    return settings


def probe(controller: str, settings: SandboxSettings | None = None) -> str | None:
    """None if a cgroup of ``controller`` can be made and limited here, else why not."""
    root = controller_root(controller, settings)
    if root is None:
        return f"no {controller} cgroup hierarchy"
    trial = Cgroup(root, (controller,), f"{os.getpid()}-probe-{uuid.uuid4().hex[:8]}")
    try:
        trial.create([])
        for file, value in _settings(trial, 1, 64 * 1024**2, None):
            (trial.path / file).write_text(value)
    except OSError as exc:
        return f"cannot create a {controller} cgroup under {root}: {exc}"
    finally:
        trial.remove()
    return None


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (a grader's, in a leftover's name)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_stale(settings: SandboxSettings | None = None) -> None:
    """Remove the cgroups of graders that died mid-run (whose pid, in the name, is gone)."""
    settings = settings if settings is not None else SandboxSettings()
    roots: dict[Path, list[str]] = {}
    for controller in CONTROLLERS:
        root = controller_root(controller, settings)
        if root is not None:
            roots.setdefault(root, []).append(controller)
    for root, controllers in roots.items():
        try:
            children = list((root / PARENT_NAME).iterdir())
        except OSError:
            continue
        for child in children:
            pid, _, _ = child.name.partition("-")
            if child.is_dir() and pid.isdigit() and not pid_alive(int(pid)):
                log.warning("removing the stale sandbox cgroup %s", child)
                Cgroup(root, tuple(controllers), child.name).remove()
        if "cpu" in controllers:
            rebalance_cpu(root)
