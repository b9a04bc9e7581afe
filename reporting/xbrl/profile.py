"""The company profile: what an annual report says beyond the ledger's figures.

A TOML (or JSON) file the company keeps: addresses, management, auditor, the
dates of approval and of the general meeting, and the text sections. Texts not
given come from editable templates (``templates/da/*.txt``, ``$placeholders``
filled from the profile and the period). ``examples/annual/profile.toml``
shows every field.
"""

from __future__ import annotations

import json
import string
import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from reporting.errors import ReportBuildError

__all__ = ["ASSISTANCE", "Auditor", "CompanyProfile", "Person", "load_profile", "parse_profile"]

TEMPLATES = Path(__file__).with_name("templates")

# The taxonomy's enumeration of cmn:TypeOfAuditorAssistance (Danish values).
ASSISTANCE = (
    "Revisionspåtegning",
    "Erklæring om udvidet gennemgang",
    "Den uafhængige revisors erklæringer (review)",
    "Andre erklæringer med sikkerhed",
    "Andre erklæringer uden sikkerhed",
    "Ingen bistand",
)

TEXTS = (
    "primary_activities",
    "development",
    "events_after",
    "statement_by_management",
    "audit_exemption",
    "accounting_policies",
    "contingent_liabilities",
    "security",
    "related_parties",
    "auditor_report",
)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Auditor:
    assistance: str = "Ingen bistand"
    firm: str | None = None
    firm_cvr: str | None = None
    name: str | None = None
    place: str | None = None
    date: date | None = None


@dataclass(frozen=True, slots=True)
class CompanyProfile:
    """Everything but the figures; ``texts`` are resolved (profile text or template)."""

    cvr: str
    name: str
    street: str | None = None
    number: str | None = None
    postcode: str | None = None
    city: str | None = None
    email: str | None = None
    homepage: str | None = None
    founded: date | None = None
    bookkeeping_system: str | None = None  # registration number of the digital system
    approval_date: date | None = None
    general_meeting_date: date | None = None
    chairman: str | None = None
    place_of_signature: str | None = None
    average_employees: Decimal | None = None
    proposed_dividend: Decimal = Decimal("0")
    management: tuple[Person, ...] = ()
    auditor: Auditor = field(default_factory=Auditor)
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def audited(self) -> bool:
        return self.auditor.assistance != "Ingen bistand"


def load_profile(path: str | Path, *, cvr: str, name: str) -> CompanyProfile:
    """Read a profile file (TOML or JSON); ``cvr``/``name`` are the organisation's own."""
    p = Path(path)
    try:
        text = p.read_text("utf-8")
        data = json.loads(text) if p.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as exc:
        raise ReportBuildError(f"{p.name}: not a readable profile: {exc}") from exc
    return parse_profile(data, cvr=cvr, name=name, source=p.name)


