"""Routes for procurement officers, committee members and suppliers.

Each route checks the caller's role (a refusal is audited), calls one use
case inside :func:`tendering.refusals.guard` and returns. Another
organisation's tender or bid answers 404, exactly like a missing one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select

from gateway.errors import NotFound
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import SessionDep, container_of
from gateway.web.etag import IfMatch, check_if_match, with_etag
from gateway.web.paging import ListLimit, Offset, paged_list
from tendering import bidding, committee, contracts, payloads, selection_api, service
from tendering.models import Bid, TenderDocument
from tendering.refusals import guard, role
from tendering.repository import BuyerBids, TenderRepository

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["tendering"])

Buyer = Annotated[Actor, Depends(role(Role.BUYER))]
BuyerOrAuditor = Annotated[Actor, Depends(role(Role.BUYER, Role.AUDITOR))]
Member = Annotated[Actor, Depends(role(Role.OPENING_MEMBER))]
Opener = Annotated[Actor, Depends(role(Role.BUYER, Role.OPENING_MEMBER))]
Supplier = Annotated[Actor, Depends(role(Role.SUPPLIER))]
Party = Annotated[Actor, Depends(role(Role.BUYER, Role.SUPPLIER, Role.AUDITOR))]
XML = "application/xml"


def _receipt(received: bidding.Received) -> payloads.BidReceipt:
    bid = received.bid
    return payloads.BidReceipt(
        bid_id=bid.id,
        tender_id=bid.tender_id,
        supplier_id=bid.supplier_id,
        received_at=bid.received_at,
        envelope_sha256=bid.envelope_sha256,
        receipt_document_id=f"TR-{bid.id}",
        receipt_sha256=bid.receipt_sha256,
        receipt_xml=received.receipt_xml.decode(),
    )


def _if_match(if_match: str | None, session: SessionDep, actor: Actor, tender_id: str) -> None:
    """Refuse a change to a tender the caller read before it last changed (412)."""
    if if_match is not None:
        current = service.get_tender(session, actor=actor, tender_id=tender_id)
        check_if_match(if_match, service.tender_view(current))


# -- officers -------------------------------------------------------------------


@router.post("/tenders", status_code=201, response_model=payloads.Tender)
def create_tender(
    body: payloads.TenderCreate, request: Request, session: SessionDep, actor: Buyer
) -> Any:
    """Create a tender in draft (buyer)."""
    with guard(request, session, actor):
        return service.tender_view(service.create_tender(session, actor=actor, data=body))


@router.get("/tenders", response_model=list[payloads.Tender])
def list_tenders(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: BuyerOrAuditor,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> Any:
    """The organisation's tenders."""
    return paged_list(
        request,
        response,
        [
            service.tender_view(t)
            for t in TenderRepository(session, actor.organisation_id).listing()
        ],
        limit=limit,
        offset=offset,
    )


@router.get("/tenders/{tender_id}", response_model=payloads.Tender)
def get_tender(
    tender_id: str,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Annotated[Actor, Depends(role(Role.BUYER, Role.AUDITOR, Role.OPENING_MEMBER))],
) -> Any:
    """One tender with its lots, criteria and status."""
    with guard(request, session, actor, tender_id=tender_id):
        tender = service.get_tender(session, actor=actor, tender_id=tender_id)
        return with_etag(response, service.tender_view(tender))


@router.patch("/tenders/{tender_id}", response_model=payloads.Tender)
def update_tender(
    tender_id: str,
    body: payloads.TenderUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Buyer,
    if_match: IfMatch = None,
) -> Any:
    """Change a draft tender (buyer)."""
    with guard(request, session, actor, tender_id=tender_id):
        _if_match(if_match, session, actor, tender_id)
        changed = service.update_tender(session, actor=actor, tender_id=tender_id, data=body)
        return with_etag(response, service.tender_view(changed))


@router.put("/tenders/{tender_id}/committee")
def set_committee(
    tender_id: str, body: payloads.CommitteeSet, request: Request, session: SessionDep, actor: Buyer
) -> Any:
    """Name the opening committee and the threshold of shares needed to open."""
    with guard(request, session, actor, tender_id=tender_id):
        members = service.set_committee(session, actor=actor, tender_id=tender_id, data=body)
        return {
            "members": [
                {"principal_id": m.principal_id, "share_index": m.share_index} for m in members
            ]
        }


