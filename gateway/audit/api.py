"""Auditors read their organisation's chain and check it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from gateway.audit.service import list_entries
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import SessionDep, require
from gateway.web.paging import After

__all__ = ["router"]

router = APIRouter(prefix="/v1/audit", tags=["audit"])
AuditorDep = Annotated[Actor, Depends(require(Role.AUDITOR, Role.ADMIN))]


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_after: int | None


@router.get("", response_model=AuditPage, summary="The organisation's audit chain, oldest first")
def read_audit(
    session: SessionDep,
    actor: AuditorDep,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    rows = list_entries(
        session, organisation_id=actor.organisation_id, after_seq=after, limit=limit
    )
    items = [AuditEntryOut.model_validate(r) for r in rows]
    return AuditPage(items=items, next_after=items[-1].seq if len(items) == limit else None)
