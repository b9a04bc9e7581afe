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
    expires_in_days: Annotated[
        int, typer.Option(min=1, max=3650, help="the key stops working after this many days")
    ] = 365,
) -> None:
    """Create an API key for an organisation with one role; the key is printed once."""
    from datetime import timedelta

    from gateway.bootstrap import get_container
    from gateway.db.base import utcnow
    from gateway.tenancy.service import create_key, get_organisation_by_cvr

    with get_container().db.transaction() as s:
        organisation = get_organisation_by_cvr(s, org)
        created = create_key(
            s,
            organisation=organisation,
            role=role,
            name=name,
            actor="cli",
            expires_at=utcnow() + timedelta(days=expires_in_days),
        )
    typer.echo(created.key)
    typer.secho("store this key now: it cannot be shown again", err=True, fg=typer.colors.YELLOW)


@key_app.command("list")
@friendly_errors
def key_list(org: Annotated[str, typer.Option(help="CVR of the organisation")]) -> None:
    """The organisation's keys: id, client, roles, status, expiry and last use (JSON lines)."""
    from gateway.bootstrap import get_container
    from gateway.tenancy.key_lifecycle import list_keys
    from gateway.tenancy.service import get_organisation_by_cvr

    with get_container().db.transaction() as s:
        keys = list_keys(s, organisation_id=get_organisation_by_cvr(s, org).id)
    for k in keys:
        typer.echo(
            json.dumps(
                {
                    "key_id": k.key_id,
                    "name": k.name,
                    "roles": list(k.roles),
                    "status": k.status,
                    "created_at": k.created_at.isoformat(),
                    "expires_at": k.expires_at.isoformat() if k.expires_at else None,
                    "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
                    "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
                    "replaces": k.replaces,
                }
            )
        )


@key_app.command("revoke")
@friendly_errors
def key_revoke(
    key: Annotated[str, typer.Argument(help="the key id (or the whole key)")],
    org: Annotated[str, typer.Option(help="CVR of the organisation")],
) -> None:
    """Revoke a key at once (audited)."""
    from gateway.bootstrap import get_container
    from gateway.tenancy.key_lifecycle import revoke_key
    from gateway.tenancy.service import get_organisation_by_cvr

    with get_container().db.transaction() as s:
        info = revoke_key(
            s, organisation_id=get_organisation_by_cvr(s, org).id, key=key, actor="cli"
        )
    typer.echo(f"revoked {info.key_id} ({info.name})")


@key_app.command("rotate")
@friendly_errors
def key_rotate(
    key: Annotated[str, typer.Argument(help="the key id (or the whole key)")],
    org: Annotated[str, typer.Option(help="CVR of the organisation")],
    grace_minutes: Annotated[
        int, typer.Option(min=0, max=7 * 24 * 60, help="how long the old key keeps working")
    ] = 0,
    expires_in_days: Annotated[int, typer.Option(min=1, max=3650)] = 365,
) -> None:
    """Replace a key by a new one for the same client and roles; the new key is printed once."""
    from datetime import timedelta

    from gateway.bootstrap import get_container
    from gateway.db.base import utcnow
    from gateway.tenancy.key_lifecycle import rotate_key
    from gateway.tenancy.service import get_organisation_by_cvr

    with get_container().db.transaction() as s:
        created = rotate_key(
            s,
            organisation_id=get_organisation_by_cvr(s, org).id,
            key=key,
            actor="cli",
            grace=timedelta(minutes=grace_minutes),
            expires_at=utcnow() + timedelta(days=expires_in_days),
        )
    typer.echo(created.key)
    typer.secho("store this key now: it cannot be shown again", err=True, fg=typer.colors.YELLOW)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute every audit chain and check it against the checkpoints; exit 1 naming what broke."""
    from gateway.audit.anchoring import Anchoring, check_against_log
    from gateway.audit.service import verify_chains
    from gateway.bootstrap import get_container

    anchoring = Anchoring.from_settings(settings())
    log = anchoring.read()
    with get_container().db.transaction() as s:
        total, breaks = verify_chains(s)
        anchored = check_against_log(s, log)
    for problem in log.problems:
        typer.secho(f"CHECKPOINT {problem}", fg=typer.colors.RED, err=True)
    for b in [*breaks, *anchored]:
        typer.secho(f"BROKEN {b}", fg=typer.colors.RED, err=True)
    if breaks or anchored or log.problems:
        raise typer.Exit(1)
    latest = log.latest
    if latest is None:
        typer.echo(
            f"audit chain intact: {total} entries verified (no checkpoint yet: not anchored)"
        )
        return
    typer.echo(
        f"audit chain intact: {total} entries verified; {len(log.leaves)} anchored by "
        f"{len(log.checkpoints)} checkpoints (latest {latest.number}, tree {latest.tree_size}, "
        f"root {latest.root_hash[:16]}…)"
    )


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign, time-stamp and write a checkpoint over every entry added since the last one."""
    from gateway.audit.anchoring import Anchoring, make_checkpoint
    from gateway.bootstrap import get_container
    from gateway.db.base import utcnow
    from gateway.errors import GatewayError

    anchoring = Anchoring.from_settings(settings())
    try:
        with get_container().db.transaction() as s:
            cp = make_checkpoint(s, anchoring, now=utcnow())
    except GatewayError as exc:
        typer.secho(f"error: {exc.detail}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    if cp is None:
        typer.echo("nothing new since the last checkpoint")
        return
    typer.echo(
        json.dumps(
            {
                "checkpoint": cp.number,
                "tree_size": cp.tree_size,
                "root_hash": cp.root_hash,
                "new_entries": len(cp.leaves),
                "file": str(anchoring.folder.path_of(cp.number)),
            }
        )
    )


@audit_app.command("prove")
@friendly_errors
def audit_prove(
    from_: Annotated[int, typer.Option("--from", help="the earlier checkpoint number")],
    to: Annotated[int, typer.Option("--to", help="the later checkpoint number")],
) -> None:
    """Print an RFC 9162 consistency proof between two checkpoints (JSON)."""
    from gateway.audit.anchoring import Anchoring, prove

    log = Anchoring.from_settings(settings()).read()
    typer.echo(json.dumps(prove(log, from_, to), indent=1))


@audit_app.command("verify-proof")
def audit_verify_proof(
    proof_file: Annotated[typer.FileText, typer.Argument(help="the proof (JSON), - for stdin")],
) -> None:
    """Check a consistency proof against the signed checkpoints; exit 1 when it fails."""
    from gateway.audit.anchoring import Anchoring, verify_proof

    try:
        proof = json.loads(proof_file.read())
    except ValueError as exc:
        typer.secho(f"error: the proof is not JSON: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    log = Anchoring.from_settings(settings()).read()
    problem = verify_proof(log, proof)
    if problem is not None:
        typer.secho(f"PROOF FAILS: {problem}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo(
        f"consistent: checkpoint {proof['from']['checkpoint']} (tree {proof['from']['tree_size']}) "
        f"is a prefix of checkpoint {proof['to']['checkpoint']} (tree {proof['to']['tree_size']})"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(org_app, name="org")
    app.add_typer(key_app, name="key")
    app.add_typer(audit_app, name="audit")
