"""The Docker backend: one throw-away container per run, through the Docker SDK.

Talks to the daemon socket (``DOCKER_HOST`` or /var/run/docker.sock), so it works on the host
and from inside a container that has the socket mounted. The image is ``cs224n/kernel:latest``
(``docker/kernel.Dockerfile``), the setting ``sandbox_image`` (``AUTOGRADER_SANDBOX_IMAGE``).

One container per run, no volume and no helper container: the job goes in and comes out
through the container's own streams (Docker's attach socket), which costs one container start
instead of two plus four archive copies. Per run:

1. the sandbox container is created: network "none", memory = memory+swap, pids_limit,
   read-only root, ``/job`` (``scratch_bytes``), ``/opt/grader`` and ``/tmp`` size- and
   inode-limited tmpfs mounts of its own, no-new-privileges, ulimits, an init (docker-init),
   ``cap_drop=ALL`` but for the few capabilities the bootstrap below needs (the job and
   runtime files now live in the container's own tmpfs, so they count toward its memory
   limit; pids_limit counts the init and the bootstrap on top of the command's ``pids``);
2. the host attaches to its stdin/stdout/stderr, starts it and writes a request on its stdin:
   the command, the rlimits, a tar of the job and one of the runtime files;
3. the container's command is :func:`_bootstrap` (code of this module, never the student's),
   run by the image's Python as root with ``-I -S`` (no import from the job or the
   environment). It extracts the tars (the job owned by uid 1001; the runtime files root-owned,
   0644/0755, so read-only for the command), then forks: the child drops to uid/gid 1001 (no
   supplementary groups: every capability is gone; no_new_privs holds), sets the rlimits and
   execs the command with stdin /dev/null and stdout/stderr on pipes, holding no other
   descriptor. The parent keeps the pipes' tails, waits, kills whatever the command left
   (``kill(-1)``) and writes the one answer on its stdout: a header (exit status, OOM kills,
   the tails) and a tar of ``/job``. The command (uid 1001) can neither write to the parent's
   stdout, signal or trace it (root, ``/proc/<pid>/fd`` denied), nor the init's;
4. the host reads the answer with bounds (the frame checked before parsing; the tar through
   :func:`autograder.sandbox.files.extract_tar_stream`, bounded by ``scratch_bytes``). On the
   wall-clock limit it sends SIGTERM (the init passes it to the bootstrap, which kills the
   command and still answers: the job's files, e.g. the runner's progress, come back), then
   SIGKILL after :data:`TERM_GRACE` seconds;
5. the container is removed, always (even on errors).
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import math
import os
import resource
import socket
import struct
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.sandbox.base import (
    GRADER_DIR,
    JOB_DIR,
    OUTPUT_TAIL_BYTES,
    Limits,
    RunResult,
    Sandbox,
    SandboxUnavailable,
    killed_reason,
    sandbox_env,
    split_status,
)
from autograder.sandbox.files import MAX_FILES, extract_tar_stream, files_tar, job_tar, tail_text
from autograder.settings import SandboxSettings, declared_default

log = logging.getLogger(__name__)

DEFAULT_IMAGE: str = declared_default("sandbox_image")
LABEL = "org.cs224n.sandbox"
"""Label on every container (and, from older versions, volume) this backend makes."""
OWNER_LABEL = "org.cs224n.sandbox.owner"
"""``host:pid`` of the grader process that made a container."""
EXPIRES_LABEL = "org.cs224n.sandbox.expires"
"""Unix time after which no grader still uses it: the run's wall limit plus EXPIRY_MARGIN.
Leftovers of a grader on another host (a killed worker container) are found by this."""
EXPIRY_MARGIN = 600.0
REAP_EVERY = 300.0
"""Seconds between two looks for leftovers (the first run of a process always looks)."""

SANDBOX_UID = 1001
"""The ``student`` user of the kernel image."""

LOG_MAX_SIZE = "1m"
"""json-file log rotation: what the daemon keeps of stdout+stderr (two files of this size)."""

TERM_GRACE = 5.0
"""Seconds the bootstrap has after SIGTERM (the wall-clock limit) to kill the command and
start its answer, before the container is killed (then nothing of /job comes back)."""
SEND_TIMEOUT = 60.0
"""Seconds the request (the job) may take to go into the container."""
COPY_TIMEOUT = 120.0
"""Seconds the tar of /job may take to come back once the answer started."""

CAPABILITIES = ["CHOWN", "DAC_READ_SEARCH", "KILL", "SETGID", "SETUID"]
"""What the bootstrap (root) keeps: give the job to uid 1001 (CHOWN), read back what the
command made whatever its modes (DAC_READ_SEARCH), kill the command's leftovers (KILL), drop
to uid 1001 (SETGID, SETUID). The command has none of them: setuid clears them all."""

REQUEST_MAGIC = b"CS224N-REQUEST1\n"
ANSWER_MAGIC = b"CS224N-ANSWER-1\n"
_ANSWER_HEAD = struct.Struct(">16sIII")
"""The answer's fixed header: magic, then the sizes of the JSON, stdout tail, stderr tail."""
MAX_META = 4096
MAX_FRAME = 16 * 1024 * 1024
"""Largest frame of Docker's attach stream accepted (the daemon sends at most 32 KiB)."""

