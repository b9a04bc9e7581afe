"""Move the clock of a real gateway's processes (see ``gateway.clock``).

A stack started with :func:`clock_env` in its environment reads its time from
a file; :func:`advance` moves every process (API server, worker, beat, the CLI
run with the stack's environment) forward at once, so a test steps past a
deadline or a standstill instead of waiting for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from gateway.clock import read_offset, write_offset

__all__ = ["HasEnv", "advance", "clock_env", "clock_now"]


class HasEnv(Protocol):
    @property
    def env(self) -> Mapping[str, str]: ...


def clock_env(folder: Path) -> dict[str, str]:
    """The variables that give a stack a clock this module can move."""
    return {"GW_TEST_MODE": "1", "GW_TEST_CLOCK_FILE": str(folder / "clock-offset")}


def _file(stack: HasEnv) -> Path:
    try:
        return Path(stack.env["GW_TEST_CLOCK_FILE"])
    except KeyError:
        raise AssertionError("this stack was started without a test clock (clock_env)") from None


def advance(stack: HasEnv, by: timedelta) -> datetime:
    """Move the stack's clock forward by ``by``; returns the stack's new time."""
    if by < timedelta(0):
        raise ValueError("the clock only moves forward (deadlines once passed stay passed)")
    path = _file(stack)
    write_offset(path, read_offset(path) + by)
    return clock_now(stack)


def clock_now(stack: HasEnv) -> datetime:
    """What the stack's processes take for now."""
    return datetime.now(UTC) + read_offset(_file(stack))
