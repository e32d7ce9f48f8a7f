"""The files of a student's own run that the notebooks ask them to hand in with the notebooks
(plots and predictions the written answers are about), as the service takes and serves them.

The engine says what an artifact is and whether it may be kept
(:func:`autograder.engine.submission.check_artifact`: a PNG by its signature, header CRC and
declared size, a UTF-8 text file, each within MAX_ARTIFACT_BYTES), so the service and
`autograder grade` accept the same files. The service adds what it needs to show one: the
notebook whose run makes it, the media type it is served as (never the client's), an
image's dimensions, and :func:`png_size`, a stricter walk of every chunk that the images
taken out of notebooks' outputs meet before they are served. Nothing here knows HTTP; a
refusal is an :class:`ArtifactError` whose message names the file and says what to do.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

from autograder.engine.submission import (
    MAX_ARTIFACT_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_IMAGE_SIDE,
    PNG_SIGNATURE,
    check_artifact,
)

MAX_IMAGE_BYTES = MAX_ARTIFACT_BYTES
MAX_TEXT_BYTES = MAX_ARTIFACT_BYTES
MAX_SIDE = MAX_IMAGE_SIDE
MAX_PIXELS = MAX_IMAGE_PIXELS
MAX_CHUNKS = 10_000

ARTIFACTS: dict[str, tuple[str, str]] = {
    "q3_word_vectors.png": ("q3_word2vec", "image/png"),
    "q4_reg_v_acc.png": ("q4_sentiment", "image/png"),
    "q4_dev_conf.png": ("q4_sentiment", "image/png"),
    "q4_dev_pred.txt": ("q4_sentiment", "text/plain"),
}
"""Canonical name -> (the notebook whose run makes it, its media type); the same names as
the engine's ARTIFACTS."""

COPY_SUFFIX = re.compile(r"^(?P<stem>.+?)(?:\s*\(\d{1,3}\)|\s*-\s*copy(?:\s*\d{1,3})?"
                         r"|\s+copy(?:\s*\d{1,3})?|-\d{1,3})?\.(?P<ext>[A-Za-z0-9]{1,8})$",
                         re.IGNORECASE)
"""A browser's or a file manager's copy of a name: "q1_softmax (1).ipynb", "x - Copy.png",
"x copy 2.png", "x-1.png"."""


class ArtifactError(ValueError):
    """This file is not a valid artifact; the message names it and says what to do."""


@dataclass(frozen=True)
class Artifact:
    """One accepted artifact: canonical name, media type, bytes, and for an image its size."""

    name: str
    media_type: str
    data: bytes
    width: int | None = None
    height: int | None = None

    @property
    def notebook(self) -> str:
        return ARTIFACTS[self.name][0]

    def describe(self) -> dict:
        view: dict = {"name": self.name, "type": self.media_type, "size": len(self.data),
                      "notebook": self.notebook}
        if self.width is not None:
            view.update(width=self.width, height=self.height)
        return view


def base_name(filename: str) -> str:
    """The last part of a client's path (either slash), as the client named it."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


def canonical(filename: str, known: set[str] | tuple[str, ...]) -> str | None:
    """The known name this file name stands for, also when a browser or file manager added a
    copy number ("q4_dev_conf (1).png"); None if none."""
    base = base_name(filename)
    if base in known:
        return base
    match = COPY_SUFFIX.match(base)
    if match is None:
        return None
    name = f"{match.group('stem')}.{match.group('ext').lower()}"
    return name if name in known else None


def artifact_name(filename: str) -> str | None:
    return canonical(filename, tuple(ARTIFACTS))


def check(label: str, name: str, data: bytes) -> Artifact:
    """The artifact `name` (canonical) from the bytes the student sent as `label`."""
    reason = check_artifact(name, data)
    if reason:
        what = ("save the plot again as PNG from the notebook" if name.endswith(".png")
                else "upload the file the notebook wrote, unchanged")
        raise ArtifactError(f"{label} is {reason}: {what}, and upload it again")
    media_type = ARTIFACTS[name][1]
    if media_type == "image/png":
        width, height = png_size(label, data)
        return Artifact(name, media_type, data, width, height)
    text_check(label, data)
    return Artifact(name, media_type, data)


def png_size(label: str, data: bytes, limit: int = MAX_IMAGE_BYTES) -> tuple[int, int]:
    """(width, height) of a well-formed PNG within the limits; ArtifactError otherwise.

    Checked: the signature, an IHDR chunk first with a valid CRC and bounded dimensions,
    every chunk's length within the file, an IEND chunk at the end. Never decompressed.
    """
    again = f"save the plot again as PNG from the notebook and upload {label} again"
    if len(data) > limit:
        raise ArtifactError(f"{label} is {len(data) / 2**20:.1f} MiB: an image may be at most "
                            f"{limit / 2**20:g} MiB; {again} (the notebooks save them at 100 dpi)")
    if not data.startswith(PNG_SIGNATURE):
        raise ArtifactError(f"{label} is not a PNG image; {again}")
    pos, chunks, width, height = len(PNG_SIGNATURE), 0, 0, 0
    while True:
        if pos + 12 > len(data) or chunks >= MAX_CHUNKS:
            raise ArtifactError(f"{label} is a damaged PNG (it ends early); {again}")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise ArtifactError(f"{label} is a damaged PNG (a chunk runs past the end); {again}")
        if chunks == 0:
            body = data[pos + 8:pos + 8 + length]
            crc = struct.unpack(">I", data[pos + 8 + length:end])[0]
            if kind != b"IHDR" or length != 13 or zlib.crc32(kind + body) != crc:
                raise ArtifactError(f"{label} is a damaged PNG (no valid header); {again}")
            width, height = struct.unpack(">II", body[:8])
            if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE
                    and width * height <= MAX_PIXELS):
                raise ArtifactError(f"{label} is {width} x {height} pixels: at most {MAX_SIDE} "
                                    f"per side and {MAX_PIXELS:,} in all; {again}")
        chunks += 1
        pos = end
        if kind == b"IEND":
            return width, height


def text_check(label: str, data: bytes) -> str:
    """The text of a UTF-8 text file within MAX_TEXT_BYTES; ArtifactError otherwise."""
    if len(data) > MAX_TEXT_BYTES:
        raise ArtifactError(f"{label} is {len(data) / 2**20:.1f} MiB: a text file may be at "
                            f"most {MAX_TEXT_BYTES / 2**20:g} MiB; upload the file the "
                            "notebook wrote, unchanged")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ArtifactError(f"{label} is not UTF-8 text; upload the file the notebook "
                            "wrote, unchanged") from None
    if "\0" in text:  # the engine's rule (check_artifact): a NUL is not text
        raise ArtifactError(f"{label} holds NUL bytes, so it is not the text file the "
                            "notebook wrote; upload that file, unchanged")
    return text
