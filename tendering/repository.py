"""Every tendering query, scoped by organisation on the kernel's :class:`Repository`.

Whose rows a repository sees is fixed when it is made: a buyer's repositories
see the buyer's tenders and what hangs on them; a supplier's see its own bids
and keys, and nothing of another supplier's, not even a count. The buyer
learns who bid only from the opening on (:class:`BuyerBids`). The public
queries (:class:`PublicTenders`) show published tenders to everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from gateway.errors import NotFound
from gateway.repository import Repository
from tendering.lifecycle import TenderStatus
from tendering.models import (
    Award,
    Bid,
    BidStatus,
    Contract,
    Corrigendum,
    OpeningMember,
    OpeningShare,
    ParticipationRequest,
    Question,
    SupplierKey,
    Tender,
    TenderDocument,
    TenderInterest,
)

__all__ = [
    "AwardRepository",
    "BuyerBids",
    "ContractRepository",
    "CorrigendumRepository",
    "DocumentRepository",
    "InterestRepository",
    "MemberRepository",
    "ParticipationRequests",
    "PublicTenders",
    "QuestionRepository",
    "ShareRepository",
    "SupplierBids",
    "SupplierContracts",
    "SupplierKeyRepository",
    "TenderRepository",
]

# Statuses before which nothing of the bids is shown to the buyer.
_SEALED = {
    TenderStatus.DRAFT,
    TenderStatus.PUBLISHED,
    TenderStatus.SELECTION,
    TenderStatus.INVITED,
    TenderStatus.SUBMISSION_CLOSED,
}


class TenderRepository(Repository[Tender]):
    model = Tender
    noun = "tender"

    def by_reference(self, reference: str) -> Tender | None:
        return self.session.scalar(self.scoped().where(Tender.reference == reference))

    def listing(self) -> Sequence[Tender]:
        return self.session.scalars(self.scoped().order_by(Tender.created_at.desc())).all()


class _ByTender(Repository[Any]):
    def for_tender(self, tender_id: str) -> Select[Any]:
        return self.scoped().where(self.model.tender_id == tender_id)


class CorrigendumRepository(_ByTender):
    model = Corrigendum
    noun = "corrigendum"

    def material_times(self, tender_id: str) -> list[datetime]:
        stmt = self.for_tender(tender_id).where(Corrigendum.material.is_(True))
        return [c.issued_at for c in self.session.scalars(stmt)]

    def list(self, tender_id: str) -> Sequence[Corrigendum]:
        return self.session.scalars(
            self.for_tender(tender_id).order_by(Corrigendum.issued_at)
        ).all()


class MemberRepository(_ByTender):
    model = OpeningMember
    noun = "committee member"

    def members(self, tender_id: str) -> Sequence[OpeningMember]:
        stmt = self.for_tender(tender_id).order_by(OpeningMember.share_index)
        return self.session.scalars(stmt).all()

    def of_principal(self, tender_id: str, principal_id: str) -> OpeningMember | None:
        stmt = self.for_tender(tender_id).where(OpeningMember.principal_id == principal_id)
        return self.session.scalar(stmt)


class ShareRepository(_ByTender):
    model = OpeningShare
    noun = "opening share"

    def waiting(self, tender_id: str) -> Sequence[OpeningShare]:
        stmt = self.for_tender(tender_id).where(OpeningShare.share_text.is_not(None))
        return self.session.scalars(stmt.order_by(OpeningShare.share_index)).all()

    def of_index(self, tender_id: str, index: int) -> OpeningShare | None:
        stmt = self.for_tender(tender_id).where(OpeningShare.share_index == index)
        return self.session.scalar(stmt)


class QuestionRepository(_ByTender):
    model = Question
    noun = "question"

    def list(self, tender_id: str) -> Sequence[Question]:
        return self.session.scalars(self.for_tender(tender_id).order_by(Question.asked_at)).all()


class DocumentRepository(_ByTender):
    model = TenderDocument
    noun = "document"

    def of_kind(self, tender_id: str, kind: str) -> Sequence[TenderDocument]:
        stmt = self.for_tender(tender_id).where(TenderDocument.kind == kind)
        return self.session.scalars(stmt.order_by(TenderDocument.created_at)).all()


class InterestRepository(_ByTender):
    model = TenderInterest
    noun = "registration"

    def suppliers(self, tender_id: str) -> list[str]:
        """Registered suppliers' organisation ids (not scoped: the buyer notifies them)."""
        stmt = select(TenderInterest.organisation_id).where(TenderInterest.tender_id == tender_id)
        return list(self.session.scalars(stmt))

    def mine(self, tender_id: str) -> TenderInterest | None:
        return self.session.scalar(self.for_tender(tender_id))


