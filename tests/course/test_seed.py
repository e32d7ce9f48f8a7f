"""The secret check seed reaches the hidden cells `nbgrader autograde` runs: exported where
nbgrader runs, it is what the kernels' checks use (the same value `autograder grade` reads),
so rotating it per term is one variable for both grading paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.course.corpus import honest_notebook
from tests.course.course import ASSIGNMENT, Course, nbgrader_env

pytestmark = pytest.mark.slow
PROBE = "from autograder.checks import check_seed\nprint('CHECK SEED', check_seed())"


def autograde(course: Course, seed: str | None) -> str:
    """Autograde one q1 whose last cell prints the seed the checks use; its output."""
    nb = honest_notebook("q1_softmax")
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    course.submit("sam", {"q1_softmax": nb})
    env = nbgrader_env()
    env.pop("CS224N_CHECK_SEED", None)
    if seed is not None:
        env["CS224N_CHECK_SEED"] = seed
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    subprocess.run([nbgrader, "db", "student", "add", "sam"], cwd=course.root, env=env,
                   capture_output=True, timeout=300)
    proc = subprocess.run([nbgrader, "autograde", ASSIGNMENT, "--force", "--student=sam"],
                          cwd=course.root, env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    graded = nbformat.read(course.root / "autograded" / "sam" / ASSIGNMENT / "q1_softmax.ipynb",
                           4)
    return "".join(o.get("text", "") for o in graded.cells[-1].outputs)


def test_the_kernels_nbgrader_starts_use_the_exported_seed(tmp_path):
    from autograder.settings import declared_default

    course = Course.create(tmp_path / "course")
    assert "CHECK SEED 13579" in autograde(course, "13579")  # this term's secret
    assert "CHECK SEED 24680" in autograde(course, "24680")  # next term's: rotated
    assert f"CHECK SEED {declared_default('check_seed')}" in autograde(course, None)
