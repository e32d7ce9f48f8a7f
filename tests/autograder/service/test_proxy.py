"""Behind a TLS-terminating proxy: X-Forwarded-Proto/-For are believed from the configured
trusted proxies only (AUTOGRADER_TRUSTED_PROXIES). Seen as https, the login's session cookie
is Secure; the same headers from anyone else change nothing."""

from __future__ import annotations

import httpx
import pytest

from autograder.service.app import behind_proxies
from tests.autograder.service.inprocess import running, settings_for, student_token

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def login_cookie(url: str, token: str, headers: dict[str, str]) -> str:
    response = httpx.post(f"{url}/login", data={"token": token}, headers=headers)
    assert response.status_code == 303, response.text
    return response.headers["set-cookie"]


@pytest.mark.parametrize("trusted, secure", [
    ("127.0.0.1", True),              # the proxy on this host
    ("10.0.0.0/8, 127.0.0.0/8", True),  # networks, with spaces
    ("", False),                      # the default: nobody is believed
    ("10.0.0.1", False),              # another proxy's address
])
def test_forwarded_https_counts_only_from_a_trusted_proxy(tmp_path, trusted, secure):
    (tmp_path / "data").mkdir()
    settings = settings_for(tmp_path / "data", trusted_proxies=trusted)
    token = student_token(settings, "alice")
    with running(settings) as url:
        cookie = login_cookie(url, token, FORWARDED)
        assert ("secure" in cookie.lower()) is secure, cookie
        plain = login_cookie(url, token, {})
        assert "secure" not in plain.lower(), plain


@pytest.mark.anyio
async def test_the_client_address_comes_from_a_trusted_proxy_only():
    seen: list[tuple[str, str]] = []

    async def app(scope, receive, send):
        seen.append((scope["scheme"], scope["client"][0]))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    for trusted, client in (("127.0.0.1", "127.0.0.1"), ("127.0.0.1", "198.51.100.1"),
                            ("", "127.0.0.1")):
        transport = httpx.ASGITransport(app=behind_proxies(app, trusted), client=(client, 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://grader") as c:
            await c.get("/", headers=FORWARDED)
    assert seen == [("https", "203.0.113.7"), ("http", "198.51.100.1"), ("http", "127.0.0.1")]


@pytest.fixture
def anyio_backend():
    return "asyncio"
