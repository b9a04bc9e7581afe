"""Read a received Peppol BIS Ordering 3 Order (T01) into the model (the supplier's side)."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from invoicing._ubl_reading import NS, UblReader
from invoicing.builders._xml import ORDER_NS
from invoicing.errors import UnreadableDocument, UnsupportedDocument
from invoicing.model import Classification, VatCategory
from invoicing.orders import Order, OrderLine
from schemas import xmlsafe

__all__ = ["read_order"]


def read_order(xml: bytes) -> Order:
    """Parse untrusted bytes holding a T01 Order.

    Kept: the terms :class:`invoicing.orders.Order` holds. Dropped: allowances and
    charges, originator and accounting parties, delivery terms, attachments and the
    anticipated totals (recomputed from the lines).
    """
    try:
        doc = xmlsafe.parse(xml).getroot()
    except xmlsafe.XmlError as exc:
        raise UnreadableDocument(exc.detail) from exc
    if doc.tag != f"{{{ORDER_NS}}}Order":
        raise UnsupportedDocument(f"not a UBL Order: {doc.tag}")
    r = UblReader(doc)
    number = r.text(doc, "cbc:ID")
    issued = r.day(doc, "cbc:IssueDate")
    currency = r.text(doc, "cbc:DocumentCurrencyCode")
    if number is None or issued is None or currency is None:
        raise UnreadableDocument("the order lacks its number, issue date or currency")
    delivery = doc.find("cac:Delivery", NS)
    return Order(
        id=number,
        issue_date=issued,
        currency=currency,
        buyer=r.party(doc, "cac:BuyerCustomerParty/cac:Party"),
        seller=r.party(doc, "cac:SellerSupplierParty/cac:Party"),
        lines=tuple(_line(r, el) for el in doc.iterfind("cac:OrderLine", NS)),
        contract_reference=r.text(doc, "cac:Contract/cbc:ID"),
        customer_reference=r.text(doc, "cbc:CustomerReference"),
        note=r.text(doc, "cbc:Note"),
        valid_to=r.day(doc, "cac:ValidityPeriod/cbc:EndDate"),
        delivery_address=(
            r.address(delivery.find("cac:DeliveryLocation/cac:Address", NS))
            if delivery is not None
            else None
        ),
        requested_delivery_start=r.day(
            doc, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate"
        ),
        requested_delivery_end=r.day(doc, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate"),
    )


def _line(r: UblReader, el: etree._Element) -> OrderLine:
    item_line = el.find("cac:LineItem", NS)
    if item_line is None:
        raise UnreadableDocument("an order line has no line item")
    quantity_el = item_line.find("cbc:Quantity", NS)
    tax_el = item_line.find("cac:Item/cac:ClassifiedTaxCategory", NS)
    category: VatCategory | None = None
    rate: Decimal | None = None
    if tax_el is not None:
        category, rate = r.category(tax_el)
    klass = item_line.find("cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode", NS)
    return OrderLine(
        id=r.text(item_line, "cbc:ID") or "",
        quantity=r.decimal(item_line, "cbc:Quantity") or Decimal(0),
        unit_code=(quantity_el.get("unitCode") or "") if quantity_el is not None else "",
        item_name=r.text(item_line, "cac:Item/cbc:Name") or "",
        net_price=r.decimal(item_line, "cac:Price/cbc:PriceAmount"),
        base_quantity=r.decimal(item_line, "cac:Price/cbc:BaseQuantity"),
        seller_item_id=r.text(item_line, "cac:Item/cac:SellersItemIdentification/cbc:ID"),
        buyer_item_id=r.text(item_line, "cac:Item/cac:BuyersItemIdentification/cbc:ID"),
        standard_item_id=r.ident(item_line, "cac:Item/cac:StandardItemIdentification/cbc:ID"),
        classification=(
            Classification(
                code=(klass.text or "").strip(),
                list_id=klass.get("listID") or "",
                list_version=klass.get("listVersionID"),
            )
            if klass is not None
            else None
        ),
        vat_category=category,
        vat_rate=rate,
        note=r.text(el, "cbc:Note"),
    )
