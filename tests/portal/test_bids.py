"""Supplier pages over HTTP: key, bid, receipt, withdrawal; roles, CSRF, another org's bid."""

from __future__ import annotations

import uuid

import httpx

from tendering import sealing
from tests.portal.conftest import login


def _csrf(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def _supplier(portal, person, name: str):
    who = person(name, roles=("supplier",))
    client = portal.client()
    login(client, who)
    key = sealing.new_supplier_key()
    token = _csrf(client, "/supplier/key")
    r = client.post(
        "/supplier/key",
        data={"csrf_token": token, "public_key_pem": sealing.supplier_public_key_pem(key).decode()},
    )
    assert r.status_code == 303, r.text
    return who, client, key


def _envelope(published, who, key) -> tuple[str, str]:
    bid_id = str(uuid.uuid4())
    sealed = sealing.seal_bid(
        b'{"lots": {"LOT-1": {"price": "1000.00"}}}',
        tender_id=published.id,
        supplier_id=who.cvr,
        bid_id=bid_id,
        tender_public_key=published.public_key,
        signing_key=key,
    )
    return bid_id, sealed.to_bytes().decode()


def test_a_bid_posted_through_the_portal_is_receipted_and_can_be_withdrawn(
    portal, person, publish_tender
) -> None:
    published = publish_tender()
    anna, client, key = _supplier(portal, person, "Anna Leverandør")
    token = _csrf(client, f"/tenders/{published.id}/bid")
    bid_id, envelope = _envelope(published, anna, key)
    sent = client.post(
        f"/tenders/{published.id}/bid",
        data={"csrf_token": token, "envelope": envelope, "lot_ids": ["LOT-1"]},
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/bids/{bid_id}"
    receipt = client.get(f"/bids/{bid_id}", headers={"accept-language": "en"})
    assert receipt.status_code == 200 and "Withdraw this bid" in receipt.text
    xml = client.get(f"/bids/{bid_id}/receipt.xml")
    assert b"TenderReceipt" in xml.content
    assert xml.headers["content-disposition"].startswith("attachment")
    token = _csrf(client, f"/bids/{bid_id}")
    out = client.post(f"/bids/{bid_id}/withdraw", data={"csrf_token": token})
    assert out.status_code == 303
    after = client.get(f"/bids/{bid_id}", headers={"accept-language": "en"}).text
    assert "withdrawn" in after and "Withdraw this bid" not in after


def test_another_organisations_bid_is_not_found(portal, person, publish_tender) -> None:
    published = publish_tender()
    anna, anna_client, key = _supplier(portal, person, "Anna A")
    _, other, _ = _supplier(portal, person, "Bo B")
    token = _csrf(anna_client, f"/tenders/{published.id}/bid")
    bid_id, envelope = _envelope(published, anna, key)
    r = anna_client.post(
        f"/tenders/{published.id}/bid",
        data={"csrf_token": token, "envelope": envelope, "lot_ids": ["LOT-1"]},
    )
    assert r.status_code == 303
    assert other.get(f"/bids/{bid_id}").status_code == 404
    assert other.get(f"/bids/{bid_id}/receipt.xml").status_code == 404
    token = _csrf(other, "/")
    assert other.post(f"/bids/{bid_id}/withdraw", data={"csrf_token": token}).status_code == 404
    assert "submitted" in anna_client.get(f"/bids/{bid_id}", headers={"accept-language": "en"}).text


def test_bidding_needs_login_the_supplier_role_and_the_csrf_token(
    portal, person, publish_tender
) -> None:
    published = publish_tender()
    with portal.client() as anonymous:
        r = anonymous.get(f"/tenders/{published.id}/bid")
        assert r.status_code == 303
        assert r.headers["location"] == f"/login?next=/tenders/{published.id}/bid"
    buyer = person("Bent Indkøber", roles=("buyer",))
    with portal.client() as c:
        login(c, buyer)
        assert c.get(f"/tenders/{published.id}/bid").status_code == 403
    anna, client, key = _supplier(portal, person, "Anna C")
    _, envelope = _envelope(published, anna, key)
    forged = client.post(
        f"/tenders/{published.id}/bid", data={"envelope": envelope, "lot_ids": ["LOT-1"]}
    )
    assert forged.status_code == 403
    assert "my-bids" not in forged.text


def test_a_supplier_asks_and_the_officer_answers_publicly(portal, person, publish_tender) -> None:
    published = publish_tender()
    _, client, _ = _supplier(portal, person, "Anna Spørger")
    token = _csrf(client, f"/tenders/{published.id}")
    empty = client.post(f"/tenders/{published.id}/questions", data={"csrf_token": token})
    assert empty.status_code == 400 and 'href="#question"' in empty.text
    asked = client.post(
        f"/tenders/{published.id}/questions",
        data={"csrf_token": token, "question": "Må vi byde på begge delkontrakter?"},
    )
    assert asked.status_code == 303
    officer = person("Otto Officer", roles=("buyer",), cvr=published.buyer.cvr)
    with portal.client() as c:
        login(c, officer)
        page = c.get(f"/officer/tenders/{published.id}").text
        assert "Må vi byde på begge delkontrakter?" in page
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        qid = page.split(f"/officer/tenders/{published.id}/questions/")[1].split('"')[0]
        r = c.post(
            f"/officer/tenders/{published.id}/questions/{qid}",
            data={"csrf_token": token, "answer": "Ja, på begge."},
        )
        assert r.status_code == 303
    with portal.client() as public:
        shown = public.get(f"/tenders/{published.id}").text
    assert "Ja, på begge." in shown and "Anna Spørger" not in shown
