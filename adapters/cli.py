"""``gateway ingest FILE --org CVR``: check a ledger export, then store it as a ledger version.

Exit codes: 0 stored (or already stored), 1 failure, 2 the file or the request
was refused (the problems are listed with file, line and element).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["register"]

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
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    org: Annotated[str, typer.Option("--org", help="CVR number of the organisation")],
    format: Annotated[
        str | None, typer.Option("--format", help="saft, sie4 or csv (detected if absent)")
    ] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="CSV mapping profile")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Import a ledger export (SAF-T, SIE 4, CSV by profile) as a new ledger version."""
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
            )
            summary = ledger_summary(outcome.ledger, created=outcome.created)
    except AdapterError as exc:
        problems = exc.extensions.get("problems") or []
        typer.secho(f"error: {exc.detail}", fg=typer.colors.RED, err=True)
        _print_problems(list(problems))
        raise typer.Exit(2) from None
    except GatewayError as exc:
        typer.secho(f"error: {exc.detail}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2 if exc.status in (400, 404, 409, 422) else 1) from None
    except OSError as exc:
        typer.secho(f"error: cannot read {file}: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
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
