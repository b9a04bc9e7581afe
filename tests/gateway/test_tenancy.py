"""Delegation between organisations, CVR checks, and secrets kept out of logs."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway.audit.models import AuditEntry
from gateway.bootstrap import Container
from gateway.db.base import utcnow
from gateway.logging import _JsonFormatter, redact
from gateway.tenancy.cvr import is_valid_cvr

URL = "/v1/submissions?kind=test_doc&recipient=sandbox-authority"


def _delegate(client: TestClient, grantor, grantee_cvr: str, role: str, expires) -> dict:
    resp = client.post(
        "/v1/delegations",
        json={"grantee_cvr": grantee_cvr, "role": role, "expires_at": expires.isoformat()},
        headers=grantor.headers("admin"),
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_an_accountant_reports_for_a_client_while_the_delegation_lasts(
    client: TestClient, container: Container, make_org
) -> None:
    company = make_org("admin", "reporter", name="Client ApS")
    accountant = make_org("reporter", name="Revisor ApS")
    on_behalf = {
        **accountant.headers("reporter"),
        "X-On-Behalf-Of": company.cvr,
        "Content-Type": "application/xml",
    }
    refused = client.post(URL, content=b"<Doc/>", headers=on_behalf)
    assert refused.status_code == 403 and "no delegation" in refused.json()["detail"]

    grant = _delegate(client, company, accountant.cvr, "reporter", utcnow() + timedelta(days=30))
    sent = client.post(URL, content=b"<Doc/>", headers=on_behalf)
    assert sent.status_code == 201, sent.text
    assert sent.json()["sender"] == company.cvr  # filed for the client, not the accountant
    mine = client.get("/v1/submissions", headers=company.headers("reporter")).json()
    assert sent.json()["id"] in {s["id"] for s in mine["items"]}
    me = client.get("/v1/me", headers=on_behalf).json()
    assert me["organisation_cvr"] == company.cvr and me["via_delegation"] is True
    with container.db.transaction() as s:
        actions = set(
            s.scalars(select(AuditEntry.action).where(AuditEntry.chain == company.organisation_id))
        )
    assert "tenancy.delegation.granted" in actions
    assert grant["role"] == "reporter"


def test_a_delegation_gives_only_its_role_and_ends_when_it_expires(
    client: TestClient, container: Container, make_org
) -> None:
    from gateway.tenancy.models import Delegation

    company = make_org("admin", name="Client ApS")
    accountant = make_org("reporter", "auditor", name="Revisor ApS")
    grant = _delegate(client, company, accountant.cvr, "reporter", utcnow() + timedelta(days=1))
    audit_for_client = client.get(
        "/v1/audit", headers={**accountant.headers("auditor"), "X-On-Behalf-Of": company.cvr}
    )
    assert audit_for_client.status_code == 403  # auditor was not delegated
    with container.db.transaction() as s:
        d = s.get(Delegation, grant["id"])
        assert d is not None
        d.expires_at = utcnow() - timedelta(seconds=1)
    expired = client.post(
        URL,
        content=b"<Doc/>",
        headers={
            **accountant.headers("reporter"),
            "X-On-Behalf-Of": company.cvr,
            "Content-Type": "application/xml",
        },
    )
    assert expired.status_code == 403


def test_only_admins_delegate_and_only_into_the_future(client: TestClient, make_org) -> None:
    company = make_org("admin", "reporter")
    other = make_org("reporter")
    body = {
        "grantee_cvr": other.cvr,
        "role": "reporter",
        "expires_at": (utcnow() + timedelta(days=1)).isoformat(),
    }
    assert (
        client.post("/v1/delegations", json=body, headers=company.headers("reporter")).status_code
        == 403
    )
    past = {**body, "expires_at": (utcnow() - timedelta(days=1)).isoformat()}
    resp = client.post("/v1/delegations", json=past, headers=company.headers("admin"))
    assert resp.status_code == 400 and "future" in resp.json()["detail"]


def test_cvr_modulus_11() -> None:
    assert is_valid_cvr("10150817") and is_valid_cvr("25313763")
    assert (
        not is_valid_cvr("10150818")
        and not is_valid_cvr("0123456")
        and not is_valid_cvr("abcdefgh")
    )


def test_api_keys_never_reach_the_log() -> None:
    key = "gw_0123456789abcdef_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"
    record = logging.LogRecord(
        "gateway.test", logging.INFO, __file__, 1, "auth.failed for %s", (key,), None
    )
    record.header = f"Bearer {key}"
    line = json.loads(_JsonFormatter().format(record))
    assert "c2VjcmV0" not in json.dumps(line)
    assert line["event"] == "auth.failed for gw_0123456789abcdef_***"
    assert redact("Authorization: Bearer abc.def") == "Authorization: Bearer ***"


def test_random_cvrs_are_valid_and_varied() -> None:
    from gateway.tenancy.cvr import random_cvr

    numbers = {random_cvr() for _ in range(500)}
    assert len(numbers) > 490
    assert all(is_valid_cvr(n) and len(n) == 8 and n[0] != "0" for n in numbers)
