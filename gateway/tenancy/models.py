"""Organisations, principals (people and API clients), role grants, API keys, delegations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, TimestampMixin, new_id

__all__ = [
    "ApiKey",
    "Delegation",
    "Organisation",
    "PersonIdentity",
    "Principal",
    "Role",
    "RoleGrant",
]


class Role(StrEnum):
    REPORTER = "reporter"
    BUYER = "buyer"
    OPENING_MEMBER = "opening_member"
    SUPPLIER = "supplier"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    cvr: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Principal(TimestampMixin, Base):
    """A person or an API client; belongs to one home organisation."""

    __tablename__ = "principals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "person" or "client"
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200), default=None)


class RoleGrant(TimestampMixin, Base):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("principal_id", "organisation_id", "role"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    principal_id: Mapped[str] = mapped_column(ForeignKey("principals.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))


class ApiKey(TimestampMixin, Base):
    """Only the SHA-256 of the secret part is kept; the key is shown once at creation."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    principal_id: Mapped[str] = mapped_column(ForeignKey("principals.id"), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # Updated at most once a minute, so authenticating stays a read most of the time.
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    # None only for keys made before keys expired; new keys always expire.
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    # The key_id of the key this one replaced by rotation.
    replaces: Mapped[str | None] = mapped_column(String(32), default=None)


class Delegation(TimestampMixin, Base):
    """``grantor`` lets principals of ``grantee`` act for it with ``role`` until ``expires_at``."""

    __tablename__ = "delegations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    grantor_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    grantee_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[str | None] = mapped_column(String(36), default=None)


class PersonIdentity(TimestampMixin, Base):
    """A person's login at an identity provider (issuer + subject) tied to its principal."""

    __tablename__ = "person_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(200))
    principal_id: Mapped[str] = mapped_column(ForeignKey("principals.id"), index=True)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
