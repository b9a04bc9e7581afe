"""Celery tasks of the pipeline: each takes an id, does one step, commits."""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from billiard.exceptions import TimeLimitExceeded
from celery.signals import task_failure

from gateway.bootstrap import get_container
from gateway.celery_app import celery_app
from gateway.pipeline import service

__all__ = ["advance_submission", "sweep_submissions"]

_WORKER = f"{socket.gethostname()}:{os.getpid()}"


@celery_app.task(name="pipeline.advance")  # type: ignore[untyped-decorator]
def advance_submission(submission_id: str) -> str | None:
    return service.advance(get_container(), submission_id, worker=_WORKER)


@task_failure.connect(sender=advance_submission)
def _hard_limit_reached(exception: BaseException | None = None, args: Any = None, **_: Any) -> None:
    # The parent process reports this after killing a child stuck past the hard limit
    # (e.g. inside C code the soft limit cannot interrupt): fail it, do not loop on it.
    if isinstance(exception, TimeLimitExceeded) and args:
        logging.getLogger("gateway.pipeline").warning(
            "pipeline.step.killed", extra={"submission": args[0]}
        )
        service.over_budget(get_container(), str(args[0]), worker=_WORKER)


@celery_app.task(name="pipeline.sweep")  # type: ignore[untyped-decorator]
def sweep_submissions() -> int:
    return service.sweep(get_container())
