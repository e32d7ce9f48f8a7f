"""Write a file whole or not at all: a reader (the grader polling progress.json, a browser
fetching a report, a crash mid-write) sees the old file or the new one, never half of one.

Here in the kernel package because the runner and the keeper write their files inside the
sandbox, where only this package is present; the engine, the reports and the service use
the same helper. The temporary file has a fresh random name in the target's folder and is
created exclusively, never through a link (the sandbox's /job is the student's to litter).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644, durable: bool = False) -> None:
    """Write data to path through a temporary file in the same folder, then rename it.

    durable: fsync the file before the rename and the folder after it, so the file survives
    a power cut once this returns (the service's uploads, acknowledged to the student).
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        if durable:
            _fsync_folder(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write text as UTF-8 (characters it cannot encode replaced), atomically, making the
    folder if it is missing (a report lands in a fresh output folder)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8", "replace"))


def write_json(path: Path, value: Any) -> None:
    """Write value as compact JSON, atomically."""
    write_atomic(path, json.dumps(value).encode("utf-8"))


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
