"""Keeps the grader's calls (the hidden inputs) out of the student's reach until the cells ran.

The runner executes student code in its own process, so whatever the runner can read during
the cells, a cell can read too, and raise with it: the error would reach the feedback. The
sandbox's API is one-shot (the grader cannot hand anything in once the run started), so the
calls are in /job from the start. This module takes them out of reach:

1. Before any student code, the runner (:func:`start`) opens the calls message and its key,
   unlinks them from /job, marks itself non-dumpable (``PR_SET_DUMPABLE`` 0: another process
   of the same unprivileged uid can then open neither ``/proc/<pid>/mem`` nor
   ``/proc/<pid>/fd``; ptrace and process_vm_readv are refused by the sandbox's seccomp
   filter anyway) and forks. The parent becomes the *keeper*: it reads the files only after
   the fork, so the child never had them in memory. The child closes its copies of the
   descriptors, becomes dumpable again and runs the notebook.
2. When the cells are done the child hands its results over (:meth:`Keeper.hand_over`:
   cells.json and outputs.json, the only files the grader shows from the cells). The keeper
   writes them together with commit.json, an HMAC of each under the key the grader generated
   for this run, and only then sends the calls (the key stays with the keeper).
3. The grader keeps a result file only if its HMAC verifies (:func:`verify`), so the cells'
   records and outputs it shows were all fixed before the calls left the keeper.

Limits: the moment "the cells are done" is claimed by the process that runs student code, so
a cell can claim it early (it can use the child's end of the pipe). It then gets the calls
mid-notebook, but what it committed could not hold them, and the grader drops anything changed
later. Once handed over, the calls are in the student's process by design: the functions under
test receive the hidden inputs as arguments, and a function's own error during a call is
reported; that channel is accepted. A cell can kill the keeper: its notebook then has no
results, its own loss. Only cells.json and outputs.json are protected; outcomes.json is the
answer to the calls, progress.json only ever yields a cell number.
"""

from __future__ import annotations

import ctypes
import hashlib
import hmac
import json
import os
import select
import signal
import stat
import struct
from pathlib import Path

from . import wire
from .atomic import write_atomic
from .probe import Call

RESULT_FILES = ("cells.json", "outputs.json")
COMMIT_FILE = "commit.json"
KEY_SUFFIX = ".key"
MAX_KEY_BYTES = 256
MAX_COMMIT_BYTES = 16 * 1024**2
MAX_OUTPUT_CHARS = 4 * 1024**2
"""All cells' output text handed over together (each cell's is capped by the runner too)."""
_PR_SET_DUMPABLE = 4
_FRAME = struct.Struct(">Q")


class KeeperError(RuntimeError):
    """The keeper could not be set up, or the hand-over failed."""


def key_path(calls_path: Path) -> Path:
    return Path(calls_path).with_name(Path(calls_path).name + KEY_SUFFIX)


