"""Reports from stored ledger versions: which version they used, SAF-T export, refusals, CLI."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from gateway.bootstrap import Container
from gateway.tenancy.service import create_organisation
from reporting.saft_check import validate_saft_file
from tests.support.app import api_client, container_in, org_with_key
from tests.support.cvr import random_cvr

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def saft() -> ModuleType:
    path = ROOT / "tests" / "adapters" / "saft_fixture.py"
    spec = importlib.util.spec_from_file_location("saft_fixture", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("saft_fixture", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def container(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, artefacts_dir: Path
) -> Container:
    return container_in(
        tmp_path_factory.mktemp("reports"), database_url=database_url, artefacts_dir=artefacts_dir
    )


@pytest.fixture(scope="module")
def client(container: Container) -> Iterator[TestClient]:
    with api_client(container) as c:
        yield c


@pytest.fixture
def org(container: Container) -> tuple[str, dict[str, str]]:
    return org_with_key(container, name="Rapport ApS")


def _env(container: Container, artefacts_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GW_DATABASE_URL": container.settings.effective_database_url,
        "GW_DATA_DIR": str(container.settings.data_path),
        "GW_ARTEFACTS_DIR": str(artefacts_dir),
    }


def test_a_vat_return_names_its_ledger_version_and_a_changed_file_gives_a_new_one(
    client: TestClient, org: tuple[str, dict[str, str]], saft: ModuleType, tmp_path: Path
) -> None:
    cvr, h = org
    v1 = client.post(
        "/v1/ledgers",
        content=saft.write_saft(tmp_path / "a.xml", lines=80, company_id=cvr, seed=1).read_bytes(),
        headers=h,
    ).json()
    first = client.post("/v1/reports/vat", json={"period": "2025-Q1"}, headers=h).json()
    same = client.post("/v1/reports/vat", json={"period": "2025-q1"}, headers=h).json()
    assert first["ledger"] == {"id": v1["id"], "version": 1} and same["id"] == first["id"]

    v2 = client.post(
        "/v1/ledgers",
        content=saft.write_saft(tmp_path / "b.xml", lines=80, company_id=cvr, seed=7).read_bytes(),
        headers=h,
    ).json()
    second = client.post("/v1/reports/vat", json={"period": "2025-Q1"}, headers=h).json()
    assert second["ledger"] == {"id": v2["id"], "version": 2} and second["id"] != first["id"]
    assert second["fields"] != first["fields"]
    pinned = client.post(
        "/v1/reports/vat", json={"period": "2025-Q1", "ledger_id": v1["id"]}, headers=h
    ).json()
    assert pinned["id"] == first["id"]
    listed = client.get("/v1/reports?kind=vat", headers=h).json()
    assert listed["total"] == 2


def test_vat_fields_are_explained_and_add_up_to_the_amount_payable(
    client: TestClient, org: tuple[str, dict[str, str]], saft: ModuleType, tmp_path: Path
) -> None:
    cvr, h = org
    file = saft.write_saft(tmp_path / "a.xml", lines=120, company_id=cvr)
    client.post("/v1/ledgers", content=file.read_bytes(), headers=h)
    report = client.post("/v1/reports/vat", json={"period": "2025-Q1"}, headers=h).json()
    f = report["fields"]
    payable = f["SalgsMoms"] + f["MomsEUKoeb"] + f["MomsEUYdelser"] - f["KoebsMoms"]
    assert f["AfgiftTilsvar"] == payable and f["SalgsMoms"] > 0
    assert {e["field"] for e in report["explanations"]} >= {"SalgsMoms", "KoebsMoms"}
    document = client.get(f"/v1/reports/{report['id']}/document", headers=h)
    assert document.status_code == 200 and b"ModtagMomsangivelseForeloebig_I" in document.content


def test_no_ledger_for_the_period_is_a_clear_404(
    client: TestClient, org: tuple[str, dict[str, str]]
) -> None:
    _, h = org
    r = client.post("/v1/reports/vat", json={"period": "2024-Q2"}, headers=h)
    assert r.status_code == 404 and "2024-Q2" in r.json()["detail"]


def test_an_annual_report_with_unmapped_accounts_is_refused_naming_them(
    client: TestClient, org: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    _, h = org
    text = (
        "KONTONUMMER_20251231;KONTONAVN_20251231;VAERDI_20251231\n"
        "1010;Omsætning;-1000,00\n5810;Bank;1000,00\n"
    )
    client.post("/v1/ledgers?profile=regnskab-basis", content=text.encode(), headers=h)
    r = client.post("/v1/reports/annual", json={"year": 2025}, headers=h)
    assert r.status_code == 422 and "1010" in r.json()["detail"]


def test_an_annual_report_is_not_delivered_before_arelle_has_passed_it(
    client: TestClient, org: tuple[str, dict[str, str]]
) -> None:
    _, h = org
    text = (
        "KONTONUMMER_20251231;KONTONAVN_20251231;VAERDI_20251231\n"
        "1010;Omsætning;-1000,00\n5810;Bank;1000,00\n"
    )
    client.post("/v1/ledgers?profile=regnskab-basis", content=text.encode(), headers=h)
    built = client.post(
        "/v1/reports/annual",
        json={
            "year": 2025,
            "accounts": {"1010": "fsa:Revenue", "5810": "fsa:CashAndCashEquivalents"},
        },
        headers=h,
    ).json()
    assert built["status"] == "validating"
    refused = client.post(f"/v1/reports/annual/{built['id']}/submit", headers=h)
    assert refused.status_code == 409 and "validating" in refused.json()["detail"]


def test_saft_export_of_a_sie_import_validates_against_the_1_30_xsd(
    container: Container, artefacts_dir: Path, tmp_path: Path
) -> None:
    cvr = random_cvr()
    with container.db.transaction() as s:
        create_organisation(s, cvr=cvr, name="Svensk AB", actor="test")
    env = _env(container, artefacts_dir)
    gw = [sys.executable, "-m", "gateway.cli"]
    sie = artefacts_dir / "sie-samples" / "SIE4_Exempelfil_med_underdim.SE"
    imported = subprocess.run(
        [*gw, "ingest", "--org", cvr, "--json", str(sie)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    period = json.loads(imported.stdout)["period_start"][:4]
    out = tmp_path / "export.xml"
    exported = subprocess.run(
        [*gw, "export", "saf-t", "--org", cvr, "--period", period, "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr
    assert validate_saft_file(out, artefacts_dir=artefacts_dir) == []


def test_cli_vat_report_as_json_names_the_ledger_version(
    container: Container, artefacts_dir: Path, saft: ModuleType, tmp_path: Path
) -> None:
    cvr = random_cvr()
    with container.db.transaction() as s:
        create_organisation(s, cvr=cvr, name="Cli ApS", actor="test")
    env = _env(container, artefacts_dir)
    gw = [sys.executable, "-m", "gateway.cli"]
    file = saft.write_saft(tmp_path / "a.xml", lines=80, company_id=cvr)
    run = subprocess.run(
        [*gw, "ingest", "--org", cvr, str(file)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    vat = subprocess.run(
        [*gw, "report", "vat", "--org", cvr, "--period", "2025-Q1", "--json"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert vat.returncode == 0, vat.stderr
    shown = json.loads(vat.stdout)
    assert shown["ledger"]["version"] == 1 and shown["fields"]["SalgsMoms"] > 0
    missing = subprocess.run(
        [*gw, "report", "vat", "--org", cvr, "--period", "2019-Q1"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert missing.returncode == 1 and "2019-Q1" in missing.stderr


def test_cli_annual_report_writes_an_instance_arelle_passes(
    container: Container, artefacts_dir: Path, tmp_path: Path
) -> None:
    cvr = random_cvr()
    with container.db.transaction() as s:
        create_organisation(s, cvr=cvr, name="Aarsrapport ApS", actor="test")
    env = _env(container, artefacts_dir)
    gw = [sys.executable, "-m", "gateway.cli"]
    tb = tmp_path / "regnskab.csv"
    tb.write_text(
        "KONTONUMMER_20251231;KONTONAVN_20251231;VAERDI_20251231\n"
        "1010;Omsætning;-1000,00\n5810;Bank;1000,00\n",
        encoding="utf-8",
    )
    company = tmp_path / "company.json"
    company.write_text(
        json.dumps(
            {
                "approval_date": "2026-05-20",
                "chairman": "Ada Lovelace",
                "accounts": {"1010": "fsa:Revenue", "5810": "fsa:CashAndCashEquivalents"},
            }
        )
    )
    ingest = subprocess.run(
        [*gw, "ingest", "--org", cvr, "--profile", "regnskab-basis", str(tb)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert ingest.returncode == 0, ingest.stderr
    out = tmp_path / "report.xbrl"
    built = subprocess.run(
        [
            *gw,
            "report",
            "annual",
            "--org",
            cvr,
            "--year",
            "2025",
            "--out",
            str(out),
            "--company",
            str(company),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    assert built.stdout.splitlines()[0].endswith(", valid")
    assert b"xbrli:xbrl" in out.read_bytes()[:2000]
