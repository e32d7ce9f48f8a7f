"""Read a submission (a folder, a zip or one notebook) into memory, safely and with limits.

Every way in (a folder of the batch, a zip of the batch or the service, a single notebook
uploaded to the service) goes through :func:`check_notebook`, so one notebook is held to the
same size and cell limits whichever way it came. A zip is hostile bytes: any failure to read
one of its members is "the zip is damaged", never an exception that stops other students.

Besides notebooks, a submission keeps the artifacts of the student's own run that the
notebooks ask for (:data:`ARTIFACTS`: the word-vector plot, the sweep's plots and the dev
predictions), for the staff who grade the written parts about that run. They are data, never
run: an image must be a PNG by its signature and declared size, a text file plain UTF-8, each
within :data:`MAX_ARTIFACT_BYTES`. What students zip by habit (``.ipynb_checkpoints/``, SST
data, ``saved_params_*.npy`` checkpoints, ``__MACOSX``) is set aside with a note instead of
failing the upload. A notebook saved by a browser as ``q1_softmax (1).ipynb`` is recognised
by its nbgrader cells (:meth:`Submission.identify`), not by its name.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

MAX_FILE_BYTES = 8 * 1024**2
MAX_CELLS = 2000  # the released notebooks have at most 48; restoring costs time per cell
MAX_FILES = 64  # notebooks kept from one submission
MAX_TOTAL_BYTES = 4 * MAX_FILE_BYTES  # all kept notebooks together
MAX_ZIP_ENTRIES = 4 * MAX_FILES

ARTIFACTS: dict[str, str] = {
    "q3_word_vectors.png": "png",
    "q4_reg_v_acc.png": "png",
    "q4_dev_conf.png": "png",
    "q4_dev_pred.txt": "text",
}
"""The files of the student's own run the notebooks ask them to submit (name -> kind)."""
MAX_ARTIFACT_BYTES = 2 * 1024**2
MAX_IMAGE_SIDE = 8000  # pixels; a declared size beyond is refused before anything decodes it
MAX_IMAGE_PIXELS = 16_000_000
MAX_TIMESTAMP_BYTES = 200
SECRET_FILE = "submission_secret.txt"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BROWSER_COPY = re.compile(r"^(?P<stem>.+?)(?: ?\(\d{1,3}\)|-\d{1,3})?(?P<ext>\.[A-Za-z]+)$")
"""``q1_softmax (1).ipynb``, ``q4_dev_conf(2).png``, ``q1_softmax-1.ipynb``: a browser's copy."""
SET_ASIDE_DIRS = {".ipynb_checkpoints", "__MACOSX", "__pycache__", ".git",
                  "stanfordSentimentTreebank", "data", "utils", "cs224n"}
SET_ASIDE_SUFFIXES = (".npy", ".npz", ".pickle", ".pkl", ".pyc", ".zip", ".gz")
SET_ASIDE_NAMES = re.compile(r"^(saved_params_\d+\.npy|\.DS_Store|glove\..*\.txt|"
                             r"dataset\w*\.txt|dictionary\.txt|sentiment_labels\.txt|"
                             r"original_rt_snippets\.txt|README\.txt)$")


class SubmissionError(ValueError):
    """The submission cannot be read at all (the message is shown to the student)."""


class NotebookTooLargeError(SubmissionError):
    """One notebook is over a limit (bytes or cells)."""


@dataclass
class Submission:
    """The notebooks of one student's submission (file name -> bytes), the artifacts of their
    run, and what was set aside."""

    student: str
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # files refused, with the reason
    artifacts: dict[str, bytes] = field(default_factory=dict)  # ARTIFACTS name -> bytes
    notes: list[str] = field(default_factory=list)  # files set aside (not an error)
    timestamp: str | None = None  # nbgrader's timestamp.txt, as written (UTC if no zone)
    secret: str | None = None  # nbgrader submit's submission_secret.txt (release_feedback)

    @property
    def digest(self) -> str:
        """Content hash of the notebooks and artifacts (names and bytes), for skipping
        unchanged work (a new plot alone is a new submission for the staff)."""
        h = hashlib.sha256()
        for name in sorted(self.files):
            h.update(name.encode() + b"\0" + hashlib.sha256(self.files[name]).digest())
        for name in sorted(self.artifacts):
            h.update(b"artifact:" + name.encode() + b"\0"
                     + hashlib.sha256(self.artifacts[name]).digest())
        return h.hexdigest()

    def add_artifact(self, label: str, name: str, content: bytes) -> None:
        """Keep one artifact of ARTIFACTS if it is what its name says, else note why."""
        if name in self.artifacts:
            self.problems.append(f"{label}: a second {name}, ignored")
            return
        reason = check_artifact(name, content)
        if reason:
            self.problems.append(f"{label}: {reason}, ignored")
        else:
            self.artifacts[name] = content

    def identify(self, identities: Mapping[str, Iterable[str]]) -> None:
        """Rename a notebook whose name is not the assignment's (``q1_softmax (1).ipynb``)
        to the notebook its nbgrader cells belong to.

        identities: notebook name (without .ipynb) -> the grade ids of its nbgrader cells.
        A file is taken as notebook N when most of its grade ids are N's and none is another
        notebook's; a notebook already submitted under its own name is never replaced.
        """
        known = {name: set(ids) for name, ids in identities.items()}
        for filename in sorted(self.files):
            stem = filename[:-len(".ipynb")]
            if stem in known:
                continue
            found = notebook_identity(self.files[filename], known)
            target = f"{found}.ipynb" if found else None
            if target is None:
                continue
            if target in self.files:
                self.notes.append(f"{filename}: another copy of {target}, which was "
                                  "submitted under its own name; this one is ignored")
            else:
                self.files[target] = self.files[filename]
                self.notes.append(f"{filename} was graded as {target} (its cells are "
                                  f"{found}'s)")
            del self.files[filename]

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


