"""One model of a complete annual report: contexts, units and facts, in reading order.

The XBRL instance and the Inline XBRL document are two renderings of the same
:class:`Filing`; neither computes anything. Figures come from
:func:`compute_figures` (this year, and the prior year when its ledger is
stored); texts from the company profile; concepts from the mapping file, so a
newer taxonomy is a new mapping, not new code.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from reporting.xbrl.figures import AnnualFigures, StatementFigures
from reporting.xbrl.mapping import XbrlMapping
from reporting.xbrl.profile import CompanyProfile, resolved_texts

__all__ = ["Context", "Fact", "Filing", "Section", "build_filing"]

# Contexts: this year (duration, closing instant) and the year before.
D0, I0, D1, I1 = "c_year", "c_end", "c_prev_year", "c_start"
DKK, PURE = "DKK", "pure"

# Text sections: (profile text key, concept). Namespaces are the mapping's.
_MANAGEMENT_REVIEW = (
    ("primary_activities", "mrv:DescriptionOfPrimaryActivitiesOfEntity"),
    ("development", "mrv:DescriptionOfDevelopmentInActivitiesAndFinancialAffairs"),
    ("events_after", "mrv:DescriptionOfSignificantEventsOccurringAfterEndOfReportingPeriod"),
)
_STATEMENT = (
    ("statement_by_management", "sob:StatementByExecutiveAndSupervisoryBoards"),
    ("audit_exemption", "sob:ConfirmationThatFinancialStatementsAreExemptedFromAuditing"),
)
_NOTES = (
    ("contingent_liabilities", "fsa:DisclosureOfContingentLiabilities"),
    ("security", "fsa:DisclosureOfCollateralsAndAssetsPledgesAsSecurity"),
    ("related_parties", "fsa:DisclosureOfRelatedParties"),
)
_BOARD_DIM = "cmn:IdentificationOfMemberOfExecutiveBoardDimension"
_BOARD_ID = "cmn:memberOfBoardIdentifier"
_DISTRIBUTION_DIM = "fsa:ResultDistributionDimension"


@dataclass(frozen=True, slots=True)
class Context:
    id: str
    end: date
    start: date | None = None  # None: an instant
    typed: tuple[tuple[str, str, str], ...] = ()  # (dimension, domain element, value)
    explicit: tuple[tuple[str, str], ...] = ()  # (dimension, member)

    @property
    def dimensional(self) -> bool:
        return bool(self.typed or self.explicit)


@dataclass(frozen=True, slots=True)
class Fact:
    concept: str
    context: str
    value: Decimal | str | date
    unit: str | None = None
    decimals: int | None = None

    @property
    def numeric(self) -> bool:
        return self.unit is not None


@dataclass
class Section:
    """A part of the printed report; ``facts`` in the order a reader meets them."""

    key: str
    title: str
    facts: list[Fact] = field(default_factory=list)


@dataclass
class Filing:
    mapping: XbrlMapping
    profile: CompanyProfile
    start: date
    end: date
    prior: tuple[date, date] | None
    figures: AnnualFigures
    prior_figures: AnnualFigures | None
    decimals: int
    contexts: dict[str, Context] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # concept -> Danish label

    @property
    def facts(self) -> list[Fact]:
        return [f for s in self.sections for f in s.facts]

    @property
    def units(self) -> set[str]:
        return {f.unit for f in self.facts if f.unit}

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def build_filing(
    *,
    figures: AnnualFigures,
    profile: CompanyProfile,
    start: date,
    end: date,
    mapping: XbrlMapping,
    prior_figures: AnnualFigures | None = None,
    prior: tuple[date, date] | None = None,
    decimals: int = 0,
    labels: dict[str, str] | None = None,
) -> Filing:
    """The complete class B report of one financial year (and its comparatives)."""
    figures = _with_dividend(figures, mapping, profile.proposed_dividend, decimals)
    f = Filing(mapping, profile, start, end, prior, figures, prior_figures, decimals)
    f.labels = dict(labels or {})
    f.contexts[D0] = Context(D0, end, start)
    f.contexts[I0] = Context(I0, end)
    comparative_balance = (
        prior_figures.balance if prior_figures is not None else figures.opening_balance
    )
    if comparative_balance is not None:
        f.contexts[I1] = Context(I1, start - timedelta(days=1))
    if prior_figures is not None and prior is not None:
        f.contexts[D1] = Context(D1, prior[1], prior[0])
    texts = resolved_texts(profile, start=start, end=end)
    f.sections = [
        _general(f),
        _management(f),
        _texts(f, "statement", "Ledelsespåtegning", _STATEMENT, texts),
        _auditor(f, texts),
        _texts(f, "review", "Ledelsesberetning", _MANAGEMENT_REVIEW, texts),
        _texts(
            f,
            "policies",
            "Anvendt regnskabspraksis",
            (("accounting_policies", "fsa:DisclosureOfAccountingPolicies"),),
            texts,
        ),
        _statement(
            f,
            "income",
            "Resultatopgørelse",
            figures.income,
            D0,
            prior_figures.income if prior_figures is not None else None,
            D1,
            {mapping.income_root},
        ),
        _statement(
            f,
            "balance",
            "Balance",
            figures.balance,
            I0,
            comparative_balance,
            I1,
            {mapping.assets, mapping.liabilities_and_equity},
        ),
        _distribution(f),
        _notes(f, texts),
    ]
    return f


_DIVIDEND = "fsa:ProposedDividendRecognisedInEquity"


def _with_dividend(
    figures: AnnualFigures, mapping: XbrlMapping, dividend: Decimal, decimals: int
) -> AnnualFigures:
    """A proposed dividend is shown in equity apart from the retained earnings."""
    amount = dividend.quantize(Decimal(1).scaleb(-decimals))
    if not amount or _DIVIDEND not in mapping.balance.concepts:
        return figures
    values = dict(figures.balance.values)
    values[mapping.profit_to] = values.get(mapping.profit_to, Decimal(0)) - amount
    values[_DIVIDEND] = values.get(_DIVIDEND, Decimal(0)) + amount
    return replace(figures, balance=StatementFigures(values, figures.balance.sources))


def _general(f: Filing) -> Section:
    p, m = f.profile, f.mapping
    s = Section("general", "Selskabsoplysninger")
    values: dict[str, object] = {
        "cvr": p.cvr,
        "name": p.name,
        "period_start": f.start,
        "period_end": f.end,
        "approval_date": p.approval_date,
        "general_meeting_date": p.general_meeting_date,
        "chairman": p.chairman,
        "auditor_assistance": p.auditor.assistance,
        "address_street": p.street,
        "address_number": p.number,
        "address_postcode": p.postcode,
        "address_city": p.city,
        "email": p.email,
        "homepage": p.homepage,
        "founded": p.founded,
        "bookkeeping_system": p.bookkeeping_system,
        # The submitting enterprise is the company itself unless an accountant files for it.
        "submitter_street": " ".join(x for x in (p.street, p.number) if x) or None,
        "submitter_town": " ".join(x for x in (p.postcode, p.city) if x) or None,
        "prior_start": f.prior[0] if f.prior else None,
        "prior_end": f.prior[1] if f.prior else None,
        **m.general_values,
    }
    for item, concept in m.general.items():
        value = values.get(item)
        if value is not None and value != "":
            s.facts.append(Fact(concept, D0, value if isinstance(value, date) else str(value)))
    return s


def _management(f: Filing) -> Section:
    s = Section("management", "Direktion")
    for n, person in enumerate(f.profile.management, start=1):
        cid = f"c_board_{n}"
        f.contexts[cid] = Context(cid, f.end, f.start, typed=((_BOARD_DIM, _BOARD_ID, str(n)),))
        s.facts.append(Fact("cmn:NameAndSurnameOfMemberOfExecutiveBoard", cid, person.name))
        if person.title:
            s.facts.append(Fact("cmn:TitleOfMemberOfExecutiveBoard", cid, person.title))
    if f.profile.place_of_signature:
        s.facts.append(Fact("sob:PlaceOfSignatureOfStatement", D0, f.profile.place_of_signature))
    if f.profile.approval_date:
        s.facts.append(Fact("sob:DateOfApprovalOfAnnualReport", D0, f.profile.approval_date))
    return s


def _texts(
    f: Filing,
    key: str,
    title: str,
    items: tuple[tuple[str, str], ...],
    texts: dict[str, str],
) -> Section:
    s = Section(key, title)
    for text_key, concept in items:
        if texts.get(text_key):
            s.facts.append(Fact(concept, D0, texts[text_key]))
    return s


def _auditor(f: Filing, texts: dict[str, str]) -> Section:
    a = f.profile.auditor
    if not f.profile.audited:
        return Section("auditor", "Revisors erklæring")  # the exemption is in the statement
    s = Section("auditor", "Den uafhængige revisors erklæring")
    if texts.get("auditor_report"):
        s.facts.append(Fact("arr:OpinionOnAuditedFinancialStatements", D0, texts["auditor_report"]))
    for concept, value in (
        ("cmn:NameOfAuditFirm", a.firm),
        ("cmn:IdentificationNumberCvrOfAuditFirm", a.firm_cvr),
        ("cmn:NameAndSurnameOfAuditor", a.name),
        ("arr:SignatureOfAuditorsPlace", a.place),
        ("arr:SignatureOfAuditorsDate", a.date),
    ):
        if value:
            s.facts.append(Fact(concept, D0, value))
    return s


def _statement(
    f: Filing,
    key: str,
    title: str,
    current: StatementFigures,
    context: str,
    comparative: StatementFigures | None,
    comparative_context: str,
    always: set[str],
) -> Section:
    s = Section(key, title)
    for qname, value in current.values.items():
        before = comparative.values.get(qname) if comparative is not None else None
        if value == 0 and not before and qname not in always:
            continue  # a line with no amount in either year is left out, as in print
        s.facts.append(Fact(qname, context, value, DKK, f.decimals))
        if comparative is not None and (before or qname in always):
            s.facts.append(Fact(qname, comparative_context, before or Decimal(0), DKK, f.decimals))
    return s


def _distribution(f: Filing) -> Section:
    """The proposed distribution of the result: dividend, the rest to retained earnings."""
    s = Section("distribution", "Forslag til resultatdisponering")
    result = f.figures.income.values.get(f.mapping.income_root, Decimal(0))
    dividend = f.profile.proposed_dividend.quantize(Decimal(1).scaleb(-f.decimals))
    parts = (
        ("fsa:ProposedDividendRecognisedInEquityMember", dividend),
        ("fsa:RetainedEarningsMember", result - dividend),
    )
    for member, amount in parts:
        if not amount:
            continue
        cid = f"c_dist_{member.partition(':')[2]}"
        f.contexts[cid] = Context(cid, f.end, f.start, explicit=((_DISTRIBUTION_DIM, member),))
        s.facts.append(Fact(f.mapping.income_root, cid, amount, DKK, f.decimals))
    return s


def _notes(f: Filing, texts: dict[str, str]) -> Section:
    s = Section("notes", "Noter")
    if f.profile.average_employees is not None:
        s.facts.append(
            Fact("fsa:AverageNumberOfEmployees", D0, f.profile.average_employees, PURE, 0)
        )
    for text_key, concept in _NOTES:
        if texts.get(text_key):
            s.facts.append(Fact(concept, D0, texts[text_key]))
    return s
