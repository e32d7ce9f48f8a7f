"""Run one notebook in a fresh interpreter, then answer the grader's calls.

    python -m kernel.runner NOTEBOOK --out DIR [--calls FILE] [--cell-timeout S]

Runs inside the sandbox, in the same process as the student's code, so it trusts nothing it
reads back from the notebook's namespace: it only executes cells, records what happened, and
writes plain data into DIR:

    progress.json      updated before each cell (which cell is running)
    notebook.ipynb     the notebook with its (size-capped) outputs
    cells.json         per code cell: index, status (ok|error|timeout), error, seconds
    outcomes.json/.npz the results of the grader's calls (probe.execute), when --calls given
"""

from __future__ import annotations

import argparse
import builtins
import io
import json
import os
import signal
import sys
import time
from pathlib import Path

from . import probe, wire

OUTPUT_LIMIT = 64 * 1024  # characters of output kept per cell


class CellTimeout(BaseException):
    """Raised by the alarm when a cell or a call runs too long."""


_TIMED_OUT = False  # set by the alarm: IPython reports a CellTimeout as a cell's error


def _on_alarm(signum, frame):
    global _TIMED_OUT
    _TIMED_OUT = True
    if _PRISTINE is not None:  # a cell that broke builtins must not break the way out
        _PRISTINE.restore_builtins()
    kill_strays()  # a fork bomb's spinning children would starve the way out
    raise CellTimeout()


class CappedStream(io.TextIOBase):
    """A text stream that keeps the first `limit` characters and counts the rest."""

    def __init__(self, limit: int = OUTPUT_LIMIT):
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def getvalue(self) -> str:
        tail = f"\n[... {self.dropped} more characters of output dropped]" if self.dropped else ""
        return "".join(self.parts) + tail


def _silence_fds() -> None:
    """Point fds 1 and 2 at /dev/null: output written around sys.stdout goes nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


class _Snapshot:
    """builtins and the imported modules as they were before the notebook ran.

    Restored after every cell: a cell that monkeypatches builtins or replaces modules in
    sys.modules affects only itself, never the next cells' machinery or the probe.
    """

    def __init__(self):
        self.builtins = dict(builtins.__dict__)
        self.modules = dict(sys.modules)

    def restore_builtins(self) -> None:
        # get_ipython is IPython's during a cell: its builtin trap deletes it when the cell ends
        during_cell = {k: v for k, v in builtins.__dict__.items() if k == "get_ipython"}
        builtins.__dict__.clear()
        builtins.__dict__.update(self.builtins)
        builtins.__dict__.update(during_cell)

    def restore(self) -> None:
        self.restore_builtins()
        sys.modules.update(self.modules)
        signal.signal(signal.SIGALRM, _on_alarm)


_PRISTINE: _Snapshot | None = None


_RUNNER_PID = os.getpid()
_PRIVATE_INITS = ("bwrap", "docker-init", "tini")  # pid 1 of a sandbox's own pid namespace


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process this /proc shows."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()  # after "pid (comm) "
        if len(fields) >= 2 and fields[1].isdigit():
            found[int(entry)] = (int(fields[1]), fields[0])
    return found


def _in_private_pid_namespace() -> bool:
    try:
        with open("/proc/1/cmdline", "rb") as f:
            init = os.path.basename(f.read().split(b"\0", 1)[0].decode("utf-8", "replace"))
    except OSError:
        return False
    return init in _PRIVATE_INITS


def _reap_children() -> None:
    """Collect the exit status of every child that has ended (no zombies left)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def kill_strays() -> int:
    """End the processes a cell left behind; returns how many were signalled.

    A cell's background processes (a fork bomb's spinning children, a forgotten worker) would
    otherwise starve the cells after it. Killed: this runner's descendants and, inside a
    sandbox's own pid namespace, orphans adopted by its init. A forked copy of the runner that
    came back from a cell ends itself here, so only the runner goes on.
    """
    if os.getpid() != _RUNNER_PID:
        os._exit(0)
    _reap_children()
    procs = _processes()
    keep, pid = set(), os.getpid()
    while pid in procs and pid not in keep:  # this runner and its ancestors
        keep.add(pid)
        pid = procs[pid][0]
    keep.add(1)
    adopt_orphans = _in_private_pid_namespace()
    children: dict[int, list[int]] = {}
    for child, (parent, _state) in procs.items():
        children.setdefault(parent, []).append(child)
    strays, todo = set(), list(children.get(_RUNNER_PID, []))
    if adopt_orphans:
        todo += [c for c in children.get(1, []) if c not in keep]
    while todo:
        child = todo.pop()
        if child in keep or child in strays:
            continue
        strays.add(child)
        todo += children.get(child, [])
    signalled = 0
    for stray in strays:
        if procs[stray][1] == "Z":
            continue
        try:
            os.kill(stray, signal.SIGKILL)
            signalled += 1
        except OSError:
            pass
    _reap_children()
    return signalled


