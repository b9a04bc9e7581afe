"""Evaluation, award proposal, standstill with notifications, and the award itself."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from gateway.tenancy.service import Actor
from tendering import lifecycle, ocds, payloads, scoring
from tendering._common import (
    OCID_PREFIX,
    audit,
    buyer_tender,
    lot_payload,
    move,
    ocds_party,
    organisation,
    party,
    store_document,
)
from tendering.contracts import create_contracts
from tendering.documents import (
    LotResult,
    build_awarded_notification,
    build_unawarded_notification,
)
from tendering.errors import InvalidTransition
from tendering.lifecycle import TenderStatus
from tendering.models import Award, Bid, Contract, Tender
from tendering.repository import AwardRepository, BuyerBids

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = ["award_tender", "evaluate_tender", "propose_award", "start_standstill"]


def _admissible(bids: list[Bid], lot_id: str) -> list[Bid]:
    return [
        b
        for b in bids
        if b.readable and b.signature_valid and b.content and lot_id in b.content["lots"]
    ]


def evaluate_tender(
    c: Container,
    session: Session,
    *,
    actor: Actor,
    tender_id: str,
    data: payloads.EvaluationRequest,
) -> list[payloads.LotEvaluation]:
    """Score every lot's admissible bids by the stated methods and rank them."""
    tender = buyer_tender(session, actor, tender_id)
    if tender.status not in (TenderStatus.OPENED, TenderStatus.EVALUATED):
        raise InvalidTransition(f"the tender is {tender.status}: bids are evaluated once opened")
    bids = list(BuyerBids(session, actor.organisation_id).opened(tender))
    out: list[payloads.LotEvaluation] = []
    stored: dict[str, Any] = {}
    for lot in tender.lots:
        criteria = lot_payload(lot).award_criteria()
        points = data.points.get(lot.lot_id, {})
        inputs = [
            scoring.BidInput(
                bid_id=b.id,
                price=Decimal(str(b.content["lots"][lot.lot_id]["price"])),  # type: ignore[index]
                received_at=b.received_at,
                points=points.get(b.id, {}),
            )
            for b in _admissible(bids, lot.lot_id)
        ]
        evaluation = scoring.evaluate_lot(criteria, inputs)
        view = payloads.LotEvaluation(
            lot_id=lot.lot_id,
            method=evaluation.method,
            ranking=[
                payloads.EvaluatedBid(
                    rank=r.rank,
                    bid_id=r.bid_id,
                    price=r.price,
                    total=r.total,
                    scores=dict(r.scores),
                    tied=r.tied,
                    abnormally_low=r.abnormally_low,
                )
                for r in evaluation.ranking
            ],
        )
        out.append(view)
        stored[lot.lot_id] = view.model_dump(mode="json")
    tender.evaluation = stored
    summary = {lot: [r["bid_id"] for r in v["ranking"]] for lot, v in stored.items()}
    flagged = sorted(
        {r["bid_id"] for v in stored.values() for r in v["ranking"] if r["abnormally_low"]}
    )
    if tender.status == TenderStatus.OPENED:
        move(
            session, tender, TenderStatus.EVALUATED, actor, ranking=summary, abnormally_low=flagged
        )
    else:
        audit(
            session,
            organisation_id=tender.organisation_id,
            actor=actor,
            action="tendering.tender.re_evaluated",
            subject_type="tender",
            subject_id=tender.id,
            ranking=summary,
            abnormally_low=flagged,
        )
    return out


def propose_award(c: Container, session: Session, *, actor: Actor, tender_id: str) -> list[Award]:
    """Propose the best-ranked bid of each lot for award."""
    tender = buyer_tender(session, actor, tender_id)
    lifecycle.ensure_transition(TenderStatus(tender.status), TenderStatus.AWARD_PROPOSED)
    repo = AwardRepository(session, actor.organisation_id)
    for old in repo.list(tender.id):
        session.delete(old)
    session.flush()
    now = c.clock()
    bids = {b.id: b for b in BuyerBids(session, actor.organisation_id).opened(tender)}
    awards = []
    for lot_id, view in sorted((tender.evaluation or {}).items()):
        if not view["ranking"]:
            continue
        best = view["ranking"][0]
        bid = bids[best["bid_id"]]
        awards.append(
            repo.add(
                Award(
                    tender_id=tender.id,
                    lot_id=lot_id,
                    bid_id=bid.id,
                    supplier_organisation_id=bid.organisation_id,
                    value=Decimal(str(best["price"])),
                    currency=tender.currency,
                    status="pending",
                    decided_at=now,
                )
            )
        )
    if not awards:
        raise InvalidTransition("no lot has an admissible bid to award")
    move(
        session,
        tender,
        TenderStatus.AWARD_PROPOSED,
        actor,
        awards={a.lot_id: a.bid_id for a in awards},
    )
    return awards


