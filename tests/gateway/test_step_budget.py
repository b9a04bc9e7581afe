"""Bounded work per step: a step over its budget fails its submission, not the worker.

And the beat's frequent tasks expire instead of piling up behind busy workers.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest
from billiard.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from fastapi.testclient import TestClient

from gateway.bootstrap import Container, bootstrap
from gateway.celery_app import celery_app, configure
from gateway.pipeline import tasks
from gateway.pipeline.models import Submission
from gateway.pipeline.service import advance
from gateway.pipeline.steps import ValidationOutcome
from gateway.settings import PipelineSettings, Settings
from tests.gateway.test_pipeline import _submit


class _Endless:
    """A validator that never finishes on its own, like a pathological document would.

    It starts the soft-limit timer itself, so the limit always strikes inside the
    step whatever the machine's speed; only the budget can end the loop.
    """

    def __call__(self, payload: bytes, *, content_type: str, kind: str) -> ValidationOutcome:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        n = 0
        while True:
            n += 1


@pytest.fixture
def soft_limit() -> Iterator[None]:
    """Billiard's soft limit, as the pool child gets it: a signal that raises in the task."""

    def _raise(signum: int, frame: FrameType | None) -> None:
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, _raise)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _status(c: Container, sid: str) -> tuple[str, str | None]:
    with c.db.transaction() as s:
        sub = s.get(Submission, sid)
        assert sub is not None
        return sub.status, sub.last_error


def test_a_step_over_its_budget_fails_the_submission_with_the_reason(
    settings: Settings, client: TestClient, make_org, soft_limit: None
) -> None:
    endless = bootstrap(settings, validator=_Endless())
    org = make_org("reporter")
    sid = _submit(client, org)
    assert advance(endless, sid) == "failed"
    status, reason = _status(endless, sid)
    assert status == "failed"
    assert reason is not None and "received step went over its time budget" in reason


def test_a_child_killed_at_the_hard_limit_fails_its_submission(
    container: Container, client: TestClient, make_org, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = make_org("reporter")
    sid = _submit(client, org)
    monkeypatch.setattr(tasks, "get_container", lambda: container)
    # What the worker's parent sends after ending a child stuck inside C code.
    tasks._hard_limit_reached(exception=TimeLimitExceeded(330), args=(sid,))
    status, reason = _status(container, sid)
    assert status == "failed" and reason is not None and "time budget" in reason
    tasks._hard_limit_reached(exception=ValueError("other failure"), args=(sid,))
    assert _status(container, sid)[0] == "failed"  # only the time limit is ours to handle


def test_every_task_has_the_configured_budget(tmp_path: Any) -> None:
    s = Settings(
        data_dir=tmp_path, pipeline=PipelineSettings(step_budget_seconds=42, step_grace_seconds=8)
    )
    try:
        configure(s)
        assert celery_app.conf.task_soft_time_limit == 42
        assert celery_app.conf.task_time_limit == 50
    finally:
        configure()


def test_periodic_messages_expire_before_the_next_is_due(tmp_path: Any) -> None:
    s = Settings(data_dir=tmp_path, pipeline=PipelineSettings(sweep_interval_seconds=1))
    try:
        configure(s)
        schedule = celery_app.conf.beat_schedule
        assert {"pipeline-sweep", "tendering-close-submissions"} <= set(schedule)
        for name, entry in schedule.items():
            period = float(entry["schedule"])
            assert 0 < entry["options"]["expires"] <= max(period, 1.0), name
    finally:
        configure()
