"""The Docker backend's streams: the request in, the answer out (one container, no volume).

The host side is checked against fake streams (no Docker needed): a malformed, oversized or
cut answer is refused before it is parsed, and the wall-clock limit escalates SIGTERM then
SIGKILL. The container side (marked docker): the command cannot forge the answer, cannot
write the runtime files, and what it left in /job comes back, after a timeout too.
"""

from __future__ import annotations

import io
import json
import signal
import struct
import tarfile
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("docker")

from autograder.sandbox import Limits, SandboxUnavailable  # noqa: E402
from autograder.sandbox.base import OUTPUT_TAIL_BYTES  # noqa: E402
from autograder.sandbox.docker import (  # noqa: E402
    ANSWER_MAGIC,
    MAX_FRAME,
    MAX_META,
    REQUEST_MAGIC,
    AnswerError,
    _Attached,
    _bootstrap_code,
    _no_answer,
    _read_answer,
    _request,
)
from autograder.sandbox.files import extract_tar_stream  # noqa: E402
from tests.autograder.sandbox.conftest import SMALL, require  # noqa: E402

# -- fakes -------------------------------------------------------------------------------------


class FakeSocket:
    """Hands out ``chunks`` (bytes, or exceptions to raise); then the end of the stream, or
    TimeoutError while ``open``."""

    def __init__(self, chunks: list[Any], open: bool = False) -> None:
        self.chunks, self.open, self.sent, self.timeouts = list(chunks), open, b"", []

    def settimeout(self, seconds: float) -> None:
        self.timeouts.append(seconds)

    def sendall(self, data: bytes) -> None:
        self.sent += data

    def shutdown(self, how: int) -> None:
        self.open = False

    def recv(self, n: int) -> bytes:
        if not self.chunks:
            if self.open:
                raise TimeoutError("timed out")
            return b""
        chunk = self.chunks.pop(0)
        if isinstance(chunk, BaseException):
            raise chunk
        if len(chunk) > n:
            self.chunks.insert(0, chunk[n:])
        return chunk[:n]


def frame(payload: bytes, kind: int = 1) -> bytes:
    return bytes([kind, 0, 0, 0]) + len(payload).to_bytes(4, "big") + payload


def answer_bytes(status: Any = 0, oom: Any = 0, out: bytes = b"", err: bytes = b"",
                 meta: bytes | None = None) -> bytes:
    meta = json.dumps({"status": status, "oom_kills": oom}).encode() if meta is None else meta
    return (ANSWER_MAGIC + struct.pack(">III", len(meta), len(out), len(err))
            + meta + out + err)


def job_back(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"job/{name}")
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def stream_of(data: bytes, size: int = 7, **kwargs: Any) -> _Attached:
    """The stdout ``data`` cut into frames of ``size`` bytes, in chunks that straddle them."""
    framed = b"".join(frame(data[i:i + size]) for i in range(0, len(data), size))
    return _Attached(FakeSocket([framed[i:i + 5] for i in range(0, len(framed), 5)], **kwargs))


# -- the host's side ---------------------------------------------------------------------------


def test_the_answer_and_the_job_come_back(tmp_path):
    tar = job_back({"out/result.json": b'{"ok": true}', "progress.json": b"{}"})
    data = answer_bytes(status=-9, oom=1, out=b"printed\n", err=b"warned\n") + tar
    half = len(data) // 2
    stream = _Attached(FakeSocket([frame(data[:half]), frame(b"bootstrap says\n", kind=2),
                                   frame(data[half:])]))
    answer = stream.answer()
    assert (answer.status, answer.oom_kills) == (-9, 1)
    assert (answer.stdout, answer.stderr) == ("printed\n", "warned\n")
    stats = extract_tar_stream(stream.rest(), tmp_path, "job", 1024 * 1024, {})
    assert stats.files == 2
    assert (tmp_path / "out" / "result.json").read_bytes() == b'{"ok": true}'
    assert stream.errors == b"bootstrap says\n"  # the bootstrap's stderr: not the answer


@pytest.mark.parametrize("data, message", [
    (b"", "no answer"),
    (answer_bytes()[:20], "ended early"),
    (b"X" * 16 + answer_bytes()[16:], "not an answer"),
    (ANSWER_MAGIC + struct.pack(">III", MAX_META + 1, 0, 0), "out of bounds"),
    (ANSWER_MAGIC + struct.pack(">III", 2, OUTPUT_TAIL_BYTES + 1, 0), "out of bounds"),
    (ANSWER_MAGIC + struct.pack(">III", 2, 0, 2**32 - 1), "out of bounds"),
    (answer_bytes(meta=b"{nope"), "not JSON"),
    (answer_bytes(meta=b"[1, 2]"), "not valid"),
    (answer_bytes(status="0"), "not valid"),
    (answer_bytes(status=True), "not valid"),
    (answer_bytes(status=10**6), "not valid"),
    (answer_bytes(oom=-1), "not valid"),
])
def test_a_malformed_answer_is_refused(data, message):
    with pytest.raises(AnswerError, match=message):
        stream_of(data).answer()


