"""The executed notebooks a grading run left behind, read for the gradebook's side records.

Layouts: <root>/<student>/<notebook>.ipynb (the engine's) or <root>/<student>/<assignment>/
(nbgrader's autograded/). The engine builds its notebooks itself from the restored cells
(engine.kept_notebook: nothing of the sandbox's own notebook file), but a folder given here may
hold anything, so they are read bounded (size, nesting depth, cells: engine.notebook_io) and
defensively. Only the answer cells' checksums are taken (a "No response." comment on an answer
left as released), and the submission timestamp (timestamp.txt, as nbgrader's autograde reads
it); never a score, points or outputs.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)
MAX_NOTEBOOK_BYTES = 32 * 2**20
MAX_TIMESTAMP_BYTES = 200


class ExecutedNotebooks:
    """The executed notebooks of one assignment under root."""

    def __init__(self, root: Path, assignment: str):
        self.root = Path(root)
        self.assignment = assignment

    def _folders(self, student: str) -> list[Path]:
        base = self.root / student
        return [base / self.assignment, base]

    def _file(self, student: str, name: str) -> Path | None:
        for folder in self._folders(student):
            path = folder / name
            if path.is_file() and not path.is_symlink():
                return path
        return None

    def timestamp(self, student: str) -> datetime | None:
        """The submission time from timestamp.txt (UTC, naive, as nbgrader stores it)."""
        from nbgrader.utils import parse_utc

        path = self._file(student, "timestamp.txt")
        if path is None:
            return None
        try:
            if path.stat().st_size > MAX_TIMESTAMP_BYTES:
                raise ValueError("file too large")
            text = path.read_text(encoding="utf-8").strip()
            return parse_utc(text) if text else None
        except (OSError, ValueError, OverflowError) as exc:
            log.warning("%s: unreadable timestamp.txt (%s); timestamp left as it was",
                        student, exc)
            return None

    def cells(self, student: str, notebook: str) -> dict[str, str] | None:
        """grade_id -> nbgrader checksum of each answer (solution) cell, or None if the
        notebook is absent or unreadable."""
        from nbgrader.utils import compute_checksum, is_solution

        from autograder.engine import notebook_io

        path = self._file(student, f"{notebook}.ipynb")
        if path is None:
            return None
        try:
            nb = notebook_io.read_notebook_file(path, max_bytes=MAX_NOTEBOOK_BYTES)
            found = {}
            for cell in nb.cells:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str) \
                        and is_solution(cell):
                    found[meta["grade_id"]] = compute_checksum(cell)
            return found
        except Exception as exc:  # whatever the sandbox wrote: ignore it, keep the comments
            log.warning("%s: executed %s.ipynb unreadable (%s)", student, notebook,
                        str(exc)[:200] or type(exc).__name__)
            return None
