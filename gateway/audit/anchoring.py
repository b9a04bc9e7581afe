"""Anchoring the audit chains outside the database, and checking them against the anchors.

``make_checkpoint`` appends every entry that appeared since the last checkpoint
to the anchored log (after checking each chain still extends what was
anchored) and writes a new checkpoint file. ``check_against_log`` names every
anchored entry that is missing or altered, and every anchored chain that
vanished. ``prove`` and ``verify_proof`` give auditors RFC 9162 consistency
proofs between two checkpoints.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit.chain import GENESIS, ChainBreak, EntryFields, entry_hash
from gateway.audit.checkpoint import (
    AnchoredLog,
    Checkpoint,
    Leaf,
    encode_checkpoint,
    read_log,
)
from gateway.audit.errors import ChainNotAnchorable, CheckpointNotFound, CheckpointStoreError
from gateway.audit.merkle import CompactTree, consistency_proof, verify_consistency
from gateway.audit.models import AuditEntry, AuditHead
from gateway.audit.timestamp import HttpTimestamper, Timestamper
from gateway.audit.worm import WormFolder
from gateway.errors import BadRequest
from gateway.settings import Settings
from gateway.signing.keys import (
    SigningIdentity,
    TrustStore,
    load_configured_trust_store,
    load_signing_identity,
    load_trust_store,
)

__all__ = [
    "Anchoring",
    "check_against_log",
    "make_checkpoint",
    "prove",
    "verify_proof",
]

_log = logging.getLogger("gateway.audit")


@dataclass(frozen=True)
class Anchoring:
    """Where checkpoints go, who signs them, who stamps them, whom we trust for both."""

    folder: WormFolder
    trust: TrustStore
    identity: Callable[[], SigningIdentity]
    timestamper: Timestamper | None
    require_timestamp: bool = True

    @classmethod
    def from_settings(cls, s: Settings) -> Anchoring:
        a = s.audit
        configured = load_configured_trust_store(s)
        trust = (
            load_trust_store(a.trust_file, signer_policy=configured.signer_policy)
            if a.trust_file
            else configured
        )
        password = s.signing.key_password.get_secret_value() if s.signing.key_password else None
        tsa_url = a.tsa_url or f"{s.effective_sandbox_url.rstrip('/')}/tsa"
        return cls(
            folder=WormFolder(Path(a.checkpoint_dir or s.data_path / "audit-checkpoints")),
            trust=trust,
            identity=lambda: load_signing_identity(s.signing_key_file, password),
            timestamper=(
                HttpTimestamper(
                    tsa_url, trust.certificates, timeout=s.pipeline.http_timeout_seconds
                )
                if a.require_timestamp
                else None
            ),
            require_timestamp=a.require_timestamp,
        )

    def read(self) -> AnchoredLog:
        return read_log(self.folder, self.trust, require_timestamp=self.require_timestamp)


def _entries(session: Session, chain: str, after_seq: int, upto_seq: int) -> list[AuditEntry]:
    # Bounded by the head read before: entries committed meanwhile wait for the next checkpoint.
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.chain == chain, AuditEntry.seq > after_seq, AuditEntry.seq <= upto_seq
            )
            .order_by(AuditEntry.seq)
        )
    )


def _fields(r: AuditEntry) -> EntryFields:
    return EntryFields(
        r.chain,
        r.seq,
        r.at,
        r.actor,
        r.action,
        r.subject_type,
        r.subject_id,
        r.data,
        r.prev_hash,
        r.hash,
        r.id,
    )


def _new_leaves(session: Session, log: AnchoredLog) -> list[Leaf]:
    """Entries since the last checkpoint, after checking each chain extends what was anchored."""
    anchored: dict[str, Leaf] = {leaf.chain: leaf for leaf in log.leaves}
    heads = {h.chain: h for h in session.scalars(select(AuditHead))}
    for chain in sorted(set(anchored) - set(heads)):
        raise ChainNotAnchorable(f"chain {chain} was anchored but its head is gone")
    out: list[Leaf] = []
    for chain in sorted(heads):
        head = heads[chain]
        last = anchored.get(chain)
        seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
        if head.seq < seq:
            raise ChainNotAnchorable(
                f"chain {chain}: its head is at {head.seq}, checkpoints anchored it up to {seq}"
            )
        if last is not None:
            stored = session.scalar(
                select(AuditEntry.hash).where(AuditEntry.chain == chain, AuditEntry.seq == seq)
            )
            if stored != last.hash:
                raise ChainNotAnchorable(f"chain {chain}: anchored entry {seq} was altered")
        for row in _entries(session, chain, seq, head.seq):
            e = _fields(row)
            if e.seq != seq + 1 or e.prev_hash != prev or entry_hash(e) != e.hash:
                raise ChainNotAnchorable(f"chain {chain}: entry {seq + 1} is missing or altered")
            out.append(Leaf(chain, e.seq, e.hash))
            seq, prev = e.seq, e.hash
        if seq != head.seq or prev != head.hash:
            raise ChainNotAnchorable(
                f"chain {chain}: its entries end at {seq}, its head at {head.seq}"
            )
    return out


def make_checkpoint(session: Session, anchoring: Anchoring, *, now: datetime) -> Checkpoint | None:
    """Anchor what is new; None when nothing changed since the last checkpoint."""
    log = anchoring.read()
    if log.problems:
        raise CheckpointStoreError(
            "the existing checkpoints do not verify, so none is added: " + "; ".join(log.problems)
        )
    new = _new_leaves(session, log)
    if not new:
        return None
    tree = CompactTree()
    for leaf in log.leaves:
        tree.append(leaf.hashed())
    previous = tree.size
    for leaf in new:
        tree.append(leaf.hashed())
    number = (log.latest.number if log.latest else 0) + 1
    data = encode_checkpoint(
        number=number,
        created_at=now,
        previous_size=previous,
        tree_size=tree.size,
        root=tree.root(),
        new_leaves=new,
        identity=anchoring.identity(),
        timestamper=anchoring.timestamper,
    )
    path = anchoring.folder.write_once(number, data)
    _log.info(
        "audit.checkpoint.written",
        extra={"number": number, "tree_size": tree.size, "new": len(new), "path": str(path)},
    )
    return Checkpoint(number, now.isoformat(), tree.size, tree.root().hex(), previous, tuple(new))


def _ranges(seqs: list[int]) -> str:
    parts: list[str] = []
    start = prev = seqs[0]
    for s in [*seqs[1:], None]:
        if s is not None and s == prev + 1:
            prev = s
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if s is not None:
            start = prev = s
    return ", ".join(parts)


def check_against_log(session: Session, log: AnchoredLog) -> list[ChainBreak]:
    """Every anchored chain must still hold every anchored entry, unaltered."""
    by_chain: dict[str, list[tuple[Leaf, int]]] = defaultdict(list)
    for leaf, number in zip(log.leaves, log.leaf_checkpoint, strict=True):
        by_chain[leaf.chain].append((leaf, number))
    heads = {h.chain: h for h in session.scalars(select(AuditHead))}
    breaks: list[ChainBreak] = []
    for chain in sorted(by_chain):
        anchored = by_chain[chain]
        rows = {
            seq: (h, rid)
            for seq, h, rid in session.execute(
                select(AuditEntry.seq, AuditEntry.hash, AuditEntry.id).where(
                    AuditEntry.chain == chain
                )
            )
        }
        latest = anchored[-1]
        if not rows and chain not in heads:
            breaks.append(
                ChainBreak(
                    chain,
                    1,
                    None,
                    f"chain deleted: its {len(anchored)} anchored entries (1-{latest[0].seq}, "
                    f"up to checkpoint {latest[1]}) and its head are gone",
                )
            )
            continue
        missing = [leaf.seq for leaf, _ in anchored if leaf.seq not in rows]
        altered = [
            (leaf, n) for leaf, n in anchored if leaf.seq in rows and rows[leaf.seq][0] != leaf.hash
        ]
        if missing:
            first = next(n for leaf, n in anchored if leaf.seq == missing[0])
            breaks.append(
                ChainBreak(
                    chain,
                    missing[0],
                    None,
                    f"anchored entries missing: {_ranges(missing)} (anchored in checkpoint "
                    f"{first}{' and later' if first != latest[1] else ''})",
                )
            )
        if altered:
            leaf, n = altered[0]
            more = f"; {len(altered) - 1} later entries differ too" if len(altered) > 1 else ""
            breaks.append(
                ChainBreak(
                    chain,
                    leaf.seq,
                    rows[leaf.seq][1],
                    f"altered after anchoring: its hash differs from checkpoint {n}{more}",
                )
            )
        head = heads.get(chain)
        if head is not None and head.seq < latest[0].seq:
            breaks.append(
                ChainBreak(
                    chain,
                    head.seq,
                    None,
                    f"head moved back to {head.seq}; checkpoint {latest[1]} anchored "
                    f"{latest[0].seq} entries",
                )
            )
    return breaks


def _leaf_hashes(log: AnchoredLog, size: int) -> list[bytes]:
    return [leaf.hashed() for leaf in log.leaves[:size]]


def prove(log: AnchoredLog, from_number: int, to_number: int) -> dict[str, Any]:
    """A consistency proof that checkpoint ``from_number``'s log is a prefix of ``to_number``'s."""
    old, new = log.by_number(from_number), log.by_number(to_number)
    for n, cp in ((from_number, old), (to_number, new)):
        if cp is None:
            raise CheckpointNotFound(f"no valid checkpoint {n}")
    assert old is not None and new is not None
    if old.number > new.number:
        raise BadRequest(
            f"checkpoint {old.number} is later than {new.number}: give the earlier first"
        )
    proof = consistency_proof(old.tree_size, _leaf_hashes(log, new.tree_size))
    return {
        "type": "rfc9162-consistency-proof",
        "from": {"checkpoint": old.number, "tree_size": old.tree_size, "root_hash": old.root_hash},
        "to": {"checkpoint": new.number, "tree_size": new.tree_size, "root_hash": new.root_hash},
        "proof": [p.hex() for p in proof],
    }


def verify_proof(log: AnchoredLog, proof: dict[str, Any]) -> str | None:
    """None when ``proof`` holds between two signed checkpoints of ``log``; else what is wrong."""
    try:
        ends = [
            (proof[k]["checkpoint"], proof[k]["tree_size"], proof[k]["root_hash"])
            for k in ("from", "to")
        ]
        path = [bytes.fromhex(p) for p in proof["proof"]]
    except (KeyError, TypeError, ValueError) as exc:
        return f"not a consistency proof: {exc}"
    for number, size, root in ends:
        cp = log.by_number(number)
        if cp is None:
            return f"checkpoint {number} is not among the valid signed checkpoints"
        if (cp.tree_size, cp.root_hash) != (size, root):
            return f"checkpoint {number} signed tree size {cp.tree_size} and root {cp.root_hash}, not those in the proof"
    (_, m, old_root), (_, n, new_root) = ends
    if not verify_consistency(m, n, bytes.fromhex(old_root), bytes.fromhex(new_root), path):
        return f"the proof does not show tree {m} is a prefix of tree {n}: history was rewritten"
    return None
