"""``POST /v1/validate``: the official verdict on a document, without sending it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from gateway.errors import BadRequest, InvalidDocument
from gateway.pipeline.steps import xml_limits
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import container_of, require
from gateway.web.body import read_limited
from schemas import plans, xmlsafe
from schemas.validation import Validator

__all__ = ["router"]

router = APIRouter(tags=["validation"])
AnyRoleDep = Annotated[Actor, Depends(require(*Role))]


@lru_cache(maxsize=8)
def _validator(artefacts_dir: Path, limits: xmlsafe.XmlLimits, engine: str) -> Validator:
    return Validator(artefacts_dir, limits=limits, engine=engine)


@router.post(
    "/v1/validate",
    summary="Validate a document with the official schemas and rules",
    openapi_extra={"requestBody": {"content": {"application/xml": {"schema": {"type": "string"}}}}},
)
async def validate_document(
    request: Request,
    actor: AnyRoleDep,
    plan: Annotated[str | None, Query(description="a plan name; detected when absent")] = None,
    format: Annotated[str, Query(pattern="^(json|svrl|text)$")] = "json",
    engine: Annotated[
        str,
        Query(
            pattern="^(saxon|compiled)$",
            description="saxon: the official stylesheets; compiled: gated rules over the "
            "parsed tree, Saxon for the rest",
        ),
    ] = "saxon",
) -> Any:
    c = container_of(request)
    limits = xml_limits(c.settings)
    body = await read_limited(request, limits.max_bytes + 1024)
    validator = _validator(c.settings.effective_artefacts_dir, limits, engine)
    try:
        report = await run_in_threadpool(validator.validate, body, plan=plan)
    except xmlsafe.XmlError as exc:
        finding = {
            "rule": "XML",
            "severity": "fatal",
            "location": f"line {exc.line}" if exc.line else "/",
            "message": exc.detail,
        }
        raise InvalidDocument(exc.detail, findings=[finding]) from exc
    except plans.UnknownPlanError as exc:
        raise BadRequest(exc.detail) from exc
    except plans.NoPlanError as exc:
        finding = {"rule": "NO-PLAN", "severity": "fatal", "location": "/", "message": exc.detail}
        raise InvalidDocument(exc.detail, findings=[finding]) from exc
    if format == "svrl":
        return Response(report.to_svrl(), media_type="application/svrl+xml")
    if format == "text":
        return Response(report.to_text(), media_type="text/plain; charset=utf-8")
    return report.to_dict()
