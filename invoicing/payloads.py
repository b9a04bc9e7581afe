"""Request and response bodies of the invoicing API (pydantic)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "InvoiceCreate",
    "InvoiceLineIn",
    "InvoiceOut",
    "InvoiceRespond",
    "OrderCreate",
    "OrderLineChange",
    "OrderOut",
    "OrderRespond",
    "ProfileIn",
    "ProfileOut",
]

Number = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._/-]+$")]
Qty = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=4)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrderCreate(_In):
    """An order against a contract: seller item id (the contract's line id) → quantity."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_id": "the id from GET /v1/contracts",
                    "quantities": {"LOT-1-1": "12"},
                    "buyer_reference": "Indkøb 4711",
                }
            ]
        }
    )

    contract_id: Annotated[str, Field(min_length=1, max_length=100)]
    quantities: Annotated[dict[str, Qty], Field(min_length=1, max_length=500)]
    number: Number | None = None
    note: Annotated[str | None, Field(max_length=1000)] = None
    buyer_reference: Annotated[str | None, Field(max_length=100)] = None


class OrderLineChange(_In):
    line_id: Annotated[str, Field(min_length=1, max_length=50)]
    quantity: Qty | None = None
    unit_price: Annotated[Decimal | None, Field(gt=0, max_digits=18, decimal_places=4)] = None
    accepted: bool = True
    note: Annotated[str | None, Field(max_length=500)] = None


class OrderRespond(_In):
    """The supplier's answer: accept, reject, or accept with changed lines."""

    decision: Literal["accept", "reject", "accept_with_changes"]
    note: Annotated[str | None, Field(max_length=1000)] = None
    changes: Annotated[list[OrderLineChange], Field(max_length=500)] = []


class OrderOut(_Out):
    id: str
    side: str
    number: str
    counterparty: str
    contract_id: str | None
    currency: str
    total: Decimal
    status: str
    response_code: str | None
    response_note: str | None
    submission_id: str | None
    response_submission_id: str | None
    created_at: datetime
    updated_at: datetime


class InvoiceLineIn(_In):
    item_id: Annotated[str | None, Field(max_length=100)] = None
    item_name: Annotated[str, Field(min_length=1, max_length=200)]
    quantity: Annotated[Decimal, Field(max_digits=14, decimal_places=4)]
    unit_code: Annotated[str, Field(min_length=1, max_length=3)] = "EA"
    unit_price: Annotated[Decimal, Field(max_digits=18, decimal_places=4)]
    vat_category: Literal["S", "Z", "E", "AE", "K", "G", "O"] = "S"
    vat_rate: Annotated[Decimal | None, Field(ge=0, le=100)] = Decimal("25")
    order_line_ref: Annotated[str | None, Field(max_length=50)] = None


class InvoiceCreate(_In):
    """An invoice from a received order, from a contract, or from the supplier's own lines.

    Give ``order_id`` (the supplier's copy of an order), or ``contract_id`` with
    ``quantities``, or ``buyer`` (a participant id) with ``lines``.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": "F-2027-0001",
                    "order_id": "the supplier's order id from GET /v1/orders",
                    "due_days": 30,
                    "iban": "DK5000400440116243",
                }
            ]
        }
    )

    number: Number
    kind: Literal["invoice", "credit_note"] = "invoice"
    order_id: str | None = None
    contract_id: str | None = None
    quantities: Annotated[dict[str, Qty] | None, Field(max_length=500)] = None
    buyer: Annotated[str | None, Field(max_length=100)] = None
    lines: Annotated[list[InvoiceLineIn] | None, Field(max_length=1000)] = None
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "DKK"
    order_reference: Number | None = None
    buyer_reference: Annotated[str | None, Field(max_length=100)] = None
    issue_date: date | None = None
    due_days: Annotated[int, Field(ge=0, le=365)] = 30
    syntax: Literal["bis3", "oioubl"] | None = None
    charge: Annotated[Decimal | None, Field(gt=0, max_digits=18, decimal_places=2)] = None
    preceding_invoice: Number | None = None
    iban: Annotated[str | None, Field(max_length=34)] = None


class InvoiceRespond(_In):
    """The buyer's Invoice Response (T111 status code) with its reasons."""

    status: Literal["AB", "IP", "UQ", "CA", "RE", "AP", "PD"]
    note: Annotated[str | None, Field(max_length=1000)] = None
    reason: Annotated[str | None, Field(max_length=3)] = None


class InvoiceOut(_Out):
    id: str
    side: str
    kind: str
    syntax: str
    number: str
    counterparty: str
    order_number: str | None
    contract_id: str | None
    currency: str | None
    payable_amount: Decimal | None
    status: str
    response_code: str | None
    reasons: list[dict[str, Any]] | None
    findings: list[dict[str, Any]] | None
    submission_id: str | None
    response_submission_id: str | None
    created_at: datetime
    updated_at: datetime


class ProfileIn(_In):
    invoice_syntax: Literal["bis3", "oioubl"]


class ProfileOut(_Out):
    organisation_id: str
    invoice_syntax: str
