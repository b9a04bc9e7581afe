"""The restricted procedure's selection stage: requests to participate, selection, invitation.

Directive 2014/24/EU art. 28: any supplier may request to participate,
with its ESPD response (a UBL 2.3 QualificationApplicationResponse, checked
against the 2.3 XSD), until the request deadline; late requests are refused
like late bids. After that deadline the buyer selects the candidates
(art. 65: at least the tender's stated minimum, unless fewer qualify), each
requester is told its own outcome and nothing about the others, and only
the selected may bid (:func:`ensure_invited`, called by the bidding).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from gateway.errors import NotFound
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from schemas import engine
from schemas.xmlsafe import XmlError, parse
from tendering import lifecycle, payloads
from tendering._common import audit, buyer_tender, move, store_document
from tendering.errors import InvalidEspdResponse, InvalidTransition, NotInvited
from tendering.lifecycle import Procedure, TenderStatus
from tendering.models import ParticipationRequest, RequestStatus, Tender
from tendering.repository import ParticipationRequests, PublicTenders

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = [
    "ESPD_RESPONSE_XSD",
    "ensure_invited",
    "my_participation",
    "participation_requests",
    "request_to_participate",
    "select_candidates",
    "validate_espd_response",
]

ESPD_RESPONSE_XSD = Path("ubl-2.3/xsd/maindoc/UBL-QualificationApplicationResponse-2.3.xsd")
_CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
_ROOT = (
    "{urn:oasis:names:specification:ubl:schema:xsd:QualificationApplicationResponse-2}"
    "QualificationApplicationResponse"
)


def validate_espd_response(data: bytes, *, artefacts_dir: Path, tender_reference: str) -> None:
    """Refuse an ESPD response that is not a valid UBL 2.3 QualificationApplicationResponse.

    A response naming a procedure (``ContractFolderID``) must name this tender's.
    """
    try:
        tree = parse(data)
    except XmlError as exc:
        raise InvalidEspdResponse(f"the ESPD response is not well-formed XML: {exc}") from exc
    root = tree.getroot()
    if root.tag != _ROOT:
        raise InvalidEspdResponse("the ESPD response must be a QualificationApplicationResponse")
    try:
        errors = engine.schema(artefacts_dir / ESPD_RESPONSE_XSD).errors(tree)
    except engine.EngineError as exc:
        raise InvalidEspdResponse(f"the ESPD response cannot be checked: {exc}") from exc
    if errors:
        lines = "; ".join(f"line {e.line}: {e.message}" for e in errors[:5])
        raise InvalidEspdResponse(f"the ESPD response is not valid UBL 2.3: {lines}")
    folder = root.findtext(f"{_CBC}ContractFolderID")
    if folder is not None and folder.strip() != tender_reference:
        raise InvalidEspdResponse(
            f"the ESPD response is for procedure {folder.strip()!r}, not {tender_reference!r}"
        )


def _restricted(tender: Tender) -> None:
    if tender.procedure != Procedure.RESTRICTED:
        raise InvalidTransition("the tender is an open procedure: it has no selection stage")


def request_to_participate(
    c: Container, session: Session, *, actor: Actor, tender_id: str, espd_response: bytes
) -> ParticipationRequest:
    """Receive a supplier's request to participate before the request deadline.

    A repeated request before the deadline replaces the earlier ESPD response.
    """
    now = c.clock()  # the time of receipt, taken before anything else (as for bids)
    actor.require(Role.SUPPLIER)
    tender = PublicTenders(session).get(tender_id)
    _restricted(tender)
    lifecycle.ensure_request_window_open(now=now, request_deadline=tender.request_deadline)
    if tender.status != TenderStatus.PUBLISHED:
        raise InvalidTransition(f"the tender is {tender.status}: it takes no requests")
    validate_espd_response(
        espd_response,
        artefacts_dir=c.settings.effective_artefacts_dir,
        tender_reference=tender.reference,
    )
    digest = c.blobs.put(espd_response)
    repo = ParticipationRequests(session, actor.organisation_id)
    row = repo.mine(tender.id, for_update=True)
    if row is None:
        row = repo.add(
            ParticipationRequest(
                buyer_organisation_id=tender.organisation_id,
                tender_id=tender.id,
                supplier_cvr=actor.organisation_cvr,
                received_at=now,
                espd_sha256=digest,
                espd_size=len(espd_response),
            )
        )
    else:
        row.received_at, row.espd_sha256, row.espd_size = now, digest, len(espd_response)
        session.flush()
    for chain in (actor.organisation_id, tender.organisation_id):
        audit(
            session,
            organisation_id=chain,
            actor=actor,
            action="tendering.participation.requested",
            subject_type="tender",
            subject_id=tender.id,
            request=row.id,
            supplier=actor.organisation_cvr,
            espd_sha256=digest,
            received_at=now.isoformat(),
        )
    return row


def participation_requests(
    session: Session, *, actor: Actor, tender_id: str
) -> list[ParticipationRequest]:
    """Every request to participate in the buyer's tender."""
    tender = buyer_tender(session, actor, tender_id, lock=False)
    return list(
        ParticipationRequests(session, actor.organisation_id, buyer=True).for_tender(tender.id)
    )


