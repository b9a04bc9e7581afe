"""CSV through mapping profiles: generic journal, DATEV EXTF, Regnskab Basis, user profiles."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import adapters
from adapters.ledger import LedgerBuilder

DATEV_COLUMNS = (
    '"Umsatz (ohne Soll/Haben-Kz)";"Soll/Haben-Kennzeichen";"WKZ Umsatz";"Kurs";"Basis-Umsatz";'
    '"WKZ Basis-Umsatz";"Konto";"Gegenkonto (ohne BU-Schlüssel)";"BU-Schlüssel";"Belegdatum";'
    '"Belegfeld 1";"Belegfeld 2";"Skonto";"Buchungstext"'
)
DATEV_META = (
    '"EXTF";700;21;"Buchungsstapel";13;20250115093000000;;"RE";"";"";29098;55003;20240701;4;'
    '20240701;20250630;"Buchungen 2024/25";"";1;;0;"EUR";;"";;;"03";;;"";""'
)
GENERIC = """Voucher,Date,Account,Description,Debit,Credit,VAT code,VAT amount
1,2025-03-01,5600,Invoice 1,1250.00,,,
1,2025-03-01,1010,Invoice 1,,1000.00,U25,250.00
1,2025-03-01,7630,Invoice 1,,250.00,,
2,2025-03-05,1610,Purchase,400.00,,I25,100.00
2,2025-03-05,7640,Purchase,100.00,,,
2,2025-03-05,7350,Purchase,,500.00,,
"""


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _datev(tmp_path: Path, rows: list[str]) -> Path:
    text = "\r\n".join([DATEV_META, DATEV_COLUMNS, *rows]) + "\r\n"
    return _write(tmp_path / "EXTF_Buchungsstapel.csv", text, "cp1252")


def test_datev_extf_bookings_become_two_line_vouchers(tmp_path: Path) -> None:
    path = _datev(
        tmp_path,
        [
            '1190,00;"S";"EUR";;;;"10000";"8400";"";"1507";"RE-1001";"";;"Kunde Müller"',
            '595,00;"H";"EUR";;;;"70000";"3400";"9";"0302";"ER-77";"";;"Lieferant Schmidt"',
        ],
    )
    report = adapters.check(path)
    assert report.ok, report.problems
    assert (report.format, report.profile) == ("csv", "datev-extf")
    assert (report.period_start, report.period_end) == (date(2024, 7, 1), date(2025, 6, 30))
    assert (report.currency, report.company_id) == ("EUR", "29098/55003")
    ledger = LedgerBuilder().extend(adapters.read(path)).build()
    sale, purchase = ledger.transactions
    assert sale.date == date(2024, 7, 15)
    assert purchase.date == date(2025, 2, 3)  # before the fiscal-year start: the next year
    assert [(ln.account_id, ln.amount) for ln in sale.lines] == [
        ("10000", Decimal("1190.00")),
        ("8400", Decimal("-1190.00")),
    ]
    assert [(ln.account_id, ln.amount, ln.tax_code) for ln in purchase.lines] == [
        ("70000", Decimal("-595.00"), None),
        ("3400", Decimal("595.00"), "9"),
    ]
    assert sale.description == "Kunde Müller"


def test_datev_bad_mark_and_amount_are_reported_by_line(tmp_path: Path) -> None:
    path = _datev(
        tmp_path,
        [
            '100,00;"X";"EUR";;;;"1200";"8400";"";"0107";"R1";"";;"t"',
            'zehn;"S";"EUR";;;;"1200";"8400";"";"0107";"R2";"";;"t"',
        ],
    )
    report = adapters.check(path)
    assert [(p.line, p.code) for p in report.problems if p.severity == "error"] == [
        (3, "side"),
        (4, "number"),
    ]


def test_regnskab_basis_trial_balance_gives_closing_balances(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "regnskab.csv",
        "KONTONUMMER_20231231;KONTONAVN_20231231;VAERDI_20231231\n"
        "1010;Salg af varer og ydelser;-1250000,50\n"
        "1610;Varekøb;600000\n"
        "5820;Bank;650000,50\n",
    )
    report = adapters.check(path)
    assert report.ok, report.problems
    assert report.profile == "regnskab-basis"
    assert (report.period_start, report.period_end) == (date(2023, 1, 1), date(2023, 12, 31))
    assert report.counts["transactions"] == 0
    ledger = LedgerBuilder().extend(adapters.read(path)).build()
    assert ledger.accounts["1010"].closing_balance == Decimal("-1250000.50")
    assert ledger.accounts["1610"].name == "Varekøb"
    assert sum(a.closing_balance or 0 for a in ledger.accounts.values()) == 0


def test_generic_journal_groups_rows_into_vouchers(tmp_path: Path) -> None:
    path = _write(tmp_path / "journal.csv", GENERIC)
    report = adapters.check(path, header_defaults={"company_id": "12345678", "currency": "DKK"})
    assert report.ok, report.problems
    assert report.profile == "generic-gl"
    assert (report.company_id, report.currency) == ("12345678", "DKK")
    assert (report.period_start, report.period_end) == (date(2025, 3, 1), date(2025, 3, 5))
    ledger = (
        LedgerBuilder().extend(adapters.read(path, header_defaults={"company_id": "1"})).build()
    )
    assert [len(tx.lines) for tx in ledger.transactions] == [3, 3]
    revenue = ledger.transactions[0].lines[1]
    assert (revenue.amount, revenue.tax_code, revenue.tax_amount) == (
        Decimal("-1000.00"),
        "U25",
        Decimal("-250.00"),
    )


def test_generic_journal_without_company_warns(tmp_path: Path) -> None:
    report = adapters.check(_write(tmp_path / "journal.csv", GENERIC))
    assert report.ok
    assert [p.code for p in report.problems] == ["header"]


def test_unbalanced_and_split_vouchers_are_errors(tmp_path: Path) -> None:
    text = GENERIC.replace(
        "1,2025-03-01,7630,Invoice 1,,250.00,,", "1,2025-03-01,7630,Invoice 1,,25.00,,"
    )
    text += "1,2025-03-06,5820,Late row,1.00,,,\n1,2025-03-06,5600,Late row,,1.00,,\n"
    report = adapters.check(_write(tmp_path / "journal.csv", text))
    errors = [(p.code, p.line) for p in report.problems if p.severity == "error"]
    assert ("unbalanced-voucher", 2) in errors
    assert ("voucher-split", 8) in errors


def test_wrong_encoding_is_reported_with_its_line(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    _write(
        profiles / "strict.toml",
        'kind = "journal"\n[file]\nencoding = "utf-8"\ndelimiter = ","\n'
        '[columns]\nvoucher = "Voucher"\ndate = "Date"\naccount = "Account"\n'
        'description = "Description"\ndebit = "Debit"\ncredit = "Credit"\n',
    )
    path = _write(tmp_path / "journal.csv", GENERIC.replace("Purchase", "Køb"), "cp1252")
    report = adapters.check(path, profile="strict", profile_dirs=[profiles])
    encoding = [p for p in report.problems if p.code == "encoding"]
    assert [p.line for p in encoding] == [5, 6, 7]
    assert "Windows-1252" in encoding[0].message
    with pytest.raises(adapters.UnreadableSource):
        list(adapters.read(path, profile="strict", profile_dirs=[profiles]))


def test_user_profile_without_code_is_detected_from_its_directory(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    _write(
        profiles / "my-erp.toml",
        'name = "my-erp"\nkind = "journal"\n[file]\ndelimiter = "|"\ndecimal = ","\n'
        'date_format = "%d.%m.%Y"\n[detect]\ncolumns = ["Bilag", "Konto", "Beløb"]\n'
        '[columns]\nvoucher = "Bilag"\ndate = "Dato"\naccount = "Konto"\namount = "Beløb"\n'
        '[header]\ncompany_id = "87654321"\ncurrency = "DKK"\n',
    )
    path = _write(
        tmp_path / "export.txt",
        "Bilag|Dato|Konto|Beløb\n7|31.01.2025|5820|1.000,00\n7|31.01.2025|1010|-1.000,00\n",
    )
    report = adapters.check(path, profile_dirs=[profiles])
    assert report.ok, report.problems
    assert (report.profile, report.company_id) == ("my-erp", "87654321")
    by_path = adapters.check(path, profile=str(profiles / "my-erp.toml"))
    assert by_path.total_debit == Decimal("1000.00")


def test_profile_missing_required_columns_is_refused(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.toml", 'kind = "journal"\n[columns]\nvoucher = "V"\n')
    with pytest.raises(adapters.ProfileError) as caught:
        adapters.check(_write(tmp_path / "x.csv", GENERIC), profile=str(bad))
    assert caught.value.status == 400
    assert "needs columns" in caught.value.detail


def test_unknown_profile_name_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(adapters.ProfileError, match="datev-extf"):
        adapters.check(_write(tmp_path / "x.csv", GENERIC), profile="nope")


def test_csv_no_profile_knows_is_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(adapters.UnknownFormat):
        adapters.check(_write(tmp_path / "x.csv", "a,b,c\n1,2,3\n"))


def test_missing_column_names_what_the_file_has(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", GENERIC.replace("Account", "Acct", 1))
    report = adapters.check(path, profile="generic-gl")
    assert report.problems[0].code == "columns"
    assert "Acct" in report.problems[0].message and report.problems[0].line == 1


def test_builtin_profiles_all_load() -> None:
    names = {p.name for p in adapters.list_profiles()}
    assert {"generic-gl", "datev-extf", "regnskab-basis"} <= names


def test_datev_ddmm_dates_belong_to_the_fiscal_year(tmp_path: Path) -> None:
    # A December batch of a fiscal year starting in July: 30 November is late, not next year.
    text = "\r\n".join(
        [
            DATEV_META.replace(";20240701;20250630;", ";20241201;20241231;"),
            DATEV_COLUMNS,
            '10,00;"S";"EUR";;;;"1200";"8400";"";"3011";"R1";"";;"late"',
            '10,00;"S";"EUR";;;;"1200";"8400";"";"0512";"R2";"";;"in time"',
        ]
    )
    path = _write(tmp_path / "EXTF_dec.csv", text, "cp1252")
    ledger = LedgerBuilder().extend(adapters.read(path)).build()
    assert [tx.date for tx in ledger.transactions] == [date(2024, 11, 30), date(2024, 12, 5)]
    report = adapters.check(path)
    assert report.ok and [p.code for p in report.problems] == ["outside-period"]
