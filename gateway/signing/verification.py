"""The XAdES verification core shared by enveloped (UBL) and detached signatures.

signxml checks digests and the signature value; before handing it the
document we decide, ourselves, the things that make a valid signature mean
something: which algorithms, how many references and what they point at, that
every referenced Id is unique and lives inside the signature, and that the
signer chains to our trust store. Only the bytes signxml reports as signed are
returned as signed content.
"""

from __future__ import annotations

import functools
import logging
from base64 import b64decode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ParamSpec

import signxml
from cryptography import x509
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidDigest, InvalidInput, InvalidSignature, SignXMLException
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

from gateway.signing.errors import CertificateRejected, Refusal
from gateway.signing.keys import TrustStore, certificate_fingerprint
from gateway.signing.namespaces import DS, XADES, XADES_SIGNED_PROPERTIES_TYPE
from gateway.signing.policy import Purpose
from gateway.signing.results import SignedReference, VerificationOptions, VerificationResult

__all__ = ["MainReference", "Refused", "logged_verification", "verify_signature_element"]

_log = logging.getLogger("gateway.signing")
_P = ParamSpec("_P")

_SHA1_SIGNATURES = frozenset(m for m in SignatureMethod if "SHA1" in m.name)
_SHA1_DIGESTS = frozenset(d for d in DigestAlgorithm if "SHA1" in d.name)
_ALLOWED_SIGNATURES = frozenset(m for m in SignatureMethod if not m.name.startswith("HMAC"))


_BY_ID = "//*[@*[local-name()='Id' or local-name()='ID' or local-name()='id'] = $v]"


class Refused(Exception):
    """Internal: stops a verification with a refusal code and a reason."""

    def __init__(self, refusal: Refusal, reason: str) -> None:
        super().__init__(reason)
        self.refusal = refusal
        self.reason = reason


@dataclass(frozen=True, slots=True)
class MainReference:
    """What the reference to the signed data must look like."""

    uri: str
    allowed_transforms: frozenset[str]


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _check_algorithms(signed_info: etree._Element, options: VerificationOptions) -> None:
    method = signed_info.find(_q(DS, "SignatureMethod"))
    alg = method.get("Algorithm") if method is not None else None
    try:
        sig_alg = SignatureMethod(alg)
    except ValueError as exc:
        raise Refused(Refusal.WEAK_ALGORITHM, f"signature method {alg!r} is not accepted") from exc
    if sig_alg not in _ALLOWED_SIGNATURES or (
        sig_alg in _SHA1_SIGNATURES and not options.allow_sha1
    ):
        raise Refused(Refusal.WEAK_ALGORITHM, f"signature method {alg} is not accepted")
    for dm in signed_info.iter(_q(DS, "DigestMethod")):
        dalg = dm.get("Algorithm")
        try:
            digest = DigestAlgorithm(dalg)
        except ValueError as exc:
            raise Refused(
                Refusal.WEAK_ALGORITHM, f"digest method {dalg!r} is not accepted"
            ) from exc
        if digest in _SHA1_DIGESTS and not options.allow_sha1:
            raise Refused(Refusal.WEAK_ALGORITHM, f"digest method {dalg} is not accepted")


