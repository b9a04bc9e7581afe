"""Scoring at its edges: who wins a tie, and where "abnormally low" starts."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tendering import scoring as sc
from tendering.errors import InvalidCriteria
from tests.tendering.test_scoring import LOWEST, bid, price, quality


def test_a_tie_goes_to_the_cheaper_bid_even_when_it_arrived_later() -> None:
    # a: 10*0.5 + 6*0.5 = 8 ; b: (100/125*10)*0.5 + 8*0.5 = 8. b came first, a is cheaper.
    crit = sc.AwardCriteria(sc.AwardMethod.BEST_PRICE_QUALITY, (price("50"), quality("q1", "50")))
    early_dear, late_cheap = bid("b", "125", minutes=0, q1="8"), bid("a", "100", minutes=30, q1="6")
    result = sc.evaluate_lot(crit, [early_dear, late_cheap])
    assert [r.bid_id for r in result.ranking] == ["a", "b"]
    assert [r.rank for r in result.ranking] == [1, 2] and all(r.tied for r in result.ranking)


def test_at_equal_price_the_earlier_bid_wins_whatever_its_id() -> None:
    result = sc.evaluate_lot(LOWEST, [bid("a", "100", minutes=9), bid("z", "100", minutes=1)])
    assert [r.bid_id for r in result.ranking] == ["z", "a"]


def test_a_better_total_beats_a_cheaper_price() -> None:
    crit = sc.AwardCriteria(sc.AwardMethod.BEST_PRICE_QUALITY, (price("50"), quality("q1", "50")))
    result = sc.evaluate_lot(crit, [bid("cheap", "100", q1="2"), bid("good", "101", q1="9")])
    assert [r.bid_id for r in result.ranking] == ["good", "cheap"]
    assert not any(r.tied for r in result.ranking)


def test_a_tie_is_marked_on_both_bids_and_only_on_them() -> None:
    result = sc.evaluate_lot(LOWEST, [bid("a", "90"), bid("b", "100"), bid("c", "100")])
    assert {r.bid_id: r.tied for r in result.ranking} == {"a": False, "b": True, "c": True}


def test_a_price_exactly_at_the_threshold_is_not_abnormally_low() -> None:
    # The others' median is 100; 20 % under it is 80: "more than 20 % under" starts below 80.
    others = {"b": D("100"), "c": D("100")}
    assert sc.flag_abnormally_low({**others, "a": D("80")}) == set()
    assert sc.flag_abnormally_low({**others, "a": D("79.99")}) == {"a"}
    rule = sc.AbnormalLowRule(percent_below=D("10"))
    assert sc.flag_abnormally_low({**others, "a": D("90")}, rule) == set()
    assert sc.flag_abnormally_low({**others, "a": D("89.99")}, rule) == {"a"}


def test_the_median_of_the_others_is_the_yardstick() -> None:
    # Others 100, 100, 200: median 100 (a mean would be 133.33 and flag 100).
    prices = {"b": D("100"), "c": D("100"), "d": D("200"), "a": D("85")}
    assert sc.flag_abnormally_low(prices) == set()
    # An even number of others: the median is the middle two's mean, 150; 120 is exactly 20 % under.
    assert sc.flag_abnormally_low({"b": D("140"), "c": D("160"), "a": D("120")}) == set()
    assert sc.flag_abnormally_low({"b": D("140"), "c": D("160"), "a": D("119")}) == {"a"}


def test_abnormally_low_needs_the_minimum_number_of_other_bids() -> None:
    assert sc.flag_abnormally_low({"b": D("100"), "a": D("10")}) == set()  # one other: no yardstick
    assert sc.flag_abnormally_low({"b": D("100"), "c": D("100"), "a": D("10")}) == {"a"}
    rule = sc.AbnormalLowRule(min_other_bids=1)
    assert sc.flag_abnormally_low({"b": D("100"), "a": D("10")}, rule) == {"a"}


def test_the_flag_shows_in_the_ranking_without_moving_the_bid() -> None:
    result = sc.evaluate_lot(LOWEST, [bid("a", "100"), bid("b", "100"), bid("c", "80")])
    assert [(r.bid_id, r.abnormally_low) for r in result.ranking] == [
        ("c", False),
        ("a", False),
        ("b", False),
    ]
    result = sc.evaluate_lot(LOWEST, [bid("a", "100"), bid("b", "100"), bid("c", "79")])
    first = result.ranking[0]
    assert (first.bid_id, first.abnormally_low) == ("c", True)


def _crit(
    cid: str = "price",
    kind: sc.CriterionKind = sc.CriterionKind.PRICE,
    weight: str = "100",
    method: sc.ScoringMethod = sc.ScoringMethod.PROPORTIONAL,
    **kw: D,
) -> sc.Criterion:
    return sc.Criterion(cid, cid, kind, D(weight), method, **kw)


BPQ_M, LOW_M = sc.AwardMethod.BEST_PRICE_QUALITY, sc.AwardMethod.LOWEST_PRICE
Q, PTS = sc.CriterionKind.QUALITY, sc.ScoringMethod.POINTS


@pytest.mark.parametrize(
    ("method", "criteria", "message"),
    [
        (BPQ_M, (_crit("q", Q, method=PTS),), "exactly one price"),
        (
            BPQ_M,
            (_crit(weight="50"), _crit("q", Q, "25", PTS), _crit("q", Q, "25", PTS)),
            "ids repeat",
        ),
        (BPQ_M, (_crit(method=PTS),), "criterion price: points cannot score price"),
        (LOW_M, (_crit(weight="-1"),), "criterion price: weight and scales must be positive"),
        (LOW_M, (_crit(max_score=D(0)),), "weight and scales must be positive"),
        (LOW_M, (_crit(scale_max=D(0)),), "weight and scales must be positive"),
        (
            LOW_M,
            (_crit(method=sc.ScoringMethod.LINEAR, zero_at_percent=D(0)),),
            "criterion price: zero point must be above the lowest",
        ),
        (LOW_M, (_crit(weight="60"), _crit("q", Q, "40", PTS)), "lowest price awards on price"),
        (BPQ_M, (_crit(weight="60"), _crit("q", Q, "39", PTS)), "weights must add up to 100"),
    ],
    ids=["no-price", "ids", "method", "weight", "max", "scale", "zero", "lowest", "sum"],
)
def test_each_unscorable_rule_says_what_is_wrong(
    method: sc.AwardMethod, criteria: tuple[sc.Criterion, ...], message: str
) -> None:
    with pytest.raises(InvalidCriteria, match=message):
        sc.AwardCriteria(method, criteria)


def test_the_edges_of_the_rules_are_allowed() -> None:
    # A zero weight, the smallest positive scales and zero point: all scorable.
    sc.AwardCriteria(BPQ_M, (_crit(weight="100"), _crit("q", Q, "0", PTS)))
    sc.AwardCriteria(
        LOW_M,
        (
            _crit(
                method=sc.ScoringMethod.LINEAR,
                max_score=D("0.01"),
                scale_max=D("0.01"),
                zero_at_percent=D("0.01"),
            ),
        ),
    )
