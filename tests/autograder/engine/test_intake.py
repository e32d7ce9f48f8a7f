"""What a submission may hold besides notebooks: the run's artifacts (checked, never run),
the files students zip by habit (set aside with a note), and browser-renamed notebooks
(recognised by their nbgrader cells)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest

from autograder.engine.course import AssignmentCopy
from autograder.engine.submission import (
    MAX_ARTIFACT_BYTES,
    PNG_SIGNATURE,
    check_artifact,
    load_folder,
    load_zip,
)
from tests.autograder.service.notebooks import honest_notebook_file, honest_q1, zip_of
from tests.course.course import REPO


def png(width: int = 4, height: int = 3, tail: bytes = b"") -> bytes:
    """A small real PNG (one grey image), built by hand."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\0" + b"\x80" * width for _ in range(min(height, 64)))
    return (PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + tail + chunk(b"IEND", b""))


def identities() -> dict[str, set[str]]:
    return AssignmentCopy.existing(REPO).identities


def test_the_run_artifacts_are_kept_with_the_submission():
    data = zip_of({"ps1/q1_softmax.ipynb": honest_q1(), "ps1/q3_word_vectors.png": png(),
                   "ps1/q4_dev_pred.txt": b"2\t3\tit 's a charming film\n",
                   "q4_dev_conf (1).png": png(8, 8)})
    sub = load_zip("alice", data)
    assert set(sub.artifacts) == {"q3_word_vectors.png", "q4_dev_pred.txt", "q4_dev_conf.png"}
    assert not sub.problems and list(sub.files) == ["q1_softmax.ipynb"]


@pytest.mark.parametrize("name, content, reason", [
    ("q3_word_vectors.png", b"<script>alert(1)</script>", "not a PNG"),
    ("q3_word_vectors.png", b"GIF89a" + b"\0" * 60, "not a PNG"),
    ("q3_word_vectors.png", png(100_000, 100_000), "pixels"),           # a declared bomb
    ("q3_word_vectors.png", png()[:-12], "truncated"),
    ("q3_word_vectors.png", png()[:20] + b"\xff" + png()[21:], "damaged"),  # header CRC
    ("q4_dev_pred.txt", b"\xff\xfe\x00binary", "UTF-8"),
    ("q4_dev_pred.txt", b"a" * (MAX_ARTIFACT_BYTES + 1), "larger"),
])
def test_an_artifact_that_is_not_what_its_name_says_is_refused(name, content, reason):
    assert reason in (check_artifact(name, content) or "")
    sub = load_zip("mallory", zip_of({"ps1/q1_softmax.ipynb": honest_q1(), name: content}))
    assert not sub.artifacts and list(sub.files) == ["q1_softmax.ipynb"]
    assert any(reason in p for p in sub.problems), sub.problems


def test_a_real_png_passes():
    assert check_artifact("q4_reg_v_acc.png", png()) is None


def test_checkpoints_data_and_caches_are_set_aside_with_one_note():
    members = {
        "ps1/q1_softmax.ipynb": honest_q1(),
        "ps1/.ipynb_checkpoints/q1_softmax-checkpoint.ipynb": honest_q1(),
        "ps1/saved_params_5000.npy": b"\x93NUMPY" + b"\0" * 100,
        "ps1/saved_state.npz": b"PK",
        "ps1/data/stanfordSentimentTreebank/datasetSentences.txt": b"1\tA film\n",
        "ps1/cs224n/__pycache__/x.pyc": b"\0",
        "__MACOSX/ps1/._q1_softmax.ipynb": b"\0",
        "ps1/notes.docx": b"PK",
    }
    sub = load_zip("bob", zip_of(members))
    assert list(sub.files) == ["q1_softmax.ipynb"] and not sub.problems
    assert len(sub.notes) == 1 and "set aside" in sub.notes[0]
    assert "saved_params_5000.npy" in sub.notes[0]


def test_a_folder_keeps_artifacts_and_the_timestamp(tmp_path: Path):
    folder = tmp_path / "ps1"
    folder.mkdir()
    (folder / "q1_softmax.ipynb").write_bytes(honest_q1())
    (folder / "q4_reg_v_acc.png").write_bytes(png())
    (folder / "q4_dev_conf.png").write_bytes(b"not an image")
    (folder / "timestamp.txt").write_text("2026-12-04 01:05:00.000000 UTC\n")
    (folder / "saved_params_1000.npy").write_bytes(b"\0")
    sub = load_folder("carol", folder)
    assert set(sub.artifacts) == {"q4_reg_v_acc.png"}
    assert sub.timestamp == "2026-12-04 01:05:00.000000 UTC"
    assert any("q4_dev_conf.png" in p and "PNG" in p for p in sub.problems)


def test_a_zip_carries_its_timestamp():
    sub = load_zip("dan", zip_of({"ps1/q1_softmax.ipynb": honest_q1(),
                                  "ps1/timestamp.txt": b"2026-12-04 01:05:00 UTC"}))
    assert sub.timestamp == "2026-12-04 01:05:00 UTC"


def test_artifacts_change_the_digest():
    plain = load_zip("e", zip_of({"q1_softmax.ipynb": honest_q1()}))
    with_plot = load_zip("e", zip_of({"q1_softmax.ipynb": honest_q1(),
                                      "q4_reg_v_acc.png": png()}))
    assert plain.digest != with_plot.digest


def test_a_browser_renamed_notebook_is_graded_by_its_identity():
    sub = load_zip("frank", zip_of({"q1_softmax (1).ipynb": honest_q1(),
                                    "Untitled.ipynb": honest_notebook_file("q2_neural")}))
    sub.identify(identities())
    assert set(sub.files) == {"q1_softmax.ipynb", "q2_neural.ipynb"}
    assert sub.files["q1_softmax.ipynb"] == honest_q1()
    assert any("q1_softmax (1).ipynb was graded as q1_softmax.ipynb" in n for n in sub.notes)


def test_identity_never_replaces_the_notebook_submitted_under_its_name():
    other = honest_q1().replace(b"np.max", b"np.amax")
    sub = load_zip("gina", zip_of({"q1_softmax.ipynb": honest_q1(),
                                   "q1_softmax (1).ipynb": other}))
    sub.identify(identities())
    assert sub.files == {"q1_softmax.ipynb": honest_q1()}
    assert any("another copy" in n for n in sub.notes)


def test_a_file_with_no_or_mixed_identity_is_not_guessed():
    import json

    q1 = json.loads(honest_q1())
    q2 = json.loads(honest_notebook_file("q2_neural"))
    q1["cells"] += q2["cells"]  # two notebooks merged: not guessed
    sub = load_zip("hal", zip_of({"mine.ipynb": json.dumps(q1).encode(),
                                  "empty.ipynb": b'{"cells": []}'}))
    sub.identify(identities())
    assert set(sub.files) == {"mine.ipynb", "empty.ipynb"}


def test_png_helper_is_a_png():
    """The test's own PNG opens in a real decoder, so the checks above test real images."""
    pytest.importorskip("matplotlib")
    from matplotlib import image

    assert image.imread(io.BytesIO(png(5, 2)), format="png").shape[:2] == (2, 5)
