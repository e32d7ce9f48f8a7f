"""Cells are named by their part, in the notebook's own words."""

import json

from autograder.engine.cell_names import describe_cell, part_of
from tests.course.course import REPO


def _cells(name):
    return json.loads((REPO / "source" / "ps1" / f"{name}.ipynb").read_text())["cells"]


def test_a_solution_cell_is_named_by_its_function_and_part():
    cells = _cells("q2_neural")
    index = next(i for i, c in enumerate(cells)
                 if c["metadata"].get("nbgrader", {}).get("grade_id") == "q2_gradcheck_naive")
    assert describe_cell(cells, index) == ('the cell defining gradcheck_naive, in '
                                           '"(f) Gradient checking"')


def test_a_sanity_cell_names_its_part_and_subheading():
    cells = _cells("q1_softmax")
    index = next(i for i, c in enumerate(cells)
                 if c["metadata"].get("nbgrader", {}).get("grade_id") == "q1_softmax_sanity")
    assert part_of(cells, index) == "(b) A numerically stable softmax, Sanity checks"


def test_out_of_range_and_headless_cells_get_a_plain_name():
    assert describe_cell([], 3) == "a cell of your notebook"
    code = {"cell_type": "code", "source": "x = 1"}
    assert describe_cell([code], 0) == "a code cell"
