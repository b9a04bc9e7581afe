import csv
import json
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from adapters.ingest import read
from adapters.ledger import Ledger, LedgerBuilder, TaxCode
from reporting.errors import InvalidPeriod, MappingError, ReportBuildError, UnmappedTaxCode
from reporting.vat import compute_vat_return
from reporting.vat_table import load_vat_table
from tests.reporting.reporting_fixtures import build, header, ln, sample_records, tx

D = Decimal


def test_quarter_return_from_domestic_eu_and_export_trade(sample_ledger: Ledger) -> None:
    vat = compute_vat_return(sample_ledger, period="2026-Q3")
    # sales VAT: 250.15 + 500 - 50 (credit note) = 700.15, øre dropped
    assert vat.salgs_moms == 700
    # domestic 200 + 150, reverse charge on EU goods 300 (stated), on EU services 400 * 25 %
    assert vat.koebs_moms == 200 + 150 + 300 + 100
    assert vat.moms_eu_koeb == 300
    assert vat.moms_eu_ydelser == 100
    assert (vat.eu_koeb, vat.eu_koeb_ydelse) == (1200, 400)
    assert (vat.eu_salg_varer, vat.eu_salg_ydelse, vat.eksport_omsaetning) == (3000, 1500, 700)
    assert vat.ikke_eu_salg_varer == 0
    assert vat.el_afgift == 80  # 80.90 reclaimed duty, øre dropped
    assert vat.afgift_tilsvar == 700 + 300 + 100 - 750 - 80
    assert vat.amounts["AfgiftTilsvar"] == vat.afgift_tilsvar
    assert vat.ledger.company_id == "12345678"
    assert (vat.period.start, vat.period.end) == (date(2026, 7, 1), date(2026, 9, 30))


def test_only_transactions_in_the_period_count(sample_ledger: Ledger) -> None:
    assert compute_vat_return(sample_ledger, period="2026-Q2").salgs_moms == 100
    assert compute_vat_return(sample_ledger, period="2026-H1").salgs_moms == 100
    july = compute_vat_return(sample_ledger, period="2026-07")
    assert (july.salgs_moms, july.koebs_moms, july.eu_koeb) == (250, 200, 0)
    assert compute_vat_return(sample_ledger, period="2026-H2").salgs_moms == 700


def test_rounding_mode_can_be_chosen(sample_ledger: Ledger) -> None:
    vat = compute_vat_return(sample_ledger, period="2026-Q3", rounding=ROUND_HALF_UP)
    assert vat.el_afgift == 81
    assert dict(vat.exact)["ElAfgift"] == D("80.90")
    assert vat.afgift_tilsvar == 700 + 300 + 100 - 750 - 81


def test_breakdown_explains_each_field(sample_ledger: Ledger) -> None:
    vat = compute_vat_return(sample_ledger, period="2026-Q3")
    koebs = vat.explain("KoebsMoms")
    assert {(e.code, e.source) for e in koebs} == {
        ("I25", "tax"),
        ("EUV", "reverse_charge"),
        ("EUY", "reverse_charge"),
    }
    assert sum(e.amount for e in koebs) == dict(vat.exact)["KoebsMoms"]
    i25 = next(e for e in koebs if e.code == "I25")
    assert (i25.lines, i25.rule) == (2, "codes.I25")
    # the line's own code wins over its SAF-T standard code (EUSV is standard code 52 = rubrik C)
    assert [e.code for e in vat.explain("EUSalgBeloebVarer")] == ["EUSV"]


