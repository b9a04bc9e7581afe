"""The invoicing API: roles, other organisations' objects, the receiver's syntax setting."""

from __future__ import annotations

import uuid
from typing import Any

from tests.invoicing.test_service_flow import Org, Peppol, peppol

__all__ = ["peppol"]  # the module fixture, shared with the flow tests


def _lines(buyer: Org, number: str) -> dict[str, Any]:
    return {
        "number": number,
        "buyer": buyer.participant,
        "lines": [
            {"item_name": "Kaffe", "quantity": "3", "unit_code": "KGM", "unit_price": "120.00"}
        ],
    }


def test_roles_guard_each_side(peppol: Peppol) -> None:
    api = peppol.api
    buyer, supplier = peppol.org("buyer"), peppol.org("supplier")
    r = api.post(
        "/v1/orders",
        json={"contract_id": "x", "quantities": {"1": "1"}},
        headers=supplier.headers("supplier"),
    )
    assert r.status_code == 403
    r = api.post("/v1/invoices", json=_lines(supplier, "INV-1"), headers=buyer.headers("buyer"))
    assert r.status_code == 403
    r = api.post(
        "/v1/invoices/whatever/response",
        json={"status": "PD"},
        headers=supplier.headers("supplier"),
    )
    assert r.status_code == 403


def test_another_organisations_invoice_is_not_found(peppol: Peppol) -> None:
    api = peppol.api
    buyer, supplier, other = peppol.org("buyer"), peppol.org("supplier"), peppol.org("supplier")
    number = f"INV-{uuid.uuid4().hex[:6]}"
    r = api.post("/v1/invoices", json=_lines(buyer, number), headers=supplier.headers("supplier"))
    assert r.status_code == 201, r.text
    mine = r.json()
    assert (
        api.get(f"/v1/invoices/{mine['id']}", headers=supplier.headers("supplier")).status_code
        == 200
    )
    assert (
        api.get(f"/v1/invoices/{mine['id']}", headers=other.headers("supplier")).status_code == 404
    )
    listed = api.get("/v1/invoices", headers=other.headers("supplier")).json()
    assert listed["total"] == 0
    # The same number twice from the supplier's own builder is refused before sending.
    again = api.post(
        "/v1/invoices", json=_lines(buyer, number), headers=supplier.headers("supplier")
    )
    assert again.status_code == 409
    peppol.settle()
    inbox = api.get("/v1/invoices?side=received", headers=buyer.headers("buyer")).json()
    (got,) = inbox["items"]
    # No order: a person looks at it; the buyer may answer, another buyer may not.
    assert got["status"] == "needs_review"
    assert {r["code"] for r in got["reasons"]} == {"missing_order_reference"}
    stranger = peppol.org("buyer")
    r = api.post(
        f"/v1/invoices/{got['id']}/response",
        json={"status": "AP"},
        headers=stranger.headers("buyer"),
    )
    assert r.status_code == 404
    r = api.post(
        f"/v1/invoices/{got['id']}/response", json={"status": "UQ"}, headers=buyer.headers("buyer")
    )
    assert r.status_code == 200 and r.json()["status"] == "under_query"


def test_a_receiver_that_asks_for_oioubl_gets_oioubl(peppol: Peppol) -> None:
    api = peppol.api
    buyer, supplier = peppol.org("buyer", "admin"), peppol.org("supplier")
    r = api.put(
        "/v1/invoicing/profile", json={"invoice_syntax": "oioubl"}, headers=buyer.headers("admin")
    )
    assert r.status_code == 200 and r.json()["invoice_syntax"] == "oioubl"
    number = f"INV-{uuid.uuid4().hex[:6]}"
    r = api.post("/v1/invoices", json=_lines(buyer, number), headers=supplier.headers("supplier"))
    assert r.status_code == 201, r.text
    issued = r.json()
    assert issued["syntax"] == "oioubl"
    peppol.settle()
    sent = peppol.submission(issued["submission_id"])
    assert sent.status == "acknowledged", sent.last_error
    assert sent.plan and sent.plan.startswith("oioubl")
    inbox = api.get("/v1/invoices?side=received", headers=buyer.headers("buyer")).json()
    (got,) = inbox["items"]
    assert got["syntax"] == "oioubl" and got["number"] == number
    assert got["payable_amount"] == "450.00"
    document = api.get(f"/v1/invoices/{got['id']}/document", headers=buyer.headers("buyer"))
    assert b"OIOUBL-2.1" in document.content
