import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.ingest import read
from adapters.ledger import Account, AccountType, Journal, Ledger, LedgerBuilder, TaxCode
from reporting.saft_check import validate_saft_file
from reporting.saft_export import NS_SAFT_130, SaftOptions, export_saft
from reporting.vat import compute_vat_return
from schemas import xmlsafe
from tests.reporting.reporting_fixtures import build, header, ln, tx

NS = {"s": NS_SAFT_130}
OPTIONS = SaftOptions(created=date(2027, 1, 15), contact_first_name="Ada", telephone="12345678")


def _export(ledger: Ledger, artefacts_dir: Path | None) -> tuple[bytes, object]:
    buf = io.BytesIO()
    report = export_saft(ledger, buf, artefacts_dir=artefacts_dir, options=OPTIONS)
    return buf.getvalue(), report


def test_built_ledger_exports_a_valid_file(sample_ledger: Ledger, artefacts_dir: Path) -> None:
    data, report = _export(sample_ledger, artefacts_dir)
    assert validate_saft_file(io.BytesIO(data), artefacts_dir=artefacts_dir) == []
    assert (report.accounts, report.customers, report.suppliers) == (24, 2, 2)  # type: ignore[attr-defined]
    assert (report.tax_codes, report.journals, report.transactions) == (8, 4, 16)  # type: ignore[attr-defined]
    root = xmlsafe.parse(data).getroot()
    gle = root.find("s:GeneralLedgerEntries", NS)
    debit = sum(
        (Decimal(x.text) for x in gle.iterfind(".//s:DebitAmount/s:Amount", NS)), Decimal(0)
    )
    assert Decimal(gle.findtext("s:TotalDebit", namespaces=NS)) == debit
    assert gle.findtext("s:TotalDebit", namespaces=NS) == gle.findtext(
        "s:TotalCredit", namespaces=NS
    )
    assert gle.findtext("s:NumberOfEntries", namespaces=NS) == "16"
    assert [j.findtext("s:JournalID", namespaces=NS) for j in gle.iterfind("s:Journal", NS)] == [
        "SALG",
        "KOEB",
        "BANK",
        "DIV",
    ]
    assert (
        root.findtext(".//s:Company/s:Contact/s:ContactPerson/s:FirstName", namespaces=NS) == "Ada"
    )


