"""Routes of the restricted procedure's selection stage (mounted by :mod:`tendering.api`).

Suppliers request to participate and read their own outcome; the buyer
lists the requests and selects. Refusals are audited like every other
tendering refusal (:func:`tendering.refusals.guard`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import SessionDep, container_of
from gateway.web.paging import ListLimit, Offset, paged_list
from tendering import payloads, selection
from tendering.refusals import guard, role

__all__ = ["router"]

router = APIRouter()

Buyer = Annotated[Actor, Depends(role(Role.BUYER))]
Supplier = Annotated[Actor, Depends(role(Role.SUPPLIER))]


@router.post(
    "/tenders/{tender_id}/participation-requests",
    status_code=201,
    response_model=payloads.ParticipationOut,
)
def request_to_participate(
    tender_id: str,
    body: payloads.ParticipationRequestSubmit,
    request: Request,
    session: SessionDep,
    actor: Supplier,
) -> Any:
    """Ask to take part in a restricted tender, with the ESPD (supplier)."""
    with guard(request, session, actor, tender_id=tender_id):
        return selection.request_to_participate(
            container_of(request),
            session,
            actor=actor,
            tender_id=tender_id,
            espd_response=body.espd_response,
        )


@router.get("/tenders/{tender_id}/my-participation", response_model=payloads.ParticipationOut)
def my_participation(tender_id: str, request: Request, session: SessionDep, actor: Supplier) -> Any:
    """The supplier's request to participate and its outcome."""
    with guard(request, session, actor, tender_id=tender_id):
        return selection.my_participation(session, actor=actor, tender_id=tender_id)


@router.get(
    "/tenders/{tender_id}/participation-requests",
    response_model=list[payloads.ParticipationOut],
)
def participation_requests(
    response: Response,
    tender_id: str,
    request: Request,
    session: SessionDep,
    actor: Buyer,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> Any:
    """Requests to participate in a restricted tender (buyer)."""
    with guard(request, session, actor, tender_id=tender_id):
        return paged_list(
            request,
            response,
            selection.participation_requests(session, actor=actor, tender_id=tender_id),
            limit=limit,
            offset=offset,
        )


@router.post("/tenders/{tender_id}/selection", response_model=list[payloads.ParticipationOut])
def select(
    tender_id: str,
    body: payloads.SelectionCreate,
    request: Request,
    session: SessionDep,
    actor: Buyer,
) -> Any:
    """Select the candidates invited to bid in a restricted tender (buyer)."""
    with guard(request, session, actor, tender_id=tender_id):
        return selection.select_candidates(
            container_of(request), session, actor=actor, tender_id=tender_id, data=body
        )
