"""Build an eForms contract notice from a tender file and the buyer's details, offline.

What the tender says (title, lots, CPV, deadline) and what the buyer file says
(organisation, review body, documents) become SDK fields; the writer puts each where
``fields.json`` says. Before writing, every field the SDK makes mandatory for the
subtype must have a value: a missing one is refused by its SDK id and name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tendering.eforms.sdk import Sdk, load_sdk
from tendering.eforms.writer import NoticeWriter
from tendering.errors import TenderingError
from tendering.payloads import TenderCreate

__all__ = ["Buyer", "NoticeBuildError", "Organisation", "build_contract_notice"]

# Subtypes this builder writes and the tender procedures each one takes.
SUPPORTED = {"16": ("open", "restricted")}
Language = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class NoticeBuildError(TenderingError):
    """The tender or buyer file lacks what the notice needs; ``fields`` names the SDK fields."""

    status = 422
    title = "Notice cannot be built"
    slug = "tendering/notice-build"

    def __init__(self, detail: str, *, fields: list[str] | None = None) -> None:
        super().__init__(detail, fields=fields or [])
        self.fields = fields or []


class Organisation(BaseModel):
    """An organisation as eForms names it (BT-500 … BT-506)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Annotated[str, Field(min_length=1, max_length=400)]
    company_id: Annotated[str, Field(min_length=1, max_length=100)]
    city: Annotated[str, Field(min_length=1)]
    postal_code: str | None = None
    nuts: Annotated[str, Field(pattern=r"^[A-Z]{2}[0-9A-Z]{1,3}$")]
    country: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "DNK"
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    phone: str | None = None
    url: str | None = None


