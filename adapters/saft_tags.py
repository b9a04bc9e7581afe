"""SAF-T Financial names: namespaces, versions, qualified tags, small element helpers."""

from __future__ import annotations

from typing import Any

__all__ = [
    "NAMESPACES",
    "NS_DK",
    "NS_NO",
    "WANTED",
    "Tags",
    "find_path",
    "first_amount",
    "saft_version",
    "stripped",
    "text_of",
]

NS_NO = "urn:StandardAuditFile-Taxation-Financial:NO"
NS_DK = "urn:StandardAuditFile-Taxation-Financial:DK"
NAMESPACES = (NS_NO, NS_DK)

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
    # Source documents: read past and dropped, so they do not pile up in memory.
    "Invoice",
    "Payment",
    "StockMovement",
    "AssetTransaction",
]
WANTED = frozenset(f"{{{ns}}}{n}" if ns else n for ns in (*NAMESPACES, "") for n in _USED)


class Tags:
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


def text_of(el: Any, tag: str) -> str | None:
    if el is None:
        return None
    value = el.findtext(tag)
    return value.strip() or None if value is not None else None


def find_path(el: Any, *path: str) -> Any:
    for tag in path:
        if el is None:
            return None
        el = el.find(tag)
    return el


def stripped(el: Any) -> str:
    return (el.text or "").strip() if el is not None else ""


def first_amount(el: Any, amount_tag: str) -> Any:
    # AmountStructure starts with Amount; look further only when it does not.
    if len(el) and el[0].tag == amount_tag:
        return el[0]
    return el.find(amount_tag)
