"""Annex IV of Directive 2014/24/EU: the requirements on tools for electronic receipt of tenders.

One test per point (a)–(g), each run against the API and the database the
way an outsider, a competitor or a database administrator would try it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from gateway.audit.models import AuditEntry
from gateway.audit.service import verify_chains
from gateway.bootstrap import Container
from schemas.xmlsafe import parse
from tendering import opening, sealing, shamir, share_delivery
from tendering.errors import InvalidShare, NotEnoughShares
from tests.tendering.conftest import Clock
from tests.tendering.flow import Bidder, MakeOrg, Published, bidder, content, publish, submit

CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
MARKER = "SECRET-PRICE-MARKER"


@pytest.fixture
def open_tender(
    api: TestClient, clock: Clock, new_org: MakeOrg
) -> Iterator[tuple[Published, Bidder, Bidder]]:
    p = publish(api, clock, new_org)
    a = bidder(api, new_org, "Alfa A/S")
    b = bidder(api, new_org, "Beta ApS")
    yield p, a, b


def _refusals(gw: Container, organisation_id: str) -> list[AuditEntry]:
    with gw.db.transaction() as s:
        return list(
            s.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.chain == organisation_id, AuditEntry.action == "tendering.refused"
                )
                .order_by(AuditEntry.seq)
            )
        )


def test_a_the_exact_time_of_receipt_is_recorded_and_decides(
    open_tender: tuple[Published, Bidder, Bidder], clock: Clock, gw: Container
) -> None:
    p, a, b = open_tender
    deadline = datetime.fromisoformat(p.tender["timeline"]["deadline"])
    clock.set(deadline - timedelta(microseconds=1))
    r = submit(p, a, content({"LOT-1": "1000.00"}))
    assert r.status_code == 201, r.text
    assert datetime.fromisoformat(r.json()["received_at"]) == deadline - timedelta(microseconds=1)
    root = parse(r.json()["receipt_xml"].encode()).getroot()
    assert (
        root.findtext(f"{CBC}RegisteredTime")
        == (deadline - timedelta(microseconds=1)).time().isoformat("microseconds") + "Z"
    )
    clock.set(deadline)
    late = submit(p, b, content({"LOT-1": "900.00"}))
    assert late.status_code == 409
    with gw.db.transaction() as s:
        received = s.scalars(
            select(AuditEntry).where(
                AuditEntry.chain == p.buyer.organisation_id,
                AuditEntry.action == "tendering.bid.received",
            )
        ).all()
    assert [e.data["received_at"] for e in received] == [
        (deadline - timedelta(microseconds=1)).isoformat()
    ]


def test_b_nobody_can_read_a_bid_before_the_deadline_not_even_a_database_administrator(
    open_tender: tuple[Published, Bidder, Bidder], gw: Container, api: TestClient
) -> None:
    p, a, _ = open_tender
    doc = content({"LOT-1": "123456.78"})
    doc["espd_response"] = {"note": MARKER}
    r = submit(p, a, doc)
    assert r.status_code == 201
    digest = r.json()["envelope_sha256"]

    # Everything a DBA can read: every row of every table, and the blob folder.
    with gw.db.engine.connect() as conn:
        tables = [t for t in gw.db.engine.dialect.get_table_names(conn)]
        dump = "\n".join(
            repr(tuple(row)) for t in tables for row in conn.execute(text(f'SELECT * FROM "{t}"'))
        )
    blobs = b"".join(
        f.read_bytes() for f in Path(gw.settings.effective_blob_dir).rglob("*") if f.is_file()
    )
    assert MARKER not in dump and MARKER.encode() not in blobs
    assert "123456.78" not in dump

    # The envelope is in the blob store; the only key material in the database is the
    # sealed shares, which open only with the members' own keys (never given to us).
    envelope = gw.blobs.get(digest)
    with gw.db.engine.connect() as conn:
        sealed = [
            row[0]
            for row in conn.execute(
                text("SELECT sealed_share FROM tender_opening_members WHERE tender_id = :t"),
                {"t": p.id},
            )
        ]
        handed = conn.execute(
            text("SELECT count(*) FROM tender_opening_shares WHERE tender_id = :t"), {"t": p.id}
        ).scalar()
    assert len(sealed) == 3 and handed == 0
    for s in sealed:
        with pytest.raises(InvalidShare):
            share_delivery.open_share(s, share_delivery.new_member_key())

    # k - 1 = 1 share cannot open it, neither directly nor through the API.
    one = shamir.Share.from_text(p.share_of("opening_member:1"))
    with pytest.raises(NotEnoughShares):
        sealing.rebuild_key([one], tender_id=p.id)
    key = sealing.load_supplier_public_key(sealing.supplier_public_key_pem(a.key))
    with pytest.raises(NotEnoughShares):
        opening.open_tender(
            [opening.SubmittedEnvelope(r.json()["bid_id"], a.org.cvr, envelope, key)],
            shares=[one],
            tender_id=p.id,
            deadline=datetime.fromisoformat(p.tender["timeline"]["deadline"]),
            now=datetime.fromisoformat(p.tender["timeline"]["deadline"]) + timedelta(days=1),
        )
    p.past_deadline()
    assert p.hand_in("opening_member:2").json()["opened"] is False
    refused = api.post(f"/v1/tenders/{p.id}/open", headers=p.buyer.headers("buyer"))
    assert refused.status_code == 400 and "1 of the 2" in refused.json()["detail"]
    bids = api.get(f"/v1/tenders/{p.id}/bids", headers=p.buyer.headers("buyer"))
    assert bids.status_code == 404  # still sealed


def test_c_only_the_buyer_can_set_or_change_the_opening_date(
    open_tender: tuple[Published, Bidder, Bidder], api: TestClient, new_org: MakeOrg, clock: Clock
) -> None:
    p, a, _ = open_tender
    later = (
        datetime.fromisoformat(p.tender["timeline"]["deadline"]) + timedelta(days=20)
    ).isoformat()
    change = {"summary": "Længere frist", "material": False, "proposed_deadline": later}
    other_buyer = new_org("buyer", name="Anden Region")
    assert (
        api.post(f"/v1/tenders/{p.id}/corrigenda", json=change, headers=a.headers()).status_code
        == 403
    )
    assert (
        api.post(
            f"/v1/tenders/{p.id}/corrigenda",
            json=change,
            headers=p.buyer.headers("opening_member:1"),
        ).status_code
        == 403
    )
    assert (
        api.post(
            f"/v1/tenders/{p.id}/corrigenda", json=change, headers=p.buyer.headers("auditor")
        ).status_code
        == 403
    )
    assert (
        api.post(
            f"/v1/tenders/{p.id}/corrigenda", json=change, headers=other_buyer.headers("buyer")
        ).status_code
        == 404
    )
    patch = api.patch(
        f"/v1/tenders/{p.id}",
        json={"timeline": {"deadline": later}},
        headers=p.buyer.headers("buyer"),
    )
    assert patch.status_code == 409  # a published tender changes only by corrigendum
    shown = api.get(f"/v1/public/tenders/{p.id}").json()
    assert shown["timeline"]["deadline"] == p.tender["timeline"]["deadline"]
    ok = api.post(f"/v1/tenders/{p.id}/corrigenda", json=change, headers=p.buyer.headers("buyer"))
    assert ok.status_code == 201, ok.text
    assert datetime.fromisoformat(
        api.get(f"/v1/public/tenders/{p.id}").json()["timeline"]["deadline"]
    ) == datetime.fromisoformat(later)
    clock.set(datetime.fromisoformat(later))
    after = api.post(
        f"/v1/tenders/{p.id}/corrigenda",
        json=change | {"proposed_deadline": None},
        headers=p.buyer.headers("buyer"),
    )
    assert after.status_code == 409


def test_d_a_supplier_cannot_see_another_suppliers_bid_not_even_that_it_exists(
    open_tender: tuple[Published, Bidder, Bidder], api: TestClient
) -> None:
    p, a, b = open_tender
    rb = submit(p, b, content({"LOT-1": "5000.00"}))
    assert rb.status_code == 201
    b_bid = rb.json()["bid_id"]
    missing = str(uuid.uuid4())
    for path in ("/v1/bids/{}", "/v1/bids/{}/receipt"):
        seen = api.get(path.format(b_bid), headers=a.headers())
        absent = api.get(path.format(missing), headers=a.headers())
        assert seen.status_code == absent.status_code == 404
        assert seen.json()["detail"].replace(b_bid, "X") == absent.json()["detail"].replace(
            missing, "X"
        )
    assert api.post(f"/v1/bids/{b_bid}/withdraw", headers=a.headers()).status_code == 404
    assert api.get(f"/v1/tenders/{p.id}/my-bids", headers=a.headers()).json() == []
    # Not the buyer either, before the opening: not even who has bid.
    assert api.get(f"/v1/tenders/{p.id}/bids", headers=p.buyer.headers("buyer")).status_code == 404
    public = api.get(f"/v1/public/tenders/{p.id}").text + api.get("/v1/public/ocds/releases").text
    assert b.org.cvr not in public and b_bid not in public
    assert b_bid in api.get(f"/v1/tenders/{p.id}/my-bids", headers=b.headers()).text


def test_e_only_committee_members_give_access_and_only_after_the_deadline(
    open_tender: tuple[Published, Bidder, Bidder], api: TestClient, gw: Container, new_org: MakeOrg
) -> None:
    p, a, _ = open_tender
    assert submit(p, a, content({"LOT-1": "5000.00"})).status_code == 201
    share = p.share_of("opening_member:1")
    early = p.hand_in("opening_member:1", share)
    assert early.status_code == 409 and early.json()["type"].endswith("shares-before-deadline")
    p.past_deadline()
    as_buyer = api.post(
        f"/v1/tenders/{p.id}/shares", json={"share": share}, headers=p.buyer.headers("buyer")
    )
    as_supplier = api.post(f"/v1/tenders/{p.id}/shares", json={"share": share}, headers=a.headers())
    assert as_buyer.status_code == as_supplier.status_code == 403
    outsider = new_org("opening_member", name="Fremmed")
    assert (
        api.post(
            f"/v1/tenders/{p.id}/shares",
            json={"share": share},
            headers=outsider.headers("opening_member"),
        ).status_code
        == 404
    )
    # Member 2 cannot hand in member 1's share as its own.
    stolen = p.hand_in("opening_member:2", share)
    assert stolen.status_code == 400
    assert p.hand_in("opening_member:1", share).json()["opened"] is False
    assert p.hand_in("opening_member:2").json()["opened"] is True
    with gw.db.engine.connect() as conn:
        left = conn.execute(
            text("SELECT share_text FROM tender_opening_shares WHERE tender_id = :t"), {"t": p.id}
        ).all()
    assert [row[0] for row in left] == [None, None]  # spent shares are erased


def test_f_opened_bids_stay_visible_only_to_the_authorised(
    open_tender: tuple[Published, Bidder, Bidder], api: TestClient, new_org: MakeOrg
) -> None:
    p, a, b = open_tender
    ra = submit(p, a, content({"LOT-1": "5000.00"}))
    rb = submit(p, b, content({"LOT-1": "4000.00"}))
    p.past_deadline()
    p.hand_in("opening_member:1")
    assert p.hand_in("opening_member:3").json()["opened"] is True
    bids = api.get(f"/v1/tenders/{p.id}/bids", headers=p.buyer.headers("buyer"))
    assert bids.status_code == 200
    assert {x["content"]["lots"]["LOT-1"]["price"] for x in bids.json()} == {"5000.00", "4000.00"}
    assert (
        api.get(f"/v1/tenders/{p.id}/bids", headers=p.buyer.headers("auditor")).status_code == 200
    )
    assert (
        api.get(f"/v1/tenders/{p.id}/bids", headers=p.buyer.headers("opening_member:1")).status_code
        == 403
    )
    assert api.get(f"/v1/tenders/{p.id}/bids", headers=a.headers()).status_code == 403
    other = new_org("buyer", name="Anden Region")
    assert api.get(f"/v1/tenders/{p.id}/bids", headers=other.headers("buyer")).status_code == 404
    assert api.get(f"/v1/bids/{rb.json()['bid_id']}", headers=a.headers()).status_code == 404
    own = api.get(f"/v1/bids/{ra.json()['bid_id']}", headers=a.headers())
    assert own.status_code == 200
    public = api.get(f"/v1/public/tenders/{p.id}").text + api.get("/v1/public/ocds/releases").text
    assert "4000.00" not in public


def test_g_every_refused_attempt_is_in_the_audit_log_and_tampering_is_detected(
    open_tender: tuple[Published, Bidder, Bidder], api: TestClient, gw: Container, new_org: MakeOrg
) -> None:
    p, a, b = open_tender
    b_bid = submit(p, b, content({"LOT-1": "4000.00"})).json()["bid_id"]
    assert api.get(f"/v1/bids/{b_bid}", headers=a.headers()).status_code == 404  # (d)
    assert p.hand_in("opening_member:1").status_code == 409  # (e) before the deadline
    assert (
        api.post(
            f"/v1/tenders/{p.id}/corrigenda",
            json={"summary": "x", "material": False},
            headers=a.headers(),
        ).status_code
        == 403
    )  # (c)
    p.past_deadline()
    assert submit(p, a, content({"LOT-1": "1.00"})).status_code == 409  # late
    assert (
        api.post(
            f"/v1/tenders/{p.id}/shares",
            json={"share": p.share_of("opening_member:2")},
            headers=b.headers(),
        ).status_code
        == 403
    )  # (e)

    buyer_log = _refusals(gw, p.buyer.organisation_id)
    reasons = {(e.data["problem"], e.data["organisation"]) for e in buyer_log}
    assert ("NotFound", a.org.organisation_id) in reasons
    assert ("SharesBeforeDeadline", p.buyer.organisation_id) in reasons
    assert ("RoleRequired", a.org.organisation_id) in reasons
    assert ("DeadlinePassed", a.org.organisation_id) in reasons
    assert ("RoleRequired", b.org.organisation_id) in reasons
    assert {e.data["problem"] for e in _refusals(gw, a.org.organisation_id)} >= {
        "NotFound",
        "RoleRequired",
        "DeadlinePassed",
    }
    audit = api.get("/v1/audit", headers=p.buyer.headers("auditor")).json()["items"]
    assert any(e["action"] == "tendering.refused" for e in audit)

    with gw.db.transaction() as s:
        _, breaks = verify_chains(s)
    assert [x for x in breaks if x.chain == p.buyer.organisation_id] == []
    # An administrator quietly removes the late-bid refusal's reason: the chain shows it.
    target = next(e for e in buyer_log if e.data["problem"] == "DeadlinePassed")
    original = dict(target.data)
    try:
        with gw.db.transaction() as s:
            s.execute(
                update(AuditEntry)
                .where(AuditEntry.id == target.id)
                .values(data=original | {"reason": "nothing happened"})
            )
        with gw.db.transaction() as s:
            _, breaks = verify_chains(s)
        mine = [x for x in breaks if x.chain == p.buyer.organisation_id]
        assert len(mine) == 1 and mine[0].seq == target.seq
    finally:
        with gw.db.transaction() as s:
            s.execute(update(AuditEntry).where(AuditEntry.id == target.id).values(data=original))
    with gw.db.transaction() as s:
        _, breaks = verify_chains(s)
    assert [x for x in breaks if x.chain == p.buyer.organisation_id] == []
