"""Enveloped XAdES on UBL 2.1: placement, round trip, and each refusal with its precise reason."""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import SignatureConstructionMethod
from signxml.xades import XAdESSigner

from gateway.signing import (
    Refusal,
    SignatureCreationError,
    SignatureRejected,
    SigningIdentity,
    TrustStore,
    UnsignableDocument,
    VerificationOptions,
    sign_ubl,
    verify_ubl,
)
from gateway.signing.namespaces import CAC, CBC, DS, EXT, SAC, SBC, SIG, UBL_SIGNATURE_METHOD, XADES

NS = {
    "ds": DS,
    "ext": EXT,
    "sig": SIG,
    "sac": SAC,
    "sbc": SBC,
    "cac": CAC,
    "cbc": CBC,
    "xades": XADES,
}
SIGNATURE_PATH = (
    "/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/sig:UBLDocumentSignatures"
    "/sac:SignatureInformation/ds:Signature"
)


def _tree(xml: bytes) -> etree._Element:
    # Test documents are our own output: plain lxml parsing is fine here.
    return etree.fromstring(xml)


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _payable(root: etree._Element) -> etree._Element:
    found = root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS)
    assert found is not None
    return found


def test_signed_invoice_verifies_and_names_its_signer(
    signed_invoice: bytes, identity: SigningIdentity, trust: TrustStore
) -> None:
    result = verify_ubl(signed_invoice, trust)
    assert result.valid, result.reason
    assert result.refusal is None
    assert result.signer_subject == identity.subject
    assert result.signer_fingerprint == identity.fingerprint
    assert result.signing_time is not None
    assert abs(datetime.now(UTC) - result.signing_time) < timedelta(minutes=10)
    assert result.references[0].uri == ""
    assert len(result.references) == 3
    assert any(r.type == "http://uri.etsi.org/01903#SignedProperties" for r in result.references)


def test_signature_sits_in_the_ubl_signature_extension(signed_invoice: bytes) -> None:
    root = _tree(signed_invoice)
    placed = root.xpath(SIGNATURE_PATH, namespaces=NS)
    assert len(placed) == 1
    assert root[0].tag == f"{{{EXT}}}UBLExtensions"
    ext_uri = root.findtext("ext:UBLExtensions/ext:UBLExtension/ext:ExtensionURI", namespaces=NS)
    assert ext_uri == UBL_SIGNATURE_METHOD
    info = placed[0].getparent()
    referenced = info.findtext("sbc:ReferencedSignatureID", namespaces=NS)
    reference = root.find("cac:Signature", NS)
    assert reference is not None
    assert reference.findtext("cbc:ID", namespaces=NS) == referenced
    assert reference.findtext("cbc:SignatureMethod", namespaces=NS) == UBL_SIGNATURE_METHOD
    # UBL's sequence puts cac:Signature right before the first party.
    following = reference.getnext()
    assert following is not None and following.tag == f"{{{CAC}}}AccountingSupplierParty"


def test_signature_carries_xades_signed_properties(
    signed_invoice: bytes, identity: SigningIdentity
) -> None:
    root = _tree(signed_invoice)
    props = root.find(".//xades:SignedProperties", NS)
    assert props is not None
    assert props.find(".//xades:SigningTime", NS) is not None
    # UBL 2.1's XAdES 1.3.2 schema knows SigningCertificate (not V2): SHA-256 digest + issuer/serial.
    cert = props.find(".//xades:SigningCertificate/xades:Cert", NS)
    assert cert is not None
    der = identity.certificate.public_bytes(serialization.Encoding.DER)
    digest = cert.findtext("xades:CertDigest/ds:DigestValue", namespaces=NS)
    assert digest == base64.b64encode(hashlib.sha256(der).digest()).decode()
    serial = cert.findtext("xades:IssuerSerial/ds:X509SerialNumber", namespaces=NS)
    assert serial == str(identity.certificate.serial_number)
    method = root.find(".//ds:SignedInfo/ds:SignatureMethod", NS)
    assert method is not None
    assert method.get("Algorithm") == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def test_signed_invoice_stays_valid_against_the_ubl_schema(
    signed_invoice: bytes, artefacts_dir: Path
) -> None:
    xsd = artefacts_dir / "ubl-2.1" / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd"
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    assert schema.validate(_tree(signed_invoice)), schema.error_log.last_error


def test_credit_note_signs_and_verifies(
    artefacts_dir: Path, identity: SigningIdentity, trust: TrustStore
) -> None:
    xml = (
        artefacts_dir / "en16931-ubl-1.3.16" / "examples" / "ubl-tc434-creditnote1.xml"
    ).read_bytes()
    signed = sign_ubl(xml, identity)
    result = verify_ubl(signed, trust)
    assert result.valid, result.reason
    root = _tree(signed)
    assert root.findtext("cac:Signature/cbc:ID", namespaces=NS).endswith(":CreditNote")


