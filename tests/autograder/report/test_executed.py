"""Executed notebooks are read bounded: size, nesting depth, links and fifos; only the answer
cells' checksums come out of them."""

from __future__ import annotations

import json
import os

import nbformat

from autograder.report.executed import ExecutedNotebooks
from tests.course.corpus import honest_notebook

MiB = 2**20


def folder(tmp_path):
    path = tmp_path / "notebooks" / "frank"
    path.mkdir(parents=True)
    return path


def test_answer_cells_checksums_only(tmp_path):
    nb = honest_notebook("q1_softmax")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1_softmax_hidden":
            cell.metadata.nbgrader.points = 500
    nbformat.write(nb, folder(tmp_path) / "q1_softmax.ipynb")
    cells = ExecutedNotebooks(tmp_path / "notebooks", "ps1").cells("frank", "q1_softmax")
    assert set(cells) == {"q1a_written", "q1_softmax"}  # nothing of the graded test cell


def test_a_deeply_nested_notebook_is_refused(tmp_path):
    nb = json.loads(nbformat.writes(honest_notebook("q1_softmax")))
    inner: list = [0] * 10**6
    for _ in range(380):
        inner = [inner]
    nb["metadata"]["junk"] = inner
    (folder(tmp_path) / "q1_softmax.ipynb").write_text(json.dumps(nb))
    assert ExecutedNotebooks(tmp_path / "notebooks", "ps1").cells("frank", "q1_softmax") is None


def test_links_fifos_and_large_files_are_not_read(tmp_path):
    path = folder(tmp_path)
    nbformat.write(honest_notebook("q1_softmax"), tmp_path / "real.ipynb")
    (path / "q1_softmax.ipynb").symlink_to(tmp_path / "real.ipynb")
    os.mkfifo(path / "q2_neural.ipynb")  # opening it for reading would block forever
    with open(path / "q3_word2vec.ipynb", "wb") as f:
        f.truncate(33 * MiB)
    executed = ExecutedNotebooks(tmp_path / "notebooks", "ps1")
    for name in ("q1_softmax", "q2_neural", "q3_word2vec", "q4_sentiment"):
        assert executed.cells("frank", name) is None
