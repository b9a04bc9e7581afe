"""``gateway notice eforms``: an eForms contract notice from a tender file, offline.

The notice is built from the tender file (the format of ``gateway tender create``)
and a buyer file (organisation, review body, document and submission addresses),
then checked with the installed eForms SDK (XSD + Schematron) before it is written.
Exit codes: 0 written, 1 refused input (the message names the field or rule), 2 usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from gateway import clock
from tendering import payloads
from tendering.cli_common import fail, read_doc
from tendering.eforms import Buyer, NoticeBuildError, build_contract_notice
from tendering.eforms.build import SUPPORTED

__all__ = ["notice_app"]

notice_app = typer.Typer(help="Procurement notices for publication (eForms for TED).")


def _artefacts_dir() -> Path:
    from gateway.settings import Settings

    return Settings().effective_artefacts_dir


def _load(path: Path, model: type[payloads.TenderCreate] | type[Buyer], what: str):  # type: ignore[no-untyped-def]
    doc = read_doc(path)
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or what}: {e['msg']}" for e in exc.errors()
        )
        fail(f"{path}: {what} refused: {problems}", 1)


@notice_app.command("eforms")
def notice_eforms(
    tender: Annotated[Path, typer.Option("--tender", help="tender as TOML or JSON")],
    buyer: Annotated[
        Path, typer.Option("--buyer", help="buyer, review body and addresses (TOML or JSON)")
    ],
    out: Annotated[Path, typer.Option("--out", help="where to write the notice XML")],
    subtype: Annotated[str, typer.Option("--subtype", help="eForms notice subtype")] = "16",
    validate: Annotated[
        bool, typer.Option("--validate/--no-validate", help="check with the SDK's rules")
    ] = True,
) -> None:
    """Build an eForms contract notice (subtype 16: open or restricted) and check it."""
    if subtype not in SUPPORTED:
        fail(f"--subtype {subtype} is not supported; supported: {', '.join(SUPPORTED)}", 2)
    t = _load(tender, payloads.TenderCreate, "tender")
    b = _load(buyer, Buyer, "buyer")
    artefacts = _artefacts_dir()
    try:
        xml = build_contract_notice(
            t, b, artefacts_dir=artefacts, subtype=subtype, issued=clock.now()
        )
    except NoticeBuildError as exc:
        fail(exc.detail, 1)
    if validate:
        from schemas.validation import Validator

        report = Validator(artefacts).validate(xml, plan="eforms-sdk-1")
        errors = [f for f in report.findings if f.severity == "fatal"]
        if errors:
            lines = "\n".join(f"  {f.rule} at {f.location}: {f.message}" for f in errors[:50])
            fail(f"the notice breaks {len(errors)} eForms rules:\n{lines}", 1)
    out.write_bytes(xml)
    typer.echo(f"wrote {out} (eForms subtype {subtype}, {len(t.lots)} lot(s))")
