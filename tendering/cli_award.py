"""``gateway tender`` commands after the opening and around it.

``award`` takes the next step (propose, standstill, award) and says what
comes after it; ``contracts`` lists the contracts a party signs; ``search``
finds published tenders without a key; ``member-keygen`` makes a committee
member's key pair and prints what ``tender committee --member`` takes.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer

from gateway.cli.common import EXIT_USAGE
from tendering import share_delivery
from tendering.cli_common import Client, Key, Url, echo, fail

__all__ = ["attach"]

_STEPS = {"propose": "award-proposal", "standstill": "standstill", "award": "award"}
# What comes next from each status in which the award command has something to do.
_NEXT_STEP = {"evaluated": "propose", "award_proposed": "standstill", "standstill": "award"}

Json = Annotated[bool, typer.Option("--json", help="print the API's JSON answer")]


def _say(line: str) -> None:
    typer.echo(line)


def _next(line: str) -> None:
    typer.secho(f"next: {line}", fg=typer.colors.CYAN, err=True)


def tender_award(
    tender_id: str,
    step: Annotated[
        str | None,
        typer.Option(help="propose, standstill or award (default: the step the tender is at)"),
    ] = None,
    as_json: Json = False,
    url: Url = None,
    key: Key = None,
) -> None:
    """Propose the award, notify bidders and start the standstill, or award after it."""
    client = Client(url, key)
    if step is None:
        status = client.json("GET", f"/v1/tenders/{tender_id}")["status"]
        step = _NEXT_STEP.get(status)
        if step is None:
            hint = "evaluate the opened bids first" if status == "opened" else "nothing to award"
            fail(f"the tender is {status}: {hint}")
    if step not in _STEPS:
        fail(f"--step is one of {', '.join(_STEPS)}", EXIT_USAGE)
    out = client.json("POST", f"/v1/tenders/{tender_id}/{_STEPS[step]}")
    if as_json:
        echo(out)
        return
    if step == "propose":
        for a in out:
            _say(f"{a['lot_id']}: bid {a['bid_id']} proposed for {a['value']} {a['currency']}")
        _next(
            f"gateway tender award {tender_id} --step standstill"
            "   (notifies every bidder and starts the standstill)"
        )
    elif step == "standstill":
        ends = out["standstill_ends"]
        _say(f"bidders notified; the standstill runs until {ends}")
        _next(f"gateway tender award {tender_id} --step award   (from {ends} on)")
    else:
        _print_contracts(out)
        _next(
            "gateway tender contract-sign <contract> --identity <buyer certificate>"
            "   (the buyer signs first, then the supplier countersigns)"
        )


def _print_contracts(contracts: list[dict[str, Any]]) -> None:
    for k in contracts:
        _say(
            f"contract {k['contract_id']}  {k['lot_id']}  {k['status']:<12}  "
            f"{k['supplier_name']} (CVR {k['supplier_cvr']})  {k['value']} {k['currency']}  "
            f"{k['starts_at'][:10]}..{k['ends_at'][:10]}"
        )


def tender_contracts(
    tender: Annotated[str | None, typer.Option(help="only this tender's contracts")] = None,
    as_json: Json = False,
    url: Url = None,
    key: Key = None,
) -> None:
    """The contracts your organisation is party to, as buyer or as supplier."""
    params = {"tender_id": tender} if tender else {}
    out = Client(url, key).json("GET", "/v1/contracts", params=params)
    if as_json:
        echo(out)
    elif not out:
        _say("no contracts")
    else:
        _print_contracts(out)


def _day(value: str | None, option: str, *, end: bool) -> str | None:
    if value is None:
        return None
    try:
        moment = (
            datetime.combine(date.fromisoformat(value), time.max if end else time.min, UTC)
            if len(value) == 10
            else datetime.fromisoformat(value)
        )
    except ValueError:
        fail(f"{option} {value!r}: write a date (2026-12-31) or a time with its zone", EXIT_USAGE)
    if moment.tzinfo is None:
        fail(f"{option} {value!r}: give the time zone (…+01:00 or …Z)", EXIT_USAGE)
    return moment.isoformat()


def tender_search(
    text: Annotated[str | None, typer.Argument(help="words in the title or description")] = None,
    cpv: Annotated[str | None, typer.Option(help="CPV code or its leading digits")] = None,
    buyer: Annotated[str | None, typer.Option(help="buyer's CVR or part of its name")] = None,
    deadline_after: Annotated[
        str | None, typer.Option(help="deadline on or after (date or time)")
    ] = None,
    deadline_before: Annotated[
        str | None, typer.Option(help="deadline on or before (date or time)")
    ] = None,
    open_only: Annotated[
        bool, typer.Option("--open", help="only tenders still taking bids")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: Json = False,
    url: Url = None,
) -> None:
    """Find published tenders (no API key needed): text, CPV, buyer and deadline filters."""
    params = {
        "q": text,
        "cpv": cpv,
        "buyer": buyer,
        "deadline_after": _day(deadline_after, "--deadline-after", end=False),
        "deadline_before": _day(deadline_before, "--deadline-before", end=True),
        "limit": limit,
    }
    if open_only and not params["deadline_after"]:
        from gateway.clock import now

        params["deadline_after"] = now().isoformat()
    client = Client(url, None, public=True)
    r = client.call(
        "GET", "/v1/public/tenders", params={k: v for k, v in params.items() if v is not None}
    )
    found = r.json()
    if open_only:
        found = [t for t in found if t["status"] in ("published", "invited")]
    if as_json:
        echo(found)
        return
    total = r.headers.get("X-Total-Count", str(len(found)))
    for t in found:
        _say(
            f"{t['id']}  {t['reference']:<14} {t['status']:<18} CPV {t['cpv_code']}  "
            f"deadline {t['timeline']['deadline']}  {t['title']}"
        )
    _say(f"{len(found)} shown of {total} matching")
    if found:
        _next("gateway bid tender-key <tender> --out tender.pub   (then seal and submit a bid)")


def member_keygen(
    out: Annotated[
        Path, typer.Option("--out", help="file for the private key (default: member.key)")
    ] = Path("member.key"),
    url: Url = None,
    key: Key = None,
) -> None:
    """Make a committee member's key pair; prints PRINCIPAL_ID=PUBLIC_KEY for the committee.

    With your API key (``--key`` or ``GW_API_KEY``) the line names your principal id,
    ready for ``gateway tender committee <tender> --member …``; without one, the
    public key alone is printed.
    """
    if out.exists():
        fail(f"{out} exists; not overwriting a key (give another --out)")
    principal = None
    if key or os.environ.get("GW_API_KEY"):
        principal = Client(url, key).json("GET", "/v1/me")["principal_id"]
    k = share_delivery.new_member_key()
    out.write_text(share_delivery.member_private_key_text(k) + "\n")
    out.chmod(0o600)
    public = share_delivery.member_public_key_text(k)
    typer.echo(f"{principal}={public}" if principal else public)
    typer.echo(f"private key written to {out}: keep it, it opens your share", err=True)
    if principal:
        typer.echo(
            f"the buyer runs: gateway tender committee <tender> --member {principal}=…", err=True
        )


def attach(app: typer.Typer) -> None:
    """Add these commands to ``gateway tender``."""
    app.command("award")(tender_award)
    app.command("contracts")(tender_contracts)
    app.command("search")(tender_search)
    app.command("member-keygen")(member_keygen)
