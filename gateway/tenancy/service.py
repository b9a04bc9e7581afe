"""Use cases for organisations, keys and delegations; services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit.service import record
from gateway.db.base import utcnow
from gateway.errors import BadRequest, NotFound
from gateway.tenancy.cvr import is_valid_cvr
from gateway.tenancy.errors import InvalidApiKey, InvalidCvr, OrganisationExists, RoleRequired
from gateway.tenancy.keys import hash_secret, new_key, parse_key, secret_matches
from gateway.tenancy.models import ApiKey, Delegation, Organisation, Principal, Role, RoleGrant

__all__ = [
    "Actor",
    "CreatedKey",
    "authenticate",
    "create_key",
    "create_organisation",
    "delegate",
    "get_organisation_by_cvr",
    "list_delegations",
    "resolve_actor",
]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling and for which organisation, with the roles that hold there."""

    principal_id: str
    principal_name: str
    home_organisation_id: str
    organisation_id: str
    organisation_cvr: str
    roles: frozenset[Role]
    via_delegation: bool = False

    @property
    def label(self) -> str:
        return f"{self.principal_name} ({self.principal_id})"

    def require(self, *roles: Role) -> None:
        if not self.roles.intersection(roles):
            names = ", ".join(r.value for r in roles)
            raise RoleRequired(f"this action needs one of the roles: {names}")


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: str
    principal_id: str
    organisation_id: str
    role: Role
    expires_at: datetime | None = None
    key_id: str = ""


def _parse_role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise BadRequest(f"unknown role {role!r}; roles are: {allowed}") from None


def create_organisation(session: Session, *, cvr: str, name: str, actor: str) -> Organisation:
    cvr = cvr.strip().removeprefix("DK")
    if not is_valid_cvr(cvr):
        raise InvalidCvr(f"{cvr!r} is not a valid CVR number (8 digits, modulus 11)")
    if not name.strip():
        raise BadRequest("an organisation needs a name")
    if session.scalar(select(Organisation).where(Organisation.cvr == cvr)) is not None:
        raise OrganisationExists(f"an organisation with CVR {cvr} exists")
    org = Organisation(cvr=cvr, name=name.strip())
    session.add(org)
    session.flush()
    record(
        session,
        organisation_id=org.id,
        actor=actor,
        action="tenancy.organisation.created",
        subject_type="organisation",
        subject_id=org.id,
        data={"cvr": cvr, "name": org.name},
    )
    return org


def get_organisation_by_cvr(session: Session, cvr: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.cvr == cvr.removeprefix("DK")))
    if org is None:
        raise NotFound(f"no organisation with CVR {cvr}")
    return org


# A key lives a year unless its creator says otherwise; rotation starts a new year.
DEFAULT_KEY_LIFETIME = timedelta(days=365)
# Recording each use would turn every authenticated read into a write.
LAST_USE_RESOLUTION = timedelta(minutes=1)


def key_expiry(expires_at: datetime | None) -> datetime:
    """When a new key ends: ``expires_at`` (aware, in the future) or a year from now."""
    now = utcnow()
    when = expires_at or now + DEFAULT_KEY_LIFETIME
    if when.tzinfo is None:
        raise BadRequest("expires_at must carry a time zone")
    if when <= now:
        raise BadRequest("a key must expire in the future")
    return when


def create_key(
    session: Session,
    *,
    organisation: Organisation,
    role: str | Role,
    name: str,
    actor: str,
    expires_at: datetime | None = None,
) -> CreatedKey:
    """Create an API client principal holding ``role`` and a key for it (shown once)."""
    parsed_role = _parse_role(role)
    expiry = key_expiry(expires_at)
    principal = Principal(organisation_id=organisation.id, kind="client", name=name)
    session.add(principal)
    session.flush()
    session.add(
        RoleGrant(principal_id=principal.id, organisation_id=organisation.id, role=parsed_role)
    )
    token, parsed = new_key()
    session.add(
        ApiKey(
            key_id=parsed.key_id,
            secret_hash=hash_secret(parsed.secret),
            principal_id=principal.id,
            expires_at=expiry,
        )
    )
    session.flush()
    record(
        session,
        organisation_id=organisation.id,
        actor=actor,
        action="tenancy.key.created",
        subject_type="principal",
        subject_id=principal.id,
        data={
            "role": parsed_role.value,
            "key_id": parsed.key_id,
            "name": name,
            "expires_at": expiry.isoformat(),
        },
    )
    return CreatedKey(token, principal.id, organisation.id, parsed_role, expiry, parsed.key_id)


