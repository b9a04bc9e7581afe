"""XAdES-BES enveloped signatures on UBL 2.1 documents, placed as the UBL signature extension says.

The signature sits at
``ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/sig:UBLDocumentSignatures/
sac:SignatureInformation/ds:Signature``; ``sac:SignatureInformation`` names, in
``sbc:ReferencedSignatureID``, the ``cac:Signature`` element the document
carries in its own body. The data reference is ``URI=""`` with the
enveloped-signature transform, so the signature covers the whole document,
extension wrappers included, except itself.
"""

from __future__ import annotations

import hashlib
from base64 import b64encode
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import SignatureConstructionMethod
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm
from signxml.exceptions import SignXMLException
from signxml.xades import XAdESDataObjectFormat, XAdESSigner

from gateway.signing.algorithms import signature_method_for
from gateway.signing.errors import Refusal, SignatureCreationError, UnsignableDocument
from gateway.signing.keys import SigningIdentity, TrustStore
from gateway.signing.namespaces import CAC, CBC, DS, EXT, SAC, SBC, SIG, UBL_SIGNATURE_METHOD, XADES
from gateway.signing.placement import insert_signature_reference
from gateway.signing.results import VerificationOptions, VerificationResult
from gateway.signing.verification import (
    MainReference,
    logged_verification,
    verify_signature_element,
)
from schemas import xmlsafe

__all__ = ["sign_ubl", "verify_ubl"]

_SIGNATURE_INFORMATION_ID = "urn:oasis:names:specification:ubl:signature:1"
_PLACEHOLDER = "placeholder"  # signxml fills a ds:Signature carrying this Id
# Inclusive C14N 1.1: signxml digests the untransformed XAdES references (SignedProperties,
# KeyInfo) with its default C14N 1.1, so SignedInfo and the data must use the same family.
_C14N = CanonicalizationMethod.CANONICAL_XML_1_1
_ENVELOPED = SignatureConstructionMethod.enveloped.value
_C14N_TRANSFORMS = frozenset(
    m.value for m in CanonicalizationMethod if "WithComments" not in m.name
)
_SIGNATURE_PATH = "/".join(
    (
        ".",
        f"{{{EXT}}}UBLExtensions",
        f"{{{EXT}}}UBLExtension",
        f"{{{EXT}}}ExtensionContent",
        f"{{{SIG}}}UBLDocumentSignatures",
        f"{{{SAC}}}SignatureInformation",
        "",
    )
)


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


