"""SIE 4 reader (the Swedish standard export of accounting software).

A SIE file is CP437 text ("PC8"), one labelled record a line: ``#KONTO``,
``#IB``, ``#VER`` followed by a ``{ ... }`` block of ``#TRANS`` rows, and so
on. Company, chart and balances come before the vouchers in every export we
know; the reader keeps them until the first ``#VER``, then streams vouchers.
Anything declared after that is sent again at the end (a later record for the
same account replaces the earlier one). ``#RTRANS``/``#BTRANS`` rows (added or
removed after registration) are skipped: an added row is repeated as
``#TRANS`` by the standard, a removed one no longer counts.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO

from .checks import SourceFacts
from .ledger import (
    Account,
    AccountType,
    Header,
    Journal,
    Line,
    Party,
    PartyKind,
    Record,
    Transaction,
)
from .problems import VOUCHERS_ONLY, ProblemLog
from .source import ByteSource

__all__ = ["SieReader", "decode_lines", "split_fields"]

ZERO = Decimal("0")

# A quoted field ("" inside the quotes, or \", is a quote), an object list {...}, or a bare word.
_FIELD = re.compile(
    r'"((?:\\.|""(?=[^\s])|[^"\\])*)"'
    r'|(\{(?:"(?:\\.|[^"\\])*"|[^}"])*\})'
    r"|([^\s\"{}]+)"
)
_UNESCAPE = re.compile(r'\\(.)|""')
_KTYP = {
    "T": AccountType.ASSET,
    "S": AccountType.LIABILITY,
    "K": AccountType.EXPENSE,
    "I": AccountType.INCOME,
}
# SIE reserves dimension 8 for customers and 9 for suppliers.
_PARTY_DIMS = {"8": PartyKind.CUSTOMER, "9": PartyKind.SUPPLIER}


def split_fields(text: str) -> list[str]:
    """Split one SIE line into its fields, unquoting and keeping ``{...}`` lists whole."""
    out: list[str] = []
    for m in _FIELD.finditer(text):
        quoted, objects, bare = m.groups()
        if quoted is not None:
            out.append(_UNESCAPE.sub(lambda u: u.group(1) or '"', quoted))
        else:
            out.append(objects if objects is not None else bare)
    return out


def _bas_type(account_id: str) -> AccountType:
    # BAS chart: 1 assets, 2 equity and liabilities, 3 income, 4-7 costs, 8 financial items.
    first = account_id[:1]
    if first == "1":
        return AccountType.ASSET
    if first == "2":
        return AccountType.EQUITY if account_id[:2] == "20" else AccountType.LIABILITY
    if first == "3":
        return AccountType.INCOME
    if first in "4567" and first:
        return AccountType.EXPENSE
    return AccountType.OTHER


@dataclass(slots=True)
class _Acc:
    name: str = ""
    ktyp: str | None = None
    sru: str | None = None
    opening: Decimal | None = None
    closing: Decimal | None = None
    result: Decimal | None = None
    line: int | None = None


@dataclass(slots=True)
class _Voucher:
    series: str
    number: str
    date: date
    text: str
    line: int
    lines: list[Line] = field(default_factory=list)


class SieReader:
    """Streams one SIE 4 file (already decoded to text lines) as ledger records."""

    def __init__(
        self,
        lines: IO[str] | Iterator[str],
        *,
        log: ProblemLog,
        period: tuple[date, date] | None = None,
    ) -> None:
        self._lines = lines
        self.log = log
        # A type 4I file (vouchers for import) has no #RAR; its period is named by the caller.
        self._period = period
        # SIE exports are often a selection of vouchers while #IB/#UB/#RES are the whole
        # year's balances (the SoftOne sample skips vouchers 3-6), so a mismatch between
        # them is worth a warning, not a refusal. An unbalanced voucher is still refused.
        self.facts = SourceFacts(
            chart=True, tax_table=False, parties=False, rollforward_severity="warning"
        )
        self._undeclared_parties: dict[tuple[str, str], int] = {}
        self._used: dict[str, tuple[int, int]] = {}  # undeclared account -> (first line, uses)
        self.variant = "sie4"
        self._meta: dict[str, list[str]] = {}
        self._accounts: dict[str, _Acc] = {}
        self._parties: dict[tuple[str, str], Party] = {}
        self._series: set[str] = set()
        self._started = False
        self._late: set[str] = set()

    def records(self) -> Iterator[Record]:
        voucher: _Voucher | None = None
        in_block = False
        lineno = 0
        for lineno, raw in enumerate(self._lines, start=1):
            text = raw.strip()
            if not text:
                continue
            if text == "{":
                in_block = True
                continue
            if text == "}":
                if voucher is not None:
                    yield from self._finish_voucher(voucher)
                    voucher = None
                in_block = False
                continue
            if not text.startswith("#"):
                self.log.add(f"not a SIE record: {text[:40]!r}", line=lineno, code="syntax")
                continue
            label, _, rest = text.replace("\t", " ").partition(" ")
            label = label.upper()
            fields = split_fields(rest)
            if label == "#TRANS":
                if voucher is None or not in_block:
                    self.log.add("#TRANS outside a #VER block", line=lineno, code="syntax")
                    continue
                line = self._trans(fields, voucher, lineno)
                if line is not None:
                    voucher.lines.append(line)
            elif label in ("#RTRANS", "#BTRANS"):
                continue
            elif label == "#VER":
                if voucher is not None:
                    self.log.add(
                        f"#VER {voucher.series} {voucher.number} has no closing '}}'",
                        line=voucher.line,
                        code="syntax",
                    )
                    yield from self._finish_voucher(voucher)
                if not self._started:
                    self._started = True
                    yield from self._preamble()
                voucher = self._ver(fields, lineno)
                in_block = False
            else:
                self._meta_record(label, fields, lineno)
        if voucher is not None:
            self.log.add(
                f"#VER {voucher.series} {voucher.number} has no closing '}}'",
                line=voucher.line,
                code="syntax",
            )
            yield from self._finish_voucher(voucher)
        if not self._started:
            self._started = True
            yield from self._preamble()
        else:
            for account_id in sorted(self._late):
                yield self._account(account_id)
        yield from self._undeclared()
        if lineno == 0:
            self.log.add("the file is empty", code="empty")

    # -- records before the vouchers ------------------------------------------------

    def _meta_record(self, label: str, f: list[str], lineno: int) -> None:
        if label in ("#KONTO", "#KTYP", "#SRU", "#IB", "#UB", "#RES"):
            self._balance_record(label, f, lineno)
        elif label == "#OBJEKT" and len(f) >= 3 and f[0] in _PARTY_DIMS:
            kind = _PARTY_DIMS[f[0]]
            self._parties[(f[0], f[1])] = Party(party_id=f[1], kind=kind, name=f[2])
        elif label not in self._meta:
            self._meta[label] = f
            if label == "#RAR" and f and f[0] != "0":
                del self._meta[label]  # only this year's row (0) gives the period
        elif label == "#RAR" and f and f[0] == "0":
            self._meta[label] = f

    def _balance_record(self, label: str, f: list[str], lineno: int) -> None:
        if label in ("#IB", "#UB", "#RES"):
            if len(f) < 3 or f[0] != "0":
                return  # other years, or object balances, do not enter this year's ledger
            account_id, amount = f[1], self._decimal(f[2], lineno, label)
            if amount is None:
                return
        else:
            if len(f) < 2:
                self.log.warn(f"{label} needs an account and a value", line=lineno, code="syntax")
                return
            account_id = f[0]
        acc = self._accounts.get(account_id)
        if acc is None:
            acc = self._accounts[account_id] = _Acc(line=lineno)
        if self._started:
            self._late.add(account_id)
        if label == "#KONTO":
            acc.name, acc.line = f[1], lineno
        elif label == "#KTYP":
            acc.ktyp = f[1].upper()
        elif label == "#SRU":
            acc.sru = f[1]
        elif label == "#IB":
            acc.opening = amount
        elif label == "#UB":
            acc.closing = amount
        else:
            acc.result = amount

    def _preamble(self) -> Iterator[Record]:
        header = self._header()
        if header is not None:
            yield header
        for account_id in self._accounts:
            yield self._account(account_id)
        yield from self._parties.values()

    def _header(self) -> Header | None:
        meta = self._meta
        rar = meta.get("#RAR")
        try:
            start = _date(rar[1]) if rar and len(rar) >= 3 else None
            end = _date(rar[2]) if rar and len(rar) >= 3 else None
        except ValueError:
            start = end = None
        if (start is None or end is None) and rar is None and self._period is not None:
            start, end = self._period
            self.log.warn(
                f"no #RAR: a vouchers-only (type 4I) file, read into the period {start}..{end}",
                code="vouchers-only",
            )
        if start is None or end is None:
            if rar is None and ("#FNAMN" in meta or "#ORGNR" in meta):
                self.log.add(
                    "no #RAR (financial year): a vouchers-only (type 4I) file; import it into "
                    "an existing ledger period or name the period it belongs to",
                    code=VOUCHERS_ONLY,
                )
            else:
                self.log.add(
                    "#RAR 0 (this financial year) is missing or not two dates", code="header"
                )
            return None
        orgnr = (meta.get("#ORGNR") or [""])[0]
        name = (meta.get("#FNAMN") or [""])[0]
        if not orgnr:
            self.log.warn("#ORGNR (organisation number) is missing", code="header")
        program = meta.get("#PROGRAM") or []
        return Header(
            company_id=orgnr,
            company_name=name,
            currency=(meta.get("#VALUTA") or ["SEK"])[0],
            period_start=start,
            period_end=end,
            source_format=self.variant,
            software=" ".join(program[:2]) or None,
            country="SE",
        )

    def _account(self, account_id: str) -> Account:
        acc = self._accounts[account_id]
        kind = _KTYP.get(acc.ktyp or "") or _bas_type(account_id)
        if kind in (AccountType.INCOME, AccountType.EXPENSE):
            # A result account starts the year at zero; #RES is its closing balance.
            opening, closing = ZERO, acc.result if acc.result is not None else acc.closing
        else:
            opening, closing = acc.opening or ZERO, acc.closing
        return Account(
            account_id=account_id,
            name=acc.name,
            type=kind,
            grouping_category="SRU" if acc.sru else None,
            grouping_code=acc.sru,
            opening_balance=opening,
            closing_balance=closing,
            source_line=acc.line,
        )

    def _undeclared(self) -> Iterator[Account | Party]:
        # Persisting needs every used account; create the ones #KONTO never named.
        for account_id, (first, uses) in self._used.items():
            if account_id in self._accounts:
                continue
            self.log.warn(
                f"account {account_id!r} is used on {uses} #TRANS line(s) but not declared "
                "by #KONTO; it is created without a name",
                line=first,
                element=f"account {account_id}",
                code="undeclared-account",
            )
            self._accounts[account_id] = _Acc(line=first)
            yield self._account(account_id)
        if self._undeclared_parties:
            (dim, first_id), line = next(iter(self._undeclared_parties.items()))
            self.log.warn(
                f"{len(self._undeclared_parties)} customer/supplier object(s) used on #TRANS "
                f"lines are not declared by #OBJEKT (first: {dim} {first_id}); "
                "they are created without a name",
                line=line,
                code="undeclared-party",
            )
            for dim, obj in self._undeclared_parties:
                yield Party(party_id=obj, kind=_PARTY_DIMS[dim], name="")

    # -- vouchers -------------------------------------------------------------------

    def _ver(self, f: list[str], lineno: int) -> _Voucher | None:
        if len(f) < 3:
            self.log.add("#VER needs series, number and date", line=lineno, code="syntax")
            return _Voucher("", "?", date.min, "", lineno)
        try:
            when = _date(f[2])
        except ValueError:
            self.log.add(f"#VER date is not YYYYMMDD: {f[2]!r}", line=lineno, code="syntax")
            when = date.min
        return _Voucher(f[0], f[1], when, f[3] if len(f) > 3 else "", lineno)

    def _trans(self, f: list[str], voucher: _Voucher, lineno: int) -> Line | None:
        if len(f) < 3:
            self.log.add("#TRANS needs account, object list and amount", line=lineno, code="syntax")
            return None
        amount = self._decimal(f[2], lineno, "#TRANS")
        if amount is None:
            return None
        if f[0] not in self._accounts:
            first, uses = self._used.get(f[0], (lineno, 0))
            self._used[f[0]] = (first, uses + 1)
        party = None
        objects = split_fields(f[1][1:-1]) if f[1].startswith("{") else []
        for dim, obj in zip(objects[::2], objects[1::2], strict=False):
            if dim in _PARTY_DIMS:
                party = obj
                if (dim, obj) not in self._parties:
                    self._undeclared_parties.setdefault((dim, obj), lineno)
        return Line(
            record_id=str(len(voucher.lines) + 1),
            account_id=f[0],
            amount=amount,
            description=f[4] if len(f) > 4 and f[4] else voucher.text,
            party_id=party,
        )

    def _finish_voucher(self, v: _Voucher) -> Iterator[Record]:
        if v.series not in self._series:
            self._series.add(v.series)
            yield Journal(journal_id=v.series, description=f"SIE series {v.series}")
        yield Transaction(
            transaction_id=f"{v.series} {v.number}".strip(),
            journal_id=v.series,
            date=v.date,
            lines=tuple(v.lines),
            description=v.text,
            source_line=v.line,
        )

    def _decimal(self, text: str, lineno: int, label: str) -> Decimal | None:
        try:
            return Decimal(text)
        except InvalidOperation:
            self.log.add(f"{label} amount is not a number: {text!r}", line=lineno, code="syntax")
            return None


def _date(text: str) -> date:
    if len(text) != 8 or not text.isdigit():
        raise ValueError(text)
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


_SNIFF = 256 * 1024


def decode_lines(raw: ByteSource, *, log: ProblemLog) -> Iterator[str]:
    """Text lines of a SIE file: CP437 as the standard says, UTF-8 if that is what it is."""
    buffered = io.BufferedReader(raw, buffer_size=_SNIFF)  # type: ignore[arg-type,type-var]
    head = buffered.peek(_SNIFF)[:_SNIFF]
    declared = re.search(rb"#FORMAT\s+\"?(\w+)", head)
    fmt = declared.group(1).decode("ascii").upper() if declared else "PC8"
    encoding = "cp437"
    if fmt != "PC8":
        log.warn(
            f"#FORMAT {fmt} is not PC8 (the only SIE 4 encoding); read as CP437", code="encoding"
        )
    if head.startswith(codecs.BOM_UTF8) or _is_utf8(head):
        encoding = "utf-8"
        lost = head.count("\ufffd".encode())
        log.warn(
            "the file is UTF-8, not PC8 (CP437) as SIE 4 requires; read as UTF-8"
            + (
                f"; {lost} character(s) were already replaced by U+FFFD in the source"
                if lost
                else ""
            ),
            line=1,
            code="encoding",
        )
    text = io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline=None)
    yield from text


def _is_utf8(head: bytes) -> bool:
    if head.isascii():
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniff window still counts as UTF-8.
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True
