import pytest

from tests.course.course import Course


@pytest.fixture(scope="session")
def course(tmp_path_factory) -> Course:
    """One generated course for the session (generate_assignment ran once)."""
    return Course.create(tmp_path_factory.mktemp("course"))
