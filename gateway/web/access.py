"""One JSON access-log line and the HTTP metrics for every request.

The line names the route template (``/v1/tenders/{tender_id}``), never the
concrete path or the query string, so neither ids nor secrets end up in logs
or as metric labels.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import metrics

__all__ = ["AccessLogMiddleware", "route_template"]

_log = logging.getLogger("gateway.access")
_UNMATCHED = "<unmatched>"


def route_template(scope: Scope) -> str:
    """The path template of the route that answered, or ``<unmatched>``."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if isinstance(template, str) and template:
        return f"{scope.get('root_path', '')}{template}"
    return _UNMATCHED


def _organisation(scope: Scope) -> str | None:
    actor: Any = (scope.get("state") or {}).get("actor")
    return getattr(actor, "organisation_cvr", None)


class AccessLogMiddleware:
    """Pure ASGI middleware, so streaming bodies pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float) -> None:
        method = scope.get("method", "")
        route = route_template(scope)
        metrics.HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
        metrics.HTTP_DURATION.labels(method=method, route=route).observe(seconds)
        level = logging.WARNING if status >= 500 else logging.INFO
        _log.log(
            level,
            "http.request",
            extra={
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "organisation": _organisation(scope),
            },
        )