_PATH = "/opt/venv/bin:/usr/local/bin:/usr/bin:/bin"
_BUILD_HINT = ("build it: bash docker/build.sh --dockerfile docker/kernel.Dockerfile "
               "--tag cs224n/kernel:latest [--base cs224n/base:bookworm]")


def _sdk() -> Any:
    """The Docker SDK module, or SandboxUnavailable if it is not installed."""
    try:
        import docker  # the SDK; this module is autograder.sandbox.docker
    except ImportError as exc:
        raise SandboxUnavailable("the Docker SDK is not installed (pip install 'docker>=7')") \
            from exc
    return docker


class DockerSandbox(Sandbox):
    """Runs commands in a hardened, network-less container of the kernel image."""

    name = "docker"
    reap_every = REAP_EVERY

    def __init__(self, image: str | None = None, *, client: Any = None,
                 settings: SandboxSettings | None = None) -> None:
        """``image``: default the setting ``sandbox_image`` of ``settings`` (default: read
        from the environment)."""
        self.image = image or (settings if settings is not None
                               else SandboxSettings()).sandbox_image
        self._client = client

    # -- availability --------------------------------------------------------------------------

    def client(self) -> Any:
        """A connected Docker client (cached); SandboxUnavailable when no daemon answers."""
        if self._client is None:
            docker = _sdk()
            try:
                client = docker.from_env(timeout=120)
                client.ping()
            except Exception as exc:  # DockerException, requests' errors, socket errors
                raise SandboxUnavailable(f"no Docker daemon answers: {exc}") from exc
            self._client = client
        return self._client

    def check(self) -> None:
        """Ping the daemon and make sure the kernel image exists."""
        docker = _sdk()
        client = self.client()
        try:
            client.ping()
            client.images.get(self.image)
        except docker.errors.ImageNotFound as exc:
            raise SandboxUnavailable(f"image {self.image} is missing: {_BUILD_HINT}") from exc
        except Exception as exc:
            raise SandboxUnavailable(f"the Docker daemon failed: {exc}") from exc

    def reap(self) -> None:
        """Every REAP_EVERY seconds: the containers and volumes of killed graders."""
        reap_stale(self.client())

    # -- running -------------------------------------------------------------------------------

    def run(
        self,
        job_dir: Path,
        argv: list[str],
        limits: Limits,
        env: dict[str, str] | None = None,
        runtime_files: dict[str, Path] | None = None,
    ) -> RunResult:
        """Run ``argv`` in a fresh container; see :class:`autograder.sandbox.base.Sandbox`."""
        job_dir, files = self.start_run(job_dir, argv, runtime_files)
        docker = _sdk()
        client = self.client()
        run_id = f"cs224n-sandbox-{uuid.uuid4().hex[:12]}"
        job, manifest = job_tar(job_dir, SANDBOX_UID, SANDBOX_UID)
        grader = files_tar(files, GRADER_DIR) if files else b""
        request = _request(argv, limits, job, grader)
        options = _container_options(docker, limits, len(grader), sandbox_env(env, path=_PATH))
        made: list[Any] = []  # containers, removed at the end
        streams: list[_Attached] = []
        try:
            def attach(box: Any) -> None:
                streams.append(_Attached.to(client, box))

            box, started = _create_and_start(client, self.image, run_id, options, made,
                                             before_start=attach)
            stream = streams[-1]
            stream.send(request, SEND_TIMEOUT)
            answer, timed_out, wall = _read_answer(box, stream, limits, started)
            if answer is None:
                return _no_answer(box, stream, argv, timed_out, wall)

            stream.deadline = time.monotonic() + COPY_TIMEOUT
            stats = extract_tar_stream(stream.rest(), job_dir, "job", limits.scratch_bytes,
                                       manifest)
            log.debug("copied back %d files, %d bytes (%d skipped)",
                      stats.files, stats.bytes, stats.skipped)
            oom_kills = answer.oom_kills
            if oom_kills is None:  # the kernel does not say inside: ask the daemon
                stream.close()  # a tar cut short: the bootstrap can end
                oom_kills = int(_oom_killed(box))

            exit_code, sig = split_status(answer.status)
            if timed_out:
                exit_code, sig = None, sig or 9
            # an OOM kill of a child the program survived is not why the program stopped
            reason = killed_reason(timed_out=timed_out, sig=sig, stderr_tail=answer.stderr,
                                   output_full=False,
                                   oom_killed=oom_kills > 0 and answer.status != 0)
            log.info("docker run %s: exit=%s signal=%s reason=%s oom_kills=%d in %.2fs",
                     argv[:2], exit_code, sig, reason, oom_kills, wall)
            return RunResult(exit_code=exit_code, signal=sig, timed_out=timed_out,
                             wall_seconds=wall, killed_reason=reason,
                             stdout=answer.stdout, stderr=answer.stderr, oom_kills=oom_kills)
        except docker.errors.DockerException as exc:
            raise SandboxUnavailable(f"docker failed during the run: {exc}") from exc
        finally:
            for stream in streams:
                stream.close()
            _remove_all(made)


