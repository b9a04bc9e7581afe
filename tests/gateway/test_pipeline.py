"""The pipeline's steps against the sandbox authority on loopback, driven step by step."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway.audit.models import AuditEntry
from gateway.bootstrap import Container
from gateway.pipeline.models import Submission
from gateway.pipeline.service import advance, sweep

URL = "/v1/submissions?kind=test_doc&recipient=sandbox-authority"


def _submit(client: TestClient, org, body: bytes = b"<Doc><Id>1</Id></Doc>") -> str:
    resp = client.post(
        URL, content=body, headers={**org.headers("reporter"), "Content-Type": "application/xml"}
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def _drive(container: Container, sid: str, *, max_steps: int = 20) -> str:
    """Run steps until the submission rests (what a worker does, one task at a time)."""
    status = ""
    for _ in range(max_steps):
        with container.db.transaction() as s:
            sub = s.get(Submission, sid)
            assert sub is not None
            if sub.status in ("acknowledged", "invalid", "rejected", "dead"):
                return sub.status
            # Back-off waits are short in tests; make the row due now.
            sub.next_attempt_at = container.clock()
        status = advance(container, sid) or status
    return status


def _config(sandbox_url: str, **values: object) -> None:
    httpx.post(f"{sandbox_url}/authority/_config", json=values).raise_for_status()


def test_document_goes_all_the_way_to_acknowledged(
    client: TestClient, container: Container, make_org, sandbox_url: str
) -> None:
    org = make_org("reporter")
    sid = _submit(client, org)
    assert _drive(container, sid) == "acknowledged"
    receipt = client.get(f"/v1/submissions/{sid}/receipt", headers=org.headers("reporter")).json()
    assert receipt["receipt"]["status"] == "accepted"
    assert receipt["receipt"]["sender"] == org.cvr
    with container.db.transaction() as s:
        sub = s.get(Submission, sid)
        assert sub is not None
        assert receipt["receipt"]["sha256"] == sub.payload_hash
        actions = list(
            s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.subject_id == sid)
                .order_by(AuditEntry.seq)
            )
        )
    assert actions == [
        "pipeline.submission.received",
        "pipeline.submission.validated",
        "pipeline.submission.signed",
        "pipeline.submission.queued",
        "pipeline.submission.sending",
        "pipeline.submission.delivered",
        "pipeline.submission.acknowledged",
    ]
    seen = httpx.get(f"{sandbox_url}/authority/_deliveries/{sub.message_id}").json()
    assert seen["accepted"] == 1


def test_transient_failures_are_retried_then_delivered(
    client: TestClient, container: Container, make_org, sandbox_url: str
) -> None:
    org = make_org("reporter")
    sid = _submit(client, org, b"<Doc><Id>retry</Id></Doc>")
    _config(sandbox_url, fail_next=2)
    try:
        assert _drive(container, sid) == "acknowledged"
    finally:
        _config(sandbox_url, fail_next=0)
    with container.db.transaction() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.attempts == 3


def test_a_receiver_that_stays_down_ends_dead_with_the_reason(
    client: TestClient, container: Container, make_org, sandbox_url: str
) -> None:
    org = make_org("reporter")
    sid = _submit(client, org, b"<Doc><Id>dead</Id></Doc>")
    _config(sandbox_url, fail_next=10)
    try:
        assert _drive(container, sid) == "dead"
    finally:
        _config(sandbox_url, fail_next=0)
    sub = client.get(f"/v1/submissions/{sid}", headers=org.headers("reporter")).json()
    assert sub["attempts"] == container.settings.pipeline.max_attempts
    assert "503" in sub["last_error"]
    assert sub["next_attempt_at"] is None


def test_a_leased_submission_is_left_alone(
    client: TestClient, container: Container, make_org
) -> None:
    org = make_org("reporter")
    sid = _submit(client, org, b"<Doc><Id>lease</Id></Doc>")
    with container.db.transaction() as s:
        sub = s.get(Submission, sid)
        assert sub is not None
        sub.lease_until = container.clock().replace(year=2100)
    assert advance(container, sid) is None
    with container.db.transaction() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.status == "received"
        sub.lease_until = None


def test_sweeper_finds_due_work(client: TestClient, container: Container, make_org) -> None:
    org = make_org("reporter")
    sid = _submit(client, org, b"<Doc><Id>sweep</Id></Doc>")
    sent: list[tuple[str, tuple[object, ...]]] = []
    from gateway import jobs

    jobs.install_dispatcher(lambda task, args, options: sent.append((task, args)))
    try:
        assert sweep(container) >= 1
    finally:
        from gateway.celery_app import dispatch

        jobs.install_dispatcher(dispatch)
    assert ("pipeline.advance", (sid,)) in sent


UBL_INVOICE = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>INV-1</cbc:ID>
  <cbc:IssueDate>2026-11-01</cbc:IssueDate>
</Invoice>"""


