"""Received orders (T01): official examples read into the model and rebuilt with their terms."""

from __future__ import annotations

import os
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from lxml import etree

from invoicing.builders.ordering import build_order
from invoicing.errors import UnsupportedDocument
from invoicing.order_reader import read_order
from tests.invoicing.test_ordering_builders import _order
from tests.invoicing.ubl_checks import fatal, ordering_findings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = "peppol-bis-ordering-3/rules/examples"
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
PARTY = (
    "cbc:EndpointID",
    "cbc:EndpointID/@schemeID",
    "cac:PartyLegalEntity/cbc:RegistrationName",
    "cac:PartyLegalEntity/cbc:CompanyID",
    "cac:PostalAddress/cac:Country/cbc:IdentificationCode",
)
LINE_ITEM = (
    "cbc:ID",
    "cbc:Quantity",
    "cbc:Quantity/@unitCode",
    "cac:Price/cbc:PriceAmount",
    "cac:Price/cbc:BaseQuantity",
    "cac:Item/cbc:Name",
    "cac:Item/cac:SellersItemIdentification/cbc:ID",
    "cac:Item/cac:BuyersItemIdentification/cbc:ID",
    "cac:Item/cac:StandardItemIdentification/cbc:ID",
    "cac:Item/cac:ClassifiedTaxCategory/cbc:ID",
    "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent",
)


def _under(prefix: str, paths: tuple[str, ...]) -> list[str]:
    return [f"{prefix}/{p}" for p in paths]


TERMS = {
    "header": [
        "cbc:ID",
        "cbc:IssueDate",
        "cbc:DocumentCurrencyCode",
        "cbc:CustomerReference",
        "cbc:Note",
        "cac:Contract/cbc:ID",
        "cac:ValidityPeriod/cbc:EndDate",
    ],
    "buyer": _under("cac:BuyerCustomerParty/cac:Party", PARTY),
    "seller": _under("cac:SellerSupplierParty/cac:Party", PARTY),
    "delivery": _under(
        "cac:Delivery/cac:RequestedDeliveryPeriod", ("cbc:StartDate", "cbc:EndDate")
    ),
    "lines": ["cac:OrderLine/cbc:Note", *_under("cac:OrderLine/cac:LineItem", LINE_ITEM)],
}


def _examples() -> list[str]:
    base = Path(os.environ.get("GW_ARTEFACTS_DIR", ROOT / "var" / "artefacts")) / EXAMPLES
    found = [base / "Order_Example.xml", *sorted((base / "Order use cases").glob("*.xml"))]
    return [str(p.relative_to(base)) for p in found if p.is_file()]


def _norm(value: object) -> str:
    text = (value.text or "") if isinstance(value, etree._Element) else str(value)
    text = " ".join(text.split())
    try:
        return format(Decimal(text).normalize(), "f")
    except InvalidOperation:
        return text


def _terms(xml: bytes) -> dict[str, list[str]]:
    doc = etree.fromstring(xml)
    return {
        name: sorted(filter(None, (_norm(v) for p in paths for v in doc.xpath(p, namespaces=NS))))
        for name, paths in TERMS.items()
    }


def test_examples_are_found() -> None:
    assert len(_examples()) >= 5


@pytest.mark.parametrize("name", _examples())
def test_official_order_reads_and_rebuilds_with_its_terms(name: str, artefacts_dir: Path) -> None:
    original = (artefacts_dir / EXAMPLES / name).read_bytes()
    rebuilt = build_order(read_order(original))
    assert _terms(rebuilt) == _terms(original)
    was = {f.rule for f in fatal(ordering_findings(original, artefacts_dir, "T01"))}
    now = {f.rule for f in fatal(ordering_findings(rebuilt, artefacts_dir, "T01"))}
    assert now <= was


def test_our_order_reads_back_equal() -> None:
    order = _order()
    again = read_order(build_order(order))
    # T01 carries no seller tax scheme, so the seller's VAT id does not travel.
    assert again == replace(order, seller=replace(order.seller, vat_id=None))


def test_an_invoice_is_not_an_order() -> None:
    with pytest.raises(UnsupportedDocument):
        read_order(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
