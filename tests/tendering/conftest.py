"""Fixtures of the tendering tests: UBL 2.3 schemas from the installed artefacts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from schemas.xmlsafe import parse

Validate = Callable[[bytes, str], list[str]]


@pytest.fixture(scope="session")
def ubl23(artefacts_dir: Path) -> Validate:
    """Validate bytes against the UBL 2.3 main-document XSD; return the error messages."""
    cache: dict[str, etree.XMLSchema] = {}
    maindoc = artefacts_dir / "ubl-2.3" / "xsd" / "maindoc"

    def validate(data: bytes, document: str) -> list[str]:
        if document not in cache:
            # Trusted schema files from the installed artefacts, not outside input.
            cache[document] = etree.XMLSchema(etree.parse(str(maindoc / f"UBL-{document}-2.3.xsd")))
        schema = cache[document]
        ok = schema.validate(parse(data))
        return [] if ok else [f"{e.line}: {e.message}" for e in schema.error_log]

    return validate
