"""``gateway tender`` and ``gateway bid`` against a gateway served on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gateway.app import create_app
from gateway.bootstrap import Container
from gateway.cli import app
from tests.support.live import serve_in_thread
from tests.tendering.conftest import Clock
from tests.tendering.flow import (
    MEMBERS,
    MakeOrg,
    bidder,
    espd_response,
    publish,
    restricted_body,
    tender_body,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def url(gw: Container) -> Iterator[str]:
    with serve_in_thread(create_app(gw, mount_sandbox=False)) as base:
        yield base


def _run(*args: str) -> tuple[int, str]:
    """Exit code and what a user reads: stdout when it worked (hints go to stderr), else both."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def _toml(body: dict[str, object]) -> str:
    lines = []
    for k, v in body.items():
        if isinstance(v, str | int) or (isinstance(v, list) and all(isinstance(x, str) for x in v)):
            lines.append(f"{k} = {json.dumps(v)}")
    t = body["timeline"]
    assert isinstance(t, dict)
    lines.append(f"[timeline]\ndeadline = {json.dumps(t['deadline'])}")
    for lot in body["lots"]:  # type: ignore[attr-defined]
        lines.append("[[lots]]")
        for k in ("lot_id", "title", "award_method", "estimated_value"):
            lines.append(f"{k} = {json.dumps(lot[k])}")
        for c in lot["criteria"]:
            lines.append("[[lots.criteria]]")
            lines.extend(f"{k} = {json.dumps(v)}" for k, v in c.items())
    return "\n".join(lines) + "\n"


def test_officer_and_supplier_commands_run_a_tender_with_an_offline_sealed_bid(
    url: str, new_org: MakeOrg, clock: Clock, tmp_path: Path
) -> None:
    buyer = new_org("buyer", *MEMBERS, name="Kommune CLI")
    supplier = new_org("supplier", name="Leverandør CLI")
    officer = ["--url", url, "--key", buyer.keys["buyer"]]
    body = tender_body(clock)
    body["timeline"] = {"deadline": body["timeline"]["deadline"]}  # type: ignore[index]
    (tmp_path / "tender.toml").write_text(_toml(body))
    code, out = _run("tender", "create", str(tmp_path / "tender.toml"), *officer)
    assert code == 0, out
    tender_id = json.loads(out)["id"]

    members = []
    for m in MEMBERS:
        code, public = _run("tender", "member-keygen", "--out", str(tmp_path / f"{m}.key"))
        assert code == 0, public
        members += ["--member", f"{buyer.principals[m]}={public.strip()}"]
    assert _run("tender", "committee", tender_id, *members, *officer)[0] == 0
    code, out = _run("tender", "publish", tender_id, *officer)
    assert code == 0 and "published" in out, out

    # The supplier side: key, tender key, seal offline, register, submit.
    code, pem = _run("bid", "keygen", "--out", str(tmp_path / "supplier.key"))
    assert code == 0 and "BEGIN PUBLIC KEY" in pem
    (tmp_path / "supplier.pub").write_text(pem)
    assert (
        _run("bid", "keygen", "--out", str(tmp_path / "supplier.key"))[0] == 1
    )  # never overwrites
    assert (
        _run("bid", "tender-key", tender_id, "--out", str(tmp_path / "tender.pub"), "--url", url)[0]
        == 0
    )
    (tmp_path / "bid.json").write_text(json.dumps({"lots": {"LOT-1": {"price": "250000.00"}}}))
    seal = [
        "bid",
        "seal",
        "--tender-key",
        str(tmp_path / "tender.pub"),
        "--supplier-key",
        str(tmp_path / "supplier.key"),
        "--supplier",
        supplier.cvr,
        "--out",
        str(tmp_path / "bid.sealed"),
    ]
    code, out = _run(*seal, "--in", str(tmp_path / "bid.json"))
    assert code == 0, out
    assert b"250000" not in (tmp_path / "bid.sealed").read_bytes()
    (tmp_path / "bad.json").write_text(json.dumps({"lots": {"LOT-1": {"price": "-1"}}}))
    code, out = _run(*seal, "--in", str(tmp_path / "bad.json"))
    assert code == 1 and "not a valid bid" in out
    sup = ["--url", url, "--key", supplier.keys["supplier"]]
    assert _run("bid", "register-key", str(tmp_path / "supplier.pub"), *sup)[0] == 0
    code, out = _run(
        "bid",
        "submit",
        tender_id,
        "--in",
        str(tmp_path / "bid.sealed"),
        "--lot",
        "LOT-1",
        "--receipt",
        str(tmp_path / "receipt.xml"),
        *sup,
    )
    assert code == 0, out
    assert b"TenderReceipt" in (tmp_path / "receipt.xml").read_bytes()

    # The committee opens with two of three shares, each opened with the member's own key.
    code, out = _run(
        "tender",
        "open",
        tender_id,
        "--member-key",
        str(tmp_path / f"{MEMBERS[0]}.key"),
        "--url",
        url,
        "--key",
        buyer.keys[MEMBERS[0]],
    )
    assert code == 1 and "deadline" in out  # too early: refused, exit 1
    clock.set(datetime.fromisoformat(str(body["timeline"]["deadline"])) + timedelta(seconds=1))  # type: ignore[index]
    for m in MEMBERS[:2]:
        code, out = _run(
            "tender",
            "open",
            tender_id,
            "--member-key",
            str(tmp_path / f"{m}.key"),
            "--url",
            url,
            "--key",
            buyer.keys[m],
        )
        assert code == 0, out
    assert "opened with 2 shares" in out and "ok" in out
    code, out = _run("tender", "show", tender_id, *officer)
    assert json.loads(out)["status"] == "opened"
    code, out = _run("tender", "show", tender_id, "--url", url, "--key", supplier.keys["supplier"])
    assert code == 1 and "403" in out


