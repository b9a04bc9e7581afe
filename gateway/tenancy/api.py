"""Who am I, and delegations between organisations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from gateway.tenancy import service
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import ActorDep, SessionDep, require

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["organisations"])
AdminDep = Annotated[Actor, Depends(require(Role.ADMIN))]


class Me(BaseModel):
    principal_id: str
    principal_name: str
    organisation_id: str
    organisation_cvr: str
    roles: list[str]
    via_delegation: bool


class DelegationCreate(BaseModel):
    grantee_cvr: str
    role: Role
    expires_at: datetime


class DelegationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    grantor_id: str
    grantee_id: str
    role: str
    expires_at: datetime
    revoked_at: datetime | None


@router.get("/me", response_model=Me, summary="The caller, its organisation and roles")
def me(actor: ActorDep) -> Me:
    return Me(
        principal_id=actor.principal_id,
        principal_name=actor.principal_name,
        organisation_id=actor.organisation_id,
        organisation_cvr=actor.organisation_cvr,
        roles=sorted(r.value for r in actor.roles),
        via_delegation=actor.via_delegation,
    )


@router.post("/delegations", status_code=201, response_model=DelegationOut)
def create_delegation(
    body: DelegationCreate, session: SessionDep, actor: AdminDep
) -> DelegationOut:
    """Let another organisation act for this one (an accountant for a client)."""
    d = service.delegate(
        session,
        grantor=actor,
        grantee_cvr=body.grantee_cvr,
        role=body.role,
        expires_at=body.expires_at,
    )
    return DelegationOut.model_validate(d)


@router.get("/delegations", response_model=list[DelegationOut])
def list_delegations(session: SessionDep, actor: AdminDep) -> list[DelegationOut]:
    """Delegations this organisation granted or holds."""
    return [DelegationOut.model_validate(d) for d in service.list_delegations(session, actor=actor)]
