"""Celery tasks of reporting: Arelle validation of annual reports; the automatic VAT schedule.

``reporting.validate_annual_report`` runs Arelle (a child process) for one
stored annual report. ``reporting.run_schedule`` (beat, hourly) refreshes each
organisation's VAT calendar from the agency (VirksomhedKalenderHent) and,
before each deadline, when a ledger covers the period, drafts the return,
notifies the organisation (webhook, e-mail) once per report and, with
auto-submit on, submits it (once per period and ledger version).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.models import LedgerVersion
from gateway.bootstrap import get_container
from gateway.celery_app import celery_app
from gateway.errors import GatewayError
from gateway.signing.devca import KeyPaths
from gateway.signing.keys import load_trust_store
from gateway.tenancy.models import Organisation, Role
from gateway.tenancy.service import Actor
from reporting import service
from reporting.models import CalendarDeadline, Notification, ReportingProfile
from reporting.notify import Notice, Notifier, notifier_for
from reporting.schedule import Deadline, due_returns
from reporting.skat import SkatClient, SkatConnection, fetch_calendar

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = [
    "BEAT_SCHEDULE",
    "refresh_calendar",
    "run_due",
    "run_schedule",
    "validate_annual_report",
]

_log = logging.getLogger("reporting.schedule")

BEAT_SCHEDULE = {
    "reporting-schedule": {"task": "reporting.run_schedule", "schedule": 3600.0},
}


def _skat_client(c: Container) -> SkatClient:
    keys = KeyPaths.under(c.settings.effective_keys_dir)
    base = c.routing.resolve("vat_return", "skat").endpoint
    tls = base.startswith("https://")
    key = serialization.load_pem_private_key(keys.signing_key.read_bytes(), None)
    return SkatClient(
        SkatConnection(
            artefacts_dir=c.settings.effective_artefacts_dir,
            base_url=base,
            signing_key=key,  # type: ignore[arg-type]
            signing_certificate=x509.load_pem_x509_certificate(keys.signing_cert.read_bytes()),
            tls_client=(keys.tls_client_cert, keys.tls_client_key) if tls else None,
            tls_verify=keys.ca_cert if tls else True,
            agency_trust=load_trust_store(keys.trust_store),
        )
    )


def refresh_calendar(
    c: Container, session: Session, profile: ReportingProfile, *, today: date
) -> int:
    """Store the agency's VAT deadlines of the past and coming year; return how many are new."""
    with _skat_client(c) as client:
        calendar = fetch_calendar(
            client=client,
            se=profile.se,
            start=today - timedelta(days=365),
            end=today + timedelta(days=365),
        )
    known = {
        (d.period_start, d.period_end)
        for d in session.scalars(
            select(CalendarDeadline).where(
                CalendarDeadline.organisation_id == profile.organisation_id
            )
        )
    }
    added = 0
    for entry in calendar.entries:
        if entry.period_start is None or entry.period_end is None:
            continue
        if (entry.period_start, entry.period_end) in known:
            continue
        session.add(
            CalendarDeadline(
                organisation_id=profile.organisation_id,
                period_start=entry.period_start,
                period_end=entry.period_end,
                deadline=entry.deadline,
            )
        )
        added += 1
    profile.calendar_fetched_at = c.clock()
    session.flush()
    return added


def _actor(org: Organisation) -> Actor:
    return Actor(
        principal_id="scheduler",
        principal_name="scheduler",
        home_organisation_id=org.id,
        organisation_id=org.id,
        organisation_cvr=org.cvr,
        roles=frozenset({Role.REPORTER}),
    )


def _notify_once(
    session: Session,
    notifier: Notifier,
    profile: ReportingProfile,
    notice: Notice,
) -> None:
    """Send what has not been sent for this report; a failed notice is tried again next run."""
    earlier = {
        n.channel: n
        for n in session.scalars(
            select(Notification).where(Notification.report_id == notice.report_id)
        )
    }
    sent = {channel for channel, n in earlier.items() if n.outcome == "sent"}
    outcomes = notifier.notify(
        notice,
        webhook_url=profile.webhook_url if "webhook" not in sent else None,
        email=profile.email if "email" not in sent else None,
    )
    for channel, (outcome, detail) in outcomes.items():
        row = earlier.get(channel)
        if row is None:
            session.add(
                Notification(
                    organisation_id=profile.organisation_id,
                    report_id=notice.report_id,
                    channel=channel,
                    outcome=outcome,
                    detail=detail,
                )
            )
        else:
            row.outcome, row.detail = outcome, detail
    session.flush()


def run_due(
    c: Container, *, notifier: Notifier, today: date | None = None, fetch: bool = True
) -> list[str]:
    """One pass over every organisation's schedule; returns the ids of the reports drafted."""
    day = today or c.clock().date()
    with c.db.transaction() as s:
        profile_ids = list(s.scalars(select(ReportingProfile.id)))
    drafted: list[str] = []
    for pid in profile_ids:
        try:
            with c.db.transaction() as s:
                drafted += _run_one(c, s, pid, notifier=notifier, today=day, fetch=fetch)
        except GatewayError as exc:
            _log.warning("reporting.schedule.failed: %s", exc.detail, extra={"profile": pid})
        except OSError as exc:  # keys or contract not installed: the others still run
            _log.warning("reporting.schedule.failed: %s", exc, extra={"profile": pid})
    return drafted


def _run_one(
    c: Container, s: Session, pid: str, *, notifier: Notifier, today: date, fetch: bool
) -> list[str]:
    profile = s.get(ReportingProfile, pid)
    assert profile is not None
    org = s.get(Organisation, profile.organisation_id)
    assert org is not None
    if fetch:
        refresh_calendar(c, s, profile, today=today)
    deadlines = [
        Deadline(d.period_start, d.period_end, d.deadline)
        for d in s.scalars(
            select(CalendarDeadline).where(CalendarDeadline.organisation_id == org.id)
        )
    ]
    ledgers = [
        (v.period_start, v.period_end)
        for v in s.scalars(select(LedgerVersion).where(LedgerVersion.organisation_id == org.id))
    ]
    actor = _actor(org)
    drafted = []
    for due in due_returns(
        deadlines=deadlines, ledgers=ledgers, today=today, lead_days=profile.lead_days
    ):
        report = service.vat_report(c, s, actor=actor, period=due.label)
        submitted = False
        if profile.auto_submit:
            service.submit_report(c, s, actor=actor, report_id=report.id)
            submitted = True
        notice = Notice(
            organisation_cvr=org.cvr,
            report_id=report.id,
            period=report.period,
            deadline=due.deadline.isoformat(),
            ledger_id=report.ledger_id,
            ledger_version=report.ledger_version,
            amount_due=int(report.result.get("amounts", {}).get("AfgiftTilsvar", 0)),
            submitted=submitted,
        )
        _notify_once(s, notifier, profile, notice)
        drafted.append(report.id)
    return drafted


@celery_app.task(name=service.VALIDATE_TASK)  # type: ignore[untyped-decorator]
def validate_annual_report(report_id: str) -> str:
    return service.run_annual_validation(get_container(), report_id=report_id)


@celery_app.task(name="reporting.run_schedule")  # type: ignore[untyped-decorator]
def run_schedule() -> int:
    c = get_container()
    return len(run_due(c, notifier=notifier_for(c.settings)))
