"""The autograded folders formgrader opens, written from the engine's results."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

from autograder.report import GradebookError
from autograder.report.autograded import (
    AS_SUBMITTED,
    write_autograded,
    write_staff_copies,
)
from tests.autograder.engine.test_intake import png
from tests.autograder.report.builders import build, missing_notebook
from tests.course.course import REPO

HOSTILE_TEXT = b"1\t0\t<script>alert(1)</script> <img src=x onerror=alert(2)>\n"


def executed(tmp_path: Path, names=("q1_softmax", "q4_sentiment")) -> dict[str, Path]:
    folder = tmp_path / "engine" / "bob"
    folder.mkdir(parents=True, exist_ok=True)
    found = {}
    for name in names:
        nb = nbformat.read(REPO / "release" / "ps1" / f"{name}.ipynb", 4)
        nbformat.write(nb, folder / f"{name}.ipynb")
        found[name] = folder / f"{name}.ipynb"
    return found


def test_the_folder_has_what_formgrader_and_nbgrader_read(tmp_path, cells):
    result = build("bob", cells)
    artifacts = {"q4_dev_conf.png": png(), "q4_dev_pred.txt": HOSTILE_TEXT,
                 "q3_word_vectors.png": b"<svg onload=alert(1)>"}  # not a PNG: dropped
    moment = datetime(2026, 12, 4, 3, 5, tzinfo=UTC)
    folder = write_autograded(tmp_path / "autograded", "ps1", result, executed(tmp_path),
                              artifacts, moment)
    assert folder == tmp_path / "autograded" / "bob" / "ps1"
    assert {p.name for p in folder.iterdir()} == {
        "q1_softmax.ipynb", "q4_sentiment.ipynb", "q4_dev_conf.png", "q4_dev_pred.txt",
        "timestamp.txt", "submission_secret.txt"}
    secret = (folder / "submission_secret.txt").read_text()
    assert len(secret) == 128  # made as `nbgrader submit` makes one, then kept
    assert (folder / "timestamp.txt").read_text() == "2026-12-04 03:05:00.000000 UTC"

    nb = nbformat.read(folder / "q4_sentiment.ipynb", 4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    holders = [i for i, c in enumerate(nb.cells) if "autograder" in c.metadata]
    assert len(holders) == 2
    conf = next(i for i in holders if "q4_dev_conf.png" in nb.cells[i].source)
    assert ids[conf - 2] == "q4_show_dev_conf"  # right after the cell that shows it
    assert AS_SUBMITTED in nb.cells[conf - 1].source
    assert "nbgrader" not in nb.cells[conf].metadata  # never a graded cell
    q1 = nbformat.read(folder / "q1_softmax.ipynb", 4)
    assert not any("autograder" in c.metadata for c in q1.cells)  # q4's artifacts only
    write_autograded(tmp_path / "autograded", "ps1", result, executed(tmp_path))
    assert (folder / "submission_secret.txt").read_text() == secret


def test_artifacts_render_escaped_in_formgraders_html(tmp_path, cells):
    from nbconvert import HTMLExporter

    folder = write_autograded(tmp_path / "autograded", "ps1", build("bob", cells),
                              executed(tmp_path, ("q4_sentiment",)),
                              {"q4_dev_pred.txt": HOSTILE_TEXT, "q4_dev_conf.png": png()})
    html, _ = HTMLExporter().from_filename(str(folder / "q4_sentiment.ipynb"))
    assert "<script>alert(1)</script>" not in html and "onerror=alert" not in html.replace(
        "&lt;img src=x onerror=alert(2)&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'src="data:image/png;base64,' in html


def test_a_regrade_replaces_what_is_gone(tmp_path, cells):
    root = tmp_path / "autograded"
    write_autograded(root, "ps1", build("bob", cells), executed(tmp_path),
                     {"q4_dev_conf.png": png()}, datetime.now(UTC))
    result = missing_notebook(cells)
    result.student = "bob"
    paths = executed(tmp_path)
    paths.pop("q1_softmax")
    folder = write_autograded(root, "ps1", result, paths, {}, None)
    assert not (folder / "q1_softmax.ipynb").exists()
    assert not (folder / "q4_dev_conf.png").exists() and not (folder / "timestamp.txt").exists()


@pytest.mark.parametrize("student", ["../../etc", "a/b", "", ".."])
def test_a_student_id_nbgrader_refuses_writes_nothing(tmp_path, cells, student):
    result = build("x", cells)
    result.student = student
    with pytest.raises(GradebookError):
        write_autograded(tmp_path / "autograded", "ps1", result, {}, {}, None)
    assert write_staff_copies([result], tmp_path / "autograded", "ps1", tmp_path) == []
    assert not any((tmp_path / "autograded").rglob("*.ipynb")) if (
        tmp_path / "autograded").exists() else True


def test_the_students_own_outputs_of_grading_mode_cells_are_shown(tmp_path, cells):
    import base64
    import json

    from autograder.report.autograded import keep_submitted, submitted_copies

    nb = nbformat.read(REPO / "release" / "ps1" / "q4_sentiment.ipynb", 4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                == "q4_outputs")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="best dev accuracy 0.389\n"),
        nbformat.v4.new_output("display_data", data={
            "image/png": base64.b64encode(png(9, 9)).decode(), "text/plain": "<Figure>"}),
        nbformat.v4.new_output("display_data", data={
            "text/html": "<script>alert(1)</script>", "text/plain": "<HTML>"}),
        nbformat.v4.new_output("display_data", data={  # not a PNG: its text only
            "image/png": base64.b64encode(b"<svg onload=alert(1)>").decode(),
            "text/plain": "fake image"}),
    ]
    engine = tmp_path / "engine" / "bob"
    keep_submitted(engine, {"q4_sentiment.ipynb": nbformat.writes(nb).encode()})
    folder = write_autograded(tmp_path / "autograded", "ps1", build("bob", cells),
                              executed(tmp_path, ("q4_sentiment",)),
                              submitted=submitted_copies(engine))
    out = nbformat.read(folder / "q4_sentiment.ipynb", 4)
    at = next(i for i, c in enumerate(out.cells)
              if c.metadata.get("nbgrader", {}).get("grade_id") == "q4_outputs")
    assert AS_SUBMITTED in out.cells[at + 1].source
    holder = out.cells[at + 2]
    assert holder.metadata["autograder"] == {"submitted_outputs": "q4_outputs"}
    kinds = [(o.output_type, sorted(o.get("data", {}))) for o in holder.outputs]
    assert kinds == [("stream", []), ("display_data", ["image/png", "text/plain"]),
                     ("stream", []), ("stream", [])]
    assert "best dev accuracy 0.389" in holder.outputs[0].text
    assert "alert(1)" not in json.dumps(holder)  # no HTML, no fake image's bytes
    assert holder.outputs[3].text == "fake image"
    # a cell that runs the same when graded gets nothing extra
    assert sum("submitted_outputs" in c.metadata.get("autograder", {}) for c in out.cells) == 1
