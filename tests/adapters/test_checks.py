"""The ledger rules on their own, fed records directly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from adapters.checks import DeclaredTotals, LedgerChecker, SourceFacts
from adapters.ledger import Account, Header, Line, TaxCode, Transaction
from adapters.problems import ProblemLog

D = Decimal
HEADER = Header("12345678", "Test ApS", "DKK", date(2025, 1, 1), date(2025, 12, 31), "test")


def _tx(
    tid: str, *amounts: tuple[str, str], when: date = date(2025, 5, 1), tax: str | None = None
) -> Transaction:
    lines = tuple(
        Line(str(i), acc, D(a), tax_code=tax if i == 1 else None)
        for i, (acc, a) in enumerate(amounts, 1)
    )
    return Transaction(tid, "GL", when, lines, source_line=10)


def _run(records: list, facts: SourceFacts | None = None, cap: int = 200) -> ProblemLog:
    log = ProblemLog("t.xml", cap=cap)
    checker = LedgerChecker(log, facts or SourceFacts(chart=True, tax_table=True))
    for r in records:
        checker.observe(r)
    checker.finish()
    return log


def test_balanced_ledger_passes() -> None:
    log = _run(
        [
            HEADER,
            Account("1", "Bank", closing_balance=D("5")),
            Account("2", "Sales", closing_balance=D("-5")),
            _tx("1", ("1", "5"), ("2", "-5")),
        ]
    )
    assert log.ok and not log.problems


def test_unbalanced_voucher_names_difference() -> None:
    log = _run(
        [HEADER, Account("1", "a"), Account("2", "b"), _tx("7", ("1", "10.00"), ("2", "-9.50"))]
    )
    [p] = log.problems
    assert p.element == "voucher GL/7" and p.line == 10
    assert "difference 0.50" in p.message


def test_rollforward_uses_opening_balance() -> None:
    log = _run(
        [
            HEADER,
            Account("1", "a", opening_balance=D("100"), closing_balance=D("105"), source_line=3),
            Account("2", "b", closing_balance=D("-4")),
            _tx("1", ("1", "5"), ("2", "-5")),
        ]
    )
    [p] = log.problems
    assert p.element == "account 2" and p.line is None and "difference 1.00" in p.message


def test_rollforward_severity_follows_the_source() -> None:
    facts = SourceFacts(chart=True, rollforward_severity="warning")
    log = _run(
        [
            HEADER,
            Account("1", "a", closing_balance=D("1")),
            Account("2", "b"),
            _tx("1", ("1", "5"), ("2", "-5")),
        ],
        facts,
    )
    assert log.ok and log.warnings == 1


def test_unknown_references_reported_once_with_count() -> None:
    log = _run(
        [
            HEADER,
            Account("1", "a"),
            TaxCode("U25"),
            _tx("1", ("9", "5"), ("1", "-5"), tax="X"),
            _tx("2", ("9", "1"), ("1", "-1")),
        ]
    )
    messages = sorted(p.message for p in log.problems)
    assert len(messages) == 2
    assert "account '9' is used on 2 line(s)" in messages[0]
    assert "tax code 'X'" in messages[1]


def test_account_declared_after_use_is_accepted() -> None:
    log = _run([HEADER, _tx("1", ("1", "5"), ("2", "-5")), Account("1", "a"), Account("2", "b")])
    assert log.ok


def test_no_chart_means_no_unknown_account_errors() -> None:
    log = _run([HEADER, _tx("1", ("1", "5"), ("2", "-5"))], SourceFacts(chart=False))
    assert log.ok


def test_declared_totals_are_compared() -> None:
    facts = SourceFacts(totals=DeclaredTotals(entries=2, debit=D("5"), credit=D("6"), line=4))
    log = _run(
        [HEADER, Account("1", "a"), Account("2", "b"), _tx("1", ("1", "5"), ("2", "-5"))], facts
    )
    assert sorted(p.message.split()[0] for p in log.problems) == ["NumberOfEntries", "TotalCredit"]
    assert {p.line for p in log.problems} == {4}


def test_dates_outside_the_period_warn_once() -> None:
    log = _run(
        [
            HEADER,
            Account("1", "a"),
            Account("2", "b"),
            _tx("1", ("1", "5"), ("2", "-5"), when=date(2024, 12, 31)),
            _tx("2", ("1", "5"), ("2", "-5"), when=date(2026, 1, 1)),
        ]
    )
    assert log.ok and log.warnings == 1
    assert log.problems[0].message.startswith("2 voucher(s) fall outside")


def test_missing_header_is_an_error() -> None:
    log = _run([Account("1", "a")])
    assert [p.code for p in log.problems] == ["header"]


def test_cap_keeps_counting() -> None:
    records = [HEADER, Account("1", "a"), Account("2", "b")]
    records += [_tx(str(i), ("1", "5"), ("2", "-4")) for i in range(10)]
    log = _run(records, cap=3)
    assert log.errors == 10 and len(log.problems) == 3 and log.truncated
