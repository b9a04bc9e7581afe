"""Detached XAdES-BES signatures over any payload (JSON, a zip, a PDF): a standalone ds:Signature.

The signature names the payload by URI and carries its SHA-256 digest; the
payload itself travels beside it. signxml cannot digest raw bytes when it
signs (it expects XML), so the signature is built here; verification goes
through the same checks and signxml verifier as enveloped UBL signatures.
"""

from __future__ import annotations

import hashlib
import secrets
from base64 import b64encode
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm

from gateway.signing.algorithms import signature_method_for
from gateway.signing.errors import Refusal, SignatureCreationError
from gateway.signing.keys import SigningIdentity, TrustStore
from gateway.signing.namespaces import DS, XADES, XADES_SIGNED_PROPERTIES_TYPE
from gateway.signing.results import VerificationOptions, VerificationResult
from gateway.signing.verification import (
    MainReference,
    logged_verification,
    verify_signature_element,
)
from schemas import xmlsafe

__all__ = ["DEFAULT_PAYLOAD_URI", "sign_detached", "verify_detached"]

DEFAULT_PAYLOAD_URI = "payload"
# lxml's c14n is inclusive C14N 1.0, which is also what an untransformed same-document
# reference uses; signxml computes the very same bytes when it verifies.
_C14N = CanonicalizationMethod.CANONICAL_XML_1_0
_NSMAP = {"ds": DS, "xades": XADES}


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n")


def _b64_sha256(data: bytes) -> str:
    return b64encode(hashlib.sha256(data).digest()).decode()


def _reference(
    signed_info: etree._Element, uri: str, *, ref_id: str | None = None, type_: str | None = None
) -> etree._Element:
    ref = etree.SubElement(signed_info, _q(DS, "Reference"), URI=uri)
    if ref_id:
        ref.set("Id", ref_id)
    if type_:
        ref.set("Type", type_)
    etree.SubElement(ref, _q(DS, "DigestMethod"), Algorithm=DigestAlgorithm.SHA256.value)
    etree.SubElement(ref, _q(DS, "DigestValue"))
    return ref


def _signed_properties(
    qualifying: etree._Element,
    sig_id: str,
    identity: SigningIdentity,
    mime_type: str,
    when: datetime,
) -> etree._Element:
    props = etree.SubElement(
        qualifying, _q(XADES, "SignedProperties"), Id=f"{sig_id}-SignedProperties"
    )
    ssp = etree.SubElement(props, _q(XADES, "SignedSignatureProperties"))
    etree.SubElement(ssp, _q(XADES, "SigningTime")).text = when.isoformat()
    cert_digest = etree.SubElement(
        etree.SubElement(
            etree.SubElement(ssp, _q(XADES, "SigningCertificateV2")), _q(XADES, "Cert")
        ),
        _q(XADES, "CertDigest"),
    )
    etree.SubElement(cert_digest, _q(DS, "DigestMethod"), Algorithm=DigestAlgorithm.SHA256.value)
    der = identity.certificate.public_bytes(serialization.Encoding.DER)
    etree.SubElement(cert_digest, _q(DS, "DigestValue")).text = _b64_sha256(der)
    dop = etree.SubElement(props, _q(XADES, "SignedDataObjectProperties"))
    fmt = etree.SubElement(dop, _q(XADES, "DataObjectFormat"), ObjectReference=f"#{sig_id}-data")
    etree.SubElement(fmt, _q(XADES, "MimeType")).text = mime_type
    return props


