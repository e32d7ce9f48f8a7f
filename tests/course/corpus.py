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
    Mistake("softmax_no_shift", "q1_softmax", "q1_softmax", """
        e = np.exp(x)
        return e / np.sum(e, axis=-1, keepdims=True)
        """, ("softmax_stability",)),
    Mistake("softmax_wrong_axis", "q1_softmax", "q1_softmax", """
        e = np.exp(x - np.max(x))
        return e / np.sum(e)
        """, ("softmax_matrix_rows",)),
    Mistake("sigmoid_grad_of_x", "q2_neural", "q2_sigmoid_grad", """
        sig = 1 / (1 + np.exp(-s))
        return sig * (1 - sig)
        """, ("sigmoid_grad_values",)),
    Mistake("gradcheck_no_random_restore", "q2_neural", "q2_gradcheck_naive", """
        fx, grad = f(x)
        h = 1e-4
        it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
        while not it.finished:
            ix = it.multi_index
            old = x[ix]
            x[ix] = old + h
            fxph = f(x)[0]
            x[ix] = old - h
            fxmh = f(x)[0]
            x[ix] = old
            numgrad = (fxph - fxmh) / (2 * h)
            if abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix])) > 1e-5:
                return False
            it.iternext()
        return True
        """, ("gradcheck_restores_random_state",)),
    Mistake("gradcheck_one_sided", "q2_neural", "q2_gradcheck_naive", """
        rndstate, npstate = random.getstate(), np.random.get_state()
        random.setstate(rndstate)
        np.random.set_state(npstate)
        fx, grad = f(x)
        h = 1e-4
        it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
        while not it.finished:
            ix = it.multi_index
            old = x[ix]
            x[ix] = old + h
            random.setstate(rndstate)
            np.random.set_state(npstate)
            fxph = f(x)[0]
            x[ix] = old
            numgrad = (fxph - fx) / h
            if abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix])) > 1e-5:
                return False
            it.iternext()
        return True
        """, ("gradcheck_accepts_correct",)),
    Mistake("backprop_no_bias_gradient", "q2_neural", "q2_forward_backward_prop", """
        h = sigmoid(X @ W1 + b1)
        y_hat = softmax(h @ W2 + b2)
        cost = -np.sum(labels * np.log(y_hat))
        delta2 = y_hat - labels
        gradW2 = h.T @ delta2
        delta1 = delta2 @ W2.T * sigmoid_grad(h)
        gradW1 = X.T @ delta1
        gradb1, gradb2 = np.zeros_like(b1), np.zeros_like(b2)
        """, ("forward_backward_gradient", "forward_backward_gradcheck")),
    Mistake("cost_mean_not_sum", "q2_neural", "q2_forward_backward_prop", """
        N = X.shape[0]
        h = sigmoid(X @ W1 + b1)
        y_hat = softmax(h @ W2 + b2)
        cost = -np.sum(labels * np.log(y_hat)) / N
        delta2 = (y_hat - labels) / N
        gradW2 = h.T @ delta2
        gradb2 = delta2.sum(axis=0, keepdims=True)
        delta1 = delta2 @ W2.T * sigmoid_grad(h)
        gradW1 = X.T @ delta1
        gradb1 = delta1.sum(axis=0, keepdims=True)
        """, ("forward_backward_cost", "forward_backward_gradient")),
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
