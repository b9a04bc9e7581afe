"""``gateway order`` and ``gateway invoice``: ordering and invoicing for buyers and suppliers.

API clients: they act with an API key (``--key`` or ``GW_API_KEY``) against a
gateway (``--url`` or ``GW_PUBLIC_URL``). Exit codes (``gateway.cli.common``): 0 done, 1 refused or failed, 2 usage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import httpx
import typer

from gateway.cli.common import EXIT_REFUSED, EXIT_USAGE, api_key, fail, http_failure, usage_error

__all__ = ["invoice_app", "order_app", "register"]

order_app = typer.Typer(help="Orders against contracts and their responses.", no_args_is_help=True)
invoice_app = typer.Typer(
    help="Invoices and credit notes over Peppol, and invoice responses.", no_args_is_help=True
)

Url = Annotated[str | None, typer.Option("--url", help="gateway URL (default: GW_PUBLIC_URL)")]
Key = Annotated[str | None, typer.Option("--key", help="API key (default: GW_API_KEY)")]
OrderRef = Annotated[
    str, typer.Argument(help="the order's number (the same on both sides) or its id")
]
InvoiceRef = Annotated[
    str, typer.Argument(help="the invoice's number (the same on both sides) or its id")
]
Json = Annotated[bool, typer.Option("--json", help="print the full JSON answer")]


def _fail(message: str, code: int = EXIT_REFUSED) -> NoReturn:
    fail(message, code)


def _call(url: str | None, key: str | None, method: str, path: str, **kwargs: Any) -> Any:
    from gateway.settings import get_settings

    base = (url or get_settings().effective_public_url).rstrip("/")
    token = api_key(key)
    try:
        with httpx.Client(
            base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            r = http.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        _fail(f"cannot reach the gateway at {base}: {exc}")
    if r.status_code >= 400:
        try:
            body = r.json()
        except ValueError:
            body = None
        http_failure(r.status_code, body, r.text)
    return r.json()


def _pairs(items: list[str], option: str) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            _fail(f"{option} {item!r}: write ITEM=QUANTITY", EXIT_USAGE)
        out[name] = value
    return out


def _show(doc: Any, as_json: bool, line: str) -> None:
    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False) if as_json else line)


def _order_line(o: dict[str, Any]) -> str:
    return (
        f"{o['id']}  {o['side']:<8} {o['number']:<16} {o['status']:<22} "
        f"{o['total']} {o['currency']}  {o['counterparty']}"
    )


def _invoice_line(i: dict[str, Any]) -> str:
    amount = f"{i['payable_amount']} {i['currency']}" if i["payable_amount"] else "-"
    return (
        f"{i['id']}  {i['side']:<8} {i['number']:<16} {i['status']:<22} "
        f"{amount}  {i['counterparty']}"
    )


# -- orders -------------------------------------------------------------------


@order_app.command("create")
def order_create(
    contract: Annotated[str, typer.Option("--contract", help="the signed contract's id")],
    item: Annotated[list[str], typer.Option("--item", help="ITEM=QUANTITY (contract line id)")],
    number: Annotated[str | None, typer.Option("--number")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    url: Url = None,
    key: Key = None,
    as_json: Json = False,
) -> None:
    """Order against a contract at its prices (buyer); sent to the supplier over Peppol."""
    body: dict[str, Any] = {"contract_id": contract, "quantities": _pairs(item, "--item")}
    if number:
        body["number"] = number
    if note:
        body["note"] = note
    o = _call(url, key, "POST", "/v1/orders", json=body)
    _show(o, as_json, f"order {o['number']} ({o['id']}) sent to {o['counterparty']}")


@order_app.command("list")
def order_list(
    side: Annotated[str | None, typer.Option("--side", help="buyer or supplier")] = None,
    url: Url = None,
    key: Key = None,
    as_json: Json = False,
) -> None:
    """Orders placed or received."""
    page = _call(url, key, "GET", "/v1/orders", params={"side": side} if side else None)
    if as_json:
        _show(page, True, "")
        return
    for o in page["items"]:
        typer.echo(_order_line(o))


@order_app.command("show")
def order_show(order_id: OrderRef, url: Url = None, key: Key = None) -> None:
    """One order with its status and the supplier's response."""
    _show(_call(url, key, "GET", f"/v1/orders/{order_id}"), True, "")


