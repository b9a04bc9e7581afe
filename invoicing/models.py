"""Tables of the invoicing domain: orders, invoices and each organisation's receiving profile.

Both parties of a document on the same gateway keep their own row: the buyer's
order (``side="buyer"``) and the supplier's received copy (``side="supplier"``);
the supplier's issued invoice (``side="issued"``) and the buyer's received one
(``side="received"``). The documents themselves live in the blob store; the
rows keep what lists and matching need.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, new_id, utcnow

__all__ = ["InvoiceRecord", "InvoicingProfile", "OrderRecord"]


class OrderRecord(Base):
    __tablename__ = "invoicing_orders"
    __table_args__ = (
        UniqueConstraint("organisation_id", "side", "counterparty", "number"),
        Index("ix_invoicing_orders_org_created", "organisation_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    side: Mapped[str] = mapped_column(String(8))  # "buyer" or "supplier"
    number: Mapped[str] = mapped_column(String(100))
    counterparty: Mapped[str] = mapped_column(String(100))  # the other side's participant id
    contract_id: Mapped[str | None] = mapped_column(String(100), default=None)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    status: Mapped[str] = mapped_column(String(24))
    response_code: Mapped[str | None] = mapped_column(String(4), default=None)
    response_note: Mapped[str | None] = mapped_column(Text, default=None)
    document_hash: Mapped[str] = mapped_column(String(64))
    response_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    submission_id: Mapped[str | None] = mapped_column(String(36), default=None)
    response_submission_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InvoiceRecord(Base):
    __tablename__ = "invoicing_invoices"
    __table_args__ = (
        Index("ix_invoicing_invoices_org_side", "organisation_id", "side", "created_at"),
        Index("ix_invoicing_invoices_number", "organisation_id", "counterparty", "number"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    side: Mapped[str] = mapped_column(String(8))  # "issued" or "received"
    kind: Mapped[str] = mapped_column(String(16))  # "invoice" or "credit_note"
    syntax: Mapped[str] = mapped_column(String(8))  # "bis3" or "oioubl"
    number: Mapped[str] = mapped_column(String(100))
    counterparty: Mapped[str] = mapped_column(String(100))
    order_number: Mapped[str | None] = mapped_column(String(100), default=None)
    contract_id: Mapped[str | None] = mapped_column(String(100), default=None)
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    payable_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), default=None)
    status: Mapped[str] = mapped_column(String(24))
    response_code: Mapped[str | None] = mapped_column(String(4), default=None)
    reasons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    document_hash: Mapped[str] = mapped_column(String(64))
    # Outbound: the submission that carries it; inbound: the submission it arrived as.
    submission_id: Mapped[str | None] = mapped_column(String(36), default=None, unique=True)
    response_submission_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InvoicingProfile(Base):
    """How an organisation wants to receive invoices (Peppol BIS 3 or OIOUBL 2.1)."""

    __tablename__ = "invoicing_profiles"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), unique=True)
    invoice_syntax: Mapped[str] = mapped_column(String(8), default="bis3")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
