"""Which VAT returns are due for drafting: pure rules over the agency's calendar and the ledgers.

A return is drafted when its period has ended, its deadline is within the
organisation's lead time (and not past), and an imported ledger covers the
whole period. Everything here is I/O-free; the task module does the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["Deadline", "DueReturn", "due_returns", "period_label"]


@dataclass(frozen=True, slots=True)
class Deadline:
    """One period of the calendar and the day its return is due."""

    period_start: date
    period_end: date
    deadline: date


@dataclass(frozen=True, slots=True)
class DueReturn:
    """A return to draft now."""

    label: str  # the period as reporting.periods reads it: 2026-Q3, 2026-07, 2026-H1, 2026
    period_start: date
    period_end: date
    deadline: date


def period_label(start: date, end: date) -> str | None:
    """The label of a calendar month, quarter, half-year or year; None for other spans."""
    if start.day != 1 or (end + timedelta(days=1)).day != 1 or start.year != end.year:
        return None
    months = end.month - start.month + 1
    if months == 1:
        return f"{start.year}-{start.month:02d}"
    if months == 3 and start.month % 3 == 1:
        return f"{start.year}-Q{start.month // 3 + 1}"
    if months == 6 and start.month in (1, 7):
        return f"{start.year}-H{1 if start.month == 1 else 2}"
    if months == 12:
        return f"{start.year}"
    return None


def _covered(start: date, end: date, ledgers: Iterable[tuple[date, date]]) -> bool:
    return any(s <= start and end <= e for s, e in ledgers)


def due_returns(
    *,
    deadlines: Iterable[Deadline],
    ledgers: Iterable[tuple[date, date]],
    today: date,
    lead_days: int,
) -> list[DueReturn]:
    """The returns to draft on ``today``, earliest deadline first."""
    spans = list(ledgers)
    out: list[DueReturn] = []
    for d in sorted(deadlines, key=lambda x: x.deadline):
        if d.period_end >= today:
            continue  # the period is still running
        if not (d.deadline - timedelta(days=lead_days) <= today <= d.deadline):
            continue  # too early, or past the deadline (late returns are a person's call)
        label = period_label(d.period_start, d.period_end)
        if label is None or not _covered(d.period_start, d.period_end, spans):
            continue
        out.append(DueReturn(label, d.period_start, d.period_end, d.deadline))
    return out
