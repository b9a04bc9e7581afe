"""Celery tasks that deliver webhooks: one delivery per task, a periodic sweep."""

from __future__ import annotations

from typing import Any

from gateway.bootstrap import get_container
from gateway.celery_app import celery_app
from gateway.settings import get_settings
from gateway.webhooks import service

__all__ = ["BEAT_SCHEDULE", "deliver_webhook", "sweep_webhooks"]


@celery_app.task(name="webhooks.deliver")  # type: ignore[untyped-decorator]
def deliver_webhook(delivery_id: str) -> str | None:
    return service.deliver(get_container(), delivery_id)


@celery_app.task(name="webhooks.sweep")  # type: ignore[untyped-decorator]
def sweep_webhooks() -> int:
    return service.sweep(get_container())


BEAT_SCHEDULE: dict[str, Any] = {
    "webhooks-sweep": {
        "task": "webhooks.sweep",
        "schedule": get_settings().webhooks.sweep_interval_seconds,
    }
}