@router.post("/tenders/{tender_id}/publish", response_model=payloads.Tender)
def publish(
    tender_id: str,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Buyer,
    if_match: IfMatch = None,
) -> Any:
    """Publish the tender: make its opening key and deal the committee's shares."""
    with guard(request, session, actor, tender_id=tender_id):
        _if_match(if_match, session, actor, tender_id)
        published = service.publish_tender(
            container_of(request), session, actor=actor, tender_id=tender_id
        )
        return with_etag(response, service.tender_view(published))


@router.post(
    "/tenders/{tender_id}/corrigenda", status_code=201, response_model=payloads.Corrigendum
)
def corrigendum(
    tender_id: str,
    body: payloads.CorrigendumCreate,
    request: Request,
    session: SessionDep,
    actor: Buyer,
    if_match: IfMatch = None,
) -> Any:
    """Correct a published tender (a corrigendum notice)."""
    with guard(request, session, actor, tender_id=tender_id):
        _if_match(if_match, session, actor, tender_id)
        return service.issue_corrigendum(
            container_of(request), session, actor=actor, tender_id=tender_id, data=body
        )


@router.get("/tenders/{tender_id}/questions", response_model=list[payloads.QuestionOut])
def questions(
    response: Response,
    tender_id: str,
    request: Request,
    session: SessionDep,
    actor: Buyer,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> Any:
    """Questions suppliers asked about the tender (buyer)."""
    with guard(request, session, actor, tender_id=tender_id):
        return paged_list(
            request,
            response,
            service.list_questions(session, actor=actor, tender_id=tender_id),
            limit=limit,
            offset=offset,
        )


@router.post(
    "/tenders/{tender_id}/questions/{question_id}/answer", response_model=payloads.QuestionOut
)
def answer(
    tender_id: str,
    question_id: str,
    body: payloads.AnswerCreate,
    request: Request,
    session: SessionDep,
    actor: Buyer,
) -> Any:
    """Answer a supplier's question, publicly for every supplier."""
    with guard(request, session, actor, tender_id=tender_id):
        return service.answer_question(
            container_of(request),
            session,
            actor=actor,
            tender_id=tender_id,
            question_id=question_id,
            data=body,
        )


@router.post("/tenders/{tender_id}/cancel", response_model=payloads.Tender)
def cancel(
    tender_id: str,
    body: payloads.CancelRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Buyer,
    if_match: IfMatch = None,
) -> Any:
    """Cancel the tender, giving the reason."""
    with guard(request, session, actor, tender_id=tender_id):
        _if_match(if_match, session, actor, tender_id)
        cancelled = service.cancel_tender(
            container_of(request), session, actor=actor, tender_id=tender_id, reason=body.reason
        )
        return with_etag(response, service.tender_view(cancelled))


# -- committee ------------------------------------------------------------------


@router.get("/tenders/{tender_id}/committee/share", response_model=payloads.SealedShare)
def sealed_share(tender_id: str, request: Request, session: SessionDep, actor: Member) -> Any:
    """The caller's sealed share of the opening key (committee member)."""
    with guard(request, session, actor, tender_id=tender_id):
        return committee.my_sealed_share(session, actor=actor, tender_id=tender_id)


@router.post("/tenders/{tender_id}/shares")
def hand_in(
    tender_id: str, body: payloads.ShareSubmit, request: Request, session: SessionDep, actor: Member
) -> Any:
    """Hand in a share of the opening key after the deadline (committee member)."""
    with guard(request, session, actor, tender_id=tender_id):
        return committee.hand_in_share(
            container_of(request), session, actor=actor, tender_id=tender_id, share_text=body.share
        )


@router.post("/tenders/{tender_id}/open", response_model=payloads.OpeningRecord)
def open_bids(tender_id: str, request: Request, session: SessionDep, actor: Opener) -> Any:
    """Rebuild the key from the shares handed in and open every bid."""
    with guard(request, session, actor, tender_id=tender_id):
        return committee.open_tender(
            container_of(request), session, actor=actor, tender_id=tender_id
        )


@router.get("/tenders/{tender_id}/opening-record", response_model=payloads.OpeningRecord)
def opening_record(
    tender_id: str,
    request: Request,
    session: SessionDep,
    actor: Annotated[Actor, Depends(role(Role.BUYER, Role.AUDITOR, Role.OPENING_MEMBER))],
) -> Any:
    """The signed opening record: every bid and its hash."""
    with guard(request, session, actor, tender_id=tender_id):
        return committee.opening_record(
            container_of(request), session, actor=actor, tender_id=tender_id
        )


@router.get("/tenders/{tender_id}/bids", response_model=list[payloads.BidOut])
def opened_bids(
    response: Response,
    tender_id: str,
    request: Request,
    session: SessionDep,
    actor: BuyerOrAuditor,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> Any:
    """The bids after opening, decrypted."""
    with guard(request, session, actor, tender_id=tender_id):
        tender = TenderRepository(session, actor.organisation_id).get(tender_id)
        return paged_list(
            request,
            response,
            BuyerBids(session, actor.organisation_id).opened(tender),
            limit=limit,
            offset=offset,
        )


# -- evaluation, award, contracts ------------------------------------------------


@router.post("/tenders/{tender_id}/evaluation", response_model=list[payloads.LotEvaluation])
def evaluate(
    tender_id: str,
    body: payloads.EvaluationRequest,
    request: Request,
    session: SessionDep,
    actor: Buyer,
) -> Any:
    """Score the opened bids against the award criteria."""
    with guard(request, session, actor, tender_id=tender_id):
        return service.evaluate_tender(
            container_of(request), session, actor=actor, tender_id=tender_id, data=body
        )


@router.post("/tenders/{tender_id}/award-proposal", response_model=list[payloads.AwardOut])
def propose(tender_id: str, request: Request, session: SessionDep, actor: Buyer) -> Any:
    """Propose the best-ranked bid of each lot for award."""
    with guard(request, session, actor, tender_id=tender_id):
        return service.propose_award(
            container_of(request), session, actor=actor, tender_id=tender_id
        )


@router.post("/tenders/{tender_id}/standstill", response_model=payloads.Tender)
def standstill(
    tender_id: str,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Buyer,
    if_match: IfMatch = None,
) -> Any:
    """Start the standstill period before the award is final."""
    with guard(request, session, actor, tender_id=tender_id):
        _if_match(if_match, session, actor, tender_id)
        started = service.start_standstill(
            container_of(request), session, actor=actor, tender_id=tender_id
        )
        return with_etag(response, service.tender_view(started))


@router.post("/tenders/{tender_id}/award", response_model=list[payloads.ContractOut])
def award(
    tender_id: str, request: Request, session: SessionDep, actor: Buyer, if_match: IfMatch = None
) -> Any:
    """Award the tender after the standstill; makes the contracts to sign."""
    with guard(request, session, actor, tender_id=tender_id):
        _if_match(if_match, session, actor, tender_id)
        made = service.award_tender(
            container_of(request), session, actor=actor, tender_id=tender_id
        )
        return [contracts.contract_details(session, actor=actor, contract_id=k.id)[0] for k in made]


@router.get("/tenders/{tender_id}/contracts", response_model=list[payloads.ContractOut])
def tender_contracts(
    response: Response,
    tender_id: str,
    request: Request,
    session: SessionDep,
    actor: BuyerOrAuditor,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> Any:
    """Contracts made by the tender's award."""
    with guard(request, session, actor, tender_id=tender_id):
        return paged_list(
            request,
            response,
            contracts.list_contracts(session, actor=actor, tender_id=tender_id),
            limit=limit,
            offset=offset,
        )


@router.get("/tenders/{tender_id}/documents")
def tender_documents(
    response: Response,
    tender_id: str,
    request: Request,
    session: SessionDep,
    actor: BuyerOrAuditor,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> Any:
    """Documents of the tender: notices, opening record, award decision."""
    with guard(request, session, actor, tender_id=tender_id):
        tender = TenderRepository(session, actor.organisation_id).get(tender_id)
        rows = session.scalars(
            select(TenderDocument)
            .where(TenderDocument.tender_id == tender.id)
            .order_by(TenderDocument.created_at)
        )
        return paged_list(request, response, [_doc(d) for d in rows], limit=limit, offset=offset)


def _doc(d: TenderDocument) -> dict[str, Any]:
    return {
        "id": d.id,
        "kind": d.kind,
        "sha256": d.sha256,
        "content_type": d.content_type,
        "public": d.public,
        "created_at": d.created_at.isoformat(),
    }


@router.get("/contracts", response_model=list[payloads.ContractOut])
def party_contracts(
    response: Response,
    request: Request,
    session: SessionDep,
    actor: Party,
    tender_id: str | None = None,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> Any:
    """Contracts the caller's organisation is party to, as buyer or supplier."""
    with guard(request, session, actor):
        return paged_list(
            request,
            response,
            contracts.party_contracts(session, actor=actor, tender_id=tender_id),
            limit=limit,
            offset=offset,
        )


@router.get("/contracts/{contract_id}", response_model=payloads.ContractOut)
def get_contract(
    contract_id: str, request: Request, response: Response, session: SessionDep, actor: Party
) -> Any:
    """One contract (buyer or supplier party to it)."""
    with guard(request, session, actor):
        details = contracts.contract_details(session, actor=actor, contract_id=contract_id)[0]
        return with_etag(response, details)


@router.get("/contracts/{contract_id}/document")
def contract_document(
    contract_id: str, request: Request, session: SessionDep, actor: Party
) -> Response:
    """The contract document as signed."""
    with guard(request, session, actor):
        _, document = contracts.contract_details(session, actor=actor, contract_id=contract_id)
    return Response(document, media_type="application/json")


@router.post("/contracts/{contract_id}/signatures", response_model=payloads.ContractOut)
def sign(
    contract_id: str,
    body: payloads.ContractSign,
    request: Request,
    session: SessionDep,
    actor: Party,
    if_match: IfMatch = None,
) -> Any:
    """Sign the contract (buyer or supplier)."""
    with guard(request, session, actor):
        if if_match is not None:
            current = contracts.contract_details(session, actor=actor, contract_id=contract_id)
            check_if_match(if_match, current[0])
        return contracts.sign_contract(
            container_of(request),
            session,
            actor=actor,
            contract_id=contract_id,
            signature=body.signature.encode(),
        )


# -- suppliers ------------------------------------------------------------------


@router.post("/supplier-keys", status_code=201)
def register_key(
    body: payloads.SupplierKeyRegister, request: Request, session: SessionDep, actor: Supplier
) -> Any:
    """Register the supplier's bid-signing public key."""
    with guard(request, session, actor):
        key = bidding.register_supplier_key(
            session, actor=actor, public_key_pem=body.public_key_pem
        )
        return {"id": key.id, "fingerprint": key.fingerprint}


@router.post("/tenders/{tender_id}/interest", status_code=201)
def interest(tender_id: str, request: Request, session: SessionDep, actor: Supplier) -> Any:
    """Register for a tender, to be told of corrigenda (supplier)."""
    with guard(request, session, actor, tender_id=tender_id):
        row = service.register_interest(
            container_of(request), session, actor=actor, tender_id=tender_id
        )
        return {"tender_id": row.tender_id, "registered_at": row.created_at.isoformat()}


@router.post("/tenders/{tender_id}/questions", status_code=201)
def ask(
    tender_id: str,
    body: payloads.QuestionCreate,
    request: Request,
    session: SessionDep,
    actor: Supplier,
) -> Any:
    """Ask the buyer a question about the tender (supplier)."""
    with guard(request, session, actor, tender_id=tender_id):
        q = service.ask_question(
            container_of(request), session, actor=actor, tender_id=tender_id, data=body
        )
        return {"id": q.id, "tender_id": q.tender_id, "asked_at": q.asked_at.isoformat()}


@router.post("/tenders/{tender_id}/bids", status_code=201, response_model=payloads.BidReceipt)
def submit_bid(
    tender_id: str, body: payloads.BidSubmit, request: Request, session: SessionDep, actor: Supplier
) -> Any:
    """Submit a sealed bid, encrypted to the tender's key and signed (supplier)."""
    with guard(request, session, actor, tender_id=tender_id):
        received = bidding.submit_bid(
            container_of(request),
            session,
            actor=actor,
            tender_id=tender_id,
            envelope=body.envelope,
            lot_ids=body.lot_ids,
            signing_key_fingerprint=body.signing_key_fingerprint,
            replaces_bid_id=body.replaces_bid_id,
        )
        return _receipt(received)


@router.post("/tenders/{tender_id}/bids/plain", status_code=201, response_model=payloads.BidReceipt)
def submit_plain(
    tender_id: str, body: payloads.BidPlain, request: Request, session: SessionDep, actor: Supplier
) -> Any:
    """Submit a bid in plain text, sealed at the API edge (supplier)."""
    with guard(request, session, actor, tender_id=tender_id):
        received = bidding.seal_at_edge(
            container_of(request),
            session,
            actor=actor,
            tender_id=tender_id,
            content=body.content,
            replaces_bid_id=body.replaces_bid_id,
        )
        return _receipt(received)


@router.get("/tenders/{tender_id}/my-bids", response_model=list[payloads.BidOut])
def my_bids(
    response: Response,
    tender_id: str,
    request: Request,
    session: SessionDep,
    actor: Supplier,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> Any:
    """The supplier's own bids on a tender."""
    with guard(request, session, actor, tender_id=tender_id):
        return paged_list(
            request,
            response,
            bidding.supplier_bids(session, actor=actor, tender_id=tender_id),
            limit=limit,
            offset=offset,
        )


@router.get("/bids/{bid_id}", response_model=payloads.BidOut)
def get_bid(bid_id: str, request: Request, session: SessionDep, actor: Supplier) -> Any:
    """One of the supplier's bids."""
    with guard(request, session, actor, bid_id=bid_id):
        return bidding.own_bid(session, actor=actor, bid_id=bid_id)


@router.get("/bids/{bid_id}/receipt")
def bid_receipt(bid_id: str, request: Request, session: SessionDep, actor: Supplier) -> Response:
    """The gateway's signed receipt for a bid."""
    with guard(request, session, actor, bid_id=bid_id):
        bid: Bid = bidding.own_bid(session, actor=actor, bid_id=bid_id)
        if bid.receipt_sha256 is None:
            raise NotFound(f"bid {bid_id} has no receipt")
        data = container_of(request).blobs.get(bid.receipt_sha256)
    return Response(data, media_type=XML)


@router.post("/bids/{bid_id}/withdraw", response_model=payloads.BidOut)
def withdraw(bid_id: str, request: Request, session: SessionDep, actor: Supplier) -> Any:
    """Withdraw a bid before the deadline."""
    with guard(request, session, actor, bid_id=bid_id):
        return bidding.withdraw_bid(container_of(request), session, actor=actor, bid_id=bid_id)


@router.post("/bids/{bid_id}/confirm", response_model=payloads.BidOut)
def confirm(bid_id: str, request: Request, session: SessionDep, actor: Supplier) -> Any:
    """Confirm a bid after a material corrigendum (else it is not opened)."""
    with guard(request, session, actor, bid_id=bid_id):
        return bidding.confirm_bid(container_of(request), session, actor=actor, bid_id=bid_id)


@router.get("/tender-notifications")
def notifications(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Supplier,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> Any:
    """Notices addressed to the supplier (invitations, award letters)."""
    rows = session.scalars(
        select(TenderDocument)
        .where(TenderDocument.recipient_organisation_id == actor.organisation_id)
        .order_by(TenderDocument.created_at)
    )
    return paged_list(
        request,
        response,
        [{**_doc(d), "tender_id": d.tender_id} for d in rows],
        limit=limit,
        offset=offset,
    )


@router.get("/tender-notifications/{document_id}")
def notification(
    document_id: str, request: Request, session: SessionDep, actor: Supplier
) -> Response:
    """One notice addressed to the supplier."""
    with guard(request, session, actor):
        d = session.get(TenderDocument, document_id)
        if d is None or d.recipient_organisation_id != actor.organisation_id:
            raise NotFound(f"notification {document_id} not found")
        data = container_of(request).blobs.get(d.sha256)
    return Response(data, media_type=d.content_type)


# The restricted procedure's selection stage has its own module of routes.
router.include_router(selection_api.router)