def _sign_bytes(identity: SigningIdentity, data: bytes) -> bytes:
    key = identity.private_key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        der = key.sign(data, ec.ECDSA(hashes.SHA256()))
        r, s = utils.decode_dss_signature(der)
        size = (key.curve.key_size + 7) // 8
        # XML-DSig wants r||s, not the DER sequence cryptography returns.
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def sign_detached(
    data: bytes,
    identity: SigningIdentity,
    *,
    uri: str = DEFAULT_PAYLOAD_URI,
    mime_type: str = "application/octet-stream",
    signing_time: datetime | None = None,
) -> bytes:
    """Sign ``data`` with a detached XAdES-BES signature naming it ``uri``; return the signature XML."""
    when = identity.signing_time(signing_time)
    if not uri or uri.startswith("#"):
        raise SignatureCreationError("the payload URI must be non-empty and not a fragment")
    sig_id = f"sig-{secrets.token_hex(8)}"
    signature = etree.Element(_q(DS, "Signature"), nsmap=_NSMAP, Id=sig_id)
    signed_info = etree.SubElement(signature, _q(DS, "SignedInfo"))
    etree.SubElement(signed_info, _q(DS, "CanonicalizationMethod"), Algorithm=_C14N.value)
    etree.SubElement(
        signed_info, _q(DS, "SignatureMethod"), Algorithm=signature_method_for(identity).value
    )
    data_ref = _reference(signed_info, uri, ref_id=f"{sig_id}-data")
    data_ref.find(_q(DS, "DigestValue")).text = _b64_sha256(data)  # type: ignore[union-attr]
    props_ref = _reference(
        signed_info, f"#{sig_id}-SignedProperties", type_=XADES_SIGNED_PROPERTIES_TYPE
    )
    key_ref = _reference(signed_info, f"#{sig_id}-KeyInfo")
    value = etree.SubElement(signature, _q(DS, "SignatureValue"))
    key_info = etree.SubElement(signature, _q(DS, "KeyInfo"), Id=f"{sig_id}-KeyInfo")
    x509_data = etree.SubElement(key_info, _q(DS, "X509Data"))
    for cert in identity.certificates:
        der = cert.public_bytes(serialization.Encoding.DER)
        etree.SubElement(x509_data, _q(DS, "X509Certificate")).text = b64encode(der).decode()
    qualifying = etree.SubElement(
        etree.SubElement(signature, _q(DS, "Object")),
        _q(XADES, "QualifyingProperties"),
        Target=f"#{sig_id}",
    )
    props = _signed_properties(qualifying, sig_id, identity, mime_type, when)
    props_ref.find(_q(DS, "DigestValue")).text = _b64_sha256(_c14n(props))  # type: ignore[union-attr]
    key_ref.find(_q(DS, "DigestValue")).text = _b64_sha256(_c14n(key_info))  # type: ignore[union-attr]
    try:
        raw = _sign_bytes(identity, _c14n(signed_info))
    except (ValueError, TypeError) as exc:
        raise SignatureCreationError("the payload could not be signed") from exc
    value.text = b64encode(raw).decode()
    return etree.tostring(signature, xml_declaration=True, encoding="UTF-8")


@logged_verification("detached")
def verify_detached(
    data: bytes,
    signature: bytes,
    trust: TrustStore,
    options: VerificationOptions = VerificationOptions(),
    *,
    uri: str | None = None,
    limits: xmlsafe.XmlLimits | None = None,
    signer_certificate: x509.Certificate | None = None,
) -> VerificationResult:
    """Verify a detached XAdES signature over ``data``; ``uri``, if given, must be the one signed."""
    if not signature.strip():
        if options.require_signature:
            return VerificationResult.refused(Refusal.MISSING_SIGNATURE, "no signature was given")
        return VerificationResult(valid=True, signed=False, reason="unsigned; none required")
    try:
        root = xmlsafe.parse(signature, limits=limits or xmlsafe.XmlLimits()).getroot()
    except xmlsafe.XmlError as exc:
        return VerificationResult.refused(Refusal.MALFORMED, exc.detail)
    if root.tag != _q(DS, "Signature"):
        return VerificationResult.refused(
            Refusal.WRONG_PLACEMENT, "a detached signature must be a ds:Signature document"
        )
    if root.find(f".//{_q(DS, 'Signature')}") is not None:
        return VerificationResult.refused(
            Refusal.TOO_MANY_SIGNATURES, "the signature contains another ds:Signature"
        )
    signed_uris = [
        r.get("URI") or ""
        for r in root.iterfind(f"{_q(DS, 'SignedInfo')}/{_q(DS, 'Reference')}")
        if not (r.get("URI") or "").startswith("#")
    ]
    expected = uri if uri is not None else (signed_uris[0] if len(signed_uris) == 1 else "")
    if not expected:
        return VerificationResult.refused(
            Refusal.NOT_WHOLE_DOCUMENT, "the signature must reference exactly one payload"
        )

    def resolve(requested: str) -> bytes:
        # Only the one payload we were handed can be dereferenced: no files, no network.
        if requested != expected:
            raise ValueError(f"unexpected reference {requested!r}")
        return data

    return verify_signature_element(
        root,
        root,
        location="./",
        main=MainReference(uri=expected, allowed_transforms=frozenset()),
        trust=trust,
        options=options,
        uri_resolver=resolve,
        signer_certificate=signer_certificate,
    )
