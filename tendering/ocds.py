"""OCDS 1.1 releases of a tender: tender, award and contract releases, and packages.

Releases are plain dicts ready for :func:`to_json`; money stays ``Decimal``
until written, and :func:`to_json` writes it as an exact JSON number (never
through float). Organisations are identified by their CVR number in the
org-id.guide scheme ``DK-CVR`` (other schemes by passing ``scheme``).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tendering.lifecycle import TenderStatus

__all__ = [
    "OCDS_VERSION",
    "AwardInfo",
    "ContractInfo",
    "OcdsParty",
    "TenderInfo",
    "award_release",
    "contract_release",
    "ocds_tender_status",
    "ocid_for",
    "release_package",
    "tender_release",
    "to_json",
]

OCDS_VERSION = "1.1"
_PREFIX = re.compile(r"^ocds-[a-z0-9]{6}$")
_AWARD_CRITERIA = {"lowest_price": "priceOnly", "best_price_quality": "ratedCriteria"}
_TENDER_STATUS = {
    TenderStatus.DRAFT: "planning",
    TenderStatus.CANCELLED: "cancelled",
    TenderStatus.UNSUCCESSFUL: "unsuccessful",
    TenderStatus.AWARDED: "complete",
    TenderStatus.CONTRACT_SIGNED: "complete",
}


def ocds_tender_status(status: TenderStatus) -> str:
    """OCDS tender.status for our status (every open-to-standstill state is ``active``)."""
    return _TENDER_STATUS.get(status, "active")


def ocid_for(tender_id: str, *, prefix: str) -> str:
    """The contracting process id: the publisher's registered prefix + our tender id."""
    if not _PREFIX.match(prefix):
        raise ValueError("an OCID prefix looks like 'ocds-' followed by six letters or digits")
    return f"{prefix}-{tender_id}"


