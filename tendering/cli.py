"""``gateway tender`` (officers, committee members) and ``gateway bid`` (suppliers).

The officer and supplier commands are API clients: they act with an API key
(``--key`` or ``GW_API_KEY``) against a gateway (``--url`` or
``GW_PUBLIC_URL``). ``gateway bid keygen`` and ``gateway bid seal`` work
offline: the bid is signed and encrypted on the supplier's machine, so the
gateway never sees it in plain text. Exit codes: 0 done, 1 failure, 2 refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from pathlib import Path
from typing import Annotated

import httpx
import typer
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from pydantic import ValidationError

from gateway.cli.common import EXIT_USAGE
from tendering import cli_award, payloads, sealing, share_delivery
from tendering.cli_common import Client, Key, Url, echo, fail, read_doc
from tendering.errors import TenderingError

__all__ = ["bid_app", "register", "tender_app"]

tender_app = typer.Typer(
    help="Tenders: create, publish, open, award, sign contracts.", no_args_is_help=True
)
bid_app = typer.Typer(help="Sealed bids on the supplier's side.", no_args_is_help=True)
cli_award.attach(tender_app)

# -- officers -------------------------------------------------------------------


@tender_app.command("create")
def tender_create(
    file: Annotated[Path, typer.Argument(help="tender as TOML or JSON")],
    url: Url = None,
    key: Key = None,
) -> None:
    """Create a draft tender from a file (lots, criteria, timeline, k of n)."""
    doc = read_doc(file)
    try:
        tender = payloads.TenderCreate.model_validate(doc)
    except ValidationError as exc:
        fail(f"{file}: {exc.error_count()} problems:\n{exc}")
    _future_deadlines(file, tender)
    made = Client(url, key).json(
        "POST", "/v1/tenders", json=json.loads(json.dumps(doc, default=str))
    )
    echo(made)
    typer.echo(
        f"next: each committee member runs `gateway tender member-keygen`, then "
        f"gateway tender committee {made['id']} --member PRINCIPAL_ID=PUBLIC_KEY …",
        err=True,
    )


def _future_deadlines(file: Path, tender: payloads.TenderCreate) -> None:
    """A deadline already past can never be met: refuse the file before anything is stored."""
    from gateway.clock import now as clock_now

    now = clock_now()
    t = tender.timeline
    for name, value in (
        ("timeline.deadline", t.deadline),
        ("timeline.questions_deadline", t.questions_deadline),
        ("timeline.request_deadline", t.request_deadline),
    ):
        if value is not None and value <= now:
            fail(
                f"{file}: {name} {value.isoformat()} has already passed (now {now:%Y-%m-%dT%H:%M:%SZ})"
            )


@tender_app.command("committee")
def tender_committee(
    tender_id: str,
    member: Annotated[
        list[str], typer.Option("--member", help="PRINCIPAL_ID=PUBLIC_KEY (from member-keygen)")
    ],
    url: Url = None,
    key: Key = None,
) -> None:
    """Name the opening committee (each member with its public key)."""
    members = []
    for m in member:
        principal, _, public = m.partition("=")
        if not public:
            fail(f"--member {m!r}: write PRINCIPAL_ID=PUBLIC_KEY", EXIT_USAGE)
        members.append({"principal_id": principal, "public_key": public})
    echo(
        Client(url, key).json(
            "PUT", f"/v1/tenders/{tender_id}/committee", json={"members": members}
        )
    )


@tender_app.command("publish")
def tender_publish(tender_id: str, url: Url = None, key: Key = None) -> None:
    """Publish: the opening key is made and the shares go out sealed to the members."""
    t = Client(url, key).json("POST", f"/v1/tenders/{tender_id}/publish")
    typer.echo(
        f"published {t['reference']} ({t['id']}); deadline {t['timeline']['deadline']}; "
        f"key {t['key_fingerprint'][:16]}…"
    )
    typer.echo(
        f"next: suppliers run `gateway bid tender-key {t['id']}`; after the deadline "
        f"k members run `gateway tender open {t['id']} --member-key member.key`",
        err=True,
    )


@tender_app.command("show")
def tender_show(tender_id: str, url: Url = None, key: Key = None) -> None:
    """Show a tender as its buyer sees it."""
    echo(Client(url, key).json("GET", f"/v1/tenders/{tender_id}"))


@tender_app.command("open")
def tender_open(
    tender_id: str,
    member_key: Annotated[
        Path, typer.Option("--member-key", help="your committee private key (from member-keygen)")
    ] = Path("member.key"),
    url: Url = None,
    key: Key = None,
) -> None:
    """Hand in your share (opened locally with your key); the k-th share opens the bids."""
    client = Client(url, key)
    sealed = client.json("GET", f"/v1/tenders/{tender_id}/committee/share")
    try:
        private = share_delivery.load_member_private_key(member_key.read_text())
        share = share_delivery.open_share(sealed["sealed_share"], private)
    except OSError as exc:
        fail(f"cannot read {member_key}: {exc.strerror}")
    except TenderingError as exc:
        fail(exc.detail)
    result = client.json("POST", f"/v1/tenders/{tender_id}/shares", json={"share": share})
    if not result["opened"]:
        typer.echo(f"share handed in: {result['shares']} of {result['threshold']} needed")
        return
    typer.echo(f"opened with {result['shares']} shares:")
    for b in result["record"]["bids"]:
        mark = "ok" if b["readable"] and b["signature_valid"] else f"PROBLEM: {b['problem']}"
        typer.echo(
            f"  bid {b['bid_id']} from {b['supplier_id']} sha256 {b['envelope_sha256'][:16]}… {mark}"
        )
    typer.echo(f"next: the buyer runs `gateway tender evaluate {tender_id}`", err=True)


@tender_app.command("requests")
def tender_requests(tender_id: str, url: Url = None, key: Key = None) -> None:
    """List the requests to participate in a restricted tender."""
    echo(Client(url, key).json("GET", f"/v1/tenders/{tender_id}/participation-requests"))


@tender_app.command("select")
def tender_select(
    tender_id: str,
    candidate: Annotated[list[str], typer.Option("--candidate", help="request id to invite")],
    not_qualified: Annotated[
        list[str] | None,
        typer.Option("--not-qualified", help="REQUEST_ID=REASON for a candidate that fails"),
    ] = None,
    url: Url = None,
    key: Key = None,
) -> None:
    """Select the candidates of a restricted tender (after the request deadline)."""
    failed = {}
    for item in not_qualified or []:
        request_id, _, reason = item.partition("=")
        if not reason.strip():
            fail(f"--not-qualified {item!r}: write REQUEST_ID=REASON", EXIT_USAGE)
        failed[request_id] = reason.strip()
    body = {"selected": candidate, "not_qualified": failed}
    echo(Client(url, key).json("POST", f"/v1/tenders/{tender_id}/selection", json=body))


@tender_app.command("evaluate")
def tender_evaluate(
    tender_id: str,
    points: Annotated[
        Path | None, typer.Option(help="JSON {lot: {bid: {criterion: points}}}")
    ] = None,
    url: Url = None,
    key: Key = None,
) -> None:
    """Score and rank the opened bids."""
    body = {"points": read_doc(points)} if points else {"points": {}}
    echo(Client(url, key).json("POST", f"/v1/tenders/{tender_id}/evaluation", json=body))
    typer.echo(
        f"next: gateway tender award {tender_id}   (proposes the best-ranked bid of each lot)",
        err=True,
    )


@tender_app.command("contract-sign")
def contract_sign(
    contract_id: str,
    identity: Annotated[Path, typer.Option(help="your signing certificate (PKCS#12 or PEM)")],
    password: Annotated[str | None, typer.Option(help="password of the identity file")] = None,
    url: Url = None,
    key: Key = None,
) -> None:
    """Sign (buyer) or countersign (supplier) a contract with a detached XAdES signature."""
    from gateway.signing import SigningError, load_signing_identity, sign_detached
    from tendering.contracts import contract_uri

    client = Client(url, key)
    document = client.call("GET", f"/v1/contracts/{contract_id}/document").content
    try:
        signer = load_signing_identity(identity, password)
        signature = sign_detached(
            document, signer, uri=contract_uri(contract_id), mime_type="application/json"
        )
    except SigningError as exc:
        fail(exc.detail)
    out = client.json(
        "POST", f"/v1/contracts/{contract_id}/signatures", json={"signature": signature.decode()}
    )
    typer.echo(f"contract {contract_id}: {out['status']}")


# -- suppliers ------------------------------------------------------------------


@bid_app.command("keygen")
def bid_keygen(
    out: Annotated[Path, typer.Option("--out", help="file for the private signing key (PEM)")],
    password: Annotated[
        str | None, typer.Option(envvar="GW_BID_KEY_PASSWORD", help="encrypt the key")
    ] = None,
) -> None:
    """Make a supplier signing key; prints the public key to register with the gateway."""
    if out.exists():
        fail(f"{out} exists; not overwriting a key")
    k = sealing.new_supplier_key()
    out.write_bytes(
        sealing.supplier_private_key_pem(k, password=password.encode() if password else None)
    )
    out.chmod(0o600)
    typer.echo(sealing.supplier_public_key_pem(k).decode(), nl=False)


@bid_app.command("tender-key")
def bid_tender_key(
    tender_id: str, out: Annotated[Path, typer.Option("--out")], url: Url = None
) -> None:
    """Fetch a published tender's opening key (no API key needed) into a file."""
    from gateway.settings import get_settings

    base = (url or get_settings().effective_public_url).rstrip("/")
    try:
        r = httpx.get(f"{base}/v1/public/tenders/{tender_id}", timeout=30)
    except httpx.HTTPError as exc:
        fail(f"cannot reach the gateway at {base}: {exc}")
    if r.status_code != 200:
        fail(f"tender {tender_id}: {r.status_code}")
    t = r.json()
    out.write_text(
        json.dumps(
            {"id": t["id"], "public_key": t["public_key"], "key_fingerprint": t["key_fingerprint"]}
        )
    )
    typer.echo(f"tender {t['reference']}: key {t['key_fingerprint'][:16]}… written to {out}")


