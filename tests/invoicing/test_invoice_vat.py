"""VAT breakdown and totals: the arithmetic EN 16931 prescribes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from invoicing.model import AllowanceCharge, VatCategory, VatExemption
from invoicing.vat import compute_totals, line_net_amount, round_amount, vat_breakdown
from tests.invoicing.invoicing_samples import danish_invoice, line, mixed_invoice

D = Decimal


def test_line_net_amount_uses_base_quantity_and_line_allowances_and_charges() -> None:
    item = line(
        quantity="12",
        price="10",
        base_quantity=D("4"),
        allowances_charges=(
            AllowanceCharge(is_charge=False, amount=D("1.50"), reason="rabat"),
            AllowanceCharge(is_charge=True, amount=D("0.25"), reason="gebyr"),
        ),
    )
    assert line_net_amount(item) == D("28.75")  # 12 × 10/4 − 1.50 + 0.25


def test_line_net_amount_rounds_half_away_from_zero() -> None:
    assert line_net_amount(line(quantity="1", price="0.125")) == D("0.13")
    assert line_net_amount(line(quantity="-1", price="0.125")) == D("-0.13")
    assert round_amount(D("2.675")) == D("2.68")


def test_vat_is_computed_on_the_category_sum_not_line_by_line() -> None:
    # Per line 0.33 × 25 % rounds to 0.08 (0.24 in all); on the sum 0.99 it is 0.25.
    invoice = danish_invoice(
        lines=tuple(line(str(i), quantity="1", price="0.33") for i in (1, 2, 3)),
        allowances_charges=(),
    )
    (entry,) = vat_breakdown(invoice)
    assert entry.taxable_amount == D("0.99")
    assert entry.tax_amount == D("0.25")


def test_breakdown_has_one_entry_per_category_and_rate_with_document_charges() -> None:
    invoice = danish_invoice(
        lines=(
            line("1", quantity="2", price="100"),
            line("2", quantity="1", price="50", rate="25.00"),
            line("3", quantity="1", price="80", category=VatCategory.ZERO_RATED, rate="0"),
            line("4", quantity="1", price="10", rate="12"),
        ),
        allowances_charges=(
            AllowanceCharge(
                is_charge=False,
                amount=D("20"),
                reason="Mængderabat",
                vat_category=VatCategory.STANDARD,
                vat_rate=D("25"),
            ),
        ),
    )
    by_key = {(e.category, e.rate): e for e in vat_breakdown(invoice)}
    assert set(by_key) == {
        (VatCategory.STANDARD, D("25")),
        (VatCategory.ZERO_RATED, D("0")),
        (VatCategory.STANDARD, D("12")),
    }
    standard = by_key[(VatCategory.STANDARD, D("25"))]
    assert standard.taxable_amount == D("230")  # 200 + 50 − 20
    assert standard.tax_amount == D("57.50")
    assert by_key[(VatCategory.ZERO_RATED, D("0"))].tax_amount == D("0")
    assert by_key[(VatCategory.STANDARD, D("12"))].tax_amount == D("1.20")


def test_totals_follow_br_co_10_to_16() -> None:
    invoice = danish_invoice(prepaid_amount=D("100"), rounding_amount=D("0.01"))
    totals = compute_totals(invoice)
    # Lines: 10 × 99.95 = 999.50 and 3 × 12.5 − 2.50 = 35.00; charge 50 at 25 %.
    assert totals.line_extension == D("1034.50")
    assert totals.charge_total == D("50")
    assert totals.allowance_total == D("0")
    assert totals.tax_exclusive == D("1084.50")
    assert totals.vat_total == D("271.13")  # 1084.50 × 25 % = 271.125
    assert totals.tax_inclusive == D("1355.63")
    assert totals.payable == D("1255.64")  # − prepaid 100 + rounding 0.01


def test_negative_lines_reduce_the_totals() -> None:
    totals = compute_totals(mixed_invoice())
    assert totals.line_extension == D("960")
    assert totals.vat_total == D("0")
    assert totals.payable == D("960")


def test_not_subject_category_has_no_rate_and_no_tax() -> None:
    invoice = replace(
        mixed_invoice(),
        lines=(line("1", category=VatCategory.NOT_SUBJECT, rate=None),),
        vat_exemptions=(VatExemption(VatCategory.NOT_SUBJECT, "Not subject to VAT"),),
    )
    (entry,) = vat_breakdown(invoice)
    assert entry.rate is None
    assert entry.tax_amount == D("0")
    assert entry.exemption_reason == "Not subject to VAT"


def test_credit_note_style_negative_total() -> None:
    invoice = danish_invoice(lines=(line("1", quantity="-2", price="10"),), allowances_charges=())
    totals = compute_totals(invoice)
    assert totals.vat_total == D("-5.00")
    assert totals.payable == D("-25.00")
