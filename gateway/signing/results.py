"""What a verification demands (options) and what it found (result); no I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gateway.signing.errors import Refusal, SignatureRejected
from gateway.signing.policy import SignerPolicy

__all__ = ["SignedReference", "VerificationOptions", "VerificationResult"]


@dataclass(frozen=True, slots=True)
class VerificationOptions:
    """Security options of a verification; the defaults are the strict ones."""

    # SHA-1 digests and RSA-SHA1 signatures are refused unless a legacy partner forces them.
    allow_sha1: bool = False
    # The signature must carry its X.509 certificate; a bare public key proves nothing.
    require_certificate: bool = True
    # The data, the XAdES SignedProperties and the KeyInfo: exactly these three references.
    expected_references: int = 3
    # Refuse a document that carries no signature at all.
    require_signature: bool = True
    # Check certificate validity at this instant (e.g. the receipt time of an archived
    # document) instead of now.
    verification_time: datetime | None = None
    # Who may sign; None: the trust store's policy (strict unless configured): only
    # certificates certified for document signing, never TLS ones.
    signer_policy: SignerPolicy | None = None

    def __post_init__(self) -> None:
        if self.expected_references < 2:
            raise ValueError("a XAdES signature has at least two references (data, properties)")
        if self.verification_time is not None and self.verification_time.tzinfo is None:
            raise ValueError("verification_time must be timezone-aware")


@dataclass(frozen=True, slots=True)
class SignedReference:
    """One ds:Reference that was checked against its digest."""

    uri: str
    type: str | None
    digest_algorithm: str
    digest_value: str


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The outcome of one verification; ``signed_content`` is only what the signature covers."""

    valid: bool
    signed: bool = True
    refusal: Refusal | None = None
    reason: str | None = None
    signer_subject: str | None = None
    signer_fingerprint: str | None = None
    signing_time: datetime | None = None
    references: tuple[SignedReference, ...] = ()
    signed_content: bytes | None = None

    @classmethod
    def refused(cls, refusal: Refusal, reason: str) -> VerificationResult:
        return cls(valid=False, refusal=refusal, reason=reason)

    def raise_for_invalid(self) -> VerificationResult:
        """Raise :class:`SignatureRejected` when invalid; return ``self`` otherwise."""
        if not self.valid:
            assert self.refusal is not None
            raise SignatureRejected(self.reason or self.refusal.value, refusal=self.refusal.value)
        return self
