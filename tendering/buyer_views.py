"""What a buyer's screens read: its tenders, the opened bids, the stored evaluation.

The API routes read these through the repositories directly; the portal calls
these functions instead, so page handlers stay as thin as routes.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from tendering import payloads
from tendering.repository import BuyerBids, TenderRepository
from tendering.service import tender_view

__all__ = ["buyer_tenders", "opened_bids", "stored_evaluation"]


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