def grade_ids(document: Any) -> set[str]:
    """The grade ids of a parsed notebook's nbgrader cells (empty if it is not a notebook)."""
    cells = document.get("cells") if isinstance(document, dict) else None
    found = set()
    for cell in cells if isinstance(cells, list) else ():
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
        grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
        if isinstance(grade_id, str) and len(grade_id) <= 200:
            found.add(grade_id)
    return found


def notebook_identity(content: bytes, identities: Mapping[str, set[str]]) -> str | None:
    """The assignment notebook these bytes are, by their nbgrader cells; None if none fits
    (no grade ids, or ids of two notebooks: a merged or foreign file is not guessed)."""
    try:
        ids = grade_ids(check_notebook("notebook", content))
    except NotebookTooLargeError:
        return None
    matches = {name for name, known in identities.items() if ids & known}
    if len(matches) != 1:
        return None
    (name,) = matches
    return name if len(ids & identities[name]) * 2 >= len(ids) else None


def check_artifact(name: str, content: bytes) -> str | None:
    """Why the artifact cannot be kept, or None if it is what its name says."""
    if len(content) > MAX_ARTIFACT_BYTES:
        return f"larger than {_mib(MAX_ARTIFACT_BYTES)}"
    if ARTIFACTS[name] == "png":
        return _png_problem(content)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return "not a UTF-8 text file"
    if "\0" in text:
        return "not a text file"
    return None


def _png_problem(content: bytes) -> str | None:
    """A PNG by its signature, a well-formed header chunk (CRC checked) with a declared size
    within bounds, and an end chunk; nothing is decoded here."""
    if not content.startswith(PNG_SIGNATURE) or len(content) < 45:
        return "not a PNG image"
    length, kind = struct.unpack(">I4s", content[8:16])
    if kind != b"IHDR" or length != 13:
        return "not a PNG image (no header chunk)"
    (crc,) = struct.unpack(">I", content[29:33])
    if zlib.crc32(content[12:29]) != crc:
        return "a damaged PNG image"
    width, height = struct.unpack(">II", content[16:24])
    if not (0 < width <= MAX_IMAGE_SIDE and 0 < height <= MAX_IMAGE_SIDE) \
            or width * height > MAX_IMAGE_PIXELS:
        return f"a PNG of {width} x {height} pixels (at most {MAX_IMAGE_SIDE} a side)"
    if content[-8:-4] != b"IEND":
        return "a truncated PNG image"
    return None


def artifact_name(base: str) -> str | None:
    """The ARTIFACTS name a file stands for (a browser's copy counts), else None."""
    if base in ARTIFACTS:
        return base
    match = BROWSER_COPY.match(base)
    if match and match["stem"] + match["ext"] in ARTIFACTS:
        return match["stem"] + match["ext"]
    return None


def set_aside(path: str) -> bool:
    """A file students include by habit that is not graded: checkpoints, data, caches."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    base = parts[-1] if parts else ""
    return (any(p in SET_ASIDE_DIRS for p in parts[:-1]) or base.endswith(SET_ASIDE_SUFFIXES)
            or bool(SET_ASIDE_NAMES.match(base)) or base.startswith("._"))


def _safe_base(name: str) -> str | None:
    """The file's base name if its path is safe (no absolute path, no ..), else None."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        return None
    base = path.name
    if not base or base.startswith(".") or any(ch in base for ch in "\0:*?\"<>|"):
        return None
    return base


def _safe_name(name: str) -> str | None:
    """The file's base name if it is a plain notebook name, else None."""
    base = _safe_base(name)
    return base if base is not None and base.endswith(".ipynb") else None


