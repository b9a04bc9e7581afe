"""Sealed bids: only the tender's rebuilt key opens them, and only untouched."""

from __future__ import annotations

import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tendering import sealing
from tendering.errors import (
    BidUnreadable,
    InvalidEnvelope,
    InvalidShare,
    KeyRebuildFailed,
    NotEnoughShares,
    WrongTender,
)

BID = b'{"lot": "1", "price": "1250000.00", "currency": "DKK"}'


@pytest.fixture(scope="module")
def opening_key() -> sealing.OpeningKey:
    return sealing.create_opening_key(tender_id="T-1", threshold=3, holders=5)


@pytest.fixture(scope="module")
def supplier() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _seal(
    key: sealing.OpeningKey, supplier: Ed25519PrivateKey, **over: str
) -> sealing.SealedEnvelope:
    args = {"tender_id": "T-1", "supplier_id": "DK12345678", "bid_id": "B-1"} | over
    return sealing.seal_bid(BID, tender_public_key=key.public_key, signing_key=supplier, **args)


def _open(
    data: bytes | sealing.SealedEnvelope,
    key: sealing.OpeningKey,
    supplier: Ed25519PrivateKey,
    tender_id: str = "T-1",
) -> sealing.OpenedBid:
    private = sealing.rebuild_key(list(key.shares[:3]), tender_id=key.tender_id)
    return sealing.open_bid(
        data, private, tender_id=tender_id, supplier_public_key=supplier.public_key()
    )


def test_publication_hands_out_shares_and_public_key_only(opening_key: sealing.OpeningKey) -> None:
    assert len(opening_key.shares) == 5
    assert {s.threshold for s in opening_key.shares} == {3}
    assert {s.key_fingerprint for s in opening_key.shares} == {opening_key.fingerprint}
    assert not any(hasattr(opening_key, n) for n in ("private_key", "private"))


def test_round_trip_with_k_shares(
    opening_key: sealing.OpeningKey, supplier: Ed25519PrivateKey
) -> None:
    data = _seal(opening_key, supplier).to_bytes()
    opened = _open(data, opening_key, supplier)
    assert opened.plaintext == BID
    assert opened.signature_valid
    assert (opened.supplier_id, opened.bid_id) == ("DK12345678", "B-1")
    assert opened.envelope_sha256 == hashlib.sha256(data).hexdigest()


def test_envelope_does_not_show_the_bid(
    opening_key: sealing.OpeningKey, supplier: Ed25519PrivateKey
) -> None:
    data = _seal(opening_key, supplier).to_bytes()
    doc = json.loads(data)
    assert b"1250000" not in data
    assert {doc["kem"], doc["kdf"], doc["aead"], doc["sig"]} == {
        "X25519",
        "HKDF-SHA256",
        "AES-256-GCM",
        "Ed25519",
    }
    assert doc["v"] == 1


def test_any_k_shares_open(opening_key: sealing.OpeningKey, supplier: Ed25519PrivateKey) -> None:
    sealed = _seal(opening_key, supplier)
    private = sealing.rebuild_key(list(opening_key.shares[2:]), tender_id="T-1")
    opened = sealing.open_bid(
        sealed, private, tender_id="T-1", supplier_public_key=supplier.public_key()
    )
    assert opened.plaintext == BID


def test_k_minus_one_shares_cannot_open(opening_key: sealing.OpeningKey) -> None:
    with pytest.raises(NotEnoughShares):
        sealing.rebuild_key(list(opening_key.shares[:2]), tender_id="T-1")


def test_k_minus_one_shares_with_a_forged_threshold_give_no_key(
    opening_key: sealing.OpeningKey,
) -> None:
    from dataclasses import replace

    lowered = [replace(s, threshold=2) for s in opening_key.shares[:2]]
    with pytest.raises(KeyRebuildFailed):
        sealing.rebuild_key(lowered, tender_id="T-1")


def test_tampered_ciphertext_is_refused(
    opening_key: sealing.OpeningKey, supplier: Ed25519PrivateKey
) -> None:
    sealed = _seal(opening_key, supplier)
    flipped = bytearray(sealed.ciphertext)
    flipped[70] ^= 0x01
    from dataclasses import replace

    with pytest.raises(BidUnreadable, match="altered"):
        _open(replace(sealed, ciphertext=bytes(flipped)), opening_key, supplier)


