"""The portal's server-side sessions: the cookie holds only a random token, its hash is the key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base

__all__ = ["PortalSession"]


class PortalSession(Base):
    __tablename__ = "portal_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie token
    principal_id: Mapped[str | None] = mapped_column(
        ForeignKey("principals.id"), index=True, default=None
    )
    acting_cvr: Mapped[str | None] = mapped_column(String(16), default=None)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    idle_until: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # Between the redirect to the identity provider and its answer: state, nonce, PKCE verifier.
    login: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
