"""Validation used by the invoicing tests: UBL XSD with lxml and the official rules.

When ``schemas.validation`` exists it is used; until then the official compiled
XSLTs run here through saxonche (tests only, on documents we built ourselves).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

SVRL = "http://purl.oclc.org/dsdl/svrl"


@dataclass(frozen=True)
class Fired:
    rule: str
    flag: str
    text: str
    location: str = ""


@cache
def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(file=str(path))


def xsd_errors(xml: bytes, schema_path: Path) -> list[str]:
    """Errors of ``xml`` against the XSD at ``schema_path`` (empty when valid)."""
    schema = _schema(schema_path)
    doc = etree.fromstring(xml)  # our own output, never outside data
    if schema.validate(doc):
        return []
    return [f"{e.line}: {e.message}" for e in schema.error_log]


def ubl21_schema(artefacts_dir: Path, root_tag: str) -> Path:
    return artefacts_dir / "ubl-2.1" / "xsd" / "maindoc" / f"UBL-{root_tag}-2.1.xsd"


@cache
def _processor():  # type: ignore[no-untyped-def]
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def _compiled(path: Path):  # type: ignore[no-untyped-def]
    proc = _processor()
    return proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))


def run_xslts(xml: bytes, stylesheets: list[Path]) -> list[Fired]:
    """Run compiled Schematron XSLTs and collect every failed assert / report."""
    from schemas import engine

    # saxonche's isolate belongs to one thread; a dynamic error on another kills the process.
    return engine.on_saxon_thread(_run_xslts, xml, stylesheets)


def _run_xslts(xml: bytes, stylesheets: list[Path]) -> list[Fired]:
    proc = _processor()
    node = proc.parse_xml(xml_text=xml.decode("utf-8"))
    fired: list[Fired] = []
    for path in stylesheets:
        svrl = _compiled(path).transform_to_string(xdm_node=node)
        out = etree.fromstring(svrl.encode("utf-8"))
        for el in out.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
            text = "".join(el.itertext()).strip()
            flag = el.get("flag") or "fatal"
            fired.append(Fired(el.get("id") or "?", flag, text, el.get("location") or ""))
    return fired


def billing_rules(artefacts_dir: Path) -> list[Path]:
    base = artefacts_dir / "peppol-bis-billing-3" / "xslt" / "2026.5"
    return [base / "CEN-EN16931-UBL.xslt", base / "PEPPOL-EN16931-UBL.xslt"]


def ordering_rules(artefacts_dir: Path, transaction: str) -> list[Path]:
    return [
        artefacts_dir
        / "peppol-bis-ordering-3"
        / "xslt"
        / "2026.5"
        / f"PEPPOLBIS-{transaction}.xslt"
    ]


def fatal(fired: list[Fired]) -> list[Fired]:
    return [f for f in fired if f.flag in ("fatal", "error")]


def plan_findings(xml: bytes, artefacts_dir: Path, plan: str) -> list[Fired]:
    """Every finding of the named validation plan, as the gateway's validator reports it."""
    from schemas import validation  # imported when first used, as saxonche is

    report = validation.validate(xml, artefacts_dir=artefacts_dir, plan=plan)
    return [Fired(f.rule, f.severity, f.message, f.location) for f in report.findings]


def billing_findings(xml: bytes, artefacts_dir: Path) -> list[Fired]:
    """Every rule of the full Peppol billing plan (EN 16931 + Peppol) that fires."""
    return plan_findings(xml, artefacts_dir, "peppol-billing-3")


def ordering_findings(xml: bytes, artefacts_dir: Path, transaction: str) -> list[Fired]:
    return plan_findings(xml, artefacts_dir, f"peppol-{transaction.lower()}")
