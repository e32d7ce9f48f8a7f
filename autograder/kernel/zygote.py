"""One sandbox per submission: a pre-imported interpreter forks a fresh child per notebook.

    python -m kernel.zygote NAME [NAME ...] --cell-timeout S --call-timeout S --wall S
           [--preload MODULE ...]

Why: a fresh interpreter per notebook paid the same imports again and again (numpy, IPython,
scikit-learn: most of a whole assignment's CPU). A fork of an interpreter that imported them
costs milliseconds and starts from the state a fresh kernel starts from: this process (the
zygote) never runs student code, never reads a notebook's calls or key, and each notebook runs
in a child forked from it.

The grader writes the job folder (/job) as::

    _files/                          the support files and every restored notebook
    _calls/NAME.json (.npz, .key)    each notebook's calls and the key of its keeper

and reads back, after the run, ``_results/NAME/``: the runner's result files of that notebook
(see :mod:`kernel.runner`) and ``status.json`` (how its child ended).

Before any student code runs, the zygote prints :data:`STARTED`, takes every notebook's calls
and key out of /job (open descriptors, unlinked, never read here: each notebook's keeper reads
its own after the fork, see :mod:`kernel.keeper`), reads ``_files`` into memory and writes them
to /job (the course's support package, importable), becomes non-dumpable (a process of the same
uid can then read neither its memory nor its descriptors) and imports the preloads (the course's
own support modules among them). Then, one notebook at a time:

1. /job and /tmp are emptied and the files written back from memory: a notebook sees no file
   an earlier one wrote;
2. a child is forked. It closes every other notebook's descriptors, restores the environment,
   the umask, the working directory and the signal handlers as they were at the zygote's start,
   reseeds Python's and numpy's random generators from fresh entropy (as a new kernel's are),
   and runs :func:`kernel.runner.serve` (which forks that notebook's keeper);
3. the zygote waits for the child (``--wall`` seconds of wall clock at most), kills every
   process left in the sandbox (only this process and the sandbox's init survive), removes the
   System V IPC objects left in the sandbox's IPC namespace, and reads the child's result files
   (regular files only, bounded) into memory.

Only when every notebook ran, with nothing else alive, are the results written to
``_results/``: no notebook can read or change another's. A child that kills the zygote ends the
run without results; the grader runs the notebooks without results again, each in a sandbox of
its own (so the loss stays with the notebook that caused it).

Limits: the sandbox's limits (memory and processes of the cgroups, the CPU share, the scratch
and /tmp sizes) hold for one notebook at a time, since only one child runs and what it left is
killed before the next starts; RLIMIT_CPU/AS/FSIZE bind each process, as before.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib
import json
import os
import select
import signal
import stat
import sys
import time
import traceback
from pathlib import Path

from . import keeper as calls_keeper
from .atomic import write_atomic

STARTED = "kernel.zygote: started"
FILES_DIR = "_files"
CALLS_DIR = "_calls"
RESULTS_DIR = "_results"
OUT_DIR = "_out"
STATUS_FILE = "status.json"
PROFILE_FILE = "zygote.json"
MAX_RESULT_BYTES = 512 * 1024**2
"""Result files kept of one notebook, all together (the scratch size bounds them anyway)."""
READ_CHUNK = 1024**2
"""Bytes read at a time from a result file (memory follows the file, not the bound)."""
KILL_ROUNDS = 200
# --- H6 (Gradescope): the sandbox's own temp folder. /tmp in bwrap and Docker (a private
# tmpfs); in the Gradescope container sandbox, which has no mount namespace, a private folder
# named by TMPDIR (the container's /tmp is shared with root). Read once, at start.
SCRATCH_TMP = Path(os.environ.get("TMPDIR") or "/tmp")
# --- end H6
_PR_SET_DUMPABLE = 4


class ZygoteError(RuntimeError):
    """The job folder is not what the grader writes."""


# ---------------------------------------------------------------- files


def read_tree(root: Path) -> list[tuple[str, bytes | None, int]]:
    """Every folder and regular file under root: (relative path, content or None for a
    folder, mode), parents first. Links and anything else are left out."""
    entries: list[tuple[str, bytes | None, int]] = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        base = Path(folder)
        for name in dirs:
            path = base / name
            if not path.is_symlink():
                entries.append((str(path.relative_to(root)), None, 0o755))
        for name in sorted(files):
            path = base / name
            info = path.lstat()
            if stat.S_ISREG(info.st_mode):
                entries.append((str(path.relative_to(root)), path.read_bytes(),
                                stat.S_IMODE(info.st_mode) | 0o600))
    return entries


def write_tree(root: Path, entries: list[tuple[str, bytes | None, int]]) -> None:
    for relative, content, mode in entries:
        path = root / relative
        if content is None:
            path.mkdir(mode=mode)
        else:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
            with os.fdopen(fd, "wb") as f:
                f.write(content)


def empty(folder: Path) -> None:
    """Remove everything in folder (not folder itself), whatever modes a notebook set."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        path = folder / name
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(info.st_mode):
            try:
                os.chmod(path, 0o700)
            except OSError:
                pass
            empty(path)
            os.rmdir(path)
        else:
            path.unlink()


