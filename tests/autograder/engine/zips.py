"""Damaged zips made by hand (zipfile, then byte patching), one per way a zip breaks."""

from __future__ import annotations

import io
import struct
import zipfile

LOCAL, CENTRAL = b"PK\x03\x04", b"PK\x01\x02"
MEMBER = "ps1/q1_softmax.ipynb"


def _zip(data: bytes, method: int = zipfile.ZIP_DEFLATED) -> bytearray:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr(MEMBER, data)
    return bytearray(buffer.getvalue())


def _headers(z: bytearray, signature: bytes) -> list[int]:
    found, at = [], 0
    while (at := z.find(signature, at)) >= 0:
        found.append(at)
        at += 4
    return found


def bad_crc(data: bytes) -> bytes:
    """A stored member with one byte changed after its CRC-32 was written."""
    z = _zip(data, zipfile.ZIP_STORED)
    start = _headers(z, LOCAL)[0] + 30 + len(MEMBER)
    z[start] ^= 0x01
    return bytes(z)


def encrypted(data: bytes) -> bytes:
    """The 'encrypted' flag bit set in both headers."""
    z = _zip(data)
    for at in _headers(z, LOCAL):
        z[at + 6] |= 0x01
    for at in _headers(z, CENTRAL):
        z[at + 8] |= 0x01
    return bytes(z)


def method_99(data: bytes) -> bytes:
    """Compression method 99 (WinZip AES), which zipfile cannot read."""
    z = _zip(data)
    for at in _headers(z, LOCAL):
        z[at + 8 : at + 10] = struct.pack("<H", 99)
    for at in _headers(z, CENTRAL):
        z[at + 10 : at + 12] = struct.pack("<H", 99)
    return bytes(z)


def truncated_deflate(data: bytes) -> bytes:
    """The deflate stream cut to half its length (sizes in both headers say so)."""
    z = _zip(data)
    for at in _headers(z, LOCAL):
        size = struct.unpack_from("<I", z, at + 18)[0]
        z[at + 18 : at + 22] = struct.pack("<I", size // 2)
    for at in _headers(z, CENTRAL):
        size = struct.unpack_from("<I", z, at + 20)[0]
        z[at + 20 : at + 24] = struct.pack("<I", size // 2)
    return bytes(z)


def corrupt_deflate(data: bytes) -> bytes:
    """Garbage where the deflate stream starts (an invalid block type)."""
    z = _zip(data)
    start = _headers(z, LOCAL)[0] + 30 + len(MEMBER)
    z[start : start + 8] = b"\xff" * 8
    return bytes(z)


def name_mismatch(data: bytes) -> bytes:
    """The local header names another file than the central directory does."""
    z = _zip(data)
    start = _headers(z, LOCAL)[0] + 30
    z[start : start + 3] = b"ps2"
    return bytes(z)


DAMAGED = {f.__name__: f for f in (bad_crc, encrypted, method_99, truncated_deflate,
                                   corrupt_deflate, name_mismatch)}
