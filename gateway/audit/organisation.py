"""One organisation's audit chain for people: entries about one subject, verify this chain."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.audit.chain import ChainBreak, find_break
from gateway.audit.models import AuditEntry, AuditHead
from gateway.audit.service import _fields

__all__ = ["entries_about", "verify_organisation"]


def entries_about(
    session: Session, *, organisation_id: str, subject_id: str, limit: int = 200
) -> list[AuditEntry]:
    """What the organisation's chain records about one subject (a submission), oldest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.chain == organisation_id, AuditEntry.subject_id == subject_id)
            .order_by(AuditEntry.seq)
            .limit(limit)
        )
    )


def verify_organisation(session: Session, *, organisation_id: str) -> tuple[int, ChainBreak | None]:
    """Recompute the organisation's chain: how many entries, and the first break if any."""
    count = session.scalar(select(func.count()).where(AuditEntry.chain == organisation_id)) or 0
    head = session.get(AuditHead, organisation_id)
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.chain == organisation_id).order_by(AuditEntry.id)
    ).yield_per(1000)
    problem = find_break(
        _fields(iter(rows)),
        head_seq=head.seq if head else None,
        head_hash=head.hash if head else None,
    )
    return int(count), problem
