"""Peppol BIS 3 Invoice / CreditNote builder: XSD-valid and clean under the official rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from invoicing.builders import build_bis3
from invoicing.model import (
    PEPPOL_BILLING_CUSTOMIZATION,
    PEPPOL_BILLING_PROFILE,
    Address,
    Delivery,
    DocumentKind,
    Invoice,
    PrecedingInvoice,
    VatCategory,
    VatExemption,
)
from tests.invoicing.invoicing_samples import danish_invoice, line, mixed_invoice
from tests.invoicing.ubl_checks import billing_findings, fatal, ubl21_schema, xsd_errors

D = Decimal
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _credit_note() -> Invoice:
    return danish_invoice(
        kind=DocumentKind.CREDIT_NOTE,
        number="CN-9",
        preceding_invoices=(PrecedingInvoice("INV-1001", date(2026, 11, 2)),),
        project_reference="PRJ-5",
    )


def _intra_community() -> Invoice:
    base = mixed_invoice()
    return replace(
        base,
        lines=(
            line("1", quantity="4", price="75", category=VatCategory.INTRA_COMMUNITY, rate="0"),
        ),
        vat_exemptions=(VatExemption(VatCategory.INTRA_COMMUNITY, None, "VATEX-EU-IC"),),
        delivery=Delivery(date=date(2026, 11, 1), address=Address(country="DK")),
        tax_currency_vat_amount=D("0"),
    )


def _foreign_currency_with_vat() -> Invoice:
    # EUR invoice from a Danish seller: VAT also stated in DKK (BT-6, BT-111).
    return danish_invoice(currency="EUR", tax_currency="DKK", tax_currency_vat_amount=D("2022.83"))


CASES = {
    "danish-invoice": danish_invoice,
    "danish-credit-note": _credit_note,
    "reverse-charge-eur": mixed_invoice,
    "intra-community": _intra_community,
    "eur-with-dkk-vat": _foreign_currency_with_vat,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_built_document_passes_xsd_and_full_peppol_plan(name: str, artefacts_dir: Path) -> None:
    invoice = CASES[name]()
    xml = build_bis3(invoice)
    root_tag = "CreditNote" if invoice.kind is DocumentKind.CREDIT_NOTE else "Invoice"
    assert xsd_errors(xml, ubl21_schema(artefacts_dir, root_tag)) == []
    assert fatal(billing_findings(xml, artefacts_dir)) == []


def test_document_carries_peppol_identifiers_and_endpoints() -> None:
    doc = etree.fromstring(build_bis3(danish_invoice()))
    assert doc.findtext("cbc:CustomizationID", namespaces=NS) == PEPPOL_BILLING_CUSTOMIZATION
    assert doc.findtext("cbc:ProfileID", namespaces=NS) == PEPPOL_BILLING_PROFILE
    endpoint = doc.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    assert endpoint is not None and endpoint.get("schemeID") == "0184"
    assert doc.findtext("cbc:BuyerReference", namespaces=NS) == "ref-4711"
    assert doc.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == "PO-77"
    assert doc.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "1355.63"


def test_credit_note_moves_due_date_and_project_where_ubl_credit_notes_hold_them() -> None:
    doc = etree.fromstring(build_bis3(_credit_note()))
    assert etree.QName(doc).localname == "CreditNote"
    assert doc.find("cbc:DueDate", NS) is None
    assert doc.findtext("cac:PaymentMeans/cbc:PaymentDueDate", namespaces=NS) == "2026-12-02"
    project = doc.find("cac:AdditionalDocumentReference[cbc:DocumentTypeCode='50']/cbc:ID", NS)
    assert project is not None and project.text == "PRJ-5"


def test_vat_in_accounting_currency_gets_its_own_tax_total() -> None:
    doc = etree.fromstring(build_bis3(_foreign_currency_with_vat()))
    amounts = {
        el.get("currencyID"): el.text for el in doc.iterfind("cac:TaxTotal/cbc:TaxAmount", NS)
    }
    assert amounts == {"EUR": "271.13", "DKK": "2022.83"}
