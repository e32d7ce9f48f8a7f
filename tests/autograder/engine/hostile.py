"""Hostile submissions, as real notebooks: the honest (or a faulty) submission with one cell
of hostile code added after the student's functions are defined."""

from __future__ import annotations

import textwrap

import nbformat

from tests.course.corpus import MISTAKES, honest_notebook, submission
from tests.course.course import REPO

SECRETS = [REPO / "solutions" / "softmax.py", REPO / "autograder" / "checks" / "q1_softmax.py",
           REPO / "source" / "ps1" / "q1_softmax.ipynb", REPO / "nbgrader_config.py"]


def with_cell(nb: nbformat.NotebookNode, code: str, after: str = "q1_softmax"):
    """nb with a new (unlocked, ungraded) code cell after the cell with grade_id `after`."""
    nb = nbformat.from_dict(nb)
    index = next(i for i, c in enumerate(nb.cells)
                 if c.metadata.get("nbgrader", {}).get("grade_id") == after)
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(textwrap.dedent(code).strip()))
    return nb


def q1(code: str, base: nbformat.NotebookNode | None = None) -> dict:
    return {"q1_softmax": with_cell(base or honest_notebook("q1_softmax"), code)}


def faulty_q1() -> nbformat.NotebookNode:
    mistake = next(m for m in MISTAKES if m.student == "softmax_no_shift")
    return submission(mistake)["q1_softmax"]


# Each leak sabotages the student's own softmax, so a leak would show in the score.
LEAK_SABOTAGE = "\nif leaked:\n    softmax = lambda x: x\n"

HOSTILE = {
    "patch_numpy_testing": (q1("""
        import numpy, numpy.testing
        numpy.allclose = lambda *a, **k: True
        numpy.isclose = lambda *a, **k: True
        numpy.testing.assert_allclose = lambda *a, **k: None
        numpy.testing.assert_array_equal = lambda *a, **k: None
        """, faulty_q1()), "faulty"),
    "patch_builtins_and_modules": (q1("""
        import builtins, sys
        builtins.isinstance = lambda *a, **k: True
        builtins.len = lambda *a: 0
        sys.modules["json"] = None
        """), "honest"),
    "import_secrets": (q1("""
        leaked = []
        for name in ("solutions", "autograder.checks", "autograder"):
            try:
                __import__(name)
                leaked.append(name)
            except Exception:
                pass
        for path in %r:
            try:
                open(path).read()
                leaked.append(path)
            except Exception:
                pass
        """ % [str(p) for p in SECRETS] + LEAK_SABOTAGE), "honest"),
    "infinite_loop": (q1("while True:\n    pass"), "honest"),
    "memory_hog": (q1("""
        hog = []
        try:
            for _ in range(100):
                hog.append(bytearray(512 * 1024**2))
        finally:
            hog = None
        """), "honest"),
    "fork_bomb": (q1("""
        import os
        for _ in range(200):
            try:
                if os.fork() == 0:
                    while True:
                        pass
            except OSError:
                break
        """), "honest"),
    "print_gigabytes": (q1("""
        import os
        chunk = "x" * 1_000_000
        for _ in range(2000):
            print(chunk)
        for _ in range(200):
            os.write(1, chunk.encode())
        """), "honest"),
    "exit_process": (q1("import os\nos._exit(0)"), "stopped"),
    "kill_kernel": (q1("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"), "stopped"),
    "write_outside_scratch": (q1("""
        leaked = []
        for path in %r:
            try:
                with open(path, "w") as f:
                    f.write("pwned")
                leaked.append(path)
            except Exception:
                pass
        """ % [str(REPO / "PWNED"), "/etc/cs224n-pwned", "/root/cs224n-pwned"]
        + LEAK_SABOTAGE), "honest"),
}

HOSTILE["stubborn_loop"] = (q1("""
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
    """), "stopped")
