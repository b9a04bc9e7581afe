"""Sealed bids: the tender's opening key, the bid envelope, and opening.

Cryptography, chosen once and named in every envelope:

* Opening key: X25519, one pair per tender, made at publication. The private
  half is split with :mod:`tendering.shamir` and the whole key is dropped:
  :func:`create_opening_key` returns only the public key and the shares.
* Envelope (ECIES style): a fresh ephemeral X25519 key per bid; the shared
  secret goes through HKDF-SHA256 (salt = ephemeral public key || tender
  public key, info binds the tender id) to an AES-256-GCM key; the AAD is the
  canonical JSON of the envelope header, so tender id, supplier id, bid id and
  key fingerprint cannot be changed without the decryption failing.
* Supplier signature: Ed25519 over a domain-separated message that binds the
  tender, supplier and bid ids to the plaintext, made *before* encryption and
  carried inside the ciphertext, so nobody learns who signed what before the
  opening and a signature cannot be lifted onto another bid.

Python cannot wipe memory it hands to a library; "never kept whole" here
means never returned, stored or logged, and only rebuilt in memory at opening.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tendering import shamir
from tendering.errors import BidUnreadable, InvalidEnvelope, KeyRebuildFailed, WrongTender

__all__ = [
    "ENVELOPE_VERSION",
    "OpenedBid",
    "OpeningKey",
    "SealedEnvelope",
    "create_opening_key",
    "key_fingerprint",
    "load_supplier_private_key",
    "load_supplier_public_key",
    "new_supplier_key",
    "open_bid",
    "rebuild_key",
    "seal_bid",
    "supplier_private_key_pem",
    "supplier_public_key_pem",
]

ENVELOPE_VERSION = 1
ALGORITHMS = {"kem": "X25519", "kdf": "HKDF-SHA256", "aead": "AES-256-GCM", "sig": "Ed25519"}
_INNER_MAGIC = b"GWB1"
_SIG_LEN = 64
_HEADER_FIELDS = (
    "v",
    "kem",
    "kdf",
    "aead",
    "sig",
    "tender_id",
    "supplier_id",
    "bid_id",
    "kfp",
    "epk",
)


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_fingerprint(public_key: X25519PublicKey) -> str:
    """Hex SHA-256 of the raw public key: names the opening key in shares and envelopes."""
    return hashlib.sha256(_raw_public(public_key)).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise InvalidEnvelope(f"envelope field {what} is not a string")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:  # binascii.Error, or non-ASCII characters
        raise InvalidEnvelope(f"envelope field {what} is not base64") from exc


@dataclass(frozen=True, slots=True)
class OpeningKey:
    """What publication keeps: the public key and one share per committee member."""

    tender_id: str
    public_key: X25519PublicKey
    fingerprint: str
    threshold: int
    shares: tuple[shamir.Share, ...]

    @property
    def public_key_b64(self) -> str:
        return _b64(_raw_public(self.public_key))


def create_opening_key(*, tender_id: str, threshold: int, holders: int) -> OpeningKey:
    """Make the tender's key pair, split the private key ``threshold`` of ``holders``, drop it."""
    private = X25519PrivateKey.generate()
    public = private.public_key()
    fingerprint = key_fingerprint(public)
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    shares = shamir.split(
        raw, threshold=threshold, count=holders, tender_id=tender_id, key_fingerprint=fingerprint
    )
    del private, raw
    return OpeningKey(tender_id, public, fingerprint, threshold, tuple(shares))


def rebuild_key(shares: list[shamir.Share], *, tender_id: str) -> X25519PrivateKey:
    """Rebuild the tender's private key from at least k shares; refuse a key that is not it."""
    if not shares:
        raise KeyRebuildFailed("no shares handed in")
    fingerprint = shares[0].key_fingerprint
    raw = shamir.combine(shares, tender_id=tender_id, key_fingerprint=fingerprint)
    private = X25519PrivateKey.from_private_bytes(raw)
    if key_fingerprint(private.public_key()) != fingerprint:
        raise KeyRebuildFailed("the shares do not rebuild this tender's opening key")
    return private


