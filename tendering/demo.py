"""The tendering story: publish → sealed bids → committee opening → award → contract."""

from __future__ import annotations

import base64
import dataclasses
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from gateway.demo import DemoContext, DemoOrg, StepFailed
from gateway.signing import SigningIdentity, sign_detached
from gateway.signing.devca import CertificateKind, IssuedCertificate, issue_certificate
from gateway.signing.keys import KeyPaths
from gateway.tenancy.service import authenticate, create_key, resolve_actor
from tendering import sealing, service, share_delivery
from tendering._common import gateway_identity
from tendering.contracts import contract_uri
from tendering.lifecycle import COPENHAGEN

__all__ = ["TITLE", "story"]

TITLE = "Tendering: a sealed-bid tender from notice to signed contract"
_DEADLINE_SECONDS = 12


def _local(iso: str) -> str:
    return (
        datetime.fromisoformat(iso)
        .astimezone(COPENHAGEN)
        .strftime("%d.%m.%Y %H:%M:%S (Copenhagen)")
    )


def _lot(lot_id: str, title: str, quality: bool) -> dict[str, Any]:
    if quality:
        criteria = [
            {
                "id": "price",
                "name": "Pris",
                "kind": "price",
                "weight": "60",
                "method": "proportional",
            },
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
            "title": title,
            "award_method": "best_price_quality",
            "criteria": criteria,
        }
    criteria = [
        {"id": "price", "name": "Pris", "kind": "price", "weight": "100", "method": "proportional"}
    ]
    return {"lot_id": lot_id, "title": title, "award_method": "lowest_price", "criteria": criteria}


def _extra_member(ctx: DemoContext, org: DemoOrg, label: str) -> tuple[str, str]:
    from gateway.tenancy.service import get_organisation_by_cvr

    with ctx.container.db.transaction() as s:
        made = create_key(
            s,
            organisation=get_organisation_by_cvr(s, org.cvr),
            role="opening_member",
            name=label,
            actor="gateway demo",
        )
    return made.key, made.principal_id


def _principal(ctx: DemoContext, key: str) -> str:
    with ctx.container.db.transaction() as s:
        return authenticate(s, key).id


def _party_identity(ctx: DemoContext, name: str) -> SigningIdentity:
    gateway_identity(ctx.container)  # makes the development CA if there is none yet
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    paths = KeyPaths.under(ctx.container.settings.effective_keys_dir)
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


