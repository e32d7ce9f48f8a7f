"""Moving files across the sandbox boundary without trusting what the sandbox made.

Everything the sandbox wrote is hostile: names may hold ``..``, members may be symlinks to host
paths, devices or FIFOs, and sizes may be huge. The helpers here copy back regular files and
folders only, bounded in bytes and in count, create every host path component themselves, and
open files with ``O_NOFOLLOW``, so the host never follows a path the sandbox made.
"""

from __future__ import annotations

import io
import logging
import os
import stat
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from autograder.sandbox.base import OUTPUT_TAIL_BYTES

log = logging.getLogger(__name__)

MAX_FILES = 20_000
"""Most files and folders copied back from one run (the rest are dropped with a warning)."""

_CHUNK = 1024 * 1024

Manifest = dict[str, tuple[int, int]]
"""Relative path -> (size, mtime_ns) of the files put into the sandbox."""


def read_tail(path: Path, nbytes: int = OUTPUT_TAIL_BYTES) -> str:
    """The last ``nbytes`` of a file, decoded as UTF-8 with replacement ("" if missing)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - nbytes))
            data = f.read(nbytes)
    except FileNotFoundError:
        return ""
    return data.decode("utf-8", errors="replace")


def tail_text(data: bytes, nbytes: int = OUTPUT_TAIL_BYTES) -> str:
    """The last ``nbytes`` of ``data``, decoded as UTF-8 with replacement."""
    return data[-nbytes:].decode("utf-8", errors="replace")


def _file_mode(mode: int) -> int:
    """The host mode for a copied file: 0o755 if it was executable, else 0o644."""
    return 0o755 if mode & 0o111 else 0o644


def walk_job_dir(job_dir: Path) -> Iterator[tuple[PurePosixPath, os.stat_result]]:
    """Folders and regular files under the host's ``job_dir`` (parents first), no symlinks."""
    stack = [PurePosixPath()]
    while stack:
        rel = stack.pop()
        with os.scandir(job_dir / rel) as it:
            for entry in sorted(it, key=lambda e: e.name):
                child = rel / entry.name
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    yield child, st
                    stack.append(child)
                elif stat.S_ISREG(st.st_mode):
                    yield child, st
                else:
                    log.warning("job_dir: skipping %s (not a regular file or folder)", child)


def copy_job_in(job_dir: Path, scratch: Path, uid: int, gid: int) -> Manifest:
    """Copy ``job_dir`` into the (empty) scratch folder, owned by ``uid:gid``.

    Returns what was copied, so that :func:`copy_back` can skip files left unchanged.
    """
    manifest: Manifest = {}
    for rel, st in walk_job_dir(job_dir):
        dst = scratch / rel
        if stat.S_ISDIR(st.st_mode):
            dst.mkdir(mode=0o755)
        else:
            with open(job_dir / rel, "rb") as src, open(dst, "xb") as out:
                while chunk := src.read(_CHUNK):
                    out.write(chunk)
            os.chmod(dst, _file_mode(st.st_mode))
            os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
            manifest[str(rel)] = (st.st_size, st.st_mtime_ns)
        os.chown(dst, uid, gid)
    return manifest


@dataclass
class CopyStats:
    """What a copy back did."""

    files: int = 0
    bytes: int = 0
    skipped: int = 0


