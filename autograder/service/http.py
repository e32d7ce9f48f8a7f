"""The HTTP server's guards against connections that hold the server without asking it
anything: a deadline for a request's headers, a short keep-alive, a cap on connections.

uvicorn bounds idle keep-alive connections (timeout_keep_alive) but not a connection that
sends its headers a byte at a time: left alone, a few hundred of those hold the server for
as long as they like. GuardedH11Protocol closes a connection whose request head is not
complete `header_timeout` seconds after it connected (or after its previous response), and
closes new connections beyond `max_connections` at once.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from autograder.service.settings import ServiceSettings

log = logging.getLogger(__name__)
FD_MARGIN = 256  # files the process needs besides its connections
WARN_EVERY = 30.0  # seconds between two warnings about refused or slow connections


class _Warnings:
    """At most one warning per kind every WARN_EVERY seconds (an attack is not a log flood)."""

    def __init__(self) -> None:
        self.last: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def note(self, kind: str, message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        now = time.monotonic()
        if now - self.last.get(kind, -WARN_EVERY) >= WARN_EVERY:
            log.warning("%s (%d so far)", message, self.counts[kind])
            self.last[kind] = now


def guarded_protocol(header_timeout: float, max_connections: int) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a header deadline and a connection cap."""
    warnings = _Warnings()

    class GuardedH11Protocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                warnings.note("refused", f"more than {max_connections} connections: "
                                         "closing new ones")
                self.transport.close()
                return
            self._arm()

        def handle_events(self) -> None:
            super().handle_events()
            if self.conn.their_state is not h11.IDLE:  # the request head is complete
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request's head has the same deadline

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            if self.conn.their_state is h11.IDLE:
                self._header_timer = self.loop.call_later(header_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                warnings.note("slow", f"closing connections that sent no complete request "
                                      f"head in {header_timeout:g} s")
                self.transport.close()

    return GuardedH11Protocol


def server_config(app: Any, settings: ServiceSettings, **overrides: Any) -> uvicorn.Config:
    """The uvicorn settings of `autograder serve` (overrides: e.g. port=0 in tests)."""
    options: dict[str, Any] = {
        "host": settings.host, "port": settings.port, "log_config": None,
        "timeout_graceful_shutdown": 5, "timeout_keep_alive": settings.keepalive_timeout,
        "http": guarded_protocol(settings.header_timeout, settings.max_connections),
        "backlog": max(2048, settings.max_connections),
        # X-Forwarded-* are believed only from settings.trusted_proxies (app.behind_proxies);
        # uvicorn would otherwise believe them from 127.0.0.1 by default
        "proxy_headers": False,
    }
    options.update(overrides)
    return uvicorn.Config(app, **options)


def raise_file_limit(connections: int) -> None:
    """Let the process hold `connections` sockets (the soft RLIMIT_NOFILE, up to the hard)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + FD_MARGIN
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < wanted:
            log.warning("only %d files may be open: fewer than %d connections will be served",
                        target, connections)
