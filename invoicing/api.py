"""Routes of ordering and invoicing for buyers and suppliers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from gateway.pipeline.models import Submission
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import SessionDep, container_of, require
from gateway.web.body import read_limited
from gateway.web.etag import IfMatch, check_if_match, with_etag
from gateway.web.paging import Offset, page_headers
from invoicing import payloads, service
from invoicing.repository import InvoiceRepository, OrderRepository, ProfileRepository

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["invoicing"])

Buyer = Annotated[Actor, Depends(require(Role.BUYER))]
Supplier = Annotated[Actor, Depends(require(Role.SUPPLIER))]
Reader = Annotated[Actor, Depends(require(Role.BUYER, Role.SUPPLIER, Role.AUDITOR))]
Admin = Annotated[Actor, Depends(require(Role.ADMIN, Role.BUYER))]
Limit = Annotated[int, Query(ge=1, le=500)]


def _delivery(session: SessionDep, out: dict[str, Any], submission_id: str | None) -> None:
    sub = session.get(Submission, submission_id) if submission_id else None
    out["delivery_status"] = sub.status if sub is not None else None
    out["delivery_error"] = sub.last_error if sub is not None else None


def _order(session: SessionDep, rec: Any) -> dict[str, Any]:
    out = payloads.OrderOut.model_validate(rec).model_dump(mode="json")
    _delivery(session, out, rec.submission_id if rec.side == "buyer" else None)
    return out


def _invoice(session: SessionDep, rec: Any) -> dict[str, Any]:
    out = payloads.InvoiceOut.model_validate(rec).model_dump(mode="json")
    _delivery(session, out, rec.submission_id if rec.side == "issued" else None)
    return out


@router.post("/orders", status_code=201, summary="Order against a signed contract (buyer)")
def create_order(
    body: payloads.OrderCreate, request: Request, session: SessionDep, actor: Buyer
) -> Any:
    rec = service.create_order(container_of(request), session, actor=actor, data=body)
    return _order(session, rec)


@router.get("/orders", summary="Orders placed (buyer) or received (supplier)")
def list_orders(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Reader,
    side: Annotated[str | None, Query(pattern="^(buyer|supplier)$")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    page = OrderRepository(session, actor.organisation_id).list(
        side=side, limit=limit, offset=offset
    )
    page_headers(request, response, total=page.total, limit=limit, offset=offset)
    items = [_order(session, r) for r in page.items]
    return {"items": items, "total": page.total, "limit": limit, "offset": offset}


@router.get("/orders/{order_id}")
def get_order(order_id: str, response: Response, session: SessionDep, actor: Reader) -> Any:
    """One order with its status and the supplier's answer."""
    rec = OrderRepository(session, actor.organisation_id).get(order_id)
    return with_etag(response, _order(session, rec))


@router.get("/orders/{order_id}/document")
def order_document(order_id: str, request: Request, session: SessionDep, actor: Reader) -> Response:
    """The order's UBL document."""
    rec = OrderRepository(session, actor.organisation_id).get(order_id)
    return Response(
        container_of(request).blobs.get(rec.document_hash), media_type="application/xml"
    )


@router.post("/orders/{order_id}/response", summary="Answer an order (supplier)")
def respond_order(
    order_id: str,
    body: payloads.OrderRespond,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Supplier,
    if_match: IfMatch = None,
) -> Any:
    if if_match is not None:
        current = OrderRepository(session, actor.organisation_id).get(order_id)
        check_if_match(if_match, _order(session, current))
    rec = service.respond_order(
        container_of(request), session, actor=actor, order_id=order_id, data=body
    )
    return with_etag(response, _order(session, rec))


@router.post("/invoices", status_code=201, summary="Build and send an invoice (supplier)")
def create_invoice(
    body: payloads.InvoiceCreate, request: Request, session: SessionDep, actor: Supplier
) -> Any:
    rec = service.create_invoice(container_of(request), session, actor=actor, data=body)
    return _invoice(session, rec)


@router.post(
    "/invoices/documents",
    status_code=201,
    summary="Send the supplier's own BIS 3 or OIOUBL document (XML body)",
    openapi_extra={"requestBody": {"content": {"application/xml": {"schema": {"type": "string"}}}}},
)
async def send_document(
    request: Request,
    session: SessionDep,
    actor: Supplier,
    recipient: Annotated[str | None, Query(max_length=100)] = None,
) -> Any:
    c = container_of(request)
    document = await read_limited(request, c.settings.xml.max_bytes)
    from fastapi.concurrency import run_in_threadpool

    rec = await run_in_threadpool(
        service.send_invoice_document,
        c,
        session,
        actor=actor,
        document=document,
        recipient=recipient,
    )
    return _invoice(session, rec)


@router.get("/invoices", summary="Invoices issued (supplier) or received (buyer)")
def list_invoices(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Reader,
    side: Annotated[str | None, Query(pattern="^(issued|received)$")] = None,
    status: Annotated[str | None, Query(max_length=24)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    page = InvoiceRepository(session, actor.organisation_id).list(
        side=side, status=status, limit=limit, offset=offset
    )
    page_headers(request, response, total=page.total, limit=limit, offset=offset)
    items = [_invoice(session, r) for r in page.items]
    return {"items": items, "total": page.total, "limit": limit, "offset": offset}


@router.get("/invoices/{invoice_id}")
def get_invoice(invoice_id: str, response: Response, session: SessionDep, actor: Reader) -> Any:
    """One invoice with its status and match against order and contract."""
    rec = InvoiceRepository(session, actor.organisation_id).get(invoice_id)
    return with_etag(response, _invoice(session, rec))


@router.get("/invoices/{invoice_id}/document")
def invoice_document(
    invoice_id: str, request: Request, session: SessionDep, actor: Reader
) -> Response:
    """The invoice's UBL document as sent or received."""
    rec = InvoiceRepository(session, actor.organisation_id).get(invoice_id)
    return Response(
        container_of(request).blobs.get(rec.document_hash), media_type="application/xml"
    )


@router.post("/invoices/{invoice_id}/response", summary="Answer a received invoice (buyer, T111)")
def respond_invoice(
    invoice_id: str,
    body: payloads.InvoiceRespond,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Buyer,
    if_match: IfMatch = None,
) -> Any:
    if if_match is not None:
        current = InvoiceRepository(session, actor.organisation_id).get(invoice_id)
        check_if_match(if_match, _invoice(session, current))
    rec = service.respond_invoice(
        container_of(request), session, actor=actor, invoice_id=invoice_id, data=body
    )
    return with_etag(response, _invoice(session, rec))


@router.get("/invoicing/profile", response_model=payloads.ProfileOut)
def get_profile(response: Response, session: SessionDep, actor: Reader) -> Any:
    """The organisation's invoicing settings (Peppol id, format)."""
    return with_etag(response, _profile(session, actor))


def _profile(session: SessionDep, actor: Actor) -> payloads.ProfileOut:
    profile = ProfileRepository(session, actor.organisation_id).current()
    return payloads.ProfileOut.model_validate(
        {
            "organisation_id": actor.organisation_id,
            "invoice_syntax": profile.invoice_syntax if profile else "bis3",
        }
    )


@router.put("/invoicing/profile", response_model=payloads.ProfileOut)
def put_profile(
    body: payloads.ProfileIn,
    response: Response,
    session: SessionDep,
    actor: Admin,
    if_match: IfMatch = None,
) -> Any:
    """Set the organisation's invoicing settings (Peppol id, format)."""
    check_if_match(if_match, _profile(session, actor))
    service.set_profile(session, actor=actor, data=body)
    return with_etag(response, _profile(session, actor))