def _tender_key(path: Path) -> tuple[str, X25519PublicKey]:
    doc = read_doc(path)
    try:
        public = X25519PublicKey.from_public_bytes(
            base64.b64decode(doc["public_key"], validate=True)
        )
        return str(doc["id"]), public
    except (KeyError, TypeError, ValueError) as exc:
        fail(f"{path} is not a tender key (from `gateway bid tender-key`): {exc}")


@bid_app.command("seal")
def bid_seal(
    tender_key: Annotated[Path, typer.Option("--tender-key", help="the tender's key file")],
    supplier_key: Annotated[Path, typer.Option("--supplier-key", help="your signing key (PEM)")],
    supplier: Annotated[str, typer.Option("--supplier", help="your CVR number")],
    infile: Annotated[Path, typer.Option("--in", help="the bid (JSON)")],
    outfile: Annotated[Path, typer.Option("--out", help="where the sealed bid goes")],
    password: Annotated[str | None, typer.Option(envvar="GW_BID_KEY_PASSWORD")] = None,
) -> None:
    """Sign and encrypt a bid offline, for the tender's committee only."""
    tender_id, public = _tender_key(tender_key)
    doc = read_doc(infile)
    try:
        payloads.BidContent.model_validate(doc)
    except ValidationError as exc:
        fail(f"{infile} is not a valid bid: {exc.error_count()} problems:\n{exc}")
    try:
        signing = sealing.load_supplier_private_key(
            supplier_key.read_bytes(), password=password.encode() if password else None
        )
    except OSError as exc:
        fail(f"cannot read {supplier_key}: {exc.strerror}")
    except TenderingError as exc:
        fail(exc.detail)
    bid_id = str(uuid.uuid4())
    envelope = sealing.seal_bid(
        json.dumps(doc, sort_keys=True).encode(),
        tender_id=tender_id,
        supplier_id=supplier.removeprefix("DK"),
        bid_id=bid_id,
        tender_public_key=public,
        signing_key=signing,
    ).to_bytes()
    outfile.write_bytes(envelope)
    echo(
        {
            "bid_id": bid_id,
            "tender_id": tender_id,
            "lots": sorted(doc["lots"]),
            "sha256": hashlib.sha256(envelope).hexdigest(),
        }
    )


