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
from .source import ByteSource

__all__ = ["NAMESPACES", "SaftReader", "saft_version"]

NS_NO = "urn:StandardAuditFile-Taxation-Financial:NO"
NS_DK = "urn:StandardAuditFile-Taxation-Financial:DK"
NAMESPACES = (NS_NO, NS_DK)
ZERO = Decimal("0")

_VERSIONS = {"1.0": "1.10", "1.00": "1.10", "1.10": "1.10", "1.1": "1.10", "1.20": "1.20"}
_VERSIONS |= {"1.2": "1.20", "1.30": "1.30", "1.3": "1.30"}


def saft_version(declared: str | None, schema_location: str | None) -> str:
    """The schema version a file follows: its AuditFileVersion, else its schemaLocation hint."""
    if declared and declared.strip() in _VERSIONS:
        return _VERSIONS[declared.strip()]
    for v in ("1.10", "1.20", "1.30"):
        if schema_location and f"v_{v}" in schema_location:
            return v
    return "1.30"


_USED = [
    "Header",
    "Account",
    "Customer",
    "Supplier",
    "TaxCodeDetails",
    "Journal",
    "Transaction",
    "NumberOfEntries",
    "TotalDebit",
    "TotalCredit",
]
_WANTED = frozenset(f"{{{ns}}}{n}" if ns else n for ns in (*NAMESPACES, "") for n in _USED)


class _Tags:
    """Qualified tag names for one namespace, computed once per file."""

    def __init__(self, ns: str) -> None:
        self.ns = ns
        prefix = f"{{{ns}}}" if ns else ""
        for name in [
            "AuditFile",
            "Header",
            "MasterFiles",
            "GeneralLedgerAccounts",
            "Account",
            "Customers",
            "Customer",
            "Suppliers",
            "Supplier",
            "TaxTable",
            "TaxTableEntry",
            "TaxCodeDetails",
            "GeneralLedgerEntries",
            "Journal",
            "Transaction",
            "Line",
            "NumberOfEntries",
            "TotalDebit",
            "TotalCredit",
            "JournalID",
            "Description",
            "Type",
            "TransactionID",
            "Period",
            "PeriodYear",
            "TransactionDate",
            "RecordID",
            "AccountID",
            "CustomerID",
            "SupplierID",
            "DebitAmount",
            "CreditAmount",
            "Amount",
            "TaxInformation",
            "TaxCode",
            "TaxBase",
            "TaxAmount",
            "DebitTaxAmount",
            "CreditTaxAmount",
            "TaxType",
        ]:
            setattr(self, name, prefix + name)
        self.prefix = prefix

    def __getattr__(self, name: str) -> str:  # for names not listed above
        return self.prefix + name


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
        self._t: _Tags = _Tags("")
        self._journal: Journal | None = None
        self._journal_sent = False
        self._header_el: Any = None
        self._batch: list[Any] = []

    # -- the stream -----------------------------------------------------------------

    def records(self) -> Iterator[Record]:
        t: _Tags | None = None
        root = None
        # Asking only for the end tags we use keeps Python out of the millions of others.
        for _, el in xmlsafe.iterparse(self._source, events=("end",), tag=_WANTED):  # type: ignore[arg-type]
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

    def _start(self, root: Any) -> _Tags:
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
        return _Tags(ns)

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
            vat_number=_text(company.find(t.TaxRegistration), t.TaxRegistrationNumber),
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
        account_id = _text(el, t.AccountID)
        if not account_id:
            self.log.add("Account without AccountID", line=el.sourceline, element="Account")
            return None
        opening = self._balance(el, "Opening")
        return Account(
            account_id=account_id,
            name=_text(el, t.AccountDescription) or "",
            standard_account=_text(el, t.StandardAccountID),
            grouping_category=_text(el, t.GroupingCategory),
            grouping_code=_text(el, t.GroupingCode),
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
        party_id = _text(el, t.CustomerID if kind is PartyKind.CUSTOMER else t.SupplierID)
        if not party_id:
            self.log.add(f"{kind.value} without an id", line=el.sourceline, element=kind.value)
            return None
        address = el.find(t.Address)
        return Party(
            party_id=party_id,
            kind=kind,
            name=_text(el, t.Name) or "",
            registration_number=_text(el, t.RegistrationNumber),
            vat_number=_text(el.find(t.TaxRegistration), t.TaxRegistrationNumber),
            country=_text(address, t.Country),
        )

    def _tax_code(self, el: Any) -> TaxCode | None:
        t = self._t
        code = _text(el, t.TaxCode)
        if not code:
            self.log.add("TaxCodeDetails without TaxCode", line=el.sourceline)
            return None
        return TaxCode(
            code=code,
            description=_text(el, t.Description) or "",
            rate=self._amount(el.find(t.TaxPercentage)),
            standard_code=_text(el, t.StandardTaxCode),
            country=_text(el, t.Country),
        )

    def _send_journal(self, el: Any) -> Iterator[Journal]:
        t = self._t
        self._journal_sent = True
        journal_id = _text(el, t.JournalID) or ""
        self._journal = Journal(
            journal_id=journal_id,
            description=_text(el, t.Description) or "",
            type=_text(el, t.Type),
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
        record_id = account = desc = party = None
        amount: Decimal | None = None
        tax_el = None
        for child in el:
            tag = child.tag
            if tag == t.DebitAmount:
                amount = self._amount(child.find(t.Amount))
            elif tag == t.CreditAmount:
                value = self._amount(child.find(t.Amount))
                amount = -value if value is not None else None
            elif tag == t.AccountID:
                account = (child.text or "").strip()
            elif tag == t.RecordID:
                record_id = (child.text or "").strip()
            elif tag == t.Description:
                desc = child.text
            elif tag in (t.CustomerID, t.SupplierID):
                party = (child.text or "").strip() or None
            elif tag == t.TaxInformation and tax_el is None:
                tax_el = child
        where = {"line": el.sourceline, "element": f"Line {record_id or '?'}"}
        if not account:
            self.log.add("Line without AccountID", **where)
            return None
        if amount is None:
            self.log.add("Line has neither DebitAmount nor CreditAmount", **where)
            amount = ZERO
        tax_code = tax_base = tax_amount = None
        if tax_el is not None:
            tax_code = _text(tax_el, t.TaxCode)
            base = self._amount(tax_el.find(t.TaxBase))
            sign = -1 if amount < 0 else 1
            tax_base = base * sign if base is not None else None
            debit_tax = tax_el.find(t.DebitTaxAmount)
            credit_tax = tax_el.find(t.CreditTaxAmount)
            if debit_tax is not None:
                tax_amount = self._amount(debit_tax.find(t.Amount))
            elif credit_tax is not None:
                value = self._amount(credit_tax.find(t.Amount))
                tax_amount = -value if value is not None else None
            else:  # 1.10/1.20: one unsigned TaxAmount, on the side of the line
                value = self._amount(_find(tax_el, t.TaxAmount, t.Amount))
                tax_amount = value * sign if value is not None else None
        return Line(
            record_id=record_id or "",
            account_id=account,
            amount=amount,
            description=(desc or "").strip(),
            tax_code=tax_code,
            tax_base=tax_base,
            tax_amount=tax_amount,
            party_id=party,
        )

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


def _text(el: Any, tag: str) -> str | None:
    if el is None:
        return None
    value = el.findtext(tag)
    return value.strip() or None if value is not None else None


def _find(el: Any, *path: str) -> Any:
    for tag in path:
        if el is None:
            return None
        el = el.find(tag)
    return el
