"""WS-Security X.509 signing and verification for SOAP 1.1/1.2 envelopes.

The Danish tax agency's RSU services (``rsu-policy-sign.xml``) demand, in
WSS4J terms, the actions ``Timestamp Signature`` with signature parts
Timestamp, Body and BinarySecurityToken, key identifier ``DirectReference``
(the certificate travels in a BinarySecurityToken that KeyInfo points to),
signature algorithm ``rsa-sha1`` and no inclusive prefixes, with exclusive
C14N. The policy names no digest algorithm, so we digest with SHA-256 and
keep SHA-1 for the one place the policy names it: the signature method.

zeep's own signers sign only Body and Timestamp and add no Timestamp, so
:class:`WsSecuritySigner` (a zeep ``wsse`` object) does the whole job here.
:func:`verify_envelope` checks what arrives: the signature with the token's
certificate, that the certificate is trusted, that Timestamp, Body and token
are each covered exactly once by reference to the element in its proper place
(defence against signature wrapping), and that the timestamp is current.
"""

from __future__ import annotations

import base64
import hmac
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from gateway.signing.errors import CertificateRejected, Refusal, SignatureRejected
from gateway.signing.policy import STRICT_SIGNER_POLICY, Purpose, SignerPolicy

__all__ = [
    "SKAT_RSU_SIGN",
    "SKAT_RSU_VERIFY",
    "CertificateTrust",
    "SignOptions",
    "VerifiedEnvelope",
    "VerifyOptions",
    "WsSecurityError",
    "WsSecuritySigner",
    "sign_envelope",
    "verify_envelope",
]

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"

_SIGNATURE_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    RSA_SHA1: hashes.SHA1,
    RSA_SHA256: hashes.SHA256,
}
_DIGEST_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    SHA1: hashes.SHA1,
    SHA256: hashes.SHA256,
}
# Refusals of our own beside the shared ones in :class:`Refusal`.
TIMESTAMP_EXPIRED = "timestamp-expired"
TIMESTAMP_IN_FUTURE = "timestamp-in-future"
NOT_COVERED = "not-covered"

_ID_ATTRIBUTES = (f"{{{WSU_NS}}}Id", "Id", "ID", "id")


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
class SignOptions:
    """How we sign; the defaults are what ``rsu-policy-sign.xml`` asks for."""

    signature_method: str = RSA_SHA1
    digest_method: str = SHA256
    ttl: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        if self.signature_method not in _SIGNATURE_HASHES:
            raise ValueError(f"unsupported signature method {self.signature_method}")
        if self.digest_method not in _DIGEST_HASHES:
            raise ValueError(f"unsupported digest method {self.digest_method}")


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """What we accept; strict by default (no SHA-1), see :data:`SKAT_RSU_VERIFY`."""

    signature_methods: frozenset[str] = frozenset({RSA_SHA256})
    digest_methods: frozenset[str] = frozenset({SHA256})
    clock_skew: timedelta = timedelta(minutes=5)
    require_timestamp: bool = True
    # Who may sign: certificates certified for this purpose (never a TLS certificate).
    purpose: Purpose = Purpose.WS_SECURITY
    signer_policy: SignerPolicy = STRICT_SIGNER_POLICY


SKAT_RSU_SIGN = SignOptions()
# The agency's clients (CXF/WSS4J with the published policy) sign with rsa-sha1 and
# digest with SHA-1 by default: a server for them has to accept both.
SKAT_RSU_VERIFY = VerifyOptions(
    signature_methods=frozenset({RSA_SHA1, RSA_SHA256}),
    digest_methods=frozenset({SHA1, SHA256}),
)


class CertificateTrust(Protocol):
    """What we need of a trust store (:class:`gateway.signing.keys.TrustStore` fits)."""

    def verify(
        self,
        leaf: x509.Certificate,
        intermediates: Sequence[x509.Certificate] = (),
        *,
        at: datetime | None = None,
    ) -> tuple[x509.Certificate, ...]: ...


