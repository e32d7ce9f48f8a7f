"""The executed notebook kept for formgrader, built by the grader, never copied from the sandbox.

The sandbox's own notebook file is whatever the student's code left there: it showed another
written answer, a fake "PASS 5/5" on a hidden test cell, 500 points in its metadata, scripts
and a 24 MiB blob. So the kept notebook is built here from:

* the restored notebook (the student's submitted answers, locked cells and grading metadata
  put back by nbgrader), as it ran in the sandbox (hidden test cells as placeholders);
* the runner's result files only: outputs.json (each code cell's captured text) and
  cells.json (each cell's error), both verified by the keeper's HMAC before this reads them
  (kernel.keeper.verify), read bounded and type-checked.

Outputs become plain ``stream`` and ``error`` outputs (no HTML, no JavaScript, no widgets, no
images), capped per cell and in total; cells the runner ran as placeholders get none; cell
metadata is reduced to nbgrader's, notebook metadata to the kernel's; markdown attachments
other than raster images are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat

from autograder.engine import notebook_io

MAX_CELL_CHARS = 64 * 1024 + 200
"""Output text kept per cell (the runner keeps 64 KiB characters and a note)."""
MAX_ERROR_CHARS = 500
MAX_RESULT_BYTES = 16 * 1024**2
NOTEBOOK_METADATA = ("kernelspec", "language_info")
CELL_METADATA = ("nbgrader",)
RASTER_IMAGES = ("image/png", "image/jpeg", "image/gif")


def build(runnable: nbformat.NotebookNode, out: Path, skip: Iterable[int] = ()
          ) -> nbformat.NotebookNode:
    """The kept notebook: runnable's cells with the runner's outputs, sanitised.

    skip: indexes of cells that ran as placeholders (whatever output they claim is not theirs).
    """
    nb = nbformat.from_dict(json.loads(json.dumps(runnable)))
    nb.metadata = nbformat.from_dict({k: nb.metadata[k] for k in NOTEBOOK_METADATA
                                      if k in nb.metadata})
    for cell in nb.cells:
        _clean(cell)
    texts = _outputs(out / "outputs.json")
    errors = _errors(out / "cells.json")
    skipped = set(skip)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or index in skipped:
            continue
        if texts.get(index):
            cell.outputs.append(nbformat.v4.new_output(
                "stream", name="stdout", text=_cap(texts[index], MAX_CELL_CHARS)))
        if index in errors:
            ename, evalue = errors[index]
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]))
    try:
        notebook_io.dumps_notebook(nb)
    except notebook_io.NotebookFormatError:  # too large with its outputs: keep the cells
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
    return nb


def _clean(cell: nbformat.NotebookNode) -> None:
    cell.metadata = nbformat.from_dict({k: cell.metadata[k] for k in CELL_METADATA
                                        if k in cell.metadata})
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    attachments = cell.get("attachments")
    if isinstance(attachments, dict):
        kept = {name: {m: data for m, data in bundle.items() if m in RASTER_IMAGES}
                for name, bundle in attachments.items() if isinstance(bundle, dict)}
        cell.attachments = {name: bundle for name, bundle in kept.items() if bundle}
        if not cell.attachments:
            del cell["attachments"]


def _load(path: Path) -> Any:
    """A result file's JSON, or None when it is absent, unverified or malformed."""
    try:
        return notebook_io.parse_json(notebook_io.read_bounded(path, MAX_RESULT_BYTES),
                                      max_bytes=MAX_RESULT_BYTES, max_depth=4)
    except notebook_io.NotebookFormatError:
        return None


def _outputs(path: Path) -> dict[int, str]:
    found: dict[int, str] = {}
    records = _load(path)
    for r in records if isinstance(records, list) else ():
        if isinstance(r, dict) and _is_index(r.get("index")) and isinstance(r.get("text"), str):
            found.setdefault(r["index"], r["text"])
    return found


def _errors(path: Path) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    records = _load(path)
    for r in records if isinstance(records, list) else ():
        if not (isinstance(r, dict) and _is_index(r.get("index"))):
            continue
        error = r.get("error")
        if r.get("status") == "timeout":
            found.setdefault(r["index"], ("Timeout", _cap(str(error), MAX_ERROR_CHARS)))
        elif r.get("status") == "error" and isinstance(error, str):
            ename, _, evalue = error.partition(": ")
            found.setdefault(r["index"], (_cap(ename, 100), _cap(evalue, MAX_ERROR_CHARS)))
    return found


def _is_index(value: Any) -> bool:
    return type(value) is int and 0 <= value < notebook_io.MAX_CELLS


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters dropped]"
