"""The taxonomy mapping: entry point, statements and account-to-concept rules, as data.

One TOML file per taxonomy (layout in ``dk_fsa_2017.toml``). A newer taxonomy
package is used by writing a new file; the code reads whatever it names.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.ledger import Account, AccountType
from reporting.errors import MappingError

__all__ = [
    "CLOSING",
    "Concept",
    "Statement",
    "XbrlMapping",
    "load_xbrl_mapping",
    "parse_xbrl_mapping",
]

CLOSING = "closing"
_HERE = Path(__file__).resolve().parent
DEFAULT_MAPPING = _HERE / "dk_fsa_2017.toml"


@dataclass(frozen=True, slots=True)
class Concept:
    """A statement concept: ``prefix:Name``, its balance side and, for a total, its parts."""

    qname: str
    balance: str  # debit | credit
    parts: tuple[tuple[int, str], ...] = ()  # (+1 | -1, qname)

    @property
    def is_total(self) -> bool:
        return bool(self.parts)


@dataclass(frozen=True, slots=True)
class Statement:
    concepts: Mapping[str, Concept]  # presentation order

    def leaves(self) -> list[str]:
        return [q for q, c in self.concepts.items() if not c.is_total]


@dataclass(frozen=True, slots=True)
class XbrlMapping:
    """Everything the builder needs to know about one taxonomy."""

    name: str
    package: str  # the taxonomy package, relative to the artefact directory
    entry_point: str
    identifier_scheme: str
    namespaces: Mapping[str, str]
    general: Mapping[str, str]  # company-info item -> concept
    general_values: Mapping[str, str]  # fixed values, e.g. report_type
    income: Statement
    income_root: str
    balance: Statement
    assets: str
    liabilities_and_equity: str
    profit_to: str
    accounts: Mapping[str, str] = field(default_factory=dict)
    # Arelle's filing rules that fit this taxonomy (its validate/DBA plugin), if any.
    disclosure_system: str | None = None
    standard_accounts: Mapping[str, str] = field(default_factory=dict)
    account_types: Mapping[AccountType, str] = field(default_factory=dict)
    ignore_grouping_categories: frozenset[str] = frozenset()

    def concept_for(self, account: Account) -> str | None:
        """The line concept (or ``closing``) an account maps to; None when no rule applies."""
        if account.account_id in self.accounts:
            return self.accounts[account.account_id]
        codes = [account.standard_account]
        if account.grouping_category not in self.ignore_grouping_categories:
            codes.append(account.grouping_code)
        for code in codes:
            if not code:
                continue
            if code in self.standard_accounts:
                return self.standard_accounts[code]
            if code[:2] in self.standard_accounts:
                return self.standard_accounts[code[:2]]
        return self.account_types.get(account.type)

    def with_accounts(self, accounts: Mapping[str, str]) -> XbrlMapping:
        """This mapping with a company's own account rules added (they win)."""
        data = {f: getattr(self, f) for f in self.__dataclass_fields__}
        data["accounts"] = {**self.accounts, **accounts}
        mapping = XbrlMapping(**data)
        _check_targets(mapping)
        return mapping


def _statement(raw: Any, where: str, prefixes: Mapping[str, str]) -> tuple[Statement, dict]:
    if not isinstance(raw, dict) or not isinstance(raw.get("concepts"), dict):
        raise MappingError(f"[{where}] needs a concepts table")
    concepts: dict[str, Concept] = {}
    for qname, spec in raw["concepts"].items():
        prefix = qname.partition(":")[0]
        if prefix not in prefixes:
            raise MappingError(f"[{where}] {qname}: prefix {prefix!r} has no namespace")
        if not isinstance(spec, dict) or spec.get("balance") not in ("debit", "credit"):
            raise MappingError(f"[{where}] {qname}: balance must be debit or credit")
        parts = []
        for part in spec.get("parts", []):
            if not isinstance(part, str) or part[:1] not in "+-" or len(part) < 2:
                raise MappingError(f"[{where}] {qname}: part {part!r} must start with + or -")
            parts.append((1 if part[0] == "+" else -1, part[1:]))
        concepts[qname] = Concept(qname, spec["balance"], tuple(parts))
    for concept in concepts.values():
        for _, part in concept.parts:
            if part not in concepts:
                raise MappingError(f"[{where}] {concept.qname}: part {part} is not defined")
    _no_cycles(concepts, where)
    return Statement(concepts), raw


