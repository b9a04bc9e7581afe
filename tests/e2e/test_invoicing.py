"""Ordering and invoicing on a real gateway: API server and worker processes, AS4 on loopback.

The contract comes from the tendering flow, run against the same database with
a clock set back two months (so the contract is in force today); the buyer and
the supplier then use ``gateway order`` and ``gateway invoice``. Every document
goes through the worker's pipeline, the Peppol channel, the sandbox SMP and the
gateway's access point, and the inbound processing task.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.bootstrap import bootstrap
from gateway.settings import Settings
from tests.e2e.conftest import Stack
from tests.invoicing.test_service_flow import Peppol, inbound_kinds, signed_contract
from tests.support.live import wait_until
from tests.tendering.conftest import Clock


def _get(stack: Stack, path: str, headers: dict[str, str]) -> Any:
    r = stack.http.get(stack.url + path, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_contract_to_paid_on_a_real_gateway(
    stack: Stack, database_url: str, artefacts_dir: Path
) -> None:
    settings = Settings(
        data_dir=Path(stack.env["GW_DATA_DIR"]),
        database_url=database_url,
        artefacts_dir=artefacts_dir,
        sandbox_url=stack.sandbox_url,
    )
    clock = Clock()
    clock.advance(days=-60)
    container = bootstrap(settings, clock=clock)
    with TestClient(create_app(container, mount_sandbox=False)) as api:
        peppol = Peppol(container, api, clock, stack.sandbox_url)
        deal = signed_contract(peppol)
    buyer_key = deal.buyer.keys["buyer"]
    supplier_key = deal.supplier.keys["supplier"]
    contract = deal.contract
    assert contract["starts_at"] < (clock.now + timedelta(days=60)).isoformat()
    cli = ["--url", stack.url]

    code, out, err = stack.cli(
        "order",
        "create",
        "--contract",
        contract["contract_id"],
        "--item",
        f"{contract['lines'][0]['line_id']}=10",
        "--key",
        buyer_key,
        "--json",
        *cli,
    )
    assert code == 0, err
    order = json.loads(out)

    def supplier_copy() -> dict[str, Any] | None:
        items = _get(stack, "/v1/orders?side=supplier", deal.supplier.headers("supplier"))["items"]
        return next((o for o in items if o["number"] == order["number"]), None)

    copy = wait_until(supplier_copy, timeout=90, what="the order at the supplier")
    code, out, err = stack.cli(
        "order", "respond", copy["id"], "--decision", "accept", "--key", supplier_key, *cli
    )
    assert code == 0, err
    assert "accepted (AP)" in out
    wait_until(
        lambda: (
            _get(stack, f"/v1/orders/{order['id']}", deal.buyer.headers("buyer"))["status"]
            == "accepted"
        ),
        timeout=90,
        what="the order response at the buyer",
    )

    number = f"E2E-{uuid.uuid4().hex[:6]}"
    code, out, err = stack.cli(
        "invoice",
        "create",
        "--number",
        number,
        "--order",
        copy["id"],
        "--key",
        supplier_key,
        "--json",
        *cli,
    )
    assert code == 0, err
    issued = json.loads(out)

    def buyer_copy() -> dict[str, Any] | None:
        items = _get(stack, "/v1/invoices?side=received", deal.buyer.headers("buyer"))["items"]
        return next((i for i in items if i["number"] == number and i["status"] != "received"), None)

    got = wait_until(buyer_copy, timeout=90, what="the invoice matched at the buyer")
    assert got["status"] == "approved", got["reasons"]
    code, out, err = stack.cli("invoice", "list", "--side", "received", "--key", buyer_key, *cli)
    assert code == 0 and number in out and "approved" in out
    code, out, err = stack.cli(
        "invoice", "respond", got["id"], "--status", "PD", "--key", buyer_key, *cli
    )
    assert code == 0, err
    wait_until(
        lambda: (
            _get(stack, f"/v1/invoices/{issued['id']}", deal.supplier.headers("supplier"))["status"]
            == "paid"
        ),
        timeout=90,
        what="the supplier seeing its invoice paid",
    )
    # Each document arrived once and stays put: nothing is sent on from an inbound copy.
    time.sleep(3)
    assert inbound_kinds(peppol, deal.buyer) == ["invoice", "order_response"]
    assert inbound_kinds(peppol, deal.supplier) == [
        "invoice_response",
        "invoice_response",
        "order",
    ]
    final = _get(stack, f"/v1/invoices/{issued['id']}", deal.supplier.headers("supplier"))
    assert final["delivery_status"] == "acknowledged" and final["response_code"] == "PD"
    receipt = httpx.get(
        f"{stack.url}/v1/submissions/{issued['submission_id']}/receipt",
        headers=deal.supplier.headers("supplier"),
    )
    assert receipt.status_code == 200 and "Receipt" in json.dumps(receipt.json())
