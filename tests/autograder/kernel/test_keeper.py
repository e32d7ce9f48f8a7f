"""The grader's calls (hidden inputs) stay out of the cells' reach: a cell that reads them and
raises with their values must not get them into the cell records or outputs the grader shows.

The plain-subprocess tests run the runner here as root (the protocol); the sandboxed one runs
it as the sandbox's unprivileged user, where /proc/<keeper>/mem and /fd are closed too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.kernel import keeper, wire
from autograder.kernel.probe import Call
from autograder.sandbox import Limits, SandboxUnavailable, get_sandbox

REPO = Path(__file__).resolve().parents[3]
SECRET = "HIDDEN-" + "7f3a9c"  # never written whole in a cell's source


def make_job(job: Path, *sources: str) -> bytes:
    """A job folder: a notebook of the given cells, the calls (f(SECRET, array)) and the key."""
    job.mkdir(parents=True, exist_ok=True)
    cells = ["def f(text, x):\n    return len(text) + float(x.sum())",
             *(textwrap.dedent(s).strip() for s in sources)]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in cells])
    nbformat.write(nb, job / "nb.ipynb")
    wire.write_calls(job / "_calls.json", [Call("f", (SECRET, np.full(3, 2.0)))])
    return keeper.write_key(job / "_calls.json")


def run_plain(job: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograder.kernel.runner", "nb.ipynb", "--out", "_out",
         "--calls", "_calls.json", "--cell-timeout", "10",
         "--call-timeout", "20"],
        cwd=job, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
        text=True, timeout=120)


def shown(job: Path, key: bytes) -> str:
    """All the grader reads from the cells after verifying: records and outputs."""
    keeper.verify(job / "_out", key)
    return "".join((job / "_out" / name).read_text() for name in keeper.RESULT_FILES
                   if (job / "_out" / name).is_file())


READ_THE_CALLS = """
    leaked = []
    for name in ("_calls.json", "_calls.json.npz", "_calls.json.key"):
        try:
            leaked.append(open(name, "rb").read().decode("latin-1"))
        except OSError as exc:
            print("refused:", type(exc).__name__)
    if leaked:
        raise ValueError(leaked)
    """


def test_the_calls_are_gone_before_the_first_cell_and_answered_after_the_last(tmp_path):
    key = make_job(tmp_path, READ_THE_CALLS)
    proc = run_plain(tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = json.loads((tmp_path / "_out" / "cells.json").read_text())
    assert [r["status"] for r in records] == ["ok", "ok"], records
    assert SECRET not in shown(tmp_path, key)
    assert "refused: FileNotFoundError" in (tmp_path / "_out" / "outputs.json").read_text()
    outcome, = wire.read_outcomes(tmp_path / "_out" / "outcomes.json", 1)
    assert outcome.value == len(SECRET) + 6.0
    assert not (tmp_path / "_calls.json").exists()  # the sandbox copies back only what is left


def test_results_changed_after_an_early_hand_over_are_dropped(tmp_path):
    """A cell can claim the notebook is done and get the calls early; what it had to commit
    then cannot hold them, and what it writes after is not signed."""
    key = make_job(tmp_path, """
        import gc, json
        handle = next(o for o in gc.get_objects() if type(o).__name__ == "Keeper")
        calls = handle.hand_over({"cells.json": "[]", "outputs.json": "[]"})
        loot = repr(calls[0].args)
        for name in ("cells.json", "outputs.json"):
            with open("_out/" + name, "w") as f:
                json.dump([{"index": 1, "status": "error", "error": loot, "text": loot}], f)
        print(loot)
        raise ValueError(loot)
        """)
    run_plain(tmp_path)
    assert SECRET in (tmp_path / "_out" / "cells.json").read_text()  # the attack did its part
    assert shown(tmp_path, key) == ""  # both changed after the hand-over: dropped


def test_verify_drops_unsigned_forged_and_odd_files(tmp_path):
    out = tmp_path / "_out"
    out.mkdir()
    key = os.urandom(32)
    (out / "cells.json").write_text("[]")
    (out / "outputs.json").mkdir()
    (out / keeper.COMMIT_FILE).write_text(json.dumps(
        {"cells.json": keeper.mac(os.urandom(32), "cells.json", b"[]")}))
    assert sorted(keeper.verify(out, key)) == ["cells.json", "outputs.json"]
    assert not (out / "cells.json").exists() and not (out / "outputs.json").exists()

    (out / "cells.json").write_text("[]")
    (out / "outputs.json").symlink_to(out / "cells.json")
    signed = {n: keeper.mac(key, n, b"[]") for n in keeper.RESULT_FILES}
    (out / keeper.COMMIT_FILE).write_text(json.dumps(signed))
    assert keeper.verify(out, key) == ["outputs.json"]
    assert (out / "cells.json").read_text() == "[]"


def test_a_runner_whose_cell_ends_the_process_has_no_results(tmp_path):
    key = make_job(tmp_path, "import os\nos._exit(3)")
    assert run_plain(tmp_path).returncode == 3  # the keeper ends as the notebook's process did
    assert shown(tmp_path, key) == ""
    assert not (tmp_path / "_out" / "outcomes.json").exists()


ROOT_OF_THE_KEEPER = """
    import os
    needle = b"HIDDEN-" + b"7f3a9c"
    keeper = os.getppid()
    found, refused = [], []
    try:
        for fd in os.listdir(f"/proc/{keeper}/fd"):
            path = f"/proc/{keeper}/fd/{fd}"
            if os.path.isfile(path):
                found.append(open(path, "rb").read().decode("latin-1"))
    except OSError as exc:
        refused.append(f"fd: {exc.strerror}")
    try:
        with open(f"/proc/{keeper}/maps") as maps, open(f"/proc/{keeper}/mem", "rb") as mem:
            for line in maps:
                lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
                try:
                    mem.seek(lo)
                    chunk = mem.read(min(hi - lo, 1 << 24))
                except (OSError, ValueError, OverflowError):
                    continue
                at = chunk.find(needle)
                if at >= 0:
                    found.append(chunk[at:at + 40].decode("latin-1"))
    except OSError as exc:
        refused.append(f"mem: {exc.strerror}")
    print("refused:", refused)
    if found:
        raise ValueError(found)
    """


def test_in_the_sandbox_the_keepers_memory_and_files_are_closed(tmp_path):
    sandbox = get_sandbox("bwrap")
    try:
        sandbox.check()
    except SandboxUnavailable as exc:  # CI installs bubblewrap: there this is a failure
        pytest.fail(f"the bwrap sandbox is unavailable: {exc}")
    from autograder.engine.grade import RUNTIME_FILES

    key = make_job(tmp_path, READ_THE_CALLS, ROOT_OF_THE_KEEPER)
    run = sandbox.run(tmp_path, ["python", "-m", "kernel.runner", "nb.ipynb", "--out", "_out",
                                 "--calls", "_calls.json", "--cell-timeout", "10",
                                 "--call-timeout", "20"],
                      Limits(wall_seconds=60.0), runtime_files=RUNTIME_FILES)
    assert run.exit_code == 0, run.stderr[-2000:]
    records = json.loads((tmp_path / "_out" / "cells.json").read_text())
    assert [r["status"] for r in records] == ["ok", "ok", "ok"], records
    text = shown(tmp_path, key)
    assert SECRET not in text
    assert "fd: Permission denied" in text and "mem: Permission denied" in text
    outcome, = wire.read_outcomes(tmp_path / "_out" / "outcomes.json", 1)
    assert outcome.value == len(SECRET) + 6.0
