"""Problem 4's given classifiers, and what grading mode imports."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from cs224n.classifier import accuracy, quickSoftmaxRegression
from tests.course.course import REPO


def test_the_quick_regression_learns_separable_classes():
    rng = np.random.default_rng(0)
    centres = 3 * np.eye(5)  # (5, 5): one direction per class
    labels = rng.integers(0, 5, size=200)
    features = centres[labels] + 0.3 * rng.standard_normal((200, 5))
    clf = quickSoftmaxRegression(features, labels, 1e-3)
    assert accuracy(labels, clf.predict(features)) > 95
    assert clf.predict(features).shape == (200,)


def test_a_stronger_penalty_gives_smaller_weights():
    rng = np.random.default_rng(1)
    features, labels = rng.standard_normal((50, 4)), rng.integers(0, 5, size=50)
    weak = quickSoftmaxRegression(features, labels, 1e-4)
    strong = quickSoftmaxRegression(features, labels, 100.0)
    assert np.linalg.norm(strong.W) < np.linalg.norm(weak.W)


def _code_cells(nb: dict) -> list[str]:
    """The cells as the engine runs them: hidden tests and sanity checks left out."""
    cells = []
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] != "code" or meta.get("grade") and not meta.get("solution"):
            continue
        if str(meta.get("grade_id", "")).endswith("_sanity"):
            continue
        cells.append("".join(cell["source"]))
    return cells


@pytest.mark.slow
def test_grading_mode_imports_neither_plotting_nor_scikit_learn(tmp_path):
    """The honest q3 and q4 run in grading mode, as the grader runs them, without loading
    matplotlib or sklearn (over a second of CPU per notebook)."""
    from tests.course.corpus import honest_submission

    for name, nb in honest_submission().items():
        (tmp_path / f"{name}.ipynb").write_text(json.dumps(nb))
    script = (
        "import json, sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "for name in sys.argv[1:]:\n"
        "    for source in json.load(open(name + '.cells')):\n"
        "        result = shell.run_cell(source)\n"
        "        assert result.success, (name, source[:80], result.error_in_exec)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n")
    for name in ("q3_word2vec", "q4_sentiment"):
        nb = json.loads((tmp_path / f"{name}.ipynb").read_text())
        (tmp_path / f"{name}.cells").write_text(json.dumps(_code_cells(nb)))
    env = dict(os.environ, CS224N_GRADING="1",
               PYTHONPATH=str(REPO / "release" / "ps1"))
    proc = subprocess.run([sys.executable, "-c", script, "q3_word2vec", "q4_sentiment"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    modules = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "numpy" in modules
    assert "matplotlib" not in modules and "sklearn" not in modules, modules
