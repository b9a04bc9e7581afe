"""Queries on submissions, scoped by organisation."""

from __future__ import annotations

from gateway.pipeline.models import Submission
from gateway.repository import Page, Repository

__all__ = ["SubmissionRepository"]


class SubmissionRepository(Repository[Submission]):
    model = Submission
    noun = "submission"

    def by_idempotency_key(self, key: str) -> Submission | None:
        return self.session.scalar(self.scoped().where(Submission.idempotency_key == key))

    def search(
        self, *, status: str | None, kind: str | None, limit: int, offset: int
    ) -> Page[Submission]:
        stmt = self.scoped()
        if status:
            stmt = stmt.where(Submission.status == status)
        if kind:
            stmt = stmt.where(Submission.kind == kind)
        stmt = stmt.order_by(Submission.created_at.desc(), Submission.id)
        return self.page(stmt, limit=limit, offset=offset)

    def ids_in(self, ids: list[str]) -> list[Submission]:
        return list(self.session.scalars(self.scoped().where(Submission.id.in_(ids))))
