"""The published OpenAPI document follows the conventions clients' tools rely on."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in METHODS
    ]


def test_every_operation_has_a_readable_id_and_a_summary_for_people(spec: dict[str, Any]) -> None:
    ops = _operations(spec)
    assert len(ops) > 80
    ids = [op.get("operationId", "") for _, _, op in ops]
    assert len(set(ids)) == len(ids), "operation ids must be unique"
    bad = []
    for method, path, op in ops:
        oid, summary = op.get("operationId", ""), op.get("summary", "")
        if not re.fullmatch(r"[a-z][A-Za-z0-9]*", oid):
            bad.append(f"{method} {path}: operationId {oid!r}")
        # FastAPI's fallback is the function name in Title Case: that is not written for people.
        fallback = re.sub(r"(?<!^)([A-Z])", r" \1", oid).title()
        if len(summary.split()) < 3 or summary == fallback:
            bad.append(f"{method} {path}: summary {summary!r}")
    assert not bad, "\n".join(bad)


def test_the_bearer_scheme_covers_every_route_that_needs_a_key(
    spec: dict[str, Any], client: TestClient
) -> None:
    scheme = spec["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for method, path, op in _operations(spec):
        if op.get("security"):
            assert op["security"] == [{"bearer": []}]
            assert {"401", "403"} <= set(op["responses"]), f"{method} {path}"
            names = {p["name"].lower() for p in op.get("parameters", [])}
            assert "authorization" not in names, f"{method} {path} shows a second key field"
    secured = {(m, p) for m, p, op in _operations(spec) if op.get("security")}
    assert ("get", "/v1/me") in secured and ("post", "/v1/tenders") in secured
    assert ("get", "/v1/public/tenders") not in secured
    # What the scheme documents is what the API does: no key, 401 with the Bearer challenge.
    r = client.get("/v1/me")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_every_4xx_is_documented_as_problem_details(spec: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"])
    bad = []
    for method, path, op in _operations(spec):
        codes = [c for c in op["responses"] if c.startswith("4")]
        if not codes:
            bad.append(f"{method} {path}: no 4xx documented")
        for code in codes:
            content = op["responses"][code].get("content", {})
            if list(content) != ["application/problem+json"]:
                bad.append(f"{method} {path} {code}: {list(content)}")
            elif content["application/problem+json"]["schema"] != {
                "$ref": "#/components/schemas/Problem"
            }:
                bad.append(f"{method} {path} {code}: not the Problem schema")
    assert not bad, "\n".join(bad)


def test_every_request_body_has_an_example(spec: dict[str, Any]) -> None:
    bad = []
    for method, path, op in _operations(spec):
        for media, body in op.get("requestBody", {}).get("content", {}).items():
            if not (body.get("example") or body.get("examples")):
                bad.append(f"{method} {path} {media}")
    assert not bad, "\n".join(bad)
    tender = spec["paths"]["/v1/tenders"]["post"]["requestBody"]["content"]["application/json"]
    assert isinstance(tender["example"], dict) and tender["example"]


def test_problem_types_resolve_to_a_page_that_explains_them(client: TestClient) -> None:
    r = client.get("/v1/me")
    uri = r.json()["type"]
    assert r.headers["content-type"].startswith("application/problem+json")
    assert uri.startswith("http") and uri.endswith("/problems/unauthenticated")
    page = client.get(uri)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Unauthenticated" in page.text and "401" in page.text
    listing = client.get("/problems", headers={"Accept": "application/json"}).json()
    slugs = {p["slug"] for p in listing["items"]}
    assert {"invalid-request", "precondition-failed", "tendering/deadline-passed"} <= slugs
    assert listing["total"] == len(listing["items"])
    for slug in slugs:
        assert client.get(f"/problems/{slug}").status_code == 200, slug
    missing = client.get("/problems/no-such-thing")
    assert missing.status_code == 404 and missing.json()["type"].endswith("/problems/not-found")


def test_a_refused_field_links_to_the_invalid_request_page(client: TestClient) -> None:
    r = client.get("/v1/public/tenders", params={"limit": "many"})
    assert r.status_code == 422
    assert client.get(r.json()["type"]).status_code == 200


def test_every_json_example_fits_its_schema(spec: dict[str, Any]) -> None:
    import jsonschema

    components = {"components": spec["components"]}
    bad = []
    for method, path, op in _operations(spec):
        for media, body in op.get("requestBody", {}).get("content", {}).items():
            if "json" not in media:
                continue
            try:
                jsonschema.validate(body["example"], {**body["schema"], **components})
            except jsonschema.ValidationError as exc:
                bad.append(f"{method} {path}: {exc.message}")
    assert not bad, "\n".join(bad)


def test_the_main_bodies_have_examples_written_for_people() -> None:
    from invoicing.payloads import InvoiceCreate, OrderCreate
    from tendering.payloads import TenderCreate

    for model in (OrderCreate, InvoiceCreate):
        (example,) = model.model_json_schema()["examples"]
        model.model_validate(example)  # what the docs show is what the API takes
    # The tender's dates lie in a fixed future; its shape is checked against the schema above.
    (tender,) = TenderCreate.model_json_schema()["examples"]
    assert tender["lots"] and tender["timeline"]["deadline"]


def test_swagger_ui_is_served_with_the_document(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "/openapi.json" in page.text
    assert "swagger-ui" in page.text.lower()
