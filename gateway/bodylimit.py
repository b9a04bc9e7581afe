"""A cap on every request body, and no compressed bodies: ASGI middleware for any of our apps.

The safety net around the API and the sandbox authorities: no route, and no
FastAPI body parsing, ever holds more than its cap in memory, and a compressed
body (a gzip bomb) is refused before a byte of it is read. Routes that read the
body themselves use :func:`gateway.web.body.read_limited` with their own cap.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "BodyTooLarge", "body_cap"]

_PROBLEM_JSON = b"application/problem+json"


class BodyTooLarge(HTTPException):
    """Raised from inside ``receive``; an HTTP exception so FastAPI's body parsing passes it on."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is over the limit of {limit} bytes")


def body_cap(settings: Any) -> int:
    """The default cap: the XML limit, plus a third for a document sent base64 in JSON."""
    return int(settings.xml.max_bytes) * 4 // 3 + 1024 * 1024


class BodyLimit:
    """ASGI middleware: a cap on every request body, larger only under the named prefixes."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, overrides: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Longest prefix first, so "/v1/ledgers" beats "/v1".
        self.overrides = sorted((overrides or {}).items(), key=lambda kv: -len(kv[0]))

    def cap_for(self, path: str) -> int:
        for prefix, cap in self.overrides:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return cap
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(scope.get("path", ""))
        headers = {k.lower(): v for k, v in scope.get("headers", ())}
        encoding = headers.get(b"content-encoding", b"").strip().lower()
        if encoding not in (b"", b"identity"):
            name = encoding.decode("latin-1")
            await _problem(
                send,
                415,
                "Unsupported content encoding",
                f"the body is {name}-encoded; send it uncompressed (no Content-Encoding)",
            )
            return
        declared = headers.get(b"content-length", b"").strip()
        if declared and not declared.isdigit():
            await _problem(send, 400, "Bad request", "Content-Length is not a number")
            return
        if declared and int(declared) > cap:
            await _problem(
                send, 413, "Payload too large", f"body is {int(declared)} bytes; the limit is {cap}"
            )
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise BodyTooLarge(cap)
            return message

        await self.app(scope, limited, send)


async def _problem(send: Send, status: int, title: str, detail: str) -> None:
    body = json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail}
    ).encode()
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", _PROBLEM_JSON), (b"content-length", str(len(body)).encode())],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})
