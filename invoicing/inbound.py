"""Documents arriving over Peppol AS4: recorded as inbound submissions, then processed.

:func:`deliver` runs inside the access point, before the AS4 receipt goes out:
it stores the document and records an inbound submission for the receiving
organisation with the AS4 MessageId as idempotency key, so a copy arriving at
another process is dropped by the unique constraint. :func:`process` runs in
the ``invoicing.process_inbound`` task: validate with the official plan, then
per kind — an invoice is matched against order and contract and approved
(Invoice Response AP), rejected (RE) or routed to a person; an order, order
response or invoice response updates the receiving side's records.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway import webhooks
from gateway.audit.service import record
from gateway.errors import NotFound
from gateway.jobs import enqueue
from gateway.pipeline.lifecycle import Status, check_move
from gateway.pipeline.models import Submission
from gateway.pipeline.steps import ValidationOutcome
from gateway.tenancy.models import Organisation, Role
from invoicing import service
from invoicing.as4 import InboundMessage
from invoicing.errors import InvoicingError
from invoicing.matching import ReasonCode, Tolerance, match_invoice
from invoicing.models import InvoiceRecord, OrderRecord
from invoicing.order_reader import read_order
from invoicing.orders import ContractTerms, InvoiceStatus, Order, StatusReason, StatusReasonCode
from invoicing.reader import read_invoice
from invoicing.repository import InvoiceRepository, OrderRepository
from invoicing.response_reader import read_invoice_response, read_order_response
from invoicing.syntax import syntax_of
from invoicing.vat import compute_totals
from schemas import xmlsafe

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = [
    "PROCESS_TASK",
    "TOLERANCE",
    "SubmissionMessageLog",
    "deliver",
    "kind_of",
    "process",
    "sweep",
    "syntax_of",
]

_log = logging.getLogger("invoicing.inbound")
PROCESS_TASK = "invoicing.process_inbound"
# Invoiced totals may differ from the agreed prices by 1.00 or 0.5 %, whichever is larger.
TOLERANCE = Tolerance(amount=Decimal("1.00"), percent=Decimal("0.5"))
# Reasons a person cannot argue away: the invoice is refused at once.
_AUTO_REJECT = frozenset({ReasonCode.DUPLICATE_NUMBER})
_KINDS = {
    "Invoice": "invoice",
    "CreditNote": "credit_note",
    "Order": "order",
    "OrderResponse": "order_response",
    "ApplicationResponse": "invoice_response",
}
_CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


def kind_of(document: bytes) -> str:
    """The submission kind of a business document, by its root element."""
    try:
        root = xmlsafe.parse(document).getroot()
    except xmlsafe.XmlError:
        return "peppol_document"
    tag = root.tag if isinstance(root.tag, str) else ""
    return _KINDS.get(tag.rpartition("}")[2], "peppol_document")


def _receiver(session: Session, pid: str) -> Organisation | None:
    scheme, _, value = pid.partition(":")
    if scheme != "0184":
        return None
    return session.scalar(select(Organisation).where(Organisation.cvr == value))


class SubmissionMessageLog:
    """The access point's duplicate check: inbound submissions keyed by AS4 MessageId."""

    def __init__(self, container: Container) -> None:
        self._c = container

    def seen(self, message_id: str) -> bool:
        """Whether a message with this AS4 MessageId was recorded."""
        with self._c.db.transaction() as s:
            return (
                s.scalar(
                    select(Submission.id)
                    .where(
                        Submission.direction == "inbound",
                        Submission.idempotency_key == message_id,
                    )
                    .limit(1)
                )
                is not None
            )

    def record(self, message_id: str) -> None:
        """Nothing to do: :func:`deliver` stored the submission already."""


