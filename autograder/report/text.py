"""Student-controlled text made safe to place in any report, and numbers written one way.

Messages, cell errors, refused file names and student ids may hold whatever a student wrote.
`clean` keeps them plain text: no control characters (other than newline and tab), no bidi
overrides that reorder what a reader sees, no lone surrogates that cannot be encoded, and a
length limit. Each output format still applies its own escaping on top (HTML, CSV).
"""

from __future__ import annotations

import re

MAX_TEXT = 2000
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0/C1 controls except \t and \n
    "\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides, isolates
    "\ud800-\udfff"  # lone surrogates (valid pairs never reach a str as surrogates)
    "\ufeff]"
)
REPLACEMENT = "\ufffd"


def clean(text: object, limit: int = MAX_TEXT) -> str:
    """Plain, printable text of at most `limit` characters (newlines and tabs kept)."""
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _UNSAFE.sub(REPLACEMENT, value)
    if len(value) > limit:
        value = value[: limit - 1] + "\u2026"
    return value


def one_line(text: object, limit: int = MAX_TEXT) -> str:
    """`clean`, with every run of whitespace (newlines included) turned into one space."""
    return " ".join(clean(text, limit).split())


def points(value: float | None) -> str:
    """A score for people: 5, 1.5, 12.25 (no trailing zeros, no float noise)."""
    if value is None:
        return "-"
    return f"{round(float(value), 6):g}"