def test_ubl_is_signed_enveloped_and_the_authority_checks_it(
    client: TestClient, container: Container, make_org, sandbox_url: str
) -> None:
    org = make_org("reporter")
    sid = _submit(client, org, UBL_INVOICE)
    assert _drive(container, sid) == "acknowledged"
    with container.db.transaction() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.signature_mode == "enveloped" and sub.signature_hash
        signed = container.blobs.get(sub.signature_hash)
    assert b"UBLDocumentSignatures" in signed and b"SignedProperties" in signed
    receipt = client.get(f"/v1/submissions/{sid}/receipt", headers=org.headers("reporter")).json()
    assert receipt["receipt"]["signature"].startswith("signed by")


def test_other_payloads_get_a_detached_signature(
    client: TestClient, container: Container, make_org
) -> None:
    org = make_org("reporter")
    resp = client.post(
        "/v1/submissions?kind=test_doc&recipient=sandbox-authority",
        content=b'{"figures": [1, 2, 3]}',
        headers={**org.headers("reporter"), "Content-Type": "application/octet-stream"},
    )
    sid = resp.json()["id"]
    assert _drive(container, sid) == "acknowledged"
    with container.db.transaction() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.signature_mode == "detached"


def test_a_signature_from_an_untrusted_key_is_rejected_by_the_authority(
    client: TestClient, container: Container, make_org, tmp_path, settings
) -> None:
    from dataclasses import replace

    from gateway.pipeline.steps import default_signer
    from gateway.signing import init_keys

    init_keys(tmp_path / "rogue", org_name="Rogue CA")
    rogue = settings.model_copy(update={"keys_dir": tmp_path / "rogue"})
    rogue_container = replace(container, signer=default_signer(rogue))
    org = make_org("reporter")
    sid = _submit(client, org, UBL_INVOICE.replace(b"INV-1", b"INV-ROGUE"))
    assert _drive(rogue_container, sid) == "rejected"
    sub = client.get(f"/v1/submissions/{sid}", headers=org.headers("reporter")).json()
    assert "signature refused" in sub["last_error"]
    assert sub["findings"][0]["rule"] == "SIGNATURE"


def test_a_step_that_crashes_is_retried_then_dead(
    client: TestClient, container: Container, make_org, tmp_path, settings
) -> None:
    from dataclasses import replace

    from gateway.pipeline.steps import default_signer

    no_keys = settings.model_copy(update={"keys_dir": tmp_path / "missing"})
    broken = replace(container, signer=default_signer(no_keys))
    org = make_org("reporter")
    sid = _submit(client, org, b"<Doc><Id>nokeys</Id></Doc>")
    assert _drive(broken, sid) == "dead"
    sub = client.get(f"/v1/submissions/{sid}", headers=org.headers("reporter")).json()
    assert sub["last_error"].startswith("validated step failed")


def test_inbound_documents_are_left_to_their_domain(
    client: TestClient, container: Container, make_org
) -> None:
    from gateway import jobs
    from gateway.celery_app import dispatch

    org = make_org("reporter")
    sid = _submit(client, org, b"<Doc><Id>inbound</Id></Doc>")
    with container.db.transaction() as s:
        sub = s.get(Submission, sid)
        assert sub is not None
        sub.direction = "inbound"
    sent: list[tuple[str, tuple[object, ...]]] = []
    jobs.install_dispatcher(lambda task, args, options: sent.append((task, args)))
    try:
        sweep(container)
    finally:
        jobs.install_dispatcher(dispatch)
    assert ("pipeline.advance", (sid,)) not in sent
    assert advance(container, sid) is None
    with container.db.transaction() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.status == "received"


def test_documents_for_peppol_get_a_detached_signature(settings) -> None:
    from gateway.pipeline.steps import default_signer

    signer = default_signer(settings)
    artefact = signer(UBL_INVOICE, content_type="application/xml", channel="peppol")
    assert artefact is not None and artefact.mode == "detached"
    enveloped = signer(UBL_INVOICE, content_type="application/xml", channel="rest")
    assert enveloped is not None and enveloped.mode == "enveloped"


def test_a_receipt_that_waits_on_a_person_is_polled_for_days_not_attempts(
    client: TestClient, container: Container, make_org, sandbox_url: str
) -> None:
    from dataclasses import replace
    from datetime import timedelta

    org = make_org("reporter")
    sid = _submit(client, org, b"<Doc><Id>held</Id></Doc>")
    _config(sandbox_url, hold_receipts=True)
    try:
        _drive(container, sid, max_steps=12)  # far more polls than max_attempts (3)
        sub = client.get(f"/v1/submissions/{sid}", headers=org.headers("reporter")).json()
        assert sub["status"] == "delivered" and sub["next_attempt_at"] is not None
        assert "not issued yet" in sub["last_error"]
        later = container.clock() + timedelta(
            hours=container.settings.pipeline.receipt_poll_hours + 1
        )
        assert _drive(replace(container, clock=lambda: later), sid) == "dead"
    finally:
        _config(sandbox_url, hold_receipts=False)
    sub = client.get(f"/v1/submissions/{sid}", headers=org.headers("reporter")).json()
    assert "no receipt after" in sub["last_error"]
