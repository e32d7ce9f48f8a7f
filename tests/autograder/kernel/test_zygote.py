"""kernel.zygote in the bwrap sandbox: notebooks of one submission run one after the other in
fresh children of one pre-imported interpreter, and nothing of one notebook's run is visible in
the next one's: modules, globals, files, monkeypatches of numpy and builtins, the environment,
the random state, signal handlers, the working directory, processes, System V IPC objects, and
the other notebooks' calls."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import nbformat
import pytest

from autograder.engine.grade import RUNTIME_FILES
from autograder.kernel import keeper, wire, zygote
from autograder.sandbox import Limits, SandboxUnavailable, get_sandbox

pytestmark = pytest.mark.slow

FIRST = """
import builtins, os, random, signal, subprocess, sys, json
import numpy as np
draws = [random.random(), float(np.random.rand())]
random.seed(1); np.random.seed(1)
import fractions                                     # a module the second one never imports
sys.modules["json"] = None                           # a broken module table
np.sum = lambda *a, **k: 42                           # numpy monkeypatched
builtins.len = lambda x: 42                           # builtins monkeypatched
builtins.leaked_builtin = True
os.environ["LEAKED"] = "1"
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
open("/job/leak.txt", "w").write("first")
open("/tmp/leak.txt", "w").write("first")
os.makedirs("/tmp/locked/inner"); os.chmod("/tmp/locked", 0)
os.umask(0o777)
subprocess.Popen(["sleep", "600"])                    # a process left running
import ctypes
libc = ctypes.CDLL(None)
shm = libc.shmget(4242, 4096, 0o1000 | 0o666)         # IPC_CREAT: outlives this process
calls = sorted(os.listdir("/job/_calls")) if os.path.isdir("/job/_calls") else []
leaked_global = 1
os.chdir("/tmp")
print("FIRST", __builtins__ is not None, draws, shm >= 0, calls)
"""

SECOND = """
import builtins, os, random, signal, sys
import numpy as np
report = {
    "draws": [random.random(), float(np.random.rand())],
    "fractions_imported": "fractions" in sys.modules,
    "json_module": sys.modules.get("json") is not None,
    "numpy_sum": int(np.sum(np.array([1, 2]))),
    "len": builtins.len([1, 2, 3]),
    "leaked_builtin": hasattr(builtins, "leaked_builtin"),
    "env": os.environ.get("LEAKED"),
    "sigusr1_default": signal.getsignal(signal.SIGUSR1) == signal.SIG_DFL,
    "files": sorted(os.listdir("/job")),
    "tmp": sorted(os.listdir("/tmp")),
    "umask": os.umask(0o022),
    "cwd": os.getcwd(),
    "global": "leaked_global" in globals(),
    "sleepers": [p for p in os.listdir("/proc") if p.isdigit()
                 and b"sleep" in open(f"/proc/{p}/cmdline", "rb").read()],
    "shm": open("/proc/sysvipc/shm").read().count("\\n") - 1,
    "calls": sorted(os.listdir("/job/_calls")) if os.path.isdir("/job/_calls") else [],
}
import json
print("SECOND" + json.dumps(report))
"""


def _notebook(code: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(textwrap.dedent(code))])


@pytest.fixture(scope="module")
def bwrap():
    sandbox = get_sandbox("bwrap")
    try:
        sandbox.check()
    except SandboxUnavailable as exc:
        pytest.fail(f"the bwrap sandbox is unavailable: {exc}")
    return sandbox


def run_zygote(bwrap, job: Path, notebooks: dict[str, nbformat.NotebookNode]) -> dict:
    files = job / zygote.FILES_DIR
    files.mkdir(parents=True)
    (job / zygote.CALLS_DIR).mkdir()
    for name, nb in notebooks.items():
        nbformat.write(nb, files / f"{name}.ipynb")
        wire.write_calls(job / zygote.CALLS_DIR / f"{name}.json", [])
        keeper.write_key(job / zygote.CALLS_DIR / f"{name}.json")
    run = bwrap.run(job, ["python", "-m", "kernel.zygote", *notebooks, "--cell-timeout", "20",
                          "--call-timeout", "20", "--wall", "60"],
                    Limits(wall_seconds=180.0), runtime_files=RUNTIME_FILES)
    assert zygote.STARTED in run.stdout, run
    results = job / zygote.RESULTS_DIR
    return {name: json.loads((results / name / "outputs.json").read_text())
            for name in notebooks if (results / name / "outputs.json").is_file()}


def test_nothing_of_one_notebook_is_visible_in_the_next(bwrap, tmp_path):
    outputs = run_zygote(bwrap, tmp_path, {"first": _notebook(FIRST),
                                           "second": _notebook(SECOND)})
    first = outputs["first"][0]["text"]
    assert first.startswith("FIRST"), first
    assert "[]" in first, f"the first notebook saw the calls folder: {first}"
    second = outputs["second"][0]["text"]
    assert second.startswith("SECOND"), second
    report = json.loads(second[len("SECOND"):])
    first_draws = json.loads(first[first.index("["):first.index("]") + 1])
    # (Python's random and numpy 2's global generator reseed after a fork by themselves; the
    # zygote reseeds both anyway)
    assert report["draws"][0] != first_draws[0] and report["draws"][1] != first_draws[1], \
        "the random generators were not reseeded from fresh entropy"
    assert report["draws"] != [0.13436424411240122, 0.417022004702574], "seeded by the first"
    assert report == {**report, "fractions_imported": False, "json_module": True,
                      "numpy_sum": 3, "len": 3, "leaked_builtin": False, "env": None,
                      "sigusr1_default": True, "umask": 0o022, "cwd": "/job",
                      "global": False, "sleepers": [], "shm": 0, "calls": []}, report
    assert "leak.txt" not in report["files"] and "second.ipynb" in report["files"], report
    # what the second's own runner made there (IPython's and matplotlib's folders) only
    assert set(report["tmp"]) <= {"ipython", "matplotlib"}, report
    assert "_calls" not in report["files"] and "_files" not in report["files"], report


def test_each_notebook_gets_its_status_and_a_crash_costs_only_itself(bwrap, tmp_path):
    crash = _notebook("import os\nos._exit(3)")
    fine = _notebook("print('fine')")
    outputs = run_zygote(bwrap, tmp_path, {"crash": crash, "fine": fine})
    status = {name: json.loads((tmp_path / zygote.RESULTS_DIR / name / zygote.STATUS_FILE)
                               .read_text()) for name in ("crash", "fine")}
    assert status["crash"]["exit_code"] == 3 and status["fine"]["exit_code"] == 0, status
    assert "crash" not in outputs  # it ended before it handed its results over
    assert outputs["fine"][0]["text"].startswith("fine")
