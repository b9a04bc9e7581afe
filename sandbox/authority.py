"""A generic REST authority: accepts a document once per message id and issues a receipt."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from gateway.signing import TrustStore, verify_detached, verify_ubl
from sandbox.store import SandboxStore, accept_once

__all__ = ["authority_router"]

_NAME = "authority"


class Envelope(BaseModel):
    message_id: str
    kind: str
    sender: str
    recipient: str
    content_type: str
    payload: str
    signature: str | None = None


class SandboxConfig(BaseModel):
    delay_seconds: float | None = None
    fail_next: int | None = None
    hold_receipts: bool | None = None


def _problem(status: int, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": "Refused", "status": status, "detail": detail, **extra},
        status_code=status,
        media_type="application/problem+json",
    )


_UBL_NS = "{urn:oasis:names:specification:ubl:schema:xsd:"


def _check_signature(
    trust: TrustStore, payload: bytes, signature: bytes | None, content_type: str
) -> tuple[str | None, str | None]:
    """(signer, None) when the signature holds, (None, reason) when it does not."""
    if signature is None:
        if b"UBLDocumentSignatures" in payload and content_type.endswith("xml"):
            result = verify_ubl(payload, trust)
        else:
            return None, "the document is not signed"
    else:
        result = verify_detached(payload, signature, trust, uri="payload")
    if not result.valid:
        return None, f"signature refused: {result.reason}"
    return result.signer_subject, None


def authority_router(store: SandboxStore, trust: TrustStore | None = None) -> APIRouter:
    """The authority checks our signature when it has a trust store (as a real one would)."""
    router = APIRouter()

    def take(envelope: Envelope) -> JSONResponse:
        try:
            payload = base64.b64decode(envelope.payload, validate=True)
        except ValueError:  # binascii.Error, or non-ASCII characters
            return _problem(400, "payload is not base64")
        if not payload:
            return _problem(422, "empty document", findings=[])
        signer = None
        if trust is not None:
            try:
                signature = (
                    base64.b64decode(envelope.signature, validate=True)
                    if envelope.signature
                    else None
                )
            except ValueError:
                return _problem(400, "signature is not base64")
            signer, refusal = _check_signature(trust, payload, signature, envelope.content_type)
            if refusal:
                finding = {
                    "rule": "SIGNATURE",
                    "severity": "fatal",
                    "location": "/",
                    "message": refusal,
                }
                return _problem(422, refusal, findings=[finding])
        intake = accept_once(
            store,
            _NAME,
            message_id=envelope.message_id,
            sender=envelope.sender,
            recipient=envelope.recipient,
            kind=envelope.kind,
            sha256=hashlib.sha256(payload).hexdigest(),
            receipt_prefix="SBX",
            status="accepted",
            detail=f"signed by {signer}" if signer else "signature not checked",
        )
        if intake.conflict:
            return _problem(409, "message id reused for a different document")
        return JSONResponse(
            {
                "message_id": envelope.message_id,
                "receipt_id": intake.receipt_id,
                "duplicate": intake.duplicate,
            },
            status_code=200 if intake.duplicate else 202,
        )

    @router.post("/messages")
    async def receive(envelope: Envelope, request: Request) -> JSONResponse:
        fail_next = int(await run_in_threadpool(store.get_config, _NAME, "fail_next", "0"))
        if fail_next > 0:
            await run_in_threadpool(store.set_config, _NAME, {"fail_next": str(fail_next - 1)})
            return _problem(503, "the authority is temporarily unavailable (simulated)")
        delay = float(await run_in_threadpool(store.get_config, _NAME, "delay_seconds", "0"))
        if delay > 0:
            # A slow counterparty without holding a thread: the wait is on the event loop.
            await asyncio.sleep(delay)
        # Decoding, the signature check and the store are blocking work: off the event loop.
        return await run_in_threadpool(take, envelope)

    @router.get("/receipts/{message_id}")
    def receipt(message_id: str) -> JSONResponse:
        if store.get_config(_NAME, "hold_receipts", "0") == "1":
            return _problem(404, "the receipt is not issued yet (held by the authority)")
        with store.tx() as db:
            row = db.execute(
                "SELECT * FROM messages WHERE authority=? AND message_id=?", (_NAME, message_id)
            ).fetchone()
        if row is None:
            return _problem(404, f"no message {message_id}")
        return JSONResponse(
            {
                "authority": "sandbox-authority",
                "receipt_id": row["receipt_id"],
                "message_id": message_id,
                "sender": row["sender"],
                "kind": row["kind"],
                "sha256": row["sha256"],
                "received_at": row["received_at"],
                "status": row["status"],
                "signature": row["detail"],
            }
        )

    @router.get("/_deliveries/{message_id}")
    def deliveries(message_id: str) -> dict[str, Any]:
        """For tests and the demo: every delivery attempt the authority saw for a message."""
        with store.tx() as db:
            rows = db.execute(
                "SELECT at, outcome FROM deliveries WHERE authority=? AND message_id=? ORDER BY id",
                (_NAME, message_id),
            ).fetchall()
        outcomes = [r["outcome"] for r in rows]
        return {
            "message_id": message_id,
            "accepted": outcomes.count("accepted"),
            "duplicates": outcomes.count("duplicate"),
            "attempts": [dict(r) for r in rows],
        }

    @router.post("/_config")
    def configure(cfg: SandboxConfig) -> dict[str, Any]:
        """Simulate a slow or failing authority (tests, demos)."""
        values = {}
        if cfg.delay_seconds is not None:
            values["delay_seconds"] = str(cfg.delay_seconds)
        if cfg.fail_next is not None:
            values["fail_next"] = str(cfg.fail_next)
        if cfg.hold_receipts is not None:
            values["hold_receipts"] = "1" if cfg.hold_receipts else "0"
        store.set_config(_NAME, values)
        return {"ok": True, **values}

    return router