def _check_references(
    root: etree._Element,
    signature: etree._Element,
    signed_info: etree._Element,
    main: MainReference,
    options: VerificationOptions,
) -> None:
    references = signed_info.findall(_q(DS, "Reference"))
    if len(references) != options.expected_references:
        raise Refused(
            Refusal.REFERENCE_COUNT,
            f"expected {options.expected_references} references, found {len(references)}",
        )
    mains = [r for r in references if not (r.get("URI") or "").startswith("#")]
    if len(mains) != 1 or mains[0].get("URI") != main.uri:
        uris = ", ".join(repr(r.get("URI")) for r in references)
        raise Refused(
            Refusal.NOT_WHOLE_DOCUMENT,
            f"the signature must reference {main.uri!r} exactly once; it references {uris}",
        )
    transforms = [t.get("Algorithm") or "" for t in mains[0].iter(_q(DS, "Transform"))]
    odd = [t for t in transforms if t not in main.allowed_transforms]
    if odd:
        raise Refused(
            Refusal.NOT_WHOLE_DOCUMENT,
            f"transform {odd[0]} could exclude signed content; it is not accepted",
        )
    inside = set(signature.iter())
    for ref in references:
        uri = ref.get("URI") or ""
        if not uri.startswith("#"):
            continue
        target = uri[1:]
        # Same matching as signxml's resolver (any attribute named Id/ID/id, in any namespace).
        hits = root.xpath(_BY_ID, v=target)
        if len(hits) != 1:  # type: ignore[arg-type]
            raise Refused(Refusal.WRAPPING, f"reference {uri} matches {len(hits)} elements")  # type: ignore[arg-type]
        if hits[0] not in inside:  # type: ignore[index]
            raise Refused(Refusal.WRAPPING, f"reference {uri} points outside the signature")
    props = [r for r in references if r.get("Type") == XADES_SIGNED_PROPERTIES_TYPE]
    if len(props) != 1:
        raise Refused(
            Refusal.MISSING_SIGNED_PROPERTIES, "the signature must sign one xades:SignedProperties"
        )
    target = root.xpath(_BY_ID, v=(props[0].get("URI") or "")[1:])[0]  # type: ignore[index]
    qualifying = target.getparent()
    # XAdES binds its properties to one signature through QualifyingProperties/@Target.
    if (
        target.tag != _q(XADES, "SignedProperties")
        or qualifying is None
        or qualifying.tag != _q(XADES, "QualifyingProperties")
        or qualifying.get("Target") != f"#{signature.get('Id')}"
    ):
        raise Refused(
            Refusal.WRAPPING, "the signed properties do not belong to this signature (Target)"
        )


def _certificates(signature: etree._Element) -> list[x509.Certificate]:
    certs = []
    for node in signature.findall(
        f"{_q(DS, 'KeyInfo')}/{_q(DS, 'X509Data')}/{_q(DS, 'X509Certificate')}"
    ):
        try:
            certs.append(
                x509.load_der_x509_certificate(b64decode("".join((node.text or "").split())))
            )
        except ValueError as exc:
            raise Refused(Refusal.MALFORMED, "an X509Certificate cannot be read") from exc
    return certs


def _leaf(certs: list[x509.Certificate]) -> x509.Certificate:
    # The leaf is the certificate that issued none of the others.
    issuers = {c.issuer for c in certs}
    leaves = [c for c in certs if c.subject not in issuers or c.subject == c.issuer]
    return leaves[0] if leaves else certs[0]


def _translate(exc: SignXMLException) -> Refused:
    message = str(exc)
    if isinstance(exc, InvalidDigest):
        if "certificate digest" in message:
            return Refused(Refusal.SIGNING_CERTIFICATE_MISMATCH, message)
        return Refused(Refusal.DIGEST_MISMATCH, message)
    if isinstance(exc, InvalidSignature):
        return Refused(Refusal.SIGNATURE_MISMATCH, message)
    if isinstance(exc, InvalidInput):
        if "Ambiguous reference" in message:
            return Refused(Refusal.WRAPPING, message)
        if "SigningCertificate" in message or "SignedProperties" in message:
            return Refused(Refusal.MISSING_SIGNED_PROPERTIES, message)
        if "forbidden by configuration" in message:
            return Refused(Refusal.WEAK_ALGORITHM, message)
    return Refused(Refusal.MALFORMED, message)


def _signing_time(results: list[signxml.VerifyResult]) -> datetime | None:
    for r in results:
        if r.signed_xml is not None and r.signed_xml.tag == _q(XADES, "SignedProperties"):
            node = r.signed_xml.find(f".//{_q(XADES, 'SigningTime')}")
            if node is None or not node.text:
                raise Refused(Refusal.MISSING_SIGNED_PROPERTIES, "xades:SigningTime is missing")
            try:
                when = datetime.fromisoformat(node.text.strip().replace("Z", "+00:00"))
            except ValueError as exc:
                raise Refused(Refusal.MALFORMED, "xades:SigningTime is not a date-time") from exc
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    raise Refused(Refusal.MISSING_SIGNED_PROPERTIES, "xades:SignedProperties were not signed")


