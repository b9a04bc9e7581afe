"""VAT breakdown and monetary totals of an invoice, computed as EN 16931 requires.

Pure arithmetic on :class:`invoicing.model.Invoice`. Every amount is rounded to
two decimals once, where the standard rounds it:

- a line net amount (BT-131) = quantity × net price ÷ base quantity
  + line charges − line allowances (PEPPOL-EN16931-R120);
- a VAT category taxable amount (BT-116) = Σ line net amounts of the category
  + document charges − document allowances of the category (BR-S-08, BR-Z-08, ...);
- a VAT category tax amount (BT-117) = taxable amount × rate ÷ 100 (BR-CO-17,
  BR-S-09), computed on the category sum, never line by line;
- the totals (BG-22) are sums of already rounded amounts, so BR-CO-10, 11, 12,
  13, 14, 15 and 16 hold exactly.

Rounding is half up (commercial rounding, away from zero).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from invoicing.model import AllowanceCharge, Invoice, InvoiceLine, VatCategory

__all__ = [
    "Totals",
    "VatSubtotal",
    "compute_totals",
    "line_net_amount",
    "round_amount",
    "vat_breakdown",
]

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def round_amount(value: Decimal) -> Decimal:
    """Round a monetary amount to two decimals, half away from zero."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def _split(items: Iterable[AllowanceCharge]) -> tuple[Decimal, Decimal]:
    """(allowances, charges) of a set of allowance/charge entries, each rounded."""
    allowances = ZERO
    charges = ZERO
    for item in items:
        if item.is_charge:
            charges += round_amount(item.amount)
        else:
            allowances += round_amount(item.amount)
    return allowances, charges


def line_net_amount(line: InvoiceLine) -> Decimal:
    """BT-131 of a line; the amount a received document stated wins when present."""
    if line.net_amount is not None:
        return line.net_amount
    base = line.base_quantity if line.base_quantity else Decimal(1)
    allowances, charges = _split(line.allowances_charges)
    return round_amount(line.quantity * line.net_price / base + charges - allowances)


@dataclass(frozen=True, slots=True)
class VatSubtotal:
    """One BG-23 VAT breakdown entry."""

    category: VatCategory  # BT-118
    rate: Decimal | None  # BT-119
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    exemption_reason: str | None = None  # BT-120
    exemption_code: str | None = None  # BT-121


def _key(category: VatCategory, rate: Decimal | None) -> tuple[VatCategory, Decimal | None]:
    # 25, 25.0 and 25.00 are one rate; normalise so they group together.
    return category, (rate.normalize() if rate is not None and category.has_rate else None)


def vat_breakdown(invoice: Invoice) -> tuple[VatSubtotal, ...]:
    """The VAT breakdown: one entry per (category, rate), in order of first appearance."""
    taxable: dict[tuple[VatCategory, Decimal | None], Decimal] = {}
    rates: dict[tuple[VatCategory, Decimal | None], Decimal | None] = {}
    for line in invoice.lines:
        key = _key(line.vat_category, line.vat_rate)
        taxable[key] = taxable.get(key, ZERO) + line_net_amount(line)
        rates.setdefault(key, line.vat_rate if line.vat_category.has_rate else None)
    for item in invoice.allowances_charges:
        category = item.vat_category or VatCategory.STANDARD
        key = _key(category, item.vat_rate)
        amount = round_amount(item.amount)
        taxable[key] = taxable.get(key, ZERO) + (amount if item.is_charge else -amount)
        rates.setdefault(key, item.vat_rate if category.has_rate else None)
    out = []
    for key, amount in taxable.items():
        category, _ = key
        rate = rates[key]
        tax = round_amount(amount * rate / HUNDRED) if rate is not None else ZERO
        stated = next(
            (s.amount for s in invoice.stated_vat if _key(s.category, s.rate) == key), None
        )
        if stated is not None:
            tax = stated
        exemption = invoice.exemption_for(category)
        out.append(
            VatSubtotal(
                category=category,
                rate=rate,
                taxable_amount=amount,
                tax_amount=tax,
                exemption_reason=exemption.reason if exemption else None,
                exemption_code=exemption.code if exemption else None,
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Totals:
    """BG-22 document totals plus the VAT total (BT-110) and the breakdown (BG-23)."""

    line_extension: Decimal  # BT-106
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    tax_exclusive: Decimal  # BT-109
    vat_total: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    payable: Decimal  # BT-115
    breakdown: tuple[VatSubtotal, ...]

    @property
    def has_allowances(self) -> bool:
        return self.allowance_total != ZERO

    @property
    def has_charges(self) -> bool:
        return self.charge_total != ZERO


def compute_totals(invoice: Invoice) -> Totals:
    """All derived amounts of ``invoice``: BR-CO-10 to BR-CO-16 hold by construction."""
    line_extension = _sum(line_net_amount(line) for line in invoice.lines)
    allowances, charges = _split(invoice.allowances_charges)
    breakdown = vat_breakdown(invoice)
    vat_total = _sum(entry.tax_amount for entry in breakdown)
    tax_exclusive = line_extension - allowances + charges
    tax_inclusive = tax_exclusive + vat_total
    prepaid = round_amount(invoice.prepaid_amount or ZERO)
    rounding = round_amount(invoice.rounding_amount or ZERO)
    return Totals(
        line_extension=line_extension,
        allowance_total=allowances,
        charge_total=charges,
        tax_exclusive=tax_exclusive,
        vat_total=vat_total,
        tax_inclusive=tax_inclusive,
        prepaid=prepaid,
        rounding=rounding,
        payable=tax_inclusive - prepaid + rounding,
        breakdown=breakdown,
    )
