"""What a buyer's screens read: its tenders, the opened bids, the stored evaluation.

The API routes read these through the repositories directly; the portal calls
these functions instead, so page handlers stay as thin as routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from gateway.tenancy.models import Principal, Role
from gateway.tenancy.service import Actor
from tendering import payloads
from tendering.repository import BuyerBids, MemberRepository, TenderRepository
from tendering.service import tender_view

__all__ = ["CommitteeSeat", "buyer_tenders", "committee_status", "opened_bids", "stored_evaluation"]


def buyer_tenders(session: Session, *, actor: Actor) -> list[payloads.Tender]:
    """The organisation's tenders, drafts included."""
    actor.require(Role.BUYER, Role.AUDITOR, Role.OPENING_MEMBER)
    return [tender_view(t) for t in TenderRepository(session, actor.organisation_id).listing()]


def opened_bids(session: Session, *, actor: Actor, tender_id: str) -> list[payloads.BidOut]:
    """The bids of an opened tender, decrypted (refused before the opening)."""
    actor.require(Role.BUYER, Role.AUDITOR)
    tender = TenderRepository(session, actor.organisation_id).get(tender_id)
    return [
        payloads.BidOut.model_validate(b, from_attributes=True)
        for b in BuyerBids(session, actor.organisation_id).opened(tender)
    ]


def stored_evaluation(
    session: Session, *, actor: Actor, tender_id: str
) -> list[payloads.LotEvaluation]:
    """The last evaluation's ranking per lot (empty before the first evaluation)."""
    actor.require(Role.BUYER, Role.AUDITOR)
    tender = TenderRepository(session, actor.organisation_id).get(tender_id)
    return [payloads.LotEvaluation.model_validate(v) for v in (tender.evaluation or {}).values()]


@dataclass(frozen=True, slots=True)
class CommitteeSeat:
    name: str
    share_index: int
    handed_in_at: datetime | None
    is_me: bool


def committee_status(session: Session, *, actor: Actor, tender_id: str) -> list[CommitteeSeat]:
    """Who sits on the opening committee and who has handed in a share (never the shares)."""
    actor.require(Role.BUYER, Role.AUDITOR, Role.OPENING_MEMBER)
    tender = TenderRepository(session, actor.organisation_id).get(tender_id)
    seats = []
    for m in MemberRepository(session, actor.organisation_id).members(tender.id):
        principal = session.get(Principal, m.principal_id)
        seats.append(
            CommitteeSeat(
                principal.name if principal else m.principal_id,
                m.share_index,
                m.delivered_at,
                m.principal_id == actor.principal_id,
            )
        )
    return seats
