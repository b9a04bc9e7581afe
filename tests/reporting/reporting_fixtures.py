"""Ledgers built in code for the reporting tests (helpers shared by the test modules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from adapters.ledger import (
    Account,
    AccountType,
    Header,
    Journal,
    Ledger,
    LedgerBuilder,
    Line,
    Party,
    PartyKind,
    Record,
    TaxCode,
    Transaction,
)

D = Decimal


def ln(
    account: str,
    amount: str,
    *,
    code: str | None = None,
    base: str | None = None,
    tax: str | None = None,
    party: str | None = None,
    text: str = "",
) -> Line:
    """A ledger line; the record id is filled in by :func:`tx`."""
    return Line(
        record_id="",
        account_id=account,
        amount=D(amount),
        description=text,
        tax_code=code,
        tax_base=D(base) if base is not None else None,
        tax_amount=D(tax) if tax is not None else None,
        party_id=party,
    )


def tx(tid: str, journal: str, day: date, *lines: Line, text: str = "") -> Transaction:
    numbered = tuple(
        Line(
            record_id=f"{tid}-{i}",
            account_id=x.account_id,
            amount=x.amount,
            description=x.description or text,
            tax_code=x.tax_code,
            tax_base=x.tax_base,
            tax_amount=x.tax_amount,
            party_id=x.party_id,
        )
        for i, x in enumerate(lines, 1)
    )
    return Transaction(
        transaction_id=tid, journal_id=journal, date=day, lines=numbered, description=text
    )


ACCOUNTS = [
    # id, name, type, SAF-T standard account (NO 2/4-char codes where one fits)
    ("1010", "Salg af varer, Danmark", AccountType.INCOME, "3000"),
    ("1020", "Salg af varer, EU", AccountType.INCOME, "3100"),
    ("1030", "Salg af ydelser, EU", AccountType.INCOME, "3100"),
    ("1040", "Eksportsalg", AccountType.INCOME, "3100"),
    ("2010", "Varekøb", AccountType.EXPENSE, "4000"),
    ("2020", "Varekøb EU", AccountType.EXPENSE, "4000"),
    ("2030", "Ydelseskøb EU", AccountType.EXPENSE, "6700"),
    ("3010", "Lønninger", AccountType.EXPENSE, "5000"),
    ("3020", "El", AccountType.EXPENSE, "6340"),
    ("4010", "Afskrivninger", AccountType.EXPENSE, "6000"),
    ("5010", "Renteudgifter", AccountType.EXPENSE, "8150"),
    ("5020", "Renteindtægter", AccountType.INCOME, "8050"),
    ("5500", "Selskabsskat", AccountType.EXPENSE, "8300"),
    ("6010", "Inventar", AccountType.ASSET, "1250"),
    ("6100", "Debitorer", AccountType.ASSET, "1500"),
    ("6200", "Bank", AccountType.ASSET, "1920"),
    ("7000", "Selskabskapital", AccountType.EQUITY, "2000"),
    ("7010", "Overført resultat", AccountType.EQUITY, "2050"),
    ("8010", "Kreditorer", AccountType.LIABILITY, "2400"),
    ("8020", "Salgsmoms", AccountType.LIABILITY, "2700"),
    ("8030", "Købsmoms", AccountType.LIABILITY, "2710"),
    ("8040", "Moms af EU-køb", AccountType.LIABILITY, "2700"),
    ("8050", "Elafgift tilgode", AccountType.LIABILITY, "2740"),
    ("8060", "Skyldig selskabsskat", AccountType.LIABILITY, "2500"),
]

OPENING = {"6010": "40000", "6200": "110000", "7000": "-40000", "7010": "-110000"}


def header(**over: object) -> Header:
    values: dict[str, object] = {
        "company_id": "12345678",
        "company_name": "Testfirma ApS",
        "currency": "DKK",
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
        "source_format": "test",
        "vat_number": "DK12345678",
        "country": "DK",
    }
    values.update(over)
    return Header(**values)  # type: ignore[arg-type]


def sample_records() -> list[Record]:
    """A year of a small Danish company: domestic, EU and export trade, wages, duties."""
    q3a, q3b, q3c = date(2026, 7, 3), date(2026, 8, 14), date(2026, 9, 30)
    recs: list[Record] = [header()]
    recs += [
        Account(i, n, t, standard_account=s, opening_balance=D(OPENING.get(i, "0")))
        for i, n, t, s in ACCOUNTS
    ]
    recs += [
        Party(
            "K1",
            PartyKind.CUSTOMER,
            "Kunde A/S",
            registration_number="87654321",
            vat_number="DK87654321",
            country="DK",
        ),
        Party("K2", PartyKind.CUSTOMER, "Kunde GmbH", vat_number="DE123456789", country="DE"),
        Party(
            "L1",
            PartyKind.SUPPLIER,
            "Leverandør ApS",
            registration_number="11223344",
            vat_number="DK11223344",
            country="DK",
        ),
        Party("L2", PartyKind.SUPPLIER, "Lieferant GmbH", vat_number="DE987654321", country="DE"),
    ]
    recs += [
        TaxCode("U25", "Salgsmoms 25 %", D("25"), standard_code="3", country="DK"),
        TaxCode("I25", "Købsmoms 25 %", D("25"), standard_code="1", country="DK"),
        TaxCode("EUV", "EU-varekøb", D("25"), standard_code="81", country="DK"),
        TaxCode("EUY", "EU-ydelseskøb", D("25"), standard_code="86", country="DK"),
        TaxCode("EUSV", "EU-varesalg", D("0"), standard_code="52", country="DK"),
        TaxCode("EUSY", "EU-ydelsessalg", D("0"), standard_code="52", country="DK"),
        TaxCode("EKS", "Eksport", D("0"), standard_code="52", country="DK"),
        TaxCode("ELAFG", "Elafgift", None, country="DK"),
    ]
    recs += [
        Journal("SALG", "Salg", "sales"),
        Journal("KOEB", "Køb", "purchases"),
        Journal("BANK", "Bank", "bank"),
        Journal("DIV", "Diverse", "general"),
    ]
    recs += [
        # Q2: outside the Q3 return
        tx(
            "S0",
            "SALG",
            date(2026, 5, 2),
            ln("6100", "500", party="K1"),
            ln("1010", "-400", code="U25", base="-400", tax="-100"),
            ln("8020", "-100"),
        ),
        # Q3 domestic sale with øre: 1000.60 net, 250.15 VAT
        tx(
            "S1",
            "SALG",
            q3a,
            ln("6100", "1250.75", party="K1"),
            ln("1010", "-1000.60", code="U25", base="-1000.60", tax="-250.15"),
            ln("8020", "-250.15"),
        ),
        tx(
            "S2",
            "SALG",
            q3b,
            ln("6100", "2500", party="K1"),
            ln("1010", "-2000", code="U25", base="-2000", tax="-500"),
            ln("8020", "-500"),
        ),
        # credit note on S2 (reduces sales VAT)
        tx(
            "S3",
            "SALG",
            q3b,
            ln("6100", "-250", party="K1"),
            ln("1010", "200", code="U25", base="200", tax="50"),
            ln("8020", "50"),
        ),
        # EU sales of goods and services, export
        tx(
            "S4",
            "SALG",
            q3b,
            ln("6100", "3000", party="K2"),
            ln("1020", "-3000", code="EUSV", base="-3000"),
        ),
        tx(
            "S5",
            "SALG",
            q3c,
            ln("6100", "1500", party="K2"),
            ln("1030", "-1500", code="EUSY", base="-1500"),
        ),
        tx("S6", "SALG", q3c, ln("6200", "700"), ln("1040", "-700", code="EKS", base="-700")),
        # domestic purchase
        tx(
            "P1",
            "KOEB",
            q3a,
            ln("2010", "800", code="I25", base="800", tax="200"),
            ln("8030", "200"),
            ln("8010", "-1000", party="L1"),
        ),
        # EU goods purchase, reverse charge stated on the line
        tx(
            "P2",
            "KOEB",
            q3b,
            ln("2020", "1200", code="EUV", base="1200", tax="300", party="L2"),
            ln("8030", "300"),
            ln("8040", "-300"),
            ln("8010", "-1200", party="L2"),
        ),
        # EU services purchase, reverse charge derived from the rate
        tx(
            "P3",
            "KOEB",
            q3c,
            ln("2030", "400", code="EUY", base="400", party="L2"),
            ln("8030", "100"),
            ln("8040", "-100"),
            ln("8010", "-400", party="L2"),
        ),
        # electricity with reclaimable duty
        tx(
            "P4",
            "KOEB",
            q3c,
            ln("3020", "600", code="I25", base="600", tax="150"),
            ln("8030", "150"),
            ln("8050", "80.90", code="ELAFG"),
            ln("3020", "-80.90"),
            ln("8010", "-750", party="L1"),
        ),
        # wages, depreciation, interest, tax: no VAT
        tx("B1", "BANK", q3c, ln("3010", "2000"), ln("6200", "-2000")),
        tx("D1", "DIV", date(2026, 12, 31), ln("4010", "4000"), ln("6010", "-4000")),
        tx("B2", "BANK", date(2026, 12, 31), ln("5010", "150"), ln("6200", "-150")),
        tx("B3", "BANK", date(2026, 12, 31), ln("6200", "30"), ln("5020", "-30")),
        tx("T1", "DIV", date(2026, 12, 31), ln("5500", "100"), ln("8060", "-100")),
    ]
    return recs


def build(records: list[Record]) -> Ledger:
    return LedgerBuilder().extend(records).build()
