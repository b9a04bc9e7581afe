"""Use cases of tendering: tenders, committee, publication, questions, corrigenda, contracts.

Services take keyword-only arguments, flush and never commit: the request,
task or command that calls them owns the transaction. Every state change is
audited in the buyer's chain. Bids, opening and award live in
:mod:`tendering.bidding`, :mod:`tendering.committee` and :mod:`tendering.award`;
their public functions are re-exported here, so other domains (invoicing)
import this module only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.errors import BadRequest, NotFound
from gateway.tenancy.models import Principal, Role, RoleGrant
from gateway.tenancy.service import Actor
from tendering import lifecycle, payloads, share_delivery
from tendering._common import (
    audit,
    buyer_tender,
    lot_payload,
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
from tendering.errors import InvalidTransition
from tendering.lifecycle import TenderStatus
from tendering.models import OpeningMember, Question, Tender, TenderInterest, TenderLot
from tendering.publication import (
    cancel_tender,
    close_due_tenders,
    close_tender,
    issue_corrigendum,
    publish_tender,
)
from tendering.repository import (
    InterestRepository,
    MemberRepository,
    PublicTenders,
    QuestionRepository,
    TenderRepository,
)
from tendering.selection import (
    my_participation,
    participation_requests,
    request_to_participate,
    select_candidates,
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
    "my_participation",
    "my_sealed_share",
    "open_tender",
    "opening_record",
    "participation_requests",
    "propose_award",
    "publish_tender",
    "register_interest",
    "register_supplier_key",
    "request_to_participate",
    "require_member",
    "seal_at_edge",
    "select_candidates",
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
            request_deadline=tender.request_deadline,
            standstill_days=tender.standstill_days,
        ),
        selection_criteria=list(tender.selection_criteria),
        opening_threshold=tender.opening_threshold,
        opening_holders=tender.opening_holders,
        min_candidates=tender.min_candidates,
        max_candidates=tender.max_candidates,
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
        request_deadline=data.timeline.request_deadline,
        min_candidates=data.min_candidates,
        max_candidates=data.max_candidates,
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
        restricted = tender.procedure == lifecycle.Procedure.RESTRICTED
        if restricted != (data.timeline.request_deadline is not None):
            raise BadRequest(
                "a restricted procedure needs timeline.request_deadline; an open one has none"
            )
        tender.request_deadline = data.timeline.request_deadline
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


def ask_question(
    c: Container, session: Session, *, actor: Actor, tender_id: str, data: payloads.QuestionCreate
) -> Question:
    """A supplier asks; the question is the buyer's to answer (and the asker stays private)."""
    actor.require(Role.SUPPLIER)
    tender = PublicTenders(session).get(tender_id)
    now = c.clock()
    if tender.status not in (TenderStatus.PUBLISHED, TenderStatus.INVITED):
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
