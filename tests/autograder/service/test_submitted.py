"""The notebooks as submitted: only text and checked PNGs leave a hostile notebook; scripts,
HTML, SVG and bombs never reach a page; a malformed notebook is a note, never an error."""

from __future__ import annotations

import json

import pytest

from autograder.service import submitted
from autograder.service.storage import KeptFiles
from tests.autograder.service.files import (
    image_output,
    notebook_with_outputs,
    png,
    png_declaring,
)

SCRIPT = "<script>alert(document.cookie)</script>"


def outputs_of(view: dict) -> list[dict]:
    return [o for nb in view["notebooks"] for c in nb["cells"] for o in c["outputs"]]


def test_text_outputs_are_plain_text_without_terminal_codes():
    nb = notebook_with_outputs([
        {"output_type": "stream", "name": "stdout", "text": ["all ", "\x1b[31mgood\x1b[0m\n"]},
        {"output_type": "error", "ename": "ValueError", "evalue": "x",
         "traceback": ["\x1b[0;31mValueError\x1b[0m: bad\x07"]},
        {"output_type": "execute_result", "data": {"text/plain": "42"}, "metadata": {}},
    ])
    built = submitted.build({"q1_softmax": nb})
    shown = outputs_of(built.view)
    assert [(o["kind"], o["text"]) for o in shown] == [
        ("text", "all good\n"), ("error", "ValueError: bad"), ("text", "42")]
    assert built.images == {}


def test_html_javascript_and_svg_outputs_are_never_kept():
    nb = notebook_with_outputs([
        {"output_type": "display_data", "metadata": {}, "data": {"text/html": SCRIPT}},
        {"output_type": "display_data", "metadata": {},
         "data": {"application/javascript": "fetch('/api/grades.csv')"}},
        {"output_type": "display_data", "metadata": {},
         "data": {"image/svg+xml": f"<svg>{SCRIPT}</svg>"}},
        {"output_type": "display_data", "metadata": {},
         "data": {"text/html": SCRIPT, "text/plain": "<IPython.core.display.HTML object>"}},
    ])
    built = submitted.build({"q1_softmax": nb})
    text = json.dumps(built.view)
    assert "alert" not in text and "fetch" not in text and "<svg" not in text
    kinds = [o["kind"] for o in outputs_of(built.view)]
    assert kinds == ["omitted", "omitted", "omitted", "text"]


def test_a_png_output_is_kept_as_a_file_and_anything_else_named_as_an_image_is_not():
    good = png(40, 30)
    nb = notebook_with_outputs([
        image_output(good),
        image_output(b"<html>" + SCRIPT.encode()),  # called image/png, is HTML
        image_output(png_declaring(60_000, 60_000)),  # a bomb's header
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": "!!not base64"}},
    ])
    built = submitted.build({"q3_word2vec": nb})
    shown = outputs_of(built.view)
    assert shown[0] == {"kind": "image", "file": "q3_word2vec-0.png", "width": 40,
                        "height": 30}
    assert built.images == {"q3_word2vec-0.png": good}
    assert [o["kind"] for o in shown[1:]] == ["omitted"] * 3
    assert "alert" not in json.dumps(built.view)


def test_long_outputs_are_cut_and_a_notebook_has_a_budget():
    huge = "x" * 100_000
    nb = notebook_with_outputs([{"output_type": "stream", "name": "stdout", "text": huge}] * 40)
    built = submitted.build({"q1_softmax": nb})
    total = sum(len(o["text"]) for o in outputs_of(built.view))
    assert total < submitted.MAX_NOTEBOOK_TEXT + 50 * 200
    assert "more characters not shown" in outputs_of(built.view)[0]["text"]


def test_too_many_images_are_named_not_kept():
    nb = notebook_with_outputs([image_output(png())] * (submitted.MAX_IMAGES + 3))
    built = submitted.build({"q1_softmax": nb})
    assert len(built.images) == submitted.MAX_IMAGES
    assert [o["kind"] for o in outputs_of(built.view)][-3:] == ["omitted"] * 3


@pytest.mark.parametrize("data", [
    b"not json", b"[]", b'{"cells": 7}', b'{"cells": [7, null, "x", {"cell_type": "code"}]}',
    json.dumps({"cells": [{"cell_type": "code", "source": 5, "outputs": [
        {"output_type": "stream", "text": {"a": 1}}, 3, {"output_type": "error",
                                                         "traceback": "x"},
        {"output_type": "display_data", "data": ["image/png"]}]}]}).encode(),
    json.dumps({"cells": [{"cell_type": "markdown", "source": ["a", 1],
                           "metadata": {"nbgrader": {"solution": True, "grade_id": SCRIPT}}}]
                }).encode(),
])
def test_a_malformed_notebook_is_a_note_or_plain_text_never_an_error(data):
    view = submitted.build({"q1_softmax": data}).view
    assert json.loads(submitted.to_json(view)) == view
    assert "<script" not in json.dumps(view)  # a hostile grade id is not used as a label


def test_written_answers_are_shown_as_text():
    cell = {"cell_type": "markdown", "source": f"My answer {SCRIPT}",
            "metadata": {"nbgrader": {"solution": True, "grade": True, "grade_id": "q1a"}}}
    nb = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4}).encode()
    view = submitted.build({"q1_softmax": nb}).view
    (shown,) = view["notebooks"][0]["cells"]
    assert shown["kind"] == "answer" and shown["source"] == f"My answer {SCRIPT}"
    assert shown["label"] == "cell 1 (q1a)"


def test_kept_files_are_served_only_by_server_names_and_after_a_check(tmp_path):
    kept = KeptFiles(tmp_path)
    sid = "a" * 32
    kept.save(sid, "q4_dev_conf.png", png())
    kept.save(sid, "q4_dev_pred.txt", b"1 <b>\n")
    kept.save(sid, "q1_softmax-0.png", b"<html>not a png</html>")  # stored, then tampered
    assert submitted.kept_file(tmp_path, sid, "q4_dev_conf.png") == (png(), "image/png")
    assert submitted.kept_file(tmp_path, sid, "q4_dev_pred.txt")[1].startswith("text/plain")
    for name in ("q1_softmax-0.png", submitted.VIEW_FILE, "../x.png", "Q4.png", "x.html",
                 "q4_dev_conf.png/"):
        assert submitted.kept_file(tmp_path, sid, name) is None
    assert submitted.kept_file(tmp_path, "../" + sid[3:], "q4_dev_conf.png") is None
