"""Reading /autograder/submission: every layout Gradescope hands over, never through a link."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

from autograder.gradescope.collect import collect

NB = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def test_notebooks_at_the_top(tmp_path):
    for name in ("q1_softmax.ipynb", "q2_neural.ipynb"):
        (tmp_path / name).write_bytes(NB)
    sub = collect(tmp_path)
    assert sorted(sub.files) == ["q1_softmax.ipynb", "q2_neural.ipynb"] and not sub.problems


def test_an_unpacked_zip_keeps_its_folders(tmp_path):
    (tmp_path / "ps1" / ".ipynb_checkpoints").mkdir(parents=True)
    (tmp_path / "ps1" / "q1_softmax.ipynb").write_bytes(NB)
    (tmp_path / "ps1" / ".ipynb_checkpoints" / "q1_softmax-checkpoint.ipynb").write_bytes(b"x")
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "__MACOSX" / "q2_neural.ipynb").write_bytes(b"junk")
    sub = collect(tmp_path)
    assert sub.files == {"q1_softmax.ipynb": NB} and not sub.problems


def test_the_shallowest_copy_wins_and_the_other_is_named(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "q1_softmax.ipynb").write_bytes(NB)
    (tmp_path / "old" / "q1_softmax.ipynb").write_bytes(b"{}")
    sub = collect(tmp_path)
    assert sub.files["q1_softmax.ipynb"] == NB
    assert sub.problems == ["old/q1_softmax.ipynb: a second q1_softmax.ipynb, ignored"]


def test_a_zip_left_whole_is_read(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("ps1/q3_word2vec.ipynb", NB)
    (tmp_path / "ps1.zip").write_bytes(buf.getvalue())
    assert collect(tmp_path).files == {"q3_word2vec.ipynb": NB}


def test_nothing_found_says_so(tmp_path):
    (tmp_path / "README.txt").write_text("hello")
    sub = collect(tmp_path)
    assert not sub.files and sub.problems == ["no notebook (.ipynb) was found in the submission"]


def test_a_link_to_the_hidden_notebooks_is_never_read(tmp_path):
    """The attack: a zip holding q1_softmax.ipynb as a link to the instructor's notebook in
    /autograder/source. Read as root, it would be graded as the student's (full marks)."""
    hidden = tmp_path / "source" / "course" / "source" / "ps1"
    hidden.mkdir(parents=True)
    (hidden / "q1_softmax.ipynb").write_bytes(b'{"solution": true}')
    (hidden / "q2_neural.ipynb").write_bytes(b'{"solution": true}')
    submission = tmp_path / "submission"
    submission.mkdir()
    os.symlink(hidden / "q1_softmax.ipynb", submission / "q1_softmax.ipynb")
    os.symlink(hidden, submission / "ps1")  # a linked folder
    sub = collect(submission)
    assert not sub.files
    assert sorted(sub.problems) == ["ps1: a symbolic link, ignored",
                                    "q1_softmax.ipynb: a symbolic link, ignored"]


def test_a_fifo_is_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "q1_softmax.ipynb")
    sub = collect(tmp_path)  # would block forever if opened for reading without a check
    assert not sub.files


def test_oversized_and_deep_trees_are_bounded(tmp_path):
    deep = tmp_path
    for i in range(10):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    (deep / "q1_softmax.ipynb").write_bytes(NB)
    (tmp_path / "q2_neural.ipynb").write_bytes(b"{" + b" " * (9 * 2**20) + b"}")
    sub = collect(tmp_path)
    assert not sub.files
    assert any("nested too deep" in p for p in sub.problems)
    assert any("q2_neural.ipynb is larger than 8 MiB" in p for p in sub.problems)


def test_paths_in_problems_are_relative(tmp_path: Path):
    (tmp_path / "a").mkdir()
    os.symlink("/etc/passwd", tmp_path / "a" / "x.ipynb")
    assert collect(tmp_path).problems == ["a/x.ipynb: a symbolic link, ignored"]
