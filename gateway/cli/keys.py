"""``gateway keys``: make development keys and show what certificates are in place (never secrets)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography import x509

from gateway.signing.errors import KeyStoreError
from gateway.signing.keys import KeyPaths, certificate_fingerprint, init_keys

__all__ = ["app", "default_keys_dir"]

app = typer.Typer(help="Development keys and certificates.", no_args_is_help=True)

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="Key directory (default: $GW_KEYS_DIR or $GW_DATA_DIR/keys)."),
]


def default_keys_dir() -> Path:
    """``$GW_KEYS_DIR``, else ``$GW_DATA_DIR/keys`` with ``GW_DATA_DIR`` defaulting to ``./var``."""
    explicit = os.environ.get("GW_KEYS_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("GW_DATA_DIR", "var")) / "keys"


def _describe(path: Path) -> dict[str, Any]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return {
        "file": path.name,
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256": certificate_fingerprint(cert),
    }


@app.command("init")
def init_command(
    directory: DirOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing keys.")] = False,
    if_missing: Annotated[
        bool,
        typer.Option("--if-missing", help="Keep a complete set already there (exit 0)."),
    ] = False,
    org_name: Annotated[
        str, typer.Option("--org", help="Organisation name in the certificates.")
    ] = "Gateway development",
    key_size: Annotated[int, typer.Option("--key-size", hidden=True)] = 3072,
) -> None:
    """Create a development CA, the signing certificate and sandbox TLS certificates."""
    target = directory or default_keys_dir()
    if if_missing and not force and all(p.exists() for p in KeyPaths.under(target).files()):
        typer.echo(f"keys already in place in {target.resolve()}")
        return
    try:
        paths = init_keys(target, org_name=org_name, overwrite=force, key_size=key_size)
    except KeyStoreError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"keys written to {paths.directory.resolve()}")
    for path in paths.files():
        typer.echo(f"  {path.name}")


@app.command("show")
def show_command(
    directory: DirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show subject, issuer, validity and fingerprint of each certificate (no private data)."""
    paths = KeyPaths.under(directory or default_keys_dir())
    certs = [
        paths.ca_cert,
        paths.signing_cert,
        paths.tls_server_cert,
        paths.tls_client_cert,
    ]
    present = [p for p in certs if p.exists()]
    if not present:
        typer.echo(f"no certificates in {paths.directory}; run `gateway keys init`", err=True)
        raise typer.Exit(1)
    try:
        described = [_describe(p) for p in present]
    except ValueError as exc:
        typer.echo(f"error: a certificate in {paths.directory} cannot be read", err=True)
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(described, indent=2))
        return
    for item in described:
        typer.echo(item["file"])
        for key in ("subject", "issuer", "serial", "not_before", "not_after", "sha256"):
            typer.echo(f"  {key:<10} {item[key]}")
