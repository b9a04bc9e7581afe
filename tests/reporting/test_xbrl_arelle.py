"""Full validation with Arelle: two runs per session (a good report and a broken one)."""

from datetime import date
from pathlib import Path

import pytest

from reporting.xbrl import CompanyInfo, XbrlReport, build_annual_report, validate_annual_report
from tests.reporting.reporting_fixtures import build, sample_records

pytestmark = pytest.mark.slow

COMPANY = CompanyInfo(
    cvr="12345678",
    name="Testfirma ApS",
    approval_date=date(2027, 5, 20),
    general_meeting_date=date(2027, 5, 20),
    chairman="Ada Lovelace",
    auditor_assistance="Ingen bistand",
)


@pytest.fixture(scope="session")
def good_report() -> bytes:
    return build_annual_report(ledger=build(sample_records()), company=COMPANY, year=2026)


@pytest.fixture(scope="session")
def good_result(good_report: bytes, artefacts_dir: Path) -> XbrlReport:
    return validate_annual_report(good_report, artefacts_dir=artefacts_dir)


@pytest.fixture(scope="session")
def broken_result(good_report: bytes, artefacts_dir: Path) -> XbrlReport:
    text = good_report.decode("utf-8")
    cvr = '<gsd:IdentificationNumberCvrOfReportingEntity contextRef="c_year">12345678</gsd:IdentificationNumberCvrOfReportingEntity>'
    assert cvr in text
    broken = text.replace(cvr, "").replace("Regnskabsklasse B", "Regnskabsklasse X")
    return validate_annual_report(broken.encode("utf-8"), artefacts_dir=artefacts_dir)


def test_our_report_passes_arelle_with_no_errors(good_result: XbrlReport) -> None:
    assert good_result.errors == []
    assert good_result.valid
    assert good_result.taxonomy == "dk-fsa-20171001"


def test_arelle_runs_the_taxonomy_assertions(broken_result: XbrlReport) -> None:
    rules = {f.rule for f in broken_result.errors if f.ruleset == "arelle"}
    assert "message:existenceAssertionForIdentificationNumberCvrOfReportingEntity" in rules
    assert not broken_result.valid


def test_arelle_checks_values_against_the_taxonomy_types(broken_result: XbrlReport) -> None:
    messages = [f.message for f in broken_result.errors if f.ruleset == "arelle"]
    assert any("ClassOfReportingEntity" in m for m in messages)


def test_findings_include_the_precheck(broken_result: XbrlReport) -> None:
    pre = [f for f in broken_result.findings if f.ruleset == "precheck"]
    assert [f.rule for f in pre] == ["precheck.required"]
    data = broken_result.to_dict()
    assert data["valid"] is False and data["findings"][0]["ruleset"] == "precheck"
