"""Read a submission (a folder or a zip) into memory, safely and with limits."""

from __future__ import annotations

import hashlib
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 8 * 1024**2
MAX_FILES = 64


class SubmissionError(ValueError):
    """The submission cannot be read at all (the message is shown to the student)."""


@dataclass
class Submission:
    """The notebooks of one student's submission: file name -> bytes."""

    student: str
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # files refused, with the reason

    @property
    def digest(self) -> str:
        """Content hash of the notebooks (names and bytes), for skipping unchanged work."""
        h = hashlib.sha256()
        for name in sorted(self.files):
            h.update(name.encode() + b"\0" + hashlib.sha256(self.files[name]).digest())
        return h.hexdigest()


def _safe_name(name: str) -> str | None:
    """The file's base name if it is a plain notebook name, else None."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.name.endswith(".ipynb"):
        return None
    base = path.name
    if base.startswith(".") or any(ch in base for ch in "\0:*?\"<>|"):
        return None
    return base


def load_folder(student: str, folder: Path) -> Submission:
    """The .ipynb files directly in folder (symlinks and oversized files refused)."""
    sub = Submission(student)
    if not folder.is_dir():
        raise SubmissionError(f"no submission folder for {student}")
    for path in sorted(folder.iterdir()):
        if path.suffix != ".ipynb":
            continue
        if path.is_symlink() or not path.is_file():
            sub.problems.append(f"{path.name}: not a regular file, ignored")
        elif path.stat().st_size > MAX_FILE_BYTES:
            sub.problems.append(f"{path.name}: larger than {MAX_FILE_BYTES} bytes, ignored")
        else:
            sub.files[path.name] = path.read_bytes()
    return sub


def load_zip(student: str, data: bytes | Path) -> Submission:
    """Notebooks from a zip: members with absolute or `..` paths, links and huge or
    numerous entries are refused; folders inside the zip are flattened."""
    sub = Submission(student)
    try:
        archive = zipfile.ZipFile(data if isinstance(data, Path) else _bytes_io(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"not a readable zip file ({exc})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > 4 * MAX_FILES:
            raise SubmissionError("the zip holds too many files")
        for info in infos:
            if info.is_dir() or not info.filename.endswith(".ipynb"):
                continue
            mode = info.external_attr >> 16
            name = _safe_name(info.filename)
            if name is None or "__MACOSX" in info.filename:
                sub.problems.append(f"{info.filename}: unsafe or hidden path, ignored")
            elif stat.S_ISLNK(mode):
                sub.problems.append(f"{info.filename}: a symbolic link, ignored")
            elif info.file_size > MAX_FILE_BYTES:
                sub.problems.append(f"{info.filename}: larger than {MAX_FILE_BYTES} bytes")
            elif name in sub.files:
                sub.problems.append(f"{info.filename}: a second {name}, ignored")
            else:
                with archive.open(info) as f:
                    content = f.read(MAX_FILE_BYTES + 1)
                if len(content) > MAX_FILE_BYTES:
                    sub.problems.append(f"{info.filename}: larger than {MAX_FILE_BYTES} bytes")
                else:
                    sub.files[name] = content
    return sub


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)
