"""ETag and If-Match on the settings resources of reporting and invoicing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.gateway.conftest import OrgKeys


def test_the_reporting_profile_refuses_a_put_based_on_an_old_read(
    client: TestClient, make_org: Callable[..., OrgKeys]
) -> None:
    org = make_org("reporter")
    h = org.headers("reporter")
    assert client.get("/v1/reporting/profile", headers=h).status_code == 404
    made = client.put("/v1/reporting/profile", json={"lead_days": 5}, headers=h)
    assert made.status_code == 200, made.text
    tag = made.headers["etag"]
    assert client.get("/v1/reporting/profile", headers=h).headers["etag"] == tag

    ok = client.put("/v1/reporting/profile", json={"lead_days": 7}, headers={**h, "If-Match": tag})
    assert ok.status_code == 200 and ok.headers["etag"] != tag
    stale = client.put(
        "/v1/reporting/profile", json={"lead_days": 9}, headers={**h, "If-Match": tag}
    )
    assert stale.status_code == 412 and stale.json()["current_etag"] == ok.headers["etag"]
    assert client.get("/v1/reporting/profile", headers=h).json()["lead_days"] == 7


def test_the_invoicing_profile_refuses_a_put_based_on_an_old_read(
    client: TestClient, make_org: Callable[..., OrgKeys]
) -> None:
    org = make_org("buyer")
    h = org.headers("buyer")
    tag = client.get("/v1/invoicing/profile", headers=h).headers["etag"]
    ok = client.put(
        "/v1/invoicing/profile", json={"invoice_syntax": "oioubl"}, headers={**h, "If-Match": tag}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["invoice_syntax"] == "oioubl" and ok.headers["etag"] != tag
    stale = client.put(
        "/v1/invoicing/profile", json={"invoice_syntax": "bis3"}, headers={**h, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert client.get("/v1/invoicing/profile", headers=h).json()["invoice_syntax"] == "oioubl"


def _saft_fixture() -> Any:
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "adapters" / "saft_fixture.py"
    spec = importlib.util.spec_from_file_location("saft_fixture", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("saft_fixture", module)
    spec.loader.exec_module(module)
    return module


def test_a_report_is_submitted_only_from_its_current_etag(
    client: TestClient, make_org: Callable[..., OrgKeys], tmp_path: Any
) -> None:
    org = make_org("reporter")
    h = org.headers("reporter")
    books = _saft_fixture().write_saft(tmp_path / "b.xml", lines=40, year=2025, company_id=org.cvr)
    assert client.post("/v1/ledgers", content=books.read_bytes(), headers=h).status_code == 201
    report = client.post("/v1/reports/vat", json={"period": "2025-Q1"}, headers=h).json()
    url = f"/v1/reports/{report['id']}"
    tag = client.get(url, headers=h).headers["etag"]

    wrong = client.post(f"/v1/reports/vat/{report['id']}/submit", headers={**h, "If-Match": '"x"'})
    assert wrong.status_code == 412
    assert client.get(url, headers=h).headers["etag"] == tag  # nothing was sent
    sent = client.post(f"/v1/reports/vat/{report['id']}/submit", headers={**h, "If-Match": tag})
    assert sent.status_code == 202, sent.text
    again = client.post(f"/v1/reports/vat/{report['id']}/submit", headers={**h, "If-Match": tag})
    assert again.status_code == 412  # the report moved on when it was submitted