def new_supplier_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 signing key for a supplier (kept by the supplier, never by us)."""
    return Ed25519PrivateKey.generate()


def supplier_private_key_pem(key: Ed25519PrivateKey, *, password: bytes | None) -> bytes:
    """PKCS#8 PEM of a supplier's signing key, encrypted when a password is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def load_supplier_private_key(pem: bytes, *, password: bytes | None) -> Ed25519PrivateKey:
    """Load a supplier's signing key written by :func:`supplier_private_key_pem`."""
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except (ValueError, TypeError) as exc:
        raise InvalidEnvelope("signing key cannot be read (wrong password or format)") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidEnvelope("signing key is not an Ed25519 key")
    return key


def supplier_public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """PEM (SubjectPublicKeyInfo) of a supplier's signing key, as registered with the gateway."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_supplier_public_key(pem: bytes) -> Ed25519PublicKey:
    """Load a supplier's registered Ed25519 public key."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise InvalidEnvelope("supplier public key is not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidEnvelope("supplier public key is not an Ed25519 key")
    return key


def _signed_message(tender_id: str, supplier_id: str, bid_id: str, plaintext: bytes) -> bytes:
    head = json.dumps([tender_id, supplier_id, bid_id], separators=(",", ":")).encode()
    return b"gateway sealed bid v1\n" + head + b"\n" + plaintext


@dataclass(frozen=True, slots=True)
class SealedEnvelope:
    """A sealed bid as stored and transported; :meth:`to_bytes` is canonical JSON."""

    tender_id: str
    supplier_id: str
    bid_id: str
    key_fingerprint: str
    ephemeral_public_key: bytes
    nonce: bytes
    ciphertext: bytes
    version: int = ENVELOPE_VERSION

    def _header(self) -> dict[str, Any]:
        return {
            "v": self.version,
            **ALGORITHMS,
            "tender_id": self.tender_id,
            "supplier_id": self.supplier_id,
            "bid_id": self.bid_id,
            "kfp": self.key_fingerprint,
            "epk": _b64(self.ephemeral_public_key),
        }

    def aad(self) -> bytes:
        return json.dumps(self._header(), sort_keys=True, separators=(",", ":")).encode()

    def to_dict(self) -> dict[str, Any]:
        return {**self._header(), "nonce": _b64(self.nonce), "ct": _b64(self.ciphertext)}

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> SealedEnvelope:
        """Parse an envelope, refusing unknown versions or algorithms."""
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidEnvelope("envelope is not JSON") from exc
        if not isinstance(doc, dict):
            raise InvalidEnvelope("envelope is not a JSON object")
        missing = [f for f in (*_HEADER_FIELDS, "nonce", "ct") if f not in doc]
        if missing:
            raise InvalidEnvelope(f"envelope lacks {', '.join(missing)}")
        if doc["v"] != ENVELOPE_VERSION:
            raise InvalidEnvelope(f"envelope version {doc['v']!r} is not supported")
        for name, expected in ALGORITHMS.items():
            if doc[name] != expected:
                raise InvalidEnvelope(f"algorithm {name}={doc[name]!r} is not supported")
        for name in ("tender_id", "supplier_id", "bid_id", "kfp"):
            if not isinstance(doc[name], str):
                raise InvalidEnvelope(f"envelope field {name} is not a string")
        return cls(
            tender_id=doc["tender_id"],
            supplier_id=doc["supplier_id"],
            bid_id=doc["bid_id"],
            key_fingerprint=doc["kfp"],
            ephemeral_public_key=_unb64(doc["epk"], "epk"),
            nonce=_unb64(doc["nonce"], "nonce"),
            ciphertext=_unb64(doc["ct"], "ct"),
        )


def _aead_key(shared: bytes, epk: bytes, tender_pk: bytes, tender_id: str) -> bytes:
    hkdf = HKDF(
        algorithm=SHA256(),
        length=32,
        salt=epk + tender_pk,
        info=b"gateway sealed bid v1|tender=" + tender_id.encode(),
    )
    return hkdf.derive(shared)