@pytest.mark.parametrize("raw, message", [
    (bytes([3, 0, 0, 0, 0, 0, 0, 1]) + b"x", "not a frame"),
    (bytes([1, 0, 9, 0, 0, 0, 0, 1]) + b"x", "not a frame"),
    (bytes([1, 0, 0, 0]) + (MAX_FRAME + 1).to_bytes(4, "big"), "not a frame"),
    (frame(answer_bytes())[:-3], "inside a frame"),
    (frame(answer_bytes()) + b"\x01\x00", "inside a frame header"),
])
def test_a_malformed_stream_is_refused(raw, message):
    stream = _Attached(FakeSocket([raw]))
    with pytest.raises(AnswerError, match=message):
        stream.answer()
        list(stream.rest())


def test_a_broken_connection_is_the_end_of_the_stream():
    data = frame(answer_bytes(out=b"x" * 50))
    stream = _Attached(FakeSocket([data[:40], ConnectionResetError(104, "reset")]))
    with pytest.raises(AnswerError, match="ended inside a frame"):
        stream.answer()


def test_an_oversized_answer_is_refused_before_it_is_read():
    """The sizes are checked first: a huge claimed tail is not waited for."""
    head = ANSWER_MAGIC + struct.pack(">III", 2, 10**9, 0)
    stream = _Attached(FakeSocket([frame(head)], open=True))
    stream.deadline = time.monotonic() + 5
    with pytest.raises(AnswerError, match="out of bounds"):
        stream.answer()


def test_a_read_stopped_by_the_deadline_resumes():
    data = answer_bytes(status=3, out=b"x" * 100)
    framed = frame(data)
    sock = FakeSocket([framed[:30]], open=True)
    stream = _Attached(sock)
    stream.deadline = time.monotonic() + 0.05
    with pytest.raises(TimeoutError):
        stream.answer()
    sock.chunks.append(framed[30:])
    stream.deadline = time.monotonic() + 5
    answer = stream.answer()
    assert answer.status == 3 and answer.stdout == "x" * 100


class FakeBox:
    def __init__(self, oom: bool = False) -> None:
        self.signals: list[str] = []
        self.attrs = {"State": {"OOMKilled": oom}}

    def kill(self, signal: str = "SIGKILL") -> None:
        self.signals.append(signal)

    def wait(self, timeout: float) -> dict[str, int]:
        return {"StatusCode": 1}

    def reload(self) -> None:
        pass


class SlowStream:
    """Answers after ``late`` timeouts (never when None)."""

    def __init__(self, late: int | None) -> None:
        self.late, self.deadline, self.errors = late, 0.0, b"Traceback: boom\n"

    def answer(self) -> Any:
        if self.late is None or self.late > 0:
            self.late = None if self.late is None else self.late - 1
            raise TimeoutError
        return "the answer"


def test_the_wall_clock_sends_sigterm_and_the_answer_still_counts():
    box = FakeBox()
    answer, timed_out, wall = _read_answer(box, SlowStream(1), SMALL, time.monotonic())
    assert answer == "the answer" and timed_out and box.signals == ["SIGTERM"]


def test_a_bootstrap_that_ignores_sigterm_is_killed():
    box = FakeBox()
    answer, timed_out, _ = _read_answer(box, SlowStream(None), SMALL, time.monotonic())
    assert answer is None and timed_out and box.signals == ["SIGTERM", "SIGKILL"]


def test_no_answer_is_the_sandbox_failing_unless_a_limit_says_why():
    with pytest.raises(SandboxUnavailable, match="no answer: Traceback: boom"):
        _no_answer(FakeBox(), SlowStream(None), ["python"], timed_out=False, wall=1.0)
    result = _no_answer(FakeBox(oom=True), SlowStream(None), ["python"], False, 1.0)
    assert result.killed_reason == "memory" and result.oom_kills == 1 and not result.ok
    result = _no_answer(FakeBox(), SlowStream(None), ["python"], True, 2.0)
    assert result.timed_out and result.killed_reason == "timeout" and result.signal == 9


