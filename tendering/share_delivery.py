"""Delivering a committee member's share sealed to the member's own X25519 key (I/O-free).

At publication the gateway holds every share for an instant. It hands each
one out sealed to a key only its member holds, so what stays in the database
(one sealed share per member) opens nothing: a database reader would need k
members' private keys as well. The member unseals its share offline
(``gateway tender share-open``) and hands it in after the deadline.
"""

from __future__ import annotations

import base64
import binascii
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tendering.errors import InvalidShare

__all__ = [
    "load_member_private_key",
    "load_member_public_key",
    "member_private_key_text",
    "member_public_key_text",
    "new_member_key",
    "open_share",
    "seal_share",
]

_INFO = b"gateway opening share v1"


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def new_member_key() -> X25519PrivateKey:
    """A fresh key pair for a committee member (the private half stays with the member)."""
    return X25519PrivateKey.generate()


def member_public_key_text(key: X25519PrivateKey | X25519PublicKey) -> str:
    """Base64 of the raw public key, as registered for the committee."""
    public = key.public_key() if isinstance(key, X25519PrivateKey) else key
    return base64.b64encode(_raw(public)).decode()


def member_private_key_text(key: X25519PrivateKey) -> str:
    """Base64 of the raw private key, for the member's own file."""
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def _decode32(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidShare(f"{what} is not base64") from exc
    if len(raw) != 32:
        raise InvalidShare(f"{what} is not a 32-byte X25519 key")
    return raw


def load_member_public_key(text: str) -> X25519PublicKey:
    """A member's public key from :func:`member_public_key_text`."""
    return X25519PublicKey.from_public_bytes(_decode32(text, "member public key"))


def load_member_private_key(text: str) -> X25519PrivateKey:
    """A member's private key from :func:`member_private_key_text`."""
    return X25519PrivateKey.from_private_bytes(_decode32(text, "member private key"))


def _key(shared: bytes, epk: bytes, member: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=epk + member, info=_INFO).derive(shared)


def seal_share(share_text: str, member_public_key: X25519PublicKey) -> str:
    """Encrypt a share's text to the member's public key (ephemeral X25519 + AES-256-GCM)."""
    eph = X25519PrivateKey.generate()
    epk = _raw(eph.public_key())
    key = _key(eph.exchange(member_public_key), epk, _raw(member_public_key))
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, share_text.encode(), _INFO)
    doc = {"epk": epk.hex(), "nonce": nonce.hex(), "ct": base64.b64encode(ct).decode()}
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def open_share(sealed: str, member_private_key: X25519PrivateKey) -> str:
    """Decrypt a sealed share with the member's private key."""
    try:
        doc = json.loads(sealed)
        epk = bytes.fromhex(doc["epk"])
        nonce = bytes.fromhex(doc["nonce"])
        ct = base64.b64decode(doc["ct"], validate=True)
        peer = X25519PublicKey.from_public_bytes(epk)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise InvalidShare("the sealed share is malformed") from exc
    public = _raw(member_private_key.public_key())
    key = _key(member_private_key.exchange(peer), epk, public)
    try:
        return AESGCM(key).decrypt(nonce, ct, _INFO).decode()
    except InvalidTag as exc:
        raise InvalidShare("the sealed share is not for this key, or was altered") from exc
