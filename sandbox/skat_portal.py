"""The company's side of the tax agency sandbox: what a company does on skat.dk, over HTTP.

``POST /_portal/approve`` and ``/_portal/reject`` take ``{"transaction_id": ...}``
(the draft id the services returned); ``GET /_portal/drafts/{id}`` is where the
approval link of a draft points; ``POST /_portal/delegate`` and ``/_portal/revoke``
take ``{"se": ..., "provider": "CVR:<number>"}`` (or ``"certificate_pem"``).
"""

from __future__ import annotations

from typing import Any, Protocol

from cryptography import x509
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.errors import GatewayError
from sandbox.skat_state import Draft, SkatState

__all__ = ["PortalDesk", "draft_json", "portal_routes"]


class PortalDesk(Protocol):
    """What the company's side may do at the agency (the simulator itself fits)."""

    @property
    def state(self) -> SkatState: ...

    def approve(self, transaction_id: str) -> Draft: ...

    def reject(self, transaction_id: str) -> Draft: ...

    def grant(self, se: str, provider: str | x509.Certificate) -> None: ...

    def revoke(self, se: str, provider: str | x509.Certificate) -> None: ...


def draft_json(draft: Draft) -> dict[str, Any]:
    """A draft as the portal shows it."""
    return {
        "transaction_id": draft.transaction_id,
        "se": draft.se,
        "period_start": draft.period_start.isoformat(),
        "period_end": draft.period_end.isoformat(),
        "status": draft.status,
        "kind": draft.kind,
        "fields": draft.fields,
    }


async def _json(request: Request, *names: str) -> dict[str, str] | JSONResponse:
    try:
        payload = await request.json()
        return {name: str(payload[name]) for name in names}
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"detail": f"send a JSON object with {', '.join(names)}"}, 400)


def portal_routes(sandbox: PortalDesk) -> list[Route]:
    """The portal's routes, bound to one sandbox."""

    async def decide(request: Request, *, approve: bool) -> Response:
        given = await _json(request, "transaction_id")
        if isinstance(given, JSONResponse):
            return given
        try:
            action = sandbox.approve if approve else sandbox.reject
            return JSONResponse(draft_json(action(given["transaction_id"])))
        except GatewayError as exc:
            return JSONResponse(exc.to_problem(), status_code=exc.status)

    async def approve(request: Request) -> Response:
        return await decide(request, approve=True)

    async def reject(request: Request) -> Response:
        return await decide(request, approve=False)

    async def show(request: Request) -> Response:
        draft = sandbox.state.find_draft(request.path_params["transaction_id"])
        if draft is None:
            return JSONResponse({"detail": "no such draft"}, status_code=404)
        return JSONResponse(draft_json(draft))

    async def delegation(request: Request, *, grant: bool) -> Response:
        try:
            payload = await request.json()
            se = str(payload["se"])
            provider: str | x509.Certificate = (
                x509.load_pem_x509_certificate(str(payload["certificate_pem"]).encode())
                if "certificate_pem" in payload
                else str(payload["provider"])
            )
        except (ValueError, KeyError, TypeError):
            return JSONResponse(
                {"detail": 'send {"se": ..., "provider": "CVR:<number>"} or "certificate_pem"'},
                status_code=400,
            )
        (sandbox.grant if grant else sandbox.revoke)(se, provider)
        return JSONResponse({"se": se, "delegated": grant})

    async def delegate(request: Request) -> Response:
        return await delegation(request, grant=True)

    async def revoke(request: Request) -> Response:
        return await delegation(request, grant=False)

    return [
        Route("/_portal/approve", approve, methods=["POST"]),
        Route("/_portal/reject", reject, methods=["POST"]),
        Route("/_portal/drafts/{transaction_id}", show, methods=["GET"]),
        Route("/_portal/delegate", delegate, methods=["POST"]),
        Route("/_portal/revoke", revoke, methods=["POST"]),
    ]
