"""Reporting with real processes: the API, the sandbox authorities and a Celery worker.

The worker delivers through the pipeline and runs Arelle for annual reports;
the tax agency simulator is the one in the sandbox process at ``/skat``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gateway.signing.devca import KeyPaths
from tests.e2e.conftest import Stack
from tests.e2e.test_reporting_flow import _saft_fixture
from tests.support.live import wait_until


def _report(stack: Stack, h: dict[str, str], rid: str) -> Any:
    return stack.http.get(f"{stack.url}/v1/reports/{rid}", headers=h).json()


def test_vat_return_and_annual_report_delivered_by_the_worker(stack: Stack, tmp_path: Path) -> None:
    cvr, h = stack.new_org("reporter")
    file = _saft_fixture().write_saft(tmp_path / "books.xml", lines=80, year=2025, company_id=cvr)
    code, _out, err = stack.cli("ingest", "--org", cvr, str(file))
    assert code == 0, err
    vat = stack.http.post(f"{stack.url}/v1/reports/vat", json={"period": "2025-Q1"}, headers=h)
    assert vat.status_code == 201, vat.text
    rid = vat.json()["id"]

    portal = f"{stack.sandbox_url}/skat/_portal"
    pem = KeyPaths.under(Path(stack.env["GW_DATA_DIR"]) / "keys").signing_cert.read_text()
    assert (
        stack.http.post(f"{portal}/delegate", json={"se": cvr, "certificate_pem": pem}).status_code
        == 200
    )
    sent = stack.http.post(f"{stack.url}/v1/reports/vat/{rid}/submit", headers=h)
    assert sent.status_code == 202, sent.text
    draft = wait_until(
        lambda: _report(stack, h, rid)["submission"]["transmission_id"],
        timeout=90,
        what="the agency's draft",
    )
    assert stack.http.post(f"{portal}/approve", json={"transaction_id": draft}).status_code == 200
    receipt = wait_until(
        lambda: _report(stack, h, rid)["submission"]["receipt"], timeout=120, what="VAT receipt"
    )
    assert receipt["draft_id"] == draft and receipt["amount_due"] is not None

    text = (
        "KONTONUMMER_20251231;KONTONAVN_20251231;VAERDI_20251231\n"
        "1010;Omsætning;-1000,00\n5810;Bank;1000,00\n"
    )
    tb = stack.http.post(
        f"{stack.url}/v1/ledgers?profile=regnskab-basis", content=text.encode(), headers=h
    )
    assert tb.status_code == 201, tb.text
    annual = stack.http.post(
        f"{stack.url}/v1/reports/annual",
        json={
            "year": 2025,
            "company": {"approval_date": "2026-05-20", "chairman": "Ada Lovelace"},
            "accounts": {"1010": "fsa:Revenue", "5810": "fsa:CashAndCashEquivalents"},
        },
        headers=h,
    ).json()
    status = wait_until(
        lambda: (s := _report(stack, h, annual["id"])["status"]) != "validating" and s,
        timeout=180,
        what="Arelle in the worker",
    )
    assert status == "valid", _report(stack, h, annual["id"])["validation"]
    assert (
        stack.http.post(
            f"{stack.url}/v1/reports/annual/{annual['id']}/submit", headers=h
        ).status_code
        == 202
    )
    erst = wait_until(
        lambda: _report(stack, h, annual["id"])["submission"]["receipt"],
        timeout=180,
        what="ERST receipt",
    )
    assert erst["authority"] == "erst"