@dataclass(frozen=True)
class VerifiedEnvelope:
    """What a successful verification vouches for; read the body from here."""

    certificate: x509.Certificate
    created: datetime | None
    expires: datetime | None
    signature_method: str
    digest_methods: tuple[str, ...]
    body: etree._Element = field(repr=False)

    @property
    def signer(self) -> str:
        return self.certificate.subject.rfc4514_string()


# --------------------------------------------------------------------------- signing


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def _xs_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def _c14n(element: etree._Element, prefixes: Sequence[str] | None = None) -> bytes:
    return etree.tostring(
        element,
        method="c14n",
        exclusive=True,
        with_comments=False,
        inclusive_ns_prefixes=list(prefixes) if prefixes else None,
    )


def _soap_ns(envelope: etree._Element) -> str:
    ns = etree.QName(envelope).namespace
    if etree.QName(envelope).localname != "Envelope" or ns not in (SOAP11_NS, SOAP12_NS):
        raise WsSecurityError(Refusal.MALFORMED, "the document is not a SOAP envelope")
    return ns  # type: ignore[return-value]


def _element_id(element: etree._Element, prefix: str) -> str:
    existing = element.get(_q(WSU_NS, "Id"))
    if existing:
        return existing
    new = f"{prefix}-{uuid.uuid4()}"
    element.set(_q(WSU_NS, "Id"), new)
    return new


def _hash(algorithm: Callable[[], hashes.HashAlgorithm], data: bytes) -> bytes:
    digest = hashes.Hash(algorithm())
    digest.update(data)
    return digest.finalize()


def sign_envelope(
    envelope: etree._Element,
    *,
    key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    now: datetime | None = None,
    options: SignOptions = SKAT_RSU_SIGN,
) -> etree._Element:
    """Add a signed WS-Security header (token, timestamp, signature) to ``envelope`` in place."""
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("the RSU policy signs with RSA: give an RSA private key")
    soap = _soap_ns(envelope)
    body = envelope.find(_q(soap, "Body"))
    if body is None:
        raise WsSecurityError(Refusal.MALFORMED, "the envelope has no Body")
    header = envelope.find(_q(soap, "Header"))
    if header is None:
        header = etree.Element(_q(soap, "Header"))
        envelope.insert(0, header)
    if header.find(_q(WSSE_NS, "Security")) is not None:
        raise WsSecurityError(Refusal.MALFORMED, "the envelope already carries a Security header")
    moment = (now or datetime.now(UTC)).astimezone(UTC)

    security = etree.SubElement(
        header, _q(WSSE_NS, "Security"), nsmap={"wsse": WSSE_NS, "wsu": WSU_NS}
    )
    security.set(_q(soap, "mustUnderstand"), "1" if soap == SOAP11_NS else "true")
    token = etree.SubElement(
        security,
        _q(WSSE_NS, "BinarySecurityToken"),
        EncodingType=BASE64,
        ValueType=X509V3,
    )
    token_id = _element_id(token, "X509")
    token.text = base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")
    stamp = etree.SubElement(security, _q(WSU_NS, "Timestamp"))
    stamp_id = _element_id(stamp, "TS")
    etree.SubElement(stamp, _q(WSU_NS, "Created")).text = _xs_datetime(moment)
    etree.SubElement(stamp, _q(WSU_NS, "Expires")).text = _xs_datetime(moment + options.ttl)
    body_id = _element_id(body, "id")

    signature = etree.SubElement(
        security, _q(DS_NS, "Signature"), nsmap={"ds": DS_NS}, Id=f"SIG-{uuid.uuid4()}"
    )
    signed_info = etree.SubElement(signature, _q(DS_NS, "SignedInfo"))
    etree.SubElement(signed_info, _q(DS_NS, "CanonicalizationMethod"), Algorithm=EXC_C14N)
    etree.SubElement(signed_info, _q(DS_NS, "SignatureMethod"), Algorithm=options.signature_method)
    digest_hash = _DIGEST_HASHES[options.digest_method]
    for ref_id, target in ((stamp_id, stamp), (body_id, body), (token_id, token)):
        reference = etree.SubElement(signed_info, _q(DS_NS, "Reference"), URI=f"#{ref_id}")
        transforms = etree.SubElement(reference, _q(DS_NS, "Transforms"))
        etree.SubElement(transforms, _q(DS_NS, "Transform"), Algorithm=EXC_C14N)
        etree.SubElement(reference, _q(DS_NS, "DigestMethod"), Algorithm=options.digest_method)
        digest = _hash(digest_hash, _c14n(target))
        etree.SubElement(reference, _q(DS_NS, "DigestValue")).text = base64.b64encode(
            digest
        ).decode("ascii")
    value = key.sign(
        _c14n(signed_info), padding.PKCS1v15(), _SIGNATURE_HASHES[options.signature_method]()
    )
    etree.SubElement(signature, _q(DS_NS, "SignatureValue")).text = base64.b64encode(value).decode(
        "ascii"
    )
    key_info = etree.SubElement(signature, _q(DS_NS, "KeyInfo"), Id=f"KI-{uuid.uuid4()}")
    str_element = etree.SubElement(key_info, _q(WSSE_NS, "SecurityTokenReference"))
    _element_id(str_element, "STR")
    etree.SubElement(str_element, _q(WSSE_NS, "Reference"), URI=f"#{token_id}", ValueType=X509V3)
    return envelope