def my_participation(session: Session, *, actor: Actor, tender_id: str) -> ParticipationRequest:
    """The supplier's own request (and its outcome); never anyone else's."""
    actor.require(Role.SUPPLIER)
    row = ParticipationRequests(session, actor.organisation_id).mine(tender_id)
    if row is None:
        raise NotFound(f"no request to participate in tender {tender_id}")
    return row


def _notify(c: Container, session: Session, tender: Tender, row: ParticipationRequest) -> None:
    """Tell one requester its own outcome: the notice names nobody else."""
    selected = row.status == RequestStatus.SELECTED
    body = {
        "tender_id": tender.id,
        "tender_reference": tender.reference,
        "title": tender.title,
        "request_id": row.id,
        "outcome": row.status,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "reason": row.reason,
        "submission_deadline": tender.deadline.isoformat() if selected else None,
        "public_key": tender.public_key if selected else None,
    }
    store_document(
        c,
        session,
        organisation_id=tender.organisation_id,
        tender_id=tender.id,
        kind="invitation_to_tender" if selected else "selection_rejection",
        data=json.dumps(body, sort_keys=True).encode(),
        content_type="application/json",
        recipient_organisation_id=row.organisation_id,
    )
    audit(
        session,
        organisation_id=row.organisation_id,
        actor="tendering selection",
        action=f"tendering.participation.{row.status}",
        subject_type="tender",
        subject_id=tender.id,
        request=row.id,
        reason=row.reason,
    )


def select_candidates(
    c: Container, session: Session, *, actor: Actor, tender_id: str, data: payloads.SelectionCreate
) -> list[ParticipationRequest]:
    """Select the candidates after the request deadline, invite them, tell every requester."""
    now = c.clock()
    tender = buyer_tender(session, actor, tender_id)
    _restricted(tender)
    assert tender.request_deadline is not None  # a restricted tender always has one
    lifecycle.ensure_selection_allowed(
        now=now, request_deadline=tender.request_deadline, deadline=tender.deadline
    )
    if tender.status == TenderStatus.PUBLISHED:
        # The scheduler may not have closed the requests yet; the clock already has.
        move(session, tender, TenderStatus.SELECTION, "scheduler")
    lifecycle.ensure_transition(
        TenderStatus(tender.status), TenderStatus.INVITED, procedure=tender.procedure
    )
    rows = list(
        ParticipationRequests(session, actor.organisation_id, buyer=True).for_tender(tender.id)
    )
    decision = lifecycle.decide_selection(
        requesters=[r.id for r in rows],
        selected=list(data.selected),
        not_qualified=list(data.not_qualified),
        min_candidates=tender.min_candidates or lifecycle.MIN_CANDIDATES,
        max_candidates=tender.max_candidates,
    )
    chosen = set(decision.selected)
    for row in rows:
        row.decided_at = now
        row.status = RequestStatus.SELECTED if row.id in chosen else RequestStatus.NOT_SELECTED
        row.qualified = row.id not in data.not_qualified
        row.reason = data.not_qualified.get(row.id) or (
            None if row.id in chosen else "qualified, but not among the candidates invited"
        )
    session.flush()
    by_id = {r.id: r.supplier_cvr for r in rows}
    audit(
        session,
        organisation_id=tender.organisation_id,
        actor=actor,
        action="tendering.selection.decided",
        subject_type="tender",
        subject_id=tender.id,
        selected=[by_id[i] for i in decision.selected],
        qualified_not_selected=[by_id[i] for i in decision.qualified_not_selected],
        not_qualified=[by_id[i] for i in decision.not_qualified],
        min_candidates=tender.min_candidates,
        max_candidates=tender.max_candidates,
    )
    tender.selected_at = now
    move(session, tender, TenderStatus.INVITED, actor, invited=len(decision.selected))
    for row in rows:
        _notify(c, session, tender, row)
    return rows


def ensure_invited(session: Session, *, actor: Actor, tender: Tender) -> None:
    """Refuse a bid on a restricted tender from a supplier that was not selected."""
    if tender.procedure != Procedure.RESTRICTED:
        return
    row = ParticipationRequests(session, actor.organisation_id).mine(tender.id)
    if row is None or row.status != RequestStatus.SELECTED:
        raise NotInvited("only the candidates invited to this restricted tender may bid")