def read_results(out: Path, limit: int = MAX_RESULT_BYTES) -> dict[str, bytes]:
    """The regular files directly in out (no links, no folders), at most limit bytes in all."""
    found: dict[str, bytes] = {}
    try:
        names = sorted(os.listdir(out))
    except OSError:
        return found
    room = limit
    for name in names:
        try:
            fd = os.open(out / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > room:
            os.close(fd)  # before fdopen, which refuses a folder (IsADirectoryError)
            continue
        with os.fdopen(fd, "rb", buffering=0) as f:
            data = _read_at_most(f, room)
        if data is not None:
            found[name] = data
            room -= len(data)
    return found


def _read_at_most(f, room: int) -> bytes | None:
    """The file's content, or None when it holds more than room bytes.

    Why in chunks: ``f.read(room + 1)`` allocates room + 1 bytes before it reads one, and
    room is up to :data:`MAX_RESULT_BYTES`: under a small RLIMIT_AS (the Gradescope
    container's memory_mb=384) that alone raised MemoryError in the zygote. Here memory grows
    with what the file holds (the size was checked against room before), never with room.
    """
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = f.read(min(READ_CHUNK, room + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > room:
            return None  # it grew past the bound after fstat


# ---------------------------------------------------------------- processes


def kill_others() -> None:
    """SIGKILL every process of this pid namespace but this one and its init (pid 1), until
    none is left: what a notebook left must not live into the next one."""
    me = os.getpid()
    for _ in range(KILL_ROUNDS):
        others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
        alive = []
        for pid in others:
            try:
                with open(f"/proc/{pid}/stat", "rb") as f:
                    state = f.read().rsplit(b")", 1)[-1].split()[0]
            except (OSError, IndexError):
                continue
            if state in (b"Z", b"X"):
                continue
            try:  # H6: only what this uid can kill (the container sandbox shares the pids)
                if os.stat(f"/proc/{pid}").st_uid != os.getuid():
                    continue
            except OSError:
                continue
            alive.append(pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _reap()
        if not alive:
            return
        time.sleep(0.005)


def remove_ipc() -> list[str]:
    """Remove every System V shared memory segment, semaphore set and message queue of this
    IPC namespace (they outlive the processes that made them); returns what was removed."""
    libc = ctypes.CDLL(None, use_errno=True)
    ipc_rmid = 0
    removers = {"shm": lambda i: libc.shmctl(i, ipc_rmid, None),
                "sem": lambda i: libc.semctl(i, 0, ipc_rmid),
                "msg": lambda i: libc.msgctl(i, ipc_rmid, None)}
    removed = []
    for kind, remove in removers.items():
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 1 and fields[1].isdigit() and remove(int(fields[1])) == 0:
                removed.append(f"{kind} {fields[1]}")
    return removed


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def wait(pid: int, wall: float) -> tuple[int | None, bool, float]:
    """(wait status or None, timed out, seconds) of the child, at most wall seconds."""
    started = time.monotonic()
    pidfd = os.pidfd_open(pid)
    try:
        timed_out = not select.select([pidfd], [], [], wall)[0]
    finally:
        os.close(pidfd)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return status, timed_out, time.monotonic() - started


def _set_dumpable(on: bool) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_DUMPABLE, int(on), 0, 0, 0) != 0:
        raise ZygoteError(f"prctl(PR_SET_DUMPABLE) failed: errno {ctypes.get_errno()}")


# ---------------------------------------------------------------- the zygote


class Pristine:
    """What a fresh interpreter starts with, taken before anything else happens here."""

    def __init__(self) -> None:
        self.environ = dict(os.environ)
        self.cwd = os.getcwd()
        self.umask = os.umask(0o022)
        os.umask(self.umask)
        self.handlers = {sig: signal.getsignal(sig) for sig in signal.valid_signals()
                         if sig not in (signal.SIGKILL, signal.SIGSTOP)}

    def restore(self) -> None:
        """In a fresh child: the environment, umask, cwd, signal handlers; new random seeds."""
        os.environ.clear()
        os.environ.update(self.environ)
        os.umask(self.umask)
        os.chdir(self.cwd)
        for sig, handler in self.handlers.items():
            try:
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
            except (OSError, ValueError, TypeError):
                pass
        signal.setitimer(signal.ITIMER_REAL, 0)
        import random

        random.seed()  # from os.urandom, as at a fresh interpreter's start
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()  # the legacy global generator, from fresh entropy


def preload(modules: list[str]) -> list[str]:
    """Import modules the notebooks will import (not student code: the sandbox's runtime);
    returns those that failed (a notebook importing them fails on its own, as it would)."""
    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - any import error is the notebook's to meet
            failed.append(name)
    return failed


def run_child(name: str, job: Path, fds: list[int], others: list[int], pristine: Pristine,
              cell_timeout: float, call_timeout: float) -> int:
    """In the forked child: clean state, then the runner (never returns)."""
    code = 1
    try:
        for fd in others:
            os.close(fd)
        pristine.restore()
        os.chdir(job)
        from . import runner

        print(runner.STARTED, flush=True)
        out = job / OUT_DIR
        out.mkdir()
        keeper = calls_keeper.start_with(fds, out)  # forks: the cells run in its child
        code = runner.serve(job / f"{name}.ipynb", out, keeper, cell_timeout, call_timeout)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        try:
            traceback.print_exc()
        finally:
            code = 1
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kernel.zygote")
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--cell-timeout", type=float, required=True)
    parser.add_argument("--call-timeout", type=float, required=True)
    parser.add_argument("--wall", type=float, required=True,
                        help="wall-clock seconds per notebook")
    parser.add_argument("--preload", nargs="*", default=[])
    startup_cpu = time.process_time()
    args = parser.parse_args(argv)
    pristine = Pristine()
    print(STARTED, flush=True)
    job = Path.cwd()
    names = list(args.notebooks)
    if len(set(names)) != len(names) or any(not n.isidentifier() for n in names):
        raise ZygoteError(f"bad notebook names: {names}")
    fds = {name: calls_keeper.take(job / CALLS_DIR / f"{name}.json") for name in names}
    files = read_tree(job / FILES_DIR)
    empty(job)
    write_tree(job, files)  # the course's support package, importable for the preloads
    _set_dumpable(False)
    mark = time.process_time()
    preload(["numpy", "IPython.core.interactiveshell", "kernel.runner", *args.preload])
    # the zygote's own CPU by phase, for benchmarks/profile_assignment.py (never graded)
    cpu = {"start": round(startup_cpu, 4), "setup": round(mark - startup_cpu, 4),
           "preload": round(time.process_time() - mark, 4)}
    results: dict[str, dict[str, bytes]] = {}
    for name in names:
        before = os.times()
        empty(job)
        empty(SCRATCH_TMP)
        write_tree(job, files)
        own = fds.pop(name)
        others = [fd for rest in fds.values() for fd in rest]
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            run_child(name, job, own, others, pristine, args.cell_timeout, args.call_timeout)
        for fd in own:
            os.close(fd)
        status, timed_out, seconds = wait(pid, args.wall)
        kill_others()
        remove_ipc()
        files_out = read_results(job / OUT_DIR)
        exit_code = os.waitstatus_to_exitcode(status) if status is not None else None
        after = os.times()
        files_out[STATUS_FILE] = json.dumps({
            "exit_code": exit_code if exit_code is not None and exit_code >= 0 else None,
            "signal": -exit_code if exit_code is not None and exit_code < 0 else None,
            "timed_out": timed_out, "wall_seconds": round(seconds, 3),
            # CPU seconds, for benchmarks/profile_assignment.py: the zygote's own work for
            # this notebook, and the child's with everything it waited for
            "zygote_cpu": round(after.user + after.system - before.user - before.system, 4),
            "child_cpu": round(after.children_user + after.children_system
                               - before.children_user - before.children_system, 4),
        }).encode()
        results[name] = files_out
    kill_others()
    empty(job)
    empty(SCRATCH_TMP)
    for name, found in results.items():
        folder = job / RESULTS_DIR / name
        folder.mkdir(parents=True)
        for file_name, data in found.items():
            write_atomic(folder / file_name, data)
    cpu["total"] = round(time.process_time(), 4)
    write_atomic(job / RESULTS_DIR / PROFILE_FILE, json.dumps(cpu).encode())
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # no interpreter teardown: nothing is left to flush or close
