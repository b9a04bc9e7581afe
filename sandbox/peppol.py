"""Sandbox Peppol network: an SMP and an AS4 access point on loopback.

The sandbox does not import domains, so the SMP's registrations and the AS4
receiver are handed in by the composition root (the gateway's side,
``invoicing.peppol_network``, fits the protocols below) as the backend
:data:`PEPPOL_NETWORK`: ``make(settings) -> (smp, access_point)``. ``mount``
serves them at ``/peppol``: the SMP under ``/peppol/smp``, the AP at ``/peppol/as4``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["PEPPOL_NETWORK", "AccessPointBackend", "SmpBackend", "create_peppol_sandbox", "mount"]

# The backend name under which the composition root hands in the network's participants.
PEPPOL_NETWORK = "peppol.network"

_MAX_BODY = 110 * 1024 * 1024


class SmpBackend(Protocol):
    """Registrations the sandbox SMP serves."""

    def service_group(self, participant: str, *, base_url: str) -> bytes | None: ...

    def service_metadata(self, participant: str, doc_type_id: str) -> bytes | None: ...


class ReceiveAnswer(Protocol):
    @property
    def status_code(self) -> int: ...

    @property
    def body(self) -> bytes: ...

    @property
    def content_type(self) -> str: ...


class AccessPointBackend(Protocol):
    """Handles one POSTed AS4 message and returns the HTTP answer (receipt or error signal)."""

    def receive(self, body: bytes, content_type: str) -> ReceiveAnswer: ...


_XML = "text/xml; charset=UTF-8"


def _refusal(exc: Exception) -> Response:
    # Our errors carry an HTTP status (an unreadable participant id is a 400); others are bugs.
    status = getattr(exc, "status", None)
    if isinstance(status, int) and 400 <= status < 500:
        return Response(str(exc), status_code=status)
    raise exc


def create_peppol_sandbox(*, smp: SmpBackend, access_point: AccessPointBackend) -> Starlette:
    """An ASGI app serving the sandbox SMP (``GET /smp/...``) and AS4 access point (``POST /as4``)."""

    def _smp_base(request: Request) -> str:
        return str(request.url).split("/smp/", 1)[0] + "/smp"

    async def service_group(request: Request) -> Response:
        participant = request.path_params["participant"]
        try:
            xml = await run_in_threadpool(
                smp.service_group, participant, base_url=_smp_base(request)
            )
        except Exception as exc:
            return _refusal(exc)
        return Response(xml, media_type=_XML) if xml else Response(status_code=404)

    async def service_metadata(request: Request) -> Response:
        participant = request.path_params["participant"]
        doc_type = request.path_params["doctype"]
        try:
            xml = await run_in_threadpool(smp.service_metadata, participant, doc_type)
        except Exception as exc:
            return _refusal(exc)
        return Response(xml, media_type=_XML) if xml else Response(status_code=404)

    async def as4(request: Request) -> Response:
        declared = int(request.headers.get("content-length") or 0)
        if declared > _MAX_BODY:
            return Response("message too large", status_code=413)
        body = await request.body()
        if len(body) > _MAX_BODY:
            return Response("message too large", status_code=413)
        answer = await run_in_threadpool(
            access_point.receive, body, request.headers.get("content-type", "")
        )
        return Response(answer.body, status_code=answer.status_code, media_type=answer.content_type)

    return Starlette(
        routes=[
            Route("/smp/{participant}", service_group, methods=["GET"]),
            Route("/smp/{participant}/services/{doctype:path}", service_metadata, methods=["GET"]),
            Route("/as4", as4, methods=["POST"]),
        ]
    )


NetworkFactory = Callable[[Any], tuple[SmpBackend, AccessPointBackend]]


def mount(app: Any, settings: Any) -> None:
    """Serve the sandbox SMP and access point at ``/peppol`` when the network was handed in."""
    make: NetworkFactory | None = getattr(app.state, "backends", {}).get(PEPPOL_NETWORK)
    if make is None:
        return
    smp, access_point = make(settings)
    app.mount("/peppol", create_peppol_sandbox(smp=smp, access_point=access_point))
