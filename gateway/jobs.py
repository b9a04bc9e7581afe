"""Enqueue background work only once the transaction that asked for it has committed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

__all__ = ["enqueue", "install_dispatcher"]

_log = logging.getLogger("gateway.jobs")
_KEY = "gateway.pending_jobs"
Dispatcher = Callable[[str, tuple[Any, ...], dict[str, Any]], None]
_dispatcher: Dispatcher | None = None


def install_dispatcher(dispatch: Dispatcher | None) -> None:
    """Set how jobs are sent (Celery's send_task in a process that has a broker)."""
    global _dispatcher
    _dispatcher = dispatch


def enqueue(session: Session, task: str, *args: Any, **options: Any) -> None:
    """Hold a job on the session; it is sent after commit and dropped on rollback."""
    session.info.setdefault(_KEY, []).append((task, args, options))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    jobs = session.info.pop(_KEY, [])
    if not jobs:
        return
    if _dispatcher is None:
        # The sweeper will pick the work up: the database, not the broker, is the truth.
        _log.warning("jobs.dispatch.skipped", extra={"count": len(jobs)})
        return
    for task, args, options in jobs:
        try:
            _dispatcher(task, args, options)
        except Exception:
            # A lost hint is not lost work: the sweeper re-enqueues what is due.
            _log.exception("jobs.dispatch.failed", extra={"task": task})


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
