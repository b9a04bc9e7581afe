"""Steps of a tender over the API, shared by the flow and the Annex IV tests."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from fastapi.testclient import TestClient

from tendering import sealing, share_delivery
from tendering.documents._ubl import PartyRef, cac, cbc, party, root, to_bytes
from tests.tendering.conftest import Clock, Org

MakeOrg = Callable[..., Org]


def lot(lot_id: str, *, quality: bool) -> dict[str, Any]:
    if not quality:
        criteria = [
            {
                "id": "price",
                "name": "Pris",
                "kind": "price",
                "weight": "100",
                "method": "proportional",
            }
        ]
        return {
            "lot_id": lot_id,
            "title": f"Delaftale {lot_id}",
            "award_method": "lowest_price",
            "estimated_value": "500000.00",
            "criteria": criteria,
        }
    criteria = [
        {"id": "price", "name": "Pris", "kind": "price", "weight": "60", "method": "proportional"},
        {
            "id": "quality",
            "name": "Kvalitet",
            "kind": "quality",
            "weight": "40",
            "method": "points",
        },
    ]
    return {
        "lot_id": lot_id,
        "title": f"Delaftale {lot_id}",
        "award_method": "best_price_quality",
        "estimated_value": "800000.00",
        "criteria": criteria,
    }


def tender_body(
    clock: Clock, *, reference: str | None = None, k: int = 2, n: int = 3
) -> dict[str, Any]:
    deadline = (clock.now + timedelta(days=30)).replace(microsecond=0)
    return {
        "reference": reference or f"T-{uuid.uuid4().hex[:8]}",
        "title": "Rengøring af skoler",
        "description": "Rammeaftale om rengøring af kommunens skoler",
        "contract_nature": "services",
        "cpv_code": "90919300",
        "estimated_value": "1300000.00",
        "lots": [lot("LOT-1", quality=False), lot("LOT-2", quality=True)],
        "timeline": {
            "deadline": deadline.isoformat(),
            "questions_deadline": (deadline - timedelta(days=10)).isoformat(),
        },
        "selection_criteria": ["gen-year-to", "service-perform"],
        "opening_threshold": k,
        "opening_holders": n,
    }


def restricted_body(clock: Clock, **over: Any) -> dict[str, Any]:
    body = tender_body(clock)
    deadline = datetime.fromisoformat(body["timeline"]["deadline"])
    body["procedure"] = "restricted"
    body["timeline"]["request_deadline"] = (deadline - timedelta(days=20)).isoformat()
    body.update(over)
    return body


def espd_response(reference: str, supplier: Bidder) -> bytes:
    """A supplier's ESPD response: a minimal UBL 2.3 QualificationApplicationResponse."""
    el = root("QualificationApplicationResponse")
    cbc(el, "UBLVersionID", "2.3")
    cbc(el, "ID", f"ESPD-R-{supplier.org.cvr}")
    cbc(el, "ContractFolderID", reference)
    cbc(el, "IssueDate", datetime.now(UTC).date().isoformat())
    party(cac(el, "ContractingParty"), "Party", PartyRef("29189765", "Region Testhavn"))
    party(cac(el, "EconomicOperatorParty"), "Party", PartyRef(supplier.org.cvr, supplier.org.name))
    response = cac(el, "TenderingCriterionResponse")
    cbc(response, "ID", "response-1")
    cbc(response, "ValidatedCriterionPropertyID", "turnover-1")
    return to_bytes(el)


