"""The opening: rebuild the key from the committee's shares, open every bid, make the record.

One unreadable or badly signed bid never stops the opening: each bid gets an
entry saying what happened to it. The record lists every bid with the hash of
its envelope and is canonical JSON, so its SHA-256 can be signed and chained
into the audit log; bid contents are not in it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tendering import lifecycle, sealing, shamir
from tendering.errors import BidUnreadable, InvalidEnvelope

__all__ = ["OpeningEntry", "OpeningResult", "SubmittedEnvelope", "open_tender"]


@dataclass(frozen=True, slots=True)
class SubmittedEnvelope:
    """A stored bid to open: its id, the envelope bytes and the supplier's registered key."""

    bid_id: str
    supplier_id: str
    envelope: bytes
    supplier_public_key: Ed25519PublicKey


@dataclass(frozen=True, slots=True)
class OpeningEntry:
    bid_id: str
    supplier_id: str
    envelope_sha256: str
    readable: bool
    signature_valid: bool | None
    problem: str | None
    plaintext: bytes | None


@dataclass(frozen=True, slots=True)
class OpeningResult:
    tender_id: str
    opened_at: datetime
    entries: tuple[OpeningEntry, ...]
    record: bytes  # canonical JSON, without bid contents
    record_sha256: str


def _open_one(item: SubmittedEnvelope, key: X25519PrivateKey, tender_id: str) -> OpeningEntry:
    digest = hashlib.sha256(item.envelope).hexdigest()
    try:
        opened = sealing.open_bid(
            item.envelope, key, tender_id=tender_id, supplier_public_key=item.supplier_public_key
        )
    except (InvalidEnvelope, BidUnreadable) as exc:
        return OpeningEntry(item.bid_id, item.supplier_id, digest, False, None, exc.detail, None)
    problem = None
    if opened.supplier_id != item.supplier_id or opened.bid_id != item.bid_id:
        problem = "envelope names another supplier or bid than it was filed under"
    elif not opened.signature_valid:
        problem = "supplier signature does not verify"
    valid = opened.signature_valid and problem is None
    return OpeningEntry(
        item.bid_id, item.supplier_id, digest, True, valid, problem, opened.plaintext
    )


def open_tender(
    envelopes: Sequence[SubmittedEnvelope],
    *,
    shares: list[shamir.Share],
    tender_id: str,
    deadline: datetime,
    now: datetime,
) -> OpeningResult:
    """Open all bids of a tender after its deadline with at least k shares."""
    lifecycle.ensure_opening_allowed(now=now, deadline=deadline)
    key = sealing.rebuild_key(shares, tender_id=tender_id)
    entries = tuple(_open_one(item, key, tender_id) for item in envelopes)
    del key
    opened_at = now.astimezone(UTC)
    record = json.dumps(
        {
            "tender_id": tender_id,
            "deadline": lifecycle.normalise_deadline(deadline).isoformat(),
            "opened_at": opened_at.isoformat(),
            "shares": sorted(s.index for s in shares),
            "bids": [
                {
                    "bid_id": e.bid_id,
                    "supplier_id": e.supplier_id,
                    "envelope_sha256": e.envelope_sha256,
                    "readable": e.readable,
                    "signature_valid": e.signature_valid,
                    "problem": e.problem,
                }
                for e in sorted(entries, key=lambda e: e.bid_id)
            ],
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    return OpeningResult(tender_id, opened_at, entries, record, hashlib.sha256(record).hexdigest())