def _prime_matplotlib_cache() -> None:
    """Copy a prebuilt font cache ($CS224N_MPL_CACHE) into $MPLCONFIGDIR, if both are set:
    matplotlib then skips scanning the fonts in every fresh sandbox."""
    import shutil

    seed, target = os.environ.get("CS224N_MPL_CACHE"), os.environ.get("MPLCONFIGDIR")
    if seed and target and os.path.isdir(seed) and not os.path.exists(target):
        shutil.copytree(seed, target)


def _write_json(path: Path, data) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def run_notebook(nb, out: Path, cell_timeout: float):
    """Execute nb's code cells in a fresh IPython shell; returns (shell, cell records)."""
    from IPython.core.interactiveshell import InteractiveShell

    global _TIMED_OUT
    shell = InteractiveShell.instance(colors="NoColor")
    records = []
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        _write_json(out / "progress.json", {"cell": index})
        stream = CappedStream()
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = stream
        started = time.perf_counter()
        status, error = "ok", None
        _TIMED_OUT = False
        signal.setitimer(signal.ITIMER_REAL, cell_timeout)
        try:
            result = shell.run_cell(source, store_history=False)
            signal.setitimer(signal.ITIMER_REAL, 0)
            failure = result.error_before_exec or result.error_in_exec
            if failure is not None:
                status, error = "error", f"{type(failure).__name__}: {failure}"[:500]
        except CellTimeout:
            pass
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if _PRISTINE is not None:
                _PRISTINE.restore()
            sys.stdout, sys.stderr = saved
            kill_strays()
        if _TIMED_OUT:
            status, error = "timeout", f"the cell ran longer than {cell_timeout:g} s"
        seconds = time.perf_counter() - started
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": stream.getvalue()}]
        records.append({"index": index, "status": status, "error": error,
                        "seconds": round(seconds, 3)})
    return shell, records


def answer_calls(calls_path: Path, namespace: dict, out: Path, call_timeout: float) -> None:
    calls = wire.read_calls(calls_path)
    outcomes = []
    for call in calls:
        _write_json(out / "progress.json", {"call": len(outcomes)})
        signal.setitimer(signal.ITIMER_REAL, call_timeout)
        try:
            outcome = probe.execute(call, namespace)
        except CellTimeout:
            outcome = probe.Outcome(error=f"TimeoutError: took longer than {call_timeout:g} s")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        outcomes.append(outcome)
    wire.write_outcomes(out / "outcomes.json", outcomes)


STARTED = "kernel.runner: started"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kernel.runner")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--calls", type=Path)
    parser.add_argument("--cell-timeout", type=float, default=60.0)
    parser.add_argument("--call-timeout", type=float, default=20.0)
    args = parser.parse_args(argv)
    # on the sandbox's stdout before any student code runs (it cannot be taken back): the
    # grader tells a run that never started (an infrastructure fault) from a student's exit
    print(STARTED, flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    _prime_matplotlib_cache()
    signal.signal(signal.SIGALRM, _on_alarm)
    # plain JSON: the grader validated the notebook already (nbformat's schema check is slow)
    nb = json.loads(args.notebook.read_text(encoding="utf-8"))
    os.chdir(args.notebook.resolve().parent)  # notebooks open files relative to themselves
    _silence_fds()
    global _PRISTINE
    _PRISTINE = _Snapshot()
    shell, records = run_notebook(nb, args.out, args.cell_timeout)
    _write_json(args.out / "notebook.ipynb", nb)
    _write_json(args.out / "cells.json", records)
    if args.calls is not None:
        answer_calls(args.calls, shell.user_ns, args.out, args.call_timeout)
    _write_json(args.out / "progress.json", {"done": True})
    return 0


if __name__ == "__main__":
    sys.exit(main())
