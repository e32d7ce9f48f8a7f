"""A real `autograder serve` / `autograder worker` process on loopback, always stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

AUTOGRADER = str(Path(sys.executable).parent / "autograder")
INSTRUCTOR = "instructor-test-token-0123456789"
WAIT = 120.0


def wait_healthy(url: str, alive: Callable[[], bool], tail: Callable[[], str],
                 timeout: float) -> None:
    """Until GET url/health answers 200; RuntimeError with the log's tail if the process
    exits or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"the server exited:\n{tail()}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not start in {timeout:.0f} s:\n{tail()}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_env(data_dir: Path, **settings: object) -> dict[str, str]:
    env = dict(os.environ)
    env = {k: v for k, v in env.items() if not k.startswith("AUTOGRADER_")}
    env["AUTOGRADER_DATA_DIR"] = str(data_dir)
    env["AUTOGRADER_INSTRUCTOR_TOKEN"] = INSTRUCTOR
    env["AUTOGRADER_CELL_TIMEOUT"] = "30"
    env["AUTOGRADER_NOTEBOOK_TIMEOUT"] = "90"
    env["AUTOGRADER_MEMORY_MB"] = "1024"
    env["AUTOGRADER_ALLOW_PUBLIC_SEED"] = "1"  # tests grade on the public seed, knowingly
    for key, value in settings.items():
        env[f"AUTOGRADER_{key.upper()}"] = str(value)
    return env


class Proc:
    """A service process in its own process group (its sandboxes die with it)."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path):
        self.log = log
        self._out = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(argv, env=env, stdout=self._out, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass
        try:
            self.popen.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)
        self._out.close()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


class Server(Proc):
    def __init__(self, data_dir: Path, workers: int = 2, env: dict[str, str] | None = None,
                 **settings: object):
        """env: more environment variables (TMPDIR, PYTHONPATH, ...)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__([AUTOGRADER, "serve", "--port", str(self.port),
                          "--workers", str(workers)],
                         {**service_env(data_dir, **settings), **(env or {})},
                         data_dir.parent / "serve.log")
        self.wait_ready()

    def wait_ready(self) -> None:
        try:
            wait_healthy(self.url, self.alive, self.tail, WAIT)
        except RuntimeError:
            self.stop()
            raise

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


class WorkerProc(Proc):
    def __init__(self, data_dir: Path, name: str, **settings: object):
        super().__init__([AUTOGRADER, "worker", "--workers", "1"],
                         service_env(data_dir, **settings), data_dir.parent / f"{name}.log")


def issue_tokens(data_dir: Path, students: list[str]) -> dict[str, str]:
    roster = data_dir.parent / "roster.csv"
    roster.write_text("student\n" + "\n".join(students) + "\n")
    out = data_dir.parent / "tokens.csv"
    subprocess.run([AUTOGRADER, "tokens", str(roster), "--out", str(out)],
                   env=service_env(data_dir), check=True, timeout=60)
    assert out.stat().st_mode & 0o777 == 0o600
    lines = out.read_text().splitlines()[1:]
    return dict(line.split(",", 1) for line in lines)


def wait_for(client: httpx.Client, submission_id: str, states=("done", "failed"),
             timeout: float = WAIT) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/submissions/{submission_id}").json()
        if body.get("status") in states:
            return body
        time.sleep(0.1)
    raise AssertionError(f"submission {submission_id} not {states} in {timeout} s: {body}")
