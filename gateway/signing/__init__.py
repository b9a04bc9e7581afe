"""Signatures: keys and trust, XAdES for UBL and any payload, WS-Security (``wssecurity``)."""

from gateway.signing.detached import sign_detached, verify_detached
from gateway.signing.errors import (
    CertificateRejected,
    KeysExistError,
    KeyStoreError,
    Refusal,
    SignatureCreationError,
    SignatureRejected,
    SigningError,
    UnsignableDocument,
)
from gateway.signing.keys import (
    KeyPaths,
    SigningIdentity,
    TrustStore,
    certificate_fingerprint,
    init_keys,
    load_signing_identity,
    load_trust_store,
)
from gateway.signing.results import SignedReference, VerificationOptions, VerificationResult
from gateway.signing.ubl import sign_ubl, verify_ubl

__all__ = [
    "CertificateRejected",
    "KeyPaths",
    "KeyStoreError",
    "KeysExistError",
    "Refusal",
    "SignatureCreationError",
    "SignatureRejected",
    "SignedReference",
    "SigningError",
    "SigningIdentity",
    "TrustStore",
    "UnsignableDocument",
    "VerificationOptions",
    "VerificationResult",
    "certificate_fingerprint",
    "init_keys",
    "load_signing_identity",
    "load_trust_store",
    "sign_detached",
    "sign_ubl",
    "verify_detached",
    "verify_ubl",
]
