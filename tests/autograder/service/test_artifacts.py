"""The run's artifacts: names (a browser's copy counts), PNG checks that never decode, text
checks; every refusal names the file and says what to do."""

from __future__ import annotations

import pytest

from autograder.engine.submission import ARTIFACTS as ENGINE_ARTIFACTS
from autograder.service import artifacts
from autograder.service.artifacts import ArtifactError, canonical, check, png_size
from tests.autograder.service.files import chunk, png, png_declaring


def test_the_service_takes_the_engines_artifacts():
    assert set(artifacts.ARTIFACTS) == set(ENGINE_ARTIFACTS)


@pytest.mark.parametrize("sent, expected", [
    ("q4_dev_conf.png", "q4_dev_conf.png"),
    ("q4_dev_conf (1).png", "q4_dev_conf.png"),
    ("q4_dev_conf(12).PNG", "q4_dev_conf.png"),
    ("q4_dev_conf - Copy.png", "q4_dev_conf.png"),
    ("q4_dev_conf-2.png", "q4_dev_conf.png"),
    ("C:\\Users\\me\\q4_dev_pred.txt", "q4_dev_pred.txt"),
    ("q4_dev_conf.png.exe", None),
    ("../q4_dev_conf.html", None),
    ("q4_dev_confusion.png", None),
])
def test_names_a_browser_gives_copies_are_recognised(sent, expected):
    assert canonical(sent, tuple(artifacts.ARTIFACTS)) == expected


def test_a_png_is_kept_with_its_dimensions():
    kept = check("q4_dev_conf (1).png", "q4_dev_conf.png", png(30, 20))
    assert (kept.width, kept.height, kept.media_type) == (30, 20, "image/png")
    assert kept.describe() == {"name": "q4_dev_conf.png", "type": "image/png",
                               "size": len(kept.data), "width": 30, "height": 20,
                               "notebook": "q4_sentiment"}


@pytest.mark.parametrize("data, words", [
    (b"GIF89a" + b"\0" * 100, "not a PNG"),
    (b"<svg onload=alert(1)></svg>", "not a PNG"),
    (b"<html><script>alert(1)</script></html>", "not a PNG"),
    (png()[:-12], "truncated"),
    (png()[:20] + b"\xff" + png()[21:], "damaged"),
    (png_declaring(100_000, 100_000), "pixels"),
    (png() + b"\0" * (2 * 1024**2), "larger than"),
])
def test_a_bad_image_is_refused_naming_the_file_and_what_to_do(data, words):
    with pytest.raises(ArtifactError, match=words) as refused:
        check("my plot.png", "q4_dev_conf.png", data)
    assert str(refused.value).startswith("my plot.png is ")
    assert "upload it again" in str(refused.value)


@pytest.mark.parametrize("data", [
    png()[:8] + chunk(b"IHDR", b"\0" * 13) + chunk(b"IEND", b""),  # 0 x 0
    png()[:33] + b"\xff\xff\xff\xff" + b"IDAT",  # a chunk longer than the file
    png()[:33],  # no IEND
])
def test_the_stricter_walk_refuses_what_a_browser_would_choke_on(data):
    with pytest.raises(ArtifactError):
        png_size("output", data)


@pytest.mark.parametrize("data, words", [
    (b"\xff\xfe not utf-8", "not a UTF-8 text file"),
    (b"text\0with a NUL", "not a text file"),
    (b"x" * (2 * 1024**2 + 1), "larger than"),
])
def test_a_bad_text_file_is_refused(data, words):
    with pytest.raises(ArtifactError, match=words):
        check("q4_dev_pred.txt", "q4_dev_pred.txt", data)


def test_a_text_file_is_kept_as_text():
    kept = check("q4_dev_pred.txt", "q4_dev_pred.txt", b"1\t0\t<b>a film</b>\n")
    assert kept.media_type == "text/plain" and kept.width is None
