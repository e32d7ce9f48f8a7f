"""Hostile notebooks against the per-notebook limits: memory held by many processes at once,
CPU taken by many sessions, and a correct notebook graded on a loaded host.

Each test reproduces an attack of the "Hardening" issue against the bwrap sandbox and prints
its figure (run with ``-s`` to see them). They need root and cgroups: without root they skip.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from autograder.engine.batch import grade_batch
from autograder.engine.grade import Grader, GradingOptions
from autograder.engine.submission import load_folder
from autograder.sandbox import Limits
from tests.autograder.engine.hostile import q1
from tests.course.corpus import honest_submission

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="the bwrap sandbox and its cgroups need root"),
]

GiB = 1024**3
FULL_Q1 = 5.0
SANDBOX_UID = 65534

CHILD_BYTES = 1300 * 1024**2
MEMORY_LIMIT = 2 * GiB

# Five children of 1.3 GiB each, every one holding its memory for a few seconds. The cell
# counts how many held theirs at once; 3 or more (3.9 GiB) under a 2 GiB limit sabotages the
# student's softmax, so a broken limit shows in the score. (Not 2: a child killed by the
# limit may still be counted for an instant while the next one finishes.)
FORK_MEMORY = f"""
    import os, select, struct, time
    read_end, write_end = os.pipe()
    alive = set()
    for _ in range(5):
        pid = os.fork()
        if pid == 0:
            try:
                os.close(read_end)
                block = bytearray({CHILD_BYTES})
                block[::4096] = b"\\1" * len(range(0, len(block), 4096))
                os.write(write_end, struct.pack("i", os.getpid()))
                time.sleep(5)
            finally:
                os._exit(0)
        alive.add(pid)
    os.close(write_end)
    holding, most = set(), 0
    deadline = time.monotonic() + 60
    while alive and time.monotonic() < deadline:
        if select.select([read_end], [], [], 0.05)[0]:
            data = os.read(read_end, 4096)
            holding |= {{struct.unpack_from("i", data, i)[0] for i in range(0, len(data), 4)}}
        while alive:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                alive.clear()
                break
            if pid == 0:
                break
            alive.discard(pid)
        most = max(most, len(holding & alive))
    print("most children holding 1.3 GiB at once:", most)
    if most >= 3:
        softmax = lambda x: x
"""

SPINNERS = 56
SPIN_SECONDS = 40.0
# 56 children that each start a session of their own (one scheduler autogroup each), then spin;
# the parent waits, then ends them, so the attack lasts SPIN_SECONDS at most.
SETSID_SPINNER = f"""
    import os, time
    children = []
    for _ in range({SPINNERS}):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                os.setsid()
            except OSError:
                pass
            while True:
                pass
        children.append(pid)
    deadline = time.monotonic() + {SPIN_SECONDS}
    while time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in children:
        os.kill(pid, 9)
"""


def _status(pid: str) -> tuple[int, int] | None:
    """(parent pid, real uid) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    try:
        return int(fields["PPid"]), int(fields["Uid"].split()[0])
    except (KeyError, ValueError, IndexError):
        return None


def sandboxes() -> dict[int, list[int]]:
    """The sandboxed processes this test started, by sandbox: the topmost process of the
    sandbox user (the runner) -> every process of the sandbox user under it."""
    procs = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (found := _status(entry)) is not None:
            procs[int(entry)] = found
    me, groups = os.getpid(), {}
    for pid, (_, uid) in procs.items():
        if uid != SANDBOX_UID:
            continue
        chain, top, cursor = [], pid, pid
        while cursor in procs and cursor != me and len(chain) < 64:
            chain.append(cursor)
            if procs[cursor][1] == SANDBOX_UID:
                top = cursor
            cursor = procs[cursor][0]
        if cursor == me:
            groups.setdefault(top, []).append(pid)
    return groups


def _pss(pid: int) -> int:
    """Proportional set size of a process in bytes (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class MemoryWatch:
    """Samples the memory (PSS) each sandbox of this test holds; ``peak`` is the most one
    sandbox held at once."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.peak = every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            for members in sandboxes().values():
                self.peak = max(self.peak, sum(_pss(pid) for pid in members))

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def _write(folder: Path, notebooks: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / f"{name}.ipynb")


def _q1_score(result) -> float:
    return sum(c.score for c in result.cells if c.grade_id == "q1_softmax_hidden")


def _report(result, name: str = "q1_softmax"):
    return next(nb for nb in result.notebooks if nb.name == name)


def _lost(result) -> list:
    """What a result lost, and each notebook's status and errors (for failure messages)."""
    lost = [(c.grade_id, c.score, c.max_points) for c in result.cells
            if c.auto and c.score is not None and c.score < c.max_points]
    return lost + [(nb.name, nb.status, nb.message, nb.cell_errors) for nb in result.notebooks]


def _timed_grade(grader: Grader, folder: Path):
    started = time.monotonic()
    result = grader.grade(load_folder("honest", folder))
    return result, time.monotonic() - started


@pytest.fixture(scope="module")
def honest_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("honest") / "ps1"
    _write(folder, honest_submission())
    return folder


