"""The beat task that anchors the audit chains: one checkpoint per interval when anything changed."""

from __future__ import annotations

from typing import Any

from gateway.audit.anchoring import Anchoring, make_checkpoint
from gateway.bootstrap import get_container
from gateway.celery_app import celery_app
from gateway.settings import get_settings

__all__ = ["BEAT_SCHEDULE", "checkpoint_audit"]

_INTERVAL = get_settings().audit.checkpoint_interval_seconds
BEAT_SCHEDULE: dict[str, Any] = {
    "audit-checkpoint": {
        "task": "audit.checkpoint",
        "schedule": _INTERVAL,
        # A checkpoint still queued when the next is due is dropped, not piled up.
        "options": {"expires": _INTERVAL},
    }
}


@celery_app.task(name="audit.checkpoint")  # type: ignore[untyped-decorator]
def checkpoint_audit() -> int | None:
    c = get_container()
    with c.db.transaction() as session:
        cp = make_checkpoint(session, Anchoring.from_settings(c.settings), now=c.clock())
    return cp.number if cp else None
