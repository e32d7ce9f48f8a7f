"""The source notebooks' answer key is what scripts/answer_key.py generates from solutions/."""

import importlib.util
import json
import sys

import pytest

from tests.course.course import ASSIGNMENT, NOTEBOOKS, REPO


@pytest.fixture(scope="module")
def answer_key():
    spec = importlib.util.spec_from_file_location("answer_key", REPO / "scripts" / "answer_key.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["answer_key"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("answer_key", None)


def _solution_cells(name):
    nb = json.loads((REPO / "source" / ASSIGNMENT / f"{name}.ipynb").read_text())
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "### BEGIN SOLUTION" in source:
            yield cell["metadata"]["nbgrader"]["grade_id"], source


def test_every_solution_region_is_generated_from_solutions(answer_key):
    for name in NOTEBOOKS:
        for grade_id, source in _solution_cells(name):
            assert grade_id in answer_key.REGIONS, f"{name}: {grade_id} has no generator entry"
            expected = answer_key.with_key(source, answer_key.region_code(grade_id))
            assert source == expected, (f"{name}: the answer key of {grade_id} differs from "
                                        "solutions/: run python scripts/answer_key.py")


def test_the_key_is_inline_code_not_an_import_of_solutions(answer_key):
    for name in NOTEBOOKS:
        for grade_id, source in _solution_cells(name):
            assert "solutions" not in source, f"{name}: {grade_id} imports the reference"


def test_check_mode_passes_on_the_committed_notebooks(answer_key, capsys):
    assert answer_key.main(["--check"]) == 0


def test_a_stale_region_is_found(answer_key, tmp_path):
    source = next(s for gid, s in _solution_cells("q1_softmax") if gid == "q1_softmax")
    nb = {"cells": [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "q1_softmax"}},
                     "source": source.replace("np.max", "np.amax")}]}
    path = tmp_path / "q1_softmax.ipynb"
    path.write_text(json.dumps(nb))
    fixed, stale = answer_key.notebook_with_key(path)
    assert stale == ["q1_softmax"]
    assert "".join(fixed["cells"][0]["source"]) == source


def test_an_edit_that_no_longer_matches_solutions_stops_the_generator(answer_key, monkeypatch):
    spec = answer_key.REGIONS["q2_gradcheck_naive"]
    broken = spec.__class__(spec.module, spec.function, edits=(("no such code", "x"),))
    monkeypatch.setitem(answer_key.REGIONS, "q2_gradcheck_naive", broken)
    with pytest.raises(answer_key.StaleKey, match="no such code"):
        answer_key.region_code("q2_gradcheck_naive")


def test_the_generated_key_runs_and_matches_the_reference():
    """Executing the generated regions gives the reference's answers (the key is complete)."""
    import numpy as np

    from solutions.softmax import softmax as reference

    ns: dict = {"np": np}
    source = next(s for gid, s in _solution_cells("q1_softmax") if gid == "q1_softmax")
    exec(source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), ns)
    x = np.array([[1001.0, 1002.0], [3.0, -4.0]])
    assert np.allclose(ns["softmax"](x), reference(x))
