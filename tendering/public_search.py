"""Public reading of published tenders for people: search with paging, one tender in full.

What the public API shows, shaped for a page: the portal calls these functions
instead of the repository, as the API routes call the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gateway.tenancy.models import Organisation
from tendering import payloads
from tendering.lifecycle import TenderStatus
from tendering.models import Corrigendum, Tender
from tendering.repository import PublicTenders
from tendering.service import tender_view

__all__ = ["PublicTender", "SearchResult", "public_tender", "search_tenders"]


@dataclass(frozen=True, slots=True)
class SearchResult:
    tenders: list[payloads.Tender]
    buyers: dict[str, str]  # organisation id -> name
    total: int


@dataclass(frozen=True, slots=True)
class PublicTender:
    tender: payloads.Tender
    buyer_name: str
    answers: list[payloads.PublicAnswer]
    documents: list[dict[str, Any]]
    corrigenda: list[dict[str, Any]]


def search_tenders(
    session: Session,
    *,
    text: str | None = None,
    cpv: str | None = None,
    buyer: str | None = None,
    deadline_after: datetime | None = None,
    deadline_before: datetime | None = None,
    procedure: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Published tenders matching every given filter, newest first, one page of them."""
    stmt = (
        select(Tender)
        .join(Organisation, Organisation.id == Tender.organisation_id)
        .where(Tender.status != TenderStatus.DRAFT.value)
    )
    if text:
        like = f"%{text.strip().lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Tender.title).like(like),
                func.lower(Tender.description).like(like),
                func.lower(Tender.reference).like(like),
            )
        )
    if cpv:
        stmt = stmt.where(Tender.cpv_code.startswith(cpv.strip()))
    if buyer:
        b = buyer.strip()
        stmt = stmt.where(
            or_(func.lower(Organisation.name).like(f"%{b.lower()}%"), Organisation.cvr == b)
        )
    if deadline_after:
        stmt = stmt.where(Tender.deadline >= deadline_after)
    if deadline_before:
        stmt = stmt.where(Tender.deadline <= deadline_before)
    if procedure:
        stmt = stmt.where(Tender.procedure == procedure)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Tender.published_at.desc(), Tender.id).limit(limit).offset(offset)
    ).all()
    ids = {t.organisation_id for t in rows}
    buyers = dict(
        session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))
        .tuples()
        .all()
    )
    return SearchResult([tender_view(t) for t in rows], buyers, int(total))


def public_tender(session: Session, *, tender_id: str) -> PublicTender:
    """One published tender with its answers, public documents and corrigenda."""
    repo = PublicTenders(session)
    tender = repo.get(tender_id)
    buyer = session.get(Organisation, tender.organisation_id)
    corrigenda = session.scalars(
        select(Corrigendum)
        .where(Corrigendum.tender_id == tender.id)
        .order_by(Corrigendum.created_at)
    ).all()
    return PublicTender(
        tender=tender_view(tender),
        buyer_name=buyer.name if buyer else "",
        answers=[
            payloads.PublicAnswer(
                id=a.id, question=a.question, answer=a.answer, answered_at=a.answered_at
            )
            for a in repo.answers(tender_id)
        ],
        documents=[
            {
                "kind": d.kind,
                "sha256": d.sha256,
                "content_type": d.content_type,
                "created_at": d.created_at,
            }
            for d in repo.documents(tender_id=tender_id)
        ],
        corrigenda=[
            {
                "issued_at": c.issued_at,
                "summary": c.summary,
                "material": c.material,
                "deadline_before": c.deadline_before,
                "deadline_after": c.deadline_after,
            }
            for c in corrigenda
        ],
    )
