"""Award evaluation: scores, weights, ranking, ties and abnormally low bids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tendering import scoring as sc
from tendering.errors import InvalidCriteria

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def price(
    weight: str = "60", method: sc.ScoringMethod = sc.ScoringMethod.PROPORTIONAL, **kw
) -> sc.Criterion:  # type: ignore[no-untyped-def]
    return sc.Criterion("price", "Price", sc.CriterionKind.PRICE, D(weight), method, **kw)


def quality(cid: str = "q1", weight: str = "40") -> sc.Criterion:
    return sc.Criterion(
        cid, "Quality", sc.CriterionKind.QUALITY, D(weight), sc.ScoringMethod.POINTS
    )


def bid(bid_id: str, amount: str, minutes: int = 0, **points: str) -> sc.BidInput:
    return sc.BidInput(
        bid_id, D(amount), T0 + timedelta(minutes=minutes), {k: D(v) for k, v in points.items()}
    )


BPQ = sc.AwardCriteria(sc.AwardMethod.BEST_PRICE_QUALITY, (price(), quality()))
LOWEST = sc.AwardCriteria(sc.AwardMethod.LOWEST_PRICE, (price("100"),))


def test_lowest_price_wins_under_lowest_price() -> None:
    result = sc.evaluate_lot(LOWEST, [bid("a", "120"), bid("b", "100"), bid("c", "150")])
    assert [r.bid_id for r in result.ranking] == ["b", "a", "c"]
    assert result.winner is not None and result.winner.bid_id == "b"


def test_proportional_price_score() -> None:
    result = sc.evaluate_lot(LOWEST, [bid("a", "100"), bid("b", "300")])
    scores = {r.bid_id: r.scores["price"] for r in result.ranking}
    assert scores == {"a": D("10.0000"), "b": D("3.3333")}


def test_quality_can_beat_a_lower_price() -> None:
    # a: 10*0.6 + 2*0.4 = 6.8 ; b: (100/110*10)*0.6 + 9*0.4 = 5.4545 + 3.6 = 9.0545
    result = sc.evaluate_lot(BPQ, [bid("a", "100", q1="2"), bid("b", "110", q1="9")])
    assert [r.bid_id for r in result.ranking] == ["b", "a"]
    assert result.ranking[0].total == D("9.0545")
    assert result.ranking[1].total == D("6.8000")


def test_linear_price_from_lowest_to_highest() -> None:
    crit = sc.AwardCriteria(sc.AwardMethod.LOWEST_PRICE, (price("100", sc.ScoringMethod.LINEAR),))
    result = sc.evaluate_lot(crit, [bid("a", "100"), bid("b", "150"), bid("c", "200")])
    assert {r.bid_id: r.scores["price"] for r in result.ranking} == {
        "a": D("10.0000"),
        "b": D("5.0000"),
        "c": D("0.0000"),
    }


def test_linear_price_with_a_fixed_zero_point_clamps_at_zero() -> None:
    crit = sc.AwardCriteria(
        sc.AwardMethod.LOWEST_PRICE,
        (price("100", sc.ScoringMethod.LINEAR, zero_at_percent=D("50")),),
    )
    result = sc.evaluate_lot(crit, [bid("a", "100"), bid("b", "125"), bid("c", "200")])
    assert {r.bid_id: r.scores["price"] for r in result.ranking} == {
        "a": D("10.0000"),
        "b": D("5.0000"),
        "c": D("0.0000"),
    }


def test_equal_totals_break_on_price_then_receipt_then_id() -> None:
    # a: 10*0.5 + 6*0.5 = 8 ; b: (100/125*10)*0.5 + 8*0.5 = 8. a has the lower price.
    crit = sc.AwardCriteria(sc.AwardMethod.BEST_PRICE_QUALITY, (price("50"), quality("q1", "50")))
    result = sc.evaluate_lot(crit, [bid("b", "125", q1="8"), bid("a", "100", q1="6")])
    assert [r.bid_id for r in result.ranking] == ["a", "b"]
    assert all(r.tied for r in result.ranking)
    same = [bid("z", "100", minutes=0), bid("y", "100", minutes=5), bid("x", "100", minutes=5)]
    assert [r.bid_id for r in sc.evaluate_lot(LOWEST, same).ranking] == ["z", "x", "y"]


def test_untied_bids_are_not_marked_tied() -> None:
    result = sc.evaluate_lot(LOWEST, [bid("a", "100"), bid("b", "101")])
    assert not any(r.tied for r in result.ranking)


def test_abnormally_low_bid_is_flagged_not_removed() -> None:
    bids = [bid("a", "100"), bid("b", "105"), bid("c", "110"), bid("d", "70")]
    result = sc.evaluate_lot(LOWEST, bids)
    assert {r.bid_id for r in result.ranking if r.abnormally_low} == {"d"}
    assert result.ranking[0].bid_id == "d"


def test_abnormally_low_rule_is_configurable() -> None:
    prices = {"a": D("100"), "b": D("100"), "c": D("85")}
    assert sc.flag_abnormally_low(prices) == set()
    assert sc.flag_abnormally_low(prices, sc.AbnormalLowRule(percent_below=D("10"))) == {"c"}
    assert sc.flag_abnormally_low(prices, sc.AbnormalLowRule(D("10"), min_other_bids=3)) == set()


@pytest.mark.parametrize(
    ("method", "criteria"),
    [
        (sc.AwardMethod.BEST_PRICE_QUALITY, (price("60"), quality("q1", "30"))),
        (sc.AwardMethod.BEST_PRICE_QUALITY, (quality("q1", "100"),)),
        (sc.AwardMethod.LOWEST_PRICE, (price("60"), quality("q1", "40"))),
        (
            sc.AwardMethod.BEST_PRICE_QUALITY,
            (sc.Criterion("p", "P", sc.CriterionKind.PRICE, D(100), sc.ScoringMethod.POINTS),),
        ),
        (
            sc.AwardMethod.BEST_PRICE_QUALITY,
            (price("60"), quality("q1", "20"), quality("q1", "20")),
        ),
    ],
    ids=["weights-not-100", "no-price", "lowest-with-quality", "points-for-price", "repeated-id"],
)
def test_unscorable_criteria_are_refused(
    method: sc.AwardMethod, criteria: tuple[sc.Criterion, ...]
) -> None:
    with pytest.raises(InvalidCriteria):
        sc.AwardCriteria(method, criteria)


@pytest.mark.parametrize(
    "bids",
    [
        [bid("a", "100", q1="11")],
        [bid("a", "100")],
        [bid("a", "0", q1="5")],
        [bid("a", "100", q1="5"), bid("a", "90", q1="5")],
    ],
    ids=["points-above-scale", "points-missing", "zero-price", "repeated-bid"],
)
def test_unscorable_bids_are_refused(bids: list[sc.BidInput]) -> None:
    with pytest.raises(InvalidCriteria):
        sc.evaluate_lot(BPQ, bids)


prices = st.decimals(min_value=D("0.01"), max_value=D("1000000000"), places=2)


@settings(max_examples=60, deadline=None)
@given(st.lists(prices, min_size=1, max_size=8))
def test_lowest_price_always_scores_max_under_proportional(amounts: list[D]) -> None:
    bids = [bid(f"b{i}", str(a)) for i, a in enumerate(amounts)]
    result = sc.evaluate_lot(LOWEST, bids)
    lowest = min(amounts)
    for r in result.ranking:
        assert (r.scores["price"] == D(10)) == (r.price == lowest)
        assert D(0) <= r.scores["price"] <= D(10)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(prices, st.integers(0, 10)), min_size=1, max_size=8))
def test_ranking_is_a_permutation_sorted_by_total(entries: list[tuple[D, int]]) -> None:
    bids = [bid(f"b{i}", str(p), q1=str(q)) for i, (p, q) in enumerate(entries)]
    result = sc.evaluate_lot(BPQ, bids)
    assert sorted(r.bid_id for r in result.ranking) == sorted(b.bid_id for b in bids)
    assert [r.rank for r in result.ranking] == list(range(1, len(bids) + 1))
    totals = [r.total for r in result.ranking]
    assert totals == sorted(totals, reverse=True)
    reversed_result = sc.evaluate_lot(BPQ, list(reversed(bids)))
    assert [r.bid_id for r in reversed_result.ranking] == [r.bid_id for r in result.ranking]
