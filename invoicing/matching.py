"""Match an incoming invoice against its order and contract (pure).

The answer is :attr:`Decision.APPROVED` only when nothing needs a person's
eye; otherwise :attr:`Decision.ROUTE_TO_PERSON` with every reason found, each
precise enough for the person (and for a T111 invoice response) to act on:
which line, what was invoiced, what was agreed.

Amounts compare within a :class:`Tolerance` (absolute and/or relative, the
larger wins), because an order's anticipated total and an invoice's total may
differ by rounding or a small freight charge agreed by phone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from invoicing.model import DocumentKind, Invoice, InvoiceLine, Party
from invoicing.orders import ContractTerms, Order, OrderLine
from invoicing.vat import compute_totals, line_net_amount

__all__ = [
    "Decision",
    "MatchResult",
    "Reason",
    "ReasonCode",
    "Tolerance",
    "is_duplicate",
    "match_invoice",
]

ZERO = Decimal("0")


class Decision(StrEnum):
    APPROVED = "approved"
    ROUTE_TO_PERSON = "route_to_person"


class ReasonCode(StrEnum):
    DUPLICATE_NUMBER = "duplicate_number"
    CREDIT_NOTE = "credit_note"
    MISSING_ORDER_REFERENCE = "missing_order_reference"
    UNKNOWN_ORDER_REFERENCE = "unknown_order_reference"
    SUPPLIER_MISMATCH = "supplier_mismatch"
    BUYER_MISMATCH = "buyer_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    CONTRACT_MISMATCH = "contract_mismatch"
    OUTSIDE_CONTRACT_PERIOD = "outside_contract_period"
    UNMATCHED_LINE = "unmatched_line"
    UNIT_MISMATCH = "unit_mismatch"
    QUANTITY_ABOVE_ORDER = "quantity_above_order"
    PRICE_ABOVE_ORDER = "price_above_order"
    PRICE_ABOVE_CONTRACT = "price_above_contract"
    ITEM_NOT_IN_CONTRACT = "item_not_in_contract"
    VAT_MISMATCH = "vat_mismatch"
    TOTAL_OUTSIDE_TOLERANCE = "total_outside_tolerance"


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    message: str
    line_id: str | None = None
    invoiced: str | None = None
    expected: str | None = None
    term: str | None = None  # the EN 16931 business term concerned, e.g. "BT-146"


@dataclass(frozen=True, slots=True)
class Tolerance:
    """Allowed difference: the larger of ``amount`` and ``percent`` of the expected value."""

    amount: Decimal = Decimal("1.00")
    percent: Decimal = ZERO

    def allows(self, actual: Decimal, expected: Decimal) -> bool:
        limit = max(self.amount, abs(expected) * self.percent / Decimal(100))
        return abs(actual - expected) <= limit


@dataclass(frozen=True, slots=True)
class MatchResult:
    decision: Decision
    reasons: tuple[Reason, ...]

    @property
    def approved(self) -> bool:
        return self.decision is Decision.APPROVED

    @property
    def codes(self) -> set[ReasonCode]:
        return {reason.code for reason in self.reasons}


def _norm_number(number: str) -> str:
    # Surrounding spaces and letter case do not make a new number ("inv-001 " = "INV-001").
    return number.strip().casefold()


def is_duplicate(number: str, seen_numbers: Collection[str]) -> bool:
    """Whether ``number`` was already received from the same supplier."""
    wanted = _norm_number(number)
    return any(_norm_number(seen) == wanted for seen in seen_numbers)


def match_invoice(
    invoice: Invoice,
    *,
    orders: Mapping[str, Order],
    contract: ContractTerms | None = None,
    seen_numbers: Collection[str] = (),
    tolerance: Tolerance = Tolerance(),
) -> MatchResult:
    """Match ``invoice`` against its order (looked up by BT-13) and the contract."""
    reasons = tuple(_reasons(invoice, orders, contract, seen_numbers, tolerance))
    decision = Decision.ROUTE_TO_PERSON if reasons else Decision.APPROVED
    return MatchResult(decision=decision, reasons=reasons)


def _same_party(a: Party, b: Party) -> bool:
    """Two parties are the same when any strong identifier agrees."""
    keys_a = _party_keys(a)
    return bool(keys_a & _party_keys(b))


def _party_keys(party: Party) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    if party.endpoint is not None:
        keys.add((party.endpoint.scheme or "", party.endpoint.value.strip()))
    if party.legal_id is not None:
        keys.add((party.legal_id.scheme or "", party.legal_id.value.strip()))
    if party.vat_id:
        keys.add(("VAT", party.vat_id.replace(" ", "").upper()))
    for ident in party.identifiers:
        keys.add((ident.scheme or "", ident.value.strip()))
    return keys


def _reasons(
    invoice: Invoice,
    orders: Mapping[str, Order],
    contract: ContractTerms | None,
    seen_numbers: Collection[str],
    tolerance: Tolerance,
) -> Iterator[Reason]:
    if is_duplicate(invoice.number, seen_numbers):
        yield Reason(
            ReasonCode.DUPLICATE_NUMBER,
            f"invoice number {invoice.number} was already received from this supplier",
            invoiced=invoice.number,
            term="BT-1",
        )
    if invoice.kind is DocumentKind.CREDIT_NOTE:
        yield Reason(ReasonCode.CREDIT_NOTE, "credit notes are settled by a person")
    if contract is not None:
        yield from _contract_reasons(invoice, contract, tolerance)
    if not invoice.order_reference:
        yield Reason(ReasonCode.MISSING_ORDER_REFERENCE, "the invoice names no order", term="BT-13")
        return
    order = orders.get(invoice.order_reference)
    if order is None:
        yield Reason(
            ReasonCode.UNKNOWN_ORDER_REFERENCE,
            f"no order {invoice.order_reference} exists",
            invoiced=invoice.order_reference,
            term="BT-13",
        )
        return
    yield from _order_reasons(invoice, order, tolerance)


def _contract_reasons(
    invoice: Invoice, contract: ContractTerms, tolerance: Tolerance
) -> Iterator[Reason]:
    if invoice.contract_reference and invoice.contract_reference != contract.reference:
        yield Reason(
            ReasonCode.CONTRACT_MISMATCH,
            f"invoice names contract {invoice.contract_reference}, not {contract.reference}",
            invoiced=invoice.contract_reference,
            expected=contract.reference,
            term="BT-12",
        )
    if not _same_party(invoice.seller, contract.supplier):
        yield Reason(
            ReasonCode.SUPPLIER_MISMATCH,
            f"seller {invoice.seller.name} is not the contract's supplier {contract.supplier.name}",
            invoiced=invoice.seller.name,
            expected=contract.supplier.name,
            term="BG-4",
        )
    issued = invoice.issue_date
    if (contract.valid_from and issued < contract.valid_from) or (
        contract.valid_to and issued > contract.valid_to
    ):
        yield Reason(
            ReasonCode.OUTSIDE_CONTRACT_PERIOD,
            f"invoice date {issued} is outside the contract period",
            invoiced=issued.isoformat(),
            term="BT-2",
        )
    for line in invoice.lines:
        priced = contract.line_for(line.seller_item_id, line.item_name)
        if priced is None:
            yield Reason(
                ReasonCode.ITEM_NOT_IN_CONTRACT,
                f"item {line.seller_item_id or line.item_name!r} is not priced by the contract",
                line_id=line.id,
                invoiced=line.seller_item_id,
                term="BT-155",
            )
            continue
        unit_price = _unit_price(line.net_price, line.base_quantity)
        agreed = _unit_price(priced.unit_price, priced.base_quantity)
        if unit_price > agreed and not tolerance.allows(unit_price, agreed):
            yield Reason(
                ReasonCode.PRICE_ABOVE_CONTRACT,
                f"line {line.id}: unit price {unit_price} is above the contract price {agreed}",
                line_id=line.id,
                invoiced=str(unit_price),
                expected=str(agreed),
                term="BT-146",
            )


def _unit_price(price: Decimal, base: Decimal | None) -> Decimal:
    return price / base if base else price


def _order_line_for(line: InvoiceLine, order: Order) -> OrderLine | None:
    if line.order_line_ref:
        return order.line(line.order_line_ref)
    if line.seller_item_id:
        return next((o for o in order.lines if o.seller_item_id == line.seller_item_id), None)
    return None


def _order_reasons(invoice: Invoice, order: Order, tolerance: Tolerance) -> Iterator[Reason]:
    if not _same_party(invoice.seller, order.seller):
        yield Reason(
            ReasonCode.SUPPLIER_MISMATCH,
            f"seller {invoice.seller.name} is not the supplier of order {order.id}",
            invoiced=invoice.seller.name,
            expected=order.seller.name,
            term="BG-4",
        )
    if not _same_party(invoice.buyer, order.buyer):
        yield Reason(
            ReasonCode.BUYER_MISMATCH,
            f"buyer {invoice.buyer.name} did not place order {order.id}",
            term="BG-7",
        )
    if invoice.currency != order.currency:
        yield Reason(
            ReasonCode.CURRENCY_MISMATCH,
            f"invoice is in {invoice.currency}, order {order.id} in {order.currency}",
            invoiced=invoice.currency,
            expected=order.currency,
            term="BT-5",
        )
    invoiced_quantity: dict[str, Decimal] = {}
    expected_net = ZERO
    for line in invoice.lines:
        ordered = _order_line_for(line, order)
        if ordered is None:
            yield Reason(
                ReasonCode.UNMATCHED_LINE,
                f"line {line.id} matches no line of order {order.id}",
                line_id=line.id,
                term="BT-132",
            )
            continue
        if line.unit_code != ordered.unit_code:
            yield Reason(
                ReasonCode.UNIT_MISMATCH,
                f"line {line.id}: unit {line.unit_code}, ordered in {ordered.unit_code}",
                line_id=line.id,
                invoiced=line.unit_code,
                expected=ordered.unit_code,
                term="BT-130",
            )
        invoiced_quantity[ordered.id] = invoiced_quantity.get(ordered.id, ZERO) + line.quantity
        if ordered.net_price is not None:
            unit_price = _unit_price(line.net_price, line.base_quantity)
            agreed = _unit_price(ordered.net_price, ordered.base_quantity)
            if unit_price > agreed and not tolerance.allows(unit_price, agreed):
                yield Reason(
                    ReasonCode.PRICE_ABOVE_ORDER,
                    f"line {line.id}: unit price {unit_price} is above the ordered {agreed}",
                    line_id=line.id,
                    invoiced=str(unit_price),
                    expected=str(agreed),
                    term="BT-146",
                )
            expected_net += line.quantity * agreed
        else:
            expected_net += line_net_amount(line)
        if ordered.vat_category is not None and (
            line.vat_category != ordered.vat_category
            or (
                ordered.vat_rate is not None
                and line.vat_rate is not None
                and line.vat_rate != ordered.vat_rate
            )
        ):
            yield Reason(
                ReasonCode.VAT_MISMATCH,
                f"line {line.id}: VAT {line.vat_category.value} {line.vat_rate} %, "
                f"ordered with {ordered.vat_category.value} {ordered.vat_rate} %",
                line_id=line.id,
                invoiced=f"{line.vat_category.value} {line.vat_rate}",
                expected=f"{ordered.vat_category.value} {ordered.vat_rate}",
                term="BT-151",
            )
    for order_line_id, quantity in invoiced_quantity.items():
        ordered_line = order.line(order_line_id)
        assert ordered_line is not None  # the keys come from order lines
        if quantity > ordered_line.quantity:
            yield Reason(
                ReasonCode.QUANTITY_ABOVE_ORDER,
                f"order line {order_line_id}: {quantity} invoiced, {ordered_line.quantity} ordered",
                line_id=order_line_id,
                invoiced=str(quantity),
                expected=str(ordered_line.quantity),
                term="BT-129",
            )
    # Partial invoicing of an order is fine; what is invoiced must cost what was agreed,
    # so document charges (freight, fees) beyond the tolerance go to a person.
    totals = compute_totals(invoice)
    expected = expected_net.quantize(Decimal("0.01"))
    if not tolerance.allows(totals.tax_exclusive, expected):
        yield Reason(
            ReasonCode.TOTAL_OUTSIDE_TOLERANCE,
            f"total without VAT {totals.tax_exclusive} differs from the agreed {expected} "
            f"by more than the tolerance",
            invoiced=str(totals.tax_exclusive),
            expected=str(expected),
            term="BT-109",
        )
