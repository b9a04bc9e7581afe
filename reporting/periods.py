"""Reporting periods: ``2026-07`` (month), ``2026-Q3`` (quarter), ``2026-H1`` (half-year), ``2026``."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from reporting.errors import InvalidPeriod

__all__ = ["Period", "parse_period"]

_PATTERN = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])|H([12])))?$")


@dataclass(frozen=True, slots=True)
class Period:
    """A closed date range with the label it was read from."""

    label: str
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def kind(self) -> str:
        if "-Q" in self.label:
            return "quarter"
        if "-H" in self.label:
            return "half-year"
        return "month" if "-" in self.label else "year"


def _months(year: int, first: int, count: int) -> tuple[date, date]:
    last = first + count - 1
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def parse_period(label: str) -> Period:
    """Read a period label; the label is normalised (``2026-q3`` becomes ``2026-Q3``)."""
    text = label.strip().upper()
    match = _PATTERN.match(text)
    if not match:
        raise InvalidPeriod(
            f"period {label!r} is not one of YYYY, YYYY-MM, YYYY-Qn or YYYY-Hn", period=label
        )
    year = int(match.group(1))
    month, quarter, half = match.group(2), match.group(3), match.group(4)
    if month:
        start, end = _months(year, int(month), 1)
    elif quarter:
        start, end = _months(year, 3 * int(quarter) - 2, 3)
    elif half:
        start, end = _months(year, 6 * int(half) - 5, 6)
    else:
        start, end = _months(year, 1, 12)
    return Period(label=text, start=start, end=end)
