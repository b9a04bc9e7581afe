"""Write a notice by the SDK's XPaths: each field lands where ``fields.json`` says, in XSD order.

A step such as ``cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']`` is created with
what its simple predicates demand (here ``cbc:ID schemeName="Lot"``); predicates we
cannot satisfy by construction (``not(...)``) only keep the element apart from its
siblings of the same name. Children are kept sorted by the SDK's ``xsdSequenceOrder``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from lxml import etree

from tendering.eforms.sdk import Field, Sdk

__all__ = ["NS", "ROOT_NS", "NoticeWriter"]

NS: dict[str | None, str] = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
}
ROOT_NS = {
    "CN": ("ContractNotice", "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"),
    "CAN": (
        "ContractAwardNotice",
        "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2",
    ),
    "PIN": (
        "PriorInformationNotice",
        "urn:oasis:names:specification:ubl:schema:xsd:PriorInformationNotice-2",
    ),
}
_SIMPLE = re.compile(r"^([\w:/.-]*?)/?(?:@([\w-]+)|text\(\))?\s*=\s*'([^']*)'$")

Scope = Mapping[str, etree._Element]


def _split(path: str) -> list[str]:
    steps, depth, cur = [], 0, ""
    for ch in path:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "/" and depth == 0:
            steps.append(cur)
            cur = ""
        else:
            cur += ch
    steps.append(cur)
    return [s for s in steps if s]


def _name(step: str) -> tuple[str, list[str]]:
    name, _, rest = step.partition("[")
    preds = re.findall(r"\[([^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*)\]", "[" + rest) if rest else []
    return name, preds


def _qname(prefixed: str) -> str:
    prefix, _, local = prefixed.partition(":")
    return f"{{{NS[prefix]}}}{local}"


class NoticeWriter:
    """Builds one notice tree; ``set`` writes a field in the scope of the given node instances."""

    def __init__(self, sdk: Sdk, document_type: str) -> None:
        self.sdk = sdk
        local, ns = ROOT_NS[document_type]
        nsmap = {None: ns, **NS}
        self.root = etree.Element(f"{{{ns}}}{local}", nsmap=nsmap)
        self._sig: dict[etree._Element, str] = {}
        self._order: dict[etree._Element, int] = {}

    # -- element placement ------------------------------------------------------

    def _insert(self, parent: etree._Element, child: etree._Element, order: int) -> None:
        self._order[child] = order
        for i, sibling in enumerate(parent):
            if self._order.get(sibling, 0) > order:
                parent.insert(i, child)
                return
        parent.append(child)

    def _reorder(self, el: etree._Element, order: int) -> None:
        if self._order.get(el) == order:
            return
        parent = el.getparent()
        assert parent is not None
        parent.remove(el)
        self._insert(parent, el, order)

    def _child(
        self, parent: etree._Element, step: str, order: int, *, new: bool = False
    ) -> etree._Element:
        name, preds = _name(step)
        if not new:
            for el in parent:
                if self._matches(el, step):
                    if order:
                        self._reorder(el, order)
                    return el
        el = etree.Element(_qname(name))
        self._sig[el] = step
        self._insert(parent, el, order)
        for pred in preds:
            self._materialise(el, pred)
        return el

    def _matches(self, el: etree._Element, step: str) -> bool:
        sig = self._sig.get(el)
        if sig == step:
            return True
        name, preds = _name(step)
        # A bare child made for a predicate, and the step a field names it by.
        if sig != name or el.tag != _qname(name) or not preds:
            return False
        return all(self._holds(el, p) for p in preds)

    def _holds(self, el: etree._Element, pred: str) -> bool:
        m = _SIMPLE.match(pred.strip())
        if not m:
            return False
        path, attr, value = m.groups()
        target = el
        for step in _split(path):
            found = next((c for c in target if c.tag == _qname(_name(step)[0])), None)
            if found is None:
                return False
            target = found
        return (target.get(attr) if attr else target.text) == value

    def _materialise(self, el: etree._Element, pred: str) -> None:
        m = _SIMPLE.match(pred.strip())
        if not m:
            return  # e.g. not(...): kept apart by the step's signature alone
        path, attr, value = m.groups()
        if path.startswith("."):
            return  # a condition on the context, not a child to create
        target = el
        for step in _split(path):
            target = self._child(target, step, 0)
        if attr:
            target.set(attr, value)
        else:
            target.text = value

    # -- nodes and fields ---------------------------------------------------------

    def node(
        self, node_id: str, scope: Scope | None = None, *, new: bool = False
    ) -> etree._Element:
        """The element of a node in scope (created when absent, or anew when ``new``)."""
        scope = scope or {}
        if node_id in scope and not new:
            return scope[node_id]
        node = self.sdk.nodes[node_id]
        if node.parent is None:
            return self.root
        parent = self.node(node.parent, scope)
        steps = _split(node.xpath)
        el = parent
        for i, step in enumerate(steps):
            order = node.order[i] if i < len(node.order) else 0
            el = self._child(el, step, order, new=new and i == len(steps) - 1)
        return el

    def set(
        self, field_id: str, value: str, scope: Scope | None = None, **attrs: str
    ) -> etree._Element:
        """Write a field's value (and its preset attributes, plus ``attrs`` by name)."""
        field = self.sdk.fields[field_id]
        el = self.node(field.parent, scope)
        steps = _split(field.xpath)
        attr = steps.pop()[1:] if steps[-1].startswith("@") else None
        for i, step in enumerate(steps):
            order = field.order[i] if i < len(field.order) else 0
            last = i == len(steps) - 1 and attr is None
            el = self._leaf(el, step, order, field) if last else self._child(el, step, order)
        if attr:
            el.set(attr, value)
            return el
        el.text = value
        for attr_id in field.attributes:
            sub = self.sdk.fields[attr_id]
            name = sub.raw.get("attributeName", "")
            if name in attrs:
                el.set(name, attrs[name])
            elif sub.preset is not None:
                el.set(name, sub.preset)
        return el

    def _leaf(self, parent: etree._Element, step: str, order: int, field: Field) -> etree._Element:
        repeatable = bool(field.raw.get("repeatable", {}).get("value"))
        for el in parent:
            if self._matches(el, step) and (el.text is None or not repeatable):
                self._reorder(el, order)
                return el
        return self._child(parent, step, order, new=True)

    def tostring(self) -> bytes:
        """The notice as UTF-8 XML with a declaration."""
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
