"""Public pages: tender search with paging, one tender in full."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from portal.i18n import TIMEZONE, time_left
from portal.web import PageDep, PortalRoute
from tendering.public_search import public_tender, search_tenders

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)

PAGE_SIZE = 20
PROCEDURES = ("open", "restricted")


def _day(value: str | None, *, end: bool) -> tuple[datetime | None, str | None]:
    """A date field as the start (or end) of that day in Copenhagen; an error text if unreadable."""
    if not value:
        return None, None
    try:
        d = date.fromisoformat(value)
    except ValueError:
        return None, "Enter a date as YYYY-MM-DD"
    local = datetime.combine(d, time.max if end else time.min, tzinfo=TIMEZONE)
    return local.astimezone(UTC), None


@router.get("/tenders")
def search(
    page: PageDep,
    q: str = "",
    cpv: str = "",
    buyer: str = "",
    deadline_from: str = "",
    deadline_to: str = "",
    procedure: str = "",
    p: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    errors: dict[str, str] = {}
    after, problem = _day(deadline_from, end=False)
    if problem:
        errors["deadline_from"] = problem
    before, problem = _day(deadline_to, end=True)
    if problem:
        errors["deadline_to"] = problem
    if cpv and not (cpv.isdigit() and 2 <= len(cpv) <= 8):
        errors["cpv"] = "A CPV code is 2 to 8 digits"
    if procedure and procedure not in PROCEDURES:
        errors["procedure"] = "Choose a procedure from the list"
    result = None
    if not errors:
        result = search_tenders(
            page.db,
            text=q or None,
            cpv=cpv or None,
            buyer=buyer or None,
            deadline_after=after,
            deadline_before=before,
            procedure=procedure or None,
            limit=PAGE_SIZE,
            offset=(p - 1) * PAGE_SIZE,
        )
    form = {
        "q": q,
        "cpv": cpv,
        "buyer": buyer,
        "deadline_from": deadline_from,
        "deadline_to": deadline_to,
        "procedure": procedure,
    }
    pages = max(1, -(-result.total // PAGE_SIZE)) if result else 1
    return page.render(
        "tenders.html",
        status=400 if errors else 200,
        form=form,
        errors=errors,
        result=result,
        current=p,
        pages=pages,
        query=urlencode({k: v for k, v in form.items() if v}),
        procedures=PROCEDURES,
        time_left=lambda t: time_left(t, page.now, page.locale),
    )


@router.get("/tenders/{tender_id}")
def tender(page: PageDep, tender_id: str, asked: str = "") -> Response:
    view = public_tender(page.db, tender_id=tender_id)
    return page.render(
        "tender.html",
        view=view,
        t=view.tender,
        left=time_left(view.tender.timeline.deadline, page.now, page.locale),
        open_for_bids=view.tender.timeline.deadline > page.now,
        asked=bool(asked),
    )
