"""Database: declarative base, engine and sessions, migrations."""

from gateway.db.base import Base, TimestampMixin, new_id, utcnow

__all__ = ["Base", "TimestampMixin", "new_id", "utcnow"]
