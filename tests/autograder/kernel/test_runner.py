"""The runner that executes a notebook inside the sandbox, run here as a plain subprocess on
notebooks this test writes (nothing hostile: the sandbox's own tests cover that)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.kernel import runner
from autograder.kernel.runner import WALL_BACKSTOP

REPO = Path(__file__).resolve().parents[3]
CELL_TIMEOUT = 1.0
CPU_TIMEOUT_ERROR = f"the cell used more than {CELL_TIMEOUT:g} s of CPU time"


def run_cells(tmp_path: Path, *sources: str, timeout: float = CELL_TIMEOUT) -> list[dict]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nbformat.write(nb, tmp_path / "nb.ipynb")
    subprocess.run([sys.executable, "-m", "autograder.kernel.runner", str(tmp_path / "nb.ipynb"),
                    "--out", str(tmp_path / "out"), "--cell-timeout", str(timeout)],
                   cwd=REPO, check=True, timeout=120, capture_output=True)
    return json.loads((tmp_path / "out" / "cells.json").read_text())


def test_cells_run_in_order_with_their_status(tmp_path):
    records = run_cells(tmp_path, "x = 1", "1 / 0", "assert x == 1")
    assert [r["status"] for r in records] == ["ok", "error", "ok"]
    assert records[1]["error"].startswith("ZeroDivisionError")


def test_a_timed_out_cell_is_reported_as_a_timeout_and_the_next_cell_runs(tmp_path):
    records = run_cells(tmp_path, "while True:\n    pass", "assert get_ipython() is not None")
    assert records[0]["status"] == "timeout", records
    assert records[0]["error"] == CPU_TIMEOUT_ERROR
    assert records[1]["status"] == "ok", records


def test_a_timeout_with_broken_builtins_still_gets_out(tmp_path):
    records = run_cells(tmp_path, "import builtins\nbuiltins.isinstance = None\nwhile True: pass",
                        "assert isinstance(1, int) and get_ipython() is not None")
    assert [r["status"] for r in records] == ["timeout", "ok"], records


def test_a_cell_that_breaks_what_the_count_needs_is_still_counted(tmp_path):
    records = run_cells(tmp_path, "import builtins\nbuiltins.open = builtins.sum = None\n"
                        "while True: pass", "assert open is not None")
    assert [r["status"] for r in records] == ["timeout", "ok"], records
    assert records[0]["error"] == CPU_TIMEOUT_ERROR


def test_spinning_children_are_killed_when_the_cell_times_out(tmp_path):
    """A fork bomb's children would starve the way out of a timed-out cell: they are killed
    as soon as the alarm rings, so the cell ends close to its timeout."""
    fork = ("import os\npids = []\nfor _ in range(6):\n    pid = os.fork()\n"
            "    if pid == 0:\n        while True: pass\n    pids.append(pid)\n"
            f"open({str(tmp_path / 'pids')!r}, 'w').write(' '.join(map(str, pids)))\n"
            "while True: pass")
    records = run_cells(tmp_path, fork, "x = 2")
    assert records[0]["status"] == "timeout", records
    assert records[0]["seconds"] < CELL_TIMEOUT + 2.0, records
    for pid in map(int, (tmp_path / "pids").read_text().split()):
        assert not Path(f"/proc/{pid}").exists(), f"child {pid} outlived its cell"
    assert records[1]["status"] == "ok"


def test_the_cpu_of_a_cells_children_counts(tmp_path):
    """The parent waits while its children spin: their CPU seconds end the cell, long before
    the wall-clock backstop."""
    fork = ("import os, time\nfor _ in range(2):\n    if os.fork() == 0:\n"
            "        while True: pass\ntime.sleep(60)")
    records = run_cells(tmp_path, fork, "x = 2")
    assert records[0]["status"] == "timeout", records
    assert records[0]["error"] == CPU_TIMEOUT_ERROR
    assert records[0]["seconds"] < CELL_TIMEOUT * WALL_BACKSTOP, records
    assert records[0]["cpu_seconds"] >= CELL_TIMEOUT
    assert records[1]["status"] == "ok"


def test_a_cell_that_waits_is_stopped_by_the_wall_clock_backstop(tmp_path):
    records = run_cells(tmp_path, "import time\ntime.sleep(60)", "x = 2")
    assert records[0]["status"] == "timeout", records
    backstop = CELL_TIMEOUT * WALL_BACKSTOP
    assert records[0]["error"] == f"the cell ran longer than {backstop:g} s (wall clock)"
    assert backstop <= records[0]["seconds"] < backstop + 3.0, records
    assert records[1]["status"] == "ok"


def test_load_the_cell_did_not_make_does_not_time_it_out(tmp_path):
    """1.5 CPU seconds of work under a 3 s budget, while 6 processes spin on the host (each in
    a session of its own): the cell takes longer than 3 s of wall clock, yet is not timed out
    (the backstop is 12 s: the cell needs an eighth of a CPU)."""
    budget = 3.0
    work = ("import time\nstart = time.process_time()\n"
            "while time.process_time() - start < 1.5:\n    pass")
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"],
                             start_new_session=True) for _ in range(6)]
    try:
        records = run_cells(tmp_path, work, timeout=budget)
    finally:
        for hog in hogs:
            os.kill(hog.pid, signal.SIGKILL)
            hog.wait()
    assert records[0]["status"] == "ok", records
    assert records[0]["seconds"] > budget, "the host was not loaded: the test proves nothing"


def test_the_run_object_holds_what_the_alarm_changes():
    """In this process: the alarm times out a spinning call once, restores the builtins the
    call broke, and a stopped budget leaves a late alarm nothing to do."""
    run = runner.Run()
    run.kill_strays = lambda: 0  # this test's process is not a sandbox: nothing to kill
    saved = signal.getsignal(signal.SIGALRM)
    run.pristine = runner._Snapshot()
    run.install()
    try:
        budget = run.start_budget(0.2)
        with pytest.raises(runner.CellTimeout):
            import builtins

            builtins.len = None  # the way out must not depend on what the call broke
            while True:
                pass
        run.stop_budget()
        assert run.timed_out and budget.exceeded == "cpu" and len("ok") == 2
        assert run.budget is None and run.on_alarm(signal.SIGALRM, None) is None
        run.start_budget(60.0)
        assert not run.timed_out  # each cell or call starts afresh
        run.stop_budget()
    finally:
        run.stop_budget()
        run.pristine.restore_builtins()
        signal.signal(signal.SIGALRM, saved)


def test_the_shell_keeps_no_history_database(tmp_path, monkeypatch):
    """Cells run with store_history=False: the shell makes no SQLite history (nor its thread);
    a student's `%history`, `In` and `Out` still work and simply find nothing."""
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    records = run_cells(tmp_path, "assert not get_ipython().history_manager.enabled",
                        "import threading; assert threading.active_count() == 1",
                        "%history", "x = (In, Out, _ih)")
    assert [r["status"] for r in records] == ["ok"] * 4, records
    assert not list((tmp_path / "ipython").rglob("history.sqlite"))
