"""Orders, order responses and invoice responses (Peppol BIS Ordering 3 / T111).

Also the contract terms that matching and ordering need. Tendering owns the
contract itself; the service layer turns a tendering contract into
:class:`ContractTerms` (plain values) so these rules stay free of I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from invoicing.model import Address, Classification, Identifier, Party, VatCategory

__all__ = [
    "ContractLine",
    "ContractTerms",
    "InvoiceResponse",
    "InvoiceStatus",
    "LineStatus",
    "Order",
    "OrderLine",
    "OrderResponse",
    "OrderResponseCode",
    "OrderResponseLine",
    "StatusAction",
    "StatusReason",
    "StatusReasonCode",
    "order_from_contract",
]


@dataclass(frozen=True, slots=True)
class ContractLine:
    """One priced item of a framework contract."""

    item_id: str  # the seller's item identifier
    item_name: str
    unit_code: str
    unit_price: Decimal  # net price per base quantity
    vat_category: VatCategory = VatCategory.STANDARD
    vat_rate: Decimal | None = Decimal("25")
    base_quantity: Decimal | None = None
    standard_item_id: Identifier | None = None
    classification: Classification | None = None


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """What an invoice and an order are checked against."""

    reference: str
    buyer: Party
    supplier: Party
    currency: str
    lines: tuple[ContractLine, ...]
    valid_from: date | None = None
    valid_to: date | None = None

    def line_for(self, item_id: str | None, item_name: str | None = None) -> ContractLine | None:
        """The contract line for a seller's item id, else for the item's exact name."""
        found = next((line for line in self.lines if line.item_id == item_id), None)
        if found is None and item_name:
            wanted = item_name.strip().casefold()
            found = next((ln for ln in self.lines if ln.item_name.casefold() == wanted), None)
        return found


@dataclass(frozen=True, slots=True)
class OrderLine:
    id: str
    quantity: Decimal
    unit_code: str
    item_name: str
    net_price: Decimal | None = None
    base_quantity: Decimal | None = None
    seller_item_id: str | None = None
    buyer_item_id: str | None = None
    standard_item_id: Identifier | None = None
    classification: Classification | None = None
    vat_category: VatCategory | None = None
    vat_rate: Decimal | None = None
    note: str | None = None

    @property
    def net_amount(self) -> Decimal | None:
        """Quantity × net price ÷ base quantity, rounded to cents; None without a price."""
        if self.net_price is None:
            return None
        base = self.base_quantity or Decimal(1)
        return (self.quantity * self.net_price / base).quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class Order:
    """A T01 order."""

    id: str
    issue_date: date
    currency: str
    buyer: Party
    seller: Party
    lines: tuple[OrderLine, ...]
    contract_reference: str | None = None
    customer_reference: str | None = None  # the buyer reference the invoice will carry
    note: str | None = None
    valid_to: date | None = None
    delivery_address: Address | None = None
    requested_delivery_start: date | None = None
    requested_delivery_end: date | None = None

    @property
    def line_extension(self) -> Decimal:
        return sum((line.net_amount or Decimal(0) for line in self.lines), Decimal(0))

    def line(self, line_id: str | None) -> OrderLine | None:
        return next((line for line in self.lines if line.id == line_id), None)


def order_from_contract(
    contract: ContractTerms,
    *,
    order_id: str,
    issue_date: date,
    quantities: Mapping[str, Decimal],
    note: str | None = None,
    customer_reference: str | None = None,
    valid_to: date | None = None,
) -> Order:
    """An order for ``quantities`` (seller item id → quantity) at the contract's prices."""
    lines = []
    for number, (item_id, quantity) in enumerate(quantities.items(), start=1):
        priced = contract.line_for(item_id)
        if priced is None:
            raise KeyError(f"item {item_id!r} is not on contract {contract.reference}")
        lines.append(
            OrderLine(
                id=str(number),
                quantity=quantity,
                unit_code=priced.unit_code,
                item_name=priced.item_name,
                net_price=priced.unit_price,
                base_quantity=priced.base_quantity,
                seller_item_id=priced.item_id,
                standard_item_id=priced.standard_item_id,
                classification=priced.classification,
                vat_category=priced.vat_category,
                vat_rate=priced.vat_rate,
            )
        )
    return Order(
        id=order_id,
        issue_date=issue_date,
        currency=contract.currency,
        buyer=contract.buyer,
        seller=contract.supplier,
        lines=tuple(lines),
        contract_reference=contract.reference,
        customer_reference=customer_reference,
        note=note,
        valid_to=valid_to,
    )


