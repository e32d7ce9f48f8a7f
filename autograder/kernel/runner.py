"""Run one notebook in a fresh interpreter, then answer the grader's calls.

    python -m kernel.runner NOTEBOOK --out DIR --cell-timeout S [--calls FILE --call-timeout S]

A cell's timeout counts CPU seconds of the cell's processes (this runner and whatever it
started), with a wall-clock backstop of WALL_BACKSTOP times the budget (a cell that sleeps or
waits): a correct notebook is not timed out because the host is busy with load it did not make.

Runs inside the sandbox, in the same process as the student's code, so it trusts nothing it
reads back from the notebook's namespace: it only executes cells, records what happened, and
writes plain data into DIR:

    progress.json      updated before each cell (which cell is running)
    outputs.json       per executed code cell: index, its (size-capped) output text
    cells.json         per code cell: index, status (ok|error|timeout), error, seconds,
                       cpu_seconds
    outcomes.json/.npz the results of the grader's calls (probe.execute), when --calls given
    commit.json        with --calls: the keeper's HMAC of cells.json and outputs.json, written
                       before the calls were handed over (see kernel.keeper)
"""

from __future__ import annotations

import argparse
import builtins
import functools
import io
import json
import os
import signal
import sys
import time
from pathlib import Path

from . import keeper as calls_keeper
from . import probe, wire
from .atomic import write_json

OUTPUT_LIMIT = 64 * 1024  # characters of output kept per cell
WALL_BACKSTOP = 4.0
"""A cell (or call) may run this many times its CPU budget in wall-clock seconds."""
_TICK_MAX = 0.25  # seconds between two looks at the CPU used: the most a budget overruns by


class CellTimeout(BaseException):
    """Raised by the alarm when a cell or a call runs too long."""


class Budget:
    """What a cell or call may use: CPU seconds of its processes, and a wall-clock backstop.

    The alarm rings every ``tick`` seconds (wall clock) and compares the CPU seconds used since
    the start (:func:`cpu_seconds`) with the budget. The CPU is not measured by ITIMER_PROF: that
    counts this process alone, and a cell's children would spin for free.
    """

    def __init__(self, cpu: float, wall_factor: float = WALL_BACKSTOP) -> None:
        self.cpu = cpu
        self.wall = cpu * wall_factor
        self.tick = min(_TICK_MAX, max(0.01, cpu / 20))
        self.cpu_start = cpu_seconds()
        self.wall_start = time.monotonic()
        self.exceeded: str | None = None  # "cpu" or "wall", once over

    def used(self) -> tuple[float, float]:
        """(CPU seconds, wall-clock seconds) used since the start."""
        return cpu_seconds() - self.cpu_start, time.monotonic() - self.wall_start

    def over(self) -> str | None:
        """"cpu" or "wall" if a limit is reached, else None."""
        cpu, wall = self.used()
        if cpu >= self.cpu:
            return "cpu"
        if wall >= self.wall:
            return "wall"
        return None

    def describe(self, what: str) -> str:
        """Why ``what`` ("the cell", ...) was stopped, for the student."""
        if self.exceeded == "wall":
            return f"{what} ran longer than {self.wall:g} s (wall clock)"
        return f"{what} used more than {self.cpu:g} s of CPU time"


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


class Run:
    """The runner's state while it runs student code: the budget of the cell or call that
    runs, whether the alarm timed it out, the builtins and modules as they were before the
    first cell, and the runner's own pid (after the keeper's fork).

    The alarm (:meth:`on_alarm`, a signal handler) reads and changes this state in the middle
    of a cell; one object holds it all, and the handler is this object's method.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.budget: Budget | None = None  # the budget of the running cell or call
        self.timed_out = False  # set by the alarm: IPython reports a CellTimeout as an error
        self.pristine: _Snapshot | None = None  # taken before the first cell (see main)

    def install(self) -> None:
        """Make :meth:`on_alarm` the SIGALRM handler (again: a cell may have replaced it)."""
        signal.signal(signal.SIGALRM, self.on_alarm)

    def start_budget(self, cpu: float) -> Budget:
        """Start counting a cell's or call's budget; the alarm rings until stop_budget."""
        self.timed_out = False
        self.budget = Budget(cpu)
        signal.setitimer(signal.ITIMER_REAL, self.budget.tick, self.budget.tick)
        return self.budget

    def stop_budget(self) -> None:
        """Stop the alarm (first forget the budget: an alarm ringing meanwhile does nothing)."""
        self.budget = None
        signal.setitimer(signal.ITIMER_REAL, 0)

    def restore(self) -> None:
        """After a cell: builtins, modules and the alarm's handler as before the cells."""
        if self.pristine is not None:
            self.pristine.restore()
        self.install()

    def kill_strays(self) -> int:
        """End the processes the cell left behind (see :func:`kill_strays`)."""
        return kill_strays(self.pid)

    def on_alarm(self, signum, frame) -> None:
        budget = self.budget
        if budget is None or budget.exceeded is not None:
            return
        try:
            reason = budget.over()
        except Exception:  # the cell broke a builtin the count needs: count with pristine ones
            if self.pristine is None:
                raise
            self.pristine.restore_builtins()
            reason = budget.over()
        if reason is None:
            return
        signal.setitimer(signal.ITIMER_REAL, 0)  # one CellTimeout: the way out must not be hit
        budget.exceeded = reason
        self.timed_out = True
        if self.pristine is not None:  # a cell that broke builtins must not break the way out
            self.pristine.restore_builtins()
        self.kill_strays()  # a fork bomb's spinning children would starve the way out
        raise CellTimeout()