def test_memory_is_limited_per_notebook_not_per_process(bwrap, assignment, tmp_path):
    """Five children of 1.3 GiB each under a 2 GiB limit: the notebook never holds more than
    its limit, and the honest submission graded beside it gets full marks."""
    subs = tmp_path / "submitted"
    _write(subs / "fork_memory" / "ps1", q1(FORK_MEMORY))
    _write(subs / "honest" / "ps1", honest_submission())
    options = GradingOptions(limits=Limits(memory_bytes=MEMORY_LIMIT, wall_seconds=90.0),
                             cell_timeout=60.0, call_timeout=10.0)
    with MemoryWatch() as watch:
        graded = grade_batch(subs, tmp_path / "out", course=assignment, sandbox="bwrap",
                             options=options, jobs=2)
    results = {r.student: r for r in graded}
    hostile = _report(results["fork_memory"])
    print(f"\nmemory held by the 5 x 1.3 GiB notebook at once: {watch.peak / GiB:.2f} GiB "
          f"(limit {MEMORY_LIMIT / GiB:g} GiB); its q1: {_q1_score(results['fork_memory'])}/"
          f"{FULL_Q1} ({hostile.status}: {hostile.message})")
    assert watch.peak > 1.0 * GiB, "the sampler never saw the attack: the test is broken"
    assert watch.peak <= MEMORY_LIMIT + 128 * 2**20
    if hostile.status == "stopped":  # the limit ended the runner itself: told as memory
        assert "ran out of memory" in (hostile.message or ""), hostile
    else:
        assert _q1_score(results["fork_memory"]) == FULL_Q1, hostile
    assert results["honest"].auto_score == results["honest"].auto_max > 0


def _spinners_running(minimum: int = SPINNERS // 2) -> bool:
    return any(len(members) >= minimum for members in sandboxes().values())


def _wait_for_spinners(timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _spinners_running():
            return True
        time.sleep(0.1)
    return False


def test_cpu_is_shared_per_sandbox_not_per_session(bwrap, assignment, honest_folder,
                                                   tmp_path):
    """56 spinning children in sessions of their own: the honest submission graded beside
    them takes at most twice its time alone, and gets full marks.

    The host is shared: each time is the best of a few gradings (alone: before and after the
    attack; beside: those that ended while the spinners still ran)."""
    options = GradingOptions(limits=Limits(wall_seconds=120.0), cell_timeout=10.0)
    grader = Grader(assignment, bwrap, options)
    _timed_grade(grader, honest_folder)  # warm up: the reference answers are computed once
    alone = [_timed_grade(grader, honest_folder) for _ in range(2)]
    assert all(r.auto_score == r.auto_max > 0 for r, _ in alone)

    subs = tmp_path / "submitted"
    _write(subs / "spinner" / "ps1", q1(SETSID_SPINNER))
    spin_options = GradingOptions(limits=Limits(wall_seconds=120.0), cell_timeout=60.0)
    spinner = threading.Thread(target=grade_batch, args=(subs, tmp_path / "out"), kwargs={
        "course": assignment, "sandbox": "bwrap", "options": spin_options, "jobs": 1})
    spinner.start()
    beside, outlasted = [], []
    try:
        assert _wait_for_spinners(60.0), "the spinners never started"
        while len(beside) < 3 and _spinners_running():
            result, seconds = _timed_grade(grader, honest_folder)
            assert result.auto_score == result.auto_max, _lost(result)
            (beside if _spinners_running() else outlasted).append(seconds)
    finally:
        spinner.join(180)
    alone.append(_timed_grade(grader, honest_folder))
    alone_seconds = min(seconds for _, seconds in alone)
    print(f"\nhonest submission alone {sorted(s for _, s in alone)}s, beside {SPINNERS} setsid "
          f"spinners {sorted(beside)}s (and {outlasted}s for gradings that outlasted them)")
    assert beside, f"no grading ended within the {SPIN_SECONDS:g} s of the attack"
    ratio = min(beside) / alone_seconds
    print(f"best beside / best alone: {ratio:.2f}x")
    assert ratio <= 2.0


@contextmanager
def cpu_hogs(count: int) -> Iterator[list[subprocess.Popen]]:
    """``count`` processes spinning on the host, each in a session of its own; killed at the
    end (by pid)."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"],
                             start_new_session=True) for _ in range(count)]
    try:
        yield hogs
    finally:
        for hog in hogs:
            try:
                os.kill(hog.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            hog.wait()


def test_a_correct_notebook_is_not_timed_out_by_load_it_did_not_make(bwrap, assignment,
                                                                    honest_folder):
    """With 4 CPU hogs on the host, a correct submission still gets full marks with cell
    timeouts about twice its slowest cell's CPU time when alone."""
    options = GradingOptions(limits=Limits(wall_seconds=120.0), cell_timeout=1.5,
                             call_timeout=5.0)
    grader = Grader(assignment, bwrap, options)
    alone, _ = _timed_grade(grader, honest_folder)  # also computes the reference answers
    assert alone.auto_score == alone.auto_max > 0, _lost(alone)
    assert not [nb.cell_errors for nb in alone.notebooks if nb.cell_errors], _lost(alone)
    with cpu_hogs(4):
        time.sleep(0.5)
        result, seconds = _timed_grade(grader, honest_folder)
    print(f"\nhonest submission with 4 CPU hogs on the host: {result.auto_score:g}/"
          f"{result.auto_max:g} in {seconds:.2f}s")
    assert result.auto_score == result.auto_max > 0, _lost(result)
    assert not [nb.cell_errors for nb in result.notebooks if nb.cell_errors], _lost(result)
