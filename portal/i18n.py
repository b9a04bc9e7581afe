"""Catalogues (Danish, English) compiled from the .po files at start; Danish display formats."""

from __future__ import annotations

import gettext
from datetime import datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "TIMEZONE",
    "amount",
    "catalogue",
    "local_date",
    "local_datetime",
    "pick_locale",
    "time_left",
]

LOCALES = ("da", "en")
DEFAULT_LOCALE = "da"
TIMEZONE = ZoneInfo("Europe/Copenhagen")
_FOLDER = Path(__file__).resolve().parent / "translations"


@cache
def catalogue(locale: str) -> gettext.NullTranslations:
    """The translations of ``locale``; English is the source language of the templates."""
    po = _FOLDER / locale / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def pick_locale(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LOCALES:
        return str(cookie)
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return DEFAULT_LOCALE


def local_datetime(value: datetime | None, locale: str) -> str:
    if value is None:
        return ""
    return format_datetime(value.astimezone(TIMEZONE), "d. MMMM y HH:mm", locale=locale)


def local_date(value: datetime | None, locale: str) -> str:
    if value is None:
        return ""
    return format_date(value.astimezone(TIMEZONE), "d. MMMM y", locale=locale)


def amount(value: Decimal | None, locale: str = "da") -> str:
    """Danish notation whatever the page language: 1.234.567,50."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00", locale="da_DK")


def time_left(deadline: datetime | None, now: datetime, locale: str) -> str:
    """The time until ``deadline`` in words a person reads at a glance."""
    tr = catalogue(locale)
    if deadline is None:
        return ""
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return tr.gettext("The deadline has passed")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return tr.ngettext("%(n)d day", "%(n)d days", days) % {"n": days} + (
            ", " + tr.ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours} if hours else ""
        )
    if hours:
        return tr.ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours} + (
            ", " + tr.ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
        )
    return tr.ngettext("%(n)d minute", "%(n)d minutes", max(minutes, 1)) % {"n": max(minutes, 1)}
