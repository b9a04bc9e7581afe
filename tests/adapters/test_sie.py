"""SIE 4: every installed sample imports; the unbalanced one is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import adapters
from adapters.ledger import AccountType, LedgerBuilder
from adapters.sie import split_fields

GOOD = [
    "MAMUT_SIE4_EXPORT.SE",
    "SIE4_Exempelfil_med_underdim.SE",
    "Sie4.se",
    "transaktioner_ovnbolag.se",
    "typ4.se",
]


@pytest.mark.parametrize("name", GOOD)
def test_sample_imports(name: str, sie_dir: Path) -> None:
    path = sie_dir / name
    ledger = LedgerBuilder().extend(adapters.read(path)).build()
    assert ledger.header.source_format == "sie4"
    assert ledger.transactions
    assert all(tx.balance == 0 for tx in ledger.transactions)
    used = {line.account_id for tx in ledger.transactions for line in tx.lines}
    assert used <= set(ledger.accounts)


def test_unbalanced_voucher_is_refused_naming_series_number_and_line(sie_dir: Path) -> None:
    path = sie_dir / "transaktioner_ovnbolag-bad-balance.se"
    with pytest.raises(adapters.LedgerRejected) as caught:
        list(adapters.read(path))
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert len(errors) == 1
    raw = path.read_bytes().decode("cp437").splitlines()
    assert errors[0].line is not None
    assert raw[errors[0].line - 1].startswith("#VER B 1 ")
    assert errors[0].element == "voucher B 1"
    assert "does not balance" in errors[0].message


def test_balances_roll_forward_in_a_complete_export(sie_dir: Path) -> None:
    path = sie_dir / "transaktioner_ovnbolag.se"
    report = adapters.check(path)
    assert report.ok and report.warnings == 0
    ledger = LedgerBuilder().extend(adapters.read(path)).build()
    stated = {
        a.account_id: a.closing_balance
        for a in ledger.accounts.values()
        if a.closing_balance is not None
    }
    assert stated
    tb = ledger.trial_balance()
    assert all(tb[a] == closing for a, closing in stated.items())


def test_cp437_text_is_decoded(sie_dir: Path) -> None:
    report = adapters.check(sie_dir / "transaktioner_ovnbolag.se")
    assert report.company_name == "Övningsbolaget AB (Ekonomi 60)"
    assert (str(report.period_start), str(report.period_end)) == ("2011-01-01", "2011-12-31")


def test_utf8_file_is_read_as_utf8_with_a_warning(sie_dir: Path) -> None:
    report = adapters.check(sie_dir / "SIE4_Exempelfil_med_underdim.SE")
    assert report.ok
    encoding = [p for p in report.problems if p.code == "encoding"]
    assert len(encoding) == 1 and "UTF-8" in encoding[0].message


def test_partial_export_warns_about_balances_and_undeclared_accounts(sie_dir: Path) -> None:
    report = adapters.check(sie_dir / "Sie4.se")
    assert report.ok
    codes = {p.code for p in report.problems}
    assert {"balance-mismatch", "undeclared-account"} <= codes


def test_account_types_come_from_ktyp(sie_dir: Path) -> None:
    ledger = LedgerBuilder().extend(adapters.read(sie_dir / "typ4.se")).build()
    kinds = {a.type for a in ledger.accounts.values()}
    assert AccountType.ASSET in kinds and AccountType.EXPENSE in kinds


def test_customer_dimension_becomes_the_party(sie_dir: Path) -> None:
    ledger = LedgerBuilder().extend(adapters.read(sie_dir / "MAMUT_SIE4_EXPORT.SE")).build()
    parties = {p.party_id for p in ledger.parties.values()}
    on_lines = {line.party_id for tx in ledger.transactions for line in tx.lines if line.party_id}
    assert "30083" in on_lines and on_lines <= parties


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("1910 {} -195.00", ["1910", "{}", "-195.00"]),
        ('"a \\"quoted\\" word" b', ['a "quoted" word', "b"]),
        ('"" "x"', ["", "x"]),
        ('"say ""hi""" next', ['say "hi"', "next"]),
        (
            '3051 {1 "2" 10 "12"} -301050.00 20100107 "Text, 12" ""',
            ["3051", '{1 "2" 10 "12"}', "-301050.00", "20100107", "Text, 12", ""],
        ),
    ],
)
def test_field_quoting(text: str, fields: list[str]) -> None:
    assert split_fields(text) == fields


def test_unclosed_voucher_and_bad_amount_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.se"
    path.write_bytes(
        "\n".join(
            [
                "#FLAGGA 0",
                "#SIETYP 4",
                '#FNAMN "Test AB"',
                "#ORGNR 556000-0000",
                "#RAR 0 20240101 20241231",
                '#KONTO 1910 "Kassa"',
                '#KONTO 3010 "Försäljning"',
                '#VER A 1 20240105 "Kontant"',
                "{",
                "#TRANS 1910 {} 100,00",
                "#TRANS 3010 {} -100.00",
                "}",
            ]
        ).encode("cp437")
    )
    report = adapters.check(path)
    assert not report.ok
    bad = [p for p in report.problems if p.severity == "error"]
    assert bad[0].line == 10 and "100,00" in bad[0].message


_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="{}"
    ),
    max_size=20,
)


@given(st.lists(_TEXT, min_size=1, max_size=6))
def test_quoted_fields_round_trip(fields: list[str]) -> None:
    line = " ".join('"' + f.replace("\\", "\\\\").replace('"', '\\"') + '"' for f in fields)
    assert split_fields(line) == fields
