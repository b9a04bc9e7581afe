"""Properties that hold for any ledger: checked on generated ones."""

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.ledger import Account, AccountType, LedgerBuilder, Record
from reporting.vat import compute_vat_return
from reporting.xbrl.figures import compute_figures
from reporting.xbrl.mapping import load_xbrl_mapping
from tests.reporting.reporting_fixtures import header, ln, tx

MAPPING = load_xbrl_mapping()
CODES = ["U25", "I25", "EUV", "EUY", "EUSV", "EKS", "ELAFG"]
CHART = [  # (id, type, SAF-T standard account)
    ("1010", AccountType.INCOME, "3000"),
    ("2010", AccountType.EXPENSE, "4000"),
    ("3010", AccountType.EXPENSE, "5000"),
    ("6100", AccountType.ASSET, "1500"),
    ("6200", AccountType.ASSET, "1920"),
    ("7000", AccountType.EQUITY, "2000"),
    ("8010", AccountType.LIABILITY, "2400"),
    ("8020", AccountType.LIABILITY, "2700"),
]
cents = st.integers(min_value=-10_000_00, max_value=10_000_00).map(lambda c: Decimal(c) / 100)


@st.composite
def ledgers(draw: st.DrawFn) -> object:
    recs: list[Record] = [header()]
    opening = draw(cents)
    for i, kind, std in CHART:
        start = {"6200": opening, "7000": -opening}.get(i, Decimal(0))
        recs.append(Account(i, i, kind, standard_account=std, opening_balance=start))
    for n in range(draw(st.integers(min_value=0, max_value=12))):
        net, code = draw(cents), draw(st.sampled_from(CODES))
        vat = (net / 4).quantize(Decimal("0.01"))
        account = draw(st.sampled_from(["1010", "2010", "3010"]))
        day = date(2026, draw(st.integers(min_value=1, max_value=12)), 15)
        recs.append(
            tx(
                f"T{n}",
                "J",
                day,
                ln(account, str(net), code=code, base=str(net), tax=str(vat)),
                ln("8020", str(-vat) if code in ("U25",) else "0"),
                ln("6200", str(-net - (-vat if code == "U25" else 0))),
            )
        )
    return LedgerBuilder().extend(recs).build()


@settings(max_examples=60, deadline=None)
@given(ledgers(), st.sampled_from(["2026-Q1", "2026-Q2", "2026-07", "2026-H2"]))
def test_vat_total_follows_its_fields_and_whole_kroner(ledger: object, period: str) -> None:
    vat = compute_vat_return(ledger, period=period)  # type: ignore[arg-type]
    a = vat.amounts
    assert a["AfgiftTilsvar"] == (
        a["SalgsMoms"]
        + a["MomsEUKoeb"]
        + a["MomsEUYdelser"]
        - a["KoebsMoms"]
        - sum(
            a[f]
            for f in ("OlieAfgift", "ElAfgift", "GasAfgift", "KulAfgift", "CO2Afgift", "VandAfgift")
        )
    )
    for name, exact in vat.exact:
        assert abs(exact - a[name]) < 1  # dropping øre moves a figure by less than a krone
        assert abs(a[name]) <= abs(exact)  # and never away from zero


@settings(max_examples=60, deadline=None)
@given(ledgers(), st.sampled_from([0, 2]))
def test_balance_sheet_always_balances_and_totals_add_up(ledger: object, decimals: int) -> None:
    figures = compute_figures(ledger, MAPPING, decimals=decimals)  # type: ignore[arg-type]
    bal = figures.balance.values
    assert bal["fsa:Assets"] == bal["fsa:LiabilitiesAndEquity"]
    for statement, values in (
        (MAPPING.income, figures.income.values),
        (MAPPING.balance, figures.balance.values),
    ):
        for qname, concept in statement.concepts.items():
            if concept.is_total:
                assert values[qname] == sum(s * values[p] for s, p in concept.parts)
