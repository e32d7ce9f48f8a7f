"""The student's notebooks as they were submitted, not re-run: their own outputs (the run the
written answers are about) made into a plain view the pages render with autoescaping.

The notebook is hostile JSON. Only plain text ever leaves it: stream text, ``text/plain``
results and error tracebacks (terminal colour codes removed), cut to a bounded length; an
image output only if it is a well-formed PNG within the artifact limits, saved as its own file
and served as ``image/png`` (never inlined, never HTML, SVG or script). Every other output
type is named as "not shown". Built once per upload (at intake, or on first view for older
uploads) and kept as JSON beside it.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.engine.submission import check_notebook, load_zip
from autograder.service.artifacts import MAX_IMAGE_BYTES, ArtifactError, png_size, text_check
from autograder.service.storage import KEPT_NAME, SUBMISSION_ID, KeptFiles, UploadStore

log = logging.getLogger(__name__)

VIEW_FILE = "submitted.json"
MAX_TEXT = 6_000  # characters of one output shown
MAX_SOURCE = 4_000  # characters of one cell's source shown
MAX_NOTEBOOK_TEXT = 150_000  # characters of one notebook's outputs shown in all
MAX_IMAGES = 16  # image outputs kept per notebook
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class _Budget:
    text: int = MAX_NOTEBOOK_TEXT
    images: int = MAX_IMAGES


@dataclass
class Built:
    """The view (JSON-able) and the image files it refers to (file name -> PNG bytes)."""

    view: dict[str, Any]
    images: dict[str, bytes] = field(default_factory=dict)


def _text(value: Any) -> str:
    """nbformat's multiline string (a str or a list of str); anything else is empty."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return ""


def clean(text: str, limit: int) -> str:
    """Terminal codes and control characters out, cut to `limit` characters with a mark."""
    text = CONTROL.sub("", ANSI.sub("", text))
    if len(text) > limit:
        return text[:limit] + f"\n... ({len(text) - limit:,} more characters not shown)"
    return text


def _shown(budget: _Budget, text: str) -> str:
    limit = max(0, min(MAX_TEXT, budget.text))
    shown = clean(text, limit) if limit else "(not shown: this notebook's outputs are long)"
    budget.text -= min(len(text), limit)
    return shown


def _image(b64: Any, budget: _Budget, images: dict[str, bytes], label: str) -> dict[str, Any]:
    if budget.images <= 0:
        return {"kind": "omitted", "text": "an image (not shown: too many images)"}
    raw = _text(b64)
    if len(raw) > (MAX_IMAGE_BYTES * 4) // 3 + 1024:
        return {"kind": "omitted", "text": "an image larger than 2 MiB (not shown)"}
    try:
        data = base64.b64decode("".join(raw.split()), validate=True)
        width, height = png_size(label, data)
    except (binascii.Error, ValueError, ArtifactError):
        return {"kind": "omitted", "text": "an image that is not a valid PNG (not shown)"}
    name = f"output-{len(images)}.png"
    images[name] = data
    budget.images -= 1
    return {"kind": "image", "file": name, "width": width, "height": height}


def _outputs(cell: dict, budget: _Budget, images: dict[str, bytes], label: str
             ) -> list[dict[str, Any]]:
    shown: list[dict[str, Any]] = []
    outputs = cell.get("outputs")
    for output in outputs if isinstance(outputs, list) else []:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        if kind == "stream":
            shown.append({"kind": "text", "stream": str(output.get("name"))[:10],
                          "text": _shown(budget, _text(output.get("text")))})
        elif kind == "error":
            trace = "\n".join(_text(line) for line in output.get("traceback") or []
                              if isinstance(line, str)) if isinstance(
                output.get("traceback"), list) else ""
            head = f"{_text(output.get('ename'))}: {_text(output.get('evalue'))}"
            shown.append({"kind": "error", "text": _shown(budget, trace or head)})
        elif kind in ("execute_result", "display_data"):
            data = output.get("data")
            data = data if isinstance(data, dict) else {}
            if "image/png" in data:
                shown.append(_image(data["image/png"], budget, images, label))
            elif "text/plain" in data:
                shown.append({"kind": "text", "stream": "result",
                              "text": _shown(budget, _text(data["text/plain"]))})
            others = sorted(str(k)[:40] for k in data if k not in ("image/png", "text/plain"))
            if others and "image/png" not in data and "text/plain" not in data:
                shown.append({"kind": "omitted",
                              "text": f"an output of type {', '.join(others[:3])} (not shown)"})
    return shown


def _answer(cell: dict) -> bool:
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    return (cell.get("cell_type") == "markdown" and isinstance(nbgrader, dict)
            and nbgrader.get("solution") is True)