def verify_signature_element(
    root: etree._Element,
    signature: etree._Element,
    *,
    location: str,
    main: MainReference,
    trust: TrustStore,
    options: VerificationOptions,
    uri_resolver: Callable[[str], bytes] | None = None,
    signer_certificate: x509.Certificate | None = None,
) -> VerificationResult:
    """Verify the one ds:Signature at ``location`` (a path signxml can find) inside ``root``."""
    try:
        signed_info = signature.find(_q(DS, "SignedInfo"))
        if signed_info is None:
            raise Refused(Refusal.MALFORMED, "ds:SignedInfo is missing")
        _check_algorithms(signed_info, options)
        _check_references(root, signature, signed_info, main, options)
        certs = _certificates(signature)
        if not certs:
            if options.require_certificate or signer_certificate is None:
                raise Refused(
                    Refusal.MISSING_CERTIFICATE, "the signature carries no X.509 certificate"
                )
            certs = [signer_certificate]
        leaf = _leaf(certs)
        try:
            trust.verify(
                leaf,
                [c for c in certs if c != leaf],
                at=options.verification_time,
                purpose=Purpose.DOCUMENT,
                policy=options.signer_policy,
            )
        except CertificateRejected as exc:
            raise Refused(Refusal(exc.refusal), exc.detail) from exc
        config = XAdESSignatureConfiguration(
            location=location,
            expect_references=options.expected_references,
            signature_methods=frozenset(
                m for m in _ALLOWED_SIGNATURES if options.allow_sha1 or m not in _SHA1_SIGNATURES
            ),
            digest_algorithms=frozenset(
                d for d in DigestAlgorithm if options.allow_sha1 or d not in _SHA1_DIGESTS
            ),
            verification_time=options.verification_time,
        )
        try:
            results = XAdESVerifier().verify(
                root, x509_cert=leaf, expect_config=config, uri_resolver=uri_resolver
            )
        except SignXMLException as exc:
            raise _translate(exc) from exc
        except ValueError as exc:  # an unknown algorithm URI or a reference we refused to resolve
            raise Refused(Refusal.MALFORMED, str(exc)) from exc
        signing_time = _signing_time(results)
    except Refused as refused:
        return VerificationResult.refused(refused.refusal, refused.reason)
    references = tuple(
        SignedReference(
            uri=ref.get("URI") or "",
            type=ref.get("Type"),
            digest_algorithm=ref.find(_q(DS, "DigestMethod")).get("Algorithm") or "",  # type: ignore[union-attr]
            digest_value=(ref.findtext(_q(DS, "DigestValue")) or "").strip(),
        )
        for ref in signed_info.findall(_q(DS, "Reference"))
    )
    main_index = next(i for i, r in enumerate(references) if r.uri == main.uri)
    return VerificationResult(
        valid=True,
        signer_subject=leaf.subject.rfc4514_string(),
        signer_fingerprint=certificate_fingerprint(leaf),
        signing_time=signing_time,
        references=references,
        signed_content=results[main_index].signed_data,
    )


def logged_verification(
    kind: str,
) -> Callable[[Callable[_P, VerificationResult]], Callable[_P, VerificationResult]]:
    """Log each outcome as ``signing.verify.accepted|refused`` (who and why; never key material)."""

    def decorate(fn: Callable[_P, VerificationResult]) -> Callable[_P, VerificationResult]:
        @functools.wraps(fn)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> VerificationResult:
            result = fn(*args, **kwargs)
            if result.valid:
                _log.info(
                    "signing.verify.accepted",
                    extra={
                        "kind": kind,
                        "signed": result.signed,
                        "signer": result.signer_fingerprint,
                    },
                )
            else:
                _log.info(
                    "signing.verify.refused",
                    extra={"kind": kind, "refusal": str(result.refusal), "reason": result.reason},
                )
            return result

        return wrapper

    return decorate
