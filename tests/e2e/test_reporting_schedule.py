"""Automatic VAT reporting on loopback: the agency's calendar, a draft, notices, one submission."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.pipeline.models import Submission
from reporting.models import CalendarDeadline, Notification, Report
from reporting.notify import Notifier, OutboxSender
from reporting.tasks import run_due
from tests.e2e.test_reporting_flow import Gateway, _saft_fixture
from tests.e2e.test_reporting_flow import gateway as gateway  # the same loopback setup
from tests.support.live import serve_in_thread


@pytest.fixture(scope="module")
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    async def hook(request: Request) -> JSONResponse:
        received.append(await request.json())
        return JSONResponse({"ok": True})

    with serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield f"{url}/hook", received


def test_before_the_deadline_the_return_is_drafted_notified_and_submitted_once(
    gateway: Gateway, webhook: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    url, received = webhook
    cvr, h = gateway.org()
    file = _saft_fixture().write_saft(tmp_path / "books.xml", lines=80, year=2025, company_id=cvr)
    assert (
        gateway.client.post("/v1/ledgers", content=file.read_bytes(), headers=h).status_code == 201
    )
    profile = gateway.client.put(
        "/v1/reporting/profile",
        json={
            "auto_submit": True,
            "webhook_url": url,
            "email": "books@example.test",
            "lead_days": 10,
        },
        headers=h,
    )
    assert profile.status_code == 200 and profile.json()["se"] == cvr
    pem = gateway.keys.signing_cert.read_text()
    assert gateway.portal("delegate", se=cvr, certificate_pem=pem).status_code == 200
    outbox = tmp_path / "outbox"
    notifier = Notifier(email=OutboxSender(outbox))

    # Ten days before the first quarter's deadline (1 June), with the calendar from the agency.
    day = date(2025, 5, 25)
    first = run_due(gateway.container, notifier=notifier, today=day)
    again = run_due(gateway.container, notifier=notifier, today=day)
    with gateway.container.db.transaction() as s:
        org_id = s.scalar(select(Report.organisation_id).where(Report.id.in_(first)))
        deadlines = s.scalars(
            select(CalendarDeadline).where(CalendarDeadline.organisation_id == org_id)
        ).all()
        reports = s.scalars(select(Report).where(Report.organisation_id == org_id)).all()
        submissions = s.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.organisation_id == org_id, Submission.kind == "vat_return")
        )
        notices = s.scalars(
            select(Notification).where(Notification.organisation_id == org_id)
        ).all()
    assert deadlines, "the agency's calendar was stored"
    assert [r.period for r in reports] == ["2025-Q1"] and first == again == [reports[0].id]
    assert submissions == 1
    assert sorted((n.channel, n.outcome) for n in notices) == [
        ("email", "sent"),
        ("webhook", "sent"),
    ]
    mine = [r for r in received if r["organisation_cvr"] == cvr]
    assert len(mine) == 1 and mine[0]["period"] == "2025-Q1" and mine[0]["submitted"] is True
    mails = list(outbox.glob("*.eml"))
    assert len(mails) == 1
    message = email.message_from_bytes(mails[0].read_bytes())
    assert message["To"] == "books@example.test" and "2025-Q1" in message["Subject"]


def test_too_early_nothing_is_drafted(gateway: Gateway, tmp_path: Path) -> None:
    cvr, h = gateway.org()
    file = _saft_fixture().write_saft(tmp_path / "books.xml", lines=40, year=2025, company_id=cvr)
    lid = gateway.client.post("/v1/ledgers", content=file.read_bytes(), headers=h).json()["id"]
    gateway.client.put("/v1/reporting/profile", json={"auto_submit": True}, headers=h)
    pem = gateway.keys.signing_cert.read_text()
    assert gateway.portal("delegate", se=cvr, certificate_pem=pem).status_code == 200
    # 2 April: the first quarter has ended, but its deadline (1 June) is beyond the lead time.
    run_due(
        gateway.container, notifier=Notifier(email=OutboxSender(tmp_path)), today=date(2025, 4, 2)
    )
    with gateway.container.db.transaction() as s:
        drafted = s.scalar(select(func.count()).select_from(Report).where(Report.ledger_id == lid))
    assert drafted == 0