def _set_aside_note(paths: list[str]) -> str:
    shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    return (f"set aside, not graded: {shown} (checkpoints, data and other files the "
            "grader does not need; nothing to fix)")


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
            elif artifact_name(name):
                _read_member(sub, dir_fd, name, artifact_name(name))
            elif name in ("timestamp.txt", SECRET_FILE):
                _read_timestamp(sub, dir_fd, name)
    except OSError as exc:
        raise SubmissionError(f"the submission folder cannot be read ({exc.strerror})") from None
    finally:
        os.close(dir_fd)
    return sub


def _read_regular(sub: Submission, dir_fd: int, name: str, limit: int) -> bytes | None:
    """At most limit + 1 bytes of a regular file in the folder (links refused), or None."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError:
        sub.problems.append(f"{name}: not a regular file, ignored")
        return None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            sub.problems.append(f"{name}: not a regular file, ignored")
            return None
        return fh.read(limit + 1)


def _read_member(sub: Submission, dir_fd: int, name: str, artifact: str | None = None) -> None:
    if artifact is not None:
        content = _read_regular(sub, dir_fd, name, MAX_ARTIFACT_BYTES)
        if content is not None:
            sub.add_artifact(name, artifact, content)
        return
    content = _read_regular(sub, dir_fd, name, MAX_FILE_BYTES)
    if content is not None:
        sub.add(name, name, content)


def _read_timestamp(sub: Submission, dir_fd: int, name: str) -> None:
    content = _read_regular(sub, dir_fd, name, MAX_TIMESTAMP_BYTES)
    _keep_timestamp(sub, name, content)


def _keep_timestamp(sub: Submission, label: str, content: bytes | None) -> None:
    """timestamp.txt or submission_secret.txt (nbgrader's small files; label ends with the
    name): kept as text when short ASCII (a secret: hex digits only), else noted."""
    if content is None:
        return
    try:
        text = content.decode("ascii").strip()
    except UnicodeDecodeError:
        text = ""
    if label.endswith(SECRET_FILE):
        if re.fullmatch(r"[0-9a-f]{16,160}", text):
            sub.secret = text
        return
    if not text or len(content) > MAX_TIMESTAMP_BYTES:
        sub.notes.append(f"{label}: not a timestamp, ignored")
    else:
        sub.timestamp = text


# ---------------------------------------------------------------- a zip


def load_zip(student: str, data: bytes | Path) -> Submission:
    """Notebooks and artifacts from a zip: members with absolute or `..` paths, links and
    huge or numerous entries are refused; folders inside the zip are flattened; checkpoints,
    data and other files not graded are set aside with one note. A zip that cannot be read
    (bad CRC, encryption, an unknown compression method, corrupt data, headers that
    disagree) is SubmissionError "the zip is damaged"."""
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
        aside: list[str] = []
        for info in infos:
            if info.is_dir():
                continue
            if set_aside(info.filename):
                aside.append(info.filename[:100])
                continue
            if not info.filename.endswith(".ipynb"):
                _zip_other(sub, archive, info, aside)
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
        if aside:
            sub.notes.append(_set_aside_note(aside))
    return sub


def _zip_other(sub: Submission, archive: zipfile.ZipFile, info: zipfile.ZipInfo,
               aside: list[str]) -> None:
    """A member that is not a notebook: an artifact or the timestamp kept, else set aside."""
    base = _safe_base(info.filename)
    artifact = artifact_name(base) if base else None
    if base in ("timestamp.txt", SECRET_FILE) and not stat.S_ISLNK(info.external_attr >> 16):
        content = (_read_zip_member(archive, info, MAX_TIMESTAMP_BYTES)
                   if info.file_size <= MAX_TIMESTAMP_BYTES else b"")
        _keep_timestamp(sub, info.filename[:100], content)
    elif artifact is None:
        aside.append(info.filename[:100])
    elif stat.S_ISLNK(info.external_attr >> 16):
        sub.problems.append(f"{info.filename[:100]}: a symbolic link, ignored")
    elif info.file_size > MAX_ARTIFACT_BYTES:
        sub.problems.append(f"{info.filename[:100]}: larger than "
                            f"{_mib(MAX_ARTIFACT_BYTES)}, ignored")
    else:
        sub.add_artifact(info.filename[:100], artifact,
                         _read_zip_member(archive, info, MAX_ARTIFACT_BYTES))


def _read_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo,
                     limit: int = MAX_FILE_BYTES) -> bytes:
    """At most limit + 1 bytes of one member (its CRC checked when read whole)."""
    try:
        with archive.open(info) as member:
            return member.read(limit + 1)
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
