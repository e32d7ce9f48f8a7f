"""Each classic mistake fails exactly its checks, judged by the catalogue alone (fast)."""

import nbformat
import pytest

from autograder.checks import CATALOGUE, run_check
from cs224n.notebooks import load_notebook_namespace
from tests.course.corpus import MISTAKES, honest_submission, submission


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.student)
def test_mistake_fails_exactly_its_checks(mistake, tmp_path, monkeypatch):
    for name, nb in submission(mistake).items():
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    monkeypatch.chdir(tmp_path)
    checks = [c for c in CATALOGUE if c.problem == mistake.notebook[:2] and not c.advice]
    namespace = load_notebook_namespace(tmp_path / f"{mistake.notebook}.ipynb")
    failed = {c.name for c in checks if not run_check(c, namespace).passed}
    assert failed == set(mistake.fails)


def test_honest_submission_passes_every_check(tmp_path, monkeypatch):
    for name, nb in honest_submission().items():
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    monkeypatch.chdir(tmp_path)
    for name in honest_submission():
        namespace = load_notebook_namespace(tmp_path / f"{name}.ipynb")
        failed = [c.name for c in CATALOGUE
                  if c.problem == name[:2] and not c.advice
                  and not run_check(c, namespace).passed]
        assert failed == []