def test_return_is_json_ready(sample_ledger: Ledger) -> None:
    vat = compute_vat_return(sample_ledger, period="2026-Q3", ledger_id="sha256:abc")
    data = json.loads(json.dumps(vat.to_json()))
    assert data["amounts"]["SalgsMoms"] == 700
    assert data["exact"]["SalgsMoms"] == "700.15"
    assert data["ledger"]["ledger_id"] == "sha256:abc"
    assert data["period"] == {"label": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"}
    assert any(b["field"] == "MomsEUKoeb" and b["code"] == "EUV" for b in data["breakdown"])


def _ledger_with_code(code: str, standard: str | None) -> Ledger:
    recs = [
        header(),
        TaxCode(code, "own code", D("25"), standard_code=standard),
        tx(
            "S1",
            "J",
            date(2026, 8, 1),
            ln("6100", "125"),
            ln("1010", "-100", code=code, base="-100", tax="-25"),
            ln("8020", "-25"),
        ),
    ]
    return build(recs)  # type: ignore[arg-type]


def test_unknown_code_falls_back_to_its_saft_standard_code() -> None:
    vat = compute_vat_return(_ledger_with_code("S25", "3"), period="2026-08")
    assert vat.salgs_moms == 25
    assert vat.explain("SalgsMoms")[0].rule == "standard_codes.3"


def test_unmapped_codes_are_refused_or_listed() -> None:
    ledger = _ledger_with_code("X9", None)
    with pytest.raises(UnmappedTaxCode) as err:
        compute_vat_return(ledger, period="2026-08")
    assert err.value.extensions["codes"] == ["X9"]
    lenient = compute_vat_return(ledger, period="2026-08", strict=False)
    assert lenient.unmapped == ("X9",) and lenient.salgs_moms == 0


def test_user_table_maps_own_codes(tmp_path: Path) -> None:
    user = tmp_path / "codes.toml"
    user.write_text('[codes.X9]\ndescription = "our sales VAT"\ntax = ["SalgsMoms"]\n')
    vat = compute_vat_return(
        _ledger_with_code("X9", None), period="2026-08", table=load_vat_table(user)
    )
    assert vat.salgs_moms == 25


def test_user_table_overrides_a_builtin_code(tmp_path: Path, sample_ledger: Ledger) -> None:
    user = tmp_path / "codes.toml"
    user.write_text('[codes.EUSV]\nbase = ["IkkeEUSalgBeloebVarer"]\n')
    vat = compute_vat_return(sample_ledger, period="2026-Q3", table=load_vat_table(user))
    assert (vat.eu_salg_varer, vat.ikke_eu_salg_varer) == (0, 3000)


@pytest.mark.parametrize(
    "text",
    [
        '[codes.X]\ntax = ["Salgsmoms"]\n',  # misspelt field
        '[codes.X]\nbase = ["SalgsMoms"]\n',  # VAT field fed by a net amount
        '[codes.X]\ntaxes = ["SalgsMoms"]\n',  # unknown key
        '[codez.X]\ntax = ["SalgsMoms"]\n',  # unknown section
        '[codes.X]\nrate = "abc"\n',
        "[codes.X\n",  # not TOML
    ],
)
def test_bad_user_tables_are_refused(tmp_path: Path, text: str) -> None:
    user = tmp_path / "codes.toml"
    user.write_text(text)
    with pytest.raises(MappingError):
        load_vat_table(user)


def test_account_rules_feed_duties_without_tax_codes(tmp_path: Path) -> None:
    recs = sample_records()
    user = tmp_path / "codes.toml"
    user.write_text('[accounts."3020"]\namount = ["ElAfgift"]\n')
    table = load_vat_table(user)
    ledger = build(recs)
    vat = compute_vat_return(ledger, period="2026-Q3", table=table)
    # the ELAFG line (80.90) plus the electricity account's net movement (600 - 80.90)
    assert vat.el_afgift == int(D("80.90") + (D("600") - D("80.90")))


def test_period_outside_the_ledger_is_refused(sample_ledger: Ledger) -> None:
    with pytest.raises(ReportBuildError):
        compute_vat_return(sample_ledger, period="2027-Q1")
    with pytest.raises(InvalidPeriod):
        compute_vat_return(sample_ledger, period="2026")  # no annual VAT period


def test_partly_covered_period_is_flagged() -> None:
    recs = sample_records()
    recs[0] = replace(header(), period_end=date(2026, 8, 20))
    vat = compute_vat_return(build(recs), period="2026-Q3")
    assert vat.ledger_covers_period is False
    assert vat.to_json()["ledger_covers_period"] is False
    assert compute_vat_return(build(recs), period="2026-07").ledger_covers_period


def test_ledger_read_from_a_csv_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.csv"
    path.write_text(
        "Voucher,Date,Account,Description,Debit,Credit,VAT code,VAT amount,Tax base\n"
        "1,2026-03-01,5600,Invoice 1,1250.00,,,,\n"
        "1,2026-03-01,1010,Invoice 1,,1000.00,U25,250.00,1000.00\n"
        "1,2026-03-01,7630,Invoice 1,,250.00,,,\n"
        "2,2026-03-05,1610,Purchase,400.00,,I25,100.00,400.00\n"
        "2,2026-03-05,7640,Purchase,100.00,,,,\n"
        "2,2026-03-05,7350,Purchase,,500.00,,,\n",
        "utf-8",
    )
    company = {"company_id": "12345678", "company_name": "CSV ApS", "currency": "DKK"}
    ledger = LedgerBuilder().extend(read(path, header_defaults=company)).build()
    vat = compute_vat_return(ledger, period="2026-03")
    assert (vat.salgs_moms, vat.koebs_moms, vat.afgift_tilsvar) == (250, 100, 150)
    assert vat.ledger_covers_period is False  # the CSV's period ends at its last posting


def test_foreign_currency_ledger_is_refused() -> None:
    recs = sample_records()
    recs[0] = replace(header(), currency="EUR")
    with pytest.raises(ReportBuildError):
        compute_vat_return(build(recs), period="2026-Q3")


def test_every_saft_standard_tax_code_has_a_rule(artefacts_dir: Path) -> None:
    path = artefacts_dir / "saf-t-no" / "codelists" / "Standard_Tax_Codes.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        codes = {row["Code"].strip() for row in csv.DictReader(handle, delimiter=";")}
    assert codes, "the code list is empty"
    assert codes <= set(load_vat_table().standard_codes)
