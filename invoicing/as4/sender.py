"""Send one document over Peppol AS4 and judge the answer: delivered, refused, or no receipt."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import httpx

from invoicing.as4.errors import As4ReceiptError, As4Refused
from invoicing.as4.outbound import As4Identity, build_user_message
from invoicing.as4.signals import As4Receipt, read_receipt
from invoicing.peppol import PeppolEndpoint

__all__ = ["As4Outcome", "DeliveryStatus", "EndpointResolver", "send_as4"]

log = logging.getLogger(__name__)


class DeliveryStatus(StrEnum):
    DELIVERED = "delivered"
    # No valid receipt: the message may or may not have arrived. Resend with the same
    # MessageId; the receiver drops the duplicate and answers with a receipt.
    MISSING_RECEIPT = "missing_receipt"
    REFUSED = "refused"


class EndpointResolver(Protocol):
    """Finds the receiving endpoint (``invoicing.peppol.PeppolLookup`` fits)."""

    def lookup(self, participant: str, *, doc_type_id: str, process_id: str) -> PeppolEndpoint: ...


@dataclass(frozen=True, slots=True)
class As4Outcome:
    """What happened to one send; ``retryable`` tells the channel whether to try again."""

    message_id: str
    status: DeliveryStatus
    endpoint_url: str
    receipt: As4Receipt | None = None
    error_code: str | None = None
    detail: str = ""

    @property
    def retryable(self) -> bool:
        return self.status is DeliveryStatus.MISSING_RECEIPT


def send_as4(
    document: bytes,
    *,
    sender_id: str,
    receiver_id: str,
    doc_type_id: str,
    process_id: str,
    identity: As4Identity,
    client: httpx.Client,
    endpoint: PeppolEndpoint | None = None,
    resolver: EndpointResolver | None = None,
    country_c1: str = "DK",
    message_id: str | None = None,
    timeout: float = 60.0,
) -> As4Outcome:
    """Push ``document`` to the receiver's access point and verify the signed receipt.

    Give ``endpoint`` directly, or a ``resolver`` to look it up in the SMP. Pass the
    ``message_id`` of an earlier attempt when retrying, so the receiver can drop the
    duplicate. Lookup failures raise (``ParticipantNotFound``, ``SmpUnavailable``).
    """
    if endpoint is None:
        if resolver is None:
            raise ValueError("send_as4 needs an endpoint or a resolver")
        endpoint = resolver.lookup(receiver_id, doc_type_id=doc_type_id, process_id=process_id)
    sent = build_user_message(
        document,
        identity=identity,
        receiver_certificate=endpoint.certificate,
        sender_id=sender_id,
        receiver_id=receiver_id,
        doc_type_id=doc_type_id,
        process_id=process_id,
        country_c1=country_c1,
        message_id=message_id,
    )

    def outcome(status: DeliveryStatus, **kw: object) -> As4Outcome:
        result = As4Outcome(sent.message_id, status, endpoint.url, **kw)  # type: ignore[arg-type]
        log.info(f"invoicing.as4.send.{status.value}", extra={"message_id": sent.message_id})
        return result

    try:
        response = client.post(
            endpoint.url,
            content=sent.body,
            headers={"Content-Type": sent.content_type, "MIME-Version": "1.0"},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        return outcome(
            DeliveryStatus.MISSING_RECEIPT, detail=f"no answer from {endpoint.url}: {exc}"
        )
    content_type = response.headers.get("content-type", "")
    if not response.content:
        return outcome(
            DeliveryStatus.MISSING_RECEIPT, detail=f"empty answer, HTTP {response.status_code}"
        )
    try:
        receipt = read_receipt(
            response.content, content_type, sent=sent, receiver_certificate=endpoint.certificate
        )
    except As4Refused as exc:
        return outcome(DeliveryStatus.REFUSED, error_code=exc.code, detail=exc.detail)
    except As4ReceiptError as exc:
        return outcome(
            DeliveryStatus.MISSING_RECEIPT,
            detail=f"HTTP {response.status_code}, no valid receipt: {exc.detail}",
        )
    return outcome(DeliveryStatus.DELIVERED, receipt=receipt)
