"""The business authority's (Erhvervsstyrelsen) annual-report intake, simulated.

It speaks the kernel REST channel's protocol (``POST /messages`` with a JSON
envelope, ``GET /receipts/{message_id}``), validates the XBRL instance with
the same engine the gateway uses (Arelle, offline, from the installed
taxonomy package) in the background, and then answers the receipt request
with a receipt, or with a rejection (422) carrying the findings. A message id
is taken once; a repeat gets the first answer.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from gateway.errors import GatewayError
from gateway.settings import Settings
from sandbox.store import SandboxStore, accept_once

__all__ = ["XBRL_VALIDATOR", "XbrlValidator", "erst_router", "mount"]

_NAME = "erst"

# The backend name under which the composition root hands in the XBRL engine.
XBRL_VALIDATOR = "erst.validate_xbrl"


class XbrlVerdict(Protocol):
    @property
    def valid(self) -> bool: ...

    @property
    def engine(self) -> str: ...

    @property
    def taxonomy(self) -> str: ...

    @property
    def errors(self) -> Sequence[Any]: ...


class XbrlValidator(Protocol):
    """Validates an XBRL instance offline; raises an error carrying ``detail`` when it cannot."""

    def __call__(self, xml: bytes, *, artefacts_dir: Path) -> XbrlVerdict: ...


class Envelope(BaseModel):
    message_id: str
    kind: str
    sender: str
    recipient: str
    content_type: str
    payload: str
    signature: str | None = None


def _problem(status: int, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": "Refused", "status": status, "detail": detail, **extra},
        status_code=status,
        media_type="application/problem+json",
    )


def erst_router(
    store: SandboxStore, settings: Settings, validate_annual_report: XbrlValidator
) -> APIRouter:
    """The intake's routes over the sandbox's store.

    A report is taken at once (202) and validated in the background, as the
    authority's intake does: the receipt (or the rejection with the findings)
    is there to fetch once Arelle is done.
    """
    router = APIRouter()
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="erst-intake")

    def validate(message_id: str, payload: bytes) -> None:
        try:
            report = validate_annual_report(payload, artefacts_dir=settings.effective_artefacts_dir)
            if report.valid:
                status = "accepted"
                detail = f"valid in {report.engine} against {report.taxonomy}"
            else:
                status = "rejected"
                detail = json.dumps([f.to_dict() for f in report.errors])
        except GatewayError as exc:  # the engine could not run: unavailable, not a verdict
            status, detail = "unavailable", exc.detail
        with store.tx() as db:
            db.execute(
                "UPDATE messages SET status=?, detail=? WHERE authority=? AND message_id=?",
                (status, detail, _NAME, message_id),
            )

    @router.post("/messages")
    def receive(envelope: Envelope) -> JSONResponse:
        try:
            payload = base64.b64decode(envelope.payload, validate=True)
        except ValueError:  # binascii.Error, or non-ASCII characters
            return _problem(400, "payload is not base64")
        if envelope.kind != "annual_report":
            return _problem(422, f"this intake takes annual reports, not {envelope.kind!r}")
        intake = accept_once(
            store,
            _NAME,
            message_id=envelope.message_id,
            sender=envelope.sender,
            recipient=envelope.recipient,
            kind=envelope.kind,
            sha256=hashlib.sha256(payload).hexdigest(),
            receipt_prefix="ERST",
            status="validating",
        )
        if intake.conflict:
            return _problem(409, "message id reused for a different document")
        if intake.duplicate:
            return JSONResponse(
                {
                    "message_id": envelope.message_id,
                    "receipt_id": intake.receipt_id,
                    "duplicate": True,
                }
            )
        receipt_id = intake.receipt_id
        pool.submit(validate, envelope.message_id, payload)
        return JSONResponse(
            {"message_id": envelope.message_id, "receipt_id": receipt_id, "duplicate": False},
            status_code=202,
        )

    @router.get("/receipts/{message_id}")
    def receipt(message_id: str) -> JSONResponse:
        with store.tx() as db:
            row = db.execute(
                "SELECT * FROM messages WHERE authority=? AND message_id=?", (_NAME, message_id)
            ).fetchone()
        if row is None:
            return _problem(404, f"no message {message_id}")
        if row["status"] in ("validating", "unavailable"):
            return JSONResponse({"status": row["status"]}, status_code=202)
        if row["status"] == "rejected":
            findings = json.loads(row["detail"] or "[]")
            first = findings[0].get("message") if findings else ""
            return _problem(
                422,
                f"the annual report was rejected: {len(findings)} error(s) in XBRL "
                f"validation; first: {first}",
                findings=findings,
            )
        return JSONResponse(
            {
                "authority": "erst",
                "receipt_id": row["receipt_id"],
                "message_id": message_id,
                "sender": row["sender"],
                "kind": row["kind"],
                "sha256": row["sha256"],
                "received_at": row["received_at"],
                "status": row["status"],
                "validation": row["detail"],
            }
        )

    return router


def mount(app: FastAPI, settings: Settings) -> None:
    """Add the intake to the sandbox server at ``/erst`` when an XBRL engine was handed in."""
    validator = getattr(app.state, "backends", {}).get(XBRL_VALIDATOR)
    if validator is None:
        return
    store = getattr(app.state, "store", None) or SandboxStore(settings.data_path / "sandbox.sqlite")
    app.include_router(
        erst_router(store, settings, validator), prefix="/erst", tags=["sandbox erst"]
    )
