"""Queries over stored ledgers, always within one organisation."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from adapters.models import LedgerVersion
from gateway.repository import Repository

__all__ = ["LedgerRepository"]


class LedgerRepository(Repository[LedgerVersion]):
    model = LedgerVersion
    noun = "ledger"

    def by_sha256(self, sha256: str) -> LedgerVersion | None:
        return self.session.scalar(self.scoped().where(LedgerVersion.sha256 == sha256))

    def next_version(self, start: date, end: date) -> int:
        latest = self.session.scalar(
            select(func.max(LedgerVersion.version)).where(
                LedgerVersion.organisation_id == self.organisation_id,
                LedgerVersion.period_start == start,
                LedgerVersion.period_end == end,
            )
        )
        return int(latest or 0) + 1

    def covering(
        self, start: date, end: date, *, with_transactions: bool = False
    ) -> LedgerVersion | None:
        """The newest version whose period covers ``start``..``end`` (the latest import wins).

        ``with_transactions`` passes over trial balances (closing balances, no postings).
        """
        stmt = (
            self.scoped()
            .where(LedgerVersion.period_start <= start, LedgerVersion.period_end >= end)
            .order_by(LedgerVersion.created_at.desc(), LedgerVersion.version.desc())
        )
        for version in self.session.scalars(stmt.limit(50)):
            if not with_transactions or (version.counts or {}).get("transactions", 0):
                return version
        return None

    def listing(self, *, limit: int, offset: int) -> Any:
        stmt = self.scoped().order_by(
            LedgerVersion.period_start.desc(), LedgerVersion.version.desc()
        )
        return self.page(stmt, limit=limit, offset=offset)
