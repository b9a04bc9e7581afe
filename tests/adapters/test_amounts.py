"""Numbers and dates as exports write them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters.amounts import parse_amount, parse_date


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1234.56", ".", "1234.56"),
        ("1190,00", ",", "1190.00"),
        ("1.234,56", ",", "1234.56"),
        ("1.234,56", "auto", "1234.56"),
        ("1,234.56", "auto", "1234.56"),
        ("-12,5", "auto", "-12.5"),
        ("12,50-", ",", "-12.50"),
        (" 1 000,00 ", ",", "1000.00"),
    ],
)
def test_amounts(text: str, decimal: str, expected: str) -> None:
    assert parse_amount(text, decimal=decimal) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "", "1,2,3.4.5", "NaN", "Infinity"])
def test_bad_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text, decimal="auto")


def test_ddmm_takes_the_year_of_the_fiscal_period() -> None:
    start = date(2024, 7, 1)
    assert parse_date("1507", ("DDMM",), period_start=start) == date(2024, 7, 15)
    assert parse_date("0302", ("DDMM",), period_start=start) == date(2025, 2, 3)
    assert parse_date("105", ("DDMM",), period_start=date(2025, 1, 1)) == date(2025, 5, 1)
    with pytest.raises(ValueError):
        parse_date("3102", ("DDMM",), period_start=start)


def test_first_matching_format_wins() -> None:
    assert parse_date("31.01.2025", ("%Y-%m-%d", "%d.%m.%Y")) == date(2025, 1, 31)
