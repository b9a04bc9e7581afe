"""The VAT-code table: which Danish VAT-return fields a ledger tax code feeds.

The table is data (TOML, layout documented in ``vat_codes.toml``). The built-in
table covers common Danish accounting-system codes and the SAF-T standard tax
codes; a user table read on top replaces entries code by code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from reporting.errors import MappingError

__all__ = [
    "BASE_FIELDS",
    "DUTY_FIELDS",
    "FIELDS",
    "INPUT_FIELDS",
    "OUTPUT_FIELDS",
    "VatCodeTable",
    "VatRule",
    "load_vat_table",
    "parse_vat_table",
    "saft_standard_tax_code",
]

# VAT the company owes (credit side in the ledger).
OUTPUT_FIELDS = ("SalgsMoms", "MomsEUKoeb", "MomsEUYdelser")
# VAT and duties the company reclaims (debit side).
INPUT_FIELDS = ("KoebsMoms",)
DUTY_FIELDS = ("OlieAfgift", "ElAfgift", "GasAfgift", "KulAfgift", "CO2Afgift", "VandAfgift")
# Net values reported for information: rubrik A is bought (debit), B and C are sold (credit).
PURCHASE_BASE_FIELDS = ("EUKoeb", "EUKoebYdelse")
SALES_BASE_FIELDS = (
    "EUSalgBeloebVarer",
    "IkkeEUSalgBeloebVarer",
    "EUSalgYdelse",
    "EksportOmsaetning",
)
BASE_FIELDS = PURCHASE_BASE_FIELDS + SALES_BASE_FIELDS
FIELDS = OUTPUT_FIELDS + INPUT_FIELDS + DUTY_FIELDS + BASE_FIELDS

# +1: the field grows with debits; -1: with credits (ledger amounts are debit positive).
SIDE: dict[str, int] = {
    **dict.fromkeys(OUTPUT_FIELDS + SALES_BASE_FIELDS, -1),
    **dict.fromkeys(INPUT_FIELDS + DUTY_FIELDS + PURCHASE_BASE_FIELDS, 1),
}

_VAT_FIELDS = OUTPUT_FIELDS + INPUT_FIELDS
_ALLOWED: dict[str, tuple[str, ...]] = {
    "tax": _VAT_FIELDS + DUTY_FIELDS,
    "base": BASE_FIELDS,
    "reverse_charge": _VAT_FIELDS,
    "amount": FIELDS,
}
_KEYS = {"description", "rate", *_ALLOWED}
# Read beside this module, not through importlib.resources: the test tree has a
# folder of the same name that can shadow the package as a namespace package.
_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class VatRule:
    """What one tax code feeds; see ``vat_codes.toml`` for the meaning of each key."""

    code: str
    description: str = ""
    tax: tuple[str, ...] = ()
    base: tuple[str, ...] = ()
    reverse_charge: tuple[str, ...] = ()
    amount: tuple[str, ...] = ()
    rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class VatCodeTable:
    """Rules for the line's own codes, for SAF-T standard codes, and for duty accounts."""

    codes: Mapping[str, VatRule] = field(default_factory=dict)
    standard_codes: Mapping[str, VatRule] = field(default_factory=dict)
    accounts: Mapping[str, VatRule] = field(default_factory=dict)

    def merged(self, other: VatCodeTable) -> VatCodeTable:
        """This table with ``other``'s entries replacing ours code by code."""
        return VatCodeTable(
            codes={**self.codes, **other.codes},
            standard_codes={**self.standard_codes, **other.standard_codes},
            accounts={**self.accounts, **other.accounts},
        )


def _rule(section: str, code: str, raw: Any) -> VatRule:
    where = f"[{section}.{code}]"
    if not isinstance(raw, dict):
        raise MappingError(f"{where} must be a table")
    unknown = set(raw) - _KEYS
    if unknown:
        raise MappingError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
    lists: dict[str, tuple[str, ...]] = {}
    for key, allowed in _ALLOWED.items():
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise MappingError(f"{where} {key} must be a list of field names")
        wrong = [v for v in value if v not in allowed]
        if wrong:
            raise MappingError(
                f"{where} {key} cannot feed {', '.join(wrong)}; allowed: {', '.join(allowed)}"
            )
        lists[key] = tuple(value)
    rate: Decimal | None = None
    if "rate" in raw:
        try:
            rate = Decimal(str(raw["rate"]))
        except InvalidOperation as exc:
            raise MappingError(f"{where} rate {raw['rate']!r} is not a number") from exc
    return VatRule(code=code, description=str(raw.get("description", "")), rate=rate, **lists)


def parse_vat_table(data: Mapping[str, Any]) -> VatCodeTable:
    """Build a table from parsed TOML, refusing unknown fields and keys."""
    unknown = set(data) - {"codes", "standard_codes", "accounts"}
    if unknown:
        raise MappingError(f"unknown sections in VAT-code table: {', '.join(sorted(unknown))}")
    sections: dict[str, dict[str, VatRule]] = {}
    for section in ("codes", "standard_codes", "accounts"):
        entries = data.get(section, {})
        if not isinstance(entries, dict):
            raise MappingError(f"[{section}] must be a table")
        sections[section] = {str(k): _rule(section, str(k), v) for k, v in entries.items()}
    return VatCodeTable(**sections)


def _read(text: str, source: str) -> VatCodeTable:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{source} is not valid TOML: {exc}") from exc
    return parse_vat_table(data)


def load_vat_table(user_file: str | Path | None = None) -> VatCodeTable:
    """The built-in table, with the entries of ``user_file`` (TOML) on top when given."""
    builtin = (_HERE / "vat_codes.toml").read_text("utf-8")
    table = _read(builtin, "vat_codes.toml")
    if user_file is not None:
        path = Path(user_file)
        table = table.merged(_read(path.read_text("utf-8"), path.name))
    return table


def saft_standard_tax_code(rule: VatRule) -> str | None:
    """The SAF-T standard tax code that describes a rule best; None when none fits.

    Used to fill ``StandardTaxCode`` (mandatory in SAF-T 1.30) for codes the
    source gave no standard code: output VAT 3, input VAT 1, reverse-charge
    goods 81/82 and services 86/87 (with/without deduction), zero-rated or EU
    sales 52, codes that feed nothing 6 (outside the VAT return).
    """
    reverse = set(rule.reverse_charge)
    if "MomsEUKoeb" in reverse:
        return "81" if "KoebsMoms" in reverse else "82"
    if "MomsEUYdelser" in reverse:
        return "86" if "KoebsMoms" in reverse else "87"
    if "SalgsMoms" in rule.tax:
        return "3"
    if "KoebsMoms" in rule.tax:
        return "1"
    if set(rule.base) & set(SALES_BASE_FIELDS):
        return "52"
    if not (rule.tax or rule.base or rule.reverse_charge or rule.amount):
        return "6"
    return None
