"""Queries of the invoicing tables, always within one organisation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select

from gateway.errors import Conflict, NotFound
from gateway.repository import Page, Repository
from invoicing.models import InvoiceRecord, InvoicingProfile, OrderRecord

__all__ = ["InvoiceRepository", "OrderRepository", "ProfileRepository"]


_Doc = TypeVar("_Doc", OrderRecord, InvoiceRecord)


class _ByReference(Repository[_Doc]):
    """Finds a document by its id on this side or by the number both sides quote.

    The buyer's copy of an order and the supplier's copy are two rows with two
    ids; the document number (the UBL ``cbc:ID``) is the same on both, so either
    side may name an order or an invoice by it.
    """

    def get(self, id_: Any, *, for_update: bool = False) -> _Doc:
        found = self.find(id_, for_update=for_update)
        if found is not None:
            return found
        stmt = self.scoped().where(self.model.number == str(id_))
        if for_update:
            stmt = stmt.with_for_update()
        rows = self.session.scalars(stmt.limit(2)).all()
        if not rows:
            raise NotFound(f"{self.noun} {id_} not found (give its id or its number)")
        if len(rows) > 1:
            raise Conflict(
                f"more than one {self.noun} is numbered {id_} (from different parties): "
                "give its id (see the list command)"
            )
        return rows[0]


class OrderRepository(_ByReference[OrderRecord]):
    model = OrderRecord
    noun = "order"

    def by_number(
        self, number: str, *, side: str, counterparty: str | None = None
    ) -> OrderRecord | None:
        stmt = self.scoped().where(OrderRecord.side == side, OrderRecord.number == number)
        if counterparty is not None:
            stmt = stmt.where(OrderRecord.counterparty == counterparty)
        return self.session.scalars(stmt.order_by(OrderRecord.created_at.desc())).first()

    def list(self, *, side: str | None, limit: int, offset: int) -> Page[OrderRecord]:
        stmt = self.scoped()
        if side:
            stmt = stmt.where(OrderRecord.side == side)
        return self.page(stmt.order_by(OrderRecord.created_at.desc()), limit=limit, offset=offset)


class InvoiceRepository(_ByReference[InvoiceRecord]):
    model = InvoiceRecord
    noun = "invoice"

    def numbers_from(self, counterparty: str, *, excluding: str) -> Sequence[str]:
        """Numbers of invoices received earlier from one supplier."""
        return self.session.scalars(
            select(InvoiceRecord.number).where(
                InvoiceRecord.organisation_id == self.organisation_id,
                InvoiceRecord.side == "received",
                InvoiceRecord.counterparty == counterparty,
                InvoiceRecord.id != excluding,
            )
        ).all()

    def issued(self, number: str, *, counterparty: str | None = None) -> InvoiceRecord | None:
        stmt = self.scoped().where(InvoiceRecord.side == "issued", InvoiceRecord.number == number)
        if counterparty is not None:
            stmt = stmt.where(InvoiceRecord.counterparty == counterparty)
        return self.session.scalars(stmt.order_by(InvoiceRecord.created_at.desc())).first()

    def list(
        self, *, side: str | None, status: str | None, limit: int, offset: int
    ) -> Page[InvoiceRecord]:
        stmt = self.scoped()
        if side:
            stmt = stmt.where(InvoiceRecord.side == side)
        if status:
            stmt = stmt.where(InvoiceRecord.status == status)
        return self.page(stmt.order_by(InvoiceRecord.created_at.desc()), limit=limit, offset=offset)


class ProfileRepository(Repository[InvoicingProfile]):
    model = InvoicingProfile
    noun = "invoicing profile"

    def current(self) -> InvoicingProfile | None:
        return self.session.scalars(self.scoped()).first()
