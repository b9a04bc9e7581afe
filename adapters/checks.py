"""Rules every ledger must pass before it is persisted; pure, fed one record at a time.

:class:`LedgerChecker` sees the same record stream the caller gets and keeps
only per-account sums and the ids it has met, so it checks a file of millions
of lines in constant memory per account. What it decides:

- every voucher balances (debits equal credits);
- opening balance plus movements equals the closing balance the file states;
- the file's own control totals (SAF-T NumberOfEntries, TotalDebit, TotalCredit) match;
- every line uses an account, tax code and party the file declares;
- voucher dates fall inside the period of the header (warning only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .ledger import Account, Header, Journal, Party, Record, TaxCode, Transaction
from .problems import VOUCHERS_ONLY, ProblemLog, Severity

__all__ = ["DeclaredTotals", "LedgerChecker", "LedgerStats", "SourceFacts"]

ZERO = Decimal("0")


@dataclass(slots=True)
class DeclaredTotals:
    """Control totals a source states about itself."""

    entries: int | None = None
    debit: Decimal | None = None
    credit: Decimal | None = None
    line: int | None = None
    element: str | None = None


@dataclass(slots=True)
class SourceFacts:
    """What a reader knows about its source that decides which checks apply."""

    chart: bool = False  # the source lists its accounts: an unlisted one is an error
    tax_table: bool = False  # the source lists its tax codes
    parties: bool = False  # the source lists customers and suppliers
    rollforward: bool = True  # stated closing balances must equal opening + movements
    rollforward_severity: Severity = "error"
    totals: DeclaredTotals | None = None


@dataclass(slots=True)
class LedgerStats:
    """What a caller shows after a read: counts, totals, dates."""

    accounts: int = 0
    parties: int = 0
    tax_codes: int = 0
    journals: int = 0
    transactions: int = 0
    lines: int = 0
    total_debit: Decimal = ZERO
    total_credit: Decimal = ZERO
    first_date: date | None = None
    last_date: date | None = None


@dataclass(slots=True)
class _FirstUse:
    line: int | None
    voucher: str
    count: int = 0


def _money(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", " ")


@dataclass(slots=True)
class LedgerChecker:
    log: ProblemLog
    facts: SourceFacts = field(default_factory=SourceFacts)
    header: Header | None = None
    stats: LedgerStats = field(default_factory=LedgerStats)
    _accounts: dict[str, Account] = field(default_factory=dict)
    _tax_codes: set[str] = field(default_factory=set)
    _parties: set[str] = field(default_factory=set)
    _moves: dict[str, Decimal] = field(default_factory=dict)
    _unknown_accounts: dict[str, _FirstUse] = field(default_factory=dict)
    _unknown_tax: dict[str, _FirstUse] = field(default_factory=dict)
    _unknown_parties: dict[str, _FirstUse] = field(default_factory=dict)
    _outside: _FirstUse | None = None

    def observe(self, record: Record) -> None:
        """Take one record of the stream into account."""
        match record:
            case Transaction():
                self._transaction(record)
            case Account():
                if record.account_id not in self._accounts:
                    self.stats.accounts += 1
                self._accounts[record.account_id] = record
            case TaxCode():
                self.stats.tax_codes += 1
                self._tax_codes.add(record.code)
            case Party():
                self.stats.parties += 1
                self._parties.add(record.party_id)
            case Journal():
                self.stats.journals += 1
            case Header():
                if self.header is not None:
                    self.log.add("the file holds more than one header", code="header")
                self.header = record

    def _transaction(self, tx: Transaction) -> None:
        st = self.stats
        st.transactions += 1
        tid, jid = tx.transaction_id, tx.journal_id
        voucher = tid if not jid or tid.startswith(f"{jid} ") else f"{jid}/{tid}"
        where: dict[str, Any] = {"line": tx.source_line, "element": f"voucher {voucher}"}
        if not tx.lines:
            # Year-end exports carry voided or placeholder vouchers with no lines; they move
            # nothing, so they are kept and named, not refused.
            self.log.warn("the voucher has no lines", code="empty-voucher", **where)
        debit = credit = ZERO
        moves = self._moves
        for line in tx.lines:
            st.lines += 1
            amount = line.amount
            if amount >= 0:
                debit += amount
            else:
                credit -= amount
            moves[line.account_id] = moves.get(line.account_id, ZERO) + amount
            if line.account_id not in self._accounts:
                _note(self._unknown_accounts, line.account_id, tx.source_line, voucher)
            if line.tax_code and line.tax_code not in self._tax_codes:
                _note(self._unknown_tax, line.tax_code, tx.source_line, voucher)
            if line.party_id and line.party_id not in self._parties:
                _note(self._unknown_parties, line.party_id, tx.source_line, voucher)
        st.total_debit += debit
        st.total_credit += credit
        if debit != credit:
            self.log.add(
                f"voucher {voucher} does not balance: debit {_money(debit)}, "
                f"credit {_money(credit)}, difference {_money(debit - credit)}",
                code="unbalanced-voucher",
                **where,
            )
        d = tx.date
        if st.first_date is None or d < st.first_date:
            st.first_date = d
        if st.last_date is None or d > st.last_date:
            st.last_date = d
        h = self.header
        if h is not None and not h.period_start <= d <= h.period_end:
            if self._outside is None:
                self._outside = _FirstUse(tx.source_line, f"{voucher} dated {d.isoformat()}")
            self._outside.count += 1

    def finish(self) -> None:
        """Run the whole-file checks once the stream has ended."""
        log = self.log
        if self.header is None and not any(p.code == VOUCHERS_ONLY for p in log.problems):
            log.add("the file has no header (company and period)", code="header")
        self._report_unknown(
            self._unknown_accounts, self._accounts, self.facts.chart, "account", "chart of accounts"
        )
        self._report_unknown(
            self._unknown_tax, self._tax_codes, self.facts.tax_table, "tax code", "tax table"
        )
        self._report_unknown(
            self._unknown_parties,
            self._parties,
            self.facts.parties,
            "customer/supplier",
            "master files",
            severity="warning",
        )
        if self._outside is not None and self.header is not None:
            h = self.header
            log.warn(
                f"{self._outside.count} voucher(s) fall outside the period "
                f"{h.period_start.isoformat()}..{h.period_end.isoformat()} "
                f"(first: {self._outside.voucher})",
                line=self._outside.line,
                code="outside-period",
            )
        if self.facts.rollforward:
            self._check_rollforward()
        if self.facts.totals is not None:
            self._check_totals(self.facts.totals)

    def _report_unknown(
        self,
        seen: dict[str, _FirstUse],
        known: object,
        declared: bool,
        what: str,
        where: str,
        severity: str = "error",
    ) -> None:
        if not declared:
            return
        for key, first in seen.items():
            if key in known:  # type: ignore[operator]
                continue  # declared after its first use: allowed
            self.log.add(
                f"{what} {key!r} is used on {first.count} line(s) but is not in the {where} "
                f"(first in voucher {first.voucher})",
                line=first.line,
                element=f"{what} {key}",
                code=f"unknown-{what.split('/')[0].replace(' ', '-')}",
                severity="warning" if severity == "warning" else "error",
            )

    def _check_rollforward(self) -> None:
        for acc in self._accounts.values():
            if acc.closing_balance is None:
                continue
            moved = self._moves.get(acc.account_id, ZERO)
            expected = acc.opening_balance + moved
            if expected != acc.closing_balance:
                self.log.add(
                    f"account {acc.account_id}: opening {_money(acc.opening_balance)} + movements "
                    f"{_money(moved)} = {_money(expected)}, but the file states closing "
                    f"{_money(acc.closing_balance)} (difference {_money(acc.closing_balance - expected)})",
                    line=acc.source_line,
                    element=f"account {acc.account_id}",
                    code="balance-mismatch",
                    severity=self.facts.rollforward_severity,
                )

    def _check_totals(self, t: DeclaredTotals) -> None:
        st = self.stats
        where: dict[str, Any] = {"line": t.line, "element": t.element}
        if t.entries is not None and t.entries != st.transactions:
            self.log.add(
                f"NumberOfEntries says {t.entries} but the file holds {st.transactions} transactions",
                code="totals-mismatch",
                **where,
            )
        for name, stated, actual in (
            ("TotalDebit", t.debit, st.total_debit),
            ("TotalCredit", t.credit, st.total_credit),
        ):
            if stated is not None and stated != actual:
                self.log.add(
                    f"{name} says {_money(stated)} but the lines add up to {_money(actual)}",
                    code="totals-mismatch",
                    **where,
                )


def _note(seen: dict[str, _FirstUse], key: str, line: int | None, voucher: str) -> None:
    first = seen.get(key)
    if first is None:
        first = seen[key] = _FirstUse(line, voucher)
    first.count += 1
