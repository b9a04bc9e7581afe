"""Celery tasks of invoicing: process an inbound Peppol document; sweep lost hints."""

from __future__ import annotations

from gateway.bootstrap import get_container
from gateway.celery_app import celery_app
from invoicing import inbound

__all__ = ["BEAT_SCHEDULE", "process_inbound", "sweep_inbound"]

BEAT_SCHEDULE = {
    "invoicing-sweep-inbound": {"task": "invoicing.sweep_inbound", "schedule": 15.0},
}


@celery_app.task(name=inbound.PROCESS_TASK)  # type: ignore[untyped-decorator]
def process_inbound(submission_id: str) -> str | None:
    return inbound.process(get_container(), submission_id)


@celery_app.task(name="invoicing.sweep_inbound")  # type: ignore[untyped-decorator]
def sweep_inbound() -> int:
    return inbound.sweep(get_container())