# -- the container ---------------------------------------------------------------------------


def _container_options(docker: Any, limits: Limits, grader_bytes: int,
                       environment: dict[str, str]) -> dict[str, Any]:
    """Everything of the sandbox container but its image and name."""
    grader_size = grader_bytes * 2 + 4 * 1024 * 1024
    inodes = f"nr_inodes={2 * MAX_FILES}"
    # the container's rlimits bind the bootstrap: large enough for the job's files and for
    # reading the command's output all through the wall clock; the command gets the exact
    # (lower) ones from the bootstrap, and cannot raise them
    file_cap = max(limits.file_bytes, limits.scratch_bytes, grader_size)
    cpu = max(int(limits.cpu_seconds) + 5, math.ceil(limits.wall_seconds) + 60)
    Ulimit = docker.types.Ulimit
    return dict(
        command=["python3", "-I", "-S", "-c", _bootstrap_code()],
        user="0:0",
        working_dir="/",
        environment=environment,
        hostname="sandbox",
        labels=_labels("run", limits),
        tmpfs={
            JOB_DIR: f"size={limits.scratch_bytes},{inodes},mode=0755,exec,nosuid,nodev",
            GRADER_DIR: f"size={grader_size},{inodes},mode=0755,exec,nosuid,nodev",
            "/tmp": f"size={limits.scratch_bytes},mode=1777,nosuid,nodev",
        },
        log_config=docker.types.LogConfig(
            type="json-file", config={"max-size": LOG_MAX_SIZE, "max-file": "2"}),
        ulimits=[
            Ulimit(name="fsize", soft=file_cap, hard=file_cap),
            Ulimit(name="nofile", soft=max(limits.open_files, 64),
                   hard=max(limits.open_files, 64)),
            Ulimit(name="cpu", soft=cpu, hard=cpu),
            Ulimit(name="core", soft=0, hard=0),
        ],
        network_mode="none",
        mem_limit=limits.memory_bytes,
        memswap_limit=limits.memory_bytes,
        pids_limit=limits.pids + 2,  # the init and the bootstrap
        read_only=True,
        cap_drop=["ALL"],
        cap_add=list(CAPABILITIES),
        security_opt=["no-new-privileges"],
        ipc_mode="none",  # no /dev/shm: only /job and /tmp are writable, as with bwrap
        # an init (docker-init) as pid 1: the program then gets SIGXCPU and friends, which
        # the kernel never delivers by default action to a namespace's pid 1
        init=True,
        stdin_open=True,  # and StdinOnce (the SDK sets it): the host's shutdown closes it
        tty=False,
    )


