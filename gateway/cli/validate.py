"""`gateway validate FILE...`: validate documents against the official schemas and rules.

Exit codes: 0 every file is valid; 1 some file is invalid, including XML the
hardened parser refuses (DTD, entities, too deep, malformed: reported as a fatal
finding ``XML-REFUSED`` or ``XML-MALFORMED``, and Saxon never sees it), a
document no plan fits (finding ``NO-PLAN``) and a rule set that stopped on a
dynamic error (finding ``RULESET-ERROR`` with the error code; the other layers
still report); 2 usage errors: no file, an unreadable file, an unknown plan
name, or rules that are not installed.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from gateway.cli.artefacts import default_artefacts_dir
from schemas import engine, plans, xmlsafe
from schemas.report import Finding, ValidationReport
from schemas.validation import ENGINES, Validator

__all__ = ["register", "validate_cmd"]

_OK, _INVALID, _USAGE = 0, 1, 2
NO_PLAN = "NO-PLAN"


def _refused(exc: xmlsafe.XmlError, name: str) -> ValidationReport:
    rule = "XML-REFUSED" if isinstance(exc, xmlsafe.HostileXmlError) else "XML-MALFORMED"
    location = f"line {exc.line}" if exc.line else "/"
    finding = Finding(rule, "fatal", location, exc.detail, "XML")
    return ValidationReport(plan="none", findings=[finding], document=name)


def _no_plan(exc: plans.NoPlanError, name: str) -> ValidationReport:
    finding = Finding(NO_PLAN, "fatal", "/", exc.detail, "plan")
    return ValidationReport(plan="none", findings=[finding], document=name)


def _json_line(name: str, report: ValidationReport | None, error: str | None = None) -> str:
    body: dict[str, Any] = {"file": name}
    if report is None:
        body.update({"valid": False, "plan": None, "findings": [], "error": error})
    else:
        body.update(
            {
                "valid": report.valid,
                "plan": report.plan,
                "findings": [
                    {k: v for k, v in f.to_dict().items() if k != "ruleset"}
                    for f in report.findings
                ],
            }
        )
    return json.dumps(body, ensure_ascii=False)


def _serve(artefacts: Path | None, engine_name: str, port: int, workers: int) -> None:
    from gateway.cli.validate_serve import ValidationServer

    if engine_name not in ENGINES:
        typer.echo(f"error: --engine must be one of {', '.join(ENGINES)}", err=True)
        raise typer.Exit(_USAGE)
    server = ValidationServer(
        artefacts if artefacts is not None else default_artefacts_dir(),
        port=port,
        workers=workers or None,
        engine=engine_name,
    )
    typer.echo(
        f"validating on http://127.0.0.1:{server.port}/validate with {server.workers} "
        f"worker processes ({engine_name}); Ctrl-C stops",
        err=True,
    )

    def stop(*_: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops as Ctrl-C does: the worker processes with it

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _list_plans() -> None:
    for p in plans.list_plans():
        roots = ", ".join(p.roots) if p.roots else "any UBL document"
        typer.echo(f"{p.name:<34} {p.title}  [{roots}]")


def validate_cmd(
    files: Annotated[list[Path] | None, typer.Argument(help="XML documents to validate.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per file per line.")
    ] = False,
    plan: Annotated[
        str | None, typer.Option("--plan", help="Use this plan instead of detecting one.")
    ] = None,
    artefacts: Annotated[
        Path | None, typer.Option("--artefacts", help="Installed artefact directory.")
    ] = None,
    list_plans: Annotated[
        bool, typer.Option("--list-plans", help="List the plans and exit.")
    ] = False,
    engine_name: Annotated[
        str,
        typer.Option(
            "--engine",
            help="Rule engine: saxon (the official stylesheets) or compiled "
            "(gated rules over the parsed tree, Saxon for the rest).",
        ),
    ] = "saxon",
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Serve POST /validate on 127.0.0.1:--port with a pool of --workers processes.",
        ),
    ] = False,
    port: Annotated[int, typer.Option("--port", help="Port for --serve.")] = 8091,
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes for --serve (default: CPUs).")
    ] = 0,
) -> None:
    """Validate documents: XSD plus the official Schematron rules for their type."""
    if list_plans:
        _list_plans()
        return
    if serve:
        _serve(artefacts, engine_name, port, workers)
        return
    if not files:
        typer.echo("error: name at least one FILE (or --list-plans)", err=True)
        raise typer.Exit(_USAGE)
    if engine_name not in ENGINES:
        typer.echo(f"error: --engine must be one of {', '.join(ENGINES)}", err=True)
        raise typer.Exit(_USAGE)
    validator = Validator(
        artefacts if artefacts is not None else default_artefacts_dir(), engine=engine_name
    )
    worst = _OK
    tally = {"valid": 0, "invalid": 0, "unreadable": 0}
    with _progress(len(files)) as step:
        for path in files:
            step(str(path))
            worst = max(worst, _validate_one(validator, path, plan, as_json, tally))
    if len(files) > 1:
        # The summary goes to stderr so that --json output stays one object per line.
        typer.echo(
            f"{len(files)} files: {tally['valid']} valid, {tally['invalid']} invalid"
            + (f", {tally['unreadable']} not checked" if tally["unreadable"] else ""),
            err=True,
        )
    raise typer.Exit(worst)


@contextmanager
def _progress(count: int) -> Iterator[Callable[[str], None]]:
    """A bar on stderr for many files when a person watches (a terminal), else nothing."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("validating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
        disable=count < 2 or not console.is_terminal,
    )
    with bar:
        task = bar.add_task("", total=count)
        seen = 0

        def step(name: str) -> None:
            nonlocal seen
            bar.update(task, completed=seen, description=Path(name).name)
            seen += 1

        yield step
        bar.update(task, completed=count)


def _validate_one(
    validator: Validator, path: Path, plan: str | None, as_json: bool, tally: dict[str, int]
) -> int:
    """Validate one file, print its report; the exit code it deserves."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        message = f"cannot read {name}: {exc.strerror or exc}"
        typer.echo(
            _json_line(name, None, message) if as_json else f"error: {message}", err=not as_json
        )
        tally["unreadable"] += 1
        return _USAGE
    try:
        report = validator.validate(data, plan=plan, name=name)
    except xmlsafe.XmlError as exc:
        report = _refused(exc, name)
    except plans.UnknownPlanError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(_USAGE) from exc
    except plans.NoPlanError as exc:
        report = _no_plan(exc, name)
    except engine.EngineError as exc:
        typer.echo(
            _json_line(name, None, exc.detail) if as_json else f"error: {name}: {exc.detail}",
            err=not as_json,
        )
        tally["unreadable"] += 1
        return _USAGE
    tally["valid" if report.valid else "invalid"] += 1
    typer.echo(_json_line(name, report) if as_json else report.to_text())
    return _OK if report.valid else _INVALID


def register(app: typer.Typer) -> None:
    """Mount ``validate`` on the top-level ``gateway`` command."""
    app.command("validate")(validate_cmd)
