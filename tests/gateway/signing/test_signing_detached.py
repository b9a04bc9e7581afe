"""Detached XAdES over arbitrary payloads (JSON, zip): round trip and refusals."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from gateway.signing import (
    Refusal,
    SigningIdentity,
    TrustStore,
    VerificationOptions,
    sign_detached,
    verify_detached,
)
from gateway.signing.devca import CertificateKind, IssuedCertificate, issue_certificate
from gateway.signing.namespaces import DS, XADES

NS = {"ds": DS, "xades": XADES}
PAYLOAD = json.dumps({"cvr": "12345678", "period": "2026-Q3", "vat_due": "1250.00"}).encode()


def _tree(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bid.pdf", b"%PDF-1.7 offer")
        archive.writestr("prices.csv", "item;price\n1;100.00\n")
    return buffer.getvalue()


def test_json_payload_round_trip(identity: SigningIdentity, trust: TrustStore) -> None:
    signature = sign_detached(
        PAYLOAD, identity, uri="vat-return.json", mime_type="application/json"
    )
    result = verify_detached(PAYLOAD, signature, trust)
    assert result.valid, result.reason
    assert result.signed_content == PAYLOAD
    assert result.signer_fingerprint == identity.fingerprint
    assert result.references[0].uri == "vat-return.json"
    root = _tree(signature)
    assert root.tag == f"{{{DS}}}Signature"
    assert (
        root.findtext(".//xades:DataObjectFormat/xades:MimeType", namespaces=NS)
        == "application/json"
    )
    assert (
        root.find(".//xades:SignedSignatureProperties/xades:SigningCertificateV2", NS) is not None
    )


def test_zip_payload_round_trip(identity: SigningIdentity, trust: TrustStore) -> None:
    data = _zip()
    signature = sign_detached(data, identity, uri="bid.zip", mime_type="application/zip")
    result = verify_detached(data, signature, trust, uri="bid.zip")
    assert result.valid, result.reason
    assert result.signed_content == data


def test_ec_key_signs_with_ecdsa(dev_ca: IssuedCertificate, trust: TrustStore) -> None:
    issued = issue_certificate(
        CertificateKind.SIGNING,
        "EC signer",
        issuer=dev_ca,
        key=ec.generate_private_key(ec.SECP256R1()),
    )
    ec_identity = SigningIdentity(issued.private_key, issued.certificate)
    signature = sign_detached(PAYLOAD, ec_identity)
    method = _tree(signature).find(".//ds:SignatureMethod", NS)
    assert method is not None
    assert method.get("Algorithm") == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
    assert verify_detached(PAYLOAD, signature, trust).valid


def test_tampered_payload_is_refused(identity: SigningIdentity, trust: TrustStore) -> None:
    signature = sign_detached(PAYLOAD, identity)
    result = verify_detached(PAYLOAD.replace(b"1250.00", b"125.00"), signature, trust)
    assert result.refusal == Refusal.DIGEST_MISMATCH
    assert result.signed_content is None


def test_signature_for_another_payload_name_is_refused(
    identity: SigningIdentity, trust: TrustStore
) -> None:
    signature = sign_detached(PAYLOAD, identity, uri="q3.json")
    assert verify_detached(PAYLOAD, signature, trust, uri="q4.json").refusal == (
        Refusal.NOT_WHOLE_DOCUMENT
    )


def test_tampered_signed_properties_are_refused(
    identity: SigningIdentity, trust: TrustStore
) -> None:
    root = _tree(sign_detached(PAYLOAD, identity))
    root.find(".//xades:MimeType", NS).text = "text/plain"
    assert verify_detached(PAYLOAD, _bytes(root), trust).refusal == Refusal.DIGEST_MISMATCH


def test_duplicated_signed_properties_are_refused_as_wrapping(
    identity: SigningIdentity, trust: TrustStore
) -> None:
    root = _tree(sign_detached(PAYLOAD, identity))
    props = root.find(".//xades:SignedProperties", NS)
    assert props is not None
    forged = copy.deepcopy(props)
    forged.find(".//xades:SigningTime", NS).text = "2019-01-01T00:00:00+00:00"
    root.append(etree.Element(f"{{{DS}}}Object"))
    root[-1].append(forged)
    result = verify_detached(PAYLOAD, _bytes(root), trust)
    assert result.refusal == Refusal.WRAPPING


def test_untrusted_signer_is_refused(foreign_identity: SigningIdentity, trust: TrustStore) -> None:
    signature = sign_detached(PAYLOAD, foreign_identity)
    assert verify_detached(PAYLOAD, signature, trust).refusal == Refusal.UNTRUSTED_CERTIFICATE


def test_expired_signer_is_refused(expired_identity: SigningIdentity, trust: TrustStore) -> None:
    back_then = expired_identity.certificate.not_valid_after_utc - timedelta(seconds=1)
    signature = sign_detached(PAYLOAD, expired_identity, signing_time=back_then)
    assert verify_detached(PAYLOAD, signature, trust).refusal == Refusal.EXPIRED_CERTIFICATE
    options = VerificationOptions(verification_time=back_then)
    assert verify_detached(PAYLOAD, signature, trust, options).valid


def test_missing_signature_is_refused(trust: TrustStore) -> None:
    assert verify_detached(PAYLOAD, b"", trust).refusal == Refusal.MISSING_SIGNATURE


def test_signature_that_is_not_a_ds_signature_is_refused(trust: TrustStore) -> None:
    result = verify_detached(PAYLOAD, b"<receipt>ok</receipt>", trust)
    assert result.refusal == Refusal.WRONG_PLACEMENT


def test_sha1_is_refused_unless_allowed(identity: SigningIdentity, trust: TrustStore) -> None:
    root = _tree(sign_detached(PAYLOAD, identity))
    root.find(".//ds:Reference/ds:DigestMethod", NS).set(
        "Algorithm", "http://www.w3.org/2000/09/xmldsig#sha1"
    )
    assert verify_detached(PAYLOAD, _bytes(root), trust).refusal == Refusal.WEAK_ALGORITHM
    # Allowed, the algorithm passes the gate; the altered SignedInfo then fails the signature check.
    lenient = verify_detached(PAYLOAD, _bytes(root), trust, VerificationOptions(allow_sha1=True))
    assert lenient.refusal == Refusal.SIGNATURE_MISMATCH


def test_properties_bound_to_another_signature_are_refused(
    identity: SigningIdentity, trust: TrustStore
) -> None:
    # QualifyingProperties/@Target lies outside the signed properties, so no digest covers it.
    root = _tree(sign_detached(PAYLOAD, identity))
    root.find(".//xades:QualifyingProperties", NS).set("Target", "#someone-elses-signature")
    assert verify_detached(PAYLOAD, _bytes(root), trust).refusal == Refusal.WRAPPING
