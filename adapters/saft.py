"""SAF-T Financial reader: Norwegian 1.10, 1.20, 1.30 and the Danish standard file.

The file is streamed with :func:`schemas.xmlsafe.iterparse`: each master-file
entry and each transaction is turned into a ledger record as soon as its end
tag is read, then removed from the tree, so memory stays flat however many
transactions the file holds. The structure is read from what is present
(``TaxAmount`` in 1.10/1.20, ``DebitTaxAmount``/``CreditTaxAmount`` in 1.30;
party balances directly or under ``BalanceAccount``), so one reader serves
every version. XSD validation runs beside the stream (:mod:`adapters.saft_schema`).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from schemas import xmlsafe

from .checks import DeclaredTotals, SourceFacts
from .ledger import Account, Header, Journal, Line, Party, PartyKind, Record, TaxCode, Transaction
from .problems import ProblemLog
from .saft_schema import SaftSchema
from .saft_tags import (
    NAMESPACES,
    NS_DK,
    NS_NO,
    WANTED,
    Tags,
    find_path,
    first_amount,
    saft_version,
    stripped,
    text_of,
)
from .source import ByteSource

__all__ = ["NAMESPACES", "SaftReader", "saft_version"]

ZERO = Decimal("0")


class SaftReader:
    """Streams one SAF-T Financial file as ledger records; problems go to ``log``."""

    def __init__(
        self,
        source: ByteSource,
        *,
        log: ProblemLog,
        schemas: Any = None,  # callable(version, variant) -> SaftSchema | None
    ) -> None:
        self._source = source
        self.log = log
        self.facts = SourceFacts(chart=False, tax_table=False, parties=False, rollforward=True)
        self.variant = "saft"
        self._schemas = schemas
        self._schema: SaftSchema | None = None
        self._t: Tags = Tags("")
        self._journal: Journal | None = None
        self._journal_sent = False
        self._header_el: Any = None
        self._batch: list[Any] = []

    # -- the stream -----------------------------------------------------------------

    def records(self) -> Iterator[Record]:
        t: Tags | None = None
        root = None
        # Asking only for the end tags we use keeps Python out of the millions of others.
        for _, el in xmlsafe.iterparse(self._source, events=("end",), tag=WANTED):  # type: ignore[arg-type]
            if t is None:
                root = el.getroottree().getroot()
                t = self._t = self._start(root)
            tag = el.tag
            if tag == t.Transaction:
                if not self._journal_sent:
                    yield from self._send_journal(el.getparent())
                tx = self._transaction(el)
                if tx is not None:
                    yield tx
                self._drop(el, keep_for_schema=True)
            elif tag == t.Account and el.getparent().tag == t.GeneralLedgerAccounts:
                self.facts.chart = True
                acc = self._account(el)
                if acc is not None:
                    yield acc
                self._drop(el)
            elif tag in (t.Customer, t.Supplier):
                self.facts.parties = True
                party = self._party(
                    el, PartyKind.CUSTOMER if tag == t.Customer else PartyKind.SUPPLIER
                )
                if party is not None:
                    yield party
                self._drop(el)
            elif tag == t.TaxCodeDetails:
                self.facts.tax_table = True
                code = self._tax_code(el)
                if code is not None:
                    yield code
                self._drop(el)
            elif tag == t.Journal:
                if not self._journal_sent:
                    yield from self._send_journal(el)
                self._journal_sent = False
            elif tag in (t.Invoice, t.Payment, t.StockMovement, t.AssetTransaction):
                self._drop(el)
            elif tag == t.Header:
                header = self._header(el, root)
                if header is not None:
                    yield header
            elif (
                tag in (t.NumberOfEntries, t.TotalDebit, t.TotalCredit)
                and el.getparent().tag == t.GeneralLedgerEntries
            ):
                self._total(el)
        if root is None:
            self.log.add(
                "no SAF-T Financial content found (the root must be AuditFile with a Header)",
                code="empty",
            )
            return
        self._flush_schema_batch()
        if self._schema is not None:
            self._schema.validate_skeleton(root, self.log)

    def _start(self, root: Any) -> Tags:
        tag = root.tag
        ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if local != "AuditFile" or ns not in (*NAMESPACES, ""):
            self.log.add(
                f"root element is {tag}, not a SAF-T Financial AuditFile", line=root.sourceline
            )
        elif not ns:
            self.log.warn(
                "AuditFile has no namespace; read as SAF-T Financial, but it cannot be valid "
                f"against the schema (expected {NS_NO} or {NS_DK})",
                line=root.sourceline,
                code="namespace",
            )
        self._location = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
        self._ns = ns
        return Tags(ns)

    def _drop(self, el: Any, *, keep_for_schema: bool = False) -> None:
        # Removing what we have read keeps the tree to the header and master data at most.
        if keep_for_schema and self._schema is not None:
            self._batch.append(el)
            parent = el.getparent()
            parent.remove(el)
            if len(self._batch) >= self._schema.batch_size:
                self._flush_schema_batch()
            return
        if self._schema is not None:
            return  # master data stays for the final skeleton validation
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)

    def _flush_schema_batch(self) -> None:
        if self._schema is not None and self._batch:
            self._schema.validate_transactions(self._header_el, self._batch, self.log)
        self._batch = []

    # -- header and totals ----------------------------------------------------------

    def _header(self, el: Any, root: Any) -> Header | None:
        t = self._t
        declared = el.findtext(t.AuditFileVersion)
        version = saft_version(declared, self._location)
        self.variant = "saft-dk" if self._ns == NS_DK else f"saft-{version}"
        if self._schemas is not None:
            self._schema = self._schemas(version, self.variant)
            self._header_el = el
        company = el.find(t.Company)
        crit = el.find(t.SelectionCriteria)
        where = {"line": el.sourceline, "element": "Header"}
        if company is None or not (company.findtext(t.RegistrationNumber) or "").strip():
            self.log.add("Header/Company/RegistrationNumber is missing", code="header", **where)
            return None
        start, end = self._period(crit)
        if start is None or end is None:
            self.log.add(
                "Header/SelectionCriteria gives no period (PeriodStart/PeriodStartYear, "
                "PeriodEnd/PeriodEndYear or SelectionStartDate/SelectionEndDate)",
                code="header",
                **where,
            )
            return None
        software = " ".join(
            s for s in (el.findtext(t.SoftwareID), el.findtext(t.SoftwareVersion)) if s
        )
        return Header(
            company_id=company.findtext(t.RegistrationNumber).strip(),
            company_name=(company.findtext(t.Name) or "").strip(),
            currency=(el.findtext(t.DefaultCurrencyCode) or "").strip(),
            period_start=start,
            period_end=end,
            source_format=self.variant,
            software=software or None,
            vat_number=text_of(company.find(t.TaxRegistration), t.TaxRegistrationNumber),
            country=(el.findtext(t.AuditFileCountry) or "").strip() or None,
        )

    def _period(self, crit: Any) -> tuple[date | None, date | None]:
        if crit is None:
            return None, None
        t = self._t
        try:
            if crit.find(t.SelectionStartDate) is not None:
                return (
                    date.fromisoformat(crit.findtext(t.SelectionStartDate).strip()),
                    date.fromisoformat(crit.findtext(t.SelectionEndDate).strip()),
                )
            sy, sm = int(crit.findtext(t.PeriodStartYear)), int(crit.findtext(t.PeriodStart))
            ey, em = int(crit.findtext(t.PeriodEndYear)), int(crit.findtext(t.PeriodEnd))
        except (TypeError, ValueError, AttributeError):
            return None, None
        # Periods past 12 are closing periods of the same year.
        sm, em = max(1, min(sm, 12)), max(1, min(em, 12))
        return date(sy, sm, 1), date(ey, em, calendar.monthrange(ey, em)[1])

    def _total(self, el: Any) -> None:
        totals = self.facts.totals
        if totals is None:
            totals = self.facts.totals = DeclaredTotals(
                line=el.sourceline, element="GeneralLedgerEntries"
            )
        name = el.tag.rpartition("}")[2]
        text = (el.text or "").strip()
        try:
            if name == "NumberOfEntries":
                totals.entries = int(text)
            elif name == "TotalDebit":
                totals.debit = Decimal(text)
            else:
                totals.credit = Decimal(text)
        except (ValueError, InvalidOperation):
            self.log.add(f"{name} is not a number: {text!r}", line=el.sourceline, element=name)

    # -- master files ---------------------------------------------------------------

    def _account(self, el: Any) -> Account | None:
        t = self._t
        account_id = text_of(el, t.AccountID)
        if not account_id:
            self.log.add("Account without AccountID", line=el.sourceline, element="Account")
            return None
        opening = self._balance(el, "Opening")
        return Account(
            account_id=account_id,
            name=text_of(el, t.AccountDescription) or "",
            standard_account=text_of(el, t.StandardAccountID),
            grouping_category=text_of(el, t.GroupingCategory),
            grouping_code=text_of(el, t.GroupingCode),
            opening_balance=opening if opening is not None else ZERO,
            closing_balance=self._balance(el, "Closing"),
            source_line=el.sourceline,
        )

    def _balance(self, el: Any, when: str) -> Decimal | None:
        debit = self._amount(el.find(getattr(self._t, f"{when}DebitBalance")))
        credit = self._amount(el.find(getattr(self._t, f"{when}CreditBalance")))
        if debit is None and credit is None:
            return None
        return (debit or ZERO) - (credit or ZERO)

    def _party(self, el: Any, kind: PartyKind) -> Party | None:
        t = self._t
        party_id = text_of(el, t.CustomerID if kind is PartyKind.CUSTOMER else t.SupplierID)
        if not party_id:
            self.log.add(f"{kind.value} without an id", line=el.sourceline, element=kind.value)
            return None
        address = el.find(t.Address)
        return Party(
            party_id=party_id,
            kind=kind,
            name=text_of(el, t.Name) or "",
            registration_number=text_of(el, t.RegistrationNumber),
            vat_number=text_of(el.find(t.TaxRegistration), t.TaxRegistrationNumber),
            country=text_of(address, t.Country),
        )

    def _tax_code(self, el: Any) -> TaxCode | None:
        t = self._t
        code = text_of(el, t.TaxCode)
        if not code:
            self.log.add("TaxCodeDetails without TaxCode", line=el.sourceline)
            return None
        return TaxCode(
            code=code,
            description=text_of(el, t.Description) or "",
            rate=self._amount(el.find(t.TaxPercentage)),
            standard_code=text_of(el, t.StandardTaxCode),
            country=text_of(el, t.Country),
        )

    def _send_journal(self, el: Any) -> Iterator[Journal]:
        t = self._t
        self._journal_sent = True
        journal_id = text_of(el, t.JournalID) or ""
        self._journal = Journal(
            journal_id=journal_id,
            description=text_of(el, t.Description) or "",
            type=text_of(el, t.Type),
        )
        if not journal_id:
            self.log.add("Journal without JournalID", line=el.sourceline, element="Journal")
        yield self._journal

    # -- transactions ---------------------------------------------------------------

    def _transaction(self, el: Any) -> Transaction | None:
        t = self._t
        tid = tdate = desc = period = None
        lines: list[Line] = []
        for child in el:
            tag = child.tag
            if tag == t.Line:
                line = self._line(child)
                if line is not None:
                    lines.append(line)
            elif tag == t.TransactionID:
                tid = (child.text or "").strip()
            elif tag == t.TransactionDate:
                tdate = child.text
            elif tag == t.Description:
                desc = child.text
            elif tag == t.Period:
                period = child.text
        where = {"line": el.sourceline, "element": f"Transaction {tid or '?'}"}
        if not tid:
            self.log.add("Transaction without TransactionID", **where)
            return None
        try:
            when = date.fromisoformat((tdate or "").strip())
        except ValueError:
            self.log.add(f"TransactionDate is not a date: {tdate!r}", **where)
            return None
        return Transaction(
            transaction_id=tid,
            journal_id=self._journal.journal_id if self._journal else "",
            date=when,
            lines=tuple(lines),
            description=(desc or "").strip(),
            period=period.strip() if period else None,
            source_line=el.sourceline,
        )

    def _line(self, el: Any) -> Line | None:
        t = self._t
        # One pass over the children into a dict beats a chain of tag comparisons per child.
        f: dict[str, Any] = {}
        for child in el:
            f.setdefault(child.tag, child)  # the first TaxInformation is the line's VAT
        record_id = stripped(f.get(t.RecordID))
        account = stripped(f.get(t.AccountID))
        amount: Decimal | None = None
        if (side := f.get(t.DebitAmount)) is not None:
            amount = self._amount(first_amount(side, t.Amount))
        elif (side := f.get(t.CreditAmount)) is not None:
            value = self._amount(first_amount(side, t.Amount))
            amount = -value if value is not None else None
        if not account:
            self.log.add(
                "Line without AccountID", line=el.sourceline, element=f"Line {record_id or '?'}"
            )
            return None
        if amount is None:
            self.log.add(
                "Line has neither DebitAmount nor CreditAmount",
                line=el.sourceline,
                element=f"Line {record_id or '?'}",
            )
            amount = ZERO
        party = f.get(t.CustomerID)
        if party is None:
            party = f.get(t.SupplierID)
        tax_el = f.get(t.TaxInformation)
        tax_code = tax_base = tax_amount = None
        if tax_el is not None:
            tax_code, tax_base, tax_amount = self._tax(tax_el, amount)
        return Line(
            record_id=record_id,
            account_id=account,
            amount=amount,
            description=stripped(f.get(t.Description)),
            tax_code=tax_code,
            tax_base=tax_base,
            tax_amount=tax_amount,
            party_id=stripped(party) or None,
        )

    def _tax(self, el: Any, amount: Decimal) -> tuple[str | None, Decimal | None, Decimal | None]:
        t = self._t
        sign = -1 if amount < 0 else 1
        base = self._amount(el.find(t.TaxBase))
        tax_amount = None
        if (debit := el.find(t.DebitTaxAmount)) is not None:
            tax_amount = self._amount(first_amount(debit, t.Amount))
        elif (credit := el.find(t.CreditTaxAmount)) is not None:
            value = self._amount(first_amount(credit, t.Amount))
            tax_amount = -value if value is not None else None
        else:  # 1.10/1.20: one unsigned TaxAmount, on the side of the line
            value = self._amount(find_path(el, t.TaxAmount, t.Amount))
            tax_amount = value * sign if value is not None else None
        return text_of(el, t.TaxCode), base * sign if base is not None else None, tax_amount

    def _amount(self, el: Any) -> Decimal | None:
        if el is None:
            return None
        text = (el.text or "").strip()
        try:
            return Decimal(text)
        except InvalidOperation:
            name = el.tag.rpartition("}")[2]
            self.log.add(f"{name} is not a number: {text!r}", line=el.sourceline, element=name)
            return None
