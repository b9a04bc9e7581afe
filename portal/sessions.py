"""Session life: start, load (idle and absolute expiry), rotate at login, end at logout."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from portal.models import PortalSession

__all__ = ["SessionPolicy", "csrf_matches", "end", "load", "rotate", "start"]


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: timedelta
    maximum: timedelta


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    db: Session, *, now: datetime, policy: SessionPolicy, login: dict[str, Any] | None = None
) -> tuple[str, PortalSession]:
    """A new anonymous session; returns the cookie token (shown to the browser only)."""
    token = secrets.token_urlsafe(32)
    ps = PortalSession(
        id=_key(token),
        csrf=secrets.token_urlsafe(32),
        created_at=now,
        idle_until=now + policy.idle,
        expires_at=now + policy.maximum,
        login=login,
    )
    db.add(ps)
    db.flush()
    return token, ps


def load(
    db: Session, token: str | None, *, now: datetime, policy: SessionPolicy
) -> PortalSession | None:
    """The live session behind ``token``; an expired one is deleted and yields ``None``."""
    if not token:
        return None
    ps = db.get(PortalSession, _key(token))
    if ps is None:
        return None
    if now >= ps.idle_until or now >= ps.expires_at:
        db.delete(ps)
        db.flush()
        return None
    ps.idle_until = min(now + policy.idle, ps.expires_at)
    return ps


def rotate(
    db: Session,
    old: PortalSession | None,
    *,
    principal_id: str,
    now: datetime,
    policy: SessionPolicy,
) -> tuple[str, PortalSession]:
    """A fresh session id and CSRF token for the logged-in person; the old id stops working."""
    if old is not None:
        db.delete(old)
        db.flush()
    token, ps = start(db, now=now, policy=policy)
    ps.principal_id = principal_id
    db.flush()
    return token, ps


def end(db: Session, ps: PortalSession) -> None:
    db.delete(ps)
    db.flush()


def purge_expired(db: Session, *, now: datetime) -> int:
    result = db.execute(delete(PortalSession).where(PortalSession.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


def csrf_matches(ps: PortalSession | None, sent: str | None) -> bool:
    return ps is not None and bool(sent) and hmac.compare_digest(ps.csrf, sent or "")