def _dt(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("OCDS dates must be timezone-aware")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _value(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


@dataclass(frozen=True, slots=True)
class OcdsParty:
    identifier: str
    name: str
    roles: tuple[str, ...]
    scheme: str = "DK-CVR"
    country: str | None = None  # country name, as OCDS address.countryName

    @property
    def id(self) -> str:
        return f"{self.scheme}-{self.identifier}"

    def reference(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}

    def organization(self) -> dict[str, Any]:
        org: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "identifier": {"scheme": self.scheme, "id": self.identifier, "legalName": self.name},
            "roles": list(self.roles),
        }
        if self.country:
            org["address"] = {"countryName": self.country}
        return org


@dataclass(frozen=True, slots=True)
class TenderInfo:
    tender_id: str
    title: str
    description: str
    status: TenderStatus
    category: str  # goods, works, services
    award_method: str  # lowest_price, best_price_quality
    cpv_code: str
    published_at: datetime
    deadline: datetime
    currency: str = "DKK"
    estimated_value: Decimal | None = None
    number_of_tenderers: int | None = None
    procurement_method: str = "open"


@dataclass(frozen=True, slots=True)
class AwardInfo:
    award_id: str
    title: str
    date: datetime
    value: Decimal
    suppliers: Sequence[OcdsParty]
    status: str = "active"  # pending during standstill, active once awarded
    currency: str = "DKK"


@dataclass(frozen=True, slots=True)
class ContractInfo:
    contract_id: str
    award_id: str
    title: str
    value: Decimal
    date_signed: datetime
    start: datetime
    end: datetime
    status: str = "active"
    currency: str = "DKK"


def _release(
    *,
    ocid: str,
    release_id: str,
    date: datetime,
    tag: str,
    buyer: OcdsParty,
    others: Sequence[OcdsParty] = (),
    language: str = "da",
) -> dict[str, Any]:
    parties: dict[str, dict[str, Any]] = {}
    for p in (buyer, *others):
        org = parties.setdefault(p.id, p.organization())
        org["roles"] = sorted(set(org["roles"]) | set(p.roles))
    return {
        "ocid": ocid,
        "id": release_id,
        "date": _dt(date),
        "tag": [tag],
        "initiationType": "tender",
        "language": language,
        "parties": list(parties.values()),
        "buyer": buyer.reference(),
    }


def tender_release(
    *,
    ocid: str,
    release_id: str,
    date: datetime,
    buyer: OcdsParty,
    tender: TenderInfo,
    tag: str = "tender",
) -> dict[str, Any]:
    """A tender release; ``tag`` is tenderAmendment after a corrigendum, tenderCancellation etc."""
    release = _release(ocid=ocid, release_id=release_id, date=date, tag=tag, buyer=buyer)
    body: dict[str, Any] = {
        "id": tender.tender_id,
        "title": tender.title,
        "description": tender.description,
        "status": ocds_tender_status(tender.status),
        "procuringEntity": buyer.reference(),
        "items": [
            {
                "id": "1",
                "description": tender.title,
                "classification": {"scheme": "CPV", "id": tender.cpv_code},
            }
        ],
        "procurementMethod": tender.procurement_method,
        "mainProcurementCategory": tender.category,
        "awardCriteria": _AWARD_CRITERIA.get(tender.award_method, tender.award_method),
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": _dt(tender.published_at), "endDate": _dt(tender.deadline)},
    }
    if tender.estimated_value is not None:
        body["value"] = _value(tender.estimated_value, tender.currency)
    if tender.number_of_tenderers is not None:
        body["numberOfTenderers"] = tender.number_of_tenderers
    release["tender"] = body
    return release


def award_release(
    *,
    ocid: str,
    release_id: str,
    date: datetime,
    buyer: OcdsParty,
    tender_id: str,
    awards: Sequence[AwardInfo],
) -> dict[str, Any]:
    """An award release naming each award's suppliers and value."""
    suppliers = [s for a in awards for s in a.suppliers]
    release = _release(
        ocid=ocid, release_id=release_id, date=date, tag="award", buyer=buyer, others=suppliers
    )
    release["tender"] = {"id": tender_id}
    release["awards"] = [
        {
            "id": a.award_id,
            "title": a.title,
            "status": a.status,
            "date": _dt(a.date),
            "value": _value(a.value, a.currency),
            "suppliers": [s.reference() for s in a.suppliers],
        }
        for a in awards
    ]
    return release


def contract_release(
    *,
    ocid: str,
    release_id: str,
    date: datetime,
    buyer: OcdsParty,
    tender_id: str,
    contracts: Sequence[ContractInfo],
) -> dict[str, Any]:
    """A contract release for signed contracts, each tied to its award."""
    release = _release(ocid=ocid, release_id=release_id, date=date, tag="contract", buyer=buyer)
    release["tender"] = {"id": tender_id}
    release["contracts"] = [
        {
            "id": c.contract_id,
            "awardID": c.award_id,
            "title": c.title,
            "status": c.status,
            "value": _value(c.value, c.currency),
            "dateSigned": _dt(c.date_signed),
            "period": {"startDate": _dt(c.start), "endDate": _dt(c.end)},
        }
        for c in contracts
    ]
    return release


def release_package(
    releases: Sequence[dict[str, Any]],
    *,
    uri: str,
    published_date: datetime,
    publisher_name: str,
    publisher_scheme: str | None = None,
    publisher_uid: str | None = None,
    license: str | None = None,
    publication_policy: str | None = None,
) -> dict[str, Any]:
    """Wrap releases in a release package for publication."""
    publisher: dict[str, Any] = {"name": publisher_name}
    if publisher_scheme and publisher_uid:
        publisher |= {"scheme": publisher_scheme, "uid": publisher_uid}
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _dt(published_date),
        "publisher": publisher,
        "releases": list(releases),
    }
    if license:
        package["license"] = license
    if publication_policy:
        package["publicationPolicy"] = publication_policy
    return package


def to_json(document: dict[str, Any]) -> bytes:
    """Serialise a release or package, writing Decimals as exact JSON numbers."""

    # A fresh random marker, so no text inside the document can pose as an amount.
    mark = f"decimal-{secrets.token_hex(8)}:"

    def default(value: object) -> object:
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError("amounts must be finite")
            return mark + format(value, "f")
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")

    text = json.dumps(document, default=default, ensure_ascii=True, separators=(",", ":"))
    return re.sub(f'"{mark}(-?[0-9.]+)"', r"\1", text).encode("ascii")
