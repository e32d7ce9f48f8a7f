"""Request body size limit (413 before the body is parsed) as plain ASGI middleware.

An API call over the limit gets `{"error": ...}` at once. A browser's form post gets a page
of the service that names the files at fault: the body is read on (up to DRAIN_FACTOR times
the limit, never kept) through a multipart scanner that learns each file's name and size,
because a browser whose upload is cut short shows "connection reset", not the answer.
"""

from __future__ import annotations

import json
import logging

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from autograder.service.pages import page, wants_html

log = logging.getLogger(__name__)
DRAIN_FACTOR = 4  # a browser's oversized post is read up to this many times the limit
MAX_NAMED = 8  # files named in the answer


class _TooLarge(HTTPException):
    """Raised while a body is read; the framework answers it as a 413 (see errors.py)."""


def mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB"


class PartSizes:
    """Names and sizes of the files in a multipart body, fed chunk by chunk (nothing kept
    but the names; a body that is not multipart, or is malformed, yields what was seen)."""

    def __init__(self, content_type: bytes):
        self.files: list[list] = []  # [file name, bytes]
        self._header = b""
        self._value = b""
        self._current: list | None = None
        self._parser: MultipartParser | None = None
        kind, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if kind == b"multipart/form-data" and boundary:
            self._parser = MultipartParser(boundary, {
                "on_header_field": self._on_field, "on_header_value": self._on_value,
                "on_header_end": self._on_header_end, "on_part_begin": self._on_begin,
                "on_part_data": self._on_data})

    def feed(self, chunk: bytes) -> None:
        if self._parser is None or not chunk:
            return
        try:
            self._parser.write(chunk)
        except Exception:  # hostile bytes: stop scanning, keep what was seen
            log.info("an oversized form post is not well-formed multipart")
            self._parser = None

    def _on_begin(self) -> None:
        self._current = None

    def _on_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def _on_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        if self._header.lower() == b"content-disposition":
            _, options = parse_options_header(self._value)
            name = options.get(b"filename")
            if name is not None and len(self.files) < 64:
                self._current = [name.decode("utf-8", "replace")[:200], 0]
                self.files.append(self._current)
        self._header, self._value = b"", b""

    def _on_data(self, data: bytes, start: int, end: int) -> None:
        if self._current is not None:
            self._current[1] += end - start


def too_large_message(limit: int, files: list[list], complete: bool) -> str:
    """What the student reads: the limit, the files that were in the upload, what to do."""
    message = f"This upload is larger than {mib(limit)}, the most one upload may hold."
    named = [f for f in files if f[0]]
    if named:
        biggest = sorted(named, key=lambda f: -f[1])[:MAX_NAMED]
        sizes = ", ".join(f"{name} ({'' if complete else 'over '}{mib(size)})"
                          for name, size in biggest)
        message += f" It held: {sizes}."
    return message + (" Upload the notebooks one at a time (each may be up to 8 MiB), and"
                      " keep images to the plots the notebooks save (at most 2 MiB each);"
                      " a notebook's size is mostly its outputs: clear the large ones and"
                      " save it again.")


class BodyLimit:
    """Refuse bodies over max_bytes: by Content-Length at once, else while reading."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        html = wants_html(Request(scope))
        headers = dict(scope.get("headers") or [])
        scanner = PartSizes(headers.get(b"content-type", b"")) if html else None
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                await _reply(send, 400, "malformed Content-Length")
                return
            if too_big:
                if scanner is None:
                    await _reply(send, 413, self._message())
                    return
                complete = await self._drain(receive, scanner, 0)
                await self._page(scope, receive, send, scanner, complete)
                return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                seen += len(body)
                if scanner is not None:
                    scanner.feed(body)
                if seen > self.max_bytes:
                    if scanner is None:
                        raise _TooLarge(413, self._message())
                    more = message.get("more_body", False)
                    complete = not more or await self._drain(receive, scanner, seen)
                    raise _TooLarge(413, too_large_message(self.max_bytes, scanner.files,
                                                           complete))
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge as exc:
            if not started:
                if scanner is None:
                    await _reply(send, 413, self._message())
                else:
                    await _html(scope, receive, send, str(exc.detail))

    async def _drain(self, receive: Receive, scanner: PartSizes, seen: int) -> bool:
        """Read the rest of the body (up to DRAIN_FACTOR x the limit), scanning its parts;
        True if the whole body was read."""
        cap = DRAIN_FACTOR * self.max_bytes
        while seen <= cap:
            message = await receive()
            if message["type"] != "http.request":
                return False
            body = message.get("body", b"")
            seen += len(body)
            scanner.feed(body)
            if not message.get("more_body", False):
                return True
        return False

    async def _page(self, scope: Scope, receive: Receive, send: Send, scanner: PartSizes,
                    complete: bool) -> None:
        await _html(scope, receive, send,
                    too_large_message(self.max_bytes, scanner.files, complete))

    def _message(self) -> str:
        return f"upload too large (limit {self.max_bytes} bytes)"


async def _html(scope: Scope, receive: Receive, send: Send, message: str) -> None:
    request = Request(scope, receive)
    response = page(request, "refused.html", status=413, title="Upload too large",
                    message=message, headers={"Connection": "close"})
    await response(scope, receive, send)


async def _reply(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
