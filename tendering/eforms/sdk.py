"""What the eForms SDK says about fields: XPath, XSD order, preset values, mandatory rules.

Read from the installed SDK (``fields/fields.json``, ``notice-types/``), never from a
hand-written list, so a new SDK release changes the notices we write by data alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["Field", "Node", "Sdk", "SubType", "load_sdk"]

SDK_SET = "eforms-sdk-1.15.1"


@dataclass(frozen=True, slots=True)
class Node:
    """An element group of the notice (``ND-Lot``): its relative XPath and XSD positions."""

    id: str
    parent: str | None
    xpath: str
    order: tuple[int, ...]
    repeatable: bool


@dataclass(frozen=True, slots=True)
class Field:
    """One business field (``BT-21-Lot``), or an attribute of one (``BT-21-Lot-Language``)."""

    id: str
    name: str
    parent: str
    xpath: str
    order: tuple[int, ...]
    type: str
    attribute_of: str | None
    attributes: tuple[str, ...]
    preset: str | None
    raw: dict[str, Any]

    def mandatory_for(self, subtype: str) -> bool:
        """Mandatory without a condition for this notice subtype (conditional ones: Schematron)."""
        for c in self.raw.get("mandatory", {}).get("constraints", []):
            if subtype in c.get("noticeTypes", []) and c.get("value") and "condition" not in c:
                return True
        return False

    def forbidden_for(self, subtype: str) -> bool:
        """Forbidden without a condition for this notice subtype."""
        for c in self.raw.get("forbidden", {}).get("constraints", []):
            if subtype in c.get("noticeTypes", []) and c.get("value") and "condition" not in c:
                return True
        return False


@dataclass(frozen=True, slots=True)
class SubType:
    """A notice subtype of ``notice-types.json``: form type, notice type, legal basis."""

    id: str
    document_type: str
    form_type: str
    notice_type: str
    legal_basis: str
    description: str


def _orders(raw: dict[str, Any]) -> tuple[int, ...]:
    return tuple(next(iter(step.values())) for step in raw.get("xsdSequenceOrder", []))


@dataclass(frozen=True, slots=True)
class Sdk:
    """The SDK's fields, nodes and subtypes, by id."""

    version: str
    fields: dict[str, Field]
    nodes: dict[str, Node]
    subtypes: dict[str, SubType]

    def mandatory(self, subtype: str) -> list[Field]:
        """Every field the SDK makes mandatory, unconditionally, for a subtype."""
        return [f for f in self.fields.values() if f.mandatory_for(subtype)]


@cache
def load_sdk(artefacts_dir: Path) -> Sdk:
    """Read the installed SDK once per process."""
    base = Path(artefacts_dir) / SDK_SET
    doc = json.loads((base / "fields" / "fields.json").read_text(encoding="utf-8"))
    nodes = {
        n["id"]: Node(
            n["id"], n.get("parentId"), n["xpathRelative"], _orders(n), bool(n.get("repeatable"))
        )
        for n in doc["xmlStructure"]
    }
    fields = {
        f["id"]: Field(
            id=f["id"],
            name=f.get("name", f["id"]),
            parent=f["parentNodeId"],
            xpath=f["xpathRelative"],
            order=_orders(f),
            type=f.get("type", "text"),
            attribute_of=f.get("attributeOf"),
            attributes=tuple(f.get("attributes", ())),
            preset=f.get("presetValue"),
            raw=f,
        )
        for f in doc["fields"]
    }
    types = json.loads((base / "notice-types" / "notice-types.json").read_text(encoding="utf-8"))
    subtypes = {
        s["subTypeId"]: SubType(
            s["subTypeId"],
            s["documentType"],
            s["formType"],
            s["type"],
            s["legalBasis"],
            s.get("description", ""),
        )
        for s in types["noticeSubTypes"]
    }
    return Sdk(doc["sdkVersion"], fields, nodes, subtypes)
