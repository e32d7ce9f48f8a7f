"""Session fixtures shared across the suite: one generated nbgrader course, the corpus of
submissions on disk, and one `nbgrader autograde` run over all of it."""

import json
from pathlib import Path

import nbformat
import pytest

from tests.course.corpus import write_corpus
from tests.course.course import NOTEBOOKS, Course


@pytest.fixture(scope="session")
def course(tmp_path_factory) -> Course:
    """A generated course (nbgrader generate_assignment ran once)."""
    return Course.create(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """submitted/<student>/ps1/ for the honest submission and every mistake, plus
    expected.json (per-cell expected scores)."""
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(out)
    return out


@pytest.fixture(scope="session")
def corpus_expected(corpus_dir) -> dict[str, dict[str, float]]:
    return json.loads((corpus_dir / "expected.json").read_text())


@pytest.fixture(scope="session")
def autograded(course, corpus_dir, corpus_expected) -> Course:
    """`nbgrader autograde` over the corpus, the source notebooks, the untouched release, and
    two tampered notebooks (an edited locked cell, a deleted graded cell)."""
    students = []
    for student in corpus_expected:
        folder = corpus_dir / student / "ps1"
        course.submit(student, {p.stem: nbformat.read(p, as_version=4)
                                for p in sorted(folder.glob("*.ipynb"))})
        students.append(student)
    course.submit("source", {n: course.source_notebook(n) for n in NOTEBOOKS})
    course.submit("untouched", {n: course.release_notebook(n) for n in NOTEBOOKS})

    tampered = course.release_notebook("q1_softmax")
    for cell in tampered.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1_softmax_hidden":
            cell.source = "5.0  # full marks, please"
    course.submit("tampered", {"q1_softmax": tampered})

    deleted = course.release_notebook("q1_softmax")
    deleted.cells = [c for c in deleted.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") != "q1_softmax_hidden"]
    course.submit("deleted", {"q1_softmax": deleted})

    course.autograde(*students, "source", "untouched", "tampered", "deleted")
    return course