@bid_app.command("register-key")
def bid_register_key(
    public: Annotated[Path, typer.Argument(help="public key PEM from keygen")],
    url: Url = None,
    key: Key = None,
) -> None:
    """Register your public signing key with the gateway."""
    out = Client(url, key).json(
        "POST", "/v1/supplier-keys", json={"public_key_pem": public.read_text()}
    )
    typer.echo(f"registered key {out['fingerprint']}")


@bid_app.command("submit")
def bid_submit(
    tender_id: str,
    infile: Annotated[Path, typer.Option("--in", help="the sealed bid")],
    lots: Annotated[list[str], typer.Option("--lot", help="lots the bid covers")],
    receipt: Annotated[Path | None, typer.Option(help="write the signed receipt here")] = None,
    replaces: Annotated[str | None, typer.Option(help="bid id this replaces")] = None,
    url: Url = None,
    key: Key = None,
) -> None:
    """Submit a sealed bid; the gateway answers with a signed TenderReceipt."""
    envelope = infile.read_bytes()
    body = {
        "lot_ids": lots,
        "envelope": base64.b64encode(envelope).decode(),
        "replaces_bid_id": replaces,
    }
    out = Client(url, key).json("POST", f"/v1/tenders/{tender_id}/bids", json=body)
    if out["envelope_sha256"] != hashlib.sha256(envelope).hexdigest():
        fail("the receipt names another hash than the bid sent")
    if receipt:
        receipt.write_text(out["receipt_xml"])
    typer.echo(
        f"bid {out['bid_id']} received at {out['received_at']}; sha256 {out['envelope_sha256']}"
    )


