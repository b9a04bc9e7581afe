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
from decimal import Decimal
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
from invoicing.peppol_network import backends
from sandbox.peppol import PEPPOL_NETWORK, mount
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
    # The organisations this gateway made: settle() leaves other tests' submissions alone.
    orgs: set[str] = field(default_factory=set)

    def org(self, *who: str, name: str = "Test ApS") -> Org:
        with self.container.db.transaction() as s:
            org = create_organisation(s, cvr=random_cvr(), name=name, actor="test")
            out = Org(org.cvr, org.id, name)
            self.orgs.add(org.id)
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
                # What the kernel's sweeper would pick up, inbound documents included.
                outbound = list(
                    s.scalars(
                        select(Submission.id).where(
                            Submission.organisation_id.in_(self.orgs),
                            Submission.status.in_([str(x) for x in ACTIVE]),
                            Submission.next_attempt_at.is_not(None),
                        )
                    )
                )
                received = list(
                    s.scalars(
                        select(Submission.id).where(
                            Submission.organisation_id.in_(self.orgs),
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
    deadline = time.monotonic() + 60  # generous: a busy machine starts slowly
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
    sandbox.state.backends = {
        PEPPOL_NETWORK: lambda s: backends(s, container=container),
    }
    mount(sandbox, settings)
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
    assert sent.signature_mode == "detached"  # Peppol: AS4 signs; no signature inside the UBL
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
    # Each document arrived once, was processed, and stays put (never sent on again).
    assert inbound_kinds(peppol, buyer) == ["invoice", "order_response"]
    assert inbound_kinds(peppol, supplier) == ["invoice_response", "invoice_response", "order"]


def inbound_kinds(p: Peppol, org: Org) -> list[str]:
    """Kinds of the Peppol documents an organisation received; all processed and at rest."""
    with p.container.db.transaction() as s:
        subs = list(
            s.scalars(
                select(Submission).where(
                    Submission.organisation_id == org.organisation_id,
                    Submission.direction == "inbound",
                    Submission.channel == "peppol",
                )
            )
        )
    assert all(x.status == "validated" and x.next_attempt_at is None for x in subs)
    return sorted(x.kind for x in subs)


# -- rejection paths ------------------------------------------------------------------


def _order(p: Peppol, deal: Deal, quantity: str = "10") -> tuple[dict[str, Any], dict[str, Any]]:
    """An order the supplier has received: (the buyer's record, the supplier's copy)."""
    item = deal.contract["lines"][0]["line_id"]
    order = _ok(
        p.api.post(
            "/v1/orders",
            json={"contract_id": deal.contract["contract_id"], "quantities": {item: quantity}},
            headers=deal.buyer.headers("buyer"),
        ),
        201,
    )
    p.settle()
    copies = _ok(p.api.get("/v1/orders?side=supplier", headers=deal.supplier.headers("supplier")))
    (copy,) = [o for o in copies["items"] if o["number"] == order["number"]]
    return order, copy


def _invoice(p: Peppol, deal: Deal, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Send an invoice, let it travel; (the supplier's record, the buyer's record)."""
    issued = _ok(
        p.api.post("/v1/invoices", json=body, headers=deal.supplier.headers("supplier")), 201
    )
    p.settle()
    issued = _ok(
        p.api.get(f"/v1/invoices/{issued['id']}", headers=deal.supplier.headers("supplier"))
    )
    inbox = _ok(p.api.get("/v1/invoices?side=received", headers=deal.buyer.headers("buyer")))
    got = [i for i in inbox["items"] if i["number"] == body["number"]]
    return issued, got[0]


def _codes(record: dict[str, Any]) -> set[str]:
    return {r["code"] for r in record["reasons"] or []}


def test_a_charge_beyond_the_tolerance_goes_to_a_person_then_is_rejected(
    peppol: Peppol, deal: Deal
) -> None:
    _, copy = _order(peppol, deal)
    number = f"INV-{uuid.uuid4().hex[:6]}"
    issued, got = _invoice(
        peppol, deal, {"number": number, "order_id": copy["id"], "charge": "500.00"}
    )
    assert got["status"] == "needs_review"
    assert _codes(got) == {"total_outside_tolerance"}
    (reason,) = got["reasons"]
    assert reason["invoiced"] == "8625.00" and reason["expected"] == "8125.00"
    assert issued["status"] == "sent"  # nothing answered yet: a person decides
    answered = _ok(
        peppol.api.post(
            f"/v1/invoices/{got['id']}/response",
            json={"status": "RE"},
            headers=deal.buyer.headers("buyer"),
        )
    )
    assert answered["status"] == "rejected"
    peppol.settle()
    seen = _ok(
        peppol.api.get(f"/v1/invoices/{issued['id']}", headers=deal.supplier.headers("supplier"))
    )
    assert seen["status"] == "rejected" and seen["response_code"] == "RE"
    assert any("8625.00" in (r["message"] or "") for r in seen["reasons"])


def test_an_unknown_order_reference_is_named(peppol: Peppol, deal: Deal) -> None:
    number = f"INV-{uuid.uuid4().hex[:6]}"
    _, got = _invoice(
        peppol,
        deal,
        {
            "number": number,
            "buyer": deal.buyer.participant,
            "order_reference": "PO-DOES-NOT-EXIST",
            "lines": [
                {
                    "item_name": "Rengøring, time",
                    "quantity": "2",
                    "unit_code": "HUR",
                    "unit_price": "812.50",
                }
            ],
        },
    )
    assert got["status"] == "needs_review"
    (reason,) = [r for r in got["reasons"] if r["code"] == "unknown_order_reference"]
    assert reason["invoiced"] == "PO-DOES-NOT-EXIST" and reason["term"] == "BT-13"


def test_a_price_above_the_contract_is_named_per_line(peppol: Peppol, deal: Deal) -> None:
    order, _ = _order(peppol, deal, quantity="4")
    item = deal.contract["lines"][0]["line_id"]
    number = f"INV-{uuid.uuid4().hex[:6]}"
    _, got = _invoice(
        peppol,
        deal,
        {
            "number": number,
            "buyer": deal.buyer.participant,
            "order_reference": order["number"],
            "lines": [
                {
                    "item_id": item,
                    "item_name": "Rengøring, time",
                    "quantity": "4",
                    "unit_code": "HUR",
                    "unit_price": "900.00",
                    "order_line_ref": "1",
                }
            ],
        },
    )
    assert got["status"] == "needs_review"
    assert {"price_above_contract", "price_above_order", "total_outside_tolerance"} <= _codes(got)
    (above,) = [r for r in got["reasons"] if r["code"] == "price_above_contract"]
    assert above["line_id"] == "1" and above["term"] == "BT-146"
    assert Decimal(above["invoiced"]) == Decimal("900")
    assert Decimal(above["expected"]) == Decimal("812.5")


def test_a_duplicate_invoice_number_is_rejected_at_once(peppol: Peppol, deal: Deal) -> None:
    from invoicing.builders import build_bis3
    from invoicing.reader import read_invoice

    _, copy = _order(peppol, deal, quantity="1")
    number = f"INV-{uuid.uuid4().hex[:6]}"
    first_issued, first = _invoice(peppol, deal, {"number": number, "order_id": copy["id"]})
    assert first["status"] == "approved"
    # The supplier's ERP sends a second document under the same number (its own XML).
    original = peppol.api.get(
        f"/v1/invoices/{first_issued['id']}/document", headers=deal.supplier.headers("supplier")
    ).content
    from dataclasses import replace as dc_replace

    again = build_bis3(dc_replace(read_invoice(original), notes=("Genfremsendt",)))
    second = _ok(
        peppol.api.post(
            "/v1/invoices/documents",
            content=again,
            headers={**deal.supplier.headers("supplier"), "Content-Type": "application/xml"},
        ),
        201,
    )
    peppol.settle()
    inbox = _ok(peppol.api.get("/v1/invoices?side=received", headers=deal.buyer.headers("buyer")))
    copies = sorted(
        (i for i in inbox["items"] if i["number"] == number), key=lambda i: i["created_at"]
    )
    assert [i["status"] for i in copies] == ["approved", "rejected"]
    assert "duplicate_number" in _codes(copies[1]) and copies[1]["response_code"] == "RE"
    seen = _ok(
        peppol.api.get(f"/v1/invoices/{second['id']}", headers=deal.supplier.headers("supplier"))
    )
    assert seen["status"] == "rejected"
    assert any("already received" in (r["message"] or "") for r in seen["reasons"])


def test_an_invalid_invoice_is_rejected_with_its_findings(peppol: Peppol, deal: Deal) -> None:
    from gateway.channels.base import OutboundMessage, SendResult
    from invoicing.channel import PeppolChannel

    _, copy = _order(peppol, deal, quantity="1")
    number = f"INV-{uuid.uuid4().hex[:6]}"
    issued, _ = _invoice(peppol, deal, {"number": number, "order_id": copy["id"]})
    good = peppol.api.get(
        f"/v1/invoices/{issued['id']}/document", headers=deal.supplier.headers("supplier")
    ).content
    # Another access point forwards a copy whose payable amount no longer adds up.
    bad = good.replace(number.encode(), (number + "-X").encode()).replace(
        b'PayableAmount currencyID="DKK">1015.63<', b'PayableAmount currencyID="DKK">1.00<'
    )
    assert bad != good
    channel = PeppolChannel(peppol.container.settings)
    outcome = channel.send(
        OutboundMessage(
            message_id=f"{uuid.uuid4()}@other-ap",
            kind="invoice",
            sender=deal.supplier.cvr,
            recipient=deal.buyer.participant,
            endpoint="",
            content_type="application/xml",
            payload=bad,
        )
    )
    assert outcome.result is SendResult.DELIVERED  # transport is fine: AS4 gives a receipt
    peppol.settle()
    inbox = _ok(peppol.api.get("/v1/invoices?side=received", headers=deal.buyer.headers("buyer")))
    (got,) = [i for i in inbox["items"] if i["number"] == number + "-X"]
    assert got["status"] == "rejected" and got["response_code"] == "RE"
    rules = {f["rule"] for f in got["findings"]}
    assert "BR-CO-16" in rules
    assert all(
        f["severity"] in ("fatal", "error") for f in got["findings"] if f["rule"] == "BR-CO-16"
    )


def test_an_as4_message_whose_signature_does_not_verify_is_refused(
    peppol: Peppol, deal: Deal
) -> None:
    import httpx

    from invoicing.as4 import build_user_message
    from invoicing.channel import gateway_identity

    identity = gateway_identity(peppol.container.settings)
    message_id = f"{uuid.uuid4()}@tampered"
    sent = build_user_message(
        b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
        identity=identity,
        receiver_certificate=identity.certificate,
        sender_id=deal.supplier.participant,
        receiver_id=deal.buyer.participant,
        doc_type_id="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1",
        process_id="urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
        country_c1="DK",
        message_id=message_id,
    )
    # Someone on the way changes the conversation id the sender signed.
    tampered = sent.body.replace(
        sent.conversation_id.encode(), b"x" + sent.conversation_id.encode()[1:]
    )
    assert tampered != sent.body
    r = httpx.post(
        peppol.url + "/peppol/as4", content=tampered, headers={"Content-Type": sent.content_type}
    )
    assert r.status_code == 500
    assert b"EBMS:0101" in r.content or b"FailedAuthentication" in r.content
    with peppol.container.db.transaction() as s:
        found = s.scalar(select(Submission.id).where(Submission.idempotency_key == message_id))
    assert found is None


def test_the_supplier_accepts_with_changes_or_rejects(peppol: Peppol, deal: Deal) -> None:
    changed, changed_copy = _order(peppol, deal, quantity="10")
    r = peppol.api.post(
        f"/v1/orders/{changed_copy['id']}/response",
        json={
            "decision": "accept_with_changes",
            "note": "Kun 8 timer ledige",
            "changes": [{"line_id": "1", "quantity": "8"}],
        },
        headers=deal.supplier.headers("supplier"),
    )
    assert r.status_code == 200, r.text
    again = peppol.api.post(
        f"/v1/orders/{changed_copy['id']}/response",
        json={"decision": "reject"},
        headers=deal.supplier.headers("supplier"),
    )
    assert again.status_code == 409
    refused, refused_copy = _order(peppol, deal, quantity="1")
    _ok(
        peppol.api.post(
            f"/v1/orders/{refused_copy['id']}/response",
            json={"decision": "reject", "note": "Uden for aftalens omfang"},
            headers=deal.supplier.headers("supplier"),
        )
    )
    peppol.settle()
    headers = deal.buyer.headers("buyer")
    first = _ok(peppol.api.get(f"/v1/orders/{changed['id']}", headers=headers))
    assert (first["status"], first["response_code"]) == ("accepted_with_changes", "CA")
    assert first["response_note"] == "Kun 8 timer ledige"
    # The invoice follows the order as changed: 8 hours, and the buyer's side approves it.
    issued, got = _invoice(
        peppol,
        deal,
        {"number": f"INV-{uuid.uuid4().hex[:6]}", "order_id": changed_copy["id"]},
    )
    assert Decimal(issued["payable_amount"]) == Decimal("8125.00")  # 8 × 812.50 + 25 % VAT
    assert got["status"] == "approved"
    second = _ok(peppol.api.get(f"/v1/orders/{refused['id']}", headers=headers))
    assert (second["status"], second["response_code"]) == ("rejected", "RE")
    # A rejected order cannot be invoiced.
    r = peppol.api.post(
        "/v1/invoices",
        json={"number": f"INV-{uuid.uuid4().hex[:6]}", "order_id": refused_copy["id"]},
        headers=deal.supplier.headers("supplier"),
    )
    assert r.status_code == 409


def test_a_credit_note_goes_to_a_person(peppol: Peppol, deal: Deal) -> None:
    _, copy = _order(peppol, deal, quantity="1")
    number = f"CN-{uuid.uuid4().hex[:6]}"
    issued, got = _invoice(
        peppol, deal, {"number": number, "order_id": copy["id"], "kind": "credit_note"}
    )
    assert issued["kind"] == got["kind"] == "credit_note"
    assert got["status"] == "needs_review" and "credit_note" in _codes(got)
    sent = peppol.submission(issued["submission_id"])
    assert sent.status == "acknowledged" and sent.plan and sent.plan.startswith("peppol-billing")
