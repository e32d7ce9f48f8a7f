"""Names for notebook cells in a student's words: by the part they belong to, never by an
index that Jupyter does not show."""

from __future__ import annotations

import re
from typing import Any

_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*$", re.M)
_POINTS = re.compile(r"\s*\((?:[\d.]+ points?[^)]*|code|written)\)\s*$")
_DEF = re.compile(r"^def\s+([A-Za-z_]\w*)\s*\(", re.M)


def _text(cell: Any) -> str:
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    return "".join(source) if isinstance(source, list) else str(source)


def part_of(cells: list, index: int) -> str | None:
    """The part a cell sits in: the last level-1/2 heading above it, with the last smaller
    heading below that ("(g) Forward and backward propagation, Sanity checks")."""
    sub = None
    for cell in reversed(cells[: max(index, 0)]):
        if not (isinstance(cell, dict) and cell.get("cell_type") == "markdown"):
            continue
        for level, title in reversed(_HEADING.findall(_text(cell))):
            title = _POINTS.sub("", title).replace("&mdash;", "-").strip()[:80]
            if len(level) <= 2:
                return f"{title}, {sub}" if sub else title
            sub = sub or title
    return sub


def describe_cell(cells: list, index: int) -> str:
    """E.g. 'the cell defining softmax, in "(b) A numerically stable softmax"'."""
    if not 0 <= index < len(cells):
        return "a cell of your notebook"
    found = _DEF.findall(_text(cells[index]))
    what = f"the cell defining {', '.join(found[:3])}" if found else "a code cell"
    part = part_of(cells, index)
    return f'{what}, in "{part}"' if part else what
