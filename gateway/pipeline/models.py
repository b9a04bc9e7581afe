"""The one submission table: every document the gateway sends or receives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, new_id, utcnow

__all__ = ["Submission"]


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("organisation_id", "idempotency_key"),
        Index("ix_submissions_due", "status", "next_attempt_at"),
        Index("ix_submissions_org_status", "organisation_id", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(8), default="outbound")
    sender: Mapped[str] = mapped_column(String(100))
    recipient: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str | None] = mapped_column(String(40), default=None)
    endpoint: Mapped[str | None] = mapped_column(String(500), default=None)
    content_type: Mapped[str] = mapped_column(String(100))
    payload_hash: Mapped[str] = mapped_column(String(64))
    payload_size: Mapped[int] = mapped_column(Integer)
    # The signature artefact: the whole signed document ("enveloped") or a detached signature.
    signature_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    signature_mode: Mapped[str | None] = mapped_column(String(16), default=None)
    plan: Mapped[str | None] = mapped_column(String(80), default=None)
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    status: Mapped[str] = mapped_column(String(16), default="received")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    polls: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    message_id: Mapped[str] = mapped_column(String(100), unique=True)
    transmission_id: Mapped[str | None] = mapped_column(String(200), default=None)
    receipt_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    reference: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
