"""One reference both sides quote: an order or an invoice is found by its number on either side."""

from __future__ import annotations

import uuid

from tests.invoicing.test_service_flow import (
    Deal,
    Peppol,
    _invoice,
    _ok,
    _order,
    deal,
    peppol,
)

__all__ = ["deal", "peppol"]  # the module fixtures, shared with the flow tests


def test_buyer_and_supplier_name_the_same_order_and_invoice_by_number(
    peppol: Peppol, deal: Deal
) -> None:
    order, copy = _order(peppol, deal)
    assert order["id"] != copy["id"] and order["number"] == copy["number"]
    number = order["number"]
    buyer, supplier = deal.buyer.headers("buyer"), deal.supplier.headers("supplier")
    # The supplier answers the order the buyer quoted on the phone, by its number.
    assert _ok(peppol.api.get(f"/v1/orders/{number}", headers=supplier))["id"] == copy["id"]
    _ok(
        peppol.api.post(
            f"/v1/orders/{number}/response", json={"decision": "accept"}, headers=supplier
        )
    )
    peppol.settle()
    seen = _ok(peppol.api.get(f"/v1/orders/{number}", headers=buyer))
    assert (seen["id"], seen["status"]) == (order["id"], "accepted")

    invoice_number = f"INV-{uuid.uuid4().hex[:6]}"
    issued, got = _invoice(peppol, deal, {"number": invoice_number, "order_id": number})
    assert got["order_number"] == issued["order_number"] == number
    by_number = _ok(peppol.api.get(f"/v1/invoices/{invoice_number}", headers=buyer))
    assert by_number["id"] == got["id"] != issued["id"]
    mine = _ok(peppol.api.get(f"/v1/invoices/{invoice_number}", headers=supplier))
    assert mine["id"] == issued["id"]


def test_a_number_another_organisation_uses_is_not_found(peppol: Peppol, deal: Deal) -> None:
    order, _copy = _order(peppol, deal)
    stranger = peppol.org("buyer", name="Fremmed ApS")
    r = peppol.api.get(f"/v1/orders/{order['number']}", headers=stranger.headers("buyer"))
    assert r.status_code == 404 and "number" in r.json()["detail"]
