"""`nbgrader validate` tells the truth: it fails, naming the part, while a visible self-check
fails or a required function is still the stub, and passes an honest notebook (with the
extra-credit CBOW left as the stub too).

    python -m tests.course.test_validate CORPUS_DIR   # the verdict table of a written corpus
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from tests.course.corpus import (
    MISTAKES,
    STUDENT_SOLUTIONS,
    answered_notebook,
    honest_submission,
    submission,
)
from tests.course.course import ASSIGNMENT, NOTEBOOKS, REPO, nbgrader_env

RELEASE = REPO / "release" / ASSIGNMENT
WRITTEN = "written answer"
_PART = re.compile(r'validate_part\("([^"]+)"\)')
_RULE = "=" * 90

# the code parts of each notebook, as validate_part names them (CBOW is optional)
CODE_PARTS = {
    "q1_softmax": {"1(b)"},
    "q2_neural": {"2(e)", "2(f)", "2(g)"},
    "q3_word2vec": {"3(e) normalizeRows", "3(e) softmaxCostAndGradient",
                    "3(e) negSamplingCostAndGradient", "3(e) skipgram", "3(f)"},
    "q4_sentiment": {"4(a)", "4(c)"},
}


def write_folder(folder: Path, notebooks: dict[str, nbformat.NotebookNode],
                 answer_written: bool = True) -> Path:
    """A student's folder: the notebooks (written answers filled in unless told not to) and
    the public support package, as the release ships it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(RELEASE / "cs224n", folder / "cs224n", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name, nb in notebooks.items():
        nb = nbformat.from_dict(json.loads(json.dumps(nb)))
        if answer_written:
            for cell in nb.cells:
                if cell.cell_type == "markdown" and cell.source.strip() == "YOUR ANSWER HERE":
                    cell.source = "My answer, in my own words."
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def validate(folder: Path, name: str) -> tuple[bool, list[str], str]:
    """Run `nbgrader validate` on one notebook: (passed, the parts named, the output)."""
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "nbgrader"), "validate", f"{name}.ipynb"],
        cwd=folder, env=nbgrader_env(), capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    passed = "Success! Your notebook passes all the tests." in out
    named = []
    for block in out.split(_RULE)[1:]:
        if "The following cell failed:" not in block:
            continue
        source = block.split("The error was:")[0]
        found = _PART.findall(source)
        named += found if found else [WRITTEN]
    return passed, named, out


def validate_all(folder: Path, jobs: int = 2) -> dict[str, tuple[bool, list[str], str]]:
    with ThreadPoolExecutor(jobs) as pool:
        verdicts = pool.map(lambda name: validate(folder, name), NOTEBOOKS)
        return dict(zip(NOTEBOOKS, verdicts, strict=True))


def _cbow_stub(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The honest q3 with cbow as the release's stub."""
    release = nbformat.read(RELEASE / "q3_word2vec.ipynb", as_version=4)
    stub = next(c.source for c in release.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "q3_cbow")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q3_cbow":
            cell.source = stub
    return nb


pytestmark = pytest.mark.slow


def test_blank_release_fails_naming_every_unimplemented_part(tmp_path):
    blank = {name: nbformat.read(RELEASE / f"{name}.ipynb", as_version=4) for name in NOTEBOOKS}
    verdicts = validate_all(write_folder(tmp_path, blank, answer_written=False))
    for name, (passed, named, out) in verdicts.items():
        assert not passed, out
        assert set(named) - {WRITTEN} == CODE_PARTS[name], out
        assert WRITTEN in named, out
        assert "not implemented yet" in out, out


def test_honest_notebooks_pass_and_a_skipped_cbow_passes_with_a_note(tmp_path):
    notebooks = honest_submission()
    notebooks["q3_word2vec"] = _cbow_stub(notebooks["q3_word2vec"])
    verdicts = validate_all(write_folder(tmp_path, notebooks))
    for passed, named, out in verdicts.values():
        assert passed and not named, out


def test_run_all_survives_a_skipped_cbow(tmp_path, monkeypatch):
    """Kernel -> Restart & Run All with CBOW left as the stub: no cell fails, the CBOW sanity
    cell says it was skipped, and (f) SGD and (g) training run (grading mode's short run:
    without the real SST, the full run's data cell would stop first)."""
    from nbclient import NotebookClient

    notebooks = honest_submission()
    notebooks["q3_word2vec"] = _cbow_stub(notebooks["q3_word2vec"])
    folder = write_folder(tmp_path, notebooks)
    monkeypatch.setenv("CS224N_GRADING", "1")
    nb = nbformat.read(folder / "q3_word2vec.ipynb", as_version=4)
    NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(folder)}}).execute()
    out = {c.metadata.nbgrader["grade_id"]: "".join(o.get("text", "") for o in c.outputs)
           for c in nb.cells if c.cell_type == "code" and "nbgrader" in c.metadata}
    assert "3(e) cbow (extra credit) skipped" in out["q3_cbow_sanity"]
    assert "3(f) sgd: all 7 sanity checks passed." in out["q3_sgd_sanity"]
    assert "Saved the" in out["q3_train"]


def test_a_softmax_without_the_max_shift_fails_naming_1b(tmp_path):
    mistake = next(m for m in MISTAKES if m.student == "softmax_no_shift")
    folder = write_folder(tmp_path, submission(mistake))
    passed, named, out = validate(folder, "q1_softmax")
    assert not passed and named == ["1(b)"], out
    assert "softmax([[-1001, -1002]])" in out, out


def test_a_wrong_sigmoid_grad_fails_naming_2e_only(tmp_path):
    notebooks = {"q1_softmax": answered_notebook("q1_softmax", STUDENT_SOLUTIONS),
                 "q2_neural": answered_notebook("q2_neural", dict(
                     STUDENT_SOLUTIONS, q2_sigmoid_grad="        return s\n"))}
    passed, named, out = validate(write_folder(tmp_path, notebooks), "q2_neural")
    # forward_backward_prop calls the wrong sigmoid_grad, so 2(g) fails with it
    assert not passed and named[0] == "2(e)" and set(named) <= {"2(e)", "2(g)"}, out


def table(corpus: Path) -> str:
    """Markdown table: each corpus submission -> validate's verdict per notebook (written
    answers filled in, so that only the code is judged; notebooks a mistake's folder lacks
    are the honest ones)."""
    rows = ["| submission | q1 | q2 | q3 | q4 |", "| --- | --- | --- | --- | --- |"]
    for student in sorted(p.name for p in corpus.iterdir() if p.is_dir()):
        notebooks = {name: nbformat.read(path, as_version=4) for name in NOTEBOOKS
                     if (path := corpus / student / ASSIGNMENT / f"{name}.ipynb").exists()}
        notebooks = {**honest_submission(), **notebooks}  # a mistake's folder has its own
        verdicts = validate_all(write_folder(Path(f"/tmp/validate-{student}"), notebooks))
        shutil.rmtree(f"/tmp/validate-{student}", ignore_errors=True)
        cells = [("pass" if passed else "FAIL " + ", ".join(dict.fromkeys(named)))
                 for passed, named, _ in verdicts.values()]
        rows.append(f"| {student} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table(Path(sys.argv[1])))
