"""Engines and sessions; the entry point (request, task, command) owns the transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from gateway.errors import Unavailable

__all__ = ["Database", "SchemaMissing", "make_engine"]


class SchemaMissing(Unavailable):
    """The database answers but was never migrated: nothing can be read or stored yet."""

    title = "Database not migrated"
    slug = "database-not-migrated"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the API read while a worker writes; busy_timeout waits instead of failing.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the settings each backend needs."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


class Database:
    """An engine plus a session factory; one per process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits when the block ends cleanly and rolls back otherwise."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except (OperationalError, ProgrammingError) as exc:
            session.rollback()
            if self.never_migrated():
                raise self._schema_missing() from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def never_migrated(self) -> bool:
        """The database answers and holds no Alembic version table (unreachable: False)."""
        try:
            return not inspect(self.engine).has_table("alembic_version")
        except (OperationalError, ProgrammingError):
            return False  # not reachable: that error, not a missing schema, is the news

    def _schema_missing(self) -> SchemaMissing:
        where = make_url(self.url).render_as_string(hide_password=True)
        return SchemaMissing(
            f"the database {where} has no tables: it was never migrated. Run "
            "`gateway db upgrade` with the same GW_DATA_DIR / GW_DATABASE_URL "
            "(or start everything with `gateway up`), then try again."
        )

    def dispose(self) -> None:
        self.engine.dispose()
