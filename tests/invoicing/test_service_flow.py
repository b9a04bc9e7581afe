"""Ordering and invoicing over the sandbox Peppol network, on the run's database.

A contract comes out of the tendering flow (over its API); orders, responses
and invoices then travel through the pipeline, the Peppol channel (SMP lookup,
AS4 over loopback HTTP) and the gateway's own access point, which hands them
to the inbound processing of the receiving organisation.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway.app import create_app
from gateway.bootstrap import Container, bootstrap
from gateway.pipeline.lifecycle import ACTIVE
from gateway.pipeline.models import Submission
from gateway.pipeline.service import advance
from gateway.settings import PipelineSettings, Settings
from gateway.signing import SigningIdentity, init_keys, sign_detached
from gateway.signing.devca import CertificateKind, IssuedCertificate, issue_certificate
from gateway.signing.keys import KeyPaths
from gateway.tenancy.service import create_key, create_organisation
from invoicing import inbound
from invoicing.sandbox import mount
from tendering import sealing, share_delivery
from tendering.contracts import contract_uri
from tests.support.cvr import random_cvr
from tests.tendering.conftest import Clock


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        pass


@dataclass
class Org:
    cvr: str
    organisation_id: str
    name: str
    keys: dict[str, str] = field(default_factory=dict)
    principals: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    @property
    def participant(self) -> str:
        return f"0184:{self.cvr}"


@dataclass
class Peppol:
    """A gateway whose sandbox Peppol network runs on a loopback port."""

    container: Container
    api: TestClient
    clock: Clock
    url: str

    def org(self, *who: str, name: str = "Test ApS") -> Org:
        with self.container.db.transaction() as s:
            org = create_organisation(s, cvr=random_cvr(), name=name, actor="test")
            out = Org(org.cvr, org.id, name)
            for label in who:
                made = create_key(
                    s, organisation=org, role=label.split(":")[0], name=label, actor="test"
                )
                out.keys[label] = made.key
                out.principals[label] = made.principal_id
        return out

    def settle(self, rounds: int = 40) -> None:
        """Run the pipeline and the inbound processing until nothing is left to do."""
        c = self.container
        for _ in range(rounds):
            with c.db.transaction() as s:
                outbound = list(
                    s.scalars(
                        select(Submission.id).where(
                            Submission.direction == "outbound",
                            Submission.status.in_([str(x) for x in ACTIVE]),
                            Submission.next_attempt_at.is_not(None),
                        )
                    )
                )
                received = list(
                    s.scalars(
                        select(Submission.id).where(
                            Submission.direction == "inbound",
                            Submission.channel == "peppol",
                            Submission.status == "received",
                        )
                    )
                )
            if not outbound and not received:
                return
            for sid in outbound:
                advance(c, sid)
            for sid in received:
                inbound.process(c, sid)
            # Retries are due after a back-off measured on the test clock.
            self.clock.advance(seconds=1)
        raise AssertionError("the pipeline did not settle")

    def submission(self, sid: str) -> Submission:
        with self.container.db.transaction() as s:
            sub = s.get(Submission, sid)
            assert sub is not None
            s.expunge(sub)
            return sub


def _serve(app: FastAPI, sock: socket.socket) -> _Server:
    server = _Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    return server


@pytest.fixture(scope="module")
def peppol(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, artefacts_dir: Path
) -> Iterator[Peppol]:
    data = tmp_path_factory.mktemp("invoicing")
    init_keys(data / "keys", org_name="Invoicing tests")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(
        data_dir=data,
        database_url=database_url,
        artefacts_dir=artefacts_dir,
        sandbox_url=url,
        pipeline=PipelineSettings(
            max_attempts=3, backoff_base_seconds=0.05, backoff_cap_seconds=0.2, lease_seconds=5
        ),
    )
    clock = Clock()
    container = bootstrap(settings, clock=clock)
    sandbox = FastAPI()
    mount(sandbox, settings, container=container)
    server = _serve(sandbox, sock)
    with TestClient(create_app(container, mount_sandbox=False)) as api:
        yield Peppol(container, api, clock, url)
    server.should_exit = True


# -- a contract from the tendering flow ------------------------------------------


def _identity(c: Container, name: str) -> SigningIdentity:
    paths = KeyPaths.under(c.settings.effective_keys_dir)
    ca = IssuedCertificate(
        serialization.load_pem_private_key(paths.ca_key.read_bytes(), password=None),  # type: ignore[arg-type]
        x509.load_pem_x509_certificate(paths.ca_cert.read_bytes()),
    )
    issued = issue_certificate(
        CertificateKind.SIGNING,
        f"{name} signer",
        org_name=name,
        issuer=ca,
        key=ec.generate_private_key(ec.SECP256R1()),
    )
    return SigningIdentity(issued.private_key, issued.certificate)


@dataclass
class Deal:
    buyer: Org
    supplier: Org
    contract: dict[str, Any]


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def signed_contract(p: Peppol, *, price: str = "81250.00") -> Deal:
    """Tender (one lot, lowest price) → sealed bid → opening → award → both sign."""
    api, clock = p.api, p.clock
    members = ("opening_member:1", "opening_member:2")
    buyer = p.org("buyer", "auditor", *members, name="Region Testhavn")
    deadline = (clock.now + timedelta(days=30)).replace(microsecond=0)
    body = {
        "reference": f"T-{uuid.uuid4().hex[:8]}",
        "title": "Rengøring af skoler",
        "description": "Rammeaftale om rengøring",
        "contract_nature": "services",
        "cpv_code": "90919300",
        "estimated_value": "100000.00",
        "lots": [
            {
                "lot_id": "LOT-1",
                "title": "Skoler",
                "award_method": "lowest_price",
                "estimated_value": "100000.00",
                "criteria": [
                    {
                        "id": "price",
                        "name": "Pris",
                        "kind": "price",
                        "weight": "100",
                        "method": "proportional",
                    }
                ],
            }
        ],
        "timeline": {
            "deadline": deadline.isoformat(),
            "questions_deadline": (deadline - timedelta(days=10)).isoformat(),
        },
        "selection_criteria": ["gen-year-to"],
        "opening_threshold": 2,
        "opening_holders": 2,
    }
    tender = _ok(api.post("/v1/tenders", json=body, headers=buyer.headers("buyer")), 201)
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
    tid = tender["id"]
    _ok(api.put(f"/v1/tenders/{tid}/committee", json=committee, headers=buyer.headers("buyer")))
    tender = _ok(api.post(f"/v1/tenders/{tid}/publish", headers=buyer.headers("buyer")))
    supplier = p.org("supplier", "auditor", name="Rengøring Nord A/S")
    key = sealing.new_supplier_key()
    _ok(
        api.post(
            "/v1/supplier-keys",
            json={"public_key_pem": sealing.supplier_public_key_pem(key).decode()},
            headers=supplier.headers("supplier"),
        ),
        201,
    )
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    offer = {
        "lots": {
            "LOT-1": {
                "price": price,
                "lines": [
                    {
                        "item": "Rengøring, time",
                        "unit": "HUR",
                        "quantity": "100",
                        "unit_price": str(float(price) / 100),
                    }
                ],
            }
        },
        "espd_response": {"exclusion": "none apply"},
    }
    envelope = sealing.seal_bid(
        json.dumps(offer).encode(),
        tender_id=tid,
        supplier_id=supplier.cvr,
        bid_id=str(uuid.uuid4()),
        tender_public_key=X25519PublicKey.from_public_bytes(base64.b64decode(tender["public_key"])),
        signing_key=key,
    ).to_bytes()
    _ok(
        api.post(
            f"/v1/tenders/{tid}/bids",
            json={"lot_ids": ["LOT-1"], "envelope": base64.b64encode(envelope).decode()},
            headers=supplier.headers("supplier"),
        ),
        201,
    )
    clock.set(datetime.fromisoformat(tender["timeline"]["deadline"]) + timedelta(seconds=1))
    for m in members:
        sealed = _ok(api.get(f"/v1/tenders/{tid}/committee/share", headers=buyer.headers(m)))
        share = share_delivery.open_share(sealed["sealed_share"], keys[m])
        opened = _ok(
            api.post(f"/v1/tenders/{tid}/shares", json={"share": share}, headers=buyer.headers(m))
        )
    assert opened["opened"] is True
    _ok(
        api.post(
            f"/v1/tenders/{tid}/evaluation", json={"points": {}}, headers=buyer.headers("buyer")
        )
    )
    _ok(api.post(f"/v1/tenders/{tid}/award-proposal", headers=buyer.headers("buyer")))
    _ok(api.post(f"/v1/tenders/{tid}/standstill", headers=buyer.headers("buyer")))
    clock.advance(days=12)
    (contract,) = _ok(api.post(f"/v1/tenders/{tid}/award", headers=buyer.headers("buyer")))
    cid = contract["contract_id"]
    document = api.get(f"/v1/contracts/{cid}/document", headers=buyer.headers("buyer")).content
    for org, who in ((buyer, "buyer"), (supplier, "supplier")):
        sig = sign_detached(
            document,
            _identity(p.container, org.name),
            uri=contract_uri(cid),
            mime_type="application/json",
        )
        contract = _ok(
            api.post(
                f"/v1/contracts/{cid}/signatures",
                json={"signature": sig.decode()},
                headers=org.headers(who),
            )
        )
    assert contract["status"] == "signed"
    return Deal(buyer, supplier, contract)


@pytest.fixture(scope="module")
def deal(peppol: Peppol) -> Deal:
    return signed_contract(peppol)


# -- the whole chain ----------------------------------------------------------------


def test_contract_to_paid_invoice_over_peppol(peppol: Peppol, deal: Deal) -> None:
    api, buyer, supplier = peppol.api, deal.buyer, deal.supplier
    item = deal.contract["lines"][0]["line_id"]
    order = _ok(
        api.post(
            "/v1/orders",
            json={"contract_id": deal.contract["contract_id"], "quantities": {item: "10"}},
            headers=buyer.headers("buyer"),
        ),
        201,
    )
    peppol.settle()
    sent = peppol.submission(order["submission_id"])
    assert sent.status == "acknowledged", sent.last_error
    assert sent.plan and sent.plan.startswith("peppol-t01")
    assert sent.signature_mode == "enveloped"
    received = _ok(api.get("/v1/orders?side=supplier", headers=supplier.headers("supplier")))
    (copy,) = [o for o in received["items"] if o["number"] == order["number"]]
    assert copy["status"] == "received" and copy["counterparty"] == buyer.participant

    _ok(
        api.post(
            f"/v1/orders/{copy['id']}/response",
            json={"decision": "accept", "note": "Levering i uge 50"},
            headers=supplier.headers("supplier"),
        )
    )
    peppol.settle()
    mine = _ok(api.get(f"/v1/orders/{order['id']}", headers=buyer.headers("buyer")))
    assert mine["status"] == "accepted" and mine["response_code"] == "AP"

    issued = _ok(
        api.post(
            "/v1/invoices",
            json={"number": f"INV-{uuid.uuid4().hex[:6]}", "order_id": copy["id"]},
            headers=supplier.headers("supplier"),
        ),
        201,
    )
    peppol.settle()
    issued = _ok(api.get(f"/v1/invoices/{issued['id']}", headers=supplier.headers("supplier")))
    assert issued["delivery_status"] == "acknowledged"
    # The buyer's access point validated and matched it, approved it, and answered AP.
    assert issued["status"] == "accepted" and issued["response_code"] == "AP"
    inbox = _ok(api.get("/v1/invoices?side=received", headers=buyer.headers("buyer")))
    (got,) = [i for i in inbox["items"] if i["number"] == issued["number"]]
    assert got["status"] == "approved" and got["reasons"] == []
    assert got["order_number"] == order["number"]
    assert got["contract_id"] == deal.contract["contract_id"]
    assert got["payable_amount"] == issued["payable_amount"] == "10156.25"

    paid = _ok(
        api.post(
            f"/v1/invoices/{got['id']}/response",
            json={"status": "PD", "note": "Betalt"},
            headers=buyer.headers("buyer"),
        )
    )
    assert paid["status"] == "paid"
    peppol.settle()
    final = _ok(api.get(f"/v1/invoices/{issued['id']}", headers=supplier.headers("supplier")))
    assert final["status"] == "paid" and final["response_code"] == "PD"
