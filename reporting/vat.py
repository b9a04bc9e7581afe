"""The Danish VAT return (momsangivelse) computed from a ledger's tax codes.

Rules, in the order they apply:

* Only transactions dated inside the period count. The period must overlap the
  ledger's own period; when the ledger covers only part of it (a CSV export's
  period runs from its first to its last posting), ``ledger_covers_period`` is
  false so the caller can ask before filing. The ledger must be kept in DKK.
* A line's rule is found by its ``tax_code`` in the table's ``[codes]``, else by
  the ledger's ``TaxCode.standard_code`` for that code in ``[standard_codes]``
  (then in ``[codes]``); lines on accounts listed in ``[accounts]`` feed their
  field too. The tax code belongs on the line carrying the net amount, as in
  SAF-T; VAT-account lines without a code are not read.
* Each field is summed exactly, then brought to whole DKK, as the agency takes
  whole kroner only (``xs:integer`` in its schema; skat.dk: "beløb i hele
  kroner"). The agency names no rounding method; by default we drop the øre
  (truncate toward zero), so no field ever exceeds what the books show; pass
  ``rounding=ROUND_HALF_UP`` for commercial rounding.
* ``AfgiftTilsvar`` is computed from the whole-krone fields, as the agency's
  form does: output VAT plus VAT on purchases abroad, minus deductible VAT and
  reclaimed duties. Positive means the company pays.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from adapters.ledger import Ledger, Line
from reporting.errors import InvalidPeriod, ReportBuildError, UnmappedTaxCode
from reporting.periods import Period, parse_period
from reporting.vat_table import (
    DUTY_FIELDS,
    FIELDS,
    INPUT_FIELDS,
    OUTPUT_FIELDS,
    SIDE,
    VatCodeTable,
    VatRule,
    load_vat_table,
)

__all__ = [
    "FIELD_ATTRIBUTES",
    "BreakdownEntry",
    "LedgerRef",
    "VatReturn",
    "compute_vat_return",
]

ZERO = Decimal("0")
ONE = Decimal("1")

# Agency field name -> attribute of VatReturn.
FIELD_ATTRIBUTES: dict[str, str] = {
    "SalgsMoms": "salgs_moms",
    "KoebsMoms": "koebs_moms",
    "MomsEUKoeb": "moms_eu_koeb",
    "MomsEUYdelser": "moms_eu_ydelser",
    "EUKoeb": "eu_koeb",
    "EUKoebYdelse": "eu_koeb_ydelse",
    "EUSalgBeloebVarer": "eu_salg_varer",
    "IkkeEUSalgBeloebVarer": "ikke_eu_salg_varer",
    "EUSalgYdelse": "eu_salg_ydelse",
    "EksportOmsaetning": "eksport_omsaetning",
    "OlieAfgift": "olie_afgift",
    "ElAfgift": "el_afgift",
    "GasAfgift": "gas_afgift",
    "KulAfgift": "kul_afgift",
    "CO2Afgift": "co2_afgift",
    "VandAfgift": "vand_afgift",
}
assert set(FIELD_ATTRIBUTES) == set(FIELDS)


@dataclass(frozen=True, slots=True)
class LedgerRef:
    """Which ledger a return was computed from."""

    company_id: str
    company_name: str
    source_format: str
    period_start: date
    period_end: date
    ledger_id: str | None = None  # the caller's handle: stored blob hash, database id


@dataclass(frozen=True, slots=True)
class BreakdownEntry:
    """How much one code (or account) fed one field, before rounding."""

    field: str
    code: str  # the line's tax code, or "account:<id>" for account rules
    rule: str  # the table entry that applied, e.g. "codes.U25" or "standard_codes.3"
    source: str  # tax | base | reverse_charge | amount
    amount: Decimal
    lines: int


@dataclass(frozen=True, slots=True)
class VatReturn:
    """A Danish VAT return in whole DKK, with where each figure came from."""

    period: Period
    ledger: LedgerRef
    salgs_moms: int = 0
    koebs_moms: int = 0
    moms_eu_koeb: int = 0
    moms_eu_ydelser: int = 0
    eu_koeb: int = 0
    eu_koeb_ydelse: int = 0
    eu_salg_varer: int = 0
    ikke_eu_salg_varer: int = 0
    eu_salg_ydelse: int = 0
    eksport_omsaetning: int = 0
    olie_afgift: int = 0
    el_afgift: int = 0
    gas_afgift: int = 0
    kul_afgift: int = 0
    co2_afgift: int = 0
    vand_afgift: int = 0
    afgift_tilsvar: int = 0
    breakdown: tuple[BreakdownEntry, ...] = ()
    unmapped: tuple[str, ...] = ()  # codes seen in the period that no rule covers
    rounding: str = ROUND_DOWN
    exact: tuple[tuple[str, Decimal], ...] = field(default=())  # field sums before rounding
    ledger_covers_period: bool = True

    @property
    def amounts(self) -> dict[str, int]:
        """Every field by the agency's name, ``AfgiftTilsvar`` included."""
        out = {name: getattr(self, attr) for name, attr in FIELD_ATTRIBUTES.items()}
        out["AfgiftTilsvar"] = self.afgift_tilsvar
        return out

    def explain(self, field_name: str) -> list[BreakdownEntry]:
        """The breakdown entries that fed one field."""
        return [e for e in self.breakdown if e.field == field_name]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (Decimals as strings, dates ISO)."""
        ref = self.ledger
        return {
            "period": {
                "label": self.period.label,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "ledger": {
                "company_id": ref.company_id,
                "company_name": ref.company_name,
                "source_format": ref.source_format,
                "period_start": ref.period_start.isoformat(),
                "period_end": ref.period_end.isoformat(),
                "ledger_id": ref.ledger_id,
            },
            "amounts": self.amounts,
            "exact": {name: str(value) for name, value in self.exact},
            "rounding": self.rounding,
            "ledger_covers_period": self.ledger_covers_period,
            "unmapped": list(self.unmapped),
            "breakdown": [
                {
                    "field": e.field,
                    "code": e.code,
                    "rule": e.rule,
                    "source": e.source,
                    "amount": str(e.amount),
                    "lines": e.lines,
                }
                for e in self.breakdown
            ],
        }


def _rule_for(ledger: Ledger, table: VatCodeTable, code: str) -> tuple[str, VatRule] | None:
    if code in table.codes:
        return f"codes.{code}", table.codes[code]
    declared = ledger.tax_codes.get(code)
    standard = declared.standard_code if declared is not None else None
    if standard:
        if standard in table.standard_codes:
            return f"standard_codes.{standard}", table.standard_codes[standard]
        if standard in table.codes:
            return f"codes.{standard}", table.codes[standard]
    return None


def _sign(value: Decimal) -> Decimal:
    return -ONE if value < 0 else ONE


def _contributions(line: Line, rule: VatRule) -> list[tuple[str, str, Decimal]]:
    base = line.tax_base if line.tax_base is not None else line.amount
    out: list[tuple[str, str, Decimal]] = []
    if line.tax_amount is not None:
        out += [(f, "tax", line.tax_amount * SIDE[f]) for f in rule.tax]
    out += [(f, "base", base * SIDE[f]) for f in rule.base]
    out += [(f, "amount", line.amount * SIDE[f]) for f in rule.amount]
    if rule.reverse_charge:
        # Reverse-charge VAT counts like the purchase: positive for a purchase,
        # negative for a credit note, whichever side the source booked it on.
        if line.tax_amount:
            vat = abs(line.tax_amount) * _sign(base)
        elif rule.rate is not None:
            vat = base * rule.rate / 100
        else:
            vat = ZERO
        out += [(f, "reverse_charge", vat) for f in rule.reverse_charge]
    return out


def _whole(value: Decimal, rounding: str) -> int:
    return int(value.quantize(ONE, rounding=rounding))


def compute_vat_return(
    ledger: Ledger,
    *,
    period: str | Period,
    table: VatCodeTable | None = None,
    rounding: str = ROUND_DOWN,
    strict: bool = True,
    ledger_id: str | None = None,
) -> VatReturn:
    """Compute the VAT return for ``period`` (``2026-07``, ``2026-Q3``, ``2026-H1``)."""
    span = parse_period(period) if isinstance(period, str) else period
    head = ledger.header
    if head.currency.upper() != "DKK":
        raise ReportBuildError(
            f"the Danish VAT return needs a ledger in DKK; this one is in {head.currency}"
        )
    if span.kind == "year":
        raise InvalidPeriod(
            f"a VAT period is a month, a quarter or a half-year, not {span.label}",
            period=span.label,
        )
    if span.end < head.period_start or span.start > head.period_end:
        raise ReportBuildError(
            f"period {span.label} ({span.start}..{span.end}) lies outside the ledger's "
            f"period {head.period_start}..{head.period_end}",
            period=span.label,
        )
    rules = table if table is not None else load_vat_table()
    sums: dict[tuple[str, str, str, str], Decimal] = defaultdict(lambda: ZERO)
    counts: dict[tuple[str, str, str, str], int] = defaultdict(int)
    unmapped: set[str] = set()
    for tx in ledger.transactions:
        if tx.date not in span:
            continue
        for line in tx.lines:
            found: list[tuple[str, str, VatRule]] = []
            if line.tax_code:
                hit = _rule_for(ledger, rules, line.tax_code)
                if hit is None:
                    unmapped.add(line.tax_code)
                else:
                    found.append((line.tax_code, *hit))
            if line.account_id in rules.accounts:
                acc = rules.accounts[line.account_id]
                found.append((f"account:{line.account_id}", f"accounts.{line.account_id}", acc))
            for code, rule_name, rule in found:
                for fld, source, value in _contributions(line, rule):
                    key = (fld, code, rule_name, source)
                    sums[key] += value
                    counts[key] += 1
    if unmapped and strict:
        raise UnmappedTaxCode(
            "tax codes without a rule in the VAT-code table: " + ", ".join(sorted(unmapped)),
            codes=sorted(unmapped),
        )
    exact: dict[str, Decimal] = dict.fromkeys(FIELDS, ZERO)
    for (fld, _, _, _), value in sums.items():
        exact[fld] += value
    whole = {fld: _whole(value, rounding) for fld, value in exact.items()}
    tilsvar = sum(whole[f] for f in OUTPUT_FIELDS) - sum(
        whole[f] for f in INPUT_FIELDS + DUTY_FIELDS
    )
    order = {name: i for i, name in enumerate(FIELDS)}
    breakdown = tuple(
        BreakdownEntry(
            field=k[0], code=k[1], rule=k[2], source=k[3], amount=sums[k], lines=counts[k]
        )
        for k in sorted(sums, key=lambda k: (order[k[0]], k[1], k[3]))
    )
    return VatReturn(
        period=span,
        ledger=LedgerRef(
            company_id=head.company_id,
            company_name=head.company_name,
            source_format=head.source_format,
            period_start=head.period_start,
            period_end=head.period_end,
            ledger_id=ledger_id,
        ),
        afgift_tilsvar=tilsvar,
        breakdown=breakdown,
        unmapped=tuple(sorted(unmapped)),
        rounding=rounding,
        exact=tuple((f, exact[f]) for f in FIELDS),
        ledger_covers_period=head.period_start <= span.start and span.end <= head.period_end,
        **{FIELD_ATTRIBUTES[f]: whole[f] for f in FIELDS},
    )