def parse_profile(
    data: dict[str, Any], *, cvr: str, name: str, source: str = "profile"
) -> CompanyProfile:
    """A profile from its parsed form; every wrong field is named."""
    # [accounts] (the account mapping) travels in the same file; the report builder reads it.
    known = {"company", "report", "management", "auditor", "texts", "accounts"}
    unknown = set(data) - known
    if unknown:
        raise ReportBuildError(f"{source}: unknown sections: {', '.join(sorted(unknown))}")
    company = _section(data, "company", source)
    report = _section(data, "report", source)
    auditor = _section(data, "auditor", source)
    texts = _section(data, "texts", source)
    _only(
        company,
        source,
        "company",
        {
            "cvr",
            "name",
            "street",
            "number",
            "postcode",
            "city",
            "email",
            "homepage",
            "founded",
            "bookkeeping_system",
        },
    )
    _only(
        report,
        source,
        "report",
        {
            "approval_date",
            "general_meeting_date",
            "chairman",
            "place_of_signature",
            "average_employees",
            "proposed_dividend",
        },
    )
    _only(auditor, source, "auditor", {"assistance", "firm", "firm_cvr", "name", "place", "date"})
    _only(texts, source, "texts", set(TEXTS))
    stated = str(company.get("cvr", cvr))
    if stated != cvr:
        raise ReportBuildError(f"{source}: company.cvr {stated} is not the organisation's {cvr}")
    assistance = str(auditor.get("assistance", "Ingen bistand"))
    if assistance not in ASSISTANCE:
        raise ReportBuildError(
            f"{source}: auditor.assistance {assistance!r} is not one of the taxonomy's values: "
            + "; ".join(ASSISTANCE)
        )
    people = data.get("management", [])
    if not isinstance(people, list) or not all(
        isinstance(m, dict) and m.get("name") for m in people
    ):
        raise ReportBuildError(f"{source}: management must be a list of {{name, title}} tables")
    return CompanyProfile(
        cvr=cvr,
        name=str(company.get("name") or name),
        street=_str(company, "street"),
        number=_str(company, "number"),
        postcode=_str(company, "postcode"),
        city=_str(company, "city"),
        email=_str(company, "email"),
        homepage=_str(company, "homepage"),
        founded=_date(company, "founded", source),
        bookkeeping_system=_str(company, "bookkeeping_system"),
        approval_date=_date(report, "approval_date", source),
        general_meeting_date=_date(report, "general_meeting_date", source),
        chairman=_str(report, "chairman"),
        place_of_signature=_str(report, "place_of_signature"),
        average_employees=_dec(report, "average_employees", source),
        proposed_dividend=_dec(report, "proposed_dividend", source) or Decimal("0"),
        management=tuple(Person(str(m["name"]), str(m.get("title", ""))) for m in people),
        auditor=Auditor(
            assistance=assistance,
            firm=_str(auditor, "firm"),
            firm_cvr=_str(auditor, "firm_cvr"),
            name=_str(auditor, "name"),
            place=_str(auditor, "place"),
            date=_date(auditor, "date", source),
        ),
        texts={k: str(v) for k, v in texts.items()},
    )


def resolved_texts(profile: CompanyProfile, *, start: date, end: date) -> dict[str, str]:
    """Every text section: the profile's own, else the template filled in."""
    values = {
        "name": profile.name,
        "cvr": profile.cvr,
        "start": _da(start),
        "end": _da(end),
        "place": profile.place_of_signature or profile.city or "",
        "approval_date": _da(profile.approval_date) if profile.approval_date else "",
    }
    out: dict[str, str] = {}
    for key in TEXTS:
        if key in profile.texts:
            out[key] = profile.texts[key].strip()
            continue
        template = TEMPLATES / "da" / f"{key}.txt"
        if template.is_file():
            out[key] = string.Template(template.read_text("utf-8")).safe_substitute(values).strip()
    if profile.audited:
        out.pop("audit_exemption", None)
    else:
        out.pop("auditor_report", None)
    return out


_MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)


def _da(d: date) -> str:
    return f"{d.day}. {_MONTHS[d.month - 1]} {d.year}"


def _section(data: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ReportBuildError(f"{source}: [{key}] must be a table")
    return value


def _only(section: dict[str, Any], source: str, name: str, allowed: set[str]) -> None:
    unknown = set(section) - allowed
    if unknown:
        raise ReportBuildError(
            f"{source}: unknown fields in [{name}]: {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(allowed))}"
        )


def _str(section: dict[str, Any], key: str) -> str | None:
    value = section.get(key)
    return None if value is None or value == "" else str(value)


def _date(section: dict[str, Any], key: str, source: str) -> date | None:
    value = section.get(key)
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ReportBuildError(f"{source}: {key} {value!r} is not a date (YYYY-MM-DD)") from None


def _dec(section: dict[str, Any], key: str, source: str) -> Decimal | None:
    value = section.get(key)
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ReportBuildError(f"{source}: {key} {value!r} is not a number") from None
