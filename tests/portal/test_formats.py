"""The catalogues, the Danish display formats and the cookie policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from babel.messages.extract import extract_from_dir

from portal import i18n

PORTAL = Path(i18n.__file__).resolve().parent


def test_every_text_of_the_pages_has_a_danish_translation() -> None:
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    found = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(
            str(PORTAL),
            method_map,
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        )
    }
    danish = i18n.catalogue("da")
    missing = sorted(
        m
        for m in found
        if m
        and danish.gettext(m) == m
        and m not in {"CPV", "CVR %(cvr)s", "SHA-256", "Hash", "Gateway", "Status", "Procedure"}
    )
    assert not missing, missing


def test_amounts_in_danish_notation_and_times_in_copenhagen() -> None:
    assert i18n.amount(Decimal("1234567.5")) == "1.234.567,50"
    winter = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    assert i18n.local_datetime(winter, "da") == "5. december 2026 00:30"
    summer = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert i18n.local_datetime(summer, "en") == "1. July 2026 12:00"


def test_time_left_reads_plainly() -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    assert i18n.time_left(now + timedelta(days=2, hours=3), now, "en") == "2 days, 3 hours"
    assert i18n.time_left(now + timedelta(minutes=90), now, "da") == "1 time, 30 minutter"
    assert i18n.time_left(now - timedelta(seconds=1), now, "da") == "Fristen er udløbet"


def test_the_session_cookie_is_secure_everywhere_but_plain_http_on_loopback() -> None:
    from gateway.settings import Settings
    from portal.web import _is_loopback_http, cookie_name

    loopback = Settings(public_url="http://127.0.0.1:8000")
    public = Settings(public_url="https://gateway.example.dk")
    plain = Settings(public_url="http://gateway.example.dk")
    assert cookie_name(loopback) == "gw_session" and _is_loopback_http(loopback)
    assert cookie_name(public) == "__Host-gw_session" and not _is_loopback_http(public)
    assert cookie_name(plain) == "__Host-gw_session" and not _is_loopback_http(plain)
