"""`gateway validate --serve`: a loopback validation server backed by a pool of processes.

saxonche holds the GIL, so threads do not add throughput; processes do. Each
worker process keeps its own ``Validator`` (stylesheets compiled once per
process) and the HTTP front only moves bytes. For bulk users on their own
machine: it listens on 127.0.0.1 and has no authentication of its own (the
gateway's ``/v1/validate`` is the authenticated route).

    POST /validate[?plan=NAME]   body: the XML document
    -> 200 {"valid": ..., "plan": ..., "findings": [...], "worker": PID}
    GET  /health                 -> 200 {"workers": N}
"""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from schemas import plans, xmlsafe
from schemas.report import Finding, ValidationReport

__all__ = ["ValidationServer", "validate_in_worker"]

_worker: dict[str, Any] = {}


def _init(artefacts: str, engine: str) -> None:
    from schemas.validation import Validator

    _worker["validator"] = Validator(Path(artefacts), engine=engine)


def validate_in_worker(data: bytes, plan: str | None) -> tuple[int, dict[str, Any]]:
    """Run in a pool process: an HTTP status and the JSON body for one document."""
    validator = _worker["validator"]
    try:
        report = validator.validate(data, plan=plan)
    except xmlsafe.XmlError as exc:
        rule = "XML-REFUSED" if isinstance(exc, xmlsafe.HostileXmlError) else "XML-MALFORMED"
        finding = Finding(rule, "fatal", f"line {exc.line}" if exc.line else "/", exc.detail, "XML")
        report = ValidationReport(plan="none", findings=[finding])
    except plans.UnknownPlanError as exc:
        return HTTPStatus.BAD_REQUEST, {"error": exc.detail}
    except plans.NoPlanError as exc:
        report = ValidationReport(
            plan="none", findings=[Finding("NO-PLAN", "fatal", "/", exc.detail, "plan")]
        )
    body = report.to_dict()
    body["worker"] = os.getpid()
    return HTTPStatus.OK, body


class ValidationServer:
    """A ThreadingHTTPServer on loopback whose requests run in ``workers`` processes."""

    def __init__(
        self,
        artefacts: Path,
        *,
        port: int = 0,
        workers: int | None = None,
        engine: str = "saxon",
        max_bytes: int = 200 * 1024 * 1024,
    ) -> None:
        self.workers = workers or os.cpu_count() or 1
        # spawn: a fresh interpreter per worker, never a copy of a parent's Saxon isolate.
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init,
            initargs=(str(artefacts), engine),
        )
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return  # documents' names stay out of the console

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if urlsplit(self.path).path == "/health":
                    self._send(HTTPStatus.OK, {"workers": server.workers})
                else:
                    self._send(HTTPStatus.NOT_FOUND, {"error": "POST /validate"})

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                if url.path != "/validate":
                    self._send(HTTPStatus.NOT_FOUND, {"error": "POST /validate"})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                if length <= 0:
                    self._send(HTTPStatus.BAD_REQUEST, {"error": "send the document as the body"})
                    return
                if length > max_bytes:
                    self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "document too large"})
                    return
                data = self.rfile.read(length)
                plan: str | None = (parse_qs(url.query).get("plan") or [""])[0] or None
                try:
                    future: Future[tuple[int, dict[str, Any]]] = server.pool.submit(
                        validate_in_worker, data, plan
                    )
                    status, body = future.result()
                except BrokenProcessPool:
                    # A worker died (killed, out of memory): say so; the operator restarts.
                    status, body = HTTPStatus.SERVICE_UNAVAILABLE, {"error": "worker pool broken"}
                self._send(status, body)

        self.http = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.http.daemon_threads = True

    @property
    def port(self) -> int:
        return int(self.http.server_address[1])

    def serve_forever(self) -> None:
        self.http.serve_forever()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.pool.shutdown(cancel_futures=True)
