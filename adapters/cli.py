"""``gateway ingest FILE --org CVR``: check a ledger export, then store it as a ledger version.

Exit codes (``gateway.cli.common``): 0 stored (or the same file already stored the
same way), 1 the file or the request was refused (the problems are listed with
file, line and element) or the import failed, 2 usage.
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from gateway.cli.common import EXIT_REFUSED, fail, usage_error

__all__ = ["register"]

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])|H([12])))?$")


def _period(label: str) -> tuple[date, date]:
    """``2025-Q3``, ``2025-07``, ``2025-H1`` or ``2025`` as its first and last day."""
    m = _PERIOD.match(label.strip().upper())
    if not m:
        usage_error(f"--period {label!r}: write YYYY, YYYY-MM, YYYY-Qn or YYYY-Hn")
    year = int(m.group(1))
    first, count = 1, 12
    if m.group(2):
        first, count = int(m.group(2)), 1
    elif m.group(3):
        first, count = 3 * int(m.group(3)) - 2, 3
    elif m.group(4):
        first, count = 6 * int(m.group(4)) - 5, 6
    last = first + count - 1
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def _list_profiles() -> None:
    from adapters.mapping import list_profiles

    for p in list_profiles():
        typer.echo(f"{p.name}  ({p.kind}) {p.description}")
        for field_name, rule in p.columns.items():
            heads = " | ".join(rule.names) if rule.names else ""
            if rule.pattern is not None:
                heads = f"/{rule.pattern.pattern}/"
            typer.echo(f"    {field_name:<15} {heads}")


_LARGE = 8 * 1024 * 1024  # files above this get a progress bar


def _print_problems(problems: list[dict[str, Any]], *, limit: int = 50) -> None:
    for p in problems[:limit]:
        where = p.get("file", "") + (f":{p['line']}" if p.get("line") else "")
        element = f" [{p['element']}]" if p.get("element") else ""
        typer.secho(
            f"  {where}:{element} {p.get('severity', 'error')}: {p.get('message')}",
            err=True,
            fg=typer.colors.RED if p.get("severity", "error") == "error" else typer.colors.YELLOW,
        )
    if len(problems) > limit:
        typer.echo(f"  … and {len(problems) - limit} more", err=True)


def ingest(
    file: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False, readable=True)] = None,
    org: Annotated[str | None, typer.Option("--org", help="CVR number of the organisation")] = None,
    format: Annotated[
        str | None, typer.Option("--format", help="saft, sie4 or csv (detected if absent)")
    ] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="CSV mapping profile")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", help="the period the file is for (2025-Q3); postings must lie in it"
        ),
    ] = None,
    list_profiles: Annotated[
        bool, typer.Option("--list-profiles", help="list the CSV profiles and their columns")
    ] = False,
) -> None:
    """Import a ledger export (SAF-T, SIE 4, CSV by profile) as a new ledger version."""
    if list_profiles:
        _list_profiles()
        return
    if file is None or org is None:
        usage_error("give the FILE to import and --org CVR (or --list-profiles)")
    stated = _period(period) if period else None
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from adapters.errors import AdapterError
    from adapters.service import import_ledger, ledger_summary
    from gateway.bootstrap import get_container
    from gateway.errors import GatewayError
    from gateway.tenancy.service import get_organisation_by_cvr

    c = get_container()
    size = file.stat().st_size
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        transient=True,
        disable=size < _LARGE or as_json,
    )
    try:
        with bar, c.db.transaction() as s:
            checking = bar.add_task("checking", total=size)
            storing = bar.add_task("storing", total=size, visible=False)

            def on_check(done: int, total: int) -> None:
                bar.update(checking, completed=done)

            def on_store(done: int, total: int) -> None:
                bar.update(storing, completed=done, visible=True)

            organisation = get_organisation_by_cvr(s, org)
            outcome = import_ledger(
                s,
                organisation_id=organisation.id,
                organisation_cvr=organisation.cvr,
                organisation_name=organisation.name,
                path=file,
                actor=f"cli:{organisation.cvr}",
                format=format,
                profile=profile,
                artefacts_dir=c.settings.effective_artefacts_dir,
                check_progress=on_check,
                store_progress=on_store,
                period=stated,
            )
            summary = ledger_summary(outcome.ledger, created=outcome.created)
    except AdapterError as exc:
        problems = exc.extensions.get("problems") or []
        typer.secho(f"error: {exc.detail}", fg=typer.colors.RED, err=True)
        _print_problems(list(problems))
        raise typer.Exit(EXIT_REFUSED) from None
    except GatewayError as exc:
        fail(exc.detail)
    except OSError as exc:
        fail(f"cannot read {file}: {exc}")
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    verb = "stored as" if outcome.created else "already stored as"
    counts = summary["counts"]
    typer.echo(
        f"{file.name}: {verb} ledger {summary['id']} version {summary['version']} "
        f"({summary['period_start']}..{summary['period_end']}, "
        f"{counts.get('transactions', 0)} transactions, {counts.get('lines', 0)} lines, "
        f"{counts.get('accounts', 0)} accounts)"
    )
    for w in summary["warnings"][:10]:
        typer.secho(f"  warning: {w.get('message')}", fg=typer.colors.YELLOW, err=True)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
