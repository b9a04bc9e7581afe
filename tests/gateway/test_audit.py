"""The audit chain: hashing rules, and tampering caught by `gateway audit verify`."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from gateway.audit.chain import GENESIS, EntryFields, entry_hash, find_break
from gateway.audit.models import AuditEntry
from gateway.audit.service import record, verify_chains
from gateway.bootstrap import Container
from gateway.settings import Settings

AT = datetime(2026, 1, 1, tzinfo=UTC)


def _chain(n: int) -> list[EntryFields]:
    out: list[EntryFields] = []
    prev = GENESIS
    for i in range(1, n + 1):
        e = _with_hash(
            EntryFields("org", i, AT, "alice", "x.y", "thing", str(i), {"i": i}, prev), i
        )
        out.append(e)
        prev = e.hash
    return out


def _with_hash(e: EntryFields, row: int) -> EntryFields:
    return replace(e, hash=entry_hash(e), row_id=row)


def test_intact_chain_has_no_break() -> None:
    chain = _chain(5)
    assert find_break(chain, head_seq=5, head_hash=chain[-1].hash) is None


def test_altered_content_is_named() -> None:
    chain = _chain(5)
    chain[2] = replace(chain[2], data={"i": 999})
    brk = find_break(chain, head_seq=5, head_hash=chain[-1].hash)
    assert brk is not None and brk.seq == 3 and "altered" in brk.reason


def test_removed_entry_is_named() -> None:
    chain = _chain(5)
    del chain[1]
    brk = find_break(chain, head_seq=5, head_hash=chain[-1].hash)
    assert brk is not None and brk.seq == 2 and "removed" in brk.reason


def test_reordered_entries_are_caught() -> None:
    chain = _chain(4)
    chain[1], chain[2] = chain[2], chain[1]
    brk = find_break(chain, head_seq=4, head_hash=chain[-1].hash)
    assert brk is not None and brk.seq == 2


def test_truncated_tail_is_caught_by_the_head() -> None:
    chain = _chain(5)
    brk = find_break(chain[:3], head_seq=5, head_hash=chain[-1].hash)
    assert brk is not None and "head says 5" in brk.reason


def _verify_cli(settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GW_DATABASE_URL": settings.effective_database_url,
        "GW_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_names_an_entry_altered_in_the_database(
    container: Container, make_org, settings: Settings
) -> None:
    org = make_org("admin")
    with container.db.transaction() as s:
        for i in range(3):
            record(
                s,
                organisation_id=org.organisation_id,
                actor="t",
                action="test.event",
                subject_type="x",
                subject_id=str(i),
                data={"n": i},
            )
    ok = _verify_cli(settings)
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    with container.db.transaction() as s:
        victim = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.chain == org.organisation_id)
            .order_by(AuditEntry.seq)
            .offset(2)
        ).first()
        assert victim is not None
        seq, row = victim.seq, victim.id
        s.execute(update(AuditEntry).where(AuditEntry.id == row).values(actor="mallory"))
    try:
        bad = _verify_cli(settings)
        assert bad.returncode == 1
        assert f"entry {seq} (row {row})" in bad.stderr
        assert org.organisation_id in bad.stderr
    finally:
        with container.db.transaction() as s:
            s.execute(update(AuditEntry).where(AuditEntry.id == row).values(actor="t"))


def test_deleting_an_entry_is_detected(container: Container, make_org) -> None:
    org = make_org("admin")
    with container.db.transaction() as s:
        for i in range(3):
            record(
                s,
                organisation_id=org.organisation_id,
                actor="t",
                action="test.event",
                subject_type="x",
                subject_id=str(i),
            )
    with container.db.transaction() as s:
        row = s.scalars(
            select(AuditEntry.id)
            .where(AuditEntry.chain == org.organisation_id)
            .order_by(AuditEntry.seq)
            .offset(1)
        ).first()
        saved = s.get(AuditEntry, row)
        assert saved is not None
        copy = {c.name: getattr(saved, c.name) for c in AuditEntry.__table__.columns}
        s.execute(delete(AuditEntry).where(AuditEntry.id == row))
    try:
        with container.db.transaction() as s:
            _, breaks = verify_chains(s)
        mine = [b for b in breaks if b.chain == org.organisation_id]
        assert mine and "removed" in mine[0].reason
    finally:
        with container.db.transaction() as s:
            s.add(AuditEntry(**copy))
