"""API keys over their life: listed with their last use, revoked, rotated; every change audited.

Keys are managed within the organisation that owns them: a key id from
another organisation is "not found", never "forbidden", so ids do not leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit.service import record
from gateway.db.base import utcnow
from gateway.errors import BadRequest, Conflict, NotFound
from gateway.tenancy.keys import hash_secret, new_key, parse_key
from gateway.tenancy.models import ApiKey, Principal, Role, RoleGrant
from gateway.tenancy.service import CreatedKey, key_expiry

__all__ = ["KeyInfo", "list_keys", "revoke_key", "rotate_key"]

# A rotated key may stay valid a little while so running clients can switch over.
MAX_GRACE = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What an administrator sees of a key (never its secret or hash)."""

    key_id: str
    name: str
    roles: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    replaces: str | None
    status: str  # active, expired, revoked


def _status(key: ApiKey, now: datetime) -> str:
    if key.revoked_at is not None and key.revoked_at <= now:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= now:
        return "expired"
    return "active"


def _key_id(ref: str) -> str:
    # Accept the id alone or a whole key (people paste what they have).
    parsed = parse_key(ref.strip())
    key_id = parsed.key_id if parsed else ref.strip()
    if len(key_id) != 16 or any(c not in "0123456789abcdef" for c in key_id):
        raise BadRequest(f"{ref[:24]!r} is not a key id (16 hexadecimal digits)")
    return key_id


def _owned(session: Session, organisation_id: str, ref: str) -> tuple[ApiKey, Principal]:
    key_id = _key_id(ref)
    row = session.execute(
        select(ApiKey, Principal)
        .join(Principal, Principal.id == ApiKey.principal_id)
        .where(ApiKey.key_id == key_id, Principal.organisation_id == organisation_id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"no API key {key_id} in this organisation")
    return row[0], row[1]


def _roles(session: Session, principal: Principal) -> tuple[str, ...]:
    return tuple(
        sorted(
            session.scalars(
                select(RoleGrant.role).where(
                    RoleGrant.principal_id == principal.id,
                    RoleGrant.organisation_id == principal.organisation_id,
                )
            )
        )
    )


def list_keys(session: Session, *, organisation_id: str) -> list[KeyInfo]:
    """Every API key of the organisation, newest first."""
    now = utcnow()
    rows = session.execute(
        select(ApiKey, Principal)
        .join(Principal, Principal.id == ApiKey.principal_id)
        .where(Principal.organisation_id == organisation_id)
        .order_by(ApiKey.created_at.desc(), ApiKey.key_id)
    ).all()
    return [
        KeyInfo(
            key_id=k.key_id,
            name=p.name,
            roles=_roles(session, p),
            created_at=k.created_at,
            expires_at=k.expires_at,
            revoked_at=k.revoked_at,
            last_used_at=k.last_used_at,
            replaces=k.replaces,
            status=_status(k, now),
        )
        for k, p in rows
    ]


def revoke_key(session: Session, *, organisation_id: str, key: str, actor: str) -> KeyInfo:
    """Revoke a key at once; revoking a revoked key is refused (409)."""
    row, principal = _owned(session, organisation_id, key)
    now = utcnow()
    if row.revoked_at is not None and row.revoked_at <= now:
        raise Conflict(f"API key {row.key_id} is already revoked")
    row.revoked_at = now
    session.flush()
    record(
        session,
        organisation_id=organisation_id,
        actor=actor,
        action="tenancy.key.revoked",
        subject_type="principal",
        subject_id=principal.id,
        data={"key_id": row.key_id},
    )
    return next(
        k for k in list_keys(session, organisation_id=organisation_id) if k.key_id == row.key_id
    )


def rotate_key(
    session: Session,
    *,
    organisation_id: str,
    key: str,
    actor: str,
    grace: timedelta = timedelta(0),
    expires_at: datetime | None = None,
) -> CreatedKey:
    """A new key for the same client and roles; the old one ends now or after ``grace``."""
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise BadRequest("the grace period is between 0 and 7 days")
    old, principal = _owned(session, organisation_id, key)
    now = utcnow()
    if _status(old, now) != "active" or old.revoked_at is not None:
        raise Conflict(f"API key {old.key_id} is {_status(old, now)}; only an active key rotates")
    expiry = key_expiry(expires_at)
    token, parsed = new_key()
    session.add(
        ApiKey(
            key_id=parsed.key_id,
            secret_hash=hash_secret(parsed.secret),
            principal_id=principal.id,
            expires_at=expiry,
            replaces=old.key_id,
        )
    )
    old.revoked_at = now + grace
    session.flush()
    record(
        session,
        organisation_id=organisation_id,
        actor=actor,
        action="tenancy.key.rotated",
        subject_type="principal",
        subject_id=principal.id,
        data={
            "key_id": parsed.key_id,
            "replaces": old.key_id,
            "old_key_ends_at": old.revoked_at.isoformat(),
            "expires_at": expiry.isoformat(),
        },
    )
    roles = _roles(session, principal)
    if not roles:
        raise Conflict(f"the client behind API key {old.key_id} holds no role any more")
    return CreatedKey(token, principal.id, organisation_id, Role(roles[0]), expiry, parsed.key_id)  # fmt: skip
