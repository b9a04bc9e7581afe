"""The invoicing story: order → order response → invoice → AS4 → matched → invoice response → paid.

It continues from the tendering story's signed contract (``ctx.data["contract"]``);
told alone, the supplier invoices from its own lines and the buyer approves by hand.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from gateway.demo import DemoContext, DemoOrg, StepFailed

__all__ = ["TITLE", "story"]

TITLE = "Ordering and invoicing over Peppol: order → invoice → AS4 → matched → paid"


def _status(
    ctx: DemoContext, org: DemoOrg, role: str, path: str, *wanted: str, what: str
) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        cur: dict[str, Any] = ctx.expect(ctx.http.get(path, headers=org.headers(role)), 200)
        return cur if cur["status"] in wanted else None

    result: dict[str, Any] = ctx.wait_for(what, probe, timeout=90)
    return result


def _find(
    ctx: DemoContext, org: DemoOrg, role: str, path: str, number: str, what: str
) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        items = ctx.expect(ctx.http.get(path, headers=org.headers(role)), 200)["items"]
        found = next(
            (i for i in items if i["number"] == number and i["status"] != "received"), None
        )
        if found is None and "orders" in path:
            found = next((i for i in items if i["number"] == number), None)
        return found

    result: dict[str, Any] = ctx.wait_for(what, probe, timeout=90)
    return result


def _parties(ctx: DemoContext) -> tuple[DemoOrg, DemoOrg, dict[str, Any] | None]:
    contract = ctx.data.get("contract")
    if contract:
        return contract["buyer"], contract["supplier"], contract
    buyer = ctx.new_org("Demo Region", "buyer", "auditor")
    supplier = ctx.new_org("Demo Kontorartikler ApS", "supplier", "auditor")
    return buyer, supplier, None


def story(ctx: DemoContext) -> None:
    http = ctx.http
    buyer, supplier, contract = _parties(ctx)
    order: dict[str, Any] | None = None
    copy: dict[str, Any] | None = None
    if contract is not None:
        with ctx.step("The buyer orders against the signed contract (Peppol BIS Ordering 3)"):
            line = contract["lines"][0]
            order = ctx.expect(
                http.post(
                    "/v1/orders",
                    json={
                        "contract_id": contract["contract_id"],
                        "quantities": {line["line_id"]: "2"},
                    },
                    headers=buyer.headers("buyer"),
                ),
                201,
            )
            ctx.say(
                f"order {order['number']}: 2 × {line['item']} at {line['unit_price']} "
                f"{contract['currency']} = {order['total']} to {order['counterparty']}"
            )
            sent = _status(
                ctx,
                buyer,
                "buyer",
                f"/v1/submissions/{order['submission_id']}",
                "acknowledged",
                "invalid",
                "rejected",
                "dead",
                what="the order's AS4 receipt",
            )
            if sent["status"] != "acknowledged":
                raise StepFailed(f"the order ended {sent['status']}: {sent['last_error']}")
            ctx.say(f"validated ({sent['plan']}), SMP lookup, AS4 push, signed receipt kept")
        with ctx.step("The supplier receives the order and accepts it (Order Response)"):
            copy = _find(
                ctx,
                supplier,
                "supplier",
                "/v1/orders?side=supplier",
                order["number"],
                "the order at the supplier's side",
            )
            ctx.expect(
                http.post(
                    f"/v1/orders/{copy['id']}/response",
                    json={"decision": "accept", "note": "Leveres inden for 5 hverdage"},
                    headers=supplier.headers("supplier"),
                ),
                200,
            )
            answered = _status(
                ctx,
                buyer,
                "buyer",
                f"/v1/orders/{order['id']}",
                "accepted",
                what="the order response at the buyer",
            )
            ctx.say(f"the buyer sees order {answered['number']} {answered['status']}")
    number = f"F-{uuid.uuid4().hex[:6].upper()}"
    with ctx.step("The supplier invoices (Peppol BIS Billing 3) over AS4"):
        if copy is not None and contract is not None:
            body: dict[str, Any] = {"number": number, "order_id": copy["id"]}
            terms = ctx.expect(
                http.get(
                    f"/v1/contracts/{contract['contract_id']}", headers=supplier.headers("supplier")
                ),
                200,
            )
            starts = terms["starts_at"][:10]
            if starts > datetime.now(UTC).date().isoformat():
                # The tendering story moved its clock past the standstill: date the invoice
                # within the contract period, as a real supplier would by then.
                body["issue_date"] = starts
                ctx.say(f"dated {starts}, the first day of the contract")
        else:
            body = {
                "number": number,
                "buyer": f"0184:{buyer.cvr}",
                "lines": [
                    {
                        "item_name": "Kopipapir A4",
                        "quantity": "20",
                        "unit_code": "EA",
                        "unit_price": "42.50",
                    }
                ],
            }
        issued = ctx.expect(
            http.post("/v1/invoices", json=body, headers=supplier.headers("supplier")), 201
        )
        ctx.say(
            f"invoice {issued['number']}: {issued['payable_amount']} {issued['currency']} "
            f"incl. VAT, as {issued['syntax']}, to {issued['counterparty']}"
        )
    with ctx.step("The buyer's access point validates and matches it"):
        got = _find(
            ctx,
            buyer,
            "buyer",
            "/v1/invoices?side=received",
            number,
            "the invoice matched at the buyer",
        )
        ctx.say(f"status {got['status']}; reasons: {[r['code'] for r in got['reasons'] or []]}")
        if got["status"] == "needs_review":
            ctx.say("routed to a person, who reads the reasons and approves (Invoice Response AP)")
            ctx.expect(
                http.post(
                    f"/v1/invoices/{got['id']}/response",
                    json={"status": "AP"},
                    headers=buyer.headers("buyer"),
                ),
                200,
            )
        elif got["status"] != "approved":
            raise StepFailed(f"the invoice was {got['status']}: {got['reasons']}")
        else:
            ctx.say("supplier, order, lines, prices and totals agree: approved, AP sent back")
    with ctx.step("The buyer pays and says so (Invoice Response PD); the supplier sees paid"):
        ctx.expect(
            http.post(
                f"/v1/invoices/{got['id']}/response",
                json={"status": "PD", "note": "Betalt"},
                headers=buyer.headers("buyer"),
            ),
            200,
        )
        final = _status(
            ctx,
            supplier,
            "supplier",
            f"/v1/invoices/{issued['id']}",
            "paid",
            what="the invoice response at the supplier",
        )
        ctx.say(
            f"invoice {final['number']} at the supplier: {final['status']} "
            f"(response {final['response_code']}, delivery {final['delivery_status']})"
        )
