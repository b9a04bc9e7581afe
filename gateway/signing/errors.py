"""Errors of the signing package; none of them ever carries key material.

    GatewayError
    └── SigningError (500)
        ├── KeyStoreError (500)          key or certificate file missing, unreadable, wrong password
        │   └── KeysExistError (409)     init refused to overwrite existing keys
        ├── SignatureCreationError (500) a library failed, or the certificate is not valid now
        ├── UnsignableDocument (422)     the document to sign is not XML, or already signed
        └── SignatureRejected (422)      a verification refused; ``refusal`` names why
            └── CertificateRejected      the signer's certificate is untrusted, expired, unfit

A verification itself returns a :class:`~gateway.signing.verification.VerificationResult`;
callers that prefer an exception call its ``raise_for_invalid()``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from gateway.errors import GatewayError

__all__ = [
    "CertificateRejected",
    "KeyStoreError",
    "KeysExistError",
    "Refusal",
    "SignatureCreationError",
    "SignatureRejected",
    "SigningError",
    "UnsignableDocument",
]


class SigningError(GatewayError):
    title = "Signing error"
    slug = "signing-error"


class KeyStoreError(SigningError):
    title = "Key store error"
    slug = "key-store-error"


class KeysExistError(KeyStoreError):
    status = 409
    title = "Keys already exist"
    slug = "keys-exist"


class SignatureCreationError(SigningError):
    title = "Signature could not be created"
    slug = "signature-creation-failed"


class UnsignableDocument(SigningError):
    status = 422
    title = "Document cannot be signed"
    slug = "unsignable-document"


class SignatureRejected(SigningError):
    status = 422
    title = "Signature rejected"
    slug = "signature-rejected"

    def __init__(self, detail: str, *, refusal: str, **extensions: Any) -> None:
        super().__init__(detail, refusal=refusal, **extensions)
        self.refusal = refusal


class CertificateRejected(SignatureRejected):
    title = "Certificate rejected"
    slug = "certificate-rejected"


class Refusal(StrEnum):
    """Why a signature was refused; stable codes callers and tests can match on."""

    MALFORMED = "malformed"
    MISSING_SIGNATURE = "missing-signature"
    TOO_MANY_SIGNATURES = "too-many-signatures"
    WRONG_PLACEMENT = "wrong-placement"
    WEAK_ALGORITHM = "weak-algorithm"
    DIGEST_MISMATCH = "digest-mismatch"
    SIGNATURE_MISMATCH = "signature-mismatch"
    REFERENCE_COUNT = "reference-count"
    NOT_WHOLE_DOCUMENT = "not-whole-document"
    WRAPPING = "signature-wrapping"
    MISSING_SIGNED_PROPERTIES = "missing-signed-properties"
    SIGNING_CERTIFICATE_MISMATCH = "signing-certificate-mismatch"
    MISSING_CERTIFICATE = "missing-certificate"
    UNTRUSTED_CERTIFICATE = "untrusted-certificate"
    EXPIRED_CERTIFICATE = "expired-certificate"
    CERTIFICATE_NOT_YET_VALID = "certificate-not-yet-valid"
    # Trusted, but not certified for this purpose (a TLS certificate signing a document).
    SIGNER_NOT_PERMITTED = "signer-not-permitted"
