"""Reading numbers and dates written the way spreadsheets and ERPs write them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

__all__ = ["parse_amount", "parse_date"]


def parse_amount(text: str, *, decimal: str = ".", thousands: str = "") -> Decimal:
    """A decimal from ``1234.56``, ``1.234,56`` (decimal=","), ``-12,5`` or ``12,50-``."""
    t = text.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    if thousands:
        t = t.replace(thousands, "")
    if t.endswith("-") and not t.startswith("-"):
        t = "-" + t[:-1]
    if decimal == ",":
        t = t.replace(".", "").replace(",", ".") if not thousands else t.replace(",", ".")
    elif decimal == "auto":
        if "," in t and "." in t:
            # Whichever comes last is the decimal mark; the other groups thousands.
            if t.rfind(",") > t.rfind("."):
                t = t.replace(".", "").replace(",", ".")
            else:
                t = t.replace(",", "")
        elif "," in t:
            t = t.replace(",", ".")
    try:
        value = Decimal(t)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a number: {text!r}")
    return value


def parse_date(text: str, formats: tuple[str, ...], *, period_start: date | None = None) -> date:
    """A date by the first matching format; ``DDMM`` takes its year from the period."""
    t = text.strip()
    for fmt in formats:
        if fmt == "DDMM":
            if not t.isdigit() or not 3 <= len(t) <= 4 or period_start is None:
                continue
            t4 = t.zfill(4)
            day, month = int(t4[:2]), int(t4[2:])
            year = period_start.year
            # A fiscal year that does not start on 1 January runs into the next calendar year.
            if (month, day) < (period_start.month, period_start.day):
                year += 1
            try:
                return date(year, month, day)
            except ValueError:
                continue
        else:
            try:
                return datetime.strptime(t, fmt).date()
            except ValueError:
                continue
    raise ValueError(f"not a date in the format {' or '.join(formats)}: {text!r}")
