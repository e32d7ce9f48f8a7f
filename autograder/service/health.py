"""What /health reports: the database answers, and with queue=celery the broker answers too.

The API keeps accepting uploads while the broker is down (the job table is the record of
truth; the sweeper publishes the jobs once it is back), but nothing gets graded: the operator
must hear about it, so the service is reported "degraded". The broker is pinged with a short
timeout and the answer is kept a few seconds, so a burst of /health requests (it is public)
never turns into a burst of connection attempts to a broker that is down.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
BROKER_TTL = 5.0  # seconds a broker ping's answer is reused


@dataclass
class Health:
    """ok: every part answers; parts: each part's "ok" or what is wrong with it."""

    parts: dict[str, str] = field(default_factory=dict)
    jobs: dict[str, int] | None = None

    @property
    def ok(self) -> bool:
        return all(state == "ok" for state in self.parts.values())

    def body(self, with_jobs: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"status": "ok" if self.ok else "degraded", **self.parts}
        if with_jobs and self.jobs is not None:
            body["jobs"] = self.jobs
        return body


def ping_broker(url: str, timeout: float) -> bool:
    """True if the broker answers within `timeout` seconds (Redis: PING; others: connect)."""
    scheme = urlsplit(url).scheme
    try:
        if scheme in ("redis", "rediss", "unix"):
            import redis

            client = redis.Redis.from_url(url, socket_timeout=timeout,
                                          socket_connect_timeout=timeout)
            try:
                return bool(client.ping())
            finally:
                client.close()
        from kombu import Connection

        with Connection(url, connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
            return True
    except Exception as exc:  # any failure to answer is "unreachable"
        log.debug("broker ping failed: %s", exc)
        return False


class BrokerProbe:
    """ping_broker, its answer reused for BROKER_TTL seconds (one ping at a time)."""

    def __init__(self, url: str, timeout: float, ttl: float = BROKER_TTL):
        self.url, self.timeout, self.ttl = url, timeout, ttl
        self._lock = threading.Lock()
        self._answer: tuple[float, bool] | None = None

    def reachable(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if self._answer is None or now - self._answer[0] >= self.ttl:
                answer = ping_broker(self.url, self.timeout)
                if not answer and (self._answer is None or self._answer[1]):
                    log.warning("the broker does not answer: nothing is graded until it does")
                self._answer = (time.monotonic(), answer)
            return self._answer[1]


def check(ctx: Any, broker: BrokerProbe | None) -> Health:
    """The service's health: its database (ctx.queue), and its broker when it has one."""
    health = Health()
    try:
        health.jobs = ctx.queue.counts()
        health.parts["database"] = "ok"
    except SQLAlchemyError as exc:
        log.warning("health: the database does not answer (%s)", exc.__class__.__name__)
        health.parts["database"] = "unreachable"
    if broker is not None:
        health.parts["broker"] = "ok" if broker.reachable() else "unreachable"
    return health
