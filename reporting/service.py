"""Use cases of reporting: compute a report from a stored ledger version, validate, deliver.

Each report names the ledger version it was computed from. Delivery goes
through the kernel's submission pipeline with an idempotency key made of the
period and the ledger version, so one period and version is submitted once;
a later version of the same period is a new submission (the agency treats a
return for an approved period as a correction). Services flush, never commit.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree
from sqlalchemy.orm import Session

from adapters.models import LedgerVersion
from adapters.repository import LedgerRepository
from adapters.service import load_ledger
from gateway import webhooks
from gateway.audit.service import record as audit
from gateway.errors import Conflict, NotFound
from gateway.jobs import enqueue
from gateway.pipeline.models import Submission
from gateway.pipeline.repository import SubmissionRepository
from gateway.pipeline.service import receipt_json, submit
from gateway.tenancy.models import Organisation
from gateway.tenancy.service import Actor
from reporting.annual import annual_document
from reporting.errors import ReportBuildError
from reporting.models import Report, ReportingProfile
from reporting.periods import Period, parse_period
from reporting.repository import ReportRepository
from reporting.saft_check import validate_saft_file
from reporting.saft_export import SaftExportReport, export_saft
from reporting.vat import compute_vat_return
from reporting.vat_xml import modtag_request_document, validate_modtag_request
from reporting.xbrl import (
    precheck,
    validate_annual_report,
)

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = [
    "VALIDATE_TASK",
    "annual_report",
    "export_saft_file",
    "find_ledger",
    "report_json",
    "run_annual_validation",
    "submit_report",
    "vat_report",
]

VALIDATE_TASK = "reporting.validate_annual_report"
XML = "application/xml"
ZERO = Decimal("0")
RECIPIENTS = {"vat": ("vat_return", "skat"), "annual": ("annual_report", "erst")}


class ReportNotReady(Conflict):
    title = "Report not ready"
    slug = "report-not-ready"


@dataclass(frozen=True, slots=True)
class Delivery:
    report: Report
    submission: Submission
    created: bool


def find_ledger(
    session: Session,
    *,
    organisation_id: str,
    period: Period,
    ledger_id: str | None = None,
    with_transactions: bool = False,
) -> LedgerVersion:
    """The ledger version to report from: the one named, else the newest covering the period."""
    repo = LedgerRepository(session, organisation_id)
    if ledger_id:
        return repo.get(ledger_id)
    found = repo.covering(period.start, period.end, with_transactions=with_transactions)
    if found is None:
        raise NotFound(
            f"no imported ledger covers {period.label} ({period.start}..{period.end}); "
            "import the books for that period first"
        )
    return found


def _se(session: Session, organisation_id: str, cvr: str) -> str:
    profile = ReportRepository(session, organisation_id).profile()
    return profile.se if profile is not None else cvr


def vat_report(
    c: Container,
    session: Session,
    *,
    actor: Actor,
    period: str,
    ledger_id: str | None = None,
) -> Report:
    """Compute (or find) the VAT return of ``period`` from a ledger version and store it."""
    chosen = parse_period(period)
    version = find_ledger(
        session,
        organisation_id=actor.organisation_id,
        period=chosen,
        ledger_id=ledger_id,
        with_transactions=True,  # VAT comes from postings; a trial balance has none
    )
    repo = ReportRepository(session, actor.organisation_id)
    existing = repo.existing(kind="vat", period=chosen.label, ledger_id=version.id)
    if existing is not None:
        return existing
    ledger = load_ledger(session, version)
    vat = compute_vat_return(ledger, period=chosen, ledger_id=version.id)
    se = _se(session, actor.organisation_id, actor.organisation_cvr)
    report = repo.add(
        Report(
            kind="vat",
            period=chosen.label,
            period_start=chosen.start,
            period_end=chosen.end,
            ledger_id=version.id,
            ledger_version=version.version,
            status="draft",
            result={**vat.to_json(), "se": se},
            created_by=actor.label,
        )
    )
    # The request document is fixed now, so a resubmission sends the very same bytes.
    document = modtag_request_document(
        vat, se_number=se, transaction_id=report.id, transaction_time=report.created_at
    )
    problems = validate_modtag_request(document, artefacts_dir=c.settings.effective_artefacts_dir)
    if problems:
        raise ReportBuildError(
            "the VAT return does not follow the agency's schema: " + "; ".join(problems[:5])
        )
    report.document_hash = c.blobs.put(
        etree.tostring(document, xml_declaration=True, encoding="UTF-8")
    )
    _audit(session, report, actor.label, "reporting.vat.computed")
    return report


def annual_report(
    c: Container,
    session: Session,
    *,
    actor: Actor,
    year: int,
    company: dict[str, Any] | None = None,
    ledger_id: str | None = None,
    accounts: dict[str, str] | None = None,
    validate: str = "task",
    format: str = "xbrl",
) -> Report:
    """Build the annual report of the financial year ending in ``year`` (XBRL or iXBRL).

    Pre-checked now; Arelle validates it in a task (or inline).
    """
    org = session.get(Organisation, actor.organisation_id)
    assert org is not None
    built = annual_document(
        session,
        organisation_id=actor.organisation_id,
        cvr=org.cvr,
        name=org.name,
        year=year,
        artefacts_dir=c.settings.effective_artefacts_dir,
        company=company,
        accounts=accounts,
        ledger_id=ledger_id,
        format=format,  # type: ignore[arg-type]
    )
    version, label = built.version, str(year)
    repo = ReportRepository(session, actor.organisation_id)
    existing = repo.existing(kind="annual", period=label, ledger_id=version.id, format=format)
    if existing is not None:
        return existing
    findings = [f.to_dict() for f in precheck(built.instance, mapping=built.filing.mapping)]
    fatal = any(f.get("severity") == "fatal" for f in findings)
    report = repo.add(
        Report(
            kind="annual",
            format=format,
            period=label,
            period_start=version.period_start,
            period_end=version.period_end,
            ledger_id=version.id,
            ledger_version=version.version,
            status="invalid" if fatal else "validating",
            result={
                "company": org.name,
                "cvr": org.cvr,
                "size": len(built.document),
                "format": format,
                "media_type": built.media_type,
                "financial_year": f"{version.period_start}..{version.period_end}",
                "comparatives": (
                    f"{built.prior_version.period_start}..{built.prior_version.period_end}"
                    if built.prior_version is not None
                    else "opening balances"
                ),
                "accounts": accounts or {},
            },
            document_hash=c.blobs.put(built.document),
            validation={"precheck": findings, "arelle": None},
            created_by=actor.label,
        )
    )
    _audit(session, report, actor.label, "reporting.annual.built")
    if not fatal:
        if validate == "inline":
            _apply_validation(c, report)
        elif validate == "task":
            enqueue(session, VALIDATE_TASK, report.id)
    return report


def _apply_validation(c: Container, report: Report) -> None:
    assert report.document_hash is not None
    result = validate_annual_report(
        c.blobs.get(report.document_hash),
        artefacts_dir=c.settings.effective_artefacts_dir,
        include_precheck=False,
    )
    report.validation = {**(report.validation or {}), "arelle": result.to_dict()}
    report.status = "valid" if result.valid else "invalid"


def run_annual_validation(c: Container, *, report_id: str) -> str:
    """The worker's side: validate a stored annual report with Arelle and record the findings."""
    with c.db.transaction() as session:
        report = session.get(Report, report_id)
        if report is None:
            raise NotFound(f"report {report_id} not found")
        if report.status != "validating":
            return report.status
        _apply_validation(c, report)
        _audit(session, report, "worker", "reporting.annual.validated")
        return report.status