def test_restricted_tender_requests_and_selection_from_the_command_line(
    url: str, api: TestClient, new_org: MakeOrg, clock: Clock, tmp_path: Path
) -> None:
    p = publish(api, clock, new_org, body=restricted_body(clock))
    officer = ["--url", url, "--key", p.buyer.keys["buyer"]]
    candidates = [bidder(api, new_org, name) for name in ("Alfa CLI", "Beta CLI")]
    for who in candidates:
        espd = tmp_path / f"{who.org.cvr}.xml"
        espd.write_bytes(espd_response(p.tender["reference"], who))
        sup = ["--url", url, "--key", who.org.keys["supplier"]]
        code, out = _run("bid", "request", p.id, "--espd", str(espd), *sup)
        assert code == 0 and "received" in out, out
    (tmp_path / "bad.xml").write_bytes(b"<not-espd/>")
    code, out = _run(
        "bid", "request", p.id, "--espd", str(tmp_path / "bad.xml"), "--url", url,
        "--key", candidates[0].org.keys["supplier"],
    )  # fmt: skip
    assert code == 1 and "422" in out

    code, out = _run("tender", "requests", p.id, *officer)
    assert code == 0, out
    ids = {r["supplier_cvr"]: r["id"] for r in json.loads(out)}
    alfa, beta = (ids[who.org.cvr] for who in candidates)
    clock.set(datetime.fromisoformat(p.tender["timeline"]["request_deadline"]))
    code, out = _run(
        "tender", "select", p.id, "--candidate", alfa, "--not-qualified", f"{beta}=no turnover",
        *officer,
    )  # fmt: skip
    assert code == 0, out
    assert {r["status"] for r in json.loads(out)} == {"selected", "not_selected"}
    beta_key = ["--url", url, "--key", candidates[1].org.keys["supplier"]]
    code, out = _run("bid", "participation", p.id, *beta_key)
    assert code == 0 and json.loads(out)["reason"] == "no turnover"


def test_search_finds_published_tenders_by_text_cpv_and_buyer_without_a_key(
    url: str, api: TestClient, new_org: MakeOrg, clock: Clock
) -> None:
    p = publish(api, clock, new_org)
    buyer = p.buyer.cvr
    code, out = _run("tender", "search", "--cpv", "909", "--buyer", buyer, "--url", url)
    assert code == 0 and p.id in out and "1 shown of 1 matching" in out, out
    code, out = _run("tender", "search", "skoler", "--buyer", buyer, "--json", "--url", url)
    assert code == 0 and [t["id"] for t in json.loads(out)] == [p.id]
    code, out = _run("tender", "search", "--cpv", "45", "--buyer", buyer, "--url", url)
    assert code == 0 and p.id not in out and "0 shown of 0" in out
    deadline = datetime.fromisoformat(p.tender["timeline"]["deadline"])
    after = (deadline + timedelta(days=1)).date().isoformat()
    before = (deadline + timedelta(days=1)).date().isoformat()
    assert p.id not in _run("tender", "search", "--buyer", buyer, "--deadline-after", after,
                            "--url", url)[1]  # fmt: skip
    assert p.id in _run("tender", "search", "--buyer", buyer, "--deadline-before", before,
                        "--url", url)[1]  # fmt: skip
    code, out = _run("tender", "search", "--deadline-after", "next week", "--url", url)
    assert code == 2 and "--deadline-after" in out
    naive = api.get("/v1/public/tenders", params={"deadline_after": "2030-01-01T00:00:00"})
    assert naive.status_code == 400 and "time zone" in naive.json()["detail"]


def test_award_says_what_comes_next_and_refuses_a_tender_not_yet_opened(
    url: str, api: TestClient, new_org: MakeOrg, clock: Clock, tmp_path: Path
) -> None:
    p = publish(api, clock, new_org)
    code, out = _run("tender", "award", p.id, "--url", url, "--key", p.buyer.keys["buyer"])
    assert code == 1 and "the tender is published: nothing to award" in out
    code, out = _run("tender", "award", p.id, "--step", "later", "--url", url, "--key",
                     p.buyer.keys["buyer"])  # fmt: skip
    assert code == 2 and "--step is one of propose, standstill, award" in out
    existing = tmp_path / "member.key"
    existing.write_text("mine")
    code, out = _run("tender", "member-keygen", "--out", str(existing))
    assert code == 1 and "not overwriting" in out and existing.read_text() == "mine"
