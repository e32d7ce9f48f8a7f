"""A private temp folder per grading run, so whatever a grader leaves behind can be found.

The job folders (grade.py), the sandboxes' work folders and the assignment copy are all
made through `tempfile`; a grading process tree points `tempfile` (and TMPDIR, for the
processes it starts) at one folder of its own, ``autograder-grading-<pid>-<random>``. Every
process using the folder holds a shared flock on its ``.lock`` file, so:

- a clean shutdown removes the folder (:meth:`PrivateTemp.close`);
- a grader killed before it could clean (SIGKILL, a power cut) releases its locks with its
  death, and the next grader to start removes the folder (:func:`reap_stale`), never one
  still in use (the lock says so, whatever the pid), never through a mount left in it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)
PREFIX = "autograder-grading-"
LOCK = ".lock"
YOUNG_SECONDS = 60.0  # a folder without its lock file yet may be being created


def _open_lock(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)


def use_folder(folder: Path) -> None:
    """Make `tempfile` and the processes this one starts make their temp files in folder."""
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)


def hold(folder: Path) -> int:
    """A shared lock on folder's lock file (kept until the fd is closed or the process dies)."""
    fd = _open_lock(folder / LOCK)
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


class PrivateTemp:
    """This process tree's temp folder; child processes call :func:`hold` and
    :func:`use_folder` on :attr:`path`."""

    def __init__(self, base: Path | None = None):
        base = Path(base or tempfile.gettempdir())
        self.path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))
        # locked before it has its name: a reaper never sees the lock file unlocked
        fd = os.open(self.path / f"{LOCK}.new", os.O_RDWR | os.O_CREAT | os.O_EXCL
                     | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_SH)
        os.rename(self.path / f"{LOCK}.new", self.path / LOCK)
        self._fd: int | None = fd

    def close(self) -> None:
        """Remove the folder (unless a mount is still inside it: the sandbox's reaper
        removes that first, and the next start removes the folder)."""
        if self._fd is None:
            return
        if _remove(self.path):
            log.debug("removed %s", self.path)
        os.close(self._fd)
        self._fd = None


def reap_stale(base: Path | None = None) -> list[Path]:
    """Remove the private temp folders in base (default: the temp dir) that no process
    holds any more; returns the ones removed."""
    base = Path(base or tempfile.gettempdir())
    removed = []
    try:
        candidates = sorted(base.glob(f"{PREFIX}*"))
    except OSError:
        return removed
    for folder in candidates:
        if folder.is_symlink() or not folder.is_dir():
            continue
        try:
            fd = _open_lock(folder / LOCK)
        except FileNotFoundError:
            if time.time() - folder.stat().st_mtime < YOUNG_SECONDS:
                continue  # being created right now
            fd = None
        except OSError:
            continue
        try:
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a live grader holds it
            log.warning("removing %s, left behind by a grader that did not clean up", folder)
            if _remove(folder):
                removed.append(folder)
        finally:
            if fd is not None:
                os.close(fd)
    return removed


def _remove(folder: Path) -> bool:
    inside = mounts_under(folder)
    if inside:
        log.warning("%s still has mounts (%s): left for the next start", folder,
                    ", ".join(str(m) for m in inside))
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()


def mounts_under(folder: Path) -> list[Path]:
    """Mount points at or below folder (from /proc/self/mounts)."""
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return []
    root = os.path.realpath(folder)
    found = []
    for line in lines:
        fields = line.split()
        if len(fields) < 2:
            continue
        point = _unescape(fields[1])
        if point == root or point.startswith(root + os.sep):
            found.append(Path(point))
    return found


def _unescape(field: str) -> str:
    """/proc/self/mounts writes space, tab, newline and backslash as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def reap_sandbox(sandbox: str) -> None:
    """The sandbox backend's own clean-up of dead graders' mounts and cgroups (bwrap; the
    Docker backend reaps its expired containers on its first run)."""
    if sandbox != "bwrap":
        return
    try:
        from autograder.sandbox.bwrap import reap_stale as reap_bwrap

        reap_bwrap()
    except Exception:  # never a reason not to start
        log.exception("could not remove stale sandboxes")


def reap_leftovers(sandbox: str, base: Path | None = None) -> list[Path]:
    """On start: dead graders' sandboxes (mounts, cgroups) first, then their folders."""
    reap_sandbox(sandbox)
    return reap_stale(base)
