"""Notebook files for the service tests, built from the corpus."""

from __future__ import annotations

import io
import zipfile

import nbformat

from tests.course.corpus import MISTAKES, faulty_notebook, honest_notebook


def honest_notebook_file(name: str) -> bytes:
    return nbformat.writes(honest_notebook(name)).encode()


def honest_q1() -> bytes:
    return honest_notebook_file("q1_softmax")


def faulty_q1() -> bytes:
    mistake = next(m for m in MISTAKES if m.student == "softmax_no_shift")
    return nbformat.writes(faulty_notebook(mistake)).encode()


def slow_q1(seconds: float) -> bytes:
    """The honest q1 notebook with a cell that sleeps (to be caught mid-grade)."""
    nb = honest_notebook("q1_softmax")
    nb.cells.insert(1, nbformat.v4.new_code_cell(f"import time\ntime.sleep({seconds})"))
    return nbformat.writes(nb).encode()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def hidden_score(body: dict, notebook: str = "q1_softmax",
                 cell: str = "q1_softmax_hidden") -> float:
    nb = next(n for n in body["notebooks"] if n["name"] == notebook)
    return next(c for c in nb["cells"] if c["grade_id"] == cell)["score"]
