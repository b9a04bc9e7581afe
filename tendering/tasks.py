"""Celery tasks of tendering: closing submissions at the deadline.

``tendering.close_tender`` is sent at publication with ``eta`` = the deadline;
``tendering.close_submissions`` runs every second from beat as the safety
net. Neither is needed for correctness: bids are refused by comparing the
receipt time with the deadline when they arrive.
"""

from __future__ import annotations

from gateway.bootstrap import get_container
from gateway.celery_app import celery_app
from tendering import service

__all__ = ["BEAT_SCHEDULE", "close_submissions", "close_tender"]

# The safety net closes submissions to the second even when an ETA task was lost.
BEAT_SCHEDULE = {
    "tendering-close-submissions": {"task": "tendering.close_submissions", "schedule": 1.0},
}


@celery_app.task(name="tendering.close_submissions")  # type: ignore[untyped-decorator]
def close_submissions() -> list[str]:
    c = get_container()
    with c.db.transaction() as session:
        return service.close_due_tenders(c, session)


@celery_app.task(name="tendering.close_tender")  # type: ignore[untyped-decorator]
def close_tender(tender_id: str) -> bool:
    c = get_container()
    with c.db.transaction() as session:
        return service.close_tender(c, session, tender_id=tender_id)
