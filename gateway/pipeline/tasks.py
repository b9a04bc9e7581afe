"""Celery tasks of the pipeline: each takes an id, does one step, commits."""

from __future__ import annotations

import os
import socket

from gateway.bootstrap import get_container
from gateway.celery_app import celery_app
from gateway.pipeline import service

__all__ = ["advance_submission", "sweep_submissions"]

_WORKER = f"{socket.gethostname()}:{os.getpid()}"


@celery_app.task(name="pipeline.advance")  # type: ignore[untyped-decorator]
def advance_submission(submission_id: str) -> str | None:
    return service.advance(get_container(), submission_id, worker=_WORKER)


@celery_app.task(name="pipeline.sweep")  # type: ignore[untyped-decorator]
def sweep_submissions() -> int:
    return service.sweep(get_container())
