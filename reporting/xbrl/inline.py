"""A :class:`Filing` as one Inline XBRL 1.1 document: the report a person reads, tagged.

Danish text, amounts in Danish notation (1.234.567), dates as 31.12.2025, this
year beside the year before. Every fact is tagged where it is printed; what a
printed report does not show (the report type, the class) sits in
``ix:hidden``. The Business Authority takes this document in place of XBRL + PDF.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from reporting.xbrl.filing import D0, D1, I0, I1, Fact, Filing, Section
from reporting.xbrl.render import nsmap, resources, schema_ref

__all__ = ["NS_IX", "NS_XHTML", "to_ixbrl"]

NS_XHTML = "http://www.w3.org/1999/xhtml"
NS_IX = "http://www.xbrl.org/2013/inlineXBRL"
NS_IXT = "http://www.xbrl.org/inlineXBRL/transformation/2020-02-12"  # Transformation Registry 4
_H, _IX = f"{{{NS_XHTML}}}", f"{{{NS_IX}}}"
_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_CSS = """
body { font-family: Georgia, serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       color: #111; line-height: 1.45; }
h1, h2 { font-family: Helvetica, Arial, sans-serif; }
h2 { margin-top: 2.5rem; border-bottom: 1px solid #888; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { padding: 0.15rem 0.4rem; text-align: left; font-weight: normal; }
thead th { font-weight: bold; }
td.amount, th.amount { text-align: right; white-space: nowrap; width: 8rem; }
tr.total th, tr.total td { font-weight: bold; border-top: 1px solid #111; }
table.info th { font-weight: bold; width: 14rem; vertical-align: top; }
.signature { margin-top: 1.5rem; }
"""

_HIDDEN = {
    "gsd:AddressOfSubmittingEnterpriseStreetAndNumber",
    "gsd:AddressOfSubmittingEnterprisePostcodeAndTown",
    "fsa:ClassOfReportingEntity",
    "gsd:InformationOnTypeOfSubmittedReport",
    "gsd:PrecedingReportingPeriodStartDate",
    "gsd:PredingReportingPeriodEndDate",
}
_ADDRESS = (
    "gsd:AddressOfReportingEntityStreetName",
    "gsd:AddressOfReportingEntityStreetBuildingIdentifier",
    "gsd:AddressOfReportingEntityPostCodeIdentifier",
    "gsd:AddressOfReportingEntityDistrictName",
)
# Short headings for the company information a reader expects on page one.
_GENERAL_LABELS = {
    "gsd:DateOfFoundationOfReportingEntity": "Stiftet",
    "gsd:EmailOfReportingEntity": "E-mail",
    "gsd:HomepageOfReportingEntity": "Hjemmeside",
    "gsd:DateOfGeneralMeeting": "Generalforsamling",
    "gsd:NameAndSurnameOfChairmanOfGeneralMeeting": "Dirigent",
    "gsd:DateOfApprovalOfReport": "Godkendt på generalforsamlingen",
    "cmn:TypeOfAuditorAssistance": "Revisorbistand",
}


def _number(value: Decimal, decimals: int) -> str:
    text = f"{abs(value):,.{max(decimals, 0)}f}"
    whole, _, frac = text.partition(".")
    whole = whole.replace(",", ".")
    return f"{whole},{frac}" if frac else whole


def _date(value: date) -> str:
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


def _h(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{_H}{tag}", **attrs)
    if text is not None:
        el.text = text
    return el


def _after(parent: etree._Element, text: str) -> None:
    """Append text after the last child (or as the element's text)."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _tag(parent: etree._Element, fact: Fact) -> etree._Element:
    """The inline element of one fact, in its printed form, appended to ``parent``."""
    if fact.numeric:
        assert isinstance(fact.value, Decimal)
        if fact.value < 0:
            _after(parent, "-")  # ix:nonFraction holds the magnitude; the sign is printed
        el = etree.SubElement(
            parent,
            f"{_IX}nonFraction",
            name=fact.concept,
            contextRef=fact.context,
            unitRef=fact.unit or "",
            decimals=str(fact.decimals or 0),
            format="ixt:num-comma-decimal",
        )
        if fact.value < 0:
            el.set("sign", "-")
        el.text = _number(fact.value, fact.decimals or 0)
        return el
    el = etree.SubElement(parent, f"{_IX}nonNumeric", name=fact.concept, contextRef=fact.context)
    if not isinstance(fact.value, date):
        el.set(_LANG, "da")  # filing rule FR81: the report states its language
    if isinstance(fact.value, date):
        el.set("format", "ixt:date-day-month-year")
        el.text = _date(fact.value)
        return el
    paragraphs = [p.strip() for p in str(fact.value).split("\n\n") if p.strip()]
    if len(paragraphs) <= 1:
        el.text = str(fact.value)
        return el
    for n, para in enumerate(paragraphs):
        p = _h(el, "p", para)
        # The fact's value is the element's text: the breaks between paragraphs stay in it.
        p.tail = "\n\n" if n < len(paragraphs) - 1 else None
    return el


def _label(filing: Filing, concept: str) -> str:
    """The taxonomy's Danish label; the concept's words where the package has none."""
    if concept in filing.labels:
        return filing.labels[concept]
    words: list[str] = []
    for ch in concept.partition(":")[2]:
        if ch.isupper() and words:
            words.append(" ")
        words.append(ch)
    return "".join(words).capitalize()


def _year_label(start: date, end: date) -> str:
    return (
        str(end.year)
        if (start.month, start.day) == (1, 1)
        else f"{start.year}/{end.year % 100:02d}"
    )


def _part(body: etree._Element, key: str, title: str) -> etree._Element:
    div = _h(body, "div", id=key, **{"class": "part"})
    _h(div, "h2", title)
    return div


def _cover(body: etree._Element, filing: Filing, facts: dict[str, Fact]) -> None:
    cover = _h(body, "div", id="cover")
    _h(cover, "h1", "Årsrapport")
    name = _h(cover, "p")
    _tag(_h(name, "strong"), facts["gsd:NameOfReportingEntity"])
    cvr = _h(cover, "p", "CVR-nr. ")
    _tag(cvr, facts["gsd:IdentificationNumberCvrOfReportingEntity"])
    period = _h(cover, "p", "Regnskabsår ")
    _tag(period, facts["gsd:ReportingPeriodStartDate"])
    _after(period, " – ")
    _tag(period, facts["gsd:ReportingPeriodEndDate"])


def _company(body: etree._Element, filing: Filing, facts: dict[str, Fact]) -> None:
    div = _part(body, "general", "Selskabsoplysninger")
    rows = _h(_h(div, "table", **{"class": "info"}), "tbody")

    def row(label: str) -> etree._Element:
        tr = _h(rows, "tr")
        _h(tr, "th", label, scope="row")
        return _h(tr, "td")

    row("Selskab").text = filing.profile.name  # tagged once, on the cover (filing rule TM22)
    address = [facts[c] for c in _ADDRESS if c in facts]
    if address:
        cell = row("Adresse")
        for n, fact in enumerate(address):
            if n:
                _after(cell, ", " if fact.concept.endswith("PostCodeIdentifier") else " ")
            _tag(cell, fact)
    for concept, label in _GENERAL_LABELS.items():
        if concept in facts:
            _tag(row(label), facts[concept])
    board = [f for f in filing.section("management").facts if f.concept.startswith("cmn:")]
    if board:
        _people(row("Direktion"), board)


def _people(parent: etree._Element, board: list[Fact]) -> None:
    for fact in board:
        if fact.concept.endswith("NameAndSurnameOfMemberOfExecutiveBoard"):
            if len(parent):
                _h(parent, "br")
            _tag(parent, fact)
        else:
            _after(parent, ", ")
            _tag(parent, fact)


def _signature(div: etree._Element, filing: Filing) -> None:
    mgmt = filing.section("management").facts
    place = next((f for f in mgmt if f.concept == "sob:PlaceOfSignatureOfStatement"), None)
    when = next((f for f in mgmt if f.concept == "sob:DateOfApprovalOfAnnualReport"), None)
    sign = _h(div, "p", **{"class": "signature"})
    if place is not None:
        _tag(sign, place)
    if when is not None:
        _after(sign, ", den ")
        _tag(sign, when)
    board = [f for f in mgmt if f.concept.startswith("cmn:")]
    if board:
        _people(_h(div, "p", "Direktion: "), board)


def _texts(body: etree._Element, filing: Filing, section: Section) -> None:
    if not section.facts and section.key != "statement":
        return
    div = _part(body, section.key, section.title)
    for fact in section.facts:
        holder = _h(div, "div")
        _tag(holder if "\n\n" in str(fact.value) else _h(holder, "p"), fact)
    if section.key == "statement":
        _signature(div, filing)


def _statement(
    body: etree._Element, filing: Filing, section: Section, now: str, before: str
) -> None:
    div = _part(body, section.key, section.title)
    table = _h(div, "table")
    head = _h(_h(table, "thead"), "tr")
    _h(head, "th", "", scope="col")
    income = section.key == "income"
    columns = [now] + ([before] if before in filing.contexts else [])
    for cid in columns:
        ctx = filing.contexts[cid]
        title = _year_label(ctx.start, ctx.end) if income and ctx.start else _date(ctx.end)
        _h(head, "th", title, scope="col", **{"class": "amount"})
    statement = filing.mapping.income if income else filing.mapping.balance
    rows = _h(table, "tbody")
    by_concept: dict[str, dict[str, Fact]] = {}
    for fact in section.facts:
        by_concept.setdefault(fact.concept, {})[fact.context] = fact
    for concept, facts in by_concept.items():
        total = concept in statement.concepts and statement.concepts[concept].is_total
        tr = _h(rows, "tr", **({"class": "total"} if total else {}))
        _h(tr, "th", _label(filing, concept), scope="row")
        for cid in columns:
            td = _h(tr, "td", **{"class": "amount"})
            if cid in facts:
                _tag(td, facts[cid])


def _distribution(body: etree._Element, filing: Filing, section: Section) -> None:
    if not section.facts:
        return
    div = _part(body, section.key, section.title)
    table = _h(div, "table")
    for fact in section.facts:
        tr = _h(table, "tr")
        member = filing.contexts[fact.context].explicit[0][1]
        _h(tr, "th", _label(filing, member), scope="row")
        _tag(_h(tr, "td", **{"class": "amount"}), fact)


def _notes(body: etree._Element, filing: Filing, section: Section) -> None:
    if not section.facts:
        return
    div = _part(body, section.key, section.title)
    for n, fact in enumerate(section.facts, start=1):
        _h(div, "h3", f"{n}. {_label(filing, fact.concept)}")
        holder = _h(div, "div")
        _tag(holder if "\n\n" in str(fact.value) else _h(holder, "p"), fact)


def to_ixbrl(filing: Filing) -> bytes:
    """The filing as one Inline XBRL 1.1 XHTML document (UTF-8)."""
    html = etree.Element(
        f"{_H}html", nsmap={None: NS_XHTML, "ix": NS_IX, "ixt": NS_IXT, **nsmap(filing)}
    )
    html.set(_LANG, "da")
    head = _h(html, "head")
    _h(head, "meta", **{"http-equiv": "Content-Type", "content": "text/html; charset=UTF-8"})
    _h(head, "title", f"Årsrapport {_year_label(filing.start, filing.end)} – {filing.profile.name}")
    _h(head, "style", _CSS, type="text/css")
    body = _h(html, "body")
    header = etree.SubElement(_h(body, "div", style="display:none"), f"{_IX}header")
    hidden = etree.SubElement(header, f"{_IX}hidden")
    schema_ref(etree.SubElement(header, f"{_IX}references"), filing)
    resources(etree.SubElement(header, f"{_IX}resources"), filing)
    general = {f.concept: f for f in filing.section("general").facts}
    for concept in _HIDDEN:
        if concept in general:
            _tag(hidden, general[concept])
    _cover(body, filing, general)
    _company(body, filing, general)
    for section in filing.sections:
        if section.key in ("general", "management"):
            continue
        if section.key == "income":
            _statement(body, filing, section, D0, D1)
        elif section.key == "balance":
            _statement(body, filing, section, I0, I1)
        elif section.key == "distribution":
            _distribution(body, filing, section)
        elif section.key == "notes":
            _notes(body, filing, section)
        else:
            _texts(body, filing, section)
    return etree.tostring(html, xml_declaration=True, encoding="UTF-8")