def test_signed_content_is_the_document_without_its_signature(
    signed_invoice: bytes, trust: TrustStore
) -> None:
    result = verify_ubl(signed_invoice, trust)
    assert result.signed_content is not None
    content = _tree(result.signed_content)
    assert content.find(".//ds:Signature", NS) is None
    assert _payable(content).text == _payable(_tree(signed_invoice)).text


def test_tampered_amount_is_refused(signed_invoice: bytes, trust: TrustStore) -> None:
    root = _tree(signed_invoice)
    _payable(root).text = "1.00"
    result = verify_ubl(_bytes(root), trust)
    assert not result.valid
    assert result.refusal == Refusal.DIGEST_MISMATCH
    assert result.signed_content is None


def test_unsigned_content_added_after_signing_is_refused(
    signed_invoice: bytes, trust: TrustStore
) -> None:
    root = _tree(signed_invoice)
    extensions = root.find("ext:UBLExtensions", NS)
    assert extensions is not None
    extra = etree.SubElement(extensions, f"{{{EXT}}}UBLExtension")
    etree.SubElement(extra, f"{{{EXT}}}ExtensionContent").text = "pay to another account"
    result = verify_ubl(_bytes(root), trust)
    assert result.refusal == Refusal.DIGEST_MISMATCH


def test_tampered_signing_time_is_refused(signed_invoice: bytes, trust: TrustStore) -> None:
    root = _tree(signed_invoice)
    when = root.find(".//xades:SigningTime", NS)
    assert when is not None
    when.text = "2020-01-01T00:00:00+00:00"
    assert verify_ubl(_bytes(root), trust).refusal == Refusal.DIGEST_MISMATCH


def test_signature_moved_out_of_the_extension_is_refused(
    signed_invoice: bytes, trust: TrustStore
) -> None:
    root = _tree(signed_invoice)
    signature = root.xpath(SIGNATURE_PATH, namespaces=NS)[0]
    root.append(signature)  # the digest over "the document minus the signature" is unchanged
    result = verify_ubl(_bytes(root), trust)
    assert result.refusal == Refusal.WRONG_PLACEMENT


def test_duplicated_signature_is_refused(signed_invoice: bytes, trust: TrustStore) -> None:
    root = _tree(signed_invoice)
    extensions = root.find("ext:UBLExtensions", NS)
    assert extensions is not None
    extensions.append(copy.deepcopy(extensions[0]))
    assert verify_ubl(_bytes(root), trust).refusal == Refusal.TOO_MANY_SIGNATURES


def test_duplicated_signed_properties_are_refused_as_wrapping(
    signed_invoice: bytes, trust: TrustStore
) -> None:
    # A second SignedProperties with the same Id and a forged time: only the signed one may count.
    root = _tree(signed_invoice)
    props = root.find(".//xades:SignedProperties", NS)
    assert props is not None
    forged = copy.deepcopy(props)
    forged.find(".//xades:SigningTime", NS).text = "2019-01-01T00:00:00+00:00"
    note = root.find("cbc:Note", NS)
    assert note is not None
    note.addprevious(forged)
    result = verify_ubl(_bytes(root), trust)
    assert result.refusal == Refusal.WRAPPING
    assert result.signing_time is None


def _resign_with_signxml(
    signed: bytes, identity: SigningIdentity, prepare: Callable[[etree._Element], None], **sign: Any
) -> bytes:
    """Replace our signature by one signxml makes with other choices, at the same place."""
    root = _tree(signed)
    old = root.xpath(SIGNATURE_PATH, namespaces=NS)[0]
    old.addprevious(etree.Element(f"{{{DS}}}Signature", Id="placeholder"))
    old.getparent().remove(old)
    prepare(root)
    signer = XAdESSigner(method=SignatureConstructionMethod.enveloped)
    return _bytes(
        signer.sign(
            root,
            key=identity.private_key,
            cert=list(identity.certificates),
            always_add_key_value=False,
            **sign,
        )
    )


def test_signature_over_part_of_the_document_is_refused(
    signed_invoice: bytes, identity: SigningIdentity, trust: TrustStore
) -> None:
    # Correctly signed, but covering only the totals: everything else could be rewritten.
    def mark_totals(root: etree._Element) -> None:
        root.find("cac:LegalMonetaryTotal", NS).set("Id", "totals")

    partial = _resign_with_signxml(signed_invoice, identity, mark_totals, reference_uri=["totals"])
    assert verify_ubl(partial, trust).refusal == Refusal.NOT_WHOLE_DOCUMENT


def test_certificate_known_out_of_band_needs_the_option(
    signed_invoice: bytes, identity: SigningIdentity, trust: TrustStore
) -> None:
    key_name = etree.Element(f"{{{DS}}}KeyInfo")
    etree.SubElement(key_name, f"{{{DS}}}KeyName").text = "gateway-signing"
    bare = _resign_with_signxml(signed_invoice, identity, lambda root: None, key_info=key_name)
    assert verify_ubl(bare, trust).refusal == Refusal.MISSING_CERTIFICATE
    lenient = VerificationOptions(require_certificate=False)
    assert verify_ubl(bare, trust, lenient).refusal == Refusal.MISSING_CERTIFICATE
    result = verify_ubl(bare, trust, lenient, signer_certificate=identity.certificate)
    assert result.valid, result.reason
    assert result.signer_fingerprint == identity.fingerprint


