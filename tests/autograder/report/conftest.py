import pytest

from tests.autograder.report.builders import Cell, graded_cells


@pytest.fixture(scope="session")
def cells() -> list[Cell]:
    """The real graded cells of the source notebooks."""
    return graded_cells()
