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
