"""Driving an ASGI application directly: one HTTP request in, the status, headers and body out."""

from __future__ import annotations

import asyncio
from typing import Any


async def plain_app(scope, receive, send):
    """An ASGI app answering 200 ``hello`` with ``Vary: Accept-Encoding``."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"vary", b"Accept-Encoding")],
        }
    )
    await send({"type": "http.response.body", "body": b"hello"})


def request(app, method="GET", headers=(), path="/"):
    """(status, [(name, value)] as lower-case str pairs, body) of one request."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    pairs = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in start.get("headers", [])]
    return start["status"], pairs, body


def header(pairs, name):
    values = [v for k, v in pairs if k == name]
    return ", ".join(values) if values else None
