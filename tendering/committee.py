"""The opening committee: sealed shares out, shares in after the deadline, the opening.

A share handed in is kept only until the k-th arrives; that hand-in opens
the tender in the same transaction and erases every share. The opening
record (every bid, its hash, whether it opened and its signature verified)
is signed by the gateway, stored, and its hash chained into the buyer's audit
log.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from gateway.errors import Conflict, Forbidden
from gateway.signing import sign_detached
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from tendering import lifecycle, opening, payloads, sealing, shamir
from tendering._common import audit, gateway_identity, move, store_document
from tendering.errors import InvalidShare, InvalidTransition, NotEnoughShares
from tendering.lifecycle import TenderStatus
from tendering.models import Bid, BidStatus, OpeningMember, OpeningShare, Tender
from tendering.repository import (
    BuyerBids,
    CorrigendumRepository,
    DocumentRepository,
    MemberRepository,
    ShareRepository,
    SupplierKeyRepository,
    TenderRepository,
)

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = ["hand_in_share", "my_sealed_share", "open_tender", "opening_record", "require_member"]


def require_member(session: Session, actor: Actor, tender: Tender) -> OpeningMember:
    """The actor's committee seat on ``tender``; refused for anyone else."""
    actor.require(Role.OPENING_MEMBER)
    seat = MemberRepository(session, actor.organisation_id).of_principal(
        tender.id, actor.principal_id
    )
    if seat is None:
        raise Forbidden("you are not on this tender's opening committee")
    return seat


def my_sealed_share(session: Session, *, actor: Actor, tender_id: str) -> payloads.SealedShare:
    """The member's share, sealed to the member's own key (only the member can open it)."""
    tender = TenderRepository(session, actor.organisation_id).get(tender_id)
    seat = require_member(session, actor, tender)
    if seat.sealed_share is None:
        raise InvalidTransition("shares are made when the tender is published")
    return payloads.SealedShare(
        tender_id=tender.id, share_index=seat.share_index, sealed_share=seat.sealed_share
    )


def hand_in_share(
    c: Container, session: Session, *, actor: Actor, tender_id: str, share_text: str
) -> dict[str, Any]:
    """Take one member's share after the deadline; the k-th opens the tender."""
    now = c.clock()
    tender = TenderRepository(session, actor.organisation_id).get(tender_id, for_update=True)
    seat = require_member(session, actor, tender)
    lifecycle.ensure_opening_allowed(now=now, deadline=tender.deadline)
    if tender.status == lifecycle.bidding_status(tender.procedure):
        # The scheduler may not have closed it yet; the clock has.
        tender.closed_at = now
        move(session, tender, TenderStatus.SUBMISSION_CLOSED, "tendering clock")
    if tender.status != TenderStatus.SUBMISSION_CLOSED:
        raise InvalidTransition(f"the tender is {tender.status}: it takes no shares")
    share = shamir.Share.from_text(share_text)
    if (
        share.tender_id != tender.id
        or share.key_fingerprint != tender.key_fingerprint
        or share.index != seat.share_index
    ):
        raise InvalidShare("this share is not your share of this tender's opening key")
    shares = ShareRepository(session, actor.organisation_id)
    if shares.of_index(tender.id, share.index) is not None:
        raise Conflict("you have already handed in your share")
    shares.add(
        OpeningShare(
            tender_id=tender.id,
            principal_id=actor.principal_id,
            share_index=share.index,
            share_text=share_text,
            handed_in_at=now,
        )
    )
    seat.delivered_at = now
    audit(
        session,
        organisation_id=tender.organisation_id,
        actor=actor,
        action="tendering.share.handed_in",
        subject_type="tender",
        subject_id=tender.id,
        share_index=share.index,
    )
    waiting = len(shares.waiting(tender.id))
    if waiting < tender.opening_threshold:
        return {
            "tender_id": tender.id,
            "shares": waiting,
            "threshold": tender.opening_threshold,
            "opened": False,
        }
    record = open_tender(c, session, actor=actor, tender_id=tender.id)
    return {
        "tender_id": tender.id,
        "shares": waiting,
        "threshold": tender.opening_threshold,
        "opened": True,
        "record": record.model_dump(mode="json"),
    }


def _parse_content(plaintext: bytes | None) -> tuple[dict[str, Any] | None, str | None]:
    if plaintext is None:
        return None, None
    try:
        content = payloads.BidContent.model_validate_json(plaintext)
    except ValidationError as exc:
        return None, f"the opened bid is not a valid bid: {exc.error_count()} errors"
    return content.model_dump(mode="json"), None


