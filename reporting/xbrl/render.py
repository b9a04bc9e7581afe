"""The XBRL instance of a :class:`Filing`, and the contexts and units both renderings share.

:mod:`reporting.xbrl.inline` renders the same filing as Inline XBRL.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from reporting.xbrl.filing import PURE, Context, Filing

__all__ = ["nsmap", "resources", "schema_ref", "to_xbrl"]

NS_XBRLI = "http://www.xbrl.org/2003/instance"
NS_LINK = "http://www.xbrl.org/2003/linkbase"
NS_XLINK = "http://www.w3.org/1999/xlink"
NS_ISO4217 = "http://www.xbrl.org/2003/iso4217"
NS_XBRLDI = "http://xbrl.org/2006/xbrldi"
_X = f"{{{NS_XBRLI}}}"


def nsmap(filing: Filing) -> dict[str | None, str]:
    out: dict[str | None, str] = {
        "xbrli": NS_XBRLI,
        "link": NS_LINK,
        "xlink": NS_XLINK,
        "iso4217": NS_ISO4217,
        "xbrldi": NS_XBRLDI,
    }
    out.update(filing.mapping.namespaces)
    return out


def _clark(filing: Filing, qname: str) -> str:
    prefix, _, local = qname.partition(":")
    return f"{{{filing.mapping.namespaces[prefix]}}}{local}"


def schema_ref(parent: etree._Element, filing: Filing) -> None:
    etree.SubElement(
        parent,
        f"{{{NS_LINK}}}schemaRef",
        {f"{{{NS_XLINK}}}type": "simple", f"{{{NS_XLINK}}}href": filing.mapping.entry_point},
    )


def _context(parent: etree._Element, filing: Filing, c: Context) -> None:
    ctx = etree.SubElement(parent, f"{_X}context", id=c.id)
    entity = etree.SubElement(ctx, f"{_X}entity")
    etree.SubElement(
        entity, f"{_X}identifier", scheme=filing.mapping.identifier_scheme
    ).text = filing.profile.cvr
    period = etree.SubElement(ctx, f"{_X}period")
    if c.start is None:
        etree.SubElement(period, f"{_X}instant").text = c.end.isoformat()
    else:
        etree.SubElement(period, f"{_X}startDate").text = c.start.isoformat()
        etree.SubElement(period, f"{_X}endDate").text = c.end.isoformat()
    if c.dimensional:
        scenario = etree.SubElement(ctx, f"{_X}scenario")
        for dimension, member in c.explicit:
            etree.SubElement(
                scenario, f"{{{NS_XBRLDI}}}explicitMember", dimension=dimension
            ).text = member
        for dimension, domain, value in c.typed:
            typed = etree.SubElement(scenario, f"{{{NS_XBRLDI}}}typedMember", dimension=dimension)
            etree.SubElement(typed, _clark(filing, domain)).text = value


def resources(parent: etree._Element, filing: Filing) -> None:
    for c in filing.contexts.values():
        _context(parent, filing, c)
    for unit in sorted(filing.units):
        u = etree.SubElement(parent, f"{_X}unit", id=unit)
        measure = "xbrli:pure" if unit == PURE else f"iso4217:{unit}"
        etree.SubElement(u, f"{_X}measure").text = measure


def _plain(value: Decimal | str | date) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value


def to_xbrl(filing: Filing) -> bytes:
    """The filing as an XBRL 2.1 instance (UTF-8)."""
    root = etree.Element(f"{_X}xbrl", nsmap=nsmap(filing))
    schema_ref(root, filing)
    resources(root, filing)
    for fact in filing.facts:
        el = etree.SubElement(root, _clark(filing, fact.concept), contextRef=fact.context)
        if fact.numeric:
            el.set("unitRef", fact.unit or "")
            el.set("decimals", str(fact.decimals if fact.decimals is not None else 0))
        elif isinstance(fact.value, str):
            el.set("{http://www.w3.org/XML/1998/namespace}lang", "da")
        el.text = _plain(fact.value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