def _child_rlimits(limits: Limits) -> list[tuple[int, int, int]]:
    """The command's rlimits: those of :meth:`Limits.rlimits` but the address space (the
    container's memory limit binds the processes together instead)."""
    return [r for r in limits.rlimits() if r[0] != resource.RLIMIT_AS]


def _request(argv: list[str], limits: Limits, job: bytes, grader: bytes) -> bytes:
    """What the host writes on the bootstrap's stdin: magic, config (JSON), then each tar,
    each with its length first."""
    config = json.dumps({
        "argv": list(argv), "uid": SANDBOX_UID, "rlimits": _child_rlimits(limits),
        "tail": OUTPUT_TAIL_BYTES, "budget": limits.scratch_bytes,
        "entries": MAX_FILES + 1, "job": JOB_DIR, "grader": GRADER_DIR,
    }).encode()
    return b"".join([REQUEST_MAGIC, struct.pack(">I", len(config)), config,
                     struct.pack(">Q", len(job)), job, struct.pack(">Q", len(grader)), grader])


@functools.cache
def _bootstrap_code() -> str:
    """The container's program: :func:`_bootstrap`'s source and a call to it."""
    return inspect.getsource(_bootstrap) + "\n_bootstrap()\n"


def _bootstrap() -> None:
    """Runs as root in the container (``python3 -I -S -c``; only the standard library).

    Reads the request (see :func:`_request`) from stdin, extracts the job (uid 1001) and the
    runtime files (root, read-only for others), runs the command as uid 1001 and writes the
    answer: ``ANSWER_MAGIC``, the sizes, a JSON ``{"status", "oom_kills"}`` (status: the exit
    code, or minus the signal), the stdout and stderr tails, then a tar of /job (regular files
    and folders, at most ``budget`` bytes of files, names under ``job/``).
    """
    import json
    import os
    import resource
    import select
    import signal
    import stat
    import struct
    import sys
    import tarfile
    import time

    if os.getppid() != 1:  # kill(-1) below: never anywhere but under a container's init
        raise SystemExit("sandbox bootstrap: runs only as the container's command")
    child = 0

    def on_term(signum: int, frame: object) -> None:
        if not child:  # the job is not in yet: no answer
            os._exit(143)
        kill_all(once=True)

    signal.signal(signal.SIGTERM, on_term)

    def kill_all(once: bool = False) -> None:
        """SIGKILL every process but the init and this one, until none is left."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:  # ESRCH: none left
                return
            if once:
                return
            time.sleep(0.002)

    class Part:
        """The next ``left`` bytes of stdin, as a file for tarfile."""

        def __init__(self, left: int) -> None:
            self.left = left

        def read(self, n: int = -1) -> bytes:
            n = self.left if n < 0 else min(n, self.left)
            data = bytearray()
            while len(data) < n:
                chunk = os.read(0, min(n - len(data), 1 << 20))
                if not chunk:
                    raise EOFError("the request ended early")
                data += chunk
            self.left -= n
            return bytes(data)

    def extract(part: Part, root: str) -> None:
        """A tar made by the host into ``root``: folders and regular files, owners and
        modes as given (set last, so that root writes into its own folders)."""
        folders = []
        if part.left:
            with tarfile.open(fileobj=part, mode="r|") as tar:
                for member in tar:
                    name = member.name
                    if name.startswith("/") or ".." in name.split("/"):
                        raise ValueError(f"bad name in the request: {name!r}")
                    path = os.path.join(root, name)
                    mode = member.mode & 0o777
                    if member.isdir():
                        os.makedirs(path, mode=0o700, exist_ok=True)
                        folders.append((path, member))
                    elif member.isreg():
                        src = tar.extractfile(member)
                        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                        with open(os.open(path, flags, 0o600), "wb") as out:
                            while chunk := src.read(1 << 20):
                                out.write(chunk)
                            out.flush()
                            os.utime(out.fileno(), (member.mtime, member.mtime))
                            os.fchmod(out.fileno(), mode)
                            os.fchown(out.fileno(), member.uid, member.gid)
        part.read()  # the tar's padding
        for path, member in reversed(folders):
            os.utime(path, (member.mtime, member.mtime))
            os.chmod(path, member.mode & 0o777)
            os.chown(path, member.uid, member.gid)

    stdin = Part(len(b"CS224N-REQUEST1\n") + 4)
    head = stdin.read()
    if head[:16] != b"CS224N-REQUEST1\n":
        raise SystemExit("sandbox bootstrap: not a request")
    config = json.loads(Part(struct.unpack(">I", head[16:])[0]).read())
    uid, argv = config["uid"], config["argv"]
    extract(Part(struct.unpack(">Q", Part(8).read())[0]), config["job"])
    extract(Part(struct.unpack(">Q", Part(8).read())[0]), config["grader"])
    os.chown(config["job"], uid, uid)

    # SIGCHLD wakes the loop below through this pipe (set before the fork: no exit is missed)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE, signal.SIGXFSZ):
                signal.signal(sig, signal.SIG_DFL)
            null = os.open("/dev/null", os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            # nothing of the parent's: not its stdout, not its stdin
            os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
            try:  # the OOM killer takes the command's processes before the bootstrap
                with open("/proc/self/oom_score_adj", "w") as adj:
                    adj.write("1000")
            except OSError:
                pass
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)  # every capability is gone from here on
            for res, soft, hard in config["rlimits"]:
                resource.setrlimit(res, (soft, hard))
            os.chdir(config["job"])
            os.execvpe(argv[0], argv, os.environ)
        except BaseException as exc:  # reported as the command's stderr
            os.write(2, f"sandbox: cannot run {argv[0]!r}: {exc}\n".encode())
        os._exit(127)

    os.close(out_w)
    os.close(err_w)
    tail = config["tail"]
    tails = {out_r: bytearray(), err_r: bytearray()}
    pipes = [out_r, err_r]
    status = None
    drain_until = 0.0
    while status is None or pipes:
        if status is None:
            ready = select.select([*pipes, wake_r], [], [])[0]
        else:
            left = drain_until - time.monotonic()
            ready = select.select(pipes, [], [], max(0.0, left))[0] if left > 0 else []
            if not ready:
                break
        for fd in ready:
            if fd == wake_r:
                os.read(wake_r, 4096)
                continue
            data = os.read(fd, 1 << 16)
            if not data:
                pipes.remove(fd)
                continue
            tails[fd] += data
            del tails[fd][:-tail]
        if status is None:
            pid, waited = os.waitpid(child, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(waited)
                kill_all()  # what the command left: its pipes then close
                drain_until = time.monotonic() + 2

    oom_kills = None
    for path in ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"):
        try:
            with open(path) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        oom_kills = int(value)
        except (OSError, ValueError):
            continue
        if oom_kills is not None:
            break

    out = os.fdopen(1, "wb", buffering=1 << 16, closefd=False)
    meta = json.dumps({"status": status, "oom_kills": oom_kills}).encode()
    stdout, stderr = bytes(tails[out_r]), bytes(tails[err_r])
    out.write(b"CS224N-ANSWER-1\n" + struct.pack(">III", len(meta), len(stdout), len(stderr))
              + meta + stdout + stderr)

    class Exact:
        """Exactly ``left`` bytes of a file (zeros if it shrank meanwhile)."""

        def __init__(self, fd: int, left: int) -> None:
            self.fd, self.left = fd, left

        def read(self, n: int = -1) -> bytes:
            n = self.left if n < 0 else min(n, self.left)
            data = os.read(self.fd, n) if n else b""
            data += bytes(n - len(data))
            self.left -= n
            return data

    root, budget, entries = config["job"], config["budget"], config["entries"]
    try:
        with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            stack = [""]
            while stack and entries > 0:
                rel = stack.pop()
                try:
                    names = sorted(os.listdir(os.path.join(root, rel)))
                except OSError:
                    continue
                for name in names:
                    if entries <= 0:
                        break
                    sub = f"{rel}/{name}" if rel else name
                    try:
                        sub.encode("utf-8")
                        st = os.lstat(os.path.join(root, sub))
                    except (UnicodeError, OSError):
                        continue
                    info = tarfile.TarInfo(f"job/{sub}")
                    info.mtime, info.mode = st.st_mtime, st.st_mode & 0o777
                    if stat.S_ISDIR(st.st_mode):
                        info.type = tarfile.DIRTYPE
                        tar.addfile(info)
                        stack.append(sub)
                        entries -= 1
                    elif stat.S_ISREG(st.st_mode) and st.st_size <= budget:
                        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                        try:
                            fd = os.open(os.path.join(root, sub), flags)
                        except OSError:
                            continue
                        try:
                            st = os.fstat(fd)
                            if not stat.S_ISREG(st.st_mode) or st.st_size > budget:
                                continue
                            info.size = st.st_size
                            tar.addfile(info, Exact(fd, st.st_size))
                            budget -= st.st_size
                            entries -= 1
                        finally:
                            os.close(fd)
        out.flush()
    except BrokenPipeError:  # the host stopped reading
        pass
    sys.exit(0)


# -- the host's side of the streams ----------------------------------------------------------


class AnswerError(OSError):
    """The container's answer is cut short or not what the bootstrap writes."""


