"""WS-Security of the Peppol AS4 profile: XML signature (RSA-SHA256, exc-c14n, SwA) and
attachment encryption (AES-128-GCM, key transport RSA-OAEP with MGF1-SHA256).

Signing and verifying are the shared WS-Security implementation
(:mod:`gateway.signing.wss`, which holds the wrapping checks) with the profile's
algorithms as parameters; its refusals become EBMS:0101 errors here. Only the
algorithms the profile mandates are produced or accepted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from lxml import etree

from gateway.signing import wss
from gateway.signing.wss import (
    ReferenceDigest,
    WsSecurityError,
    read_reference_digests,
    read_reference_digests_from,
)
from invoicing.as4 import constants as c
from invoicing.as4.errors import As4BuildError, As4SecurityError

__all__ = [
    "ReferenceDigest",
    "attachment_reference",
    "c14n",
    "certificate_token",
    "decrypt_attachment",
    "decrypt_session_key",
    "element_reference",
    "encrypt_attachment",
    "encrypt_session_key",
    "read_reference_digests",
    "read_reference_digests_from",
    "sign",
    "token_certificate",
    "verify_signature",
]

_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
_GCM_NONCE = 12
# The profile's one signature and one digest algorithm (eDelivery AS4 2.0, section 3.2.6).
_SIGNATURE_METHODS = frozenset({c.RSA_SHA256})
_DIGEST_METHODS = frozenset({c.SHA256})


def c14n(element: etree._Element, prefixes: Iterable[str] = ()) -> bytes:
    """Exclusive XML canonicalisation without comments (InclusiveNamespaces as given)."""
    return wss.c14n(element, prefixes)


def element_reference(element: etree._Element) -> etree._Element:
    """A ds:Reference to an element by its wsu:Id, digested after exc-c14n."""
    return wss.element_reference(element, digest_method=c.SHA256)


def attachment_reference(cid: str, content: bytes) -> etree._Element:
    """A ds:Reference to a MIME attachment under the Attachment-Content-Signature-Transform."""
    return wss.attachment_reference(cid, content, digest_method=c.SHA256)


def certificate_token(cert: x509.Certificate, token_id: str) -> etree._Element:
    """A wsse:BinarySecurityToken holding a certificate (X509v3, base64 DER)."""
    return wss.certificate_token(cert, token_id)


def token_certificate(bst: etree._Element) -> x509.Certificate:
    """The certificate in a BinarySecurityToken, refusing other token types."""
    try:
        return wss.token_certificate(bst)
    except WsSecurityError as exc:
        raise As4SecurityError(exc.detail, code="EBMS:0101") from exc


def sign(
    references: Iterable[etree._Element],
    *,
    key: rsa.RSAPrivateKey,
    token_id: str,
    signature_id: str,
) -> etree._Element:
    """A ds:Signature over the given references, its key named by a token reference."""
    if not isinstance(key, rsa.RSAPrivateKey):
        raise As4BuildError("the Peppol AS4 profile signs with RSA keys only")
    return wss.sign_references(
        references,
        key=key,
        token_id=token_id,
        signature_method=c.RSA_SHA256,
        signature_id=signature_id,
    )


def verify_signature(
    signature: etree._Element,
    *,
    certificate: x509.Certificate,
    elements: Mapping[str, etree._Element],
    attachments: Mapping[str, bytes],
) -> list[ReferenceDigest]:
    """Check the signature value and every reference; return the references.

    ``elements`` maps each wsu:Id the signature must cover to the one element
    that the caller located by its position (not by searching for the Id), so a
    reference to a copy of a signed element elsewhere (signature wrapping) fails.
    ``attachments`` maps each Content-ID that must be covered to its content.
    """
    try:
        verified = wss.verify_references(
            signature,
            certificate=certificate,
            elements=elements,
            attachments=attachments,
            signature_methods=_SIGNATURE_METHODS,
            digest_methods=_DIGEST_METHODS,
        )
    except WsSecurityError as exc:
        raise As4SecurityError(exc.detail, code="EBMS:0101", refusal=exc.refusal) from exc
    return list(verified.references)


def encrypt_attachment(content: bytes) -> tuple[bytes, bytes]:
    """Encrypt with a fresh AES-128-GCM key; return (key, nonce || ciphertext || tag)."""
    key = AESGCM.generate_key(bit_length=128)
    nonce = os.urandom(_GCM_NONCE)
    return key, nonce + AESGCM(key).encrypt(nonce, content, None)


def decrypt_attachment(key: bytes, blob: bytes) -> bytes:
    """Reverse :func:`encrypt_attachment`; a wrong key or altered bytes are refused."""
    if len(blob) < _GCM_NONCE + 16:
        raise As4SecurityError("encrypted attachment is too short", code="EBMS:0102")
    try:
        return AESGCM(key).decrypt(blob[:_GCM_NONCE], blob[_GCM_NONCE:], None)
    except (InvalidTag, ValueError) as exc:
        raise As4SecurityError("the attachment does not decrypt", code="EBMS:0102") from exc


def encrypt_session_key(key: bytes, certificate: x509.Certificate) -> bytes:
    """Key transport: RSA-OAEP with SHA-256 and MGF1-SHA-256 to the receiver's certificate."""
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise As4BuildError("the receiver's certificate holds no RSA key")
    return public_key.encrypt(key, _OAEP)


def decrypt_session_key(wrapped: bytes, key: rsa.RSAPrivateKey) -> bytes:
    """Unwrap the session key; a key encrypted to another certificate is refused."""
    try:
        session = key.decrypt(wrapped, _OAEP)
    except ValueError as exc:
        raise As4SecurityError("the session key does not decrypt", code="EBMS:0102") from exc
    if len(session) != 16:
        raise As4SecurityError("the session key is not an AES-128 key", code="EBMS:0102")
    return session
