"""HTTP API of reports: compute a VAT return or an annual report, submit it, follow its receipt."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from gateway.errors import NotFound
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import SessionDep, container_of, require
from gateway.web.etag import IfMatch, check_if_match, with_etag
from gateway.web.paging import Offset, page_headers
from reporting import service
from reporting.repository import ReportRepository

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["reports"])

Reporter = Annotated[Actor, Depends(require(Role.REPORTER, Role.ADMIN))]
Reader = Annotated[Actor, Depends(require(Role.REPORTER, Role.ADMIN, Role.AUDITOR))]


class VatRequest(BaseModel):
    period: str = Field(examples=["2026-Q3"], max_length=20)
    ledger_id: str | None = None


class AnnualRequest(BaseModel):
    year: int = Field(ge=1990, le=2100)
    ledger_id: str | None = None
    company: dict[str, Any] | None = Field(
        default=None,
        description=(
            "the company profile: [company], [report], [[management]], [auditor], [texts] as in "
            "examples/annual/profile.toml (the older flat fields approval_date, chairman, "
            "auditor_assistance, address_* are still read)"
        ),
    )
    format: Literal["xbrl", "ixbrl"] = Field(
        default="xbrl", description="XBRL instance, or Inline XBRL (one XHTML document)"
    )
    accounts: dict[str, str] | None = Field(
        default=None, description="the organisation's own account ids mapped to taxonomy concepts"
    )


class ProfileRequest(BaseModel):
    se: str | None = Field(default=None, pattern=r"^\d{8}$")
    auto_submit: bool | None = None
    webhook_url: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=300)
    lead_days: int | None = Field(default=None, ge=0, le=60)


@router.post("/reports/vat", status_code=201)
def compute_vat(body: VatRequest, request: Request, session: SessionDep, actor: Reporter) -> Any:
    """Compute the VAT return of a period: fields, their explanation, the ledger version used."""
    c = container_of(request)
    report = service.vat_report(
        c, session, actor=actor, period=body.period, ledger_id=body.ledger_id
    )
    return service.report_json(c, session, report)


@router.post("/reports/annual", status_code=201)
def compute_annual(
    body: AnnualRequest, request: Request, session: SessionDep, actor: Reporter
) -> Any:
    """Build the XBRL annual report; Arelle validates it in a worker (status ``validating``)."""
    c = container_of(request)
    report = service.annual_report(
        c,
        session,
        actor=actor,
        year=body.year,
        company=body.company,
        ledger_id=body.ledger_id,
        accounts=body.accounts,
        format=body.format,
    )
    return service.report_json(c, session, report)


def _submit(
    request: Request,
    response: Response,
    session: Any,
    actor: Actor,
    report_id: str,
    if_match: str | None = None,
) -> Any:
    c = container_of(request)
    if if_match is not None:
        current = ReportRepository(session, actor.organisation_id).get(report_id)
        check_if_match(if_match, service.report_json(c, session, current))
    delivery = service.submit_report(c, session, actor=actor, report_id=report_id)
    response.status_code = 202 if delivery.created else 200
    return service.report_json(c, session, delivery.report)


@router.post("/reports/vat/{report_id}/submit", status_code=202)
def submit_vat(
    report_id: str,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Reporter,
    if_match: IfMatch = None,
) -> Any:
    """Send the VAT return to the tax agency through the pipeline (once per period and version)."""
    return _submit(request, response, session, actor, report_id, if_match)


@router.post("/reports/annual/{report_id}/submit", status_code=202)
def submit_annual(
    report_id: str,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Reporter,
    if_match: IfMatch = None,
) -> Any:
    """Send a valid annual report to the business authority through the pipeline."""
    return _submit(request, response, session, actor, report_id, if_match)


@router.get("/reports")
def list_reports(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Reader,
    kind: Annotated[str | None, Query(pattern="^(vat|annual)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> Any:
    """The organisation's reports, newest first."""
    c = container_of(request)
    page = ReportRepository(session, actor.organisation_id).listing(
        kind=kind, limit=limit, offset=offset
    )
    page_headers(request, response, total=page.total, limit=limit, offset=offset)
    return {
        "items": [service.report_json(c, session, r) for r in page.items],
        "total": page.total,
        "limit": limit,
        "offset": offset,
    }


@router.get("/reports/{report_id}")
def get_report(
    report_id: str, request: Request, response: Response, session: SessionDep, actor: Reader
) -> Any:
    """One report with its delivery status and receipt."""
    c = container_of(request)
    report = ReportRepository(session, actor.organisation_id).get(report_id)
    return with_etag(response, service.report_json(c, session, report))


@router.get("/reports/{report_id}/document")
def get_document(report_id: str, request: Request, session: SessionDep, actor: Reader) -> Response:
    """The report's document: the VAT request body, the XBRL instance or the iXBRL report."""
    c = container_of(request)
    report = ReportRepository(session, actor.organisation_id).get(report_id)
    if report.document_hash is None:
        return Response(status_code=404)
    media = (report.result or {}).get("media_type", "application/xml")
    return Response(c.blobs.get(report.document_hash), media_type=media)


def _profile_view(profile: Any) -> dict[str, Any]:
    return {
        "se": profile.se,
        "auto_submit": profile.auto_submit,
        "webhook_url": profile.webhook_url,
        "email": profile.email,
        "lead_days": profile.lead_days,
    }


@router.get("/reporting/profile")
def get_profile(response: Response, session: SessionDep, actor: Reporter) -> Any:
    """The automatic reporting settings, with their ETag (404 before the first PUT)."""
    profile = ReportRepository(session, actor.organisation_id).profile()
    if profile is None:
        raise NotFound("no reporting profile yet: PUT /v1/reporting/profile makes one")
    return with_etag(response, _profile_view(profile))


@router.put("/reporting/profile")
def put_profile(
    body: ProfileRequest,
    response: Response,
    session: SessionDep,
    actor: Reporter,
    if_match: IfMatch = None,
) -> Any:
    """Automatic reporting settings: SE number, webhook, e-mail, auto-submit, lead days."""
    current = ReportRepository(session, actor.organisation_id).profile()
    if if_match is not None:
        check_if_match(if_match, _profile_view(current) if current is not None else None)
    profile = service.ensure_profile(
        session,
        organisation_id=actor.organisation_id,
        se=body.se,
        default_se=actor.organisation_cvr,
        auto_submit=body.auto_submit,
        webhook_url=body.webhook_url,
        email=body.email,
        lead_days=body.lead_days,
    )
    return with_etag(response, _profile_view(profile))
