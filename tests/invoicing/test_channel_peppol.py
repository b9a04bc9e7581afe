"""The Peppol channel against the gateway's sandbox network: what each AS4 answer becomes."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from gateway.channels.base import OutboundMessage, SendResult
from gateway.pipeline.models import Submission
from invoicing.as4.devcerts import make_dev_identity
from invoicing.builders import build_invoice_response
from invoicing.channel import PeppolChannel, document_type
from invoicing.orders import InvoiceResponse, InvoiceStatus
from invoicing.service import organisation_party
from tests.invoicing.test_service_flow import Org, Peppol, peppol

__all__ = ["peppol"]  # the module fixture, shared with the flow tests


def _response(buyer: Org, supplier: Org, peppol_: Peppol) -> bytes:
    from datetime import date

    from gateway.tenancy.models import Organisation

    with peppol_.container.db.transaction() as s:
        b = s.get(Organisation, buyer.organisation_id)
        v = s.get(Organisation, supplier.organisation_id)
        assert b is not None and v is not None
        sender, receiver = organisation_party(b), organisation_party(v)
    return build_invoice_response(
        InvoiceResponse(
            id=f"IR-{uuid.uuid4().hex[:8]}",
            issue_date=date.today(),
            status=InvoiceStatus.PAID,
            invoice_number="INV-1",
            invoice_type_code="380",
            sender=sender,
            receiver=receiver,
        )
    )


def _message(payload: bytes, sender: Org, recipient: str, message_id: str) -> OutboundMessage:
    return OutboundMessage(
        message_id=message_id,
        kind="invoice_response",
        sender=sender.cvr,
        recipient=recipient,
        endpoint="",
        content_type="application/xml",
        payload=payload,
    )


def _inbound(peppol: Peppol, message_id: str) -> int:
    with peppol.container.db.transaction() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(Submission)
                .where(Submission.idempotency_key == message_id)
            )
            or 0
        )


def test_delivered_with_the_signed_receipt_and_a_resend_is_dropped(peppol: Peppol) -> None:
    buyer, supplier = peppol.org("buyer"), peppol.org("supplier")
    channel = PeppolChannel(peppol.container.settings)
    message_id = f"{uuid.uuid4()}@gateway"
    message = _message(_response(buyer, supplier, peppol), buyer, supplier.participant, message_id)
    first = channel.send(message)
    assert first.result is SendResult.DELIVERED, first.detail
    assert first.transmission_id == message_id
    assert first.receipt is not None and b"Receipt" in first.receipt
    again = channel.send(message)  # a retry after a lost answer: same MessageId
    assert again.result is SendResult.DELIVERED
    assert _inbound(peppol, message_id) == 1


def test_an_unknown_participant_is_rejected(peppol: Peppol) -> None:
    buyer, supplier = peppol.org("buyer"), peppol.org("supplier")
    channel = PeppolChannel(peppol.container.settings)
    outcome = channel.send(
        _message(_response(buyer, supplier, peppol), buyer, "0184:00000000", "x@gateway")
    )
    assert outcome.result is SendResult.REJECTED
    assert "Peppol lookup" in (outcome.detail or "")


def test_a_sender_the_receiver_does_not_trust_is_rejected_with_the_as4_error(
    peppol: Peppol,
) -> None:
    buyer, supplier = peppol.org("buyer"), peppol.org("supplier")
    stranger = make_dev_identity("PDK999999")
    channel = PeppolChannel(peppol.container.settings, identity=stranger)
    message_id = f"{uuid.uuid4()}@gateway"
    outcome = channel.send(
        _message(_response(buyer, supplier, peppol), buyer, supplier.participant, message_id)
    )
    assert outcome.result is SendResult.REJECTED
    assert (outcome.detail or "").startswith("EBMS:0101")
    assert outcome.findings and outcome.findings[0]["rule"] == "EBMS:0101"
    assert _inbound(peppol, message_id) == 0


def test_an_unreachable_smp_is_retried(peppol: Peppol) -> None:
    buyer, supplier = peppol.org("buyer"), peppol.org("supplier")
    channel = PeppolChannel(peppol.container.settings, smp_url="http://127.0.0.1:9/smp", timeout=2)
    outcome = channel.send(
        _message(_response(buyer, supplier, peppol), buyer, supplier.participant, "y@gateway")
    )
    assert outcome.result is SendResult.RETRY


def test_the_document_type_comes_from_the_document(peppol: Peppol) -> None:
    buyer, supplier = peppol.org("buyer"), peppol.org("supplier")
    doc_type, process = document_type(_response(buyer, supplier, peppol))
    assert doc_type.startswith(
        "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2::ApplicationResponse##"
    )
    assert doc_type.endswith("::2.1")
    assert process == "urn:fdc:peppol.eu:poacc:bis:invoice_response:3"
