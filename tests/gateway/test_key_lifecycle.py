"""API keys expire, are revoked and rotated (API and CLI, audited), and show their last use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway.audit.models import AuditEntry
from gateway.bootstrap import Container
from gateway.clock import read_offset, write_offset
from gateway.settings import Settings, get_settings
from tests.gateway.conftest import OrgKeys


@pytest.fixture
def move_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[timedelta], None]]:
    """This process's gateway clock, moved forward on demand (the test-only clock file)."""
    path = tmp_path / "clock-offset"
    monkeypatch.setenv("GW_TEST_MODE", "1")
    monkeypatch.setenv("GW_TEST_CLOCK_FILE", str(path))
    get_settings.cache_clear()

    def move(by: timedelta) -> None:
        write_offset(path, read_offset(path) + by)

    yield move
    monkeypatch.delenv("GW_TEST_CLOCK_FILE")
    monkeypatch.delenv("GW_TEST_MODE")
    get_settings.cache_clear()


def _me(client: TestClient, key: str) -> tuple[int, str]:
    r = client.get("/v1/me", headers={"Authorization": f"Bearer {key}"})
    return r.status_code, r.json().get("detail", "")


def _keys(client: TestClient, org: OrgKeys) -> dict[str, dict[str, object]]:
    r = client.get("/v1/keys", headers=org.headers("admin"))
    assert r.status_code == 200, r.text
    return {k["key_id"]: k for k in r.json()}


def _key_id(token: str) -> str:
    return token.split("_")[1]


def _actions(container: Container, org: OrgKeys) -> list[str]:
    with container.db.transaction() as s:
        return list(
            s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.chain == org.organisation_id)
                .order_by(AuditEntry.seq)
            )
        )


def test_a_new_key_expires_in_a_year_and_shows_its_last_use(
    client: TestClient, make_org: Callable[..., OrgKeys], move_clock: Callable[[timedelta], None]
) -> None:
    org = make_org("admin", "reporter")
    reporter = _key_id(org.keys["reporter"])
    listed = _keys(client, org)[reporter]
    assert listed["status"] == "active" and listed["last_used_at"] is None
    assert listed["roles"] == ["reporter"]
    expires = datetime.fromisoformat(str(listed["expires_at"]))
    assert timedelta(days=364) < expires - datetime.now(UTC) <= timedelta(days=365)
    assert "secret" not in json.dumps(listed) and org.keys["reporter"] not in json.dumps(listed)

    assert _me(client, org.keys["reporter"])[0] == 200
    first = _keys(client, org)[reporter]["last_used_at"]
    assert first is not None
    move_clock(timedelta(seconds=20))
    assert _me(client, org.keys["reporter"])[0] == 200
    assert _keys(client, org)[reporter]["last_used_at"] == first  # not written within the minute
    move_clock(timedelta(minutes=2))
    assert _me(client, org.keys["reporter"])[0] == 200
    assert _keys(client, org)[reporter]["last_used_at"] != first


def test_an_expired_key_is_refused(
    client: TestClient, make_org: Callable[..., OrgKeys], move_clock: Callable[[timedelta], None]
) -> None:
    org = make_org("admin")
    move_clock(timedelta(days=366))
    status, detail = _me(client, org.keys["admin"])
    assert status == 401 and "expired" in detail


def test_revocation_stops_a_key_at_once_and_is_audited(
    client: TestClient, container: Container, make_org: Callable[..., OrgKeys]
) -> None:
    org = make_org("admin", "buyer")
    buyer = _key_id(org.keys["buyer"])
    r = client.post(f"/v1/keys/{buyer}/revoke", headers=org.headers("admin"))
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    status, detail = _me(client, org.keys["buyer"])
    assert status == 401 and "revoked" in detail
    again = client.post(f"/v1/keys/{buyer}/revoke", headers=org.headers("admin"))
    assert again.status_code == 409
    assert "tenancy.key.revoked" in _actions(container, org)


