"""Alembic environment: the URL comes from the gateway's settings or the caller."""

from __future__ import annotations

from alembic import context

from gateway.db.base import Base
from gateway.db.registry import import_all_models
from gateway.db.session import make_engine
from gateway.settings import get_settings

import_all_models()
config = context.config
url = config.attributes.get("url") or get_settings().effective_database_url
target = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