class OrderResponseCode(StrEnum):
    """UNCL4343 subset for T76."""

    ACKNOWLEDGED = "AB"
    ACCEPTED = "AP"
    REJECTED = "RE"
    ACCEPTED_WITH_CHANGES = "CA"  # "conditionally accepted": lines say what changed


class LineStatus(StrEnum):
    """UNCL1229 subset for order response lines."""

    ADDED = "1"
    CHANGED = "3"
    ACCEPTED = "5"
    NOT_ACCEPTED = "7"
    ALREADY_DELIVERED = "42"


@dataclass(frozen=True, slots=True)
class OrderResponseLine:
    order_line_id: str
    status: LineStatus
    quantity: Decimal | None = None
    unit_code: str | None = None
    net_price: Decimal | None = None
    item_name: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class OrderResponse:
    """A T76 order response to ``order``."""

    id: str
    issue_date: date
    code: OrderResponseCode
    order: Order
    lines: tuple[OrderResponseLine, ...] = ()
    note: str | None = None
    sales_order_id: str | None = None
    promised_delivery_start: date | None = None
    promised_delivery_end: date | None = None


class InvoiceStatus(StrEnum):
    """UNCL4343 subset for T111 invoice responses."""

    ACKNOWLEDGED = "AB"
    IN_PROCESS = "IP"
    UNDER_QUERY = "UQ"
    CONDITIONALLY_ACCEPTED = "CA"
    REJECTED = "RE"
    ACCEPTED = "AP"
    PAID = "PD"

    @property
    def needs_reason(self) -> bool:
        """PEPPOL-T111-R001: CA, UQ and RE carry at least one clarification."""
        return self in (InvoiceStatus.CONDITIONALLY_ACCEPTED, self.UNDER_QUERY, self.REJECTED)


class StatusReasonCode(StrEnum):
    """OPStatusReason: why."""

    NO_ISSUE = "NON"
    REFERENCES_INCORRECT = "REF"
    LEGAL_INFORMATION_INCORRECT = "LEG"
    RECEIVER_UNKNOWN = "REC"
    QUALITY = "QUA"
    DELIVERY = "DEL"
    PRICES_INCORRECT = "PRI"
    QUANTITY_INCORRECT = "QTY"
    ITEMS_INCORRECT = "ITM"
    PAYMENT_TERMS_INCORRECT = "PAY"
    NOT_RECOGNIZED = "UNR"
    FINANCE_INCORRECT = "FIN"
    PARTIALLY_PAID = "PPD"
    OTHER = "OTH"


class StatusAction(StrEnum):
    """OPStatusAction: what the seller should do."""

    NO_ACTION = "NOA"
    PROVIDE_INFORMATION = "PIN"
    ISSUE_NEW_INVOICE = "NIN"
    CREDIT_FULLY = "CNF"
    CREDIT_PARTIALLY = "CNP"
    CREDIT_AMOUNT = "CNA"
    OTHER = "OTH"


@dataclass(frozen=True, slots=True)
class StatusReason:
    """One clarification: a reason or action code, text, and the business term it is about."""

    code: StatusReasonCode | StatusAction | None = None  # a free-text status may have none
    text: str | None = None
    term: str | None = None  # e.g. "BT-13"
    term_value: str | None = None


@dataclass(frozen=True, slots=True)
class InvoiceResponse:
    """A T111 invoice response from the buyer (sender) to the seller (receiver)."""

    id: str
    issue_date: date
    status: InvoiceStatus
    invoice_number: str
    invoice_type_code: str
    sender: Party
    receiver: Party
    invoice_issue_date: date | None = None
    reasons: tuple[StatusReason, ...] = ()
    effective_date: date | None = None
    note: str | None = None
