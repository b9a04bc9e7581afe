"""Celery tasks of reporting: Arelle validation of annual reports; the automatic VAT schedule.

``reporting.validate_annual_report`` runs Arelle (a child process) for one
stored annual report. ``reporting.run_schedule`` (beat, hourly) refreshes each
organisation's VAT calendar from the agency and, before each deadline, drafts
the return, notifies and, with auto-submit, submits it.
"""

from __future__ import annotations

from gateway.bootstrap import get_container
from gateway.celery_app import celery_app
from reporting import service

__all__ = ["BEAT_SCHEDULE", "run_schedule", "validate_annual_report"]

BEAT_SCHEDULE = {
    "reporting-schedule": {"task": "reporting.run_schedule", "schedule": 3600.0},
}


@celery_app.task(name=service.VALIDATE_TASK)  # type: ignore[untyped-decorator]
def validate_annual_report(report_id: str) -> str:
    return service.run_annual_validation(get_container(), report_id=report_id)


@celery_app.task(name="reporting.run_schedule")  # type: ignore[untyped-decorator]
def run_schedule() -> int:
    from reporting.notify import notifier_for
    from reporting.schedule_runner import run_due

    c = get_container()
    return len(run_due(c, notifier=notifier_for(c.settings)))
