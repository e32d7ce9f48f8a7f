"""Bounded notebook reading and compact writing; a notebook built to blow up when pretty-printed
(3 MB of metadata nested 380 deep became 588 MiB) is that notebook's error, never the
submission's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from autograder.engine import notebook_io
from autograder.engine.course import NotebookError
from autograder.engine.grade import Grader
from autograder.engine.submission import Submission
from autograder.kernel.runner import STARTED
from autograder.sandbox import RunResult, Sandbox
from tests.course.corpus import honest_notebook, honest_submission

MiB = 2**20


def nested(depth: int, size: int) -> list:
    """`size` bytes of zeros in a list nested `depth` deep (the amplification attack)."""
    inner: list = [0] * (size // 2)
    for _ in range(depth - 1):
        inner = [inner]
    return inner


def with_metadata(depth: int, size: int, name: str = "q1_softmax") -> bytes:
    nb = honest_notebook(name)
    nb.metadata["junk"] = nested(depth, size)
    return json.dumps(nb).encode()


# ---------------------------------------------------------------- parsing


def test_depth_is_bounded_after_parsing():
    assert notebook_io.parse_json(json.dumps(nested(6, 10))) is not None
    with pytest.raises(notebook_io.NotebookFormatError, match="nested deeper than 64"):
        notebook_io.parse_json(json.dumps(nested(65, 10)))


def test_nesting_beyond_the_parser_is_an_error_not_a_crash():
    with pytest.raises(notebook_io.NotebookFormatError, match="nested deeper"):
        notebook_io.parse_json("[" * 200_000 + "]" * 200_000, max_bytes=10**6)


def test_size_is_checked_before_parsing():
    with pytest.raises(notebook_io.NotebookFormatError, match="larger than 100 bytes"):
        notebook_io.parse_json(b"[" + b"0," * 100 + b"0]", max_bytes=100)


def test_not_a_notebook_and_too_many_cells():
    for text in ("[]", '"x"', "{}", '{"nbformat": 99, "nbformat_minor": 0}', "{not json"):
        with pytest.raises(notebook_io.NotebookFormatError):
            notebook_io.reads_notebook(text)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("") for _ in range(11)])
    with pytest.raises(notebook_io.NotebookFormatError, match="more than 10 cells"):
        notebook_io.reads_notebook(json.dumps(nb), max_cells=10)


def test_a_released_notebook_reads_as_nbformat_does():
    raw = nbformat.writes(honest_notebook("q2_neural")).encode()
    assert notebook_io.reads_notebook(raw) == nbformat.reads(raw.decode(), as_version=4)


def test_reading_a_file_refuses_links_fifos_and_large_files(tmp_path):
    (tmp_path / "nb.ipynb").write_text(nbformat.writes(honest_notebook("q1_softmax")))
    assert notebook_io.read_notebook_file(tmp_path / "nb.ipynb").cells
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "nb.ipynb")
    os.mkfifo(tmp_path / "fifo.ipynb")
    for name in ("link.ipynb", "fifo.ipynb", "absent.ipynb"):
        with pytest.raises(notebook_io.NotebookFormatError):
            notebook_io.read_notebook_file(tmp_path / name)
    with pytest.raises(notebook_io.NotebookFormatError, match="larger"):
        notebook_io.read_notebook_file(tmp_path / "nb.ipynb", max_bytes=100)


# ---------------------------------------------------------------- writing


def test_writing_is_compact_and_capped(tmp_path):
    nb = honest_notebook("q1_softmax")
    nb.metadata["junk"] = nested(60, 200_000)
    written = notebook_io.write_notebook(tmp_path / "nb.ipynb", nb)
    assert written == (tmp_path / "nb.ipynb").stat().st_size
    assert written < 1.2 * len(json.dumps(nb))  # nbformat's indent made it 60 times larger
    assert nbformat.read(tmp_path / "nb.ipynb", 4) == nb
    with pytest.raises(notebook_io.NotebookFormatError, match="more than 1000"):
        notebook_io.write_notebook(tmp_path / "big.ipynb", nb, max_bytes=1000)
    assert not (tmp_path / "big.ipynb").exists()


# ---------------------------------------------------------------- restore and the job folder


def test_deep_metadata_is_the_notebooks_own_error(assignment):
    raw = with_metadata(380, 3 * 10**6)
    with pytest.raises(NotebookError, match="q1_softmax.ipynb is not a valid notebook "
                                            r"\(nested deeper than 64 levels\)"):
        assignment.restore("q1_softmax", raw)


class NoRun(Sandbox):
    """Runs nothing (the runner 'starts' and writes no results); records each job's size."""

    name = "norun"

    def __init__(self):
        self.job_bytes: list[int] = []

    def check(self) -> None:
        pass

    def run(self, job_dir, argv, limits, env=None, runtime_files=None) -> RunResult:
        self.job_bytes.append(sum(p.stat().st_size for p in Path(job_dir).rglob("*.ipynb")))
        return RunResult(0, None, False, 0.0, None, STARTED, "")


def test_an_amplifying_notebook_costs_only_itself(assignment):
    """Under the depth bound the same trick is written compactly: every job stays small."""
    files = {f"{n}.ipynb": nbformat.writes(nb).encode() for n, nb in honest_submission().items()}
    files["q1_softmax.ipynb"] = with_metadata(380, 3 * 10**6)
    files["q2_neural.ipynb"] = with_metadata(60, 3 * 10**6, "q2_neural")
    sandbox = NoRun()
    result = Grader(assignment, sandbox).grade(Submission("deep", files=files))
    status = {nb.name: nb.status for nb in result.notebooks}
    assert status["q1_softmax"] == "invalid"
    assert status["q2_neural"] == status["q3_word2vec"] == status["q4_sentiment"] == "stopped"
    # one sandbox for the submission's three valid notebooks; none wrote results, so each
    # is run again alone (the zygote's fallback): 1 + 3 jobs, the invalid q1 in none
    assert len(sandbox.job_bytes) == 4
    assert max(sandbox.job_bytes) < 8 * MiB, sandbox.job_bytes  # was 180 MiB (indent=1, 60 deep)
