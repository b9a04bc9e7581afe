"""Who am I, and delegations between organisations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from gateway.tenancy import key_lifecycle, service
from gateway.tenancy.errors import RoleRequired
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import ActorDep, SessionDep, require
from gateway.web.paging import ListLimit, Offset, paged_list

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
def list_delegations(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: AdminDep,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> list[DelegationOut]:
    """Delegations this organisation granted or holds."""
    return paged_list(
        request,
        response,
        [DelegationOut.model_validate(d) for d in service.list_delegations(session, actor=actor)],
        limit=limit,
        offset=offset,
    )


KeyIdPath = Annotated[
    str, Path(pattern="^[0-9a-f]{16}$", description="the key id (the part after gw_)")
]


class ApiKeyOut(BaseModel):
    """A key as administrators see it: never its secret."""

    key_id: str
    name: str
    roles: list[str]
    status: str = Field(description="active, expired or revoked")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="to the minute")
    replaces: str | None


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: Role
    expires_at: datetime | None = Field(default=None, description="default: in 365 days")


class ApiKeyRotate(BaseModel):
    grace_minutes: int = Field(
        default=0, ge=0, le=7 * 24 * 60, description="how long the old key keeps working"
    )
    expires_at: datetime | None = Field(default=None, description="default: in 365 days")


class ApiKeyCreated(BaseModel):
    key: str = Field(description="shown once; store it now")
    key_id: str
    role: str
    expires_at: datetime | None


def _own_admin(actor: Actor) -> Actor:
    if actor.via_delegation:
        raise RoleRequired("API keys are managed by the organisation's own administrators")
    return actor


def _key_out(k: key_lifecycle.KeyInfo) -> ApiKeyOut:
    return ApiKeyOut(
        key_id=k.key_id,
        name=k.name,
        roles=list(k.roles),
        status=k.status,
        created_at=k.created_at,
        expires_at=k.expires_at,
        revoked_at=k.revoked_at,
        last_used_at=k.last_used_at,
        replaces=k.replaces,
    )


def _created(c: service.CreatedKey) -> ApiKeyCreated:
    return ApiKeyCreated(key=c.key, key_id=c.key_id, role=c.role.value, expires_at=c.expires_at)


@router.get("/keys", response_model=list[ApiKeyOut], summary="The organisation's API keys")
def list_keys(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: AdminDep,
    limit: ListLimit = 500,
    offset: Offset = 0,
) -> list[ApiKeyOut]:
    """Every key with its status and last use (to the minute), newest first."""
    _own_admin(actor)
    return paged_list(
        request,
        response,
        [
            _key_out(k)
            for k in key_lifecycle.list_keys(session, organisation_id=actor.organisation_id)
        ],
        limit=limit,
        offset=offset,
    )


@router.post("/keys", status_code=201, response_model=ApiKeyCreated, summary="Create an API key")
def create_key(body: ApiKeyCreate, session: SessionDep, actor: AdminDep) -> ApiKeyCreated:
    """A new API client with one role; the key is in this answer only."""
    _own_admin(actor)
    org = service.get_organisation_by_cvr(session, actor.organisation_cvr)
    created = service.create_key(
        session,
        organisation=org,
        role=body.role,
        name=body.name,
        actor=actor.label,
        expires_at=body.expires_at,
    )
    return _created(created)


@router.post("/keys/{key_id}/revoke", response_model=ApiKeyOut, summary="Revoke an API key")
def revoke_key(key_id: KeyIdPath, session: SessionDep, actor: AdminDep) -> ApiKeyOut:
    """The key stops working at once."""
    _own_admin(actor)
    return _key_out(
        key_lifecycle.revoke_key(
            session, organisation_id=actor.organisation_id, key=key_id, actor=actor.label
        )
    )


@router.post(
    "/keys/{key_id}/rotate",
    status_code=201,
    response_model=ApiKeyCreated,
    summary="Rotate an API key",
)
def rotate_key(
    key_id: KeyIdPath, body: ApiKeyRotate, session: SessionDep, actor: AdminDep
) -> ApiKeyCreated:
    """A new key for the same client and roles; the old one ends now or after the grace period."""
    _own_admin(actor)
    created = key_lifecycle.rotate_key(
        session,
        organisation_id=actor.organisation_id,
        key=key_id,
        actor=actor.label,
        grace=timedelta(minutes=body.grace_minutes),
        expires_at=body.expires_at,
    )
    return _created(created)
