"""Uploads on disk under server-made names only, written durably (tmp, fsync, rename)."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(ipynb|zip)$")


def new_id() -> str:
    return secrets.token_hex(16)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class UploadStore:
    """uploads/<id>.<ipynb|zip>; a name a client sent never becomes part of a path."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def save(self, submission_id: str, kind: str, data: bytes) -> str:
        name = f"{submission_id}.{'zip' if kind == 'zip' else 'ipynb'}"
        if not STORED_NAME.match(name):
            raise ValueError("not a server-made submission id")
        target = self.folder / name
        tmp = self.folder / f".{name}.{secrets.token_hex(4)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
            _fsync_dir(self.folder)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return name

    def read(self, stored_as: str) -> bytes:
        if not STORED_NAME.match(stored_as):
            raise ValueError("not a server-made file name")
        return (self.folder / stored_as).read_bytes()