def authenticate(session: Session, token: str) -> Principal:
    """The principal behind a bearer token; never says which part was wrong."""
    parsed = parse_key(token)
    if parsed is None:
        raise InvalidApiKey("the API key is malformed")
    key = session.scalar(select(ApiKey).where(ApiKey.key_id == parsed.key_id))
    if key is None or not secret_matches(parsed.secret, key.secret_hash):
        raise InvalidApiKey("the API key is not valid")
    # Past this point the caller holds the secret, so saying why is no help to a guesser.
    now = utcnow()
    if key.revoked_at is not None and key.revoked_at <= now:
        raise InvalidApiKey("the API key was revoked")
    if key.expires_at is not None and key.expires_at <= now:
        raise InvalidApiKey("the API key has expired; rotate it or ask for a new one")
    principal = session.get(Principal, key.principal_id)
    if principal is None:
        raise InvalidApiKey("the API key is not valid")
    if key.last_used_at is None or now - key.last_used_at >= LAST_USE_RESOLUTION:
        key.last_used_at = now
        session.flush()
    return principal


def resolve_actor(session: Session, principal: Principal, *, on_behalf_of: str | None) -> Actor:
    """The roles ``principal`` holds for its own organisation or, by delegation, another."""
    home = session.get(Organisation, principal.organisation_id)
    assert home is not None
    home_roles = frozenset(
        Role(r)
        for r in session.scalars(
            select(RoleGrant.role).where(
                RoleGrant.principal_id == principal.id, RoleGrant.organisation_id == home.id
            )
        )
    )
    if on_behalf_of is None or on_behalf_of.removeprefix("DK") == home.cvr:
        return Actor(principal.id, principal.name, home.id, home.id, home.cvr, home_roles)
    target = session.scalar(
        select(Organisation).where(Organisation.cvr == on_behalf_of.removeprefix("DK"))
    )
    now = utcnow()
    granted: set[Role] = set()
    if target is not None:
        for d in session.scalars(
            select(Delegation).where(
                Delegation.grantor_id == target.id,
                Delegation.grantee_id == home.id,
                Delegation.revoked_at.is_(None),
                Delegation.expires_at > now,
            )
        ):
            if Role(d.role) in home_roles:
                granted.add(Role(d.role))
    if target is None or not granted:
        raise RoleRequired(f"no delegation from {on_behalf_of} lets you act for it")
    return Actor(
        principal.id, principal.name, home.id, target.id, target.cvr, frozenset(granted), True
    )


def delegate(
    session: Session,
    *,
    grantor: Actor,
    grantee_cvr: str,
    role: str | Role,
    expires_at: datetime,
) -> Delegation:
    """Let another organisation act for the grantor with ``role`` until ``expires_at``."""
    grantor.require(Role.ADMIN)
    parsed_role = _parse_role(role)
    if expires_at <= utcnow():
        raise BadRequest("a delegation must expire in the future")
    grantee = get_organisation_by_cvr(session, grantee_cvr)
    if grantee.id == grantor.organisation_id:
        raise BadRequest("an organisation cannot delegate to itself")
    d = Delegation(
        grantor_id=grantor.organisation_id,
        grantee_id=grantee.id,
        role=parsed_role,
        expires_at=expires_at,
        created_by=grantor.principal_id,
    )
    session.add(d)
    session.flush()
    record(
        session,
        organisation_id=grantor.organisation_id,
        actor=grantor.label,
        action="tenancy.delegation.granted",
        subject_type="delegation",
        subject_id=d.id,
        data={
            "grantee": grantee.cvr,
            "role": parsed_role.value,
            "expires_at": expires_at.isoformat(),
        },
    )
    return d


def list_delegations(session: Session, *, actor: Actor) -> list[Delegation]:
    return list(
        session.scalars(
            select(Delegation)
            .where(
                (Delegation.grantor_id == actor.organisation_id)
                | (Delegation.grantee_id == actor.organisation_id)
            )
            .order_by(Delegation.created_at)
        )
    )