def submit_report(c: Container, session: Session, *, actor: Actor, report_id: str) -> Delivery:
    """Hand a report to the pipeline, once per period and ledger version."""
    report = ReportRepository(session, actor.organisation_id).get(report_id)
    if report.kind == "annual" and report.status not in ("valid", "submitted"):
        raise ReportNotReady(
            f"the annual report is {report.status}; only a valid report is delivered",
            validation=report.validation,
        )
    if report.document_hash is None:
        raise ReportNotReady("the report has no document")
    kind, recipient = RECIPIENTS[report.kind]
    accepted = submit(
        c,
        session,
        actor=actor,
        kind=kind,
        recipient=recipient,
        payload=c.blobs.get(report.document_hash),
        content_type=XML,
        idempotency_key=f"{kind}:{report.period_start}:{report.period_end}:{report.ledger_id}",
        reference=report.id,
    )
    report.submission_id = accepted.submission.id
    report.status = "submitted"
    if accepted.created:
        _audit(session, report, actor.label, f"reporting.{report.kind}.submitted")
    return Delivery(report, accepted.submission, accepted.created)


def export_saft_file(
    c: Container, session: Session, *, organisation_id: str, period: str, out: Path
) -> SaftExportReport:
    """Write the ledger covering ``period`` as SAF-T Financial 1.30, checked against the XSD."""
    chosen = parse_period(period)
    version = find_ledger(session, organisation_id=organisation_id, period=chosen)
    ledger = load_ledger(session, version)
    buffer = io.BytesIO()
    summary = export_saft(ledger, buffer, artefacts_dir=c.settings.effective_artefacts_dir)
    problems = validate_saft_file(
        io.BytesIO(buffer.getvalue()), artefacts_dir=c.settings.effective_artefacts_dir
    )
    if problems:
        raise ReportBuildError(
            "the SAF-T file does not validate against the 1.30 XSD: " + "; ".join(problems[:5])
        )
    out.write_bytes(buffer.getvalue())
    return summary


