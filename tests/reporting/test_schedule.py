"""Which VAT returns the automatic schedule drafts, on which day."""

from __future__ import annotations

from datetime import date

import pytest

from reporting.periods import parse_period
from reporting.schedule import Deadline, due_returns, period_label

Q3 = Deadline(date(2026, 7, 1), date(2026, 9, 30), date(2026, 12, 1))
YEAR = [(date(2026, 1, 1), date(2026, 12, 31))]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 9, 30), []),  # the period is still running
        (date(2026, 11, 20), []),  # more than the lead time before the deadline
        (date(2026, 11, 21), ["2026-Q3"]),  # lead time reached
        (date(2026, 12, 1), ["2026-Q3"]),  # the deadline itself
        (date(2026, 12, 2), []),  # too late: a person decides
    ],
)
def test_a_return_is_drafted_within_the_lead_time_before_its_deadline(
    today: date, expected: list[str]
) -> None:
    due = due_returns(deadlines=[Q3], ledgers=YEAR, today=today, lead_days=10)
    assert [d.label for d in due] == expected


def test_no_draft_without_a_ledger_covering_the_whole_period() -> None:
    half = [(date(2026, 1, 1), date(2026, 8, 31))]
    assert due_returns(deadlines=[Q3], ledgers=half, today=date(2026, 11, 25), lead_days=10) == []
    two = [(date(2026, 1, 1), date(2026, 8, 31)), (date(2026, 7, 1), date(2026, 12, 31))]
    assert due_returns(deadlines=[Q3], ledgers=two, today=date(2026, 11, 25), lead_days=10)


def test_several_due_returns_come_earliest_deadline_first() -> None:
    july = Deadline(date(2026, 7, 1), date(2026, 7, 31), date(2026, 8, 25))
    june = Deadline(date(2026, 6, 1), date(2026, 6, 30), date(2026, 8, 17))
    due = due_returns(deadlines=[july, june], ledgers=YEAR, today=date(2026, 8, 16), lead_days=30)
    assert [d.label for d in due] == ["2026-06", "2026-07"]


@pytest.mark.parametrize("label", ["2026-03", "2026-Q1", "2026-Q4", "2026-H1", "2026-H2", "2026"])
def test_period_labels_read_back_as_the_same_period(label: str) -> None:
    period = parse_period(label)
    assert period_label(period.start, period.end) == label


def test_a_span_that_is_no_calendar_period_has_no_label() -> None:
    assert period_label(date(2026, 2, 1), date(2026, 4, 30)) is None
    assert period_label(date(2026, 1, 15), date(2026, 3, 31)) is None
