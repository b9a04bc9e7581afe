"""Administration: database migrations, organisations, API keys, the audit chain."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from gateway.cli.common import friendly_errors, settings

__all__ = ["register"]

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
org_app = typer.Typer(help="Organisations (identified by CVR number).", no_args_is_help=True)
key_app = typer.Typer(help="API keys (stored hashed; shown once).", no_args_is_help=True)
audit_app = typer.Typer(help="The audit chain.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="target revision")] = "heads",
) -> None:
    """Apply the database migrations (creates the database when it is SQLite)."""
    from gateway.db.migrate import upgrade

    url = settings().effective_database_url
    upgrade(url, revision)
    typer.echo(f"database at revision {revision}")


@org_app.command("create")
@friendly_errors
def org_create(
    cvr: Annotated[str, typer.Option(help="CVR number (8 digits)")],
    name: Annotated[str, typer.Option(help="legal name")],
) -> None:
    """Create an organisation."""
    from gateway.bootstrap import get_container
    from gateway.tenancy.service import create_organisation

    with get_container().db.transaction() as s:
        org = create_organisation(s, cvr=cvr, name=name, actor="cli")
        typer.echo(json.dumps({"id": org.id, "cvr": org.cvr, "name": org.name}))


@key_app.command("create")
@friendly_errors
def key_create(
    org: Annotated[str, typer.Option(help="CVR of the organisation")],
    role: Annotated[
        str, typer.Option(help="reporter, buyer, opening_member, supplier, auditor or admin")
    ],
    name: Annotated[str, typer.Option(help="a name for the client")] = "api client",
) -> None:
    """Create an API key for an organisation with one role; the key is printed once."""
    from gateway.bootstrap import get_container
    from gateway.tenancy.service import create_key, get_organisation_by_cvr

    with get_container().db.transaction() as s:
        organisation = get_organisation_by_cvr(s, org)
        created = create_key(s, organisation=organisation, role=role, name=name, actor="cli")
    typer.echo(created.key)
    typer.secho("store this key now: it cannot be shown again", err=True, fg=typer.colors.YELLOW)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute every audit chain; exit 1 naming the first broken entry."""
    from gateway.audit.service import verify_chains
    from gateway.bootstrap import get_container

    with get_container().db.transaction() as s:
        total, breaks = verify_chains(s)
    if breaks:
        for b in breaks:
            typer.secho(f"BROKEN {b}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {total} entries verified")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(org_app, name="org")
    app.add_typer(key_app, name="key")
    app.add_typer(audit_app, name="audit")
