"""CSV mapping profiles: a TOML file says how a CSV export maps onto the ledger.

A user adds a format by writing a profile, no code. Built-in profiles live in
``adapters/profiles/*.toml``; a profile is named by its file stem or given as
a path, and extra directories can be searched. The keys::

    name = "generic-gl"                  # defaults to the file stem
    description = "..."
    kind = "journal"                     # journal | double-entry | trial-balance

    [file]
    encoding = "utf-8"                   # utf-8 | cp1252 | latin-1 | auto (UTF-8, else cp1252)
    delimiter = "auto"                   # one character, or auto (; , tab)
    decimal = "."                        # "." | "," | auto
    thousands = ""                       # grouping character to drop, e.g. "."
    date_format = ["%Y-%m-%d"]           # strptime formats, or "DDMM" (year from the period)
    skip_lines = 0                       # lines before the column header (after any preamble)

    [preamble]                           # a metadata line before the column header (DATEV)
    marker = "EXTF"                      # its first field
    date_format = "%Y%m%d"
    fields = { period_start = 15, period_end = 16, currency = 22, company_id = [11, 12] }

    [detect]                             # how `format=None` recognises the file
    first_field = "EXTF"                 # first field of line 1 equals this, or
    columns = ["Konto", "Belegdatum"]    # all these column headers are present

    [columns]                            # ledger field -> header name(s), or "re:<regex>"
    voucher = ["Voucher", "Bilag"]       # a regex's named groups (period_end, period_start)
    amount = "re:^VAERDI_(?P<period_end>\\d{8})$"   # feed the header

    [values]
    debit_marks = ["S"]                  # for a `side` column
    credit_marks = ["H"]
    tax_amount_signed = false            # true: tax amounts carry their own sign

    [header]                             # fixed header values (command-line values win)
    currency = "DKK"
    country = "DK"

Ledger fields: voucher, journal, date, account, contra_account, amount, debit,
credit, side, description, tax_code, tax_base, tax_amount, party, name, balance.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ProfileError
from .problems import Problem

__all__ = ["BUILTIN_DIR", "ColumnRule", "Profile", "find_profile", "list_profiles", "load_profile"]

BUILTIN_DIR = Path(__file__).parent / "profiles"
KINDS = ("journal", "double-entry", "trial-balance")
FIELDS = {
    "voucher", "journal", "date", "account", "contra_account", "amount", "debit", "credit",
    "side", "description", "tax_code", "tax_base", "tax_amount", "party", "name", "balance",
}  # fmt: skip
_REQUIRED = {
    "journal": ({"date", "account"}, ({"amount"}, {"debit", "credit"}, {"debit"})),
    "double-entry": ({"date", "account", "contra_account"}, ({"amount"},)),
    "trial-balance": ({"account", "balance"}, ({"balance"},)),
}
_HEADER_ITEMS = {
    "company_id", "company_name", "currency", "country", "vat_number",
    "period_start", "period_end", "fiscal_year_start", "software",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ColumnRule:
    """How one ledger field is found among the column headers."""

    names: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None

    def match(self, header: str) -> re.Match[str] | bool:
        h = header.strip()
        if self.pattern is not None:
            return self.pattern.match(h) or False
        return h.casefold() in self.names


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    kind: str
    source: Path
    description: str = ""
    encoding: str = "utf-8"
    delimiter: str = "auto"
    decimal: str = "."
    thousands: str = ""
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    skip_lines: int = 0
    preamble_marker: str | None = None
    preamble_date_format: str = "%Y%m%d"
    preamble_fields: dict[str, tuple[int, ...]] = field(default_factory=dict)
    detect_first_field: str | None = None
    detect_columns: tuple[str, ...] = ()
    columns: dict[str, ColumnRule] = field(default_factory=dict)
    debit_marks: tuple[str, ...] = ("S", "D")
    credit_marks: tuple[str, ...] = ("H", "C", "K")
    tax_amount_signed: bool = False
    header: dict[str, str] = field(default_factory=dict)

    def matches(self, first_row: Sequence[str], column_row: Sequence[str] | None) -> bool:
        """Whether a file starting with these rows is of this profile's kind."""
        if self.detect_first_field is not None:
            return bool(first_row) and first_row[0].strip() == self.detect_first_field
        if not self.detect_columns:
            return False
        present = {c.strip().casefold() for c in (column_row or first_row)}
        wanted = [c.casefold() for c in self.detect_columns]
        return all(
            c in present
            if not c.startswith("re:")
            else any(re.match(c[3:], p, re.I) for p in present)
            for c in wanted
        )