def seal_bid(
    plaintext: bytes,
    *,
    tender_id: str,
    supplier_id: str,
    bid_id: str,
    tender_public_key: X25519PublicKey,
    signing_key: Ed25519PrivateKey,
) -> SealedEnvelope:
    """Sign the bid as the supplier, then encrypt it to the tender's opening key."""
    signature = signing_key.sign(_signed_message(tender_id, supplier_id, bid_id, plaintext))
    ephemeral = X25519PrivateKey.generate()
    epk = _raw_public(ephemeral.public_key())
    tender_pk = _raw_public(tender_public_key)
    key = _aead_key(ephemeral.exchange(tender_public_key), epk, tender_pk, tender_id)
    nonce = os.urandom(12)
    header = SealedEnvelope(
        tender_id, supplier_id, bid_id, key_fingerprint(tender_public_key), epk, nonce, b""
    )
    inner = _INNER_MAGIC + signature + plaintext
    ciphertext = AESGCM(key).encrypt(nonce, inner, header.aad())
    return SealedEnvelope(
        tender_id, supplier_id, bid_id, header.key_fingerprint, epk, nonce, ciphertext
    )


@dataclass(frozen=True, slots=True)
class OpenedBid:
    """A decrypted bid with the outcome of its signature check."""

    tender_id: str
    supplier_id: str
    bid_id: str
    plaintext: bytes
    signature_valid: bool
    envelope_sha256: str


def open_bid(
    envelope: bytes | SealedEnvelope,
    private_key: X25519PrivateKey,
    *,
    tender_id: str,
    supplier_public_key: Ed25519PublicKey,
) -> OpenedBid:
    """Decrypt a sealed bid with the rebuilt key and verify the supplier's signature.

    ``envelope_sha256`` is the hash of the bytes as received (canonical bytes when an
    object is given), the same value the receipt named.
    """
    data = envelope.to_bytes() if isinstance(envelope, SealedEnvelope) else bytes(envelope)
    sealed = envelope if isinstance(envelope, SealedEnvelope) else SealedEnvelope.from_bytes(data)
    public = private_key.public_key()
    if sealed.tender_id != tender_id or sealed.key_fingerprint != key_fingerprint(public):
        raise WrongTender(f"bid {sealed.bid_id} was sealed for another tender or key")
    if len(sealed.ephemeral_public_key) != 32 or len(sealed.nonce) != 12:
        raise InvalidEnvelope("envelope key or nonce has the wrong length")
    epk = X25519PublicKey.from_public_bytes(sealed.ephemeral_public_key)
    try:
        shared = private_key.exchange(epk)
    except ValueError as exc:  # a low-order point gives an all-zero secret
        raise BidUnreadable(f"bid {sealed.bid_id} has an invalid ephemeral key") from exc
    key = _aead_key(shared, sealed.ephemeral_public_key, _raw_public(public), sealed.tender_id)
    try:
        inner = AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, sealed.aad())
    except InvalidTag as exc:
        raise BidUnreadable(f"bid {sealed.bid_id} fails authentication: altered") from exc
    if not inner.startswith(_INNER_MAGIC) or len(inner) < len(_INNER_MAGIC) + _SIG_LEN:
        raise BidUnreadable(f"bid {sealed.bid_id} has no signed content")
    signature = inner[len(_INNER_MAGIC) : len(_INNER_MAGIC) + _SIG_LEN]
    plaintext = inner[len(_INNER_MAGIC) + _SIG_LEN :]
    message = _signed_message(sealed.tender_id, sealed.supplier_id, sealed.bid_id, plaintext)
    try:
        supplier_public_key.verify(signature, message)
        valid = True
    except InvalidSignature:
        valid = False
    return OpenedBid(
        sealed.tender_id,
        sealed.supplier_id,
        sealed.bid_id,
        plaintext,
        valid,
        hashlib.sha256(data).hexdigest(),
    )
