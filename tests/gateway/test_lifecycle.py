"""The submission status machine and the retry timing (pure)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from gateway.pipeline.lifecycle import (
    FINAL,
    IllegalTransition,
    Status,
    can_move,
    check_move,
    next_attempt,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_happy_path_is_allowed_step_by_step() -> None:
    path = ["received", "validated", "signed", "queued", "sending", "delivered", "acknowledged"]
    for a, b in itertools.pairwise(path):
        assert can_move(a, b), f"{a} -> {b}"


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("received", "sending"),  # cannot skip validation and signing
        ("validated", "delivered"),
        ("acknowledged", "queued"),  # final states stay final
        ("invalid", "validated"),
        ("dead", "queued"),
        ("rejected", "delivered"),
    ],
)
def test_illegal_moves_are_refused(current: str, target: str) -> None:
    with pytest.raises(IllegalTransition, match=f"from {current} to {target}"):
        check_move(current, target)


def test_final_states_have_no_way_out() -> None:
    for final in FINAL:
        assert not any(can_move(final, s) for s in Status)


def test_backoff_grows_and_stays_within_the_cap() -> None:
    rng = random.Random(7)
    delays = []
    for attempts in range(1, 8):
        due = next_attempt(
            attempts=attempts, now=NOW, base_seconds=2, cap_seconds=60, max_attempts=10, rng=rng
        )
        assert due is not None
        delays.append((due - NOW).total_seconds())
    ceilings = [min(60, 2 * 2 ** (n - 1)) for n in range(1, 8)]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling
    assert delays[-1] > delays[0]


def test_backoff_gives_up_after_the_last_attempt() -> None:
    assert next_attempt(attempts=5, now=NOW, base_seconds=1, cap_seconds=10, max_attempts=5) is None


def test_jitter_spreads_retries_of_many_submissions() -> None:
    rng = random.Random(1)
    dues = {
        next_attempt(attempts=3, now=NOW, base_seconds=4, cap_seconds=600, max_attempts=9, rng=rng)
        for _ in range(50)
    }
    assert len(dues) > 40
    assert all(
        d is not None and NOW + timedelta(seconds=8) <= d <= NOW + timedelta(seconds=16)
        for d in dues
    )
