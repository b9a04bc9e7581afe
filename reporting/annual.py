"""The annual report of one financial year, from the stored ledgers and the company profile.

The financial year is the stored ledger's own period (calendar or not, a first
year longer or shorter than twelve months); ``year`` names the year it ends in.
The year before is the stored ledger that ends the day before it starts: its
figures are the comparatives. Without it the balance sheet's comparatives are
the opening balances and the income statement has none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import extract
from sqlalchemy.orm import Session

from adapters.ledger import Ledger
from adapters.models import LedgerVersion
from adapters.repository import LedgerRepository
from adapters.service import load_ledger
from gateway.errors import NotFound
from reporting.errors import ReportBuildError, ReportValidationUnavailable
from reporting.xbrl import compute_figures, load_xbrl_mapping
from reporting.xbrl.figures import AnnualFigures
from reporting.xbrl.filing import Filing, build_filing
from reporting.xbrl.inline import to_ixbrl
from reporting.xbrl.mapping import XbrlMapping
from reporting.xbrl.profile import CompanyProfile, parse_profile
from reporting.xbrl.render import to_xbrl
from reporting.xbrl.taxonomy import read_labels, unknown_concepts

__all__ = ["FORMATS", "AnnualDocument", "annual_document", "profile_from_request"]

Format = Literal["xbrl", "ixbrl"]
FORMATS: tuple[Format, ...] = ("xbrl", "ixbrl")
MEDIA_TYPES = {"xbrl": "application/xml", "ixbrl": "application/xhtml+xml"}
ZERO = Decimal("0")

# The flat company fields the first API took, and where they live in a profile now.
_FLAT = {
    "approval_date": ("report", "approval_date"),
    "general_meeting_date": ("report", "general_meeting_date"),
    "chairman": ("report", "chairman"),
    "auditor_assistance": ("auditor", "assistance"),
    "address_street": ("company", "street"),
    "address_number": ("company", "number"),
    "address_postcode": ("company", "postcode"),
    "address_city": ("company", "city"),
}


@dataclass(frozen=True)
class AnnualDocument:
    version: LedgerVersion
    prior_version: LedgerVersion | None
    filing: Filing
    format: Format
    document: bytes  # the filing in the asked format
    instance: bytes  # the same facts as an XBRL instance (what the pre-check reads)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


def profile_from_request(data: dict[str, Any] | None, *, cvr: str, name: str) -> CompanyProfile:
    """A profile from the request: sectioned like the profile file, or the older flat fields."""
    raw = dict(data or {})
    sectioned: dict[str, Any] = {
        k: raw.pop(k) for k in ("company", "report", "management", "auditor", "texts") if k in raw
    }
    for key in list(raw):
        if key in _FLAT:
            section, field = _FLAT[key]
            sectioned.setdefault(section, {})[field] = raw.pop(key)
    if raw:
        raise ReportBuildError(f"unknown company fields: {', '.join(sorted(raw))}")
    return parse_profile(sectioned, cvr=cvr, name=name, source="company")


def financial_year(session: Session, organisation_id: str, year: int) -> LedgerVersion:
    """The newest stored ledger whose period ends in ``year``."""
    repo = LedgerRepository(session, organisation_id)
    stmt = (
        repo.scoped()
        .where(extract("year", LedgerVersion.period_end) == year)
        .order_by(LedgerVersion.created_at.desc(), LedgerVersion.version.desc())
    )
    found = session.scalars(stmt.limit(1)).first()
    if found is None:
        raise NotFound(
            f"no imported ledger has a financial year ending in {year}; import the books of "
            "that year first (any period: a July-June year ending in "
            f"{year} counts as {year})"
        )
    return found


def _prior(session: Session, organisation_id: str, version: LedgerVersion) -> LedgerVersion | None:
    repo = LedgerRepository(session, organisation_id)
    day_before = version.period_start - timedelta(days=1)
    stmt = (
        repo.scoped()
        .where(LedgerVersion.period_end == day_before)
        .order_by(LedgerVersion.created_at.desc(), LedgerVersion.version.desc())
    )
    return session.scalars(stmt.limit(1)).first()


def _mapping(accounts: dict[str, str] | None, artefacts_dir: Path) -> XbrlMapping:
    mapping = load_xbrl_mapping()
    if not accounts:
        return mapping
    lines = set(mapping.income.concepts) | set(mapping.balance.concepts) | {"closing"}
    wanted = sorted({q for q in accounts.values() if q not in lines})
    problems = unknown_concepts(wanted, mapping, artefacts_dir=artefacts_dir) if wanted else []
    if problems:
        raise ReportBuildError("; ".join(problems), concepts=wanted)
    if wanted:
        raise ReportBuildError(
            f"{', '.join(wanted)}: a concept of the taxonomy but not a line of the mapping's "
            "income statement or balance sheet; add it there with the total it belongs to "
            f"({mapping.name})",
            concepts=wanted,
        )
    return replace(mapping, accounts={**mapping.accounts, **accounts})


def _figures(ledger: Ledger, mapping: XbrlMapping) -> AnnualFigures:
    balances = None
    if not ledger.transactions and any(
        a.closing_balance is not None for a in ledger.accounts.values()
    ):
        # A trial balance file (Regnskab Basis) states closing balances and no movements.
        balances = {a.account_id: a.closing_balance or ZERO for a in ledger.accounts.values()}
    return compute_figures(ledger, mapping, trial_balance=balances)


def annual_document(
    session: Session,
    *,
    organisation_id: str,
    cvr: str,
    name: str,
    year: int,
    artefacts_dir: Path,
    company: dict[str, Any] | None = None,
    accounts: dict[str, str] | None = None,
    ledger_id: str | None = None,
    format: Format = "xbrl",
) -> AnnualDocument:
    """Build the annual report of the financial year ending in ``year``."""
    if format not in FORMATS:
        raise ReportBuildError(f"format {format!r} is not one of {', '.join(FORMATS)}")
    repo = LedgerRepository(session, organisation_id)
    version = repo.get(ledger_id) if ledger_id else financial_year(session, organisation_id, year)
    if version.period_end.year != year:
        raise ReportBuildError(
            f"ledger {version.id} covers {version.period_start}..{version.period_end}, "
            f"a financial year ending in {version.period_end.year}, not {year}"
        )
    if version.currency.upper() != "DKK":
        raise ReportBuildError(f"the report is in DKK; the ledger is in {version.currency}")
    profile = profile_from_request(company, cvr=cvr, name=name)
    mapping = _mapping(accounts, artefacts_dir)
    figures = _figures(load_ledger(session, version), mapping)
    prior = _prior(session, organisation_id, version)
    prior_figures = _figures(load_ledger(session, prior), mapping) if prior is not None else None
    try:
        labels = read_labels(artefacts_dir / mapping.package)
    except ReportValidationUnavailable:  # labels make it readable; the facts do not need them
        labels = {}
    filing = build_filing(
        figures=figures,
        profile=profile,
        start=version.period_start,
        end=version.period_end,
        mapping=mapping,
        prior_figures=prior_figures,
        prior=(prior.period_start, prior.period_end) if prior is not None else None,
        labels=labels,
    )
    instance = to_xbrl(filing)
    document = to_ixbrl(filing) if format == "ixbrl" else instance
    return AnnualDocument(version, prior, filing, format, document, instance)
