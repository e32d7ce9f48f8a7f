"""The committed release is what `nbgrader generate_assignment` makes, and holds no secret."""

import filecmp
from pathlib import Path

import nbformat
import pytest

from autograder.checks import cell_points
from tests.course.course import ASSIGNMENT, NOTEBOOKS, REPO

COMMITTED = REPO / "release" / ASSIGNMENT
SECRETS = ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "grade_cell", "autograder",
           "from solutions", "import solutions", "solutions.")


def _cells(nb):
    return [(c.cell_type, c.source, c.metadata.get("nbgrader")) for c in nb.cells]


@pytest.mark.slow
def test_committed_release_is_fresh(course):
    for name in NOTEBOOKS:
        fresh = nbformat.read(course.release / f"{name}.ipynb", as_version=4)
        committed = nbformat.read(COMMITTED / f"{name}.ipynb", as_version=4)
        assert _cells(committed) == _cells(fresh), (
            f"release/{ASSIGNMENT}/{name}.ipynb is stale: run "
            f"`nbgrader generate_assignment {ASSIGNMENT} --force` and commit"
        )
    comparison = filecmp.dircmp(course.release, COMMITTED, ignore=["__pycache__"])
    _assert_same_tree(comparison)


def _assert_same_tree(cmp: filecmp.dircmp) -> None:
    assert not cmp.left_only and not cmp.right_only, (cmp.left_only, cmp.right_only)
    differing = [f for f in cmp.diff_files if not f.endswith(".ipynb")]
    assert not differing, f"stale support files in the release: {differing}"
    for sub in cmp.subdirs.values():
        _assert_same_tree(sub)


def test_release_holds_no_secret():
    for path in sorted(COMMITTED.rglob("*")):
        if path.is_dir() or path.suffix not in {".ipynb", ".py", ".txt", ".md"}:
            continue
        if "sample_data" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for secret in SECRETS:
            assert secret not in text, f"{path.relative_to(REPO)} contains {secret!r}"
    assert not (COMMITTED / "solutions").exists()


def test_release_notebooks_are_complete():
    for name in NOTEBOOKS:
        assert (COMMITTED / f"{name}.ipynb").exists()
    assert (COMMITTED / "cs224n" / "treebank.py").exists()


def test_hidden_cell_points_match_the_catalogue():
    expected = cell_points()
    found = {}
    for name in NOTEBOOKS:
        nb = nbformat.read(REPO / "source" / ASSIGNMENT / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                found[meta["grade_id"]] = float(meta["points"])
                assert f'grade_cell("{meta["grade_id"]}", globals())' in cell.source
    assert found == expected


def test_problem_totals_follow_the_handout():
    totals = dict.fromkeys(NOTEBOOKS, 0.0)
    for name in NOTEBOOKS:
        nb = nbformat.read(REPO / "source" / ASSIGNMENT / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                totals[name] += float(meta["points"])
    assert totals == {"q1_softmax": 10, "q2_neural": 30, "q3_word2vec": 42, "q4_sentiment": 20}


def test_grade_ids_are_unique_across_notebooks():
    seen: dict[str, str] = {}
    for name in NOTEBOOKS:
        nb = nbformat.read(Path(REPO / "source" / ASSIGNMENT / f"{name}.ipynb"), as_version=4)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid:
                assert gid not in seen, f"{gid} in {name} and {seen[gid]}"
                seen[gid] = name


def test_release_support_package_is_a_byte_copy_of_the_source():
    """Fast: the support package students import is the one in source/ (nbgrader copies it);
    the slow test above regenerates the whole release."""
    source = REPO / "source" / ASSIGNMENT / "cs224n"
    comparison = filecmp.dircmp(source, COMMITTED / "cs224n", ignore=["__pycache__"])
    assert not comparison.left_only and not comparison.right_only
    for path in source.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            copy = COMMITTED / "cs224n" / path.relative_to(source)
            assert copy.read_bytes() == path.read_bytes(), f"stale release copy of {path.name}"


def test_each_hidden_cell_ends_with_grade_cell_whose_value_is_the_partial_credit():
    """nbgrader reads a graded code cell's partial credit from its result: the value of its
    last expression. Anything after grade_cell(...) (validate_part included) would turn every
    partial score into full marks."""
    import ast

    for name in NOTEBOOKS:
        nb = nbformat.read(REPO / "source" / ASSIGNMENT / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if not (meta.get("grade") and cell.cell_type == "code"):
                continue
            last = ast.parse(cell.source).body[-1]
            assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call), meta
            assert getattr(last.value.func, "id", None) == "grade_cell", meta["grade_id"]