def mac(key: bytes, name: str, data: bytes) -> str:
    """The HMAC the keeper writes into commit.json for one result file."""
    return hmac.new(key, name.encode() + b"\0" + data, hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- the grader's side


def write_key(calls_path: Path) -> bytes:
    """A fresh key for one run, written next to the calls; the grader keeps it in memory."""
    key = os.urandom(32)
    key_path(calls_path).write_bytes(key.hex().encode())
    return key


def verify(out: Path, key: bytes) -> list[str]:
    """Remove every result file in out whose HMAC does not verify; returns their names.

    The grader calls this before reading cells.json or outputs.json: a file that was not
    handed over with the calls withheld, or was changed after, is gone.
    """
    out = Path(out)
    try:
        commit = json.loads(_read_regular(out / COMMIT_FILE, 64 * 1024))
    except (OSError, ValueError):
        commit = None
    dropped = []
    for name in RESULT_FILES:
        path = out / name
        if not (path.exists() or path.is_symlink()):
            continue
        try:
            expected = commit.get(name) if isinstance(commit, dict) else None
            good = isinstance(expected, str) and hmac.compare_digest(
                expected, mac(key, name, _read_regular(path, MAX_COMMIT_BYTES)))
        except (OSError, ValueError):
            good = False
        if not good:
            dropped.append(name)
            _remove(path)
    return dropped


def _read_regular(path: Path, limit: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise ValueError(f"{path.name} is not a small regular file")
        return f.read(limit)


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            import shutil

            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
    except OSError:
        pass


# ---------------------------------------------------------------- the runner's side


class Keeper:
    """The child's handle on the keeper: one hand-over of results for the calls."""

    def __init__(self, request: int, reply: int):
        self._request = request
        self._reply = reply

    def hand_over(self, results: dict[str, str]) -> list[Call]:
        """Give the keeper the results (file name -> text); returns the grader's calls."""
        payload = json.dumps(results).encode()
        try:
            _write_frame(self._request, payload)
            os.close(self._request)
            text = _read_frame(self._reply, wire.MAX_JSON_BYTES)
            npz = _read_frame(self._reply, wire.MAX_ARRAY_BYTES)
        except OSError as exc:
            raise KeeperError(f"the keeper is gone ({exc})") from None
        finally:
            os.close(self._reply)
        if text is None or npz is None:
            raise KeeperError("the keeper did not hand the calls over")
        return wire.decode_calls(*wire.parse_message(text, npz))


def results(nb: dict, records: list[dict]) -> dict[str, str]:
    """The runner's result files: cells.json (the records) and outputs.json (per executed
    code cell, its captured output text), the latter capped to MAX_OUTPUT_CHARS in all."""
    outputs, room = [], MAX_OUTPUT_CHARS
    for record in records:
        cell = nb["cells"][record["index"]]
        text = "".join(o.get("text", "") for o in cell.get("outputs", ())
                       if isinstance(o, dict) and isinstance(o.get("text"), str))
        if len(text) > room:
            text = text[:room] + "\n[... output dropped: the notebook's output limit]"
        room = max(0, room - len(text))
        outputs.append({"index": record["index"], "text": text})
    return {"cells.json": json.dumps(records), "outputs.json": json.dumps(outputs)}


def write_results(out: Path, files: dict[str, str]) -> None:
    """Write the result files directly (a run without calls has nothing to keep)."""
    for name in RESULT_FILES:
        if name in files:
            _write_atomic(Path(out) / name, files[name].encode())


def take(calls_path: Path) -> list[int]:
    """Open the calls message (JSON and .npz) and its key, then unlink them: returns the three
    descriptors (read-only). What holds them can hand them to :func:`start_with` later;
    nothing is read here."""
    calls_path = Path(calls_path).absolute()
    paths = [calls_path, calls_path.with_name(calls_path.name + ".npz"), key_path(calls_path)]
    fds: list[int] = []
    try:
        for path in paths:
            fds.append(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK))
        for path in paths:
            os.unlink(path)
    except OSError as exc:
        for fd in fds:
            os.close(fd)
        raise KeeperError(f"cannot take the calls: {exc}") from None
    return fds


def start(calls_path: Path, out: Path) -> Keeper:
    """Fork the keeper; returns, in the child only, the handle to hand results over with.

    Call before any student code runs: the calls and the key are unlinked from the folder
    the cells can see. The parent never returns: it serves the hand-over, waits for the
    child and ends with the child's status.
    """
    return start_with(take(calls_path), out)


def start_with(fds: list[int], out: Path) -> Keeper:
    """:func:`start` with the descriptors :func:`take` returned (read from their start)."""
    out = Path(out).absolute()
    _set_dumpable(False)
    request_r, request_w = os.pipe()
    reply_r, reply_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: runs the notebook, never sees the calls before the hand-over
        for fd in (*fds, request_r, reply_w):
            os.close(fd)
        _set_dumpable(True)
        return Keeper(request_w, reply_r)
    os.close(request_w)
    os.close(reply_r)
    try:
        status = _serve(pid, fds, request_r, reply_w, out)
    except BaseException:  # the keeper itself failed: the child must not go on without it
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        status = 1 << 8  # exit code 1
    _exit_like(status)
    raise AssertionError("unreachable")


def _serve(pid: int, fds: list[int], request: int, reply: int, out: Path) -> int:
    """The keeper: read the calls, wait for the hand-over, answer it, wait for the child."""
    limits = (wire.MAX_JSON_BYTES, wire.MAX_ARRAY_BYTES, MAX_KEY_BYTES)
    try:
        text, npz, key_hex = (_read_fd(fd, limit) for fd, limit in zip(fds, limits, strict=True))
    finally:
        for fd in fds:
            os.close(fd)
    key = bytes.fromhex(key_hex.decode("ascii").strip())
    status: int | None = None

    def child_alive() -> bool:
        nonlocal status
        if status is None:
            done, raw = os.waitpid(pid, os.WNOHANG)
            if done:
                status = raw
        return status is None

    try:
        payload = _read_frame(request, MAX_COMMIT_BYTES, child_alive)
        if payload is not None:
            files = json.loads(payload)
            if not (isinstance(files, dict) and set(files) <= set(RESULT_FILES)
                    and all(isinstance(v, str) for v in files.values())):
                raise KeeperError("malformed hand-over")
            commit = {}
            for name, content in files.items():
                data = content.encode("utf-8", "replace")
                _write_atomic(out / name, data)
                commit[name] = mac(key, name, data)
            _write_atomic(out / COMMIT_FILE, json.dumps(commit).encode())
            _write_frame(reply, text)  # only now: the results are fixed
            _write_frame(reply, npz)
    except (OSError, ValueError, RecursionError, KeeperError):
        pass  # the child broke the protocol or is gone: it gets no calls
    finally:
        os.close(request)
        os.close(reply)
    if status is None:
        _, status = os.waitpid(pid, 0)
    return status


def _exit_like(status: int) -> None:
    """End this process the way the child ended (its exit code, or its signal)."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _set_dumpable(on: bool) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_DUMPABLE, int(on), 0, 0, 0) != 0:
        raise KeeperError(f"prctl(PR_SET_DUMPABLE) failed: errno {ctypes.get_errno()}")


def _read_fd(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while True:
        chunk = os.pread(fd, 1 << 20, size)  # from the start, whatever the fd's offset
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise KeeperError("calls too large")
        chunks.append(chunk)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a result file, first removing a folder a cell may have made in its place."""
    if path.is_dir() and not path.is_symlink():
        _remove(path)
    write_atomic(path, data)


def _write_frame(fd: int, data: bytes) -> None:
    view = memoryview(_FRAME.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read_frame(fd: int, limit: int, alive=None) -> bytes | None:
    """One length-prefixed frame, or None at the end of the stream. With ``alive``, waits in
    short steps and gives up (None) once it returns False: a child that exited while one of
    its own children still holds the pipe open must not hang the keeper."""
    header = _read_exactly(fd, _FRAME.size, alive)
    if header is None:
        return None
    (size,) = _FRAME.unpack(header)
    if size > limit:
        raise KeeperError("frame too large")
    return _read_exactly(fd, size, alive)


def _read_exactly(fd: int, n: int, alive) -> bytes | None:
    parts, got = [], 0
    while got < n:
        if alive is not None:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                if not alive():
                    return None
                continue
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)
