"""Small helpers shared by the UBL builders: namespaces, element makers, number text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
ORDER_NS = "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
ORDER_RESPONSE_NS = "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2"
APPLICATION_RESPONSE_NS = "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"


def root(ns: str, tag: str) -> etree._Element:
    """A document root with the default namespace and the cac/cbc prefixes."""
    return etree.Element(f"{{{ns}}}{tag}", nsmap={None: ns, "cac": CAC, "cbc": CBC})


def cac(parent: etree._Element, tag: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{tag}")


def cbc(
    parent: etree._Element, tag: str, text: str | None, **attrs: str | None
) -> etree._Element | None:
    """Add a basic component; skipped (None returned) when ``text`` is None."""
    if text is None:
        return None
    el = etree.SubElement(parent, f"{{{CBC}}}{tag}")
    el.text = text
    for key, value in attrs.items():
        if value is not None:
            el.set(key, value)
    return el


def num(value: Decimal | None) -> str | None:
    """Plain decimal text without exponent or trailing zeros (quantities, prices, rates)."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def money(value: Decimal | None) -> str | None:
    """Two-decimal text for a monetary amount."""
    if value is None:
        return None
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def to_bytes(doc: etree._Element) -> bytes:
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8", pretty_print=True)
