"""EN 16931 / Peppol BIS 3 rules that a model can break before it becomes XML.

The arithmetic rules (BR-CO-*) cannot break: :mod:`invoicing.vat` computes
every derived amount. What is left are presence and consistency rules on the
inputs; each finding names the official rule id so a user can look it up.
The official Schematron stays the final judge (``schemas.validation``).
Rule ids starting ``GW-`` are the gateway's own policy, not EN 16931's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from invoicing.model import AllowanceCharge, DocumentKind, Invoice, Party, VatCategory
from invoicing.vat import compute_totals

__all__ = ["Finding", "check_invoice"]

ZERO = Decimal("0")
# BR-61: these payment means need the payee account (BT-84).
_NEEDS_ACCOUNT = frozenset({"30", "58"})
_DK_PAYMENT_MEANS = frozenset({"1", "10", "31", "42", "48", "49", "50", "58", "59", "93", "97"})


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    message: str


def check_invoice(invoice: Invoice) -> list[Finding]:
    """Every rule ``invoice`` breaks, in a stable order (empty when it is fine)."""
    return list(_check(invoice))


def _categories(invoice: Invoice) -> set[VatCategory]:
    found = {line.vat_category for line in invoice.lines}
    found |= {a.vat_category or VatCategory.STANDARD for a in invoice.allowances_charges}
    return found


def _check(invoice: Invoice) -> Iterator[Finding]:
    if not invoice.lines:
        yield Finding("BR-16", "an invoice needs at least one line")
    if not (invoice.buyer_reference or invoice.order_reference):
        yield Finding("PEPPOL-EN16931-R003", "give a buyer reference or an order reference")
    yield from _party_rules(invoice.seller, "seller", "R020")
    yield from _party_rules(invoice.buyer, "buyer", "R010")
    if invoice.tax_currency is not None:
        if invoice.tax_currency == invoice.currency:
            yield Finding("PEPPOL-EN16931-R005", "tax currency must differ from the currency")
        if invoice.tax_currency_vat_amount is None:
            yield Finding("BR-53", "a tax currency needs the VAT total in it (BT-111)")
    elif invoice.tax_currency_vat_amount is not None:
        yield Finding("BR-53", "a VAT total in accounting currency needs the tax currency")
    seller = invoice.seller
    if not (seller.vat_id or seller.legal_id or seller.identifiers):
        yield Finding("BR-CO-26", "the seller needs a VAT id, a legal id or an identifier")
    for means in invoice.payment_means:
        if means.code in _NEEDS_ACCOUNT and not means.account_id:
            yield Finding("BR-61", f"payment means {means.code} needs the payee account")
    for i, line in enumerate(invoice.lines, start=1):
        where = f"line {line.id or i}"
        yield from _rate_rules(line.vat_category, line.vat_rate, where)
        if line.net_price < ZERO:
            yield Finding("BR-27", f"{where}: the net price may not be negative")
        if line.gross_price is not None and line.gross_price < ZERO:
            yield Finding("BR-28", f"{where}: the gross price may not be negative")
        if line.base_quantity is not None and line.base_quantity <= ZERO:
            yield Finding("PEPPOL-EN16931-R121", f"{where}: base quantity must be positive")
        for item in line.allowances_charges:
            yield from _percent_rules(item, where)
        if (
            line.gross_price is not None
            and line.price_discount is not None
            and line.gross_price - line.price_discount != line.net_price
        ):
            yield Finding("PEPPOL-EN16931-R046", f"{where}: net price ≠ gross price − discount")
    for item in invoice.allowances_charges:
        where = "document " + ("charge" if item.is_charge else "allowance")
        category = item.vat_category or VatCategory.STANDARD
        yield from _rate_rules(category, item.vat_rate, where)
        yield from _percent_rules(item, where)
        if not item.is_charge and not (item.reason or item.reason_code):
            yield Finding("BR-33", f"{where}: give a reason or a reason code")
        if item.is_charge and not (item.reason or item.reason_code):
            yield Finding("BR-38", f"{where}: give a reason or a reason code")
    yield from _category_rules(invoice)
    yield from _danish_rules(invoice)
    payable = compute_totals(invoice).payable if invoice.lines else ZERO
    # The UBL binding of BR-CO-25 applies to invoices only (its context is ubl:Invoice).
    is_invoice = invoice.kind is DocumentKind.INVOICE
    if is_invoice and payable > ZERO and not (invoice.due_date or invoice.payment_terms):
        yield Finding("BR-CO-25", "a positive amount due needs a due date or payment terms")
    if is_invoice and payable > ZERO and not invoice.payment_means:
        yield Finding("GW-001", "an invoice with an amount due must say how to pay it")
    danish = invoice.seller.address.country == "DK" and invoice.buyer.address.country == "DK"
    if danish and invoice.kind is DocumentKind.CREDIT_NOTE and payable < ZERO:
        yield Finding("DK-R-016", "a Danish credit note cannot have a negative amount due")


def _party_rules(party: Party, role: str, peppol_rule: str) -> Iterator[Finding]:
    if party.endpoint is None:
        yield Finding(f"PEPPOL-EN16931-{peppol_rule}", f"the {role} needs an electronic address")
    elif not party.endpoint.scheme:
        yield Finding("BR-62" if role == "seller" else "BR-63", f"{role} endpoint needs a scheme")
    if not party.address.country:
        yield Finding("BR-09" if role == "seller" else "BR-11", f"the {role} needs a country")


def _rate_rules(category: VatCategory, rate: Decimal | None, where: str) -> Iterator[Finding]:
    if category is VatCategory.NOT_SUBJECT:
        if rate is not None:
            yield Finding("BR-O-05", f"{where}: category O carries no VAT rate")
    elif rate is None:
        yield Finding("BR-CO-04", f"{where}: category {category.value} needs a VAT rate")
    elif category.zero_rate and rate != ZERO:
        yield Finding(f"BR-{_code(category)}-05", f"{where}: category {category.value} is 0 %")
    elif category is VatCategory.STANDARD and rate <= ZERO:
        yield Finding("BR-S-05", f"{where}: standard rate must be above 0")


def _percent_rules(item: AllowanceCharge, where: str) -> Iterator[Finding]:
    if item.percent is not None and item.base_amount is None:
        yield Finding("PEPPOL-EN16931-R041", f"{where}: a percentage needs a base amount")
    if item.base_amount is not None and item.percent is None:
        yield Finding("PEPPOL-EN16931-R042", f"{where}: a base amount needs a percentage")
    if item.percent is not None and item.base_amount is not None:
        expected = item.base_amount * item.percent / Decimal(100)
        if abs(expected - item.amount) > Decimal("0.02"):
            yield Finding("PEPPOL-EN16931-R040", f"{where}: amount ≠ base × percentage")


def _code(category: VatCategory) -> str:
    return {VatCategory.INTRA_COMMUNITY: "IC", VatCategory.CANARY_ISLANDS: "IG"}.get(
        category, "IP" if category is VatCategory.CEUTA_MELILLA else category.value
    )


def _category_rules(invoice: Invoice) -> Iterator[Finding]:
    seller, buyer = invoice.seller, invoice.buyer
    for category in sorted(_categories(invoice), key=lambda c: c.value):
        code = _code(category)
        exemption = invoice.exemption_for(category)
        has_reason = exemption is not None and bool(exemption.reason or exemption.code)
        if category.needs_exemption_reason and not has_reason:
            yield Finding(f"BR-{code}-10", f"category {category.value} needs an exemption reason")
        if not category.needs_exemption_reason and has_reason:
            yield Finding(f"BR-{code}-10", f"category {category.value} takes no exemption reason")
        if category is VatCategory.NOT_SUBJECT:
            representative = invoice.tax_representative
            if seller.vat_id or buyer.vat_id or (representative and representative.vat_id):
                yield Finding("BR-O-02", "category O: no seller or buyer VAT id may be given")
            if len(_categories(invoice)) > 1:
                yield Finding("BR-O-11", "category O cannot be mixed with other categories")
            continue
        representative = invoice.tax_representative
        seller_taxed = bool(
            seller.vat_id
            or seller.tax_registration_id
            or (representative is not None and representative.vat_id)
        )
        if category in (VatCategory.REVERSE_CHARGE, VatCategory.INTRA_COMMUNITY):
            if not seller.vat_id:
                yield Finding(f"BR-{code}-02", f"category {category.value} needs the seller VAT id")
            if category is VatCategory.INTRA_COMMUNITY and not buyer.vat_id:
                yield Finding("BR-IC-02", "category K needs the buyer VAT id")
            if category is VatCategory.REVERSE_CHARGE and not (buyer.vat_id or buyer.legal_id):
                yield Finding("BR-AE-02", "category AE needs the buyer VAT id or legal id")
        elif category is VatCategory.EXPORT:
            if not seller.vat_id:
                yield Finding("BR-G-02", "category G needs the seller VAT id")
        elif not seller_taxed:
            yield Finding(f"BR-{code}-02", f"category {category.value} needs a seller tax id")
        if category is VatCategory.INTRA_COMMUNITY:
            delivery = invoice.delivery
            dated = (delivery is not None and delivery.date is not None) or invoice.period_start
            if not (dated or invoice.period_end):
                yield Finding("BR-IC-11", "category K needs a delivery date or invoice period")
            if delivery is None or delivery.address is None:
                yield Finding("BR-IC-12", "category K needs the deliver-to country")


def _danish_rules(invoice: Invoice) -> Iterator[Finding]:
    seller, buyer = invoice.seller, invoice.buyer
    if seller.address.country != "DK":
        return
    if seller.legal_id is None:
        yield Finding("DK-R-002", "a Danish seller must give its CVR number as legal id")
    elif seller.legal_id.scheme != "0184":
        yield Finding("DK-R-014", "a Danish seller's legal id takes scheme 0184 (CVR)")
    if buyer.address.country != "DK":
        return
    for means in invoice.payment_means:
        if means.code not in _DK_PAYMENT_MEANS:
            yield Finding("DK-R-005", f"payment means {means.code} is not allowed in Denmark")
        if means.code in ("31", "42") and not (means.account_id and means.institution_id):
            yield Finding("DK-R-006", "codes 31/42 need account and registration number")
    for party in (seller, buyer):
        if any(not ident.scheme for ident in party.identifiers):
            yield Finding("DK-R-013", "Danish party identifiers need a scheme")
