"""Export any ledger as a SAF-T Financial 1.30 file (the Norwegian 1.30 schema).

The Danish "standardfil" follows the same structure but its XSD is not
published with the artefacts, so the file uses the 1.30 namespace and
validates against ``Norwegian_SAF-T_Financial_Schema_v_1.30.xsd``.

The file is written element by element with ``lxml.etree.xmlfile``: memory
stays flat however many transactions the ledger holds. Two passes read the
transactions: one for the totals the header of ``GeneralLedgerEntries`` needs,
one to write them journal by journal.

Values the schema requires and the ledger cannot give are filled with
documented defaults: the contact person and telephone ``NotUsed`` (override in
:class:`SaftOptions`), a journal's type ``GL``, ``BaseRate`` 100, and for a tax
code without a SAF-T standard code the one its VAT-table rule implies
(:func:`reporting.vat_table.saft_standard_tax_code`), else ``NA``. Grouping
codes follow :mod:`reporting.saft_grouping`. Closing balances are opening
plus the exported entries, so the file rolls forward; where the source stated
another closing (a SIE file holding a selection of vouchers does), the account
is named in the report. Text is cut to the schema's
maximum lengths; amounts are rounded to øre (two decimals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO, Any

from lxml import etree

from adapters.ledger import Account, Journal, Ledger, Line, PartyKind, TaxCode, Transaction
from gateway import clock
from reporting.saft_grouping import load_grouping_codelist, resolve_grouping
from reporting.vat_table import VatCodeTable, load_vat_table, saft_standard_tax_code

__all__ = ["NS_SAFT_130", "SaftExportReport", "SaftOptions", "export_saft"]

NS_SAFT_130 = "urn:StandardAuditFile-Taxation-Financial:NO"
ZERO = Decimal("0")
CENT = Decimal("0.01")
_STANDARD_TAX_CODE = re.compile(r"^[0-9anAN]{1,2}$")
# XML 1.0 refuses most control characters; accounting exports sometimes carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Maximum lengths of the schema's text types.
CODE, SHORT, MIDDLE1, MIDDLE2, LONG = 9, 18, 35, 70, 256


@dataclass(frozen=True, slots=True)
class SaftOptions:
    """What the ledger does not hold but the file header needs."""

    software_company: str = "Gateway"
    software_id: str = "gateway"
    software_version: str = "0.1.0"
    contact_first_name: str = "NotUsed"
    contact_last_name: str = "NotUsed"
    telephone: str = "NotUsed"
    header_comment: str | None = None
    created: date | None = None  # the file's creation date; today (UTC) when None


@dataclass(frozen=True, slots=True)
class SaftExportReport:
    """What was written, and which accounts need a grouping review."""

    accounts: int
    customers: int
    suppliers: int
    tax_codes: int
    journals: int
    transactions: int
    lines: int
    total_debit: Decimal
    total_credit: Decimal
    grouping_fallbacks: tuple[str, ...] = ()  # account ids grouped by type only
    closing_mismatches: tuple[str, ...] = ()  # accounts whose stated closing did not roll forward
    derived_standard_tax_codes: tuple[str, ...] = ()  # tax codes given one from the VAT table
    shortened: tuple[str, ...] = field(default=())  # values cut to the schema's length


class _QNames(dict[str, str]):
    def __missing__(self, name: str) -> str:
        self[name] = qname = f"{{{NS_SAFT_130}}}{name}"
        return qname


class _Writer:
    def __init__(self, xf: Any) -> None:
        self.xf = xf
        self.q = _QNames()
        self.shortened: list[str] = []

    def text(self, value: object, limit: int, what: str) -> str:
        clean = str(value)
        if _NOT_XML.search(clean):
            clean = _NOT_XML.sub("", clean)
        if len(clean) > limit:
            self.shortened.append(f"{what}: {clean[:40]}")
            clean = clean[:limit]
        return clean

    def el(self, name: str) -> Any:
        return self.xf.element(self.q[name])

    def leaf(self, name: str, value: object, limit: int = LONG) -> None:
        with self.xf.element(self.q[name]):
            self.xf.write(self.text(value, limit, name))

    def money(self, name: str, value: Decimal) -> None:
        self.leaf(name, _money(value))

    def amount(self, name: str, value: Decimal) -> None:
        with self.el(name):
            self.money("Amount", value)


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _side_money(w: _Writer, prefix: str, value: Decimal) -> None:
    # Balances are written on their own side: debit positive, credit as a positive credit.
    if value < 0:
        w.money(f"{prefix}CreditBalance", -value)
    else:
        w.money(f"{prefix}DebitBalance", value)


def _header(w: _Writer, ledger: Ledger, options: SaftOptions) -> None:
    head = ledger.header
    created = options.created or clock.now().date()
    with w.el("Header"):
        w.leaf("AuditFileVersion", "1.30", CODE)
        w.leaf("AuditFileCountry", (head.country or "DK").upper(), 2)
        w.leaf("AuditFileDateCreated", created.isoformat())
        w.leaf("SoftwareCompanyName", options.software_company, MIDDLE2)
        w.leaf("SoftwareID", options.software_id, LONG)
        w.leaf("SoftwareVersion", options.software_version, SHORT)
        with w.el("Company"):
            w.leaf("RegistrationNumber", head.company_id, MIDDLE1)
            w.leaf("Name", head.company_name, LONG)
            with w.el("Contact"):
                with w.el("ContactPerson"):
                    w.leaf("FirstName", options.contact_first_name, MIDDLE1)
                    w.leaf("LastName", options.contact_last_name, MIDDLE2)
                w.leaf("Telephone", options.telephone, SHORT)
            if head.vat_number:
                with w.el("TaxRegistration"):
                    w.leaf("TaxRegistrationNumber", head.vat_number, MIDDLE1)
        w.leaf("DefaultCurrencyCode", head.currency.upper(), 3)
        with w.el("SelectionCriteria"):
            w.leaf("SelectionStartDate", head.period_start.isoformat())
            w.leaf("SelectionEndDate", head.period_end.isoformat())
        comment = options.header_comment or f"Exported from a {head.source_format} ledger."
        w.leaf("HeaderComment", comment, LONG)
        w.leaf("TaxAccountingBasis", "A", SHORT)


def _accounts(ledger: Ledger) -> list[Account]:
    known = dict(ledger.accounts)
    for tx in ledger.transactions:
        for line in tx.lines:
            if line.account_id not in known:
                known[line.account_id] = Account(line.account_id, line.account_id)
    return [known[k] for k in sorted(known)]


def _write_accounts(
    w: _Writer, ledger: Ledger, codelist: dict[str, str] | None
) -> tuple[int, list[str], list[str]]:
    accounts = _accounts(ledger)
    if not accounts:
        return 0, [], []
    computed = ledger.trial_balance()
    fallbacks: list[str] = []
    mismatches: list[str] = []
    with w.el("GeneralLedgerAccounts"):
        for acc in accounts:
            # The file must roll forward (opening + its entries = closing), so the
            # closing is computed; a different closing stated by the source is reported.
            closing = computed.get(acc.account_id, acc.opening_balance)
            if acc.closing_balance is not None and acc.closing_balance != closing:
                mismatches.append(acc.account_id)
            grouping = resolve_grouping(acc, closing, codelist)
            if grouping.rule == "fallback":
                fallbacks.append(acc.account_id)
            with w.el("Account"):
                w.leaf("AccountID", acc.account_id, MIDDLE2)
                w.leaf("AccountDescription", acc.name or acc.account_id, LONG)
                w.leaf("GroupingCategory", grouping.category, LONG)
                w.leaf("GroupingCode", grouping.code, MIDDLE1)
                w.leaf("AccountType", "GL", SHORT)
                _side_money(w, "Opening", acc.opening_balance)
                _side_money(w, "Closing", closing)
    return len(accounts), fallbacks, mismatches


def _write_parties(w: _Writer, ledger: Ledger, kind: PartyKind) -> int:
    parties = sorted(
        (p for p in ledger.parties.values() if p.kind == kind), key=lambda p: p.party_id
    )
    if not parties:
        return 0
    outer, inner, id_tag = (
        ("Customers", "Customer", "CustomerID")
        if kind == PartyKind.CUSTOMER
        else ("Suppliers", "Supplier", "SupplierID")
    )
    with w.el(outer):
        for party in parties:
            with w.el(inner):
                if party.registration_number:
                    w.leaf("RegistrationNumber", party.registration_number, MIDDLE1)
                w.leaf("Name", party.name or party.party_id, LONG)
                if party.country and len(party.country) == 2:
                    with w.el("Address"):
                        w.leaf("Country", party.country.upper(), 2)
                if party.vat_number:
                    with w.el("TaxRegistration"):
                        w.leaf("TaxRegistrationNumber", party.vat_number, MIDDLE1)
                w.leaf(id_tag, party.party_id, MIDDLE1)
    return len(parties)


def _tax_codes(ledger: Ledger) -> list[TaxCode]:
    known = dict(ledger.tax_codes)
    for tx in ledger.transactions:
        for line in tx.lines:
            if line.tax_code and line.tax_code not in known:
                known[line.tax_code] = TaxCode(line.tax_code)
    return [known[k] for k in sorted(known)]


def _country(ledger: Ledger, tax: TaxCode | None = None) -> str:
    value = (tax.country if tax and tax.country else None) or ledger.header.country or "DK"
    return value.upper() if len(value) == 2 else "DK"


def _standard_tax_code(tax: TaxCode, table: VatCodeTable, derived: list[str]) -> str:
    given = tax.standard_code or ""
    if _STANDARD_TAX_CODE.match(given):
        return given
    rule = table.codes.get(tax.code) or (table.codes.get(given) if given else None)
    code = saft_standard_tax_code(rule) if rule is not None else None
    if code is None:
        return "NA"
    derived.append(tax.code)
    return code


def _write_tax_table(w: _Writer, ledger: Ledger, table: VatCodeTable, derived: list[str]) -> int:
    codes = _tax_codes(ledger)
    if not codes:
        return 0
    with w.el("TaxTable"), w.el("TaxTableEntry"):
        w.leaf("TaxType", "MVA", CODE)
        w.leaf("Description", "Merverdiavgift", LONG)
        for tax in codes:
            with w.el("TaxCodeDetails"):
                w.leaf("TaxCode", tax.code, MIDDLE2)
                if tax.description:
                    w.leaf("Description", tax.description, LONG)
                if tax.rate is not None:
                    w.leaf("TaxPercentage", tax.rate)
                w.leaf("Country", _country(ledger, tax), 2)
                w.leaf("StandardTaxCode", _standard_tax_code(tax, table, derived))
                w.leaf("BaseRate", "100")
    return len(codes)


def _journal_order(ledger: Ledger) -> dict[str, list[Transaction]]:
    groups: dict[str, list[Transaction]] = {j: [] for j in ledger.journals}
    for tx in ledger.transactions:
        groups.setdefault(tx.journal_id, []).append(tx)
    return {j: txs for j, txs in groups.items() if txs}


def _party_tag(ledger: Ledger, line: Line) -> tuple[str, str] | None:
    if not line.party_id:
        return None
    if f"{PartyKind.CUSTOMER}:{line.party_id}" in ledger.parties:
        return "CustomerID", line.party_id
    if f"{PartyKind.SUPPLIER}:{line.party_id}" in ledger.parties:
        return "SupplierID", line.party_id
    return None


def _write_line(w: _Writer, ledger: Ledger, tx: Transaction, line: Line, index: int) -> None:
    with w.el("Line"):
        rid = line.record_id if line.record_id and len(line.record_id) <= SHORT else str(index)
        w.leaf("RecordID", rid, SHORT)
        w.leaf("AccountID", line.account_id, MIDDLE2)
        party = _party_tag(ledger, line)
        if party:
            w.leaf(party[0], party[1], MIDDLE1)
        w.leaf("Description", line.description or tx.description or tx.transaction_id, LONG)
        if line.amount < 0:
            w.amount("CreditAmount", -line.amount)
        else:
            w.amount("DebitAmount", line.amount)
        if line.tax_code:
            tax = ledger.tax_codes.get(line.tax_code)
            with w.el("TaxInformation"):
                w.leaf("TaxType", "MVA", CODE)
                w.leaf("TaxCode", line.tax_code, MIDDLE2)
                if tax is not None and tax.rate is not None:
                    w.leaf("TaxPercentage", tax.rate)
                w.leaf("Country", _country(ledger, tax), 2)
                if line.tax_base is not None:
                    w.leaf("TaxBase", abs(line.tax_base).quantize(CENT, rounding=ROUND_HALF_UP))
                vat = line.tax_amount or ZERO
                # Output VAT is a credit in the ledger; SAF-T states it as CreditTaxAmount.
                if vat < 0:
                    w.amount("CreditTaxAmount", -vat)
                else:
                    w.amount("DebitTaxAmount", vat)


def _period(tx: Transaction) -> int:
    return int(tx.period) if tx.period and tx.period.isdigit() else tx.date.month


def _write_entries(w: _Writer, ledger: Ledger) -> tuple[int, int, int, Decimal, Decimal]:
    debit = credit = ZERO
    lines = 0
    for tx in ledger.transactions:
        for line in tx.lines:
            amount = line.amount.quantize(CENT, rounding=ROUND_HALF_UP)
            if amount < 0:
                credit -= amount
            else:
                debit += amount
            lines += 1
    groups = _journal_order(ledger)
    with w.el("GeneralLedgerEntries"):
        w.leaf("NumberOfEntries", len(ledger.transactions))
        w.leaf("TotalDebit", _money(debit))
        w.leaf("TotalCredit", _money(credit))
        for journal_id, txs in groups.items():
            journal = ledger.journals.get(journal_id) or Journal(journal_id)
            with w.el("Journal"):
                w.leaf("JournalID", journal.journal_id, SHORT)
                w.leaf("Description", journal.description or journal.journal_id, LONG)
                w.leaf("Type", journal.type or "GL", CODE)
                for tx in txs:
                    with w.el("Transaction"):
                        w.leaf("TransactionID", tx.transaction_id, MIDDLE2)
                        w.leaf("Period", _period(tx))
                        w.leaf("PeriodYear", tx.date.year)
                        w.leaf("TransactionDate", tx.date.isoformat())
                        w.leaf("Description", tx.description or tx.transaction_id, LONG)
                        w.leaf("SystemEntryDate", tx.date.isoformat())
                        w.leaf("GLPostingDate", tx.date.isoformat())
                        for index, line in enumerate(tx.lines, 1):
                            _write_line(w, ledger, tx, line, index)
    return len(groups), len(ledger.transactions), lines, debit, credit


def export_saft(
    ledger: Ledger,
    out: str | Path | IO[bytes],
    *,
    artefacts_dir: str | Path | None = None,
    options: SaftOptions | None = None,
    table: VatCodeTable | None = None,
) -> SaftExportReport:
    """Write ``ledger`` as SAF-T Financial 1.30 to a path or binary stream.

    ``table`` (the VAT-code table, built-in by default) supplies the standard tax
    code of codes the ledger gives none for.
    """
    opts = options or SaftOptions()
    vat_table = table if table is not None else load_vat_table()
    derived: list[str] = []
    codelist = load_grouping_codelist(artefacts_dir) if artefacts_dir is not None else None
    target = str(out) if isinstance(out, Path) else out
    with etree.xmlfile(target, encoding="UTF-8") as xf:
        xf.write_declaration()
        w = _Writer(xf)
        with xf.element(f"{{{NS_SAFT_130}}}AuditFile", nsmap={None: NS_SAFT_130}):
            _header(w, ledger, opts)
            with w.el("MasterFiles"):
                accounts, fallbacks, mismatches = _write_accounts(w, ledger, codelist)
                customers = _write_parties(w, ledger, PartyKind.CUSTOMER)
                suppliers = _write_parties(w, ledger, PartyKind.SUPPLIER)
                tax_codes = _write_tax_table(w, ledger, vat_table, derived)
            journals, transactions, lines, debit, credit = _write_entries(w, ledger)
    return SaftExportReport(
        accounts=accounts,
        customers=customers,
        suppliers=suppliers,
        tax_codes=tax_codes,
        journals=journals,
        transactions=transactions,
        lines=lines,
        total_debit=debit,
        total_credit=credit,
        grouping_fallbacks=tuple(fallbacks),
        closing_mismatches=tuple(mismatches),
        derived_standard_tax_codes=tuple(derived),
        shortened=tuple(w.shortened),
    )
