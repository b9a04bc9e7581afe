"""Peppol BIS Ordering 3 documents: Order (T01), Order Response (T76), Invoice Response (T111)."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from invoicing.builders._parts import write_address, write_party
from invoicing.builders._xml import (
    APPLICATION_RESPONSE_NS,
    ORDER_NS,
    ORDER_RESPONSE_NS,
    cac,
    cbc,
    day,
    money,
    num,
    root,
    to_bytes,
)
from invoicing.errors import InvalidInvoice
from invoicing.model import Party
from invoicing.orders import (
    InvoiceResponse,
    InvoiceStatus,
    LineStatus,
    Order,
    OrderLine,
    OrderResponse,
    OrderResponseCode,
    StatusAction,
    StatusReasonCode,
)

__all__ = ["build_invoice_response", "build_order", "build_order_response"]

ORDER_CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:order:3"
ORDER_RESPONSE_CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:order_response:3"
ORDERING_PROFILE = "urn:fdc:peppol.eu:poacc:bis:ordering:3"
INVOICE_RESPONSE_CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:invoice_response:3"
INVOICE_RESPONSE_PROFILE = "urn:fdc:peppol.eu:poacc:bis:invoice_response:3"


def build_order(order: Order) -> bytes:
    """A Peppol BIS Ordering 3 Order (T01) with anticipated totals from the line prices."""
    if not order.lines:
        raise InvalidInvoice("an order needs lines", findings=[_finding("PEPPOL-T01", "no lines")])
    doc = root(ORDER_NS, "Order")
    cbc(doc, "CustomizationID", ORDER_CUSTOMIZATION)
    cbc(doc, "ProfileID", ORDERING_PROFILE)
    cbc(doc, "ID", order.id)
    cbc(doc, "IssueDate", day(order.issue_date))
    cbc(doc, "Note", order.note)
    cbc(doc, "DocumentCurrencyCode", order.currency)
    cbc(doc, "CustomerReference", order.customer_reference)
    if order.valid_to:
        cbc(cac(doc, "ValidityPeriod"), "EndDate", day(order.valid_to))
    if order.contract_reference:
        cbc(cac(doc, "Contract"), "ID", order.contract_reference)
    write_party(cac(doc, "BuyerCustomerParty"), order.buyer, seller=False)
    # T01 has no seller tax scheme in its data model.
    write_party(cac(doc, "SellerSupplierParty"), order.seller, seller=False, tax=False)
    if order.delivery_address or order.requested_delivery_start or order.requested_delivery_end:
        delivery = cac(doc, "Delivery")
        if order.delivery_address is not None:
            write_address(cac(delivery, "DeliveryLocation"), "Address", order.delivery_address)
        if order.requested_delivery_start or order.requested_delivery_end:
            period = cac(delivery, "RequestedDeliveryPeriod")
            cbc(period, "StartDate", day(order.requested_delivery_start))
            cbc(period, "EndDate", day(order.requested_delivery_end))
    total = cac(doc, "AnticipatedMonetaryTotal")
    cur = order.currency
    cbc(total, "LineExtensionAmount", money(order.line_extension), currencyID=cur)
    cbc(total, "PayableAmount", money(order.line_extension), currencyID=cur)
    for line in order.lines:
        _order_line(cac(doc, "OrderLine"), line, cur)
    return to_bytes(doc)


def _order_line(parent: etree._Element, line: OrderLine, cur: str) -> None:
    cbc(parent, "Note", line.note)
    item_line = cac(parent, "LineItem")
    cbc(item_line, "ID", line.id)
    cbc(item_line, "Quantity", num(line.quantity), unitCode=line.unit_code)
    cbc(item_line, "LineExtensionAmount", money(line.net_amount), currencyID=cur)
    if line.net_price is not None:
        price = cac(item_line, "Price")
        cbc(price, "PriceAmount", num(line.net_price), currencyID=cur)
        cbc(price, "BaseQuantity", num(line.base_quantity), unitCode=line.unit_code)
    item = cac(item_line, "Item")
    cbc(item, "Name", line.item_name)
    if line.buyer_item_id:
        cbc(cac(item, "BuyersItemIdentification"), "ID", line.buyer_item_id)
    if line.seller_item_id:
        cbc(cac(item, "SellersItemIdentification"), "ID", line.seller_item_id)
    if line.standard_item_id is not None:
        std = line.standard_item_id
        cbc(cac(item, "StandardItemIdentification"), "ID", std.value, schemeID=std.scheme)
    if line.classification is not None:
        klass = line.classification
        cbc(
            cac(item, "CommodityClassification"),
            "ItemClassificationCode",
            klass.code,
            listID=klass.list_id,
            listVersionID=klass.list_version,
        )
    if line.vat_category is not None:
        tax = cac(item, "ClassifiedTaxCategory")
        cbc(tax, "ID", line.vat_category.value)
        if line.vat_category.has_rate:
            cbc(tax, "Percent", num(line.vat_rate if line.vat_rate is not None else Decimal(0)))
        cbc(cac(tax, "TaxScheme"), "ID", "VAT")


def build_order_response(response: OrderResponse) -> bytes:
    """A T76 Order Response: accept (AP), reject (RE), acknowledge (AB) or accept with changes (CA)."""
    code = response.code
    if code is OrderResponseCode.ACCEPTED_WITH_CHANGES and not response.lines:
        raise InvalidInvoice(
            "an acceptance with changes must list the lines",
            findings=[_finding("PEPPOL-T76-R007", "code CA needs order lines")],
        )
    order = response.order
    doc = root(ORDER_RESPONSE_NS, "OrderResponse")
    cbc(doc, "CustomizationID", ORDER_RESPONSE_CUSTOMIZATION)
    cbc(doc, "ProfileID", ORDERING_PROFILE)
    cbc(doc, "ID", response.id)
    cbc(doc, "SalesOrderID", response.sales_order_id)
    cbc(doc, "IssueDate", day(response.issue_date))
    cbc(doc, "OrderResponseCode", code.value)
    cbc(doc, "Note", response.note)
    cbc(doc, "DocumentCurrencyCode", order.currency)
    cbc(doc, "CustomerReference", order.customer_reference)
    cbc(cac(doc, "OrderReference"), "ID", order.id)
    # T76 parties carry only endpoint, identifiers and name.
    _response_party(cac(cac(doc, "SellerSupplierParty"), "Party"), order.seller)
    _response_party(cac(cac(doc, "BuyerCustomerParty"), "Party"), order.buyer)
    if response.promised_delivery_start or response.promised_delivery_end:
        period = cac(cac(doc, "Delivery"), "PromisedDeliveryPeriod")
        cbc(period, "StartDate", day(response.promised_delivery_start))
        cbc(period, "EndDate", day(response.promised_delivery_end))
    # Lines belong only to CA (PEPPOL-T76-R007 to R010): the other codes answer the whole order.
    if code is OrderResponseCode.ACCEPTED_WITH_CHANGES:
        for line in response.lines:
            ordered = order.line(line.order_line_id)
            if ordered is None:
                raise InvalidInvoice(
                    f"order {order.id} has no line {line.order_line_id}",
                    findings=[_finding("PEPPOL-T76-R003", "unknown order line")],
                )
            el = cac(doc, "OrderLine")
            item_line = cac(el, "LineItem")
            cbc(item_line, "ID", line.order_line_id)
            cbc(item_line, "Note", line.note)
            cbc(item_line, "LineStatusCode", line.status.value)
            if line.status is not LineStatus.NOT_ACCEPTED and line.quantity is not None:
                cbc(
                    item_line,
                    "Quantity",
                    num(line.quantity),
                    unitCode=line.unit_code or ordered.unit_code,
                )
            if line.net_price is not None:
                price = cac(item_line, "Price")
                cbc(price, "PriceAmount", num(line.net_price), currencyID=order.currency)
            item = cac(item_line, "Item")
            cbc(item, "Name", line.item_name or ordered.item_name)
            if ordered.seller_item_id:
                cbc(cac(item, "SellersItemIdentification"), "ID", ordered.seller_item_id)
            cbc(cac(el, "OrderLineReference"), "LineID", line.order_line_id)
    return to_bytes(doc)


def build_invoice_response(response: InvoiceResponse) -> bytes:
    """A T111 Invoice Response (ApplicationResponse) telling the seller the invoice's status."""
    if response.status.needs_reason and not any(r.code for r in response.reasons):
        raise InvalidInvoice(
            f"status {response.status.value} needs at least one reason",
            findings=[_finding("PEPPOL-T111-R001", "CA, UQ and RE need a clarification")],
        )
    partial = [r for r in response.reasons if r.code is StatusReasonCode.PARTIALLY_PAID]
    if partial and response.status is not InvoiceStatus.PAID:
        raise InvalidInvoice(
            "partially paid is only a reason for status PD",
            findings=[_finding("PEPPOL-T111-R005", "PPD only with PD")],
        )
    doc = root(APPLICATION_RESPONSE_NS, "ApplicationResponse")
    cbc(doc, "CustomizationID", INVOICE_RESPONSE_CUSTOMIZATION)
    cbc(doc, "ProfileID", INVOICE_RESPONSE_PROFILE)
    cbc(doc, "ID", response.id)
    cbc(doc, "IssueDate", day(response.issue_date))
    cbc(doc, "Note", response.note)
    _response_party(cac(doc, "SenderParty"), response.sender)
    _response_party(cac(doc, "ReceiverParty"), response.receiver)
    document = cac(doc, "DocumentResponse")
    answer = cac(document, "Response")
    cbc(answer, "ResponseCode", response.status.value)
    cbc(answer, "EffectiveDate", day(response.effective_date))
    for reason in response.reasons:
        status = cac(answer, "Status")
        if reason.code is not None:
            action = isinstance(reason.code, StatusAction)
            list_id = "OPStatusAction" if action else "OPStatusReason"
            cbc(status, "StatusReasonCode", reason.code.value, listID=list_id)
        cbc(status, "StatusReason", reason.text)
        if reason.term:
            condition = cac(status, "Condition")
            cbc(condition, "AttributeID", reason.term)
            cbc(condition, "Description", reason.term_value)
    ref = cac(document, "DocumentReference")
    cbc(ref, "ID", response.invoice_number)
    cbc(ref, "IssueDate", day(response.invoice_issue_date))
    cbc(ref, "DocumentTypeCode", response.invoice_type_code)
    return to_bytes(doc)


def _response_party(el: etree._Element, party: Party) -> None:
    if party.endpoint is not None:
        cbc(el, "EndpointID", party.endpoint.value, schemeID=party.endpoint.scheme)
    for ident in party.identifiers:
        cbc(cac(el, "PartyIdentification"), "ID", ident.value, schemeID=ident.scheme)
    cbc(cac(el, "PartyLegalEntity"), "RegistrationName", party.name)


def _finding(rule: str, message: str) -> dict[str, str]:
    return {"rule": rule, "message": message}
