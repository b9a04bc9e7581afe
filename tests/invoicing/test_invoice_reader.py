"""Reader: official examples parse and write back with every supported business term kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from business_terms import business_terms
from invoicing_samples import danish_invoice, mixed_invoice
from lxml import etree
from ubl_checks import billing_findings, fatal, plan_findings, ubl21_schema, xsd_errors

from invoicing.builders import build_bis3, build_bis3_tree
from invoicing.builders._xml import to_bytes
from invoicing.errors import UnreadableDocument, UnsupportedDocument
from invoicing.reader import read_invoice

ROOT = Path(__file__).resolve().parents[2]
_EN = ("en16931-ubl-1.3.16", "examples")
_PEPPOL = ("peppol-bis-billing-3", "examples")


def _examples() -> list[tuple[str, str]]:
    # Listed from the installed set so the ids are stable; files are read through the fixture.
    base = Path(__import__("os").environ.get("GW_ARTEFACTS_DIR", ROOT / "var" / "artefacts"))
    out = []
    for parts in (_EN, _PEPPOL):
        folder = base.joinpath(*parts)
        if folder.is_dir():
            out += [("/".join(parts), p.name) for p in sorted(folder.iterdir()) if p.is_file()]
    return out


EXAMPLES = _examples()


def _plan_for(folder: str) -> str:
    # Each repository's examples are only promised to pass that repository's rules.
    return "en16931-ubl" if folder.startswith("en16931") else "peppol-billing-3"


def test_examples_are_found() -> None:
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize(("folder", "name"), EXAMPLES, ids=[n for _, n in EXAMPLES])
def test_official_example_round_trips(folder: str, name: str, artefacts_dir: Path) -> None:
    original = (artefacts_dir / folder / name).read_bytes()
    invoice = read_invoice(original)
    # Rewrite without our own model checks: the examples come from other countries' rules.
    rewritten = to_bytes(build_bis3_tree(invoice, check=False))
    before = business_terms(etree.fromstring(original))
    after = business_terms(etree.fromstring(rewritten))
    assert after == before
    root_tag = etree.QName(etree.fromstring(rewritten)).localname
    assert xsd_errors(rewritten, ubl21_schema(artefacts_dir, root_tag)) == []
    plan = _plan_for(folder)
    was = {f.rule for f in fatal(plan_findings(original, artefacts_dir, plan))}
    now = {f.rule for f in fatal(plan_findings(rewritten, artefacts_dir, plan))}
    assert now <= was


@pytest.mark.parametrize("make", [danish_invoice, mixed_invoice])
def test_our_invoices_read_back_equal(make, artefacts_dir: Path) -> None:  # type: ignore[no-untyped-def]
    invoice = make()
    again = read_invoice(build_bis3(invoice))
    assert again == invoice
    assert fatal(billing_findings(build_bis3(again), artefacts_dir)) == []


def test_reader_refuses_a_dtd() -> None:
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Invoice>&a;</Invoice>'
    with pytest.raises(UnreadableDocument):
        read_invoice(hostile)


def test_reader_refuses_other_documents() -> None:
    order = b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>'
    with pytest.raises(UnsupportedDocument):
        read_invoice(order)


def test_reader_names_a_bad_amount() -> None:
    xml = build_bis3(danish_invoice()).replace(b">99.95<", b">ni og halvfems<")
    with pytest.raises(UnreadableDocument, match="PriceAmount"):
        read_invoice(xml)
