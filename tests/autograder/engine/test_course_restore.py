"""AssignmentCopy.restore from the source cells held in memory gives exactly what nbgrader's own
preprocessors, asking the gradebook, give: the same notebook bytes and the same warnings, for
corpus submissions and for tampered ones (edited locked cells, changed points and cell types,
another kernel; deleted graded cells and unknown grade ids, on which nbgrader itself fails,
are refused alike)."""

from __future__ import annotations

import copy
import logging
from pathlib import Path

import nbformat
import pytest

from autograder.engine import course as course_module
from autograder.engine import nbgrader_speedup, notebook_io
from tests.course.course import REPO

CORPUS = ("honest", "softmax_no_shift", "cbow_mean_not_sum")


def _nbgrader_restore(assignment, name: str, raw: bytes) -> tuple[str, list[str]]:
    """The restore as it was: nbgrader's preprocessors reading the gradebook."""
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        OverwriteCells,
        OverwriteKernelspec,
    )

    nbgrader_speedup.install()
    nb = notebook_io.reads_notebook(raw)
    nbformat.validate(nb)
    notes: list[str] = []
    course_module._drop_ambiguous_metadata(nb, name, notes)
    resources = {"nbgrader": {"notebook": name, "assignment": assignment.assignment,
                              "db_url": assignment.db_url}}
    collector = course_module._Collector()
    quiet = logging.getLogger("test.nbgrader")
    quiet.propagate = False
    quiet.addHandler(collector)
    try:
        for pp in (ClearOutput(), DeduplicateIds(), OverwriteKernelspec(),
                   OverwriteCells(add_missing_cells=True), CheckCellMetadata()):
            pp.log = quiet
            nb, resources = pp.preprocess(nb, resources)
    finally:
        quiet.removeHandler(collector)
    notes.extend(f"{name}.ipynb: {m}" for m in collector.messages)
    return nbformat.writes(nb), notes


def _ours(assignment, name: str, raw: bytes) -> tuple[str, list[str]]:
    notes: list[str] = []
    return nbformat.writes(assignment.restore(name, raw, notes)), notes


def _corpus() -> Path:
    root = Path("/tmp/h9/submitted")
    if not (root / "honest").is_dir():
        root = REPO / "out" / "submitted"
    if not (root / "honest").is_dir():
        pytest.skip("run `python -m tests.course.corpus out/submitted` first")
    return root


@pytest.mark.parametrize("student", CORPUS)
def test_corpus_notebooks_restore_byte_identical(assignment, student: str) -> None:
    folder = _corpus() / student / "ps1"
    compared = 0
    for name in assignment.notebooks:
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            continue
        raw = path.read_bytes()
        assert _ours(assignment, name, raw) == _nbgrader_restore(assignment, name, raw)
        compared += 1
    assert compared == len(assignment.notebooks) if student == "honest" else compared >= 1


def _tampered(assignment, name: str) -> bytes:
    nb = nbformat.read(assignment.release / f"{name}.ipynb", 4)
    meta = lambda c: c.metadata.get("nbgrader", {})  # noqa: E731
    locked = [c for c in nb.cells if meta(c).get("locked") and not meta(c).get("solution")]
    graded = [c for c in nb.cells if meta(c).get("grade")]
    assert locked and graded
    locked[0].source = "print('pwned')\n" + locked[0].source        # an edited locked cell
    meta(locked[-1])["locked"] = False                              # unlocked
    meta(graded[0])["points"] = 1000                                # more points
    if graded[-1].cell_type == "markdown":                          # another cell type
        graded[-1].cell_type = "code"
        graded[-1].outputs, graded[-1].execution_count = [], None
    nb.metadata["kernelspec"] = {"name": "evil", "display_name": "evil", "language": "python"}
    return nbformat.writes(nb).encode()


def test_tampered_notebooks_restore_byte_identical(assignment) -> None:
    for name in assignment.notebooks:
        raw = _tampered(assignment, name)
        ours, notes = _ours(assignment, name, raw)
        assert (ours, notes) == _nbgrader_restore(assignment, name, raw)
        assert "pwned" not in ours
        assert '"evil"' not in ours
        restored = nbformat.reads(ours, 4)
        points = [c.metadata["nbgrader"]["points"] for c in restored.cells
                  if c.metadata.get("nbgrader", {}).get("grade")]
        assert points and 1000 not in points
        assert any("has changed" in n for n in notes)


def test_a_deletion_nbgrader_fails_on_fails_the_same(assignment) -> None:
    """A graded cell deleted after a plain locked cell: nbgrader's OverwriteCells raises
    KeyError; the restore refuses the notebook as before (damaged grading metadata)."""
    name = "q1_softmax"
    nb = nbformat.read(assignment.release / f"{name}.ipynb", 4)
    meta = lambda c: c.metadata.get("nbgrader", {})  # noqa: E731
    for before, cell in zip(nb.cells, nb.cells[1:], strict=False):
        if meta(cell).get("grade") and not (meta(before).get("grade")
                                            or meta(before).get("solution")):
            nb.cells.remove(cell)
            break
    else:
        pytest.skip("no such cell in this release")
    _refused_alike(assignment, name, nbformat.writes(nb).encode())


def test_an_unknown_grade_id_fails_the_same(assignment) -> None:
    """A cell with a grade id the gradebook lacks: nbgrader drops the id, then fails on it."""
    name = "q2_neural"
    nb = nbformat.read(assignment.release / f"{name}.ipynb", 4)
    extra = copy.deepcopy(next(c for c in nb.cells if "nbgrader" in c.metadata))
    extra.metadata["nbgrader"]["grade_id"] = "not_in_the_gradebook"
    nb.cells.append(extra)
    _refused_alike(assignment, name, nbformat.writes(nb).encode())


def _refused_alike(assignment, name: str, raw: bytes) -> None:
    with pytest.raises(KeyError):
        _nbgrader_restore(assignment, name, raw)
    with pytest.raises(course_module.NotebookError, match="damaged grading metadata"):
        assignment.restore(name, raw)


def test_source_cells_are_read_once(assignment, monkeypatch) -> None:
    """The gradebook is read at most once per AssignmentCopy: restoring asks it nothing."""
    from nbgrader import api

    name = assignment.notebooks[0]
    raw = (assignment.release / f"{name}.ipynb").read_bytes()
    assignment.restore(name, raw)

    def refuse(*args, **kwargs):
        raise AssertionError("the gradebook was opened while restoring")

    monkeypatch.setattr(api.Gradebook, "__init__", refuse)
    for name in assignment.notebooks:
        assignment.restore(name, _tampered(assignment, name))
