"""Reporting end to end on loopback: ledger file in, report out, delivered, receipt stored.

The authorities are the real sandboxes served on loopback: the tax agency's
with mutual TLS (the development keys' CA on both sides) and WS-Security, the
business authority's intake with Arelle. The pipeline runs in this process
(``advance``), the way a worker runs it.
"""

from __future__ import annotations

import importlib.util
import ssl
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.bootstrap import Container, bootstrap
from gateway.composition import create_sandbox_app
from gateway.pipeline.service import advance
from gateway.settings import PipelineSettings, Settings
from gateway.signing import init_keys
from gateway.signing.devca import KeyPaths
from gateway.tenancy.service import create_key, create_organisation
from sandbox.skat_loopback import LoopbackTls, sandbox_from_keys, serve
from tests.support.cvr import random_cvr
from tests.support.live import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]


def _saft_fixture() -> ModuleType:
    path = ROOT / "tests" / "adapters" / "saft_fixture.py"
    spec = importlib.util.spec_from_file_location("saft_fixture", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("saft_fixture", module)
    spec.loader.exec_module(module)
    return module


@dataclass
class Gateway:
    container: Container
    client: TestClient
    skat_url: str
    sandbox_url: str
    keys: KeyPaths
    data: Path

    def org(self) -> tuple[str, dict[str, str]]:
        cvr = random_cvr()
        with self.container.db.transaction() as s:
            org = create_organisation(s, cvr=cvr, name="Eksempel Handel ApS", actor="test")
            key = create_key(s, organisation=org, role="reporter", name="reporter", actor="test")
        return cvr, {"Authorization": f"Bearer {key.key}"}

    def run(self, submission_id: str, *, until: set[str], timeout: float = 120.0) -> str:
        """Advance a submission as a worker would, until it reaches one of ``until``."""
        import time

        status = ""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = advance(self.container, submission_id) or status
            got = self.client.get(f"/v1/submissions/{submission_id}", headers=self._any_headers)
            status = got.json()["status"] if got.status_code == 200 else status
            if status in until:
                return status
            time.sleep(0.1)
        return status

    _any_headers: dict[str, str] = None  # type: ignore[assignment]

    def portal(self, action: str, **body: Any) -> httpx.Response:
        tls = ssl.create_default_context(cafile=str(self.keys.ca_cert))
        tls.load_cert_chain(str(self.keys.tls_client_cert), str(self.keys.tls_client_key))
        return httpx.post(f"{self.skat_url}/_portal/{action}", json=body, verify=tls)


@pytest.fixture(scope="module")
def gateway(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, artefacts_dir: Path
) -> Iterator[Gateway]:
    data = tmp_path_factory.mktemp("reporting-e2e")
    keys = KeyPaths.under(data / "keys")
    init_keys(keys.directory, org_name="Gateway tests // CVR:11223344")
    skat = sandbox_from_keys(
        artefacts_dir=artefacts_dir, keys=keys, state_path=data / "skat.sqlite"
    )
    tls = LoopbackTls(
        ca_cert=keys.ca_cert,
        server_cert=keys.tls_server_cert,
        server_key=keys.tls_server_key,
        client_cert=keys.tls_client_cert,
        client_key=keys.tls_client_key,
    )
    sandbox_settings = Settings(
        data_dir=data / "sandbox", keys_dir=keys.directory, artefacts_dir=artefacts_dir
    )
    (data / "sandbox").mkdir()
    routing = data / "routing.toml"
    with (
        serve(skat.app, tls=tls) as skat_url,
        serve_in_thread(create_sandbox_app(sandbox_settings)) as sandbox_url,
    ):
        routing.write_text(
            "[[route]]\nkind = 'vat_return'\nrecipient = 'skat'\nchannel = 'skat'\n"
            f"endpoint = '{skat_url}'\n\n"
            "[[route]]\nkind = 'annual_report'\nrecipient = 'erst'\nchannel = 'rest'\n"
            "endpoint = '${sandbox}/erst'\n"
        )
        settings = Settings(
            data_dir=data,
            database_url=database_url,
            sandbox_url=sandbox_url,
            artefacts_dir=artefacts_dir,
            keys_dir=keys.directory,
            routing_file=routing,
            pipeline=PipelineSettings(
                # The business authority validates for seconds before its receipt is ready.
                max_attempts=12,
                backoff_base_seconds=0.05,
                backoff_cap_seconds=5,
                lease_seconds=5,
            ),
        )
        container = bootstrap(settings)
        with TestClient(create_app(container, mount_sandbox=False)) as client:
            yield Gateway(container, client, skat_url, sandbox_url, keys, data)


def _headers(gw: Gateway, headers: dict[str, str]) -> dict[str, str]:
    gw._any_headers = headers
    return headers


def test_saft_file_to_vat_return_approved_in_the_sandbox_with_receipt_stored(
    gateway: Gateway, tmp_path: Path
) -> None:
    cvr, h = gateway.org()
    _headers(gateway, h)
    file = _saft_fixture().write_saft(tmp_path / "books.xml", lines=300, year=2025, company_id=cvr)
    up = gateway.client.post("/v1/ledgers?filename=books.xml", content=file.read_bytes(), headers=h)
    assert up.status_code == 201, up.text
    ledger = up.json()
    assert ledger["version"] == 1 and ledger["source_format"].startswith("saft")

    vat = gateway.client.post("/v1/reports/vat", json={"period": "2025-Q1"}, headers=h)
    assert vat.status_code == 201, vat.text
    report = vat.json()
    assert report["ledger"] == {"id": ledger["id"], "version": 1}
    assert report["fields"]["SalgsMoms"] > 0 and report["explanations"]

    # The company has delegated VAT reporting to our certificate on the portal.
    pem = gateway.keys.signing_cert.read_text()
    assert gateway.portal("delegate", se=cvr, certificate_pem=pem).status_code == 200

    sent = gateway.client.post(f"/v1/reports/vat/{report['id']}/submit", headers=h)
    assert sent.status_code == 202, sent.text
    sub_id = sent.json()["submission"]["id"]
    assert gateway.run(sub_id, until={"delivered", "rejected", "dead"}) == "delivered"
    draft_id = gateway.client.get(f"/v1/reports/{report['id']}", headers=h).json()["submission"][
        "transmission_id"
    ]

    # Not approved yet: no receipt. The company approves on the portal; the receipt arrives.
    assert gateway.portal("approve", transaction_id=draft_id).status_code == 200
    final = gateway.run(sub_id, until={"acknowledged", "rejected", "dead"})
    done = gateway.client.get(f"/v1/reports/{report['id']}", headers=h).json()
    assert final == "acknowledged", done["submission"]["last_error"]
    receipt = done["submission"]["receipt"]
    assert receipt["draft_id"] == draft_id and receipt["correction"] is False
    assert receipt["pdf_sha256"]

    # The same report again is the same submission (one per period and version).
    again = gateway.client.post(f"/v1/reports/vat/{report['id']}/submit", headers=h)
    assert again.status_code == 200 and again.json()["submission"]["id"] == sub_id


def test_missing_delegation_is_refused_with_4801_and_the_fix(
    gateway: Gateway, tmp_path: Path
) -> None:
    cvr, h = gateway.org()
    _headers(gateway, h)
    file = _saft_fixture().write_saft(tmp_path / "books.xml", lines=80, year=2025, company_id=cvr)
    assert (
        gateway.client.post("/v1/ledgers", content=file.read_bytes(), headers=h).status_code == 201
    )
    report = gateway.client.post("/v1/reports/vat", json={"period": "2025-Q1"}, headers=h).json()
    sent = gateway.client.post(f"/v1/reports/vat/{report['id']}/submit", headers=h).json()
    status = gateway.run(sent["submission"]["id"], until={"delivered", "rejected", "dead"})
    assert status == "rejected"
    error = gateway.client.get(f"/v1/reports/{report['id']}", headers=h).json()["submission"][
        "last_error"
    ]
    assert "delegation" in error and cvr in error and "skat.dk" in error


def test_csv_trial_balance_to_annual_report_valid_in_arelle_and_delivered(
    gateway: Gateway, tmp_path: Path
) -> None:
    _cvr, h = gateway.org()
    _headers(gateway, h)
    rows = [
        ("1010", "Omsætning", "-500000,00"),
        ("1310", "Vareforbrug", "200000,00"),
        ("2210", "Lønninger", "150000,00"),
        ("2800", "Andre eksterne omkostninger", "40000,00"),
        ("3610", "Renteudgifter", "2000,00"),
        ("3710", "Skat af årets resultat", "23000,00"),
        ("5610", "Tilgodehavender fra salg", "90000,00"),
        ("5810", "Likvide beholdninger", "210000,00"),
        ("6110", "Selskabskapital", "-40000,00"),
        ("6120", "Overført resultat", "-85000,00"),
        ("6810", "Leverandører af varer og tjenesteydelser", "-90000,00"),
    ]
    text = "KONTONUMMER_20251231;KONTONAVN_20251231;VAERDI_20251231\n" + "".join(
        f"{a};{n};{v}\n" for a, n, v in rows
    )
    path = tmp_path / "regnskab.csv"
    path.write_text(text, encoding="utf-8")
    up = gateway.client.post(
        "/v1/ledgers?profile=regnskab-basis&filename=regnskab.csv",
        content=path.read_bytes(),
        headers=h,
    )
    assert up.status_code == 201, up.text
    company = {
        "approval_date": "2026-05-20",
        "general_meeting_date": "2026-05-20",
        "chairman": "Ada Lovelace",
        "auditor_assistance": "Ingen bistand",
    }
    concepts = {
        "1010": "fsa:Revenue",
        "1310": "fsa:RawMaterialsAndConsumablesUsed",
        "2210": "fsa:WagesAndSalaries",
        "2800": "fsa:OtherExternalExpenses",
        "3610": "fsa:OtherFinanceExpenses",
        "3710": "fsa:TaxExpenseOnOrdinaryActivities",
        "5610": "fsa:ShorttermTradeReceivables",
        "5810": "fsa:CashAndCashEquivalents",
        "6110": "fsa:ContributedCapital",
        "6120": "fsa:RetainedEarnings",
        "6810": "fsa:ShorttermTradePayables",
    }
    built = gateway.client.post(
        "/v1/reports/annual",
        json={"year": 2025, "company": company, "accounts": concepts},
        headers=h,
    )
    assert built.status_code == 201, built.text
    report = built.json()
    assert report["status"] == "validating" and report["validation"]["precheck"] == []
    # The worker's task: Arelle validates from the installed taxonomy package.
    from reporting.service import run_annual_validation

    assert run_annual_validation(gateway.container, report_id=report["id"]) == "valid"
    shown = gateway.client.get(f"/v1/reports/{report['id']}", headers=h).json()
    arelle = shown["validation"]["arelle"]
    assert arelle["valid"] and not [f for f in arelle["findings"] if f["severity"] == "fatal"]

    sent = gateway.client.post(f"/v1/reports/annual/{report['id']}/submit", headers=h)
    assert sent.status_code == 202, sent.text
    sub_id = sent.json()["submission"]["id"]
    final = gateway.run(sub_id, until={"acknowledged", "rejected", "dead"})
    delivery = gateway.client.get(f"/v1/reports/{report['id']}", headers=h).json()["submission"]
    assert final == "acknowledged", delivery["last_error"]
    receipt = delivery["receipt"]
    assert receipt["authority"] == "erst" and receipt["receipt_id"].startswith("ERST-")


def test_a_new_ledger_version_for_an_approved_period_is_submitted_as_a_correction(
    gateway: Gateway, tmp_path: Path
) -> None:
    cvr, h = gateway.org()
    _headers(gateway, h)
    saft = _saft_fixture()
    pem = gateway.keys.signing_cert.read_text()
    assert gateway.portal("delegate", se=cvr, certificate_pem=pem).status_code == 200
    receipts = []
    for seed in (1, 2):
        file = saft.write_saft(tmp_path / f"v{seed}.xml", lines=80, company_id=cvr, seed=seed)
        assert (
            gateway.client.post("/v1/ledgers", content=file.read_bytes(), headers=h).status_code
            == 201
        )
        report = gateway.client.post(
            "/v1/reports/vat", json={"period": "2025-Q1"}, headers=h
        ).json()
        sub = gateway.client.post(f"/v1/reports/vat/{report['id']}/submit", headers=h).json()
        sub_id = sub["submission"]["id"]
        assert gateway.run(sub_id, until={"delivered", "rejected", "dead"}) == "delivered"
        draft = gateway.client.get(f"/v1/reports/{report['id']}", headers=h).json()["submission"]
        assert gateway.portal("approve", transaction_id=draft["transmission_id"]).status_code == 200
        assert gateway.run(sub_id, until={"acknowledged", "rejected", "dead"}) == "acknowledged"
        shown = gateway.client.get(f"/v1/reports/{report['id']}", headers=h).json()
        receipts.append((shown["ledger"]["version"], shown["submission"]["receipt"]["correction"]))
    assert receipts == [(1, False), (2, True)]
