"""Use cases of tendering: tenders, committee, publication, questions, corrigenda, contracts.

Services take keyword-only arguments, flush and never commit: the request,
task or command that calls them owns the transaction. Every state change is
audited in the buyer's chain. Bids, opening and award live in
:mod:`tendering.bidding`, :mod:`tendering.committee` and :mod:`tendering.award`;
their public functions are re-exported here, so other domains (invoicing)
import this module only.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.errors import BadRequest, NotFound
from gateway.tenancy.models import Principal, Role, RoleGrant
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
from tendering.award import award_tender, evaluate_tender, propose_award, start_standstill
from tendering.bidding import (
    confirm_bid,
    register_supplier_key,
    seal_at_edge,
    submit_bid,
    supplier_bids,
    withdraw_bid,
)
from tendering.committee import (
    hand_in_share,
    my_sealed_share,
    open_tender,
    opening_record,
    require_member,
)
from tendering.contracts import contract_document, get_contract, list_contracts, sign_contract
from tendering.documents import (
    NoticeCriterion,
    NoticeLot,
    build_contract_notice,
    build_espd_request,
)
from tendering.errors import InvalidTransition
from tendering.lifecycle import TenderStatus
from tendering.models import Corrigendum, OpeningMember, Question, Tender, TenderInterest, TenderLot
from tendering.repository import (
    BuyerBids,
    CorrigendumRepository,
    InterestRepository,
    MemberRepository,
    PublicTenders,
    QuestionRepository,
    TenderRepository,
)

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = [
    "answer_question",
    "ask_question",
    "award_tender",
    "cancel_tender",
    "close_due_tenders",
    "close_tender",
    "confirm_bid",
    "contract_document",
    "create_tender",
    "evaluate_tender",
    "get_contract",
    "get_tender",
    "hand_in_share",
    "issue_corrigendum",
    "list_contracts",
    "list_questions",
    "my_sealed_share",
    "open_tender",
    "opening_record",
    "propose_award",
    "publish_tender",
    "register_interest",
    "register_supplier_key",
    "require_member",
    "seal_at_edge",
    "set_committee",
    "sign_contract",
    "start_standstill",
    "submit_bid",
    "supplier_bids",
    "tender_view",
    "update_tender",
    "withdraw_bid",
]


def _lots(organisation_id: str, lots: list[payloads.Lot]) -> list[TenderLot]:
    return [
        TenderLot(
            organisation_id=organisation_id,
            position=i + 1,
            lot_id=lot.lot_id,
            title=lot.title,
            description=lot.description,
            estimated_value=lot.estimated_value,
            award_method=lot.award_method.value,
            criteria=[c.model_dump(mode="json") for c in lot.criteria],
        )
        for i, lot in enumerate(lots)
    ]


def lot_payload(lot: TenderLot) -> payloads.Lot:
    """A stored lot as the validated payload (criteria and all)."""
    return payloads.Lot.model_validate(
        {
            "lot_id": lot.lot_id,
            "title": lot.title,
            "description": lot.description,
            "estimated_value": lot.estimated_value,
            "award_method": lot.award_method,
            "criteria": lot.criteria,
        }
    )


def tender_view(tender: Tender) -> payloads.Tender:
    """The API shape of a tender."""
    return payloads.Tender(
        id=tender.id,
        organisation_id=tender.organisation_id,
        reference=tender.reference,
        status=TenderStatus(tender.status),
        title=tender.title,
        description=tender.description,
        contract_nature=tender.contract_nature,  # type: ignore[arg-type]
        cpv_code=tender.cpv_code,
        currency=tender.currency,
        estimated_value=tender.estimated_value,
        procedure=tender.procedure,
        lots=[lot_payload(lot) for lot in tender.lots],
        timeline=payloads.Timeline.model_construct(
            deadline=tender.deadline,
            questions_deadline=tender.questions_deadline,
            standstill_days=tender.standstill_days,
        ),
        selection_criteria=list(tender.selection_criteria),
        opening_threshold=tender.opening_threshold,
        opening_holders=tender.opening_holders,
        public_key=tender.public_key,
        key_fingerprint=tender.key_fingerprint,
        published_at=tender.published_at,
        standstill_ends=tender.standstill_ends,
        created_at=tender.created_at,
    )


def get_tender(session: Session, *, actor: Actor, tender_id: str) -> Tender:
    """A tender as its buyer (or the buyer's auditor) sees it."""
    actor.require(Role.BUYER, Role.AUDITOR, Role.OPENING_MEMBER)
    return TenderRepository(session, actor.organisation_id).get(tender_id)


def create_tender(session: Session, *, actor: Actor, data: payloads.TenderCreate) -> Tender:
    """A new tender, as a draft."""
    actor.require(Role.BUYER)
    repo = TenderRepository(session, actor.organisation_id)
    if repo.by_reference(data.reference) is not None:
        raise BadRequest(f"a tender with reference {data.reference!r} exists")
    tender = Tender(
        reference=data.reference,
        title=data.title,
        description=data.description,
        contract_nature=data.contract_nature,
        cpv_code=data.cpv_code,
        currency=data.currency,
        estimated_value=data.estimated_value,
        procedure=data.procedure,
        deadline=data.timeline.deadline,
        questions_deadline=data.timeline.questions_deadline,
        standstill_days=data.timeline.standstill_days,
        selection_criteria=list(data.selection_criteria),
        opening_threshold=data.opening_threshold,
        opening_holders=data.opening_holders,
        lots=_lots(actor.organisation_id, data.lots),
    )
    repo.add(tender)
    audit(
        session,
        organisation_id=actor.organisation_id,
        actor=actor,
        action="tendering.tender.created",
        subject_type="tender",
        subject_id=tender.id,
        reference=tender.reference,
        deadline=tender.deadline.isoformat(),
        lots=[lot.lot_id for lot in data.lots],
    )
    return tender


def update_tender(
    session: Session, *, actor: Actor, tender_id: str, data: payloads.TenderUpdate
) -> Tender:
    """Change a draft; a published tender changes only by corrigendum."""
    tender = buyer_tender(session, actor, tender_id)
    if tender.status != TenderStatus.DRAFT:
        raise InvalidTransition("only a draft can be edited; issue a corrigendum instead")
    changes = data.model_dump(exclude_unset=True, mode="json")
    for name in ("title", "description", "contract_nature", "cpv_code", "currency"):
        if name in changes:
            setattr(tender, name, getattr(data, name))
    if "estimated_value" in changes:
        tender.estimated_value = data.estimated_value
    if data.selection_criteria is not None:
        tender.selection_criteria = list(data.selection_criteria)
    if data.timeline is not None:
        tender.deadline = data.timeline.deadline
        tender.questions_deadline = data.timeline.questions_deadline
        tender.standstill_days = data.timeline.standstill_days
    if data.lots is not None:
        tender.lots.clear()
        session.flush()
        tender.lots.extend(_lots(actor.organisation_id, data.lots))
    session.flush()
    audit(
        session,
        organisation_id=actor.organisation_id,
        actor=actor,
        action="tendering.tender.updated",
        subject_type="tender",
        subject_id=tender.id,
        fields=sorted(changes),
    )
    return tender


def set_committee(
    session: Session, *, actor: Actor, tender_id: str, data: payloads.CommitteeSet
) -> list[OpeningMember]:
    """Name the opening committee: n principals of the buyer holding the opening_member role."""
    tender = buyer_tender(session, actor, tender_id)
    if tender.status != TenderStatus.DRAFT:
        raise InvalidTransition("the committee is fixed at publication")
    if len(data.members) != tender.opening_holders:
        raise BadRequest(
            f"the tender is {tender.opening_threshold} of {tender.opening_holders}: "
            f"name exactly {tender.opening_holders} members"
        )
    ids = [m.principal_id for m in data.members]
    if len(set(ids)) != len(ids):
        raise BadRequest("a member appears twice in the committee")
    for m in data.members:
        principal = session.get(Principal, m.principal_id)
        grant = session.scalar(
            select(RoleGrant).where(
                RoleGrant.principal_id == m.principal_id,
                RoleGrant.organisation_id == actor.organisation_id,
                RoleGrant.role == Role.OPENING_MEMBER.value,
            )
        )
        if principal is None or grant is None:
            raise BadRequest(f"principal {m.principal_id} holds no opening_member role here")
        share_delivery.load_member_public_key(m.public_key)
    repo = MemberRepository(session, actor.organisation_id)
    for old in repo.members(tender.id):
        session.delete(old)
    session.flush()
    members = [
        repo.add(
            OpeningMember(
                tender_id=tender.id,
                principal_id=m.principal_id,
                share_index=i + 1,
                member_public_key=m.public_key,
            )
        )
        for i, m in enumerate(data.members)
    ]
    audit(
        session,
        organisation_id=actor.organisation_id,
        actor=actor,
        action="tendering.committee.set",
        subject_type="tender",
        subject_id=tender.id,
        members=ids,
        threshold=tender.opening_threshold,
    )
    return members


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
    from gateway.jobs import enqueue

    # The scheduler closes the tender at the deadline; bids are refused by the clock anyway.
    enqueue(session, "tendering.close_tender", tender.id, eta=tender.deadline.isoformat())
    return tender


def close_tender(c: Container, session: Session, *, tender_id: str) -> bool:
    """Move a published tender past its deadline to submission_closed (idempotent)."""
    tender = PublicTenders(session).get(tender_id, for_update=True)
    now = c.clock()
    due = lifecycle.due_status(TenderStatus(tender.status), now=now, deadline=tender.deadline)
    if due is None:
        return False
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


def register_interest(
    c: Container, session: Session, *, actor: Actor, tender_id: str
) -> TenderInterest:
    """A supplier registers for a tender, to be told of corrigenda."""
    actor.require(Role.SUPPLIER)
    tender = PublicTenders(session).get(tender_id)
    repo = InterestRepository(session, actor.organisation_id)
    existing = repo.mine(tender.id)
    if existing is not None:
        return existing
    interest = repo.add(TenderInterest(tender_id=tender.id, created_at=c.clock()))
    audit(
        session,
        organisation_id=actor.organisation_id,
        actor=actor,
        action="tendering.interest.registered",
        subject_type="tender",
        subject_id=tender.id,
    )
    return interest


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
    for supplier_id in suppliers:
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
        from gateway.jobs import enqueue

        enqueue(session, "tendering.close_tender", tender.id, eta=tender.deadline.isoformat())
    return payloads.Corrigendum(
        id=row.id,
        tender_id=tender.id,
        issued_at=now,
        summary=row.summary,
        material=row.material,
        deadline=decision.deadline,
        bids_must_be_confirmed=decision.bids_must_be_confirmed,
    )


def ask_question(
    c: Container, session: Session, *, actor: Actor, tender_id: str, data: payloads.QuestionCreate
) -> Question:
    """A supplier asks; the question is the buyer's to answer (and the asker stays private)."""
    actor.require(Role.SUPPLIER)
    tender = PublicTenders(session).get(tender_id)
    now = c.clock()
    if tender.status != TenderStatus.PUBLISHED:
        raise InvalidTransition("questions are taken only while the tender is open")
    if tender.questions_deadline is not None and now >= tender.questions_deadline:
        raise InvalidTransition("the deadline for questions has passed")
    q = QuestionRepository(session, tender.organisation_id).add(
        Question(
            tender_id=tender.id,
            asked_by_organisation_id=actor.organisation_id,
            question=data.question,
            asked_at=now,
        )
    )
    for org_id in (tender.organisation_id, actor.organisation_id):
        audit(
            session,
            organisation_id=org_id,
            actor=actor,
            action="tendering.question.asked",
            subject_type="question",
            subject_id=q.id,
            tender=tender.id,
        )
    return q


def list_questions(session: Session, *, actor: Actor, tender_id: str) -> list[Question]:
    tender = buyer_tender(session, actor, tender_id, lock=False)
    return list(QuestionRepository(session, actor.organisation_id).list(tender.id))


def answer_question(
    c: Container,
    session: Session,
    *,
    actor: Actor,
    tender_id: str,
    question_id: str,
    data: payloads.AnswerCreate,
) -> Question:
    """Answer a question; the answer is published to all without the asker."""
    tender = buyer_tender(session, actor, tender_id)
    q = QuestionRepository(session, actor.organisation_id).get(question_id)
    if q.tender_id != tender.id:
        raise NotFound(f"question {question_id} not found")
    q.answer = data.answer
    q.answered_at = c.clock()
    session.flush()
    audit(
        session,
        organisation_id=actor.organisation_id,
        actor=actor,
        action="tendering.question.answered",
        subject_type="question",
        subject_id=q.id,
        tender=tender.id,
    )
    return q


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
