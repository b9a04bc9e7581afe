"""Evaluation of one lot's bids: criterion scores, weighted totals, ranking, low bids.

Every criterion scores a bid from 0 to ``max_score`` by its stated method;
the total is the weighted mean of those scores (weights sum to 100). Under
``lowest_price`` only the price counts and bids rank by price.

Methods:

* ``proportional`` (price): lowest price / price × max. The lowest price
  always gets the maximum.
* ``linear`` (price): straight line from the lowest price (max) down to 0 at
  the zero point: the highest bid, or ``zero_at_percent`` above the lowest
  (e.g. 100: twice the lowest price scores 0). Clamped at 0.
* ``points`` (quality): evaluators' points on a 0..``scale_max`` scale,
  rescaled to 0..max.

Ties (equal exact totals) are broken, in this order, by lower price, earlier
receipt, then bid id; the ranking says which bids were tied so the officer
sees where the rule, not the score, decided.

Abnormally low bids (art. 69) are flagged, never rejected: a bid priced more
than ``percent_below`` under the median of the *other* bids, once at least
``min_other_bids`` others exist.

Arithmetic is Decimal with a local context of 34 digits; scores shown are
rounded to 4 places half-even, ranking uses the exact values.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from enum import StrEnum

from tendering.errors import InvalidCriteria

__all__ = [
    "AbnormalLowRule",
    "AwardCriteria",
    "AwardMethod",
    "BidInput",
    "Criterion",
    "CriterionKind",
    "Evaluation",
    "RankedBid",
    "ScoringMethod",
    "evaluate_lot",
    "flag_abnormally_low",
]

HUNDRED = Decimal(100)
ZERO = Decimal(0)
SHOWN = Decimal("0.0001")


class AwardMethod(StrEnum):
    LOWEST_PRICE = "lowest_price"
    BEST_PRICE_QUALITY = "best_price_quality"


class CriterionKind(StrEnum):
    PRICE = "price"
    QUALITY = "quality"


class ScoringMethod(StrEnum):
    PROPORTIONAL = "proportional"
    LINEAR = "linear"
    POINTS = "points"


_METHODS = {
    CriterionKind.PRICE: {ScoringMethod.PROPORTIONAL, ScoringMethod.LINEAR},
    CriterionKind.QUALITY: {ScoringMethod.POINTS},
}


@dataclass(frozen=True, slots=True)
class Criterion:
    """One award criterion with its weight (percent) and stated scoring method."""

    id: str
    name: str
    kind: CriterionKind
    weight: Decimal
    method: ScoringMethod
    max_score: Decimal = Decimal(10)
    scale_max: Decimal = Decimal(10)  # points scale for quality
    zero_at_percent: Decimal | None = None  # linear price: zero point above the lowest


@dataclass(frozen=True, slots=True)
class AwardCriteria:
    """A lot's award method and its criteria (exactly one price criterion)."""

    method: AwardMethod
    criteria: tuple[Criterion, ...]

    def __post_init__(self) -> None:
        prices = [c for c in self.criteria if c.kind is CriterionKind.PRICE]
        if len(prices) != 1:
            raise InvalidCriteria("a lot needs exactly one price (or cost) criterion")
        if len({c.id for c in self.criteria}) != len(self.criteria):
            raise InvalidCriteria("criterion ids repeat")
        for c in self.criteria:
            if c.method not in _METHODS[c.kind]:
                raise InvalidCriteria(f"criterion {c.id}: {c.method} cannot score {c.kind}")
            if c.weight < 0 or c.max_score <= 0 or c.scale_max <= 0:
                raise InvalidCriteria(f"criterion {c.id}: weight and scales must be positive")
            if c.zero_at_percent is not None and c.zero_at_percent <= 0:
                raise InvalidCriteria(f"criterion {c.id}: zero point must be above the lowest")
        if self.method is AwardMethod.LOWEST_PRICE and len(self.criteria) != 1:
            raise InvalidCriteria("lowest price awards on price alone")
        if (
            self.method is AwardMethod.BEST_PRICE_QUALITY
            and sum((c.weight for c in self.criteria), ZERO) != HUNDRED
        ):
            raise InvalidCriteria("criterion weights must add up to 100")

    @property
    def price(self) -> Criterion:
        return next(c for c in self.criteria if c.kind is CriterionKind.PRICE)


@dataclass(frozen=True, slots=True)
class BidInput:
    """An admissible bid to evaluate: its price and the evaluators' quality points."""

    bid_id: str
    price: Decimal
    received_at: datetime
    points: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AbnormalLowRule:
    """Flag a price more than ``percent_below`` % under the median of the other bids."""

    percent_below: Decimal = Decimal(20)
    min_other_bids: int = 2


