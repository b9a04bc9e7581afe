"""`gateway artefacts ...`: install, verify and list the official artefact sets.

Exit codes: 0 ok, 1 verification failure (missing or altered file), 2 usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from schemas import artefacts as store

__all__ = ["app", "default_artefacts_dir"]

app = typer.Typer(
    name="artefacts",
    help="Install, verify and list the official schemas, rule sets and test suites.",
    no_args_is_help=True,
)

_EXIT_FAILED = 1
_EXIT_USAGE = 2

FromOpt = Annotated[
    Path | None,
    typer.Option(
        "--from", help="Directory holding the artefact sets (default: ../shared/artefacts)."
    ),
]
ToOpt = Annotated[
    Path | None,
    typer.Option(
        "--to", help="Artefact directory (default: $GW_ARTEFACTS_DIR or $GW_DATA_DIR/artefacts)."
    ),
]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="Only this set (repeatable).")]


def default_artefacts_dir() -> Path:
    """The gateway's artefact directory (settings: GW_ARTEFACTS_DIR, else GW_DATA_DIR/artefacts)."""
    from gateway.settings import Settings

    # Read the environment now: the command may run long after settings were cached.
    return Settings().effective_artefacts_dir


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


TaxonomyOpt = Annotated[
    Path | None,
    typer.Option(
        "--taxonomy",
        help="Install this taxonomy package (e.g. the Business Authority's newest ÅRL zip) "
        "instead of the artefact sets; its SHA-256 is recorded and checked by verify.",
    ),
]


def _fetch(dest: Path, sets: list[str] | None, mirror: str | None) -> None:
    from schemas.fetch import DownloadFailed, fetch

    manifest = store.load_manifest()
    # Every set when none is named: those with a known location now, the rest named after.
    rest = [] if sets else [a.name for a in manifest.sets.values() if not a.download]
    chosen = sets or [a.name for a in manifest.sets.values() if a.download]
    try:
        report = fetch(
            dest,
            cache=dest / ".download",
            sets=chosen,
            manifest=manifest,
            mirror=mirror,
            say=lambda line: typer.echo(line, err=True),
        )
    except store.ArtefactUsageError as exc:
        raise _fail(f"install refused: {exc.detail}", _EXIT_USAGE) from exc
    except DownloadFailed as exc:
        raise _fail(f"download failed: {exc.detail}", _EXIT_FAILED) from exc
    except store.ArtefactError as exc:
        raise _fail(f"install refused: {exc.detail}", _EXIT_FAILED) from exc
    for name in report.installed:
        typer.echo(f"installed {name} (downloaded, every file's SHA-256 checked)")
    typer.echo(f"{len(report.installed)} installed, {len(report.skipped)} up to date in {dest}")
    if rest:
        raise _fail(
            f"no official download location is known for {', '.join(rest)}: "
            "install them with --from DIR (a copy such as ../shared/artefacts)",
            _EXIT_USAGE,
        )


@app.command("install")
def install_cmd(
    source: FromOpt = None,
    target: ToOpt = None,
    sets: SetOpt = None,
    taxonomy: TaxonomyOpt = None,
    mirror: Annotated[
        str | None,
        typer.Option(
            "--mirror",
            help="Fetch the official archives from this mirror of their download locations "
            "(same paths), instead of from the publishers.",
        ),
    ] = None,
) -> None:
    """Install the artefact sets, checking every file's SHA-256.

    From --from DIR, else ../shared/artefacts beside the project, else each set's
    official download location named in the manifest (resumed when run again).
    """
    if taxonomy is not None:
        _install_taxonomy(taxonomy, target if target is not None else default_artefacts_dir())
        return
    dest = target if target is not None else default_artefacts_dir()
    if source is None and (mirror is not None or not store.has_default_source()):
        _fetch(dest, sets, mirror)
        return
    try:
        src = source if source is not None else store.default_source()
    except store.ArtefactError as exc:
        raise _fail(exc.detail, _EXIT_USAGE) from exc
    try:
        report = store.install(src, dest, sets=sets or None)
    except store.ArtefactUsageError as exc:
        raise _fail(f"install refused: {exc.detail}", _EXIT_USAGE) from exc
    except store.ArtefactError as exc:
        raise _fail(f"install refused: {exc.detail}", _EXIT_FAILED) from exc
    except OSError as exc:
        raise _fail(f"install failed: {exc}", _EXIT_FAILED) from exc
    for name in report.installed:
        typer.echo(f"installed {name}")
    for name in report.skipped:
        typer.echo(f"up to date {name}")
    for name in report.derived:
        typer.echo(f"compiled {name}")
    typer.echo(f"{len(report.installed)} installed, {len(report.skipped)} up to date in {dest}")


def _install_taxonomy(package: Path, dest: Path) -> None:
    from schemas import xbrl

    try:
        installed, sha = xbrl.install_taxonomy(package, dest)
    except (ValueError, OSError) as exc:
        raise _fail(f"install refused: {exc}", _EXIT_FAILED) from exc
    typer.echo(f"installed taxonomy {installed.identifier} ({installed.name}), sha256 {sha}")
    for entry in installed.entry_points:
        typer.echo(f"  entry point {entry}")


@app.command("verify")
def verify_cmd(target: ToOpt = None, sets: SetOpt = None) -> None:
    """Hash every installed file and name each one that is missing or altered."""
    dest = target if target is not None else default_artefacts_dir()
    if not dest.is_dir():
        raise _fail(
            f"no artefact directory at {dest}: run `gateway artefacts install`", _EXIT_FAILED
        )
    try:
        report = store.verify(dest, sets=sets or None)
    except store.ArtefactError as exc:
        raise _fail(exc.detail, _EXIT_USAGE) from exc
    for rel in report.missing:
        typer.echo(f"missing {rel}", err=True)
    for rel in report.altered:
        typer.echo(f"altered {rel}", err=True)
    from schemas import xbrl

    taxonomies = xbrl.altered_taxonomies(dest)
    for name in taxonomies:
        typer.echo(f"altered {xbrl.TAXONOMIES}/{name}", err=True)
    if not report.checked:
        raise _fail(f"no artefact set is installed in {dest}", _EXIT_FAILED)
    if not report.ok or taxonomies:
        raise typer.Exit(_EXIT_FAILED)
    typer.echo(f"{len(report.checked)} set(s) verified in {dest}")


@app.command("list")
def list_cmd(target: ToOpt = None) -> None:
    """List the artefact sets of the manifest and whether each is installed."""
    dest = target if target is not None else default_artefacts_dir()
    for s in store.list_sets(dest):
        mark = "installed" if s.installed else "-"
        typer.echo(f"{s.name:<24} {s.version:<36} {s.files:>5} files  {mark}")


@app.command("manifest")
def manifest_cmd(
    source: FromOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Where to write (default: the packaged manifest)."),
    ] = None,
) -> None:
    """Hash an artefact mirror and write the manifest (name, version, source, SHA-256 per file)."""
    try:
        src = source if source is not None else store.default_source()
    except store.ArtefactError as exc:
        raise _fail(exc.detail, _EXIT_USAGE) from exc
    if not src.is_dir():
        raise _fail(f"{src} is not a directory", _EXIT_USAGE)
    try:
        manifest = store.build_manifest(src)
    except store.ArtefactError as exc:
        raise _fail(exc.detail, _EXIT_FAILED) from exc
    path = output if output is not None else store.MANIFEST_PATH
    store.write_manifest(manifest, path)
    count = sum(len(s.files) for s in manifest.sets.values())
    typer.echo(f"wrote {path}: {len(manifest.sets)} sets, {count} files")