def test_balances_and_vat_survive_a_round_trip(
    sample_ledger: Ledger, artefacts_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export.xml"
    export_saft(sample_ledger, out, artefacts_dir=artefacts_dir, options=OPTIONS)
    back = LedgerBuilder().extend(read(out, artefacts_dir=artefacts_dir)).build()
    assert back.header.company_id == sample_ledger.header.company_id
    assert back.trial_balance() == sample_ledger.trial_balance()
    assert {a.account_id: a.opening_balance for a in back.accounts.values()} == {
        a.account_id: a.opening_balance for a in sample_ledger.accounts.values()
    }
    assert set(back.parties) == set(sample_ledger.parties)
    assert set(back.tax_codes) == set(sample_ledger.tax_codes)
    for period in ("2026-Q2", "2026-Q3"):
        original = compute_vat_return(sample_ledger, period=period).amounts
        assert compute_vat_return(back, period=period).amounts == original


def _account(root: object, account_id: str) -> tuple[str, str]:
    acc = root.find(f".//s:Account[s:AccountID='{account_id}']", NS)  # type: ignore[attr-defined]
    return acc.findtext("s:GroupingCategory", namespaces=NS), acc.findtext(
        "s:GroupingCode", namespaces=NS
    )


def test_grouping_comes_from_source_code_list_or_type_fallback(artefacts_dir: Path) -> None:
    recs = [
        header(),
        Account(
            "A",
            "own grouping",
            AccountType.ASSET,
            grouping_category="kortsiktigGjeld",
            grouping_code="2400",
        ),
        Account("B", "standard account", AccountType.ASSET, standard_account="1920"),
        Account("C", "two-character standard account", AccountType.INCOME, standard_account="30"),
        Account("D", "nothing known", AccountType.EXPENSE),
        Account(
            "E",
            "Swedish SRU grouping",
            AccountType.ASSET,
            grouping_category="SRU",
            grouping_code="7201",
        ),
        Account("F", "untyped credit balance", AccountType.OTHER, opening_balance=Decimal("-5")),
    ]
    data, report = _export(build(recs), artefacts_dir)  # type: ignore[arg-type]
    assert validate_saft_file(io.BytesIO(data), artefacts_dir=artefacts_dir) == []
    root = xmlsafe.parse(data).getroot()
    assert _account(root, "A") == ("kortsiktigGjeld", "2400")
    assert _account(root, "B") == ("balanseverdiForOmloepsmiddel", "1920")
    assert _account(root, "C") == ("salgsinntekt", "3000")
    assert _account(root, "D") == ("annenDriftskostnad", "7700")
    assert _account(root, "E") == ("balanseverdiForOmloepsmiddel", "1570")
    assert _account(root, "F") == ("kortsiktigGjeld", "2990")
    assert report.grouping_fallbacks == ("D", "E", "F")  # type: ignore[attr-defined]


def test_output_vat_is_a_credit_tax_amount(sample_ledger: Ledger, artefacts_dir: Path) -> None:
    data, _ = _export(sample_ledger, artefacts_dir)
    root = xmlsafe.parse(data).getroot()
    sale = root.find(".//s:Transaction[s:TransactionID='S1']/s:Line[s:AccountID='1010']", NS)
    info = sale.find("s:TaxInformation", NS)
    assert info.findtext("s:TaxCode", namespaces=NS) == "U25"
    assert info.findtext("s:CreditTaxAmount/s:Amount", namespaces=NS) == "250.15"
    assert info.findtext("s:TaxBase", namespaces=NS) == "1000.60"
    assert sale.findtext("s:CreditAmount/s:Amount", namespaces=NS) == "1000.60"


def test_overlong_and_control_text_still_gives_a_valid_file(artefacts_dir: Path) -> None:
    long_journal = "J" * 30  # JournalID allows 18 characters
    recs = [
        header(company_name="Firma\x01 ApS"),
        Journal(long_journal, "x" * 300, "a-very-long-type"),
        tx(
            "T" * 80, long_journal, date(2026, 3, 1), ln("1", "10", text="bell\x07"), ln("2", "-10")
        ),
    ]
    data, report = _export(build(recs), artefacts_dir)  # type: ignore[arg-type]
    assert validate_saft_file(io.BytesIO(data), artefacts_dir=artefacts_dir) == []
    assert len(report.shortened) >= 4  # type: ignore[attr-defined]
    root = xmlsafe.parse(data).getroot()
    assert root.findtext(".//s:Company/s:Name", namespaces=NS) == "Firma ApS"


def test_validation_reports_a_broken_file(sample_ledger: Ledger, artefacts_dir: Path) -> None:
    data, _ = _export(sample_ledger, artefacts_dir)
    broken = data.replace(b"<PeriodYear>2026</PeriodYear>", b"<PeriodYear>1900</PeriodYear>", 1)
    errors = validate_saft_file(io.BytesIO(broken), artefacts_dir=artefacts_dir)
    assert len(errors) == 1 and "PeriodYear" in errors[0]


SIE_NAMES = [
    "MAMUT_SIE4_EXPORT.SE",
    "SIE4_Exempelfil_med_underdim.SE",
    "Sie4.se",
    "transaktioner_ovnbolag.se",
    "typ4.se",
]


@pytest.mark.parametrize("name", SIE_NAMES)
def test_ledger_read_from_sie_exports_a_valid_file(
    name: str, artefacts_dir: Path, tmp_path: Path
) -> None:
    source = artefacts_dir / "sie-samples" / name
    ledger = LedgerBuilder().extend(read(source, artefacts_dir=artefacts_dir)).build()
    out = tmp_path / "sie.xml"
    report = export_saft(ledger, out, artefacts_dir=artefacts_dir, options=OPTIONS)
    assert validate_saft_file(out, artefacts_dir=artefacts_dir) == []
    assert report.transactions == len(ledger.transactions)
    assert report.total_debit == report.total_credit
    # Swedish SRU groupings are not carried into the Norwegian list: each account is listed
    assert len(report.grouping_fallbacks) == report.accounts
    back = LedgerBuilder().extend(read(out, artefacts_dir=artefacts_dir)).build()
    assert back.trial_balance() == ledger.trial_balance()
    stated = {a.account_id: a.closing_balance for a in ledger.accounts.values()}
    computed = ledger.trial_balance()
    assert set(report.closing_mismatches) == {
        a for a, c in stated.items() if c is not None and c != computed[a]
    }


def test_ledger_read_from_a_csv_journal_exports_a_valid_file(
    artefacts_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "journal.csv"
    path.write_text(
        "Voucher,Journal,Date,Account,Description,Debit,Credit,VAT code,VAT amount,Tax base\n"
        "1,SALG,2026-03-01,5600,Invoice 1,1250.00,,,,\n"
        "1,SALG,2026-03-01,1010,Invoice 1,,1000.00,U25,250.00,1000.00\n"
        "1,SALG,2026-03-01,7630,Invoice 1,,250.00,,,\n"
        "2,KOEB,2026-03-05,1610,Purchase,400.00,,I25,100.00,400.00\n"
        "2,KOEB,2026-03-05,7640,Purchase,100.00,,,,\n"
        "2,KOEB,2026-03-05,7350,Purchase,,500.00,,,\n",
        "utf-8",
    )
    company = {"company_id": "12345678", "company_name": "CSV ApS", "currency": "DKK"}
    ledger = LedgerBuilder().extend(read(path, header_defaults=company)).build()
    data, report = _export(ledger, artefacts_dir)
    assert validate_saft_file(io.BytesIO(data), artefacts_dir=artefacts_dir) == []
    assert (report.journals, report.transactions, report.tax_codes) == (2, 2, 2)  # type: ignore[attr-defined]
    # accounts without a type or grouping get the documented fallback and are listed
    assert len(report.grouping_fallbacks) == 6  # type: ignore[attr-defined]


def test_codes_without_a_standard_code_get_one_from_the_vat_table(artefacts_dir: Path) -> None:
    recs = [
        header(),
        TaxCode("U25", "Salgsmoms"),
        TaxCode("EUY", "EU-ydelseskøb"),
        TaxCode("EKS", "Eksport"),
        TaxCode("ELAFG", "Elafgift"),
        TaxCode("ZZ", "unknown to the table"),
        TaxCode("I25", "Købsmoms", standard_code="11"),  # given: kept
        tx("T1", "J", date(2026, 3, 1), ln("1", "10"), ln("2", "-10")),
    ]
    data, report = _export(build(recs), artefacts_dir)  # type: ignore[arg-type]
    assert validate_saft_file(io.BytesIO(data), artefacts_dir=artefacts_dir) == []
    root = xmlsafe.parse(data).getroot()
    standard = {
        d.findtext("s:TaxCode", namespaces=NS): d.findtext("s:StandardTaxCode", namespaces=NS)
        for d in root.iterfind(".//s:TaxCodeDetails", NS)
    }
    assert standard == {
        "U25": "3",
        "EUY": "86",
        "EKS": "52",
        "ELAFG": "NA",
        "ZZ": "NA",
        "I25": "11",
    }
    assert set(report.derived_standard_tax_codes) == {"U25", "EUY", "EKS"}  # type: ignore[attr-defined]
