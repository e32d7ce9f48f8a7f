"""The grader runs a submission's notebooks in one sandbox (kernel.zygote); a notebook that
ends the shared run for everyone (it kills the zygote) costs only itself: the notebooks
without results are run again, each alone."""

from __future__ import annotations

import nbformat
import pytest

from autograder.engine.submission import Submission
from tests.autograder.engine.hostile import q1
from tests.course.corpus import honest_submission

pytestmark = pytest.mark.slow

KILL_ZYGOTE = """
import os, signal
keeper = os.getppid()  # the runner's parent is its keeper, whose parent is the zygote
with open(f"/proc/{keeper}/stat") as f:
    zygote = int(f.read().rsplit(")", 1)[1].split()[1])
os.kill(zygote, signal.SIGKILL)
"""


def _submission(student: str, notebooks: dict) -> Submission:
    return Submission(student, {f"{name}.ipynb": nbformat.writes(nb).encode()
                                for name, nb in notebooks.items()})


def test_the_honest_submission_gets_full_marks_in_one_sandbox(grader):
    runs = []
    sandbox = grader.sandbox
    original = sandbox.run

    def counting(*args, **kwargs):
        runs.append(args[1])
        return original(*args, **kwargs)

    sandbox.run = counting
    try:
        result = grader.grade(_submission("honest", honest_submission()))
    finally:
        del sandbox.run
    assert result.auto_score == result.auto_max == 43.0, result
    assert len(runs) == 1 and runs[0][:3] == ["python", "-m", "kernel.zygote"], runs


def test_a_notebook_that_kills_the_zygote_costs_only_itself(grader):
    notebooks = {**honest_submission(), **q1(KILL_ZYGOTE)}
    result = grader.grade(_submission("killer", notebooks))
    reports = {nb.name: nb for nb in result.notebooks}
    assert reports["q1_softmax"].status == "stopped", reports["q1_softmax"]
    assert "ended unexpectedly" in (reports["q1_softmax"].message or "")
    for name in ("q2_neural", "q3_word2vec", "q4_sentiment"):
        assert reports[name].status == "graded", reports[name]
    auto = {nb.name: sum(c.score for c in nb.cells if c.auto) for nb in result.notebooks}
    assert auto["q1_softmax"] == 0.0 and result.auto_score == 43.0 - 5.0, auto


def test_a_notebook_killed_during_the_calls_is_told_so(grader):
    """The student's softmax kills its own process when the grader calls it (the sanity cells
    do not run in grading mode): the message says it happened during the calls."""
    notebooks = q1("""
        import os, signal
        def softmax(x):
            os.kill(os.getpid(), signal.SIGKILL)
        """)
    result = grader.grade(_submission("killed_in_calls", notebooks))
    report = next(nb for nb in result.notebooks if nb.name == "q1_softmax")
    assert report.status == "stopped", report
    assert "while the grader was calling your functions" in (report.message or ""), report


def test_the_zygote_preloads_the_course_s_own_support_modules(grader):
    """What the locked cells import, the course's support package included (compiled and
    imported once per submission from the job's pristine copy, not once per notebook);
    nothing the student wrote, and no lazy import made eager."""
    q1, q3 = grader._preloads(["q1_softmax"]), grader._preloads(["q3_word2vec"])
    assert "cs224n.selfcheck" in q1 and "numpy" in q1
    assert {"cs224n", "cs224n.treebank", "tqdm"} <= set(q3)
    assert "cs224n.checkpoints" not in q3  # imported by a solution cell only
    assert not {"matplotlib", "matplotlib.pyplot", "sklearn"} & set(q3)

