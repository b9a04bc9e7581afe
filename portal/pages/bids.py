"""Supplier pages: register a signing key, seal a bid in the browser, the receipt, withdraw."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from gateway.errors import BadRequest
from gateway.tenancy.models import Role
from portal.i18n import time_left
from portal.web import PageDep, PortalRoute, redirect
from tendering import payloads
from tendering.bidding import own_bid
from tendering.public_search import public_tender
from tendering.service import ask_question, register_supplier_key, submit_bid, withdraw_bid

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)


@router.get("/supplier/key")
def key_form(page: PageDep, next: str = "") -> Response:
    page.require(Role.SUPPLIER)
    return page.render("supplier_key.html", next=next, error=None)


@router.post("/supplier/key")
def key_register(
    page: PageDep,
    public_key_pem: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    actor = page.require(Role.SUPPLIER)
    if not public_key_pem.strip():
        return page.render(
            "supplier_key.html", status=400, next=next, error="Paste your public key (PEM)"
        )
    register_supplier_key(page.db, actor=actor, public_key_pem=public_key_pem.strip())
    return redirect(page, next if next.startswith("/tenders/") else "/")


@router.get("/tenders/{tender_id}/bid")
def bid_form(page: PageDep, tender_id: str, replaces: str = "") -> Response:
    actor = page.require(Role.SUPPLIER)
    view = public_tender(page.db, tender_id=tender_id)
    replaced = own_bid(page.db, actor=actor, bid_id=replaces) if replaces else None
    return page.render(
        "bid.html",
        view=view,
        t=view.tender,
        replaced=replaced,
        left=time_left(view.tender.timeline.deadline, page.now, page.locale),
        open_for_bids=view.tender.timeline.deadline > page.now,
    )


@router.post("/tenders/{tender_id}/bid")
def bid_submit(
    page: PageDep,
    tender_id: str,
    envelope: Annotated[str, Form()] = "",
    lot_ids: Annotated[list[str] | None, Form()] = None,
    replaces: Annotated[str, Form()] = "",
) -> Response:
    actor = page.require(Role.SUPPLIER)
    if not envelope:
        raise BadRequest("the bid was not sealed: seal it in this page before sending")
    received = submit_bid(
        page.container,
        page.db,
        actor=actor,
        tender_id=tender_id,
        envelope=envelope.encode(),
        lot_ids=lot_ids or [],
        replaces_bid_id=replaces or None,
    )
    return redirect(page, f"/bids/{received.bid.id}")


@router.get("/bids/{bid_id}")
def receipt(page: PageDep, bid_id: str) -> Response:
    actor = page.require(Role.SUPPLIER)
    bid = own_bid(page.db, actor=actor, bid_id=bid_id)
    view = public_tender(page.db, tender_id=bid.tender_id)
    return page.render(
        "receipt.html",
        bid=bid,
        t=view.tender,
        open_for_bids=view.tender.timeline.deadline > page.now,
    )


@router.get("/bids/{bid_id}/receipt.xml")
def receipt_xml(page: PageDep, bid_id: str) -> Response:
    actor = page.require(Role.SUPPLIER)
    bid = own_bid(page.db, actor=actor, bid_id=bid_id)
    if bid.receipt_sha256 is None:
        raise BadRequest(f"bid {bid_id} has no receipt")
    return page.finish(
        Response(
            page.container.blobs.get(bid.receipt_sha256),
            media_type="application/xml",
            headers={"Content-Disposition": f'attachment; filename="receipt-{bid.id}.xml"'},
        )
    )


@router.post("/bids/{bid_id}/withdraw")
def withdraw(page: PageDep, bid_id: str) -> Response:
    actor = page.require(Role.SUPPLIER)
    withdraw_bid(page.container, page.db, actor=actor, bid_id=bid_id)
    return redirect(page, f"/bids/{bid_id}")


@router.post("/tenders/{tender_id}/questions")
def ask(page: PageDep, tender_id: str, question: Annotated[str, Form()] = "") -> Response:
    actor = page.require(Role.SUPPLIER)
    if not question.strip():
        view = public_tender(page.db, tender_id=tender_id)
        return page.render(
            "tender.html",
            status=400,
            view=view,
            t=view.tender,
            left=time_left(view.tender.timeline.deadline, page.now, page.locale),
            open_for_bids=view.tender.timeline.deadline > page.now,
            question_error="Write your question",
        )
    ask_question(
        page.container,
        page.db,
        actor=actor,
        tender_id=tender_id,
        data=payloads.QuestionCreate(question=question.strip()),
    )
    return redirect(page, f"/tenders/{tender_id}?asked=1#questions")