def open_tender(
    c: Container, session: Session, *, actor: Actor, tender_id: str
) -> payloads.OpeningRecord:
    """Rebuild the key from the shares handed in, open every current bid, sign the record."""
    now = c.clock()
    tender = TenderRepository(session, actor.organisation_id).get(tender_id, for_update=True)
    if Role.OPENING_MEMBER not in actor.roles:
        actor.require(Role.BUYER)
    if tender.status != TenderStatus.SUBMISSION_CLOSED:
        raise InvalidTransition(f"the tender is {tender.status}: it cannot be opened")
    stored = ShareRepository(session, actor.organisation_id).waiting(tender.id)
    if len(stored) < tender.opening_threshold:
        raise NotEnoughShares(
            f"{len(stored)} of the {tender.opening_threshold} shares needed are in"
        )
    corrigenda = CorrigendumRepository(session, actor.organisation_id).material_times(tender.id)
    bids = BuyerBids(session, actor.organisation_id).for_opening(tender.id)
    to_open: list[opening.SubmittedEnvelope] = []
    by_id: dict[str, Bid] = {}
    for bid in bids:
        if bid.status != BidStatus.SUBMITTED:
            continue
        if lifecycle.needs_confirmation(
            submitted_at=bid.received_at,
            confirmed_at=bid.confirmed_at,
            material_corrigenda=corrigenda,
        ):
            bid.readable = False
            bid.opening_problem = "not confirmed after a material corrigendum: not opened"
            continue
        key = SupplierKeyRepository.of_organisation(
            session, bid.organisation_id, bid.signing_key_fingerprint or ""
        )
        assert key is not None, bid.id
        by_id[bid.id] = bid
        to_open.append(
            opening.SubmittedEnvelope(
                bid.id,
                bid.supplier_id,
                c.blobs.get(bid.envelope_sha256),
                sealing.load_supplier_public_key(key.public_key_pem.encode()),
            )
        )
    result = opening.open_tender(
        to_open,
        shares=[shamir.Share.from_text(s.share_text or "") for s in stored],
        tender_id=tender.id,
        deadline=tender.deadline,
        now=now,
    )
    for s in stored:
        s.share_text = None  # the key is rebuilt once; the shares are spent
    for entry in result.entries:
        bid = by_id[entry.bid_id]
        content, problem = _parse_content(entry.plaintext)
        bid.readable = entry.readable and problem is None
        bid.signature_valid = entry.signature_valid
        bid.opening_problem = entry.problem or problem
        bid.content = content
    signature = sign_detached(
        result.record,
        gateway_identity(c),
        uri=f"urn:gateway:opening-record:{tender.id}",
        mime_type="application/json",
    )
    for kind, data, ctype in (
        ("opening_record", result.record, "application/json"),
        ("opening_record_signature", signature, "application/xml"),
    ):
        store_document(
            c,
            session,
            organisation_id=tender.organisation_id,
            tender_id=tender.id,
            kind=kind,
            data=data,
            content_type=ctype,
        )
    tender.opened_at = now
    tender.opening_record_sha256 = result.record_sha256
    move(
        session,
        tender,
        TenderStatus.OPENED,
        actor,
        record_sha256=result.record_sha256,
        bids=len(result.entries),
        shares=sorted(s.share_index for s in stored),
    )
    return _record_payload(tender, result.record)


def _record_payload(tender: Tender, record: bytes) -> payloads.OpeningRecord:
    doc = json.loads(record)
    return payloads.OpeningRecord(
        tender_id=tender.id,
        opened_at=doc["opened_at"],
        shares_from=[str(i) for i in doc["shares"]],
        bids=[
            payloads.OpenedBidSummary(
                bid_id=b["bid_id"],
                supplier_id=b["supplier_id"],
                envelope_sha256=b["envelope_sha256"],
                readable=b["readable"],
                signature_valid=b["signature_valid"],
                problem=b["problem"],
            )
            for b in doc["bids"]
        ],
    )


def opening_record(
    c: Container, session: Session, *, actor: Actor, tender_id: str
) -> payloads.OpeningRecord:
    """The signed opening record of an opened tender."""
    actor.require(Role.BUYER, Role.AUDITOR, Role.OPENING_MEMBER)
    tender = TenderRepository(session, actor.organisation_id).get(tender_id)
    docs = DocumentRepository(session, actor.organisation_id).of_kind(tender.id, "opening_record")
    if not docs:
        raise InvalidTransition("the tender has not been opened")
    return _record_payload(tender, c.blobs.get(docs[-1].sha256))
