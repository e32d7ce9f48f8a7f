"""A sandbox fault is never a student's zero: the engine runs the notebook once more, and a
second fault is the engine's error (SandboxUnavailable), not a grade."""

from pathlib import Path

import pytest

from autograder.engine.grade import Grader
from autograder.engine.submission import Submission
from autograder.sandbox import RunResult, SandboxUnavailable
from tests.autograder.service.notebooks import honest_q1


class Flaky:
    """Wraps a real sandbox; its first `faults` runs end at once with no output at all, as a
    container that exited before the runner started does."""

    def __init__(self, sandbox, faults: int):
        self.sandbox, self.faults, self.runs = sandbox, faults, 0

    def check(self) -> None:
        self.sandbox.check()

    def run(self, job: Path, argv, limits, **kwargs) -> RunResult:
        self.runs += 1
        if self.runs <= self.faults:
            return RunResult(exit_code=0, signal=None, timed_out=False, wall_seconds=0.1,
                             killed_reason=None, stdout="", stderr="")
        return self.sandbox.run(job, argv, limits, **kwargs)


def q1_only(grader: Grader, sandbox) -> Grader:
    return Grader(grader.course, sandbox, grader.options)


def test_a_run_that_never_started_is_run_again_and_graded(grader, bwrap):
    flaky = Flaky(bwrap, faults=1)
    result = q1_only(grader, flaky).grade(
        Submission("alice", {"q1_softmax.ipynb": honest_q1()}))
    q1 = next(nb for nb in result.notebooks if nb.name == "q1_softmax")
    assert flaky.runs == 2
    assert q1.status == "graded" and sum(c.score for c in q1.cells if c.auto) == 5.0


def test_two_faults_are_the_engine_s_error_not_a_zero(grader, bwrap):
    flaky = Flaky(bwrap, faults=2)
    with pytest.raises(SandboxUnavailable, match="never started"):
        q1_only(grader, flaky).grade(Submission("bob", {"q1_softmax.ipynb": honest_q1()}))