def deliver(c: Container, message: InboundMessage) -> str | None:
    """Record an inbound document for its receiving organisation; None for a duplicate."""
    kind = kind_of(message.document)
    try:
        with c.db.transaction() as s:
            org = _receiver(s, message.final_recipient)
            if org is None:
                raise LookupError(f"{message.final_recipient} is not served here")
            digest = c.blobs.put(message.document)
            now = c.clock()
            sub = Submission(
                organisation_id=org.id,
                kind=kind,
                direction="inbound",
                sender=message.original_sender,
                recipient=message.final_recipient,
                channel="peppol",
                endpoint=None,
                content_type="application/xml",
                payload_hash=digest,
                payload_size=len(message.document),
                status=Status.RECEIVED,
                attempts=0,
                polls=0,
                next_attempt_at=None,  # the pipeline's sweeper leaves inbound documents alone
                message_id=f"{uuid.uuid4()}@peppol-inbound",
                transmission_id=message.message_id,
                idempotency_key=message.message_id,
                reference=message.sbdh.instance_id,
                created_at=now,
                delivered_at=now,
            )
            s.add(sub)
            s.flush()
            # The column's default filled in "due now"; the pipeline's sweeper must never
            # pick an inbound document up (it would send it on to its own recipient).
            sub.next_attempt_at = None
            s.flush()
            record(
                s,
                organisation_id=org.id,
                actor="peppol access point",
                action="pipeline.submission.received",
                subject_type="submission",
                subject_id=sub.id,
                data={
                    "status": sub.status,
                    "kind": kind,
                    "direction": "inbound",
                    "sha256": digest,
                    "as4_message_id": message.message_id,
                    "from": message.original_sender,
                },
            )
            enqueue(s, PROCESS_TASK, sub.id)
            return sub.id
    except IntegrityError:
        # Another process recorded the same MessageId first: a duplicate, already ours.
        _log.info("invoicing.inbound.duplicate", extra={"message_id": message.message_id})
        return None


def sweep(c: Container, *, older_than_seconds: float = 30, limit: int = 200) -> int:
    """Re-enqueue inbound documents whose processing hint was lost."""
    from datetime import timedelta

    cutoff = c.clock() - timedelta(seconds=older_than_seconds)
    with c.db.transaction() as s:
        ids = list(
            s.scalars(
                select(Submission.id)
                .where(
                    Submission.direction == "inbound",
                    Submission.channel == "peppol",
                    Submission.status == Status.RECEIVED,
                    Submission.created_at < cutoff,
                )
                .limit(limit)
            )
        )
        for sid in ids:
            enqueue(s, PROCESS_TASK, sid)
    return len(ids)


def _move(s: Session, sub: Submission, target: Status, **data: object) -> None:
    before = sub.status
    sub.status = check_move(sub.status, target)
    record(
        s,
        organisation_id=sub.organisation_id,
        actor="invoicing inbound",
        action=f"pipeline.submission.{target.value}",
        subject_type="submission",
        subject_id=sub.id,
        data={"status": sub.status, "previous": before, **data},
    )


def process(c: Container, submission_id: str) -> str | None:
    """Validate and act on one inbound document; returns what became of it."""
    with c.db.transaction() as s:
        sub = s.scalar(select(Submission).where(Submission.id == submission_id).with_for_update())
        if sub is None or sub.direction != "inbound" or sub.status != Status.RECEIVED:
            return None
        sub.next_attempt_at = None
        org = s.get(Organisation, sub.organisation_id)
        assert org is not None
        payload = c.blobs.get(sub.payload_hash)
        outcome = c.validator(payload, content_type=sub.content_type, kind=sub.kind)
        if outcome.valid and outcome.plan is None:
            # A Peppol business document that no official plan recognises is not one.
            outcome = ValidationOutcome(
                valid=False,
                findings=[
                    {
                        "rule": "PLAN",
                        "severity": "fatal",
                        "location": "/",
                        "message": "no official validation plan covers this document "
                        "(CustomizationID and ProfileID missing or unknown)",
                    }
                ],
            )
        sub.plan = outcome.plan
        sub.findings = outcome.findings or None
        if not outcome.valid:
            fatal = [f for f in outcome.findings if f.get("severity") in ("fatal", "error")]
            sub.last_error = "validation failed: " + "; ".join(
                f"{f.get('rule')}: {f.get('message')}" for f in (fatal or outcome.findings)[:5]
            )
            _move(s, sub, Status.INVALID, plan=outcome.plan, findings=len(outcome.findings))
            if sub.kind in ("invoice", "credit_note"):
                _refuse_invalid_invoice(c, s, sub, org, payload, fatal or outcome.findings)
            return "invalid"
        _move(s, sub, Status.VALIDATED, plan=outcome.plan)
        handler = _HANDLERS.get(sub.kind)
        if handler is None:
            sub.last_error = f"no processing for {sub.kind} documents"
            return "stored"
        try:
            return handler(c, s, sub, org, payload)
        except InvoicingError as exc:
            sub.last_error = str(exc)
            return "unprocessed"