def test_signer_from_an_untrusted_ca_is_refused(
    invoice_xml: bytes, foreign_identity: SigningIdentity, trust: TrustStore
) -> None:
    result = verify_ubl(sign_ubl(invoice_xml, foreign_identity), trust)
    assert result.refusal == Refusal.UNTRUSTED_CERTIFICATE
    assert result.signer_subject is None


def test_expired_signer_is_refused_unless_checked_at_signing_time(
    invoice_xml: bytes, expired_identity: SigningIdentity, trust: TrustStore
) -> None:
    back_then = expired_identity.certificate.not_valid_after_utc - timedelta(seconds=1)
    signed = sign_ubl(invoice_xml, expired_identity, signing_time=back_then)
    assert verify_ubl(signed, trust).refusal == Refusal.EXPIRED_CERTIFICATE
    archived = verify_ubl(signed, trust, VerificationOptions(verification_time=back_then))
    assert archived.valid, archived.reason


def test_missing_signature_is_refused_when_required(invoice_xml: bytes, trust: TrustStore) -> None:
    result = verify_ubl(invoice_xml, trust)
    assert result.refusal == Refusal.MISSING_SIGNATURE
    lenient = verify_ubl(invoice_xml, trust, VerificationOptions(require_signature=False))
    assert lenient.valid and not lenient.signed


def test_sha1_digest_is_refused_by_default(signed_invoice: bytes, trust: TrustStore) -> None:
    root = _tree(signed_invoice)
    method = root.find(".//ds:SignedInfo/ds:Reference/ds:DigestMethod", NS)
    assert method is not None
    method.set("Algorithm", "http://www.w3.org/2000/09/xmldsig#sha1")
    assert verify_ubl(_bytes(root), trust).refusal == Refusal.WEAK_ALGORITHM


def test_missing_cac_signature_reference_is_refused(
    signed_invoice: bytes, trust: TrustStore
) -> None:
    root = _tree(signed_invoice)
    reference = root.find("cac:Signature", NS)
    assert reference is not None
    root.remove(reference)
    assert verify_ubl(_bytes(root), trust).refusal == Refusal.WRONG_PLACEMENT


def test_unexpected_reference_count_is_refused(signed_invoice: bytes, trust: TrustStore) -> None:
    result = verify_ubl(signed_invoice, trust, VerificationOptions(expected_references=4))
    assert result.refusal == Refusal.REFERENCE_COUNT


def test_missing_certificate_is_refused(signed_invoice: bytes, trust: TrustStore) -> None:
    root = _tree(signed_invoice)
    for cert in root.findall(".//ds:X509Certificate", NS):
        cert.getparent().remove(cert)
    assert verify_ubl(_bytes(root), trust).refusal == Refusal.MISSING_CERTIFICATE


def test_hostile_xml_is_refused_before_verification(trust: TrustStore) -> None:
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Invoice>&a;</Invoice>'
    assert verify_ubl(hostile, trust).refusal == Refusal.MALFORMED


def test_refusal_raises_as_a_422_problem(invoice_xml: bytes, trust: TrustStore) -> None:
    with pytest.raises(SignatureRejected) as caught:
        verify_ubl(invoice_xml, trust).raise_for_invalid()
    assert caught.value.status == 422
    assert caught.value.to_problem()["refusal"] == Refusal.MISSING_SIGNATURE.value


def test_signing_with_an_expired_certificate_is_refused(
    invoice_xml: bytes, expired_identity: SigningIdentity
) -> None:
    with pytest.raises(SignatureCreationError, match="Expired signer"):
        sign_ubl(invoice_xml, expired_identity)


def test_signing_time_is_the_one_given(
    invoice_xml: bytes, identity: SigningIdentity, trust: TrustStore
) -> None:
    when = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    result = verify_ubl(sign_ubl(invoice_xml, identity, signing_time=when), trust)
    assert result.signing_time == when


def test_signing_an_already_signed_document_is_refused(
    signed_invoice: bytes, identity: SigningIdentity
) -> None:
    with pytest.raises(UnsignableDocument) as caught:
        sign_ubl(signed_invoice, identity)
    assert caught.value.status == 422


def test_signing_something_that_is_not_xml_is_refused(identity: SigningIdentity) -> None:
    with pytest.raises(UnsignableDocument):
        sign_ubl(b'{"not": "xml"}', identity)


def test_outcomes_are_logged_without_key_material(
    signed_invoice: bytes, invoice_xml: bytes, trust: TrustStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="gateway.signing")
    verify_ubl(signed_invoice, trust)
    verify_ubl(invoice_xml, trust)
    events = [(r.getMessage(), getattr(r, "refusal", None)) for r in caplog.records]
    assert ("signing.verify.accepted", None) in events
    assert ("signing.verify.refused", "missing-signature") in events
    assert "PRIVATE KEY" not in caplog.text