class Buyer(BaseModel):
    """What a contract notice needs beyond the tender: buyer, review body, documents."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    buyer: Organisation
    review_body: Organisation
    legal_type: str = "body-pl"
    activity: str = "gen-pub"
    language: Language = "DAN"
    documents_url: Annotated[str, Field(pattern=r"^https?://")]
    submission_url: Annotated[str, Field(pattern=r"^https?://")]
    review_deadline: Annotated[str, Field(min_length=1)] = (
        "Klage skal indgives inden for de frister, der følger af lov om Klagenævnet for Udbud."
    )
    einvoicing: Literal["required", "allowed", "not-allowed"] = "required"
    tender_validity_months: Annotated[int, Field(ge=1, le=60)] = 3
    duration_months: Annotated[int, Field(ge=1, le=1200)]
    max_lots_per_tenderer: Annotated[int, Field(ge=1)] | None = None  # default: every lot


@dataclass(frozen=True, slots=True)
class _Ids:
    notice: str
    procedure: str


def _procedure_id(reference: str) -> str:
    # BT-04 must be a version-4 UUID; derive it from the reference so every notice of one
    # procedure carries the same identifier.
    digest = hashlib.sha256(f"gateway-procedure:{reference}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _date(value: dt.datetime) -> tuple[str, str]:
    aware = value.astimezone(dt.UTC)
    return aware.strftime("%Y-%m-%dZ"), aware.strftime("%H:%M:%SZ")


def _organisation(w: NoticeWriter, org: Organisation, org_id: str, lang: str) -> None:
    scope = {"ND-Organization": w.node("ND-Organization", new=True)}
    w.set("OPT-200-Organization-Company", org_id, scope)
    w.set("BT-500-Organization-Company", org.name, scope, languageID=lang)
    w.set("BT-513-Organization-Company", org.city, scope)
    if org.postal_code:
        w.set("BT-512-Organization-Company", org.postal_code, scope)
    w.set("BT-507-Organization-Company", org.nuts, scope)
    w.set("BT-514-Organization-Company", org.country, scope)
    w.set("BT-501-Organization-Company", org.company_id, scope)
    if org.phone:
        w.set("BT-503-Organization-Company", org.phone, scope)
    w.set("BT-506-Organization-Company", str(org.email), scope)
    if org.url:
        w.set("BT-505-Organization-Company", org.url, scope)


def _check_mandatory(sdk: Sdk, subtype: str, written: set[str]) -> None:
    missing = [f for f in sdk.mandatory(subtype) if f.id not in written]
    if missing:
        names = ", ".join(f"{f.id} ({f.name})" for f in missing)
        raise NoticeBuildError(
            f"subtype {subtype} needs fields the tender and buyer files do not give: {names}",
            fields=[f.id for f in missing],
        )


class _Tracking(NoticeWriter):
    def __init__(self, sdk: Sdk, document_type: str) -> None:
        super().__init__(sdk, document_type)
        self.written: set[str] = set()

    def set(self, field_id, value, scope=None, **attrs):  # type: ignore[no-untyped-def,override]
        self.written.add(field_id)
        return super().set(field_id, value, scope, **attrs)


def _second_stage(w: NoticeWriter, tender: TenderCreate, scope: dict[str, Any]) -> None:
    # Restricted: the notice calls for requests to participate; tenders come on invitation.
    # TenderCreate guarantees both for a restricted procedure.
    assert tender.timeline.request_deadline is not None and tender.min_candidates
    day, time = _date(tender.timeline.request_deadline)
    w.set("BT-1311(d)-Lot", day, scope)
    w.set("BT-1311(t)-Lot", time, scope)
    w.set("BT-50-Lot", str(tender.min_candidates), scope)
    if tender.max_candidates:
        w.set("BT-661-Lot", "true", scope)
        w.set("BT-51-Lot", str(tender.max_candidates), scope)
    else:
        w.set("BT-661-Lot", "false", scope)


def build_contract_notice(
    tender: TenderCreate,
    buyer: Buyer,
    *,
    artefacts_dir: Path,
    subtype: str = "16",
    issued: dt.datetime,
    notice_id: str | None = None,
) -> bytes:
    """The eForms contract notice (UBL ContractNotice) for a tender, as XML bytes."""
    if subtype not in SUPPORTED:
        raise NoticeBuildError(
            f"subtype {subtype} is not built yet; supported: {', '.join(sorted(SUPPORTED))}"
        )
    if tender.procedure not in SUPPORTED[subtype]:
        raise NoticeBuildError(
            f"subtype {subtype} is for the {' or '.join(SUPPORTED[subtype])} procedure; "
            f"the tender's procedure is {tender.procedure}"
        )
    restricted = tender.procedure == "restricted"
    sdk = load_sdk(artefacts_dir)
    kind = sdk.subtypes[subtype]
    ids = _Ids(notice_id or str(uuid.uuid4()), _procedure_id(tender.reference))
    lang = buyer.language
    w = _Tracking(sdk, kind.document_type)
    w.set("OPP-070-notice", subtype)
    _organisation(w, buyer.buyer, "ORG-0001", lang)
    _organisation(w, buyer.review_body, "ORG-0002", lang)
    w.set("OPT-001-notice", "2.3")
    # CustomizationID names the SDK's minor version: eforms-sdk-1.15 for SDK 1.15.1.
    w.set("OPT-002-notice", ".".join(sdk.version.split(".")[:2]))
    w.set("BT-701-notice", ids.notice)
    w.set("BT-04-notice", ids.procedure)
    day, time = _date(issued)
    w.set("BT-05(a)-notice", day)
    w.set("BT-05(b)-notice", time)
    w.set("BT-757-notice", "01")
    w.set("BT-01-notice", kind.legal_basis)
    w.set("BT-03-notice", kind.form_type)
    w.set("BT-02-notice", kind.notice_type)
    w.set("BT-702(a)-notice", lang)
    w.set("BT-11-Procedure-Buyer", buyer.legal_type)
    w.set("BT-10-Procedure-Buyer", buyer.activity)
    w.set("OPT-300-Procedure-Buyer", "ORG-0001")
    w.set("BT-806-Procedure", "epo-procurement-document")
    w.set("BT-105-Procedure", tender.procedure)
    w.set("BT-106-Procedure", "false")
    w.set("BT-21-Procedure", tender.title, languageID=lang)
    w.set("BT-24-Procedure", tender.description, languageID=lang)
    w.set("BT-23-Procedure", tender.contract_nature)
    w.set("BT-262-Procedure", tender.cpv_code)
    w.set("BT-5071-Procedure", buyer.buyer.nuts)
    w.set("BT-5141-Procedure", buyer.buyer.country)
    if len(tender.lots) > 1:
        most = buyer.max_lots_per_tenderer or len(tender.lots)
        w.set("BT-31-Procedure", str(min(most, len(tender.lots))))
    deadline_day, deadline_time = _date(tender.timeline.deadline)
    for n, lot in enumerate(tender.lots, start=1):
        scope = {"ND-Lot": w.node("ND-Lot", new=True)}
        w.set("BT-137-Lot", f"LOT-{n:04d}", scope)
        w.set("BT-22-Lot", lot.lot_id, scope)
        w.set("BT-21-Lot", lot.title, scope, languageID=lang)
        w.set("BT-24-Lot", lot.description or lot.title, scope, languageID=lang)
        w.set("BT-23-Lot", tender.contract_nature, scope)
        w.set("BT-262-Lot", tender.cpv_code, scope)
        w.set("BT-36-Lot", str(buyer.duration_months), scope, unitCode="MONTH")
        w.set("BT-5071-Lot", buyer.buyer.nuts, scope)
        w.set("BT-5141-Lot", buyer.buyer.country, scope)
        w.set("BT-63-Lot", "not-allowed", scope)
        w.set("BT-60-Lot", "no-eu-funds", scope)
        w.set("OPT-140-Lot", "DOC-0001", scope)
        w.set("BT-14-Lot", "non-restricted-document", scope)
        w.set("BT-15-Lot", buyer.documents_url, scope)
        w.set("BT-71-Lot", "none", scope)
        w.set("BT-821-Lot", "epo-procurement-document", scope)
        w.set("BT-736-Lot", "no", scope)
        w.set("BT-743-Lot", buyer.einvoicing, scope)
        w.set("BT-764-Lot", "not-allowed", scope)
        w.set("BT-18-Lot", buyer.submission_url, scope)
        if not restricted:  # a restricted notice leaves it to the invitation
            w.set("BT-98-Lot", str(buyer.tender_validity_months), scope, unitCode="MONTH")
        w.set("BT-99-Lot", buyer.review_deadline, scope, languageID=lang)
        w.set("OPT-301-Lot-ReviewOrg", "ORG-0002", scope, schemeName="organization")
        w.set("BT-97-Lot", lang, scope)
        w.set("BT-92-Lot", "true", scope)
        w.set("BT-93-Lot", "true", scope)
        w.set("BT-17-Lot", "required", scope)
        w.set("BT-115-Lot", "true", scope)
        if restricted:
            _second_stage(w, tender, scope)
        else:
            w.set("BT-131(d)-Lot", deadline_day, scope)
            w.set("BT-131(t)-Lot", deadline_time, scope)
        w.set("BT-767-Lot", "false", scope)
        w.set("BT-765-Lot", "none", scope)
        w.set("BT-766-Lot", "none", scope)
    _check_mandatory(sdk, subtype, w.written)
    return w.tostring()
