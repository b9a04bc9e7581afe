"""A whole open tender with two lots over the API, from publication to the signed contract."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal

from fastapi.testclient import TestClient

from gateway.audit.service import verify_chains
from gateway.bootstrap import Container
from gateway.signing import SigningIdentity, load_trust_store, sign_detached, verify_ubl
from gateway.signing.keys import KeyPaths
from schemas.xmlsafe import parse
from tendering import service
from tendering.contracts import contract_uri
from tests.tendering.conftest import Clock, Validate
from tests.tendering.flow import MakeOrg, bidder, content, publish, submit

CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


def test_open_tender_with_two_lots_from_notice_to_signed_contract(
    api: TestClient,
    gw: Container,
    clock: Clock,
    new_org: MakeOrg,
    ubl23: Validate,
    ocds_schema: Callable[[bytes, str], list[str]],
    party_identity: Callable[[str], SigningIdentity],
) -> None:
    p = publish(api, clock, new_org)
    assert p.tender["status"] == "published"
    trust = load_trust_store(KeyPaths.under(gw.settings.effective_keys_dir).trust_store)

    # The notices are public and valid: UBL 2.3 ContractNotice, ESPD request, OCDS release.
    notice = api.get(f"/v1/public/tenders/{p.id}/notice")
    assert notice.status_code == 200
    assert ubl23(notice.content, "ContractNotice") == []
    docs = {d["kind"]: d for d in api.get(f"/v1/public/tenders/{p.id}/documents").json()}
    espd = api.get(f"/v1/public/documents/{docs['espd_request']['sha256']}").content
    assert ubl23(espd, "QualificationApplicationRequest") == []
    release = api.get(f"/v1/public/documents/{docs['ocds_release']['sha256']}").content
    assert ocds_schema(release, "release") == []

    # A question, answered to all without naming who asked.
    a, b, c, late = (
        bidder(api, new_org, n) for n in ("Alfa A/S", "Beta ApS", "Gamma I/S", "Sen ApS")
    )
    assert api.post(f"/v1/tenders/{p.id}/interest", headers=a.headers()).status_code == 201
    q = api.post(
        f"/v1/tenders/{p.id}/questions",
        json={"question": "Indgår vinduespudsning?"},
        headers=a.headers(),
    )
    assert q.status_code == 201, q.text
    asked = api.get(f"/v1/tenders/{p.id}/questions", headers=p.buyer.headers("buyer")).json()
    r = api.post(
        f"/v1/tenders/{p.id}/questions/{asked[0]['id']}/answer",
        json={"answer": "Nej, kun indvendig rengøring."},
        headers=p.buyer.headers("buyer"),
    )
    assert r.status_code == 200, r.text
    public = api.get(f"/v1/public/tenders/{p.id}/answers")
    assert public.json()[0]["answer"] == "Nej, kun indvendig rengøring."
    assert a.org.cvr not in public.text and a.org.organisation_id not in public.text

    # Three sealed bids; each gets a signed TenderReceipt naming the hash of what came in.
    ra = submit(p, a, content({"LOT-1": "400000.00", "LOT-2": "700000.00"}))
    assert ra.status_code == 201, ra.text
    receipt = ra.json()
    xml = receipt["receipt_xml"].encode()
    assert ubl23(xml, "TenderReceipt") == []
    assert verify_ubl(xml, trust).valid
    hashes = [h.text for h in parse(xml).getroot().iter(f"{CBC}DocumentHash")]
    assert hashes == [receipt["envelope_sha256"].upper()]
    stored = gw.blobs.get(receipt["envelope_sha256"])
    assert hashlib.sha256(stored).hexdigest() == receipt["envelope_sha256"]

    rb1 = submit(p, b, content({"LOT-1": "390000.00", "LOT-2": "650000.00"}))
    assert rb1.status_code == 201
    rb2 = submit(
        p, b, content({"LOT-1": "380000.00", "LOT-2": "720000.00"}), replaces=rb1.json()["bid_id"]
    )
    assert rb2.status_code == 201, rb2.text
    withdrawn = api.post(f"/v1/bids/{rb2.json()['bid_id']}/withdraw", headers=b.headers())
    assert withdrawn.json()["status"] == "withdrawn"
    rb3 = submit(p, b, content({"LOT-1": "380000.00", "LOT-2": "720000.00"}))
    assert rb3.status_code == 201
    rc = api.post(
        f"/v1/tenders/{p.id}/bids/plain",
        json={"content": content({"LOT-2": "690000.00"})},
        headers=c.headers(),
    )
    assert rc.status_code == 201, rc.text
    mine = api.get(f"/v1/tenders/{p.id}/my-bids", headers=b.headers()).json()
    assert [x["status"] for x in mine] == ["replaced", "withdrawn", "submitted"]

    # The deadline passes; the scheduler's task closes the tender; a late bid is refused.
    p.past_deadline()
    with gw.db.transaction() as s:
        assert p.id in service.close_due_tenders(gw, s)
    shown = api.get(f"/v1/public/tenders/{p.id}").json()
    assert shown["status"] == "submission_closed"
    late_bid = submit(p, late, content({"LOT-1": "100000.00"}))
    assert late_bid.status_code == 409
    assert late_bid.headers["content-type"].startswith("application/problem+json")
    assert "deadline" in late_bid.json()["detail"]

    # Two of the three committee members open the bids.
    first = p.hand_in("opening_member:1")
    assert first.status_code == 200, first.text
    assert first.json()["opened"] is False
    second = p.hand_in("opening_member:3")
    assert second.json()["opened"] is True, second.text
    record = second.json()["record"]
    assert {x["bid_id"] for x in record["bids"]} == {
        ra.json()["bid_id"],
        rb3.json()["bid_id"],
        rc.json()["bid_id"],
    }
    assert all(x["readable"] and x["signature_valid"] for x in record["bids"])

    # Scoring: price by its method, quality by the evaluators' points.
    ids = {"a": ra.json()["bid_id"], "b": rb3.json()["bid_id"], "c": rc.json()["bid_id"]}
    points = {
        "LOT-2": {
            ids["a"]: {"quality": "9"},
            ids["b"]: {"quality": "6"},
            ids["c"]: {"quality": "5"},
        }
    }
    ev = api.post(
        f"/v1/tenders/{p.id}/evaluation", json={"points": points}, headers=p.buyer.headers("buyer")
    )
    assert ev.status_code == 200, ev.text
    ranking = {lot["lot_id"]: [r["bid_id"] for r in lot["ranking"]] for lot in ev.json()}
    assert ranking["LOT-1"] == [ids["b"], ids["a"]]  # lowest price
    assert ranking["LOT-2"][0] == ids["a"]  # quality outweighs a 10 000 difference

    proposal = api.post(f"/v1/tenders/{p.id}/award-proposal", headers=p.buyer.headers("buyer"))
    assert proposal.status_code == 200, proposal.text
    standstill = api.post(f"/v1/tenders/{p.id}/standstill", headers=p.buyer.headers("buyer"))
    assert standstill.status_code == 200, standstill.text
    for bidder_ in (a, b, c):
        notes = api.get("/v1/tender-notifications", headers=bidder_.headers()).json()
        assert notes, bidder_.org.name
        for note in notes:
            xml = api.get(
                f"/v1/tender-notifications/{note['id']}", headers=bidder_.headers()
            ).content
            name = (
                "AwardedNotification"
                if note["kind"] == "awarded_notification"
                else "UnawardedNotification"
            )
            assert ubl23(xml, name) == []
    kinds_c = {n["kind"] for n in api.get("/v1/tender-notifications", headers=c.headers()).json()}
    assert kinds_c == {"unawarded_notification"}

    early = api.post(f"/v1/tenders/{p.id}/award", headers=p.buyer.headers("buyer"))
    assert early.status_code == 409 and "standstill" in early.json()["detail"]
    clock.advance(days=12)
    awarded = api.post(f"/v1/tenders/{p.id}/award", headers=p.buyer.headers("buyer"))
    assert awarded.status_code == 200, awarded.text
    contracts = {k["lot_id"]: k for k in awarded.json()}
    assert contracts["LOT-1"]["supplier_cvr"] == b.org.cvr
    assert contracts["LOT-2"]["supplier_cvr"] == a.org.cvr
    assert Decimal(contracts["LOT-2"]["value"]) == Decimal("700000.00")

    # Both sides sign each contract: the buyer first, the supplier countersigns.
    buyer_id = party_identity("Region Testhavn")
    for lot_id, supplier in (("LOT-1", b), ("LOT-2", a)):
        cid = contracts[lot_id]["contract_id"]
        document = api.get(f"/v1/contracts/{cid}/document", headers=supplier.headers()).content
        early_sign = sign_detached(
            document, party_identity(supplier.org.name), uri=contract_uri(cid)
        )
        refused = api.post(
            f"/v1/contracts/{cid}/signatures",
            json={"signature": early_sign.decode()},
            headers=supplier.headers(),
        )
        assert refused.status_code == 409
        read_before = api.get(f"/v1/contracts/{cid}", headers=supplier.headers()).headers["etag"]
        sig = sign_detached(document, buyer_id, uri=contract_uri(cid), mime_type="application/json")
        r = api.post(
            f"/v1/contracts/{cid}/signatures",
            json={"signature": sig.decode()},
            headers=p.buyer.headers("buyer"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "buyer_signed"
        stale = api.post(  # the supplier countersigns what it read before the buyer signed
            f"/v1/contracts/{cid}/signatures",
            json={"signature": early_sign.decode()},
            headers={**supplier.headers(), "If-Match": read_before},
        )
        assert stale.status_code == 412
        r = api.post(
            f"/v1/contracts/{cid}/signatures",
            json={"signature": early_sign.decode()},
            headers=supplier.headers(),
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "signed"
    final = api.get(f"/v1/tenders/{p.id}", headers=p.buyer.headers("buyer")).json()
    assert final["status"] == "contract_signed"

    # Invoicing reads the contract through the service.
    with gw.db.transaction() as s:
        view = service.get_contract(
            s, organisation_id=a.org.organisation_id, contract_id=contracts["LOT-2"]["contract_id"]
        )
    assert view.supplier_cvr == a.org.cvr and view.buyer_cvr == p.buyer.cvr
    assert view.lines[0].unit == "HUR" and view.lines[0].quantity == Decimal("100")

    # The OCDS feed (tender, award, contract releases) is a valid release package.
    package = api.get(f"/v1/public/ocds/releases?tender_id={p.id}")
    assert ocds_schema(package.content, "package") == []
    tags = [r["tag"][0] for r in package.json()["releases"]]
    assert tags[0] == "tender" and set(tags) == {"tender", "award", "contract"}

    with gw.db.transaction() as s:
        total, breaks = verify_chains(s)
    assert breaks == [] and total > 0