def _no_cycles(concepts: Mapping[str, Concept], where: str) -> None:
    state: dict[str, int] = {}

    def visit(q: str) -> None:
        if state.get(q) == 1:
            raise MappingError(f"[{where}] totals refer to each other in a cycle at {q}")
        if state.get(q) == 2:
            return
        state[q] = 1
        for _, part in concepts[q].parts:
            visit(part)
        state[q] = 2

    for q in concepts:
        visit(q)


def _check_targets(m: XbrlMapping) -> None:
    leaves = set(m.income.leaves()) | set(m.balance.leaves()) | {CLOSING}
    rules: list[tuple[str, str]] = [
        *(("accounts", t) for t in m.accounts.values()),
        *(("standard_accounts", t) for t in m.standard_accounts.values()),
        *(("account_types", t) for t in m.account_types.values()),
    ]
    wrong = sorted({f"{where}: {t}" for where, t in rules if t not in leaves})
    if wrong:
        raise MappingError(
            "mapping targets must be line concepts of a statement: " + "; ".join(wrong)
        )


def _required(table: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise MappingError(f"[{where}] needs {key}")
    return table[key]


def parse_xbrl_mapping(data: Mapping[str, Any]) -> XbrlMapping:
    """Build a mapping from parsed TOML, checking that every reference resolves."""
    tax = _required(data, "taxonomy", "top")
    namespaces = dict(_required(tax, "namespaces", "taxonomy"))
    income, income_raw = _statement(
        _required(data, "income_statement", "top"), "income_statement", namespaces
    )
    balance, balance_raw = _statement(
        _required(data, "balance_sheet", "top"), "balance_sheet", namespaces
    )
    general = dict(data.get("general", {}))
    values = general.pop("values", {})
    for item, qname in general.items():
        if qname.partition(":")[0] not in namespaces:
            raise MappingError(f"[general] {item}: {qname} has no namespace")
    raw_map = data.get("mapping", {})
    try:
        types = {AccountType(k): v for k, v in raw_map.get("account_types", {}).items()}
    except ValueError as exc:
        raise MappingError(f"[mapping.account_types] {exc}") from exc
    mapping = XbrlMapping(
        name=str(_required(tax, "name", "taxonomy")),
        package=str(_required(tax, "package", "taxonomy")),
        entry_point=str(_required(tax, "entry_point", "taxonomy")),
        identifier_scheme=str(_required(tax, "identifier_scheme", "taxonomy")),
        disclosure_system=tax.get("disclosure_system"),
        namespaces=namespaces,
        general=general,
        general_values=dict(values),
        income=income,
        income_root=str(_required(income_raw, "root", "income_statement")),
        balance=balance,
        assets=str(_required(balance_raw, "assets", "balance_sheet")),
        liabilities_and_equity=str(
            _required(balance_raw, "liabilities_and_equity", "balance_sheet")
        ),
        profit_to=str(_required(balance_raw, "profit_to", "balance_sheet")),
        accounts={str(k): str(v) for k, v in raw_map.get("accounts", {}).items()},
        standard_accounts={str(k): str(v) for k, v in raw_map.get("standard_accounts", {}).items()},
        account_types=types,
        ignore_grouping_categories=frozenset(raw_map.get("ignore_grouping_categories", [])),
    )
    for what, qname, statement in (
        ("income_statement root", mapping.income_root, income),
        ("balance_sheet assets", mapping.assets, balance),
        ("balance_sheet liabilities_and_equity", mapping.liabilities_and_equity, balance),
        ("balance_sheet profit_to", mapping.profit_to, balance),
    ):
        if qname not in statement.concepts:
            raise MappingError(f"{what} {qname} is not a concept of that statement")
    if balance.concepts[mapping.profit_to].is_total:
        raise MappingError(
            f"balance_sheet profit_to {mapping.profit_to} must be a line, not a total"
        )
    _check_targets(mapping)
    return mapping


def load_xbrl_mapping(path: str | Path | None = None) -> XbrlMapping:
    """Read a mapping file; without a path, the built-in DK 2017 class B mapping."""
    source = Path(path) if path is not None else DEFAULT_MAPPING
    try:
        data = tomllib.loads(source.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{source.name} is not valid TOML: {exc}") from exc
    return parse_xbrl_mapping(data)
