"""Tendering tables: tenders, lots, corrigenda, committee, bids, shares, supplier keys.

Ownership (the ``organisation_id`` every repository query is scoped by):
the buyer owns tenders, lots, corrigenda, committee seats and handed-in
shares; the supplier owns its bids and signing keys. A bid also records the
buyer's organisation so the buyer's opening can find it.

No private opening key is ever stored. Handed-in shares are kept only
between the first hand-in (never before the deadline) and the opening,
which erases them; before the deadline there is nothing in the database that
opens a bid.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db.base import Base, TimestampMixin, new_id, utcnow
from tendering.lifecycle import TenderStatus

__all__ = [
    "Award",
    "Bid",
    "BidStatus",
    "Contract",
    "Corrigendum",
    "OpeningMember",
    "OpeningShare",
    "ParticipationRequest",
    "Question",
    "RequestStatus",
    "SupplierKey",
    "Tender",
    "TenderDocument",
    "TenderInterest",
    "TenderLot",
]

Money = Numeric(18, 2, asdecimal=True)


class BidStatus:
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    REPLACED = "replaced"


class Tender(TimestampMixin, Base):
    __tablename__ = "tenders"
    __table_args__ = (UniqueConstraint("organisation_id", "reference"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    reference: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(24), default=TenderStatus.DRAFT.value, index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    contract_nature: Mapped[str] = mapped_column(String(16))
    cpv_code: Mapped[str] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3), default="DKK")
    estimated_value: Mapped[Decimal | None] = mapped_column(Money, default=None)
    procedure: Mapped[str] = mapped_column(String(24), default="open")
    deadline: Mapped[datetime]
    questions_deadline: Mapped[datetime | None] = mapped_column(default=None)
    # Restricted procedure only: the request deadline and the stated numbers of candidates.
    request_deadline: Mapped[datetime | None] = mapped_column(default=None)
    min_candidates: Mapped[int | None] = mapped_column(Integer, default=None)
    max_candidates: Mapped[int | None] = mapped_column(Integer, default=None)
    selected_at: Mapped[datetime | None] = mapped_column(default=None)
    standstill_days: Mapped[int] = mapped_column(Integer, default=10)
    selection_criteria: Mapped[list[str]] = mapped_column(JSON, default=list)
    opening_threshold: Mapped[int] = mapped_column(Integer)
    opening_holders: Mapped[int] = mapped_column(Integer)
    public_key: Mapped[str | None] = mapped_column(String(64), default=None)  # base64 raw X25519
    key_fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    standstill_ends: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    notified_at: Mapped[datetime | None] = mapped_column(default=None)
    awarded_at: Mapped[datetime | None] = mapped_column(default=None)
    opening_record_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    # Per lot: the ranking as computed by scoring.evaluate_lot (Decimals as strings).
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    cancel_reason: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lots: Mapped[list[TenderLot]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="TenderLot.position"
    )


class TenderLot(Base):
    __tablename__ = "tender_lots"
    __table_args__ = (UniqueConstraint("tender_id", "lot_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    lot_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    estimated_value: Mapped[Decimal | None] = mapped_column(Money, default=None)
    award_method: Mapped[str] = mapped_column(String(24))
    # The criteria as validated by payloads.Criterion (Decimals as strings).
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    tender: Mapped[Tender] = relationship(back_populates="lots")


class Corrigendum(TimestampMixin, Base):
    __tablename__ = "tender_corrigenda"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"), index=True)
    issued_at: Mapped[datetime]
    summary: Mapped[str] = mapped_column(Text)
    material: Mapped[bool] = mapped_column(Boolean)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    deadline_before: Mapped[datetime]
    deadline_after: Mapped[datetime]


class OpeningMember(TimestampMixin, Base):
    """Who holds which share index; the share is kept only sealed to the member's own key."""

    __tablename__ = "tender_opening_members"
    __table_args__ = (
        UniqueConstraint("tender_id", "share_index"),
        UniqueConstraint("tender_id", "principal_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"), index=True)
    principal_id: Mapped[str] = mapped_column(ForeignKey("principals.id"))
    share_index: Mapped[int] = mapped_column(Integer)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    # The member's X25519 public key (base64 raw) and its share sealed to it: only the
    # member's own private key, which the gateway never holds, opens it.
    member_public_key: Mapped[str | None] = mapped_column(String(64), default=None)
    sealed_share: Mapped[str | None] = mapped_column(Text, default=None)


