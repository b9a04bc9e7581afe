"""Stored reports (VAT returns, annual reports), each tied to the ledger version it used,
and per organisation the automatic-reporting settings and what was already notified."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, TimestampMixin, new_id

__all__ = ["CalendarDeadline", "Notification", "Report", "ReportingProfile"]


class Report(TimestampMixin, Base):
    """One computed report; ``document_hash`` is the stored payload (XML) in the blob store."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "period", "ledger_id", "format"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # vat | annual
    # The document's form: the VAT request and the XBRL instance are "xbrl"-like XML; an
    # annual report may also be kept as Inline XBRL ("ixbrl") beside its instance.
    format: Mapped[str] = mapped_column(String(8), default="xbrl", server_default="xbrl")
    period: Mapped[str] = mapped_column(String(20))  # 2026-Q3, 2025
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    ledger_id: Mapped[str] = mapped_column(ForeignKey("ledger_versions.id"), index=True)
    ledger_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24), default="draft")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    document_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    validation: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    submission_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_by: Mapped[str] = mapped_column(String(300))


class ReportingProfile(TimestampMixin, Base):
    """How one organisation wants its returns made: SE number, notices, auto-submit."""

    __tablename__ = "reporting_profiles"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), unique=True)
    se: Mapped[str] = mapped_column(String(16))
    auto_submit: Mapped[bool] = mapped_column(Boolean, default=False)
    lead_days: Mapped[int] = mapped_column(Integer, default=10)
    webhook_url: Mapped[str | None] = mapped_column(String(500), default=None)
    email: Mapped[str | None] = mapped_column(String(300), default=None)
    calendar_fetched_at: Mapped[datetime | None] = mapped_column(default=None)


class CalendarDeadline(Base):
    """One VAT period the agency's calendar (VirksomhedKalenderHent) says is due."""

    __tablename__ = "reporting_calendar"
    __table_args__ = (UniqueConstraint("organisation_id", "period_start", "period_end"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)


class Notification(TimestampMixin, Base):
    """A notice sent (or attempted) about one report; at most one per report and channel."""

    __tablename__ = "reporting_notifications"
    __table_args__ = (UniqueConstraint("report_id", "channel"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"))
    channel: Mapped[str] = mapped_column(String(16))  # webhook | email
    outcome: Mapped[str] = mapped_column(String(16))  # sent | failed
    detail: Mapped[str | None] = mapped_column(Text, default=None)
