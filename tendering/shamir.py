"""Shamir secret sharing of a 256-bit secret (the tender's opening key), k of n.

Field: the integers modulo the Mersenne prime p = 2**521 - 1. Any 256-bit
secret is a field element as it is (no encoding, no splitting into bytes),
the prime is famous enough to need no certificate, and the extra width costs
a share 66 bytes instead of 33, which nobody notices. With coefficients
drawn uniformly from the field by :mod:`secrets`, any k - 1 shares are
consistent with every possible secret: they tell nothing about it.

A :class:`Share` carries the tender id, the fingerprint of the tender's
public key and the threshold besides its point, so a share of another tender
(or of a re-keyed one) is refused before any arithmetic, and a check code
catches a share mangled while copied by hand.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from tendering.errors import InvalidShare, KeyRebuildFailed, NotEnoughShares

__all__ = [
    "PRIME",
    "SECRET_BYTES",
    "Share",
    "combine",
    "lagrange_at_zero",
    "split",
]

PRIME = 2**521 - 1
SECRET_BYTES = 32
MAX_SHARES = 255
_PREFIX = "gwshare1."
_FIELD_BYTES = (PRIME.bit_length() + 7) // 8


@dataclass(frozen=True, slots=True)
class Share:
    """One committee member's share: the point (index, value) of the tender's polynomial."""

    tender_id: str
    key_fingerprint: str
    threshold: int
    index: int
    value: int

    def _check_code(self) -> str:
        body = f"{self.tender_id}|{self.key_fingerprint}|{self.threshold}|{self.index}|{self.value}"
        return hashlib.sha256(body.encode()).hexdigest()[:12]

    def to_text(self) -> str:
        """Serialise as one copy-pasteable line (``gwshare1.`` + base64url JSON)."""
        doc = {
            "tender_id": self.tender_id,
            "key_fingerprint": self.key_fingerprint,
            "threshold": self.threshold,
            "index": self.index,
            "value": self.value.to_bytes(_FIELD_BYTES, "big").hex(),
            "check": self._check_code(),
        }
        raw = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
        return _PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def from_text(cls, text: str) -> Share:
        """Parse :meth:`to_text` output, refusing anything malformed or altered."""
        text = text.strip()
        if not text.startswith(_PREFIX):
            raise InvalidShare("not an opening share (wrong prefix)")
        body = text[len(_PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            doc = json.loads(raw)
            share = cls(
                tender_id=str(doc["tender_id"]),
                key_fingerprint=str(doc["key_fingerprint"]),
                threshold=int(doc["threshold"]),
                index=int(doc["index"]),
                value=int(doc["value"], 16),
            )
            check = str(doc["check"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidShare("opening share is malformed") from exc
        if not secrets.compare_digest(check, share._check_code()):
            raise InvalidShare("opening share is corrupted (check code mismatch)")
        share._validate()
        return share

    def _validate(self) -> None:
        if not 1 <= self.index <= MAX_SHARES:
            raise InvalidShare(f"share index {self.index} is out of range")
        if not 1 <= self.threshold <= MAX_SHARES:
            raise InvalidShare(f"share threshold {self.threshold} is out of range")
        if not 0 <= self.value < PRIME:
            raise InvalidShare("share value is not a field element")


def _eval(coefficients: Sequence[int], x: int) -> int:
    acc = 0
    for c in reversed(coefficients):
        acc = (acc * x + c) % PRIME
    return acc


def split(
    secret: bytes, *, threshold: int, count: int, tender_id: str, key_fingerprint: str
) -> list[Share]:
    """Split a 32-byte secret into ``count`` shares, any ``threshold`` of which rebuild it."""
    if len(secret) != SECRET_BYTES:
        raise ValueError(f"secret must be {SECRET_BYTES} bytes")
    if not 1 <= threshold <= count <= MAX_SHARES:
        raise ValueError(f"need 1 <= threshold <= count <= {MAX_SHARES}")
    coefficients = [int.from_bytes(secret, "big")]
    coefficients += [secrets.randbelow(PRIME) for _ in range(threshold - 1)]
    shares = [
        Share(tender_id, key_fingerprint, threshold, x, _eval(coefficients, x))
        for x in range(1, count + 1)
    ]
    coefficients.clear()
    return shares


def lagrange_at_zero(points: Sequence[tuple[int, int]]) -> int:
    """The value at x = 0 of the lowest-degree polynomial through ``points`` (mod PRIME)."""
    xs = [x for x, _ in points]
    if len(set(xs)) != len(xs):
        raise InvalidShare("the same share index was handed in twice")
    total = 0
    for i, (xi, yi) in enumerate(points):
        num, den = 1, 1
        for j, xj in enumerate(xs):
            if i != j:
                num = num * (-xj) % PRIME
                den = den * (xi - xj) % PRIME
        total = (total + yi * num * pow(den, -1, PRIME)) % PRIME
    return total


def combine(shares: Sequence[Share], *, tender_id: str, key_fingerprint: str) -> bytes:
    """Rebuild the 32-byte secret from at least ``threshold`` shares of this tender's key."""
    if not shares:
        raise NotEnoughShares("no shares handed in")
    for share in shares:
        share._validate()
        if share.tender_id != tender_id:
            raise InvalidShare(f"share {share.index} belongs to another tender")
        if share.key_fingerprint != key_fingerprint:
            raise InvalidShare(f"share {share.index} belongs to another opening key")
    thresholds = {s.threshold for s in shares}
    if len(thresholds) != 1:
        raise InvalidShare("shares disagree on the threshold")
    threshold = thresholds.pop()
    points: dict[int, int] = {}
    for share in shares:
        # The same member handing in twice is harmless; two values for one index is not.
        if points.setdefault(share.index, share.value) != share.value:
            raise InvalidShare(f"two different shares carry index {share.index}")
    if len(points) < threshold:
        raise NotEnoughShares(f"{threshold} distinct shares are needed, {len(points)} given")
    value = lagrange_at_zero(list(points.items()))
    if value >> (8 * SECRET_BYTES):
        # An honest set of shares always yields a 256-bit value; anything wider is garbage.
        raise KeyRebuildFailed("shares do not combine to a key")
    return value.to_bytes(SECRET_BYTES, "big")
