"""The gateway's clock: :func:`now` is the one source of business time.

Deadlines, standstill periods, receipt windows, schedules, lease expiry and
stored timestamps read it (``Container.clock`` defaults to it). Transport
security keeps the wall clock (:func:`wall`): certificate validity and the
timestamps of WS-Security and AS4 messages are checked by counterparties
against their own clocks, which a test does not move.

Tests move the clock of real processes (API server, Celery worker, beat, CLI)
with a test-only setting: ``GW_TEST_CLOCK_FILE`` names a file holding an
offset in seconds that every process adds to the wall clock. A process
re-reads the file whenever it changes (one ``stat`` per call), so moving the
clock takes effect at once everywhere. The setting is refused unless
``GW_TEST_MODE`` is on, so a stray file cannot move a deployment's deadlines.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from gateway.errors import GatewayError

__all__ = ["ClockFileError", "now", "offset", "read_offset", "wall", "write_offset"]


class ClockFileError(GatewayError):
    """The test clock file cannot be read as an offset in seconds."""

    title = "Test clock file unreadable"
    slug = "test-clock-file"


def wall() -> datetime:
    """The machine's clock, aware UTC; for transport security only."""
    return datetime.now(UTC)


def now() -> datetime:
    """The gateway's current time, aware UTC (the wall clock, moved in tests)."""
    return datetime.now(UTC) + offset()


def offset() -> timedelta:
    """How far the test clock is moved ahead of the wall clock (zero outside tests)."""
    path = _configured_file()
    return timedelta(0) if path is None else _cache.get(path)


def read_offset(path: Path) -> timedelta:
    """The offset a clock file holds; a missing file means zero."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return timedelta(0)
    try:
        seconds = Decimal(text or "0")
    except InvalidOperation:
        raise ClockFileError(
            f"{path}: expected an offset in seconds (e.g. 864000), found {text[:40]!r}"
        ) from None
    if not seconds.is_finite():
        raise ClockFileError(f"{path}: the offset must be a finite number of seconds")
    return timedelta(seconds=float(seconds))


def write_offset(path: Path, value: timedelta) -> None:
    """Replace the offset atomically, so a reader never sees half a number."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(f"{value.total_seconds():.6f}\n", encoding="utf-8")
    os.replace(tmp, path)


def _configured_file() -> Path | None:
    # Imported here: settings are read lazily so that tests can reset them.
    from gateway.settings import get_settings

    return get_settings().test_clock_file


class _OffsetCache:
    """The last offset read per file, keyed by what ``stat`` says about it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[Path, tuple[tuple[int, int, int] | None, timedelta]] = {}

    def get(self, path: Path) -> timedelta:
        try:
            st = os.stat(path)
            key: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            key = None
        with self._lock:
            seen = self._seen.get(path)
            if seen is not None and seen[0] == key:
                return seen[1]
        value = timedelta(0) if key is None else read_offset(path)
        with self._lock:
            self._seen[path] = (key, value)
        return value


_cache = _OffsetCache()