_PRIVATE_INITS = ("bwrap", "docker-init", "tini")  # pid 1 of a sandbox's own pid namespace


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent pid, state, CPU clock ticks) of every process this /proc shows; the ticks
    are its own (all threads) plus those of the children it has reaped."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:  # os.open/os.read: a third of open()'s cost, paid at every cell and call
            fd = os.open(f"/proc/{entry}/stat", os.O_RDONLY)
        except OSError:
            continue
        try:
            stat = os.read(fd, 4096).decode("ascii", "replace")
        except OSError:
            continue
        finally:
            os.close(fd)
        fields = stat[stat.rfind(")") + 2:].split()  # after "pid (comm) ": state, ppid, ...
        if len(fields) >= 15 and fields[1].isdigit():
            try:  # utime, stime, cutime, cstime
                ticks = sum(int(v) for v in fields[11:15])
            except ValueError:
                ticks = 0
            found[int(entry)] = (int(fields[1]), fields[0], ticks)
    return found


@functools.cache
def _init_name() -> str:
    """The name of pid 1 as this process sees it (an OSError is not cached: asked again)."""
    with open("/proc/1/cmdline", "rb") as f:
        return os.path.basename(f.read().split(b"\0", 1)[0].decode("utf-8", "replace"))


def _in_private_pid_namespace() -> bool:
    try:
        return _init_name() in _PRIVATE_INITS
    except OSError:
        return False


def _descendants(procs: dict[int, tuple[int, str, int]], root: int) -> set[int]:
    """``root`` and every process under it."""
    children: dict[int, list[int]] = {}
    for child, (parent, _state, _ticks) in procs.items():
        children.setdefault(parent, []).append(child)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo += children.get(pid, [])
    return found


def cpu_seconds() -> float:
    """CPU seconds used so far by the processes a cell may start: inside a sandbox's own pid
    namespace every process there (orphans' time ends up with its init), elsewhere this runner
    and its descendants. A process's time counts while it lives and, once reaped, in its
    reaper's: the sum only grows."""
    procs = _processes()
    if _in_private_pid_namespace():
        counted = procs.keys()
    else:
        counted = _descendants(procs, os.getpid())
    return sum(procs[pid][2] for pid in counted if pid in procs) / _CLOCK_TICKS


