"""``POST /v1/signatures/verify``: check a signed UBL document against the gateway's trust store."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from gateway.pipeline.steps import xml_limits
from gateway.signing import load_trust_store, verify_ubl
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import container_of, require
from gateway.web.body import read_limited

__all__ = ["router"]

router = APIRouter(tags=["signatures"])
AnyRoleDep = Annotated[Actor, Depends(require(*Role))]


@router.post(
    "/v1/signatures/verify",
    summary="Verify the enveloped XAdES signature of a UBL document",
    openapi_extra={"requestBody": {"content": {"application/xml": {"schema": {"type": "string"}}}}},
)
async def verify_signature(request: Request, actor: AnyRoleDep) -> dict[str, Any]:
    c = container_of(request)
    limits = xml_limits(c.settings)
    body = await read_limited(request, limits.max_bytes + 1024)
    trust = load_trust_store(c.settings.trust_file)
    result = await run_in_threadpool(verify_ubl, body, trust, limits=limits)
    return {
        "valid": result.valid,
        "signed": result.signed,
        "refusal": result.refusal.value if result.refusal else None,
        "reason": result.reason,
        "signer": result.signer_subject,
        "signer_fingerprint": result.signer_fingerprint,
        "signing_time": result.signing_time.isoformat() if result.signing_time else None,
    }
