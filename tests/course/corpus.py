"""The corpus of faulty submissions: real notebooks made from the source, one classic mistake each.

Each Mistake replaces the solution region of one solution cell with faulty code and names the
hidden checks it must fail; every other check must still pass. The same list drives a fast test
of the catalogue alone and the slow test through `nbgrader autograde`.

    python -m tests.course.corpus OUT_DIR   # writes OUT_DIR/<student>/ps1/*.ipynb + expected.json
"""

from __future__ import annotations

import json
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.checks import CATALOGUE, cell_points
from tests.course.course import ASSIGNMENT, NOTEBOOKS, REPO

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# A notebook imports functions from the notebooks before it.
DEPENDS = {name: NOTEBOOKS[: i + 1] for i, name in enumerate(NOTEBOOKS)}


@dataclass(frozen=True)
class Mistake:
    student: str  # also the student id in the corpus
    notebook: str
    cell: str  # grade_id of the solution cell
    body: str  # replaces the lines of the solution region
    fails: tuple[str, ...]  # the hidden checks it must fail, and no others


MISTAKES: tuple[Mistake, ...] = (
    Mistake("softmax_no_shift", "q1_softmax", "softmax", """
        e = np.exp(x)
        return e / np.sum(e, axis=-1, keepdims=True)
        """, ("softmax_stability",)),
    Mistake("softmax_wrong_axis", "q1_softmax", "softmax", """
        e = np.exp(x - np.max(x))
        return e / np.sum(e)
        """, ("softmax_matrix_rows",)),
)


def replace_region(source: str, body: str) -> str:
    """Replace the lines between BEGIN and END SOLUTION with body, at the region's indent."""
    lines = source.split("\n")
    start = next(i for i, line in enumerate(lines) if BEGIN in line)
    stop = next(i for i, line in enumerate(lines) if END in line)
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    new = textwrap.indent(textwrap.dedent(body).strip("\n"), indent).split("\n")
    return "\n".join(lines[:start] + new + lines[stop + 1 :])


def source_notebook(name: str) -> nbformat.NotebookNode:
    return nbformat.read(REPO / "source" / ASSIGNMENT / f"{name}.ipynb", as_version=4)


def faulty_notebook(mistake: Mistake) -> nbformat.NotebookNode:
    nb = source_notebook(mistake.notebook)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == mistake.cell]
    assert len(cells) == 1, f"no solution cell {mistake.cell} in {mistake.notebook}"
    cells[0].source = replace_region(cells[0].source, mistake.body)
    return nb


def submission(mistake: Mistake) -> dict[str, nbformat.NotebookNode]:
    """The faulty notebook plus the correct notebooks it imports from."""
    notebooks = {name: source_notebook(name) for name in DEPENDS[mistake.notebook]}
    notebooks[mistake.notebook] = faulty_notebook(mistake)
    return notebooks


def expected_cell_scores(mistake: Mistake) -> dict[tuple[str, str], float]:
    """(notebook, hidden cell) -> expected score, for the hidden cells of the submission."""
    failing = set(mistake.fails)
    unknown = failing - {c.name for c in CATALOGUE}
    assert not unknown, f"unknown checks {unknown}"
    notebook_of_cell = _hidden_cells()
    scores = {}
    for cell, points in cell_points().items():
        notebook = notebook_of_cell[cell]
        if notebook in DEPENDS[mistake.notebook]:
            lost = sum(c.points for c in CATALOGUE if c.cell == cell and c.name in failing)
            scores[(notebook, cell)] = points - lost
    return scores


def _hidden_cells() -> dict[str, str]:
    found = {}
    for name in NOTEBOOKS:
        for cell in source_notebook(name).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                found[meta["grade_id"]] = name
    return found


def write_corpus(out: Path) -> None:
    """nbgrader's submitted/<student>/ps1/ layout, and expected.json with per-cell scores."""
    expected = {}
    for mistake in MISTAKES:
        folder = out / mistake.student / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        for name, nb in submission(mistake).items():
            nbformat.write(nb, folder / f"{name}.ipynb")
        expected[mistake.student] = {
            f"{nb}/{cell}": score for (nb, cell), score in expected_cell_scores(mistake).items()
        }
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True))


if __name__ == "__main__":
    write_corpus(Path(sys.argv[1]))