class AwardRepository(_ByTender):
    model = Award
    noun = "award"

    def list(self, tender_id: str) -> Sequence[Award]:
        return self.session.scalars(self.for_tender(tender_id).order_by(Award.lot_id)).all()


class ContractRepository(_ByTender):
    """Contracts as the buyer sees them."""

    model = Contract
    noun = "contract"

    def list(self, tender_id: str) -> Sequence[Contract]:
        return self.session.scalars(self.for_tender(tender_id).order_by(Contract.lot_id)).all()


class SupplierContracts(Repository[Contract]):
    """Contracts as their supplier sees them."""

    model = Contract
    noun = "contract"

    @property
    def _org_column(self) -> InstrumentedAttribute[Any]:
        return Contract.supplier_organisation_id


class PartyContracts(Repository[Contract]):
    """Contracts an organisation is party to, as buyer or as supplier."""

    model = Contract
    noun = "contract"

    def scoped(self) -> Select[Any]:
        org = self.organisation_id
        return select(Contract).where(
            or_(Contract.organisation_id == org, Contract.supplier_organisation_id == org)
        )

    def listing(self, *, tender_id: str | None = None) -> Sequence[Contract]:
        stmt = self.scoped()
        if tender_id is not None:
            stmt = stmt.where(Contract.tender_id == tender_id)
        return self.session.scalars(stmt.order_by(Contract.starts_at, Contract.lot_id)).all()


class SupplierBids(Repository[Bid]):
    """A supplier's own bids: another supplier's bid is as absent as a missing one."""

    model = Bid
    noun = "bid"

    def for_tender(self, tender_id: str) -> Sequence[Bid]:
        stmt = self.scoped().where(Bid.tender_id == tender_id).order_by(Bid.received_at)
        return self.session.scalars(stmt).all()

    def current(self, tender_id: str) -> Sequence[Bid]:
        stmt = self.scoped().where(Bid.tender_id == tender_id, Bid.status == BidStatus.SUBMITTED)
        return self.session.scalars(stmt).all()


class BuyerBids(Repository[Bid]):
    """The bids on a buyer's tenders, shown only once the tender has been opened."""

    model = Bid
    noun = "bid"

    @property
    def _org_column(self) -> InstrumentedAttribute[Any]:
        return Bid.buyer_organisation_id

    def _ensure_opened(self, tender: Tender) -> None:
        if tender.organisation_id != self.organisation_id:
            raise NotFound(f"tender {tender.id} not found")
        if TenderStatus(tender.status) in _SEALED:
            # Before the opening the buyer may not learn even who has bid.
            raise NotFound(f"the bids of tender {tender.id} are sealed until the opening")

    def opened(self, tender: Tender) -> Sequence[Bid]:
        self._ensure_opened(tender)
        stmt = self.scoped().where(Bid.tender_id == tender.id).order_by(Bid.received_at)
        return self.session.scalars(stmt).all()

    def for_opening(self, tender_id: str) -> Sequence[Bid]:
        """Every bid of the tender, for the opening itself (the service checks the shares)."""
        stmt = self.scoped().where(Bid.tender_id == tender_id).order_by(Bid.received_at)
        return self.session.scalars(stmt).all()

    def count_current(self, tender_id: str) -> int:
        stmt = select(func.count()).where(
            Bid.buyer_organisation_id == self.organisation_id,
            Bid.tender_id == tender_id,
            Bid.status == BidStatus.SUBMITTED,
        )
        return int(self.session.scalar(stmt) or 0)


