"""Uploads on disk under server-made names only, written durably (tmp, fsync, rename)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from autograder.kernel.atomic import write_atomic

STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(ipynb|zip)$")


def new_id() -> str:
    return secrets.token_hex(16)


class UploadStore:
    """uploads/<id>.<ipynb|zip>; a name a client sent never becomes part of a path."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def save(self, submission_id: str, kind: str, data: bytes) -> str:
        name = f"{submission_id}.{'zip' if kind == 'zip' else 'ipynb'}"
        if not STORED_NAME.match(name):
            raise ValueError("not a server-made submission id")
        write_atomic(self.folder / name, data, mode=0o600, durable=True)
        return name

    def read(self, stored_as: str) -> bytes:
        if not STORED_NAME.match(stored_as):
            raise ValueError("not a server-made file name")
        return (self.folder / stored_as).read_bytes()


# --- the files kept beside an upload (H3): artifacts and the notebooks' outputs as submitted
SUBMISSION_ID = re.compile(r"^[0-9a-f]{32}$")
KEPT_NAME = re.compile(r"^[a-z0-9_]{1,64}(?:-[0-9]{1,6})?\.(?:png|txt|json)$")


class KeptFiles:
    """uploads/<id>.files/<name>: files derived from one upload (its artifacts, the images of
    its notebooks' outputs, the rendered view), under names the server chose (KEPT_NAME)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, submission_id: str, name: str) -> Path:
        if not SUBMISSION_ID.match(submission_id) or not KEPT_NAME.match(name):
            raise ValueError("not a server-made file name")
        return self.folder / f"{submission_id}.files" / name

    def save(self, submission_id: str, name: str, data: bytes) -> None:
        path = self._path(submission_id, name)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        write_atomic(path, data, mode=0o600, durable=True)

    def read(self, submission_id: str, name: str) -> bytes | None:
        """The file's bytes, or None if the upload has no such file."""
        try:
            return self._path(submission_id, name).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
# --- end kept files
