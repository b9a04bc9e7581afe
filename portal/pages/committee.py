"""Committee member pages: unseal my share in the browser, hand it in, see who else has."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from gateway.errors import BadRequest
from gateway.tenancy.models import Role
from portal.i18n import time_left
from portal.web import PageDep, PortalRoute, redirect
from tendering.buyer_views import committee_status
from tendering.service import (
    get_tender,
    hand_in_share,
    my_sealed_share,
    opening_record,
    tender_view,
)

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)

_OPENED = ("opened", "evaluated", "award_proposed", "standstill", "awarded", "contract_signed")


@router.get("/committee/tenders/{tender_id}")
def seat(page: PageDep, tender_id: str) -> Response:
    actor = page.require(Role.OPENING_MEMBER)
    t = tender_view(get_tender(page.db, actor=actor, tender_id=tender_id))
    seats = committee_status(page.db, actor=actor, tender_id=tender_id)
    mine = next((s for s in seats if s.is_me), None)
    opened = t.status.value in _OPENED
    return page.render(
        "committee.html",
        t=t,
        seats=seats,
        mine=mine,
        sealed=my_sealed_share(page.db, actor=actor, tender_id=tender_id)
        if mine and not mine.handed_in_at and not opened
        else None,
        record=opening_record(page.container, page.db, actor=actor, tender_id=tender_id)
        if opened
        else None,
        deadline_passed=t.timeline.deadline <= page.now,
        left=time_left(t.timeline.deadline, page.now, page.locale),
    )


@router.post("/committee/tenders/{tender_id}/share")
def hand_in(page: PageDep, tender_id: str, share: Annotated[str, Form()] = "") -> Response:
    actor = page.require(Role.OPENING_MEMBER)
    if not share.strip():
        raise BadRequest("the share was not unsealed: choose your key file in this page first")
    hand_in_share(
        page.container, page.db, actor=actor, tender_id=tender_id, share_text=share.strip()
    )
    return redirect(page, f"/committee/tenders/{tender_id}")
