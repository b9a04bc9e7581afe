"""Which XML-DSig signature method a key signs with; no I/O."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec
from signxml.algorithms import SignatureMethod

from gateway.signing.keys import SigningIdentity

__all__ = ["signature_method_for"]


def signature_method_for(identity: SigningIdentity) -> SignatureMethod:
    """RSA-SHA256 for RSA keys, ECDSA-SHA256 for EC keys (SHA-1 never)."""
    if isinstance(identity.private_key, ec.EllipticCurvePrivateKey):
        return SignatureMethod.ECDSA_SHA256
    return SignatureMethod.RSA_SHA256
