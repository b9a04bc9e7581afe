"""Schematron compiled at install time: Peppol pre-award rules and the ISO pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas import artefacts as store
from schemas import engine, plans, xmlsafe
from schemas.report import findings_from_svrl
from schemas.schematron import compile_schematron
from schemas.validation import Validator
from tests.schemas.vefa_cases import installed_artefacts

SETS = ["peppol-preaward", "iso-schematron", "ubl-2.3"]
GUIDES = installed_artefacts() / "peppol-preaward" / "guides" / "transactions"


def _is_ubl(path: Path) -> bool:
    # T011, T012 and T015 also carry ebXML RegRep messages, which are not UBL documents.
    return xmlsafe.parse_file(path).getroot().tag.startswith("{" + plans.UBL_NS_PREFIX)


UBL_EXAMPLES = sorted(p for p in GUIDES.glob("T*/files/**/*.xml") if _is_ubl(p))
# Example files that are not valid, and what makes them so.
KNOWN_INVALID = {
    # Deliberately broken test file of the notice publication response.
    "ExampleNoticePublicationResponse-With_invalid_eFroms_Reference.xml": {
        "PEPPOL-T016-R034",
        "PEPPOL-T016-R035",
    },
    # Documentation variant using a procedure code outside the code list.
    "call-for-tenders-instance-doc.xml": {"CL-T83-R001"},
    # An eForms 0.3 draft notice: element order of a pre-release UBL 2.3.
    "eForms-PriorInformationNotice.xml": {"XSD"},
}


@pytest.fixture(scope="module")
def installed(
    artefacts_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, store.InstallReport]:
    target = tmp_path_factory.mktemp("preaward")
    return target, store.install(artefacts_dir, target, sets=SETS)


def test_install_compiles_every_preaward_transaction(
    installed: tuple[Path, store.InstallReport],
) -> None:
    target, report = installed
    assert len(report.derived) == 22
    assert "PEPPOL-T004" in report.derived
    assert (target / plans.PREAWARD_XSLT.format(tx="T004")).is_file()
    assert store.verify(target, sets=SETS).ok


def test_second_install_neither_copies_nor_recompiles(
    installed: tuple[Path, store.InstallReport], artefacts_dir: Path
) -> None:
    target, _ = installed
    again = store.install(artefacts_dir, target, sets=SETS)
    assert (again.installed, again.derived) == ([], [])
    assert sorted(again.skipped) == sorted(SETS)


def _id(path: Path) -> str:
    return path.relative_to(GUIDES).as_posix()


@pytest.mark.conformance
@pytest.mark.parametrize("path", UBL_EXAMPLES, ids=_id)
def test_preaward_example(installed: tuple[Path, store.InstallReport], path: Path) -> None:
    target, _ = installed
    report = Validator(target).validate(path.read_bytes())
    fatal = set(report.rules_fired("fatal"))
    assert fatal == KNOWN_INVALID.get(path.name, set()), report.to_text()[:2000]


def test_preaward_rules_catch_a_missing_issue_time(
    installed: tuple[Path, store.InstallReport],
) -> None:
    target, _ = installed
    path = GUIDES / "T004" / "files" / "call-for-tenders-instance.xml"
    data = path.read_bytes()
    start = data.index(b"<cbc:IssueTime>")
    end = data.index(b"</cbc:IssueTime>") + len(b"</cbc:IssueTime>")
    report = Validator(target).validate(data[:start] + data[end:])
    assert report.plan == "peppol-preaward-t004"
    assert "PEPPOL-T004-R007" in report.rules_fired("fatal")


def test_iso_pipeline_expands_includes_and_abstract_patterns(
    artefacts_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "part.sch").write_text(
        '<pattern xmlns="http://purl.oclc.org/dsdl/schematron" id="included">'
        '<rule context="item"><assert id="INC-1" flag="warning" test="@code">code missing</assert>'
        "</rule></pattern>"
    )
    (tmp_path / "main.sch").write_text(
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">'
        '<pattern abstract="true" id="positive"><rule context="$el">'
        '<assert id="ABS-1" flag="fatal" test="number(.) &gt; 0">must be positive</assert>'
        "</rule></pattern>"
        '<pattern is-a="positive" id="qty"><param name="el" value="qty"/></pattern>'
        '<include href="part.sch"/></schema>'
    )
    out = compile_schematron(
        tmp_path / "main.sch", tmp_path / "main.xslt", iso_dir=artefacts_dir / "iso-schematron"
    )
    svrl = engine.stylesheet(out).run("<order><item/><qty>-1</qty><qty>2</qty></order>")
    fired = sorted((f.rule, f.severity) for f in findings_from_svrl(svrl, ruleset="t"))
    assert fired == [("ABS-1", "fatal"), ("INC-1", "warning")]


def test_validation_engine_stays_locked_after_a_compile(
    installed: tuple[Path, store.InstallReport], tmp_path: Path
) -> None:
    # The compiler's processor may read files; the validation engine's still may not.
    xsl = tmp_path / "reader.xslt"
    xsl.write_text(
        '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:template match="/"><r><xsl:value-of select="unparsed-text(\'file:///etc/hostname\')"/>'
        "</r></xsl:template></xsl:stylesheet>"
    )
    with pytest.raises(engine.EngineError, match="prohibited"):
        engine.stylesheet(xsl).run("<a/>")
