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
The references, the signature and the wrapping checks are the shared WS-Security
implementation in :mod:`gateway.signing.wss` (AS4 uses it too); this module is
the tax agency's profile: what is signed, with which algorithms, and the Timestamp.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from gateway.signing.errors import CertificateRejected, Refusal
from gateway.signing.policy import STRICT_SIGNER_POLICY, Purpose, SignerPolicy
from gateway.signing.wss import (
    DIGEST_HASHES,
    DS_NS,
    EXC_C14N,
    NOT_COVERED,
    RSA_SHA1,
    RSA_SHA256,
    SHA1,
    SHA256,
    SIGNATURE_HASHES,
    WSSE_NS,
    WSU_ID,
    WSU_NS,
    X509V3,
    WsSecurityError,
    certificate_token,
    element_reference,
    one,
    sign_references,
    token_certificate,
    verify_references,
)

__all__ = [
    "DS_NS",
    "EXC_C14N",
    "NOT_COVERED",
    "RSA_SHA1",
    "RSA_SHA256",
    "SHA1",
    "SHA256",
    "SKAT_RSU_SIGN",
    "SKAT_RSU_VERIFY",
    "WSSE_NS",
    "WSU_NS",
    "X509V3",
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

# Refusals of our own beside the shared ones in :class:`Refusal`.
TIMESTAMP_EXPIRED = "timestamp-expired"
TIMESTAMP_IN_FUTURE = "timestamp-in-future"
__all__ += ["DS_NS", "EXC_C14N", "NOT_COVERED", "WSSE_NS", "WSU_NS", "X509V3"]
__all__ += ["RSA_SHA1", "RSA_SHA256", "SHA1", "SHA256"]


@dataclass(frozen=True, slots=True)
class SignOptions:
    """How we sign; the defaults are what ``rsu-policy-sign.xml`` asks for."""

    signature_method: str = RSA_SHA1
    digest_method: str = SHA256
    ttl: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        if self.signature_method not in SIGNATURE_HASHES:
            raise ValueError(f"unsupported signature method {self.signature_method}")
        if self.digest_method not in DIGEST_HASHES:
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
    # None: the trust store's policy (strict unless configured).
    signer_policy: SignerPolicy | None = None


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


def _soap_ns(envelope: etree._Element) -> str:
    ns = etree.QName(envelope).namespace
    if etree.QName(envelope).localname != "Envelope" or ns not in (SOAP11_NS, SOAP12_NS):
        raise WsSecurityError(Refusal.MALFORMED, "the document is not a SOAP envelope")
    return ns  # type: ignore[return-value]


def _element_id(element: etree._Element, prefix: str) -> str:
    existing = element.get(WSU_ID)
    if existing:
        return existing
    new = f"{prefix}-{uuid.uuid4()}"
    element.set(WSU_ID, new)
    return new


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
    token = certificate_token(certificate, f"X509-{uuid.uuid4()}")
    security.append(token)
    stamp = etree.SubElement(security, _q(WSU_NS, "Timestamp"))
    _element_id(stamp, "TS")
    etree.SubElement(stamp, _q(WSU_NS, "Created")).text = _xs_datetime(moment)
    etree.SubElement(stamp, _q(WSU_NS, "Expires")).text = _xs_datetime(moment + options.ttl)
    _element_id(body, "id")
    signature = sign_references(
        [element_reference(el, digest_method=options.digest_method) for el in (stamp, body, token)],
        key=key,
        token_id=token.get(WSU_ID, ""),
        signature_method=options.signature_method,
        signature_id=f"SIG-{uuid.uuid4()}",
    )
    security.append(signature)
    key_info = signature.find(_q(DS_NS, "KeyInfo"))
    if key_info is not None:
        key_info.set("Id", f"KI-{uuid.uuid4()}")
        for str_element in key_info:
            _element_id(str_element, "STR")
    return envelope


# ------------------------------------------------------------------------ verifying


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
    header = one(envelope, _q(soap, "Header"), "SOAP Header", required=False)
    body = one(envelope, _q(soap, "Body"), "SOAP Body")
    if header is None:
        raise WsSecurityError(
            Refusal.MISSING_SIGNATURE, "the message has no SOAP Header and is not signed"
        )
    security = one(header, _q(WSSE_NS, "Security"), "wsse:Security header", required=False)
    if security is None:
        raise WsSecurityError(Refusal.MISSING_SIGNATURE, "the message has no wsse:Security header")
    signature = one(security, _q(DS_NS, "Signature"), "ds:Signature")
    token = one(security, _q(WSSE_NS, "BinarySecurityToken"), "wsse:BinarySecurityToken")
    stamp = one(security, _q(WSU_NS, "Timestamp"), "wsu:Timestamp", required=False)
    key_ref = signature.find(
        f"{_q(DS_NS, 'KeyInfo')}/{_q(WSSE_NS, 'SecurityTokenReference')}/{_q(WSSE_NS, 'Reference')}"
    )
    if key_ref is None or (key_ref.get("URI") or "#")[1:] != token.get(WSU_ID):
        raise WsSecurityError(
            Refusal.MALFORMED,
            "KeyInfo must refer directly to the BinarySecurityToken in the header",
        )
    certificate = token_certificate(token)
    # The parts the policy signs, each where it belongs: the shared checks do the rest.
    verified = verify_references(
        signature,
        certificate=certificate,
        elements={"Timestamp": stamp, "Body": body, "BinarySecurityToken": token},
        signature_methods=options.signature_methods,
        digest_methods=options.digest_methods,
    )
    method = verified.signature_method
    digests = list(verified.digest_methods)
    try:
        trust.verify(certificate, at=moment)
        policy: SignerPolicy = (
            options.signer_policy or getattr(trust, "signer_policy", None) or STRICT_SIGNER_POLICY
        )
        policy.check(certificate, options.purpose)
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
