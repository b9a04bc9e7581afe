"""A ledger import run in the background: the request answered 202, a worker does the work.

The file was spooled into the operation's folder by the API; the worker checks
and stores it exactly as the synchronous upload does, writing progress as it
reads, and records the ledger version (or the refusal) on the operation in the
same transaction as the import.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from adapters.service import import_ledger, ledger_summary
from gateway.errors import GatewayError
from gateway.operations import service as operations
from gateway.operations.models import Operation, OperationStatus

__all__ = ["KIND", "run_import", "sweep_uploads"]

KIND = "ledger.import"
_log = logging.getLogger("adapters.uploads")


def run_import(c: Any, operation_id: str) -> str | None:
    """Import the operation's file; returns the operation's final status."""
    data_path: Path = c.settings.data_path
    folder = operations.work_dir(data_path, operation_id)
    with c.db.transaction() as s:
        op = s.get(Operation, operation_id)
        if op is None or op.status not in (OperationStatus.QUEUED, OperationStatus.RUNNING):
            return None
        op.status = OperationStatus.RUNNING
        params, org_id = dict(op.params), op.organisation_id
    progress = operations.ProgressFile(folder)
    path = folder / params["file"]
    try:
        with c.db.transaction() as s:
            outcome = import_ledger(
                s,
                organisation_id=org_id,
                organisation_cvr=params["organisation_cvr"],
                organisation_name=params["organisation_name"],
                path=path,
                actor=params["actor"],
                file_name=params.get("filename"),
                format=params.get("format"),
                profile=params.get("profile"),
                artefacts_dir=c.settings.effective_artefacts_dir,
                check_progress=lambda done, total: progress.write("check", done, total),
                store_progress=lambda done, total: progress.write("store", done, total),
            )
            op = s.get(Operation, operation_id)
            assert op is not None
            summary = ledger_summary(outcome.ledger, created=outcome.created)
            operations.succeed(op, result=summary, result_url=f"/v1/ledgers/{outcome.ledger.id}")
        status = OperationStatus.SUCCEEDED
    except GatewayError as exc:
        with c.db.transaction() as s:
            op = s.get(Operation, operation_id)
            assert op is not None
            operations.fail(op, problem=exc.to_problem())
        status = OperationStatus.FAILED
    except Exception:
        with c.db.transaction() as s:
            op = s.get(Operation, operation_id)
            assert op is not None
            operations.fail(
                op,
                problem={
                    "type": "about:blank",
                    "title": "Internal error",
                    "status": 500,
                    "detail": "the import failed unexpectedly; it has been logged",
                },
            )
        _log.exception("adapters.upload.crashed", extra={"operation": operation_id})
        return OperationStatus.FAILED
    finally:
        operations.cleanup(data_path, operation_id)
    _log.info("adapters.upload." + status, extra={"operation": operation_id})
    return status


def sweep_uploads(c: Any, *, older_than_seconds: float = 60) -> int:
    """Enqueue again the imports still queued a while after they were accepted.

    The broker only carries the hint; a hint lost (broker restart) must not
    strand an accepted upload.
    """
    from datetime import timedelta

    from sqlalchemy import select

    from gateway.jobs import enqueue

    cutoff = c.clock() - timedelta(seconds=older_than_seconds)
    with c.db.transaction() as s:
        stale = s.scalars(
            select(Operation.id).where(
                Operation.kind == KIND,
                Operation.status == OperationStatus.QUEUED,
                Operation.created_at <= cutoff,
            )
        ).all()
        for operation_id in stale:
            enqueue(s, "adapters.import_ledger", operation_id)
    return len(stale)