@bid_app.command("request")
def bid_request(
    tender_id: str,
    espd: Annotated[
        Path, typer.Option(help="ESPD response (UBL 2.3 QualificationApplicationResponse)")
    ],
    url: Url = None,
    key: Key = None,
) -> None:
    """Request to participate in a restricted tender, with your ESPD response."""
    body = {"espd_response": base64.b64encode(espd.read_bytes()).decode()}
    out = Client(url, key).json(
        "POST", f"/v1/tenders/{tender_id}/participation-requests", json=body
    )
    typer.echo(f"request {out['id']} received at {out['received_at']}")


@bid_app.command("participation")
def bid_participation(tender_id: str, url: Url = None, key: Key = None) -> None:
    """Show your request to participate and whether you were selected."""
    echo(Client(url, key).json("GET", f"/v1/tenders/{tender_id}/my-participation"))


@bid_app.command("withdraw")
def bid_withdraw(bid_id: str, url: Url = None, key: Key = None) -> None:
    """Withdraw your bid (before the deadline)."""
    out = Client(url, key).json("POST", f"/v1/bids/{bid_id}/withdraw")
    typer.echo(f"bid {out['id']}: {out['status']}")


def register(app: typer.Typer) -> None:
    """Add ``tender``, ``bid`` and ``notice`` to the ``gateway`` command."""
    app.add_typer(tender_app, name="tender")
    app.add_typer(bid_app, name="bid")
    from tendering.cli_notice import notice_app

    app.add_typer(notice_app, name="notice")
