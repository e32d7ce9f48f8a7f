"""The executed notebook kept for formgrader holds the restored cells and only the runner's own
signed, capped, plain-text outputs; whatever else the sandbox wrote never reaches it."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from autograder.engine import kept_notebook
from autograder.engine.grade import Grader
from autograder.engine.submission import Submission
from autograder.kernel import keeper, zygote
from autograder.sandbox import RunResult, Sandbox
from tests.autograder.engine.hostile import with_cell
from tests.course.corpus import honest_notebook

MiB = 2**20


def grade_ids(nb) -> dict[str, int]:
    return {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(nb.cells)}


def forged_notebook(job: Path) -> dict:
    """What a student's function, called after the cells, can leave as _out/notebook.ipynb."""
    nb = json.loads((job / zygote.FILES_DIR / "q1_softmax.ipynb").read_text())
    for cell in nb["cells"]:
        meta = cell.setdefault("metadata", {}).setdefault("nbgrader", {})
        if meta.get("grade_id") == "q1_softmax_hidden":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "PASS 5/5"}]
        if meta.get("grade_id") == "q1a_written":
            cell["source"], meta["points"] = "FORGED ANSWER", 500
    nb["metadata"]["junk"] = "x" * (24 * MiB)
    return nb


class FakeRunner(Sandbox):
    """Stands in for the sandbox: writes result files as the keeper would (signed with the
    run's key) and then, as a hostile notebook could, files the grader must ignore."""

    name = "fake"

    def __init__(self, outputs: list[dict], cells: list[dict], forge_after: bool = False):
        self.outputs, self.cells, self.forge_after = outputs, cells, forge_after

    def check(self) -> None:
        pass

    def run(self, job_dir, argv, limits, env=None, runtime_files=None) -> RunResult:
        job = Path(job_dir)
        out = job / zygote.RESULTS_DIR / "q1_softmax"  # the zygote's layout (kernel.zygote)
        out.mkdir(parents=True)
        (out / zygote.STATUS_FILE).write_text(json.dumps({"exit_code": 0, "timed_out": False}))
        files = {"cells.json": json.dumps(self.cells), "outputs.json": json.dumps(self.outputs)}
        keeper.write_results(out, files)
        key_file = job / zygote.CALLS_DIR / "q1_softmax.json.key"
        if key_file.is_file():
            key = bytes.fromhex(key_file.read_text())
            (out / keeper.COMMIT_FILE).write_text(json.dumps(
                {n: keeper.mac(key, n, t.encode()) for n, t in files.items()}))
        (out / "notebook.ipynb").write_text(json.dumps(forged_notebook(job)))
        if self.forge_after:  # changed after the hand-over: unsigned
            (out / "outputs.json").write_text(json.dumps([{"index": 5, "text": "LEAKED"}]))
        return RunResult(0, None, False, 0.0, None, zygote.STARTED, "")


def kept(assignment, tmp_path, sandbox: FakeRunner) -> nbformat.NotebookNode:
    nb = honest_notebook("q1_softmax")
    files = {"q1_softmax.ipynb": nbformat.writes(nb).encode()}
    Grader(assignment, sandbox).grade(Submission("s", files=files), notebooks_dir=tmp_path)
    path = tmp_path / "q1_softmax.ipynb"
    assert path.stat().st_size < MiB
    return nbformat.read(path, 4)


def test_the_sandboxs_notebook_file_is_never_kept(assignment, tmp_path):
    ids = grade_ids(honest_notebook("q1_softmax"))
    hidden, solution, written = ids["q1_softmax_hidden"], ids["q1_softmax"], ids["q1a_written"]
    outputs = [{"index": solution, "text": "hello from the student"},
               {"index": hidden, "text": "PASS 5/5"}]  # a placeholder ran there: not its own
    cells = [{"index": solution, "status": "error", "error": "NameError: name 'np' is not"}]
    nb = kept(assignment, tmp_path, FakeRunner(outputs, cells))
    assert nb.cells[solution].outputs[0].text == "hello from the student"
    assert nb.cells[solution].outputs[1].ename == "NameError"
    assert nb.cells[hidden].outputs == []
    assert "FORGED" not in nb.cells[written].source
    assert nb.cells[written].metadata.nbgrader.points == 5
    assert set(nb.metadata) <= {"kernelspec", "language_info"}
    nbformat.validate(nb)


