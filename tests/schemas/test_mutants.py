"""Differential run: the gateway against the official pipeline run directly, on seeded mutants.

The reference is what an integrator runs by hand: the UBL XSD in lxml, then
each official stylesheet in saxonche over the document text. A stylesheet that
stops on a dynamic error contributes nothing but that error. For every mutant
the gateway must give the same verdict and the same fatal rules, counted,
layer by layer; where the reference stopped, the gateway reports one
``RULESET-ERROR`` finding with the same error code, and never raises.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import saxonche
from lxml import etree

from schemas import engine
from schemas.report import RULESET_ERROR
from schemas.validation import Validator
from tests.schemas.mutants import Mutant, mutants
from tests.schemas.vefa_cases import installed_artefacts

pytestmark = pytest.mark.conformance

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
# Saxon's text holds one block per diagnostic; pending warnings may come first.
_ERROR = re.compile(r"^(?!Warning)\S[^\n]*\n\s+([A-Z]{4}\d{4})\s", re.MULTILINE)

# The official pipelines, spelled out here rather than taken from schemas.plans.
PIPELINES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "peppol-billing-3@2025.5": (
        "ubl-2.1/xsd/maindoc/UBL-{root}-2.1.xsd",
        (
            ("EN16931", "en16931-ubl-1.3.16/xslt/EN16931-UBL-validation.xslt"),
            ("PEPPOL", "peppol-bis-billing-3/xslt/2025.5/PEPPOL-EN16931-UBL.xslt"),
        ),
    ),
    "en16931-ubl": (
        "ubl-2.1/xsd/maindoc/UBL-{root}-2.1.xsd",
        (("EN16931", "en16931-ubl-1.3.16/xslt/EN16931-UBL-validation.xslt"),),
    ),
}


def _sources(set_name: str, pattern: str) -> list[Path]:
    base = installed_artefacts() / set_name
    return sorted(p for p in base.glob(pattern) if p.suffix == ".xml")


def _cases() -> list[tuple[str, Mutant]]:
    peppol = _sources("peppol-bis-billing-3", "examples/*.xml")
    en = _sources("en16931-ubl-1.3.16", "examples/*.xml")
    out = [("peppol-billing-3@2025.5", m) for m in mutants(peppol, per_operator=5)]
    out += [("en16931-ubl", m) for m in mutants(en, per_operator=2)]
    return out


CASES = _cases()


class _OfficialPipeline:
    """XSD with lxml, then each stylesheet with its own saxonche processor."""

    def __init__(self, artefacts: Path) -> None:
        self.artefacts = artefacts
        self.proc = saxonche.PySaxonProcessor(license=False)
        self.xslt = self.proc.new_xslt30_processor()
        self.stylesheets: dict[str, saxonche.PyXsltExecutable] = {}
        self.schemas: dict[str, etree.XMLSchema] = {}

    def _schema(self, path: str) -> etree.XMLSchema:
        if path not in self.schemas:
            self.schemas[path] = etree.XMLSchema(etree.parse(str(self.artefacts / path)))
        return self.schemas[path]

    def _stylesheet(self, path: str) -> saxonche.PyXsltExecutable:
        if path not in self.stylesheets:
            self.stylesheets[path] = self.xslt.compile_stylesheet(
                stylesheet_file=str(self.artefacts / path)
            )
        return self.stylesheets[path]

    def fatal(self, plan: str, document: bytes) -> Counter[tuple[str, str]]:
        # saxonche's isolate belongs to one thread; dynamic errors elsewhere kill the process.
        return engine.on_saxon_thread(self._fatal, plan, document)

    def _fatal(self, plan: str, document: bytes) -> Counter[tuple[str, str]]:
        xsd, rulesets = PIPELINES[plan]
        tree = etree.fromstring(document, etree.XMLParser(resolve_entities=False))
        root = etree.QName(tree).localname
        schema = self._schema(xsd.format(root=root))
        out: Counter[tuple[str, str]] = Counter()
        if not schema.validate(tree):
            out[("XSD", "XSD")] = len(schema.error_log)
        text = document.decode("utf-8")
        for name, path in rulesets:
            try:
                node = self.proc.parse_xml(xml_text=text)
                svrl = self._stylesheet(path).transform_to_string(xdm_node=node)
            except saxonche.PySaxonApiError as exc:
                codes = _ERROR.findall(str(exc))
                out[(name, f"{RULESET_ERROR}:{codes[-1] if codes else '?'}")] += 1
                continue
            for el in etree.fromstring(svrl.encode("utf-8")).iter(
                f"{SVRL}failed-assert", f"{SVRL}successful-report"
            ):
                if (el.get("flag") or "fatal").lower() in ("fatal", "error"):
                    out[(name, el.get("id") or "")] += 1
        return out


@pytest.fixture(scope="module")
def official(artefacts_dir: Path) -> _OfficialPipeline:
    return engine.on_saxon_thread(_OfficialPipeline, artefacts_dir)


def test_the_generator_covers_every_operator_and_enough_mutants() -> None:
    assert len(CASES) >= 300
    assert {m.operator for _, m in CASES} == {
        "empty",
        "date",
        "number",
        "duplicate",
        "remove",
        "code",
    }
    assert len({m.id for _, m in CASES}) == len(CASES)


@pytest.mark.parametrize(("plan", "mutant"), CASES, ids=[f"{p}:{m.id}" for p, m in CASES])
def test_mutant_agrees_with_the_official_pipeline(
    validator: Validator, official: _OfficialPipeline, plan: str, mutant: Mutant
) -> None:
    expected = official.fatal(plan, mutant.document)
    report = validator.validate(mutant.document, plan=plan)
    got: Counter[tuple[str, str]] = Counter()
    for f in report.fatal:
        rule = f"{f.rule}:{f.code}" if f.rule == RULESET_ERROR else f.rule
        got[(f.ruleset, rule)] += 1
    assert report.valid == (not expected), mutant.change
    assert got == expected, f"{mutant.change}: gateway {got - expected}, official {expected - got}"