def test_rotation_replaces_a_key_with_an_optional_grace_period(
    client: TestClient,
    container: Container,
    make_org: Callable[..., OrgKeys],
    move_clock: Callable[[timedelta], None],
) -> None:
    org = make_org("admin", "reporter", "supplier")
    old = org.keys["reporter"]
    r = client.post(f"/v1/keys/{_key_id(old)}/rotate", json={}, headers=org.headers("admin"))
    assert r.status_code == 201, r.text
    new = r.json()["key"]
    assert r.json()["role"] == "reporter"
    assert _me(client, new)[0] == 200 and _me(client, old)[0] == 401
    assert _keys(client, org)[_key_id(new)]["replaces"] == _key_id(old)

    old2 = org.keys["supplier"]
    r = client.post(
        f"/v1/keys/{_key_id(old2)}/rotate", json={"grace_minutes": 10}, headers=org.headers("admin")
    )
    new2 = r.json()["key"]
    assert _me(client, old2)[0] == 200 and _me(client, new2)[0] == 200
    move_clock(timedelta(minutes=11))
    assert _me(client, old2)[0] == 401 and _me(client, new2)[0] == 200
    assert _actions(container, org).count("tenancy.key.rotated") == 2
    refused = client.post(f"/v1/keys/{_key_id(old)}/rotate", json={}, headers=org.headers("admin"))
    assert refused.status_code == 409


def test_keys_are_managed_only_by_their_own_organisations_admins(
    client: TestClient, make_org: Callable[..., OrgKeys]
) -> None:
    a = make_org("admin", "reporter")
    b = make_org("admin", "auditor")
    victim = _key_id(a.keys["reporter"])
    assert client.post(f"/v1/keys/{victim}/revoke", headers=b.headers("admin")).status_code == 404
    assert (
        client.post(f"/v1/keys/{victim}/rotate", json={}, headers=b.headers("admin")).status_code
        == 404
    )
    assert victim not in _keys(client, b)
    assert client.get("/v1/keys", headers=b.headers("auditor")).status_code == 403
    assert (
        client.post(f"/v1/keys/{victim}/revoke", headers=a.headers("reporter")).status_code == 403
    )
    assert _me(client, a.keys["reporter"])[0] == 200


def test_bad_requests_are_refused_with_a_problem(
    client: TestClient, make_org: Callable[..., OrgKeys]
) -> None:
    org = make_org("admin")
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    r = client.post(
        "/v1/keys",
        json={"name": "x", "role": "reporter", "expires_at": past},
        headers=org.headers("admin"),
    )
    assert r.status_code == 400 and "future" in r.json()["detail"]
    assert (
        client.post("/v1/keys/not-a-key-id/revoke", headers=org.headers("admin")).status_code == 422
    )
    created = client.post(
        "/v1/keys", json={"name": "erp", "role": "reporter"}, headers=org.headers("admin")
    )
    assert created.status_code == 201 and _me(client, created.json()["key"])[0] == 200
    assert (
        client.post(
            "/v1/keys/0123456789abcdef/rotate",
            json={"grace_minutes": 99999},
            headers=org.headers("admin"),
        ).status_code
        == 422
    )


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GW_DATABASE_URL": settings.effective_database_url,
        "GW_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", "key", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cli_lists_rotates_and_revokes(
    client: TestClient, settings: Settings, make_org: Callable[..., OrgKeys]
) -> None:
    org = make_org("admin", "reporter")
    reporter = org.keys["reporter"]
    listed = _cli(settings, "list", "--org", org.cvr)
    assert listed.returncode == 0, listed.stderr
    rows = {r["key_id"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert rows[_key_id(reporter)]["status"] == "active"

    rotated = _cli(settings, "rotate", _key_id(reporter), "--org", org.cvr)
    assert rotated.returncode == 0, rotated.stderr
    new = rotated.stdout.strip()
    assert _me(client, new)[0] == 200 and _me(client, reporter)[0] == 401

    revoked = _cli(settings, "revoke", new, "--org", org.cvr)  # the whole key is accepted too
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    assert _me(client, new)[0] == 401
    missing = _cli(settings, "revoke", "0123456789abcdef", "--org", org.cvr)
    assert missing.returncode != 0 and "no API key" in missing.stderr
