"""/health: the database and, with queue=celery, the broker; a broker that does not answer
makes the service "degraded" (503) within the ping's short timeout, and the answer is reused
for a few seconds so a burst of /health requests is not a burst of pings."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from autograder.service import health
from tests.autograder.service.inprocess import running, settings_for
from tests.autograder.service.server import INSTRUCTOR


class FakeRedis:
    """Answers RESP commands on 127.0.0.1: PING with PONG, anything else with OK; counts PINGs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"redis://127.0.0.1:{self.sock.getsockname()[1]}/0"
        self.pings = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        with conn:
            while (line := reader.readline()).startswith(b"*"):
                args = []
                for _ in range(int(line[1:])):
                    size = int(reader.readline()[1:])
                    args.append(reader.read(size + 2)[:-2])
                if args and args[0].upper() == b"PING":
                    self.pings += 1
                    conn.sendall(b"+PONG\r\n")
                elif args and args[0].upper() == b"HELLO":  # RESP3 handshake: proto 3
                    conn.sendall(b"%1\r\n+proto\r\n:3\r\n")
                else:
                    conn.sendall(b"+OK\r\n")

    def close(self) -> None:
        self.sock.close()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{s.getsockname()[1]}/0"


def test_sql_queue_health_is_the_database(tmp_path):
    with running(settings_for(tmp_path)) as url:
        r = httpx.get(f"{url}/health")
        assert (r.status_code, r.json()) == (200, {"status": "ok", "database": "ok"})
        r = httpx.get(f"{url}/health", headers={"Authorization": f"Bearer {INSTRUCTOR}"})
        assert r.json()["jobs"] == {} or isinstance(r.json()["jobs"], dict)


def test_a_broker_that_answers_is_ok(tmp_path):
    redis = FakeRedis()
    try:
        settings = settings_for(tmp_path, queue="celery", broker_url=redis.url)
        with running(settings) as url:
            r = httpx.get(f"{url}/health")
            assert r.status_code == 200, r.text
            assert r.json() == {"status": "ok", "database": "ok", "broker": "ok"}
            assert redis.pings >= 1
    finally:
        redis.close()


def test_a_broker_that_is_down_degrades_the_service_quickly(tmp_path):
    settings = settings_for(tmp_path, queue="celery", broker_url=closed_port_url(),
                            health_broker_timeout=0.5)
    with running(settings) as url:
        start = time.monotonic()
        r = httpx.get(f"{url}/health", timeout=10)
        assert time.monotonic() - start < 5
        assert r.status_code == 503
        assert r.json() == {"status": "degraded", "database": "ok", "broker": "unreachable"}


def test_a_silent_broker_costs_at_most_the_timeout():
    """A broker that accepts the connection and never answers."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        start = time.monotonic()
        assert health.ping_broker(url, timeout=0.3) is False
        assert time.monotonic() - start < 2


def test_the_broker_answer_is_reused_for_a_few_seconds():
    redis = FakeRedis()
    try:
        probe = health.BrokerProbe(redis.url, timeout=0.5, ttl=60)
        assert all(probe.reachable() for _ in range(20))
        assert redis.pings == 1
    finally:
        redis.close()


@pytest.mark.parametrize("parts, ok", [({"database": "ok"}, True),
                                       ({"database": "ok", "broker": "unreachable"}, False),
                                       ({"database": "unreachable"}, False)])
def test_degraded_when_any_part_is_down(parts, ok):
    state = health.Health(parts=parts, jobs={"queued": 1})
    assert state.ok is ok
    assert state.body(with_jobs=False) == {"status": "ok" if ok else "degraded", **parts}
    assert state.body(with_jobs=True)["jobs"] == {"queued": 1}
