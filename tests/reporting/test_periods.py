from datetime import date

import pytest

from reporting.errors import InvalidPeriod
from reporting.periods import parse_period


@pytest.mark.parametrize(
    ("label", "start", "end", "kind"),
    [
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "quarter"),
        ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "quarter"),
        ("2026-07", date(2026, 7, 1), date(2026, 7, 31), "month"),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29), "month"),
        ("2026-H1", date(2026, 1, 1), date(2026, 6, 30), "half-year"),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 31), "half-year"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "year"),
    ],
)
def test_labels_give_calendar_periods(label: str, start: date, end: date, kind: str) -> None:
    period = parse_period(label)
    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert period.label == label.upper()


@pytest.mark.parametrize("label", ["2026-13", "2026-Q5", "2026-H3", "26-Q1", "2026/07", ""])
def test_unreadable_labels_are_refused(label: str) -> None:
    with pytest.raises(InvalidPeriod) as err:
        parse_period(label)
    assert err.value.status == 400


def test_membership_is_inclusive() -> None:
    q3 = parse_period("2026-Q3")
    assert date(2026, 7, 1) in q3 and date(2026, 9, 30) in q3
    assert date(2026, 6, 30) not in q3 and date(2026, 10, 1) not in q3
