"""The typed base every repository builds on: every query is scoped by organisation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from gateway.errors import NotFound

__all__ = ["OrgScoped", "Page", "Repository"]


class OrgScoped(Protocol):
    id: Any
    organisation_id: Any


M = TypeVar("M", bound=OrgScoped)


class Page(Generic[M]):
    def __init__(self, items: Sequence[M], total: int, limit: int, offset: int) -> None:
        self.items = items
        self.total = total
        self.limit = limit
        self.offset = offset


class Repository(Generic[M]):
    """Queries for one model, always within one organisation.

    Another organisation's object is indistinguishable from a missing one, so
    ``get`` raises :class:`NotFound` (404) for both; routes never see 403 for it.
    """

    model: ClassVar[type[Any]]
    noun: ClassVar[str] = "object"

    def __init__(self, session: Session, organisation_id: str) -> None:
        self.session = session
        self.organisation_id = organisation_id

    @property
    def _org_column(self) -> InstrumentedAttribute[Any]:
        return self.model.organisation_id  # type: ignore[no-any-return]

    def scoped(self) -> Select[Any]:
        return select(self.model).where(self._org_column == self.organisation_id)

    def find(self, id_: Any, *, for_update: bool = False) -> M | None:
        stmt = self.scoped().where(self.model.id == id_)
        if for_update:
            stmt = stmt.with_for_update()
        return self.session.execute(stmt).scalar_one_or_none()

    def get(self, id_: Any, *, for_update: bool = False) -> M:
        obj = self.find(id_, for_update=for_update)
        if obj is None:
            raise NotFound(f"{self.noun} {id_} not found")
        return obj

    def add(self, obj: M) -> M:
        obj.organisation_id = self.organisation_id
        self.session.add(obj)
        self.session.flush()
        return obj

    def page(self, stmt: Select[Any], *, limit: int, offset: int) -> Page[M]:
        total = self.session.scalar(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        )
        items = self.session.scalars(stmt.limit(limit).offset(offset)).all()
        return Page(items, int(total or 0), limit, offset)
