"""Appending to and verifying the audit chain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gateway.audit.chain import GENESIS, ChainBreak, EntryFields, entry_hash, find_break
from gateway.audit.models import SYSTEM_CHAIN, AuditEntry, AuditHead
from gateway.db.base import utcnow

__all__ = ["list_entries", "record", "verify_chains"]


def _lock_head(session: Session, chain: str) -> AuditHead:
    head = session.execute(
        select(AuditHead).where(AuditHead.chain == chain).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(chain=chain, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    return head


def record(
    session: Session,
    *,
    organisation_id: str | None,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the organisation's chain (flushes; the caller commits)."""
    chain = organisation_id or SYSTEM_CHAIN
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        # SQLite ignores FOR UPDATE; a no-op write takes the database's write lock first.
        session.execute(update(AuditHead).where(AuditHead.chain == chain).values(seq=AuditHead.seq))
    head = _lock_head(session, chain)
    at = utcnow().replace(microsecond=0)
    fields = EntryFields(
        chain=chain,
        seq=head.seq + 1,
        at=at,
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data or {},
        prev_hash=head.hash,
    )
    digest = entry_hash(fields)
    entry = AuditEntry(
        chain=chain,
        seq=fields.seq,
        at=at,
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=fields.data,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(entry)
    head.seq = fields.seq
    head.hash = digest
    session.flush()
    return entry


def _fields(rows: Iterator[AuditEntry]) -> Iterator[EntryFields]:
    for r in rows:
        yield EntryFields(
            chain=r.chain,
            seq=r.seq,
            at=r.at,
            actor=r.actor,
            action=r.action,
            subject_type=r.subject_type,
            subject_id=r.subject_id,
            data=r.data,
            prev_hash=r.prev_hash,
            hash=r.hash,
            row_id=r.id,
        )


def verify_chains(session: Session) -> tuple[int, list[ChainBreak]]:
    """Check every chain; returns the number of entries read and the first break per chain."""
    chains = set(session.scalars(select(AuditEntry.chain).distinct()))
    heads = {h.chain: h for h in session.scalars(select(AuditHead))}
    chains |= set(heads)
    breaks: list[ChainBreak] = []
    total = 0
    for chain in sorted(chains):
        total += session.scalar(select(func.count()).where(AuditEntry.chain == chain)) or 0
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.id)
        ).yield_per(1000)
        head = heads.get(chain)
        problem = find_break(
            _fields(iter(rows)),
            head_seq=head.seq if head else None,
            head_hash=head.hash if head else None,
        )
        if problem is not None:
            breaks.append(
                ChainBreak(chain, problem.seq, problem.row_id, problem.reason)
                if not problem.chain
                else problem
            )
    return total, breaks


def list_entries(
    session: Session, *, organisation_id: str, after_seq: int = 0, limit: int = 100
) -> list[AuditEntry]:
    """Entries of one organisation's chain, oldest first, for auditors."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.chain == organisation_id, AuditEntry.seq > after_seq)
            .order_by(AuditEntry.seq)
            .limit(limit)
        )
    )