@dataclass
class Published:
    api: TestClient
    clock: Clock
    buyer: Org
    tender: dict[str, Any]
    member_keys: dict[str, X25519PrivateKey] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.tender["id"])

    @property
    def public_key(self) -> X25519PublicKey:
        return X25519PublicKey.from_public_bytes(base64.b64decode(self.tender["public_key"]))

    def share_of(self, member: str) -> str:
        """The member fetches its sealed share and opens it with its own key."""
        r = self.api.get(
            f"/v1/tenders/{self.id}/committee/share", headers=self.buyer.headers(member)
        )
        assert r.status_code == 200, r.text
        return share_delivery.open_share(r.json()["sealed_share"], self.member_keys[member])

    def hand_in(self, member: str, share: str | None = None) -> Any:
        return self.api.post(
            f"/v1/tenders/{self.id}/shares",
            json={"share": share or self.share_of(member)},
            headers=self.buyer.headers(member),
        )

    def past_deadline(self) -> None:
        deadline = self.tender["timeline"]["deadline"]
        from datetime import datetime

        self.clock.set(datetime.fromisoformat(deadline) + timedelta(seconds=1))


MEMBERS = ("opening_member:1", "opening_member:2", "opening_member:3")


def publish(
    api: TestClient,
    clock: Clock,
    new_org: MakeOrg,
    *,
    k: int = 2,
    n: int = 3,
    body: dict[str, Any] | None = None,
) -> Published:
    members = MEMBERS[:n]
    buyer = new_org("buyer", "auditor", *members, name="Region Testhavn")
    body = body or tender_body(clock, k=k, n=n)
    r = api.post("/v1/tenders", json=body, headers=buyer.headers("buyer"))
    assert r.status_code == 201, r.text
    tender = r.json()
    keys = {m: share_delivery.new_member_key() for m in members}
    committee = {
        "members": [
            {
                "principal_id": buyer.principals[m],
                "public_key": share_delivery.member_public_key_text(keys[m]),
            }
            for m in members
        ]
    }
    r = api.put(
        f"/v1/tenders/{tender['id']}/committee", json=committee, headers=buyer.headers("buyer")
    )
    assert r.status_code == 200, r.text
    r = api.post(f"/v1/tenders/{tender['id']}/publish", headers=buyer.headers("buyer"))
    assert r.status_code == 200, r.text
    return Published(api, clock, buyer, r.json(), keys)


@dataclass
class Bidder:
    org: Org
    key: Ed25519PrivateKey

    def headers(self) -> dict[str, str]:
        return self.org.headers("supplier")


def bidder(api: TestClient, new_org: MakeOrg, name: str) -> Bidder:
    org = new_org("supplier", "auditor", name=name)
    key = sealing.new_supplier_key()
    r = api.post(
        "/v1/supplier-keys",
        json={"public_key_pem": sealing.supplier_public_key_pem(key).decode()},
        headers=org.headers("supplier"),
    )
    assert r.status_code == 201, r.text
    return Bidder(org, key)


def content(prices: dict[str, str], *, pad: int = 0) -> dict[str, Any]:
    lots = {
        lot_id: {
            "price": price,
            "lines": [
                {
                    "item": f"Rengøring {lot_id}",
                    "unit": "HUR",
                    "quantity": "100",
                    "unit_price": str(float(price) / 100),
                }
            ],
        }
        for lot_id, price in prices.items()
    }
    doc: dict[str, Any] = {"lots": lots, "espd_response": {"exclusion": "none apply"}}
    if pad:
        doc["documents"] = {"padding": "0" * pad}
    return doc


def seal(p: Published, b: Bidder, doc: dict[str, Any], *, bid_id: str | None = None) -> bytes:
    envelope = sealing.seal_bid(
        json.dumps(doc).encode(),
        tender_id=p.id,
        supplier_id=b.org.cvr,
        bid_id=bid_id or str(uuid.uuid4()),
        tender_public_key=p.public_key,
        signing_key=b.key,
    )
    return envelope.to_bytes()


def submit(p: Published, b: Bidder, doc: dict[str, Any], *, replaces: str | None = None) -> Any:
    body: dict[str, Any] = {
        "lot_ids": sorted(doc["lots"]),
        "envelope": base64.b64encode(seal(p, b, doc)).decode(),
    }
    if replaces:
        body["replaces_bid_id"] = replaces
    return p.api.post(f"/v1/tenders/{p.id}/bids", json=body, headers=b.headers())