class _Dest:
    """Creates paths under a host folder, refusing any component that is not a real folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: set[PurePosixPath] = {PurePosixPath()}

    def folder(self, rel: PurePosixPath) -> Path | None:
        """Make ``root/rel`` (and its parents) as real folders; None if that is unsafe."""
        done = PurePosixPath()
        for part in rel.parts:
            done = done / part
            if done in self._made:
                continue
            path = self.root / done
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                os.mkdir(path, 0o755)
            else:
                if not stat.S_ISDIR(st.st_mode):
                    log.warning("copy back: %s exists and is not a folder; skipped", done)
                    return None
            self._made.add(done)
        return self.root / rel

    def open_file(self, rel: PurePosixPath) -> tuple[int, Path] | None:
        """An fd to write ``root/rel`` (truncated) and its path, never following a symlink."""
        parent = self.folder(rel.parent)
        if parent is None:
            return None
        path = parent / rel.name
        try:
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode):
                log.warning("copy back: %s exists and is not a regular file; skipped", rel)
                return None
        except FileNotFoundError:
            pass
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
        return os.open(path, flags, 0o644), path


def safe_relpath(name: str, prefix: str = "") -> PurePosixPath | None:
    """``name`` as a plain relative path below ``prefix``, or None if it escapes or is odd."""
    if "\0" in name or "\\" in name:
        return None
    p = PurePosixPath(name)
    if p.is_absolute() or any(part in ("..", "") for part in p.parts):
        return None
    if p.parts and p.parts[0] == ".":
        p = PurePosixPath(*p.parts[1:])
    if prefix:
        if not p.parts or p.parts[0] != prefix:
            return None
        p = PurePosixPath(*p.parts[1:])
    return p


def copy_back(scratch: Path, job_dir: Path, manifest: Manifest, max_bytes: int) -> CopyStats:
    """Copy new or changed regular files (and folders) from the scratch folder to ``job_dir``.

    The scratch folder was written by the sandbox, which has ended: symlinks, FIFOs, sockets and
    devices in it are skipped, as is anything past ``max_bytes`` or :data:`MAX_FILES`.
    """
    stats = CopyStats()
    dest = _Dest(job_dir)
    stack = [PurePosixPath()]
    while stack:
        rel = stack.pop()
        try:
            dir_fd = os.open(scratch / rel, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as exc:
            log.warning("copy back: cannot open folder %s: %s", rel, exc)
            continue
        try:
            names = sorted(os.listdir(dir_fd))
            for name in names:
                child = rel / name
                if stats.files + stats.skipped >= MAX_FILES:
                    log.warning("copy back: more than %d entries; the rest dropped", MAX_FILES)
                    return stats
                st = os.lstat(name, dir_fd=dir_fd)
                if stat.S_ISDIR(st.st_mode):
                    if dest.folder(child) is not None:
                        stack.append(child)
                    continue
                if not stat.S_ISREG(st.st_mode):
                    log.warning("copy back: skipping %s (not a regular file or folder)", child)
                    stats.skipped += 1
                    continue
                if manifest.get(str(child)) == (st.st_size, st.st_mtime_ns):
                    continue  # put in by the host and left unchanged
                if stats.bytes + st.st_size > max_bytes:
                    log.warning("copy back: %s would pass %d bytes; skipped", child, max_bytes)
                    stats.skipped += 1
                    continue
                src_fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
                with os.fdopen(src_fd, "rb") as src:
                    n = _write(dest, child, src, max_bytes - stats.bytes, st.st_mode)
                if n is None:
                    stats.skipped += 1
                else:
                    stats.files += 1
                    stats.bytes += n
        finally:
            os.close(dir_fd)
    return stats


def _write(dest: _Dest, rel: PurePosixPath, src: BinaryIO, budget: int, mode: int) -> int | None:
    """Copy ``src`` to ``rel`` under ``dest``, at most ``budget`` bytes; bytes written or None."""
    opened = dest.open_file(rel)
    if opened is None:
        return None
    fd, path = opened
    written = 0
    with os.fdopen(fd, "wb") as out:
        while chunk := src.read(min(_CHUNK, budget - written + 1)):
            if written + len(chunk) > budget:
                log.warning("copy back: %s is larger than the budget; dropped", rel)
                os.unlink(path)
                return None
            out.write(chunk)
            written += len(chunk)
        os.fchmod(out.fileno(), _file_mode(mode))
    return written


class _BoundedReader(io.RawIOBase):
    """Reads from an iterator of byte chunks, failing once more than ``limit`` bytes came."""

    def __init__(self, chunks: Iterator[bytes], limit: int) -> None:
        self._chunks = chunks
        self._buf = b""
        self._limit = limit
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buf:
            try:
                self._buf = next(self._chunks)
            except StopIteration:
                return 0
            self.total += len(self._buf)
            if self.total > self._limit:
                raise OSError(f"archive larger than {self._limit} bytes")
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def extract_tar_stream(
    chunks: Iterator[bytes], job_dir: Path, prefix: str, max_bytes: int, manifest: Manifest
) -> CopyStats:
    """Extract a tar stream (from the sandbox) into ``job_dir``: members under ``prefix/`` only.

    Regular files and folders only; absolute names, ``..``, links, devices and FIFOs are
    skipped; the stream is cut off past ``max_bytes`` of file data plus tar overhead.
    """
    stats = CopyStats()
    dest = _Dest(job_dir)
    raw = _BoundedReader(chunks, max_bytes + max_bytes // 8 + 1024 * 1024)
    stream = io.BufferedReader(raw, buffer_size=_CHUNK)
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                if stats.files + stats.skipped >= MAX_FILES:
                    log.warning("copy back: more than %d entries; the rest dropped", MAX_FILES)
                    break
                rel = safe_relpath(member.name, prefix)
                if rel is None:
                    log.warning("copy back: skipping tar member %r (unsafe name)", member.name)
                    stats.skipped += 1
                    continue
                if member.isdir():
                    if rel.parts:
                        dest.folder(rel)
                    continue
                if not member.isreg() or not rel.parts:
                    log.warning("copy back: skipping %s (not a regular file or folder)", rel)
                    stats.skipped += 1
                    continue
                before = manifest.get(str(rel))
                if before and before == (member.size, before[1]) and \
                        before[1] // 1_000_000_000 == int(member.mtime):
                    continue  # put in by the host and left unchanged (tar keeps seconds)
                if stats.bytes + member.size > max_bytes:
                    log.warning("copy back: %s would pass %d bytes; skipped", rel, max_bytes)
                    stats.skipped += 1
                    continue
                src = tar.extractfile(member)
                if src is None:
                    continue
                n = _write(dest, rel, src, member.size, member.mode)  # type: ignore[arg-type]
                if n is None:
                    stats.skipped += 1
                else:
                    stats.files += 1
                    stats.bytes += n
    except (tarfile.TarError, OSError) as exc:
        log.warning("copy back stopped: %s", exc)
    return stats


def job_tar(job_dir: Path, uid: int, gid: int) -> tuple[bytes, Manifest]:
    """A tar of ``job_dir``'s folders and regular files (names relative), owned by uid:gid."""
    buf = io.BytesIO()
    manifest: Manifest = {}
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel, st in walk_job_dir(job_dir):
            info = tarfile.TarInfo(str(rel))
            info.uid, info.gid, info.mtime = uid, gid, st.st_mtime
            if stat.S_ISDIR(st.st_mode):
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = st.st_size, _file_mode(st.st_mode)
                with open(job_dir / rel, "rb") as f:
                    tar.addfile(info, f)
                manifest[str(rel)] = (st.st_size, st.st_mtime_ns)
    return buf.getvalue(), manifest


def files_tar(files: dict[str, Path], under: str) -> bytes:
    """A tar of host files/folders placed at in-sandbox paths, relative to ``under``.

    Owned by root and read-only for others (0o644 / 0o755).
    """
    buf = io.BytesIO()
    base = PurePosixPath(under)

    def reset(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        if not (info.isreg() or info.isdir()):
            return None
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mode = 0o755 if info.isdir() else _file_mode(info.mode)
        return info

    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        made: set[PurePosixPath] = set()
        for inside, host in sorted(files.items()):
            rel = PurePosixPath(inside).relative_to(base)
            for parent in reversed(rel.parents[:-1]):
                if parent not in made:
                    info = tarfile.TarInfo(str(parent))
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    tar.addfile(info)
                    made.add(parent)
            tar.add(str(host), arcname=str(rel), recursive=True, filter=reset)
    return buf.getvalue()
