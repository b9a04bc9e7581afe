"""A tender on a real gateway (API server and worker processes).

Every person uses the command line as the README shows: the officer creates,
publishes, evaluates, awards and signs with ``gateway tender``; committee
members make their keys and unseal their shares locally; suppliers find the
tender with ``gateway tender search``, seal bids offline with ``gateway bid``
and countersign the contract. Deadline and standstill are real periods: the
test moves the gateway's clock past them (``tests.support.clock``).
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path

from gateway.celery_app import celery_app
from tendering import sealing
from tendering.lifecycle import STANDSTILL_DAYS
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


def _party_identity(stack: Stack, name: str, out: Path) -> Path:
    """A signing certificate from the stack's development CA, as a PEM file (key first)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from gateway.signing.devca import CertificateKind, IssuedCertificate, issue_certificate
    from gateway.signing.keys import KeyPaths

    paths = KeyPaths.under(Path(stack.env["GW_DATA_DIR"]) / "keys")
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
    out.write_bytes(
        issued.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + issued.certificate.public_bytes(serialization.Encoding.PEM)
    )
    return out


def _ok(done: tuple[int, str, str]) -> str:
    code, out, err = done
    assert code == 0, err or out
    return out


def test_a_tender_runs_on_a_real_gateway_from_the_command_line_to_a_signed_contract(
    stack: Stack, tmp_path: Path
) -> None:
    buyer_cvr, buyer = stack.new_org("buyer")
    buyer_key = buyer["Authorization"].removeprefix("Bearer ")
    officer = ["--url", stack.url, "--key", buyer_key]
    members = [_key(stack, buyer_cvr, "opening_member") for _ in range(MEMBERS)]
    api = ["--url", stack.url]
    http = stack.http

    # Each member makes a key pair; the line printed is what the committee command takes.
    committee = []
    for i, k in enumerate(members):
        line = _ok(
            stack.cli(
                "tender", "member-keygen", "--out", str(tmp_path / f"m{i}.key"), *api, "--key", k
            )
        ).strip()
        me = http.get(f"{stack.url}/v1/me", headers={"Authorization": f"Bearer {k}"}).json()
        assert line.startswith(f"{me['principal_id']}=")
        committee += ["--member", line]

    # Suppliers get their keys ready beforehand: one with the CLI, two with their own tools.
    suppliers = []
    offers = (
        ("a", {"LOT-1": "410000.00", "LOT-2": "300000.00"}),
        ("b", {"LOT-1": "400000.00"}),
        ("c", {"LOT-2": "310000.00"}),
    )
    for name, prices in offers:
        cvr, h = stack.new_org("supplier")
        key = h["Authorization"].removeprefix("Bearer ")
        if name == "a":
            pem = _ok(stack.cli("bid", "keygen", "--out", str(tmp_path / f"{name}.key")))
        else:
            signing = sealing.new_supplier_key()
            (tmp_path / f"{name}.key").write_bytes(
                sealing.supplier_private_key_pem(signing, password=None)
            )
            pem = sealing.supplier_public_key_pem(signing).decode()
        (tmp_path / f"{name}.pub").write_text(pem)
        _ok(stack.cli("bid", "register-key", str(tmp_path / f"{name}.pub"), *api, "--key", key))
        (tmp_path / f"{name}.json").write_text(
            json.dumps({"lots": {lot: {"price": p} for lot, p in prices.items()}})
        )
        suppliers.append((cvr, key, [x for lot in prices for x in ("--lot", lot)], name))

    # A deadline far ahead: however slow the machine, every bid below arrives in time;
    # the test then moves the gateway's clock past it instead of waiting.
    deadline = (clock_now(stack) + timedelta(days=7)).replace(microsecond=0)
    (tmp_path / "tender.json").write_text(json.dumps(_tender(deadline)))
    created = _ok(stack.cli("tender", "create", str(tmp_path / "tender.json"), *officer))
    tender_id = json.loads(created)["id"]
    _ok(stack.cli("tender", "committee", tender_id, *committee, *officer))
    assert tender_id in _ok(stack.cli("tender", "publish", tender_id, *officer))

    # Suppliers find it without a key: by CPV and buyer; another CPV finds nothing.
    found = _ok(
        stack.cli("tender", "search", "--cpv", "9062", "--buyer", buyer_cvr, "--open", *api)
    )
    assert tender_id in found and "1 shown of 1 matching" in found
    assert tender_id not in _ok(
        stack.cli("tender", "search", "--cpv", "45", "--buyer", buyer_cvr, *api)
    )
    later = (deadline + timedelta(days=1)).date().isoformat()
    assert tender_id not in _ok(
        stack.cli("tender", "search", "--buyer", buyer_cvr, "--deadline-after", later, *api)
    )

    _ok(stack.cli("bid", "tender-key", tender_id, "--out", str(tmp_path / "tender.pub"), *api))
    for cvr, key, lots, name in suppliers:
        _ok(
            stack.cli(
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
        )
        _ok(
            stack.cli(
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
        )
    receipt = (tmp_path / "a.receipt.xml").read_text()
    assert "TenderReceipt" in receipt and "ds:Signature" in receipt

    # The deadline was set 7 days ahead: a day more steps past it, whatever time has passed.
    advance(stack, timedelta(days=8))
    if "tendering.tasks" in (celery_app.conf.include or ()):
        # The worker's scheduler closes the tender at the deadline, without anyone asking.
        wait_until(
            lambda: (
                http.get(f"{stack.url}/v1/public/tenders/{tender_id}").json()["status"]
                == "submission_closed"
            ),
            timeout=60,
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
    assert code != 0 and "deadline" in err

    for i in (0, 2):
        out = _ok(
            stack.cli(
                "tender",
                "open",
                tender_id,
                "--member-key",
                str(tmp_path / f"m{i}.key"),
                *api,
                "--key",
                members[i],
            )
        )
    assert "opened with 2 shares" in out and out.count(" ok") == 3
    ranking = {
        lot["lot_id"]: lot["ranking"][0]["price"]
        for lot in json.loads(_ok(stack.cli("tender", "evaluate", tender_id, *officer)))
    }
    assert ranking == {"LOT-1": "400000.00", "LOT-2": "300000.00"}

    # The award command takes the step the tender is at and says what comes next.
    code, out, err = stack.cli("tender", "award", tender_id, *officer)
    assert code == 0, err
    assert "LOT-1: bid" in out and "--step standstill" in err
    started = clock_now(stack)
    code, out, err = stack.cli("tender", "award", tender_id, *officer)
    assert code == 0, err
    ends = datetime.fromisoformat(out.strip().rsplit(" ", 1)[-1])
    assert ends - started >= timedelta(days=STANDSTILL_DAYS) and "--step award" in err
    code, out, err = stack.cli("tender", "award", tender_id, "--step", "award", *officer)
    assert code != 0 and "standstill" in err
    # The standstill ends at midnight after its last day: two days more step past it.
    advance(stack, timedelta(days=STANDSTILL_DAYS + 2))
    code, out, err = stack.cli("tender", "award", tender_id, *officer)
    assert code == 0, err
    contracts = {line.split()[2]: line.split()[1] for line in out.splitlines()}
    assert set(contracts) == {"LOT-1", "LOT-2"} and "contract-sign" in err

    # Both sides sign each contract: the buyer first; each supplier finds its own and countersigns.
    buyer_pem = _party_identity(stack, "E2E Kommune", tmp_path / "buyer.pem")
    for contract_id in contracts.values():
        signed = _ok(
            stack.cli(
                "tender", "contract-sign", contract_id, "--identity", str(buyer_pem), *officer
            )
        )
        assert "buyer_signed" in signed
    for _cvr, key, _lots, name in suppliers[:2]:  # a won LOT-2, b won LOT-1
        mine = _ok(stack.cli("tender", "contracts", "--tender", tender_id, *api, "--key", key))
        assert len(mine.splitlines()) == 1, mine
        contract_id = mine.split()[1]
        pem = _party_identity(stack, f"Leverandør {name}", tmp_path / f"{name}.pem")
        signed = _ok(
            stack.cli(
                "tender", "contract-sign", contract_id, "--identity", str(pem), *api, "--key", key
            )
        )
        assert signed.strip().endswith(": signed")
    listed = _ok(stack.cli("tender", "contracts", "--tender", tender_id, *officer))
    assert listed.count(" signed ") == 2, listed
    _ok(stack.cli("audit", "verify"))
