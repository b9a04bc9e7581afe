"""Namespace URIs and fixed identifiers of XML-DSig, XAdES and the UBL 2.1 signature extension."""

from __future__ import annotations

__all__ = [
    "CAC",
    "CBC",
    "DS",
    "EXT",
    "SAC",
    "SBC",
    "SIG",
    "UBL_SIGNATURE_METHOD",
    "XADES",
    "XADES_SIGNED_PROPERTIES_TYPE",
]

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
XADES_SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
SIG = "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2"
SAC = "urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2"
SBC = "urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2"

# UBL 2.1 names this profile in ext:ExtensionURI and in cac:Signature/cbc:SignatureMethod.
UBL_SIGNATURE_METHOD = "urn:oasis:names:specification:ubl:dsig:enveloped:xades"