def _strings(value: Any, where: str, src: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _bad(src, f"{where} must be a string or a list of strings")


def _bad(src: Path, message: str) -> ProfileError:
    return ProfileError(
        f"profile {src.name}: {message}", problems=[Problem(str(src), message, code="profile")]
    )


def load_profile(path: Path) -> Profile:
    """Read and check one profile file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(path, f"cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise _bad(path, f"is not valid TOML: {exc}") from exc
    kind = data.get("kind", "journal")
    if kind not in KINDS:
        raise _bad(path, f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    f = data.get("file", {})
    pre = data.get("preamble", {})
    det = data.get("detect", {})
    vals = data.get("values", {})
    columns: dict[str, ColumnRule] = {}
    for key, spec in data.get("columns", {}).items():
        if key not in FIELDS:
            raise _bad(path, f"[columns] {key} is not a ledger field ({', '.join(sorted(FIELDS))})")
        names = _strings(spec, f"[columns] {key}", path)
        if len(names) == 1 and names[0].startswith("re:"):
            try:
                columns[key] = ColumnRule(pattern=re.compile(names[0][3:], re.I))
            except re.error as exc:
                raise _bad(path, f"[columns] {key}: bad regular expression: {exc}") from exc
        else:
            columns[key] = ColumnRule(names=tuple(n.strip().casefold() for n in names))
    needed, one_of = _REQUIRED[kind]
    missing = needed - columns.keys()
    if missing or not any(group <= columns.keys() for group in one_of):
        raise _bad(
            path,
            f"a {kind} profile needs columns {sorted(needed)} and one of "
            f"{[sorted(g) for g in one_of]}; it has {sorted(columns)}",
        )
    if kind == "journal" and "amount" not in columns and "side" in columns:
        raise _bad(path, "a side column needs an amount column")
    pre_fields: dict[str, tuple[int, ...]] = {}
    for key, pos in pre.get("fields", {}).items():
        if key not in _HEADER_ITEMS:
            raise _bad(path, f"[preamble.fields] {key} is not a header item")
        positions = (pos,) if isinstance(pos, int) else tuple(pos)
        if not all(isinstance(p, int) and p >= 1 for p in positions):
            raise _bad(path, f"[preamble.fields] {key} must be field numbers from 1")
        pre_fields[key] = positions
    header = {str(k): str(v) for k, v in data.get("header", {}).items()}
    if unknown := set(header) - _HEADER_ITEMS:
        raise _bad(path, f"[header] has unknown items {sorted(unknown)}")
    encoding = f.get("encoding", "utf-8")
    if encoding != "auto":
        try:
            "".encode(encoding)
        except LookupError as exc:
            raise _bad(path, f"unknown encoding {encoding!r}") from exc
    decimal = f.get("decimal", ".")
    if decimal not in (".", ",", "auto"):
        raise _bad(path, 'decimal must be ".", "," or "auto"')
    return Profile(
        name=data.get("name", path.stem),
        kind=kind,
        source=path,
        description=data.get("description", ""),
        encoding=encoding,
        delimiter=f.get("delimiter", "auto"),
        decimal=decimal,
        thousands=f.get("thousands", ""),
        date_formats=_strings(f.get("date_format", "%Y-%m-%d"), "[file] date_format", path),
        skip_lines=int(f.get("skip_lines", 0)),
        preamble_marker=pre.get("marker"),
        preamble_date_format=pre.get("date_format", "%Y%m%d"),
        preamble_fields=pre_fields,
        detect_first_field=det.get("first_field"),
        detect_columns=_strings(det.get("columns", []), "[detect] columns", path),
        columns=columns,
        debit_marks=_strings(vals.get("debit_marks", ["S", "D"]), "debit_marks", path),
        credit_marks=_strings(vals.get("credit_marks", ["H", "C", "K"]), "credit_marks", path),
        tax_amount_signed=bool(vals.get("tax_amount_signed", False)),
        header=header,
    )


def _search_dirs(dirs: Iterable[Path]) -> list[Path]:
    return [*dirs, BUILTIN_DIR]


def list_profiles(dirs: Iterable[Path] = ()) -> list[Profile]:
    """Every profile in the given directories, then the built-in ones (first name wins)."""
    seen: dict[str, Profile] = {}
    for d in _search_dirs(dirs):
        for path in sorted(Path(d).glob("*.toml")):
            profile = load_profile(path)
            seen.setdefault(profile.name, profile)
    return list(seen.values())


def find_profile(name_or_path: str | Path, dirs: Iterable[Path] = ()) -> Profile:
    """A profile by path (``something.toml``) or by name in the directories, then built-ins."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.is_file():
        if not candidate.is_file():
            raise _bad(candidate, "no such profile file")
        return load_profile(candidate)
    for profile in list_profiles(dirs):
        if profile.name == str(name_or_path):
            return profile
    known = ", ".join(p.name for p in list_profiles(dirs))
    raise ProfileError(
        f"no CSV profile named {name_or_path!r} (known: {known})",
        problems=[Problem(str(name_or_path), f"unknown profile; known: {known}", code="profile")],
    )
