"""GroupingCategory/GroupingCode for SAF-T Financial 1.30 accounts, with a documented fallback.

SAF-T 1.30 dropped ``StandardAccountID``: every account must name a grouping
category and code of the business statement (næringsspesifikasjon code list).
Each account gets them by the first rule that applies:

1. ``source``   both given on the account (``grouping_category``, ``grouping_code``)
   and, when the code list is installed, the category is one of the list's
   (a foreign grouping, e.g. SIE's Swedish SRU codes, is not carried over);
2. ``codelist`` the account's ``grouping_code``, else its ``standard_account``
   (a 4-character code, or a 2-character one read as ``NN00``), is a code of
   the installed list: the category comes from the list;
3. ``fallback`` by account type: a catch-all code of the list (below), so the
   file stays valid and the account is listed in the export report for review.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from adapters.ledger import Account, AccountType

__all__ = [
    "CODELIST_PATH",
    "FALLBACK",
    "Grouping",
    "load_grouping_codelist",
    "resolve_grouping",
]

CODELIST_PATH = "saf-t-no/codelists/GroupingCategoryCode_v1.3/CSV/naeringsspesifikasjon.csv"

# Catch-all codes of the næringsspesifikasjon list per account type; OTHER follows the
# closing balance's side (debit: a receivable, credit: a debt).
FALLBACK: dict[AccountType, tuple[str, str]] = {
    AccountType.ASSET: ("balanseverdiForOmloepsmiddel", "1570"),  # other current receivables
    AccountType.LIABILITY: ("kortsiktigGjeld", "2990"),  # other short-term debt
    AccountType.EQUITY: ("egenkapital", "2050"),  # other equity
    AccountType.INCOME: ("annenDriftsinntekt", "3900"),  # other operating revenue
    AccountType.EXPENSE: ("annenDriftskostnad", "7700"),  # other costs
}


@dataclass(frozen=True, slots=True)
class Grouping:
    category: str
    code: str
    rule: str  # source | codelist | fallback


def load_grouping_codelist(artefacts_dir: str | Path) -> dict[str, str]:
    """GroupingCode -> GroupingCategory from the installed code list (first listing wins)."""
    path = Path(artefacts_dir) / CODELIST_PATH
    out: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            code, category = (row.get("GroupingCode") or "").strip(), row.get("GroupingCategory")
            if code and category:
                out.setdefault(code, category.strip())
    return out


def resolve_grouping(
    account: Account, closing: Decimal, codelist: Mapping[str, str] | None = None
) -> Grouping:
    """The grouping of one account by the rules in this module's docstring."""
    known = codelist or {}
    categories = set(known.values())
    if (
        account.grouping_category
        and account.grouping_code
        and (codelist is None or account.grouping_category in categories)
    ):
        return Grouping(account.grouping_category, account.grouping_code, "source")
    own_code = (
        account.grouping_code
        if not account.grouping_category or account.grouping_category in categories
        else None
    )
    for candidate in (own_code, account.standard_account):
        if not candidate:
            continue
        code = candidate + "00" if len(candidate) == 2 else candidate
        if code in known:
            return Grouping(known[code], code, "codelist")
    kind = account.type
    if kind not in FALLBACK:
        kind = AccountType.LIABILITY if closing < 0 else AccountType.ASSET
    category, code = FALLBACK[kind]
    return Grouping(category, code, "fallback")
