"""Celery tasks of the adapters: large ledger imports run here, not in the request."""

from __future__ import annotations

from adapters.uploads import run_import
from gateway.bootstrap import get_container
from gateway.celery_app import celery_app

__all__ = ["import_ledger_upload"]


@celery_app.task(name="adapters.import_ledger")  # type: ignore[untyped-decorator]
def import_ledger_upload(operation_id: str) -> str | None:
    return run_import(get_container(), operation_id)