def _label(cell: dict, index: int) -> str:
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    if isinstance(grade_id, str) and re.fullmatch(r"[A-Za-z0-9_.-]{1,80}", grade_id):
        return f"cell {index + 1} ({grade_id})"
    return f"cell {index + 1}"


def notebook_view(name: str, data: bytes, images: dict[str, bytes]) -> dict[str, Any]:
    """One notebook's cells that carry outputs or a written answer, as plain text."""
    try:
        document = check_notebook(f"{name}.ipynb", data)
    except ValueError as exc:
        return {"name": name, "note": str(exc)[:300], "cells": []}
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        return {"name": name, "note": "not a notebook (no cells): nothing to show", "cells": []}
    budget, shown = _Budget(), []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict):
            continue
        label = _label(cell, index)
        if _answer(cell):
            shown.append({"label": label, "kind": "answer",
                          "source": clean(_text(cell.get("source")), MAX_SOURCE),
                          "outputs": []})
        elif cell.get("cell_type") == "code":
            outputs = _outputs(cell, budget, images, f"{name} {label}")
            if outputs:
                shown.append({"label": label, "kind": "code",
                              "source": clean(_text(cell.get("source")), MAX_SOURCE),
                              "outputs": outputs})
    note = "" if shown else "no outputs: the notebook was submitted without running it"
    return {"name": name, "note": note, "cells": shown}


def build(notebooks: dict[str, bytes]) -> Built:
    """The view of every notebook of an upload (name -> bytes), in name order."""
    built = Built({"notebooks": []})
    for name in sorted(notebooks):
        images: dict[str, bytes] = {}
        view = notebook_view(name, notebooks[name], images)
        prefix = re.sub(r"[^a-z0-9_]", "_", name.lower())[:40]
        for cell in view["cells"]:
            for output in cell["outputs"]:
                if output["kind"] == "image":
                    kept = f"{prefix}-{output['file'].split('-')[1]}"
                    built.images[kept] = images[output["file"]]
                    output["file"] = kept
        built.view["notebooks"].append(view)
    return built


def to_json(view: dict[str, Any]) -> bytes:
    return json.dumps(view, separators=(",", ":")).encode()


def from_json(data: bytes) -> dict[str, Any]:
    return json.loads(data.decode())


# --- the view and the files beside a stored upload ------------------------------------------
def _notebooks_of(store: UploadStore, row: Any) -> dict[str, bytes]:
    """The notebooks a stored upload holds (name -> bytes), read with the engine's limits."""
    data = store.read(row.stored_as)
    if row.kind != "zip":
        return {row.notebook: data} if row.notebook else {}
    submission = load_zip(row.student, data)
    return {name[:-len(".ipynb")]: content for name, content in submission.files.items()}


def load_view(uploads: Path, store: UploadStore, row: Any) -> dict[str, Any]:
    """The upload's notebooks as submitted and its artifacts: kept at intake, or built now
    (and kept) for an upload from before; a view with a note if the upload cannot be read."""
    kept = KeptFiles(uploads)
    raw = kept.read(row.id, VIEW_FILE)
    if raw is None:
        try:
            built = build(_notebooks_of(store, row))
        except (OSError, ValueError) as exc:
            log.warning("submission %s: no view of its notebooks (%s)", row.id, exc)
            return {"notebooks": [], "note": "the notebooks as submitted cannot be shown"}
        for name, data in built.images.items():
            kept.save(row.id, name, data)
        kept.save(row.id, VIEW_FILE, to_json(built.view))
        return built.view
    try:
        return from_json(raw)
    except ValueError:
        return {"notebooks": [], "note": "the notebooks as submitted cannot be shown"}


def kept_file(uploads: Path, submission_id: str, name: str) -> tuple[bytes, str] | None:
    """(bytes, media type) of a PNG or text file kept beside the upload, checked again before
    it is served; None for any other name, a missing file or one that fails its check."""
    if name == VIEW_FILE or not KEPT_NAME.match(name) or not SUBMISSION_ID.match(submission_id):
        return None
    data = KeptFiles(uploads).read(submission_id, name)
    if data is None:
        return None
    try:
        if name.endswith(".png"):
            png_size(name, data)
            return data, "image/png"
        if name.endswith(".txt"):
            text_check(name, data)
            return data, "text/plain; charset=utf-8"
    except ArtifactError:
        log.warning("submission %s: kept file %s failed its check", submission_id, name)
    return None


def text_of(uploads: Path, submission_id: str, name: str, limit: int = 20_000) -> str | None:
    """A kept text artifact to show in the page (escaped by the template), cut to `limit`."""
    found = kept_file(uploads, submission_id, name)
    if found is None or not found[1].startswith("text/plain"):
        return None
    return clean(found[0].decode("utf-8"), limit)
