"""ETag and If-Match on the settings resources of reporting and invoicing."""

from __future__ import annotations

from collections.abc import Callable

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