def _number_of(payload: bytes) -> str:
    try:
        root = xmlsafe.parse(payload).getroot()
    except xmlsafe.XmlError:
        return "unknown"
    return (root.findtext(f"{_CBC}ID") or "unknown").strip()[:100]


def _refuse_invalid_invoice(
    c: Container,
    s: Session,
    sub: Submission,
    org: Organisation,
    payload: bytes,
    findings: list[dict[str, Any]],
) -> None:
    """An invoice with a fatal finding: recorded as rejected and answered RE with the findings."""
    rec = InvoiceRepository(s, org.id).add(
        InvoiceRecord(
            side="received",
            kind=sub.kind,
            syntax=syntax_of(payload),
            number=_number_of(payload),
            counterparty=sub.sender,
            status="received",
            findings=findings[:50],
            reasons=[
                {"code": "invalid_document", "rule": f.get("rule"), "message": f.get("message")}
                for f in findings[:20]
            ],
            document_hash=sub.payload_hash,
            submission_id=sub.id,
        )
    )
    reasons = [
        StatusReason(
            code=StatusReasonCode.OTHER,
            text=f"{f.get('rule')}: {f.get('message')}"[:500],
        )
        for f in findings[:10]
    ]
    service.answer_invoice(
        c,
        s,
        actor=service.system_actor(org, Role.BUYER),
        rec=rec,
        status=InvoiceStatus.REJECTED,
        reasons=reasons,
        note="the invoice breaks fatal validation rules",
    )


def _orders_for(
    c: Container, s: Session, org: Organisation, number: str | None
) -> dict[str, Order]:
    if not number:
        return {}
    rec = OrderRepository(s, org.id).by_number(number, side="buyer")
    return {} if rec is None else {number: read_order(c.blobs.get(rec.document_hash))}


def _contract(
    s: Session, org: Organisation, contract_id: str | None, seller_pid: str
) -> ContractTerms | None:
    if not contract_id:
        return None
    from invoicing.contract_terms import contract_terms
    from tendering import service as tendering

    try:
        view = tendering.get_contract(s, organisation_id=org.id, contract_id=contract_id)
    except NotFound:  # the invoice names a contract this buyer does not hold
        return None
    supplier = _receiver(s, service.participant(view.supplier_cvr))
    return contract_terms(
        view,
        buyer=service.organisation_party(org),
        supplier=service.organisation_party(supplier) if supplier else None,
    )


def _invoice(c: Container, s: Session, sub: Submission, org: Organisation, payload: bytes) -> str:
    invoice = read_invoice(payload)
    repo = InvoiceRepository(s, org.id)
    rec = repo.add(
        InvoiceRecord(
            side="received",
            kind=invoice.kind.value,
            syntax=syntax_of(payload),
            number=invoice.number,
            counterparty=sub.sender,
            order_number=invoice.order_reference,
            contract_id=invoice.contract_reference,
            currency=invoice.currency,
            payable_amount=compute_totals(invoice).payable,
            status="received",
            document_hash=sub.payload_hash,
            submission_id=sub.id,
        )
    )
    orders = _orders_for(c, s, org, invoice.order_reference)
    order = orders.get(invoice.order_reference or "")
    contract_id = (order.contract_reference if order else None) or invoice.contract_reference
    result = match_invoice(
        invoice,
        orders=orders,
        contract=_contract(s, org, contract_id, sub.sender),
        seen_numbers=repo.numbers_from(sub.sender, excluding=rec.id),
        tolerance=TOLERANCE,
    )
    rec.contract_id = contract_id
    rec.reasons = [
        {
            "code": r.code.value,
            "message": r.message,
            "line_id": r.line_id,
            "invoiced": r.invoiced,
            "expected": r.expected,
            "term": r.term,
        }
        for r in result.reasons
    ]
    actor = service.system_actor(org, Role.BUYER)
    if result.approved:
        rec.status = "approved"
        service.answer_invoice(
            c, s, actor=actor, rec=rec, status=InvoiceStatus.ACCEPTED, reasons=[]
        )
        rec.status = "approved"
    elif result.codes & _AUTO_REJECT:
        service.answer_invoice(
            c,
            s,
            actor=actor,
            rec=rec,
            status=InvoiceStatus.REJECTED,
            reasons=service.reasons_for(rec.reasons),
        )
    else:
        rec.status = "needs_review"
    record(
        s,
        organisation_id=org.id,
        actor="invoicing inbound",
        action=f"invoicing.invoice.{rec.status}",
        subject_type="invoice",
        subject_id=rec.id,
        data={"number": rec.number, "reasons": sorted(r.code.value for r in result.reasons)},
    )
    told = {"invoice_id": rec.id, "number": rec.number, "order_number": rec.order_number}
    webhooks.emit(s, "invoicing.invoice.received", organisation_id=org.id, data=told)
    webhooks.emit(
        s,
        "invoicing.invoice.matched",
        organisation_id=org.id,
        data={**told, "status": rec.status, "reasons": [r["code"] for r in rec.reasons]},
    )
    return rec.status