@dataclass(frozen=True, slots=True)
class RankedBid:
    rank: int
    bid_id: str
    price: Decimal
    total: Decimal
    scores: Mapping[str, Decimal]
    tied: bool
    abnormally_low: bool


@dataclass(frozen=True, slots=True)
class Evaluation:
    method: AwardMethod
    ranking: tuple[RankedBid, ...]

    @property
    def winner(self) -> RankedBid | None:
        return self.ranking[0] if self.ranking else None


def _price_score(c: Criterion, price: Decimal, prices: Sequence[Decimal]) -> Decimal:
    lowest = min(prices)
    if c.method is ScoringMethod.PROPORTIONAL:
        return lowest / price * c.max_score
    if c.zero_at_percent is not None:
        zero_point = lowest * (1 + c.zero_at_percent / HUNDRED)
    else:
        zero_point = max(prices)
    if zero_point == lowest:
        return c.max_score
    return max(ZERO, c.max_score * (zero_point - price) / (zero_point - lowest))


def _quality_score(c: Criterion, bid: BidInput) -> Decimal:
    if c.id not in bid.points:
        raise InvalidCriteria(f"bid {bid.bid_id} has no points for criterion {c.id}")
    points = bid.points[c.id]
    if not ZERO <= points <= c.scale_max:
        raise InvalidCriteria(f"bid {bid.bid_id}: points for {c.id} outside 0..{c.scale_max}")
    return points / c.scale_max * c.max_score


def flag_abnormally_low(
    prices: Mapping[str, Decimal], rule: AbnormalLowRule = AbnormalLowRule()
) -> set[str]:
    """Ids of bids priced abnormally low against the median of the others."""
    flagged = set()
    factor = 1 - rule.percent_below / HUNDRED
    for bid_id, price in prices.items():
        others = [p for other, p in prices.items() if other != bid_id]
        if len(others) >= rule.min_other_bids and price < statistics.median(others) * factor:
            flagged.add(bid_id)
    return flagged


def evaluate_lot(
    criteria: AwardCriteria,
    bids: Sequence[BidInput],
    *,
    low_rule: AbnormalLowRule = AbnormalLowRule(),
) -> Evaluation:
    """Score and rank a lot's admissible bids (best first)."""
    if len({b.bid_id for b in bids}) != len(bids):
        raise InvalidCriteria("bid ids repeat")
    for b in bids:
        if b.price <= 0:
            raise InvalidCriteria(f"bid {b.bid_id}: price must be positive")
    with localcontext() as ctx:
        ctx.prec = 34
        prices = [b.price for b in bids]
        exact: dict[str, dict[str, Decimal]] = {}
        totals: dict[str, Decimal] = {}
        for b in bids:
            scores = {
                c.id: _price_score(c, b.price, prices)
                if c.kind is CriterionKind.PRICE
                else _quality_score(c, b)
                for c in criteria.criteria
            }
            exact[b.bid_id] = scores
            if criteria.method is AwardMethod.LOWEST_PRICE:
                totals[b.bid_id] = scores[criteria.price.id]
            else:
                totals[b.bid_id] = sum(
                    (scores[c.id] * c.weight / HUNDRED for c in criteria.criteria), ZERO
                )
        low = flag_abnormally_low({b.bid_id: b.price for b in bids}, low_rule)

    def order(b: BidInput) -> tuple[Decimal, Decimal, datetime, str]:
        primary = b.price if criteria.method is AwardMethod.LOWEST_PRICE else -totals[b.bid_id]
        return (primary, b.price, b.received_at, b.bid_id)

    def key(b: BidInput) -> Decimal:
        return b.price if criteria.method is AwardMethod.LOWEST_PRICE else totals[b.bid_id]

    ordered = sorted(bids, key=order)
    ranking = []
    for i, b in enumerate(ordered):
        tied = any(0 <= j < len(ordered) and key(ordered[j]) == key(b) for j in (i - 1, i + 1))
        ranking.append(
            RankedBid(
                rank=i + 1,
                bid_id=b.bid_id,
                price=b.price,
                total=totals[b.bid_id].quantize(SHOWN, ROUND_HALF_EVEN),
                scores={k: v.quantize(SHOWN, ROUND_HALF_EVEN) for k, v in exact[b.bid_id].items()},
                tied=tied,
                abnormally_low=b.bid_id in low,
            )
        )
    return Evaluation(criteria.method, tuple(ranking))
