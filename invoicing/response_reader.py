"""Read received Invoice Responses (T111) and Order Responses (T76) into the model."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from invoicing.builders._xml import APPLICATION_RESPONSE_NS, CAC, CBC, ORDER_RESPONSE_NS
from invoicing.errors import UnknownReference, UnreadableDocument, UnsupportedDocument
from invoicing.model import Address, Identifier, Party
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
)
from schemas import xmlsafe

__all__ = ["read_invoice_response", "read_order_response"]

NS = {"cac": CAC, "cbc": CBC}


def _parse(xml: bytes, namespace: str, tag: str) -> etree._Element:
    try:
        doc = xmlsafe.parse(xml).getroot()
    except xmlsafe.XmlError as exc:
        raise UnreadableDocument(exc.detail) from exc
    if doc.tag != f"{{{namespace}}}{tag}":
        raise UnsupportedDocument(f"not a UBL {tag}: {doc.tag}")
    return doc


def _text(el: etree._Element, path: str) -> str | None:
    found = el.find(path, NS)
    value = (found.text or "").strip() if found is not None else ""
    return value or None


def _day(el: etree._Element, path: str) -> date | None:
    value = _text(el, path)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UnreadableDocument(f"{path}: {value!r} is not a date") from exc


def _decimal(el: etree._Element, path: str) -> Decimal | None:
    value = _text(el, path)
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise UnreadableDocument(f"{path}: {value!r} is not a number") from exc


def _required(value: str | date | None, what: str) -> str | date:
    if value is None:
        raise UnreadableDocument(f"the document lacks {what}")
    return value


def _party(el: etree._Element | None) -> Party:
    if el is None:
        raise UnreadableDocument("a party is missing")
    endpoint = el.find("cbc:EndpointID", NS)
    return Party(
        name=_text(el, "cac:PartyLegalEntity/cbc:RegistrationName") or "",
        address=Address(country=""),
        endpoint=(
            Identifier((endpoint.text or "").strip(), endpoint.get("schemeID"))
            if endpoint is not None
            else None
        ),
        identifiers=tuple(
            Identifier((i.text or "").strip(), i.get("schemeID"))
            for i in el.iterfind("cac:PartyIdentification/cbc:ID", NS)
        ),
    )


def _reason(status: etree._Element) -> StatusReason:
    code_el = status.find("cbc:StatusReasonCode", NS)
    value: StatusReasonCode | StatusAction | None = None
    if code_el is not None:
        code = (code_el.text or "").strip()
        try:
            value = (
                StatusAction(code)
                if code_el.get("listID") == "OPStatusAction"
                else StatusReasonCode(code)
            )
        except ValueError as exc:
            raise UnreadableDocument(f"unknown status reason code {code!r}") from exc
    return StatusReason(
        code=value,
        text=_text(status, "cbc:StatusReason"),
        term=_text(status, "cac:Condition/cbc:AttributeID"),
        term_value=_text(status, "cac:Condition/cbc:Description"),
    )


def read_invoice_response(xml: bytes) -> InvoiceResponse:
    """Parse a received T111 Invoice Response."""
    doc = _parse(xml, APPLICATION_RESPONSE_NS, "ApplicationResponse")
    response = doc.find("cac:DocumentResponse/cac:Response", NS)
    reference = doc.find("cac:DocumentResponse/cac:DocumentReference", NS)
    if response is None or reference is None:
        raise UnreadableDocument("the response names no status or no invoice")
    code = _text(response, "cbc:ResponseCode") or ""
    try:
        status = InvoiceStatus(code)
    except ValueError as exc:
        raise UnreadableDocument(f"unknown invoice status {code!r}") from exc
    return InvoiceResponse(
        id=str(_required(_text(doc, "cbc:ID"), "its identifier")),
        issue_date=_required(_day(doc, "cbc:IssueDate"), "its issue date"),  # type: ignore[arg-type]
        status=status,
        invoice_number=str(_required(_text(reference, "cbc:ID"), "the invoice number")),
        invoice_type_code=_text(reference, "cbc:DocumentTypeCode") or "380",
        invoice_issue_date=_day(reference, "cbc:IssueDate"),
        sender=_party(doc.find("cac:SenderParty", NS)),
        receiver=_party(doc.find("cac:ReceiverParty", NS)),
        reasons=tuple(_reason(s) for s in response.iterfind("cac:Status", NS)),
        effective_date=_day(response, "cbc:EffectiveDate"),
        note=_text(doc, "cbc:Note"),
    )


def read_order_response(xml: bytes, *, orders: Mapping[str, Order]) -> OrderResponse:
    """Parse a received T76 Order Response to one of ``orders`` (keyed by order id)."""
    doc = _parse(xml, ORDER_RESPONSE_NS, "OrderResponse")
    order_id = _text(doc, "cac:OrderReference/cbc:ID")
    order = orders.get(order_id or "")
    if order is None:
        raise UnknownReference(f"the response answers an unknown order {order_id!r}")
    code = _text(doc, "cbc:OrderResponseCode") or ""
    try:
        response_code = OrderResponseCode(code)
    except ValueError as exc:
        raise UnreadableDocument(f"unknown order response code {code!r}") from exc
    lines = []
    for el in doc.iterfind("cac:OrderLine", NS):
        item = el.find("cac:LineItem", NS)
        if item is None:
            continue
        line_id = _text(el, "cac:OrderLineReference/cbc:LineID") or _text(item, "cbc:ID") or ""
        ordered = order.line(line_id)
        status_code = _text(item, "cbc:LineStatusCode") or ""
        try:
            status = LineStatus(status_code)
        except ValueError as exc:
            raise UnreadableDocument(f"unknown line status {status_code!r}") from exc
        quantity_el = item.find("cbc:Quantity", NS)
        unit = quantity_el.get("unitCode") if quantity_el is not None else None
        name = _text(item, "cac:Item/cbc:Name")
        lines.append(
            OrderResponseLine(
                order_line_id=line_id,
                status=status,
                quantity=_decimal(item, "cbc:Quantity"),
                # Echoes of the order's own unit and name are not changes; keep them implicit.
                unit_code=unit if ordered is None or unit != ordered.unit_code else None,
                net_price=_decimal(item, "cac:Price/cbc:PriceAmount"),
                item_name=name if ordered is None or name != ordered.item_name else None,
                note=_text(item, "cbc:Note") or _text(el, "cbc:Note"),
            )
        )
    return OrderResponse(
        id=str(_required(_text(doc, "cbc:ID"), "its identifier")),
        issue_date=_required(_day(doc, "cbc:IssueDate"), "its issue date"),  # type: ignore[arg-type]
        code=response_code,
        order=order,
        lines=tuple(lines),
        note=_text(doc, "cbc:Note"),
        sales_order_id=_text(doc, "cbc:SalesOrderID"),
        promised_delivery_start=_day(doc, "cac:Delivery/cac:PromisedDeliveryPeriod/cbc:StartDate"),
        promised_delivery_end=_day(doc, "cac:Delivery/cac:PromisedDeliveryPeriod/cbc:EndDate"),
    )