@order_app.command("respond")
def order_respond(
    order_id: OrderRef,
    decision: Annotated[
        str, typer.Option("--decision", help="accept, reject or accept_with_changes")
    ],
    change: Annotated[
        list[str] | None,
        typer.Option("--change", help="LINE=QUANTITY for accept_with_changes"),
    ] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    url: Url = None,
    key: Key = None,
) -> None:
    """Answer a received order (supplier) with a Peppol Order Response."""
    changes = [
        {"line_id": line, "quantity": qty} for line, qty in _pairs(change or [], "--change").items()
    ]
    body: dict[str, Any] = {"decision": decision, "changes": changes}
    if note:
        body["note"] = note
    o = _call(url, key, "POST", f"/v1/orders/{order_id}/response", json=body)
    typer.echo(f"order {o['number']}: {o['status']} ({o['response_code']})")


# -- invoices -------------------------------------------------------------------


@invoice_app.command("create")
def invoice_create(
    number: Annotated[str, typer.Option("--number", help="the invoice number")],
    order: Annotated[
        str | None, typer.Option("--order", help="a received order's number or id")
    ] = None,
    contract: Annotated[str | None, typer.Option("--contract")] = None,
    item: Annotated[list[str] | None, typer.Option("--item", help="ITEM=QUANTITY")] = None,
    order_reference: Annotated[str | None, typer.Option("--order-reference")] = None,
    kind: Annotated[str, typer.Option("--kind", help="invoice or credit_note")] = "invoice",
    syntax: Annotated[str | None, typer.Option("--syntax", help="bis3 or oioubl")] = None,
    url: Url = None,
    key: Key = None,
    as_json: Json = False,
) -> None:
    """Build and send an invoice from an order or a contract (supplier)."""
    if item and not contract:
        usage_error("--item needs --contract: an invoice from --order takes the order's lines")
    body: dict[str, Any] = {"number": number, "kind": kind}
    if order:
        body["order_id"] = order
    if contract:
        body["contract_id"] = contract
        body["quantities"] = _pairs(item or [], "--item")
    if order_reference:
        body["order_reference"] = order_reference
    if syntax:
        body["syntax"] = syntax
    i = _call(url, key, "POST", "/v1/invoices", json=body)
    _show(
        i,
        as_json,
        f"{i['kind']} {i['number']} ({i['id']}) sent to {i['counterparty']} as {i['syntax']}",
    )


@invoice_app.command("send")
def invoice_send(
    file: Annotated[Path, typer.Argument(help="a BIS 3 or OIOUBL invoice or credit note")],
    recipient: Annotated[str | None, typer.Option("--recipient")] = None,
    url: Url = None,
    key: Key = None,
) -> None:
    """Send the supplier's own document as it is (to the buyer's endpoint by default)."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        _fail(f"cannot read {file}: {exc.strerror}")
    i = _call(
        url,
        key,
        "POST",
        "/v1/invoices/documents",
        content=data,
        params={"recipient": recipient} if recipient else None,
        headers={"Content-Type": "application/xml"},
    )
    typer.echo(f"{i['kind']} {i['number']} ({i['id']}) sent to {i['counterparty']}")


@invoice_app.command("list")
def invoice_list(
    side: Annotated[str | None, typer.Option("--side", help="issued or received")] = None,
    status: Annotated[str | None, typer.Option("--status")] = None,
    url: Url = None,
    key: Key = None,
    as_json: Json = False,
) -> None:
    """Invoices issued or received, newest first."""
    params = {k: v for k, v in (("side", side), ("status", status)) if v}
    page = _call(url, key, "GET", "/v1/invoices", params=params)
    if as_json:
        _show(page, True, "")
        return
    for i in page["items"]:
        typer.echo(_invoice_line(i))


@invoice_app.command("show")
def invoice_show(invoice_id: InvoiceRef, url: Url = None, key: Key = None) -> None:
    """One invoice: status, matching reasons, findings, the last response."""
    _show(_call(url, key, "GET", f"/v1/invoices/{invoice_id}"), True, "")


@invoice_app.command("respond")
def invoice_respond(
    invoice_id: InvoiceRef,
    status: Annotated[str, typer.Option("--status", help="AB IP UQ CA RE AP PD")],
    note: Annotated[str | None, typer.Option("--note")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="e.g. PRI, QTY, REF")] = None,
    url: Url = None,
    key: Key = None,
) -> None:
    """Answer a received invoice (buyer) with a Peppol Invoice Response."""
    body: dict[str, Any] = {"status": status.upper()}
    if note:
        body["note"] = note
    if reason:
        body["reason"] = reason.upper()
    i = _call(url, key, "POST", f"/v1/invoices/{invoice_id}/response", json=body)
    typer.echo(
        f"invoice {i['number']}: {i['status']} ({i['response_code']}) sent to {i['counterparty']}"
    )


def register(app: typer.Typer) -> None:
    """Add ``order`` and ``invoice`` to the ``gateway`` command."""
    app.add_typer(order_app, name="order")
    app.add_typer(invoice_app, name="invoice")
