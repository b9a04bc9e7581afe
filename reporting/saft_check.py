"""Check an exported SAF-T Financial 1.30 file against the official XSD, streaming."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from lxml import etree

from reporting.errors import ReportValidationUnavailable
from schemas import engine

__all__ = ["SAFT_130_XSD", "validate_saft_file"]

SAFT_130_XSD = "saf-t-no/xsd/Norwegian_SAF-T_Financial_Schema_v_1.30.xsd"


def validate_saft_file(source: str | Path | IO[bytes], *, artefacts_dir: str | Path) -> list[str]:
    """Schema errors of one of our SAF-T exports (empty when valid); memory stays flat.

    libxml2 validates while parsing and stops at the first error, so at most
    one error comes back. Meant for files we wrote: parsing keeps the hardened
    settings (no DTD, no entities, no network) but has no size limit.
    """
    try:
        compiled = engine.schema(Path(artefacts_dir) / SAFT_130_XSD)
    except engine.EngineError as exc:
        raise ReportValidationUnavailable(str(exc)) from exc
    target = str(source) if isinstance(source, Path) else source
    with compiled.lock:
        try:
            for _, el in etree.iterparse(
                target,
                events=("end",),
                schema=compiled.schema,
                resolve_entities=False,
                load_dtd=False,
                no_network=True,
                huge_tree=True,
            ):
                # Drop what was read so a big file never builds its whole tree.
                el.clear(keep_tail=False)
                while el.getprevious() is not None:
                    del el.getparent()[0]
        except etree.XMLSyntaxError as exc:
            return [f"line {exc.lineno}: {exc.msg}" if exc.lineno else str(exc.msg)]
    return []
