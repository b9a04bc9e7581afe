"""Submission routes: post a document, follow its status, fetch its receipt."""

from __future__ import annotations

import base64
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from gateway.errors import BadRequest, NotFound
from gateway.pipeline import service
from gateway.pipeline.lifecycle import Status
from gateway.pipeline.payloads import SubmissionCreate, SubmissionList, SubmissionOut
from gateway.pipeline.repository import SubmissionRepository
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import SessionDep, container_of, require
from gateway.web.body import read_limited
from gateway.web.paging import Offset, page_headers

__all__ = ["router"]

router = APIRouter(prefix="/v1/submissions", tags=["submissions"])

_SENDERS = (Role.REPORTER, Role.BUYER, Role.SUPPLIER, Role.ADMIN)
_READERS = (*_SENDERS, Role.AUDITOR)
SenderDep = Annotated[Actor, Depends(require(*_SENDERS))]
ReaderDep = Annotated[Actor, Depends(require(*_READERS))]


def _from_json(raw: bytes) -> tuple[SubmissionCreate, bytes]:
    try:
        body = SubmissionCreate.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        raise BadRequest(f"the JSON body is not a submission: {exc}") from None
    if (body.payload is None) == (body.payload_base64 is None):
        raise BadRequest("give exactly one of 'payload' and 'payload_base64'")
    if body.payload is not None:
        return body, body.payload.encode()
    try:
        return body, base64.b64decode(body.payload_base64 or "", validate=True)
    except ValueError:  # binascii.Error, or a str with non-ASCII characters
        raise BadRequest("'payload_base64' is not valid base64") from None


@router.post(
    "",
    status_code=201,
    response_model=SubmissionOut,
    summary="Submit a document for validation, signing and delivery",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/xml": {"schema": {"type": "string"}},
                "application/json": {"schema": SubmissionCreate.model_json_schema()},
            }
        }
    },
)
async def create_submission(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: SenderDep,
    kind: Annotated[str | None, Query()] = None,
    recipient: Annotated[str | None, Query()] = None,
    reference: Annotated[str | None, Query()] = None,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> SubmissionOut:
    c = container_of(request)
    raw = await read_limited(request, c.settings.xml.max_bytes + 1024)
    content_type = request.headers.get("content-type", "application/octet-stream")
    if content_type.split(";")[0].strip() == "application/json":
        # Up to 50 MB of JSON and base64: decoded off the event loop.
        body, payload = await run_in_threadpool(_from_json, raw)
        kind, recipient, reference = body.kind, body.recipient, body.reference
        content_type = body.content_type
    else:
        payload = raw
    if not kind or not recipient:
        raise BadRequest("say what the document is and where it goes: ?kind=…&recipient=…")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise BadRequest("Idempotency-Key must be 1 to 200 characters")
    # The service talks to the database: keep it off the event loop.
    accepted = await run_in_threadpool(
        service.submit,
        c,
        session,
        actor=actor,
        kind=kind,
        recipient=recipient,
        payload=payload,
        content_type=content_type,
        idempotency_key=idempotency_key,
        reference=reference,
    )
    if not accepted.created:
        response.status_code = 200
    response.headers["Location"] = f"/v1/submissions/{accepted.submission.id}"
    return SubmissionOut.model_validate(accepted.submission)


@router.get("", response_model=SubmissionList, summary="List submissions, newest first")
def list_submissions(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: ReaderDep,
    status: Annotated[Status | None, Query()] = None,
    kind: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> SubmissionList:
    page = SubmissionRepository(session, actor.organisation_id).search(
        status=status.value if status else None, kind=kind, limit=limit, offset=offset
    )
    page_headers(request, response, total=page.total, limit=limit, offset=offset)
    return SubmissionList(
        items=[SubmissionOut.model_validate(s) for s in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{submission_id}",
    response_model=SubmissionOut,
    summary="One submission with its status and receipt",
)
def get_submission(submission_id: str, session: SessionDep, actor: ReaderDep) -> SubmissionOut:
    return SubmissionOut.model_validate(
        SubmissionRepository(session, actor.organisation_id).get(submission_id)
    )


@router.get("/{submission_id}/receipt", summary="The receiver's receipt for a submission")
def get_receipt(
    submission_id: str, request: Request, session: SessionDep, actor: ReaderDep
) -> dict[str, object]:
    sub = SubmissionRepository(session, actor.organisation_id).get(submission_id)
    return service.receipt_json(container_of(request), sub)


@router.get("/{submission_id}/payload", summary="The document as it was received")
def get_payload(
    submission_id: str, request: Request, session: SessionDep, actor: ReaderDep
) -> Response:
    sub = SubmissionRepository(session, actor.organisation_id).get(submission_id)
    return Response(container_of(request).blobs.get(sub.payload_hash), media_type=sub.content_type)


@router.get("/{submission_id}/signature", summary="The signed document, or the detached signature")
def get_signature(
    submission_id: str, request: Request, session: SessionDep, actor: ReaderDep
) -> Response:
    sub = SubmissionRepository(session, actor.organisation_id).get(submission_id)
    if sub.signature_hash is None:
        raise NotFound(f"submission {sub.id} is not signed yet (status {sub.status})")
    media = sub.content_type if sub.signature_mode == "enveloped" else "application/xml"
    return Response(container_of(request).blobs.get(sub.signature_hash), media_type=media)