def test_the_request_carries_the_command_and_its_limits():
    limits = Limits(file_bytes=2 * 1024**2, cpu_seconds=7, open_files=99)
    data = _request(["python", "-c", "pass"], limits, b"JOB", b"")
    assert data.startswith(REQUEST_MAGIC)
    at = len(REQUEST_MAGIC)
    (size,) = struct.unpack(">I", data[at:at + 4])
    config = json.loads(data[at + 4:at + 4 + size])
    assert config["argv"] == ["python", "-c", "pass"] and config["uid"] == 1001
    import resource

    rlimits = {r: (soft, hard) for r, soft, hard in config["rlimits"]}
    assert rlimits[resource.RLIMIT_FSIZE] == (2 * 1024**2, 2 * 1024**2)
    assert rlimits[resource.RLIMIT_CPU] == (7, 12)
    assert rlimits[resource.RLIMIT_NOFILE] == (99, 99)
    assert resource.RLIMIT_AS not in rlimits  # the container's memory limit binds instead
    assert data[at + 4 + size:] == struct.pack(">Q", 3) + b"JOB" + struct.pack(">Q", 0)


def test_the_bootstrap_compiles_and_refuses_to_run_outside_a_container():
    import subprocess
    import sys

    code = _bootstrap_code()
    compile(code, "<bootstrap>", "exec")
    # its parent here is not a container's init: it stops before anything (kill(-1) as root
    # on a host would be a disaster)
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", code], input=b"",
                          capture_output=True, timeout=30)
    assert proc.returncode == 1 and b"only as the container's command" in proc.stderr
    assert proc.stdout == b""


# -- the container's side ----------------------------------------------------------------------


def _run(job: Path, code: str, **overrides: Any):
    box = require("docker")
    limits = Limits(**{**SMALL.__dict__, **overrides})
    return box.run(job, ["python", "-c", textwrap.dedent(code)], limits)


def _lines(text: str) -> dict[str, str]:
    return {k.strip(): v.strip() for k, _, v in (line.partition("=") for line in
                                                 text.splitlines()) if _}


FORGED = (ANSWER_MAGIC + struct.pack(">III", 30, 0, 0)
          + json.dumps({"status": 0, "oom_kills": 0}).encode().ljust(30))


@pytest.mark.docker
def test_the_command_cannot_forge_the_answer(job):
    """A hostile command writes fake answers everywhere it can think of: its own stdout and
    stderr (they are its output tails, nothing more) and the descriptors of the init and of
    the bootstrap (denied); its real exit status is reported."""
    result = _run(job, f"""
        import os, sys
        forged = {FORGED!r}
        for fd in (1, 2):
            os.write(fd, forged)
        parent = os.getppid()
        print()
        for pid in (1, parent):
            for fd in (0, 1, 2):
                path = f"/proc/{{pid}}/fd/{{fd}}"
                try:
                    with open(path, "wb") as f:
                        f.write(forged)
                    print(path, "= written")
                except OSError as exc:
                    print(path, "= refused", exc.errno)
            for what in ("mem", "environ"):
                try:
                    open(f"/proc/{{pid}}/{{what}}", "rb").read(1)
                    print(what, pid, "= read")
                except OSError as exc:
                    print(what, pid, "= refused")
        import signal
        for pid in (1, parent):
            try:
                os.kill(pid, signal.SIGSTOP)
                print("stop", pid, "= sent")
            except OSError:
                print("stop", pid, "= refused")
        print("open fds=", sorted(int(n) for n in os.listdir("/proc/self/fd")))
        sys.exit(3)
    """)
    assert result.exit_code == 3, result
    out = _lines(result.stdout.split("\n", 1)[1])
    written = [k for k, v in out.items() if not v.startswith("refused") and k != "open fds"]
    assert written == [], out
    assert out["open fds"] == "[0, 1, 2, 3]"  # 3: the listdir's own
    assert result.stdout.encode().startswith(FORGED) and result.stderr.encode() == FORGED