def test_relabelled_bid_is_refused(
    opening_key: sealing.OpeningKey, supplier: Ed25519PrivateKey
) -> None:
    doc = json.loads(_seal(opening_key, supplier).to_bytes())
    doc["supplier_id"] = "DK87654321"
    with pytest.raises(BidUnreadable):
        _open(json.dumps(doc).encode(), opening_key, supplier)


def test_bid_for_another_tender_is_refused(supplier: Ed25519PrivateKey) -> None:
    other = sealing.create_opening_key(tender_id="T-2", threshold=2, holders=3)
    ours = sealing.create_opening_key(tender_id="T-1", threshold=2, holders=3)
    sealed = sealing.seal_bid(
        BID,
        tender_id="T-2",
        supplier_id="S",
        bid_id="B",
        tender_public_key=other.public_key,
        signing_key=supplier,
    )
    private = sealing.rebuild_key(list(ours.shares[:2]), tender_id="T-1")
    with pytest.raises(WrongTender):
        sealing.open_bid(
            sealed, private, tender_id="T-1", supplier_public_key=supplier.public_key()
        )


def test_bid_relabelled_to_our_tender_is_refused(
    opening_key: sealing.OpeningKey, supplier: Ed25519PrivateKey
) -> None:
    # Sealed to our key but claiming another tender id: HKDF info and AAD both bind the id.
    doc = json.loads(_seal(opening_key, supplier, tender_id="T-9").to_bytes())
    doc["tender_id"] = "T-1"
    with pytest.raises(BidUnreadable):
        _open(json.dumps(doc).encode(), opening_key, supplier)


def test_shares_of_another_tender_do_not_rebuild(opening_key: sealing.OpeningKey) -> None:
    with pytest.raises(InvalidShare, match="another tender"):
        sealing.rebuild_key(list(opening_key.shares[:3]), tender_id="T-2")


def test_signature_of_someone_else_is_reported_invalid(
    opening_key: sealing.OpeningKey, supplier: Ed25519PrivateKey
) -> None:
    impostor = Ed25519PrivateKey.generate()
    data = _seal(opening_key, impostor).to_bytes()
    opened = _open(data, opening_key, supplier)
    assert opened.plaintext == BID
    assert not opened.signature_valid


def test_supplier_public_key_pem_round_trip(supplier: Ed25519PrivateKey) -> None:
    pem = sealing.supplier_public_key_pem(supplier)
    loaded = sealing.load_supplier_public_key(pem)
    assert sealing.supplier_public_key_pem(loaded) == pem


@pytest.mark.parametrize(
    "mutation",
    [
        lambda d: d.update(v=2),
        lambda d: d.update(aead="AES-128-CBC"),
        lambda d: d.pop("nonce"),
        lambda d: d.update(ct="not base64!"),
        lambda d: d.update(bid_id=7),
    ],
    ids=["version", "algorithm", "missing-nonce", "bad-base64", "non-string-id"],
)
def test_malformed_envelopes_are_refused(
    mutation, opening_key: sealing.OpeningKey, supplier: Ed25519PrivateKey
) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(_seal(opening_key, supplier).to_bytes())
    mutation(doc)
    with pytest.raises(InvalidEnvelope):
        sealing.SealedEnvelope.from_bytes(json.dumps(doc).encode())


@pytest.mark.parametrize("data", [b"", b"[]", b"\xff\xfe"])
def test_non_envelopes_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidEnvelope):
        sealing.SealedEnvelope.from_bytes(data)


def test_supplier_signing_key_pem_round_trip_with_password() -> None:
    key = sealing.new_supplier_key()
    pem = sealing.supplier_private_key_pem(key, password=b"correct horse")
    assert b"ENCRYPTED" in pem
    loaded = sealing.load_supplier_private_key(pem, password=b"correct horse")
    assert sealing.supplier_public_key_pem(loaded) == sealing.supplier_public_key_pem(key)
    with pytest.raises(InvalidEnvelope):
        sealing.load_supplier_private_key(pem, password=b"wrong")
