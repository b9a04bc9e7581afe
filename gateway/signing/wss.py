"""WS-Security's XML signature, written once for every profile that uses it.

The tax agency's SOAP services (:mod:`gateway.signing.wssecurity`) and the
Peppol AS4 profile (:mod:`invoicing.as4.wssec`) differ only in what they sign
and which algorithms their policies allow; both build references, sign and
verify here. :func:`verify_references` is the one place that guards against
signature wrapping: no Id may occur twice in the message; each reference must
point, by Id, to an element the caller located by its position (never one
found by searching for the Id), or to a named attachment; each part exactly
once, with exactly the profile's transform; and every part the caller expects
must be covered. Who the signer is (trust, signer policy) is the caller's check.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from gateway.signing.errors import Refusal, SignatureRejected

__all__ = [
    "ATTACHMENT_CONTENT_SIGNATURE",
    "DS_NS",
    "EXC_C14N",
    "RSA_SHA1",
    "RSA_SHA256",
    "SHA1",
    "SHA256",
    "WSSE_NS",
    "WSU_NS",
    "X509V3",
    "ReferenceDigest",
    "VerifiedReferences",
    "WsSecurityError",
    "attachment_reference",
    "c14n",
    "certificate_token",
    "element_reference",
    "read_reference_digests",
    "read_reference_digests_from",
    "sign_references",
    "token_certificate",
    "token_reference",
    "verify_references",
]

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSSE11_NS = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
ATTACHMENT_CONTENT_SIGNATURE = (
    "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Content-Signature-Transform"
)
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"

SIGNATURE_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    RSA_SHA1: hashes.SHA1,
    RSA_SHA256: hashes.SHA256,
}
DIGEST_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    SHA1: hashes.SHA1,
    SHA256: hashes.SHA256,
}
NOT_COVERED = "not-covered"
WSU_ID = f"{{{WSU_NS}}}Id"
_ID_ATTRIBUTES = (WSU_ID, "Id", "ID", "id")


class WsSecurityError(SignatureRejected):
    """A message whose WS-Security header we refuse; ``refusal`` says which check failed."""

    title = "WS-Security check failed"
    slug = "ws-security"
    # The WS-Security 1.0 fault code (wsse namespace) a SOAP server answers with.
    FAULT_CODES: ClassVar[dict[str, str]] = {
        Refusal.WEAK_ALGORITHM: "UnsupportedAlgorithm",
        Refusal.DIGEST_MISMATCH: "FailedCheck",
        Refusal.SIGNATURE_MISMATCH: "FailedCheck",
        Refusal.UNTRUSTED_CERTIFICATE: "InvalidSecurityToken",
        Refusal.EXPIRED_CERTIFICATE: "InvalidSecurityToken",
        Refusal.CERTIFICATE_NOT_YET_VALID: "InvalidSecurityToken",
        "timestamp-expired": "MessageExpired",
        "timestamp-in-future": "MessageExpired",
    }

    def __init__(self, refusal: str, detail: str) -> None:
        super().__init__(detail, refusal=str(refusal))

    @property
    def fault_code(self) -> str:
        return self.FAULT_CODES.get(self.refusal, "InvalidSecurity")


@dataclass(frozen=True, slots=True)
class ReferenceDigest:
    """What a ds:Reference states: the URI, its transforms and its digest (Base64)."""

    uri: str
    transforms: tuple[str, ...]
    digest: str


@dataclass(frozen=True, slots=True)
class VerifiedReferences:
    """What a signature's references vouch for, once every check passed."""

    signature_method: str
    digest_methods: tuple[str, ...]
    references: tuple[ReferenceDigest, ...]
    covered: Mapping[str, str]  # the caller's label of each part -> the URI that covers it


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def c14n(element: etree._Element, prefixes: Iterable[str] | None = ()) -> bytes:
    """Exclusive XML canonicalisation without comments (InclusiveNamespaces as given)."""
    return etree.tostring(
        element,
        method="c14n",
        exclusive=True,
        with_comments=False,
        inclusive_ns_prefixes=list(prefixes or ()) or None,
    )