class _UblXAdESSigner(XAdESSigner):
    """XAdES signer whose signing-certificate property is one the UBL 2.1 schema accepts.

    UBL 2.1 bundles the XAdES 1.3.2 schema, which knows ``SigningCertificate``
    but not ``SigningCertificateV2``; a document carrying V2 fails the UBL XSD.
    So the signer's certificate is bound with ``SigningCertificate`` holding a
    SHA-256 digest and the issuer/serial pair (XAdES baseline B-B allows it).
    """

    def __init__(self, *, signing_time: datetime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._signing_time = signing_time

    def add_signing_time(
        self,
        signed_signature_properties: etree._Element,
        sig_root: etree._Element,
        signing_settings: Any,
    ) -> None:
        node = etree.SubElement(signed_signature_properties, _q(XADES, "SigningTime"))
        node.text = self._signing_time.isoformat()

    def add_signing_certificate(
        self,
        signed_signature_properties: etree._Element,
        sig_root: etree._Element,
        signing_settings: Any,
    ) -> None:
        assert signing_settings.cert_chain
        cert = signing_settings.cert_chain[0]
        assert isinstance(cert, x509.Certificate)
        cert_node = etree.SubElement(
            etree.SubElement(signed_signature_properties, _q(XADES, "SigningCertificate")),
            _q(XADES, "Cert"),
        )
        digest = etree.SubElement(cert_node, _q(XADES, "CertDigest"))
        etree.SubElement(digest, _q(DS, "DigestMethod"), Algorithm=DigestAlgorithm.SHA256.value)
        der = cert.public_bytes(serialization.Encoding.DER)
        etree.SubElement(digest, _q(DS, "DigestValue")).text = b64encode(
            hashlib.sha256(der).digest()
        ).decode()
        issuer_serial = etree.SubElement(cert_node, _q(XADES, "IssuerSerial"))
        etree.SubElement(
            issuer_serial, _q(DS, "X509IssuerName")
        ).text = cert.issuer.rfc4514_string()
        etree.SubElement(issuer_serial, _q(DS, "X509SerialNumber")).text = str(cert.serial_number)


def _signature_reference_id(root: etree._Element) -> str:
    return f"urn:oasis:names:specification:ubl:signature:{etree.QName(root).localname}"


def _add_extension(root: etree._Element, referenced_id: str) -> None:
    extensions = root.find(_q(EXT, "UBLExtensions"))
    if extensions is None:
        extensions = etree.Element(_q(EXT, "UBLExtensions"), nsmap={"ext": EXT})
        # UBL requires ext:UBLExtensions to be the document's first child.
        root.insert(0, extensions)
        extensions.tail = root.text
    extension = etree.SubElement(extensions, _q(EXT, "UBLExtension"))
    etree.SubElement(extension, _q(EXT, "ExtensionURI")).text = UBL_SIGNATURE_METHOD
    content = etree.SubElement(extension, _q(EXT, "ExtensionContent"))
    signatures = etree.SubElement(
        content, _q(SIG, "UBLDocumentSignatures"), nsmap={"sig": SIG, "sac": SAC, "sbc": SBC}
    )
    info = etree.SubElement(signatures, _q(SAC, "SignatureInformation"))
    etree.SubElement(info, _q(CBC, "ID"), nsmap={"cbc": CBC}).text = _SIGNATURE_INFORMATION_ID
    etree.SubElement(info, _q(SBC, "ReferencedSignatureID")).text = referenced_id
    etree.SubElement(info, _q(DS, "Signature"), nsmap={"ds": DS}, Id=_PLACEHOLDER)


def _add_signature_reference(root: etree._Element, referenced_id: str) -> None:
    for existing in root.findall(_q(CAC, "Signature")):
        if (existing.findtext(_q(CBC, "ID")) or "").strip() == referenced_id:
            return
    element = etree.Element(_q(CAC, "Signature"), nsmap={"cac": CAC, "cbc": CBC})
    etree.SubElement(element, _q(CBC, "ID")).text = referenced_id
    etree.SubElement(element, _q(CBC, "SignatureMethod")).text = UBL_SIGNATURE_METHOD
    insert_signature_reference(root, element)


def sign_ubl(
    xml: bytes,
    identity: SigningIdentity,
    *,
    signing_time: datetime | None = None,
    limits: xmlsafe.XmlLimits | None = None,
) -> bytes:
    """Sign a UBL 2.1 document (XAdES-BES, enveloped) and return the signed document."""
    when = identity.signing_time(signing_time)
    try:
        root = xmlsafe.parse(xml, limits=limits or xmlsafe.XmlLimits()).getroot()
    except xmlsafe.XmlError as exc:
        raise UnsignableDocument(exc.detail) from exc
    if root.find(f".//{_q(DS, 'Signature')}") is not None:
        raise UnsignableDocument("the document already carries a ds:Signature")
    referenced_id = _signature_reference_id(root)
    _add_signature_reference(root, referenced_id)
    _add_extension(root, referenced_id)
    signer = _UblXAdESSigner(
        signing_time=when,
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=signature_method_for(identity),
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=_C14N,
        data_object_format=XAdESDataObjectFormat(
            Description="UBL 2.1 document", MimeType="application/xml"
        ),
    )
    try:
        signed = signer.sign(
            root,
            key=identity.private_key,
            cert=list(identity.certificates),
            always_add_key_value=False,
            exclude_c14n_transform_element=False,
        )
    except (SignXMLException, ValueError, TypeError) as exc:
        raise SignatureCreationError(f"the UBL document could not be signed: {exc}") from exc
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def _check_signature_reference(root: etree._Element, signature: etree._Element) -> str | None:
    info = signature.getparent()
    assert info is not None
    referenced = (info.findtext(_q(SBC, "ReferencedSignatureID")) or "").strip()
    if not referenced:
        return "sac:SignatureInformation has no sbc:ReferencedSignatureID"
    for element in root.findall(_q(CAC, "Signature")):
        if (element.findtext(_q(CBC, "ID")) or "").strip() == referenced:
            method = (element.findtext(_q(CBC, "SignatureMethod")) or "").strip()
            if method != UBL_SIGNATURE_METHOD:
                return f"cac:Signature {referenced} names method {method!r}"
            return None
    return f"the document has no cac:Signature with ID {referenced}"


@logged_verification("ubl")
def verify_ubl(
    xml: bytes,
    trust: TrustStore,
    options: VerificationOptions = VerificationOptions(),
    *,
    limits: xmlsafe.XmlLimits | None = None,
    signer_certificate: x509.Certificate | None = None,
) -> VerificationResult:
    """Verify the enveloped XAdES signature of a UBL 2.1 document against ``trust``.

    ``signer_certificate`` is used only when the signature carries none and
    ``options.require_certificate`` is off; it must still chain to ``trust``.
    """
    try:
        root = xmlsafe.parse(xml, limits=limits or xmlsafe.XmlLimits()).getroot()
    except xmlsafe.XmlError as exc:
        return VerificationResult.refused(Refusal.MALFORMED, exc.detail)
    signatures = root.findall(f".//{_q(DS, 'Signature')}")
    if not signatures:
        if options.require_signature:
            return VerificationResult.refused(
                Refusal.MISSING_SIGNATURE, "the document is not signed"
            )
        return VerificationResult(valid=True, signed=False, reason="unsigned; none required")
    if len(signatures) > 1:
        return VerificationResult.refused(
            Refusal.TOO_MANY_SIGNATURES, f"the document carries {len(signatures)} signatures"
        )
    signature = signatures[0]
    placed = root.findall(f"{_SIGNATURE_PATH}{_q(DS, 'Signature')}")
    if placed != [signature]:
        return VerificationResult.refused(
            Refusal.WRONG_PLACEMENT,
            "the signature is not in ext:UBLExtensions/.../sac:SignatureInformation",
        )
    problem = _check_signature_reference(root, signature)
    if problem:
        return VerificationResult.refused(Refusal.WRONG_PLACEMENT, problem)
    return verify_signature_element(
        root,
        signature,
        location=_SIGNATURE_PATH,
        main=MainReference(uri="", allowed_transforms=frozenset({_ENVELOPED}) | _C14N_TRANSFORMS),
        trust=trust,
        options=options,
        signer_certificate=signer_certificate,
    )
