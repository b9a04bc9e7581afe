"""Open data without authentication: published tenders, answers, awards, OCDS releases."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from gateway.errors import BadRequest, NotFound
from gateway.web import SessionDep, container_of
from gateway.web.paging import ListLimit, Offset, page_headers, paged_list
from tendering import ocds, payloads
from tendering.public_search import search_tenders
from tendering.repository import PublicTenders
from tendering.service import tender_view

__all__ = ["router"]

router = APIRouter(prefix="/v1/public", tags=["tendering (public)"])


@router.get("/tenders", response_model=list[payloads.Tender])
def tenders(
    request: Request,
    session: SessionDep,
    response: Response,
    q: Annotated[
        str | None, Query(description="words in the title, description or reference")
    ] = None,
    cpv: Annotated[str | None, Query(description="CPV code or its leading digits")] = None,
    buyer: Annotated[
        str | None, Query(description="buyer's CVR number or part of its name")
    ] = None,
    deadline_after: Annotated[datetime | None, Query(description="deadline at or after")] = None,
    deadline_before: Annotated[datetime | None, Query(description="deadline at or before")] = None,
    procedure: Annotated[str | None, Query(description="open or restricted")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> Any:
    """Published tenders, newest first, for anyone (no key needed); every filter narrows."""
    found = search_tenders(
        session,
        text=q,
        cpv=cpv,
        buyer=buyer,
        deadline_after=_aware(deadline_after, "deadline_after"),
        deadline_before=_aware(deadline_before, "deadline_before"),
        procedure=procedure,
        limit=limit,
        offset=offset,
    )
    page_headers(request, response, total=found.total, limit=limit, offset=offset)
    return found.tenders


def _aware(moment: datetime | None, name: str) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise BadRequest(f"{name}: give a time zone (e.g. 2026-12-31T12:00:00+01:00 or …Z)")
    return moment


@router.get("/tenders/{tender_id}", response_model=payloads.Tender)
def tender(tender_id: str, session: SessionDep) -> Any:
    """One published tender."""
    return tender_view(PublicTenders(session).get(tender_id))


@router.get("/tenders/{tender_id}/answers", response_model=list[payloads.PublicAnswer])
def answers(
    request: Request,
    response: Response,
    tender_id: str,
    session: SessionDep,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> Any:
    """Published answers to suppliers' questions."""
    repo = PublicTenders(session)
    repo.get(tender_id)
    return paged_list(request, response, repo.answers(tender_id), limit=limit, offset=offset)


@router.get("/tenders/{tender_id}/documents")
def documents(
    request: Request,
    response: Response,
    tender_id: str,
    session: SessionDep,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> Any:
    """Public documents of a tender (notices, corrigenda)."""
    PublicTenders(session).get(tender_id)
    return paged_list(
        request,
        response,
        [
            {
                "id": d.id,
                "kind": d.kind,
                "sha256": d.sha256,
                "content_type": d.content_type,
                "created_at": d.created_at.isoformat(),
            }
            for d in PublicTenders(session).documents(tender_id=tender_id)
        ],
        limit=limit,
        offset=offset,
    )


@router.get("/documents/{sha256}")
def document(sha256: str, request: Request, session: SessionDep) -> Response:
    """One public document by its SHA-256."""
    docs = [d for d in PublicTenders(session).documents() if d.sha256 == sha256]
    if not docs:
        raise NotFound(f"no public document {sha256}")
    return Response(container_of(request).blobs.get(sha256), media_type=docs[0].content_type)


@router.get("/tenders/{tender_id}/notice")
def notice(tender_id: str, request: Request, session: SessionDep) -> Response:
    """The tender's contract notice (eForms XML)."""
    docs = PublicTenders(session).documents(kind="contract_notice", tender_id=tender_id)
    if not docs:
        raise NotFound(f"tender {tender_id} has no published notice")
    return Response(container_of(request).blobs.get(docs[-1].sha256), media_type="application/xml")


@router.get("/awards")
def awards(
    request: Request,
    response: Response,
    session: SessionDep,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> Any:
    """Award notices published."""
    return paged_list(
        request,
        response,
        [
            {
                "id": a.id,
                "tender_id": a.tender_id,
                "lot_id": a.lot_id,
                "value": str(a.value),
                "currency": a.currency,
                "awarded_at": a.awarded_at.isoformat() if a.awarded_at else None,
            }
            for a in PublicTenders(session).awards()
        ],
        limit=limit,
        offset=offset,
    )


@router.get("/ocds/releases")
def release_package(
    request: Request, session: SessionDep, tender_id: str | None = None
) -> Response:
    """Every public OCDS release (tender, amendments, awards, contracts) as a release package."""
    c = container_of(request)
    releases = [
        json.loads(c.blobs.get(d.sha256), parse_float=Decimal)
        for d in PublicTenders(session).documents(kind="ocds_release", tender_id=tender_id)
    ]
    package = ocds.release_package(
        releases,
        uri=f"{c.settings.effective_public_url}/v1/public/ocds/releases",
        published_date=c.clock(),
        publisher_name="Gateway",
    )
    return Response(ocds.to_json(package), media_type="application/json")
