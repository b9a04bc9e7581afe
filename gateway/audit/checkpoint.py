"""Checkpoint files: a signed, time-stamped tree head over every audit entry anchored so far.

The anchored entries form one append-only log (RFC 9162 Merkle tree); each
checkpoint adds the entries that appeared since the previous one, in
chain-then-sequence order, and records the tree head over the whole log. The
gateway signs the head and a time-stamping authority stamps the signature, so
neither a database administrator nor the gateway's operator can later produce
a different history for the same moment. Pure except for reading files.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from gateway.audit.errors import TimestampError
from gateway.audit.merkle import CompactTree, leaf_hash
from gateway.audit.timestamp import VerifiedTimestamp, verify_timestamp
from gateway.audit.worm import WormFolder
from gateway.signing.errors import CertificateRejected
from gateway.signing.keys import SigningIdentity, TrustStore
from gateway.signing.policy import Purpose

__all__ = [
    "FORMAT",
    "AnchoredLog",
    "Checkpoint",
    "Leaf",
    "encode_checkpoint",
    "read_log",
    "signed_head_bytes",
]

FORMAT = "gateway-audit-checkpoint/1"


@dataclass(frozen=True, slots=True)
class Leaf:
    """One anchored audit entry: which chain, which sequence number, its hash."""

    chain: str
    seq: int
    hash: str

    def hashed(self) -> bytes:
        data = json.dumps([self.chain, self.seq, self.hash], separators=(",", ":"))
        return leaf_hash(data.encode())


@dataclass(frozen=True, slots=True)
class Checkpoint:
    number: int
    created_at: str
    tree_size: int
    root_hash: str
    previous_tree_size: int
    leaves: tuple[Leaf, ...]
    timestamp: VerifiedTimestamp | None = None
    signer: str = ""


@dataclass
class AnchoredLog:
    """Every checkpoint that verified, the log they anchor, and what was wrong with the rest."""

    checkpoints: list[Checkpoint] = field(default_factory=list)
    leaves: list[Leaf] = field(default_factory=list)
    leaf_checkpoint: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def latest(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None

    def by_number(self, number: int) -> Checkpoint | None:
        return next((c for c in self.checkpoints if c.number == number), None)


def signed_head_bytes(head: dict[str, Any]) -> bytes:
    return json.dumps(head, sort_keys=True, separators=(",", ":")).encode()


def _sign(identity: SigningIdentity, data: bytes) -> tuple[str, bytes]:
    key = identity.private_key
    if isinstance(key, rsa.RSAPrivateKey):
        return "rsa-pkcs1v15-sha256", key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return "ecdsa-sha256", key.sign(data, ec.ECDSA(hashes.SHA256()))


def encode_checkpoint(
    *,
    number: int,
    created_at: datetime,
    previous_size: int,
    tree_size: int,
    root: bytes,
    new_leaves: Sequence[Leaf],
    identity: SigningIdentity,
    timestamper: Any | None,
) -> bytes:
    """The bytes of a checkpoint file: head, new leaves, signature, time-stamp."""
    head = {
        "number": number,
        "created_at": created_at.isoformat(),
        "previous_tree_size": previous_size,
        "tree_size": tree_size,
        "root_hash": root.hex(),
    }
    algorithm, signature = _sign(identity, signed_head_bytes(head))
    doc: dict[str, Any] = {
        "format": FORMAT,
        "head": head,
        "leaves": [[leaf.chain, leaf.seq, leaf.hash] for leaf in new_leaves],
        "signature": {
            "algorithm": algorithm,
            "certificates": [
                c.public_bytes(serialization.Encoding.PEM).decode() for c in identity.certificates
            ],
            "value": base64.b64encode(signature).decode(),
        },
        # RFC 3161 over the signature value: the signed head existed by then.
        "timestamp": (
            base64.b64encode(timestamper.stamp(signature)).decode() if timestamper else None
        ),
    }
    return (json.dumps(doc, indent=1) + "\n").encode()


def _check_signature(doc: dict[str, Any], trust: TrustStore) -> tuple[bytes, str]:
    sig = doc["signature"]
    certs = [x509.load_pem_x509_certificate(p.encode()) for p in sig["certificates"]]
    value = base64.b64decode(sig["value"], validate=True)
    trust.verify(certs[0], certs[1:], purpose=Purpose.DOCUMENT)
    public = certs[0].public_key()
    data = signed_head_bytes(doc["head"])
    if sig["algorithm"] == "rsa-pkcs1v15-sha256" and isinstance(public, rsa.RSAPublicKey):
        public.verify(value, data, padding.PKCS1v15(), hashes.SHA256())
    elif sig["algorithm"] == "ecdsa-sha256" and isinstance(public, ec.EllipticCurvePublicKey):
        public.verify(value, data, ec.ECDSA(hashes.SHA256()))
    else:
        raise ValueError(f"signature algorithm {sig['algorithm']} does not fit the certificate")
    return value, certs[0].subject.rfc4514_string()


def _parse(
    raw: bytes, number: int, trust: TrustStore, require_timestamp: bool
) -> tuple[Checkpoint, list[Leaf]]:
    doc = json.loads(raw)
    if doc.get("format") != FORMAT:
        raise ValueError(f"unknown format {doc.get('format')!r}")
    head = doc["head"]
    if head["number"] != number:
        raise ValueError(f"the file says it is checkpoint {head['number']}")
    try:
        signature, signer = _check_signature(doc, trust)
    except InvalidSignature as exc:
        raise ValueError("its signature does not verify (the head was altered)") from exc
    except CertificateRejected as exc:
        raise ValueError(f"its signer is refused: {exc.detail}") from exc
    stamp = None
    if doc.get("timestamp"):
        try:
            stamp = verify_timestamp(
                base64.b64decode(doc["timestamp"]), signature, trust.certificates
            )
        except TimestampError as exc:
            raise ValueError(exc.detail) from exc
    elif require_timestamp:
        raise ValueError("it carries no RFC 3161 time-stamp")
    leaves = [Leaf(str(c), int(s), str(h)) for c, s, h in doc["leaves"]]
    cp = Checkpoint(
        number=number,
        created_at=head["created_at"],
        tree_size=int(head["tree_size"]),
        root_hash=str(head["root_hash"]),
        previous_tree_size=int(head["previous_tree_size"]),
        leaves=tuple(leaves),
        timestamp=stamp,
        signer=signer,
    )
    return cp, leaves


def read_log(
    folder: WormFolder, trust: TrustStore, *, require_timestamp: bool = True
) -> AnchoredLog:
    """Read and check every checkpoint in ``folder``: signatures, stamps, tree heads, continuity.

    Reading stops at the first checkpoint that fails (later ones cannot be
    trusted to extend it); its problem is recorded.
    """
    log = AnchoredLog()
    tree = CompactTree()
    numbers = folder.numbers()
    last_time: datetime | None = None
    for expected, number in enumerate(numbers, start=1):
        if number != expected:
            log.problems.append(f"checkpoint {expected} is missing from {folder.directory}")
            break
        try:
            cp, leaves = _parse(folder.read(number), number, trust, require_timestamp)
        except (ValueError, KeyError, TypeError) as exc:
            log.problems.append(f"checkpoint {number} is not valid: {exc}")
            break
        if cp.previous_tree_size != tree.size or cp.tree_size != tree.size + len(leaves):
            log.problems.append(
                f"checkpoint {number} does not continue the log: it starts at "
                f"{cp.previous_tree_size} and ends at {cp.tree_size}, the log holds {tree.size}"
            )
            break
        for leaf in leaves:
            tree.append(leaf.hashed())
        if tree.root().hex() != cp.root_hash:
            log.problems.append(f"checkpoint {number}: its leaves do not give its tree head")
            break
        if cp.timestamp is not None:
            if last_time is not None and cp.timestamp.gen_time < last_time:
                log.problems.append(f"checkpoint {number} is time-stamped before its predecessor")
                break
            last_time = cp.timestamp.gen_time
        log.checkpoints.append(cp)
        log.leaves.extend(leaves)
        log.leaf_checkpoint.extend([number] * len(leaves))
    return log
