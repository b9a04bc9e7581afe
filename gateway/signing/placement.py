"""Where ``cac:Signature`` goes in a UBL document; pure, no I/O.

UBL 2.1 fixes its place per document type: after the cbc:/ext: header and a
few cac: references (listed in :mod:`gateway.signing.ubl21_order`), before
everything else. For a root that is not a UBL 2.1 document type the fallback
is right before the first party element, which is where most types put it.
"""

from __future__ import annotations

from lxml import etree

from gateway.signing.ubl21_order import CAC_BEFORE_SIGNATURE

__all__ = ["insert_signature_reference"]

_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


def _precedes(child: etree._Element, before: frozenset[str] | None) -> bool:
    if not isinstance(child.tag, str):
        return True  # comments and processing instructions stay where they are
    if not child.tag.startswith(f"{{{_CAC}}}"):
        return True  # cbc: and ext: header elements
    name = etree.QName(child).localname
    if name == "Signature":
        return True  # several cac:Signature may stand in a row
    if before is None:
        return not name.endswith("Party")
    return name in before


def insert_signature_reference(root: etree._Element, element: etree._Element) -> None:
    """Insert ``element`` (a ``cac:Signature``) where the document type's schema wants it."""
    before = CAC_BEFORE_SIGNATURE.get(etree.QName(root).localname)
    children = list(root)
    position = 0
    for index, child in enumerate(children):
        if not _precedes(child, before):
            break
        position = index + 1
    previous = children[position - 1] if position else None
    root.insert(position, element)
    # Keep the document's indentation: the new element gets its predecessor's whitespace.
    element.tail = previous.tail if previous is not None else root.text
