"""Vouchers-only files (SIE type 4I): read into an existing ledger period and merged with it.

A 4I file carries vouchers for import and no financial year (#RAR). The gateway
files them where an accounting program would: into the stored ledger whose
period covers their dates. The result is the period's next version, holding the
earlier version's chart, balances and vouchers plus the new vouchers, so every
report keeps naming the version it used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date

from adapters.errors import LedgerRejected
from adapters.ingest import IngestReport
from adapters.ledger import Account, Header, Journal, Ledger, Party, Record, TaxCode, Transaction
from adapters.models import LedgerVersion
from adapters.problems import VOUCHERS_ONLY, Problem
from adapters.repository import LedgerRepository

__all__ = ["VoucherMerge", "base_for_vouchers", "is_vouchers_only"]


def is_vouchers_only(report: IngestReport) -> bool:
    """True when the only thing keeping the file out is its missing financial year."""
    errors = [p for p in report.problems if p.severity == "error"]
    return (
        bool(errors)
        and all(p.code in (VOUCHERS_ONLY, "header") for p in errors)
        and any(p.code == VOUCHERS_ONLY for p in errors)
    )


def base_for_vouchers(repo: LedgerRepository, report: IngestReport, name: str) -> LedgerVersion:
    """The stored version whose period covers every voucher of a vouchers-only file."""
    first, last = report.first_date, report.last_date
    if first is None or last is None:
        raise LedgerRejected(
            f"{name}: a vouchers-only (type 4I) file with no vouchers",
            problems=[Problem(name, "no #RAR and no vouchers", code=VOUCHERS_ONLY)],
        )
    base = repo.covering(first, last)
    if base is None:
        message = (
            f"a vouchers-only (type 4I) file with vouchers from {first} to {last}, and no "
            "stored ledger covers those dates: import the year's export (with #RAR) first"
        )
        raise LedgerRejected(
            f"{name}: {message}", problems=[Problem(name, message, code=VOUCHERS_ONLY)]
        )
    return base


@dataclass
class VoucherMerge:
    """The earlier version's records followed by the new vouchers, each voucher once."""

    base: Ledger
    file: str
    base_version: int
    counts: dict[str, int] = field(default_factory=dict)
    _accounts: set[str] = field(default_factory=set)
    _journals: set[str] = field(default_factory=set)
    _parties: set[tuple[str, str]] = field(default_factory=set)
    _vouchers: set[tuple[str, str]] = field(default_factory=set)

    def records(self, incoming: Iterator[Record]) -> Iterator[Record]:
        for account in self.base.accounts.values():
            # New postings move the closing balance: it is derived, no longer stated.
            yield self._account(replace(account, closing_balance=None))
        for party in self.base.parties.values():
            self._parties.add((party.kind.value, party.party_id))
            yield party
        yield from self.base.tax_codes.values()
        for journal in self.base.journals.values():
            self._journals.add(journal.journal_id)
            yield journal
        for tx in self.base.transactions:
            yield self._transaction(tx)
        for rec in incoming:
            match rec:
                case Header() | TaxCode():
                    continue
                case Account() if rec.account_id in self._accounts:
                    continue
                case Account():
                    yield self._account(rec)
                case Party() if (rec.kind.value, rec.party_id) in self._parties:
                    continue
                case Journal() if rec.journal_id in self._journals:
                    continue
                case Journal():
                    self._journals.add(rec.journal_id)
                    yield rec
                case Transaction():
                    key = (rec.journal_id, rec.transaction_id)
                    if key in self._vouchers:
                        raise self._duplicate(rec)
                    yield self._transaction(rec)
                case _:
                    yield rec
        self.counts["journals"] = len(self._journals)

    def _account(self, account: Account) -> Account:
        self._accounts.add(account.account_id)
        self.counts["accounts"] = len(self._accounts)
        return account

    def _transaction(self, tx: Transaction) -> Transaction:
        self._vouchers.add((tx.journal_id, tx.transaction_id))
        self.counts["transactions"] = self.counts.get("transactions", 0) + 1
        self.counts["lines"] = self.counts.get("lines", 0) + len(tx.lines)
        return tx

    def _duplicate(self, tx: Transaction) -> LedgerRejected:
        message = (
            f"voucher {tx.transaction_id} is already in ledger version {self.base_version}; "
            "a 4I file adds new vouchers only"
        )
        return LedgerRejected(
            f"{self.file}: {message}",
            problems=[
                Problem(
                    self.file,
                    message,
                    line=tx.source_line,
                    element=f"voucher {tx.transaction_id}",
                    code="duplicate-voucher",
                )
            ],
        )


def period_defaults(base: LedgerVersion) -> dict[str, str]:
    return {"period_start": _iso(base.period_start), "period_end": _iso(base.period_end)}


def _iso(d: date) -> str:
    return d.isoformat()
