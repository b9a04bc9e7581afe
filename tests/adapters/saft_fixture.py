"""A realistic SAF-T Financial 1.30 file for tests and benchmarks, written as a stream.

A Danish-like trading company: domestic sales and purchases at 25 % VAT, sales
of goods and services to EU customers (0 %, box B), export outside the EU (box
C), purchases of goods and services from EU suppliers with reverse charge (box
A, output and input VAT both booked), and payments. Tax codes follow common
Danish bookkeeping systems (U25, I25, EUV, EUY, EXP, IEUV, IEUY).

The file is valid against the Norwegian 1.30 XSD (the Danish standard file
shares its structure); ``danish=True`` writes the Danish namespace instead.
Closing balances, party balances and control totals are computed in a first
pass with the same seed, so the file is consistent and can be of any size
(``lines`` counts transaction lines). Run as a script to write one file:
``python tests/adapters/saft_fixture.py OUT.xml [LINES]``.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

NS_NO = "urn:StandardAuditFile-Taxation-Financial:NO"
NS_DK = "urn:StandardAuditFile-Taxation-Financial:DK"
CENT = Decimal("0.01")
RATE = Decimal("0.25")

ACCOUNTS = {
    # id: (name, grouping category, grouping code, opening balance debit positive)
    "1010": ("Salg af varer og ydelser, 25 % moms", "salgsinntekt", "3000", Decimal("0")),
    "1050": ("Salg af varer til EU", "salgsinntekt", "3100", Decimal("0")),
    "1150": ("Salg af ydelser til EU", "salgsinntekt", "3100", Decimal("0")),
    "1100": ("Salg af varer uden for EU", "salgsinntekt", "3100", Decimal("0")),
    "1610": ("Varekøb", "varekostnad", "4005", Decimal("0")),
    "1630": ("Varekøb fra EU", "varekostnad", "4005", Decimal("0")),
    "1710": ("Ydelseskøb fra EU", "annenDriftskostnad", "6700", Decimal("0")),
    "5600": (
        "Tilgodehavender fra salg",
        "balanseverdiForOmloepsmiddel",
        "1500",
        Decimal("40000.00"),
    ),
    "5820": ("Bank", "balanseverdiForOmloepsmiddel", "1920", Decimal("250000.00")),
    "6100": ("Egenkapital", "egenkapital", "2000", Decimal("-262500.00")),
    "7350": (
        "Leverandører af varer og tjenesteydelser",
        "kortsiktigGjeld",
        "2400",
        Decimal("-27500.00"),
    ),
    "7630": ("Salgsmoms", "kortsiktigGjeld", "2740", Decimal("0")),
    "7640": ("Købsmoms", "kortsiktigGjeld", "2740", Decimal("0")),
    "7650": ("Moms af varekøb i EU", "kortsiktigGjeld", "2740", Decimal("0")),
    "7660": ("Moms af ydelseskøb i EU", "kortsiktigGjeld", "2740", Decimal("0")),
}
TAX_CODES = {
    # code: (description, percentage, standard code)
    "U25": ("Salgsmoms 25 %", "25", "3"),
    "I25": ("Købsmoms 25 %", "25", "1"),
    "EUV": ("Salg af varer til EU (rubrik B varer)", "0", "52"),
    "EUY": ("Salg af ydelser til EU (rubrik B ydelser)", "0", "52"),
    "EXP": ("Eksport uden for EU (rubrik C)", "0", "52"),
    "IEUV": ("Køb af varer fra EU, omvendt betalingspligt (rubrik A varer)", "25", "81"),
    "IEUY": ("Køb af ydelser fra EU, omvendt betalingspligt (rubrik A ydelser)", "25", "86"),
}
CUSTOMERS = {
    "K1001": ("Nordisk Detail ApS", "DK", "11223344", Decimal("40000.00")),
    "K2001": ("Berliner Handels GmbH", "DE", "DE811223344", Decimal("0")),
    "K3001": ("Boston Supply Inc", "US", "", Decimal("0")),
}
SUPPLIERS = {
    "L1001": ("Jysk Engros A/S", "DK", "55667788", Decimal("-27500.00")),
    "L2001": ("Svenska Komponenter AB", "SE", "SE556677889901", Decimal("0")),
    "L2002": ("Dublin Cloud Services Ltd", "IE", "IE6388047V", Decimal("0")),
}


@dataclass(frozen=True, slots=True)
class _Line:
    account: str
    amount: Decimal  # debit positive
    text: str
    party: tuple[str, str] | None = None  # ("CustomerID" | "SupplierID", id)
    tax: tuple[str, Decimal, Decimal] | None = None  # code, base, tax (signed)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return (Decimal(rng.randint(low * 100, high * 100)) / 100).quantize(CENT)


def _vouchers(year: int, lines: int, seed: int) -> Iterator[tuple[str, date, str, list[_Line]]]:
    rng = random.Random(seed)
    written = n = 0
    day0 = date(year, 1, 1)
    kinds = ("sale", "purchase", "sale", "eu_goods", "eu_sale", "eu_service", "export", "payment")
    while written < lines:
        n += 1
        kind = kinds[n % len(kinds)]
        when = day0 + timedelta(days=(n * 7 // 5) % 365)
        net = _money(rng, 200, 40000)
        vat = (net * RATE).quantize(CENT)
        ref = f"{kind[:2].upper()}{n:07d}"
        if kind == "sale":
            body = [
                _Line("5600", net + vat, f"Faktura {ref}", ("CustomerID", "K1001")),
                _Line("1010", -net, f"Faktura {ref}", tax=("U25", -net, -vat)),
                _Line("7630", -vat, f"Salgsmoms {ref}"),
            ]
        elif kind == "purchase":
            body = [
                _Line("1610", net, f"Købsfaktura {ref}", tax=("I25", net, vat)),
                _Line("7640", vat, f"Købsmoms {ref}"),
                _Line("7350", -(net + vat), f"Købsfaktura {ref}", ("SupplierID", "L1001")),
            ]
        elif kind in ("eu_goods", "eu_service"):
            code, acc, vacc, sup = (
                ("IEUV", "1630", "7650", "L2001")
                if kind == "eu_goods"
                else ("IEUY", "1710", "7660", "L2002")
            )
            body = [
                _Line(acc, net, f"EU-køb {ref}", tax=(code, net, vat)),
                _Line("7350", -net, f"EU-køb {ref}", ("SupplierID", sup)),
                _Line("7640", vat, f"Købsmoms af EU-køb {ref}"),
                _Line(vacc, -vat, f"Moms af EU-køb {ref}"),
            ]
        elif kind in ("eu_sale", "export"):
            code, acc, cust = {
                "eu_sale": ("EUV", "1050", "K2001"),
                "export": ("EXP", "1100", "K3001"),
            }[kind]
            if kind == "eu_sale" and n % 2:
                code, acc = "EUY", "1150"
            body = [
                _Line("5600", net, f"Faktura {ref}", ("CustomerID", cust)),
                _Line(acc, -net, f"Faktura {ref}", tax=(code, -net, Decimal("0.00"))),
            ]
        else:
            body = [
                _Line("5820", net, f"Indbetaling {ref}"),
                _Line("5600", -net, f"Indbetaling {ref}", ("CustomerID", "K1001")),
            ]
        written += len(body)
        yield f"{n}", when, f"{kind.replace('_', ' ').capitalize()} {ref}", body


def vat_totals(
    *, lines: int = 200, year: int = 2025, seed: int = 1
) -> dict[str, tuple[Decimal, Decimal]]:
    """Per tax code, the (base, tax) sums written into the file, signed debit positive."""
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for _, _, _, body in _vouchers(year, lines, seed):
        for ln in body:
            if ln.tax:
                code, base, tax = ln.tax
                old_base, old_tax = out.get(code, (Decimal("0"), Decimal("0")))
                out[code] = (old_base + base, old_tax + tax)
    return out


def _amount(tag: str, value: Decimal) -> str:
    side = "Debit" if value >= 0 else "Credit"
    return f"<{side}{tag}><Amount>{abs(value):.2f}</Amount></{side}{tag}>"


def _balances(tag: str, opening: Decimal, closing: Decimal) -> str:
    def one(when: str, v: Decimal) -> str:
        return f"<{when}{'Debit' if v >= 0 else 'Credit'}{tag}>{abs(v):.2f}</{when}{'Debit' if v >= 0 else 'Credit'}{tag}>"

    return one("Opening", opening) + one("Closing", closing)


def write_saft(
    path: Path,
    *,
    lines: int = 200,
    year: int = 2025,
    seed: int = 1,
    danish: bool = False,
    company_id: str = "12345678",
    company_name: str = "Eksempel Handel ApS",
) -> Path:
    """Write a consistent SAF-T 1.30 file of about ``lines`` transaction lines."""
    moves: dict[str, Decimal] = {}
    party_moves: dict[str, Decimal] = {}
    total = Decimal("0")
    entries = 0
    for _, _, _, body in _vouchers(year, lines, seed):
        entries += 1
        for ln in body:
            moves[ln.account] = moves.get(ln.account, Decimal("0")) + ln.amount
            if ln.party:
                party_moves[ln.party[1]] = party_moves.get(ln.party[1], Decimal("0")) + ln.amount
            if ln.amount > 0:
                total += ln.amount
    ns = NS_DK if danish else NS_NO
    with path.open("w", encoding="utf-8", newline="\n") as out:
        w = out.write
        w(f'<?xml version="1.0" encoding="UTF-8"?>\n<AuditFile xmlns="{ns}">\n')
        w(
            "<Header><AuditFileVersion>1.30</AuditFileVersion><AuditFileCountry>DK</AuditFileCountry>"
            f"<AuditFileDateCreated>{year + 1}-01-15</AuditFileDateCreated>"
            "<SoftwareCompanyName>Gateway test data</SoftwareCompanyName><SoftwareID>saft_fixture</SoftwareID>"
            "<SoftwareVersion>1.0</SoftwareVersion><Company>"
            f"<RegistrationNumber>{company_id}</RegistrationNumber><Name>{escape(company_name)}</Name>"
            "<Address><StreetName>Vestergade</StreetName><Number>12</Number><City>Aarhus C</City>"
            "<PostalCode>8000</PostalCode><Country>DK</Country></Address>"
            "<Contact><ContactPerson><FirstName>Mette</FirstName><LastName>Jensen</LastName></ContactPerson></Contact>"
            f"<TaxRegistration><TaxRegistrationNumber>DK{company_id}</TaxRegistrationNumber></TaxRegistration>"
            "</Company><DefaultCurrencyCode>DKK</DefaultCurrencyCode><SelectionCriteria>"
            f"<PeriodStart>1</PeriodStart><PeriodStartYear>{year}</PeriodStartYear>"
            f"<PeriodEnd>12</PeriodEnd><PeriodEndYear>{year}</PeriodEndYear></SelectionCriteria>"
            "<TaxAccountingBasis>A</TaxAccountingBasis></Header>\n<MasterFiles><GeneralLedgerAccounts>\n"
        )
        for acc, (name, cat, code, opening) in ACCOUNTS.items():
            w(
                f"<Account><AccountID>{acc}</AccountID><AccountDescription>{escape(name)}</AccountDescription>"
                f"<GroupingCategory>{cat}</GroupingCategory><GroupingCode>{code}</GroupingCode>"
                f"<AccountType>GL</AccountType>"
                f"{_balances('Balance', opening, opening + moves.get(acc, Decimal('0')))}</Account>\n"
            )
        w("</GeneralLedgerAccounts><Customers>\n")
        for kind, parties, account in (
            ("Customer", CUSTOMERS, "5600"),
            ("Supplier", SUPPLIERS, "7350"),
        ):
            if kind == "Supplier":
                w("</Customers><Suppliers>\n")
            for pid, (name, country, reg, opening) in parties.items():
                reg_xml = f"<RegistrationNumber>{reg}</RegistrationNumber>" if reg else ""
                w(
                    f"<{kind}>{reg_xml}<Name>{escape(name)}</Name><Address><City>-</City>"
                    f"<Country>{country}</Country></Address><{kind}ID>{pid}</{kind}ID>"
                    f"<BalanceAccount><AccountID>{account}</AccountID>"
                    f"{_balances('Balance', opening, opening + party_moves.get(pid, Decimal('0')))}"
                    f"</BalanceAccount></{kind}>\n"
                )
        tax_text = "Moms" if danish else "Merverdiavgift"  # the NO XSD allows only this word
        w(
            f"</Suppliers><TaxTable><TaxTableEntry><TaxType>MVA</TaxType><Description>{tax_text}</Description>\n"
        )
        for code, (text, pct, std) in TAX_CODES.items():
            w(
                f"<TaxCodeDetails><TaxCode>{code}</TaxCode><Description>{escape(text)}</Description>"
                f"<TaxPercentage>{pct}</TaxPercentage><Country>DK</Country>"
                f"<StandardTaxCode>{std}</StandardTaxCode><BaseRate>100</BaseRate></TaxCodeDetails>\n"
            )
        w("</TaxTableEntry></TaxTable></MasterFiles>\n<GeneralLedgerEntries>")
        w(
            f"<NumberOfEntries>{entries}</NumberOfEntries><TotalDebit>{total:.2f}</TotalDebit>"
            f"<TotalCredit>{total:.2f}</TotalCredit>\n"
            "<Journal><JournalID>GL</JournalID><Description>Finansjournal</Description><Type>GL</Type>\n"
        )
        for tid, when, text, body in _vouchers(year, lines, seed):
            parts = [
                f"<Transaction><TransactionID>{tid}</TransactionID><Period>{when.month}</Period>"
                f"<PeriodYear>{when.year}</PeriodYear><TransactionDate>{when.isoformat()}</TransactionDate>"
                f"<Description>{escape(text)}</Description><SystemEntryDate>{when.isoformat()}</SystemEntryDate>"
                f"<GLPostingDate>{when.isoformat()}</GLPostingDate>\n"
            ]
            for i, ln in enumerate(body, start=1):
                party = f"<{ln.party[0]}>{ln.party[1]}</{ln.party[0]}>" if ln.party else ""
                tax = ""
                if ln.tax:
                    code, base, amount = ln.tax
                    tax = (
                        f"<TaxInformation><TaxType>MVA</TaxType><TaxCode>{code}</TaxCode>"
                        f"<TaxPercentage>{TAX_CODES[code][1]}</TaxPercentage><Country>DK</Country>"
                        f"<TaxBase>{abs(base):.2f}</TaxBase>{_amount('TaxAmount', amount if amount else base * 0)}"
                        "</TaxInformation>"
                    )
                parts.append(
                    f"<Line><RecordID>{i}</RecordID><AccountID>{ln.account}</AccountID>{party}"
                    f"<Description>{escape(ln.text)}</Description>{_amount('Amount', ln.amount)}{tax}</Line>\n"
                )
            parts.append("</Transaction>\n")
            w("".join(parts))
        w("</Journal></GeneralLedgerEntries>\n</AuditFile>\n")
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    write_saft(target, lines=count)
    print(target)
