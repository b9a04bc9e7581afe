"""Use cases of stored ledgers: import a file as a new version, read one back, trial balance.

An import reads the file twice: once to check it completely (nothing is
written while a single problem may still turn up), then to stream its records
into the database in batches, inside the caller's one transaction. Services
flush, never commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from adapters.errors import LedgerRejected
from adapters.ingest import IngestReport, check, read
from adapters.ledger import (
    Account,
    AccountType,
    Header,
    Journal,
    Ledger,
    Line,
    Party,
    PartyKind,
    Record,
    TaxCode,
    Transaction,
)
from adapters.models import (
    LedgerAccountRow,
    LedgerJournalRow,
    LedgerLineRow,
    LedgerPartyRow,
    LedgerTaxCodeRow,
    LedgerVersion,
)
from adapters.problems import Problem
from adapters.repository import LedgerRepository
from adapters.source import Progress
from adapters.vouchers import VoucherMerge, base_for_vouchers, is_vouchers_only, period_defaults
from gateway.audit.service import record as audit
from gateway.errors import Conflict

__all__ = [
    "BATCH_SIZE",
    "ImportOutcome",
    "file_sha256",
    "import_ledger",
    "ledger_summary",
    "load_ledger",
    "trial_balance",
]

BATCH_SIZE = 5000
ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """The stored version; ``created`` is False when the same file was imported before."""

    ledger: LedgerVersion
    created: bool
    report: IngestReport | None = None


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_ledger(
    session: Session,
    *,
    organisation_id: str,
    organisation_cvr: str,
    organisation_name: str,
    path: Path,
    actor: str,
    file_name: str | None = None,
    format: str | None = None,
    profile: str | None = None,
    artefacts_dir: Path | None = None,
    profile_dirs: Iterable[Path] = (),
    check_progress: Progress | None = None,
    store_progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    period: tuple[date, date] | None = None,
) -> ImportOutcome:
    """Check a ledger file fully, then store it as the next version of its fiscal period.

    ``period`` states the period the file is for (a journal's first and last postings
    rarely fall on the quarter's first and last days); every posting must lie in it.
    """
    repo = LedgerRepository(session, organisation_id)
    existing = repo.by_sha256(file_sha256(path))
    if existing is not None:
        _same_reading(existing, path.name, format=format, profile=profile, period=period)
        return ImportOutcome(existing, created=False)
    # A CSV file rarely names its company: the importing organisation is the default.
    defaults = {"company_id": organisation_cvr, "company_name": organisation_name}
    options: dict[str, Any] = {
        "format": format,
        "profile": profile,
        "artefacts_dir": artefacts_dir,
        "profile_dirs": list(profile_dirs),
        "header_defaults": defaults,
    }
    report = check(path, progress=check_progress, **options)
    base: LedgerVersion | None = None
    if report.format == "sie4" and is_vouchers_only(report):
        base = base_for_vouchers(repo, report, path.name)
        options["header_defaults"] = {**defaults, **period_defaults(base)}
        report = check(path, **options)
    report.raise_for_errors()
    if report.period_start is None or report.period_end is None:
        raise LedgerRejected(
            f"{path.name}: the file states no fiscal period",
            problems=[Problem(path.name, "no fiscal period", code="header")],
        )
    start, end = _stated_period(path.name, report.period_start, report.period_end, period)
    version = LedgerVersion(
        period_start=start,
        period_end=end,
        version=repo.next_version(start, end),
        sha256=report.sha256,
        file_name=(file_name or path.name)[:500],
        size=report.size,
        format=report.format,
        source_format=report.source_format or report.format,
        profile=report.profile,
        company_id=report.company_id or organisation_cvr,
        company_name=(report.company_name or organisation_name)[:500],
        currency=(report.currency or "DKK")[:3],
        counts=dict(report.counts),
        total_debit=report.total_debit,
        total_credit=report.total_credit,
        warnings=[p.to_dict() for p in report.problems if p.severity == "warning"][:50],
        imported_by=actor[:500],
    )
    repo.add(version)
    records = read(path, expect_sha256=report.sha256, progress=store_progress, **options)
    if base is None:
        _store(session, version, records, batch_size)
    else:
        merge = VoucherMerge(load_ledger(session, base), path.name, base.version)
        _store(session, version, merge.records(records), batch_size)
        version.counts = {**version.counts, **merge.counts}
        version.total_debit += base.total_debit
        version.total_credit += base.total_credit
    audit(
        session,
        organisation_id=organisation_id,
        actor=actor,
        action="adapters.ledger.imported",
        subject_type="ledger",
        subject_id=version.id,
        data={
            "sha256": version.sha256,
            "version": version.version,
            "period": f"{version.period_start}..{version.period_end}",
            "lines": report.counts.get("lines", 0),
            **({"vouchers_added_to_version": base.version} if base is not None else {}),
        },
    )
    return ImportOutcome(version, created=True, report=report)


def _stated_period(
    name: str, start: date, end: date, stated: tuple[date, date] | None
) -> tuple[date, date]:
    if stated is None:
        return start, end
    if stated[0] <= start and end <= stated[1]:
        return stated
    raise LedgerRejected(
        f"{name}: --period {stated[0]}..{stated[1]} does not hold the ledger, whose period "
        f"runs {start}..{end}",
        problems=[
            Problem(
                name,
                f"the ledger's period is {start}..{end}, not within {stated[0]}..{stated[1]}",
                code="period",
            )
        ],
    )


def _same_reading(
    existing: LedgerVersion,
    name: str,
    *,
    format: str | None,
    profile: str | None,
    period: tuple[date, date] | None,
) -> None:
    """The same bytes asked to be read another way are refused, not silently kept."""
    stored = {
        "--format": existing.format,
        "--profile": existing.profile,
        "--period": f"{existing.period_start}..{existing.period_end}",
    }
    asked = {
        "--format": format,
        "--profile": profile,
        "--period": f"{period[0]}..{period[1]}" if period else None,
    }
    for option, value in asked.items():
        if value is not None and value != stored[option]:
            raise Conflict(
                f"{name} is already stored as ledger {existing.id} version {existing.version}, "
                f"read with {option} {stored[option] or '(none)'}; the same file cannot be "
                f"stored again with {option} {value}",
                field=option.removeprefix("--"),
                ledger_id=existing.id,
            )


def _store(session: Session, version: LedgerVersion, records: Iterator[Record], size: int) -> None:
    lid = version.id
    buffers: dict[type[Any], list[dict[str, Any]]] = {
        LedgerAccountRow: [],
        LedgerPartyRow: [],
        LedgerTaxCodeRow: [],
        LedgerJournalRow: [],
        LedgerLineRow: [],
    }

    copy = session.get_bind().dialect.name == "postgresql"

    def flush(model: type[Any]) -> None:
        rows = buffers[model]
        if rows:
            if copy and model is LedgerLineRow:
                _copy_rows(session, model.__table__, rows)
            else:
                # Core executemany: the ORM's per-row bookkeeping is not needed here.
                session.connection().execute(insert(model.__table__), rows)
            rows.clear()

    seq = 0
    for rec in records:
        match rec:
            case Header():
                continue
            case Account():
                buffers[LedgerAccountRow].append(
                    {
                        "ledger_id": lid,
                        "account_id": rec.account_id,
                        "name": rec.name[:500],
                        "type": rec.type.value,
                        "standard_account": rec.standard_account,
                        "grouping_category": rec.grouping_category,
                        "grouping_code": rec.grouping_code,
                        "opening_balance": rec.opening_balance,
                        "closing_balance": rec.closing_balance,
                        "source_line": rec.source_line,
                    }
                )
                target: type[Any] = LedgerAccountRow
            case Party():
                buffers[LedgerPartyRow].append(
                    {
                        "ledger_id": lid,
                        "party_id": rec.party_id,
                        "kind": rec.kind.value,
                        "name": rec.name[:500],
                        "registration_number": rec.registration_number,
                        "vat_number": rec.vat_number,
                        "country": rec.country,
                    }
                )
                target = LedgerPartyRow
            case TaxCode():
                buffers[LedgerTaxCodeRow].append(
                    {
                        "ledger_id": lid,
                        "code": rec.code,
                        "description": rec.description[:500],
                        "rate": rec.rate,
                        "standard_code": rec.standard_code,
                        "country": rec.country,
                    }
                )
                target = LedgerTaxCodeRow
            case Journal():
                buffers[LedgerJournalRow].append(
                    {
                        "ledger_id": lid,
                        "journal_id": rec.journal_id,
                        "description": rec.description[:500],
                        "type": rec.type,
                    }
                )
                target = LedgerJournalRow
            case Transaction():
                for line in rec.lines:
                    seq += 1
                    buffers[LedgerLineRow].append(_line_row(lid, seq, rec, line))
                target = LedgerLineRow
        if len(buffers[target]) >= size:
            flush(target)
    for model in buffers:
        flush(model)
    session.flush()


def _copy_rows(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY into ``table``, inside the session's transaction (the bulk path)."""
    columns = list(rows[0])
    raw: Any = session.connection().connection.dbapi_connection  # psycopg 3
    assert raw is not None
    names = ", ".join(columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as out:
        for row in rows:
            out.write_row(tuple(row[c] for c in columns))


def _line_row(lid: str, seq: int, tx: Transaction, line: Line) -> dict[str, Any]:
    return {
        "ledger_id": lid,
        "seq": seq,
        "transaction_id": tx.transaction_id,
        "journal_id": tx.journal_id,
        "date": tx.date,
        "tx_description": tx.description,
        "tx_period": tx.period,
        "tx_source_line": tx.source_line,
        "record_id": line.record_id,
        "account_id": line.account_id,
        "amount": line.amount,
        "description": line.description,
        "tax_code": line.tax_code,
        "tax_base": line.tax_base,
        "tax_amount": line.tax_amount,
        "party_id": line.party_id,
    }


def _dec(value: Decimal | None) -> Decimal | None:
    # SQLite hands back its stored scale (100.0000); normalise to the value's own digits.
    if value is None:
        return None
    return (
        Decimal(value).quantize(Decimal("0.01"))
        if value == value.quantize(Decimal("0.01"))
        else Decimal(value)
    )


def load_ledger(session: Session, version: LedgerVersion) -> Ledger:
    """The canonical ledger of one stored version, as the report builders read it."""
    header = Header(
        company_id=version.company_id,
        company_name=version.company_name,
        currency=version.currency,
        period_start=version.period_start,
        period_end=version.period_end,
        source_format=version.source_format,
        software=version.software,
        vat_number=version.vat_number,
        country=version.country,
    )
    ledger = Ledger(header=header)
    lid = version.id
    for a in session.scalars(
        select(LedgerAccountRow)
        .where(LedgerAccountRow.ledger_id == lid)
        .order_by(LedgerAccountRow.id)
    ):
        ledger.accounts[a.account_id] = Account(
            account_id=a.account_id,
            name=a.name,
            type=AccountType(a.type),
            standard_account=a.standard_account,
            grouping_category=a.grouping_category,
            grouping_code=a.grouping_code,
            opening_balance=_dec(a.opening_balance) or ZERO,
            closing_balance=_dec(a.closing_balance),
            source_line=a.source_line,
        )
    for p in session.scalars(select(LedgerPartyRow).where(LedgerPartyRow.ledger_id == lid)):
        party = Party(
            party_id=p.party_id,
            kind=PartyKind(p.kind),
            name=p.name,
            registration_number=p.registration_number,
            vat_number=p.vat_number,
            country=p.country,
        )
        ledger.parties[f"{party.kind}:{party.party_id}"] = party
    for t in session.scalars(select(LedgerTaxCodeRow).where(LedgerTaxCodeRow.ledger_id == lid)):
        ledger.tax_codes[t.code] = TaxCode(
            code=t.code,
            description=t.description,
            rate=_dec(t.rate),
            standard_code=t.standard_code,
            country=t.country,
        )
    for j in session.scalars(select(LedgerJournalRow).where(LedgerJournalRow.ledger_id == lid)):
        ledger.journals[j.journal_id] = Journal(j.journal_id, j.description, j.type)
    ledger.transactions.extend(_transactions(session, lid))
    return ledger


def _transactions(session: Session, lid: str) -> Iterator[Transaction]:
    rows = session.execute(
        select(LedgerLineRow)
        .where(LedgerLineRow.ledger_id == lid)
        .order_by(LedgerLineRow.seq)
        .execution_options(yield_per=BATCH_SIZE)
    ).scalars()
    current: LedgerLineRow | None = None
    lines: list[Line] = []
    for row in rows:
        if current is not None and (
            row.transaction_id != current.transaction_id or row.journal_id != current.journal_id
        ):
            yield _tx(current, lines)
            lines = []
        current = row
        lines.append(
            Line(
                record_id=row.record_id,
                account_id=row.account_id,
                amount=_dec(row.amount) or ZERO,
                description=row.description,
                tax_code=row.tax_code,
                tax_base=_dec(row.tax_base),
                tax_amount=_dec(row.tax_amount),
                party_id=row.party_id,
            )
        )
    if current is not None:
        yield _tx(current, lines)


def _tx(row: LedgerLineRow, lines: list[Line]) -> Transaction:
    return Transaction(
        transaction_id=row.transaction_id,
        journal_id=row.journal_id,
        date=row.date,
        lines=tuple(lines),
        description=row.tx_description,
        period=row.tx_period,
        source_line=row.tx_source_line,
    )


def trial_balance(session: Session, version: LedgerVersion) -> list[dict[str, Any]]:
    """Per account: name, opening balance, movements and closing balance (debit positive)."""
    ledger = load_ledger(session, version)
    moves = ledger.movements()
    out = []
    for account_id, closing in ledger.trial_balance().items():
        account = ledger.accounts.get(account_id)
        out.append(
            {
                "account_id": account_id,
                "name": account.name if account else "",
                "standard_account": account.standard_account if account else None,
                "opening": str(account.opening_balance if account else ZERO),
                "movements": str(moves.get(account_id, ZERO)),
                "closing": str(closing),
            }
        )
    return out


def ledger_summary(version: LedgerVersion, *, created: bool | None = None) -> dict[str, Any]:
    """The JSON form of a stored version."""
    out: dict[str, Any] = {
        "id": version.id,
        "version": version.version,
        "period_start": version.period_start.isoformat(),
        "period_end": version.period_end.isoformat(),
        "sha256": version.sha256,
        "file_name": version.file_name,
        "size": version.size,
        "format": version.format,
        "source_format": version.source_format,
        "profile": version.profile,
        "company_id": version.company_id,
        "company_name": version.company_name,
        "currency": version.currency,
        "counts": version.counts,
        "total_debit": str(version.total_debit),
        "total_credit": str(version.total_credit),
        "warnings": version.warnings,
        "imported_by": version.imported_by,
        "created_at": version.created_at.isoformat() if version.created_at else None,
    }
    if created is not None:
        out["created"] = created
    return out