def _reap_children() -> None:
    """Collect the exit status of every child that has ended (no zombies left)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def kill_strays(runner_pid: int) -> int:
    """End the processes a cell left behind; returns how many were signalled.

    A cell's background processes (a fork bomb's spinning children, a forgotten worker) would
    otherwise starve the cells after it. Killed: this runner's descendants and, inside a
    sandbox's own pid namespace, orphans adopted by its init. A forked copy of the runner that
    came back from a cell ends itself here, so only the runner (``runner_pid``) goes on.
    """
    if os.getpid() != runner_pid:
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
    for child, (parent, _state, _ticks) in procs.items():
        children.setdefault(parent, []).append(child)
    strays, todo = set(), list(children.get(runner_pid, []))
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


def run_notebook(nb, out: Path, cell_timeout: float, run: Run):
    """Execute nb's code cells in a fresh IPython shell; returns (shell, cell records).

    ``cell_timeout`` is each cell's budget in CPU seconds (see :class:`Budget`)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="NoColor")
    records = []
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        write_json(out / "progress.json", {"cell": index})
        stream = CappedStream()
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = stream
        started = time.perf_counter()
        status, error = "ok", None
        budget = run.start_budget(cell_timeout)
        try:
            result = shell.run_cell(source, store_history=False)
            run.stop_budget()
            failure = result.error_before_exec or result.error_in_exec
            if failure is not None:
                status, error = "error", f"{type(failure).__name__}: {failure}"[:500]
        except CellTimeout:
            pass
        finally:
            run.stop_budget()
            run.restore()
            sys.stdout, sys.stderr = saved
            run.kill_strays()
        if run.timed_out:
            status, error = "timeout", budget.describe("the cell")
        seconds = time.perf_counter() - started
        cpu = budget.used()[0]
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": stream.getvalue()}]
        records.append({"index": index, "status": status, "error": error,
                        "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3)})
    return shell, records


def answer_calls(calls: list[probe.Call], namespace: dict, out: Path, call_timeout: float,
                 run: Run) -> None:
    outcomes = []
    # once, not per call: the grader only says "while the grader was calling your functions"
    write_json(out / "progress.json", {"call": 0})
    for call in calls:
        budget = run.start_budget(call_timeout)
        try:
            outcome = probe.execute(call, namespace)
        except CellTimeout:
            outcome = probe.Outcome(error=f"TimeoutError: {budget.describe('the call')}")
        finally:
            run.stop_budget()
        outcomes.append(outcome)
    wire.write_outcomes(out / "outcomes.json", outcomes)


STARTED = "kernel.runner: started"


def main(argv: list[str] | None = None) -> int:
    startup_cpu = time.process_time()  # interpreter start and the runner's imports
    parser = argparse.ArgumentParser(prog="kernel.runner")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--calls", type=Path)
    # no defaults: the grader passes its settings (autograder.settings, which this process,
    # inside the sandbox, cannot import)
    parser.add_argument("--cell-timeout", type=float, required=True,
                        help="CPU seconds per cell (wall clock: WALL_BACKSTOP times this)")
    parser.add_argument("--call-timeout", type=float,
                        help="CPU seconds per call of the grader (same backstop); required "
                             "with --calls")
    args = parser.parse_args(argv)
    if args.calls is not None and args.call_timeout is None:
        parser.error("--calls needs --call-timeout")
    # on the sandbox's stdout before any student code runs (it cannot be taken back): the
    # grader tells a run that never started (an infrastructure fault) from a student's exit
    print(STARTED, flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    # the calls leave /job before any student code runs; they come back after the cells
    keeper = calls_keeper.start(args.calls, args.out) if args.calls is not None else None
    return serve(args.notebook, args.out, keeper, args.cell_timeout, args.call_timeout,
                 startup_cpu)


def serve(notebook: Path, out: Path, keeper: calls_keeper.Keeper | None, cell_timeout: float,
          call_timeout: float | None, startup_cpu: float = 0.0) -> int:
    """Run the notebook's cells, then (with a keeper) answer the calls it hands over.

    Called in the process that runs the cells, after the keeper's fork (kernel.keeper):
    by :func:`main`, or in a fresh child of kernel.zygote.
    """
    run = Run()  # after the keeper's fork: this process runs the cells
    _prime_matplotlib_cache()
    run.install()
    # plain JSON: the grader validated the notebook already (nbformat's schema check is slow)
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    os.chdir(notebook.resolve().parent)  # notebooks open files relative to themselves
    _silence_fds()
    run.pristine = _Snapshot()
    cpu = {"start": round(startup_cpu, 4)}
    mark = time.process_time()  # this process's own CPU (after the fork: since the fork)
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    # no history database: the cells run with store_history=False, so it would stay empty,
    # yet making it (SQLite in $IPYTHONDIR and a writer thread) cost ~40% of the shell's start
    config.HistoryManager.enabled = False
    InteractiveShell.instance(colors="NoColor", config=config)  # the one run_notebook uses
    cpu["shell"] = round(time.process_time() - mark, 4)
    mark = time.process_time()
    shell, records = run_notebook(nb, out, cell_timeout, run)
    cpu["cells"] = round(time.process_time() - mark, 4)
    results = calls_keeper.results(nb, records)
    if keeper is None:
        calls_keeper.write_results(out, results)
    else:  # the keeper fixes the results first, then hands the calls over
        assert call_timeout is not None
        mark = time.process_time()
        answer_calls(keeper.hand_over(results), shell.user_ns, out, call_timeout, run)
        cpu["calls"] = round(time.process_time() - mark, 4)
    # the runner's own CPU by phase, for benchmarks/profile_assignment.py (never graded)
    write_json(out / "progress.json", {"done": True, "cpu": cpu})
    return 0


if __name__ == "__main__":
    sys.exit(main())
