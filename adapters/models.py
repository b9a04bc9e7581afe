"""Stored ledgers: one version per imported file and fiscal period, with its records.

A version row says where the books came from (file hash, format, profile);
the record tables hold what the file said. Lines carry their transaction's
fields (denormalised) so a million-line file is one bulk insert into one table.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, TimestampMixin, new_id

__all__ = [
    "Amount",
    "LedgerAccountRow",
    "LedgerJournalRow",
    "LedgerLineRow",
    "LedgerPartyRow",
    "LedgerTaxCodeRow",
    "LedgerVersion",
]

# Exact on PostgreSQL; four places keep SAF-T's amounts and rates as the file gave them.
Amount = Numeric(22, 4, asdecimal=True)
# Many large imports pass 2**31 lines; SQLite only auto-increments a plain INTEGER key.
LineId = BigInteger().with_variant(Integer(), "sqlite")


class LedgerVersion(TimestampMixin, Base):
    """One imported file: the books of one organisation for one fiscal period, numbered."""

    __tablename__ = "ledger_versions"
    __table_args__ = (
        UniqueConstraint("organisation_id", "sha256"),
        UniqueConstraint("organisation_id", "period_start", "period_end", "version"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))
    source_format: Mapped[str] = mapped_column(String(40))
    profile: Mapped[str | None] = mapped_column(String(80), default=None)
    company_id: Mapped[str] = mapped_column(String(40))
    company_name: Mapped[str] = mapped_column(String(500))
    currency: Mapped[str] = mapped_column(String(3))
    software: Mapped[str | None] = mapped_column(String(200), default=None)
    vat_number: Mapped[str | None] = mapped_column(String(40), default=None)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total_debit: Mapped[Decimal] = mapped_column(Amount)
    total_credit: Mapped[Decimal] = mapped_column(Amount)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    imported_by: Mapped[str] = mapped_column(String(500))


class LedgerAccountRow(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (UniqueConstraint("ledger_id", "account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ledger_id: Mapped[str] = mapped_column(ForeignKey("ledger_versions.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(16))
    standard_account: Mapped[str | None] = mapped_column(String(200), default=None)
    grouping_category: Mapped[str | None] = mapped_column(String(200), default=None)
    grouping_code: Mapped[str | None] = mapped_column(String(200), default=None)
    opening_balance: Mapped[Decimal] = mapped_column(Amount)
    closing_balance: Mapped[Decimal | None] = mapped_column(Amount, default=None)
    source_line: Mapped[int | None] = mapped_column(Integer, default=None)


class LedgerPartyRow(Base):
    __tablename__ = "ledger_parties"
    __table_args__ = (UniqueConstraint("ledger_id", "kind", "party_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ledger_id: Mapped[str] = mapped_column(ForeignKey("ledger_versions.id", ondelete="CASCADE"))
    party_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(500))
    registration_number: Mapped[str | None] = mapped_column(String(40), default=None)
    vat_number: Mapped[str | None] = mapped_column(String(40), default=None)
    country: Mapped[str | None] = mapped_column(String(2), default=None)


class LedgerTaxCodeRow(Base):
    __tablename__ = "ledger_tax_codes"
    __table_args__ = (UniqueConstraint("ledger_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ledger_id: Mapped[str] = mapped_column(ForeignKey("ledger_versions.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(500))
    rate: Mapped[Decimal | None] = mapped_column(Amount, default=None)
    standard_code: Mapped[str | None] = mapped_column(String(40), default=None)
    country: Mapped[str | None] = mapped_column(String(2), default=None)


class LedgerJournalRow(Base):
    __tablename__ = "ledger_journals"
    __table_args__ = (UniqueConstraint("ledger_id", "journal_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ledger_id: Mapped[str] = mapped_column(ForeignKey("ledger_versions.id", ondelete="CASCADE"))
    journal_id: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(500))
    type: Mapped[str | None] = mapped_column(String(40), default=None)


class LedgerLineRow(Base):
    """One line of one transaction; ``seq`` keeps the file's order of transactions and lines."""

    __tablename__ = "ledger_lines"
    __table_args__ = (Index("ix_ledger_lines_ledger_seq", "ledger_id", "seq"),)

    id: Mapped[int] = mapped_column(LineId, primary_key=True, autoincrement=True)
    ledger_id: Mapped[str] = mapped_column(ForeignKey("ledger_versions.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    transaction_id: Mapped[str] = mapped_column(String(200))
    journal_id: Mapped[str] = mapped_column(String(200))
    date: Mapped[date] = mapped_column(Date)
    tx_description: Mapped[str] = mapped_column(Text)
    tx_period: Mapped[str | None] = mapped_column(String(20), default=None)
    tx_source_line: Mapped[int | None] = mapped_column(Integer, default=None)
    record_id: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Amount)
    description: Mapped[str] = mapped_column(Text)
    tax_code: Mapped[str | None] = mapped_column(String(40), default=None)
    tax_base: Mapped[Decimal | None] = mapped_column(Amount, default=None)
    tax_amount: Mapped[Decimal | None] = mapped_column(Amount, default=None)
    party_id: Mapped[str | None] = mapped_column(String(200), default=None)