def _award_release(
    c: Container, session: Session, tender: Tender, awards: list[Award], now: datetime, status: str
) -> bytes:
    buyer = ocds_party(organisation(session, tender.organisation_id), "buyer", "procuringEntity")
    infos = []
    for a in awards:
        supplier = ocds_party(
            organisation(session, a.supplier_organisation_id), "supplier", "tenderer"
        )
        lot = next(lot for lot in tender.lots if lot.lot_id == a.lot_id)
        infos.append(
            ocds.AwardInfo(
                a.id, lot.title, now, a.value, [supplier], status=status, currency=a.currency
            )
        )
    release = ocds.award_release(
        ocid=ocds.ocid_for(tender.id, prefix=OCID_PREFIX),
        release_id=f"{tender.id}-award-{status}-{int(now.timestamp())}",
        date=now,
        buyer=buyer,
        tender_id=tender.id,
        awards=infos,
    )
    return ocds.to_json(release)


def start_standstill(c: Container, session: Session, *, actor: Actor, tender_id: str) -> Tender:
    """Notify every bidder of the award decision and start the standstill period."""
    tender = buyer_tender(session, actor, tender_id)
    lifecycle.ensure_transition(TenderStatus(tender.status), TenderStatus.STANDSTILL)
    now = c.clock()
    ends = lifecycle.standstill_end(now, days=tender.standstill_days)
    awards = list(AwardRepository(session, actor.organisation_id).list(tender.id))
    bids = [b for b in BuyerBids(session, actor.organisation_id).opened(tender) if b.content]
    buyer = organisation(session, tender.organisation_id)
    by_lot = {a.lot_id: a for a in awards}
    won: dict[str, list[LotResult]] = defaultdict(list)
    lost: dict[str, list[LotResult]] = defaultdict(list)
    for lot_id, view in (tender.evaluation or {}).items():
        award = by_lot.get(lot_id)
        if award is None:
            continue
        winner = party(organisation(session, award.supplier_organisation_id))
        ranks = {r["bid_id"]: r["rank"] for r in view["ranking"]}
        for b in bids:
            if lot_id not in (b.content or {}).get("lots", {}):
                continue
            result = LotResult(
                lot_id=lot_id,
                awarded_at=now,
                received_tenders=len(view["ranking"]),
                winner=winner,
                winning_amount=award.value,
                currency=award.currency,
                rank=ranks.get(b.id),
                reason=None if b.id in ranks else "the tender was not admissible",
            )
            (won if b.id == award.bid_id else lost)[b.organisation_id].append(result)
    for org_id in sorted(set(won) | set(lost)):
        receiver = party(organisation(session, org_id))
        for kind, results in (
            ("awarded_notification", won.get(org_id)),
            ("unawarded_notification", lost.get(org_id)),
        ):
            if not results:
                continue
            build = (
                build_awarded_notification
                if kind == "awarded_notification"
                else build_unawarded_notification
            )
            doc = build(
                notification_id=f"{kind[:2].upper()}-{tender.reference}-{org_id[:8]}",
                tender_reference=tender.reference,
                issued_at=now,
                sender=party(buyer),
                receiver=receiver,
                results=results,
                standstill_ends=ends,
            )
            stored = store_document(
                c,
                session,
                organisation_id=tender.organisation_id,
                tender_id=tender.id,
                kind=kind,
                data=doc,
                content_type="application/xml",
                recipient_organisation_id=org_id,
            )
            audit(
                session,
                organisation_id=org_id,
                actor=actor,
                action=f"tendering.{kind}.received",
                subject_type="tender",
                subject_id=tender.id,
                document=stored.id,
                sha256=stored.sha256,
                standstill_ends=ends.isoformat(),
            )
    tender.notified_at = now
    tender.standstill_ends = ends
    store_document(
        c,
        session,
        organisation_id=tender.organisation_id,
        tender_id=tender.id,
        kind="ocds_release",
        content_type="application/json",
        public=True,
        data=_award_release(c, session, tender, awards, now, "pending"),
    )
    move(
        session,
        tender,
        TenderStatus.STANDSTILL,
        actor,
        standstill_ends=ends.isoformat(),
        notified=sorted(set(won) | set(lost)),
    )
    return tender


def award_tender(c: Container, session: Session, *, actor: Actor, tender_id: str) -> list[Contract]:
    """After the standstill: award each lot and draw up its contract for signing."""
    tender = buyer_tender(session, actor, tender_id)
    lifecycle.ensure_transition(TenderStatus(tender.status), TenderStatus.AWARDED)
    now = c.clock()
    assert tender.standstill_ends is not None
    lifecycle.ensure_award_allowed(now=now, standstill_ends=tender.standstill_ends)
    awards = list(AwardRepository(session, actor.organisation_id).list(tender.id))
    for a in awards:
        a.status = "active"
        a.awarded_at = now
    tender.awarded_at = now
    store_document(
        c,
        session,
        organisation_id=tender.organisation_id,
        tender_id=tender.id,
        kind="ocds_release",
        content_type="application/json",
        public=True,
        data=_award_release(c, session, tender, awards, now, "active"),
    )
    move(session, tender, TenderStatus.AWARDED, actor, awards={a.lot_id: a.id for a in awards})
    return create_contracts(c, session, actor=actor, tender=tender, awards=awards)
