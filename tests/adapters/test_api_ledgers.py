"""Ledger versions through the API and the CLI: import, versions, refusals, trial balance."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from adapters.models import LedgerLineRow, LedgerVersion
from gateway.bootstrap import Container
from gateway.tenancy.service import create_organisation
from tests.support.cvr import random_cvr

ROOT = Path(__file__).resolve().parents[2]


Org = tuple[str, dict[str, str]]


SIE_SAMPLES = [
    "MAMUT_SIE4_EXPORT.SE",
    "SIE4_Exempelfil_med_underdim.SE",
    "Sie4.se",
    "transaktioner_ovnbolag.se",
    "typ4.se",
]


@pytest.mark.parametrize("name", SIE_SAMPLES)
def test_every_sie_sample_imports_with_its_lines_stored(
    name: str,
    client: TestClient,
    org: Callable[..., Org],
    artefacts_dir: Path,
    container: Container,
) -> None:
    _, h = org()
    data = (artefacts_dir / "sie-samples" / name).read_bytes()
    r = client.post(f"/v1/ledgers?filename={name}", content=data, headers=h)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["format"] == "sie4" and body["version"] == 1 and body["created"] is True
    with container.db.transaction() as s:
        stored = s.scalar(
            select(func.count())
            .select_from(LedgerLineRow)
            .where(LedgerLineRow.ledger_id == body["id"])
        )
    assert stored == body["counts"]["lines"] > 0


def test_the_unbalanced_sie_sample_is_refused_naming_the_voucher_and_nothing_is_stored(
    client: TestClient, org: Callable[..., Org], artefacts_dir: Path, container: Container
) -> None:
    _, h = org()
    data = (artefacts_dir / "sie-samples" / "transaktioner_ovnbolag-bad-balance.se").read_bytes()
    r = client.post("/v1/ledgers?filename=bad.se", content=data, headers=h)
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert any(p.get("element") == "voucher B 1" and p.get("line") for p in problems)
    assert client.get("/v1/ledgers", headers=h).json()["total"] == 0


def test_same_file_twice_is_one_version_and_a_changed_file_is_the_next(
    client: TestClient, org: Callable[..., Org], saft_fixture: ModuleType, tmp_path: Path
) -> None:
    cvr, h = org()
    first = saft_fixture.write_saft(tmp_path / "a.xml", lines=60, company_id=cvr, seed=1)
    second = saft_fixture.write_saft(tmp_path / "b.xml", lines=60, company_id=cvr, seed=2)
    one = client.post("/v1/ledgers", content=first.read_bytes(), headers=h)
    again = client.post("/v1/ledgers", content=first.read_bytes(), headers=h)
    two = client.post("/v1/ledgers", content=second.read_bytes(), headers=h)
    assert (one.status_code, again.status_code, two.status_code) == (201, 200, 201)
    assert again.json()["id"] == one.json()["id"] and again.json()["created"] is False
    assert two.json()["version"] == 2 and two.json()["period_start"] == one.json()["period_start"]
    assert client.get("/v1/ledgers", headers=h).json()["total"] == 2


def test_trial_balance_rolls_opening_and_movements_into_the_stated_closing(
    client: TestClient, org: Callable[..., Org], saft_fixture: ModuleType, tmp_path: Path
) -> None:
    cvr, h = org()
    file = saft_fixture.write_saft(tmp_path / "a.xml", lines=80, company_id=cvr)
    lid = client.post("/v1/ledgers", content=file.read_bytes(), headers=h).json()["id"]
    shown = client.get(f"/v1/ledgers/{lid}", headers=h).json()
    from decimal import Decimal

    rows = shown["trial_balance"]
    assert rows and sum(Decimal(r["closing"]) for r in rows) == 0
    for r in rows:
        assert Decimal(r["opening"]) + Decimal(r["movements"]) == Decimal(r["closing"])


def test_another_organisation_cannot_read_a_ledger_and_an_auditor_cannot_import(
    client: TestClient, org: Callable[..., Org], saft_fixture: ModuleType, tmp_path: Path
) -> None:
    cvr, h = org()
    file = saft_fixture.write_saft(tmp_path / "a.xml", lines=40, company_id=cvr)
    lid = client.post("/v1/ledgers", content=file.read_bytes(), headers=h).json()["id"]
    _, other = org()
    assert client.get(f"/v1/ledgers/{lid}", headers=other).status_code == 404
    _, auditor = org("auditor")
    assert client.post("/v1/ledgers", content=file.read_bytes(), headers=auditor).status_code == 403


def test_an_empty_body_and_an_unknown_profile_are_refused(
    client: TestClient, org: Callable[..., Org]
) -> None:
    _, h = org()
    assert client.post("/v1/ledgers", content=b"", headers=h).status_code == 400
    r = client.post("/v1/ledgers?profile=no-such", content=b"a;b\n1;2\n", headers=h)
    assert r.status_code in (400, 422) and "no-such" in r.text


def test_cli_ingest_stores_the_file_and_refuses_a_broken_one_with_exit_1(
    container: Container, artefacts_dir: Path, tmp_path: Path
) -> None:
    cvr = random_cvr()
    with container.db.transaction() as s:
        org_id = create_organisation(s, cvr=cvr, name="Cli ApS", actor="test").id
    env = {
        **os.environ,
        "GW_DATABASE_URL": container.settings.effective_database_url,
        "GW_DATA_DIR": str(container.settings.data_path),
        "GW_ARTEFACTS_DIR": str(artefacts_dir),
    }
    cmd = [sys.executable, "-m", "gateway.cli", "ingest", "--org", cvr]
    good = subprocess.run(
        [*cmd, str(artefacts_dir / "sie-samples" / "Sie4.se")],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert "version 1" in good.stdout
    bad = subprocess.run(
        [*cmd, str(artefacts_dir / "sie-samples" / "transaktioner_ovnbolag-bad-balance.se")],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert bad.returncode == 1
    assert "voucher B 1" in bad.stderr
    with container.db.transaction() as s:
        stored = s.scalars(
            select(LedgerVersion.file_name).where(LedgerVersion.organisation_id == org_id)
        ).all()
    assert stored == ["Sie4.se"]  # the refused file left nothing behind
