"""A whole restricted tender over the API: requests to participate, selection, bids, contract."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway.audit.models import AuditEntry
from gateway.audit.service import verify_chains
from gateway.bootstrap import Container
from schemas.xmlsafe import parse
from tendering import service
from tests.tendering.conftest import Clock, Validate
from tests.tendering.flow import (
    Bidder,
    MakeOrg,
    bidder,
    content,
    espd_response,
    publish,
    restricted_body,
    submit,
    tender_body,
)

CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"


def request(api: TestClient, tender: dict[str, Any], who: Bidder, espd: bytes | None = None) -> Any:
    data = espd if espd is not None else espd_response(tender["reference"], who)
    return api.post(
        f"/v1/tenders/{tender['id']}/participation-requests",
        json={"espd_response": base64.b64encode(data).decode()},
        headers=who.headers(),
    )


def _audit(gw: Container, chain: str, action: str) -> list[AuditEntry]:
    with gw.db.transaction() as s:
        return list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.chain == chain, AuditEntry.action == action)
                .order_by(AuditEntry.seq)
            )
        )


def test_restricted_tender_from_requests_to_contract(
    api: TestClient,
    gw: Container,
    clock: Clock,
    new_org: MakeOrg,
    ubl23: Validate,
    ocds_schema: Callable[[bytes, str], list[str]],
) -> None:
    p = publish(api, clock, new_org, body=restricted_body(clock))
    buyer = p.buyer.headers("buyer")
    assert p.tender["procedure"] == "restricted" and p.tender["min_candidates"] == 5
    request_deadline = datetime.fromisoformat(p.tender["timeline"]["request_deadline"])

    # The public notice calls for requests to participate and is valid UBL 2.3.
    shown = api.get(f"/v1/public/tenders/{p.id}").json()
    assert shown["procedure"] == "restricted" and shown["status"] == "published"
    notice = api.get(f"/v1/public/tenders/{p.id}/notice")
    assert notice.status_code == 200
    assert ubl23(notice.content, "ContractNotice") == []
    process = parse(notice.content).getroot().find(f"{CAC}TenderingProcess")
    assert process is not None
    assert process.findtext(f"{CBC}ProcedureCode") == "restricted"
    reception = process.find(f"{CAC}ParticipationRequestReceptionPeriod")
    assert reception is not None
    assert reception.findtext(f"{CBC}EndDate") == request_deadline.date().isoformat()
    assert process.findtext(f"{CAC}EconomicOperatorShortList/{CBC}MinimumQuantity") == "5"

    docs = {d["kind"]: d for d in api.get(f"/v1/public/tenders/{p.id}/documents").json()}
    release = api.get(f"/v1/public/documents/{docs['ocds_release']['sha256']}")
    assert ocds_schema(release.content, "release") == []
    assert release.json()["tender"]["procurementMethod"] == "selective"

    a, b, c, late = (
        bidder(api, new_org, n) for n in ("Alfa A/S", "Beta ApS", "Gamma I/S", "Sen ApS")
    )
    # No bid before the selection, not even from a future candidate.
    early_bid = submit(p, a, content({"LOT-1": "400000.00"}))
    assert early_bid.status_code == 409, early_bid.text

    # An ESPD response that is not valid UBL 2.3 is refused.
    bad = request(api, p.tender, a, b"<QualificationApplicationResponse/>")
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")

    requests = {}
    for who in (a, b, c):
        r = request(api, p.tender, who)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "requested"
        requests[who.org.cvr] = r.json()["id"]

    # Selecting before the request deadline is refused.
    too_soon = api.post(
        f"/v1/tenders/{p.id}/selection", json={"selected": [requests[a.org.cvr]]}, headers=buyer
    )
    assert too_soon.status_code == 409

    # At the request deadline's second: a late request is refused and audited like a late bid.
    clock.set(request_deadline)
    late_request = request(api, p.tender, late)
    assert late_request.status_code == 409
    assert "deadline" in late_request.json()["detail"]
    refusals = _audit(gw, p.buyer.organisation_id, "tendering.refused")
    assert any(e.data["organisation"] == late.org.organisation_id for e in refusals)
    assert _audit(gw, late.org.organisation_id, "tendering.refused")
    with gw.db.transaction() as s:
        assert p.id in service.close_due_tenders(gw, s)
    assert api.get(f"/v1/public/tenders/{p.id}").json()["status"] == "selection"

    listed = api.get(f"/v1/tenders/{p.id}/participation-requests", headers=buyer).json()
    assert {x["supplier_cvr"] for x in listed} == {a.org.cvr, b.org.cvr, c.org.cvr}

    # Two of three, below the minimum of five: only if the third does not qualify.
    chosen = [requests[a.org.cvr], requests[b.org.cvr]]
    short = api.post(f"/v1/tenders/{p.id}/selection", json={"selected": chosen}, headers=buyer)
    assert short.status_code == 409 and "at least 5" in short.json()["detail"]
    by_supplier = api.post(
        f"/v1/tenders/{p.id}/selection",
        json={"selected": chosen},
        headers=a.headers(),
    )
    assert by_supplier.status_code == 403
    selection = api.post(
        f"/v1/tenders/{p.id}/selection",
        json={
            "selected": chosen,
            "not_qualified": {requests[c.org.cvr]: "turnover below the required minimum"},
        },
        headers=buyer,
    )
    assert selection.status_code == 200, selection.text
    outcome = {x["supplier_cvr"]: x["status"] for x in selection.json()}
    assert outcome == {a.org.cvr: "selected", b.org.cvr: "selected", c.org.cvr: "not_selected"}
    assert api.get(f"/v1/public/tenders/{p.id}").json()["status"] == "invited"
    decided = _audit(gw, p.buyer.organisation_id, "tendering.selection.decided")
    assert decided[-1].data["selected"] == [a.org.cvr, b.org.cvr]
    assert decided[-1].data["not_qualified"] == [c.org.cvr]

    # Every requester is told its own outcome, and nothing about the others.
    for who, kind in (
        (a, "invitation_to_tender"),
        (b, "invitation_to_tender"),
        (c, "selection_rejection"),
    ):
        notes = api.get("/v1/tender-notifications", headers=who.headers()).json()
        assert [n["kind"] for n in notes] == [kind]
        text = api.get(f"/v1/tender-notifications/{notes[0]['id']}", headers=who.headers()).text
        others = {x.org.cvr for x in (a, b, c) if x is not who}
        assert not any(cvr in text for cvr in others)
    mine = api.get(f"/v1/tenders/{p.id}/my-participation", headers=c.headers()).json()
    assert mine["status"] == "not_selected" and mine["reason"].startswith("turnover")
    assert (
        api.get(f"/v1/tenders/{p.id}/participation-requests", headers=c.headers()).status_code
        == 403
    )

    # Stage 2: the non-selected and the late supplier are refused, the refusal audited.
    for outsider in (c, late):
        refused = submit(p, outsider, content({"LOT-1": "100000.00"}))
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert a.org.cvr not in refused.text and b.org.cvr not in refused.text
        assert any(
            e.data["problem"] == "NotInvited"
            for e in _audit(gw, outsider.org.organisation_id, "tendering.refused")
        )
    plain = api.post(
        f"/v1/tenders/{p.id}/bids/plain",
        json={"content": content({"LOT-2": "600000.00"})},
        headers=c.headers(),
    )
    assert plain.status_code == 403

    ra = submit(p, a, content({"LOT-1": "400000.00", "LOT-2": "700000.00"}))
    assert ra.status_code == 201, ra.text
    rb = submit(p, b, content({"LOT-1": "380000.00", "LOT-2": "720000.00"}))
    assert rb.status_code == 201, rb.text

    # Sealing, opening, evaluation, award and contract as in the open procedure.
    p.past_deadline()
    with gw.db.transaction() as s:
        assert p.id in service.close_due_tenders(gw, s)
    assert p.hand_in("opening_member:1").json()["opened"] is False
    opened = p.hand_in("opening_member:2")
    assert opened.json()["opened"] is True, opened.text
    record = opened.json()["record"]
    assert {x["bid_id"] for x in record["bids"]} == {ra.json()["bid_id"], rb.json()["bid_id"]}
    assert all(x["readable"] and x["signature_valid"] for x in record["bids"])

    ids = {"a": ra.json()["bid_id"], "b": rb.json()["bid_id"]}
    points = {"LOT-2": {ids["a"]: {"quality": "9"}, ids["b"]: {"quality": "5"}}}
    ev = api.post(f"/v1/tenders/{p.id}/evaluation", json={"points": points}, headers=buyer)
    assert ev.status_code == 200, ev.text
    assert api.post(f"/v1/tenders/{p.id}/award-proposal", headers=buyer).status_code == 200
    assert api.post(f"/v1/tenders/{p.id}/standstill", headers=buyer).status_code == 200
    clock.advance(days=12)
    awarded = api.post(f"/v1/tenders/{p.id}/award", headers=buyer)
    assert awarded.status_code == 200, awarded.text
    contracts = {k["lot_id"]: k for k in awarded.json()}
    assert contracts["LOT-1"]["supplier_cvr"] == b.org.cvr
    assert contracts["LOT-2"]["supplier_cvr"] == a.org.cvr
    assert Decimal(contracts["LOT-1"]["value"]) == Decimal("380000.00")
    assert api.get(f"/v1/tenders/{p.id}", headers=buyer).json()["status"] == "awarded"

    with gw.db.transaction() as s:
        total, breaks = verify_chains(s)
    assert breaks == [] and total > 0


def test_restricted_tender_states_its_numbers_of_candidates(
    api: TestClient, clock: Clock, new_org: MakeOrg
) -> None:
    buyer = new_org("buyer", name="Region Testhavn").headers("buyer")
    for over, problem in (
        ({"min_candidates": 4}, "at least 5"),
        ({"min_candidates": 6, "max_candidates": 5}, "max_candidates"),
        ({"timeline": tender_body(clock)["timeline"]}, "request_deadline"),
    ):
        r = api.post("/v1/tenders", json=restricted_body(clock, **over), headers=buyer)
        assert r.status_code == 422 and problem in r.text, r.text
    open_with_requests = restricted_body(clock, procedure="open")
    assert api.post("/v1/tenders", json=open_with_requests, headers=buyer).status_code == 422
    r = api.post(
        "/v1/tenders",
        json=restricted_body(clock, min_candidates=6, max_candidates=8),
        headers=buyer,
    )
    assert r.status_code == 201, r.text
    assert (r.json()["min_candidates"], r.json()["max_candidates"]) == (6, 8)


def test_an_open_tender_takes_no_requests_to_participate(
    api: TestClient, clock: Clock, new_org: MakeOrg
) -> None:
    p = publish(api, clock, new_org)
    supplier = bidder(api, new_org, "Alfa A/S")
    r = request(api, p.tender, supplier)
    assert r.status_code == 409 and "open procedure" in r.json()["detail"]
