"""Connections that trickle their headers are dropped after the header deadline, a normal
request is served meanwhile, and connections beyond the cap are closed at once.
(A small asyncio client on 127.0.0.1 only, with a bounded count and time.)"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.autograder.service.inprocess import running, settings_for

HEADER_TIMEOUT = 1.0
SLOW = 40  # connections


async def _open_slow(port: int, n: int, head: bytes = b"GET /health HTTP/1.1\r\nHost: x\r\n"):
    """n connections, each with the moment it was opened (its header deadline counts from
    there: opening 40 takes a while on a loaded machine)."""
    conns = []
    for _ in range(n):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        opened = time.monotonic()
        writer.write(head)
        await writer.drain()
        conns.append((reader, writer, opened))
    return conns


async def _trickle_until_closed(reader, writer, limit: float,
                                start: float | None = None) -> float | None:
    """Send a header line every 0.2 s; seconds from start (default: now) until the server
    closed, None if it never did."""
    start = time.monotonic() if start is None else start
    k = 0
    while time.monotonic() - start < limit:
        try:
            writer.write(f"X-Slow-{k}: a\r\n".encode())
            await writer.drain()
            k += 1
            if await asyncio.wait_for(reader.read(1024), 0.2) == b"":
                return time.monotonic() - start
        except asyncio.TimeoutError:
            continue
        except (ConnectionError, OSError):
            return time.monotonic() - start
    return None


async def _slow_headers(url: str) -> tuple[list[float | None], float, int]:
    port = int(url.rsplit(":", 1)[1])
    conns = await _open_slow(port, SLOW)
    limit = HEADER_TIMEOUT + 3.0
    trickles = [asyncio.create_task(_trickle_until_closed(r, w, limit, opened))
                for r, w, opened in conns]
    await asyncio.sleep(0.3)
    async with httpx.AsyncClient(timeout=5) as client:
        start = time.monotonic()
        status = (await client.get(f"{url}/health")).status_code
        normal = time.monotonic() - start
    closed = await asyncio.gather(*trickles)
    for _r, w, _opened in conns:
        w.close()
    return closed, normal, status


@pytest.fixture
def settings(tmp_path):
    return settings_for(tmp_path, header_timeout=HEADER_TIMEOUT, keepalive_timeout=1,
                        max_connections=SLOW + 10)


def test_slow_headers_are_dropped_and_a_normal_request_is_served(settings):
    with running(settings) as url:
        closed, normal, status = asyncio.run(_slow_headers(url))
    assert status == 200 and normal < 1.0
    assert all(c is not None for c in closed), f"{closed.count(None)} slow connections held"
    assert HEADER_TIMEOUT - 0.1 <= min(closed) and max(closed) < HEADER_TIMEOUT + 1.5


async def _keepalive_then_slow(url: str) -> float | None:
    port = int(url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    assert b"200 OK" in await asyncio.wait_for(reader.read(4096), 5)
    writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # the next request, trickled
    try:
        return await _trickle_until_closed(reader, writer, HEADER_TIMEOUT + 3.0)
    finally:
        writer.close()


def test_the_next_request_on_a_kept_alive_connection_has_the_same_deadline(settings):
    with running(settings) as url:
        closed = asyncio.run(_keepalive_then_slow(url))
    assert closed is not None and closed < HEADER_TIMEOUT + 1.5


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    try:
        return await asyncio.wait_for(reader.read(1), seconds) == b""
    except (asyncio.TimeoutError, ConnectionError, OSError):
        return False


async def _over_the_cap(url: str, cap: int) -> tuple[int, int]:
    """How many of cap + 5 idle connections the server closed within 2 s (the header
    deadline is far off: only the cap closes any), then whether it still serves."""
    port = int(url.rsplit(":", 1)[1])
    conns = await _open_slow(port, cap + 5, head=b"")
    shut = sum(await asyncio.gather(*(_closed_within(r, 2.0) for r, _w, _o in conns)))
    for _r, w, _o in conns:
        w.close()
    await asyncio.sleep(0.3)
    async with httpx.AsyncClient(timeout=5) as client:
        status = (await client.get(f"{url}/health")).status_code
    return shut, status


def test_connections_beyond_the_cap_are_closed_at_once(tmp_path):
    # a header deadline far beyond the test: a loaded machine opening the connections slowly
    # must not see the deadline close the first ones (CI saw 9 closed, not 5)
    settings = settings_for(tmp_path, header_timeout=60.0, keepalive_timeout=1,
                            max_connections=SLOW + 10)
    with running(settings) as url:
        shut, status = asyncio.run(_over_the_cap(url, settings.max_connections))
    assert shut == 5 and status == 200