def _audit(session: Session, report: Report, actor: str, action: str) -> None:
    audit(
        session,
        organisation_id=report.organisation_id,
        actor=actor,
        action=action,
        subject_type="report",
        subject_id=report.id,
        data={
            "period": report.period,
            "ledger_id": report.ledger_id,
            "ledger_version": report.ledger_version,
            "status": report.status,
        },
    )
    if action == "reporting.vat.computed":  # what an ERP waits on to ask for approval
        webhooks.emit(
            session,
            "reporting.vat_return.drafted",
            organisation_id=report.organisation_id,
            data={"report_id": report.id, "period": report.period, "status": report.status},
        )


def report_json(c: Container, session: Session, report: Report) -> dict[str, Any]:
    """A report as the API shows it, with its delivery's status and receipt when there is one."""
    out: dict[str, Any] = {
        "id": report.id,
        "kind": report.kind,
        "period": report.period,
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "ledger": {"id": report.ledger_id, "version": report.ledger_version},
        "status": report.status,
        "result": report.result,
        "validation": report.validation,
        "document_sha256": report.document_hash,
        "created_at": report.created_at.isoformat() if report.created_at else None,
        "submission": None,
    }
    if report.kind == "vat":
        out["fields"] = report.result.get("amounts", {})
        out["explanations"] = report.result.get("breakdown", [])
    if report.submission_id:
        sub = SubmissionRepository(session, report.organisation_id).find(report.submission_id)
        if sub is not None:
            delivery: dict[str, Any] = {
                "id": sub.id,
                "status": sub.status,
                "transmission_id": sub.transmission_id,
                "last_error": sub.last_error,
                "attempts": sub.attempts,
                "receipt": None,
            }
            if sub.receipt_hash:
                delivery["receipt"] = receipt_json(c, sub)["receipt"]
            out["submission"] = delivery
    return out


def ensure_profile(
    session: Session,
    *,
    organisation_id: str,
    se: str | None,
    default_se: str,
    auto_submit: bool | None = None,
    webhook_url: str | None = None,
    email: str | None = None,
    lead_days: int | None = None,
) -> ReportingProfile:
    """Create or update an organisation's automatic-reporting settings."""
    profile = ReportRepository(session, organisation_id).profile()
    if profile is None:
        profile = ReportingProfile(organisation_id=organisation_id, se=se or default_se)
        session.add(profile)
    if se:
        profile.se = se
    if auto_submit is not None:
        profile.auto_submit = auto_submit
    if webhook_url is not None:
        profile.webhook_url = webhook_url or None
    if email is not None:
        profile.email = email or None
    if lead_days is not None:
        profile.lead_days = lead_days
    session.flush()
    return profile


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, default=str)
