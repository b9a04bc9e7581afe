"""Opening a tender: after the deadline, with k shares, every bid accounted for."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tendering import opening, sealing
from tendering.errors import NotEnoughShares, SharesBeforeDeadline

DEADLINE = datetime(2026, 3, 20, 11, 0, tzinfo=UTC)
AFTER = DEADLINE + timedelta(minutes=5)


@pytest.fixture(scope="module")
def key() -> sealing.OpeningKey:
    return sealing.create_opening_key(tender_id="T-1", threshold=2, holders=3)


def _submitted(
    key: sealing.OpeningKey, bid_id: str, supplier: Ed25519PrivateKey, body: bytes
) -> opening.SubmittedEnvelope:
    sealed = sealing.seal_bid(
        body,
        tender_id="T-1",
        supplier_id=f"S-{bid_id}",
        bid_id=bid_id,
        tender_public_key=key.public_key,
        signing_key=supplier,
    )
    return opening.SubmittedEnvelope(
        bid_id, f"S-{bid_id}", sealed.to_bytes(), supplier.public_key()
    )


def test_every_bid_is_opened_and_recorded(key: sealing.OpeningKey) -> None:
    a, b = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    bids = [_submitted(key, "B-2", b, b"bid two"), _submitted(key, "B-1", a, b"bid one")]
    result = opening.open_tender(
        bids, shares=list(key.shares[1:]), tender_id="T-1", deadline=DEADLINE, now=AFTER
    )
    assert {e.bid_id: e.plaintext for e in result.entries} == {"B-1": b"bid one", "B-2": b"bid two"}
    assert all(e.signature_valid for e in result.entries)
    record = json.loads(result.record)
    assert [b["bid_id"] for b in record["bids"]] == ["B-1", "B-2"]
    assert record["bids"][1]["envelope_sha256"] == hashlib.sha256(bids[0].envelope).hexdigest()
    assert record["shares"] == [2, 3]
    assert b"bid one" not in result.record
    assert result.record_sha256 == hashlib.sha256(result.record).hexdigest()


def test_a_tampered_bid_is_reported_and_the_others_still_open(key: sealing.OpeningKey) -> None:
    supplier = Ed25519PrivateKey.generate()
    good = _submitted(key, "B-1", supplier, b"fine")
    bad = _submitted(key, "B-2", supplier, b"changed later")
    doc = json.loads(bad.envelope)
    ct = bytearray(base64.b64decode(doc["ct"]))
    ct[0] ^= 0x80
    doc["ct"] = base64.b64encode(bytes(ct)).decode()
    tampered = opening.SubmittedEnvelope(
        "B-2", bad.supplier_id, json.dumps(doc).encode(), bad.supplier_public_key
    )
    result = opening.open_tender(
        [good, tampered], shares=list(key.shares[:2]), tender_id="T-1", deadline=DEADLINE, now=AFTER
    )
    by_id = {e.bid_id: e for e in result.entries}
    assert by_id["B-1"].readable and by_id["B-1"].plaintext == b"fine"
    assert not by_id["B-2"].readable and by_id["B-2"].plaintext is None
    assert by_id["B-2"].problem


def test_a_bid_signed_by_another_key_than_registered_is_flagged(key: sealing.OpeningKey) -> None:
    item = _submitted(key, "B-1", Ed25519PrivateKey.generate(), b"x")
    registered = Ed25519PrivateKey.generate().public_key()
    swapped = opening.SubmittedEnvelope(item.bid_id, item.supplier_id, item.envelope, registered)
    (entry,) = opening.open_tender(
        [swapped], shares=list(key.shares[:2]), tender_id="T-1", deadline=DEADLINE, now=AFTER
    ).entries
    assert entry.readable and entry.signature_valid is False
    assert entry.problem == "supplier signature does not verify"


def test_a_bid_filed_under_another_id_is_flagged(key: sealing.OpeningKey) -> None:
    supplier = Ed25519PrivateKey.generate()
    item = _submitted(key, "B-1", supplier, b"x")
    refiled = opening.SubmittedEnvelope(
        "B-9", item.supplier_id, item.envelope, item.supplier_public_key
    )
    (entry,) = opening.open_tender(
        [refiled], shares=list(key.shares[:2]), tender_id="T-1", deadline=DEADLINE, now=AFTER
    ).entries
    assert entry.signature_valid is False
    assert "another supplier or bid" in (entry.problem or "")


def test_no_opening_before_the_deadline(key: sealing.OpeningKey) -> None:
    with pytest.raises(SharesBeforeDeadline):
        opening.open_tender(
            [],
            shares=list(key.shares),
            tender_id="T-1",
            deadline=DEADLINE,
            now=DEADLINE - timedelta(seconds=1),
        )


def test_no_opening_with_fewer_than_k_shares(key: sealing.OpeningKey) -> None:
    with pytest.raises(NotEnoughShares):
        opening.open_tender(
            [], shares=list(key.shares[:1]), tender_id="T-1", deadline=DEADLINE, now=AFTER
        )
