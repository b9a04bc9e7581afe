"""Celery tasks of the adapters: large ledger imports run here, not in the request."""

from __future__ import annotations

from adapters.uploads import run_import, sweep_uploads
from gateway.bootstrap import get_container
from gateway.celery_app import celery_app

__all__ = ["BEAT_SCHEDULE", "import_ledger_upload", "sweep_ledger_uploads"]


@celery_app.task(name="adapters.import_ledger")  # type: ignore[untyped-decorator]
def import_ledger_upload(operation_id: str) -> str | None:
    return run_import(get_container(), operation_id)


@celery_app.task(name="adapters.sweep_uploads")  # type: ignore[untyped-decorator]
def sweep_ledger_uploads() -> int:
    return sweep_uploads(get_container())


BEAT_SCHEDULE = {"adapters-uploads-sweep": {"task": "adapters.sweep_uploads", "schedule": 60.0}}
