"""The rules of an official Schematron stylesheet, read from the XSLT the ISO skeleton wrote.

The skeleton turns each Schematron pattern into a mode (``M11``), each rule into
a template in that mode (its ``match`` is the rule context, its ``priority``
the rule order: in one pattern a node belongs to the first rule that matches),
and each assert into ``xsl:choose/xsl:when`` (a report into ``xsl:if``) whose
``test`` is the assert's XPath 2.0 expression.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

__all__ = ["Assert", "Pattern", "Rule", "RuleSetModel", "read_model"]

XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"
_X = f"{{{XSL}}}"
_S = f"{{{SVRL}}}"


@dataclass(slots=True)
class Assert:
    """One assert (``report=False``) or report, with the element that holds it in the XSLT."""

    id: str
    flag: str
    test: str
    report: bool
    text: str
    element: etree._Element = field(repr=False)


@dataclass(slots=True)
class Rule:
    """One rule: its context pattern, its priority within the pattern, its local variables."""

    mode: str
    context: str
    priority: float
    variables: list[tuple[str, str]]  # (name, select) in document order
    asserts: list[Assert]


@dataclass(slots=True)
class Pattern:
    mode: str
    rules: list[Rule]


@dataclass(slots=True)
class RuleSetModel:
    """Namespaces, global variables, functions and patterns of one stylesheet."""

    path: Path
    tree: etree._ElementTree = field(repr=False)
    namespaces: dict[str, str]
    globals: list[tuple[str, str | None]]  # (name, select); None when the body is not a select
    functions: list[str]
    patterns: list[Pattern]


def _attr_child(el: etree._Element, name: str) -> str | None:
    for attr in el.iterchildren(f"{_X}attribute"):
        if attr.get("name") == name:
            return "".join(attr.itertext()).strip()
    return None


def _assert(holder: etree._Element, test: str, report: bool) -> Assert | None:
    tag = f"{_S}successful-report" if report else f"{_S}failed-assert"
    out = next(holder.iter(tag), None)
    if out is None:
        return None
    text_el = out.find(f"{_S}text")
    text = "" if text_el is None else " ".join("".join(text_el.itertext()).split())
    return Assert(
        id=out.get("id") or _attr_child(out, "id") or "",
        flag=(out.get("flag") or _attr_child(out, "flag") or "").strip(),
        test=test,
        report=report,
        text=text,
        element=holder,
    )


def _rule(template: etree._Element) -> Rule:
    variables: list[tuple[str, str]] = []
    asserts: list[Assert] = []
    for child in template:
        if child.tag == f"{_X}variable":
            variables.append((child.get("name") or "", child.get("select") or ""))
        elif child.tag == f"{_X}choose":
            when = child.find(f"{_X}when")
            if when is not None:
                found = _assert(child, when.get("test") or "", report=False)
                if found:
                    asserts.append(found)
        elif child.tag == f"{_X}if":
            found = _assert(child, child.get("test") or "", report=True)
            if found:
                asserts.append(found)
    return Rule(
        mode=template.get("mode") or "",
        context=template.get("match") or "",
        priority=float(template.get("priority") or 0),
        variables=variables,
        asserts=asserts,
    )


def read_model(path: Path) -> RuleSetModel:
    """Read the patterns, rules and asserts of a skeleton-generated stylesheet."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.parse(str(path), parser)
    root = tree.getroot()
    namespaces = {k: v for k, v in root.nsmap.items() if k}
    patterns: dict[str, Pattern] = {}
    globals_: list[tuple[str, str | None]] = []
    functions: list[str] = []
    for child in root:
        if child.tag == f"{_X}variable":
            globals_.append((child.get("name") or "", child.get("select")))
        elif child.tag == f"{_X}function":
            functions.append(child.get("name") or "")
        elif child.tag == f"{_X}template":
            mode = child.get("mode") or ""
            fired = child.find(f"{_S}fired-rule")
            if not mode.startswith("M") or fired is None:
                continue
            patterns.setdefault(mode, Pattern(mode, [])).rules.append(_rule(child))
    for pattern in patterns.values():
        pattern.rules.sort(key=lambda r: -r.priority)
    return RuleSetModel(path, tree, namespaces, globals_, functions, list(patterns.values()))
