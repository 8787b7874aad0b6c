"""A minimal ASGI webhook receiver for benchmarks that counts the POSTs.

Every POST gets 200. ``GET /stats`` returns the number of POSTs and the Unix
times of the first and the last, and ``POST /reset`` clears them. Run it with
uvicorn in its own process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

Message = dict[str, Any]

_stats: dict[str, Any] = {"count": 0, "first": None, "last": None}


async def app(
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    if scope["method"] == "GET" and scope["path"] == "/stats":
        await _reply(send, json.dumps(_stats).encode())
        return
    if scope["path"] == "/reset":
        _stats.update(count=0, first=None, last=None)
        await _reply(send, b"{}")
        return
    now = time.time()
    _stats["count"] += 1
    _stats["first"] = _stats["first"] or now
    _stats["last"] = now
    await _reply(send, b"ok")


async def _reply(send: Callable[[Message], Awaitable[None]], body: bytes) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(body)),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
