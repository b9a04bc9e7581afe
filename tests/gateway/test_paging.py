"""Every list of the API pages the same way: limit and offset in, a total and links out."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.gateway.conftest import OrgKeys

# Lists whose routes declare no response model (their bodies are built as dicts).
_LISTS_WITHOUT_MODEL = {
    "/v1/ledgers",
    "/v1/reports",
    "/v1/orders",
    "/v1/invoices",
    "/v1/tenders/{tender_id}/documents",
    "/v1/tender-notifications",
    "/v1/public/tenders/{tender_id}/documents",
    "/v1/public/awards",
}


def _is_list(op: dict[str, Any], schemas: dict[str, Any]) -> bool:
    content = op["responses"].get("200", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    props = schema.get("properties", {})
    return schema.get("type") == "array" or {"items", "total"} <= set(props)


def test_every_list_takes_limit_and_offset(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    lists, bad = [], []
    for path, ops in spec["paths"].items():
        op = ops.get("get")
        if op is None or not (_is_list(op, schemas) or path in _LISTS_WITHOUT_MODEL):
            continue
        lists.append(path)
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        if not ({"limit", "offset"} <= names or "after" in names):
            bad.append(path)
    assert len(lists) >= 14 and "/v1/tenders" in lists and "/v1/delegations" in lists
    assert not bad, bad


def _links(header: str) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header)}


def test_a_list_reports_its_total_and_links_to_the_next_page(
    client: TestClient, make_org: Callable[..., OrgKeys]
) -> None:
    org = make_org("admin")
    h = org.headers("admin")
    for n in range(3):
        r = client.post(
            "/v1/webhooks",
            json={"url": f"https://erp.example.dk/{n}", "events": ["webhook.ping"]},
            headers=h,
        )
        assert r.status_code == 201
    first = client.get("/v1/webhooks?limit=2", headers=h)
    assert first.headers["x-total-count"] == "3"
    assert first.json()["total"] == 3 and len(first.json()["items"]) == 2
    links = _links(first.headers["link"])
    assert set(links) == {"first", "next", "last"}
    second = client.get(links["next"], headers=h)
    assert len(second.json()["items"]) == 1 and "next" not in _links(second.headers["link"])
    seen = {w["url"] for w in first.json()["items"] + second.json()["items"]}
    assert len(seen) == 3


def test_a_list_that_was_a_plain_array_stays_one_and_counts_in_the_header(
    client: TestClient, make_org: Callable[..., OrgKeys]
) -> None:
    org = make_org("admin")
    for _ in range(2):
        other = make_org("admin")
        r = client.post(
            "/v1/delegations",
            json={
                "grantee_cvr": other.cvr,
                "role": "reporter",
                "expires_at": "2030-01-01T00:00:00Z",
            },
            headers=org.headers("admin"),
        )
        assert r.status_code == 201, r.text
    everything = client.get("/v1/delegations", headers=org.headers("admin"))
    assert isinstance(everything.json(), list) and len(everything.json()) == 2
    assert everything.headers["x-total-count"] == "2"
    page = client.get("/v1/delegations?limit=1&offset=1", headers=org.headers("admin"))
    assert len(page.json()) == 1 and page.json()[0] == everything.json()[1]
    assert set(_links(page.headers["link"])) == {"first", "prev", "last"}
