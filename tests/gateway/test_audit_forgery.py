"""Forgeries the audit chain must catch, through its public verify function.

Written against ``find_break`` and ``verify_chains`` (what ``gateway audit
verify`` runs), not the chain's internals: each test plants what someone with
write access to the table could do and expects the entry to be named.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from gateway.audit.chain import GENESIS, EntryFields, entry_hash, find_break
from gateway.audit.models import AuditEntry, AuditHead
from gateway.audit.service import record, verify_chains
from gateway.bootstrap import Container

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _chain(n: int) -> list[EntryFields]:
    out: list[EntryFields] = []
    prev = GENESIS
    for i in range(1, n + 1):
        e = EntryFields("org", i, AT, "alice", "x.done", "thing", str(i), {"i": i}, prev)
        e = replace(e, hash=entry_hash(e), row_id=i)
        out.append(e)
        prev = e.hash
    return out


def _rehash(e: EntryFields) -> EntryFields:
    return replace(e, hash=entry_hash(e))


def test_an_entry_forged_with_its_own_hash_recomputed_breaks_the_next_link() -> None:
    chain = _chain(5)
    chain[2] = _rehash(replace(chain[2], data={"i": 999}))
    brk = find_break(chain, head_seq=5, head_hash=chain[-1].hash)
    assert brk is not None and brk.seq == 4 and brk.row_id == 4
    assert "previous-hash link" in brk.reason


def test_a_forged_last_entry_with_its_hash_recomputed_is_caught_by_the_head() -> None:
    chain = _chain(4)
    head_hash = chain[-1].hash
    chain[-1] = _rehash(replace(chain[-1], actor="mallory"))
    brk = find_break(chain, head_seq=4, head_hash=head_hash)
    assert brk is not None and brk.seq == 4 and "head hash" in brk.reason


def test_an_entry_forged_with_both_hashes_recomputed_still_breaks_at_the_forgery() -> None:
    # The forger also points the forged entry at a made-up predecessor hash.
    chain = _chain(4)
    chain[1] = _rehash(replace(chain[1], prev_hash="f" * 64, data={"i": -1}))
    brk = find_break(chain, head_seq=4, head_hash=chain[-1].hash)
    assert brk is not None and brk.seq == 2 and "previous-hash link" in brk.reason


def test_an_entry_appended_past_the_head_is_caught() -> None:
    chain = _chain(6)  # a well-linked sixth entry, but the head was left at five
    brk = find_break(chain, head_seq=5, head_hash=chain[4].hash)
    assert brk is not None and "chain ends at 6 but its head says 5" in brk.reason


@pytest.mark.parametrize(
    "change",
    [
        {"chain": "other-org"},
        {"at": AT + timedelta(seconds=1)},
        {"actor": "mallory"},
        {"action": "x.undone"},
        {"subject_type": "other"},
        {"subject_id": "99"},
        {"data": {"i": 2, "extra": True}},
    ],
    ids=lambda c: next(iter(c)),
)
def test_every_field_is_covered_by_the_hash(change: dict[str, Any]) -> None:
    chain = _chain(3)
    chain[1] = replace(chain[1], **change)
    brk = find_break(chain, head_seq=3, head_hash=chain[-1].hash)
    assert brk is not None and brk.seq == 2 and "altered" in brk.reason


def test_the_first_entry_must_link_to_genesis() -> None:
    chain = _chain(2)
    chain[0] = _rehash(replace(chain[0], prev_hash="1" * 64))
    brk = find_break(chain, head_seq=2, head_hash=chain[-1].hash)
    assert brk is not None and brk.seq == 1 and "previous-hash link" in brk.reason


def test_a_chain_with_no_head_is_checked_link_by_link() -> None:
    chain = _chain(3)
    assert find_break(chain, head_seq=None, head_hash=None) is None
    chain[2] = replace(chain[2], actor="mallory")
    brk = find_break(chain, head_seq=None, head_hash=None)
    assert brk is not None and brk.seq == 3


def test_the_hash_ignores_microseconds_only() -> None:
    e = _chain(1)[0]
    assert entry_hash(replace(e, at=AT.replace(microsecond=123))) == e.hash
    assert entry_hash(replace(e, at=AT.astimezone(UTC) + timedelta(hours=1))) != e.hash


def test_an_entry_appended_past_the_head_in_the_database_is_named(
    container: Container, make_org: Any
) -> None:
    org = make_org("admin")
    with container.db.transaction() as s:
        for i in range(2):
            record(
                s,
                organisation_id=org.organisation_id,
                actor="t",
                action="test.event",
                subject_type="x",
                subject_id=str(i),
            )
    with container.db.transaction() as s:
        head = s.get(AuditHead, org.organisation_id)
        assert head is not None and head.seq >= 2
        n = head.seq
        forged = EntryFields(
            org.organisation_id, n + 1, AT, "mallory", "test.event", "x", "2", {}, head.hash
        )
        s.add(
            AuditEntry(
                chain=forged.chain,
                seq=n + 1,
                at=AT,
                actor=forged.actor,
                action=forged.action,
                subject_type=forged.subject_type,
                subject_id=forged.subject_id,
                data={},
                prev_hash=forged.prev_hash,
                hash=entry_hash(forged),
            )
        )
    try:
        with container.db.transaction() as s:
            _, breaks = verify_chains(s)
        mine = [b for b in breaks if b.chain == org.organisation_id]
        assert mine and f"chain ends at {n + 1} but its head says {n}" in mine[0].reason
    finally:
        with container.db.transaction() as s:
            s.execute(
                delete(AuditEntry).where(
                    AuditEntry.chain == org.organisation_id, AuditEntry.seq == n + 1
                )
            )
            assert s.scalar(select(AuditEntry.seq).where(AuditEntry.actor == "mallory")) is None
