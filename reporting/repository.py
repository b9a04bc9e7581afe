"""Queries over reports and reporting settings, always within one organisation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gateway.repository import Repository
from reporting.models import CalendarDeadline, Report, ReportingProfile

__all__ = ["ReportRepository"]


class ReportRepository(Repository[Report]):
    model = Report
    noun = "report"

    def existing(
        self, *, kind: str, period: str, ledger_id: str, format: str = "xbrl"
    ) -> Report | None:
        return self.session.scalar(
            self.scoped().where(
                Report.kind == kind,
                Report.period == period,
                Report.ledger_id == ledger_id,
                Report.format == format,
            )
        )

    def listing(self, *, kind: str | None, limit: int, offset: int) -> Any:
        stmt = self.scoped().order_by(Report.created_at.desc())
        if kind:
            stmt = stmt.where(Report.kind == kind)
        return self.page(stmt, limit=limit, offset=offset)

    def profile(self) -> ReportingProfile | None:
        return self.session.scalar(
            select(ReportingProfile).where(ReportingProfile.organisation_id == self.organisation_id)
        )

    def deadlines(self) -> list[CalendarDeadline]:
        return list(
            self.session.scalars(
                select(CalendarDeadline)
                .where(CalendarDeadline.organisation_id == self.organisation_id)
                .order_by(CalendarDeadline.deadline)
            )
        )
