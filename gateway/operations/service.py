"""Starting, tracking and ending long-running operations.

The outcome (status, result, error) lives in the database and is written in
the transaction of the work itself, so "succeeded" and the stored result can
never disagree. Progress is written beside the operation's work folder
instead: a large import holds the database's write lock for minutes on
SQLite, and progress must not wait for it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from gateway.clock import now
from gateway.operations.models import Operation, OperationStatus
from gateway.repository import Repository

__all__ = [
    "OperationRepository",
    "ProgressFile",
    "fail",
    "start",
    "succeed",
    "view",
    "work_dir",
]


class OperationRepository(Repository[Operation]):
    model = Operation
    noun = "operation"


def work_dir(data_path: Path, operation_id: str) -> Path:
    """The operation's folder (spooled input, progress); shared by API and worker."""
    return data_path / "operations" / operation_id


class ProgressFile:
    """Progress of one operation: phase, done and total, replaced atomically on each write."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "progress.json"
        self._last: tuple[str, int] | None = None

    def write(self, phase: str, done: int, total: int) -> None:
        step = max(total // 200, 1)  # at most ~200 writes per phase
        mark = (phase, done // step if done < total else -1)
        if mark == self._last:
            return
        self._last = mark
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total}))
        os.replace(tmp, self.path)

    def read(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return data


def start(
    session: Session, *, organisation_id: str, kind: str, params: dict[str, Any]
) -> Operation:
    return OperationRepository(session, organisation_id).add(
        Operation(kind=kind, status=OperationStatus.QUEUED, params=params)
    )


def succeed(op: Operation, *, result: dict[str, Any], result_url: str | None) -> None:
    op.status, op.result, op.result_url, op.finished_at = (
        OperationStatus.SUCCEEDED,
        result,
        result_url,
        now(),
    )


def fail(op: Operation, *, problem: dict[str, Any]) -> None:
    op.status, op.error, op.finished_at = OperationStatus.FAILED, problem, now()


def cleanup(data_path: Path, operation_id: str, *, keep_progress: bool = True) -> None:
    """Remove the spooled input once the operation has ended (the progress file stays)."""
    folder = work_dir(data_path, operation_id)
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if keep_progress and child.name == "progress.json":
            continue
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def view(op: Operation, data_path: Path) -> dict[str, Any]:
    """What a client polling the operation sees."""
    progress = ProgressFile(work_dir(data_path, op.id)).read() or {
        "phase": op.status,
        "done": 0,
        "total": 0,
    }
    if op.status == OperationStatus.SUCCEEDED:
        progress = {**progress, "phase": "done", "done": progress["total"]}
    total = int(progress["total"])
    percent = round(100 * int(progress["done"]) / total, 1) if total else None
    return {
        "id": op.id,
        "kind": op.kind,
        "status": op.status,
        "progress": {**progress, "percent": percent},
        "result": op.result,
        "result_url": op.result_url,
        "error": op.error,
        "created_at": op.created_at,
        "finished_at": op.finished_at,
    }