class ParticipationRequests(Repository[ParticipationRequest]):
    """Requests to participate: a supplier's own (``buyer=False``) or all on a buyer's tender."""

    model = ParticipationRequest
    noun = "request to participate"

    def __init__(self, session: Session, organisation_id: str, *, buyer: bool = False) -> None:
        super().__init__(session, organisation_id)
        self.buyer = buyer

    @property
    def _org_column(self) -> InstrumentedAttribute[Any]:
        if self.buyer:
            return ParticipationRequest.buyer_organisation_id
        return ParticipationRequest.organisation_id

    def for_tender(self, tender_id: str) -> Sequence[ParticipationRequest]:
        stmt = self.scoped().where(ParticipationRequest.tender_id == tender_id)
        return self.session.scalars(stmt.order_by(ParticipationRequest.received_at)).all()

    def mine(self, tender_id: str, *, for_update: bool = False) -> ParticipationRequest | None:
        stmt = self.scoped().where(ParticipationRequest.tender_id == tender_id)
        if for_update:
            stmt = stmt.with_for_update()
        return self.session.scalar(stmt)

    def count(self, tender_id: str) -> int:
        stmt = select(func.count()).where(
            self._org_column == self.organisation_id,
            ParticipationRequest.tender_id == tender_id,
        )
        return int(self.session.scalar(stmt) or 0)


class SupplierKeyRepository(Repository[SupplierKey]):
    model = SupplierKey
    noun = "supplier key"

    def active(self) -> Sequence[SupplierKey]:
        stmt = (
            self.scoped().where(SupplierKey.revoked_at.is_(None)).order_by(SupplierKey.created_at)
        )
        return self.session.scalars(stmt).all()

    def by_fingerprint(self, fingerprint: str) -> SupplierKey | None:
        stmt = self.scoped().where(SupplierKey.fingerprint == fingerprint)
        return self.session.scalar(stmt)

    @staticmethod
    def of_organisation(
        session: Session, organisation_id: str, fingerprint: str
    ) -> SupplierKey | None:
        """A supplier's key looked up by the opening (which runs as the buyer)."""
        stmt = select(SupplierKey).where(
            SupplierKey.organisation_id == organisation_id, SupplierKey.fingerprint == fingerprint
        )
        return session.scalar(stmt)


class PublicTenders:
    """What anyone may read: tenders from publication on, answers, public documents."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _published(self) -> Select[Any]:
        return select(Tender).where(Tender.status != TenderStatus.DRAFT.value)

    def listing(self, *, limit: int = 100, offset: int = 0) -> Sequence[Tender]:
        stmt = self._published().order_by(Tender.published_at.desc(), Tender.id)
        return self.session.scalars(stmt.limit(limit).offset(offset)).all()

    def get(self, tender_id: str, *, for_update: bool = False) -> Tender:
        stmt = self._published().where(Tender.id == tender_id)
        if for_update:
            stmt = stmt.with_for_update()
        tender = self.session.scalar(stmt)
        if tender is None:
            raise NotFound(f"tender {tender_id} not found")
        return tender

    def answers(self, tender_id: str) -> Sequence[Question]:
        stmt = (
            select(Question)
            .where(Question.tender_id == tender_id, Question.answer.is_not(None))
            .order_by(Question.answered_at)
        )
        return self.session.scalars(stmt).all()

    def documents(
        self, *, kind: str | None = None, tender_id: str | None = None
    ) -> Sequence[TenderDocument]:
        stmt = select(TenderDocument).where(TenderDocument.public.is_(True))
        if kind:
            stmt = stmt.where(TenderDocument.kind == kind)
        if tender_id:
            stmt = stmt.where(TenderDocument.tender_id == tender_id)
        return self.session.scalars(
            stmt.order_by(TenderDocument.created_at, TenderDocument.id)
        ).all()

    def awards(self) -> Sequence[Award]:
        stmt = select(Award).where(Award.status == "active").order_by(Award.awarded_at)
        return self.session.scalars(stmt).all()

    def due_for_closing(self, now: datetime) -> list[str]:
        stmt = select(Tender.id).where(
            (
                (Tender.status == TenderStatus.PUBLISHED.value)
                & (Tender.procedure == "open")
                & (Tender.deadline <= now)
            )
            | (
                (Tender.status == TenderStatus.PUBLISHED.value)
                & (Tender.procedure == "restricted")
                & (Tender.request_deadline <= now)
            )
            | ((Tender.status == TenderStatus.INVITED.value) & (Tender.deadline <= now))
        )
        return list(self.session.scalars(stmt))
