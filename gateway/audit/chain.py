"""Pure rules of the audit chain: how an entry is hashed and how a chain is checked."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["GENESIS", "ChainBreak", "EntryFields", "entry_hash", "find_break"]

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class EntryFields:
    chain: str
    seq: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    data: dict[str, Any]
    prev_hash: str
    hash: str = ""
    row_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChainBreak:
    chain: str
    seq: int
    row_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"entry {self.seq}" + (f" (row {self.row_id})" if self.row_id is not None else "")
        return f"chain {self.chain}: {where}: {self.reason}"


def _canonical_time(at: datetime) -> str:
    # Microseconds are dropped: not every database keeps them.
    return at.astimezone(UTC).replace(microsecond=0).isoformat()


def entry_hash(e: EntryFields) -> str:
    """SHA-256 over a canonical JSON of every field and the previous hash."""
    body = {
        "chain": e.chain,
        "seq": e.seq,
        "at": _canonical_time(e.at),
        "actor": e.actor,
        "action": e.action,
        "subject": [e.subject_type, e.subject_id],
        "data": e.data,
        "prev": e.prev_hash,
    }
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def find_break(
    entries: Iterable[EntryFields], *, head_seq: int | None, head_hash: str | None
) -> ChainBreak | None:
    """Return the first entry that was altered, removed or reordered, or None if intact.

    ``entries`` must come ordered by storage order (row id); the head records
    what the last entry should be, so removing entries at the end is caught too.
    """
    expected_seq = 1
    prev = GENESIS
    chain = ""
    last: EntryFields | None = None
    for e in entries:
        chain = e.chain
        if e.seq != expected_seq:
            reason = f"expected sequence {expected_seq}, found {e.seq}: " + (
                "entries removed" if e.seq > expected_seq else "entries reordered or duplicated"
            )
            return ChainBreak(e.chain, expected_seq, e.row_id, reason)
        if e.prev_hash != prev:
            return ChainBreak(e.chain, e.seq, e.row_id, "previous-hash link broken")
        if entry_hash(e) != e.hash:
            return ChainBreak(e.chain, e.seq, e.row_id, "content altered (hash mismatch)")
        prev = e.hash
        expected_seq += 1
        last = e
    if head_seq is not None:
        if last is None or last.seq != head_seq:
            found = last.seq if last else 0
            return ChainBreak(
                chain, found + 1, None, f"chain ends at {found} but its head says {head_seq}"
            )
        if head_hash != last.hash:
            return ChainBreak(chain, last.seq, last.row_id, "head hash does not match last entry")
    return None
