"""Property tests: generated invoices pass the full Peppol plan and survive a round trip."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from invoicing.builders import build_bis3
from invoicing.model import (
    Address,
    AllowanceCharge,
    Delivery,
    DocumentKind,
    Invoice,
    InvoiceLine,
    PaymentMeans,
    VatCategory,
    VatExemption,
)
from invoicing.reader import read_invoice
from invoicing.rules import check_invoice
from invoicing.vat import compute_totals
from tests.invoicing.invoicing_samples import BUYER, SELLER
from tests.invoicing.ubl_checks import (
    billing_findings,
    fatal,
    plan_findings,
    ubl21_schema,
    xsd_errors,
)

D = Decimal
CENT = D("0.01")

# Categories that can share one invoice between two VAT-registered Danish parties.
MIXABLE = {
    VatCategory.STANDARD: ("25", "12", "6"),
    VatCategory.ZERO_RATED: ("0",),
    VatCategory.EXEMPT: ("0",),
    VatCategory.REVERSE_CHARGE: ("0",),
    VatCategory.INTRA_COMMUNITY: ("0",),
    VatCategory.EXPORT: ("0",),
}
REASONS = {
    VatCategory.EXEMPT: VatExemption(VatCategory.EXEMPT, "Momsfritaget", "VATEX-EU-132"),
    VatCategory.REVERSE_CHARGE: VatExemption(VatCategory.REVERSE_CHARGE, None, "VATEX-EU-AE"),
    VatCategory.INTRA_COMMUNITY: VatExemption(VatCategory.INTRA_COMMUNITY, None, "VATEX-EU-IC"),
    VatCategory.EXPORT: VatExemption(VatCategory.EXPORT, "Eksport", "VATEX-EU-G"),
    VatCategory.NOT_SUBJECT: VatExemption(VatCategory.NOT_SUBJECT, "Ikke omfattet", "VATEX-EU-O"),
}

money = st.decimals(min_value=D("0.01"), max_value=D("500"), places=2)
quantities = st.decimals(min_value=D("-20"), max_value=D("50"), places=2).filter(lambda q: q != 0)
prices = st.decimals(min_value=D("0"), max_value=D("2000"), places=3)


@st.composite
def tax_pairs(draw, only_o: bool):  # type: ignore[no-untyped-def]
    if only_o:
        return VatCategory.NOT_SUBJECT, None
    category = draw(st.sampled_from(sorted(MIXABLE, key=lambda c: c.value)))
    return category, D(draw(st.sampled_from(MIXABLE[category])))


@st.composite
def lines(draw, only_o: bool):  # type: ignore[no-untyped-def]
    count = draw(st.integers(min_value=1, max_value=4))
    out = []
    for i in range(1, count + 1):
        category, rate = draw(tax_pairs(only_o))
        line_charges = draw(
            st.lists(st.tuples(st.booleans(), money), max_size=2).map(
                lambda items: tuple(
                    AllowanceCharge(is_charge=c, amount=a, reason="Gebyr" if c else "Rabat")
                    for c, a in items
                )
            )
        )
        out.append(
            InvoiceLine(
                id=str(i),
                quantity=draw(quantities),
                unit_code=draw(st.sampled_from(["EA", "HUR", "KGM", "C62"])),
                net_price=draw(prices),
                base_quantity=draw(st.sampled_from([None, D("1"), D("10")])),
                item_name=f"Vare {i}",
                seller_item_id=f"SKU-{i}",
                vat_category=category,
                vat_rate=rate,
                allowances_charges=line_charges,
            )
        )
    return tuple(out)


@st.composite
def document_charges(draw, categories: list[tuple[VatCategory, Decimal | None]]):  # type: ignore[no-untyped-def]
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        category, rate = draw(st.sampled_from(categories))
        is_charge = draw(st.booleans())
        if draw(st.booleans()):
            base = draw(money)
            percent = draw(st.sampled_from([D("2"), D("5"), D("10")]))
            amount = (base * percent / 100).quantize(CENT)
            out.append(
                AllowanceCharge(
                    is_charge=is_charge,
                    amount=amount,
                    base_amount=base,
                    percent=percent,
                    reason="Fragt" if is_charge else "Rabat",
                    vat_category=category,
                    vat_rate=rate,
                )
            )
        else:
            out.append(
                AllowanceCharge(
                    is_charge=is_charge,
                    amount=draw(money),
                    reason_code="FC" if is_charge else "95",
                    vat_category=category,
                    vat_rate=rate,
                )
            )
    return tuple(out)


@st.composite
def invoices(draw):  # type: ignore[no-untyped-def]
    only_o = draw(st.booleans()) and draw(st.booleans())  # about one in four
    invoice_lines = draw(lines(only_o))
    categories = sorted(
        {(line.vat_category, line.vat_rate) for line in invoice_lines},
        key=lambda pair: (pair[0].value, pair[1] or 0),
    )
    kind = draw(st.sampled_from([DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE]))
    currency = draw(st.sampled_from(["DKK", "EUR", "SEK"]))
    seller, buyer = SELLER, BUYER
    if only_o:
        seller = replace(SELLER, vat_id=None)
        buyer = replace(BUYER, vat_id=None)
    used = {category for category, _ in categories}
    invoice = Invoice(
        kind=kind,
        number=f"H-{draw(st.integers(min_value=1, max_value=99999))}",
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 12, 2),
        currency=currency,
        seller=seller,
        buyer=buyer,
        buyer_reference="ref-1",
        order_reference=draw(st.sampled_from([None, "PO-1"])),
        lines=invoice_lines,
        allowances_charges=draw(document_charges(categories)),
        vat_exemptions=tuple(
            REASONS[c] for c in sorted(used, key=lambda c: c.value) if c in REASONS
        ),
        payment_means=(
            draw(
                st.sampled_from(
                    [
                        PaymentMeans(code="31", account_id="12345678", institution_id="1234"),
                        PaymentMeans(code="58", account_id="DK5000400440116243"),
                    ]
                )
            ),
        ),
        delivery=Delivery(date=date(2026, 10, 30), address=Address(country="DE"))
        if VatCategory.INTRA_COMMUNITY in used
        else None,
        rounding_amount=draw(st.sampled_from([None, D("0.01"), D("-0.02")])),
    )
    totals = compute_totals(invoice)
    if currency != "DKK":
        # VAT in the accounting currency keeps the sign of the document's VAT (R055).
        rate = D("7.46") if currency == "EUR" else D("0.69")
        invoice = replace(
            invoice,
            tax_currency="DKK",
            tax_currency_vat_amount=(totals.vat_total * rate).quantize(CENT),
        )
    if totals.payable > 0 and draw(st.booleans()):
        invoice = replace(invoice, prepaid_amount=(totals.payable / 2).quantize(CENT))
    if kind is DocumentKind.CREDIT_NOTE:
        assume(compute_totals(invoice).payable >= 0)  # DK-R-016
    return invoice


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invoice=invoices())
def test_generated_invoices_pass_the_full_plan_and_round_trip(
    invoice: Invoice, artefacts_dir: Path
) -> None:
    assert check_invoice(invoice) == []
    xml = build_bis3(invoice)
    root_tag = etree.QName(etree.fromstring(xml)).localname
    assert xsd_errors(xml, ubl21_schema(artefacts_dir, root_tag)) == []
    assert fatal(billing_findings(xml, artefacts_dir)) == []
    again = read_invoice(xml)
    # Exemption reasons are one per category; their order carries no meaning.
    assert set(again.vat_exemptions) == set(invoice.vat_exemptions)
    assert replace(again, vat_exemptions=invoice.vat_exemptions) == invoice


@st.composite
def oioubl_invoices(draw):  # type: ignore[no-untyped-def]
    """Invoices OIOUBL 2.1 can carry whole: DKK, categories S/Z/AE, no line allowances."""
    count = draw(st.integers(min_value=1, max_value=4))
    pairs = [(VatCategory.STANDARD, D("25")), (VatCategory.ZERO_RATED, D("0"))]
    if draw(st.booleans()):
        pairs.append((VatCategory.REVERSE_CHARGE, D("0")))
    invoice_lines = []
    for i in range(1, count + 1):
        category, rate = draw(st.sampled_from(pairs))
        invoice_lines.append(
            InvoiceLine(
                id=str(i),
                quantity=draw(quantities),
                unit_code=draw(st.sampled_from(["EA", "HUR", "KGM"])),
                net_price=draw(prices),
                base_quantity=draw(st.sampled_from([None, D("1"), D("10")])),
                item_name=f"Vare {i}",
                seller_item_id=f"SKU-{i}",
                order_line_ref=str(i),
                vat_category=category,
                vat_rate=rate,
            )
        )
    used = sorted({(line.vat_category, line.vat_rate) for line in invoice_lines}, key=str)
    kind = draw(st.sampled_from([DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE]))
    invoice = Invoice(
        kind=kind,
        number=f"O-{draw(st.integers(min_value=1, max_value=99999))}",
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 12, 2),
        currency="DKK",
        seller=SELLER,
        buyer=BUYER,
        buyer_reference="ref-1",
        order_reference="PO-1",
        lines=tuple(invoice_lines),
        # OIOUBL needs a reason text on every allowance or charge (a code alone is not enough).
        allowances_charges=tuple(
            replace(a, reason=a.reason or ("Gebyr" if a.is_charge else "Rabat"))
            for a in draw(document_charges(used))
            if a.amount > 0  # F-LIB019: OIOUBL has no zero allowances
        ),
        vat_exemptions=(REASONS[VatCategory.REVERSE_CHARGE],)
        if any(c is VatCategory.REVERSE_CHARGE for c, _ in used)
        else (),
        payment_means=(PaymentMeans(code="42", account_id="4401162431", institution_id="0040"),),
    )
    # OIOUBL has no negative amounts due: a negative total is a credit note (F-LIB020).
    totals = compute_totals(invoice)
    assume(totals.payable >= 0)
    standard_vat = any(
        e.category is VatCategory.STANDARD and e.tax_amount for e in totals.breakdown
    )
    if draw(st.booleans()) and standard_vat and totals.vat_total:
        # A EUR invoice states its VAT in DKK too (BT-6, BT-111).
        invoice = replace(
            invoice,
            currency="EUR",
            tax_currency="DKK",
            tax_currency_vat_amount=(totals.vat_total * D("7.46")).quantize(CENT),
        )
    return invoice


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invoice=oioubl_invoices())
def test_generated_oioubl_documents_pass_the_oioubl_plan_and_round_trip(
    invoice: Invoice, artefacts_dir: Path
) -> None:
    from invoicing.builders import build_oioubl

    xml = build_oioubl(invoice)
    assert fatal(plan_findings(xml, artefacts_dir, "oioubl-2.1")) == []
    again = read_invoice(xml)
    assert set(again.vat_exemptions) == set(invoice.vat_exemptions)
    assert replace(again, vat_exemptions=invoice.vat_exemptions) == invoice
