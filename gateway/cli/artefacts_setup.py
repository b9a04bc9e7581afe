"""Installing the official artefacts on an embedded start, when a source is at hand."""

from __future__ import annotations

import typer

from gateway.settings import Settings
from schemas import artefacts

__all__ = ["ensure_artefacts"]


def ensure_artefacts(s: Settings) -> None:
    """Install (or confirm) every artefact set; quick when they are already in place."""
    target = s.effective_artefacts_dir
    try:
        source = artefacts.default_source()
    except artefacts.ArtefactError:
        if target.is_dir():
            return  # installed earlier (for example at image build time)
        raise
    report = artefacts.install(source, target)
    if report.installed:
        typer.echo(f"installed artefact sets: {', '.join(report.installed)}")