def story(ctx: DemoContext) -> None:
    http = ctx.http
    with ctx.step("A municipality prepares a tender with two lots"):
        buyer = ctx.new_org("Demo Kommune", "buyer", "opening_member", "auditor")
        members = [
            (
                "opening_member",
                buyer.keys["opening_member"],
                _principal(ctx, buyer.keys["opening_member"]),
            )
        ]
        for label in ("opening_member:2", "opening_member:3"):
            k, pid = _extra_member(ctx, buyer, label)
            members.append((label, k, pid))
        deadline = (datetime.now(UTC) + timedelta(seconds=_DEADLINE_SECONDS)).replace(microsecond=0)
        body = {
            "reference": f"DEMO-{uuid.uuid4().hex[:6].upper()}",
            "title": "Rengøring af skoler og institutioner",
            "description": "Rammeaftale om rengøring, to delaftaler",
            "contract_nature": "services",
            "cpv_code": "90919300",
            "estimated_value": "2000000.00",
            "lots": [_lot("LOT-1", "Skoler", False), _lot("LOT-2", "Daginstitutioner", True)],
            "timeline": {"deadline": deadline.isoformat()},
            "selection_criteria": ["gen-year-to"],
            "opening_threshold": 2,
            "opening_holders": 3,
        }
        tender = ctx.expect(
            http.post("/v1/tenders", json=body, headers=buyer.headers("buyer")), 201
        )
        ctx.say(f"{buyer.name} (CVR {buyer.cvr}) drafts {tender['reference']}: {tender['title']}")
        ctx.say("lot 1 goes to the lowest price; lot 2 weighs price 60 % and quality 40 %")
        member_keys = {label: share_delivery.new_member_key() for label, _, _ in members}
        committee = {
            "members": [
                {
                    "principal_id": pid,
                    "public_key": share_delivery.member_public_key_text(member_keys[label]),
                }
                for label, _, pid in members
            ]
        }
        ctx.expect(
            http.put(
                f"/v1/tenders/{tender['id']}/committee",
                json=committee,
                headers=buyer.headers("buyer"),
            ),
            200,
        )
        ctx.say("opening committee: 3 members, any 2 of them can open the bids")
    with ctx.step("Publish: notices out, opening key made and split among the committee"):
        tender = ctx.expect(
            http.post(f"/v1/tenders/{tender['id']}/publish", headers=buyer.headers("buyer")), 200
        )
        ctx.say(f"submission deadline {_local(tender['timeline']['deadline'])}")
        ctx.say(
            f"opening key {tender['key_fingerprint'][:16]}…; the private key was split 2-of-3 and dropped"
        )
        docs = ctx.expect(http.get(f"/v1/public/tenders/{tender['id']}/documents"), 200)
        ctx.say(
            "public: "
            + ", ".join(d["kind"] for d in docs)
            + " (UBL 2.3 notice, ESPD request, OCDS)"
        )
    suppliers: list[tuple[DemoOrg, Any]] = []
    receipts: dict[str, dict[str, Any]] = {}
    with ctx.step("Three suppliers seal and submit their bids"):
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

        tender_pk = X25519PublicKey.from_public_bytes(base64.b64decode(tender["public_key"]))
        offers = {
            "Rengøring Nord A/S": {"LOT-1": "780000.00", "LOT-2": "540000.00"},
            "Blank & Ren ApS": {"LOT-1": "745000.00", "LOT-2": "575000.00"},
            "Skinne I/S": {"LOT-2": "520000.00"},
        }
        for name, prices in offers.items():
            org = ctx.new_org(name, "supplier", "auditor")
            key = sealing.new_supplier_key()
            ctx.expect(
                http.post(
                    "/v1/supplier-keys",
                    json={"public_key_pem": sealing.supplier_public_key_pem(key).decode()},
                    headers=org.headers("supplier"),
                ),
                201,
            )
            doc = {
                "lots": {
                    lot: {
                        "price": p,
                        "lines": [
                            {
                                "item": f"Rengøring, {lot}",
                                "unit": "MON",
                                "quantity": "24",
                                "unit_price": f"{float(p) / 24:.2f}",
                            }
                        ],
                    }
                    for lot, p in prices.items()
                }
            }
            envelope = sealing.seal_bid(
                json.dumps(doc).encode(),
                tender_id=tender["id"],
                supplier_id=org.cvr,
                bid_id=str(uuid.uuid4()),
                tender_public_key=tender_pk,
                signing_key=key,
            ).to_bytes()
            r = ctx.expect(
                http.post(
                    f"/v1/tenders/{tender['id']}/bids",
                    json={
                        "lot_ids": sorted(prices),
                        "envelope": base64.b64encode(envelope).decode(),
                    },
                    headers=org.headers("supplier"),
                ),
                201,
            )
            receipts[org.cvr] = r
            suppliers.append((org, key))
            ctx.say(
                f"{name}: sealed on its own machine ({len(envelope)} bytes), receipt {r['receipt_document_id'][:14]}… at {_local(r['received_at'])}"
            )
        ctx.say("each receipt is a signed UBL TenderReceipt with the SHA-256 of what arrived")
    with ctx.step("Before the deadline nobody can open them"):
        h0 = {"Authorization": f"Bearer {members[0][1]}"}
        sealed0 = ctx.expect(
            http.get(f"/v1/tenders/{tender['id']}/committee/share", headers=h0), 200
        )
        share0 = share_delivery.open_share(sealed0["sealed_share"], member_keys[members[0][0]])
        early = http.post(f"/v1/tenders/{tender['id']}/shares", json={"share": share0}, headers=h0)
        if early.status_code != 409:
            raise StepFailed(f"a share before the deadline was not refused: {early.status_code}")
        r = http.get(f"/v1/tenders/{tender['id']}/bids", headers=buyer.headers("buyer"))
        if r.status_code != 404:
            raise StepFailed(f"the buyer could list bids before the opening: {r.status_code}")
        ctx.say(
            f"the buyer asking for the bids gets {r.status_code}; a share handed in now gets {early.status_code}"
        )
        wait = (
            datetime.fromisoformat(tender["timeline"]["deadline"]) - datetime.now(UTC)
        ).total_seconds()
        if wait > 0:
            ctx.say(f"waiting {wait:.0f} s for the deadline…")
            time.sleep(wait + 1)
        late = ctx.new_org("Forsinket ApS", "supplier")
        r = http.post(
            f"/v1/tenders/{tender['id']}/bids/plain",
            json={"content": {"lots": {"LOT-1": {"price": "1.00"}}}},
            headers=late.headers("supplier"),
        )
        ctx.say(
            f"a bid one second after the deadline: {r.status_code} {r.json().get('detail', '')}"
        )
        if r.status_code != 409:
            raise StepFailed("a late bid was not refused")
    with ctx.step("Two of three committee members hand in their shares: the bids open"):
        result: dict[str, Any] = {}
        for label, member_api_key, _ in members[:2]:
            h = {"Authorization": f"Bearer {member_api_key}"}
            sealed = ctx.expect(
                http.get(f"/v1/tenders/{tender['id']}/committee/share", headers=h), 200
            )
            share = share_delivery.open_share(sealed["sealed_share"], member_keys[label])
            result = ctx.expect(
                http.post(f"/v1/tenders/{tender['id']}/shares", json={"share": share}, headers=h),
                200,
            )
            ctx.say(
                f"member {sealed['share_index']} unseals its share with its own key and hands it in ({result['shares']} of {result['threshold']})"
            )
        if not result.get("opened"):
            raise StepFailed("the tender did not open with two shares")
        for b in result["record"]["bids"]:
            ctx.say(
                f"bid from CVR {b['supplier_id']}: sha256 {b['envelope_sha256'][:12]}…, signature {'valid' if b['signature_valid'] else 'INVALID'}"
            )
        ctx.say(
            "the opening record is signed and chained into the audit log; the key is gone again"
        )
    with ctx.step("Evaluate, propose the award and notify every bidder"):
        bids = ctx.expect(
            http.get(f"/v1/tenders/{tender['id']}/bids", headers=buyer.headers("buyer")), 200
        )
        by_cvr = {b["supplier_id"]: b["id"] for b in bids}
        quality = dict(zip([o.cvr for o, _ in suppliers], ("8", "6", "5"), strict=True))
        points = {
            "LOT-2": {by_cvr[cvr]: {"quality": q} for cvr, q in quality.items() if cvr in by_cvr}
        }
        ev = ctx.expect(
            http.post(
                f"/v1/tenders/{tender['id']}/evaluation",
                json={"points": points},
                headers=buyer.headers("buyer"),
            ),
            200,
        )
        names = {o.cvr: o.name for o, _ in suppliers}
        cvr_of = {b["id"]: b["supplier_id"] for b in bids}
        for lot in ev:
            ranking = ", ".join(
                f"{r['rank']}. {names[cvr_of[r['bid_id']]]} ({r['total']})" for r in lot["ranking"]
            )
            ctx.say(f"{lot['lot_id']} ({lot['method']}): {ranking}")
        ctx.expect(
            http.post(f"/v1/tenders/{tender['id']}/award-proposal", headers=buyer.headers("buyer")),
            200,
        )
        t = ctx.expect(
            http.post(f"/v1/tenders/{tender['id']}/standstill", headers=buyer.headers("buyer")), 200
        )
        ctx.say(
            f"award and unawarded notifications (UBL 2.3) sent; standstill until {_local(t['standstill_ends'])}"
        )
    with ctx.step("After the standstill: award and draw up the contracts"):
        ctx.say(
            "(demo only: the clock of this step is moved past the standstill instead of waiting 10 days)"
        )
        ends = datetime.fromisoformat(t["standstill_ends"])
        later = dataclasses.replace(ctx.container, clock=lambda: ends + timedelta(seconds=1))
        with ctx.container.db.transaction() as s:
            actor = resolve_actor(s, authenticate(s, buyer.keys["buyer"]), on_behalf_of=None)
            made = service.award_tender(later, s, actor=actor, tender_id=tender["id"])
            ids = [(k.id, k.lot_id, k.supplier_organisation_id) for k in made]
        contracts = ctx.expect(
            http.get(f"/v1/tenders/{tender['id']}/contracts", headers=buyer.headers("buyer")), 200
        )
        for k in contracts:
            ctx.say(
                f"{k['lot_id']}: {k['supplier_name']} for {k['value']} {k['currency']}, {len(k['lines'])} line(s)"
            )
        if len(ids) != 2:
            raise StepFailed(f"expected two contracts, got {len(ids)}")
    with ctx.step("Both sides sign each contract (XAdES): the buyer, then the supplier"):
        buyer_identity = _party_identity(ctx, buyer.name)
        orgs = {o.cvr: o for o, _ in suppliers}
        first: dict[str, Any] = {}
        for k in contracts:
            raw = http.get(
                f"/v1/contracts/{k['contract_id']}/document", headers=buyer.headers("buyer")
            ).content
            sig = sign_detached(
                raw,
                buyer_identity,
                uri=contract_uri(k["contract_id"]),
                mime_type="application/json",
            )
            ctx.expect(
                http.post(
                    f"/v1/contracts/{k['contract_id']}/signatures",
                    json={"signature": sig.decode()},
                    headers=buyer.headers("buyer"),
                ),
                200,
            )
            supplier = orgs[k["supplier_cvr"]]
            sig = sign_detached(
                raw,
                _party_identity(ctx, supplier.name),
                uri=contract_uri(k["contract_id"]),
                mime_type="application/json",
            )
            signed = ctx.expect(
                http.post(
                    f"/v1/contracts/{k['contract_id']}/signatures",
                    json={"signature": sig.decode()},
                    headers=supplier.headers("supplier"),
                ),
                200,
            )
            ctx.say(
                f"{k['lot_id']}: signed by {signed['buyer_signer']} and {signed['supplier_signer']}"
            )
            if not first:
                first = {"contract": signed, "supplier": supplier}
        final = ctx.expect(
            http.get(f"/v1/tenders/{tender['id']}", headers=buyer.headers("buyer")), 200
        )
        ctx.say(f"tender status: {final['status']}")
        feed = ctx.expect(http.get(f"/v1/public/ocds/releases?tender_id={tender['id']}"), 200)
        ctx.say(
            f"public OCDS feed: {len(feed['releases'])} releases ({', '.join(r['tag'][0] for r in feed['releases'])})"
        )
        c = first["contract"]
        ctx.data["contract"] = {
            "id": c["contract_id"],
            "contract_id": c["contract_id"],
            "tender_id": tender["id"],
            "buyer": buyer,
            "supplier": first["supplier"],
            "currency": c["currency"],
            "value": c["value"],
            "lines": c["lines"],
        }
        ctx.say(f"contract {c['contract_id']} handed on to ordering and invoicing")
