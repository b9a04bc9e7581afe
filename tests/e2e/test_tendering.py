"""A tender on a real gateway (API server and worker processes).

Suppliers and committee members use ``gateway bid`` / ``gateway tender`` as
they would on their own machines (bids sealed offline, shares unsealed
locally); the officer's steps go over HTTP to keep the test short.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from gateway.celery_app import celery_app
from tendering import sealing, share_delivery
from tests.e2e.conftest import Stack
from tests.support.clock import advance, clock_now
from tests.support.live import wait_until

MEMBERS = 3


def _key(stack: Stack, cvr: str, role: str) -> str:
    code, out, err = stack.cli("key", "create", "--org", cvr, "--role", role)
    assert code == 0, err
    return out.strip()


def _tender(deadline: datetime) -> dict[str, object]:
    price = [
        {"id": "price", "name": "Pris", "kind": "price", "weight": "100", "method": "proportional"}
    ]
    return {
        "reference": f"E2E-{int(time.time())}",
        "title": "Vintertjeneste",
        "description": "Snerydning og glatførebekæmpelse",
        "contract_nature": "services",
        "cpv_code": "90620000",
        "lots": [
            {"lot_id": "LOT-1", "title": "Nord", "award_method": "lowest_price", "criteria": price},
            {"lot_id": "LOT-2", "title": "Syd", "award_method": "lowest_price", "criteria": price},
        ],
        "timeline": {"deadline": deadline.isoformat()},
        "opening_threshold": 2,
        "opening_holders": MEMBERS,
    }


def test_a_tender_runs_on_a_real_gateway_with_offline_sealed_bids(
    stack: Stack, tmp_path: Path
) -> None:
    buyer_cvr, buyer = stack.new_org("buyer")
    members = [_key(stack, buyer_cvr, "opening_member") for _ in range(MEMBERS)]
    api = ["--url", stack.url]
    http = stack.http

    def post(path: str, headers: dict[str, str], body: Any = None, status: int = 200) -> Any:
        r = http.post(stack.url + path, json=body, headers=headers)
        assert r.status_code == status, r.text
        return r.json()

    committee = []
    for i, k in enumerate(members):
        mkey = share_delivery.new_member_key()
        (tmp_path / f"m{i}.key").write_text(share_delivery.member_private_key_text(mkey))
        me = http.get(f"{stack.url}/v1/me", headers={"Authorization": f"Bearer {k}"}).json()
        committee.append(
            {
                "principal_id": me["principal_id"],
                "public_key": share_delivery.member_public_key_text(mkey),
            }
        )

    # Suppliers get their keys ready beforehand: one with the CLI, two with their own tools.
    suppliers = []
    offers = (
        ("a", {"LOT-1": "410000.00", "LOT-2": "300000.00"}),
        ("b", {"LOT-1": "400000.00"}),
        ("c", {"LOT-2": "310000.00"}),
    )
    for name, prices in offers:
        cvr, h = stack.new_org("supplier")
        if name == "a":
            code, pem, err = stack.cli("bid", "keygen", "--out", str(tmp_path / f"{name}.key"))
            assert code == 0, err
        else:
            signing = sealing.new_supplier_key()
            (tmp_path / f"{name}.key").write_bytes(
                sealing.supplier_private_key_pem(signing, password=None)
            )
            pem = sealing.supplier_public_key_pem(signing).decode()
        post("/v1/supplier-keys", h, {"public_key_pem": pem}, 201)
        (tmp_path / f"{name}.json").write_text(
            json.dumps({"lots": {lot: {"price": p} for lot, p in prices.items()}})
        )
        suppliers.append(
            (
                cvr,
                h["Authorization"].removeprefix("Bearer "),
                [x for lot in prices for x in ("--lot", lot)],
                name,
            )
        )

    # A deadline far ahead: however slow the machine, every bid below arrives in time;
    # the test then moves the gateway's clock past it instead of waiting.
    deadline = (clock_now(stack) + timedelta(days=7)).replace(microsecond=0)
    tender_id = post("/v1/tenders", buyer, _tender(deadline), 201)["id"]
    r = http.put(
        f"{stack.url}/v1/tenders/{tender_id}/committee", json={"members": committee}, headers=buyer
    )
    assert r.status_code == 200, r.text
    post(f"/v1/tenders/{tender_id}/publish", buyer)

    assert (
        stack.cli("bid", "tender-key", tender_id, "--out", str(tmp_path / "tender.pub"), *api)[0]
        == 0
    )
    for cvr, key, lots, name in suppliers:
        code, out, err = stack.cli(
            "bid",
            "seal",
            "--tender-key",
            str(tmp_path / "tender.pub"),
            "--supplier-key",
            str(tmp_path / f"{name}.key"),
            "--supplier",
            cvr,
            "--in",
            str(tmp_path / f"{name}.json"),
            "--out",
            str(tmp_path / f"{name}.sealed"),
        )
        assert code == 0, err
        code, out, err = stack.cli(
            "bid",
            "submit",
            tender_id,
            "--in",
            str(tmp_path / f"{name}.sealed"),
            *lots,
            "--receipt",
            str(tmp_path / f"{name}.receipt.xml"),
            *api,
            "--key",
            key,
        )
        assert code == 0, err
    receipt = (tmp_path / "a.receipt.xml").read_text()
    assert "TenderReceipt" in receipt and "ds:Signature" in receipt

    assert advance(stack, deadline - clock_now(stack) + timedelta(seconds=1)) > deadline
    if "tendering.tasks" in (celery_app.conf.include or ()):
        # The worker's scheduler closes the tender at the deadline, without anyone asking.
        wait_until(
            lambda: (
                http.get(f"{stack.url}/v1/public/tenders/{tender_id}").json()["status"]
                == "submission_closed"
            ),
            timeout=30,
            what="the scheduler to close submissions",
        )
    cvr, key, lots, name = suppliers[0]
    code, out, err = stack.cli(
        "bid",
        "submit",
        tender_id,
        "--in",
        str(tmp_path / f"{name}.sealed"),
        *lots,
        *api,
        "--key",
        key,
    )
    assert code == 1 and "deadline" in err

    for i in (0, 2):
        code, out, err = stack.cli(
            "tender",
            "open",
            tender_id,
            "--member-key",
            str(tmp_path / f"m{i}.key"),
            *api,
            "--key",
            members[i],
        )
        assert code == 0, err
    assert "opened with 2 shares" in out and out.count(" ok") == 3
    ranking = {
        lot["lot_id"]: lot["ranking"][0]["price"]
        for lot in post(f"/v1/tenders/{tender_id}/evaluation", buyer, {})
    }
    assert ranking == {"LOT-1": "400000.00", "LOT-2": "300000.00"}
    post(f"/v1/tenders/{tender_id}/award-proposal", buyer)
    post(f"/v1/tenders/{tender_id}/standstill", buyer)
    early = http.post(f"{stack.url}/v1/tenders/{tender_id}/award", headers=buyer)
    assert early.status_code == 409 and "standstill" in early.json()["detail"]
    code, out, err = stack.cli("audit", "verify")
    assert code == 0, err
