"""CSV reader driven by a mapping profile (:mod:`adapters.mapping`).

Three kinds of file: a *journal* (one row per posting line; the rows of a
voucher are next to each other), *double-entry* (each row one booking: account
and contra account, DATEV) and a *trial-balance* (one account a row, closing
balances, no transactions). Accounts and tax codes the file uses are sent as
records the first time they appear, so a consumer can persist them before the
transactions that point at them.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import IO, Any

from .amounts import parse_amount, parse_date
from .checks import SourceFacts
from .ledger import Account, Header, Journal, Line, Record, TaxCode, Transaction
from .mapping import Profile
from .problems import ProblemLog
from .source import ByteSource

__all__ = ["CsvReader"]

ZERO = Decimal("0")
_SNIFF = 256 * 1024
_DELIMITERS = (";", ",", "\t", "|")


class _Stop(Exception):
    """The file cannot be read further; the problem is already logged."""


class CsvReader:
    """Streams one CSV file as ledger records according to ``profile``."""

    def __init__(
        self,
        raw: ByteSource,
        *,
        profile: Profile,
        log: ProblemLog,
        header_defaults: Mapping[str, str] | None = None,
        reopen: Callable[[], IO[bytes]] | None = None,
    ) -> None:
        self._raw = raw
        self.profile = profile
        self.log = log
        self._defaults = dict(header_defaults or {})
        self._reopen = reopen
        self.variant = f"csv:{profile.name}"
        tb = profile.kind == "trial-balance"
        self.facts = SourceFacts(chart=tb, rollforward=not tb)
        self._info: dict[str, str] = {}
        self._cols: dict[str, int] = {}
        self._accounts: set[str] = set()
        self._tax_codes: set[str] = set()
        self._journals: set[str] = set()
        self._period_start: date | None = None

    # -- opening --------------------------------------------------------------------

    def _rows(self, raw: ByteSource, log: ProblemLog) -> Iterator[tuple[int, list[str]]]:
        """Data rows with their line numbers; sets the column map and header items."""
        p = self.profile
        lines = self._text_lines(raw, log)
        first = next(lines, None)
        if first is None:
            log.add("the file is empty", code="empty")
            raise _Stop
        delimiter = p.delimiter
        if delimiter == "auto":
            delimiter = max(_DELIMITERS, key=first.count)
        stream = _Prepend(first, lines)
        reader = csv.reader(stream, delimiter=delimiter)
        if p.preamble_marker is not None:
            meta = next(reader, [])
            if not meta or meta[0].strip() != p.preamble_marker:
                log.add(
                    f"line 1 should start with {p.preamble_marker!r} ({p.name} metadata line)",
                    line=1,
                    code="preamble",
                )
                raise _Stop
            self._read_preamble(meta, log)
        for _ in range(p.skip_lines):
            next(reader, None)
        columns = next(reader, None)
        if columns is None:
            log.add("the file has no column header line", code="columns")
            raise _Stop
        self._map_columns(columns, reader.line_num, log)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            yield reader.line_num, row

    def _text_lines(self, raw: ByteSource, log: ProblemLog) -> Iterator[str]:
        buffered = io.BufferedReader(raw, buffer_size=_SNIFF)  # type: ignore[arg-type,type-var]
        head = buffered.peek(_SNIFF)[:_SNIFF]
        encoding = self.profile.encoding
        if encoding == "auto":
            encoding = "utf-8" if _utf8(head) else "cp1252"
        strict_utf8 = codecs.lookup(encoding).name == "utf-8"
        for lineno, blob in enumerate(buffered, start=1):
            if lineno == 1 and blob.startswith(codecs.BOM_UTF8):
                blob = blob[3:]
            try:
                yield blob.decode(encoding)
            except UnicodeDecodeError as exc:
                hint = (
                    " (is the file Windows-1252? set encoding in the profile)"
                    if strict_utf8
                    else ""
                )
                log.add(
                    f"byte 0x{blob[exc.start]:02X} at column {exc.start + 1} is not valid "
                    f"{encoding}{hint}",
                    line=lineno,
                    code="encoding",
                )
                yield blob.decode(encoding, errors="replace")

    def _read_preamble(self, meta: Sequence[str], log: ProblemLog) -> None:
        p = self.profile
        for key, positions in p.preamble_fields.items():
            parts = [
                meta[i - 1].strip() for i in positions if i - 1 < len(meta) and meta[i - 1].strip()
            ]
            if parts:
                self._info[key] = "/".join(parts)
        for key in ("period_start", "period_end", "fiscal_year_start"):
            if key in self._info:
                try:
                    self._info[key] = parse_date(
                        self._info[key], (p.preamble_date_format,)
                    ).isoformat()
                except ValueError as exc:
                    log.add(f"metadata {key}: {exc}", line=1, code="preamble")
                    del self._info[key]

    def _map_columns(self, columns: Sequence[str], lineno: int, log: ProblemLog) -> None:
        p = self.profile
        for key, rule in p.columns.items():
            for i, name in enumerate(columns):
                m = rule.match(name)
                if m:
                    self._cols[key] = i
                    if not isinstance(m, bool):
                        for item, value in m.groupdict().items():
                            if value:
                                self._date_item(item, value, lineno, log)
                    break
        missing: list[str] = [
            k
            for k in ("date", "account", "contra_account", "balance")
            if k in p.columns and k not in self._cols
        ]
        amount_ok = any(k in self._cols for k in ("amount", "debit", "credit", "balance"))
        if missing or not amount_ok:
            wanted = missing or ["amount/debit/credit"]
            log.add(
                f"column(s) {', '.join(wanted)} not found for profile {p.name}; "
                f"the header line has: {', '.join(c.strip() for c in columns)}",
                line=lineno,
                code="columns",
            )
            raise _Stop

    def _date_item(self, item: str, value: str, lineno: int, log: ProblemLog) -> None:
        try:
            self._info[item] = parse_date(value, (*self.profile.date_formats, "%Y%m%d")).isoformat()
        except ValueError as exc:
            log.add(f"column header {item}: {exc}", line=lineno, code="columns")

    # -- the stream -----------------------------------------------------------------

    def records(self) -> Iterator[Record]:
        try:
            rows = self._rows(self._raw, self.log)
            first = next(rows, None)
            header = self._header()
            if header is not None:
                yield header
            if first is None:
                return
            body = _Prepend(first, rows)
            kind = self.profile.kind
            if kind == "trial-balance":
                yield from self._trial_balance(body)
            elif kind == "double-entry":
                yield from self._double_entry(body)
            else:
                yield from self._journal(body)
        except _Stop:
            return

    def _header(self) -> Header | None:
        info = {**self.profile.header, **self._info, **self._defaults}
        try:
            start = date.fromisoformat(info["period_start"]) if info.get("period_start") else None
            end = date.fromisoformat(info["period_end"]) if info.get("period_end") else None
        except ValueError as exc:
            self.log.add(f"period: {exc}", code="header")
            return None
        if start is None and info.get("fiscal_year_start"):
            start = date.fromisoformat(info["fiscal_year_start"])
        if start is None and end is not None and self.profile.kind == "trial-balance":
            start = _year_before(end)
        if (start is None or end is None) and self._reopen is not None:
            first, last = self._scan_dates()
            start, end = start or first, end or last
        if start is None or end is None:
            self.log.add(
                "the period is unknown: the file states none and has no dated rows; "
                "give period_start and period_end",
                code="header",
            )
            return None
        # DDMM dates fall in the fiscal year, which may start before this batch's period.
        fy = info.get("fiscal_year_start")
        self._period_start = date.fromisoformat(fy) if fy and fy <= start.isoformat() else start
        if not info.get("company_id"):
            self.log.warn("the file names no company; give company_id", code="header")
        return Header(
            company_id=info.get("company_id", ""),
            company_name=info.get("company_name", ""),
            currency=info.get("currency", ""),
            period_start=start,
            period_end=end,
            source_format=self.variant,
            software=info.get("software"),
            vat_number=info.get("vat_number"),
            country=info.get("country"),
        )

    def _scan_dates(self) -> tuple[date | None, date | None]:
        # A first, cheap pass over the date column: the header must lead the stream.
        assert self._reopen is not None
        scratch = ProblemLog(self.log.file, cap=0)
        first = last = None
        col = None
        with self._reopen() as raw:
            try:
                for _, row in self._rows(raw, scratch):
                    col = self._cols.get("date") if col is None else col
                    if col is None or col >= len(row):
                        continue
                    try:
                        d = parse_date(row[col], self.profile.date_formats, period_start=None)
                    except ValueError:
                        continue
                    first = d if first is None or d < first else first
                    last = d if last is None or d > last else last
            except _Stop:
                pass
        return first, last

    # -- rows -----------------------------------------------------------------------

    def _cell(self, row: Sequence[str], key: str) -> str:
        i = self._cols.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    def _amount(self, row: Sequence[str], key: str, lineno: int) -> Decimal | None:
        text = self._cell(row, key)
        if not text:
            return None
        try:
            return parse_amount(
                text, decimal=self.profile.decimal, thousands=self.profile.thousands
            )
        except ValueError as exc:
            self.log.add(f"{key}: {exc}", line=lineno, code="number")
            return None

    def _date(self, row: Sequence[str], lineno: int) -> date | None:
        text = self._cell(row, "date")
        try:
            return parse_date(text, self.profile.date_formats, period_start=self._period_start)
        except ValueError as exc:
            self.log.add(f"date: {exc}", line=lineno, code="date")
            return None

    def _side(self, row: Sequence[str], lineno: int) -> int:
        if "side" not in self._cols:
            return 1
        mark = self._cell(row, "side").upper()
        if mark in (m.upper() for m in self.profile.debit_marks):
            return 1
        if mark in (m.upper() for m in self.profile.credit_marks):
            return -1
        self.log.add(
            f"debit/credit mark {mark!r} is neither {'/'.join(self.profile.debit_marks)} "
            f"nor {'/'.join(self.profile.credit_marks)}",
            line=lineno,
            code="side",
        )
        return 1

    def _new_refs(self, account: str, tax_code: str | None, journal: str) -> Iterator[Record]:
        if journal not in self._journals:
            self._journals.add(journal)
            yield Journal(journal_id=journal, description=f"{self.profile.name} import")
        if account and account not in self._accounts:
            self._accounts.add(account)
            if self.profile.kind != "trial-balance":
                yield Account(account_id=account, name="")
        if tax_code and tax_code not in self._tax_codes:
            self._tax_codes.add(tax_code)
            yield TaxCode(code=tax_code)

    def _line_amount(self, row: Sequence[str], lineno: int) -> Decimal:
        if "amount" in self._cols:
            value = self._amount(row, "amount", lineno) or ZERO
            return abs(value) * self._side(row, lineno) if "side" in self._cols else value
        debit = self._amount(row, "debit", lineno) or ZERO
        credit = self._amount(row, "credit", lineno) or ZERO
        return debit - credit

    def _tax(
        self, row: Sequence[str], lineno: int, sign: int
    ) -> tuple[Decimal | None, Decimal | None]:
        base = self._amount(row, "tax_base", lineno)
        tax = self._amount(row, "tax_amount", lineno)
        if not self.profile.tax_amount_signed:
            base = abs(base) * sign if base is not None else None
            tax = abs(tax) * sign if tax is not None else None
        return base, tax

    def _journal(self, rows: Iterator[tuple[int, list[str]]]) -> Iterator[Record]:
        closed: dict[tuple[str, str], int] = {}
        key: tuple[str, str] | None = None
        lines: list[Line] = []
        start = 0
        when: date | None = None
        text = ""
        for lineno, row in rows:
            journal = self._cell(row, "journal") or self.profile.name
            voucher = self._cell(row, "voucher")
            if not voucher:
                self.log.add("the row has no voucher number", line=lineno, code="voucher")
                continue
            if (journal, voucher) != key:
                if key is not None:
                    yield from self._emit(key, lines, when, text, start)
                    closed[key] = start
                key = (journal, voucher)
                if key in closed:
                    self.log.add(
                        f"voucher {voucher} continues here after other vouchers (it starts at "
                        f"line {closed[key]}); the rows of a voucher must be next to each other",
                        line=lineno,
                        element=f"voucher {voucher}",
                        code="voucher-split",
                    )
                lines, start, when = [], lineno, self._date(row, lineno)
                text = self._cell(row, "description")
            account = self._cell(row, "account")
            tax_code = self._cell(row, "tax_code") or None
            yield from self._new_refs(account, tax_code, journal)
            if not account:
                self.log.add("the row has no account", line=lineno, code="account")
                continue
            amount = self._line_amount(row, lineno)
            base, tax = self._tax(row, lineno, -1 if amount < 0 else 1)
            lines.append(
                Line(
                    record_id=str(lineno),
                    account_id=account,
                    amount=amount,
                    description=self._cell(row, "description"),
                    tax_code=tax_code,
                    tax_base=base,
                    tax_amount=tax,
                    party_id=self._cell(row, "party") or None,
                )
            )
        if key is not None:
            yield from self._emit(key, lines, when, text, start)

    def _emit(
        self, key: tuple[str, str], lines: list[Line], when: date | None, text: str, start: int
    ) -> Iterator[Transaction]:
        if when is None:
            return  # the date problem is already logged
        yield Transaction(
            transaction_id=key[1],
            journal_id=key[0],
            date=when,
            lines=tuple(lines),
            description=text,
            source_line=start,
        )

    def _double_entry(self, rows: Iterator[tuple[int, list[str]]]) -> Iterator[Record]:
        journal = self.profile.name
        for lineno, row in rows:
            account, contra = self._cell(row, "account"), self._cell(row, "contra_account")
            tax_code = self._cell(row, "tax_code") or None
            yield from self._new_refs(account, None, journal)
            yield from self._new_refs(contra, tax_code, journal)
            if not account or not contra:
                self.log.add(
                    "the booking needs both account and contra account", line=lineno, code="account"
                )
                continue
            when = self._date(row, lineno)
            amount = self._line_amount(row, lineno)
            if when is None:
                continue
            text = self._cell(row, "description")
            voucher = self._cell(row, "voucher")
            yield Transaction(
                transaction_id=f"{lineno}:{voucher}" if voucher else str(lineno),
                journal_id=journal,
                date=when,
                lines=(
                    Line(record_id="1", account_id=account, amount=amount, description=text),
                    Line(
                        record_id="2",
                        account_id=contra,
                        amount=-amount,
                        description=text,
                        tax_code=tax_code,
                    ),
                ),
                description=text,
                source_line=lineno,
            )

    def _trial_balance(self, rows: Iterator[tuple[int, list[str]]]) -> Iterator[Record]:
        for lineno, row in rows:
            account = self._cell(row, "account")
            if not account:
                self.log.add("the row has no account number", line=lineno, code="account")
                continue
            if account in self._accounts:
                self.log.add(f"account {account} appears twice", line=lineno, code="duplicate")
                continue
            self._accounts.add(account)
            yield Account(
                account_id=account,
                name=self._cell(row, "name"),
                closing_balance=self._amount(row, "balance", lineno) or ZERO,
                source_line=lineno,
            )


class _Prepend:
    """An iterator with one item put back in front."""

    def __init__(self, first: Any, rest: Iterator[Any]) -> None:
        self._first: list[Any] = [first]
        self._rest = rest

    def __iter__(self) -> _Prepend:
        return self

    def __next__(self) -> Any:
        if self._first:
            return self._first.pop()
        return next(self._rest)


def _utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def _year_before(end: date) -> date:
    try:
        return end.replace(year=end.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        return end.replace(year=end.year - 1, day=28) + timedelta(days=1)