def _digest(method: str, data: bytes) -> str:
    h = hashes.Hash(DIGEST_HASHES[method]())
    h.update(data)
    return base64.b64encode(h.finalize()).decode("ascii")


def _b64decode(text: str | None, what: str) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except ValueError as exc:
        raise WsSecurityError(Refusal.MALFORMED, f"the {what} is not valid Base64") from exc


# --------------------------------------------------------------------------- building


def _reference(uri: str, transform: str, digest_method: str, digest: str) -> etree._Element:
    ref = etree.Element(_q(DS_NS, "Reference"), URI=uri, nsmap={"ds": DS_NS})
    transforms = etree.SubElement(ref, _q(DS_NS, "Transforms"))
    etree.SubElement(transforms, _q(DS_NS, "Transform"), Algorithm=transform)
    etree.SubElement(ref, _q(DS_NS, "DigestMethod"), Algorithm=digest_method)
    etree.SubElement(ref, _q(DS_NS, "DigestValue")).text = digest
    return ref


def element_reference(element: etree._Element, *, digest_method: str = SHA256) -> etree._Element:
    """A ds:Reference to an element by its wsu:Id, digested after exclusive C14N."""
    ident = element.get(WSU_ID)
    if not ident:
        raise ValueError("an element is referenced by its wsu:Id: set one first")
    return _reference("#" + ident, EXC_C14N, digest_method, _digest(digest_method, c14n(element)))


def attachment_reference(
    cid: str, content: bytes, *, digest_method: str = SHA256
) -> etree._Element:
    """A ds:Reference to a MIME attachment under the Attachment-Content-Signature-Transform."""
    return _reference(
        "cid:" + cid, ATTACHMENT_CONTENT_SIGNATURE, digest_method, _digest(digest_method, content)
    )


def certificate_token(certificate: x509.Certificate, token_id: str) -> etree._Element:
    """A wsse:BinarySecurityToken holding a certificate (X509v3, Base64 DER)."""
    token = etree.Element(
        _q(WSSE_NS, "BinarySecurityToken"),
        {WSU_ID: token_id, "EncodingType": BASE64, "ValueType": X509V3},
        nsmap={"wsse": WSSE_NS, "wsu": WSU_NS},
    )
    token.text = base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")
    return token


def token_certificate(token: etree._Element) -> x509.Certificate:
    """The certificate in a BinarySecurityToken, refusing other token types."""
    if token.get("ValueType") != X509V3:
        raise WsSecurityError(
            Refusal.MALFORMED, "the BinarySecurityToken is not an X.509v3 certificate"
        )
    if token.get("EncodingType", BASE64) != BASE64:
        raise WsSecurityError(Refusal.MALFORMED, "the BinarySecurityToken is not Base64 encoded")
    der = _b64decode(token.text, "BinarySecurityToken")
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise WsSecurityError(
            Refusal.MALFORMED, "the BinarySecurityToken is not a certificate"
        ) from exc


def token_reference(token_id: str, *, token_type: str | None = None) -> etree._Element:
    """A wsse:SecurityTokenReference pointing directly at a token in the same header."""
    ref = etree.Element(_q(WSSE_NS, "SecurityTokenReference"), nsmap={"wsse": WSSE_NS})
    if token_type:
        ref.set(_q(WSSE11_NS, "TokenType"), token_type)
    etree.SubElement(ref, _q(WSSE_NS, "Reference"), URI="#" + token_id, ValueType=X509V3)
    return ref


def sign_references(
    references: Iterable[etree._Element],
    *,
    key: rsa.RSAPrivateKey,
    token_id: str,
    signature_method: str = RSA_SHA256,
    signature_id: str | None = None,
) -> etree._Element:
    """A ds:Signature over ``references``, its key named by a reference to the token."""
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("WS-Security signs with RSA here: give an RSA private key")
    if signature_method not in SIGNATURE_HASHES:
        raise ValueError(f"unsupported signature method {signature_method}")
    signature = etree.Element(_q(DS_NS, "Signature"), nsmap={"ds": DS_NS})
    if signature_id:
        signature.set("Id", signature_id)
    info = etree.SubElement(signature, _q(DS_NS, "SignedInfo"))
    etree.SubElement(info, _q(DS_NS, "CanonicalizationMethod"), Algorithm=EXC_C14N)
    etree.SubElement(info, _q(DS_NS, "SignatureMethod"), Algorithm=signature_method)
    for ref in references:
        info.append(ref)
    value = key.sign(c14n(info), padding.PKCS1v15(), SIGNATURE_HASHES[signature_method]())
    etree.SubElement(signature, _q(DS_NS, "SignatureValue")).text = base64.b64encode(value).decode(
        "ascii"
    )
    key_info = etree.SubElement(signature, _q(DS_NS, "KeyInfo"))
    key_info.append(token_reference(token_id))
    return signature


