"""REST channel (httpx): the business authority's report intake and our sandbox authority."""

from __future__ import annotations

import base64
import logging

import httpx

from gateway.channels.base import OutboundMessage, ReceiptOutcome, SendOutcome, SendResult

__all__ = ["RestChannel"]

_log = logging.getLogger("gateway.channels.rest")


class RestChannel:
    """POST ``{endpoint}/messages`` with a JSON envelope; GET ``{endpoint}/receipts/{id}``."""

    name = "rest"

    def __init__(self, client: httpx.Client | None = None, *, timeout: float = 30.0) -> None:
        self._client = client or httpx.Client(timeout=timeout)

    def send(self, message: OutboundMessage) -> SendOutcome:
        body = {
            "message_id": message.message_id,
            "kind": message.kind,
            "sender": message.sender,
            "recipient": message.recipient,
            "content_type": message.content_type,
            "payload": base64.b64encode(message.payload).decode(),
            "signature": base64.b64encode(message.signature).decode()
            if message.signature
            else None,
        }
        try:
            resp = self._client.post(
                f"{message.endpoint.rstrip('/')}/messages",
                json=body,
                headers={"Idempotency-Key": message.message_id},
            )
        except httpx.HTTPError as exc:
            _log.warning("channels.rest.transport_error", extra={"error": str(exc)})
            return SendOutcome(SendResult.RETRY, detail=f"transport error: {exc}")
        if resp.status_code in (200, 201, 202):
            data = resp.json()
            return SendOutcome(
                SendResult.DELIVERED,
                transmission_id=str(data.get("receipt_id") or data.get("message_id")),
                detail="duplicate: the receiver already had it" if data.get("duplicate") else None,
            )
        if resp.status_code in (408, 425, 429) or resp.status_code >= 500:
            return SendOutcome(SendResult.RETRY, detail=f"receiver answered {resp.status_code}")
        detail, findings = _problem(resp)
        return SendOutcome(SendResult.REJECTED, detail=detail, findings=findings)

    def poll_receipt(self, message: OutboundMessage, transmission_id: str) -> ReceiptOutcome:
        try:
            resp = self._client.get(f"{message.endpoint.rstrip('/')}/receipts/{message.message_id}")
        except httpx.HTTPError as exc:
            return ReceiptOutcome(ready=False, detail=f"transport error: {exc}")
        if resp.status_code == 200:
            return ReceiptOutcome(ready=True, receipt=resp.content)
        if resp.status_code in (404, 202):
            return ReceiptOutcome(ready=False, detail="receipt not issued yet")
        if 400 <= resp.status_code < 500:
            detail, _ = _problem(resp)
            return ReceiptOutcome(ready=False, rejected=True, detail=detail)
        return ReceiptOutcome(ready=False, detail=f"receiver answered {resp.status_code}")


def _problem(resp: httpx.Response) -> tuple[str, list[dict[str, object]]]:
    try:
        data = resp.json()
    except ValueError:
        return f"receiver answered {resp.status_code}: {resp.text[:300]}", []
    findings = data.get("findings") if isinstance(data, dict) else None
    detail = data.get("detail") if isinstance(data, dict) else None
    return (
        f"receiver answered {resp.status_code}: {detail or resp.text[:300]}",
        findings if isinstance(findings, list) else [],
    )
