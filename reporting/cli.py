"""``gateway report vat|annual`` and ``gateway export saf-t``: reports from stored ledgers.

The commands work on the gateway's database directly (as ``gateway ingest``
does). Exit codes (``gateway.cli.common``): 0 done, 1 refused (no ledger for the
period, a report that does not validate, bad input) or failed, 2 usage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from gateway.cli.common import EXIT_REFUSED, fail

__all__ = ["register"]

report_app = typer.Typer(help="Reports from imported ledgers: VAT return, annual report.")
export_app = typer.Typer(help="Export an imported ledger in a standard format.")

Org = Annotated[str, typer.Option("--org", help="CVR number of the organisation")]


def _actor(session: Any, cvr: str) -> Any:
    from gateway.tenancy.models import Role
    from gateway.tenancy.service import Actor, get_organisation_by_cvr

    org = get_organisation_by_cvr(session, cvr)
    return Actor(
        principal_id="cli",
        principal_name=f"cli:{org.cvr}",
        home_organisation_id=org.id,
        organisation_id=org.id,
        organisation_cvr=org.cvr,
        roles=frozenset({Role.REPORTER}),
    )


def _exit_for(exc: Exception) -> None:
    from gateway.errors import GatewayError

    if isinstance(exc, GatewayError):
        fail(exc.detail)
    raise exc


@report_app.command("vat")
def report_vat(
    org: Org,
    period: Annotated[str, typer.Option("--period", help="2026-Q3, 2026-07, 2026-H1 or 2026")],
    as_json: Annotated[bool, typer.Option("--json", help="print the return as JSON")] = False,
) -> None:
    """Compute the VAT return of a period from the newest ledger covering it."""
    from gateway.bootstrap import get_container
    from reporting.service import report_json, vat_report

    c = get_container()
    try:
        with c.db.transaction() as s:
            report = vat_report(c, s, actor=_actor(s, org), period=period)
            shown = report_json(c, s, report)
    except Exception as exc:
        _exit_for(exc)
        return
    if as_json:
        typer.echo(json.dumps(shown, indent=2, default=str))
        return
    typer.echo(
        f"VAT return {shown['period']} ({shown['period_start']}..{shown['period_end']}) "
        f"from ledger {shown['ledger']['id']} version {shown['ledger']['version']}"
    )
    for name, value in shown["fields"].items():
        if value or name == "AfgiftTilsvar":
            typer.echo(f"  {name:<24} {value:>14,} DKK")


def _working(validate: bool) -> Any:
    """A spinner on stderr naming the slow step, when a person watches (a terminal)."""
    from contextlib import nullcontext

    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        return nullcontext()
    what = "building the annual report"
    if validate:
        what += " and validating it with Arelle (about a minute)"
    return console.status(what + " …")


@report_app.command("annual")
def report_annual(
    org: Org,
    year: Annotated[int, typer.Option("--year", help="the year the financial year ends in")],
    out: Annotated[Path, typer.Option("--out", help="where to write the report")],
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile",
            help="company profile (TOML or JSON; see examples/annual/profile.toml), "
            "with an optional [accounts] mapping",
        ),
    ] = None,
    company: Annotated[
        Path | None,
        typer.Option("--company", help="JSON: approval_date, chairman, … and 'accounts' mapping"),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help="xbrl (instance) or ixbrl (one XHTML document)")
    ] = "xbrl",
    validate: Annotated[
        bool, typer.Option("--validate/--no-validate", help="run Arelle now (slow)")
    ] = True,
) -> None:
    """Build the annual report (pre-checked; validated by Arelle unless told not to)."""
    import tomllib

    from gateway.bootstrap import get_container
    from reporting.service import annual_report

    if format not in ("xbrl", "ixbrl"):
        typer.secho(f"error: --format {format!r}: use xbrl or ixbrl", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    extra: dict[str, Any] = {}
    source = profile or company
    if source is not None:
        try:
            text = source.read_text("utf-8")
            extra = tomllib.loads(text) if source.suffix == ".toml" else json.loads(text)
        except (OSError, ValueError) as exc:
            typer.secho(f"error: {source}: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from None
    accounts = extra.pop("accounts", None)
    c = get_container()
    try:
        with _working(validate), c.db.transaction() as s:
            report = annual_report(
                c,
                s,
                actor=_actor(s, org),
                year=year,
                company=extra,
                accounts=accounts,
                validate="inline" if validate else "none",
                format=format,
            )
            assert report.document_hash is not None
            out.write_bytes(c.blobs.get(report.document_hash))
            status, validation = report.status, report.validation or {}
    except Exception as exc:
        _exit_for(exc)
        return
    typer.echo(f"{out}: annual report {year}, {status}")
    findings = list(validation.get("precheck") or [])
    findings += list((validation.get("arelle") or {}).get("findings") or [])
    for f in findings[:30]:
        typer.echo(f"  {f.get('severity')}: {f.get('rule')}: {f.get('message')}", err=True)
    if status == "invalid":
        raise typer.Exit(EXIT_REFUSED)


@export_app.command("saf-t")
def export_saft_command(
    org: Org,
    period: Annotated[str, typer.Option("--period", help="a period the ledger covers, e.g. 2025")],
    out: Annotated[Path, typer.Option("--out", help="the SAF-T 1.30 file to write")],
) -> None:
    """Write the ledger as SAF-T Financial 1.30, validated against the XSD."""
    from gateway.bootstrap import get_container
    from gateway.tenancy.service import get_organisation_by_cvr
    from reporting.service import export_saft_file

    c = get_container()
    try:
        with c.db.transaction() as s:
            organisation = get_organisation_by_cvr(s, org)
            summary = export_saft_file(
                c, s, organisation_id=organisation.id, period=period, out=out
            )
    except Exception as exc:
        _exit_for(exc)
        return
    typer.echo(
        f"{out}: SAF-T 1.30, valid against the XSD; {summary.transactions} transactions, "
        f"{summary.lines} lines, {summary.accounts} accounts"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
    app.add_typer(export_app, name="export")