# ------------------------------------------------------------------------ verifying


def _one(parent: etree._Element, tag: str, what: str, *, required: bool = True) -> Any:
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


def _b64(text: str | None, what: str) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except ValueError as exc:
        raise WsSecurityError(Refusal.MALFORMED, f"the {what} is not valid Base64") from exc


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


def _parse_time(text: str | None, what: str) -> datetime:
    raw = (text or "").strip()
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise WsSecurityError(
            Refusal.MALFORMED, f"Timestamp {what} {raw!r} is not a date-time"
        ) from exc
    if moment.tzinfo is None:
        raise WsSecurityError(Refusal.MALFORMED, f"Timestamp {what} {raw!r} has no time zone")
    return moment.astimezone(UTC)


def _transforms(reference: etree._Element) -> list[str] | None:
    """Check the Reference's transforms; returns the exclusive-C14N inclusive prefixes."""
    transforms = reference.find(_q(DS_NS, "Transforms"))
    items = [] if transforms is None else list(transforms)
    if len(items) != 1 or items[0].get("Algorithm") != EXC_C14N:
        raise WsSecurityError(
            Refusal.WEAK_ALGORITHM, "each Reference must have exactly one transform: exclusive C14N"
        )
    inclusive = items[0].find("{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces")
    if inclusive is None:
        return None
    return (inclusive.get("PrefixList") or "").split()


def _check_timestamp(
    stamp: etree._Element | None, now: datetime, options: VerifyOptions
) -> tuple[datetime | None, datetime | None]:
    if stamp is None:
        if options.require_timestamp:
            raise WsSecurityError(Refusal.MALFORMED, "the Security header has no Timestamp")
        return None, None
    created = _parse_time(stamp.findtext(_q(WSU_NS, "Created")), "Created")
    expires_text = stamp.findtext(_q(WSU_NS, "Expires"))
    if expires_text is None:
        raise WsSecurityError(Refusal.MALFORMED, "the Timestamp has no Expires")
    expires = _parse_time(expires_text, "Expires")
    if expires < created:
        raise WsSecurityError(Refusal.MALFORMED, "the Timestamp expires before it was created")
    if created > now + options.clock_skew:
        raise WsSecurityError(
            TIMESTAMP_IN_FUTURE, f"the Timestamp was created in the future ({created.isoformat()})"
        )
    if now > expires + options.clock_skew:
        raise WsSecurityError(TIMESTAMP_EXPIRED, f"the Timestamp expired at {expires.isoformat()}")
    return created, expires


