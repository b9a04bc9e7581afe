"""Signatures: keys and trust, XAdES for UBL and any payload, WS-Security (``wssecurity``)."""

from gateway.signing.errors import (
    CertificateRejected,
    KeysExistError,
    KeyStoreError,
    Refusal,
    SignatureCreationError,
    SignatureRejected,
    SigningError,
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

__all__ = [
    "CertificateRejected",
    "KeyPaths",
    "KeyStoreError",
    "KeysExistError",
    "Refusal",
    "SignatureCreationError",
    "SignatureRejected",
    "SigningError",
    "SigningIdentity",
    "TrustStore",
    "certificate_fingerprint",
    "init_keys",
    "load_signing_identity",
    "load_trust_store",
]
