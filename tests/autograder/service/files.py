"""Bytes for the service's tests of artifacts: well-formed and hostile PNGs, notebooks whose
outputs carry what a page must never run."""

from __future__ import annotations

import base64
import json
import struct
import zlib


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 12, height: int = 8, color: tuple[int, int, int] = (40, 90, 200)) -> bytes:
    """A real RGB PNG of one colour (a browser decodes it)."""
    row = b"\0" + bytes(color) * width
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def png_declaring(width: int, height: int) -> bytes:
    """A small file whose header declares width x height (a decompression-bomb shape)."""
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def notebook_with_outputs(outputs: list[dict], source: str = "print('hi')") -> bytes:
    """A q1-like notebook (nbgrader metadata of the course's q1) with one code cell holding
    the given outputs."""
    cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": source,
            "outputs": outputs}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                       "nbformat_minor": 5}).encode()


def image_output(data: bytes, mime: str = "image/png") -> dict:
    return {"output_type": "display_data", "metadata": {},
            "data": {mime: base64.b64encode(data).decode(), "text/plain": "<Figure>"}}
