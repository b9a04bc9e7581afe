"""The submission API: acceptance, idempotency, isolation, roles, problem details."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

INVOICE = b"<Doc xmlns='urn:test'><Id>1</Id></Doc>"
URL = "/v1/submissions?kind=test_doc&recipient=sandbox-authority"


def _post(client: TestClient, headers: dict[str, str], body: bytes = INVOICE, **extra: str):
    return client.post(
        URL, content=body, headers={**headers, "Content-Type": "application/xml", **extra}
    )


def test_a_document_is_accepted_and_can_be_read_back(client: TestClient, make_org) -> None:
    org = make_org("reporter")
    resp = _post(client, org.headers("reporter"))
    assert resp.status_code == 201, resp.text
    sub = resp.json()
    assert sub["status"] == "received"
    assert sub["sender"] == org.cvr
    assert sub["channel"] == "rest"
    assert resp.headers["location"] == f"/v1/submissions/{sub['id']}"
    again = client.get(f"/v1/submissions/{sub['id']}", headers=org.headers("reporter"))
    assert again.json()["payload_hash"] == sub["payload_hash"]
    payload = client.get(f"/v1/submissions/{sub['id']}/payload", headers=org.headers("reporter"))
    assert payload.content == INVOICE


def test_json_form_with_base64_payload(client: TestClient, make_org) -> None:
    org = make_org("reporter")
    body = {
        "kind": "test_doc",
        "recipient": "sandbox-authority",
        "content_type": "application/xml",
        "payload_base64": base64.b64encode(INVOICE).decode(),
    }
    resp = client.post("/v1/submissions", json=body, headers=org.headers("reporter"))
    assert resp.status_code == 201, resp.text
    assert resp.json()["payload_size"] == len(INVOICE)


def test_same_idempotency_key_same_payload_returns_the_same_submission(
    client: TestClient, make_org
) -> None:
    org = make_org("reporter")
    first = _post(client, org.headers("reporter"), **{"Idempotency-Key": "batch-7"})
    second = _post(client, org.headers("reporter"), **{"Idempotency-Key": "batch-7"})
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    listing = client.get("/v1/submissions", headers=org.headers("reporter")).json()
    assert listing["total"] == 1


def test_same_idempotency_key_other_payload_is_a_conflict(client: TestClient, make_org) -> None:
    org = make_org("reporter")
    _post(client, org.headers("reporter"), **{"Idempotency-Key": "k1"})
    clash = _post(
        client, org.headers("reporter"), b"<Doc><Id>2</Id></Doc>", **{"Idempotency-Key": "k1"}
    )
    assert clash.status_code == 409
    assert clash.headers["content-type"] == "application/problem+json"
    assert "k1" in clash.json()["detail"]


def test_idempotency_keys_are_per_organisation(client: TestClient, make_org) -> None:
    a, b = make_org("reporter"), make_org("reporter")
    ra = _post(client, a.headers("reporter"), **{"Idempotency-Key": "shared"})
    rb = _post(client, b.headers("reporter"), b"<Other/>", **{"Idempotency-Key": "shared"})
    assert ra.status_code == rb.status_code == 201
    assert ra.json()["id"] != rb.json()["id"]


def test_another_organisations_submission_answers_404(client: TestClient, make_org) -> None:
    a, b = make_org("reporter"), make_org("reporter", "auditor")
    sub = _post(client, a.headers("reporter")).json()
    for path in ("", "/receipt", "/payload"):
        resp = client.get(f"/v1/submissions/{sub['id']}{path}", headers=b.headers("reporter"))
        assert resp.status_code == 404, path
        assert resp.headers["content-type"] == "application/problem+json"
    listing = client.get("/v1/submissions", headers=b.headers("auditor")).json()
    assert sub["id"] not in {s["id"] for s in listing["items"]}


def test_roles_are_checked_on_every_route(client: TestClient, make_org) -> None:
    org = make_org("supplier", "auditor", "opening_member")
    assert client.get("/v1/audit", headers=org.headers("supplier")).status_code == 403
    assert client.get("/v1/delegations", headers=org.headers("supplier")).status_code == 403
    assert _post(client, org.headers("auditor")).status_code == 403
    assert _post(client, org.headers("opening_member")).status_code == 403
    assert client.get("/v1/audit", headers=org.headers("auditor")).status_code == 200


def test_missing_or_wrong_key_is_401_problem(client: TestClient, make_org) -> None:
    org = make_org("reporter")
    assert client.get("/v1/submissions").status_code == 401
    wrong = org.keys["reporter"][:-3] + "xyz"
    resp = client.get("/v1/submissions", headers={"Authorization": f"Bearer {wrong}"})
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"] == "Bearer"
    assert resp.json()["title"] == "Invalid API key"


def test_bad_input_is_a_precise_4xx(client: TestClient, make_org) -> None:
    org = make_org("reporter")
    h = {**org.headers("reporter"), "Content-Type": "application/xml"}
    no_kind = client.post("/v1/submissions", content=INVOICE, headers=h)
    assert no_kind.status_code == 400 and "kind" in no_kind.json()["detail"]
    bad_kind = client.post("/v1/submissions?kind=Bad Kind&recipient=x", content=INVOICE, headers=h)
    assert bad_kind.status_code == 400
    no_route = client.post(
        "/v1/submissions?kind=test_doc&recipient=nobody", content=INVOICE, headers=h
    )
    assert no_route.status_code == 422 and "no route" in no_route.json()["detail"]
    broken = client.post(URL, content=b"<Doc><unclosed></Doc>", headers=h)
    assert broken.status_code == 422
    assert broken.json()["findings"][0]["rule"] == "XML"
    bad_status = client.get("/v1/submissions?status=flying", headers=org.headers("reporter"))
    assert bad_status.status_code == 422 and "status" in bad_status.json()["detail"]


def test_listing_filters_by_status_and_paginates(client: TestClient, make_org) -> None:
    org = make_org("reporter")
    ids = [
        _post(client, org.headers("reporter"), f"<D n='{i}'/>".encode()).json()["id"]
        for i in range(5)
    ]
    page1 = client.get(
        "/v1/submissions?limit=2&status=received", headers=org.headers("reporter")
    ).json()
    page3 = client.get(
        "/v1/submissions?limit=2&offset=4&status=received", headers=org.headers("reporter")
    ).json()
    assert page1["total"] == 5 and len(page1["items"]) == 2 and len(page3["items"]) == 1
    assert page1["items"][0]["id"] == ids[-1]  # newest first
    none = client.get("/v1/submissions?status=delivered", headers=org.headers("reporter")).json()
    assert none["total"] == 0


def test_receipt_before_delivery_is_404_with_reason(client: TestClient, make_org) -> None:
    org = make_org("reporter")
    sub = _post(client, org.headers("reporter")).json()
    resp = client.get(f"/v1/submissions/{sub['id']}/receipt", headers=org.headers("reporter"))
    assert resp.status_code == 404
    assert "no receipt yet" in resp.json()["detail"]
