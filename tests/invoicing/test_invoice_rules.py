"""Model rules: a broken invoice is refused before it becomes XML, naming the rule."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from gateway.errors import InvalidDocument
from invoicing.builders import build_bis3
from invoicing.errors import InvalidInvoice, InvoicingError
from invoicing.model import AllowanceCharge, DocumentKind, Identifier, VatCategory, VatExemption
from invoicing.rules import check_invoice
from tests.invoicing.invoicing_samples import BUYER, SELLER, danish_invoice, line, mixed_invoice

D = Decimal


def rules_of(invoice) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.rule for f in check_invoice(invoice)}


def test_sample_invoices_break_no_rule() -> None:
    assert check_invoice(danish_invoice()) == []
    assert check_invoice(mixed_invoice()) == []


def test_buyer_reference_or_order_reference_is_required() -> None:
    invoice = danish_invoice(buyer_reference=None, order_reference=None)
    assert "PEPPOL-EN16931-R003" in rules_of(invoice)


def test_exempt_lines_need_an_exemption_reason() -> None:
    invoice = danish_invoice(
        lines=(line("1", category=VatCategory.EXEMPT, rate="0"),), allowances_charges=()
    )
    assert "BR-E-10" in rules_of(invoice)
    fixed = replace(invoice, vat_exemptions=(VatExemption(VatCategory.EXEMPT, "Lægeydelser"),))
    assert "BR-E-10" not in rules_of(fixed)


def test_not_subject_invoice_may_not_carry_vat_ids() -> None:
    invoice = danish_invoice(
        lines=(line("1", category=VatCategory.NOT_SUBJECT, rate=None),),
        allowances_charges=(),
        vat_exemptions=(VatExemption(VatCategory.NOT_SUBJECT, "Ikke momspligtig"),),
    )
    assert "BR-O-02" in rules_of(invoice)


def test_zero_rated_categories_must_carry_zero_rate() -> None:
    invoice = danish_invoice(lines=(line("1", category=VatCategory.ZERO_RATED, rate="25"),))
    assert "BR-Z-05" in rules_of(invoice)


def test_danish_seller_needs_cvr_with_scheme_0184() -> None:
    seller = replace(SELLER, legal_id=Identifier("12345674", "0088"))
    assert "DK-R-014" in rules_of(danish_invoice(seller=seller))
    assert "DK-R-002" in rules_of(danish_invoice(seller=replace(SELLER, legal_id=None)))


def test_negative_price_is_refused_use_negative_quantity() -> None:
    assert "BR-27" in rules_of(danish_invoice(lines=(line("1", price="-5"),)))


def test_endpoint_is_required_for_both_parties() -> None:
    invoice = danish_invoice(buyer=replace(BUYER, endpoint=None))
    assert "PEPPOL-EN16931-R010" in rules_of(invoice)


def test_percentage_allowance_must_match_its_base() -> None:
    wrong = AllowanceCharge(
        is_charge=False,
        amount=D("10"),
        reason="Rabat",
        base_amount=D("200"),
        percent=D("10"),
        vat_category=VatCategory.STANDARD,
        vat_rate=D("25"),
    )
    assert "PEPPOL-EN16931-R040" in rules_of(danish_invoice(allowances_charges=(wrong,)))


def test_danish_credit_note_cannot_be_negative() -> None:
    invoice = danish_invoice(
        kind=DocumentKind.CREDIT_NOTE, lines=(line("1", quantity="-1"),), allowances_charges=()
    )
    assert "DK-R-016" in rules_of(invoice)


def test_builder_refuses_with_every_finding() -> None:
    invoice = danish_invoice(
        buyer_reference=None, order_reference=None, due_date=None, payment_terms=None
    )
    with pytest.raises(InvalidInvoice) as info:
        build_bis3(invoice)
    assert info.value.status == 422
    rules = {f["rule"] for f in info.value.findings}
    assert {"PEPPOL-EN16931-R003", "BR-CO-25"} <= rules
    assert info.value.to_problem()["findings"] == info.value.findings


def test_invoice_with_amount_due_must_say_how_to_pay() -> None:
    assert "GW-001" in rules_of(danish_invoice(payment_means=()))
    credit = danish_invoice(kind=DocumentKind.CREDIT_NOTE, payment_means=())
    assert "GW-001" not in rules_of(credit)


def test_refusals_are_kernel_invalid_documents() -> None:
    with pytest.raises(InvalidDocument) as info:
        build_bis3(danish_invoice(buyer_reference=None, order_reference=None))
    assert isinstance(info.value, InvoicingError)
    assert info.value.to_problem()["status"] == 422