@pytest.mark.docker
def test_the_runtime_files_are_read_only_for_the_command(job, tmp_path):
    helper = tmp_path / "helper.py"
    helper.write_text("X = 1\n")
    box = require("docker")
    code = textwrap.dedent("""
        import os
        st = os.stat("/opt/grader/helper.py")
        print("owner=", st.st_uid, oct(st.st_mode & 0o777))
        print("dir=", os.stat("/opt/grader").st_uid, oct(os.stat("/opt/grader").st_mode & 0o777))
        def attempt(name, action):
            try:
                action()
                print(name, "= done")
            except OSError as exc:
                print(name, "= refused")
        attempt("write", lambda: open("/opt/grader/helper.py", "a").write("X = 2\\n"))
        attempt("chmod", lambda: os.chmod("/opt/grader/helper.py", 0o666))
        attempt("unlink", lambda: os.unlink("/opt/grader/helper.py"))
        attempt("rename", lambda: os.rename("/opt/grader/helper.py", "/opt/grader/h2.py"))
        attempt("create", lambda: open("/opt/grader/new.py", "w").write(""))
        attempt("dirmode", lambda: os.chmod("/opt/grader", 0o777))
        import helper
        print("value=", helper.X)
    """)
    result = box.run(job, ["python", "-c", code], SMALL,
                     runtime_files={"/opt/grader/helper.py": helper})
    out = _lines(result.stdout)
    assert result.exit_code == 0, result
    assert out["owner"] == "0 0o644" and out["dir"] == "0 0o755"
    for name in ("write", "chmod", "unlink", "rename", "create", "dirmode"):
        assert out[name] == "refused", (name, out)
    assert out["value"] == "1"


@pytest.mark.docker
def test_a_timeout_still_brings_back_the_job(job):
    """The runner's progress file, written before the notebook hung, comes back: the grader
    says which cell ran out of time. SIGTERM is ignored by the command (the bootstrap kills
    it)."""
    result = _run(job, """
        import json, signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
        json.dump({"cell": 4}, open("progress.json", "w"))
        print("running cell 4", flush=True)
        time.sleep(300)
    """, wall_seconds=3.0)
    assert result.timed_out and result.killed_reason == "timeout"
    assert result.exit_code is None and result.signal == 9
    assert json.loads((job / "progress.json").read_text()) == {"cell": 4}
    assert "running cell 4" in result.stdout
    assert 2.5 < result.wall_seconds < 10


@pytest.mark.docker
def test_what_the_command_hid_from_itself_comes_back(job):
    """Files and folders the command made unreadable (mode 000) still come back."""
    result = _run(job, """
        import os
        os.makedirs("secret/inner")
        open("secret/inner/a.txt", "w").write("a")
        open("locked.txt", "w").write("l")
        os.chmod("locked.txt", 0)
        os.chmod("secret/inner", 0)
        os.chmod("secret", 0)
    """)
    assert result.exit_code == 0, result
    assert (job / "locked.txt").read_text() == "l"
    assert (job / "secret" / "inner" / "a.txt").read_text() == "a"


@pytest.mark.docker
def test_a_large_job_file_goes_in_but_the_command_keeps_its_rlimits(job):
    """The container's rlimits are the bootstrap's (it writes the job, reads the output
    all through the wall clock); the command gets exactly its own, for good."""
    (job / "data.bin").write_bytes(b"d" * (3 * 1024**2))
    result = _run(job, """
        import os, resource
        print("size=", os.path.getsize("data.bin"))
        print("fsize=", resource.getrlimit(resource.RLIMIT_FSIZE))
        print("cpu=", resource.getrlimit(resource.RLIMIT_CPU))
        print("nofile=", resource.getrlimit(resource.RLIMIT_NOFILE))
        print("core=", resource.getrlimit(resource.RLIMIT_CORE))
        try:
            resource.setrlimit(resource.RLIMIT_FSIZE, (2**40, 2**40))
            print("raise= done")
        except (OSError, ValueError):
            print("raise= refused")
    """, file_bytes=1024**2, cpu_seconds=9, open_files=40)
    out = _lines(result.stdout)
    assert result.exit_code == 0, result
    assert out["size"] == str(3 * 1024**2)
    assert out["fsize"] == f"({1024**2}, {1024**2})"
    assert (out["cpu"], out["nofile"], out["core"]) == ("(9, 14)", "(40, 40)", "(0, 0)")
    assert out["raise"] == "refused"


@pytest.mark.docker
def test_a_command_that_cannot_start_is_a_clear_result(job):
    box = require("docker")
    result = box.run(job, ["no-such-program"], SMALL)
    assert result.exit_code == 127 and "cannot run 'no-such-program'" in result.stderr


@pytest.mark.docker
def test_the_command_is_killed_on_sigterm_timeout_even_without_output(job):
    """A command that closed its stdout and stderr still ends with the wall clock."""
    started = time.monotonic()
    result = _run(job, """
        import os, time
        os.close(1); os.close(2)
        time.sleep(300)
    """, wall_seconds=2.0)
    assert result.timed_out and time.monotonic() - started < 20
    assert signal.Signals(result.signal) == signal.SIGKILL