def _certificate(token: etree._Element) -> x509.Certificate:
    if token.get("ValueType") != X509V3:
        raise WsSecurityError(
            Refusal.MALFORMED, "the BinarySecurityToken is not an X.509v3 certificate"
        )
    if token.get("EncodingType", BASE64) != BASE64:
        raise WsSecurityError(Refusal.MALFORMED, "the BinarySecurityToken is not Base64 encoded")
    der = _b64(token.text, "BinarySecurityToken")
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise WsSecurityError(
            Refusal.MALFORMED, "the BinarySecurityToken is not a certificate"
        ) from exc


def _check_signature_value(
    certificate: x509.Certificate, method: str, signed: bytes, value: bytes
) -> None:
    public_key = certificate.public_key()
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(value, signed, padding.PKCS1v15(), _SIGNATURE_HASHES[method]())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            raise WsSecurityError(Refusal.WEAK_ALGORITHM, "the policy requires an RSA signing key")
        else:
            raise WsSecurityError(Refusal.WEAK_ALGORITHM, "unsupported signing key type")
    except InvalidSignature as exc:
        raise WsSecurityError(
            Refusal.SIGNATURE_MISMATCH, "the SignatureValue does not match SignedInfo"
        ) from exc


def verify_envelope(
    envelope: etree._Element,
    *,
    trust: CertificateTrust,
    now: datetime | None = None,
    options: VerifyOptions = SKAT_RSU_VERIFY,
) -> VerifiedEnvelope:
    """Verify the WS-Security signature of a parsed envelope; raise :class:`WsSecurityError`."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    soap = _soap_ns(envelope)
    header = _one(envelope, _q(soap, "Header"), "SOAP Header", required=False)
    body = _one(envelope, _q(soap, "Body"), "SOAP Body")
    if header is None:
        raise WsSecurityError(
            Refusal.MISSING_SIGNATURE, "the message has no SOAP Header and is not signed"
        )
    security = _one(header, _q(WSSE_NS, "Security"), "wsse:Security header", required=False)
    if security is None:
        raise WsSecurityError(Refusal.MISSING_SIGNATURE, "the message has no wsse:Security header")
    signature = _one(security, _q(DS_NS, "Signature"), "ds:Signature")
    token = _one(security, _q(WSSE_NS, "BinarySecurityToken"), "wsse:BinarySecurityToken")
    stamp = _one(security, _q(WSU_NS, "Timestamp"), "wsu:Timestamp", required=False)
    index = _id_index(envelope)

    signed_info = _one(signature, _q(DS_NS, "SignedInfo"), "ds:SignedInfo")
    c14n_method = _one(signed_info, _q(DS_NS, "CanonicalizationMethod"), "CanonicalizationMethod")
    if c14n_method.get("Algorithm") != EXC_C14N:
        raise WsSecurityError(
            Refusal.WEAK_ALGORITHM, "SignedInfo must be canonicalised with exclusive C14N"
        )
    method = _one(signed_info, _q(DS_NS, "SignatureMethod"), "SignatureMethod").get("Algorithm")
    if method not in options.signature_methods:
        raise WsSecurityError(Refusal.WEAK_ALGORITHM, f"signature method {method} is not accepted")

    expected = {"Timestamp": stamp, "Body": body, "BinarySecurityToken": token}
    covered: dict[str, str] = {}
    digests: list[str] = []
    for reference in signed_info.findall(_q(DS_NS, "Reference")):
        uri = reference.get("URI") or ""
        if not uri.startswith("#") or len(uri) < 2:
            raise WsSecurityError(
                Refusal.WRAPPING, f"Reference URI {uri!r} is not a same-document Id"
            )
        target = index.get(uri[1:])
        if target is None:
            raise WsSecurityError(Refusal.WRAPPING, f"Reference {uri} points to no element")
        name = next((n for n, el in expected.items() if el is not None and el is target), None)
        if name is None:
            raise WsSecurityError(
                Refusal.WRAPPING,
                f"Reference {uri} points to {etree.QName(target).localname} outside its proper place",
            )
        if name in covered:
            raise WsSecurityError(Refusal.WRAPPING, f"the {name} is referenced twice")
        prefixes = _transforms(reference)
        digest_method = _one(reference, _q(DS_NS, "DigestMethod"), "DigestMethod").get("Algorithm")
        if digest_method not in options.digest_methods:
            raise WsSecurityError(
                Refusal.WEAK_ALGORITHM, f"digest method {digest_method} is not accepted"
            )
        stated = _b64(reference.findtext(_q(DS_NS, "DigestValue")), "DigestValue")
        actual = _hash(_DIGEST_HASHES[digest_method], _c14n(target, prefixes))
        if not hmac.compare_digest(stated, actual):
            raise WsSecurityError(Refusal.DIGEST_MISMATCH, f"the {name} was altered after signing")
        covered[name] = uri
        digests.append(digest_method)
    for name, element in expected.items():
        if element is not None and name not in covered:
            raise WsSecurityError(NOT_COVERED, f"the signature does not cover the {name}")

    key_ref = signature.find(
        f"{_q(DS_NS, 'KeyInfo')}/{_q(WSSE_NS, 'SecurityTokenReference')}/{_q(WSSE_NS, 'Reference')}"
    )
    if key_ref is None or index.get((key_ref.get("URI") or "#")[1:]) is not token:
        raise WsSecurityError(
            Refusal.MALFORMED,
            "KeyInfo must refer directly to the BinarySecurityToken in the header",
        )
    certificate = _certificate(token)
    value = _b64(signature.findtext(_q(DS_NS, "SignatureValue")), "SignatureValue")
    _check_signature_value(certificate, method, _c14n(signed_info), value)
    try:
        trust.verify(certificate, at=moment)
        options.signer_policy.check(certificate, options.purpose)
    except CertificateRejected as exc:
        raise WsSecurityError(exc.refusal, exc.detail) from exc
    created, expires = _check_timestamp(stamp, moment, options)
    return VerifiedEnvelope(
        certificate=certificate,
        created=created,
        expires=expires,
        signature_method=method,
        digest_methods=tuple(digests),
        body=body,
    )


# --------------------------------------------------------------------- zeep plugin


class WsSecuritySigner:
    """A zeep ``wsse`` object: signs each request, verifies each signed response."""

    def __init__(
        self,
        *,
        key: rsa.RSAPrivateKey,
        certificate: x509.Certificate,
        response_trust: CertificateTrust | None = None,
        sign_options: SignOptions = SKAT_RSU_SIGN,
        verify_options: VerifyOptions = SKAT_RSU_VERIFY,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._key = key
        self._certificate = certificate
        self._trust = response_trust
        self._sign_options = sign_options
        self._verify_options = verify_options
        self._clock = clock or (lambda: datetime.now(UTC))

    def apply(self, envelope: etree._Element, headers: dict[str, str]) -> tuple[Any, Any]:
        """Sign an outgoing envelope (zeep calls this after building the message)."""
        sign_envelope(
            envelope,
            key=self._key,
            certificate=self._certificate,
            now=self._clock(),
            options=self._sign_options,
        )
        return envelope, headers

    def verify(self, envelope: etree._Element) -> None:
        """Verify a response; unsigned SOAP faults pass so the fault itself can be reported."""
        if self._trust is None:
            return
        soap = etree.QName(envelope).namespace or SOAP11_NS
        fault = envelope.find(f"{_q(soap, 'Body')}/{_q(soap, 'Fault')}")
        if (
            fault is not None
            and envelope.find(f"{_q(soap, 'Header')}/{_q(WSSE_NS, 'Security')}") is None
        ):
            return
        verify_envelope(
            envelope, trust=self._trust, now=self._clock(), options=self._verify_options
        )
