"""Reading submissions: damaged zips, links and oversized notebooks cost only the student
who sent them, with a clear reason, whichever way the notebook came in."""

from __future__ import annotations

import json
import os

import pytest

from autograder.engine.submission import (
    MAX_CELLS,
    MAX_FILE_BYTES,
    SubmissionError,
    load_folder,
    load_zip,
)
from autograder.service.grading import to_submission
from tests.autograder.engine.zips import DAMAGED
from tests.autograder.service.notebooks import honest_q1, zip_of


@pytest.mark.parametrize("damage", sorted(DAMAGED))
def test_a_damaged_zip_is_a_clear_error_not_a_crash(damage):
    data = DAMAGED[damage](honest_q1())
    with pytest.raises(SubmissionError, match="the zip is damaged"):
        load_zip("mallory", data)


def test_an_encrypted_zip_says_so():
    with pytest.raises(SubmissionError, match="encrypted"):
        load_zip("mallory", DAMAGED["encrypted"](honest_q1()))


def test_a_damaged_zip_on_disk_is_the_same_error(tmp_path):
    path = tmp_path / "mallory.zip"
    path.write_bytes(DAMAGED["bad_crc"](honest_q1()))
    with pytest.raises(SubmissionError, match="damaged"):
        load_zip("mallory", path)


def test_a_sound_zip_still_reads():
    sub = load_zip("alice", zip_of({"ps1/q1_softmax.ipynb": honest_q1()}))
    assert list(sub.files) == ["q1_softmax.ipynb"] and not sub.problems


def test_a_linked_assignment_folder_is_refused(tmp_path):
    honest = tmp_path / "honest" / "ps1"
    honest.mkdir(parents=True)
    (honest / "q1_softmax.ipynb").write_bytes(honest_q1())
    (tmp_path / "x").mkdir()
    os.symlink("../honest/ps1", tmp_path / "x" / "ps1")
    with pytest.raises(SubmissionError, match="symbolic link"):
        load_folder("x", tmp_path / "x" / "ps1")
    assert load_folder("honest", honest).files  # the real folder still reads


def test_linked_and_special_files_in_a_folder_are_refused(tmp_path):
    folder = tmp_path / "ps1"
    folder.mkdir()
    (tmp_path / "other.ipynb").write_bytes(honest_q1())
    os.symlink(tmp_path / "other.ipynb", folder / "q1_softmax.ipynb")
    os.mkfifo(folder / "q2_neural.ipynb")  # would block a plain open()
    sub = load_folder("x", folder)
    assert sub.files == {}
    assert sorted(p.split(":")[0] for p in sub.problems) == ["q1_softmax.ipynb",
                                                            "q2_neural.ipynb"]


def big_notebook(cells: int = 0, pad: int = 0) -> bytes:
    nb = json.loads(honest_q1())
    nb["cells"] += [{"cell_type": "markdown", "metadata": {}, "source": "x"}] * cells
    nb["metadata"]["pad"] = "x" * pad
    return json.dumps(nb).encode()


@pytest.mark.parametrize("notebook, words", [
    (big_notebook(pad=MAX_FILE_BYTES), "larger than 8 MiB"),
    (big_notebook(cells=MAX_CELLS), "cells (at most"),
])
def test_every_way_in_has_the_same_notebook_limits(tmp_path, notebook, words):
    """A zip member, a file of a folder and a single uploaded notebook: all refused."""
    from_zip = load_zip("s", zip_of({"ps1/q1_softmax.ipynb": notebook}))
    folder = tmp_path / "ps1"
    folder.mkdir()
    (folder / "q1_softmax.ipynb").write_bytes(notebook)
    from_folder = load_folder("s", folder)
    single = to_submission("s", "notebook", "q1_softmax", notebook)
    for sub in (from_zip, from_folder, single):
        assert sub.files == {}
        assert len(sub.problems) == 1 and words in sub.problems[0], sub.problems
    assert to_submission("s", "notebook", "q1_softmax", honest_q1()).files  # a normal one


def test_many_notebooks_together_are_bounded():
    notebook = big_notebook(pad=MAX_FILE_BYTES - 100_000)
    sub = load_zip("s", zip_of({f"n{i}.ipynb": notebook for i in range(6)}))
    assert len(sub.files) == 4
    assert sum(map(len, sub.files.values())) <= 4 * MAX_FILE_BYTES
    assert len(sub.problems) == 2 and "together" in sub.problems[0]
