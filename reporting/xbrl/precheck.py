"""Fast in-process checks of an annual-report instance, before (or instead of) Arelle.

They catch what a builder bug or a hand-edited file gets wrong, in
milliseconds: well-formedness, the schema reference, contexts and units that
facts point to, the required general information, totals that do not add up
from their parts in documents of the mapping's own entry point (the 2017 taxonomy has
no calculation linkbase; a filing of another structure is not held to the mapping's sums,
and a total printed without all its parts only warns), and a balance sheet that does not
balance.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lxml import etree

from reporting.xbrl.instance import NS_LINK, NS_XBRLI, NS_XLINK
from reporting.xbrl.mapping import Statement, XbrlMapping, load_xbrl_mapping
from schemas import xmlsafe
from schemas.report import Finding, Severity

__all__ = ["REQUIRED_GENERAL", "precheck"]

REQUIRED_GENERAL = ("cvr", "name", "report_type", "period_start", "period_end", "reporting_class")
_X = f"{{{NS_XBRLI}}}"


def _finding(code: str, message: str, location: str = "", severity: Severity = "fatal") -> Finding:
    return Finding(
        rule=f"precheck.{code}",
        severity=severity,
        location=location,
        message=message,
        ruleset="precheck",
    )


def _clark(mapping: XbrlMapping, qname: str) -> str:
    prefix, _, local = qname.partition(":")
    return f"{{{mapping.namespaces.get(prefix, prefix)}}}{local}"


def _contexts(
    root: etree._Element, out: list[Finding], dimensional: set[str]
) -> dict[str, tuple[str, ...]]:
    contexts: dict[str, tuple[str, ...]] = {}
    for ctx in root.iterfind(f"{_X}context"):
        cid = ctx.get("id", "")
        ident = ctx.findtext(f"{_X}entity/{_X}identifier")
        instant = ctx.findtext(f"{_X}period/{_X}instant")
        start = ctx.findtext(f"{_X}period/{_X}startDate")
        end = ctx.findtext(f"{_X}period/{_X}endDate")
        if not ident:
            out.append(_finding("context", f"context {cid} has no entity identifier", cid))
        if ctx.find(f"{_X}scenario") is not None or ctx.find(f"{_X}entity/{_X}segment") is not None:
            # A dimensional context (a board member, one part of the distribution) holds
            # facts of another breakdown: the statements' sums are not about it.
            dimensional.add(cid)
        if instant:
            contexts[cid] = (instant.strip(),)
        elif start and end:
            if start.strip() > end.strip():
                out.append(_finding("context", f"context {cid} ends before it starts", cid))
            contexts[cid] = (start.strip(), end.strip())
        else:
            out.append(_finding("context", f"context {cid} has no valid period", cid))
    return contexts


def _sums(
    statement: Statement,
    facts: dict[tuple[str, str], Decimal],
    mapping: XbrlMapping,
    context_ids: list[str],
    out: list[Finding],
) -> None:
    for cid in context_ids:
        for qname, concept in statement.concepts.items():
            total = facts.get((_clark(mapping, qname), cid))
            if total is None or not concept.is_total:
                continue
            # A total printed without all its parts may have been aggregated otherwise (a
            # class B report may start at gross profit): then a difference is only a warning.
            partial = any((_clark(mapping, p), cid) not in facts for _, p in concept.parts)
            parts = sum(
                (
                    sign * facts.get((_clark(mapping, p), cid), Decimal(0))
                    for sign, p in concept.parts
                ),
                Decimal(0),
            )
            if parts != total:
                out.append(
                    _finding(
                        "calc",
                        f"{qname} is {total} but its parts add up to {parts}"
                        + (" (parts not reported count as 0)" if partial else ""),
                        f"{qname}@{cid}",
                        severity="warning" if partial else "fatal",
                    )
                )


def precheck(xml: bytes, *, mapping: XbrlMapping | None = None) -> list[Finding]:
    """Findings of the fast checks; an empty list means the instance passed them all."""
    m = mapping or load_xbrl_mapping()
    out: list[Finding] = []
    try:
        root = xmlsafe.parse(xml).getroot()
    except xmlsafe.XmlError as exc:
        return [_finding("xml", exc.detail)]
    if root.tag != f"{_X}xbrl":
        return [_finding("root", f"the root element is {root.tag}, not xbrli:xbrl")]
    refs = [r.get(f"{{{NS_XLINK}}}href") for r in root.iterfind(f"{{{NS_LINK}}}schemaRef")]
    if not refs:
        out.append(_finding("schemaRef", "no link:schemaRef: the taxonomy is not named"))
    elif m.entry_point not in refs:
        out.append(
            _finding("schemaRef", f"schemaRef {refs[0]} is not {m.entry_point}", severity="warning")
        )
    dimensional: set[str] = set()
    contexts = _contexts(root, out, dimensional)
    units = {u.get("id", "") for u in root.iterfind(f"{_X}unit")}
    identifiers = {
        (i.text or "").strip() for i in root.iterfind(f"{_X}context/{_X}entity/{_X}identifier")
    }
    facts: dict[tuple[str, str], Decimal] = {}
    texts: dict[str, str] = {}
    for el in root:
        if not isinstance(el.tag, str) or el.tag.startswith(("{" + NS_XBRLI, "{" + NS_LINK)):
            continue
        local = etree.QName(el).localname
        cid = el.get("contextRef")
        if cid not in contexts:
            out.append(_finding("fact", f"{local} refers to a missing context {cid}", local))
            continue
        texts.setdefault(el.tag, (el.text or "").strip())
        unit = el.get("unitRef")
        if unit is None:
            continue
        if unit not in units:
            out.append(_finding("unit", f"{local} refers to a missing unit {unit}", local))
        if el.get("decimals") is None and el.get("precision") is None:
            out.append(_finding("fact", f"{local} has neither decimals nor precision", local))
        try:
            value = Decimal((el.text or "").strip())
        except InvalidOperation:
            out.append(_finding("fact", f"{local} is not a number: {el.text!r}", local))
            continue
        key = (el.tag, cid)
        if key in facts and facts[key] != value:
            out.append(_finding("fact", f"{local} is reported twice with different values", local))
        facts[key] = value
    for item in REQUIRED_GENERAL:
        qname = m.general.get(item)
        if qname and not texts.get(_clark(m, qname)):
            out.append(_finding("required", f"{qname} ({item}) must be reported", qname))
    cvr = texts.get(_clark(m, m.general.get("cvr", "")), "")
    if cvr and identifiers and identifiers != {cvr}:
        out.append(_finding("cvr", f"the contexts identify {sorted(identifiers)}, not CVR {cvr}"))
    durations = [c for c, p in contexts.items() if len(p) == 2 and c not in dimensional]
    instants = [c for c, p in contexts.items() if len(p) == 1 and c not in dimensional]
    start, end = (
        texts.get(_clark(m, m.general.get(k, ""))) for k in ("period_start", "period_end")
    )
    if start and end and durations and all(contexts[c] != (start, end) for c in durations):
        out.append(_finding("period", f"no context covers the reporting period {start}..{end}"))
    if not refs or m.entry_point in refs:
        # The sums are the mapping's structure: they bind documents of its entry point only
        # (the taxonomy itself has no calculation linkbase to say more).
        _sums(m.income, facts, m, durations, out)
        _sums(m.balance, facts, m, instants, out)
    for cid in instants:
        assets = facts.get((_clark(m, m.assets), cid))
        other = facts.get((_clark(m, m.liabilities_and_equity), cid))
        if assets is not None and other is not None and assets != other:
            out.append(
                _finding(
                    "balance",
                    f"assets {assets} differ from liabilities and equity {other} at {contexts[cid][0]}",
                    cid,
                )
            )
    if durations and not any((_clark(m, m.income_root), c) in facts for c in durations):
        out.append(_finding("required", f"{m.income_root} (the year's result) must be reported"))
    return out