def test_outputs_changed_after_the_hand_over_are_not_kept(assignment, tmp_path):
    ids = grade_ids(honest_notebook("q1_softmax"))
    outputs = [{"index": ids["q1_softmax"], "text": "honest"}]
    nb = kept(assignment, tmp_path, FakeRunner(outputs, [], forge_after=True))
    assert all(o.get("text") != "LEAKED" for c in nb.cells if c.cell_type == "code"
               for o in c.outputs)
    assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")


def test_outputs_are_plain_capped_and_bounded(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("a", metadata={"nbgrader": {"grade_id": "x"}, "evil": 1},
                                  outputs=[{"output_type": "display_data", "metadata": {},
                                            "data": {"text/html": "<script>x</script>"}}]),
        nbformat.v4.new_code_cell("b"),
        nbformat.v4.new_markdown_cell("c", attachments={
            "a.png": {"image/png": "iVBO"}, "b.svg": {"image/svg+xml": "<svg onload=x>"}}),
    ])
    (tmp_path / "outputs.json").write_text(json.dumps(
        [{"index": 0, "text": "y" * 200_000}, {"index": 1, "text": 3}, {"index": "1"},
         {"index": 2, "text": "not a code cell"}, {"index": 10**9, "text": "z"}]))
    (tmp_path / "cells.json").write_text(json.dumps(
        [{"index": 1, "status": "timeout", "error": "too slow"}, {"index": True}]))
    built = kept_notebook.build(nb, tmp_path)
    (stream,) = built.cells[0].outputs
    assert stream.output_type == "stream" and len(stream.text) < 70_000
    assert dict(built.cells[0].metadata) == {"nbgrader": {"grade_id": "x"}}
    assert [o.ename for o in built.cells[1].outputs] == ["Timeout"]
    assert set(built.cells[2].attachments) == {"a.png"}
    nbformat.validate(built)

    (tmp_path / "outputs.json").write_text("[" * 100 + "]" * 100)
    (tmp_path / "cells.json").write_text("{not json")
    assert all(c.get("outputs", []) == [] for c in kept_notebook.build(nb, tmp_path).cells)


LEAK_AND_FORGE = r'''
import glob, json, os
seen = sorted(glob.glob("*calls*"))
_honest_softmax = softmax

def softmax(x):  # called by the grader after the cells: forges what it can
    for name in ("notebook.ipynb", "outputs.json"):
        with open("_out/" + name, "w") as f:
            json.dump([{"index": 9, "status": "ok", "error": None, "text": "PASS 5/5"}], f)
    return _honest_softmax(x)

if seen:
    raise ValueError(open(seen[0], "rb").read()[:300])
raise ValueError("nothing to see")
'''


@pytest.mark.slow
def test_in_the_sandbox_cells_see_no_calls_and_forgeries_are_not_kept(grader, tmp_path):
    nb = with_cell(honest_notebook("q1_softmax"), LEAK_AND_FORGE)
    files = {"q1_softmax.ipynb": nbformat.writes(nb).encode()}
    result = grader.grade(Submission("forger", files=files), notebooks_dir=tmp_path)
    report = next(n for n in result.notebooks if n.name == "q1_softmax")
    assert report.status == "graded"
    assert sum(c.score for c in report.cells if c.auto) == 5.0
    (error,) = report.cell_errors
    assert "nothing to see" in error
    kept_nb = nbformat.read(tmp_path / "q1_softmax.ipynb", 4)
    shown = json.dumps([c.get("outputs", []) for c in kept_nb.cells])
    assert "PASS 5/5" not in shown and "$t" not in shown and "args" not in shown
