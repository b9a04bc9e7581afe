"""OIOUBL 2.1 invoices and credit notes for receivers that still require them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from invoicing.builders import build_bis3_tree
from invoicing.builders._xml import to_bytes
from invoicing.builders.oioubl import build_oioubl, oioubl_identifier, peppol_identifier
from invoicing.errors import InvalidInvoice
from invoicing.model import DocumentKind, Identifier, PrecedingInvoice, VatCategory
from invoicing.reader import read_invoice
from tests.invoicing.business_terms import business_terms
from tests.invoicing.invoicing_samples import danish_invoice, line
from tests.invoicing.ubl_checks import fatal, plan_findings

D = Decimal
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
EXAMPLES = [
    "OIOUBL_Invoice_v2p2.xml",
    "OIOUBL_CreditNote_v2p2.xml",
    "OIOUBL_InvoiceCerticate.xml",
    "OIOUBL_CreditNoteCertificate.xml",
    "OIOUBL_Invoice_UBLExtensions_v2p2.xml",
]


def _credit_note():  # type: ignore[no-untyped-def]
    return danish_invoice(
        kind=DocumentKind.CREDIT_NOTE,
        number="CN-9",
        preceding_invoices=(PrecedingInvoice("INV-1001", date(2026, 11, 2)),),
        notes=("Returvarer",),
    )


@pytest.mark.parametrize("make", [danish_invoice, _credit_note], ids=["invoice", "credit-note"])
def test_built_document_passes_the_oioubl_plan(make, artefacts_dir: Path) -> None:  # type: ignore[no-untyped-def]
    xml = build_oioubl(make())
    assert fatal(plan_findings(xml, artefacts_dir, "oioubl-2.1")) == []


def test_oioubl_conventions_a_receiver_relies_on() -> None:
    doc = etree.fromstring(build_oioubl(danish_invoice()))
    assert doc.findtext("cbc:CustomizationID", namespaces=NS) == "OIOUBL-2.1"
    # TaxExclusiveAmount is the VAT total in OIOUBL, not the amount without VAT.
    assert doc.findtext("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", namespaces=NS) == (
        doc.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=NS)
    )
    endpoint = doc.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    assert endpoint is not None
    assert (endpoint.get("schemeID"), endpoint.text) == ("DK:CVR", "DK12345674")
    contact_id = doc.findtext(
        "cac:AccountingCustomerParty/cac:Party/cac:Contact/cbc:ID", namespaces=NS
    )
    assert contact_id == "ref-4711"  # the buyer reference travels as the buyer contact's ID
    assert build_oioubl(danish_invoice()) == build_oioubl(danish_invoice())  # stable UUID


def test_line_allowances_are_folded_into_the_price() -> None:
    doc = etree.fromstring(build_oioubl(danish_invoice()))
    second = doc.findall("cac:InvoiceLine", NS)[1]
    assert second.findtext("cac:Price/cbc:PriceAmount", namespaces=NS) == "11.6667"
    assert second.findtext("cbc:LineExtensionAmount", namespaces=NS) == "35.00"


@pytest.mark.parametrize(
    "category",
    [VatCategory.EXEMPT, VatCategory.INTRA_COMMUNITY, VatCategory.EXPORT],
)
def test_categories_oioubl_cannot_express_are_refused(category: VatCategory) -> None:
    invoice = danish_invoice(lines=(line("1", category=category, rate="0"),), allowances_charges=())
    with pytest.raises(InvalidInvoice) as info:
        build_oioubl(invoice)
    assert info.value.findings[0]["rule"] == "OIOUBL-TAXCATEGORY"


def test_identifier_schemes_map_both_ways() -> None:
    cvr = Identifier("12345674", "0184")
    assert oioubl_identifier(cvr) == Identifier("DK12345674", "DK:CVR")
    assert peppol_identifier(oioubl_identifier(cvr)) == cvr
    gln = Identifier("5798009882806", "0088")
    assert oioubl_identifier(gln) == Identifier("5798009882806", "GLN")


@pytest.mark.parametrize("name", EXAMPLES)
def test_official_oioubl_example_round_trips(name: str, artefacts_dir: Path) -> None:
    original = (artefacts_dir / "oioubl-2.1" / "Eksempelfiler" / name).read_bytes()
    rewritten = build_oioubl(read_invoice(original))
    assert business_terms(etree.fromstring(rewritten)) == business_terms(etree.fromstring(original))
    assert fatal(plan_findings(rewritten, artefacts_dir, "oioubl-2.1")) == []


@pytest.mark.parametrize("name", EXAMPLES[:2])
def test_oioubl_example_converts_to_a_valid_peppol_document(name: str, artefacts_dir: Path) -> None:
    invoice = read_invoice((artefacts_dir / "oioubl-2.1" / "Eksempelfiler" / name).read_bytes())
    assert invoice.seller.legal_id == Identifier("16356706", "0184")
    xml = to_bytes(build_bis3_tree(invoice))
    assert fatal(plan_findings(xml, artefacts_dir, "peppol-billing-3")) == []


def test_vat_in_danish_kroner_goes_on_the_standard_rated_subtotal(artefacts_dir: Path) -> None:
    invoice = danish_invoice(
        currency="EUR",
        tax_currency="DKK",
        tax_currency_vat_amount=D("1864.50"),
        lines=(
            line("1", price="100"),
            line("2", price="40", category=VatCategory.ZERO_RATED, rate="0"),
        ),
        allowances_charges=(),
    )
    xml = build_oioubl(invoice)
    assert fatal(plan_findings(xml, artefacts_dir, "oioubl-2.1")) == []
    doc = etree.fromstring(xml)
    parts = [
        D(el.text or "0")
        for el in doc.iterfind("cac:TaxTotal/cac:TaxSubtotal/cbc:TransactionCurrencyTaxAmount", NS)
    ]
    assert parts == [D("1864.50")]
    assert read_invoice(xml).tax_currency_vat_amount == D("1864.50")


def test_two_rates_in_one_category_are_refused() -> None:
    invoice = danish_invoice(lines=(line("1"), line("2", rate="12")), allowances_charges=())
    with pytest.raises(InvalidInvoice) as info:
        build_oioubl(invoice)
    assert info.value.findings[0]["rule"] == "F-LIB315"
