"""The gateway's clock, and the test-only file that moves it in real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway import clock
from gateway.settings import Settings, get_settings
from tests.support.clock import advance, clock_env, clock_now


class _Env:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env


@pytest.fixture
def clock_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name, value in clock_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield Path(os.environ["GW_TEST_CLOCK_FILE"])
    get_settings.cache_clear()


def test_without_a_clock_file_the_gateway_keeps_the_wall_clock() -> None:
    assert get_settings().test_clock_file is None
    before = clock.wall()
    moment = clock.now()
    assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
    assert before <= moment <= clock.wall()


def test_the_clock_file_moves_now_and_a_new_offset_is_seen_at_once(clock_file: Path) -> None:
    assert clock.offset() == timedelta(0)  # no file yet: not moved
    stack = _Env(dict(os.environ))
    advance(stack, timedelta(days=10))
    before = clock.wall()
    assert clock.now() >= before + timedelta(days=10)
    advance(stack, timedelta(hours=1))
    assert clock.offset() == timedelta(days=10, hours=1)
    assert clock.now() <= clock.wall() + timedelta(days=10, hours=1)


def test_a_clock_file_that_is_not_a_number_is_refused_naming_the_file(clock_file: Path) -> None:
    clock_file.write_text("tomorrow")
    with pytest.raises(clock.ClockFileError, match=r"clock-offset.*tomorrow"):
        clock.now()


def test_the_clock_never_moves_back(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="forward"):
        advance(_Env(clock_env(tmp_path)), timedelta(seconds=-1))


def test_the_clock_file_is_refused_unless_test_mode_is_on(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="GW_TEST_MODE"):
        Settings(test_clock_file=tmp_path / "offset")
    assert Settings(test_clock_file=tmp_path / "offset", test_mode=True).test_mode


def _process_now(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "from gateway.clock import now; print(now().isoformat())"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_real_process_reads_the_moved_clock(tmp_path: Path) -> None:
    stack = _Env({**os.environ, **clock_env(tmp_path)})
    target = advance(stack, timedelta(days=30))
    done = _process_now(dict(stack.env))
    assert done.returncode == 0, done.stderr
    assert datetime.fromisoformat(done.stdout.strip()) >= target
    assert clock_now(stack) >= target


def test_a_process_given_the_clock_file_without_test_mode_does_not_start(tmp_path: Path) -> None:
    env = {**os.environ, "GW_TEST_CLOCK_FILE": str(tmp_path / "offset")}
    env.pop("GW_TEST_MODE", None)
    done = _process_now(env)
    assert done.returncode != 0 and "GW_TEST_MODE" in done.stderr
