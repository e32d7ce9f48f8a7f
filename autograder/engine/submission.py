"""Read a submission (a folder, a zip or one notebook) into memory, safely and with limits.

Every way in (a folder of the batch, a zip of the batch or the service, a single notebook
uploaded to the service) goes through :func:`check_notebook`, so one notebook is held to the
same size and cell limits whichever way it came. A zip is hostile bytes: any failure to read
one of its members is "the zip is damaged", never an exception that stops other students.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

MAX_FILE_BYTES = 8 * 1024**2
MAX_CELLS = 2000  # the released notebooks have at most 48; restoring costs time per cell
MAX_FILES = 64  # notebooks kept from one submission
MAX_TOTAL_BYTES = 4 * MAX_FILE_BYTES  # all kept notebooks together
MAX_ZIP_ENTRIES = 4 * MAX_FILES


class SubmissionError(ValueError):
    """The submission cannot be read at all (the message is shown to the student)."""


class NotebookTooLargeError(SubmissionError):
    """One notebook is over a limit (bytes or cells)."""


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

    def add(self, label: str, name: str, content: bytes) -> None:
        """Keep one notebook if it passes every per-notebook and per-submission limit;
        otherwise note why (label: how the student named it)."""
        if name in self.files:
            self.problems.append(f"{label}: a second {name}, ignored")
            return
        if len(self.files) >= MAX_FILES:
            self.problems.append(f"{label}: more than {MAX_FILES} notebooks, ignored")
            return
        if sum(map(len, self.files.values())) + len(content) > MAX_TOTAL_BYTES:
            self.problems.append(f"{label}: the notebooks together are larger than "
                                 f"{_mib(MAX_TOTAL_BYTES)}, ignored")
            return
        try:
            check_notebook(name, content)
        except NotebookTooLargeError as exc:
            self.problems.append(f"{label}: {exc}, ignored")
            return
        self.files[name] = content


def _mib(n: int) -> str:
    return f"{n / 2**20:g} MiB"


def check_notebook(name: str, content: bytes) -> Any:
    """The parsed notebook (None if it is not JSON: the engine reports that itself).

    Raises NotebookTooLargeError if it is over MAX_FILE_BYTES (checked before parsing) or holds
    more than MAX_CELLS cells.
    """
    if len(content) > MAX_FILE_BYTES:
        raise NotebookTooLargeError(f"{name} is larger than {_mib(MAX_FILE_BYTES)}")
    try:
        document = json.loads(content.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    cells = document.get("cells") if isinstance(document, dict) else None
    if isinstance(cells, list) and len(cells) > MAX_CELLS:
        raise NotebookTooLargeError(f"{name} has {len(cells)} cells (at most {MAX_CELLS})")
    return document


def _safe_name(name: str) -> str | None:
    """The file's base name if it is a plain notebook name, else None."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.name.endswith(".ipynb"):
        return None
    base = path.name
    if base.startswith(".") or any(ch in base for ch in "\0:*?\"<>|"):
        return None
    return base


# ---------------------------------------------------------------- a folder


def load_folder(student: str, folder: Path) -> Submission:
    """The .ipynb files directly in folder; the folder itself and its files are opened
    without following links (a link to another student's work is refused), oversized
    files are refused without being read whole."""
    sub = Submission(student)
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        dir_fd = os.open(folder, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP or Path(folder).is_symlink():
            raise SubmissionError(f"{Path(folder).name} is a symbolic link, refused") from None
        raise SubmissionError(f"no submission folder for {student}") from None
    try:
        names = sorted(os.listdir(dir_fd))
        for name in names:
            if name.endswith(".ipynb"):
                _read_member(sub, dir_fd, name)
    except OSError as exc:
        raise SubmissionError(f"the submission folder cannot be read ({exc.strerror})") from None
    finally:
        os.close(dir_fd)
    return sub


def _read_member(sub: Submission, dir_fd: int, name: str) -> None:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError:
        sub.problems.append(f"{name}: not a regular file, ignored")
        return
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            sub.problems.append(f"{name}: not a regular file, ignored")
            return
        content = fh.read(MAX_FILE_BYTES + 1)
    sub.add(name, name, content)


# ---------------------------------------------------------------- a zip


def load_zip(student: str, data: bytes | Path) -> Submission:
    """Notebooks from a zip: members with absolute or `..` paths, links and huge or
    numerous entries are refused; folders inside the zip are flattened. A zip that cannot
    be read (bad CRC, encryption, an unknown compression method, corrupt data, headers
    that disagree) is SubmissionError "the zip is damaged"."""
    sub = Submission(student)
    try:
        source = data if isinstance(data, Path) else io.BytesIO(data)
        archive = zipfile.ZipFile(source)
    except Exception as exc:  # hostile bytes: whatever the parser trips on
        raise SubmissionError(f"not a readable zip file ({_reason(exc)})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
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
                sub.problems.append(f"{info.filename}: larger than {_mib(MAX_FILE_BYTES)}, "
                                    "ignored")
            else:
                sub.add(info.filename, name, _read_zip_member(archive, info))
    return sub


def _read_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """At most MAX_FILE_BYTES + 1 bytes of one member (its CRC checked when read whole)."""
    try:
        with archive.open(info) as member:
            return member.read(MAX_FILE_BYTES + 1)
    except Exception as exc:  # BadZipFile, RuntimeError, NotImplementedError, zlib.error, ...
        raise SubmissionError(f"the zip is damaged: {info.filename[:100]}: {_reason(exc)}; "
                              "make the zip again and upload it") from None


def _reason(exc: BaseException) -> str:
    """A short, student-safe reason for a zip failure."""
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "it is encrypted (password-protected)"
    if isinstance(exc, NotImplementedError):
        return "it uses an unsupported compression method"
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160].rstrip(".")
