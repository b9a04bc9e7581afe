"""Peppol BIS Ordering 3: Order (T01), Order Response (T76), Invoice Response (T111)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from invoicing.builders.ordering import (
    build_invoice_response,
    build_order,
    build_order_response,
)
from invoicing.errors import InvalidInvoice
from invoicing.orders import (
    InvoiceResponse,
    InvoiceStatus,
    LineStatus,
    Order,
    OrderResponse,
    OrderResponseCode,
    OrderResponseLine,
    StatusAction,
    StatusReason,
    StatusReasonCode,
    order_from_contract,
)
from tests.invoicing.invoicing_samples import BUYER, SELLER, framework_contract
from tests.invoicing.ubl_checks import fatal, ordering_findings, xsd_errors

D = Decimal
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _schema(artefacts_dir: Path, name: str) -> Path:
    return artefacts_dir / "ubl-2.1" / "xsd" / "maindoc" / f"UBL-{name}-2.1.xsd"


def _order() -> Order:
    return order_from_contract(
        framework_contract(),
        order_id="PO-77",
        issue_date=date(2026, 10, 20),
        quantities={"SKU-1": D("10"), "SKU-2": D("3")},
        customer_reference="ref-4711",
        valid_to=date(2026, 11, 20),
    )


def test_order_from_contract_takes_contract_prices() -> None:
    order = _order()
    assert [(line.seller_item_id, line.net_price) for line in order.lines] == [
        ("SKU-1", D("99.95")),
        ("SKU-2", D("12.5")),
    ]
    assert order.contract_reference == "K-2026-01"
    assert order.line_extension == D("1037.00")


def test_order_from_contract_refuses_items_outside_the_contract() -> None:
    with pytest.raises(KeyError, match="SKU-9"):
        order_from_contract(
            framework_contract(),
            order_id="x",
            issue_date=date(2026, 1, 1),
            quantities={"SKU-9": D(1)},
        )


def test_order_passes_xsd_and_t01_rules(artefacts_dir: Path) -> None:
    xml = build_order(_order())
    assert xsd_errors(xml, _schema(artefacts_dir, "Order")) == []
    assert fatal(ordering_findings(xml, artefacts_dir, "T01")) == []
    doc = etree.fromstring(xml)
    assert doc.findtext("cac:Contract/cbc:ID", namespaces=NS) == "K-2026-01"
    assert (
        doc.findtext("cac:AnticipatedMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "1037.00"
    )


RESPONSES = {
    "accept": OrderResponse("OR-1", date(2026, 10, 21), OrderResponseCode.ACCEPTED, _order()),
    "reject": OrderResponse(
        "OR-2", date(2026, 10, 21), OrderResponseCode.REJECTED, _order(), note="Udsolgt"
    ),
    "accept-with-changes": OrderResponse(
        "OR-3",
        date(2026, 10, 21),
        OrderResponseCode.ACCEPTED_WITH_CHANGES,
        _order(),
        lines=(
            OrderResponseLine("1", LineStatus.CHANGED, quantity=D("8"), note="Kun 8 på lager"),
            OrderResponseLine("2", LineStatus.ACCEPTED, quantity=D("3")),
        ),
        promised_delivery_start=date(2026, 10, 25),
        promised_delivery_end=date(2026, 10, 27),
    ),
}


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_order_response_passes_xsd_and_t76_rules(name: str, artefacts_dir: Path) -> None:
    response = RESPONSES[name]
    xml = build_order_response(response)
    assert xsd_errors(xml, _schema(artefacts_dir, "OrderResponse")) == []
    assert fatal(ordering_findings(xml, artefacts_dir, "T76")) == []
    doc = etree.fromstring(xml)
    assert doc.findtext("cbc:OrderResponseCode", namespaces=NS) == response.code.value
    assert doc.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == "PO-77"
    assert len(doc.findall("cac:OrderLine", NS)) == len(
        response.lines if response.code is OrderResponseCode.ACCEPTED_WITH_CHANGES else ()
    )


def test_accept_with_changes_needs_lines() -> None:
    with pytest.raises(InvalidInvoice) as info:
        build_order_response(
            OrderResponse(
                "OR-4", date(2026, 10, 21), OrderResponseCode.ACCEPTED_WITH_CHANGES, _order()
            )
        )
    assert info.value.findings[0]["rule"] == "PEPPOL-T76-R007"


def _invoice_response(status: InvoiceStatus, *reasons: StatusReason) -> InvoiceResponse:
    return InvoiceResponse(
        id=f"IR-{status.value}",
        issue_date=date(2026, 11, 5),
        status=status,
        invoice_number="INV-1001",
        invoice_type_code="380",
        invoice_issue_date=date(2026, 11, 2),
        sender=BUYER,
        receiver=SELLER,
        reasons=reasons,
    )


INVOICE_RESPONSES = {
    "accepted": _invoice_response(InvoiceStatus.ACCEPTED),
    "in-process": _invoice_response(InvoiceStatus.IN_PROCESS),
    "rejected": _invoice_response(
        InvoiceStatus.REJECTED,
        StatusReason(StatusReasonCode.PRICES_INCORRECT, "Pris over kontrakt", "BT-146", "120"),
        StatusReason(StatusAction.ISSUE_NEW_INVOICE),
    ),
    "under-query": _invoice_response(
        InvoiceStatus.UNDER_QUERY,
        StatusReason(StatusReasonCode.REFERENCES_INCORRECT, "Ukendt ordre", "BT-13", "PO-99"),
        StatusReason(StatusAction.PROVIDE_INFORMATION),
    ),
    "conditionally-accepted": _invoice_response(
        InvoiceStatus.CONDITIONALLY_ACCEPTED,
        StatusReason(StatusReasonCode.QUANTITY_INCORRECT, "2 stk. for mange"),
        StatusReason(StatusAction.CREDIT_PARTIALLY),
    ),
    "paid": _invoice_response(InvoiceStatus.PAID),
    "partially-paid": _invoice_response(
        InvoiceStatus.PAID, StatusReason(StatusReasonCode.PARTIALLY_PAID, "Betalt 500 DKK")
    ),
}


@pytest.mark.parametrize("name", sorted(INVOICE_RESPONSES))
def test_invoice_response_passes_xsd_and_t111_rules(name: str, artefacts_dir: Path) -> None:
    response = INVOICE_RESPONSES[name]
    xml = build_invoice_response(response)
    assert xsd_errors(xml, _schema(artefacts_dir, "ApplicationResponse")) == []
    assert fatal(ordering_findings(xml, artefacts_dir, "T111")) == []
    doc = etree.fromstring(xml)
    codes = [el.text for el in doc.iterfind(".//cbc:StatusReasonCode", NS)]
    assert codes == [r.code.value for r in response.reasons if r.code is not None]


def test_rejection_without_a_reason_is_refused() -> None:
    with pytest.raises(InvalidInvoice) as info:
        build_invoice_response(_invoice_response(InvoiceStatus.REJECTED))
    assert info.value.findings[0]["rule"] == "PEPPOL-T111-R001"


def test_partially_paid_only_with_paid_status() -> None:
    with pytest.raises(InvalidInvoice):
        build_invoice_response(
            _invoice_response(
                InvoiceStatus.ACCEPTED, StatusReason(StatusReasonCode.PARTIALLY_PAID, "500")
            )
        )
