"""The access point's hand-over to the inbound pipeline: once per MessageId, never lost."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from gateway import jobs
from gateway.pipeline.models import Submission
from invoicing import inbound
from invoicing.as4 import InboundMessage, SbdhInfo
from invoicing.channel import gateway_identity
from tests.invoicing.test_service_flow import Org, Peppol, peppol

__all__ = ["peppol"]  # the module fixture, shared with the flow tests

_ORDER_RESPONSE = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<OrderResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2"/>'
)


def _message(p: Peppol, sender: Org, receiver: Org, message_id: str) -> InboundMessage:
    cert = gateway_identity(p.container.settings).certificate
    return InboundMessage(
        message_id=message_id,
        conversation_id="c-1",
        timestamp=datetime.now(UTC).isoformat(),
        from_party="PDK000001",
        to_party="PDK000001",
        service="urn:fdc:peppol.eu:poacc:bis:ordering:3",
        action="busdox-docid-qns::x",
        original_sender=sender.participant,
        final_recipient=receiver.participant,
        sbdh=SbdhInfo(
            sender=sender.participant,
            receiver=receiver.participant,
            document_type_id="x",
            process_id="urn:fdc:peppol.eu:poacc:bis:ordering:3",
            country_c1="DK",
            instance_id=str(uuid.uuid4()),
            created=datetime.now(UTC),
        ),
        document=_ORDER_RESPONSE,
        signer=cert,
        signed_references=(),
    )


def _count(p: Peppol, message_id: str) -> int:
    with p.container.db.transaction() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(Submission)
                .where(Submission.idempotency_key == message_id)
            )
            or 0
        )


def test_a_copy_delivered_by_another_process_is_dropped_by_the_unique_key(peppol: Peppol) -> None:
    buyer, supplier = peppol.org("buyer"), peppol.org("supplier")
    message_id = f"{uuid.uuid4()}@other-ap"
    log = inbound.SubmissionMessageLog(peppol.container)
    assert not log.seen(message_id)
    first = inbound.deliver(peppol.container, _message(peppol, supplier, buyer, message_id))
    assert first is not None
    # A second process had not seen the first one commit: the unique key decides.
    assert inbound.deliver(peppol.container, _message(peppol, supplier, buyer, message_id)) is None
    assert log.seen(message_id)
    assert _count(peppol, message_id) == 1
    sub = peppol.submission(first)
    assert sub.kind == "order_response" and sub.direction == "inbound"
    assert sub.sender == supplier.participant and sub.next_attempt_at is None


def test_processing_a_document_nobody_is_waiting_for_is_noted(peppol: Peppol) -> None:
    buyer, supplier = peppol.org("buyer"), peppol.org("supplier")
    sid = inbound.deliver(
        peppol.container, _message(peppol, supplier, buyer, f"{uuid.uuid4()}@other-ap")
    )
    assert sid is not None
    assert inbound.process(peppol.container, sid) == "invalid"  # an empty order response
    assert inbound.process(peppol.container, sid) is None  # once only
    sub = peppol.submission(sid)
    assert sub.status == "invalid" and sub.findings
    assert (sub.last_error or "").startswith("validation failed")


def test_the_sweeper_hands_on_documents_whose_hint_was_lost(peppol: Peppol) -> None:
    buyer, supplier = peppol.org("buyer"), peppol.org("supplier")
    sent: list[tuple[str, tuple[object, ...]]] = []
    jobs.install_dispatcher(lambda task, args, options: sent.append((task, args)))
    try:
        sid = inbound.deliver(
            peppol.container, _message(peppol, supplier, buyer, f"{uuid.uuid4()}@other-ap")
        )
        assert (inbound.PROCESS_TASK, (sid,)) in sent
        sent.clear()
        inbound.sweep(peppol.container)
        assert (inbound.PROCESS_TASK, (sid,)) not in sent  # just arrived: its hint is on the way
        peppol.clock.advance(seconds=60)
        sent.clear()
        assert inbound.sweep(peppol.container) >= 1
        assert (inbound.PROCESS_TASK, (sid,)) in sent
    finally:
        jobs.install_dispatcher(None)
        peppol.clock.advance(seconds=1)
        assert sid is not None
        inbound.process(peppol.container, sid)
    assert peppol.submission(sid).status == "invalid"
