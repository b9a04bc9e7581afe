"""Auditors read their organisation's chain and check it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from gateway.audit.anchoring import Anchoring, prove
from gateway.audit.checkpoint import AnchoredLog
from gateway.audit.errors import CheckpointStoreError
from gateway.audit.service import list_entries
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import SessionDep, container_of, require
from gateway.web.paging import After, ListLimit, Offset, paged_list

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


class CheckpointOut(BaseModel):
    """A signed tree head over every anchored audit entry (the leaves stay with the operator)."""

    number: int
    created_at: str
    tree_size: int
    root_hash: str
    timestamped_at: datetime | None
    tsa: str | None
    signer: str


class ConsistencyProofOut(BaseModel):
    type: str
    from_: dict[str, Any] = Field(alias="from")
    to: dict[str, Any]
    proof: list[str]

    model_config = ConfigDict(populate_by_name=True)


def _log(request: Request) -> AnchoredLog:
    log = Anchoring.from_settings(container_of(request).settings).read()
    if log.problems:
        raise CheckpointStoreError("the checkpoints do not verify: " + "; ".join(log.problems))
    return log


@router.get(
    "/checkpoints",
    response_model=list[CheckpointOut],
    summary="The signed, time-stamped checkpoints anchoring the audit chains",
)
def read_checkpoints(
    response: Response,
    request: Request,
    actor: AuditorDep,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> list[CheckpointOut]:
    """Every checkpoint that verified (signature, RFC 3161 stamp, tree head), oldest first."""
    return paged_list(
        request,
        response,
        [
            CheckpointOut(
                number=c.number,
                created_at=c.created_at,
                tree_size=c.tree_size,
                root_hash=c.root_hash,
                timestamped_at=c.timestamp.gen_time if c.timestamp else None,
                tsa=c.timestamp.tsa if c.timestamp else None,
                signer=c.signer,
            )
            for c in _log(request).checkpoints
        ],
        limit=limit,
        offset=offset,
    )


@router.get(
    "/consistency",
    response_model=ConsistencyProofOut,
    response_model_by_alias=True,
    summary="An RFC 9162 consistency proof between two checkpoints",
)
def read_consistency(
    request: Request,
    actor: AuditorDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=10**9)],
    to: Annotated[int, Query(ge=1, le=10**9)],
) -> ConsistencyProofOut:
    """Shows that checkpoint ``from``'s log is a prefix of checkpoint ``to``'s."""
    return ConsistencyProofOut.model_validate(prove(_log(request), from_, to))
