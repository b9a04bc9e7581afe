import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.ingest import read
from adapters.ledger import Ledger, LedgerBuilder
from reporting.errors import ReportBuildError
from reporting.saft_export import export_saft
from reporting.xbrl import CompanyInfo, build_annual_report, load_xbrl_mapping, precheck
from reporting.xbrl.instance import CONTEXT_DURATION, CONTEXT_INSTANT, CONTEXT_PREVIOUS_INSTANT
from schemas import xmlsafe
from tests.reporting.reporting_fixtures import build, header, sample_records

MAPPING = load_xbrl_mapping()
NS = {**MAPPING.namespaces, "xbrli": "http://www.xbrl.org/2003/instance"}
COMPANY = CompanyInfo(
    cvr="12345678",
    name="Testfirma ApS",
    approval_date=date(2027, 5, 20),
    general_meeting_date=date(2027, 5, 20),
    chairman="Ada Lovelace",
    auditor_assistance="Ingen bistand",
)


def _fact(xml: bytes, qname: str, context: str) -> str | None:
    root = xmlsafe.parse(xml).getroot()
    found = root.find(f"{qname}[@contextRef='{context}']", NS)
    return None if found is None else found.text


def test_report_has_contexts_unit_general_information_and_statements(
    sample_ledger: Ledger,
) -> None:
    xml = build_annual_report(ledger=sample_ledger, company=COMPANY, year=2026)
    assert precheck(xml) == []
    root = xmlsafe.parse(xml).getroot()
    periods = {
        c.get("id"): [e.text for e in c.iterfind("xbrli:period/*", NS)]
        for c in root.iterfind("xbrli:context", NS)
    }
    assert periods == {
        CONTEXT_DURATION: ["2026-01-01", "2026-12-31"],
        CONTEXT_INSTANT: ["2026-12-31"],
        CONTEXT_PREVIOUS_INSTANT: ["2025-12-31"],
    }
    assert root.findtext("xbrli:unit/xbrli:measure", namespaces=NS) == "iso4217:DKK"
    assert (
        _fact(xml, "gsd:IdentificationNumberCvrOfReportingEntity", CONTEXT_DURATION) == "12345678"
    )
    assert _fact(xml, "fsa:ClassOfReportingEntity", CONTEXT_DURATION) == "Regnskabsklasse B"
    assert _fact(xml, "gsd:InformationOnTypeOfSubmittedReport", CONTEXT_DURATION) == "Årsrapport"
    assert _fact(xml, "cmn:TypeOfAuditorAssistance", CONTEXT_DURATION) == "Ingen bistand"
    assets = _fact(xml, "fsa:Assets", CONTEXT_INSTANT)
    assert assets == _fact(xml, "fsa:LiabilitiesAndEquity", CONTEXT_INSTANT)
    assert _fact(xml, "fsa:Assets", CONTEXT_PREVIOUS_INSTANT) == "150000"
    revenue = root.find(f"fsa:Revenue[@contextRef='{CONTEXT_DURATION}']", NS)
    assert (revenue.get("unitRef"), revenue.get("decimals"), revenue.text) == ("DKK", "0", "8401")
    # lines without an amount are not reported
    assert _fact(xml, "fsa:Inventories", CONTEXT_INSTANT) is None


def _tamper(xml: bytes, qname: str, context: str, value: str) -> bytes:
    tree = xmlsafe.parse(xml)
    el = tree.getroot().find(f"{qname}[@contextRef='{context}']", NS)
    el.text = value
    out = io.BytesIO()
    tree.write(out, xml_declaration=True, encoding="UTF-8")
    return out.getvalue()


def test_precheck_finds_totals_that_do_not_add_up(sample_ledger: Ledger) -> None:
    xml = build_annual_report(ledger=sample_ledger, company=COMPANY)
    bad = _tamper(xml, "fsa:CashAndCashEquivalents", CONTEXT_INSTANT, "1")
    rules = {f.rule for f in precheck(bad)}
    assert rules == {"precheck.calc"}


def test_precheck_finds_an_unbalanced_balance_sheet(sample_ledger: Ledger) -> None:
    xml = build_annual_report(ledger=sample_ledger, company=COMPANY)
    bad = _tamper(xml, "fsa:LiabilitiesAndEquity", CONTEXT_INSTANT, "1")
    assert "precheck.balance" in {f.rule for f in precheck(bad)}


def test_precheck_finds_missing_general_information_and_contexts(sample_ledger: Ledger) -> None:
    xml = build_annual_report(ledger=sample_ledger, company=COMPANY)
    text = xml.decode("utf-8")
    no_name = text.replace(
        '<gsd:NameOfReportingEntity contextRef="c_year">Testfirma ApS</gsd:NameOfReportingEntity>',
        "",
    )
    assert [f.rule for f in precheck(no_name.encode())] == ["precheck.required"]
    lost = text.replace('contextRef="c_end"', 'contextRef="c_lost"', 1)
    assert "precheck.fact" in {f.rule for f in precheck(lost.encode())}
    assert [f.rule for f in precheck(b"<xbrl")] == ["precheck.xml"]


def test_company_and_period_are_checked(sample_ledger: Ledger) -> None:
    with pytest.raises(ReportBuildError):
        build_annual_report(ledger=sample_ledger, company=COMPANY, year=2025)
    bad_cvr = CompanyInfo(cvr="1234", name="x")
    with pytest.raises(ReportBuildError):
        build_annual_report(ledger=sample_ledger, company=bad_cvr)


def test_a_mapping_file_names_the_taxonomy(sample_ledger: Ledger, tmp_path: Path) -> None:
    from reporting.xbrl.mapping import DEFAULT_MAPPING

    newer = "http://archprod.service.eogs.dk/taxonomy/20991001/entry.xsd"
    path = tmp_path / "newer.toml"
    text = DEFAULT_MAPPING.read_text("utf-8")
    path.write_text(text.replace(MAPPING.entry_point, newer), "utf-8")
    mapping = load_xbrl_mapping(path)
    xml = build_annual_report(ledger=sample_ledger, company=COMPANY, mapping=mapping)
    assert newer.encode() in xml
    assert precheck(xml, mapping=mapping) == []
    # against the 2017 mapping the reference is flagged (as a warning only)
    assert [(f.rule, f.severity) for f in precheck(xml)] == [("precheck.schemaRef", "warning")]


def test_report_from_a_saft_round_trip_has_the_same_result(
    sample_ledger: Ledger, artefacts_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ledger.xml"
    export_saft(sample_ledger, out, artefacts_dir=artefacts_dir)
    back = LedgerBuilder().extend(read(out, artefacts_dir=artefacts_dir)).build()
    original = build_annual_report(ledger=sample_ledger, company=COMPANY)
    again = build_annual_report(ledger=back, company=COMPANY)
    assert precheck(again) == []
    for qname, ctx in (
        ("fsa:ProfitLoss", CONTEXT_DURATION),
        ("fsa:Assets", CONTEXT_INSTANT),
        ("fsa:Equity", CONTEXT_INSTANT),
    ):
        assert Decimal(_fact(again, qname, ctx) or "nan") == Decimal(
            _fact(original, qname, ctx) or "0"
        )


def test_foreign_currency_ledger_is_refused() -> None:
    recs = sample_records()
    recs[0] = header(currency="SEK")
    with pytest.raises(ReportBuildError):
        build_annual_report(ledger=build(recs), company=COMPANY)
