"""What a person's screens read of reporting: one report as the API shows it, the list."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gateway.bootstrap import Container
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from reporting.repository import ReportRepository
from reporting.service import report_json

__all__ = ["list_report_views", "report_view"]


def report_view(c: Container, session: Session, *, actor: Actor, report_id: str) -> dict[str, Any]:
    """One of the organisation's reports with its fields, explanation and delivery."""
    actor.require(Role.REPORTER, Role.ADMIN, Role.AUDITOR)
    return report_json(c, session, ReportRepository(session, actor.organisation_id).get(report_id))


def list_report_views(
    c: Container, session: Session, *, actor: Actor, limit: int = 50
) -> list[dict[str, Any]]:
    """The organisation's reports, newest first."""
    actor.require(Role.REPORTER, Role.ADMIN, Role.AUDITOR)
    page = ReportRepository(session, actor.organisation_id).listing(
        kind=None, limit=limit, offset=0
    )
    return [report_json(c, session, r) for r in page.items]