class OpeningShare(Base):
    """A share handed in after the deadline, kept until the opening erases it."""

    __tablename__ = "tender_opening_shares"
    __table_args__ = (UniqueConstraint("tender_id", "share_index"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"), index=True)
    principal_id: Mapped[str] = mapped_column(ForeignKey("principals.id"))
    share_index: Mapped[int] = mapped_column(Integer)
    share_text: Mapped[str | None] = mapped_column(Text, default=None)  # None once opened
    handed_in_at: Mapped[datetime] = mapped_column(default=utcnow)


class Bid(Base):
    __tablename__ = "bids"
    __table_args__ = (UniqueConstraint("tender_id", "envelope_sha256"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    buyer_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"), index=True)
    supplier_id: Mapped[str] = mapped_column(String(40))  # CVR of the signing supplier
    lot_ids: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=BidStatus.SUBMITTED)
    envelope_sha256: Mapped[str] = mapped_column(String(64))  # blob store key
    envelope_size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime]
    replaces_bid_id: Mapped[str | None] = mapped_column(ForeignKey("bids.id"), default=None)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    receipt_submission_id: Mapped[str | None] = mapped_column(
        ForeignKey("submissions.id"), default=None
    )
    # Filled in at opening.
    readable: Mapped[bool | None] = mapped_column(Boolean, default=None)
    signature_valid: Mapped[bool | None] = mapped_column(Boolean, default=None)
    opening_problem: Mapped[str | None] = mapped_column(Text, default=None)
    # The decrypted bid (prices per lot, lines), kept only from the opening on.
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    receipt_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    signing_key_fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)


class RequestStatus:
    REQUESTED = "requested"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"


class ParticipationRequest(Base):
    """A supplier's request to participate in a restricted tender, with its ESPD response.

    Owned by the supplier (like a bid); ``buyer_organisation_id`` lets the buyer select.
    """

    __tablename__ = "tender_participation_requests"
    __table_args__ = (UniqueConstraint("tender_id", "organisation_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    buyer_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"), index=True)
    supplier_cvr: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime]
    espd_sha256: Mapped[str] = mapped_column(String(64))  # blob store key of the ESPD response
    espd_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.REQUESTED)
    qualified: Mapped[bool | None] = mapped_column(Boolean, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)


class SupplierKey(TimestampMixin, Base):
    """A supplier's registered Ed25519 public key for bid signatures."""

    __tablename__ = "supplier_keys"
    __table_args__ = (UniqueConstraint("organisation_id", "fingerprint"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    public_key_pem: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class TenderInterest(TimestampMixin, Base):
    """A supplier that registered for a tender: it is told of every corrigendum."""

    __tablename__ = "tender_interests"
    __table_args__ = (UniqueConstraint("tender_id", "organisation_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"), index=True)


class Question(Base):
    """A supplier's question; owned by the buyer, the asker kept but never published."""

    __tablename__ = "tender_questions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"), index=True)
    asked_by_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime]
    answer: Mapped[str | None] = mapped_column(Text, default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)


class TenderDocument(Base):
    """A document the tender produced (notice, receipt, notification, opening record) in the blob store."""

    __tablename__ = "tender_documents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient_organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id"), default=None
    )
    content_type: Mapped[str] = mapped_column(String(60))
    sha256: Mapped[str] = mapped_column(String(64))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Award(Base):
    """The award of one lot to one bid: proposed, then (after the standstill) awarded."""

    __tablename__ = "tender_awards"
    __table_args__ = (UniqueConstraint("tender_id", "lot_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"), index=True)
    lot_id: Mapped[str] = mapped_column(String(40))
    bid_id: Mapped[str] = mapped_column(ForeignKey("bids.id"))
    supplier_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    value: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_at: Mapped[datetime]
    awarded_at: Mapped[datetime | None] = mapped_column(default=None)


class Contract(Base):
    """The contract of an awarded lot, signed by the buyer and countersigned by the supplier."""

    __tablename__ = "tender_contracts"
    __table_args__ = (UniqueConstraint("award_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    supplier_organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"), index=True)
    award_id: Mapped[str] = mapped_column(ForeignKey("tender_awards.id"))
    lot_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    value: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    # [{"line_id", "item", "unit", "quantity", "unit_price", "value"}], Decimals as strings.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    document_sha256: Mapped[str] = mapped_column(String(64))  # the text both sides sign
    status: Mapped[str] = mapped_column(String(24), default="draft")
    buyer_signature_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    buyer_signer: Mapped[str | None] = mapped_column(String(300), default=None)
    buyer_signed_at: Mapped[datetime | None] = mapped_column(default=None)
    supplier_signature_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    supplier_signer: Mapped[str | None] = mapped_column(String(300), default=None)
    supplier_signed_at: Mapped[datetime | None] = mapped_column(default=None)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
