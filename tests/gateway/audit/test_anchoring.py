"""Checkpoints outside the database: what a DBA's rewrite of the chains looks like to `verify`."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update

from gateway.audit.anchoring import (
    Anchoring,
    check_against_log,
    make_checkpoint,
    prove,
    verify_proof,
)
from gateway.audit.chain import ChainBreak, EntryFields, entry_hash
from gateway.audit.errors import ChainNotAnchorable, CheckpointExists, TimestampError
from gateway.audit.models import AuditEntry, AuditHead
from gateway.audit.service import verify_chains
from gateway.audit.timestamp import HttpTimestamper
from tests.gateway.audit.conftest import Gateway

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
A, B, C = "org-a", "org-b", "org-c"


def _checkpoint(gw: Gateway) -> int:
    with gw.db.transaction() as s:
        cp = make_checkpoint(s, gw.anchoring, now=NOW)
    assert cp is not None
    return cp.number


def _verify(gw: Gateway) -> tuple[list[ChainBreak], list[ChainBreak], list[str]]:
    log = gw.anchoring.read()
    with gw.db.transaction() as s:
        _, internal = verify_chains(s)
        anchored = check_against_log(s, log)
    return internal, anchored, log.problems


def _rehash_from(gw: Gateway, chain: str, seq: int, **change: object) -> None:
    """What a DBA who knows the hashing rule does: alter an entry, re-hash it and the rest."""
    with gw.db.transaction() as s:
        rows = list(
            s.scalars(select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq))
        )
        prev = rows[seq - 2].hash if seq > 1 else "0" * 64
        for row in rows[seq - 1 :]:
            if row.seq == seq:
                for k, v in change.items():
                    setattr(row, k, v)
            row.prev_hash = prev
            f = EntryFields(
                row.chain,
                row.seq,
                row.at,
                row.actor,
                row.action,
                row.subject_type,
                row.subject_id,
                row.data,
                prev,
            )
            row.hash = entry_hash(f)
            prev = row.hash
        s.execute(update(AuditHead).where(AuditHead.chain == chain).values(hash=prev))


@pytest.fixture
def anchored(gw: Gateway) -> Gateway:
    gw.add(A, 5)
    gw.add(B, 3)
    gw.add(C, 2)
    assert _checkpoint(gw) == 1
    assert _verify(gw) == ([], [], [])
    return gw


def test_a_checkpoint_is_signed_stamped_and_written_once(anchored: Gateway) -> None:
    folder = anchored.anchoring.folder
    path = folder.path_of(1)
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    doc = json.loads(path.read_bytes())
    assert doc["head"]["tree_size"] == 10 and len(doc["leaves"]) == 10
    assert doc["signature"]["value"] and doc["timestamp"]
    log = anchored.anchoring.read()
    assert log.latest is not None and log.latest.timestamp is not None
    assert "time-stamping" in log.latest.timestamp.tsa or log.latest.timestamp.tsa
    with anchored.db.transaction() as s:
        assert make_checkpoint(s, anchored.anchoring, now=NOW) is None  # nothing new
    with pytest.raises(CheckpointExists):
        folder.write_once(1, b"{}")
    assert json.loads(path.read_bytes()) == doc


def test_truncation_with_a_moved_head_is_named(anchored: Gateway) -> None:
    with anchored.db.transaction() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.chain == A, AuditEntry.seq > 3))
        third = s.scalar(select(AuditEntry.hash).where(AuditEntry.chain == A, AuditEntry.seq == 3))
        s.execute(update(AuditHead).where(AuditHead.chain == A).values(seq=3, hash=third))
    internal, breaks, _ = _verify(anchored)
    assert internal == []  # the database alone is consistent: only the anchor sees it
    text = " | ".join(str(b) for b in breaks)
    assert f"chain {A}" in text and "anchored entries missing: 4-5" in text
    assert "head moved back to 3" in text


def test_an_altered_and_rehashed_entry_is_named(anchored: Gateway) -> None:
    _rehash_from(anchored, B, 2, actor="mallory")
    internal, breaks, _ = _verify(anchored)
    assert internal == []
    [brk] = breaks
    assert brk.chain == B and brk.seq == 2 and brk.row_id is not None
    assert "altered after anchoring" in brk.reason and "1 later entries differ too" in brk.reason


def test_a_deleted_chain_with_its_head_is_named(anchored: Gateway) -> None:
    with anchored.db.transaction() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.chain == C))
        s.execute(delete(AuditHead).where(AuditHead.chain == C))
    internal, breaks, _ = _verify(anchored)
    assert internal == []
    [brk] = breaks
    assert brk.chain == C and "chain deleted" in brk.reason and "2 anchored entries" in brk.reason


def test_an_entry_appended_past_the_head_is_caught_and_never_anchored(anchored: Gateway) -> None:
    with anchored.db.transaction() as s:
        last = s.scalars(
            select(AuditEntry).where(AuditEntry.chain == A).order_by(AuditEntry.seq.desc())
        ).first()
        assert last is not None
        f = EntryFields(A, 6, last.at, "mallory", "x.y", "thing", "6", {}, last.hash)
        s.add(
            AuditEntry(
                chain=A,
                seq=6,
                at=last.at,
                actor="mallory",
                action="x.y",
                subject_type="thing",
                subject_id="6",
                data={},
                prev_hash=last.hash,
                hash=entry_hash(f),
            )
        )
    internal, _, _ = _verify(anchored)
    assert [b.chain for b in internal] == [A] and "head says 5" in internal[0].reason
    anchored.add(B, 1)
    _checkpoint(anchored)  # anchors up to each head: the stray entry stays out
    log = anchored.anchoring.read()
    assert max(leaf.seq for leaf in log.leaves if leaf.chain == A) == 5
    internal, breaks, _ = _verify(anchored)
    assert [b.chain for b in internal] == [A] and breaks == []


def test_a_rewritten_chain_is_never_anchored(anchored: Gateway) -> None:
    _rehash_from(anchored, A, 1, data={"i": 42})
    anchored.add(A, 1)
    with anchored.db.transaction() as s, pytest.raises(ChainNotAnchorable, match="altered"):
        make_checkpoint(s, anchored.anchoring, now=NOW)
    assert anchored.anchoring.folder.numbers() == [1]


def test_tampered_or_missing_checkpoint_files_are_named(anchored: Gateway) -> None:
    anchored.add(A, 2)
    assert _checkpoint(anchored) == 2
    folder = anchored.anchoring.folder
    first = folder.path_of(1)
    doc = json.loads(first.read_bytes())
    doc["head"]["root_hash"] = "00" * 32
    os.chmod(first, 0o644)
    first.write_text(json.dumps(doc))
    assert "signature does not verify" in " ".join(anchored.anchoring.read().problems)
    first.unlink()
    assert anchored.anchoring.read().problems == [
        f"checkpoint 1 is missing from {folder.directory}"
    ]


def test_consistency_proofs_between_checkpoints(anchored: Gateway) -> None:
    anchored.add(B, 4)
    assert _checkpoint(anchored) == 2
    anchored.add(C, 1)
    anchored.add("org-d", 3)
    assert _checkpoint(anchored) == 3
    log = anchored.anchoring.read()
    for a, b in [(1, 2), (1, 3), (2, 3), (3, 3)]:
        assert verify_proof(log, prove(log, a, b)) is None
    proof = prove(log, 1, 3)
    forged = {**proof, "proof": [("00" * 32), *proof["proof"][1:]]}
    assert "history was rewritten" in (verify_proof(log, forged) or "")
    moved = {**proof, "from": {**proof["from"], "root_hash": "11" * 32}}
    assert "not those in the proof" in (verify_proof(log, moved) or "")


def test_no_checkpoint_without_a_working_tsa(gw: Gateway) -> None:
    gw.add(A, 1)
    dead = replace(gw.anchoring, timestamper=HttpTimestamper("http://127.0.0.1:9/tsa", ()))
    with gw.db.transaction() as s, pytest.raises(TimestampError):
        make_checkpoint(s, dead, now=NOW)
    assert gw.anchoring.folder.numbers() == []


def test_a_checkpoint_without_a_timestamp_is_refused_by_default(gw: Gateway) -> None:
    gw.add(A, 1)
    unstamped = replace(gw.anchoring, timestamper=None, require_timestamp=False)
    with gw.db.transaction() as s:
        make_checkpoint(s, unstamped, now=NOW)
    assert "no RFC 3161 time-stamp" in " ".join(gw.anchoring.read().problems)


def test_anchoring_from_settings_defaults(gw: Gateway) -> None:
    a = Anchoring.from_settings(gw.settings)
    assert a.folder.directory == gw.settings.data_path / "audit-checkpoints"
    assert a.require_timestamp


def test_the_beat_makes_checkpoints_without_piling_them_up(gw: Gateway) -> None:
    from gateway.celery_app import _beat_schedule

    entry = _beat_schedule(gw.settings)["audit-checkpoint"]
    assert entry["task"] == "audit.checkpoint"
    assert entry["options"]["expires"] == entry["schedule"]
