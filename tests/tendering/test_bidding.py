"""Bids beyond the happy path: corrigenda and confirmation, edge sealing, refusals."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from tests.tendering.conftest import Clock
from tests.tendering.flow import MakeOrg, bidder, content, publish, seal, submit


def test_a_material_corrigendum_extends_the_deadline_and_unconfirmed_bids_are_not_opened(
    api: TestClient, clock: Clock, new_org: MakeOrg
) -> None:
    p = publish(api, clock, new_org)
    a, b = bidder(api, new_org, "Alfa"), bidder(api, new_org, "Beta")
    assert api.post(f"/v1/tenders/{p.id}/interest", headers=a.headers()).status_code == 201
    ra = submit(p, a, content({"LOT-1": "1000.00"})).json()
    rb = submit(p, b, content({"LOT-1": "900.00"})).json()
    clock.advance(days=20)  # 10 days left
    r = api.post(
        f"/v1/tenders/{p.id}/corrigenda",
        json={"summary": "Nyt mængdeoverslag", "material": True},
        headers=p.buyer.headers("buyer"),
    )
    assert r.status_code == 201, r.text
    corr = r.json()
    assert corr["bids_must_be_confirmed"] is True
    assert datetime.fromisoformat(corr["deadline"]) >= clock.now + timedelta(days=15)
    notified = api.get("/v1/audit", headers=a.org.headers("auditor")).json()["items"]
    assert any(e["action"] == "tendering.corrigendum.notified" for e in notified)
    notes = api.get("/v1/tender-notifications", headers=a.headers()).json()
    assert [n["kind"] for n in notes] == ["corrigendum_notice"]
    told = api.get(f"/v1/tender-notifications/{notes[0]['id']}", headers=a.headers()).json()
    assert told["bids_must_be_confirmed"] is True
    assert datetime.fromisoformat(told["deadline"]) == datetime.fromisoformat(corr["deadline"])
    assert api.get("/v1/tender-notifications", headers=b.headers()).json() == []  # not registered
    confirmed = api.post(f"/v1/bids/{ra['bid_id']}/confirm", headers=a.headers())
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_at"]
    p.tender["timeline"]["deadline"] = corr["deadline"]
    p.past_deadline()
    p.hand_in("opening_member:1")
    record = p.hand_in("opening_member:2").json()["record"]
    assert [x["bid_id"] for x in record["bids"]] == [ra["bid_id"]]
    bids = {
        x["id"]: x
        for x in api.get(f"/v1/tenders/{p.id}/bids", headers=p.buyer.headers("buyer")).json()
    }
    assert bids[rb["bid_id"]]["content"] is None
    assert "not confirmed" in bids[rb["bid_id"]]["opening_problem"]


def test_edge_sealed_and_client_sealed_bids_live_side_by_side(
    api: TestClient, clock: Clock, new_org: MakeOrg
) -> None:
    p = publish(api, clock, new_org)
    a = bidder(api, new_org, "Alfa")
    edge = api.post(
        f"/v1/tenders/{p.id}/bids/plain",
        json={"content": content({"LOT-2": "500.00"})},
        headers=a.headers(),
    )
    assert edge.status_code == 201, edge.text
    # The one-time edge key is retired: the supplier's own key is still the one to use.
    own = submit(p, a, content({"LOT-1": "700.00"}))
    assert own.status_code == 201, own.text
    p.past_deadline()
    p.hand_in("opening_member:2")
    record = p.hand_in("opening_member:3").json()["record"]
    assert len(record["bids"]) == 2
    assert all(x["signature_valid"] for x in record["bids"])


def test_envelopes_that_do_not_belong_are_refused_before_anything_is_stored(
    api: TestClient, clock: Clock, new_org: MakeOrg
) -> None:
    p = publish(api, clock, new_org)
    other = publish(api, clock, new_org)
    a, b = bidder(api, new_org, "Alfa"), bidder(api, new_org, "Beta")
    doc = content({"LOT-1": "10.00"})
    wrong_tender = {
        "lot_ids": ["LOT-1"],
        "envelope": base64.b64encode(seal(other, a, doc)).decode(),
    }
    r = api.post(f"/v1/tenders/{p.id}/bids", json=wrong_tender, headers=a.headers())
    assert r.status_code == 422 and r.json()["type"].endswith("wrong-tender")
    as_someone_else = {"lot_ids": ["LOT-1"], "envelope": base64.b64encode(seal(p, a, doc)).decode()}
    r = api.post(f"/v1/tenders/{p.id}/bids", json=as_someone_else, headers=b.headers())
    assert r.status_code == 400 and a.org.cvr in r.json()["detail"]
    garbage = {"lot_ids": ["LOT-1"], "envelope": base64.b64encode(b"{}").decode()}
    assert (
        api.post(f"/v1/tenders/{p.id}/bids", json=garbage, headers=a.headers()).status_code == 422
    )
    no_lot = {"lot_ids": ["LOT-9"], "envelope": base64.b64encode(seal(p, a, doc)).decode()}
    assert api.post(f"/v1/tenders/{p.id}/bids", json=no_lot, headers=a.headers()).status_code == 400
    replay = {
        "lot_ids": ["LOT-1"],
        "envelope": base64.b64encode(seal(p, a, doc, bid_id=str(uuid.uuid4()))).decode(),
    }
    first = api.post(f"/v1/tenders/{p.id}/bids", json=replay, headers=a.headers())
    assert first.status_code == 201
    # The same envelope again (a replay): refused, the first receipt stands alone.
    assert api.post(f"/v1/tenders/{p.id}/bids", json=replay, headers=a.headers()).status_code == 409
    assert api.get(f"/v1/tenders/{p.id}/my-bids", headers=b.headers()).json() == []


def test_after_the_deadline_withdrawal_and_replacement_are_refused(
    api: TestClient, clock: Clock, new_org: MakeOrg
) -> None:
    p = publish(api, clock, new_org)
    a = bidder(api, new_org, "Alfa")
    bid = submit(p, a, content({"LOT-1": "10.00"})).json()["bid_id"]
    p.past_deadline()
    r = api.post(f"/v1/bids/{bid}/withdraw", headers=a.headers())
    assert r.status_code == 409 and "withdrawal refused" in r.json()["detail"]
    assert submit(p, a, content({"LOT-1": "9.00"}), replaces=bid).status_code == 409
    assert api.get(f"/v1/bids/{bid}", headers=a.headers()).json()["status"] == "submitted"


def test_a_supplier_key_on_buyer_routes_is_forbidden_and_other_orgs_tenders_are_not_found(
    api: TestClient, clock: Clock, new_org: MakeOrg
) -> None:
    p = publish(api, clock, new_org)
    a = bidder(api, new_org, "Alfa")
    for method, path in (
        ("post", "/publish"),
        ("post", "/award"),
        ("post", "/evaluation"),
        ("get", "/questions"),
    ):
        r = getattr(api, method)(
            f"/v1/tenders/{p.id}{path}",
            headers=a.headers(),
            **({"json": {}} if method == "post" else {}),
        )
        assert r.status_code == 403, path
    stranger = new_org("buyer", name="Fremmed")
    assert api.get(f"/v1/tenders/{p.id}", headers=stranger.headers("buyer")).status_code == 404
    assert (
        api.post(
            f"/v1/tenders/{p.id}/cancel", json={"reason": "x"}, headers=stranger.headers("buyer")
        ).status_code
        == 404
    )
    cancelled = api.post(
        f"/v1/tenders/{p.id}/cancel",
        json={"reason": "Budget bortfaldet"},
        headers=p.buyer.headers("buyer"),
    )
    assert cancelled.json()["status"] == "cancelled"
    assert submit(p, a, content({"LOT-1": "1.00"})).status_code == 409
    feed = api.get(f"/v1/public/ocds/releases?tender_id={p.id}").json()
    assert feed["releases"][-1]["tag"] == ["tenderCancellation"]
