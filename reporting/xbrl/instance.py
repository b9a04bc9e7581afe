"""The XBRL instance of an annual report: contexts, unit, general information and statements."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from lxml import etree

from adapters.ledger import Ledger
from reporting.errors import ReportBuildError
from reporting.xbrl.figures import AnnualFigures, StatementFigures, compute_figures
from reporting.xbrl.mapping import XbrlMapping, load_xbrl_mapping

__all__ = [
    "CONTEXT_DURATION",
    "CONTEXT_INSTANT",
    "CONTEXT_PREVIOUS_INSTANT",
    "NS_LINK",
    "NS_XBRLI",
    "NS_XLINK",
    "CompanyInfo",
    "build_annual_report",
]

NS_XBRLI = "http://www.xbrl.org/2003/instance"
NS_LINK = "http://www.xbrl.org/2003/linkbase"
NS_XLINK = "http://www.w3.org/1999/xlink"
NS_ISO4217 = "http://www.xbrl.org/2003/iso4217"
CONTEXT_DURATION = "c_year"
CONTEXT_INSTANT = "c_end"
CONTEXT_PREVIOUS_INSTANT = "c_start"
UNIT = "DKK"
_CVR = re.compile(r"^[0-9]{8}$")


@dataclass(frozen=True, slots=True)
class CompanyInfo:
    """What the annual report says about the company beyond its figures."""

    cvr: str
    name: str
    approval_date: date | None = None  # the general meeting's approval of the report
    general_meeting_date: date | None = None
    chairman: str | None = None  # chairman of the general meeting
    auditor_assistance: str | None = None  # e.g. "Ingen bistand", "Revisionspåtegning"
    address_street: str | None = None
    address_number: str | None = None
    address_postcode: str | None = None
    address_city: str | None = None


def _qname(mapping: XbrlMapping, qname: str) -> str:
    prefix, _, local = qname.partition(":")
    return f"{{{mapping.namespaces[prefix]}}}{local}"


def _context(root: etree._Element, cid: str, scheme: str, cvr: str, period: tuple) -> None:
    ctx = etree.SubElement(root, f"{{{NS_XBRLI}}}context", id=cid)
    entity = etree.SubElement(ctx, f"{{{NS_XBRLI}}}entity")
    etree.SubElement(entity, f"{{{NS_XBRLI}}}identifier", scheme=scheme).text = cvr
    per = etree.SubElement(ctx, f"{{{NS_XBRLI}}}period")
    if len(period) == 1:
        etree.SubElement(per, f"{{{NS_XBRLI}}}instant").text = period[0].isoformat()
    else:
        etree.SubElement(per, f"{{{NS_XBRLI}}}startDate").text = period[0].isoformat()
        etree.SubElement(per, f"{{{NS_XBRLI}}}endDate").text = period[1].isoformat()


def _facts(
    root: etree._Element,
    mapping: XbrlMapping,
    figures: StatementFigures,
    context: str,
    decimals: int,
    always: set[str],
) -> None:
    for qname, value in figures.values.items():
        if value == 0 and qname not in always:
            continue  # lines without an amount are left out, as in a printed report
        fact = etree.SubElement(
            root,
            _qname(mapping, qname),
            contextRef=context,
            unitRef=UNIT,
            decimals=str(decimals),
        )
        fact.text = f"{value:f}"


def _general(
    root: etree._Element, mapping: XbrlMapping, company: CompanyInfo, start: date, end: date
) -> None:
    items: dict[str, object] = {
        "cvr": company.cvr,
        "name": company.name,
        "period_start": start,
        "period_end": end,
        "approval_date": company.approval_date,
        "general_meeting_date": company.general_meeting_date,
        "chairman": company.chairman,
        "auditor_assistance": company.auditor_assistance,
        "address_street": company.address_street,
        "address_number": company.address_number,
        "address_postcode": company.address_postcode,
        "address_city": company.address_city,
        **mapping.general_values,
    }
    for item, qname in mapping.general.items():
        value = items.get(item)
        if value is None or value == "":
            continue
        text = value.isoformat() if isinstance(value, date) else str(value)
        etree.SubElement(root, _qname(mapping, qname), contextRef=CONTEXT_DURATION).text = text


def instance_from_figures(
    figures: AnnualFigures,
    *,
    company: CompanyInfo,
    start: date,
    end: date,
    mapping: XbrlMapping,
    decimals: int = 0,
) -> bytes:
    """Serialise computed figures as an XBRL instance (UTF-8 bytes)."""
    nsmap = {
        "xbrli": NS_XBRLI,
        "link": NS_LINK,
        "xlink": NS_XLINK,
        "iso4217": NS_ISO4217,
        **mapping.namespaces,
    }
    root = etree.Element(f"{{{NS_XBRLI}}}xbrl", nsmap=nsmap)
    etree.SubElement(
        root,
        f"{{{NS_LINK}}}schemaRef",
        {f"{{{NS_XLINK}}}type": "simple", f"{{{NS_XLINK}}}href": mapping.entry_point},
    )
    scheme = mapping.identifier_scheme
    _context(root, CONTEXT_DURATION, scheme, company.cvr, (start, end))
    _context(root, CONTEXT_INSTANT, scheme, company.cvr, (end,))
    if figures.opening_balance is not None:
        _context(root, CONTEXT_PREVIOUS_INSTANT, scheme, company.cvr, (start - timedelta(1),))
    unit = etree.SubElement(root, f"{{{NS_XBRLI}}}unit", id=UNIT)
    etree.SubElement(unit, f"{{{NS_XBRLI}}}measure").text = "iso4217:DKK"
    _general(root, mapping, company, start, end)
    roots = {mapping.income_root}
    _facts(root, mapping, figures.income, CONTEXT_DURATION, decimals, roots)
    keep = {mapping.assets, mapping.liabilities_and_equity}
    _facts(root, mapping, figures.balance, CONTEXT_INSTANT, decimals, keep)
    if figures.opening_balance is not None:
        _facts(root, mapping, figures.opening_balance, CONTEXT_PREVIOUS_INSTANT, decimals, keep)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_annual_report(
    *,
    ledger: Ledger,
    company: CompanyInfo,
    year: int | None = None,
    mapping: XbrlMapping | None = None,
    decimals: int = 0,
    comparatives: bool = True,
    trial_balance: Mapping[str, Decimal] | None = None,
) -> bytes:
    """The annual report of the ledger's financial year as an XBRL instance.

    ``year`` (a calendar financial year) is checked against the ledger's period;
    without it the ledger's own period is the financial year. Comparatives are
    the opening balance sheet, when the ledger has opening balances. A
    ``trial_balance`` given replaces the one computed from the transactions.
    """
    if not _CVR.match(company.cvr):
        raise ReportBuildError(f"CVR number must be 8 digits, got {company.cvr!r}")
    if ledger.header.currency.upper() != UNIT:
        raise ReportBuildError(f"the report is in DKK; the ledger is in {ledger.header.currency}")
    start, end = ledger.header.period_start, ledger.header.period_end
    if year is not None and (start, end) != (date(year, 1, 1), date(year, 12, 31)):
        raise ReportBuildError(
            f"the ledger covers {start}..{end}, not the financial year {year}", year=year
        )
    chosen = mapping or load_xbrl_mapping()
    figures = compute_figures(
        ledger,
        chosen,
        decimals=decimals,
        comparatives=comparatives,
        trial_balance=trial_balance,
    )
    return instance_from_figures(
        figures, company=company, start=start, end=end, mapping=chosen, decimals=decimals
    )
