"""The Celery application: the broker carries hints, the database holds the truth."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from celery import Celery
from celery.signals import setup_logging, worker_process_init

from gateway import broker
from gateway.composition import DOMAIN_TASKS, existing_modules
from gateway.jobs import install_dispatcher
from gateway.settings import Settings, get_settings

__all__ = ["celery_app", "configure", "dispatch"]

broker.register()
celery_app = Celery(
    "gateway",
    include=["gateway.pipeline.tasks", "gateway.webhooks.tasks", *existing_modules(DOMAIN_TASKS)],
)


def configure(settings: Settings | None = None) -> Celery:
    """Point the app at the configured broker (a folder broker when embedded)."""
    s = settings or get_settings()
    url = s.effective_broker_url
    options: dict[str, Any] = {}
    if url.startswith(("filesystem://", f"{broker.SCHEME}://")):
        folder = s.broker_folder
        (folder / "out").mkdir(parents=True, exist_ok=True)
        (folder / "processed").mkdir(parents=True, exist_ok=True)
        options = {
            "data_folder_in": str(folder / "out"),
            "data_folder_out": str(folder / "out"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            "control_folder": str(folder / "control"),
            # The folder broker polls; a short interval keeps each pipeline step snappy.
            "polling_interval": 0.05,
        }
    celery_app.conf.update(
        broker_url=url,
        broker_transport_options=options,
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        result_backend=None,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_always_eager=s.task_always_eager,
        task_serializer="json",
        task_default_queue=s.queue,
        accept_content=["json"],
        timezone="UTC",
        beat_schedule=_beat_schedule(s),
        # A step over its budget raises SoftTimeLimitExceeded inside the task (the
        # submission fails with that reason); the hard limit replaces a child stuck in C.
        task_soft_time_limit=s.pipeline.step_budget_seconds,
        task_time_limit=s.pipeline.step_budget_seconds + s.pipeline.step_grace_seconds,
        beat_schedule_filename=str(s.data_path / "celerybeat-schedule"),
        worker_hijack_root_logger=False,
    )
    install_dispatcher(dispatch)
    return celery_app


def _beat_schedule(s: Settings) -> dict[str, Any]:
    schedule: dict[str, Any] = {
        "pipeline-sweep": {"task": "pipeline.sweep", "schedule": s.pipeline.sweep_interval_seconds}
    }
    for module in ["gateway.webhooks.tasks", *existing_modules(DOMAIN_TASKS)]:
        # Imported here, after ``celery_app`` exists: the task modules import it.
        schedule.update(getattr(importlib.import_module(module), "BEAT_SCHEDULE", None) or {})
    return {name: _expiring(entry) for name, entry in schedule.items()}


def _expiring(entry: dict[str, Any]) -> dict[str, Any]:
    """A periodic message expires when its next one is due, so busy workers never face a pile.

    Without it, a 1-second task queued hundreds of copies while both workers were
    busy; each copy re-checks the database, so the newest one alone is enough.
    """
    period = entry.get("schedule")
    options = dict(entry.get("options") or {})
    if isinstance(period, int | float) and "expires" not in options:
        options["expires"] = max(float(period), 1.0)
    return {**entry, "options": options}


def dispatch(task: str, args: tuple[Any, ...], options: dict[str, Any]) -> None:
    celery_app.send_task(task, args=args, **options)


@setup_logging.connect
def _json_logs(loglevel: Any = None, **_: Any) -> None:
    # Connecting here stops Celery from installing its own text handlers: worker and beat
    # log through our formatter, one JSON line per event, like the API.
    from gateway.logging import configure_logging

    s = get_settings()
    level = logging.getLevelName(loglevel) if isinstance(loglevel, int) else loglevel
    configure_logging(level or s.log_level, json_lines=s.log_json)


@worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    # Forked pool processes must not share the parent's database connections.
    from gateway.bootstrap import reset_container

    reset_container()


configure()
