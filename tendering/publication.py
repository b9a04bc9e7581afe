"""Publication and the notices: opening key and sealed shares, contract notice, ESPD,
OCDS releases, the scheduler's closing of submissions, corrigenda and cancellation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from gateway.errors import BadRequest
from gateway.jobs import enqueue
from gateway.tenancy.service import Actor
from tendering import lifecycle, ocds, payloads, sealing, share_delivery
from tendering._common import (
    OCID_PREFIX,
    audit,
    buyer_tender,
    move,
    ocds_party,
    organisation,
    party,
    store_document,
)
from tendering.documents import (
    NoticeCriterion,
    NoticeLot,
    build_contract_notice,
    build_espd_request,
)
from tendering.lifecycle import TenderStatus
from tendering.models import Corrigendum, Tender
from tendering.repository import (
    BuyerBids,
    CorrigendumRepository,
    InterestRepository,
    MemberRepository,
    ParticipationRequests,
    PublicTenders,
)

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = [
    "cancel_tender",
    "close_due_tenders",
    "close_tender",
    "issue_corrigendum",
    "publish_tender",
]

CLOSE_TASK = "tendering.close_tender"


def _notice_lots(tender: Tender) -> list[NoticeLot]:
    out = []
    for lot in tender.lots:
        criteria = [
            NoticeCriterion(
                name=c["name"],
                type_code="price" if c["kind"] == "price" else "quality",
                weight=Decimal(str(c["weight"])),
                description=c.get("description"),
            )
            for c in lot.criteria
        ]
        out.append(NoticeLot(lot.lot_id, lot.title, lot.description, lot.estimated_value, criteria))
    return out


def _tender_release(
    c: Container, session: Session, tender: Tender, *, tag: str, now: datetime
) -> bytes:
    buyer = ocds_party(organisation(session, tender.organisation_id), "buyer", "procuringEntity")
    release = ocds.tender_release(
        ocid=ocds.ocid_for(tender.id, prefix=OCID_PREFIX),
        release_id=f"{tender.id}-{tag}-{int(now.timestamp())}",
        date=now,
        buyer=buyer,
        tender=ocds.TenderInfo(
            tender_id=tender.id,
            title=tender.title,
            description=tender.description,
            status=TenderStatus(tender.status),
            category=tender.contract_nature,
            award_method=tender.lots[0].award_method,
            cpv_code=tender.cpv_code,
            published_at=tender.published_at or now,
            deadline=tender.deadline,
            currency=tender.currency,
            estimated_value=tender.estimated_value,
            # OCDS method codelist: a restricted procedure is "selective".
            procurement_method="selective" if tender.procedure == "restricted" else "open",
        ),
        tag=tag,
    )
    return ocds.to_json(release)


def publish_tender(c: Container, session: Session, *, actor: Actor, tender_id: str) -> Tender:
    """Publish: make the opening key, seal each share to its member, issue the notices."""
    tender = buyer_tender(session, actor, tender_id)
    now = c.clock()
    lifecycle.ensure_transition(TenderStatus(tender.status), TenderStatus.PUBLISHED)
    if tender.deadline <= now:
        raise BadRequest("the submission deadline must lie in the future")
    if tender.request_deadline is not None and tender.request_deadline <= now:
        raise BadRequest("the deadline for requests to participate must lie in the future")
    members = MemberRepository(session, actor.organisation_id).members(tender.id)
    if len(members) != tender.opening_holders:
        raise BadRequest(f"name the {tender.opening_holders} committee members before publishing")
    key = sealing.create_opening_key(
        tender_id=tender.id, threshold=tender.opening_threshold, holders=tender.opening_holders
    )
    for member, share in zip(members, key.shares, strict=True):
        assert member.member_public_key is not None
        member.sealed_share = share_delivery.seal_share(
            share.to_text(), share_delivery.load_member_public_key(member.member_public_key)
        )
    tender.public_key = key.public_key_b64
    tender.key_fingerprint = fingerprint = key.fingerprint
    del key  # the shares leave this function only sealed to their members
    tender.published_at = now
    buyer = organisation(session, tender.organisation_id)
    notice = build_contract_notice(
        notice_id=f"CN-{tender.reference}",
        tender_reference=tender.reference,
        issued_at=now,
        buyer=party(buyer),
        title=tender.title,
        description=tender.description,
        contract_nature=tender.contract_nature,
        cpv_code=tender.cpv_code,
        deadline=tender.deadline,
        lots=_notice_lots(tender),
        currency=tender.currency,
        estimated_value=tender.estimated_value,
        procedure_code=tender.procedure,
        request_deadline=tender.request_deadline,
        min_candidates=tender.min_candidates,
        max_candidates=tender.max_candidates,
    )
    espd = build_espd_request(
        artefacts_dir=c.settings.effective_artefacts_dir,
        request_id=f"ESPD-{tender.reference}",
        tender_reference=tender.reference,
        issued_at=now,
        buyer=party(buyer),
        project_description=tender.description,
        lot_ids=[lot.lot_id for lot in tender.lots],
        selection=list(tender.selection_criteria),
        procedure_code=tender.procedure,
    )
    move(session, tender, TenderStatus.PUBLISHED, actor, key_fingerprint=fingerprint)
    for kind, data, ctype in (
        ("contract_notice", notice, "application/xml"),
        ("espd_request", espd, "application/xml"),
        (
            "ocds_release",
            _tender_release(c, session, tender, tag="tender", now=now),
            "application/json",
        ),
    ):
        store_document(
            c,
            session,
            organisation_id=tender.organisation_id,
            tender_id=tender.id,
            kind=kind,
            data=data,
            content_type=ctype,
            public=True,
        )
    # The scheduler closes the tender at the deadline; bids are refused by the clock anyway.
    if tender.request_deadline is not None:
        enqueue(session, CLOSE_TASK, tender.id, eta=tender.request_deadline.isoformat())
    enqueue(session, CLOSE_TASK, tender.id, eta=tender.deadline.isoformat())
    return tender


def close_tender(c: Container, session: Session, *, tender_id: str) -> bool:
    """Move a tender past a deadline the clock enforces (idempotent).

    Open: to submission_closed. Restricted: to selection at the request
    deadline, and from invited to submission_closed at the deadline.
    """
    tender = PublicTenders(session).get(tender_id, for_update=True)
    now = c.clock()
    due = lifecycle.due_status(
        TenderStatus(tender.status),
        now=now,
        deadline=tender.deadline,
        procedure=tender.procedure,
        request_deadline=tender.request_deadline,
    )
    if due is None:
        return False
    if due is TenderStatus.SELECTION:
        # Restricted: the requests to participate close; the bids are yet to come.
        move(
            session,
            tender,
            due,
            "scheduler",
            requests=ParticipationRequests(session, tender.organisation_id, buyer=True).count(
                tender.id
            ),
        )
        return True
    tender.closed_at = now
    count = BuyerBids(session, tender.organisation_id).count_current(tender.id)
    move(session, tender, due, "scheduler", bids=count)
    return True


def close_due_tenders(c: Container, session: Session) -> list[str]:
    """Close every published tender whose deadline has passed."""
    return [
        tid
        for tid in PublicTenders(session).due_for_closing(c.clock())
        if close_tender(c, session, tender_id=tid)
    ]


def issue_corrigendum(
    c: Container,
    session: Session,
    *,
    actor: Actor,
    tender_id: str,
    data: payloads.CorrigendumCreate,
) -> payloads.Corrigendum:
    """Record a corrigendum, extend the deadline as the law requires, tell registered suppliers."""
    tender = buyer_tender(session, actor, tender_id)
    now = c.clock()
    decision = lifecycle.decide_corrigendum(
        lifecycle.Corrigendum(now, data.material, data.summary, data.proposed_deadline),
        status=TenderStatus(tender.status),
        deadline=tender.deadline,
    )
    changes = data.changes.model_dump(exclude_unset=True, mode="json")
    for name in ("title", "description"):
        if name in changes:
            setattr(tender, name, changes[name])
    before = tender.deadline
    tender.deadline = decision.deadline
    row = CorrigendumRepository(session, actor.organisation_id).add(
        Corrigendum(
            tender_id=tender.id,
            issued_at=now,
            summary=data.summary,
            material=data.material,
            changes=changes,
            deadline_before=before,
            deadline_after=decision.deadline,
        )
    )
    suppliers = sorted(set(InterestRepository(session, actor.organisation_id).suppliers(tender.id)))
    audit(
        session,
        organisation_id=actor.organisation_id,
        actor=actor,
        action="tendering.corrigendum.issued",
        subject_type="tender",
        subject_id=tender.id,
        corrigendum=row.id,
        material=data.material,
        deadline_before=before.isoformat(),
        deadline_after=decision.deadline.isoformat(),
        notified=len(suppliers),
    )
    notice = ocds.to_json(
        {
            "tender_id": tender.id,
            "reference": tender.reference,
            "corrigendum": row.id,
            "summary": data.summary,
            "material": data.material,
            "deadline": decision.deadline.isoformat(),
            "bids_must_be_confirmed": decision.bids_must_be_confirmed,
        }
    )
    for supplier_id in suppliers:
        store_document(
            c,
            session,
            organisation_id=tender.organisation_id,
            tender_id=tender.id,
            kind="corrigendum_notice",
            data=notice,
            content_type="application/json",
            recipient_organisation_id=supplier_id,
        )
        audit(
            session,
            organisation_id=supplier_id,
            actor=actor,
            action="tendering.corrigendum.notified",
            subject_type="tender",
            subject_id=tender.id,
            corrigendum=row.id,
            summary=data.summary,
            deadline=decision.deadline.isoformat(),
            bids_must_be_confirmed=decision.bids_must_be_confirmed,
        )
    store_document(
        c,
        session,
        organisation_id=tender.organisation_id,
        tender_id=tender.id,
        kind="ocds_release",
        content_type="application/json",
        public=True,
        data=_tender_release(c, session, tender, tag="tenderAmendment", now=now),
    )
    if decision.extended:
        enqueue(session, CLOSE_TASK, tender.id, eta=tender.deadline.isoformat())
    return payloads.Corrigendum(
        id=row.id,
        tender_id=tender.id,
        issued_at=now,
        summary=row.summary,
        material=row.material,
        deadline=decision.deadline,
        bids_must_be_confirmed=decision.bids_must_be_confirmed,
    )


def cancel_tender(
    c: Container, session: Session, *, actor: Actor, tender_id: str, reason: str
) -> Tender:
    """Cancel the procedure (art. 55(1)), with reasons, from any state before the contract."""
    tender = buyer_tender(session, actor, tender_id)
    tender.cancel_reason = reason
    move(session, tender, TenderStatus.CANCELLED, actor, reason=reason)
    store_document(
        c,
        session,
        organisation_id=tender.organisation_id,
        tender_id=tender.id,
        kind="ocds_release",
        content_type="application/json",
        public=True,
        data=_tender_release(c, session, tender, tag="tenderCancellation", now=c.clock()),
    )
    return tender
