"""Sample invoices for the invoicing tests (plain constructors, no magic)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from invoicing.model import (
    Address,
    AllowanceCharge,
    Contact,
    Delivery,
    DocumentKind,
    Identifier,
    Invoice,
    InvoiceLine,
    Party,
    PaymentMeans,
    VatCategory,
    VatExemption,
)

D = Decimal

SELLER = Party(
    name="Leverandøren ApS",
    trading_name="Leverandøren",
    address=Address(country="DK", street="Vestergade 1", city="København K", postal_zone="1456"),
    endpoint=Identifier("12345674", "0184"),
    identifiers=(Identifier("5790000436101", "0088"),),
    legal_id=Identifier("12345674", "0184"),
    vat_id="DK12345674",
    contact=Contact(name="Søren", telephone="+4512345678", email="salg@leverandoren.dk"),
)

BUYER = Party(
    name="Kommunen",
    address=Address(country="DK", street="Rådhuspladsen 1", city="København V", postal_zone="1550"),
    endpoint=Identifier("5798009882806", "0088"),
    legal_id=Identifier("64942212", "0184"),
    vat_id="DK64942212",
)


def line(
    line_id: str = "1",
    *,
    quantity: str = "10",
    price: str = "100",
    category: VatCategory = VatCategory.STANDARD,
    rate: str | None = "25",
    **extra: object,
) -> InvoiceLine:
    extra.setdefault("item_name", f"Item {line_id}")
    return InvoiceLine(
        id=line_id,
        quantity=D(quantity),
        unit_code="EA",
        net_price=D(price),
        vat_category=category,
        vat_rate=D(rate) if rate is not None else None,
        **extra,  # type: ignore[arg-type]
    )


def danish_invoice(**changes: object) -> Invoice:
    """A domestic Danish invoice with two lines, a charge and an allowance."""
    base = Invoice(
        kind=DocumentKind.INVOICE,
        number="INV-1001",
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 12, 2),
        currency="DKK",
        seller=SELLER,
        buyer=BUYER,
        buyer_reference="ref-4711",
        order_reference="PO-77",
        contract_reference="K-2026-01",
        lines=(
            line("1", quantity="10", price="99.95", seller_item_id="SKU-1"),
            line(
                "2",
                quantity="3",
                price="12.5",
                base_quantity=D("1"),
                allowances_charges=(
                    AllowanceCharge(is_charge=False, amount=D("2.50"), reason="Rabat"),
                ),
            ),
        ),
        payment_means=(PaymentMeans(code="42", account_id="4401162431", institution_id="0040"),),
        allowances_charges=(
            AllowanceCharge(
                is_charge=True,
                amount=D("50"),
                reason="Fragt",
                vat_category=VatCategory.STANDARD,
                vat_rate=D("25"),
            ),
        ),
        payment_terms="Netto 30 dage",
        delivery=Delivery(date=date(2026, 10, 30)),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def mixed_invoice() -> Invoice:
    """German seller, Danish buyer, EUR with DKK VAT accounting, reverse charge and zero rate."""
    seller = Party(
        name="Lieferant GmbH",
        address=Address(country="DE", city="Berlin", postal_zone="10115"),
        endpoint=Identifier("DE123456789", "9930"),
        vat_id="DE123456789",
    )
    return Invoice(
        kind=DocumentKind.INVOICE,
        number="2026-17",
        issue_date=date(2026, 11, 3),
        due_date=date(2026, 12, 3),
        currency="EUR",
        tax_currency="DKK",
        tax_currency_vat_amount=D("0"),
        seller=seller,
        buyer=BUYER,
        buyer_reference="ref-1",
        lines=(
            line("1", quantity="2", price="500", category=VatCategory.REVERSE_CHARGE, rate="0"),
            line("2", quantity="-1", price="40", category=VatCategory.REVERSE_CHARGE, rate="0"),
        ),
        vat_exemptions=(VatExemption(VatCategory.REVERSE_CHARGE, "Reverse charge", "VATEX-EU-AE"),),
        payment_means=(PaymentMeans(code="58", account_id="DE89370400440532013000"),),
    )


def framework_contract():  # type: ignore[no-untyped-def]
    """A framework contract pricing three items (ContractTerms)."""
    from invoicing.orders import ContractLine, ContractTerms

    return ContractTerms(
        reference="K-2026-01",
        buyer=BUYER,
        supplier=SELLER,
        currency="DKK",
        lines=(
            ContractLine("SKU-1", "Kopipapir A4", "EA", D("99.95")),
            ContractLine("SKU-2", "Kuglepen", "EA", D("12.5")),
            ContractLine("SKU-3", "Toner", "EA", D("640"), base_quantity=D("1")),
        ),
    )
