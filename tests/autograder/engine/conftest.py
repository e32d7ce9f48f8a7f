import pytest

from autograder.engine.course import AssignmentCopy
from autograder.engine.grade import Grader, GradingOptions
from autograder.sandbox import Limits, SandboxUnavailable, get_sandbox
from tests.course.course import REPO


@pytest.fixture(scope="session")
def assignment(tmp_path_factory) -> AssignmentCopy:
    return AssignmentCopy(REPO, workdir=tmp_path_factory.mktemp("assignment"))


@pytest.fixture(scope="session")
def bwrap():
    sandbox = get_sandbox("bwrap")
    try:
        sandbox.check()
    except SandboxUnavailable as exc:  # CI installs bubblewrap: there this is a failure
        pytest.fail(f"the bwrap sandbox is unavailable: {exc}")
    return sandbox


@pytest.fixture(scope="session")
def grader(assignment, bwrap) -> Grader:
    limits = Limits(wall_seconds=60.0, memory_bytes=1024**3)
    return Grader(assignment, bwrap, GradingOptions(limits=limits, cell_timeout=10.0))