def _order(c: Container, s: Session, sub: Submission, org: Organisation, payload: bytes) -> str:
    order = read_order(payload)
    repo = OrderRepository(s, org.id)
    if repo.by_number(order.id, side="supplier", counterparty=sub.sender) is not None:
        return "duplicate"
    repo.add(
        OrderRecord(
            side="supplier",
            number=order.id,
            counterparty=sub.sender,
            contract_id=order.contract_reference,
            currency=order.currency,
            total=order.line_extension,
            status="received",
            document_hash=sub.payload_hash,
            submission_id=sub.id,
        )
    )
    return "received"


_ORDER_STATUS = {
    "AP": "accepted",
    "RE": "rejected",
    "CA": "accepted_with_changes",
    "AB": "acknowledged",
}


def _order_response(
    c: Container, s: Session, sub: Submission, org: Organisation, payload: bytes
) -> str:
    root = xmlsafe.parse(payload).getroot()
    cac = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
    number = (root.findtext(f"{cac}OrderReference/{_CBC}ID") or "").strip()
    rec = OrderRepository(s, org.id).by_number(number, side="buyer", counterparty=sub.sender)
    if rec is None:
        sub.last_error = f"the response answers an unknown order {number!r}"
        return "unknown_order"
    response = read_order_response(
        payload, orders={number: read_order(c.blobs.get(rec.document_hash))}
    )
    rec.response_code = response.code.value
    rec.response_note = response.note
    rec.response_hash = sub.payload_hash
    rec.response_submission_id = sub.id
    rec.status = _ORDER_STATUS.get(response.code.value, response.code.value.lower())
    webhooks.emit(
        s,
        "invoicing.order.answered",
        organisation_id=org.id,
        data={"order_id": rec.id, "number": rec.number, "status": rec.status},
    )
    return rec.status


def _invoice_response(
    c: Container, s: Session, sub: Submission, org: Organisation, payload: bytes
) -> str:
    response = read_invoice_response(payload)
    rec = InvoiceRepository(s, org.id).issued(response.invoice_number, counterparty=sub.sender)
    if rec is None:
        sub.last_error = f"the response answers an unknown invoice {response.invoice_number!r}"
        return "unknown_invoice"
    rec.response_code = response.status.value
    rec.response_submission_id = sub.id
    rec.status = service.INVOICE_STATUS_NAMES[response.status]
    if response.reasons:
        rec.reasons = [
            {
                "code": r.code.value if r.code else None,
                "message": r.text,
                "term": r.term,
            }
            for r in response.reasons
        ]
    record(
        s,
        organisation_id=org.id,
        actor="invoicing inbound",
        action=f"invoicing.invoice.{rec.status}",
        subject_type="invoice",
        subject_id=rec.id,
        data={"number": rec.number, "response": response.status.value},
    )
    return rec.status


_HANDLERS = {
    "invoice": _invoice,
    "credit_note": _invoice,
    "order": _order,
    "order_response": _order_response,
    "invoice_response": _invoice_response,
}
