"""Bounded reading and compact writing of notebooks that came from students or sandboxes.

A notebook is untrusted JSON. Parsed naively and pretty-printed with nbformat's one-space
indent, 3 MB of metadata nested 380 deep became 588 MiB in a job folder (every element gets a
line indented by its depth): the scratch filled and the whole submission failed. So here:

* reading checks the byte size before parsing, turns a parser's RecursionError into an error,
  then walks the parsed tree iteratively to bound its nesting depth and its cell count;
* writing is compact (no indent: the size stays that of the content) and capped, atomically.

Every refusal is a :class:`NotebookFormatError` whose message a student can act on; the
caller turns it into that one notebook's error, never the submission's.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import nbformat

from autograder.kernel.atomic import write_atomic

MAX_NOTEBOOK_BYTES = 8 * 1024**2
"""Largest notebook file read (a submission's files are capped at the same size)."""
MAX_WRITTEN_BYTES = 16 * 1024**2
"""Largest notebook written (a job's notebook, an executed notebook kept for formgrader)."""
MAX_DEPTH = 64
"""Deepest nesting of lists and objects (the released notebooks are 6 deep)."""
MAX_CELLS = 2000
"""Most cells in one notebook (the released ones have fewer than 60)."""


class NotebookFormatError(ValueError):
    """A notebook is too large, too deep or not a notebook (the message says which)."""


def parse_json(data: bytes | str, *, max_bytes: int = MAX_NOTEBOOK_BYTES,
               max_depth: int = MAX_DEPTH) -> Any:
    """json.loads with the size checked first and the nesting depth bounded."""
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > max_bytes:
        raise NotebookFormatError(f"larger than {max_bytes} bytes")
    try:
        tree = json.loads(data)
    except RecursionError:
        raise NotebookFormatError(f"nested deeper than {max_depth} levels") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise NotebookFormatError(f"not JSON: {_short(exc)}") from None
    check_depth(tree, max_depth)
    return tree


def check_depth(tree: Any, max_depth: int = MAX_DEPTH) -> None:
    """Raise NotebookFormatError if lists and objects nest deeper than max_depth.

    Iterative: a recursive walk is itself what a deep document attacks.
    """
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > max_depth:
            raise NotebookFormatError(f"nested deeper than {max_depth} levels")
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))


def reads_notebook(data: bytes | str, *, max_bytes: int = MAX_NOTEBOOK_BYTES,
                   max_depth: int = MAX_DEPTH, max_cells: int = MAX_CELLS
                   ) -> nbformat.NotebookNode:
    """A notebook (converted to version 4, not yet schema-validated) from untrusted bytes."""
    tree = parse_json(data, max_bytes=max_bytes, max_depth=max_depth)
    if not isinstance(tree, dict):
        raise NotebookFormatError("not a notebook (the top level is not an object)")
    cells = tree.get("cells")
    if isinstance(cells, list) and len(cells) > max_cells:
        raise NotebookFormatError(f"more than {max_cells} cells")
    try:
        major, minor = nbformat.reader.get_version(tree)
        if major not in nbformat.versions:
            raise NotebookFormatError(f"unsupported notebook format {major!r}")
        nb = nbformat.versions[major].to_notebook_json(tree, minor=minor)
        return nbformat.convert(nb, 4)
    except NotebookFormatError:
        raise
    except Exception as exc:  # nbformat's own errors: the notebook's problem
        raise NotebookFormatError(f"not a notebook: {_short(exc)}") from None


def read_notebook_file(path: Path, *, max_bytes: int = MAX_NOTEBOOK_BYTES,
                       max_depth: int = MAX_DEPTH) -> nbformat.NotebookNode:
    """reads_notebook on a regular file (never a link), reading at most max_bytes + 1."""
    return reads_notebook(read_bounded(path, max_bytes), max_bytes=max_bytes,
                          max_depth=max_depth)


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file that is not a symlink, if it holds at most max_bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise NotebookFormatError(f"cannot open {Path(path).name} ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotebookFormatError(f"{Path(path).name} is not a regular file")
        if info.st_size > max_bytes:
            raise NotebookFormatError(f"larger than {max_bytes} bytes")
        data = f.read(info.st_size + 1)  # + 1: a file still growing is caught below
    if len(data) > max_bytes:
        raise NotebookFormatError(f"larger than {max_bytes} bytes")
    return data


def dumps_notebook(nb: Any, *, max_bytes: int = MAX_WRITTEN_BYTES) -> bytes:
    """Compact JSON of nb (no indent), refused if over max_bytes."""
    try:
        data = json.dumps(nb, ensure_ascii=False, separators=(",", ":"), sort_keys=True
                          ).encode("utf-8")
    except RecursionError:
        raise NotebookFormatError(f"nested deeper than {MAX_DEPTH} levels") from None
    except (TypeError, ValueError) as exc:
        raise NotebookFormatError(f"cannot be written: {_short(exc)}") from None
    if len(data) > max_bytes:
        raise NotebookFormatError(f"would take {len(data)} bytes, more than {max_bytes}")
    return data


def write_notebook(path: Path, nb: Any, *, max_bytes: int = MAX_WRITTEN_BYTES) -> int:
    """Write nb compactly and atomically (a temporary file renamed); returns the bytes."""
    data = dumps_notebook(nb, max_bytes=max_bytes)
    write_atomic(Path(path), data)
    return len(data)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
