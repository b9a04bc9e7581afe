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
    "Bid",
    "BidStatus",
    "Corrigendum",
    "OpeningMember",
    "OpeningShare",
    "SupplierKey",
    "Tender",
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
    standstill_days: Mapped[int] = mapped_column(Integer, default=10)
    selection_criteria: Mapped[list[str]] = mapped_column(JSON, default=list)
    opening_threshold: Mapped[int] = mapped_column(Integer)
    opening_holders: Mapped[int] = mapped_column(Integer)
    public_key: Mapped[str | None] = mapped_column(String(64), default=None)  # base64 raw X25519
    key_fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    standstill_ends: Mapped[datetime | None] = mapped_column(default=None)
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
    """Who holds which share index; the share itself is handed out once, never stored."""

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


class SupplierKey(TimestampMixin, Base):
    """A supplier's registered Ed25519 public key for bid signatures."""

    __tablename__ = "supplier_keys"
    __table_args__ = (UniqueConstraint("organisation_id", "fingerprint"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    public_key_pem: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
