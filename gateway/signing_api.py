"""``POST /v1/signatures/verify``: check a signed UBL document against the gateway's trust store.

The answer says whether a signature was found at all (``signed``), whether it
holds (``valid``), and what it covers: the SHA-256 of the canonical bytes the
signature's data reference digests, and each reference it checked. Input that
is not XML, or XML the hardened parser refuses, is a 422 problem, never a
verdict about a signature.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from gateway.errors import InvalidDocument
from gateway.pipeline.steps import xml_limits
from gateway.signing import VerificationResult, verify_ubl
from gateway.signing.keys import load_configured_trust_store
from gateway.signing.namespaces import DS
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import container_of, require
from gateway.web.body import read_limited
from schemas import xmlsafe

__all__ = ["router"]

router = APIRouter(tags=["signatures"])
AnyRoleDep = Annotated[Actor, Depends(require(*Role))]

# The UBL signature's data reference: URI="" with the enveloped-signature transform.
_COVERS_WHOLE_DOCUMENT = "the whole document except the signature itself"


def _check(body: bytes, trust: Any, limits: xmlsafe.XmlLimits) -> tuple[bool, VerificationResult]:
    try:
        root = xmlsafe.parse(body, limits=limits).getroot()
    except xmlsafe.XmlError as exc:
        finding = {
            "rule": "XML",
            "severity": "fatal",
            "location": f"line {exc.line}" if exc.line else "/",
            "message": exc.detail,
        }
        raise InvalidDocument(exc.detail, findings=[finding]) from exc
    signed = root.find(f".//{{{DS}}}Signature") is not None
    return signed, verify_ubl(body, trust, limits=limits)


def _covered(result: VerificationResult) -> dict[str, Any] | None:
    if result.signed_content is None:
        return None
    return {
        "sha256": hashlib.sha256(result.signed_content).hexdigest(),
        "bytes": len(result.signed_content),
        "covers": _COVERS_WHOLE_DOCUMENT,
        "canonical": "the canonical form (C14N, comments excluded) the digest was taken over",
    }


@router.post(
    "/v1/signatures/verify",
    summary="Verify the enveloped XAdES signature of a UBL document",
    openapi_extra={"requestBody": {"content": {"application/xml": {"schema": {"type": "string"}}}}},
    responses={422: {"description": "the body is not XML the gateway accepts"}},
)
async def verify_signature(request: Request, actor: AnyRoleDep) -> dict[str, Any]:
    c = container_of(request)
    limits = xml_limits(c.settings)
    body = await read_limited(request, limits.max_bytes + 1024)
    trust = load_configured_trust_store(c.settings)
    signed, result = await run_in_threadpool(_check, body, trust, limits)
    return {
        "valid": result.valid and signed,
        "signed": signed,
        "refusal": result.refusal.value if result.refusal else None,
        "reason": result.reason,
        "signer": result.signer_subject,
        "signer_fingerprint": result.signer_fingerprint,
        "signing_time": result.signing_time.isoformat() if result.signing_time else None,
        "signed_content": _covered(result),
        "references": [
            {
                "uri": r.uri,
                "type": r.type,
                "digest_algorithm": r.digest_algorithm,
                "digest_value": r.digest_value,
            }
            for r in result.references
        ],
    }
