"""The canonical ledger: what every adapter produces and every report reads.

Readers stream records (:data:`Record`) rather than build one object, so a
file of millions of lines never sits in memory whole. :class:`LedgerBuilder`
collects a stream into a :class:`Ledger` for files that fit; the persistence
layer consumes the same stream in batches.

Amounts are ``Decimal``; a line's ``amount`` is signed, debit positive, in the
ledger's currency. Balances follow the same sign convention.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "Account",
    "AccountType",
    "Header",
    "Journal",
    "Ledger",
    "LedgerBuilder",
    "Line",
    "Party",
    "PartyKind",
    "Record",
    "TaxCode",
    "Transaction",
]

ZERO = Decimal("0")


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"
    OTHER = "other"


class PartyKind(StrEnum):
    CUSTOMER = "customer"
    SUPPLIER = "supplier"


@dataclass(frozen=True, slots=True)
class Header:
    """Who the books belong to and which period they cover."""

    company_id: str  # CVR number for Danish companies, organisation number elsewhere
    company_name: str
    currency: str
    period_start: date
    period_end: date
    source_format: str  # e.g. "saft-1.30", "saft-dk", "sie4", "csv:datev-extf"
    software: str | None = None
    vat_number: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    account_id: str
    name: str
    type: AccountType = AccountType.OTHER
    standard_account: str | None = None  # e.g. SAF-T StandardAccountID or a DK standard account
    grouping_category: str | None = None
    grouping_code: str | None = None
    opening_balance: Decimal = ZERO  # debit positive
    closing_balance: Decimal | None = None  # None when the source states none
    source_line: int | None = None  # where it is declared in the file, for error messages


@dataclass(frozen=True, slots=True)
class Party:
    party_id: str
    kind: PartyKind
    name: str
    registration_number: str | None = None
    vat_number: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class TaxCode:
    code: str
    description: str = ""
    rate: Decimal | None = None  # percent, e.g. Decimal("25")
    standard_code: str | None = None  # SAF-T StandardTaxCode or a DK VAT code
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Journal:
    journal_id: str
    description: str = ""
    type: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    record_id: str
    account_id: str
    amount: Decimal  # debit positive, credit negative
    description: str = ""
    tax_code: str | None = None
    tax_base: Decimal | None = None  # the net amount the tax was computed on, signed like amount
    tax_amount: Decimal | None = None  # signed: output VAT negative (credit), input VAT positive
    party_id: str | None = None


@dataclass(frozen=True, slots=True)
class Transaction:
    transaction_id: str
    journal_id: str
    date: date
    lines: tuple[Line, ...]
    description: str = ""
    period: str | None = None  # the source's own period label, if any
    source_line: int | None = None  # where it started in the file, for error messages

    @property
    def balance(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


Record = Header | Account | Party | TaxCode | Journal | Transaction


@dataclass(slots=True)
class Ledger:
    header: Header
    accounts: dict[str, Account] = field(default_factory=dict)
    parties: dict[str, Party] = field(default_factory=dict)
    tax_codes: dict[str, TaxCode] = field(default_factory=dict)
    journals: dict[str, Journal] = field(default_factory=dict)
    transactions: list[Transaction] = field(default_factory=list)

    def movements(self) -> dict[str, Decimal]:
        """Sum of line amounts per account over the ledger's transactions."""
        out: dict[str, Decimal] = {}
        for tx in self.transactions:
            for line in tx.lines:
                out[line.account_id] = out.get(line.account_id, ZERO) + line.amount
        return out

    def trial_balance(self) -> dict[str, Decimal]:
        """Closing balance per account: opening plus movements (debit positive)."""
        moves = self.movements()
        ids = set(self.accounts) | set(moves)
        return {
            a: (self.accounts[a].opening_balance if a in self.accounts else ZERO)
            + moves.get(a, ZERO)
            for a in sorted(ids)
        }


class LedgerBuilder:
    """Collects a record stream into a :class:`Ledger` (for files that fit in memory)."""

    def __init__(self) -> None:
        self._ledger: Ledger | None = None
        self._pending: list[Record] = []

    def add(self, record: Record) -> None:
        if isinstance(record, Header):
            if self._ledger is not None:
                raise ValueError("a ledger stream has exactly one header")
            self._ledger = Ledger(header=record)
            for earlier in self._pending:
                self._place(earlier)
            self._pending.clear()
        elif self._ledger is None:
            self._pending.append(record)
        else:
            self._place(record)

    def _place(self, record: Record) -> None:
        assert self._ledger is not None
        match record:
            case Account():
                self._ledger.accounts[record.account_id] = record
            case Party():
                self._ledger.parties[f"{record.kind}:{record.party_id}"] = record
            case TaxCode():
                self._ledger.tax_codes[record.code] = record
            case Journal():
                self._ledger.journals[record.journal_id] = record
            case Transaction():
                self._ledger.transactions.append(record)

    def extend(self, records: Iterable[Record]) -> LedgerBuilder:
        for record in records:
            self.add(record)
        return self

    def build(self) -> Ledger:
        if self._ledger is None:
            raise ValueError("the stream had no header")
        return self._ledger
