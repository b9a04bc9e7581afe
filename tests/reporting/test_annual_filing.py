"""The complete annual report: one model, XBRL and Inline XBRL, comparatives, any financial year."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from gateway.bootstrap import Container
from gateway.tenancy.service import create_organisation
from reporting.errors import ReportBuildError
from reporting.xbrl import compute_figures, load_xbrl_mapping, precheck, validate_annual_report
from reporting.xbrl.filing import build_filing
from reporting.xbrl.inline import NS_IX, to_ixbrl
from reporting.xbrl.profile import parse_profile
from reporting.xbrl.render import to_xbrl
from tests.reporting.reporting_fixtures import build, sample_records
from tests.support.app import api_client, container_in, org_with_key
from tests.support.cvr import random_cvr

ACCOUNTS = {
    "1010": "fsa:Revenue",
    "2010": "fsa:OtherExternalExpenses",
    "5810": "fsa:CashAndCashEquivalents",
    "6010": "fsa:ContributedCapital",
}
PROFILE = {
    "company": {"street": "Vestergade", "number": "12", "postcode": "8000", "city": "Aarhus C"},
    "report": {
        "approval_date": "2026-05-20",
        "general_meeting_date": "2026-05-20",
        "chairman": "Ada Lovelace",
        "place_of_signature": "Aarhus",
        "average_employees": 3,
        "proposed_dividend": 100,
    },
    "management": [{"name": "Peter Hansen", "title": "Direktør"}],
    "texts": {"primary_activities": "Selskabet sælger cykler."},
}


def _trial_balance(end: str, revenue: str, expenses: str) -> bytes:
    def num(text: str) -> Decimal:
        return Decimal(text.replace(",", "."))

    cash = f"{num(revenue) - num(expenses) + 500:.2f}".replace(".", ",")
    rows = [
        f"KONTONUMMER_{end};KONTONAVN_{end};VAERDI_{end}",
        f"1010;Omsætning;-{revenue}",
        f"2010;Andre eksterne omkostninger;{expenses}",
        f"5810;Bank;{cash}",
        "6010;Selskabskapital;-500,00",
    ]
    return ("\n".join(rows) + "\n").encode()


def _facts(xml: bytes) -> set[tuple[str, str, str]]:
    """(concept, context, value) of every fact, read from XBRL or Inline XBRL."""
    root = etree.fromstring(xml)
    out: set[tuple[str, str, str]] = set()
    if root.tag.endswith("}xbrl"):
        for el in root:
            if el.get("contextRef"):
                q = etree.QName(el)
                prefix = next(p for p, ns in root.nsmap.items() if ns == q.namespace)
                out.add((f"{prefix}:{q.localname}", el.get("contextRef"), (el.text or "").strip()))
        return out
    for el in root.iter(f"{{{NS_IX}}}nonFraction", f"{{{NS_IX}}}nonNumeric"):
        text = "".join(el.itertext()).strip()
        if etree.QName(el).localname == "nonFraction":
            value = Decimal(text.replace(".", "").replace(",", "."))
            text = f"{-value if el.get('sign') == '-' else value:f}"
        elif el.get("format") == "ixt:date-day-month-year":
            d, m, y = text.split(".")
            text = f"{y}-{m}-{d}"
        out.add((el.get("name", ""), el.get("contextRef", ""), text))
    return out


@pytest.fixture(scope="module")
def sample_filing():  # type: ignore[no-untyped-def]
    mapping = load_xbrl_mapping()
    ledger = build(sample_records())
    profile = parse_profile(PROFILE, cvr="12345678", name="Testfirma ApS")
    return build_filing(
        figures=compute_figures(ledger, mapping),
        profile=profile,
        start=ledger.header.period_start,
        end=ledger.header.period_end,
        mapping=mapping,
    )


def test_xbrl_and_inline_xbrl_carry_the_same_facts(sample_filing) -> None:  # type: ignore[no-untyped-def]
    xbrl, inline = _facts(to_xbrl(sample_filing)), _facts(to_ixbrl(sample_filing))
    assert xbrl == inline
    concepts = {c for c, _, _ in xbrl}
    for wanted in (
        "mrv:DescriptionOfPrimaryActivitiesOfEntity",
        "sob:StatementByExecutiveAndSupervisoryBoards",
        "sob:ConfirmationThatFinancialStatementsAreExemptedFromAuditing",
        "fsa:DisclosureOfAccountingPolicies",
        "fsa:AverageNumberOfEmployees",
        "fsa:DisclosureOfContingentLiabilities",
        "cmn:NameAndSurnameOfMemberOfExecutiveBoard",
        "gsd:AddressOfReportingEntityStreetName",
    ):
        assert wanted in concepts, wanted
    assert (
        "mrv:DescriptionOfPrimaryActivitiesOfEntity",
        "c_year",
        "Selskabet sælger cykler.",
    ) in xbrl


def test_the_distribution_adds_up_to_the_result_and_the_dividend_shows_in_equity(
    sample_filing,  # type: ignore[no-untyped-def]
) -> None:
    facts = _facts(to_xbrl(sample_filing))
    result = next(Decimal(v) for c, ctx, v in facts if c == "fsa:ProfitLoss" and ctx == "c_year")
    parts = [
        Decimal(v) for c, ctx, v in facts if c == "fsa:ProfitLoss" and ctx.startswith("c_dist_")
    ]
    assert sum(parts) == result and Decimal("100") in parts
    assert ("fsa:ProposedDividendRecognisedInEquity", "c_end", "100") in facts
    # the board member and the distribution contexts are dimensional: no false "parts" finding
    assert precheck(to_xbrl(sample_filing)) == []


def test_amounts_read_in_danish_notation(sample_filing) -> None:  # type: ignore[no-untyped-def]
    root = etree.fromstring(to_ixbrl(sample_filing))
    shown = {
        (el.get("name"), el.get("contextRef")): (el.text, el.get("sign"))
        for el in root.iter(f"{{{NS_IX}}}nonFraction")
    }
    value = sample_filing.figures.balance.values["fsa:Assets"]
    assert value >= 1000
    text, sign = shown[("fsa:Assets", "c_end")]
    assert text == f"{value:,.0f}".replace(",", ".") and sign is None
    negatives = [(t, s) for t, s in shown.values() if s == "-"]
    assert all("-" not in (t or "") for t, _ in negatives)


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"report": {"chairman": "A", "approved": "2026-01-01"}}, "approved"),
        ({"report": {"approval_date": "20.05.2026"}}, "approval_date"),
        ({"auditor": {"assistance": "Revision"}}, "Ingen bistand"),
        ({"company": {"cvr": "87654321"}}, "87654321"),
        ({"board": []}, "board"),
        ({"management": [{"title": "Direktør"}]}, "management"),
    ],
)
def test_a_wrong_profile_is_refused_naming_the_field(data: dict, named: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ReportBuildError) as caught:
        parse_profile(data, cvr="12345678", name="Testfirma ApS")
    assert named in str(caught.value.detail)


# -- through the API, from stored ledgers -----------------------------------------


@pytest.fixture(scope="module")
def container(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, artefacts_dir: Path
) -> Container:
    return container_in(
        tmp_path_factory.mktemp("annual"), database_url=database_url, artefacts_dir=artefacts_dir
    )


@pytest.fixture(scope="module")
def client(container: Container) -> Iterator[TestClient]:
    with api_client(container) as c:
        yield c


@pytest.fixture
def reporter(container: Container) -> dict[str, str]:
    return org_with_key(container, name="Cykler ApS")[1]


def _ingest(client: TestClient, h: dict[str, str], body: bytes) -> dict:  # type: ignore[type-arg]
    r = client.post("/v1/ledgers?profile=regnskab-basis", content=body, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


def _annual(client: TestClient, h: dict[str, str], year: int, fmt: str) -> tuple[dict, bytes]:  # type: ignore[type-arg]
    body = {"year": year, "format": fmt, "company": PROFILE, "accounts": ACCOUNTS}
    r = client.post("/v1/reports/annual", json=body, headers=h)
    assert r.status_code == 201, r.text
    report = r.json()
    doc = client.get(f"/v1/reports/{report['id']}/document", headers=h)
    assert doc.status_code == 200
    return report, doc.content


def test_a_july_to_june_year_is_reported_with_the_year_before_as_comparatives(
    client: TestClient, reporter: dict[str, str], artefacts_dir: Path
) -> None:
    _ingest(client, reporter, _trial_balance("20240630", "800,00", "200,00"))
    now = _ingest(client, reporter, _trial_balance("20250630", "1000,00", "300,00"))
    assert (now["period_start"], now["period_end"]) == ("2024-07-01", "2025-06-30")
    report, doc = _annual(client, reporter, 2025, "ixbrl")
    assert report["status"] == "validating", report
    facts = _facts(doc)
    assert ("fsa:Revenue", "c_year", "1000.00") in facts or (
        "fsa:Revenue",
        "c_year",
        "1000",
    ) in facts
    assert ("fsa:Revenue", "c_prev_year", "800") in facts
    assert ("gsd:ReportingPeriodStartDate", "c_year", "2024-07-01") in facts
    assert ("gsd:PrecedingReportingPeriodStartDate", "c_year", "2023-07-01") in facts
    verdict = validate_annual_report(doc, artefacts_dir=artefacts_dir, include_precheck=False)
    assert verdict.errors == [] and verdict.valid


def test_the_authority_s_filing_rules_run_on_an_inline_report(
    client: TestClient, reporter: dict[str, str], artefacts_dir: Path
) -> None:
    _ingest(client, reporter, _trial_balance("20251231", "1000,00", "300,00"))
    _, doc = _annual(client, reporter, 2025, "ixbrl")
    # The general meeting must be the meeting that approved the report (rule FR91).
    meeting = b'name="gsd:DateOfGeneralMeeting" contextRef="c_year" format="ixt:date-day-month-year">20.05.2026'
    assert meeting in doc
    moved = doc.replace(meeting, meeting.replace(b"20.05.2026", b"27.05.2026"))
    verdict = validate_annual_report(moved, artefacts_dir=artefacts_dir)
    assert "DBA.FR91" in {f.rule for f in verdict.errors}


def test_the_xbrl_form_of_the_same_year_passes_arelle_and_the_pre_check(
    client: TestClient, reporter: dict[str, str], artefacts_dir: Path
) -> None:
    _ingest(client, reporter, _trial_balance("20241231", "800,00", "200,00"))
    _ingest(client, reporter, _trial_balance("20251231", "1000,00", "300,00"))
    report, doc = _annual(client, reporter, 2025, "xbrl")
    assert report["status"] == "validating" and report["validation"]["precheck"] == []
    assert ("fsa:ProfitLoss", "c_prev_year", "600") in _facts(doc)
    verdict = validate_annual_report(doc, artefacts_dir=artefacts_dir)
    assert verdict.errors == [] and verdict.valid


def test_no_ledger_ending_in_the_year_names_the_year(
    client: TestClient, reporter: dict[str, str]
) -> None:
    _ingest(client, reporter, _trial_balance("20250630", "1000,00", "300,00"))
    r = client.post(
        "/v1/reports/annual", json={"year": 2026, "accounts": ACCOUNTS}, headers=reporter
    )
    assert r.status_code == 404 and "ending in 2026" in r.json()["detail"]


@pytest.mark.parametrize(
    ("concept", "says"),
    [
        ("fsa:Revenu", "close matches: fsa:Revenue"),
        ("xyz:Revenue", "prefix 'xyz'"),
        ("fsa:DisclosureOfRelatedParties", "not a line of the mapping"),
    ],
)
def test_an_account_mapped_to_a_wrong_concept_is_refused_with_a_hint(
    client: TestClient, reporter: dict[str, str], concept: str, says: str
) -> None:
    _ingest(client, reporter, _trial_balance("20251231", "1000,00", "300,00"))
    accounts = {**ACCOUNTS, "1010": concept}
    r = client.post(
        "/v1/reports/annual", json={"year": 2025, "accounts": accounts}, headers=reporter
    )
    assert r.status_code == 422, r.text
    assert says in r.json()["detail"] and concept in r.json()["detail"]


def test_the_cli_writes_an_inline_report_from_the_example_profile(
    container: Container, artefacts_dir: Path, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    cvr = random_cvr()
    with container.db.transaction() as s:
        create_organisation(s, cvr=cvr, name="Demo ApS", actor="test")
    env = {
        **os.environ,
        "GW_DATABASE_URL": container.settings.effective_database_url,
        "GW_DATA_DIR": str(container.settings.data_path),
        "GW_ARTEFACTS_DIR": str(artefacts_dir),
    }
    # exactly what a user of the README has: the example trial balance and profile
    tb = root / "examples" / "trial-balance-2025.csv"
    profile = root / "examples" / "annual" / "profile.toml"
    gw = [sys.executable, "-m", "gateway.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*gw, *args], env=env, capture_output=True, text=True, cwd=root, check=False
        )

    ingest = run("ingest", "--org", cvr, "--profile", "regnskab-basis", str(tb))
    assert ingest.returncode == 0, ingest.stderr
    out = tmp_path / "annual.xhtml"
    done = run(
        "report",
        "annual",
        "--org",
        cvr,
        "--year",
        "2025",
        "--profile",
        str(profile),
        "--format",
        "ixbrl",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid" in done.stdout
    facts = _facts(out.read_bytes())
    assert (
        "mrv:DescriptionOfPrimaryActivitiesOfEntity",
        "c_year",
        "Selskabets aktiviteter består i salg og service af cykler.",
    ) in facts
    wrong = run(
        "report",
        "annual",
        "--org",
        cvr,
        "--year",
        "2025",
        "--profile",
        str(profile),
        "--format",
        "pdf",
        "--out",
        str(out),
    )
    assert wrong.returncode == 2 and "pdf" in wrong.stderr


def test_the_same_year_is_kept_once_per_format(
    client: TestClient, reporter: dict[str, str]
) -> None:
    _ingest(client, reporter, _trial_balance("20251231", "1000,00", "300,00"))
    xbrl, _ = _annual(client, reporter, 2025, "xbrl")
    inline, doc = _annual(client, reporter, 2025, "ixbrl")
    again, _ = _annual(client, reporter, 2025, "ixbrl")
    assert inline["id"] != xbrl["id"] and again["id"] == inline["id"]
    assert doc.lstrip().startswith(b"<?xml") and b"inlineXBRL" in doc[:3000]
