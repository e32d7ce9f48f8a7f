"""A pids cgroup (v1 or v2) per sandbox run: caps processes+threads and finds every survivor.

RLIMIT_NPROC does not bind root, and is per user rather than per sandbox; a pids cgroup caps
the sandbox as a whole. The child joins the cgroup from ``preexec_fn`` before it execs bwrap,
so a fork bomb is contained from its first fork, and at the end every process still in the
cgroup is killed before the cgroup is removed.
"""

from __future__ import annotations

import logging
import os
import signal
import time
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

PARENT_NAME = "cs224n-sandbox"
"""The folder under the pids hierarchy that holds one cgroup per run."""


def pids_root() -> Path | None:
    """Where new pids cgroups go: the v1 pids hierarchy, else the v2 unified one, else None."""
    setting = os.environ.get("AUTOGRADER_SANDBOX_PIDS_CGROUP")
    if setting:
        return Path(setting)
    v1 = Path("/sys/fs/cgroup/pids")
    if (v1 / "cgroup.procs").exists():
        return v1
    for v2 in (Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup")):
        controllers = v2 / "cgroup.controllers"
        if controllers.exists() and "pids" in controllers.read_text().split():
            return v2
    return None


def _is_v2(root: Path) -> bool:
    return (root / "cgroup.controllers").exists()


class PidsCgroup:
    """One run's pids cgroup: create, join (from the child), kill everything, remove."""

    def __init__(self, root: Path, max_pids: int, name: str | None = None) -> None:
        self.root = root
        self.parent = root / PARENT_NAME
        self.path = self.parent / (name or f"{os.getpid()}-{uuid.uuid4().hex[:12]}")
        self.max_pids = max_pids
        self._procs = str(self.path / "cgroup.procs").encode()

    def create(self) -> None:
        """Make the cgroup with ``pids.max``; raises OSError if the hierarchy is not writable."""
        if _is_v2(self.root):
            self._enable_pids(self.root)
        self.parent.mkdir(exist_ok=True)
        if _is_v2(self.root):
            self._enable_pids(self.parent)
        self.path.mkdir()
        (self.path / "pids.max").write_text(str(self.max_pids))

    @staticmethod
    def _enable_pids(folder: Path) -> None:
        control = folder / "cgroup.subtree_control"
        if "pids" not in control.read_text().split():
            control.write_text("+pids")

    def join_from_child(self) -> None:
        """Move the calling process into the cgroup. Runs in ``preexec_fn``: no allocation."""
        fd = os.open(self._procs, os.O_WRONLY)
        try:
            os.write(fd, b"0")
        finally:
            os.close(fd)

    def pids(self) -> list[int]:
        """The processes now in the cgroup (empty if it is gone)."""
        try:
            text = (self.path / "cgroup.procs").read_text()
        except FileNotFoundError:
            return []
        return [int(line) for line in text.split()]

    def peak(self) -> int | None:
        """Most tasks the cgroup held at once (pids.peak, where the kernel has it)."""
        try:
            return int((self.path / "pids.peak").read_text())
        except (OSError, ValueError):
            return None

    def events_max(self) -> int:
        """How often a fork failed on ``pids.max`` (pids.events)."""
        try:
            for line in (self.path / "pids.events").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "max":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def kill_all(self, timeout: float = 10.0) -> bool:
        """SIGKILL every process in the cgroup until it stays empty; True if it did."""
        deadline = time.monotonic() + timeout
        while True:
            pids = self.pids()
            if not pids:
                return True
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if time.monotonic() > deadline:
                log.error("pids cgroup %s still holds %s after %.0fs", self.path, pids, timeout)
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
        log.error("could not remove pids cgroup %s", self.path)