def read_reference_digests(signature: etree._Element) -> list[ReferenceDigest]:
    """The references a signature states, in document order."""
    info = signature.find(_q(DS_NS, "SignedInfo"))
    return read_reference_digests_from(info) if info is not None else []


def read_reference_digests_from(parent: etree._Element) -> list[ReferenceDigest]:
    """Every ds:Reference below ``parent`` (SignedInfo, or a receipt's NonRepudiationInformation)."""
    out = []
    for ref in parent.iter(_q(DS_NS, "Reference")):
        transforms = tuple(
            t.get("Algorithm", "")
            for t in ref.iterfind(f"{_q(DS_NS, 'Transforms')}/{_q(DS_NS, 'Transform')}")
        )
        out.append(
            ReferenceDigest(
                uri=ref.get("URI", ""),
                transforms=transforms,
                digest=(ref.findtext(_q(DS_NS, "DigestValue")) or "").strip(),
            )
        )
    return out


# -------------------------------------------------------------------------- verifying


def one(parent: etree._Element, tag: str, what: str, *, required: bool = True) -> Any:
    """The single child ``tag`` of ``parent``: two are a wrapping attempt, none is malformed."""
    found = [child for child in parent if child.tag == tag]
    if len(found) > 1:
        raise WsSecurityError(Refusal.WRAPPING, f"the message has {len(found)} {what} elements")
    if not found:
        if required:
            raise WsSecurityError(
                Refusal.MISSING_SIGNATURE if "Signature" in what else Refusal.MALFORMED,
                f"no {what}",
            )
        return None
    return found[0]


def _id_index(root: etree._Element) -> dict[str, etree._Element]:
    index: dict[str, etree._Element] = {}
    for element in root.iter("*"):
        for attribute in _ID_ATTRIBUTES:
            value = element.get(attribute)
            if value is None:
                continue
            if value in index and index[value] is not element:
                raise WsSecurityError(Refusal.WRAPPING, f"the Id {value!r} occurs more than once")
            index[value] = element
    return index


def _inclusive_prefixes(method: etree._Element) -> list[str] | None:
    inclusive = method.find(f"{{{EXC_C14N}}}InclusiveNamespaces")
    return None if inclusive is None else (inclusive.get("PrefixList") or "").split()


def _transform(reference: etree._Element, expected: str, uri: str) -> list[str] | None:
    """Check the Reference has exactly the one transform; its inclusive prefixes, if any."""
    transforms = reference.find(_q(DS_NS, "Transforms"))
    items = [] if transforms is None else list(transforms)
    if len(items) != 1 or items[0].get("Algorithm") != expected:
        raise WsSecurityError(
            Refusal.WEAK_ALGORITHM, f"Reference {uri} must have exactly one transform: {expected}"
        )
    return _inclusive_prefixes(items[0])


def _check_signature_value(
    certificate: x509.Certificate, method: str, signed: bytes, value: bytes
) -> None:
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise WsSecurityError(Refusal.WEAK_ALGORITHM, "the policy requires an RSA signing key")
    try:
        public_key.verify(value, signed, padding.PKCS1v15(), SIGNATURE_HASHES[method]())
    except InvalidSignature as exc:
        raise WsSecurityError(
            Refusal.SIGNATURE_MISMATCH, "the SignatureValue does not match SignedInfo"
        ) from exc


