"""Income statement and balance sheet figures from a trial balance, consistent by construction.

Each account's balance goes to the line concept its mapping names, on that
concept's side (credit lines show credits as positive). Lines are rounded to
the reported precision first; every total is then the sum of its rounded
parts, so a reader adding up the report always gets the printed total.

The year's result not yet closed into equity (the balance of the income
statement's accounts and of closing accounts) is added to the equity line the
mapping names (``profit_to``). Left-over rounding, at most half a unit per
line, goes there too, so assets equal liabilities and equity exactly; a larger
difference means the trial balance itself does not balance, and is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from adapters.ledger import Account, Ledger
from reporting.errors import ReportBuildError
from reporting.xbrl.mapping import CLOSING, Statement, XbrlMapping

__all__ = ["AnnualFigures", "StatementFigures", "compute_figures"]

ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class StatementFigures:
    """Every concept of one statement with its value, in presentation order."""

    values: Mapping[str, Decimal]
    sources: Mapping[str, tuple[str, ...]]  # line concept -> account ids


@dataclass(frozen=True, slots=True)
class AnnualFigures:
    income: StatementFigures
    balance: StatementFigures
    opening_balance: StatementFigures | None  # comparatives from opening balances
    rounding_difference: Decimal  # absorbed into profit_to at the closing date
    unmapped: tuple[str, ...] = ()  # accounts without a rule and with a zero balance


def _side(statement: Statement, qname: str) -> int:
    return 1 if statement.concepts[qname].balance == "debit" else -1


def _totals(statement: Statement, lines: dict[str, Decimal]) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}

    def value(q: str) -> Decimal:
        if q not in values:
            c = statement.concepts[q]
            if c.is_total:
                values[q] = sum((sign * value(p) for sign, p in c.parts), ZERO)
            else:
                values[q] = lines.get(q, ZERO)
        return values[q]

    for q in statement.concepts:
        value(q)
    return {q: values[q] for q in statement.concepts}


def _statement_of(mapping: XbrlMapping, concept: str) -> str:
    if concept == CLOSING:
        return "closing"
    return "income" if concept in mapping.income.concepts else "balance"


def _place(
    balances: Mapping[str, Decimal],
    targets: Mapping[str, str],
    mapping: XbrlMapping,
    unit: Decimal,
    with_income: bool,
) -> tuple[dict[str, Decimal], dict[str, Decimal], Decimal, dict[str, list[str]]]:
    exact_income: dict[str, Decimal] = {}
    exact_balance: dict[str, Decimal] = {}
    sources: dict[str, list[str]] = {}
    unclosed = ZERO
    for account_id, amount in balances.items():
        concept = targets[account_id]
        kind = _statement_of(mapping, concept)
        if kind != "balance":
            unclosed -= amount  # income-statement and closing accounts: the result, credit side
        if kind == "closing":
            continue
        statement = mapping.income if kind == "income" else mapping.balance
        into = exact_income if kind == "income" else exact_balance
        if kind == "income" and not with_income:
            continue
        into[concept] = into.get(concept, ZERO) + amount * _side(statement, concept)
        sources.setdefault(concept, []).append(account_id)
    exact_balance[mapping.profit_to] = exact_balance.get(mapping.profit_to, ZERO) + unclosed
    rounded_income = {q: v.quantize(unit, ROUND_HALF_UP) for q, v in exact_income.items()}
    rounded_balance = {q: v.quantize(unit, ROUND_HALF_UP) for q, v in exact_balance.items()}
    return rounded_income, rounded_balance, unclosed, sources


def _balanced(
    lines: dict[str, Decimal], mapping: XbrlMapping, unit: Decimal, when: str
) -> tuple[dict[str, Decimal], Decimal]:
    values = _totals(mapping.balance, lines)
    diff = values[mapping.assets] - values[mapping.liabilities_and_equity]
    if abs(diff) > unit * max(len(lines), 1) / 2:
        raise ReportBuildError(
            f"the {when} balance sheet does not balance: assets {values[mapping.assets]}, "
            f"liabilities and equity {values[mapping.liabilities_and_equity]}",
            difference=str(diff),
        )
    if diff:
        # Rounding left-over: the equity line takes it (see the module docstring).
        lines = {**lines, mapping.profit_to: lines.get(mapping.profit_to, ZERO) + diff}
        values = _totals(mapping.balance, lines)
    return values, diff


def compute_figures(
    ledger: Ledger,
    mapping: XbrlMapping,
    *,
    decimals: int = 0,
    comparatives: bool = True,
    trial_balance: Mapping[str, Decimal] | None = None,
) -> AnnualFigures:
    """Both statements (and the opening balance sheet) from the ledger's trial balance.

    ``trial_balance`` (closing balance per account, debit positive) replaces the
    one computed from the ledger's transactions, so a caller holding balances
    (a database aggregate) passes a ledger with header and accounts only.
    """
    unit = Decimal(1).scaleb(-decimals)
    closing = dict(trial_balance) if trial_balance is not None else ledger.trial_balance()
    targets: dict[str, str] = {}
    unmapped_zero: list[str] = []
    unmapped: list[str] = []
    for account_id, amount in closing.items():
        account = ledger.accounts.get(account_id) or Account(account_id, account_id)
        concept = mapping.concept_for(account)
        opening = account.opening_balance
        if concept is None:
            (unmapped if amount or opening else unmapped_zero).append(account_id)
            continue
        targets[account_id] = concept
    if unmapped:
        raise ReportBuildError(
            "accounts with a balance but no concept in the mapping: " + ", ".join(unmapped),
            accounts=unmapped,
        )
    kept = {a: v for a, v in closing.items() if a in targets}
    income_lines, balance_lines, _, sources = _place(kept, targets, mapping, unit, True)
    balance_values, diff = _balanced(balance_lines, mapping, unit, "closing")
    srcs = {q: tuple(v) for q, v in sources.items()}
    opening_figures: StatementFigures | None = None
    openings = {a: ledger.accounts[a].opening_balance for a in kept if a in ledger.accounts}
    if comparatives and any(openings.values()):
        _, opening_lines, _, _ = _place(openings, targets, mapping, unit, False)
        opening_values, _ = _balanced(opening_lines, mapping, unit, "opening")
        opening_figures = StatementFigures(opening_values, {})
    return AnnualFigures(
        income=StatementFigures(_totals(mapping.income, income_lines), srcs),
        balance=StatementFigures(balance_values, srcs),
        opening_balance=opening_figures,
        rounding_difference=diff,
        unmapped=tuple(unmapped_zero),
    )
