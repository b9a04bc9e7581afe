"""Officer pages: the organisation's tenders, one tender's questions, opening, evaluation, award."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from gateway.errors import BadRequest
from gateway.tenancy.models import Role
from portal.charts import bar_chart
from portal.i18n import time_left
from portal.web import PageDep, PortalRoute, redirect
from tendering import payloads
from tendering.buyer_views import buyer_tenders, opened_bids, stored_evaluation
from tendering.service import (
    answer_question,
    award_tender,
    evaluate_tender,
    get_tender,
    list_contracts,
    list_questions,
    opening_record,
    propose_award,
    publish_tender,
    start_standstill,
    tender_view,
)

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)


@router.get("/officer/tenders")
def tenders(page: PageDep) -> Response:
    actor = page.require(Role.BUYER, Role.AUDITOR)
    return page.render("officer_tenders.html", tenders=buyer_tenders(page.db, actor=actor))


@router.get("/officer/tenders/{tender_id}")
def tender(page: PageDep, tender_id: str) -> Response:
    actor = page.require(Role.BUYER, Role.AUDITOR)
    t = tender_view(get_tender(page.db, actor=actor, tender_id=tender_id))
    status = t.status.value
    opened = status in (
        "opened",
        "evaluated",
        "award_proposed",
        "standstill",
        "awarded",
        "contract_signed",
    )
    record = (
        opening_record(page.container, page.db, actor=actor, tender_id=tender_id)
        if opened
        else None
    )
    bids = opened_bids(page.db, actor=actor, tender_id=tender_id) if opened else []
    evaluation = stored_evaluation(page.db, actor=actor, tender_id=tender_id) if opened else []
    suppliers = {b.id: b.supplier_id for b in bids}
    names = {c.id: c.name for lot in t.lots for c in lot.criteria}
    charts = {
        e.lot_id: bar_chart(
            [
                (
                    f"{r.rank}. CVR {suppliers.get(r.bid_id, r.bid_id[:8])}",
                    [(names.get(k, k), v) for k, v in r.scores.items()],
                )
                for r in e.ranking
            ]
        )
        for e in evaluation
    }
    return page.render(
        "officer_tender.html",
        t=t,
        questions=list_questions(page.db, actor=actor, tender_id=tender_id),
        record=record,
        bids=bids,
        evaluation=evaluation,
        charts=charts,
        suppliers=suppliers,
        names=names,
        contracts=list_contracts(page.db, actor=actor, tender_id=tender_id) if opened else [],
        left=time_left(t.timeline.deadline, page.now, page.locale),
        standstill_left=time_left(t.standstill_ends, page.now, page.locale)
        if t.standstill_ends
        else "",
    )


@router.post("/officer/tenders/{tender_id}/questions/{question_id}")
def answer(
    page: PageDep, tender_id: str, question_id: str, answer: Annotated[str, Form()] = ""
) -> Response:
    actor = page.require(Role.BUYER)
    if not answer.strip():
        raise BadRequest("write an answer before sending it")
    answer_question(
        page.container,
        page.db,
        actor=actor,
        tender_id=tender_id,
        question_id=question_id,
        data=payloads.AnswerCreate(answer=answer.strip()),
    )
    return redirect(page, f"/officer/tenders/{tender_id}#questions")


@router.post("/officer/tenders/{tender_id}/evaluation")
async def evaluate(page: PageDep, request: Request, tender_id: str) -> Response:
    actor = page.require(Role.BUYER)
    form = await request.form()
    points: dict[str, dict[str, dict[str, Decimal]]] = {}
    for key, value in form.multi_items():
        # Fields are named points:<lot>:<bid>:<criterion>.
        if not key.startswith("points:") or not str(value).strip():
            continue
        _, lot, bid, criterion = key.split(":", 3)
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise BadRequest(f"points for {criterion} of lot {lot} must be a number") from None
        points.setdefault(lot, {}).setdefault(bid, {})[criterion] = number
    # Scoring and the database are blocking work: off the event loop, like every sync page.
    await run_in_threadpool(
        evaluate_tender,
        page.container,
        page.db,
        actor=actor,
        tender_id=tender_id,
        data=payloads.EvaluationRequest(points=points),
    )
    return redirect(page, f"/officer/tenders/{tender_id}#evaluation")


_STEPS = {
    "publish": publish_tender,
    "propose": propose_award,
    "standstill": start_standstill,
    "award": award_tender,
}


@router.post("/officer/tenders/{tender_id}/{step}")
def step(page: PageDep, tender_id: str, step: str) -> Response:
    actor = page.require(Role.BUYER)
    action = _STEPS.get(step)
    if action is None:
        raise BadRequest(f"no step {step!r}")
    action(page.container, page.db, actor=actor, tender_id=tender_id)  # type: ignore[operator]
    return redirect(page, f"/officer/tenders/{tender_id}")
