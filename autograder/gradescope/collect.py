"""The student's submission as Gradescope hands it over: the files in ``/autograder/submission``.

Gradescope puts there the files the student uploaded (notebooks dragged in, or the contents of
an uploaded zip, folders kept) or their repository's files. The notebooks are found anywhere
in that tree by their file name, with the engine's limits (:meth:`Submission.add`); a zip that
was left whole is read as the engine reads zips (:func:`load_zip`).

The tree is the student's, and the grader reads it as root: nothing is read through a link
(a notebook that is a link to ``/autograder/source/...`` would otherwise hand the grader the
instructor's own notebook), no folder link is followed, and only regular files are opened,
with ``O_NOFOLLOW``. Hidden folders (``.ipynb_checkpoints``, ``.git``) and ``__MACOSX`` are
skipped.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from autograder.engine.submission import (
    MAX_FILE_BYTES,
    MAX_ZIP_ENTRIES,
    Submission,
    SubmissionError,
    load_zip,
)

MAX_DEPTH = 6
MAX_ENTRIES = 4 * MAX_ZIP_ENTRIES
SKIPPED_FOLDERS = ("__MACOSX", "__pycache__", "node_modules")


def collect(folder: Path, student: str = "submission") -> Submission:
    """Every notebook under folder (shallowest first), and those of any zip in it."""
    sub = Submission(student)
    found: list[tuple[int, str, str]] = []  # (depth, relative path, name)
    zips: list[str] = []
    _walk(Path(folder), "", 0, found, zips, sub, [0])
    for _depth, rel, name in sorted(found):
        content = _read_regular(Path(folder) / rel, MAX_FILE_BYTES + 1)
        if content is None:
            sub.problems.append(f"{rel}: not a regular file, ignored")
        else:
            sub.add(rel, name, content)
    for rel in sorted(zips):
        _merge_zip(sub, Path(folder) / rel, rel)
    if not sub.files and not sub.problems:
        sub.problems.append("no notebook (.ipynb) was found in the submission")
    return sub


def _walk(folder: Path, rel: str, depth: int, found: list, zips: list, sub: Submission,
          count: list[int]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        sub.problems.append(f"{rel or '.'}: cannot be read, ignored")
        return
    for entry in entries:
        count[0] += 1
        if count[0] > MAX_ENTRIES:
            sub.problems.append(f"more than {MAX_ENTRIES} files: the rest were not looked at")
            return
        path = f"{rel}/{entry.name}" if rel else entry.name
        st = entry.stat(follow_symlinks=False)
        if stat.S_ISLNK(st.st_mode):
            if entry.name.endswith((".ipynb", ".zip")) or stat.S_ISDIR(_target_mode(entry)):
                sub.problems.append(f"{path}: a symbolic link, ignored")
            continue
        if stat.S_ISDIR(st.st_mode):
            if entry.name.startswith(".") or entry.name in SKIPPED_FOLDERS:
                continue
            if depth + 1 > MAX_DEPTH:
                sub.problems.append(f"{path}: nested too deep, ignored")
                continue
            _walk(Path(entry.path), path, depth + 1, found, zips, sub, count)
        elif stat.S_ISREG(st.st_mode) and not entry.name.startswith("."):
            if entry.name.endswith(".ipynb"):
                found.append((depth, path, entry.name))
            elif entry.name.endswith(".zip"):
                zips.append(path)


def _target_mode(entry: os.DirEntry) -> int:
    try:
        return entry.stat(follow_symlinks=True).st_mode
    except OSError:
        return 0


def _read_regular(path: Path, limit: int) -> bytes | None:
    """At most limit bytes of a regular file, never through a link."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return fh.read(limit)


def _merge_zip(sub: Submission, path: Path, rel: str) -> None:
    """The notebooks of a zip the student uploaded whole, after the loose ones."""
    data = _read_regular(path, 8 * MAX_FILE_BYTES + 1)
    if data is None or len(data) > 8 * MAX_FILE_BYTES:
        sub.problems.append(f"{rel}: not a regular file or too large, ignored")
        return
    try:
        inner = load_zip(sub.student, data)
    except SubmissionError as exc:
        sub.problems.append(f"{rel}: {exc}")
        return
    sub.problems.extend(f"{rel}: {p}" for p in inner.problems)
    for name, content in sorted(inner.files.items()):
        sub.add(f"{rel}: {name}", name, content)
