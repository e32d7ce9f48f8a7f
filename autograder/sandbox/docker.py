"""The Docker backend: one throw-away container per run, through the Docker SDK.

Talks to the daemon socket (``DOCKER_HOST`` or /var/run/docker.sock), so it works on the host
and from inside a container that has the socket mounted. The image is ``cs224n/kernel:latest``
(``docker/kernel.Dockerfile``), the setting ``sandbox_image`` (``AUTOGRADER_SANDBOX_IMAGE``).

Docker copies files in and out (put_archive / get_archive) only through the container's root
file system or its *volumes*: not through tmpfs mounts, and not into a read-only root. So
``/job`` and ``/opt/grader`` are per-run volumes backed by size-limited tmpfs, and a tiny
"io" container (same hardening, only ``sleep``) holds them mounted for the whole run, so their
contents outlive the sandboxed process. Per run:

1. two tmpfs volumes (``/job``: ``scratch_bytes``, owned by uid 1001; ``/opt/grader``);
2. the io container mounts both; ``put_archive`` fills them (job files, runtime files);
3. the sandbox container: network "none", user 1001, memory = memory+swap, pids_limit,
   read-only root, tmpfs /tmp, the volumes (/opt/grader read-only), ``cap_drop=ALL``,
   no-new-privileges, ulimits (fsize, nofile, cpu, core); ``wait(timeout)``, killed on timeout;
4. ``get_archive('/job')`` from the io container, extracted safely and bounded into job_dir;
5. containers and volumes are removed, always (even on errors).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
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
"""Label on every container and volume this backend makes (for finding leftovers)."""
OWNER_LABEL = "org.cs224n.sandbox.owner"
"""``host:pid`` of the grader process that made a container or volume."""
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
        environment = sandbox_env(env, path=_PATH)
        docker = _sdk()
        client = self.client()
        run_id = f"cs224n-sandbox-{uuid.uuid4().hex[:12]}"
        made: list[Any] = []  # containers, then volumes, removed in reverse order
        try:
            job_vol, grader_vol = self._volumes(client, run_id, limits, files, made)
            io = self._io_container(client, run_id, limits, job_vol, grader_vol, made)
            tar, manifest = job_tar(job_dir, SANDBOX_UID, SANDBOX_UID)
            if not io.put_archive(JOB_DIR, tar):
                raise SandboxUnavailable("could not copy the job into the container")
            if files and not io.put_archive(GRADER_DIR, files_tar(files, GRADER_DIR)):
                raise SandboxUnavailable("could not copy the runtime files into the container")

            box_options = dict(
                command=list(argv),
                user=f"{SANDBOX_UID}:{SANDBOX_UID}",
                working_dir=JOB_DIR,
                environment=environment,
                hostname="sandbox",
                labels=_labels("run", limits),
                volumes={job_vol.name: {"bind": JOB_DIR, "mode": "rw"},
                         grader_vol.name: {"bind": GRADER_DIR, "mode": "ro"}},
                tmpfs={"/tmp": f"size={limits.scratch_bytes},mode=1777,nosuid,nodev"},
                log_config=docker.types.LogConfig(
                    type="json-file", config={"max-size": LOG_MAX_SIZE, "max-file": "2"}),
                ulimits=self._ulimits(docker, limits),
                # an init (docker-init) as pid 1: the program then gets SIGXCPU and friends,
                # which the kernel never delivers by default action to a namespace's pid 1
                **{**_hardening(limits.memory_bytes, limits.pids + 1), "init": True},
            )
            box, started = _create_and_start(client, self.image, run_id, box_options, made)
            status, oom, timed_out, wall = self._wait(box, limits, started)
            stdout = tail_text(box.logs(stdout=True, stderr=False))
            stderr = tail_text(box.logs(stdout=False, stderr=True))

            stream, _ = io.get_archive(JOB_DIR, chunk_size=1024 * 1024)
            stats = extract_tar_stream(iter(stream), job_dir, "job", limits.scratch_bytes,
                                       manifest)
            log.debug("copied back %d files, %d bytes (%d skipped)",
                      stats.files, stats.bytes, stats.skipped)

            exit_code, sig = split_status(status)
            if timed_out:
                exit_code, sig = None, sig or 9
            # Docker flags OOMKilled when ANY process of the container was killed: a child the
            # program survived is not the program being stopped (as in the bwrap backend)
            reason = killed_reason(timed_out=timed_out, sig=sig, stderr_tail=stderr,
                                   output_full=False, oom_killed=oom and status != 0)
            log.info("docker run %s: exit=%s signal=%s reason=%s in %.2fs",
                     argv[:2], exit_code, sig, reason, wall)
            return RunResult(exit_code=exit_code, signal=sig, timed_out=timed_out,
                             wall_seconds=wall, killed_reason=reason,
                             stdout=stdout, stderr=stderr, oom_kills=int(bool(oom)))
        except docker.errors.DockerException as exc:
            raise SandboxUnavailable(f"docker failed during the run: {exc}") from exc
        finally:
            _remove_all(made)

    # -- the pieces ----------------------------------------------------------------------------

    @staticmethod
    def _volumes(client: Any, run_id: str, limits: Limits, files: dict[str, Path],
                 made: list[Any]) -> tuple[Any, Any]:
        """The /job and /opt/grader volumes, each a size-limited tmpfs."""
        grader_bytes = sum(_size(p) for p in files.values()) * 2 + 4 * 1024 * 1024

        def tmpfs_volume(suffix: str, size: int, uid: int) -> Any:
            opts = (f"size={size},nr_inodes={2 * MAX_FILES},mode=0755,uid={uid},gid={uid},"
                    "nosuid,nodev")
            vol = client.volumes.create(
                name=f"{run_id}-{suffix}", driver="local",
                driver_opts={"type": "tmpfs", "device": "tmpfs", "o": opts},
                labels=_labels(suffix, limits))
            made.append(vol)
            return vol

        return (tmpfs_volume("job", limits.scratch_bytes, SANDBOX_UID),
                tmpfs_volume("grader", grader_bytes, 0))

    def _io_container(self, client: Any, run_id: str, limits: Limits, job_vol: Any,
                      grader_vol: Any, made: list[Any]) -> Any:
        """A container that only sleeps, keeping the tmpfs volumes mounted for the run."""
        options = dict(
            command=["sleep", str(int(limits.wall_seconds) + 600)],
            user=f"{SANDBOX_UID}:{SANDBOX_UID}",
            labels=_labels("io", limits),
            volumes={job_vol.name: {"bind": JOB_DIR, "mode": "rw"},
                     grader_vol.name: {"bind": GRADER_DIR, "mode": "rw"}},
            log_config={"type": "none", "config": {}},
            **_hardening(64 * 1024 * 1024, 4),
        )
        io, _ = _create_and_start(client, self.image, f"{run_id}-io", options, made)
        return io

    @staticmethod
    def _ulimits(docker: Any, limits: Limits) -> list[Any]:
        Ulimit = docker.types.Ulimit
        cpu = int(limits.cpu_seconds)
        return [
            Ulimit(name="fsize", soft=limits.file_bytes, hard=limits.file_bytes),
            Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
            Ulimit(name="cpu", soft=cpu, hard=cpu + 5),
            Ulimit(name="core", soft=0, hard=0),
        ]

    @staticmethod
    def _wait(box: Any, limits: Limits, start: float) -> tuple[int, bool, bool, float]:
        """Wait up to the wall limit, kill on timeout: (status, oom, timed_out, wall)."""
        timed_out = False
        try:
            status = int(box.wait(timeout=limits.wall_seconds)["StatusCode"])
        except Exception as exc:  # requests' ReadTimeout / ConnectionError on timeout
            if time.monotonic() - start < limits.wall_seconds * 0.9:
                raise
            log.info("wall-clock limit of %.1fs reached: killing the container (%s)",
                     limits.wall_seconds, type(exc).__name__)
            timed_out = True
            try:
                box.kill()
            except Exception as kill_exc:  # it may have ended meanwhile
                log.debug("kill: %s", kill_exc)
            status = int(box.wait(timeout=60)["StatusCode"])
        wall = time.monotonic() - start
        box.reload()
        oom = bool(box.attrs.get("State", {}).get("OOMKilled"))
        return status, oom, timed_out, wall


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _labels(role: str, limits: Limits) -> dict[str, str]:
    expires = time.time() + limits.wall_seconds + EXPIRY_MARGIN
    return {LABEL: role, OWNER_LABEL: _owner(), EXPIRES_LABEL: str(int(expires))}


def reap_stale(client: Any) -> None:
    """Remove containers and volumes left by dead graders (best effort): those of this host
    whose grader process is gone, and any, from whichever host, past their expiry."""
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


def _hardening(memory: int, pids: int) -> dict[str, Any]:
    """Container options shared by the sandbox and the io container."""
    return {
        "network_mode": "none",
        "mem_limit": memory,
        "memswap_limit": memory,
        "pids_limit": pids,
        "read_only": True,
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "ipc_mode": "none",  # no /dev/shm: only /job and /tmp are writable, as with bwrap
        "init": False,
        "stdin_open": False,
        "tty": False,
    }


def _size(path: Path) -> int:
    """Bytes in a file or a folder tree (symlinks not followed)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _remove_all(made: list[Any]) -> None:
    """Remove containers (forcibly) then volumes; log, never raise."""
    for obj in made:
        try:
            if hasattr(obj, "kill"):  # a container
                obj.remove(force=True, v=False)
            else:
                obj.remove(force=True)
        except Exception as exc:
            log.warning("could not remove %s: %s", getattr(obj, "name", obj), exc)



def _create_and_start(client: Any, image: str, run_id: str, options: dict[str, Any],
                      made: list[Any], attempts: int = 3) -> tuple[Any, float]:
    """Create and start the sandbox container: (container, monotonic start time).

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