def verify_references(
    signature: etree._Element,
    *,
    certificate: x509.Certificate,
    elements: Mapping[str, etree._Element | None],
    attachments: Mapping[str, bytes] | None = None,
    signature_methods: frozenset[str] = frozenset({RSA_SHA256}),
    digest_methods: frozenset[str] = frozenset({SHA256}),
) -> VerifiedReferences:
    """Check ``signature`` covers exactly the expected parts, unaltered, signed by ``certificate``.

    ``elements`` maps a label (for messages) to the element found at its proper
    place (None: absent, not required); ``attachments`` maps each Content-ID that
    must be covered to its content. Raises :class:`WsSecurityError`.
    """
    attachments = attachments or {}
    index = _id_index(signature.getroottree().getroot())
    info = one(signature, _q(DS_NS, "SignedInfo"), "ds:SignedInfo")
    c14n_method = one(info, _q(DS_NS, "CanonicalizationMethod"), "CanonicalizationMethod")
    if c14n_method.get("Algorithm") != EXC_C14N:
        raise WsSecurityError(
            Refusal.WEAK_ALGORITHM, "SignedInfo must be canonicalised with exclusive C14N"
        )
    method = one(info, _q(DS_NS, "SignatureMethod"), "SignatureMethod").get("Algorithm")
    if method not in signature_methods or method not in SIGNATURE_HASHES:
        raise WsSecurityError(Refusal.WEAK_ALGORITHM, f"signature method {method} is not accepted")

    expected = {label: el for label, el in elements.items() if el is not None}
    covered: dict[str, str] = {}
    digests: list[str] = []
    for reference in info.findall(_q(DS_NS, "Reference")):
        uri = reference.get("URI") or ""
        if uri.startswith("cid:") and len(uri) > 4:
            label = uri
            if uri[4:] not in attachments:
                raise WsSecurityError(
                    Refusal.WRAPPING, f"Reference {uri} is no expected attachment"
                )
            _transform(reference, ATTACHMENT_CONTENT_SIGNATURE, uri)
            data = attachments[uri[4:]]
        elif uri.startswith("#") and len(uri) > 1:
            target = index.get(uri[1:])
            if target is None:
                raise WsSecurityError(Refusal.WRAPPING, f"Reference {uri} points to no element")
            found = next((n for n, el in expected.items() if el is target), None)
            if found is None:
                raise WsSecurityError(
                    Refusal.WRAPPING,
                    f"Reference {uri} points to {etree.QName(target).localname} "
                    "outside its proper place",
                )
            label = found
            data = c14n(target, _transform(reference, EXC_C14N, uri))
        else:
            raise WsSecurityError(
                Refusal.WRAPPING, f"Reference URI {uri!r} is not a same-message Id or attachment"
            )
        if label in covered:
            raise WsSecurityError(Refusal.WRAPPING, f"the {label} is referenced twice")
        digest_method = one(reference, _q(DS_NS, "DigestMethod"), "DigestMethod").get("Algorithm")
        if digest_method not in digest_methods or digest_method not in DIGEST_HASHES:
            raise WsSecurityError(
                Refusal.WEAK_ALGORITHM, f"digest method {digest_method} is not accepted"
            )
        stated = _b64decode(reference.findtext(_q(DS_NS, "DigestValue")), "DigestValue")
        actual = base64.b64decode(_digest(digest_method, data))
        if not hmac.compare_digest(stated, actual):
            raise WsSecurityError(Refusal.DIGEST_MISMATCH, f"the {label} was altered after signing")
        covered[label] = uri
        digests.append(digest_method)
    missing = [n for n in expected if n not in covered]
    missing += [f"cid:{cid}" for cid in attachments if f"cid:{cid}" not in covered]
    if missing:
        raise WsSecurityError(NOT_COVERED, f"the signature does not cover the {', '.join(missing)}")

    value = _b64decode(
        one(signature, _q(DS_NS, "SignatureValue"), "SignatureValue").text, "SignatureValue"
    )
    _check_signature_value(certificate, method, c14n(info, _inclusive_prefixes(c14n_method)), value)
    return VerifiedReferences(
        signature_method=method,
        digest_methods=tuple(digests),
        references=tuple(read_reference_digests(signature)),
        covered=covered,
    )
