"""The VAT calendar the tax agency sandbox plays by: periods, deadlines, and which periods are open.

Deadlines follow the Danish main rules without moving for weekends or
holidays: monthly returns by the 25th of the following month, quarterly and
half-yearly returns by the first day of the third month after the period.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

__all__ = [
    "FREQUENCIES",
    "HALF_YEARLY",
    "MONTHLY",
    "QUARTERLY",
    "CalendarPeriod",
    "period_problem",
    "periods_between",
]

# AngivelseFrekvensTypeCode values the agency documents for VAT.
MONTHLY = 7
QUARTERLY = 8
HALF_YEARLY = 9
FREQUENCIES = {MONTHLY: 1, QUARTERLY: 3, HALF_YEARLY: 6}

# Agency error codes decided here (the sandbox's wording follows the agency's README).
NOT_OPEN = 4802
NOT_ENDED = 4803
TOO_OLD = 4804


@dataclass(frozen=True, slots=True)
class CalendarPeriod:
    """One VAT period with its deadline."""

    start: date
    end: date
    deadline: date


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _period_containing(day: date, frequency: int) -> CalendarPeriod:
    length = FREQUENCIES[frequency]
    first_month = (day.month - 1) // length * length + 1
    start = date(day.year, first_month, 1)
    last = _add_months(start, length - 1)
    end = date(last.year, last.month, calendar.monthrange(last.year, last.month)[1])
    if frequency == MONTHLY:
        deadline = _add_months(start, 1).replace(day=25)
    else:
        deadline = _add_months(start, length + 2)
    return CalendarPeriod(start, end, deadline)


def periods_between(first: date, last: date, *, frequency: int) -> list[CalendarPeriod]:
    """The periods of a frequency that overlap ``first``..``last``, in order."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown VAT frequency code {frequency}")
    found: list[CalendarPeriod] = []
    current = _period_containing(first, frequency)
    while current.start <= last:
        found.append(current)
        current = _period_containing(_add_months(current.start, FREQUENCIES[frequency]), frequency)
    return found


def period_problem(start: date, end: date, *, frequency: int, today: date) -> int | None:
    """The agency error code that refuses a return for ``start``..``end`` today, or None."""
    period = _period_containing(start, frequency)
    if (period.start, period.end) != (start, end):
        return NOT_OPEN
    if end >= today:
        return NOT_ENDED
    if start < date(today.year - 3, today.month, 1):
        return TOO_OLD
    return None
