"""End to end with a real worker process: delivery, crash recovery, broker loss."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.e2e.conftest import Stack

DOC = "/v1/submissions?kind=test_doc&recipient=sandbox-authority"


def _submit(stack: Stack, headers: dict[str, str], body: bytes) -> dict[str, str]:
    resp = stack.http.post(
        stack.url + DOC, content=body, headers={**headers, "Content-Type": "application/xml"}
    )
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def test_document_is_delivered_by_a_worker_and_receipted(stack: Stack) -> None:
    _, h = stack.new_org("reporter")
    sub = _submit(stack, h, b"<Report><Line>42</Line></Report>")
    stack.wait_status(h, sub["id"], "acknowledged")
    receipt = stack.http.get(f"{stack.url}/v1/submissions/{sub['id']}/receipt", headers=h).json()
    assert receipt["receipt"]["status"] == "accepted"
    assert receipt["receipt"]["sha256"] == sub["payload_hash"]
    code, out, err = stack.cli("audit", "verify")
    assert code == 0, err
    assert "intact" in out
    metrics = stack.http.get(f"{stack.url}/metrics").text
    assert 'gateway_submissions{status="acknowledged"}' in metrics
    ready = stack.http.get(f"{stack.url}/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["broker"] == "ok"


def test_a_hung_counterparty_does_not_hold_up_the_api(stack: Stack) -> None:
    """The sandbox runs in its own process: freezing it leaves the API answering."""
    assert stack.http.get(f"{stack.url}/sandbox/").status_code == 404
    assert "authority" in stack.http.get(f"{stack.sandbox_url}/").json()["authorities"]
    assert stack.sandbox is not None and stack.sandbox.proc is not None
    _, h = stack.new_org("reporter")
    group = stack.sandbox.proc.pid
    os.killpg(group, signal.SIGSTOP)
    try:
        assert stack.http.get(f"{stack.url}/healthz").status_code == 200
        sub = _submit(stack, h, b"<Report><Line>frozen counterparty</Line></Report>")
        assert stack.http.get(f"{stack.url}/v1/submissions/{sub['id']}", headers=h).is_success
    finally:
        os.killpg(group, signal.SIGCONT)
    stack.wait_status(h, sub["id"], "acknowledged")


def test_worker_killed_mid_delivery_yields_exactly_one_accepted_delivery(stack: Stack) -> None:
    _, h = stack.new_org("reporter")
    sandbox = f"{stack.sandbox_url}/authority"
    stack.http.post(f"{sandbox}/_config", json={"delay_seconds": 2.5}).raise_for_status()
    try:
        sub = _submit(stack, h, b"<Report><Line>crash</Line></Report>")
        stack.wait_status(h, sub["id"], "sending", timeout=60)
        time.sleep(0.5)  # the request is now in flight at the authority
        for w in stack.workers:
            w.kill(signal.SIGKILL)
        stack.workers.clear()
        assert stack.status(h, sub["id"]) == "sending"
        stack.http.post(f"{sandbox}/_config", json={"delay_seconds": 0}).raise_for_status()
        stack.start_worker("worker-after-crash")
        stack.wait_status(h, sub["id"], "acknowledged", timeout=90)
    finally:
        stack.http.post(f"{sandbox}/_config", json={"delay_seconds": 0})
    seen = stack.http.get(f"{sandbox}/_deliveries/{sub['message_id']}").json()
    assert seen["accepted"] == 1
    assert (
        seen["accepted"] + seen["duplicates"] >= 2
    )  # it was sent again and dropped as a duplicate
    final = stack.http.get(f"{stack.url}/v1/submissions/{sub['id']}", headers=h).json()
    assert final["attempts"] >= 2


@pytest.mark.broker
def test_sweeper_finishes_work_the_broker_lost(stack: Stack) -> None:
    _, h = stack.new_org("reporter")
    for w in stack.workers:
        w.stop()
    stack.workers.clear()
    subs = [_submit(stack, h, f"<Report><Line>{i}</Line></Report>".encode()) for i in range(5)]
    purged = stack.purge_queue()
    assert purged >= len(subs), "the broker should have held the hints we just purged"
    stack.start_worker("worker-after-purge")
    for sub in subs:
        stack.wait_status(h, sub["id"], "acknowledged", timeout=120)
