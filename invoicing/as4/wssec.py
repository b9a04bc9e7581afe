"""WS-Security primitives of the profile: XML signature (RSA-SHA256, exc-c14n, SwA) and
attachment encryption (AES-128-GCM, key transport RSA-OAEP with MGF1-SHA256).

Only the algorithms the Peppol AS4 profile mandates are produced or accepted.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from lxml import etree

from invoicing.as4 import constants as c
from invoicing.as4.errors import As4BuildError, As4SecurityError

__all__ = [
    "ReferenceDigest",
    "attachment_reference",
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


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def c14n(element: etree._Element, prefixes: Iterable[str] = ()) -> bytes:
    """Exclusive XML canonicalisation without comments (InclusiveNamespaces as given)."""
    return etree.tostring(
        element,
        method="c14n",
        exclusive=True,
        with_comments=False,
        inclusive_ns_prefixes=list(prefixes) or None,
    )


_EC = "http://www.w3.org/2001/10/xml-exc-c14n#"


def _inclusive_prefixes(method: etree._Element) -> list[str]:
    # WSS4J-based senders (phase4, Domibus) often list InclusiveNamespaces.
    inc = method.find(f"{{{_EC}}}InclusiveNamespaces")
    return (inc.get("PrefixList") or "").split() if inc is not None else []


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _sha256_b64(data: bytes) -> str:
    return _b64(hashlib.sha256(data).digest())


@dataclass(frozen=True, slots=True)
class ReferenceDigest:
    """What a ds:Reference states: the URI, its transforms and its SHA-256 digest."""

    uri: str
    transforms: tuple[str, ...]
    digest: str


def _reference(uri: str, transform: str, digest: str) -> etree._Element:
    ref = etree.Element(_q(c.DS, "Reference"), URI=uri, nsmap={"ds": c.DS})
    transforms = etree.SubElement(ref, _q(c.DS, "Transforms"))
    etree.SubElement(transforms, _q(c.DS, "Transform"), Algorithm=transform)
    etree.SubElement(ref, _q(c.DS, "DigestMethod"), Algorithm=c.SHA256)
    etree.SubElement(ref, _q(c.DS, "DigestValue")).text = digest
    return ref


def element_reference(element: etree._Element) -> etree._Element:
    """A ds:Reference to an element by its wsu:Id, digested after exc-c14n."""
    return _reference("#" + element.get(c.WSU_ID, ""), c.EXC_C14N, _sha256_b64(c14n(element)))


def attachment_reference(cid: str, content: bytes) -> etree._Element:
    """A ds:Reference to a MIME attachment under the Attachment-Content-Signature-Transform."""
    return _reference("cid:" + cid, c.ATTACHMENT_CONTENT_SIGNATURE, _sha256_b64(content))


def certificate_token(cert: x509.Certificate, token_id: str) -> etree._Element:
    """A wsse:BinarySecurityToken holding a certificate (X509v3, base64 DER)."""
    bst = etree.Element(
        _q(c.WSSE, "BinarySecurityToken"),
        {c.WSU_ID: token_id, "EncodingType": c.BASE64_BINARY, "ValueType": c.X509V3},
        nsmap={"wsse": c.WSSE, "wsu": c.WSU},
    )
    bst.text = _b64(cert.public_bytes(serialization.Encoding.DER))
    return bst


def token_certificate(bst: etree._Element) -> x509.Certificate:
    """The certificate in a BinarySecurityToken, refusing other token types."""
    if bst.get("ValueType") != c.X509V3:
        raise As4SecurityError("security token is not an X509v3 certificate", code="EBMS:0101")
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join((bst.text or "").split())))
    except ValueError as exc:
        raise As4SecurityError(
            "security token holds no readable certificate", code="EBMS:0101"
        ) from exc


def _token_reference(token_id: str, *, token_type: str | None = None) -> etree._Element:
    str_el = etree.Element(_q(c.WSSE, "SecurityTokenReference"), nsmap={"wsse": c.WSSE})
    if token_type:
        str_el.set(_q(c.WSSE11, "TokenType"), token_type)
    etree.SubElement(str_el, _q(c.WSSE, "Reference"), URI="#" + token_id, ValueType=c.X509V3)
    return str_el


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
    sig = etree.Element(_q(c.DS, "Signature"), Id=signature_id, nsmap={"ds": c.DS})
    info = etree.SubElement(sig, _q(c.DS, "SignedInfo"))
    etree.SubElement(info, _q(c.DS, "CanonicalizationMethod"), Algorithm=c.EXC_C14N)
    etree.SubElement(info, _q(c.DS, "SignatureMethod"), Algorithm=c.RSA_SHA256)
    for ref in references:
        info.append(ref)
    value = key.sign(c14n(info), padding.PKCS1v15(), hashes.SHA256())
    etree.SubElement(sig, _q(c.DS, "SignatureValue")).text = _b64(value)
    key_info = etree.SubElement(sig, _q(c.DS, "KeyInfo"))
    key_info.append(_token_reference(token_id))
    return sig


def read_reference_digests(signature: etree._Element) -> list[ReferenceDigest]:
    """The references a signature states, in document order."""
    info = signature.find(f"{{{c.DS}}}SignedInfo")
    return read_reference_digests_from(info) if info is not None else []


def read_reference_digests_from(parent: etree._Element) -> list[ReferenceDigest]:
    """Every ds:Reference below ``parent`` (SignedInfo, or a receipt's NonRepudiationInformation)."""
    out = []
    for ref in parent.iter(f"{{{c.DS}}}Reference"):
        transforms = tuple(
            t.get("Algorithm", "")
            for t in ref.iterfind(f"{{{c.DS}}}Transforms/{{{c.DS}}}Transform")
        )
        out.append(
            ReferenceDigest(
                uri=ref.get("URI", ""),
                transforms=transforms,
                digest=(ref.findtext(f"{{{c.DS}}}DigestValue") or "").strip(),
            )
        )
    return out


def _one(parent: etree._Element, path: str, what: str) -> etree._Element:
    found = parent.findall(path, namespaces=c.NSMAP)
    if len(found) != 1:
        raise As4SecurityError(f"expected exactly one {what}, found {len(found)}", code="EBMS:0101")
    return found[0]


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
    info = _one(signature, "ds:SignedInfo", "ds:SignedInfo")
    c14n_el = _one(info, "ds:CanonicalizationMethod", "CanonicalizationMethod")
    c14n_method = c14n_el.get("Algorithm")
    sig_method = _one(info, "ds:SignatureMethod", "SignatureMethod").get("Algorithm")
    if c14n_method != c.EXC_C14N or sig_method != c.RSA_SHA256:
        raise As4SecurityError(
            f"signature algorithms {c14n_method}, {sig_method} are not those of the profile",
            code="EBMS:0101",
        )
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise As4SecurityError("the signing certificate holds no RSA key", code="EBMS:0101")
    value_text = _one(signature, "ds:SignatureValue", "SignatureValue").text or ""
    try:
        public_key.verify(
            base64.b64decode("".join(value_text.split())),
            c14n(info, _inclusive_prefixes(c14n_el)),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError) as exc:
        raise As4SecurityError("the signature value does not verify", code="EBMS:0101") from exc
    refs = read_reference_digests(signature)
    prefixes: dict[str, list[str]] = {}
    for ref_el in info.iterfind(f"{{{c.DS}}}Reference"):
        method = ref_el.find(f"{{{c.DS}}}DigestMethod")
        if method is None or method.get("Algorithm") != c.SHA256:
            raise As4SecurityError("a reference uses a digest other than SHA-256", code="EBMS:0101")
        transform = ref_el.find(f"{{{c.DS}}}Transforms/{{{c.DS}}}Transform")
        if transform is not None:
            prefixes[ref_el.get("URI", "")] = _inclusive_prefixes(transform)
    wanted_ids = set(elements)
    wanted_cids = set(attachments)
    for ref in refs:
        if ref.uri.startswith("#") and ref.uri[1:] in elements:
            if ref.transforms != (c.EXC_C14N,):
                raise As4SecurityError(
                    f"reference {ref.uri} uses other transforms", code="EBMS:0101"
                )
            actual = _sha256_b64(c14n(elements[ref.uri[1:]], prefixes.get(ref.uri, ())))
            wanted_ids.discard(ref.uri[1:])
        elif ref.uri.startswith("cid:") and ref.uri[4:] in attachments:
            if ref.transforms != (c.ATTACHMENT_CONTENT_SIGNATURE,):
                raise As4SecurityError(
                    f"reference {ref.uri} uses other transforms", code="EBMS:0101"
                )
            actual = _sha256_b64(attachments[ref.uri[4:]])
            wanted_cids.discard(ref.uri[4:])
        else:
            raise As4SecurityError(f"signature references unexpected {ref.uri!r}", code="EBMS:0101")
        if actual != ref.digest:
            raise As4SecurityError(f"digest of {ref.uri} does not match", code="EBMS:0101")
    if wanted_ids or wanted_cids:
        missing = sorted(wanted_ids | {"cid:" + x for x in wanted_cids})
        raise As4SecurityError(f"signature does not cover {', '.join(missing)}", code="EBMS:0101")
    return refs


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
