"""cac:Signature lands where each of the 65 UBL 2.1 document schemas puts it (one case per schema)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

from gateway.signing.placement import insert_signature_reference

XS = "{http://www.w3.org/2001/XMLSchema}"
PREFIXES = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
}
ROOT = Path(__file__).resolve().parents[3]


def _maindoc_schemas() -> list[str]:
    # Collection needs the names before fixtures exist; same location rule as the artefacts_dir fixture.
    base = Path(os.environ.get("GW_ARTEFACTS_DIR", ROOT / "var" / "artefacts"))
    folder = base / "ubl-2.1" / "xsd" / "maindoc"
    return sorted(p.name for p in folder.glob("UBL-*-2.1.xsd")) if folder.is_dir() else []


def _sequence(xsd: Path) -> tuple[str, list[tuple[str, bool]]]:
    """The root element's namespace and its children in schema order, with "required" flags."""
    schema = etree.parse(str(xsd)).getroot()
    kind = next(c for c in schema if c.tag == f"{XS}complexType")
    children = [
        (e.get("ref"), e.get("minOccurs", "1") != "0")
        for e in kind.iter(f"{XS}element")
        if e.get("ref")
    ]
    return schema.get("targetNamespace"), children  # type: ignore[return-value]


def _qname(ref: str) -> str:
    prefix, name = ref.split(":")
    return f"{{{PREFIXES[prefix]}}}{name}"


def _placed(namespace: str, name: str, refs: list[str]) -> list[str]:
    root = etree.Element(f"{{{namespace}}}{name}")
    for ref in refs:
        if ref != "cac:Signature":
            etree.SubElement(root, _qname(ref))
    insert_signature_reference(root, etree.Element(_qname("cac:Signature")))
    return [etree.QName(c).localname for c in root]


@pytest.mark.conformance
@pytest.mark.parametrize("schema", _maindoc_schemas())
def test_signature_reference_follows_the_schema_sequence(artefacts_dir: Path, schema: str) -> None:
    namespace, children = _sequence(artefacts_dir / "ubl-2.1" / "xsd" / "maindoc" / schema)
    name = schema.removeprefix("UBL-").removesuffix("-2.1.xsd")
    expected = [etree.QName(_qname(ref)).localname for ref, _ in children]
    # Every element present: the signature must land exactly at its schema position.
    assert _placed(namespace, name, [ref for ref, _ in children]) == expected
    # Only the required elements present: the order must still follow the schema.
    required = [ref for ref, needed in children if needed or ref == "cac:Signature"]
    placed = _placed(namespace, name, required)
    assert placed == [etree.QName(_qname(ref)).localname for ref in required]


def test_unknown_document_type_gets_the_signature_before_its_first_party() -> None:
    placed = _placed(
        "urn:example:future-ubl",
        "QualificationApplicationRequest",
        ["cbc:ID", "cac:AdditionalDocumentReference", "cac:ContractingParty", "cac:Delivery"],
    )
    assert placed == [
        "ID",
        "AdditionalDocumentReference",
        "Signature",
        "ContractingParty",
        "Delivery",
    ]


def test_signature_goes_after_an_existing_signature_reference() -> None:
    namespace = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    root = etree.Element(f"{{{namespace}}}Invoice")
    for ref in ("cbc:ID", "cac:Signature", "cac:AccountingSupplierParty"):
        etree.SubElement(root, _qname(ref))
    ours = etree.Element(_qname("cac:Signature"))
    insert_signature_reference(root, ours)
    assert root.index(ours) == 2