@dataclass
class Answer:
    """The bootstrap's answer header."""

    status: int
    """The command's exit code, or minus the signal that ended it."""
    oom_kills: int | None
    stdout: str
    stderr: str


class _Attached:
    """Docker's attach stream of one container: the request goes in, the answer comes out.

    Without a TTY the daemon frames the output: 8 bytes (stream 1 stdout / 2 stderr, three
    zero bytes, the payload size big-endian) then the payload. Stdout carries the answer;
    stderr holds only the bootstrap's own errors (kept, bounded, for the message). Reads stop
    at :attr:`deadline` (:class:`TimeoutError`) and resume where they stopped.
    """

    def __init__(self, sock: Any, closer: Callable[[], None] | None = None) -> None:
        self.sock = sock
        self.deadline = math.inf
        self.errors = b""
        self._closer = closer
        self._raw = bytearray()
        self._out = bytearray()
        self._eof = False

    @classmethod
    def to(cls, client: Any, box: Any) -> _Attached:
        """Attach to a created (not yet started) container's stdin, stdout and stderr."""
        sock = client.api.attach_socket(
            box.id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
        raw = getattr(sock, "_sock", sock)  # the socket under the SDK's SocketIO

        def close() -> None:
            for obj in (sock, raw, getattr(sock, "_response", None)):
                try:
                    if obj is not None:
                        obj.close()
                except Exception as exc:  # closing a dead connection
                    log.debug("closing the attach socket: %s", exc)

        return cls(raw, close)

    def close(self) -> None:
        if self._closer is not None:
            self._closer()

    def send(self, data: bytes, timeout: float) -> None:
        """Write the request, then close the container's stdin (its end of the stream). A
        container that stopped reading is noticed by the reader."""
        self.sock.settimeout(timeout)
        try:
            self.sock.sendall(data)
            self.sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            log.info("the sandbox stopped reading its request: %s", exc)

    # -- reading -------------------------------------------------------------------------------

    def _fill(self, n: int) -> bool:
        """Receive until ``n`` raw bytes are buffered; False at the end of the stream."""
        while len(self._raw) < n:
            if self._eof:
                return False
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the sandbox's answer did not come in time")
            self.sock.settimeout(min(left, 3600.0))
            try:
                data = self.sock.recv(1 << 16)
            except TimeoutError:
                continue
            except OSError as exc:  # the connection broke: the stream ends here
                log.warning("the sandbox's stream broke: %s", exc)
                data = b""
            if data:
                self._raw += data
            else:
                self._eof = True
        return True

    def _payload(self) -> bytes | None:
        """The next stdout payload, None at the end of the stream."""
        while True:
            if not self._fill(8):
                if self._raw:
                    raise AnswerError("the stream ended inside a frame header")
                return None
            kind, size = self._raw[0], int.from_bytes(self._raw[4:8], "big")
            if kind not in (1, 2) or self._raw[1:4] != b"\0\0\0" or size > MAX_FRAME:
                raise AnswerError(f"not a frame of Docker's stream: {bytes(self._raw[:8])!r}")
            if not self._fill(8 + size):
                raise AnswerError("the stream ended inside a frame")
            payload = bytes(self._raw[8:8 + size])
            del self._raw[:8 + size]
            if kind == 1:
                return payload
            self.errors = (self.errors + payload)[-4096:]

    def _peek(self, n: int) -> bytes:
        while len(self._out) < n:
            payload = self._payload()
            if payload is None:
                raise AnswerError("the answer ended early" if self._out else "no answer")
            self._out += payload
        return bytes(self._out[:n])

    def answer(self) -> Answer:
        """The answer's header, checked before it is parsed; nothing is taken from the
        stream unless it is whole (a timeout can be retried)."""
        magic, meta_len, out_len, err_len = _ANSWER_HEAD.unpack(self._peek(_ANSWER_HEAD.size))
        if magic != ANSWER_MAGIC:
            raise AnswerError(f"not an answer: {magic!r}")
        if meta_len > MAX_META or out_len > OUTPUT_TAIL_BYTES or err_len > OUTPUT_TAIL_BYTES:
            raise AnswerError(f"answer sizes out of bounds: {meta_len}, {out_len}, {err_len}")
        size = _ANSWER_HEAD.size + meta_len + out_len + err_len
        data = self._peek(size)
        at = _ANSWER_HEAD.size
        try:
            meta = json.loads(data[at:at + meta_len])
        except ValueError as exc:
            raise AnswerError(f"the answer's header is not JSON: {exc}") from exc
        status = meta.get("status") if isinstance(meta, dict) else None
        oom = meta.get("oom_kills") if isinstance(meta, dict) else None
        if type(status) is not int or not -64 <= status <= 255 or \
                not (oom is None or (type(oom) is int and oom >= 0)):
            raise AnswerError(f"the answer's header is not valid: {meta!r}")
        at += meta_len
        stdout = tail_text(data[at:at + out_len])
        stderr = tail_text(data[at + out_len:size])
        del self._out[:size]
        return Answer(status=status, oom_kills=oom, stdout=stdout, stderr=stderr)

    def rest(self) -> Iterator[bytes]:
        """What follows the header on stdout (the tar of /job), to the end of the stream."""
        if self._out:
            yield bytes(self._out)
            self._out.clear()
        while (payload := self._payload()) is not None:
            yield payload


def _read_answer(box: Any, stream: _Attached, limits: Limits, started: float
                 ) -> tuple[Answer | None, bool, float]:
    """(the answer or None, timed out, wall seconds): the wall-clock limit sends SIGTERM (the
    bootstrap then still answers), TERM_GRACE later SIGKILL."""
    stream.deadline = started + limits.wall_seconds
    timed_out, wall = False, 0.0
    for stage in ("run", "term", "kill"):
        try:
            answer = stream.answer()
            return answer, timed_out, wall if timed_out else time.monotonic() - started
        except TimeoutError:
            if stage == "run":
                timed_out, wall = True, time.monotonic() - started
                log.info("wall-clock limit of %.1fs reached: stopping the container",
                         limits.wall_seconds)
                _signal(box, "SIGTERM")
                stream.deadline = time.monotonic() + TERM_GRACE
            elif stage == "term":
                log.warning("the sandbox did not answer %.0fs after SIGTERM: killing it",
                            TERM_GRACE)
                _signal(box, "SIGKILL")
                stream.deadline = time.monotonic() + 60
        except AnswerError as exc:
            log.warning("the sandbox's answer is unusable: %s", exc)
            break
    return None, timed_out, wall or time.monotonic() - started


def _no_answer(box: Any, stream: _Attached, argv: list[str], timed_out: bool, wall: float
               ) -> RunResult:
    """The result when the bootstrap gave no (whole) answer: a timeout or the OOM killer
    (it may take the bootstrap too) say so; anything else is the sandbox failing."""
    oom = _oom_killed(box)
    if not (timed_out or oom):
        errors = tail_text(stream.errors, 1024).strip()
        raise SandboxUnavailable("the Docker sandbox gave no answer"
                                 + (f": {errors}" if errors else ""))
    reason = "timeout" if timed_out else "memory"
    log.info("docker run %s: no answer (%s) in %.2fs", argv[:2], reason, wall)
    return RunResult(exit_code=None, signal=9, timed_out=timed_out, wall_seconds=wall,
                     killed_reason=reason, stdout="", stderr="", oom_kills=int(oom))


def _signal(box: Any, sig: str) -> None:
    try:
        box.kill(signal=sig)
    except Exception as exc:  # it may have ended meanwhile
        log.debug("kill %s: %s", sig, exc)


def _oom_killed(box: Any) -> bool:
    """Whether the daemon saw the OOM killer in the container (once it has stopped)."""
    try:
        box.wait(timeout=60)
        box.reload()
    except Exception as exc:
        log.warning("could not inspect the sandbox container: %s", exc)
        return False
    return bool(box.attrs.get("State", {}).get("OOMKilled"))


# -- leftovers -------------------------------------------------------------------------------


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _labels(role: str, limits: Limits) -> dict[str, str]:
    expires = time.time() + limits.wall_seconds + EXPIRY_MARGIN
    return {LABEL: role, OWNER_LABEL: _owner(), EXPIRES_LABEL: str(int(expires))}


def reap_stale(client: Any) -> None:
    """Remove containers and volumes left by dead graders (best effort): those of this host
    whose grader process is gone, and any, from whichever host, past their expiry. (Runs no
    longer make volumes; older versions' are still swept.)"""
    host, now = socket.gethostname(), time.time()

    def stale(labels: dict[str, str] | None) -> bool:
        labels = labels or {}
        expires = labels.get(EXPIRES_LABEL, "")
        if expires.isdigit() and int(expires) < now:
            return True
        owner_host, _, pid = labels.get(OWNER_LABEL, "").rpartition(":")
        if owner_host != host or not pid.isdigit() or int(pid) == os.getpid():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    try:
        # sparse: only ids and labels, so a container another grader removes meanwhile is
        # no error; each removal is tried on its own
        containers = client.containers.list(all=True, sparse=True, filters={"label": LABEL})
        volumes = client.volumes.list(filters={"label": LABEL})
    except Exception as exc:
        log.warning("could not look for stale sandbox containers: %s", exc)
        return
    for container in containers:
        if stale(container.attrs.get("Labels")):
            _remove_stale(container, container.id[:12])
    for volume in volumes:
        if stale(volume.attrs.get("Labels")):
            _remove_stale(volume, volume.name)


def _remove_stale(obj: Any, name: str) -> None:
    log.warning("removing the stale sandbox container or volume %s", name)
    try:
        obj.remove(force=True)
    except Exception as exc:  # gone meanwhile, or still in use: the next reap tries again
        log.info("could not remove %s: %s", name, exc)


def _remove_all(made: list[Any]) -> None:
    """Remove containers (forcibly); log, never raise."""
    for obj in made:
        try:
            obj.remove(force=True, v=False)
        except Exception as exc:
            log.warning("could not remove %s: %s", getattr(obj, "name", obj), exc)


def _create_and_start(client: Any, image: str, run_id: str, options: dict[str, Any],
                      made: list[Any], attempts: int = 3,
                      before_start: Callable[[Any], None] | None = None) -> tuple[Any, float]:
    """Create and start the sandbox container: (container, monotonic start time).

    ``before_start(container)`` runs between the two (the attach, which must come first).
    Docker 20.10 under load sometimes fails a start although nothing of the submission has
    run yet ("cannot start a stopped process", or "already running" for a container that did
    start). A container past "created" counts as started; one that never started is removed
    and made afresh, up to ``attempts`` times.
    """
    docker = _sdk()
    for attempt in range(1, attempts + 1):
        name = run_id if attempt == 1 else f"{run_id}-{attempt}"
        box = client.containers.create(image, name=name, **options)
        made.insert(0, box)
        if before_start is not None:
            before_start(box)
        start = time.monotonic()
        try:
            box.start()
            return box, start
        except docker.errors.APIError as exc:
            box.reload()
            if _has_started(box):
                log.debug("start reported %s, but the container is %s", exc, box.status)
                return box, start
            if attempt == attempts:
                raise
            log.warning("docker could not start the sandbox (attempt %d of %d): %s",
                        attempt, attempts, exc)
            made.remove(box)
            _remove_all([box])
            time.sleep(0.5 * attempt)
    raise AssertionError("unreachable")


def _has_started(box: Any) -> bool:
    """Whether the daemon ever started the container (its StartedAt is set)."""
    state = box.attrs.get("State", {})
    started_at = str(state.get("StartedAt") or "")
    return bool(state.get("Running")) or (bool(started_at) and not started_at.startswith("0001"))


__all__ = ["DEFAULT_IMAGE", "DockerSandbox", "OUTPUT_TAIL_BYTES"]
