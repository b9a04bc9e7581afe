from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.ledger import Account, AccountType, Ledger
from reporting.errors import MappingError, ReportBuildError
from reporting.xbrl.figures import compute_figures
from reporting.xbrl.mapping import DEFAULT_MAPPING, load_xbrl_mapping
from tests.reporting.reporting_fixtures import build, header, ln, sample_records, tx

D = Decimal
MAPPING = load_xbrl_mapping()
DEPRECIATION = (
    "fsa:DepreciationAmortisationExpenseAndImpairmentLossesOfPropertyPlantAndEquipment"
    "AndIntangibleAssetsRecognisedInProfitOrLoss"
)


def test_income_statement_adds_up_from_the_ledger(sample_ledger: Ledger) -> None:
    inc = compute_figures(sample_ledger, MAPPING).income.values
    # revenue: 400 + 1000.60 + 2000 - 200 (credit note) + 3000 + 1500 + 700
    assert inc["fsa:Revenue"] == round(D("8400.60"))
    assert inc["fsa:RawMaterialsAndConsumablesUsed"] == 800 + 1200
    assert inc["fsa:OtherExternalExpenses"] == round(D("400") + D("600") - D("80.90"))
    assert inc["fsa:WagesAndSalaries"] == 2000
    assert inc[DEPRECIATION] == 4000
    assert (inc["fsa:OtherFinanceIncome"], inc["fsa:OtherFinanceExpenses"]) == (30, 150)
    income = inc["fsa:Revenue"] + inc["fsa:OtherFinanceIncome"]
    expenses = sum(
        inc[q]
        for q in (
            "fsa:RawMaterialsAndConsumablesUsed",
            "fsa:OtherExternalExpenses",
            "fsa:EmployeeBenefitsExpense",
            DEPRECIATION,
            "fsa:OtherFinanceExpenses",
            "fsa:TaxExpenseOnOrdinaryActivities",
        )
    )
    assert inc["fsa:ProfitLoss"] == income - expenses
    assert (
        inc["fsa:GrossProfitLoss"] == inc["fsa:Revenue"] - 2000 - inc["fsa:OtherExternalExpenses"]
    )


def test_balance_sheet_balances_and_holds_the_result(sample_ledger: Ledger) -> None:
    figures = compute_figures(sample_ledger, MAPPING)
    bal = figures.balance.values
    assert bal["fsa:Assets"] == bal["fsa:LiabilitiesAndEquity"]
    assert bal["fsa:FixturesFittingsToolsAndEquipment"] == 40000 - 4000
    assert bal["fsa:ContributedCapital"] == 40000
    # retained earnings: the opening 110 000 plus the year's (negative) result
    exact_result = -sum(
        (v for a, v in sample_ledger.trial_balance().items() if a[0] in "12345"), D(0)
    )
    assert bal["fsa:RetainedEarnings"] == round(D(110000) + exact_result)
    assert figures.opening_balance is not None
    assert figures.opening_balance.values["fsa:Assets"] == 150000


def test_closing_entries_do_not_count_the_result_twice() -> None:
    recs = sample_records()
    result = -sum((v for a, v in build(recs).trial_balance().items() if a[0] in "12345"), D(0))
    recs.append(Account("8800", "Årsresultat", AccountType.OTHER, standard_account="8800"))
    recs.append(
        tx("C1", "DIV", date(2026, 12, 31), ln("8800", str(result)), ln("7010", str(-result)))
    )
    closed = compute_figures(build(recs), MAPPING)
    plain = compute_figures(build(sample_records()), MAPPING)
    assert closed.balance.values == plain.balance.values
    assert closed.income.values["fsa:ProfitLoss"] == plain.income.values["fsa:ProfitLoss"]


def test_rounding_never_unbalances_the_balance_sheet() -> None:
    recs = [
        header(),
        Account("1", "Bank", AccountType.ASSET, standard_account="1920"),
        Account("2", "Debitor", AccountType.ASSET, standard_account="1500"),
        Account("3", "Varelager", AccountType.ASSET, standard_account="1400"),
        Account("4", "Salg", AccountType.INCOME, standard_account="3000"),
    ]
    recs += [
        tx(
            "T1",
            "J",
            date(2026, 2, 1),
            ln("1", "0.50"),
            ln("2", "0.50"),
            ln("3", "0.50"),
            ln("4", "-1.50"),
        ),
    ]
    figures = compute_figures(build(recs), MAPPING)  # type: ignore[arg-type]
    bal, inc = figures.balance.values, figures.income.values
    assert bal["fsa:Assets"] == bal["fsa:LiabilitiesAndEquity"]
    assert bal["fsa:Assets"] == bal["fsa:NoncurrentAssets"] + bal["fsa:CurrentAssets"]
    assert inc["fsa:Revenue"] == 2  # 1.50 rounds half up
    assert figures.rounding_difference != 0


def test_exact_decimals_need_no_rounding_difference(sample_ledger: Ledger) -> None:
    figures = compute_figures(sample_ledger, MAPPING, decimals=2)
    assert figures.income.values["fsa:Revenue"] == D("8400.60")
    assert figures.rounding_difference == 0


def test_unbalanced_opening_balances_are_refused() -> None:
    recs = sample_records()
    recs[1] = replace(recs[1], opening_balance=D("999"))  # type: ignore[arg-type]
    with pytest.raises(ReportBuildError):
        compute_figures(build(recs), MAPPING)


def test_accounts_without_a_rule_are_named_and_can_be_mapped() -> None:
    recs = [
        header(),
        Account("X1", "mystery", AccountType.OTHER),
        Account("1", "Bank", AccountType.ASSET),
        tx("T1", "J", date(2026, 2, 1), ln("1", "10"), ln("X1", "-10")),
    ]
    with pytest.raises(ReportBuildError) as err:
        compute_figures(build(recs), MAPPING)  # type: ignore[arg-type]
    assert err.value.extensions["accounts"] == ["X1"]
    mapped = MAPPING.with_accounts({"X1": "fsa:Revenue"})
    assert compute_figures(build(recs), mapped).income.values["fsa:Revenue"] == 10  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"30" = "fsa:Revenue"', '"30" = "fsa:GrossProfitLoss"'),  # a total, not a line
        ('"30" = "fsa:Revenue"', '"30" = "fsa:NoSuchLine"'),
        ('"fsa:Revenue" = { balance = "credit" }', '"fsa:Revenue" = { balance = "up" }'),
        ('"+fsa:ContributedCapital"', '"+fsa:Equity"'),  # Equity would contain itself
        ('"+fsa:ContributedCapital"', '"*fsa:ContributedCapital"'),
        ('profit_to = "fsa:RetainedEarnings"', 'profit_to = "fsa:Equity"'),
        ('fsa = "http://xbrl.dcca.dk/fsa"', 'fsx = "http://xbrl.dcca.dk/fsa"'),
    ],
)
def test_broken_mapping_files_are_refused(tmp_path: Path, old: str, new: str) -> None:
    text = DEFAULT_MAPPING.read_text("utf-8")
    assert old in text
    path = tmp_path / "mapping.toml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(MappingError):
        load_xbrl_mapping(path)


def test_a_trial_balance_can_stand_in_for_the_transactions(sample_ledger: Ledger) -> None:
    balances = sample_ledger.trial_balance()
    bare = Ledger(header=sample_ledger.header, accounts=dict(sample_ledger.accounts))
    from_balances = compute_figures(bare, MAPPING, trial_balance=balances)
    from_entries = compute_figures(sample_ledger, MAPPING)
    assert from_balances.income.values == from_entries.income.values
    assert from_balances.balance.values == from_entries.balance.values
